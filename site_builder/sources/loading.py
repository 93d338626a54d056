"""Loading: find each catalogue item's records files and stream their rows.

A records directory holds, per catalogue item, ``<item>.csv`` (or ``.xlsx``, every worksheet) or
a folder ``<item>/`` of such files (subfolders included, in path order); the Chinese item title
or another name the catalogue lists may stand for the id (``行政处罚.csv``, ``xzcf.csv``).
CSV files may be UTF-8, UTF-8 with BOM, GB18030 (GBK) or UTF-16 with BOM, with ``,``, tab, ``;``
or ``|`` between cells. Column headings may be the Chinese title, the English name or a known
alias of a field, with full-width or ASCII parentheses. Row numbers count the heading as row 1.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import CatalogItem, Catalogue, normalise_title
from site_builder.sources.mapping import suggestion, unrecognised

log = logging.getLogger(__name__)

ENCODINGS = ("utf-8", "gb18030")
SUFFIXES = (".csv", ".xlsx")
UNSUPPORTED = (".xls", ".et", ".ods", ".txt", ".json", ".xml", ".dbf")
"""Formats an export may come in that are not read: refused with a message, never skipped silently."""
MAX_CELL = 1024 * 1024
"""Longest cell read (the csv module's default of 128 KiB is less than some 违法事实 texts)."""
HEADER_SEARCH = 10
"""Rows searched for the heading row (exports sometimes put a title line above it)."""
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawRow:
    """One data row as read: cell text by field name, with where it came from."""

    item: str
    file: str
    row: int
    values: dict[str, str]
    extra_cells: int = 0
    defects: tuple[tuple[str, str, str], ...] = ()
    """Problems the reader found before any cell was parsed: ``(column title or "", error slug, message)``.
    A row with defects is quarantined whatever its cells say."""


@dataclass(frozen=True)
class SheetRow:
    """One row as a reader delivers it: its number in the file (physical line or sheet row), cells, defects."""

    number: int
    cells: list[str]
    defects: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """A records file of a catalogue item: its path, and its name relative to the records directory."""

    item: str
    path: Path
    name: str


@dataclass
class FileReport:
    """What reading a file found: encoding, hash, headings, warnings and how many rows it holds.

    Each pass over a file that must be accounted for fills its own report; reading never changes
    the :class:`SourceFile` it describes.
    """

    source: SourceFile
    encoding: str = ""
    sha256: str = ""
    columns: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def item(self) -> str:
        """The catalogue item the file belongs to."""
        return self.source.item

    @property
    def name(self) -> str:
        """The file's name relative to the records directory."""
        return self.source.name

    @property
    def path(self) -> Path:
        """The file's path."""
        return self.source.path


def find_sources(records: Path, catalogue: Catalogue) -> list[SourceFile]:
    """List the records files of every catalogue item, in catalogue then name order.

    Raises :class:`InputError` if ``records`` is not a directory, or if an item's file is in a
    format that is not read (``.xls`` …). Other files are left alone: see :func:`unclaimed_paths`.
    """
    if not records.is_dir():
        raise InputError(f"Records directory '{records}' does not exist or is not a directory")
    sources: list[SourceFile] = []
    claimed: set[Path] = set()
    for item in catalogue.items:
        for stem in (item.id, item.title, *item.files):
            for path in _files_for(records, stem):
                if path not in claimed:
                    claimed.add(path)
                    sources.append(SourceFile(item.id, path, path.relative_to(records).as_posix()))
    return sources


def unclaimed_paths(records: Path, sources: list[SourceFile]) -> list[str]:
    """Files and folders in the records directory that belong to no catalogue item (reported, not read)."""
    claimed = {s.path for s in sources}
    return [
        path.name for path in sorted(records.iterdir())
        if not path.name.startswith(".") and not any(c == path or c.is_relative_to(path) for c in claimed)
    ]


def _files_for(records: Path, stem: str) -> list[Path]:
    """The records files of one item name: ``<stem>.csv|.xlsx`` and ``<stem>/**/*.csv|.xlsx``.

    Symbolic links are followed, symlinked subfolders included (a loop is refused). A link that
    leads nowhere, or an item path that is not a regular file, stops the build: an item must never
    be emptied in silence.
    """
    candidates = [p for p in sorted(records.iterdir()) if p.stem == stem and p.suffix.lower() in SUFFIXES + UNSUPPORTED]
    folder = records / stem
    if folder.is_dir():
        candidates += _walk(folder)
    files = []
    for path in candidates:
        if path.name.startswith((".", "~$")) or path.suffix.lower() not in SUFFIXES + UNSUPPORTED:
            continue
        if path.is_symlink() and not path.exists():
            raise InputError(f"Records file '{path}' is a symbolic link to '{os.readlink(path)}', which does not exist")
        if path.suffix.lower() in UNSUPPORTED and path.is_file():
            raise InputError(f"Records file '{path}': {path.suffix} files are not read; save it as .csv or .xlsx")
        if path.suffix.lower() in SUFFIXES:
            if not path.is_file():
                raise InputError(f"Records file '{path}' is not a regular file")
            files.append(path)
    return files


def _walk(folder: Path) -> list[Path]:
    """Every path below ``folder`` in name order, hidden ones left out, following symlinked folders once."""
    found: list[Path] = []
    visited = {folder.resolve()}
    for top, dirs, names in os.walk(folder, followlinks=True, onerror=_walk_error):
        here = Path(top)
        for name in list(dirs):
            target = (here / name).resolve()
            if name.startswith("."):
                dirs.remove(name)
            elif target in visited:
                raise InputError(f"Records folder '{here / name}' links back to a folder already read (a loop)")
            else:
                visited.add(target)
        found += [here / name for name in names if not name.startswith(".")]
    return sorted(found)


def _walk_error(error: OSError) -> None:
    raise InputError(f"Records folder '{error.filename}' cannot be read: {error.strerror}") from error


def read_rows(source: SourceFile, item: CatalogItem, report: FileReport | None = None) -> Iterator[RawRow]:
    """Stream the data rows of one file (every worksheet of a workbook), mapping headings to fields.

    What reading finds (encoding, hash, headings, warnings, the number of rows) goes into ``report``.
    Raises :class:`InputError` if the file cannot be read or decoded at all, or if its first
    (or only) sheet has no heading row. A later worksheet without a heading row (``填报说明``) is
    not read, with a warning that counts its rows.
    """
    if type(source) is not SourceFile:  # a database table (sources/database.py), read into the same RawRows
        from site_builder.sources.database import TableSource, read_table

        assert isinstance(source, TableSource)
        yield from read_table(source, item, report or FileReport(source))
        return
    try:
        yield from _read_rows(report or FileReport(source), item)
    except OSError as exc:
        raise InputError(f"Records file '{source.path}' cannot be read: {exc.strerror or exc}") from exc


def _read_rows(report: FileReport, item: CatalogItem) -> Iterator[RawRow]:
    parts: Sequence[tuple[str, Iterable[SheetRow | list[str]]]] = (
        _xlsx_sheets(report, item) if report.path.suffix.lower() == ".xlsx" else [("", _csv_rows(report, item))])
    for number, (sheet, raw_rows) in enumerate(parts):
        rows = _numbered(raw_rows)
        label = f"{report.name}!{sheet}" if number else report.name
        try:
            header = _find_header(rows, item, report)
        except InputError:
            if not number:
                raise
            unread = sum(1 for r in rows if any(c.strip() for c in r.cells))
            report.warnings.append(f"工作表“{sheet}”没有可识别的表头，未读取（其后还有{unread}行）")
            continue
        if header is None:
            if not number:
                raise InputError(f"Records file '{report.path}' is empty: no heading row and no data")
            report.warnings.append(f"工作表“{sheet}”为空")
            continue
        columns = _map_header(report, item, header.cells)
        report.columns = report.columns or columns
        width = len(header.cells)
        extent = max((i + 1 for i, c in enumerate(header.cells) if c.strip()), default=0)
        for line in rows:
            if not line.defects and not any(c.strip() for c in line.cells):
                continue
            report.rows += 1
            values = {name: line.cells[i] if i < len(line.cells) else "" for i, name in columns.items()}
            extra = sum(1 for c in line.cells[width:] if c.strip())
            defects = line.defects
            if not sheet and not defects and len(line.cells) < extent and report.encoding != "xlsx":
                defects = (("", "short-row", f"本行只有{len(line.cells)}个单元格，表头有{extent}列：行可能被截断，或分隔符、引号有误"),)
            yield RawRow(item.id, label, line.number, values, extra, defects)


def _numbered(rows: Iterable[SheetRow | list[str]]) -> Iterator[SheetRow]:
    """Rows as :class:`SheetRow`, numbering plain lists of cells from 1 (a worksheet's rows)."""
    for number, row in enumerate(rows, start=1):
        yield row if isinstance(row, SheetRow) else SheetRow(number, row)


def _find_header(rows: Iterator[SheetRow], item: CatalogItem, report: FileReport) -> SheetRow | None:
    """The heading row (``None`` for an empty file); ``rows`` then continues with the data rows.

    The heading is the first of the first rows that names two or more fields; rows above it (a
    title such as ``行政处罚信息公示表``) are skipped with a warning. If no row qualifies the file
    cannot be read (a data row must never be taken for a heading): :class:`InputError`.
    """
    index = item.header_index()
    seen = 0
    early: list[list[str]] = []
    for row in rows:
        seen += 1
        early.append(row.cells)
        if sum(1 for cell in row.cells if normalise_title(cell) in index) >= 2 and not row.defects:
            if row.number > 1:
                report.warnings.append(f"表头在第{row.number}行，前{row.number - 1}行已跳过")
            return row
        if seen == HEADER_SEARCH:
            break
    if not seen:
        return None
    raise InputError(
        f"Records file '{report.path}': no heading row naming at least two columns of '{item.id}' in its first "
        f"{HEADER_SEARCH} rows; add the heading row (Chinese titles or English names, see the README)"
        f"{unrecognised(item, early)}"
    )


def _map_header(report: FileReport, item: CatalogItem, header: list[str]) -> dict[int, str]:
    """Column position -> field name; unknown, repeated and missing columns become warnings."""
    index = item.header_index()
    columns: dict[int, str] = {}
    for position, heading in enumerate(header):
        name = index.get(normalise_title(heading))
        if name is None:
            if heading.strip():
                report.warnings.append(f"未知列“{heading.strip()}”（第{position + 1}列）已忽略{suggestion(heading, item)}")
        elif name in columns.values():
            report.warnings.append(f"列“{heading.strip()}”重复对应字段 {name}，仅使用第一列")
        else:
            columns[position] = name
    for f in item.fields:
        if f.required and f.name not in columns.values():
            report.warnings.append(f"缺少必填列“{f.title}”（{f.name}）：本文件各行均将隔离")
    return columns


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


def _csv_rows(report: FileReport, item: CatalogItem) -> Iterator[SheetRow]:
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
            csv.field_size_limit(MAX_CELL)
            lines = _Lines(fh)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            width = 0
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
                    yield SheetRow(first, cells)
                    continue
                yield from _broken(first, lines.taken, delimiter, width, reason)
    except (OSError, UnicodeError) as exc:
        raise InputError(f"Records file '{report.path}' cannot be read: {exc}") from exc


_QUOTE_ERRORS = {
    "unexpected end of data": "引号未闭合，直到文件末尾",
    f"field larger than field limit ({MAX_CELL})": f"单元格超过{MAX_CELL}个字符的上限",
}


def _cells(text: str, delimiter: str) -> list[str]:
    """``text`` read leniently as one CSV record (for counting cells and collecting secrets, never for publishing)."""
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return [text]


def _row_like(line: str, delimiter: str, width: int) -> bool:
    """Whether a physical line, read on its own, has the shape of a row of a file ``width`` cells wide."""
    return len(_cells(line, delimiter)) >= max(2, -(-width // 2))


def _broken(first: int, taken: list[str], delimiter: str, width: int, reason: str) -> Iterator[SheetRow]:
    """The rows of a stretch of lines that could not be delimited: the first line and each row-like line after it."""
    last = first + len(taken) - 1
    numbers = [first] + [first + i for i, t in enumerate(taken[1:], start=1) if _row_like(t, delimiter, width)]
    where = f"第{first}行" if last == first else f"第{first}–{last}行"
    swallowed = f"（其中第{'、'.join(map(str, numbers[1:]))}行形似数据行，一并隔离）" if len(numbers) > 1 else ""
    message = f"{where}无法可靠分隔：{reason}{swallowed}；整段不公示，请修正引号后重新导出"
    defect = (("", "broken-quoting", message),)
    for number in numbers:
        cells = _cells("".join(taken) if number == first else taken[number - first], delimiter)
        yield SheetRow(number, cells, defect)


def _xlsx_sheets(report: FileReport, item: CatalogItem) -> list[tuple[str, Iterator[SheetRow]]]:
    """Every worksheet of a workbook as ``(title, rows)``, read by :mod:`site_builder.sources.xlsx`.

    Cell defects (a formula without a result, a cell over ``MAX_CELL``, a code stored as a number)
    ride on the rows; warnings found while a sheet is read (an early end) are added to ``report``.
    """
    from site_builder.sources.xlsx import XlsxSheet, read_workbook

    report.encoding = "xlsx"
    data = report.path.read_bytes()
    report.sha256 = hashlib.sha256(data).hexdigest()

    def rows(sheet: XlsxSheet) -> Iterator[SheetRow]:
        yield from (SheetRow(r.number, r.cells, r.defects) for r in sheet.rows)
        report.warnings.extend(sheet.warnings)

    return [(sheet.title, rows(sheet)) for sheet in read_workbook(data, item, MAX_CELL, str(report.path))]
