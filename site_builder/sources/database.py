"""Database sources: a catalogue item's rows read from a table, a view or a query, through SQLAlchemy.

A :class:`TableSource` is a source like a records file: ``read_rows`` reads it into the same
:class:`RawRow` objects (cell text by field name), which are then validated and decided by the same
code. Rows are streamed from a server-side cursor (``stream_results``, ``yield_per``) in primary key
order, and hashed in that order, so an auditor can tell whether two builds saw the same rows.

Table and column names come from the configuration or the database and are always quoted by
SQLAlchemy, never pasted into SQL. What the driver returns is turned into cell text here: a NULL in
a required column, a value of the wrong type (an integer where text is expected, text bytes that are
not UTF-8), or text over :data:`MAX_CELL` makes the row quarantined, with table, key and column
named. A missing table or column, an unreachable database or a connection lost mid-read stops the
build (:class:`InputError`). The password (from ``password_env``, ``password_file`` or an ``env:``
URL) never appears in a message, the manifest or a log: sources are named by their URL without
credentials.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, column, create_engine, inspect, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import quoted_name

from site_builder.exceptions import ConfigError, InputError
from site_builder.rules.catalogue import CatalogItem, Catalogue, FieldSpec, load_catalogue
from site_builder.rules.validation import CHINA
from site_builder.sources.headings import settle_duplicates
from site_builder.sources.loading import (
    MAX_CELL,
    FileReport,
    RawRow,
    SourceFile,
    find_sources,
    map_headings,
    unclaimed_paths,
)
from site_builder.sources.mapping import ENV_PREFIX, SourceSettings, TableSpec, apply_columns, check_mapping

if TYPE_CHECKING:
    from site_builder.config import Config

log = logging.getLogger(__name__)
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)  # never log statements or row values


class Database:
    """One database: its URL (with the password, never shown) and the URL it is named by."""

    def __init__(self, settings: SourceSettings, root: Path) -> None:
        self.settings = settings
        url = _full_url(settings, root)
        self._secrets = [url.password] if url.password else []
        self.name = _display(url, root)
        """The URL without user, password or query: what the manifest and messages say."""
        self._url = _read_only(url, self.name)
        self._engine: Engine | None = None

    def engine(self) -> Engine:
        """The engine (no pool: each pass opens and closes its own connection)."""
        if self._engine is None:
            try:
                self._engine = create_engine(self._url, poolclass=NullPool)
            except (ArgumentError, NoSuchModuleError, ImportError) as exc:
                raise InputError(self.scrub(f"Database source {self.name}: cannot use it: {exc}")) from None
        return self._engine

    def connect(self) -> Connection:
        """A new connection; an unreachable database or refused login is an :class:`InputError`."""
        try:
            return self.engine().connect()
        except SQLAlchemyError as exc:
            raise self.error(f"Database source {self.name}: cannot connect", exc) from None

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
    """The database's URL without credentials."""
    table: str = ""
    spec: TableSpec = field(default_factory=lambda: TableSpec(""))
    database: Database | None = field(default=None, repr=False, compare=False)


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
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            url = parsed.set(database=os.path.abspath(parsed.database)).render_as_string(hide_password=False)
    sources: SourceSettings = config.sources
    return dataclasses.replace(config, sources=dataclasses.replace(sources, url=url))


def site_catalogue(config: Config) -> Catalogue:
    """The catalogue with the site's ``[columns]`` applied; ``[columns]`` and ``[sources]`` checked against it."""
    catalogue = load_catalogue(config.catalogue_dirs)
    errors = check_mapping(catalogue, config.columns, config.sources)
    if errors:
        raise ConfigError("The configuration does not fit the catalogue:\n  " + "\n  ".join(errors))
    return apply_columns(catalogue, config.columns)


def select_sources(config: Config, catalogue: Catalogue) -> tuple[list[SourceFile], list[str]]:
    """The sources of a build and what is left unread: records files, or the tables of ``sources.url``."""
    settings: SourceSettings = config.sources
    if not settings.url:
        files = find_sources(config.paths.records, catalogue)
        return files, unclaimed_paths(config.paths.records, files)
    database = Database(settings, config.root)
    with database.connect() as conn:
        try:
            insp = inspect(conn)
            names = sorted(set(insp.get_table_names()) | set(insp.get_view_names()))
        except SQLAlchemyError as exc:
            raise database.error(f"Database source {database.name}: cannot list its tables", exc) from None
    sources: list[SourceFile] = []
    claimed = set()
    for item in catalogue.items:
        spec = settings.table_for(item.id)
        if spec is None:
            found = next((n for n in (item.id, item.title, *item.files) if n in names), None)
            if found is None:
                continue
            spec = TableSpec(item.id, table=found)
        claimed.add(spec.table)
        label = spec.label
        sources.append(TableSource(item.id, Path(f"<{label}>"), f"<{label}>", database.name, label, spec, database))
    ignored = [f"<{n}>" for n in names if n not in claimed and not n.startswith(("sqlite_", "_"))]
    return sources, ignored


def read_table(source: TableSource, item: CatalogItem, report: FileReport) -> Iterator[RawRow]:
    """Stream the rows of a table source in key order as :class:`RawRow` (see the module docstring)."""
    database = source.database
    assert database is not None, "a TableSource is made by select_sources"
    report.encoding = "database"
    spec = source.spec
    with database.connect() as conn:
        columns = _columns(conn, database, spec)
        key = list(spec.key) or _primary_key(conn, spec)
        duplicates: dict[str, str] = {}
        mapped = _map_columns(report, item, spec, columns, database.name, key, duplicates)
        missing = [c for c in (*key, spec.item_column) if c and c not in columns]
        if missing:
            raise InputError(f"Database source {database.name}: {spec.label} has no column "
                             f"{', '.join(repr(c) for c in missing)} (sources.{item.id})")
        selected = list(dict.fromkeys([*key, *mapped, *duplicates]))
        stmt = _statement(spec, columns, selected, key or selected)
        if conn.dialect.name == "sqlite":
            conn.connection.dbapi_connection.text_factory = bytes  # type: ignore[union-attr]  # decode per cell
        digest = hashlib.sha256(json.dumps(selected, ensure_ascii=False).encode() + b"\n")
        fields = {name: item.field(f) for name, f in mapped.items()}
        try:
            result = conn.execution_options(stream_results=True, yield_per=database.settings.yield_per).execute(stmt)
            for values in result:
                report.rows += 1
                row = dict(zip(selected, values, strict=True))
                digest.update(json.dumps([_canonical(row[c]) for c in selected], ensure_ascii=False).encode() + b"\n")
                yield _convert(item, spec, report.rows, row, key, fields, duplicates)
        except (SQLAlchemyError, UnicodeDecodeError) as exc:
            what = f"Database source {database.name}: reading {spec.label} failed after {report.rows} rows"
            raise database.error(what, exc) from None
        report.sha256 = digest.hexdigest()


def _columns(conn: Connection, database: Database, spec: TableSpec) -> list[str]:
    """The column names of the table, view or query; a missing table is an :class:`InputError`."""
    try:
        if spec.query:
            result = conn.execute(text(spec.query))
            names = list(result.keys())
            result.close()
            return names
        insp = inspect(conn)
        if not insp.has_table(spec.table, schema=spec.schema):
            raise InputError(f"Database source {database.name}: no table or view {spec.table!r} "
                             f"(sources.{spec.item}.table, or the item's id, title or file name)")
        return [str(c["name"]) for c in insp.get_columns(spec.table, schema=spec.schema)]
    except SQLAlchemyError as exc:
        raise database.error(f"Database source {database.name}: cannot read {spec.label} (sources.{spec.item})", exc) from None


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


def _statement(spec: TableSpec, columns: list[str], selected: list[str], order: Sequence[str]) -> Any:
    """``SELECT`` the selected columns (quoted) of the table or query, for this item only, in ``order``."""
    cols: list[Any] = [column(quoted_name(c, True)) for c in columns]
    if spec.query:
        source: Any = text(spec.query).columns(*cols).subquery("source_query")
    else:
        source = table(quoted_name(spec.table, True), *cols, schema=spec.schema)
    stmt = select(*[source.c[c] for c in selected])
    if spec.item_column:
        stmt = stmt.where(source.c[spec.item_column].in_(list(spec.item_values)))
    return stmt.order_by(*[source.c[c] for c in order])


def _convert(item: CatalogItem, spec: TableSpec, ordinal: int, row: dict[str, Any], key: list[str],
             fields: dict[str, FieldSpec], duplicates: dict[str, str] | None = None) -> RawRow:
    """One database row as a :class:`RawRow`: cell text by field name, and what is wrong with its cells."""
    values: dict[str, str] = {}
    defects = []
    where = f"表 {spec.label} 主键 {', '.join(f'{k}={_shown(row[k])}' for k in key) or f'第{ordinal}行'}"
    for name, spec_field in fields.items():
        cell, problem = _cell(row[name], spec_field)
        values[spec_field.name] = cell
        if problem and not (problem[0] == "null" and duplicates and name in duplicates.values()):  # the other may fill it
            slug, message = problem
            defects.append((name, slug, f"{where}，列“{name}”：{message}"))
    if duplicates and not defects:
        pairs = []
        for second, first in duplicates.items():
            text, problem = _cell(row[second], fields[first]) if row[second] is not None else ("", None)  # NULL: empty
            if problem:
                defects.append((second, problem[0], f"{where}，列“{second}”：{problem[1]}"))
            pairs.append((fields[first].name, f"“{first}”", values[fields[first].name], f"“{second}”", text))
        if not defects:
            defects += [(c, slug, f"{where}，{message}") for c, slug, message in settle_duplicates(item, values, pairs)]
    return RawRow(item.id, f"<{spec.label}>", ordinal, values, 0, tuple(defects))


_TYPES = {"string": "文本", "date": "日期", "number": "数值", "integer": "整数"}


def _cell(value: object, spec: FieldSpec) -> tuple[str, tuple[str, str] | None]:
    """The cell text of one value and, if it cannot be trusted, ``(error slug, message)``."""
    expected = _TYPES[spec.type]
    if value is None:
        return "", (("null", "必填列为 NULL") if spec.required else None)
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            return "", ("encoding", f"不是有效的 UTF-8 文本（第{exc.start + 1}字节起），本行不公示")
    if isinstance(value, str):
        if len(value) > MAX_CELL:
            return "", ("cell-too-long", f"文本长{len(value)}个字符，超过{MAX_CELL}个字符的上限")
        return value, None
    if isinstance(value, bool):
        return "", ("wrong-type", f"应为{expected}，实为布尔值")
    if isinstance(value, int | float | Decimal):
        if spec.type in ("number", "integer"):
            return str(value), None
        return "", ("wrong-type", f"应为{expected}，实为数值（{type(value).__name__}）：编码或编号须以文本存储")
    if isinstance(value, date):
        if spec.type == "date":
            day = value
            if isinstance(value, datetime):  # an aware one on its date in China (UTC+8), a naive one as written
                try:
                    day = value.astimezone(CHINA).date() if value.tzinfo is not None else value.date()
                except OverflowError:  # 9999-12-31 23:00 UTC: the last date either way
                    day = value.date()
            return day.isoformat(), None
        return "", ("wrong-type", f"应为{expected}，实为日期")
    return "", ("wrong-type", f"应为{expected}，实为 {type(value).__name__}")


def _canonical(value: object) -> object:
    """A JSON form of a value that is the same whichever driver returned it (for the content hash)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "\\x" + value.hex()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value.isoformat() if isinstance(value, date) else value)


def _shown(value: object) -> str:
    text_value = _canonical(value)
    return str(text_value)[:64]


def _full_url(settings: SourceSettings, root: Path) -> URL:
    """The URL to connect with: ``env:NAME`` read, a relative SQLite path taken from ``root``, the password added."""
    raw = settings.url
    if raw.startswith(ENV_PREFIX):
        name = raw[len(ENV_PREFIX):]
        raw = os.environ.get(name, "")
        if not raw:
            raise ConfigError(f"Config value 'sources.url': the environment variable {name} is not set")
    url = _parse_url(raw, "Config value 'sources.url'")
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
