"""The heading row's checks beyond mapping: a row that repeats it, another heading row, two columns of one field.

All are what joined or hand-edited exports bring: ``Heading`` recognises the heading row again further down (it
is skipped with a warning, never read as data); :class:`HeadingRows` recognises a heading row in another column
order or with other titles (a second export joined below the first: the rows under it are read by its own
columns); :func:`settle_duplicates` decides a row's value when two columns map to one field (the same value or one
empty: that value; two different values: the row is quarantined).
"""

from __future__ import annotations

import operator
from collections.abc import Container, Iterable

from site_builder.rules.catalogue import CatalogItem, normalise_title
from site_builder.sources.mapping import resembled_fields, suggestion

HEADING_CELLS = 2
"""A row naming this many fields of the item is its heading row (the first such row of a file or worksheet)."""


class Heading:
    """Recognises a row that repeats the heading row (exports joined together), after the heading's normalisation."""

    def __init__(self, item: CatalogItem, cells: list[str], columns: dict[int, str]) -> None:
        self._index = item.header_index()
        self._key = _heading_key(cells)
        self._columns = columns
        self._first = next(iter(columns), -1)
        self._probe = self._key[self._first] if 0 <= self._first < len(self._key) else None

    def repeated(self, cells: list[str]) -> bool:
        """Whether ``cells`` name the same field (or the same unknown heading) in every column as the heading row."""
        if self._probe is None or self._first >= len(cells):
            return False
        probe = _heading_cell(cells[self._first])
        if probe != self._probe and self._index.get(probe) != self._columns[self._first]:
            return False  # the common case: one normalisation a row
        key = _heading_key(cells)
        if len(key) != len(self._key):
            return False
        return all(a == b or self._same_field(i, cell) for i, (a, b, cell) in enumerate(zip(key, self._key, cells, strict=False)))

    def _same_field(self, position: int, cell: str) -> bool:
        name = self._columns.get(position)
        return name is not None and self._index.get(_heading_cell(cell)) == name


class HeadingRows:
    """Recognises a heading row below the first, in any column order (exports joined together).

    A row is a heading row when its cells read as one: at least :data:`HEADING_CELLS` of them name fields of the
    item, the record id's among them, and they are most of its non-empty cells. A data row never is (its record id
    is not the title of the record id column). Rows are first screened by exact text (one set lookup per cell, in
    C): a row none of whose cells is a heading as the catalogue or this file's first heading row writes it is not
    looked at further.
    """

    def __init__(self, item: CatalogItem, first: list[str]) -> None:
        self._index = item.header_index()
        self._id = item.role("record_id") or "record_id"
        written = {h for f in item.fields for h in (f.title, f.name, *f.aliases)}
        self._exact = frozenset(written | {c for c in first if c.strip()} | {c.strip() for c in first if c.strip()})

    def reads_as_heading(self, cells: list[str]) -> bool:
        """Whether ``cells`` are a heading row (see the class)."""
        if self._exact.isdisjoint(cells):
            return False
        named = [self._index.get(_heading_cell(c)) for c in cells if c.strip()]
        found = [n for n in named if n]
        return self._id in found and len(set(found)) >= HEADING_CELLS and 2 * len(found) > len(named)


def _heading_cell(cell: str) -> str:
    return normalise_title(cell.replace("\ufeff", ""))


def _heading_key(cells: list[str]) -> list[str]:
    """A row's cells normalised as headings, without trailing empty cells."""
    key = [_heading_cell(c) for c in cells]
    while key and not key[-1]:
        key.pop()
    return key


def map_headings(warnings: list[str], item: CatalogItem, headings: list[str], ignore: tuple[str, ...] = (),
                 duplicates: dict[int, int] | None = None) -> dict[int, str]:
    """Column position -> field name, for a file's heading row or a table's columns alike.

    An unknown heading (other than those in ``ignore``: a table's key, say) becomes a warning with the closest
    catalogue titles. A second heading for the same field (two ``公开属性`` columns, ``发布状态`` and ``审核状态``)
    becomes a warning too, and goes into ``duplicates`` (its position -> the first one's): each row's two values
    are then settled by :func:`settle_duplicates`.
    """
    index = item.header_index()
    columns: dict[int, str] = {}
    first: dict[str, int] = {}
    for position, heading in enumerate(headings):
        name = index.get(normalise_title(heading))
        if name is None:
            if heading.strip() and heading not in ignore:
                warnings.append(f"未知列“{heading.strip()}”（第{position + 1}列）已忽略{suggestion(heading, item)}")
        elif name in first:
            other = headings[first[name]].strip()
            warnings.append(f"列“{heading.strip()}”（第{position + 1}列）与列“{other}”（第{first[name] + 1}列）对应同一字段 "
                            f"{name}：一列为空的行取另一列的值，两列取值不同的行将隔离")
            if duplicates is not None:
                duplicates[position] = first[name]
        else:
            columns[position] = name
            first[name] = position
    return columns


def map_header(warnings: list[str], item: CatalogItem, header: list[str], duplicates: dict[int, int],
               where: str = "") -> dict[int, str]:
    """Column position -> field name; unknown, repeated and missing columns, and amounts whose heading gives no
    unit, become warnings (``where``: which heading row, when it is not the first)."""
    before = len(warnings)
    columns = map_headings(warnings, item, header, duplicates=duplicates)
    for f in item.fields:
        if f.required and f.name not in columns.values():
            warnings.append(f"缺少必填列“{f.title}”（{f.name}）：本文件各行均将隔离")
    for position, name in columns.items():
        unit = _unit(item, name)
        if unit and "元" not in header[position] and normalise_title(header[position]) != normalise_title(name):
            warnings.append(f"列“{header[position].strip()}”（第{position + 1}列）的列名没有写明金额单位：金额按目录的单位"
                            f"（{unit}）读取（如“50000”读作50000{unit}），请核对；单位不同的请在数值后写明（如“50000元”）"
                            f"或在列名中写明（如“{item.field(name).title}”）")
    if where:
        warnings[before:] = [f"{where}：{w}" for w in warnings[before:]]
    return columns


def _unit(item: CatalogItem, name: str) -> str:
    """The unit of an amount field, as its catalogue title gives it (``万元``, ``元``), or ``""``."""
    from site_builder.rules.validation import unit

    spec = item.field(name)
    if spec.type != "number" or unit(spec) is None:
        return ""
    return "万元" if "万元" in spec.title else "元"


def refused_columns(warnings: list[str], item: CatalogItem, header: list[str], columns: dict[int, str],
                    where: str = "") -> tuple[tuple[str, str, str], ...]:
    """A defect for every row under ``header`` when one of its unknown headings looks like a field that decides
    publication and has no column (:func:`~site_builder.sources.mapping.resembled_fields`), with a warning: read as an
    unknown column, it would let records be published that the field withholds."""
    defects = []
    for position, heading, spec in resembled_fields(item, header, columns):
        how = (f"若是，请在 site_builder.toml 中写明 [columns.{item.id}] \"{heading}\" = \"{spec.name}\"（或把列名改为"
               f"“{spec.title}”）；若不是，请在导出中删去该列或改用其他列名")
        warnings.append(f"{where + '：' if where else ''}列“{heading}”（第{position + 1}列）可能是决定是否公示的目录列“{spec.title}”"
                        f"（{spec.name}），而本文件没有该列：本文件各行均将隔离。{how}")
        defects.append((heading, "unmapped-column",
                        f"列“{heading}”（第{position + 1}列）可能是“{spec.title}”（{spec.name}，决定是否公示），未对应任何目录列；"
                        f"在确认之前本行不公示。{how}"))
    return tuple(defects)


class Layout:
    """How the rows under one heading row are read (the loader's ``_sheet_rows``): its columns (all, and those
    read), what a row's width must be, the columns without a heading, the pairs of columns of one field, and the
    defects every row gets when a column that may decide publication is not mapped (:func:`refused_columns`)."""

    def __init__(self, warnings: list[str], item: CatalogItem, cells: list[str], fields: Container[str] | None,
                 where: str = "") -> None:
        self.cells = cells
        self.duplicates: dict[int, int] = {}
        self.columns = map_header(warnings, item, cells, self.duplicates, where)
        self.refused = refused_columns(warnings, item, cells, self.columns, where)
        read = self.columns if fields is None else {i: n for i, n in self.columns.items() if n in fields}
        self.read = read
        self.names = tuple(read.values())
        positions = tuple(read)
        self.reach = max(positions, default=-1) + 1
        self.pick = operator.itemgetter(*positions) if len(positions) > 1 else None  # one C call a row for a whole row
        self.width = len(cells)
        self.extent = max((i + 1 for i, c in enumerate(cells) if c.strip()), default=0)
        self.unnamed = [i for i in range(self.width) if not cells[i].strip()]  # columns without a heading, warned once

    def values(self, cells: list[str], keys: tuple[str, ...]) -> dict[str, str]:
        """A row's cells by field name, in the order of ``keys`` (a field this heading lacks is empty)."""
        if keys is self.names or keys == self.names:
            if self.pick is not None and len(cells) >= self.reach:
                return dict(zip(self.names, self.pick(cells), strict=True))
            return {name: cells[i] if i < len(cells) else "" for i, name in self.read.items()}
        values = dict.fromkeys(keys, "")
        values.update((name, cells[i] if i < len(cells) else "") for i, name in self.read.items())
        return values

    def pairs(self, cells: list[str]) -> list[tuple[str, str, str, str, str]]:
        """The two columns of each field named twice, with a row's cells (for :func:`settle_duplicates`)."""
        return [(self.columns[first], f"“{self.cells[first].strip()}”（第{first + 1}列）", cells[first] if first < len(cells) else "",
                 f"“{self.cells[second].strip()}”（第{second + 1}列）", cells[second] if second < len(cells) else "")
                for second, first in self.duplicates.items()]


DUPLICATE_SHOWN = 60
"""Characters of each value a ``duplicate-column`` message quotes."""


def settle_duplicates(item: CatalogItem, values: dict[str, str],
                      pairs: Iterable[tuple[str, str, str, str, str]]) -> tuple[tuple[str, str, str], ...]:
    """Settle the columns that map to one field: ``(field, first column, its text, other column, its text)``, the
    columns as the message names them (``“公开属性”（第3列）``).

    The same value (as written, or as parsed: ``公开`` and ``社会公开``), or one of them empty: the row keeps the
    value (the other column's when the first is empty; ``values`` is updated if it holds the field). Two different
    non-empty values: a ``duplicate-column`` defect naming both columns and values (the row is quarantined: which
    one holds is not known, and a ``授权查询`` beside a ``公开`` must never be published).
    """
    from site_builder.rules.validation import clean, parse_cell

    defects = []
    chosen: dict[str, tuple[str, str]] = {}
    for name, first_title, first, title, text in pairs:
        kept_title, kept = chosen.get(name, (first_title, first))
        if not clean(text).strip():
            chosen[name] = (kept_title, kept)
            continue
        if not clean(kept).strip():
            chosen[name] = (title, text)
            if name in values:
                values[name] = text
            continue
        chosen[name] = (kept_title, kept)
        if clean(kept).strip() == clean(text).strip():
            continue
        spec = item.field(name)
        a, b = parse_cell(spec, kept), parse_cell(spec, text)
        if a[1] is None and b[1] is None and a[0] == b[0]:
            continue
        # A value that may be secret (a masked field, a withheld one that is not a list of values) is not repeated.
        quoted = not spec.mask and not (spec.disclosure == "withheld" and not spec.values)
        shown = f"列{kept_title}为“{_shown(kept)}”，列{title}为“{_shown(text)}”" if quoted else f"列{kept_title}与列{title}"
        defects.append((spec.title, "duplicate-column",
                        f"{shown}：两列对应同一字段 {name}（{spec.title}），"
                        "取值不同，无法确定哪一个有效，本行不公示；请删去多余的列或使两列一致"))
    return tuple(defects)


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= DUPLICATE_SHOWN else text[:DUPLICATE_SHOWN] + "…"
