"""The heading row's checks beyond mapping: a row that repeats it, and two columns that name one field.

Both are what joined or hand-edited exports bring: ``Heading`` recognises the heading row again further down (it
is skipped with a warning, never read as data), :func:`settle_duplicates` decides a row's value when two columns
map to one field (the same value or one empty: that value; two different values: the row is quarantined).
"""

from __future__ import annotations

from collections.abc import Iterable

from site_builder.rules.catalogue import CatalogItem, normalise_title


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


def _heading_cell(cell: str) -> str:
    return normalise_title(cell.replace("\ufeff", ""))


def _heading_key(cells: list[str]) -> list[str]:
    """A row's cells normalised as headings, without trailing empty cells."""
    key = [_heading_cell(c) for c in cells]
    while key and not key[-1]:
        key.pop()
    return key


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
