"""Reading ``.xlsx`` workbooks: every worksheet as rows of cell text, with per-cell defects.

A workbook is data typed by people and produced by tools, so the reader trusts none of its
metadata and keeps every cost proportional to what is really in the file:

- the declared dimension (``<dimension ref="A1:XFD1048576"/>``) is ignored: openpyxl's read-only
  mode would otherwise pad every row to 16,384 cells and the sheet to 1,048,576 rows;
- trailing empty cells are dropped from each row, and a run of :data:`EMPTY_RUN` empty rows ends
  the worksheet (with a warning naming the row where reading stopped);
- a cell longer than ``max_cell`` characters is not read: the row gets a ``cell-too-long`` defect;
- a formula cell is read from its cached result; one without a cached result (a workbook written
  by a script and never opened in Excel) gets a ``formula-without-value`` defect. Formulas are seen
  in a first pass (``data_only=False``); cached results come from a second, lazy pass over the same
  sheet that starts only when the first formula is met, so a workbook without formulas is read once;
- an error value (``#N/A``, ``#REF!`` …) gets a ``cell-error`` defect;
- a number in a column of codes or ID numbers (统一社会信用代码, 证件号码, 工商注册号 …), or any
  number of 16 or more digits, gets a ``stored-as-number`` defect: Excel keeps 15 significant
  digits, so an 18-digit ID typed as a number is already wrong (``3.30106199003071E+17``), and a
  checksum message would send the clerk looking for a typo that is not there.

A defect is ``(column heading or "", error slug, Chinese message naming the cell)``: the loader
puts it on the row, and the validator quarantines a row that has any.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils import get_column_letter

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import CatalogItem, FieldSpec, normalise_title

EMPTY_RUN = 10_000
"""Consecutive empty rows after which a worksheet is taken to have ended."""
EXCEL_DIGITS = 15
"""Significant digits Excel keeps in a number: a longer number stored as a number has lost digits."""
CODE_FIELDS = frozenset({
    "uscc", "business_reg_no", "org_code", "tax_reg_no", "institution_cert_no", "social_org_reg_no",
    "legal_rep_id_no", "id_no", "license_no",
})
"""Fields that hold codes, whatever their format: a number there is a code stored as a number."""
HEADING_CELLS = 2
"""A row naming this many fields of the item is its heading row (the loader's rule too)."""
_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
_READ_ERRORS = (OSError, EOFError, KeyError, ValueError, TypeError, IndexError, ParseError, zipfile.BadZipFile)
"""What openpyxl raises for a damaged workbook part (read lazily, so also while rows are read)."""

Defect = tuple[str, str, str]


@dataclass(frozen=True)
class XlsxRow:
    """One worksheet row: its row number, cell text without trailing empty cells, and cell defects.

    A cell with a defect is read as ``""``: its text (a 100 MB blob, a formula) never goes further.
    """

    number: int
    cells: list[str]
    defects: tuple[Defect, ...] = ()


@dataclass
class XlsxSheet:
    """A worksheet: its title, its rows (an iterator, read once) and warnings found while reading them."""

    title: str
    rows: Iterator[XlsxRow]
    warnings: list[str] = field(default_factory=list)


def read_workbook(data: bytes, item: CatalogItem, max_cell: int, name: str = "workbook") -> list[XlsxSheet]:
    """Every worksheet of the workbook ``data`` as an :class:`XlsxSheet`, streamed.

    ``item`` tells which columns hold codes (by the heading row, found as the loader finds it);
    ``name`` is used in messages. Raises :class:`InputError` if the workbook cannot be read,
    including a damaged worksheet met while its rows are read.
    """
    def open_book(data_only: bool) -> Any:
        try:
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise InputError(f"Records file '{name}' is not a readable .xlsx workbook: {exc}") from exc

    book = open_book(False)
    cached_book: list[Any] = []

    def cached(title: str) -> Any:
        if not cached_book:
            cached_book.append(open_book(True))
        return cached_book[0][title]

    sheets = []
    for sheet in book.worksheets:
        result = XlsxSheet(sheet.title, iter(()))
        result.rows = _rows(sheet, _Cached(functools.partial(cached, sheet.title)), item, max_cell, name, result.warnings)
        sheets.append(result)
    return sheets


class _Cached:
    """Cached results of a worksheet's formula cells: a lazy second pass with ``data_only=True``."""

    def __init__(self, open_sheet: Callable[[], Any]) -> None:
        self._open_sheet = open_sheet
        self._rows: Iterator[tuple[object, ...]] | None = None
        self._number = 0
        self._row: tuple[object, ...] = ()

    def value(self, row: int, column: int) -> object:
        """The cached value of the cell at ``row``, ``column`` (1-based), ``None`` if there is none."""
        if self._rows is None:
            sheet = self._open_sheet()
            sheet.reset_dimensions()
            self._rows = sheet.iter_rows(values_only=True)
        while self._number < row:
            self._row = next(self._rows, ())
            self._number += 1
        return self._row[column - 1] if column <= len(self._row) else None


def _rows(sheet: Any, cached: _Cached, item: CatalogItem, max_cell: int, name: str,
          warnings: list[str]) -> Iterator[XlsxRow]:
    """The rows of one worksheet (see the module docstring for what is refused and why)."""
    index = item.header_index()
    heading: list[str] = []
    codes: set[int] = set()
    empty = 0
    sheet.reset_dimensions()  # the declared dimension is a claim, not a fact
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts: list[str] = []
            defects: list[Defect] = []
            for column, cell in enumerate(cells, start=1):
                title = heading[column - 1].strip() if column <= len(heading) else ""
                text, problem = _read_cell(cell, number, column, cached, max_cell, code=column in codes)
                texts.append(text)
                if problem:
                    defects.append((title, *problem))
            while texts and not texts[-1]:
                texts.pop()
            if not texts and not defects:
                empty += 1
                if empty >= EMPTY_RUN:
                    warnings.append(f"工作表“{sheet.title}”第{number - empty + 1}行起连续{EMPTY_RUN}行为空，"
                                    f"视为表格结束，其后的行未读取")
                    return
                yield XlsxRow(number, [])
                continue
            empty = 0
            if not heading and not defects:
                names = [index.get(normalise_title(t)) for t in texts]
                if sum(1 for n in names if n) >= HEADING_CELLS:
                    heading = texts
                    codes = {column for column, n in enumerate(names, start=1) if n and _is_code(item.field(n))}
            yield XlsxRow(number, texts, tuple(defects))
    except _READ_ERRORS as exc:
        raise InputError(f"Records file '{name}': worksheet '{sheet.title}' cannot be read: {exc}") from exc


def _is_code(spec: FieldSpec) -> bool:
    return spec.format == "uscc" or spec.mask == "id_number" or spec.name in CODE_FIELDS


def _read_cell(cell: Any, row: int, column: int, cached: _Cached, max_cell: int,
               code: bool) -> tuple[str, tuple[str, str] | None]:
    """A cell's text and its problem ``(slug, message)``, if any."""
    value = cell.value
    if value is None:
        return "", None
    where = f"单元格 {get_column_letter(column)}{row}"
    if cell.data_type == "f":
        formula = str(getattr(value, "text", None) or value)
        value = cached.value(row, column)
        if value is None or value == "":
            shown = formula if len(formula) <= 60 else formula[:60] + "…"
            return "", ("formula-without-value", f"{where}是公式（{shown}），文件中没有保存计算结果：请在 Excel 中打开后保存，"
                                                 "或把公式复制粘贴为数值后重新导出")
    if cell.data_type == "e" or (isinstance(value, str) and value in _ERRORS):
        return "", ("cell-error", f"{where}是错误值 {value}（公式计算失败），不是数据")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if code or abs(value) >= 10 ** EXCEL_DIGITS:
            kind = "代码或证件号码" if code else f"超过{EXCEL_DIGITS}位的数字"
            return "", ("stored-as-number", f"{where}的{kind}以数字格式存储（{value:.{EXCEL_DIGITS}G}）：Excel 数字只保留"
                                            f"{EXCEL_DIGITS}位有效数字，会丢失位数和前导零，这一值已不可靠；请把该列设为文本格式，"
                                            "重新录入后导出")
        return _number_text(value), None
    text = cell_text(value)
    if len(text) > max_cell:
        return "", ("cell-too-long", f"{where}有{len(text)}个字符，超过每个单元格{max_cell}个字符的上限，未读取")
    return text, None


def cell_text(value: object) -> str:
    """A spreadsheet value as text: dates as ISO dates, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    return str(value)


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
