"""CSV records files, read strictly and line by line, so every physical line is accounted for.

The encoding is detected per file (a BOM, else the first of UTF-8 and GB18030 that decodes the whole file; a
file that is not text, UTF-16 without a BOM, or one cut off in a character is refused saying so), the delimiter by
the heading it reveals (``,``, tab, ``;`` or ``|``). A record the reader cannot delimit with certainty is never
trusted: see :func:`csv_rows`. A cell of a GB18030 file whose bytes are UTF-8 Chinese text (pasted from a UTF-8
source) would be read as mojibake: see :func:`utf8_reading`. A last line without a line break, after lines that
have one, is warned about (the file may have been cut off there).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import CatalogItem, normalise_title
from site_builder.sources.headings import HeadingRows
from site_builder.sources.loading import ENCODINGS, HEADER_SEARCH, MAX_CELL, FileReport, SheetRow

_CHUNK = 1 << 20
READ_LIMIT = 64 * MAX_CELL
"""Longest cell the CSV reader delimits: a cell between ``MAX_CELL`` and this is read (so its row and record id are
known) and refused as ``cell-too-long``; a longer one cannot be delimited (the stretch is quarantined)."""


def detect_encoding(path: Path) -> tuple[str, str]:
    """Return ``(encoding, sha256)`` of a CSV file, reading it once in chunks.

    A BOM decides (UTF-8, UTF-16, UTF-32 or GB18030; a UTF-8 BOM before other text is refused, naming the line);
    otherwise the first of UTF-8 and GB18030 that decodes
    the whole file. Raises :class:`InputError` if none does, saying why when the bytes show it: a workbook or zip
    archive named ``.csv``, UTF-16 without a BOM, a file that ends in the middle of a character (cut off), or
    else two encodings mixed.
    """
    encoding, sha256, _utf8 = _detect(path)
    return encoding, sha256


def _detect(path: Path) -> tuple[str, str, bool]:
    """:func:`detect_encoding`, and whether the bytes hold two UTF-8 Chinese characters in a row (the test before
    :func:`utf8_reading`: no GB18030 text measured held such bytes, see the operator's guide)."""
    digest = hashlib.sha256()
    decoders = {enc: codecs.getincrementaldecoder(enc)() for enc in ENCODINGS}
    head = b""
    utf8 = False
    tail = b""
    lines = 0
    failed: dict[str, tuple[int, bool]] = {}
    """The line on which each encoding failed, and whether only the file's last bytes did (a character cut off)."""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                head = head or chunk[:_HEAD]
                digest.update(chunk)
                if not utf8:
                    shapes = tail + chunk.translate(_UTF8_SHAPES)
                    utf8 = _UTF8_RUN in shapes
                    tail = shapes[-len(_UTF8_RUN) + 1:]
                for enc, decoder in list(decoders.items()):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        del decoders[enc]
                        failed[enc] = (lines + exc.object[:exc.start].count(b"\n") + 1, False)
                lines += chunk.count(b"\n")
        for enc, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[enc]
                failed[enc] = (lines + 1, True)
    except OSError as exc:
        raise InputError(f"Records file '{path}' cannot be read: {exc}") from exc
    _refuse_binary(path, head)
    if head.startswith(codecs.BOM_UTF8):
        if "utf-8" in failed:  # a BOM written before text in another encoding (GBK, GB18030)
            line, _ = failed["utf-8"]
            raise InputError(f"Records file '{path}' starts with a UTF-8 byte-order mark but is not UTF-8 text: it cannot be "
                             f"read as UTF-8 from line {line} on (GBK or GB18030 text behind a UTF-8 BOM?); export it "
                             "again in one encoding")
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: its BOM begins UTF-32 LE's
        encoding = "utf-32"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(GB18030_BOM) and "gb18030" in decoders:
        encoding = "gb18030"  # its BOM is skipped by csv_rows
    elif decoders:
        encoding = next(iter(decoders))
    else:
        cut = [enc for enc, (_line, at_end) in failed.items() if at_end]
        if cut:
            raise InputError(f"Records file '{path}' ends in the middle of a character (as {_NAMES.get(cut[0], cut[0])}, its "
                             f"last bytes, on line {failed[cut[0]][0]}, are an incomplete character): the file seems cut off (an "
                             "export or copy that did not finish); export or copy it again")
        where = "; ".join(f"as {_NAMES.get(enc, enc)} it cannot be read from line {line} on" for enc, (line, _) in failed.items())
        raise InputError(f"Records file '{path}' is neither UTF-8 nor GB18030 text ({where}): a cell pasted from a file in "
                         "the other encoding? Export the whole file again in one encoding")
    return encoding, digest.hexdigest(), utf8


GB18030_BOM = "\ufeff".encode("gb18030")
"""The byte-order mark of GB18030 (``84 31 95 33``), which some exporters write first."""
_HEAD = 4096
"""Bytes at the start of a file looked at for what kind of file it is."""
_SIGNATURES = (
    (b"PK\x03\x04", "a zip file (an .xlsx workbook, or a zip archive)", "if it is a workbook, name it .xlsx; if an archive, "
                                                                        "unpack it; else export it again as CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook (or another Office file)", "save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document", "export the records as CSV or .xlsx"),
)


HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!DOCTYPE\s+html|<html|<table|<meta|<head|<body)", re.IGNORECASE)
"""The start of a web page: what many systems' "export to Excel" writes, under an .xls, .xlsx or .csv name."""


def _refuse_binary(path: Path, head: bytes) -> None:
    """Raise :class:`InputError` when a file named ``.csv`` is not text: another format renamed (by its first bytes),
    or UTF-16 without a byte-order mark (a NUL byte in every other place, which UTF-8 and GB18030 text never has)."""
    for signature, kind, advice in _SIGNATURES:
        if head.startswith(signature):
            raise InputError(f"Records file '{path}' is {kind}, not CSV text: {advice}")
    if HTML_START.search(head.removeprefix(codecs.BOM_UTF8).decode("latin-1")) is not None:
        raise InputError(f"Records file '{path}' is an HTML page (a web system's \"export to Excel\", which writes a web "
                         "page), not CSV text: open it in Excel or WPS and save it as CSV or .xlsx")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or len(head) < 2:
        return
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) * 50 > len(head) and min(odd, even) * 10 < max(odd, even):  # NULs, nearly all on one side
        order = "little-endian" if odd > even else "big-endian"
        raise InputError(f"Records file '{path}' looks like UTF-16 ({order}) text without a byte-order mark (a NUL byte in "
                         "every other place), which cannot be told apart safely: save it as UTF-8 or GB18030 (or UTF-16 with "
                         "a BOM, as Excel's “Unicode text”)")


_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030"}
_UTF8_SHAPES = bytes(ord("a") if 0xE4 <= b <= 0xE9 else ord("b") if 0x80 <= b <= 0xBF else ord(".") for b in range(256))
"""Each byte as its part in the UTF-8 form of a Chinese character (U+4000–U+9FFF): ``a`` a first byte, ``b`` a
continuation byte, ``.`` neither (one ``bytes.translate``, then a search: a megabyte in about a millisecond)."""
_UTF8_RUN = b"abbabb"
"""Two Chinese characters in a row in UTF-8."""
_LONG_RUN = re.compile(b"(?:abb){4,}")
"""Four Chinese characters in a row in UTF-8 or more: found in part of a cell (none in 20 million random GB2312
characters; two in a row: one in 20,000)."""
_SHOWN = 60
"""Characters of a cell quoted in a ``mixed-encoding`` message."""


def utf8_reading(cell: str) -> str | None:
    """What a cell of a GB18030 file reads as in UTF-8, if its bytes are UTF-8 Chinese text (a cell pasted from a
    UTF-8 source into a GB18030 export: ``处以罚款`` read as ``澶勪互缃氭``); else ``None``.

    The cell, encoded in GB18030 again, must be valid UTF-8 that holds two Chinese characters in a row, and every
    character of it beyond ASCII must be one a Chinese text is written with (ideographs, CJK and full-width
    punctuation, general punctuation, the middle dot, circled numbers); or, if only part of the cell was pasted,
    hold four Chinese characters in a row in UTF-8 (that part is returned). GB18030 text of the generated records,
    the demo and the Chinese documentation never reads so (measured: see the operator's guide); UTF-8 Chinese
    text does.
    """
    if cell.isascii():
        return None
    try:
        data = cell.encode("gb18030")
    except UnicodeEncodeError:
        return None
    shapes = data.translate(_UTF8_SHAPES)
    if _UTF8_RUN not in shapes:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        run = _LONG_RUN.search(shapes)  # part of a cell pasted: four Chinese characters in a row at least
        return data[run.start():run.end()].decode("utf-8") if run else None
    return text if text != cell and all(c.isascii() or _chinese_text(c) for c in text) else None


def _chinese_text(char: str) -> bool:
    return any(low <= char <= high for low, high in _CHINESE_TEXT)


_CHINESE_TEXT = (("\u00b7", "\u00b7"), ("\u2000", "\u206f"), ("\u2460", "\u24ff"), ("\u3000", "\u303f"),
                 ("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uf900", "\ufaff"), ("\uff00", "\uffef"))
"""The characters beyond ASCII a Chinese text is written with, as ranges."""


def mixed_encoding(number: int, cells: list[str], heading: list[str]) -> tuple[tuple[str, str, str], ...]:
    """A ``mixed-encoding`` defect for each cell of a row of a GB18030 file that is UTF-8 text (:func:`utf8_reading`),
    naming its line, column and what it reads as in UTF-8: the row is quarantined, the mojibake never published."""
    defects = []
    for i, cell in enumerate(cells):
        text = utf8_reading(cell)
        if text is None:
            continue
        title = heading[i].strip() if i < len(heading) else ""
        where = f"列“{title}”（第{i + 1}列）" if title else f"第{i + 1}列"
        defects.append((title, "mixed-encoding",
                        f"第{number}行{where}的字节是UTF-8编码的文字，而本文件按GB18030读取：读出的是乱码“{_shown(cell)}”，"
                        f"按UTF-8应为“{_shown(text)}”；本行不公示，请以同一种编码重新导出整个文件（或在GB18030文件中重新录入该单元格）"))
    return tuple(defects)


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


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
        self.last = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        self.taken.append(line)
        self.last = line
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
    report.encoding, report.sha256, utf8 = _detect(report.path)
    report.utf8_cells = utf8 and report.encoding == "gb18030"
    try:
        with report.path.open(encoding=report.encoding, newline="") as fh:
            bom = report.encoding == "gb18030" and fh.read(1) == "\ufeff"  # else GB18030 text: start again
            fh.seek(0)
            fh.read(int(bom))
            delimiter = _delimiter(fh.read(64 * 1024).splitlines()[:HEADER_SEARCH], item)
            fh.seek(0)
            fh.read(int(bom))
            csv.field_size_limit(READ_LIMIT)
            lines = _Lines(fh)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            width = 0
            heading: list[str] = []
            others: HeadingRows | None = None
            row = 0  # the line the last row read starts on, once past the heading
            while True:
                first = lines.number + 1
                lines.taken = []
                try:
                    cells = next(reader)
                except StopIteration:
                    if row:
                        _unterminated(report, lines)
                    return
                except csv.Error as exc:
                    cells, reason = [], _QUOTE_ERRORS.get(str(exc), str(exc))
                else:
                    reason = ""
                    if len(lines.taken) > 1 and width and (
                            len(cells) != width or any(len(_cells(t, delimiter)) >= width for t in lines.taken[1:])):
                        reason = "单元格跨越了形似数据行的多行（引号可能不配对）"
                if not reason:
                    row = first if width else 0
                    if not width and sum(1 for c in cells if c.strip()) >= 2:
                        width = len(cells)  # the heading row (a title line above it has one cell)
                        heading = cells
                        others = HeadingRows(item, cells)
                    elif others is not None and len(cells) != width and others.reads_as_heading(cells):
                        width, heading = len(cells), cells  # another export joined below, as wide as its own heading
                    too_long = bool(cells) and max(map(len, cells)) > MAX_CELL  # one pass in C: a row of 30 cells
                    yield _too_long(first, cells, heading) if too_long else SheetRow(first, cells)
                    continue
                slug = "cell-too-long" if reason == _TOO_LONG else "broken-quoting"
                row = first
                yield from _broken(first, lines.taken, delimiter, width, reason, slug)
    except (OSError, UnicodeError) as exc:
        raise InputError(f"Records file '{report.path}' cannot be read: {exc}") from exc


def _unterminated(report: FileReport, lines: _Lines) -> None:
    """Warn when the file's last line, in a row below the heading, has no line break while the lines before it have
    one: the file may have been cut off there (``…,35.`` for ``35.7``). Not a defect: many exporters write no line
    break after the last row."""
    last = lines.last
    if lines.number > 1 and last.strip() and not last.endswith(("\n", "\r")):
        report.warnings.append(f"第{lines.number}行（最后一行）没有换行符，而其他各行都有：文件可能在这一行被截断（如导出或复制"
                               "未完成），请核对该行的最后一个单元格，或重新导出")


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
