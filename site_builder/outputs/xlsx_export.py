"""Excel workbooks of the download folder: the same rows as an item's CSV, ready to open in Excel or WPS.

openpyxl in write-only mode (rows are streamed to a temporary file, so memory stays flat). The first sheet
holds the records under their Chinese column titles, with a frozen header row and a filter; every text
column (统一社会信用代码, 注册号, 文号 …) is made of text cells (format ``@``, the value a string), so
Excel neither drops the leading zeros of an all-digit code nor shows it in scientific notation; dates are
dates and amounts numbers. Text cells go through :func:`~site_builder.outputs.tables.safe_cell` as in the
CSV, and stay text whatever they hold (``#N/A`` too). The second sheet, 字段说明, describes each column. A
sheet holds at most 1,048,575 records; more go on to a second sheet of the same name with ``(2)``.

Fast enough for a province (the workbooks are the costliest part of the download folder): each column of a
data sheet has one cell object per kind (typed value, text), styled once and given each row's value in turn
(:class:`_Columns`); the data sheet (:class:`_DataSheet`) takes those cells as they are, where openpyxl's
write-only sheet would try each as a value first and fail; and each such cell knows its style's number in the
workbook once (:class:`_ColumnCell`), where openpyxl's writer would hash the style again for every cell written.
openpyxl still writes every cell (and the sheet's XML, styles and parts) itself; this saves making and checking
about fifteen objects a row, and a sixth of the time openpyxl takes for the rows (see :class:`_ColumnCell`).

Deterministic, and the same from day to day while its records are: the workbook shows no as-of date but the date
of its data (``data_dates.py``: the latest day one of its records appeared or changed, or, for an item's whole
workbook, one of the item's records was withdrawn), as its creation and modification dates, in its title
(数据更新于 …) and on the 字段说明 sheet; every zip member carries that date too
(:class:`~site_builder.outputs.downloads.FixedZip`).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from site_builder import progress
from site_builder.outputs.downloads import (
    Book,
    DataFile,
    FixedZip,
    RowsDigest,
    hashed,
    rows_digest,
    table_path,
    taken,
    workbook,
    zip_time,
)
from site_builder.outputs.files import FileIndex
from site_builder.outputs.site import Site
from site_builder.outputs.tables import XML_UNSAFE, Table, safe_cell
from site_builder.rules.catalogue import FieldSpec

SHEET_ROWS = 1_048_576
"""Rows of an Excel sheet (the header row included)."""
CELL_CHARACTERS = 32_767
"""The most characters Excel holds in a cell, counted in UTF-16 units (a character outside the Basic Multilingual
Plane, 𠀀 or an emoji, is two); a longer text is cut there (the CSV keeps it whole)."""
EXCEL_DIGITS = 15
"""Significant digits Excel keeps of a number: an amount with more is written as text, digit for digit."""
TYPE_TITLES = {"string": "文本", "date": "日期", "number": "数值", "integer": "整数"}
COLUMNS_SHEET = "字段说明"
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


class ItemWorkbook:
    """One Excel workbook of an item's records: add their rows in order with :meth:`add`, then :meth:`save`."""

    def __init__(self, table: Table, centre: str, licence: str, name: str) -> None:
        self.item, self.centre, self.licence, self.name = table.item, centre, licence, name
        self.fields: list[dict[str, Any]] = table.fields
        self.book = Workbook(write_only=True)
        self.book.properties.creator = centre
        self.sheet_title = _SHEET_NAME.sub("_", self.item.title)[:27] or "data"
        self.sheets: list[tuple[_DataSheet, int]] = []
        """Each data sheet with the rows it holds (its header included)."""
        self.rows = 0
        self.columns = _Columns(self._new_sheet(), self.fields)

    def _new_sheet(self) -> _DataSheet:
        """A new data sheet with its header row (bold, frozen, a filter) and column widths."""
        title = self.sheet_title if not self.sheets else f"{self.sheet_title} ({len(self.sheets) + 1})"
        sheet = _DataSheet(self.book, title)
        self.book._add_sheet(sheet)  # type: ignore[attr-defined]  # what create_sheet does, with the data sheet's class
        shown: Any = sheet  # the stubs lack what a write-only sheet copies from Worksheet
        for index, spec in enumerate(self.fields, 1):
            column = shown.column_dimensions[get_column_letter(index)]
            column.width = _width(spec)
            if spec["type"] == "string":  # a value typed into an empty cell of a code column stays text too
                column.number_format = "@"
        shown.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for index, spec in enumerate(self.fields, 1):
            cell = Cell(sheet, 1, index, spec["title"])
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        self.sheets.append((sheet, 1))
        return sheet

    def add(self, cells: Sequence[str]) -> None:
        """Append a record's row, its cells as :meth:`Table.cells` gives them (unescaped)."""
        sheet, rows = self.sheets[-1]
        if rows == SHEET_ROWS:
            sheet, rows = self._new_sheet(), 1
            self.columns = _Columns(sheet, self.fields)
        sheet.append(self.columns.row(cells))
        self.sheets[-1] = (sheet, rows + 1)
        self.rows += 1

    def save(self, fh: IO[bytes], updated: date, whole: bool = True) -> None:
        """Write the workbook (the records' sheets and the 字段说明 sheet) to ``fh``, dated ``updated``: the date of its
        data (the item's if ``whole``, else the latest day one of the records of its year appeared or changed)."""
        last = get_column_letter(len(self.fields))
        for sheet, rows in self.sheets:
            shown: Any = sheet
            shown.auto_filter.ref = f"A1:{last}{rows}"
        properties = self.book.properties
        properties.created = properties.modified = datetime(updated.year, updated.month, updated.day)
        properties.title = f"{self.item.title}（数据更新于 {updated.isoformat()}）"
        self._describe(updated, whole)
        with FixedZip(fh, zip_time(updated)) as archive:
            ExcelWriter(self.book, archive).save()

    def _describe(self, updated: date, whole: bool) -> None:
        """The 字段说明 sheet: each column's letter, Chinese title, CSV name, type and notes, then the data set."""
        sheet: Any = self.book.create_sheet(COLUMNS_SHEET)
        for letter, width in zip("ABCDEF", (8, 28, 24, 8, 6, 60), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        sheet.append(["列", "列名", "CSV 字段名", "类型", "必填", "说明"])
        names = {f.name: f for f in self.item.public_fields}
        for index, spec in enumerate(self.fields, 1):
            required = "是" if spec.get("constraints", {}).get("required") else ""
            sheet.append([get_column_letter(index), spec["title"], spec["name"], TYPE_TITLES.get(spec["type"], spec["type"]),
                          required, describe(spec, names.get(spec["name"]))])
        sheet.append([])
        which = "本数据集的记录最近一次新增、变更或撤下" if whole else "本文件所含记录最近一次新增或变更"
        for label, value in (("数据集", self.item.title), ("数据更新日期", updated.isoformat()),
                             ("日期说明", f"{which}的日期；网站的数据截至日期见数据下载页。"), ("发布机构", self.centre),
                             ("许可协议", self.licence), ("同一数据的 CSV", self.name),
                             ("提示", "以 = + - @ 等开头、可能被电子表格当作公式的文本，前面加了一个英文单引号 '（与 CSV 相同）。")):
            sheet.append([label, value])


class _DataSheet(WriteOnlyWorksheet):
    """A write-only data sheet whose rows are lists of ready cells (:class:`_Columns`), or ``None`` for an empty one,
    its XML written in UTF-8 (:class:`_Utf8Writer`).

    Each cell is written before the next is asked for, so one cell object per column serves every row.
    """

    def _values_to_row(self, values: Sequence[Cell | None], row_idx: int) -> Iterator[Cell]:
        for cell in values:
            if cell is not None:
                cell.row = row_idx
                yield cell

    def _get_writer(self) -> None:
        if self._writer is None:  # type: ignore[has-type]  # openpyxl's stubs leave it untyped
            writer = _Utf8Writer(self)
            writer.write_top()
            self._writer = writer


class _Utf8Writer(WorksheetWriter):
    """openpyxl's sheet writer, writing the sheet's XML in UTF-8, as Excel does. Left to its default (ASCII), lxml
    writes each Chinese character as a character reference (``&#27861;``, 8 bytes for 3): the sheet of 75,000
    subjects took 70.9 MB instead of 49.7 MB, to compress and, for the leak scan, to decode again."""

    def get_stream(self) -> Generator[Any, bool | None, None]:
        with xmlfile(self.out, encoding="utf-8") as xf:
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:  # what openpyxl's own get_stream does: write each element it is sent
                        element = yield
                        if element is True:
                            yield xf
                        elif element is not None:
                            xf.write(element)
                except GeneratorExit:
                    pass


class _Columns:
    """The cells of a data sheet's columns: per column a typed cell (a date, a number) and a text cell (format
    ``@``), each styled once, given each row's value in turn."""

    def __init__(self, sheet: _DataSheet, fields: list[dict[str, Any]]) -> None:
        text = _style(sheet, "@")
        self.kinds = [spec["type"] for spec in fields]
        self.typed = [_ColumnCell(sheet, index, _style(sheet, _FORMATS.get(kind, "General")))
                      for index, kind in enumerate(self.kinds, 1)]
        self.texts = [_ColumnCell(sheet, index, text) for index in range(1, len(fields) + 1)]

    def row(self, cells: Sequence[str]) -> list[Cell | None]:
        """A record's cells: a date, a number, else text (escaped; a string in a text cell); ``None`` when empty.

        A value that is not what its column says (``not a number`` in an amount) is kept as text, as in the CSV.
        """
        row: list[Cell | None] = []
        for index, (kind, text) in enumerate(zip(self.kinds, cells, strict=True)):
            if not text:
                row.append(None)
                continue
            value = _date(text) if kind == "date" else _number(text, kind) if kind in ("number", "integer") else None
            if value is not None:
                cell = self.typed[index]
                _set(cell, value, "d" if kind == "date" else "n")
            else:
                cell = self.texts[index]
                _set(cell, _cut(safe_cell(XML_UNSAFE.sub("", text))), "s")
            row.append(cell)
        return row


class _ColumnCell(Cell):
    """A cell of one column of a data sheet, given each row's value in turn (:class:`_Columns`), whose style never
    changes: its style's number in the workbook, whether it has one and its column's letter are found once, not for
    every cell written (openpyxl's writer asks for all three per cell, and finds the number by hashing the style).
    The workbook is byte for byte the same; the penalties' sheet of the large set (53,650 rows of 33 columns, in one
    process) took 6.9 s instead of 8.3 s to write."""

    __slots__ = ("_style_id", "_styled", "_letter")

    def __init__(self, sheet: _DataSheet, column: int, style: StyleArray) -> None:
        super().__init__(sheet, 1, column, None, style)
        self._style_id: int = Cell.style_id.fget(self)  # type: ignore[attr-defined]  # registers the style
        self._styled: bool = Cell.has_style.fget(self)  # type: ignore[attr-defined]
        self._letter = get_column_letter(column)

    @property
    def style_id(self) -> int:
        return self._style_id

    @property
    def has_style(self) -> bool:
        return self._styled

    @property
    def coordinate(self) -> str:
        return f"{self._letter}{self.row}"


_FORMATS = {"string": "@", "date": "yyyy-mm-dd", "integer": "0"}
"""Number formats of the typed cells by column type (numbers: General)."""


def _set(cell: Cell, value: date | Decimal | int | str, data_type: str) -> None:
    """Give ``cell`` a value of a known type: what ``cell.value = value`` does, less the guessing (a text is a
    string cell whatever it holds; characters XML cannot hold are already gone)."""
    cell._value = value  # type: ignore[attr-defined]  # the stubs leave the stored value out
    cell.data_type = data_type


def _style(sheet: WriteOnlyWorksheet, number_format: str) -> StyleArray:
    """The style (a number format, registered in the workbook) that every cell of a column copies."""
    cell = Cell(sheet, 1, 1)
    cell.number_format = number_format
    style: StyleArray = cell._style  # type: ignore[attr-defined]  # the stubs leave the style array out
    return style


def describe(spec: dict[str, Any], field: FieldSpec | None) -> str:
    """What a column holds, for people: its description, accepted values, how codes and dates are kept."""
    notes = [spec["description"]] if spec.get("description") else []
    constraints = spec.get("constraints", {})
    if constraints.get("enum"):
        notes.append("取值：" + "、".join(constraints["enum"]))
    if constraints.get("pattern"):
        notes.append("18 位统一社会信用代码（GB 32100—2015）")
    if field is not None and (field.format in ("uscc", "code") or field.role == "document_no"):
        notes.append("文本格式，保留全部数字和前导零")
    if spec["type"] == "date":
        notes.append("日期")
    return "；".join(notes)


def _width(spec: dict[str, Any]) -> float:
    """A column's width in characters: its title's (a Chinese character counts two), at least a date's or a code's."""
    title = sum(2 if ord(c) > 0x2E7F else 1 for c in spec["title"]) + 2
    least = 12 if spec["type"] == "date" else 22 if "pattern" in spec.get("constraints", {}) else 10
    return float(min(40, max(least, title)))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


CUT_MARK = "……（全文超过Excel单元格的32767字符上限，见同名CSV文件）"
"""What ends a text cut to fit a cell (:func:`_cut`): a reader of the workbook alone sees that the text goes on."""


def _cut(text: str) -> str:
    """``text`` cut to :data:`CELL_CHARACTERS` UTF-16 units with :data:`CUT_MARK`, never inside a character."""
    if len(text) <= CELL_CHARACTERS // 2:
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_CHARACTERS:
        return text
    return units[:2 * (CELL_CHARACTERS - len(CUT_MARK))].decode("utf-16-le", "ignore") + CUT_MARK


def _number(text: str, kind: str) -> Decimal | int | None:
    """A number cell's value; ``None`` (a text cell) for what is no number, or has more digits than Excel keeps."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or len(number.normalize().as_tuple().digits) > EXCEL_DIGITS:
        return None
    return int(number) if kind == "integer" and number == number.to_integral_value() else number


# --- An item's workbooks ------------------------------------------------------------------------------


def take_books(files: FileIndex, books: list[Book]) -> tuple[DataFile, ...] | None:
    """Every workbook of the item taken over from the previous build, or ``None`` (and none) if one cannot be."""
    got: list[DataFile] = []
    for path, mark, rows, part in books:
        kept = taken(files, path, mark, rows, part)
        if kept is None:
            files.forget([book.path for book in got])
            return None
        got.append(kept)
    return tuple(got)


def write_workbooks(site: Site, files: FileIndex, table: Table, split: bool, updated: date) -> tuple[DataFile, ...]:
    """One Excel workbook per CSV of the item (one per year if ``split``), each taken over from the previous build
    if its rows and the date it shows are unchanged, else written from the records.

    ``updated`` is the date of the item's data (``data_dates.py``), which its whole workbook shows; a year's
    workbook shows the latest day one of its records appeared or changed. By year, the records are read twice when
    some year can be taken over: once for each year's rows, once to write the years that changed.
    """
    item = table.item
    part_of = table.year if split else (lambda _record: "")
    books: dict[str, DataFile] = {}
    wanted: dict[str, str] | None = None
    """The years to write with their fingerprints (``None``: every year, fingerprinted as written)."""
    if not split:
        rows = rows_digest(version for _record_id, version in site.store.record_versions(item.id))
        path, mark, _n, _part = workbook(files.key, table_path(item, "", ".csv"), rows, "", updated)
        kept = taken(files, path, mark, rows.rows)
        if kept is not None:
            return (kept,)
        wanted = {"": mark}
    elif files.previous is not None:
        digests: dict[str, RowsDigest] = {}
        for record, (_record_id, version) in zip(site.store.by_item(item.id), site.store.record_versions(item.id), strict=True):
            digests.setdefault(table.year(record), RowsDigest()).add(version, record.last_changed)
        wanted = {}
        for year, rows in digests.items():
            path, mark, _n, _part = workbook(files.key, table_path(item, year, ".csv"), rows, year, rows.shown(updated))
            kept = taken(files, path, mark, rows.rows, year)
            if kept is not None:
                books[year] = kept
            else:
                wanted[year] = mark
        if not wanted:
            return tuple(books[year] for year in sorted(books))
    settings = site.config.site

    def new(part: str) -> tuple[ItemWorkbook, RowsDigest]:
        name = table_path(item, part, ".csv").removeprefix("data/")
        return ItemWorkbook(table, settings.centre, settings.licence, name), RowsDigest()

    made: dict[str, tuple[ItemWorkbook, RowsDigest]] = {}
    for record, (_record_id, version) in zip(site.store.by_item(item.id), site.store.record_versions(item.id), strict=True):
        part = part_of(record)
        if wanted is not None and part not in wanted:
            continue
        book, rows = made.get(part) or made.setdefault(part, new(part))
        book.add(table.cells(record))
        rows.add(version, record.last_changed)
        progress.advance()
    if not made and not books:
        made[""] = new("")
    for part, (book, rows) in made.items():
        path = table_path(item, part, ".xlsx")
        shown = rows.shown(updated) if part else updated
        with files.open_new(path) as fh:
            book.save(fh, shown, whole=not part)
        mark = wanted[part] if wanted is not None else workbook(files.key, table_path(item, part, ".csv"), rows, part, shown)[1]
        books[part] = hashed(files, path, book.rows, part, mark)
    return tuple(books[part] for part in sorted(books))
