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
import re
from dataclasses import dataclass
from decimal import Decimal
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


DECIDING_ROLES = ("publish_status", "disclosure_level", "objection_status", "objection_date", "repair_date",
                  "decision_status")
"""Roles of the fields whose value withholds a record (not approved, not public, under objection, repaired, a penalty
decision revoked: 当前状态)."""
TERM_FAMILIES = (
    ("异议",),
    ("修复",),
    ("截止", "截至", "终止", "停止", "结束", "到期", "期满", "届满"),
    ("公示期",),
    ("移出", "移除", "退出", "撤出", "撤销", "撤回", "解除", "删除"),
    ("公开", "使用范围", "共享"),
    ("审核", "发布"),
    ("有效期",),
    ("处罚类", "处罚种", "罚种"),
    ("处罚内容", "处罚结果", "处罚情况"),
    ("罚款", "罚没", "罚金"),
    ("没收",),
    ("暂扣", "吊销", "吊扣"),
)
"""Words that make a heading look like a field that decides publication, in families of words that say the same
(截止 截至 终止 停止 结束 到期: the end of something; 移出 退出 撤销 解除: a removal). A field's key terms are the
families one of whose words its title, an alias or a value holds (异议 for 异议状态 and 异议提出日期, the end family
for 公示截止期, 罚款 for 罚款金额（万元）, 撤销 and 异议 for a 当前状态 whose values are 撤销 and 异议 …)."""
KEY_TERMS = tuple(t for family in TERM_FAMILIES for t in family)
"""Every word of :data:`TERM_FAMILIES`."""
DATE_WORDS = ("日期", "时间", "日", "期", "时")
"""A heading that may be a date column holds one of these (异议结果 is no 异议提出日期)."""
STATUS_WORDS = ("状态", "情况", "结果", "是否", "有无", "标志", "标识", "标记")
"""A heading that states whether something happened rather than when (修复状态, 是否修复, 信用修复情况): where the item
has only a date for it (信用修复日期), such a column decides publication and cannot be read as the date."""
_OF_THE_SUBJECT = ("经营", "登记", "企业", "主体", "相对人", "当事人", "单位", "存续", "营业")
"""Words of a heading that states the subject's own state (经营状态, 登记状态, 企业状态: 存续, 注销), not the record's."""


def deciding_fields(item: CatalogItem) -> tuple[FieldSpec, ...]:
    """The fields of ``item`` whose value withholds a record or ends its publication: the roles of
    :data:`DECIDING_ROLES`, the period's end and removal dates (公示截止期, 有效期至, 移出日期), and what decides
    whether a penalty is 轻微 (its severity, procedure, kinds, text, and the fields of its other sanctions: a fine
    hidden in an unread column would let a 警告+罚款 penalty be withheld as a warning alone)."""
    names = {f.name for f in item.fields if f.role in DECIDING_ROLES}
    for version in item.period.versions:
        names.update(version.ends_at, version.removed_on, version.other_sanctions)
        names.update(n for n in (version.penalty_type, version.penalty_content, version.severity,
                                 version.summary_procedure) if n)
    return tuple(f for f in item.fields if f.name in names)


def joined_fields(item: CatalogItem) -> frozenset[str]:
    """Fields that a file may give in several columns, read together: a penalty's kinds (``处罚类别1``, ``处罚类别2``
    of the 2016 双公示 standard, read as ``警告；罚款``), which the 轻微 rule reads as a list."""
    return frozenset(v.penalty_type for v in item.period.versions if v.penalty_type)


def key_terms(spec: FieldSpec, item: CatalogItem | None = None) -> tuple[str, ...]:
    """The words of the :data:`TERM_FAMILIES` of which the title or an alias of ``spec`` holds one, and, for an
    enumeration, those of which a value's label holds one (a synonym only where its label does too) and that no heading
    of another deciding field of ``item`` holds
    (当前状态 with the values 撤销 and 异议 takes the removal family, but not 异议, which 异议状态's headings hold)."""
    def families(texts: list[str]) -> set[int]:
        return {i for i, family in enumerate(TERM_FAMILIES) if any(w in text for w in family for text in texts)}

    own = families([normalise_title(h) for h in (spec.title, *spec.aliases)])
    if spec.values:
        others = families([normalise_title(h) for f in (deciding_fields(item) if item else ()) if f.name != spec.name
                           for h in (f.title, *f.aliases)])
        for code, label in spec.values.items():
            # A synonym adds no family its value's label lacks: 异议不成立's 撤回异议, 驳回 (an objection withdrawn or
            # dismissed) do not make every 撤销 or 解除 heading look like 异议状态.
            held = families([normalise_title(label)])
            own |= (held | families([normalise_title(x) for x in (spec.synonyms or {}).get(code, ())]) & held) - others
    return tuple(t for i, family in enumerate(TERM_FAMILIES) if i in own for t in family)


def resembled_fields(item: CatalogItem, headings: list[str], columns: dict[int, str]) -> list[tuple[int, str, FieldSpec]]:
    """Unknown headings that look like a field deciding publication: ``(position, heading, field)``, one per heading.

    A heading looks like a field when it holds one of the field's key terms (:func:`key_terms`) and, for a date field,
    a word of a date (:data:`DATE_WORDS`) or of a state (:data:`STATUS_WORDS`): ``异议处理状态`` looks like 异议状态,
    ``修复办结时间`` like 信用修复日期, ``公示终止日期`` like 公示截止期, ``罚没金额（美元）`` like 罚款金额（万元）. It is
    reported when that field has no column in the file (the first such field, in catalogue order), or when it states a
    state (``修复状态``, ``是否修复``) of which the item knows only the date (no field that is not a date holds the
    term): read as an unknown column, such a heading would let records be published that the field would withhold, so
    the loader refuses the file's rows until it is mapped.
    """
    index = item.header_index()
    present = set(columns.values())
    deciding = [(f, key_terms(f, item)) for f in deciding_fields(item)]
    undated = {t for f, terms in deciding if f.type != "date" for t in terms}
    own_state = own_state_given(item, present)
    found = []
    for position, heading in enumerate(headings):
        text = normalise_title(heading)
        if not text or text in index or position in columns or states_gone(item, text, own_state):
            continue  # a column asking whether the record is gone is read row by row (stated_columns)
        text = without_bracket_legend(text)  # 记录状态(1正常,2删除): a state read row by row by its legend
        dated = any(w in text for w in DATE_WORDS)
        state = not dated and any(w in text for w in STATUS_WORDS)
        for spec, terms in deciding:
            held = [t for t in terms if t in text]
            if not held:
                continue
            # A state read as a date only where no field that is not a date holds the term (异议结果 is 异议状态's).
            stated = state and not any(t in undated for t in held)
            if spec.name not in present and (spec.type != "date" or dated or stated) or spec.type == "date" and stated:
                found.append((position, heading.strip(), spec))
                break
    return found


RECORD_STATE = FieldSpec(name="record_state", title="记录状态", type="string", required=False, disclosure="withheld")
"""The state of a record of an item that has no field for it (:func:`stated_columns`): what a column may say of it
(已撤销, 已移出, 已屏蔽, 无效) withholds the record, though no field of the item can take it."""


RECORD_STATE_HEADINGS = frozenset({"状态", "当前状态", "记录状态", "数据状态", "信息状态", "公示状态", "名单状态", "列入状态",
                                    "荣誉状态", "表彰状态", "判决状态", "判决书状态"})
"""Headings that name a record's own state, where the item has no field for it (:data:`RECORD_STATE`)."""
DATA_STATE_HEADINGS = frozenset({"记录状态", "数据状态", "信息状态"})
"""Of those, the headings that name the state of the data record itself, not of what it describes: read on basic
information too (a licence, a registration: :func:`stated_columns`), whose 状态 or 当前状态 is the licence's own
(有效, 注销, shown as such), while its 数据状态 已删除, 无效 or 作废 says the record is gone."""
YES_NO_GONE = re.compile(r"(?:数据|记录|信息)?(?:是否(?:已经|已|被|已被)?(?:逻辑)?|有无)(?:撤销|撤消|移出|移除|屏蔽|解除|取消|删除|"
                         r"失效|作废|退出|废止|出列|无效)(?:名单|荣誉|称号|表彰|列入|认定|处罚决定|处罚|决定|公示)?|(?:逻辑|软)?(?:撤销|撤消|移出|移除|屏蔽|解除|取消|删除|"
                         r"失效|作废|退出|出列)(?:标志|标识|标记|状态|情况)|(?:is_?)?del(?:ete)?(?:d)?(?:_?(?:flag|mark|status))?|sfsc|scbz"
                         r"|is_?(?:removed|revoked|withdrawn|invalid|cancell?ed)|(?:removed|revoked|withdrawn)_?(?:flag|mark)")
"""Headings asking whether a record is gone (是否撤销, 是否已移出, 是否出列, 是否无效, 撤销标志, 移出状态, ``is_removed``):
where the item has no field for the record's state, such a column is read as :data:`RECORD_STATE` (a 是 there withholds
the row), not refused whole as a column like the item's date of removal (撤销日期)."""
YES_NO_KEPT = re.compile(r"(?:数据|记录|信息)?是否(?:有效|生效|在列|在册|在名单内|仍在名单|处于有效期|在有效期内?)"
                         r"|有效(?:标志|标识|标记|状态)|is_?valid|valid_?flag|sfyx|yxbz")
"""Headings asking whether a record still stands (是否有效, 是否在列): a 否 there withholds the row."""
REASON_GONE = re.compile(r"(?:撤销|撤消|移出|移除|屏蔽|解除|取消|删除|退出)(?:名单|荣誉|称号|表彰|列入|处罚决定|处罚|决定)?"
                         r"(?:原因|事由|理由|文号|依据|说明)"
                         r"|deleted_?(?:at|time|date)|delete_?(?:time|date)")
"""Headings of why or by which document a record was removed or revoked (移出原因, 撤销原因, 撤销文号), or when a
system deleted it (``deleted_at``): any value there (not a placeholder) says that the record is gone."""


DELETED = re.compile(r"(?:数据|记录|信息)?(?:是否(?:已经|已|被|已被)?(?:逻辑)?|有无)删除|(?:逻辑|软)?删除(?:标志|标识|标记|状态|情况)"
                     r"|(?:is_?)?del(?:ete)?(?:d)?(?:_?(?:flag|mark|status))?|deleted_?(?:at|time|date)|delete_?(?:time|date)"
                     r"|sfsc|scbz")
"""Headings of a system's logical deletion (是否删除, 删除标志, ``del_flag``, ``is_deleted``, ``deleted_at``): a record so
marked is gone, whatever the item."""
_PENALTY_GONE = re.compile(r"(?:数据|记录|信息)?(?:是否(?:已经|已|被|已被)?(?:逻辑)?|有无)(?:撤销|撤消|屏蔽|删除|失效|作废|废止|移出|移除)"
                           r"(?:处罚|决定|处罚决定|公示|名单)?|(?:逻辑|软)?(?:撤销|撤消|屏蔽|删除|失效|作废)(?:标志|标识|标记|状态|情况)"
                           r"|(?:移出|移除)(?:标志|标识|标记)"
                           r"|(?:数据|记录|信息)?是否(?:有效|生效)|有效(?:标志|标识|标记|状态)|is_?valid|valid_?flag|sfyx|yxbz"
                           r"|(?:撤销|撤消|删除|屏蔽)(?:处罚|决定|处罚决定)?(?:原因|事由|理由|文号|依据|说明)")
"""Of those, what a penalty's columns ask of the penalty itself: revoked, deleted or void, or in force (是否撤销, 是否有效,
撤销原因), or taken off the public list (是否移出, 移出标志: a penalty is on no list of dishonesty, but a platform
writing 是否移出 是 on a penalty row took it off publication; it had been published). Not 是否解除 or 解除原因 (a
licence's suspension lifted), 是否在有效期内 (the penalty's own term, which does not end its publication), nor 移出原因
or 移出状态, which a penalty file may say of other things."""


def own_state_given(item: CatalogItem, present: set[str]) -> bool:
    """Whether a file whose columns give the fields ``present`` has the item's field of the record's state (a penalty's
    当前状态), or the item has none."""
    return not any(f.role == "decision_status" and f.name not in present for f in item.fields)


def states_gone(item: CatalogItem, text: str, own_state: bool = True) -> bool:
    """Whether the normalised heading ``text`` asks whether a record of ``item`` is gone or still stands
    (:data:`YES_NO_GONE`, :data:`YES_NO_KEPT`) or says why it was removed (:data:`REASON_GONE`): such a column is
    read row by row as :data:`RECORD_STATE`. For adverse and good information (a penalty too, beside its 当前状态:
    ``del_flag`` 1 or 是否有效 否 had been published), any of them; for basic information (a licence, a
    registration), whose state is shown rather than deciding, only a logical deletion (:data:`DELETED`). A penalty's
    columns are read so where they ask it of the penalty itself (:data:`_PENALTY_GONE`). Where the file has no 当前状态
    column (``own_state`` false), a state so headed (撤销状态, 有效状态) may be the 当前状态 itself, holding 异议 (a record
    under objection) or the codes 0 正常, 1 撤销: it is read as that field instead (``stated_columns``), and only
    questions, flags and reasons (是否撤销, 删除标志, 撤销原因) and deletion states (删除状态) are read so. A legend of codes
    in brackets at the heading's end (``是否删除（0否1是）``) is left out (:func:`without_legend`)."""
    text = without_legend(text)[0]
    if any(f.role == "decision_status" for f in item.fields):
        state = not own_state and text.endswith(("状态", "情况"))
        return (_PENALTY_GONE.fullmatch(text) is not None and not state) or DELETED.fullmatch(text) is not None
    if item.nature in ("adverse", "good"):
        return any(p.fullmatch(text) is not None for p in (YES_NO_GONE, YES_NO_KEPT, REASON_GONE))
    return DELETED.fullmatch(text) is not None


_LEGEND = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]$")
_LEGEND_TOKEN = re.compile(r"[0-9]+|[a-z](?![a-z])|[a-z]{2,}|[\u4e00-\u9fff]+")
_FILLER = ("表示", "代表", "为", "是指", "或")
_CLAUSE = re.compile(r"[,，;；、。]")
_LABEL = re.compile(r"^[^:：0-9a-z]{4,}[:：]")
"""A clause's own label before a colon (``逻辑删除标识：0正常1删除``), not a legend's word (``是：1``, ``删除：1``)."""
_CODE = re.compile(r"[0-9]|(?<![a-z])[a-z](?![a-z])")
_DEFAULT = re.compile(r"默认|缺省")
_NOTE = re.compile(r"(?:备注|注释|注明|注意(?=[:：]|[\s\W_]*[0-9a-zA-Z])|注\d+(?=[:：])|注(?![销册意]))[:：]?"
                   r"|说明[:：]?|取值[:：]?|其中[:：]?|或")
"""Words around a legend's pairs: a note's mark (注：1为已删除, 注1为已删除, 注-1是, 注Y是, 注意：1为删除, 注意1为删除, 备注：,
注释：, 注明：, a numbered note's 注1：2为注销), 取值0否1是, 0或1. 注 is a note's mark but where it starts 注销 or 注册
(``许可状态（0有效；1注销）``, ``状态（1注册2注销）``; taken for a mark, 注销 had been read as 销, and a licence coded 注销
shown as 有效), and 注意 only before a colon or a code (``状态（0正常；1注意）``: the word)."""
UNREADABLE_LEGEND = (("", ""),)
"""What :func:`without_legend` gives for a legend it cannot pair: every code under the heading is then unreadable."""


def without_legend(title: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A normalised heading without the brackets at its end, and what the legend of its codes among them says each code
    means: code first (``是否删除(0否1是)``, ``删除标志(1删除)``, ``(1=正常,9=删除)``) or word first (``(是:1 否:0)``,
    ``(是y否n)``), codes and words alternating; ``()`` where no bracket is one (``(y/n)``, ``(必填)``);
    :data:`UNREADABLE_LEGEND` for one that does not alternate, which cannot be paired safely (``是：1 否：0`` read code
    first had read 1 as 否).

    The legend is the bracket that pairs codes with words, whichever of the brackets it is: a note beside it, before
    or after, holding no code (``(必填)``, ``(单选)``), only codes (``(v2)``) or a number of three digits or more (a year or
    an edition, ``(2023版)``), is left out (``是否有效（2023版）（1有效0无效）``, ``是否删除(v2)(0否1是)``: read as the last
    bracket only, the column had stayed unknown and a deleted penalty was published). A bracket pairing one code only
    is a legend where its word is one of a state or an answer (:data:`_LEGEND_WORD`: ``（1有效）``), else a note
    (``（3月后停用）``: read as a legend and chosen, it had put 1 and 0 outside it). Several legends are read as one
    (``数据状态（1有效）（0无效）``); if they give one code two words (``（1有效）（1无效）``), none can be trusted:
    :data:`UNREADABLE_LEGEND`."""
    bare, readings = title, []
    while (found := _LEGEND.search(bare)) is not None and found.start():
        readings.append(_legend_pairs(found.group(1)))
        bare = bare[:found.start()]
    legends = [r for r in readings if r and r != UNREADABLE_LEGEND
               and (len(r) >= 2 or any(_LEGEND_WORD.fullmatch(word) for _, word in r))]
    merged: dict[str, str] = {}
    for reading in reversed(legends):
        for code, word in reading:
            if merged.setdefault(code, word) != word:
                return bare, UNREADABLE_LEGEND
    unpaired = UNREADABLE_LEGEND if UNREADABLE_LEGEND in readings else ()
    legend = tuple(merged.items()) or unpaired
    return (bare, legend) if readings else (title, ())


_LEGEND_WORD = re.compile(r"(?:已经?|未|不|非|无|被|已被|逻辑|物理|软|正常)?(?:是|否|yes|no|true|false|有效|无效|正常|删除|删|"
                          r"撤销|撤消|撤|撤回|移出|移除|在列|出列|作废|失效|生效|异议|屏蔽|停用|启用|禁用|注销|公示|公开|取消|解除|过期|在册|存续|"
                          r"待审核|审核中|在用|发布|上线|下线|下架|草稿|暂存|归档|正式|上报|推送|"
                          r"valid|invalid|deleted|normal|active|inactive)(?:中|状态)?")
"""A word that makes a bracket pairing one code a legend (``（1有效）``, ``（2为待审核）``): a state or an answer."""


def _legend_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """What the text of one bracket says each code means (see :func:`without_legend`): its pairs, ``()`` if it is a
    note, or :data:`UNREADABLE_LEGEND`."""
    clauses = [_LABEL.sub("", c) for c in _CLAUSE.split(text) if not _DEFAULT.search(c)]  # 默认0: no pair
    text = _NOTE.sub("", ",".join(c for c in clauses if _CODE.search(c)))  # 为空表示否, 下同, 数据来源：…: no code
    tokens = [(token, token.isdigit() or len(token) == 1 and token.isascii()) for token in _LEGEND_TOKEN.findall(text)]
    tokens = [(token if code else _unfilled(token), code) for token, code in tokens]
    tokens = [(token, code) for token, code in tokens if token]
    if not any(code for _, code in tokens) or all(code for _, code in tokens) or any(code and len(token) > 2 for token, code in tokens):
        return ()
    kinds = [code for _, code in tokens]
    if len(tokens) % 2 or any(kinds[i] == kinds[i + 1] for i in range(len(kinds) - 1)):
        # Codes and words that do not alternate (1/0：是/否) cannot be paired: codes are read as they read without a
        # legend if it says 是 and 否 only (1 is 是 under a question); otherwise nothing under it can be read.
        words = {token for token, code in tokens if not code}
        return () if words <= {"是", "否", "yes", "no"} else UNREADABLE_LEGEND
    return tuple((tokens[i][0], tokens[i + 1][0]) if kinds[i] else (tokens[i + 1][0], tokens[i][0])
                 for i in range(0, len(tokens), 2))


def _unfilled(word: str) -> str:
    """A legend's word without the filler before it (``为是``: 是)."""
    for filler in _FILLER:
        word = word.removeprefix(filler)
    return word


def stated_columns(item: CatalogItem, headings: list[str], columns: dict[int, str]) -> list[tuple[int, str, FieldSpec]]:
    """Unknown headings that may state the record's own state: ``(position, heading, field)``, one per heading.

    When ``item`` has a field of the record's state (role ``decision_status``, a penalty's 当前状态: a revoked decision
    is withheld) and the file has no column of it, a heading that states a state (``…状态``: 案件状态, 处罚决定当前状态,
    数据状态, ``状态`` alone), holds no key term of a deciding field (:func:`resembled_fields` sees those) and does not
    state the subject's state (:data:`_OF_THE_SUBJECT`: 经营状态, 登记状态) may be it. Its rows are not all refused (a
    platform's own columns, 推送状态 or 同步状态, are headed so too): the loader reads its cells and refuses the rows
    whose state reads as a revocation, an objection or a record no longer valid
    (:func:`~site_builder.sources.statewords.state_defects`).

    An item of adverse or good information without such a field (a list entry, a judgment, an honour) reads a heading
    naming the record's state (:data:`RECORD_STATE_HEADINGS`: 名单状态, 荣誉状态, 当前状态, ``状态``; not 社会组织状态 or
    上诉状态) as :data:`RECORD_STATE`: a list entry whose 名单状态 says 已移出 or 已屏蔽, an honour whose 荣誉状态 says
    已撤销, were published as if the column said nothing.

    A legend of codes after such a heading (``记录状态(1正常,2删除)``) is left out when the heading is read (its 删除 says
    what a code means, not that the column is a date of deletion: the whole file had been refused). Beside a
    penalty's 当前状态, a heading naming the record's state is read as :data:`RECORD_STATE`: its codes by such a legend
    (``数据状态（1有效0无效）``: its 0 had been published), its words as they say (数据状态 已删除, 无效, 作废 had been
    published beside 当前状态 正常); a bare code without a legend is not read there (what it means is not known, and
    the 当前状态 says the record's state).

    Basic information (a licence, a registration), whose state is shown rather than deciding, reads a heading naming
    the data record's own state (:data:`DATA_STATE_HEADINGS`: 数据状态, 记录状态, 信息状态) as :data:`RECORD_STATE`: a
    licence whose 数据状态 said 已删除, 无效 or 作废 was published. Its 状态, 许可状态 or 证照状态 is the licence's own: beside
    the item's own state field (当前状态) it is :data:`~site_builder.sources.licencestate.OWN_STATE`, read only where it
    contradicts that field.
    """
    from site_builder.sources.licencestate import OWN_STATE, own_state_heading, own_state_shown  # it imports this module

    index = item.header_index()
    present = set(columns.values())
    deciding = [(f, key_terms(f, item)) for f in deciding_fields(item)]
    stated_by = next((f for f, _ in deciding if f.role == "decision_status" and f.name not in present), None)
    own_state = own_state_given(item, present)
    stateful = any(f.role == "decision_status" for f in item.fields)
    if stated_by is None and item.nature in ("adverse", "good") and not stateful:
        stated_by = RECORD_STATE
    data_only = stated_by is None and not stateful  # basic information: only a data record's own state is read
    found = []
    for position, heading in enumerate(headings):
        text = normalise_title(heading)
        unknown = text not in index and position not in columns
        bare = without_bracket_legend(text)
        # 数据状态（1号文）, 名单状态（2类）: a state heading with a note after it is the state heading (its bare codes
        # had been published on a list, where 数据状态 alone withholds them)
        named = bare in RECORD_STATE_HEADINGS or without_legend(text)[0] in RECORD_STATE_HEADINGS
        asks = unknown and states_gone(item, text, own_state)
        if asks:
            found.append((position, heading.strip(), RECORD_STATE))  # 是否撤销, 是否已移出, 移出状态, 是否有效, del_flag
        if stated_by is None and stateful and unknown and not asks and named:
            found.append((position, heading.strip(), RECORD_STATE))  # beside 当前状态: 数据状态（1有效0无效）, 数据状态 已删除
        elif data_only and unknown and not asks and (bare in DATA_STATE_HEADINGS
                                                     or without_legend(text)[0] in DATA_STATE_HEADINGS):
            found.append((position, heading.strip(), RECORD_STATE))  # a licence's 数据状态 已删除, 作废, 无效
        elif data_only and unknown and not asks and own_state_heading(item, text) and own_state_shown(item, present):
            found.append((position, heading.strip(), OWN_STATE))  # 许可状态 已吊销 beside 当前状态 有效
        if stated_by is None or asks and stated_by is RECORD_STATE:
            continue
        if asks:  # a penalty file without 当前状态: 是否撤销 may be it, holding 异议处理中
            found.append((position, heading.strip(), stated_by))
            continue
        if stated_by is RECORD_STATE and not named:
            continue  # 社会组织状态, 证照状态, 上诉状态, 执行状态: another thing's state
        if (not text or not unknown or "状态" not in bare
                or any(t in bare for _, terms in deciding for t in terms) or any(w in bare for w in _OF_THE_SUBJECT)):
            continue
        found.append((position, heading.strip(), stated_by))
    return found


def without_bracket_legend(title: str) -> str:
    """A normalised heading without its brackets if one of them is a legend of codes (``记录状态(1正常,2删除)``:
    ``记录状态``; :func:`without_legend`), else as it is: a legend's words (删除, 撤销) say what the codes mean, not what
    the column is, while a note's may (``备注（撤销原因）``)."""
    bare, legend = without_legend(title)
    return bare if legend else title


_LOOSE_DROP = re.compile(r"[的、,，.。·/\\_\-—–()\[\]【】〔〕<>《》:：;；\"'“”‘’]+")
"""What a loose heading leaves out (after :func:`normalise_title`): 的, punctuation and brackets."""
_DATE_SUFFIX = re.compile(r"(?:日期|时间|日|期|时)$")
"""The word of a date at the end of a date column's heading: ``公示截止期``, ``公示截止日期``, ``公示截止时间`` and
``公示截止`` are one heading."""
_UNIT_SUFFIX = re.compile(r"\(?(?:单位:?)?(?:人民币)?(?:亿元|万元|千元|百元|元|亿|万|千|百)\)?$")
"""The unit at the end of a money column's heading: ``罚款金额（元）`` and ``罚款金额（万元）`` are one heading, read each
in its unit."""
_NUMBERED = re.compile(r"^(?P<base>.+?)(?:\(?\d{1,2}\)?|[一二三四五六七八九十])$")
"""A heading numbered after a field's (``处罚类别2``, ``处罚种类_2``, ``处罚类别（二）``)."""
_ENDS = TERM_FAMILIES[2]
"""Words of an end (截止, 到期, 结束 …): a heading ending in one names a date even without a word of a date."""
_SPELLINGS = (("截至", "截止"),)
"""Spellings of one word that headings use alike (公示截至日期 is 公示截止日期)."""


def loose_title(heading: str) -> str:
    """A heading as compared loosely: :func:`normalise_title`, the spellings of :data:`_SPELLINGS` made one, 的 and
    punctuation left out (``作出处罚决定的日期``, ``作出处罚决定日期``)."""
    text = normalise_title(heading)
    for spelling, word in _SPELLINGS:
        text = text.replace(spelling, word)
    return _LOOSE_DROP.sub("", text)


def _loose_keys(spec: FieldSpec, heading: str) -> set[tuple[str, str]]:
    """The loose forms of one heading of ``spec``, each with how it was made: ``("", key)`` as :func:`loose_title`;
    ``("date", key)`` without its date word for a date field; ``("number", key)`` without its unit for a money field."""
    text = normalise_title(heading)
    key = loose_title(text)
    keys = {("", key)}
    if spec.type == "date":
        keys.add(("date", _DATE_SUFFIX.sub("", key)))
    if spec.type == "number" and unit_of(spec) is not None:
        keys.add(("number", loose_title(_UNIT_SUFFIX.sub("", text))))
    return {k for k in keys if k[1]}


_LOOSE_INDEXES: dict[int, tuple[CatalogItem, dict[tuple[str, str], str]]] = {}
""":func:`loose_index` by item, made once per item (told apart by identity, and kept, as ``privacy.once_per`` does)."""


def loose_index(item: CatalogItem) -> dict[tuple[str, str], str]:
    """Loose forms of every heading of ``item`` (:func:`_loose_keys`) -> its field, leaving out a form two fields
    share (it is no evidence of either)."""
    kept = _LOOSE_INDEXES.get(id(item))
    if kept is not None and kept[0] is item:
        return kept[1]
    if len(_LOOSE_INDEXES) >= 1024:
        _LOOSE_INDEXES.clear()
    owners: dict[tuple[str, str], set[str]] = {}
    for f in item.fields:
        for heading in (f.title, f.name, *f.aliases):
            for key in _loose_keys(f, heading):
                owners.setdefault(key, set()).add(f.name)
    index = {key: next(iter(names)) for key, names in owners.items() if len(names) == 1}
    _LOOSE_INDEXES[id(item)] = (item, index)
    return index


def loose_field(item: CatalogItem, heading: str) -> str | None:
    """The field a heading that is no title, name or alias of ``item`` names in other words, if one does for sure:
    ``公示截至日期``, ``公示结束时间``, ``公示截止`` for 公示截止期; ``罚款金额（元）``, ``罚款金额（千元）`` for 罚款金额（万元）
    (read in its own unit: :class:`~site_builder.sources.headings.Layout`); ``作出处罚决定日期`` for 处罚决定日期."""
    index = loose_index(item)
    text = normalise_title(heading)
    plain = loose_title(text)
    candidates = [("", plain)]
    # Without its date word, a heading is a date's only when it names an end (公示截至, 公示截止): 处罚决定 is no date.
    if _DATE_SUFFIX.search(plain) or plain.endswith(_ENDS):
        candidates.append(("date", _DATE_SUFFIX.sub("", plain)))
    if heading_unit(heading) not in (None, foreign()):
        candidates.append(("number", loose_title(_UNIT_SUFFIX.sub("", text))))
    return next((index[key] for key in candidates if key in index), None)


def numbered_field(item: CatalogItem, heading: str) -> str | None:
    """The field whose heading ``heading`` is with a number after it (``处罚类别2`` for 处罚类别), if any."""
    match = _NUMBERED.match(normalise_title(heading))
    if match is None:
        return None
    base = match["base"].rstrip("_-")
    return item.header_index().get(base) or loose_field(item, base)


def unit_of(spec: FieldSpec) -> Decimal | None:
    """The unit of a money field (:func:`site_builder.rules.validation.unit`)."""
    from site_builder.rules.validation import unit

    return unit(spec)


def heading_unit(heading: str) -> str | None:
    """The unit a heading states (:func:`site_builder.rules.validation.heading_unit`)."""
    from site_builder.rules.validation import heading_unit as stated

    return stated(heading)


def foreign() -> str:
    """What :func:`heading_unit` gives for a foreign currency (:data:`site_builder.rules.validation.FOREIGN`)."""
    from site_builder.rules.validation import FOREIGN

    return FOREIGN


_DIGIT_CODE = re.compile(r"\d{1,3}(?:\.0+)?")


def digit_code(text: str) -> str | None:
    """The number a digit code is, as a spreadsheet or a data frame writes it (``1``, ``01``, ``1.0``: ``1``), or
    ``None`` if ``text`` is none (a year or an amount is not a code): a heading's legend and the site's ``[states]``
    table read codes alike."""
    return str(int(text.split(".")[0])) if _DIGIT_CODE.fullmatch(text) else None
