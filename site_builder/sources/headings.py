"""The heading row's checks beyond mapping: a row that repeats it, another heading row, two columns of one field.

All are what joined or hand-edited exports bring: ``Heading`` recognises the heading row again further down (it
is skipped with a warning, never read as data); :class:`HeadingRows` recognises a heading row in another column
order or with other titles (a second export joined below the first: the rows under it are read by its own
columns); :func:`settle_duplicates` decides a row's value when two columns map to one field (the same value or one
empty: that value; two different values: the row is quarantined).
"""

from __future__ import annotations

import operator
from collections.abc import Container, Iterable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from site_builder.rules.catalogue import CatalogItem, FieldSpec, normalise_title
from site_builder.sources.mapping import (
    deciding_fields,
    foreign,
    heading_unit,
    joined_fields,
    loose_field,
    numbered_field,
    resembled_fields,
    suggestion,
    unit_of,
)
from site_builder.sources.statewords import states_record, watched_columns

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


def second_heading(item: CatalogItem, heading: list[str], cells: list[str]) -> list[str] | None:
    """The heading of a two-level heading row, if ``cells`` (the row under ``heading``) are its second level: titles
    under group labels merged across their columns (``法定代表人`` over 姓名, 证件类型, 证件号码; ``行政相对人代码`` over
    统一社会信用代码, 工商注册号 …; ``其他`` over 异议状态 and 信用修复日期), the other columns' cells empty (merged down
    from the first row). ``None`` if they are not.

    A second-level title is read with its group label before it where the two name a field (``法定代表人`` and
    ``证件号码``: 法定代表人证件号码, never the subject's 证件号码), else alone, unless the label itself names a field
    (``法定代表人`` and ``证件种类``: an unknown heading, not the subject's 证件类型) or the title says who the subject is
    (its name, category, codes or ID document) and the label names someone else (``法人代表`` or ``决定机关`` over
    ``证件号码`` or ``统一社会信用代码``: unknown headings; ``被执行人`` or ``行政相对人代码`` over ``统一社会信用代码``:
    the subject's). The row is a second level when most of its cells so name fields,
    one of them at least a field the first row does not name, and each of its cells
    stands where the first row's cell is empty, a label naming no field, or a label naming the field the cell names
    with it (``法定代表人`` over ``姓名``): a data row's cells stand under titles of their own.
    """
    index = item.header_index()
    labels = _group_labels(heading, len(cells))
    titles = {i: _second_title(item, index, labels[i], c) for i, c in enumerate(cells) if c.strip()}
    found = {i: n for i, (_, n) in titles.items() if n}
    if not found or 2 * len(found) <= len(titles):
        return None
    above = {i: index.get(_heading_cell(c)) for i, c in enumerate(heading) if c.strip()}
    if not set(found.values()) - {n for n in above.values() if n}:
        return None  # nothing new: a repeated or joined heading, which Heading and HeadingRows tell
    if any(above.get(i) not in (None, found.get(i)) for i in titles):
        return None  # a cell under a column's own title, but for the label's own (法定代表人: 姓名): a data row
    width = max(len(heading), len(cells))
    return [titles[i][0] if i in titles else heading[i] if i < len(heading) else "" for i in range(width)]


def _group_labels(heading: list[str], width: int) -> list[str]:
    """Each column's label in a first heading row: its own cell, or the nearest non-empty one to its left (a label
    merged across columns is held by the first of them only)."""
    labels, label = [], ""
    for i in range(max(width, len(heading))):
        cell = heading[i].strip() if i < len(heading) else ""
        label = cell or label
        labels.append(label)
    return labels


def _second_title(item: CatalogItem, index: Mapping[str, str], label: str, title: str) -> tuple[str, str | None]:
    """A second-level title's heading and field (see :func:`second_heading`)."""
    if not label:
        return title, index.get(_heading_cell(title))
    joined = label + title.strip()
    if (name := index.get(_heading_cell(joined))) is not None:
        return joined, name
    name = index.get(_heading_cell(title))
    if name is None or _heading_cell(label) in index:
        return joined, None  # the label names someone (法定代表人, 处罚机关): the title alone would be the subject's
    if _identifies(item.field(name)) and any(word in label for word in _OTHERS_LABELS):
        return joined, None  # 证件号码 under 法人代表, 统一社会信用代码 under 决定机关: someone else's
    return title, name


_OTHERS_LABELS = ("法定代表人", "法人代表", "负责人", "经营者", "投资人", "股东", "代理", "委托", "机关", "部门", "法院", "来源",
                  "决定单位", "处罚单位", "实施单位", "认定单位", "授予单位", "列入单位", "发证", "执法", "审批")
"""Words of a group label naming someone other than the record's subject (its legal representative, an authority):
the subject's codes, name and ID number are not read from titles under it."""
_IDENTIFYING_ROLES = frozenset({"uscc", "id_no", "id_type", "subject_name", "subject_category"})


def _identifies(spec: FieldSpec) -> bool:
    """Whether ``spec`` says who the record's subject is (its name, category, codes, ID document): not read from a
    title under a group label that names someone else (:data:`_OTHERS_LABELS`)."""
    return spec.role in _IDENTIFYING_ROLES or spec.format in ("uscc", "code")


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

    A heading is a field's title, name or alias (exactly, after :func:`normalise_title`), or else names it in other
    words for sure (:func:`~site_builder.sources.mapping.loose_field`: ``公示截至日期`` for 公示截止期, ``罚款金额（元）``
    for 罚款金额（万元）) or with a number after it (``处罚类别2``: :func:`~site_builder.sources.mapping.numbered_field`),
    which is read with a warning saying so. An unknown heading (other than those in ``ignore``: a table's key, say)
    becomes a warning with the closest catalogue titles. A second heading for the same field (two ``公开属性`` columns,
    ``发布状态`` and ``审核状态``, ``处罚类别1`` and ``处罚类别2``) becomes a warning too, and goes into ``duplicates`` (its
    position -> the first one's): each row's values are then joined (a penalty's kinds:
    :func:`~site_builder.sources.mapping.joined_fields`) or settled by :func:`settle_duplicates`. A heading in other
    words for a field that already has a column is a second column only for a field that decides publication (its
    two values are settled: they must agree); otherwise it stays an unknown heading.
    """
    index = item.header_index()
    columns: dict[int, str] = {}
    first: dict[str, int] = {}
    later = []
    for position, heading in enumerate(headings):
        name = index.get(normalise_title(heading))
        if name is None:
            if heading.strip() and heading not in ignore:
                later.append(position)
        elif name in first:
            _second(warnings, item, headings, position, first[name], duplicates)
        else:
            columns[position] = name
            first[name] = position
    if later:
        seconds = {f.name for f in deciding_fields(item)} | joined_fields(item)
    for position in later:
        heading = headings[position].strip()
        name = loose_field(item, heading) or numbered_field(item, heading)
        if name is not None and name not in first:
            columns[position] = name
            first[name] = position
            spec = item.field(name)
            warnings.append(f"列“{heading}”（第{position + 1}列）按目录列“{spec.title}”（{name}）读取：列名与目录列名"
                            f"及其别名写法不同（如截至与截止、日期与时间、金额单位、列名后的序号）；若不是该列，请在导出中改名"
                            f"或删去该列")
        elif name is not None and name in seconds:
            _second(warnings, item, headings, position, first[name], duplicates)
        else:
            warnings.append(f"未知列“{heading}”（第{position + 1}列）已忽略{suggestion(heading, item)}")
    return dict(sorted(columns.items()))


def _second(warnings: list[str], item: CatalogItem, headings: list[str], position: int, first: int,
            duplicates: dict[int, int] | None) -> None:
    """A warning for a second column of one field, which goes into ``duplicates`` (its position -> the first one's)."""
    heading, other = headings[position].strip(), headings[first].strip()
    name = item.header_index().get(normalise_title(other)) or loose_field(item, other) or numbered_field(item, other)
    if name in joined_fields(item):
        how = "各行两列的取值合并读取（如“警告；罚款”）"
    else:
        how = "一列为空的行取另一列的值，两列取值不同的行将隔离"
    warnings.append(f"列“{heading}”（第{position + 1}列）与列“{other}”（第{first + 1}列）对应同一字段 {name}：{how}")
    if duplicates is not None:
        duplicates[position] = first


def map_header(warnings: list[str], item: CatalogItem, header: list[str], duplicates: dict[int, int],
               where: str = "", whole: str = "文件") -> dict[int, str]:
    """Column position -> field name; unknown, repeated and missing columns, amounts whose heading gives no unit and
    amounts read in the unit their heading gives (converted to the catalogue's) become warnings (``where``: which
    heading row, when it is not the first, or which worksheet; ``whole``: what the rows are, 文件 or 表)."""
    before = len(warnings)
    columns = map_headings(warnings, item, header, duplicates=duplicates)
    for f in item.fields:
        if f.required and f.name not in columns.values():
            warnings.append(f"缺少必填列“{f.title}”（{f.name}）：本{whole}各行均将隔离")
    for position, name in sorted({**columns, **{s: columns[f] for s, f in duplicates.items()}}.items()):
        spec = item.field(name)
        catalogue = _unit(spec)
        if not catalogue:
            continue
        stated = heading_unit(header[position])
        if stated is None and normalise_title(header[position]) != normalise_title(name):
            warnings.append(f"列“{header[position].strip()}”（第{position + 1}列）的列名没有写明金额单位：金额按目录的单位"
                            f"（{catalogue}）读取（如“50000”读作50000{catalogue}），请核对；单位不同的请在数值后写明（如“50000元”）"
                            f"或在列名中写明（如“{spec.title}”）")
        elif stated is not None and stated != foreign() and _differs(stated, spec):
            warnings.append(f"列“{header[position].strip()}”（第{position + 1}列）的金额按列名写明的单位（{stated}）读取，"
                            f"换算为目录的单位（{catalogue}）：如“50000”读作50000{stated}；数值后另写单位的（如“1.2万”）按所写单位读取")
    if where:
        warnings[before:] = [f"{where}：{w}" for w in warnings[before:]]
    return columns


def _unit(spec: FieldSpec) -> str:
    """The unit of an amount field, as its catalogue title gives it (``万元``, ``元``), or ``""``."""
    if spec.type != "number" or unit_of(spec) is None:
        return ""
    return heading_unit(spec.title) or ""


def _differs(stated: str, spec: FieldSpec) -> bool:
    """Whether the unit ``stated`` by a heading is not the catalogue's unit of ``spec`` (``元`` for 罚款金额（万元）)."""
    from site_builder.rules.validation import unit_value

    return unit_value(stated) != unit_of(spec)


def heading_units(item: CatalogItem, header: list[str], columns: dict[int, str]) -> dict[int, str]:
    """Column position -> the unit its heading states (``元``), for the money columns of ``columns`` whose heading
    states a unit of yuan other than the catalogue's: their bare amounts are read in that unit
    (:func:`site_builder.rules.validation.in_unit`)."""
    found = {}
    for position, name in columns.items():
        spec = item.field(name)
        stated = heading_unit(header[position]) if _unit(spec) else None
        if stated is not None and stated != foreign() and _differs(stated, spec):
            found[position] = stated
    return found


def refused_columns(warnings: list[str], item: CatalogItem, header: list[str], columns: dict[int, str],
                    where: str = "", seconds: dict[int, int] | None = None, whole: str = "文件") -> tuple[tuple[str, str, str], ...]:
    """A defect for every row under ``header`` when one of its unknown headings looks like a field that decides
    publication and has no column (:func:`~site_builder.sources.mapping.resembled_fields`), with a warning: read as an
    unknown column, it would let records be published that the field withholds. Likewise when a money column's
    heading names a foreign currency (``罚款金额（美元）``): its amounts cannot be read in yuan (a unit of yuan other
    than the catalogue's, ``罚款金额（元）``, is read in it: :func:`heading_units`). ``seconds``: second columns of a
    field (position -> the first one's), checked for their unit too; ``whole``: what the rows are (文件, 表), as the
    warning names it."""
    defects = []
    mapped = {**columns, **{s: columns[f] for s, f in (seconds or {}).items() if f in columns}}
    for position, name in sorted(mapped.items()):
        spec = item.field(name)
        if not _unit(spec) or heading_unit(header[position]) != foreign():
            continue
        heading = header[position].strip()
        why = f"列名写明的是外币（{heading}），金额无法按人民币读取"
        how = f"请在导出中把金额换算为人民币{_unit(spec)}，列名写作“{spec.title}”"
        warnings.append(f"{where + '：' if where else ''}列“{heading}”（第{position + 1}列）对应目录列“{spec.title}”（{name}），"
                        f"但{why}：本{whole}各行均将隔离。{how}")
        defects.append((spec.title, "amount-unit", f"列“{heading}”（第{position + 1}列）：{why}；在换算之前本行不公示。{how}"))
    for position, heading, spec in resembled_fields(item, header, mapped):
        how = (f"若是，请在 site_builder.toml 中写明 [columns.{item.id}] \"{heading}\" = \"{spec.name}\"（或把列名改为"
               f"“{spec.title}”）；若不是，请在导出中删去该列或改用其他列名")
        warnings.append(f"{where + '：' if where else ''}列“{heading}”（第{position + 1}列）可能是决定是否公示的目录列“{spec.title}”"
                        f"（{spec.name}），而本{whole}没有该列：本{whole}各行均将隔离。{how}")
        defects.append((heading, "unmapped-column",
                        f"列“{heading}”（第{position + 1}列）可能是“{spec.title}”（{spec.name}，决定是否公示），未对应任何目录列；"
                        f"在确认之前本行不公示。{how}"))
    return tuple(defects)


class Layout:
    """How the rows under one heading row are read (the loader's ``_sheet_rows``): its columns (all, and those
    read), what a row's width must be, the columns without a heading, the pairs of columns of one field, and the
    defects every row gets when a column that may decide publication is not mapped (:func:`refused_columns`)."""

    def __init__(self, warnings: list[str], item: CatalogItem, cells: list[str], fields: Container[str] | None,
                 where: str = "", whole: str = "文件") -> None:
        self.cells = cells
        self.duplicates: dict[int, int] = {}
        self.columns = map_header(warnings, item, cells, self.duplicates, where, whole)
        self.refused = refused_columns(warnings, item, cells, self.columns, where, seconds=self.duplicates, whole=whole)
        self.watched = watched_columns(warnings, item, cells, self.columns, where, whole)
        """Columns that may state the record's own state: rows whose cell there says revoked are refused."""
        self.beside = states_record(item)
        """Whether the item has a field of the record's state (:func:`states_record`), for :func:`state_defects`."""
        joined = joined_fields(item)
        self.joined: dict[str, tuple[int, ...]] = {}
        """Fields given in several columns, read together (:meth:`values`): their name -> the columns, in order."""
        for second, first in sorted(self.duplicates.items()):
            name = self.columns[first]
            if name in joined:
                self.joined[name] = (*self.joined.get(name, (first,)), second)
                del self.duplicates[second]
        self.units = heading_units(item, cells, {**self.columns, **{s: self.columns[f] for s, f in self.duplicates.items()}})
        """Columns whose amounts are read in the unit their heading states (position -> ``元``, ``千元`` …)."""
        read = self.columns if fields is None else {i: n for i, n in self.columns.items() if n in fields}
        self.read = read
        self.where = where
        self.coded = [(i, item.field(n)) for i, n in self.read.items() if item.field(n).open and item.field(n).values]
        """Columns of a descriptive list of values (当前状态 有效/无效, 许可类别), where a value outside the list is
        published as written: a code (``1``, ``0``) there is published as a number nobody can read (:meth:`note_codes`)."""
        self.codes: dict[int, tuple[int, str, int]] = {}
        """Per such column, the rows holding a code: the first row, its code, how many rows."""
        self.names = tuple(read.values())
        positions = tuple(read)
        self.reach = max(positions, default=-1) + 1
        self.pick = operator.itemgetter(*positions) if len(positions) > 1 else None  # one C call a row for a whole row
        self.width = len(cells)
        self.extent = max((i + 1 for i, c in enumerate(cells) if c.strip()), default=0)
        self.unnamed = [i for i in range(self.width) if not cells[i].strip()]  # columns without a heading, warned once

    def values(self, cells: list[str], keys: tuple[str, ...]) -> dict[str, str]:
        """A row's cells by field name, in the order of ``keys`` (a field this heading lacks is empty); an amount in
        the unit its heading states (``8000`` under ``罚款金额（元）`` is ``8000元``), a field given in several columns
        as their values joined (``警告；罚款``)."""
        if keys is self.names or keys == self.names:
            if self.pick is not None and len(cells) >= self.reach:
                values = dict(zip(self.names, self.pick(cells), strict=True))
            else:
                values = {name: cells[i] if i < len(cells) else "" for i, name in self.read.items()}
        else:
            values = dict.fromkeys(keys, "")
            values.update((name, cells[i] if i < len(cells) else "") for i, name in self.read.items())
        if self.units or self.joined:
            self._adjust(values, cells)
        return values

    def note_codes(self, number: int, cells: list[str]) -> None:
        """Note the cells of row ``number`` that hold a code in a column of a descriptive list of values."""
        from site_builder.rules.validation import NUMERIC_CODE, enum_code

        for position, spec in self.coded:
            text = cells[position].strip() if position < len(cells) else ""
            if text and NUMERIC_CODE.fullmatch(text) and enum_code(spec, text) is None:
                first, code, count = self.codes.get(position, (number, text, 0))
                self.codes[position] = (first, code, count + 1)

    def code_warnings(self) -> list[str]:
        """One warning per column of a descriptive list of values in which rows hold codes (:meth:`note_codes`): file
        (the report's), column, the first row and its code, how many rows."""
        found = []
        for position, (first, code, count) in sorted(self.codes.items()):
            spec = next(s for i, s in self.coded if i == position)
            found.append(f"{self.where + '：' if self.where else ''}列“{self.cells[position].strip()}”（第{position + 1}列）有{count}行的值"
                         f"是代码而不是取值（如第{first}行“{code}”）：代码表因平台而异，无法确定其含义，这些值将按原样公示；"
                         f"请在导出中写明取值（{'、'.join(spec.values.values()) if spec.values else ''}）")
        self.codes.clear()
        return found

    def _adjust(self, values: dict[str, str], cells: list[str]) -> None:
        from site_builder.rules.validation import clean, in_unit

        for position, word in self.units.items():
            name = self.read.get(position)
            if name is not None:
                values[name] = in_unit(values[name], word)
        for name, positions in self.joined.items():
            if name in values:
                parts = [clean(cells[i]).strip() for i in positions if i < len(cells)]
                values[name] = "；".join(dict.fromkeys(p for p in parts if p))

    def _cell(self, cells: list[str], position: int) -> str:
        text = cells[position] if position < len(cells) else ""
        if position in self.units:
            from site_builder.rules.validation import in_unit

            return in_unit(text, self.units[position])
        return text

    def pairs(self, cells: list[str]) -> list[tuple[str, str, str, str, str]]:
        """The two columns of each field named twice, with a row's cells (for :func:`settle_duplicates`), amounts in
        the unit their heading states."""
        return [(self.columns[first], f"“{self.cells[first].strip()}”（第{first + 1}列）", self._cell(cells, first),
                 f"“{self.cells[second].strip()}”（第{second + 1}列）", self._cell(cells, second))
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
        if isinstance(a[0], Decimal) and isinstance(b[0], Decimal) and _rounded_alike(a[0], b[0]):
            # One amount rounded from the other (罚款金额（元） 12345 beside 罚款金额（万元） 1.23): the finer one holds.
            if _places(b[0]) > _places(a[0]):
                chosen[name] = (title, text)
                if name in values:
                    values[name] = text
            continue
        # A value that may be secret (a masked field, a withheld one that is not a list of values) is not repeated.
        quoted = not spec.mask and not (spec.disclosure == "withheld" and not spec.values)
        shown = f"列{kept_title}为“{_shown(kept)}”，列{title}为“{_shown(text)}”" if quoted else f"列{kept_title}与列{title}"
        defects.append((spec.title, "duplicate-column",
                        f"{shown}：两列对应同一字段 {name}（{spec.title}），"
                        "取值不同，无法确定哪一个有效，本行不公示；请删去多余的列或使两列一致"))
    return tuple(defects)


def _places(amount: Decimal) -> int:
    """The decimal places an amount is written with (``1.23``: 2; ``12`` and ``1.2E+3``: 0)."""
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _rounded_alike(a: Decimal, b: Decimal) -> bool:
    """Whether the finer of two amounts, rounded (half up, or cut) to the places of the coarser, is the coarser, which
    is written with two places at least (``1.23`` 万元, the hundred yuan: ``1`` beside ``1.4`` are two amounts)."""
    coarse, fine = (a, b) if _places(a) <= _places(b) else (b, a)
    if _places(coarse) < 2:
        return False
    step = Decimal(1).scaleb(-_places(coarse))
    return coarse in (fine.quantize(step, ROUND_HALF_UP), fine.quantize(step, ROUND_DOWN))


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= DUPLICATE_SHOWN else text[:DUPLICATE_SHOWN] + "…"
