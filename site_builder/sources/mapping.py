"""A site's own words: column mappings and database tables, as the site configuration declares them.

``[columns]`` maps a heading or column name used by every item's exports to a catalogue field;
``[columns.<item>]`` does so for one item (it wins over ``[columns]``)::

    [columns.admin_penalty]
    "处罚文号" = "decision_no"
    "严重程度" = "severity"

``[sources]`` names a database (``url``, credentials from ``password_env`` or ``password_file``) and
``[sources.<item>]`` the table or query that holds an item (see :mod:`site_builder.sources.database`)::

    [sources]
    url = "sqlite:///data/demo.sqlite"      # or "env:SITE_BUILDER_DATABASE_URL"

    [sources.admin_penalty]
    table = "xzcf"                          # or: query = "SELECT … FROM …"
    key = ["序号"]                           # primary key (default: the table's own)
    item_column = "类别"                     # a table holding several items …
    item_values = ["行政处罚"]               # … and the values that mean this one

The structure is checked when the configuration is loaded (``from_toml``); field names and item
ids are checked against the catalogue when it is loaded (:func:`check_mapping`), with the closest
names suggested. The mapping is applied by making each mapped heading an alias of its field
(:func:`apply_columns`): files and tables are then read by one heading index.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.rules.catalogue import CatalogItem, Catalogue, FieldSpec, normalise_title

Pairs = tuple[tuple[str, str], ...]
_TABLE_KEYS = {"table", "schema", "query", "key", "item_column", "item_values"}
_SOURCE_KEYS = {"url", "password_env", "password_file", "yield_per"}
ENV_PREFIX = "env:"
"""A URL ``env:NAME`` is read from the environment variable NAME (credentials stay out of files and argv)."""


@dataclass(frozen=True)
class TableSpec:
    """Where one catalogue item's rows are in the database: a table (or view), or a query."""

    item: str
    table: str = ""
    """Table or view name, exactly as in the database (quoted, never pasted into SQL)."""
    schema: str | None = None
    query: str = ""
    """A SELECT written by the site's operator, read as a subquery (instead of ``table``)."""
    key: tuple[str, ...] = ()
    """Primary key columns: the order rows are read and hashed in, named in quarantine messages."""
    item_column: str = ""
    item_values: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the source is named in reports: the table's name, or ``query:<item>``."""
        return self.table or f"query:{self.item}"


@dataclass(frozen=True)
class SourceSettings:
    """The ``[sources]`` section: the database URL, its credentials and the tables of the items."""

    url: str = ""
    """SQLAlchemy URL without a password (``sqlite:///data/demo.sqlite``, ``postgresql+psycopg://user@host/db``),
    or ``env:NAME``; empty: build from ``paths.records``. ``build --source`` overrides it."""
    password_env: str = ""
    """Environment variable holding the database password."""
    password_file: Path | None = None
    """File holding the database password (outside the site folder)."""
    yield_per: int = 1000
    """Rows fetched per round trip from the server-side cursor (bounds memory)."""
    tables: tuple[TableSpec, ...] = ()
    """``[sources.<item>]`` tables; an item without one is read from the table named by its id, title or file names."""

    def table_for(self, item: str) -> TableSpec | None:
        """The configured table of ``item``, if any."""
        return next((t for t in self.tables if t.item == item), None)

    @classmethod
    def from_toml(cls, name: str, values: dict[str, Any], errors: list[str]) -> SourceSettings:
        """Parse ``[sources]``, appending ``Config value 'sources.x': …`` lines to ``errors``."""
        kwargs: dict[str, Any] = {}
        tables = []
        for key, value in values.items():
            where = f"Config value '{name}.{key}'"
            if isinstance(value, dict):
                tables.append(_table(f"{name}.{key}", key, value, errors))
            elif key not in _SOURCE_KEYS:
                errors.append(f"{where}: unknown option (or an item's table, which must be a table [{name}.{key}])")
            elif key == "yield_per":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    errors.append(f"{where}: expected a positive integer, got {value!r}")
                else:
                    kwargs[key] = value
            elif not isinstance(value, str) or not value:
                errors.append(f"{where}: expected a string, got {value!r}")
            elif key == "password_file":
                kwargs[key] = Path(value)
            else:
                kwargs[key] = value
        url = kwargs.get("url", "")
        if url and not url.startswith(ENV_PREFIX) and _has_password(url):
            errors.append(f"Config value '{name}.url': must not hold a password (the configuration is committed "
                          "with the site); use password_env, password_file or url = \"env:NAME\"")
            kwargs.pop("url")
        return cls(**kwargs, tables=tuple(t for t in tables if t is not None))


@dataclass(frozen=True)
class ColumnSettings:
    """The ``[columns]`` section: the site's own headings, for every item and per item."""

    shared: Pairs = ()
    """``<heading> = <field name>`` for every item that has the field."""
    items: tuple[tuple[str, Pairs], ...] = ()
    """``[columns.<item>]``: ``<heading> = <field name>`` for one item."""

    def for_item(self, item: CatalogItem) -> dict[str, str]:
        """Heading -> field name for ``item``: the shared entries it has a field for, then its own."""
        names = {f.name for f in item.fields}
        mapping = {h: f for h, f in self.shared if f in names}
        mapping.update(next((pairs for i, pairs in self.items if i == item.id), ()))
        return mapping

    @classmethod
    def from_toml(cls, name: str, values: dict[str, Any], errors: list[str]) -> ColumnSettings:
        """Parse ``[columns]``, appending ``Config value 'columns.x': …`` lines to ``errors``."""
        shared: list[tuple[str, str]] = []
        items: list[tuple[str, Pairs]] = []
        for key, value in values.items():
            if isinstance(value, dict):
                items.append((key, _pairs(f"{name}.{key}", value, errors)))
            elif isinstance(value, str) and value:
                shared.append((key, value))
            else:
                errors.append(f"Config value '{name}.{key}': expected a catalogue field name (string) or a table "
                              f"[{name}.<item>], got {value!r}")
        return cls(tuple(shared), tuple(items))


def _pairs(where: str, values: dict[str, Any], errors: list[str]) -> Pairs:
    pairs = []
    for heading, value in values.items():
        if isinstance(value, str) and value:
            pairs.append((heading, value))
        else:
            errors.append(f"Config value '{where}.{heading}': expected a catalogue field name (string), got {value!r}")
    return tuple(pairs)


def _table(where: str, item: str, values: dict[str, Any], errors: list[str]) -> TableSpec | None:
    before = len(errors)
    for key in sorted(set(values) - _TABLE_KEYS):
        errors.append(f"Config value '{where}.{key}': unknown option (one of {', '.join(sorted(_TABLE_KEYS))})")
    text = {k: v for k, v in values.items() if k in {"table", "schema", "query", "item_column"}}
    for key, value in text.items():
        if not isinstance(value, str) or not value.strip():
            errors.append(f"Config value '{where}.{key}': expected a non-empty string, got {value!r}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("key", "item_values"):
        value = values.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            errors.append(f"Config value '{where}.{key}': expected a column name or a list of strings, got {value!r}")
        else:
            lists[key] = tuple(value)
    if ("table" in values) == ("query" in values):
        errors.append(f"Config value '{where}': give exactly one of 'table' and 'query'")
    if bool(values.get("item_column")) != bool(lists.get("item_values")):
        errors.append(f"Config value '{where}': 'item_column' and 'item_values' go together")
    if len(errors) > before:
        return None
    return TableSpec(item, table=values.get("table", ""), schema=values.get("schema"), query=values.get("query", ""),
                     key=lists["key"], item_column=values.get("item_column", ""), item_values=lists["item_values"])


def _has_password(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password is not None
    except (ArgumentError, ValueError):
        return False


def check_mapping(catalogue: Catalogue, columns: ColumnSettings, sources: SourceSettings) -> list[str]:
    """Problems of ``[columns]`` and ``[sources.<item>]`` against the catalogue, one line each, closest names suggested."""
    errors = []
    every = {f.name for i in catalogue.items for f in i.fields}
    for heading, name in columns.shared:
        if name not in every:
            errors.append(f"Config value 'columns.{heading}': unknown field {name!r}{_closest(name, sorted(every))}")
    for item_id, pairs in columns.items:
        if item_id not in catalogue.ids:
            errors.append(f"Config value 'columns.{item_id}': unknown catalogue item{_closest(item_id, catalogue.ids)}")
            continue
        item = catalogue[item_id]
        names = [f.name for f in item.fields]
        for heading, name in pairs:
            if name not in names:
                errors.append(f"Config value 'columns.{item_id}.{heading}': unknown field {name!r} of {item_id}"
                              f"{_closest(name, names + [f.title for f in item.fields])}")
    for item in catalogue.items:
        owners = {normalise_title(h): f.name for f in item.fields for h in (f.title, f.name)}
        for heading, name in columns.for_item(item).items():
            owner = owners.get(normalise_title(heading), name)
            if owner != name:
                errors.append(f"Config value 'columns.{item.id}.{heading}': is the catalogue's own name of field {owner}; "
                              f"it cannot also name {name}")
    for spec in sources.tables:
        if spec.item not in catalogue.ids:
            errors.append(f"Config value 'sources.{spec.item}': unknown catalogue item{_closest(spec.item, catalogue.ids)}")
    return errors


def apply_columns(catalogue: Catalogue, columns: ColumnSettings) -> Catalogue:
    """The catalogue with the site's headings as the first aliases of their fields (taken from any other field)."""
    if not columns.shared and not columns.items:
        return catalogue
    items = []
    for item in catalogue.items:
        mapping = {normalise_title(h): (h, f) for h, f in columns.for_item(item).items()}
        fields = []
        for spec in item.fields:
            own = tuple(h for h, f in mapping.values() if f == spec.name)
            kept = tuple(a for a in spec.aliases if normalise_title(a) not in mapping)
            fields.append(dataclasses.replace(spec, aliases=own + kept))
        items.append(dataclasses.replace(item, fields=tuple(fields)))
    return dataclasses.replace(catalogue, items=tuple(items))


def closest_titles(heading: str, item: CatalogItem, n: int = 3) -> list[str]:
    """The catalogue titles of ``item`` closest to ``heading`` (by its title, name and aliases), best first."""
    names = {normalise_title(h): f.title for f in item.fields for h in (f.title, f.name, *f.aliases)}
    found = difflib.get_close_matches(normalise_title(heading), list(names), n=n * 3, cutoff=0.4)
    return list(dict.fromkeys(names[h] for h in found))[:n]


def suggestion(heading: str, item: CatalogItem) -> str:
    """``；最接近的目录列：…`` for a warning about an unknown heading, or ``""`` when nothing is close."""
    close = closest_titles(heading, item)
    return f"；最接近的目录列：{'、'.join(close)}" if close else ""


def unrecognised(item: CatalogItem, rows: list[list[str]]) -> str:
    """What to tell an operator whose file has no recognisable heading row: its headings, the closest
    catalogue titles and a ``[columns.<item>]`` block to complete, so the mapping can be written in one go."""
    candidates = [r for r in rows if sum(1 for c in r if c.strip()) >= 2]
    if not candidates:
        return ""
    index = item.header_index()
    headings = [c.strip() for c in candidates[0] if c.strip() and normalise_title(c) not in index]
    lines = []
    for heading in headings[:40]:
        close = closest_titles(heading, item)
        field = item.fields[[f.title for f in item.fields].index(close[0])].name if close else "?"
        hint = f"  # 最接近：{'、'.join(close)}" if close else "  # 无相近的目录列"
        lines.append(f'  "{heading}" = "{field}"{hint}')
    return (f"; unrecognised headings: {'、'.join(headings)}. Map them in site_builder.toml "
            f"(check each guess):\n  [columns.{item.id}]\n" + "\n".join(lines))


def _closest(name: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    return f" (closest: {', '.join(close)})" if close else ""


DECIDING_ROLES = ("publish_status", "disclosure_level", "objection_status", "objection_date", "repair_date")
"""Roles of the fields whose value withholds a record (not approved, not public, under objection, repaired)."""
KEY_TERMS = ("异议", "修复", "截止", "公示期", "移出", "移除", "退出", "撤销", "撤回", "公开", "审核", "发布", "有效期")
"""Words that make a heading look like a field that decides publication: a field's key terms are those its title or
an alias holds (异议 for 异议状态 and 异议提出日期, 截止 for 公示截止期, 移出 for 移出日期 …)."""
DATE_WORDS = ("日期", "时间", "日", "期", "时")
"""A heading that may be a date column holds one of these (异议结果 is no 异议提出日期)."""


def deciding_fields(item: CatalogItem) -> tuple[FieldSpec, ...]:
    """The fields of ``item`` whose value withholds a record or ends its publication: the roles of
    :data:`DECIDING_ROLES` and the period's end and removal dates (公示截止期, 有效期至, 移出日期)."""
    names = {f.name for f in item.fields if f.role in DECIDING_ROLES}
    for version in item.period.versions:
        names.update(version.ends_at, version.removed_on)
    return tuple(f for f in item.fields if f.name in names)


def key_terms(spec: FieldSpec) -> tuple[str, ...]:
    """The :data:`KEY_TERMS` that the title or an alias of ``spec`` holds."""
    written = [normalise_title(h) for h in (spec.title, *spec.aliases)]
    return tuple(t for t in KEY_TERMS if any(t in w for w in written))


def resembled_fields(item: CatalogItem, headings: list[str], columns: dict[int, str]) -> list[tuple[int, str, FieldSpec]]:
    """Unknown headings that look like a field deciding publication which has no column in the file:
    ``(position, heading, field)``, one per heading (the first field it looks like, in catalogue order).

    A heading looks like a field when it holds one of the field's key terms (:func:`key_terms`) and, for a date
    field, a word of a date (:data:`DATE_WORDS`): ``异议处理状态`` looks like 异议状态, ``修复办结时间`` like
    信用修复日期, ``公示截止期限`` like 公示截止期. Read as an unknown column, such a heading would let records be
    published that the field would withhold, so the loader refuses the file's rows until it is mapped.
    """
    index = item.header_index()
    present = set(columns.values())
    missing = [(f, key_terms(f)) for f in deciding_fields(item) if f.name not in present]
    found = []
    for position, heading in enumerate(headings):
        text = normalise_title(heading)
        if not text or text in index:
            continue
        for spec, terms in missing:
            if any(t in text for t in terms) and (spec.type != "date" or any(w in text for w in DATE_WORDS)):
                found.append((position, heading.strip(), spec))
                break
    return found
