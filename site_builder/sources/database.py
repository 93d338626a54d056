"""Database sources: a catalogue item's rows read from a table, a view or a query, through SQLAlchemy.

A :class:`TableSource` is a source like a records file: ``read_rows`` reads it into the same
:class:`RawRow` objects (cell text by field name), which are then validated and decided by the same
code. Rows are streamed from a server-side cursor (``stream_results``, ``yield_per``) in primary key
order, and hashed in that order, so an auditor can tell whether two builds saw the same rows. A build
reads each table more than once (the first passes, then the rows): every read goes through one
connection in one read-only transaction, so all of them see the same rows (:meth:`Database.connect`).
An item may have several tables (``admin_penalty``, ``行政处罚`` and ``xzcf``), read one after the other
as an item's several records files are; a table several items share is split by ``item_column``. A table is any
relation rows are read from: a table, a view, a materialized view or a foreign table (:func:`relation_names`).
A configured ``query`` is the operator's SQL, sent as written (trailing semicolons dropped, no colon taken for a
parameter: :func:`query_clause`); a table it names is read, not "ignored" (:func:`named_in_query`).

Table and column names come from the configuration or the database and are always quoted by
SQLAlchemy, never pasted into SQL. What the driver returns is turned into cell text here: a NULL in
a required column, a value of the wrong type (a float where text is expected, text bytes that are
not UTF-8, a date no calendar holds such as ``-infinity``), or text over :data:`MAX_CELL` makes the
row quarantined, with table, key and column named (an integer or a UUID is the text it stands for:
:mod:`site_builder.sources.dbcells`). A missing table or column, an unreachable database
or a connection lost mid-read stops the build (:class:`InputError`). The password (from
``password_env``, ``password_file`` or an ``env:`` URL) never appears in a message, the manifest or a
log: sources are named by their URL without credentials, and the public manifest names the database by
its backend and name only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import sqlite3
import string
import warnings
import weakref
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from sqlalchemy import Connection, Engine, LargeBinary, Text, column, create_engine, inspect, literal_column, or_, select, table, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql.base import PGInspector
from sqlalchemy.engine import URL, Inspector, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SAWarning, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import BIND_PARAMS, BIND_PARAMS_ESC
from sqlalchemy.sql.elements import TextClause, quoted_name

from site_builder.config import MEMORY_DATABASE, memory_database
from site_builder.exceptions import ConfigError, InputError
from site_builder.rules.catalogue import CatalogItem, Catalogue, FieldSpec, load_catalogue, normalise_title
from site_builder.sources.dbcells import canonical, cell_text, number_text, shown, state_text, tolerate_far_dates
from site_builder.sources.headings import heading_units, refused_columns, settle_duplicates
from site_builder.sources.loading import (
    FileReport,
    RawRow,
    SourceFile,
    find_sources,
    map_headings,
    unclaimed_paths,
)
from site_builder.sources.mapping import (
    ENV_PREFIX,
    SourceSettings,
    TableSpec,
    apply_columns,
    check_mapping,
    joined_fields,
)
from site_builder.sources.pgread import AS_IS, Reading, reading
from site_builder.sources.states import apply_states, check_states
from site_builder.sources.statewords import ends_given, state_defects, states_record, watched_columns

if TYPE_CHECKING:
    from site_builder.config import Config

log = logging.getLogger(__name__)
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)  # never log statements or row values


class Database:
    """One database: its URL (with the password, never shown), the URL it is named by, and the build's connection."""

    def __init__(self, settings: SourceSettings, root: Path) -> None:
        self.settings = settings
        url = _full_url(settings, root)
        self._secrets = [url.password] if url.password else []
        self.name = _display(url, root)
        """The URL without user, password or query: what messages and logs say."""
        self.public = _public(url, root)
        """The backend and the database's name, without host, port or folder: what the public manifest says."""
        self._url = _read_only(url, self.name)
        self._engine: Engine | None = None
        self._connection: Connection | None = None

    def engine(self) -> Engine:
        """The engine (no pool: the one connection of :meth:`connect` is all a build opens; whichever thread reads next
        may use it, one at a time)."""
        if self._engine is None:
            try:
                self._engine = create_engine(self._url, poolclass=NullPool, connect_args=_connect_args(self._url))
            except (ArgumentError, NoSuchModuleError, ImportError) as exc:
                raise InputError(self.scrub(f"Database source {self.name}: cannot use it: {exc}")) from None
        return self._engine

    def connect(self) -> Connection:
        """The connection every read of this database goes through, in one read-only transaction.

        A build reads each table more than once (the pass that finds repeated record ids, then the rows; ``explain``
        and the leak scan again): read in separate transactions, a row committed in between would make two reads
        disagree, and a record id the first pass saw once could be published from the second although two rows
        claim it. So the first call opens the connection and its transaction (PostgreSQL: REPEATABLE READ, READ
        ONLY; SQLite: one read transaction, the file opened read-only), which last until :meth:`close` or until this
        object is dropped (or the connection is closed). An unreachable database or refused login is an
        :class:`InputError`.
        """
        if self._connection is None or self._connection.closed:
            try:
                connection = self.engine().connect()
            except SQLAlchemyError as exc:
                raise self.error(f"Database source {self.name}: cannot connect", exc) from None
            except (TypeError, UnicodeError) as exc:  # text the driver hands over as bytes (client_encoding SQL_ASCII)
                raise InputError(self.scrub(
                    f"Database source {self.name}: cannot connect: the server's answers are not text in a known encoding "
                    f"({type(exc).__name__}: {exc}); leave client_encoding out of the URL (the build asks for UTF8) "
                    "or set ?client_encoding=utf8")) from None
            try:
                _snapshot(connection)
            except (SQLAlchemyError, sqlite3.Error) as exc:
                connection.close()
                raise self.error(f"Database source {self.name}: cannot start a read-only transaction", exc) from None
            self._connection = connection
            weakref.finalize(self, connection.close)
        return self._connection

    def close(self) -> None:
        """End the transaction and close the connection (a later read opens a new one, seeing the rows then)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def scrub(self, message: str) -> str:
        """``message`` without the password."""
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return message

    def error(self, what: str, exc: BaseException) -> InputError:
        """An :class:`InputError` saying ``what`` with the driver's first line of explanation, scrubbed."""
        detail = str(exc.orig) if isinstance(exc, DBAPIError) and exc.orig is not None else str(exc)
        return InputError(self.scrub(f"{what}: {detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__}"))


@dataclass(frozen=True)
class TableSource(SourceFile):
    """A catalogue item's table (or query) in a database: a source read by ``read_rows`` like a file.

    ``name`` is ``<table>``, which quarantine reports and warnings use as the file's name.
    """

    url: str = ""
    """The database as the public manifest names it (:attr:`Database.public`): no host, port, user or folder."""
    table: str = ""
    spec: TableSpec = field(default_factory=lambda: TableSpec(""))
    database: Database | None = field(default=None, repr=False, compare=False)
    others: tuple[str, ...] = ()
    """The ``item_values`` of the other items read from the same table by the same ``item_column``: their rows."""
    reports_unclaimed: bool = True
    """Whether this source's warnings count the rows of its table that no item claims (the first of the items that
    share a table does, so that each such row is counted once)."""


def _parse_url(text: str, where: str) -> URL:
    """``text`` as an SQLAlchemy URL, or a :class:`ConfigError` saying ``where`` it came from (never echoing it)."""
    try:
        return make_url(text)
    except ArgumentError:
        raise ConfigError(f"{where}: not a database URL (sqlite:///path.db, postgresql+psycopg://user@host/db "
                          "or env:NAME)") from None


def with_source(config: Config, url: str | None) -> Config:
    """``config`` with ``build --source URL`` (a relative SQLite path is taken from the current folder)."""
    if not url:
        return config
    if not url.startswith(ENV_PREFIX):
        parsed = _parse_url(url, "--source")
        if memory_database(url):
            raise ConfigError(f"--source {url!r} {MEMORY_DATABASE}")
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            url = parsed.set(database=os.path.abspath(parsed.database)).render_as_string(hide_password=False)
    sources: SourceSettings = config.sources
    return dataclasses.replace(config, sources=dataclasses.replace(sources, url=url))


def site_catalogue(config: Config) -> Catalogue:
    """The catalogue with the site's ``[columns]`` and ``[states]`` applied; ``[columns]``, ``[states]`` and
    ``[sources]`` checked against it."""
    catalogue = load_catalogue(config.catalogue_dirs)
    errors = check_mapping(catalogue, config.columns, config.sources)
    mapped = apply_columns(catalogue, config.columns)
    errors += check_states(mapped, config.states)
    if errors:
        raise ConfigError("The configuration does not fit the catalogue:\n  " + "\n  ".join(errors))
    return apply_states(mapped, config.states)


def select_sources(config: Config, catalogue: Catalogue) -> tuple[list[SourceFile], list[str]]:
    """The sources of a build and what is left unread: records files, or the tables of ``sources.url``.

    An item's tables are its configured one (``[sources.<item>]``), else every table named by its id, title or file
    names, in that order, whatever the case, as its records files would be (:func:`_named_tables`); a table is read
    for one item only, a configured one first.
    """
    settings: SourceSettings = config.sources
    if not settings.url:
        files = find_sources(config.paths.records, catalogue)
        return files, unclaimed_paths(config.paths.records, files)
    database = Database(settings, config.root)
    conn = database.connect()
    try:
        with _names(conn):
            names = relation_names(inspect(conn))
    except SQLAlchemyError as exc:
        raise database.error(f"Database source {database.name}: cannot list its tables", exc) from None
    configured = [spec for item in catalogue.items if (spec := settings.table_for(item.id)) is not None]
    claimed = {spec.table for spec in configured if spec.table}
    # Read through a query, not ignored; still found by the items they are named for (a query may join 登记信息).
    queried = {n for spec in configured if spec.query for n in named_in_query(spec.query, names, conn.dialect.name)}
    specs = []
    for item in catalogue.items:
        spec = settings.table_for(item.id)
        if spec is not None:
            specs.append(spec)
            continue
        for found in _named_tables(catalogue, item, names, database.name):
            if found not in claimed:
                claimed.add(found)
                specs.append(TableSpec(item.id, table=found))
    sources: list[SourceFile] = [
        TableSource(spec.item, Path(f"<{spec.label}>"), f"<{spec.label}>", database.public, spec.label, spec, database,
                    others, first)
        for spec, (others, first) in zip(specs, _shared(specs), strict=True)]
    read = claimed | queried
    ignored = [f"<{n}>" for n in names if n not in read and not n.startswith(("sqlite_", "_"))]
    return sources, ignored


def _named_tables(catalogue: Catalogue, item: CatalogItem, names: Sequence[str], where: str) -> list[str]:
    """The relations named for ``item`` (its id, title or file names), matched whatever their case as its records files
    are (``XZCF`` and ``Admin_Penalty`` as ``XZCF.csv``: a schema migrated from Oracle or DM names its tables in upper
    case, and a SQLite name is the same table in any case), in the order of its names.

    As for files (:func:`~site_builder.sources.loading.find_sources`): an item that has a relation named exactly as one
    of its names, or a name the catalogue gives two items in two cases, reads only the exact ones (a table an earlier
    version left unread is not published unreviewed on the day of an upgrade); two relations one name matches
    (``XZCF`` and ``xzcf``, two tables in PostgreSQL, which of them holds the records cannot be known) are an
    :class:`InputError` naming both (``where``: the database, as messages name it)."""
    owners: dict[str, set[str]] = {}
    for other in catalogue.items:
        for stem in (other.id, other.title, *other.files):
            owners.setdefault(stem.casefold(), set()).add(stem)
    stems = list(dict.fromkeys((item.id, item.title, *item.files)))
    exact = any(stem in names for stem in stems)
    found: list[str] = []
    for stem in stems:
        if len(owners[stem.casefold()]) > 1:
            found += [stem] if stem in names else []
            continue
        matches = [n for n in names if n.casefold() == stem.casefold()]
        if stem in matches:
            matches = [stem]  # an exact name wins over its twins in other cases (ADMIN_PENALTY beside admin_penalty)
        if len(matches) > 1:
            raise InputError(f"Database source {where}: the tables {' and '.join(repr(n) for n in matches)} both match the "
                             f"name {stem!r} of catalogue item {item.id} (table names are matched whatever their case, as "
                             f"records files are); name the one to read in [sources.{item.id}] table = \"…\", or rename "
                             "the other")
        found += [n for n in matches if not exact or n == stem]
    return list(dict.fromkeys(found))


def relation_names(insp: Inspector) -> list[str]:
    """The relations of the database's default schema (PostgreSQL: those the search path shows) whose rows an item
    can be read from: tables, views, materialized views and foreign tables, sorted.

    SQLAlchemy lists each kind apart (``get_table_names`` has neither materialized views nor foreign tables): a
    platform's 行政处罚 as a materialized view, or its ``xzcf`` as a foreign table, would otherwise be read as an empty
    item, and would not even be reported as ignored. A backend without a kind (SQLite) lists none of it."""
    names = set(insp.get_table_names()) | set(insp.get_view_names())
    try:
        names |= set(insp.get_materialized_view_names())
    except NotImplementedError:
        pass
    if isinstance(insp, PGInspector):
        names |= set(insp.get_foreign_table_names())
    return sorted(names)


_SQL_TOKENS = re.compile(r"""
      --[^\n]*                                    # a line comment
    | /\*.*?\*/                                    # a block comment (PostgreSQL nests them: the rest is read as SQL)
    | [eE]'(?:[^'\\]|\\.|'')*'                     # a string with backslash escapes (E'…')
    | '(?:[^']|'')*'                               # a string
    | \$(?P<tag>(?:[^\W\d]\w*)?)\$.*?\$(?P=tag)\$   # a dollar-quoted string ($$…$$, $x$…$x$)
    | "(?P<quoted>(?:[^"]|"")*)"                   # a quoted identifier
    | `(?P<backticked>[^`]*)`                      # SQLite's other quoted identifier
    | (?P<word>[^\W\d][\w$]*)                      # a key word or an unquoted identifier
    """, re.VERBOSE | re.DOTALL)


def named_in_query(query: str, names: Sequence[str], dialect: str) -> set[str]:
    """Which of ``names`` (relations) a configured query names: its identifiers outside strings and comments, compared
    as the database compares them: a quoted one exactly, an unquoted one in lower case (A to Z only, as PostgreSQL
    folds it); in SQLite any one regardless of case. A name that is also a column's, or a relation's in another
    schema, counts too: this decides what is reported as unread, never what is read."""
    quoted: set[str] = set()
    bare: set[str] = set()
    for token in _SQL_TOKENS.finditer(query):
        if token["quoted"] is not None:
            quoted.add(token["quoted"].replace('""', '"'))
        elif token["backticked"] is not None:
            quoted.add(token["backticked"])
        elif token["word"] is not None:
            bare.add(token["word"].translate(_ASCII_LOWER))
    if dialect == "sqlite":
        named = {n.translate(_ASCII_LOWER) for n in quoted | bare}
        return {n for n in names if n.translate(_ASCII_LOWER) in named}
    return {n for n in names if n in quoted or n in bare}


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _shared(specs: list[TableSpec]) -> list[tuple[tuple[str, ...], bool]]:
    """For each spec: the ``item_values`` of the other items split from the same table by the same ``item_column``,
    and whether it is the first of them. A value two items claim (as :func:`_item_value` compares them) is a
    :class:`ConfigError`: a row must belong to one item."""
    def place(spec: TableSpec) -> tuple[str | None, str, str, str]:
        return spec.schema, spec.table, spec.query, spec.item_column

    found = []
    for spec in specs:
        sharing = [s for s in specs if s.item_column and place(s) == place(spec)]
        others = [s for s in sharing if s is not spec]
        for other in others:
            clash = {_item_value(v) for v in spec.item_values} & {_item_value(v) for v in other.item_values}
            if clash:
                raise ConfigError(f"Config value 'sources.{other.item}.item_values': {sorted(map(str, clash))[0]!r} is also "
                                  f"an item value of sources.{spec.item} (table {spec.label}, column {spec.item_column}); "
                                  "a row belongs to one item only")
        found.append((tuple(v for s in others for v in s.item_values), not sharing or sharing[0] is spec))
    return found


def read_table(source: TableSource, item: CatalogItem, report: FileReport) -> Iterator[RawRow]:
    """Stream the rows of a table source in key order as :class:`RawRow` (see the module docstring)."""
    database = source.database
    assert database is not None, "a TableSource is made by select_sources"
    report.encoding = "database"
    spec = source.spec
    conn = database.connect()
    with _names(conn):
        columns = _columns(conn, database, spec)
        key = list(spec.key) or _primary_key(conn, spec)
    duplicates: dict[str, str] = {}
    mapped = _map_columns(report, item, spec, columns, database.name, key, duplicates)
    headings = ["" if c in (*key, spec.item_column) else c for c in columns]
    positions = {i: mapped[c] for i, c in enumerate(columns) if c in mapped}
    seconds = {columns.index(s): columns.index(f) for s, f in duplicates.items()}
    # A column that looks like a missing field deciding publication (异议审核情况 for 异议状态): every row withheld.
    # An amount whose heading states its unit (罚款金额（元）) is read in it, as a file's is; a foreign currency is refused.
    refused = refused_columns(report.warnings, item, headings, positions, f"表 {spec.label}", seconds, whole="表")
    # A column that may state the record's own state (案件状态, no 当前状态): rows whose state says 撤销 are withheld.
    watched = watched_columns(report.warnings, item, headings, positions, f"表 {spec.label}", whole="表")
    beside = states_record(item)  # once per table, not per row (state_defects)
    units = {columns[i]: word for i, word in heading_units(
        item, headings, {**positions, **{s: positions[f] for s, f in seconds.items()}}).items()}
    for name, word in units.items():
        title = item.field(mapped.get(name) or mapped[duplicates[name]]).title
        report.warnings.append(f"表 {spec.label}：列“{name}”的金额按列名写明的单位（{word}）读取，换算为目录列“{title}”的单位")
    joined = _joined(item, columns, mapped, duplicates)
    missing = [c for c in (*key, spec.item_column) if c and c not in columns]
    if missing:
        raise InputError(f"Database source {database.name}: {spec.label} has no column "
                         f"{', '.join(repr(c) for c in missing)} (sources.{item.id})")
    selected = list(dict.fromkeys([*key, *mapped, *duplicates, *(c for cs in joined.values() for c in cs),
                                   *([spec.item_column] if spec.item_column else []), *(columns[i] for i, _, _ in watched)]))
    order = key or selected
    how = _reading(conn, database, spec, _statement(spec, columns, selected, (), source.others), order)
    stmt = _statement(spec, columns, selected, order, source.others, how)
    claim = _Claim(spec, source.others) if spec.item_column else None
    digest = hashlib.sha256(json.dumps(selected, ensure_ascii=False).encode() + b"\n")
    fields = {name: item.field(f) for name, f in mapped.items()}
    options = {"stream_results": True, "yield_per": database.settings.yield_per}
    try:
        with conn.execute(stmt, execution_options=options) as result:
            for values in result:
                row = dict(zip(selected, values, strict=True))
                if claim is not None and not claim.takes(row[spec.item_column]):
                    continue
                report.rows += 1
                digest.update(json.dumps([canonical(row[c]) for c in selected], ensure_ascii=False).encode() + b"\n")
                raw = _convert(item, spec, report.rows, row, key, fields, duplicates, _Columns(units, joined))
                stated = _stated(item, spec, watched, columns, row, raw, key, beside) if watched else ()
                yield dataclasses.replace(raw, defects=raw.defects + refused + stated) if refused or stated else raw
    except (SQLAlchemyError, UnicodeDecodeError) as exc:
        what = f"Database source {database.name}: reading {spec.label} failed after {report.rows} rows"
        error = database.error(what, exc)
        if "ordering operator" in str(error):
            by = f"its key {', '.join(key)}" if key else "every column read (it has no primary key)"
            error = InputError(f"{error}; its rows are ordered by {by}: name the columns that identify a row, of types "
                               f"that can be ordered, in [sources.{item.id}] key = [\"…\"]")
        raise error from None
    report.sha256 = digest.hexdigest()
    if claim is not None and source.reports_unclaimed:
        report.warnings += claim.warnings()


def _reading(conn: Connection, database: Database, spec: TableSpec, probe: Any, order: list[str]) -> Reading:
    """How the columns of a read are selected and ordered (:func:`~site_builder.sources.pgread.reading`), with a
    warning naming the columns ordered by their text; a failure names the table and the fix."""
    try:
        how = reading(conn, probe, order)
    except SQLAlchemyError as exc:
        raise database.error(f"Database source {database.name}: cannot read the column types of {spec.label} "
                             f"(sources.{spec.item})", exc) from None
    if how.by_text:
        log.info("table=%s ordered_by_text=%s reason=no ordering operator for their type", spec.label,
                 ",".join(sorted(how.by_text)))
    return how


def _stated(item: CatalogItem, spec: TableSpec, watched: tuple[tuple[int, str, FieldSpec], ...], columns: list[str],
            row: dict[str, Any], raw: RawRow, key: list[str], beside: bool) -> tuple[tuple[str, str, str], ...]:
    """The defects of a row's watched columns (:func:`state_defects`), each read as its text whatever its type
    (:func:`state_text`: ``true`` under 是否已移出 is 是, as the export's ``t`` is): a cell read as nothing would let a
    flagged row be published. A cell whose text cannot be read (bytes that are not UTF-8) withholds the row. ``beside``:
    whether the item has a field of the record's state (:func:`states_record`), worked out once per table."""
    cells: dict[int, object] = {}
    unread = []
    for position, _, _ in watched:
        name = columns[position]
        cells[position], problem = state_text(row[name])
        if problem:
            unread.append((name, problem[0], f"{_where(spec, row, key, raw.row)}，列“{name}”：{problem[1]}"))
    return (*unread, *state_defects(item, watched, cells, dated=ends_given(item, raw.values), beside=beside,
                                    values=raw.values))


class _Claim:
    """Which rows of a table that several items share (``item_column``) are this item's.

    Values are compared as headings are (:func:`_item_value`: width, spaces, case), so ``'行政处罚 '`` is
    ``行政处罚``. A row that no item claims (another code, NULL) is not read, but counted per value: the first item
    reading the table reports them as warnings, so that the audit accounts for every row of the table.
    """

    def __init__(self, spec: TableSpec, others: Sequence[str]) -> None:
        self.spec = spec
        self.own = frozenset(_item_value(v) for v in spec.item_values)
        self.others = frozenset(_item_value(v) for v in others)
        self.unclaimed: Counter[str] = Counter()

    def takes(self, value: object) -> bool:
        """Whether a row with ``value`` in the item column is this item's (one no item claims is counted)."""
        found = _item_value(value)
        if found in self.own:
            return True
        if found not in self.others:
            self.unclaimed["为 NULL" if value is None else f"=“{shown(value)}”"] += 1
        return False

    def warnings(self) -> list[str]:
        """One warning per value that no item claims, with its number of rows."""
        return [f"表 {self.spec.label} 中 {self.spec.item_column}{value} 的 {count} 行不属于任何目录项，未读取"
                for value, count in self.unclaimed.items()]


def _item_value(value: object) -> str | None:
    """An item column's value as it is compared with ``item_values``: as a heading is (NFKC, no spaces, lower case);
    ``None`` for NULL."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = number_text(value)
    return normalise_title(str(value))


def _columns(conn: Connection, database: Database, spec: TableSpec) -> list[str]:
    """The column names of the table, view or query; a missing table is an :class:`InputError`.

    A query's names come from the query wrapped with ``LIMIT 0``: executed as written, a driver without a server-side
    cursor (psycopg) would fetch every row of it just for its column names."""
    try:
        if spec.query:
            empty: Any = select(literal_column("*")).select_from(query_clause(spec.query).columns().subquery("source_query")).limit(0)
            with conn.execute(empty) as result:
                return list(result.keys())
        insp = inspect(conn)
        if not insp.has_table(spec.table, schema=spec.schema):
            raise InputError(f"Database source {database.name}: {_missing(insp, spec)}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SAWarning)
            found = insp.get_columns(spec.table, schema=spec.schema)
        for warning in caught:  # "Did not recognize type 'xml' of column …": read as the driver gives it, not a fault
            log.info("table=%s type_unknown_to_sqlalchemy=%s", spec.label, str(warning.message).removeprefix("Did not recognize type "))
        return [str(c["name"]) for c in found]
    except SQLAlchemyError as exc:
        raise database.error(f"Database source {database.name}: cannot read {spec.label} (sources.{spec.item})", exc) from None


def _missing(insp: Inspector, spec: TableSpec) -> str:
    """Why a configured table is not there: the schema it was looked for in (the default one unless ``schema`` is
    set), whether that schema exists, and the other schemas that do hold a relation of that name."""
    schemas = insp.get_schema_names()
    schema = spec.schema or insp.default_schema_name
    where = f"sources.{spec.item}.table, or the item's id, title or file name"
    missing = f"no table or view {spec.table!r} in schema {schema!r}"
    if spec.schema is not None:
        where = f"sources.{spec.item}.schema and .table"
        if spec.schema not in schemas:
            missing = f"no schema {spec.schema!r}, so no table or view {spec.table!r} in it"
    elsewhere = [s for s in schemas if s != schema and not s.startswith(("pg_", "information_schema"))
                 and insp.has_table(spec.table, schema=s)]
    found = f"; there is one in schema {', '.join(map(repr, elsewhere))}" if elsewhere else ""
    return f"{missing} ({where}){found}"


def query_clause(query: str) -> TextClause:
    """A configured query as SQLAlchemy sends it: exactly as written, but for trailing semicolons and spaces (it is
    read as a subquery, where a semicolon is a syntax error) and with a line break after it (a trailing ``--``
    comment would otherwise swallow the subquery's closing parenthesis).

    ``text()`` takes ``:name`` for a bind parameter, and such a query has none: ``NOT LIKE '%:测试%'`` would ask for
    a value of ``测试``. Each colon it would read so is escaped (``\\:``, which the compiler turns back into ``:``), and
    each ``\\:`` already there too, so that it stays as written; ``::`` casts are no parameter anyway."""
    query = re.sub(r"[\s;]+\Z", "", query)
    query = BIND_PARAMS_ESC.sub(lambda m: "\\" + m.group(0), query)  # compiled back to the \: written
    return text(BIND_PARAMS.sub(lambda m: "\\" + m.group(0), query) + "\n")


def _primary_key(conn: Connection, spec: TableSpec) -> list[str]:
    if spec.query:
        return []
    return [str(c) for c in inspect(conn).get_pk_constraint(spec.table, schema=spec.schema)["constrained_columns"]]


def _map_columns(report: FileReport, item: CatalogItem, spec: TableSpec, columns: list[str], where: str,
                 key: list[str], duplicates: dict[str, str]) -> dict[str, str]:
    """Column name -> field name; unknown and repeated columns are warnings, a missing required one an error.

    A second column for a field goes into ``duplicates`` (its name -> the first one's): see ``settle_duplicates``."""
    repeated: dict[int, int] = {}
    positions = map_headings(report, item, columns, ignore=(*key, spec.item_column), duplicates=repeated)
    duplicates.update({columns[second]: columns[first] for second, first in repeated.items()})
    mapped = {columns[position]: field_name for position, field_name in positions.items()}
    report.columns = dict(enumerate(mapped.values()))
    lacking = [f for f in item.fields if f.required and f.name not in mapped.values()]
    if lacking:
        names = ", ".join(f"{f.title} ({f.name})" for f in lacking)
        raise InputError(f"Database source {where}: {spec.label} has no column for the required field(s) {names} of "
                         f"{item.id}; add the column or map it in [columns.{item.id}]")
    return mapped


def _statement(spec: TableSpec, columns: list[str], selected: list[str], order: Sequence[str],
               others: Sequence[str] = (), how: Reading = AS_IS) -> Any:
    """``SELECT`` the selected columns (quoted) of the table or query in ``order``: of a shared table, all rows but
    those whose item column holds exactly another item's value (the rest are told apart by :class:`_Claim`). ``how``:
    the columns ordered by their text, and those selected as their bytes (:mod:`site_builder.sources.pgread`)."""
    cols: list[Any] = [column(quoted_name(c, True)) for c in columns]
    if spec.query:
        source: Any = query_clause(spec.query).columns(*cols).subquery("source_query")
    else:
        source = table(quoted_name(spec.table, True), *cols, schema=spec.schema)
    stmt = select(*[sql_cast(source.c[c], LargeBinary) if c in how.as_bytes else source.c[c] for c in selected])
    if spec.item_column and others:
        value = sql_cast(source.c[spec.item_column], Text)  # an integer column compared with the configured texts
        stmt = stmt.where(or_(value.is_(None), value.not_in(list(others))))
    return stmt.order_by(*[sql_cast(source.c[c], Text) if c in how.by_text else source.c[c] for c in order])


@dataclass(frozen=True)
class _Columns:
    """How a table's columns are read beyond their field: ``units``, the amount columns whose heading states a unit
    other than the catalogue's (column -> ``元``), read in it; ``joined``, a field given in several columns (处罚类别1,
    处罚类别2), read as their values joined (first column -> the others, in table order)."""

    units: dict[str, str] = field(default_factory=dict)
    joined: dict[str, list[str]] = field(default_factory=dict)


def _joined(item: CatalogItem, columns: list[str], mapped: dict[str, str],
            duplicates: dict[str, str]) -> dict[str, list[str]]:
    """The second columns of a field read as a list (a penalty's kinds: :func:`joined_fields`), taken out of
    ``duplicates``: first column -> the others, in table order. Their values are joined, not settled."""
    joined: dict[str, list[str]] = {}
    for second in sorted(duplicates, key=columns.index):
        first = duplicates[second]
        if mapped[first] in joined_fields(item):
            joined.setdefault(first, []).append(second)
            del duplicates[second]
    return joined


def _convert(item: CatalogItem, spec: TableSpec, ordinal: int, row: dict[str, Any], key: list[str],
             fields: dict[str, FieldSpec], duplicates: dict[str, str] | None = None,
             read: _Columns | None = None) -> RawRow:
    """One database row as a :class:`RawRow`: cell text by field name, and what is wrong with its cells."""
    from site_builder.rules.validation import clean, in_unit

    units, joined = (read.units, read.joined) if read is not None else ({}, {})
    values: dict[str, str] = {}
    defects = []
    where = _where(spec, row, key, ordinal)
    others = {*(duplicates or {}).values(), *joined}
    for name, spec_field in fields.items():
        cell, problem = cell_text(row[name], spec_field)
        values[spec_field.name] = in_unit(cell, units[name]) if name in units else cell
        if problem and not (problem[0] == "null" and name in others):  # the other may fill it
            slug, message = problem
            defects.append((name, slug, f"{where}，列“{name}”：{message}"))
    for first, seconds in joined.items():
        parts = [values[fields[first].name]]
        for second in seconds:
            text, problem = cell_text(row[second], fields[first]) if row[second] is not None else ("", None)
            if problem:
                defects.append((second, problem[0], f"{where}，列“{second}”：{problem[1]}"))
            parts.append(text)
        values[fields[first].name] = "；".join(dict.fromkeys(p for p in (clean(t).strip() for t in parts) if p))
        if not values[fields[first].name] and fields[first].required:
            defects.append((first, "null", f"{where}，列“{first}”：必填列为 NULL"))
    if duplicates and not defects:
        pairs = []
        for second, first in duplicates.items():
            text, problem = cell_text(row[second], fields[first]) if row[second] is not None else ("", None)  # NULL: empty
            if problem:
                defects.append((second, problem[0], f"{where}，列“{second}”：{problem[1]}"))
            if second in units:
                text = in_unit(text, units[second])
            pairs.append((fields[first].name, f"“{first}”", values[fields[first].name], f"“{second}”", text))
        if not defects:
            defects += [(c, slug, f"{where}，{message}") for c, slug, message in settle_duplicates(item, values, pairs)]
    return RawRow(item.id, f"<{spec.label}>", _row_number(row, key, ordinal), values, 0, tuple(defects))


def _where(spec: TableSpec, row: dict[str, Any], key: list[str], ordinal: int) -> str:
    """Where a row is, as its defects' messages name it: the table and the row's key (or its place in key order)."""
    return f"表 {spec.label} 主键 {', '.join(f'{k}={shown(row[k])}' for k in key) or f'第{ordinal}行'}"


def _row_number(row: dict[str, Any], key: list[str], ordinal: int) -> int:
    """The number a row goes by in the quarantine report, ``explain`` and the validator's messages: its key when that is
    one integer column (``序号`` 282 is row 282, whichever rows come before it), else its place in key order."""
    value = row[key[0]] if len(key) == 1 else None
    return value if isinstance(value, int) and not isinstance(value, bool) else ordinal


def _connect_args(url: URL) -> dict[str, Any]:
    """What the driver is asked for beyond the URL: a SQLite connection any thread may use (one at a time); a
    PostgreSQL one that speaks UTF-8 unless the URL names a ``client_encoding``. The client encoding is otherwise
    the database's: a ``SQL_ASCII`` one (a cluster initialised under the C locale, common on older platform servers)
    makes the driver hand over text as bytes, which stopped the build with a traceback inside its first connect."""
    if url.get_driver_name() == "pysqlite":
        return {"check_same_thread": False}
    if url.get_backend_name() == "postgresql" and "client_encoding" not in url.query:
        return {"client_encoding": "utf8"}
    return {}


def _snapshot(connection: Connection) -> None:
    """Start the read-only transaction of :meth:`Database.connect`, and have the driver hand over every cell."""
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        raw = cast(sqlite3.Connection, dbapi)
        raw.text_factory = bytes  # cells decoded by _cell: the default factory stops the whole read at one bad byte
        raw.isolation_level = None  # the sqlite3 module then opens and commits no transaction of its own,
        raw.execute("BEGIN")  # so this one lasts: its snapshot is taken by the first read
    elif connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        adapters = cast(Any, dbapi).adapters
        for name in ("date", "timestamp", "timestamptz"):
            tolerate_far_dates(adapters, adapters.types[name].oid)
        # The session's settings, whatever the server, the database or the build host (PGDATESTYLE, PGTZ) set: psycopg
        # reads dates only in the ISO style (another stopped the build), and a timestamp with a time zone, and a
        # query's cast of one to a date, are then those of China, the same on every host.
        connection.exec_driver_sql("SET DateStyle TO ISO, YMD")
        connection.exec_driver_sql("SET TimeZone TO 'Asia/Shanghai'")


@contextmanager
def _names(conn: Connection) -> Iterator[None]:
    """Read the database's own names (tables, columns, keys) as text: a SQLite connection hands over its text as bytes
    otherwise (:func:`_snapshot`; a Python text factory that decodes each cell made reading 25 % slower)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)
    raw.text_factory = str
    try:
        yield
    finally:
        raw.text_factory = bytes


def _full_url(settings: SourceSettings, root: Path) -> URL:
    """The URL to connect with: ``env:NAME`` read, a relative SQLite path taken from ``root``, the password added."""
    raw = settings.url
    if raw.startswith(ENV_PREFIX):
        name = raw[len(ENV_PREFIX):]
        raw = os.environ.get(name, "")
        if not raw:
            raise ConfigError(f"Config value 'sources.url': the environment variable {name} is not set")
    url = _parse_url(raw, "Config value 'sources.url'")
    if memory_database(raw):  # given through the environment (env:NAME): not seen when the configuration was read
        raise ConfigError(f"Config value 'sources.url' {MEMORY_DATABASE}")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(root / url.database))
    password = _password(settings, root)
    return url.set(password=password) if password is not None else url


def _read_only(url: URL, name: str) -> URL:
    """A SQLite URL that must name an existing database file, opened read-only (never created: a typo in the path
    would otherwise create an empty database, and the build would withdraw every record)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:") or url.query.get("uri"):
        return url
    path = Path(url.database)
    if not path.exists():
        raise InputError(f"Database source {name}: the SQLite file {path} does not exist (a typo in the path?); "
                         "a SQLite source is read, never created")
    if not path.is_file():
        raise InputError(f"Database source {name}: {path} is not a file")
    if path.stat().st_size == 0:
        raise InputError(f"Database source {name}: the SQLite file {path} is empty (0 bytes), not a database")
    if url.get_driver_name() != "pysqlite":
        return url
    return url.set(database="file:" + quote(str(path.absolute())), query={**url.query, "mode": "ro", "uri": "true"})


def _password(settings: SourceSettings, root: Path) -> str | None:
    if settings.password_env:
        value = os.environ.get(settings.password_env)
        if value is None:
            raise ConfigError(f"Config value 'sources.password_env': the environment variable {settings.password_env} is not set")
        return value
    if settings.password_file is not None:
        path = (root / settings.password_file).resolve()
        if path.is_relative_to(root.resolve()):
            raise ConfigError(f"Config value 'sources.password_file': {path} is inside the site folder; keep the "
                              "password outside it (a CI secret written to a file for the build)")
        try:
            return path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config value 'sources.password_file': {path} cannot be read: {exc}") from None
    return None


def _display(url: URL, root: Path) -> str:
    """The URL without user, password or query; a SQLite file inside ``root`` by its relative path."""
    bare = URL.create(url.drivername, host=url.host, port=url.port, database=url.database)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        inside = path.resolve().is_relative_to(root.resolve())
        bare = bare.set(database=path.resolve().relative_to(root.resolve()).as_posix() if inside else str(path))
    return bare.render_as_string(hide_password=True)


def _public(url: URL, root: Path) -> str:
    """The database as the public manifest names it: its backend and name, without driver, host, port or user
    (``postgresql:///credit``); a SQLite file by its path in the site folder (``sqlite:///data/demo.sqlite``), else by
    its file name alone, as the manifest names a catalogue file outside the site folder."""
    name = url.database or ""
    if url.get_backend_name() == "sqlite" and name and name != ":memory:":
        path = Path(name.removeprefix("file:").split("?")[0]).resolve()
        name = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else path.name
    return URL.create(url.get_backend_name(), database=name or None).render_as_string(hide_password=True)
