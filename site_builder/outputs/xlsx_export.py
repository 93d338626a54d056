"""Excel workbooks of the download folder: the same rows as an item's CSV, ready to open in Excel or WPS.

openpyxl in write-only mode (rows are streamed to a temporary file, so memory stays flat). The first sheet
holds the records under their Chinese column titles, with a frozen header row and a filter; every text
column (统一社会信用代码, 注册号, 文号 …) is made of text cells (format ``@``, the value a string), so
Excel neither drops the leading zeros of an all-digit code nor shows it in scientific notation; dates are
dates and amounts numbers. Text cells go through :func:`~site_builder.outputs.tables.safe_cell` as in the
CSV. The second sheet, 字段说明, describes each column. A sheet holds at most 1,048,575 records; more go on
to a second sheet of the same name with ``(2)``.

Deterministic: the workbook's creation and modification dates are the as-of date, and every zip member
carries that date too (:class:`~site_builder.outputs.downloads.FixedZip`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from site_builder.outputs.downloads import FixedZip, zip_time
from site_builder.outputs.tables import XML_UNSAFE, record_cells, safe_cell, table_schema
from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.redaction import PublicRecord

SHEET_ROWS = 1_048_576
"""Rows of an Excel sheet (the header row included)."""
CELL_CHARACTERS = 32_767
"""The most characters Excel shows in a cell; a longer text is cut there (the CSV keeps it whole)."""
TYPE_TITLES = {"string": "文本", "date": "日期", "number": "数值", "integer": "整数"}
COLUMNS_SHEET = "字段说明"
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


class ItemWorkbook:
    """One Excel workbook of an item's records: add them in order with :meth:`add`, then :meth:`save`."""

    def __init__(self, item: CatalogItem, centre: str, licence: str, as_of: date, name: str) -> None:
        self.item, self.centre, self.licence, self.as_of, self.name = item, centre, licence, as_of, name
        self.fields: list[dict[str, Any]] = table_schema(item)["fields"]
        self.book = Workbook(write_only=True)
        stamp = datetime(as_of.year, as_of.month, as_of.day)
        self.book.properties.created = self.book.properties.modified = stamp
        self.book.properties.creator = centre
        self.book.properties.title = f"{item.title}（数据截至 {as_of.isoformat()}）"
        self.sheet_title = _SHEET_NAME.sub("_", item.title)[:27] or "data"
        self.sheets: list[tuple[Any, int]] = []
        """Each data sheet with the rows it holds (its header included)."""
        self.rows = 0
        sheet = self._new_sheet()
        self.text = _style(sheet, "@")
        self.styles = [_style(sheet, {"string": "@", "date": "yyyy-mm-dd", "integer": "0"}.get(spec["type"], "General"))
                       for spec in self.fields]

    def _new_sheet(self) -> Any:
        """A new data sheet with its header row (bold, frozen, a filter) and column widths."""
        title = self.sheet_title if not self.sheets else f"{self.sheet_title} ({len(self.sheets) + 1})"
        sheet: Any = self.book.create_sheet(title)  # a WriteOnlyWorksheet; its stubs lack what it copies from Worksheet
        for index, spec in enumerate(self.fields, 1):
            column = sheet.column_dimensions[get_column_letter(index)]
            column.width = _width(spec)
            if spec["type"] == "string":  # a value typed into an empty cell of a code column stays text too
                column.number_format = "@"
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for spec in self.fields:
            cell = Cell(sheet, 1, 1, spec["title"])
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        self.sheets.append((sheet, 1))
        return sheet

    def add(self, record: PublicRecord) -> None:
        """Append a record's row."""
        sheet, rows = self.sheets[-1]
        if rows == SHEET_ROWS:
            sheet, rows = self._new_sheet(), 1
        sheet.append([self._cell(sheet, spec, style, text) for spec, style, text
                      in zip(self.fields, self.styles, record_cells(self.item, record), strict=True)])
        self.sheets[-1] = (sheet, rows + 1)
        self.rows += 1

    def _cell(self, sheet: WriteOnlyWorksheet, spec: dict[str, Any], style: StyleArray, text: str) -> Cell | None:
        """A typed cell: a date, a number, else text (escaped, a string in a text cell); ``None`` when empty."""
        if not text:
            return None
        kind = spec["type"]
        value = _date(text) if kind == "date" else _number(text, kind) if kind in ("number", "integer") else None
        if value is not None:
            return Cell(sheet, 1, 1, value, style)
        # text, or a value that is not what its column says (kept as text, as in the CSV)
        return Cell(sheet, 1, 1, safe_cell(XML_UNSAFE.sub("", text))[:CELL_CHARACTERS], self.text)

    def save(self, fh: IO[bytes]) -> None:
        """Write the workbook (the records' sheets and the 字段说明 sheet) to ``fh``."""
        last = get_column_letter(len(self.fields))
        for sheet, rows in self.sheets:
            sheet.auto_filter.ref = f"A1:{last}{rows}"
        self._describe()
        with FixedZip(fh, zip_time(self.as_of)) as archive:
            ExcelWriter(self.book, archive).save()

    def _describe(self) -> None:
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
        for label, value in (("数据集", self.item.title), ("数据截至", self.as_of.isoformat()), ("发布机构", self.centre),
                             ("许可协议", self.licence), ("同一数据的 CSV", self.name),
                             ("提示", "以 = + - @ 等开头、可能被电子表格当作公式的文本，前面加了一个英文单引号 '（与 CSV 相同）。")):
            sheet.append([label, value])


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


def _number(text: str, kind: str) -> Decimal | int | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if kind == "integer" and number == number.to_integral_value() else number
