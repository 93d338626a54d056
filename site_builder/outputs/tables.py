"""An item's published table as every download shows it: its columns, their schema, and the cells of a record.

The CSV, the Excel workbook and the data package descriptors are written from these, so they agree on the
columns, their order, their Chinese titles and their types. :func:`safe_cell` is the one escaping of text
cells that a spreadsheet would run as a formula, for every CSV and workbook the site writes. A :class:`Table`
holds what every row of an item shares (field names, which columns are text, the decision date's field), worked
out once per item rather than once per record.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.identifiers import USCC_PATTERN
from site_builder.rules.redaction import PublicRecord

_FORMULA_START = frozenset("=+-@\t\r\n'")
"""First characters that make a spreadsheet evaluate a cell (after NFKC: full-width ＝＋－＠ and the
small forms ﹦﹢﹣﹫ count too, since spreadsheets and input methods may normalise them), and ``'`` itself: a value
that starts with one is written ``''…``, so that removing the first ``'`` of a cell that has one gives every value back
(``'=1`` and ``=1`` would otherwise both be written ``'=1``)."""
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML cannot hold: removed from what a workbook or a chart shows (a stray control character in a
value must not make the file unreadable)."""
COMMON_COLUMNS = ("publication_start", "publication_until")
"""Columns every item's table ends with, after its public fields; then, under a profile that marks a record under
objection (``objection_mode = "mark"``), ``objection_date``: its 异议标注, the day the objection was filed."""


def table_schema(item: CatalogItem, marked: bool = False, while_listed: bool = False) -> dict[str, Any]:
    """The Frictionless Table Schema of an item's published CSV (``marked``: with the column of the 异议标注;
    ``while_listed``: the item's records may be public while their subject is listed, with no last day)."""
    fields: list[dict[str, Any]] = [_schema_field(f) for f in item.public_fields]
    fields += [
        {"name": "publication_start", "title": "本站公示起始日期", "type": "date", "constraints": {"required": True},
         "description": "本站公示期限的第一日（依法计算）"},
        {"name": "publication_until", "title": "本站公示截止日期", "type": "date",
         "description": "本站最后一个公示日（依公示期限、公示截止期、移出名单、信用修复等依法计算）；为空表示长期公示。"
                        "与“公示截止期”不同：后者是认定机关报送的公示截止期"
                        + ("；本项公示期在主体列入严重失信主体名单期间延长的，为空表示在列入期间公示，移出或名单届满时止"
                           if while_listed else "")},
    ]
    if marked:
        fields.append({"name": "objection_date", "title": "异议标注日期", "type": "date",
                       "description": "信息主体提出异议、正在核查处理中的，为提出异议的日期（异议标注）；为空表示无异议标注"})
    id_field = item.role("record_id") or "record_id"
    return {"fields": fields, "primaryKey": [id_field], "missingValues": [""]}


def _schema_field(spec: FieldSpec) -> dict[str, Any]:
    field: dict[str, Any] = {"name": spec.name, "title": spec.title, "type": spec.type}
    constraints: dict[str, Any] = {}
    if spec.required:
        constraints["required"] = True
    if spec.values and not spec.open:
        constraints["enum"] = list(spec.values.values())
    if spec.format == "uscc":
        constraints["pattern"] = USCC_PATTERN
    if spec.disclosure == "masked":
        field["description"] = "已脱敏" if spec.mask == "id_number" else "自然人姓名已脱敏"
    if constraints:
        field["constraints"] = constraints
    return field


def safe_cell(value: str) -> str:
    """A text cell as written to a CSV or workbook: prefixed with ``'`` if a spreadsheet would evaluate it.

    Applies to text cells only: a number column keeps ``-5`` as a number. ``=HYPERLINK(…)``,
    ``@SUM(…)``, ``=cmd|…``, ``+``, ``-``, a tab, CR or LF first, and their full-width forms are caught; a value
    starting with ``'`` gets one more.
    """
    if not value:
        return value
    first = value[0]
    if first < "\x80":  # ASCII is its own NFKC form
        return "'" + value if first in _FORMULA_START else value
    return "'" + value if _runs_as_formula(first) else value


def read_cell(value: str) -> str:
    """The value :func:`safe_cell` was given, from what it wrote (the ``'`` it added taken off; a cell written before
    it was applied, ``'abc``, is kept as it is)."""
    return value[1:] if value[:1] == "'" and safe_cell(value[1:]) == value else value


@functools.lru_cache(maxsize=8192)
def _runs_as_formula(first: str) -> bool:
    """Whether a text starting with the non-ASCII character ``first`` starts a formula (its NFKC form does)."""
    return unicodedata.normalize("NFKC", first)[:1] in _FORMULA_START


def decision_year(item: CatalogItem, record: PublicRecord) -> str:
    """The year of a record's decision date (许可决定日期, 处罚决定日期 …; its publication start without one)."""
    return year_of(item.role("decision_date"), record)


def year_of(decision_field: str | None, record: PublicRecord) -> str:
    """:func:`decision_year`, the item's decision date field (``decision_field``) looked up already."""
    text = record.fields.get(decision_field, "") if decision_field else ""
    return text[:4] if len(text) >= 4 and text[:4].isdigit() else str(record.date.year)


class Table:
    """An item's published table: its schema, and each record's cells and decision year, in the schema's order."""

    def __init__(self, item: CatalogItem, marked: bool = False, while_listed: bool = False) -> None:
        self.item = item
        self.marked = marked
        """Whether the table ends with the 异议标注 column (the profile marks records under objection)."""
        self.schema = table_schema(item, marked, while_listed)
        self.fields: list[dict[str, Any]] = self.schema["fields"]
        self.header = [f["name"] for f in self.fields]
        """The CSV's first row: the columns' English names."""
        self.text = [f["type"] == "string" for f in self.fields]
        """Which columns are text (open enumerations and codes too): the cells :func:`safe_cell` escapes."""
        self._names = [f.name for f in item.public_fields]
        self._blanks = [""] * len(self._names)
        self._texts = [index for index, text in enumerate(self.text) if text]
        self._decision = item.role("decision_date")

    def cells(self, record: PublicRecord) -> list[str]:
        """The cells of a record's row, as published (no escaping), in the order of :func:`table_schema`."""
        cells = list(map(record.fields.get, self._names, self._blanks))
        cells += (record.date.isoformat(), record.until.isoformat() if record.until else "")
        if self.marked:
            cells.append(record.objection_date.isoformat() if record.objection_date else "")
        return cells

    def csv_row(self, cells: Sequence[str]) -> list[str]:
        """A row's cells as the CSV holds them: text cells through :func:`safe_cell`."""
        row = list(cells)
        for index in self._texts:
            row[index] = safe_cell(row[index])
        return row

    def year(self, record: PublicRecord) -> str:
        """The year of a record's decision date: :func:`decision_year`."""
        return year_of(self._decision, record)
