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
- a formula whose result is empty text (``=IF(…,"",…)``, saved as ``<v></v>``) is an empty cell, but for a column
  that decides publication, where it gets a ``formula-without-value`` defect: openpyxl reads it as it reads a string
  formula saved without a result;
- an error value (``#N/A``, ``#REF!`` …) gets a ``cell-error`` defect, and so does a number in a date-formatted cell
  that is no date Excel can hold (openpyxl reads it as ``#VALUE!``; the message says which it may be);
- text is read with Excel's escapes decoded (``_x000D_`` is a carriage return: :func:`ooxml_unescaped`), and a
  number as Excel shows it, to 15 significant digits (``51.599999999999994`` is ``51.6``);
- a date in a column of codes or other numbers (记录编号, 文号, 许可编号 …: Excel turns ``3-5`` into 5 March) gets a
  ``stored-as-date`` defect;
- a date serial number (a date cell formatted General: ``45351``) in a date column of a workbook in the 1904 date
  system gets a ``date`` defect telling the date it stands for there (the validator tells it in the 1900 system,
  Excel's default, 1462 days earlier);
- a number in a column of codes or ID numbers (统一社会信用代码, 证件号码, 工商注册号 …), or any
  number of 16 or more digits, gets a ``stored-as-number`` defect: Excel keeps 15 significant
  digits, so an 18-digit ID typed as a number is already wrong (``3.30106199003071E+17``), and a
  checksum message would send the clerk looking for a typo that is not there;
- a merged range below the heading row (``处罚类别`` = 警告 over three rows) holds its value in its top-left cell
  only, the cells it covers being empty in the file: each covered cell of a row that has data of its own reads the
  top-left cell's value (and its defect, if it has one), as a reader of the sheet sees it, with one warning a
  worksheet naming the ranges. Merges in and above the heading row (a title line, a two-level heading) are left as
  they are. The ranges are listed after the rows in the sheet's XML: they are found by a first scan of it (by
  expat, and only when the bytes hold ``mergeCell``), before the rows are read.
- a hidden worksheet's rows and a worksheet's hidden rows are read like the others (the export is what the platform
  approved), with a warning naming the sheet and the rows (:func:`hidden_rows`), as a clerk checking the workbook
  in Excel does not see them;
- a file that is no workbook at all (encrypted with a password, an old ``.xls``, a CSV export renamed) is refused
  saying what it is (:func:`not_a_workbook`).

A defect is ``(column heading or "", error slug, Chinese message naming the cell)``: the loader
puts it on the row, and the validator quarantines a row that has any.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel
from openpyxl.worksheet.cell_range import CellRange

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import CatalogItem, FieldSpec, normalise_title
from site_builder.rules.validation import EXCEL_1904, is_numbered, is_serial, not_a_date
from site_builder.sources.headings import HEADING_CELLS, HeadingRows, second_heading
from site_builder.sources.mapping import deciding_fields

warnings.filterwarnings("ignore", message=r"Cell \S+ is marked as a date but the serial value", module="openpyxl")
"""openpyxl reads such a cell as the error #VALUE! and warns on stderr, naming no file: the defect says it instead."""

EMPTY_RUN = 10_000
"""Consecutive empty rows after which a worksheet is taken to have ended."""
EXCEL_DIGITS = 15
"""Significant digits Excel keeps in a number: a longer number stored as a number has lost digits."""
CODE_FIELDS = frozenset({
    "uscc", "business_reg_no", "org_code", "tax_reg_no", "institution_cert_no", "social_org_reg_no",
    "legal_rep_id_no", "id_no", "license_no",
})
"""Fields that hold codes, whatever their format: a number there is a code stored as a number."""
MERGES_SHOWN = 10
"""Merged ranges a warning names (the others are counted)."""
HIDDEN_SHOWN = 10
"""Hidden rows a warning names (the others are counted)."""
CJK_DATE_FORMATS = frozenset({27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})
"""Built-in number formats (ECMA-376 Part 1, 18.8.30) that are dates in a zh-CN workbook: Chinese Excel and WPS save
``yyyy"年"m"月"d"日"`` (31), ``yyyy"年"m"月"`` (27, 36, 50, 52, 57), ``m"月"d"日"`` (28, 29, 51, 53, 54, 58) and
``m-d-yy`` (30) by their id alone, with no format code, and openpyxl knows only the locale-independent ids (14-22,
45-47), so it reads such a cell as its serial number. The times among the locale-dependent ids (32-35: ``h"时"mm"分"``,
``上午/下午h"时"mm"分"`` and with seconds; 55, 56) are left out: a time of day is no date."""
_EXCEL_END = 2958466
"""The first serial number past 9999-12-31, the last date Excel can hold."""
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


def read_workbook(data: bytes, item: CatalogItem, max_cell: int, name: str = "workbook",
                  notes: list[str] | None = None) -> list[XlsxSheet]:
    """Every worksheet of the workbook ``data`` as an :class:`XlsxSheet`, streamed.

    ``item`` tells which columns hold codes (by the heading row, found as the loader finds it);
    ``name`` is used in messages; ``notes`` gets what openpyxl warns of while it opens the workbook (as warnings
    naming the file, not as lines on stderr naming none). Raises :class:`InputError` if the workbook cannot be read
    (cut off, damaged, a worksheet's part missing, saved as Strict Open XML), including a damaged worksheet met while
    its rows are read.
    """
    def open_book(data_only: bool) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
            except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
                if kind := not_a_workbook(data):
                    raise InputError(f"Records file '{name}' is {kind}") from exc
                raise InputError(f"Records file '{name}' is not a readable .xlsx workbook: {exc}") from exc
        if notes is not None and not data_only:
            for said in dict.fromkeys(str(w.message).strip() for w in caught):
                notes.append(f"读取工作簿时 openpyxl 提示：{said}（工作簿仍已读取：请核对，必要时在 Excel 或 WPS 中打开后另存再导出）")
        return book

    if problem := workbook_problem(data):
        raise InputError(f"Records file '{name}' {problem}")
    book = open_book(False)
    cached_book: list[Any] = []

    def cached(title: str) -> Any:
        if not cached_book:
            cached_book.append(open_book(True))
        return cached_book[0][title]

    sheets = []
    mac = getattr(book, "epoch", None) == CALENDAR_MAC_1904
    for sheet in book.worksheets:
        result = XlsxSheet(sheet.title, iter(()))
        part = getattr(sheet, "_worksheet_path", "")
        merged = functools.partial(merged_ranges, data, part, name, sheet.title)
        hidden = functools.partial(hidden_rows, data, part, name, sheet.title)
        damaged = functools.partial(damaged_cell, data, part)
        result.rows = _rows(sheet, _Cached(functools.partial(cached, sheet.title)), item, max_cell, name, result.warnings,
                            merged, mac, hidden, damaged)
        sheets.append(result)
    return sheets


def merged_ranges(data: bytes, part: str, name: str = "workbook", title: str = "") -> list[CellRange]:
    """The merged ranges of the worksheet stored at ``part`` of the workbook ``data`` (``<mergeCell ref="B2:B4"/>``).

    The sheet's XML is scanned once in chunks for the bytes ``mergeCell``; only if they occur is it parsed (by
    expat, keeping nothing but the ranges' references). Raises :class:`InputError` for a part that cannot be read.
    """
    if not part:
        return []
    refs: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open(part.lstrip("/")) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if _MERGE in tail + chunk[:len(_MERGE)] or _MERGE in chunk:
                        break
                    tail = chunk[-len(_MERGE):]
                else:
                    return []
            parser = expat.ParserCreate(namespace_separator=" ")

            def start(tag: str, attributes: dict[str, str]) -> None:
                if tag.rsplit(" ", 1)[-1] == "mergeCell" and attributes.get("ref"):
                    refs.append(attributes["ref"])

            parser.StartElementHandler = start
            with archive.open(part.lstrip("/")) as fh:
                parser.ParseFile(fh)
        return [CellRange(ref) for ref in refs]
    except (*_READ_ERRORS, expat.ExpatError) as exc:
        raise InputError(f"Records file '{name}': the merged cells of worksheet '{title}' cannot be read: {exc}") from exc


_MERGE = b"mergeCell"
_HIDDEN = re.compile(rb"""(?:hidden|zeroHeight)\s*=\s*["'](?:1|true)["']""", re.IGNORECASE)
"""A hidden row (or column) in a worksheet's XML: ``<row r="7" hidden="1">``, or rows hidden by the sheet's default
(``<sheetFormatPr zeroHeight="1">``)."""
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE compound file: an old ``.xls`` workbook, or an encrypted ``.xlsx`` inside its envelope."""


def hidden_rows(data: bytes, part: str, name: str = "workbook", title: str = "") -> frozenset[int]:
    """The numbers of the hidden rows of the worksheet stored at ``part`` of the workbook ``data``.

    openpyxl's read-only mode (the one that reads large workbooks in bounded memory) keeps no row dimensions, so the
    sheet's XML is scanned in chunks for a ``hidden="1"`` attribute, and parsed by expat only if one occurs (one
    more decompression of the sheet for a workbook without hidden rows). Where the sheet hides its rows by default
    (``<sheetFormatPr zeroHeight="1">``), a row is hidden unless it has a height of its own (``customHeight="1"``,
    ``ht`` above 0), as Excel shows it. Raises :class:`InputError` for a part that cannot be read.
    """
    if not part:
        return frozenset()
    found: set[int] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open(part.lstrip("/")) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if _HIDDEN.search(tail + chunk):
                        break
                    tail = chunk[-32:]
                else:
                    return frozenset()
            parser = expat.ParserCreate(namespace_separator=" ")
            number = 0
            by_default = False

            def start(tag: str, attributes: dict[str, str]) -> None:
                nonlocal number, by_default
                name = tag.rsplit(" ", 1)[-1]
                if name == "sheetFormatPr":
                    by_default = attributes.get("zeroHeight") in ("1", "true")
                elif name == "row":
                    number = int(attributes["r"]) if attributes.get("r", "").isdigit() else number + 1
                    if attributes.get("hidden") in ("1", "true") or (by_default and not _own_height(attributes)):
                        found.add(number)

            parser.StartElementHandler = start
            with archive.open(part.lstrip("/")) as fh:
                parser.ParseFile(fh)
        return frozenset(found)
    except (*_READ_ERRORS, expat.ExpatError) as exc:
        raise InputError(f"Records file '{name}': the hidden rows of worksheet '{title}' cannot be read: {exc}") from exc


def _own_height(attributes: dict[str, str]) -> bool:
    """Whether a ``<row>`` element gives the row a height of its own above 0 (shown where rows are hidden by default)."""
    if attributes.get("customHeight") not in ("1", "true"):
        return False
    try:
        return float(attributes.get("ht", "0")) > 0
    except ValueError:
        return False


_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
"""The namespace of a workbook saved as Strict Open XML (Excel: "Strict Open XML Spreadsheet"), which openpyxl does
not read: it finds no worksheet in it."""


def workbook_problem(data: bytes) -> str:
    """Why a workbook that opens as a zip archive cannot be read as it should, as the end of a sentence naming it, or
    ``""``: saved as Strict Open XML (openpyxl would find no worksheet: "empty"), or a worksheet the workbook lists
    missing from the archive (openpyxl would skip it, and its records would leave the site in silence)."""
    from openpyxl.reader.workbook import WorkbookParser

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            part = "xl/workbook.xml"  # where Excel, WPS and openpyxl put it (another place: not looked at)
            if part not in names:
                return ""
            if _STRICT in archive.read(part):
                return ("is saved as a Strict Open XML Spreadsheet, which is not read: open it in Excel and save it "
                        "as an Excel Workbook (.xlsx), or export it again")
            parser = WorkbookParser(archive, part)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parser.parse()
            missing = [sheet.name for sheet, rel in parser.find_sheets() if rel.target.lstrip("/") not in names]
    except Exception:  # noqa: BLE001  # openpyxl tells a workbook it cannot open: not_a_workbook says what it is
        return ""
    if missing:
        return (f"is damaged: worksheet(s) {'、'.join(missing)} that it lists are missing from the file (a part of the "
                "archive lost): open it in Excel or WPS to repair it, or export it again")
    return ""


def damaged_cell(data: bytes, part: str) -> tuple[str, int, str] | None:
    """The first cell of the worksheet stored at ``part`` whose value does not read as its type says (``<c r="O2"
    t="n"><v>2,5</v>``, which stops openpyxl): its reference, column number and value; ``None`` if none is found."""
    found: list[tuple[str, int, str]] = []
    cell: dict[str, str] = {}
    text: list[str] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rsplit(" ", 1)[-1]
        if local == "c":
            cell.clear()
            cell.update(attributes)
        elif local == "v":
            text.clear()

    def chars(data: str) -> None:
        text.append(data)

    def end(tag: str) -> None:
        if tag.rsplit(" ", 1)[-1] != "v" or found:
            return
        value, kind = "".join(text), cell.get("t", "n")
        try:
            if kind == "n":
                float(value)
            elif kind in ("b", "s"):
                int(value)
            elif kind == "d":
                datetime.fromisoformat(value)
            return
        except ValueError:
            ref = cell.get("r", "")
            letters = "".join(ch for ch in ref if ch.isalpha())
            found.append((ref, column_index_from_string(letters) if letters else 0, value))

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part.lstrip("/")) as fh:
            parser = expat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
            while not found and (chunk := fh.read(1 << 16)):
                parser.Parse(chunk, False)
    except (*_READ_ERRORS, expat.ExpatError):
        return None
    return found[0] if found else None


def not_a_workbook(data: bytes) -> str:
    """What a file named ``.xlsx`` that openpyxl cannot open really is, and what to do; ``""`` if it is not told.

    An encrypted workbook (a password to open) is an OLE compound file holding an ``EncryptedPackage`` stream, as is
    an old ``.xls`` workbook without it; a CSV export renamed ``.xlsx`` is text. "File is not a zip file" tells the
    clerk none of this.
    """
    if not data:
        return "empty (0 bytes), not an .xlsx workbook: export it again"
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return ("an encrypted (password-protected) workbook, which cannot be read: open it in Excel or WPS, remove "
                    "the password (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it), save it "
                    "and export it again")
        return ("an old Excel 97-2003 .xls workbook (or another Office file) named .xlsx: open it in Excel or WPS and "
                "save it as an Excel Workbook (.xlsx), or export it as CSV")
    if data.startswith(b"%PDF"):
        return "a PDF document named .xlsx, not a workbook: export the records as .xlsx or CSV"
    if data.startswith(b"PK"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return ("cut off or damaged: it begins as a workbook (a zip archive) but its end, the archive's directory, is "
                    "missing (a copy or an export that did not finish, or a damaged disk): copy or export it again")
        return ""
    from site_builder.sources.csvfile import HTML_START

    head = data[:4096]
    for encoding in ("utf-16", "utf-8", "gb18030"):
        if encoding == "utf-16" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            continue
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            if HTML_START.search(text) is not None:
                return ("an HTML page (a web system's \"export to Excel\", which writes a web page) named .xlsx, not a "
                        "workbook: open it in Excel or WPS and save it as an Excel Workbook (.xlsx), or export CSV")
            return "a text file (a CSV export?) named .xlsx, not a workbook: if it is CSV, rename it .csv"
    return ""


class _Merges:
    """The merged ranges of a worksheet's data area (below its heading row), filled in row by row."""

    def __init__(self, ranges: list[CellRange], heading: int, width: int) -> None:
        self.ranges = sorted((r for r in ranges if r.min_row > heading and r.size["rows"] * r.size["columns"] > 1),
                             key=lambda r: (r.min_row, r.min_col))
        self._next = 0
        self._active: list[tuple[CellRange, str, tuple[str, str] | None]] = []
        self._width = width

    def fill(self, number: int, texts: list[str], problems: dict[int, tuple[str, str]],
             heading: list[str]) -> list[Defect]:
        """Give each cell of row ``number`` that a range covers its top-left cell's text (``texts`` grows as needed);
        the top-left cell's defect, if it has one, for each covered cell."""
        while self._next < len(self.ranges) and self.ranges[self._next].min_row <= number:
            merge = self.ranges[self._next]
            self._next += 1
            column = merge.min_col
            self._active.append((merge, texts[column - 1] if column <= len(texts) else "", problems.get(column)))
        self._active = [a for a in self._active if a[0].max_row >= number]
        defects: list[Defect] = []
        for merge, text, problem in self._active:
            for column in range(merge.min_col, min(merge.max_col, self._width) + 1):
                if number == merge.min_row and column == merge.min_col:
                    continue
                if column > len(texts):
                    texts.extend([""] * (column - len(texts)))
                texts[column - 1] = text
                if problem:
                    title = heading[column - 1].strip() if column <= len(heading) else ""
                    where = f"单元格 {get_column_letter(column)}{number} 属于以它为左上角的合并区域 {merge.coord}"
                    defects.append((title, problem[0], f"{problem[1]}（{where}）"))
        return defects

    @property
    def warning(self) -> str:
        """The warning naming the ranges (``""`` if there are none)."""
        if not self.ranges:
            return ""
        shown = "、".join(r.coord for r in self.ranges[:MERGES_SHOWN])
        more = f"等{len(self.ranges)}处" if len(self.ranges) > MERGES_SHOWN else f"共{len(self.ranges)}处"
        return (f"表头以下有合并单元格（{shown}，{more}）：合并区域覆盖的单元格按该区域左上角单元格的值读取（与表格中看到的一致），"
                "请核对；若某一行不应取这一值，请取消合并并逐行填写")


class _Cached:
    """Cached results of a worksheet's formula cells: a lazy second pass with ``data_only=True``."""

    def __init__(self, open_sheet: Callable[[], Any]) -> None:
        self._open_sheet = open_sheet
        self._rows: Iterator[tuple[Any, ...]] | None = None
        self._number = 0
        self._row: tuple[Any, ...] = ()

    def value(self, row: int, column: int) -> object:
        """The cached value of the cell at ``row``, ``column`` (1-based), ``None`` if there is none."""
        if self._rows is None:
            sheet = self._open_sheet()
            sheet.reset_dimensions()
            self._rows = sheet.iter_rows()
        while self._number < row:
            self._row = next(self._rows, ())
            self._number += 1
        if column > len(self._row):
            return None
        cell = self._row[column - 1]
        if cell.value is None and getattr(cell, "data_type", "") == "str":
            return ""  # a formula whose result is the empty string (Excel writes <v></v> with t="str")
        return cell.value


def _rows(sheet: Any, cached: _Cached, item: CatalogItem, max_cell: int, name: str, warnings: list[str],
          merged: Callable[[], list[CellRange]] = list, mac: bool = False,
          hidden: Callable[[], frozenset[int]] = frozenset,
          damaged: Callable[[], tuple[str, int, str] | None] = lambda: None) -> Iterator[XlsxRow]:
    """The rows of one worksheet (see the module docstring for what is refused and why); ``mac``: the workbook uses
    the 1904 date system, so a date serial number in a date column is told as a date of that system; ``hidden``: the
    sheet's hidden rows (:func:`hidden_rows`), read like the others and named in a warning; ``damaged``: the cell
    that stopped openpyxl (:func:`damaged_cell`), named in the error."""
    seen = _Hidden(sheet.title, getattr(sheet, "sheet_state", "visible"), hidden())
    index = item.header_index()
    deciding_names = {f.name for f in deciding_fields(item)}
    epoch = CALENDAR_MAC_1904 if mac else WINDOWS_EPOCH
    heading: list[str] = []
    codes: set[int] = set()
    numbered: set[int] = set()
    deciding: set[int] = set()
    dates: set[int] = set()
    others: HeadingRows | None = None
    merges: _Merges | None = None
    headed = 0
    """The number of the last heading row (a second level of it is looked for in the row under it)."""
    empty = 0
    sheet.reset_dimensions()  # the declared dimension is a claim, not a fact
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts: list[str] = []
            defects: list[Defect] = []
            problems: dict[int, tuple[str, str]] = {}
            for column, cell in enumerate(cells, start=1):
                title = heading[column - 1].strip() if column <= len(heading) else ""
                text, problem = _read_cell(cell, number, column, cached, max_cell, code=column in codes,
                                           numbered=column in numbered, deciding=column in deciding,
                                           epoch=epoch if column in dates else None)
                if mac and column in dates and not problem and is_serial(text) and isinstance(cell.value, (int, float)):
                    problem = not_a_date(text, EXCEL_1904)  # the validator would tell it as a date of the 1900 system
                texts.append(text)
                if problem:
                    defects.append((title, *problem))
                    problems[column] = problem
            own = any(texts) or bool(defects)
            if merges is not None and merges.ranges and own:
                defects += merges.fill(number, texts, problems, heading)
            while texts and not texts[-1]:
                texts.pop()
            if not texts and not defects:
                empty += 1
                if empty >= EMPTY_RUN:
                    warnings.append(f"工作表“{sheet.title}”第{number - empty + 1}行起连续{EMPTY_RUN}行为空，"
                                    f"视为表格结束，其后的行未读取")
                    warnings += seen.warnings()
                    return
                yield XlsxRow(number, [])
                continue
            empty = 0
            second = second_heading(item, heading, texts) if heading and headed == number - 1 and not defects else None
            if second is not None or not defects and (not heading or (others is not None and others.reads_as_heading(texts))):
                names = [index.get(normalise_title(t)) for t in second or texts]
                if sum(1 for n in names if n) >= HEADING_CELLS or second is not None:
                    if not heading:
                        others = HeadingRows(item, texts)
                        merges = _Merges(merged(), number, len(texts))
                        if merges.warning:
                            warnings.append(f"工作表“{sheet.title}”{merges.warning}")
                    heading, headed = second or texts, number
                    codes = {column for column, n in enumerate(names, start=1) if n and _is_code(item.field(n))}
                    numbered = {column for column, n in enumerate(names, start=1) if n and is_numbered(item.field(n))}
                    deciding = {column for column, n in enumerate(names, start=1) if n in deciding_names}
                    dates = {column for column, n in enumerate(names, start=1) if n and item.field(n).type == "date"}
            if heading and texts is not heading and second is None:
                seen.row(number)
            yield XlsxRow(number, texts, tuple(defects))
        warnings += seen.warnings()
    except _READ_ERRORS as exc:
        found = damaged()
        if found is None:
            raise InputError(f"Records file '{name}': worksheet '{sheet.title}' cannot be read: {exc}") from exc
        ref, column, value = found
        title = heading[column - 1].strip() if column <= len(heading) else ""
        raise InputError(f"Records file '{name}': worksheet '{sheet.title}' cannot be read: cell {ref} (column "
                         f"{column}{f' {title}' if title else ''}) holds '{value}', which is not a value of the type the "
                         "file gives it (the workbook is damaged, or was written by a tool that does not follow the "
                         "format); correct the cell in Excel or WPS and save the workbook, or export it again") from exc


class _Hidden:
    """The data rows of a worksheet that a reader of it in Excel does not see: a hidden sheet's, hidden rows.

    They are read and published like the others (the export is what the platform approved; a hidden row may be a
    filter left on, or a row someone meant to delete), with a warning naming them, so that the clerk can check.
    """

    def __init__(self, title: str, state: str, hidden: frozenset[int]) -> None:
        self.title, self.state, self.hidden = title, state, hidden
        self.rows = 0
        self.hidden_read: list[int] = []

    def row(self, number: int) -> None:
        """Count a row with data under the heading row."""
        self.rows += 1
        if number in self.hidden:
            self.hidden_read.append(number)

    def warnings(self) -> list[str]:
        """The warnings for the rows counted (none for a visible sheet without hidden rows)."""
        found = []
        if self.state != "visible" and self.rows:
            how = "深度隐藏（veryHidden，在 Excel 中无法直接取消隐藏）" if self.state == "veryHidden" else "隐藏"
            found.append(f"工作表“{self.title}”是{how}的工作表，在 Excel 中看不到，但其中的{self.rows}行仍已读取并按规则公示："
                         "若这些行不应公示，请删除该工作表后重新导出")
        if self.hidden_read:
            shown = "、".join(str(n) for n in self.hidden_read[:HIDDEN_SHOWN])
            more = f"等{len(self.hidden_read)}行" if len(self.hidden_read) > HIDDEN_SHOWN else f"共{len(self.hidden_read)}行"
            found.append(f"工作表“{self.title}”的第{shown}行（{more}）是隐藏的行，在 Excel 中看不到，但仍已读取并按规则公示："
                         "若这些行不应公示，请删除后重新导出")
        return found


def _is_code(spec: FieldSpec) -> bool:
    return spec.format == "uscc" or spec.mask == "id_number" or spec.name in CODE_FIELDS


def _read_cell(cell: Any, row: int, column: int, cached: _Cached, max_cell: int, code: bool, numbered: bool = False,
               deciding: bool = False, epoch: datetime | None = None) -> tuple[str, tuple[str, str] | None]:
    """A cell's text and its problem ``(slug, message)``, if any (``code``: the column holds codes or ID numbers;
    ``numbered``: another number, a record id, 文号 or 许可编号, :func:`~site_builder.rules.validation.is_numbered`;
    ``deciding``: a column that decides publication, :func:`~site_builder.sources.mapping.deciding_fields`; ``epoch``:
    a date column, in a workbook of this date system, where a number in one of Chinese Excel's built-in date formats,
    :data:`CJK_DATE_FORMATS`, is the date it shows)."""
    value = cell.value
    if value is None:
        return "", None
    where = f"单元格 {get_column_letter(column)}{row}"
    if cell.data_type == "f":
        formula = str(getattr(value, "text", None) or value)
        value = cached.value(row, column)
        if value == "" and not deciding:
            return "", None  # the formula's result is the empty string (=IF(…,"",…)): an empty cell
        if value is None or value == "":
            # openpyxl reads an empty result (<v></v>) as it reads none saved (a string formula never calculated):
            # a column that decides publication is not read as empty on that (异议状态 empty publishes the record)
            shown = formula if len(formula) <= 60 else formula[:60] + "…"
            said = "计算结果为空，或文件中没有保存计算结果（两者在文件中无法区分；该列决定是否公示）" if value == "" else \
                "文件中没有保存计算结果"
            advice = "请把公式复制粘贴为数值后重新导出" if value == "" else "请在 Excel 中打开后保存，或把公式复制粘贴为数值后重新导出"
            return "", ("formula-without-value", f"{where}是公式（{shown}），{said}：{advice}")
    if cell.data_type == "e" or (isinstance(value, str) and value in _ERRORS):
        if value == "#VALUE!" and cell.data_type == "e":  # also openpyxl's reading of a date cell out of Excel's range
            return "", ("cell-error", f"{where}是错误值 #VALUE!，不是数据：公式计算失败，或该单元格设为日期格式而其中的"
                                      "数字不是 Excel 能表示的日期（如把 20270105 设为日期格式）；"
                                      "请把该单元格设为文本或常规格式，写明日期后重新导出")
        return "", ("cell-error", f"{where}是错误值 {value}（公式计算失败），不是数据")
    if (code or numbered) and isinstance(value, (datetime, date, time)):
        return "", ("stored-as-date", f"{where}是日期（{cell_text(value)}），而这一列是编号或代码：Excel 会把“3-5”“1/2”这样的"
                                      "编号自动改成日期，原来的内容已经丢失；请把该列设为文本格式，重新录入后导出")
    if epoch is not None and isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < _EXCEL_END:
        if getattr(getattr(cell, "style_array", None), "numFmtId", None) in CJK_DATE_FORMATS:
            value = from_excel(value, epoch)  # shown as a date (and the time of day, if any), as Excel shows it
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
    return ooxml_unescaped(str(value))


_OOXML_ESCAPE = re.compile("_x005[Ff]_(x[0-9A-Fa-f]{4}_)|_x(00[01][0-9A-Fa-f])_")


def ooxml_unescaped(text: str) -> str:
    """``text`` with the workbook's escapes of control characters read: Excel writes a character XML cannot hold (a
    carriage return, a control character: below U+0020) as ``_xHHHH_`` (``处罚_x000D_\n类别``), which openpyxl leaves
    as it is. Only those: openpyxl has already turned the escaped underscore of a ``_xHHHH_`` typed as text
    (``_x005F_x2026_``) into ``_x2026_``, which must stay as typed, and text typed as a control character's escape
    cannot be told from the escape. In an inline string, which openpyxl reads as written, ``_x005F_x000D_`` reads
    ``_x000D_``."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: f"_{m.group(1)}" if m.group(1) else chr(int(m.group(2), 16)), text)


def _number_text(value: float) -> str:
    """A number as Excel shows it: whole numbers without ``.0``, others to Excel's 15 significant digits, so that a
    computed ``17.2*3`` saved as ``51.599999999999994`` reads ``51.6``."""
    if isinstance(value, float):
        value = float(f"{value:.{EXCEL_DIGITS}g}")
        if value.is_integer():
            return str(int(value))
    return str(value)
