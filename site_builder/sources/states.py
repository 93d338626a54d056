"""A site's table of state values: what its platform's state columns say, written once instead of guessed.

Records carry columns that state the record's own state though the catalogue has no field for it (状态, 数据状态,
名单状态, 是否移出 …: :func:`~site_builder.sources.mapping.stated_columns`). The loader reads them by their words and
legends (:func:`~site_builder.sources.statewords.state_defects`), and a bare code it cannot read withholds the row:
platforms number states each their own way. ``[states]`` says what the site's platform means::

    [states]                    # a value of any state column
    "信用修复" = "gone"
    "在用" = "standing"

    [states."名单状态"]          # one heading (with or without the legend after it)
    "0" = "standing"
    "1" = "gone"
    "2" = "objection"

    [states.dishonest_list."状态"]   # one heading of one item (also [states.<item>] for its values of any heading)
    "1" = "gone"

Meanings (:data:`MEANINGS`): ``standing`` (the column does not withhold the record), ``gone`` (revoked, removed,
deleted, hidden or expired: withheld), ``objection`` (under objection: withheld while it is handled). For a column,
its heading's table is read first (an item's entry winning over every item's), then the values of any heading
(likewise); a value in neither is read as before. Values are compared after NFKC, trimming, simplified characters and
case folding, a digit code as its number (``01``, ``1.0``: ``1``); headings as column headings are
(:func:`~site_builder.rules.catalogue.normalise_title`), without the legend of codes after them.

The table reads only the columns the catalogue has no field for: never 发布状态, 公开属性, 异议状态 or a penalty's
当前状态, whose values the catalogue reads (a heading naming such a field is refused, :func:`check_states`), nor a
column that looks like such a field the file lacks (``异议审核情况``: its rows stay quarantined until it is mapped). A
heading with a table of its own is read as a state column even where the reader would not take it for one
(:func:`declared_columns`). It may
publish a record the words would withhold (the credit centre owns what its data means), with the record's other
fields still deciding: of a licence or a registration, ``standing`` says the data record stands, not that the licence is
in force, and a cell of its own state saying it ended or lapsed (是否吊销 是, 已过期 beside no 有效期至) beside a state
in force (当前状态 有效) is still withheld (:func:`~site_builder.sources.licencestate.disagreement`); a code the heading's
own table names is read by it. It is applied into the catalogue (:func:`apply_states`, each item's :class:`StateTable`), so
that the key under which rows are decided and files kept parsed covers it: a changed table decides the rows again.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.rules.catalogue import CatalogItem, Catalogue, FieldSpec, normalise_title
from site_builder.rules.hanzi import simplified
from site_builder.sources.mapping import RECORD_STATE, digit_code, without_legend

STANDING = "standing"
GONE = "gone"
OBJECTION = "objection"
MEANINGS = {STANDING: "记录仍在，该列不影响公示", GONE: "已撤销、已移出、已删除、已屏蔽或已过期", OBJECTION: "有异议、正在处理"}
"""The meanings a ``[states]`` value may have, with what a quarantine message says of each."""
_EXPLAINED = ("standing (the record stands: the column does not withhold it), gone (revoked, removed, deleted, hidden "
              "or expired: withheld) or objection (under objection: withheld)")

Values = tuple[tuple[str, str], ...]
"""``<value> = <meaning>`` pairs, as written."""
Entry = tuple[str, str, str, str]
"""``(heading key or "" for any heading, value key, meaning, where it is written)``."""


@dataclass(frozen=True)
class StateSettings:
    """The ``[states]`` section: what the values of the site's state columns mean (``standing``, ``gone`` or
    ``objection``), for any state column, per heading and per item; see docs/columns.md."""

    shared: Values = ()
    """``<value> = <meaning>`` for a state column of any heading and item."""
    tables: tuple[tuple[str, Values, tuple[tuple[str, Values], ...]], ...] = ()
    """``[states."<heading>"]`` (a heading's values, with or without its legend), ``[states.<item>]`` (an item's values
    of any heading) and ``[states.<item>."<heading>"]``: ``(key, its values, its headings' tables)``; a key naming a
    catalogue item is the item's."""

    @classmethod
    def from_toml(cls, name: str, values: dict[str, Any], errors: list[str]) -> StateSettings:
        """Parse ``[states]``, appending ``Config value 'states.x': …`` lines to ``errors``."""
        shared: list[tuple[str, str]] = []
        tables = []
        for key, value in values.items():
            where = f"{name}.{_key(key)}"
            if not key.strip():
                errors.append(f"Config value '{where}': an empty value or heading; write the value as the records do")
            elif isinstance(value, dict):
                own = {k: v for k, v in value.items() if not isinstance(v, dict)}
                inner = tuple((k, _values(f"{where}.{_key(k)}", v, errors, nested=True))
                              for k, v in value.items() if isinstance(v, dict))
                tables.append((key, _values(where, own, errors), inner))
            else:
                shared += _values(name, {key: value}, errors)
        table = cls(tuple(shared), tuple(tables))
        for where, pairs in table.written():
            _same_values(where, pairs, errors)
        return table

    def written(self) -> list[tuple[str, Values]]:
        """Every table of values with where it is written (``states``, ``states."名单状态"`` …)."""
        found = [("states", self.shared)]
        for key, values, inner in self.tables:
            found.append((f"states.{_key(key)}", values))
            found += [(f"states.{_key(key)}.{_key(heading)}", pairs) for heading, pairs in inner]
        return found

    def for_item(self, item: CatalogItem, ids: tuple[str, ...]) -> StateTable | None:
        """The table ``item`` reads its state columns by: every item's entries, then its own (which win); ``None``
        if there are none."""
        entries: list[Entry] = [("", value, meaning, "[states]") for value, meaning in self.shared]
        for key, values, inner in self.tables:
            if key not in ids and not inner:
                entries += [(heading_key(key), value, meaning, f"[states.{_key(key)}]") for value, meaning in values]
        for key, values, inner in self.tables:
            if key == item.id:
                entries += [("", value, meaning, f"[states.{key}]") for value, meaning in values]
                entries += [(heading_key(heading), value, meaning, f"[states.{key}.{_key(heading)}]")
                            for heading, pairs in inner for value, meaning in pairs]
        if not entries:
            return None
        return StateTable(tuple((h, value_key(v), m, w) for h, v, m, w in entries))


@dataclass(frozen=True)
class StateTable:
    """One item's ``[states]`` entries (:meth:`StateSettings.for_item`), in the order written, later ones winning."""

    entries: tuple[Entry, ...]
    """``(heading key or "" for any heading, value key, meaning, where it is written)``."""

    @functools.cached_property
    def _index(self) -> Mapping[tuple[str, str], tuple[str, str]]:
        return {(heading, value): (meaning, where) for heading, value, meaning, where in self.entries}

    @functools.cached_property
    def headings(self) -> frozenset[str]:
        """The headings (keys) that have a table of their own."""
        return frozenset(h for h, _, _, _ in self.entries if h)

    def meaning(self, heading: str, text: str) -> tuple[str, str] | None:
        """What the site says ``text`` under the column ``heading`` means, and where it says so; ``None`` if it does
        not say."""
        value = value_key(text)
        return self._index.get((heading_key(heading), value)) or self._index.get(("", value))

    def reads_for(self, heading: str, text: str) -> bool:
        """Whether the table of ``heading`` itself (``[states."许可状态"]``, ``[states.<item>."许可状态"]``) names
        ``text``: not the values of any heading (``[states]``, ``[states.<item>]``), written for other columns."""
        return (heading_key(heading), value_key(text)) in self._index


@functools.lru_cache(maxsize=256)
def heading_key(heading: str) -> str:
    """A heading as the table is keyed by: normalised as column headings are, without the legend after it."""
    return without_legend(normalise_title(heading))[0]


def value_key(text: str) -> str:
    """A value as the table compares it: NFKC, trimmed, in simplified characters, case folded; a digit code as its
    number (``01``, ``1.0``: ``1``)."""
    value = simplified(unicodedata.normalize("NFKC", text)).strip().casefold()
    return digit_code(value) or value


def _key(key: str) -> str:
    """A TOML key as written in a dotted name (quoted unless bare)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _values(where: str, values: dict[str, Any], errors: list[str], nested: bool = False) -> Values:
    """The ``<value> = <meaning>`` pairs of one table (``where``: its dotted name), each problem an error."""
    pairs = []
    for value, meaning in values.items():
        place = f"Config value '{where}.{_key(value)}'"
        if isinstance(meaning, dict):
            errors.append(f"{place}: a table too deep; write [states.\"<heading>\"] or [states.<item>.\"<heading>\"]")
        elif not value.strip():
            errors.append(f"{place}: an empty value; write the value as the records do")
        elif not isinstance(meaning, str):
            table = "" if nested else " or a table [states.\"<heading>\"]"
            errors.append(f"{place}: expected a meaning, {_EXPLAINED}{table}, got {meaning!r}")
        elif meaning not in MEANINGS:
            close = difflib.get_close_matches(meaning.strip().lower(), list(MEANINGS), n=1, cutoff=0.5)
            hint = f" (closest: {close[0]})" if close else ""
            errors.append(f"{place}: unknown meaning {meaning!r}{hint}; one of {_EXPLAINED}")
        else:
            pairs.append((value, meaning))
    return tuple(pairs)


def _same_values(where: str, pairs: Values, errors: list[str]) -> None:
    """An error for two values of one table that are one value as compared (``撤銷`` and ``撤销``, ``1`` and ``01``)
    and mean different things."""
    seen: dict[str, tuple[str, str]] = {}
    for value, meaning in pairs:
        first = seen.setdefault(value_key(value), (value, meaning))
        if first[1] != meaning:
            errors.append(f"Config value '{where}.{_key(value)}': the same value as {first[0]!r} (compared after "
                          f"NFKC, simplified characters and case), which is {first[1]!r}")


def check_states(catalogue: Catalogue, states: StateSettings) -> list[str]:
    """Problems of ``[states]`` against the catalogue (after ``[columns]``): a table holding headings' tables whose key
    is no item, and a heading that names a catalogue field of every item its table is for (its values are the
    catalogue's; the table reads only columns the catalogue has no field for), and a code or a yes-or-no answer given
    for any heading (:func:`_heading_bound`)."""
    errors = [_heading_bound("states", value) for value, _ in states.shared if _heading_bound("states", value)]
    errors += [_heading_bound(f"states.{key}", value) for key, values, _ in states.tables if key in catalogue.ids
               for value, _ in values if _heading_bound(f"states.{key}", value)]
    for key, _, inner in states.tables:
        if key in catalogue.ids:
            items = [catalogue[key]]
            headings = [(f"states.{key}.{_key(h)}", h) for h, _ in inner]
        elif inner:
            closest = difflib.get_close_matches(key, list(catalogue.ids), n=3, cutoff=0.5)
            hint = f" (closest: {', '.join(closest)})" if closest else ""
            errors.append(f"Config value 'states.{_key(key)}': unknown catalogue item{hint}; a heading's table holds "
                          f"values only (\"0\" = \"standing\")")
            continue
        elif misspelt := _item_like(key, catalogue.ids):
            errors.append(f"Config value 'states.{_key(key)}': no catalogue item (closest: {misspelt}); a table of values "
                          "under a heading so like an item id is taken for a typing error")
            continue
        else:
            items, headings = list(catalogue.items), [(f"states.{_key(key)}", key)]
        for where, heading in headings:
            fields = [item.header_index().get(normalise_title(heading)) or item.header_index().get(heading_key(heading))
                      for item in items]
            if all(fields):
                named = ", ".join(sorted({f"{item.id}.{name}" for item, name in zip(items, fields, strict=True)}))
                errors.append(f"Config value '{where}': names the catalogue field {named}, whose values the catalogue "
                              "reads; [states] reads only state columns the catalogue has no field for")
    return errors


_WORDED = re.compile(r"[a-z]{2,}|[\u3400-\u9fff\U00020000-\U0003134f]")
"""A value in words (two letters or more, or a Chinese character): anything else (``1``, ``-1``, ``a``, ``✓``, ``○``) is a
code or a mark, whose meaning is its column's."""


def _heading_bound(where: str, value: str) -> str:
    """An error for a value of any heading's table (``where``) that means one thing under one heading and the opposite
    under another: a code or a mark (状态 ``1`` 正常 on one platform, 撤销 on another; ``-1``, ``✓``) or a yes-or-no
    answer as the reader reads one (是否移出 ``是``, ``是的``, ``Y`` is gone, 是否有效 ``是`` stands); ``""`` for another
    value."""
    from site_builder.sources.statewords import answer_of

    key = value_key(value)
    if _WORDED.search(key) and answer_of(key) is None:
        return ""
    return (f"Config value '{where}.{_key(value)}': a code, a mark or a yes-or-no answer means one thing under one "
            f"heading and the opposite under another (是否移出 1 is gone, 是否有效 1 stands); give it under its heading, "
            f"[states.\"<heading>\"] \"{value}\" = \"…\"")


def _item_like(key: str, ids: tuple[str, ...]) -> str:
    """The catalogue item id ``key`` is most likely a misspelling of (``dishonest_lst``), or ``""``."""
    if not re.fullmatch(r"[a-z]+_[a-z_]+", key):
        return ""
    close = difflib.get_close_matches(key, list(ids), n=1, cutoff=0.8)
    return close[0] if close else ""


def apply_states(catalogue: Catalogue, states: StateSettings) -> Catalogue:
    """The catalogue with each item's :class:`StateTable` (:attr:`CatalogItem.states`)."""
    if not states.shared and not states.tables:
        return catalogue
    items = tuple(dataclasses.replace(item, states=states.for_item(item, catalogue.ids)) for item in catalogue.items)
    return dataclasses.replace(catalogue, items=items)


def declared_columns(item: CatalogItem, header: list[str], columns: Mapping[int, str],
                     found: tuple[tuple[int, str, FieldSpec], ...]) -> tuple[tuple[int, str, FieldSpec], ...]:
    """The unknown columns of ``header`` whose heading has a table of its own in the site's ``[states]`` though the
    reader does not take them for a state column (``数据标识位``): read as the record's state, as the site says they
    are (left unread, its table would withhold nothing, and a record it says is gone would be published). ``found``:
    the state columns already read; ``columns``: the mapped ones."""
    if item.states is None or not item.states.headings:
        return ()
    index = item.header_index()
    known = {position for position, _, _ in found}
    return tuple((position, heading.strip(), RECORD_STATE) for position, heading in enumerate(header)
                 if position not in columns and position not in known and heading.strip()
                 and normalise_title(heading) not in index and heading_key(heading) in item.states.headings)


def told_defects(item: CatalogItem, position: int, heading: str, text: str,
                 dated: bool) -> tuple[tuple[str, str, str], ...] | None:
    """What the site's table says of a state column's cell: ``None`` if it does not say; ``()`` if the record stands
    by it (or it says gone beside the row's removal date, ``dated``, which then decides, as for a word saying so);
    else an ``unmapped-column`` defect naming the column, the value, the table and the meaning."""
    if item.states is None:
        return None
    told = item.states.meaning(heading, text)
    if told is None:
        return None
    meaning, where = told
    if meaning == STANDING or meaning == GONE and dated:
        return ()
    how = ("已撤销、已删除或已移出的记录请不要导出（移出请写明移出日期）" if meaning == GONE
           else "异议处理完毕后，请在导出中写明处理结果")
    return ((heading, "unmapped-column",
             f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”按本站 site_builder.toml 的 {where} 读作 {meaning}"
             f"（{MEANINGS[meaning]}）：本行不公示；{how}；若读法有误，请修改 {where}"),)


def table_of(heading: str) -> str:
    """The name of ``heading``'s own table as site_builder.toml writes it (``[states."许可状态"]``)."""
    return f"[states.{_key(heading)}]"


def state_hint(item: CatalogItem, title: str) -> str:
    """What a state column's warning adds on the site's table: that it reads the column's values where it names them,
    or how to name them (``[states."名单状态"]``)."""
    if item.states is not None and heading_key(title) in item.states.headings:
        return f"（site_builder.toml 的 [states.{_key(title)}] 中写明的取值按其读取）"
    return f"，或在 site_builder.toml 的 [states.{_key(title)}] 中写明各代码的含义（如 \"0\" = \"standing\"）"
