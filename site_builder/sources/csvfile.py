"""CSV records files, read strictly and line by line, so every physical line is accounted for.

The encoding is detected per file (a BOM, else the first of UTF-8 and GB18030 that decodes the whole
file), the delimiter by the heading it reveals (``,``, tab, ``;`` or ``|``). A record the reader
cannot delimit with certainty is never trusted: see :func:`csv_rows`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import CatalogItem, normalise_title
from site_builder.sources.loading import ENCODINGS, HEADER_SEARCH, MAX_CELL, FileReport, SheetRow

_CHUNK = 1 << 20
READ_LIMIT = 64 * MAX_CELL
"""Longest cell the CSV reader delimits: a cell between ``MAX_CELL`` and this is read (so its row and record id are
known) and refused as ``cell-too-long``; a longer one cannot be delimited (the stretch is quarantined)."""


def detect_encoding(path: Path) -> tuple[str, str]:
    """Return ``(encoding, sha256)`` of a CSV file, reading it once in chunks.

    A BOM decides (UTF-8 or UTF-16); otherwise the first of UTF-8 and GB18030 that decodes
    the whole file. Raises :class:`InputError` if none does.
    """
    digest = hashlib.sha256()
    decoders = {enc: codecs.getincrementaldecoder(enc)() for enc in ENCODINGS}
    first = b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                first = first or chunk[:4]
                digest.update(chunk)
                for enc, decoder in list(decoders.items()):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        del decoders[enc]
        for enc, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[enc]
    except OSError as exc:
        raise InputError(f"Records file '{path}' cannot be read: {exc}") from exc
    if first.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif decoders:
        encoding = next(iter(decoders))
    else:
        raise InputError(f"Records file '{path}' is neither UTF-8 nor GB18030 text")
    return encoding, digest.hexdigest()


def _delimiter(lines: list[str], item: CatalogItem) -> str:
    """The delimiter under which some early line names the most columns of ``item`` (``,`` on a tie)."""
    index = item.header_index()

    def named(delimiter: str) -> int:
        rows = csv.reader(lines, delimiter=delimiter, strict=False)
        return max((sum(normalise_title(cell) in index for cell in cells) for cells in rows), default=0)

    return max(",\t;|", key=named)


class _Lines:
    """An iterator over a text file's physical lines that remembers the lines of the current record."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.number = 0
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        self.taken.append(line)
        return line


def csv_rows(report: FileReport, item: CatalogItem) -> Iterator[SheetRow]:
    """The rows of a CSV file, numbered by the physical line they start on.

    The reader is strict: a record it cannot delimit with certainty is not trusted: a quote that is
    never closed, or closed with text after it (as when an IME closes an ASCII ``"`` with a
    full-width ``”``), or a record over several lines that has not exactly as many cells as the
    heading or that runs over a line which on its own is a whole row. Every line of
    such a stretch that looks like a row becomes a row with a ``broken-quoting`` defect, so it is
    quarantined and counted, and none of its text is published.
    """
    report.encoding, report.sha256 = detect_encoding(report.path)
    try:
        with report.path.open(encoding=report.encoding, newline="") as fh:
            delimiter = _delimiter(fh.read(64 * 1024).splitlines()[:HEADER_SEARCH], item)
            fh.seek(0)
            csv.field_size_limit(READ_LIMIT)
            lines = _Lines(fh)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            width = 0
            heading: list[str] = []
            while True:
                first = lines.number + 1
                lines.taken = []
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    cells, reason = [], _QUOTE_ERRORS.get(str(exc), str(exc))
                else:
                    reason = ""
                    if len(lines.taken) > 1 and width and (
                            len(cells) != width or any(len(_cells(t, delimiter)) >= width for t in lines.taken[1:])):
                        reason = "单元格跨越了形似数据行的多行（引号可能不配对）"
                if not reason:
                    if not width and sum(1 for c in cells if c.strip()) >= 2:
                        width = len(cells)  # the heading row (a title line above it has one cell)
                        heading = cells
                    yield _too_long(first, cells, heading) if any(len(c) > MAX_CELL for c in cells) else SheetRow(first, cells)
                    continue
                slug = "cell-too-long" if reason == _TOO_LONG else "broken-quoting"
                yield from _broken(first, lines.taken, delimiter, width, reason, slug)
    except (OSError, UnicodeError) as exc:
        raise InputError(f"Records file '{report.path}' cannot be read: {exc}") from exc


_TOO_LONG = f"单元格超过{READ_LIMIT}个字符（或引号未闭合）"
_QUOTE_ERRORS = {
    "unexpected end of data": "引号未闭合，直到文件末尾",
    f"field larger than field limit ({READ_LIMIT})": _TOO_LONG,
}


def _too_long(number: int, cells: list[str], heading: list[str]) -> SheetRow:
    """A row with cells over ``MAX_CELL`` characters: those cells emptied (never read further), a ``cell-too-long``
    defect for each, naming its column; the other cells (the record id) kept for the quarantine report."""
    defects = []
    kept = list(cells)
    for i, cell in enumerate(cells):
        if len(cell) > MAX_CELL:
            title = heading[i].strip() if i < len(heading) and heading[i].strip() else ""
            where = f"列“{title}”（第{i + 1}列）" if title else f"第{i + 1}列"
            defects.append((title, "cell-too-long", f"第{number}行{where}有{len(cell)}个字符，超过每个单元格{MAX_CELL}个字符的上限，"
                                                    "未读取；本行不公示（过长的文本请缩短或分拆后重新导出）"))
            kept[i] = ""
    return SheetRow(number, kept, tuple(defects))


def _cells(text: str, delimiter: str) -> list[str]:
    """``text`` read leniently as one CSV record (for counting cells and collecting secrets, never for publishing)."""
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return [text]


def _row_like(line: str, delimiter: str, width: int) -> bool:
    """Whether a physical line, read on its own, has the shape of a row of a file ``width`` cells wide."""
    return len(_cells(line, delimiter)) >= max(2, -(-width // 2))


def _broken(first: int, taken: list[str], delimiter: str, width: int, reason: str,
            slug: str = "broken-quoting") -> Iterator[SheetRow]:
    """The rows of a stretch of lines that could not be delimited: the first line and each row-like line after it."""
    last = first + len(taken) - 1
    numbers = [first] + [first + i for i, t in enumerate(taken[1:], start=1) if _row_like(t, delimiter, width)]
    where = f"第{first}行" if last == first else f"第{first}–{last}行"
    swallowed = f"（其中第{'、'.join(map(str, numbers[1:]))}行形似数据行，一并隔离）" if len(numbers) > 1 else ""
    advice = "请缩短过长的单元格或修正引号后重新导出" if slug == "cell-too-long" else "请修正引号后重新导出"
    message = f"{where}无法可靠分隔：{reason}{swallowed}；整段不公示，{advice}"
    defect = (("", slug, message),)
    for number in numbers:
        cells = _cells("".join(taken) if number == first else taken[number - first], delimiter)
        yield SheetRow(number, cells, defect)
