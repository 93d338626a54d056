"""Loading: find each catalogue item's records files and stream their rows.

A records directory holds, per catalogue item, ``<item>.csv`` (or ``.tsv``/``.tab``, read as CSV; or ``.xlsx``,
every worksheet with a heading row) or a folder ``<item>/`` of such files (subfolders included, in path order); the
Chinese item title or another name the catalogue lists may stand for the id (``行政处罚.csv``, ``xzcf.csv``), name
and extension in any case (``XZCF.CSV``). Any other file named for an item, or in an item's folder (``.xls``,
``.xlsm``, ``.txt`` …), is refused, never skipped.
CSV files (read by :mod:`site_builder.sources.csvfile`) may be UTF-8, UTF-8 with BOM, GB18030
(GBK, with or without its BOM) or UTF-16 with BOM, with ``,``, tab, ``;`` or ``|`` between cells. Column headings
may be the Chinese title, the English name or a known alias of a field, with full-width or ASCII
parentheses. Rows are numbered by the physical line (or sheet row) they start on.

A heading row further down (exports joined together) is recognised: the same columns again are skipped, another
order or other titles start a new column map for the rows under it (:class:`~site_builder.sources.headings.Layout`).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import CatalogItem, Catalogue, normalise_title
from site_builder.sources.headings import (
    HEADING_CELLS,
    Heading,
    HeadingRows,
    Layout,
    second_heading,
    settle_duplicates,
)
from site_builder.sources.headings import map_headings as heading_map
from site_builder.sources.mapping import unrecognised
from site_builder.sources.statewords import ends_given, state_defects

log = logging.getLogger(__name__)

ENCODINGS = ("utf-8", "gb18030")
TEXT_SUFFIXES = (".csv", ".tsv", ".tab")
"""Delimited text, read by :mod:`site_builder.sources.csvfile` (which finds the delimiter by the heading)."""
SUFFIXES = (*TEXT_SUFFIXES, ".xlsx")
UNSUPPORTED = {
    ".xls": "旧版 Excel 工作簿", ".xlsm": "含宏的 Excel 工作簿", ".xlsb": "二进制 Excel 工作簿", ".et": "WPS 表格",
    ".ods": "OpenDocument 表格", ".numbers": "Numbers 表格", ".txt": "文本文件", ".json": "JSON", ".xml": "XML",
    ".dbf": "dBase 表", ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包", ".gz": "压缩包",
}
"""Formats an export may come in that are not read, named in the message that refuses them (any other file named
for an item or in an item folder is refused too: never skipped silently)."""
MAX_CELL = 1024 * 1024
"""Longest cell read (the csv module's default of 128 KiB is less than some 违法事实 texts)."""
HEADER_SEARCH = 10
"""Rows searched for the heading row, in a CSV file and in each worksheet alike (exports sometimes put a title line
and a 填报说明 block above it)."""


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
    A row with defects is quarantined whatever its cells say; but a defect of :data:`LAPSE_SAID` only while the
    licence's 有效期至 has not passed on the as-of date (:attr:`quarantined`)."""

    @property
    def quarantined(self) -> bool:
        """Whether the reader's defects quarantine the row whatever its cells and the as-of date say: any defect but
        one of :data:`LAPSE_SAID`, which the decision reads (:func:`~site_builder.rules.pipeline.decide_row`)."""
        return any(kind != LAPSE_SAID for _, kind, _ in self.defects)


LAPSE_SAID = "lapse-said"
"""The kind of a row's defect saying that a licence's own state in a second column says it lapsed (许可状态 已过期)
while its state field shows it in force (当前状态 有效) beside a 有效期至 (:func:`~site_builder.sources.licencestate.disagreement`):
the two disagree only while that date has not passed, which the reader cannot tell (it has no as-of date). The
validator leaves such a defect to the decision, which quarantines the row (as ``unmapped-column``, with the defect's
message) on an as-of date on or before the 有效期至 (:func:`~site_builder.rules.pipeline.held`)."""


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
class SheetReport:
    """A worksheet read from a workbook: the fields its heading row gave (sorted) and its data rows."""

    fields: tuple[str, ...]
    rows: int = 0


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
    """Column position -> field name, of the (first) heading row read."""
    sheets: dict[str, SheetReport] = field(default_factory=dict)
    """A workbook's worksheets read, by title in workbook order: what each gave (the manifest lists them, and the
    check of lost columns compares each with the same worksheet of the live site's build)."""
    unread_sheets: list[str] = field(default_factory=list)
    """A workbook's worksheets holding rows but no heading row (:func:`_skipped_sheet`), in workbook order."""
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    utf8_cells: bool = False
    """A GB18030 file holding bytes that read as UTF-8 Chinese text: each row's cells are checked for a cell pasted
    from a UTF-8 source (``csvfile.mixed_encoding``)."""

    @property
    def fields(self) -> set[str]:
        """The fields the file gave: of its heading row, or of any of its worksheets."""
        return set(self.columns.values()).union(*(sheet.fields for sheet in self.sheets.values()))

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
    owners: dict[str, set[str]] = {}
    for item in catalogue.items:
        for stem in (item.id, item.title, *item.files):
            owners.setdefault(stem.casefold(), set()).add(stem)
    names = {read_name(p.stem) for p in records.iterdir() if p.suffix} | {read_name(p.name) for p in records.iterdir()}
    for item in catalogue.items:
        stems = (item.id, item.title, *item.files)
        # A name in another case is read only for an item that no file or folder is named for exactly: the version
        # before this one left such a file unread (an old export, 'Judgment/2025-export.csv' beside 'judgment.csv'),
        # and reading it now would publish its records, unreviewed, on the day of an upgrade.
        named = any(stem in names for stem in stems)
        for stem in stems:
            shared = len(owners[stem.casefold()]) > 1  # the catalogue has the name in two cases, for two items
            for path in _files_for(records, stem, exact=named or shared, twins=not shared):
                if path not in claimed:
                    claimed.add(path)
                    sources.append(SourceFile(item.id, path, read_name(path.relative_to(records).as_posix())))
    return sources


def unclaimed_paths(records: Path, sources: list[SourceFile]) -> list[str]:
    """Files and folders in the records directory that are not read (reported, never skipped without a trace).

    Those that belong to no catalogue item, and the hidden files and folders (``.b.csv``, ``.~lock.a.csv#``) and
    office lock files (``~$a.xlsx``) of the records directory and of the item folders read, marked as such.
    """
    claimed = {s.path for s in sources}
    found = []
    for path in sorted(records.iterdir()):
        if _hidden(path.name):
            found.append(f"{read_name(path.name)}{HIDDEN_NOTE}")
        elif not any(c == path or c.is_relative_to(path) for c in claimed):
            found.append(read_name(path.name))
    folders = sorted({c.parent for c in claimed if c.parent != records and c.is_relative_to(records)})
    seen: set[Path] = set()
    for folder in folders:
        top = records / folder.relative_to(records).parts[0]
        if top in seen or not top.is_dir():
            continue
        seen.add(top)
        for hidden in _hidden_below(top):
            found.append(f"{read_name(hidden.relative_to(records).as_posix())}{HIDDEN_NOTE}")
        found += [read_name(path.relative_to(records).as_posix()) for path in _walk(top)
                  if path not in claimed and not _hidden(path.name) and path.is_file()]
    return found


def read_name(name: str) -> str:
    """A file name as its writer wrote it: the bytes the file system holds read as UTF-8, else as GB18030 (a zip made
    on a Chinese Windows stores names so), else with each byte that is neither written ``\\xNN``. Python reads names
    in the locale's encoding: under a GB18030 locale a UTF-8 ``行政处罚.csv`` arrives garbled, and under a UTF-8 one
    a GBK name arrives with bytes no text can hold, which stopped the build when it was written to the audit files."""
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


HIDDEN_NOTE = "（隐藏文件或锁文件）"
"""How :func:`unclaimed_paths` marks a hidden or lock file it lists."""


def _hidden(name: str) -> bool:
    """Whether a file or folder is hidden (``.name``) or an office lock file (``~$name``): never read as records."""
    return name.startswith((".", "~$"))


def _hidden_below(folder: Path) -> list[Path]:
    """The hidden files and folders below an item folder (a hidden folder is named, not entered)."""
    found: list[Path] = []
    for top, dirs, names in os.walk(folder, followlinks=True):
        here = Path(top)
        found += [here / name for name in dirs + names if _hidden(name)]
        dirs[:] = sorted(d for d in dirs if not _hidden(d))  # a loop was refused by find_sources
    return sorted(found)


def _files_for(records: Path, stem: str, exact: bool = False, twins: bool = True) -> list[Path]:
    """The records files of one item name: ``<stem>.csv|.tsv|.tab|.xlsx`` and every file below ``<stem>/``.

    The name is matched whatever its case (``XZCF.csv``, ``Commendation/``), as the extension is (``.CSV``): a file
    saved on Windows, where case does not tell names apart, must not be left unread. Two names that differ only in
    case (``judgment.csv`` and ``Judgment.csv``, one file on Windows) are refused, naming both; ``exact``: read only
    the names written in the case of ``stem`` (the item has a file or folder so named: see :func:`find_sources`; or the
    catalogue has two names that differ only in case, each telling its own item: ``twins`` is then false, and two such
    files are no twins).

    Symbolic links are followed, symlinked subfolders included (a loop is refused). A link that
    leads nowhere, an item path that is not a regular file, a file named for the item that is not in a format read
    (``行政处罚.xls``, ``judgment.xlsm``), or a file in its folder in another format records come in
    (:data:`UNSUPPORTED`: ``admin_penalty/part2.xlsm``) or with no extension stops the build: an item must never be
    emptied in silence. Any other file in an item folder (``说明.docx``, ``Thumbs.db``) is not read and is listed by
    :func:`unclaimed_paths`.
    """
    def named(name: str) -> bool:
        return read_name(name).casefold() == stem.casefold()

    entries = sorted(records.iterdir())
    candidates = [p for p in entries if named(p.stem) and p.suffix and not _hidden(p.name)]
    folders = [p for p in entries if named(p.name) and p.is_dir()]
    if twins:
        _same_but_case(candidates + folders)
    if exact:
        candidates = [p for p in candidates if read_name(p.stem) == stem]
        folders = [p for p in folders if read_name(p.name) == stem]
    for folder in folders:
        candidates += [p for p in _walk(folder) if not _hidden(p.name)]
    files = []
    for path in candidates:
        if path.is_symlink() and not path.exists():
            raise InputError(f"Records file '{path}' is a symbolic link to '{os.readlink(path)}', which does not exist")
        if path.suffix.lower() in SUFFIXES:
            if not path.is_file():
                raise InputError(f"Records file '{path}' is not a regular file")
            files.append(path)
        elif path.is_file() and (path.parent == records or not path.suffix or path.suffix.lower() in UNSUPPORTED):
            raise InputError(_refusal(path, path.parent != records))
    return files


def _same_but_case(paths: list[Path]) -> None:
    """Refuse two records files (or item folders) whose names differ only in case: which one holds the records?"""
    seen: dict[str, Path] = {}
    for path in paths:
        other = seen.setdefault(path.name.casefold(), path)
        if other != path:
            raise InputError(f"Records files '{other}' and '{path}' differ only in the case of their names (one file on "
                             "Windows, so probably a copy): keep one of them, or give each its own item name")


def _refusal(path: Path, in_folder: bool) -> str:
    """Why a file named for an item or in its folder is not read, and what to do."""
    suffix = path.suffix.lower()
    kind = f"{suffix} files ({UNSUPPORTED[suffix]})" if suffix in UNSUPPORTED else (
        f"{suffix} files" if suffix else "files without an extension")
    where = " in an item folder (which holds only the item's records files)" if in_folder else ""
    return (f"Records file '{path}'{where}: {kind} are not read; save it as .csv or .xlsx (CSV in UTF-8 or GB18030), "
            "or move it out of the records folder")


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


def read_rows(source: SourceFile, item: CatalogItem, report: FileReport | None = None,
              fields: Container[str] | None = None) -> Iterator[RawRow]:
    """Stream the data rows of one file (every worksheet of a workbook), mapping headings to fields.

    ``fields``: read only these fields' cells (a first pass that needs one column); the rows and their defects are
    the same.

    What reading finds (encoding, hash, headings, warnings, the number of rows) goes into ``report``.
    Raises :class:`InputError` if the file cannot be read or decoded at all, or if it (every worksheet of a
    workbook) has no heading row. A worksheet without a heading row (``填报说明``) is not read, with a warning that
    counts its rows.
    """
    if type(source) is not SourceFile:  # a database table (sources/database.py), read into the same RawRows
        from site_builder.sources.database import TableSource, read_table

        assert isinstance(source, TableSource)
        yield from read_table(source, item, report or FileReport(source))
        return
    try:
        yield from _read_rows(report or FileReport(source), item, fields)
    except OSError as exc:
        raise InputError(f"Records file '{source.path}' cannot be read: {exc.strerror or exc}") from exc


def _read_rows(report: FileReport, item: CatalogItem, fields: Container[str] | None = None) -> Iterator[RawRow]:
    from site_builder.sources.csvfile import csv_rows

    workbook = report.path.suffix.lower() == ".xlsx"
    parts: Sequence[tuple[str, Iterable[SheetRow | list[str]]]] = (
        _xlsx_sheets(report, item) if workbook else [("", csv_rows(report, item))])
    unread: list[tuple[str, _NoHeading | None]] = []
    """Worksheets not read: their titles, and why (no heading row; ``None``: empty)."""
    found: list[tuple[int, str, SheetRow, Iterator[SheetRow]]] = []
    """Worksheets read: their place in the workbook, titles, heading rows and the rows under them. Every heading is
    found before any row is read, so that a worksheet that cannot be read refuses the file before its rows count, and
    the first worksheet's rows are labelled with its title when another one is read too."""
    for number, (sheet, raw_rows) in enumerate(parts):
        rows = _numbered(raw_rows)
        where = f"工作表“{sheet}”" if len(parts) > 1 else ""  # a workbook of several worksheets: warnings name each
        try:
            header = _find_header(rows, item, report, where)
        except _NoHeading as exc:
            if not workbook:
                raise
            _skipped_sheet(report, item, sheet, exc, rows)
            unread.append((sheet, exc))
            continue
        if header is None:
            if not workbook:
                raise InputError(f"Records file '{report.path}' is empty: no heading row and no data")
            report.warnings.append(f"工作表“{sheet}”为空")
            unread.append((sheet, None))
            continue
        found.append((number, sheet, header, rows))
    if workbook and not found:  # no worksheet read
        headless = [(sheet, exc) for sheet, exc in unread if exc is not None]
        if not headless:
            raise InputError(f"Records file '{report.path}' is empty: no heading row and no data")
        raise InputError(f"Records file '{report.path}': no worksheet ({'、'.join(s for s, _ in unread)}) has a heading row "
                         f"naming at least two columns of '{item.id}' in its first {HEADER_SEARCH} rows; add the heading "
                         f"row (Chinese titles or English names, see the README){unrecognised(item, headless[0][1].early)}")
    several = len(found) > 1
    for number, sheet, header, rows in found:
        header, rows = _two_levels(report, item, header, rows, sheet)
        label = f"{report.name}!{sheet}" if several or number else report.name
        where = f"工作表“{sheet}”" if len(parts) > 1 else ""
        yield from _sheet_rows(report, item, fields, label, header, rows, sheet if workbook else None, where)


def _skipped_sheet(report: FileReport, item: CatalogItem, sheet: str, exc: _NoHeading, rows: Iterator[SheetRow]) -> None:
    """Account for a worksheet without a heading row in its first :data:`HEADER_SEARCH` rows: a warning counting its
    rows, and its title among the file's unread worksheets (:attr:`FileReport.unread_sheets`) if it holds any. The
    build refuses the file if the live site's build read rows from a worksheet of that title: its records would leave
    the site as if withdrawn (a title and a 填报说明 block added above the heading). Any other such worksheet (填报说明,
    a 汇总, a drop-down list, an archive never read) is skipped, as it always was."""
    filled = sum(1 for r in exc.early if any(c.strip() for c in r)) + sum(1 for r in rows if any(c.strip() for c in r.cells))
    report.warnings.append(f"工作表“{sheet}”的前{HEADER_SEARCH}行中没有可识别的表头（没有一行含两个以上的目录列名），"
                           f"未读取（该表有{filled}个非空行）")
    if filled:
        report.unread_sheets.append(sheet)


def _sheet_rows(report: FileReport, item: CatalogItem, fields: Container[str] | None, label: str, header: SheetRow,
                rows: Iterator[SheetRow], sheet: str | None = None, where: str = "") -> Iterator[RawRow]:
    """The data rows under ``header`` (of a CSV file, or of the worksheet ``sheet``, ``label``); ``where``: how
    warnings name the worksheet (``工作表“2026年”``; ``""``: the file's only worksheet, or a CSV file)."""
    from site_builder.sources.csvfile import mixed_encoding

    layout = Layout(report.warnings, item, header.cells, fields, where, whole="表" if where else "文件")
    report.columns = report.columns or layout.columns
    tally = None
    if sheet is not None:  # each worksheet's fields, compared with the same worksheet's in the next build
        tally = report.sheets[sheet] = SheetReport(tuple(sorted(set(layout.columns.values()))))
    keys = layout.names
    """The field names every row of ``label`` carries, in order (``parsed.py`` keeps them once per label)."""
    heading = Heading(item, header.cells, layout.columns)
    others = HeadingRows(item, header.cells)
    sheet_cells = report.encoding == "xlsx"  # worksheet cells have fixed places: no row is short
    id_name = item.role("record_id") or "record_id"
    for line in rows:
        cells, defects = line.cells, line.defects
        if not defects and not any(map(str.strip, cells)):
            continue
        if not defects and heading.repeated(cells):  # a warning, not a row
            report.warnings.append(f"{where}第{line.number}行与表头相同（可能是几份导出拼接而成），已作为表头跳过，不计入数据行")
            continue
        if not defects and others.reads_as_heading(cells):  # another export joined below: its own columns
            report.warnings.append(f"{where}第{line.number}行是另一个表头（列的顺序或列名与上方的表头不同，可能是几份导出拼接而成）："
                                   f"其后的行按这一表头读取，该行不计入数据行")
            report.warnings += layout.code_warnings()
            layout = Layout(report.warnings, item, cells, fields, f"{where}第{line.number}行的表头", whole="表" if where else "文件")
            heading = Heading(item, cells, layout.columns)
            grown = keys + tuple(n for n in layout.names if n not in keys)
            if grown != keys:  # other fields: a label of their own (same text, another object), see parsed.py
                keys, label = grown, label.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
            continue
        values = layout.values(cells, keys)
        if not defects and _is_total(values.get(id_name, ""), cells):  # a warning, not a row
            report.warnings.append(f"{where}第{line.number}行是合计行（没有记录编号，写有“合计”“总计”等），已跳过，不计入数据行")
            continue
        report.rows += 1
        if tally is not None:
            tally.rows += 1
        width = layout.width
        extra = sum(1 for c in cells[width:] if c.strip()) if len(cells) > width else 0
        if not defects and len(cells) < layout.extent and not sheet_cells:
            defects = (("", "short-row", f"本行只有{len(cells)}个单元格，表头有{layout.extent}列：行可能被截断，或分隔符、引号有误"),)
        if not defects and report.utf8_cells:  # a GB18030 file with UTF-8 bytes somewhere: which cells?
            defects = mixed_encoding(line.number, cells, layout.cells)
        if layout.duplicates and not defects:
            defects = settle_duplicates(item, values, layout.pairs(cells))
        if layout.unnamed:
            for i in [i for i in layout.unnamed if i < len(cells) and cells[i].strip()]:
                layout.unnamed.remove(i)
                report.warnings.append(f"{where}第{i + 1}列没有列名，但有数据（如第{line.number}行），该列未读取：请补上列名")
        if layout.coded:
            layout.note_codes(line.number, cells)
        if layout.watched:
            defects += state_defects(item, layout.watched, {i: cells[i] for i, _, _ in layout.watched if i < len(cells)},
                                     dated=ends_given(item, values), beside=layout.beside, values=values)
        yield RawRow(item.id, label, line.number, values, extra, defects + layout.refused if layout.refused else defects)
    report.warnings += layout.code_warnings()


_TOTALS = frozenset({"合计", "总计", "小计", "共计", "合计：", "总计：", "合計", "總計", "小計", "共計"})
_TOTAL_STARTS = frozenset(total[0] for total in _TOTALS)


def _is_total(record_id: str, cells: list[str]) -> bool:
    """Whether a row is a table's total line: 合计, 总计, 小计 or 共计 (spaces aside) as its record id, or in a cell of a
    row without one. Not a record: its cells would be quarantined one by one as missing, and counted as an input row."""
    written = record_id.strip()
    if written:  # the common case: a record id, which is no total
        return written[0] in _TOTAL_STARTS and "".join(written.split()) in _TOTALS
    return any("".join(cell.split()) in _TOTALS for cell in cells if cell)


def _two_levels(report: FileReport, item: CatalogItem, header: SheetRow, rows: Iterator[SheetRow],
                sheet: str = "") -> tuple[SheetRow, Iterator[SheetRow]]:
    """``header`` joined with the row under it if that row is the second level of a two-level heading
    (:func:`~site_builder.sources.headings.second_heading`), with a warning; else ``header`` and ``rows`` as they were."""
    below = next(rows, None)
    if below is None:
        return header, rows
    joined = None if below.defects else second_heading(item, header.cells, below.cells)
    if joined is None:
        return header, itertools.chain([below], rows)
    where = f"工作表“{sheet}”" if sheet else ""
    report.warnings.append(f"{where}第{header.number}行和第{below.number}行是两层表头（第一行的分组名下是第二行的列名），"
                           f"已合并读取，第{below.number}行不计入数据行：请核对各列的对应")
    return SheetRow(header.number, joined, header.defects), rows


def _numbered(rows: Iterable[SheetRow | list[str]]) -> Iterator[SheetRow]:
    """Rows as :class:`SheetRow`, numbering plain lists of cells from 1 (a worksheet's rows)."""
    for number, row in enumerate(rows, start=1):
        yield row if isinstance(row, SheetRow) else SheetRow(number, row)


class _NoHeading(InputError):
    """No heading row in the first rows of a file or worksheet; ``early``: those rows' cells."""

    def __init__(self, message: str, early: list[list[str]]) -> None:
        super().__init__(message)
        self.early = early


def _find_header(rows: Iterator[SheetRow], item: CatalogItem, report: FileReport, where: str = "") -> SheetRow | None:
    """The heading row (``None`` for an empty file); ``rows`` then continues with the data rows.

    The heading is the first of the first rows that names two or more fields; rows above it (a
    title such as ``行政处罚信息公示表``) are skipped with a warning. If no row qualifies the file
    cannot be read (a data row must never be taken for a heading): :class:`_NoHeading`. ``where``: the worksheet,
    as the warning names it.
    """
    index = item.header_index()
    seen = 0
    early: list[list[str]] = []
    for row in rows:
        seen += 1
        early.append(row.cells)
        if sum(1 for cell in row.cells if normalise_title(cell) in index) >= HEADING_CELLS and not row.defects:
            if row.number > 1:
                report.warnings.append(f"{where}表头在第{row.number}行，前{row.number - 1}行已跳过")
            return row
        if seen == HEADER_SEARCH:
            break
    if not seen:
        return None
    raise _NoHeading(
        f"Records file '{report.path}': no heading row naming at least two columns of '{item.id}' in its first "
        f"{HEADER_SEARCH} rows; add the heading row (Chinese titles or English names, see the README)"
        f"{unrecognised(item, early)}", early)


def map_headings(report: FileReport, item: CatalogItem, headings: list[str], ignore: tuple[str, ...] = (),
                 duplicates: dict[int, int] | None = None) -> dict[int, str]:
    """Column position -> field name, for a file's heading row or a table's columns alike, warnings going into
    ``report`` (:func:`site_builder.sources.headings.map_headings`)."""
    return heading_map(report.warnings, item, headings, ignore, duplicates)


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

    return [(sheet.title, rows(sheet)) for sheet in read_workbook(data, item, MAX_CELL, str(report.path), report.warnings)]
