"""How the columns of a PostgreSQL relation are selected and ordered, whatever their types (``sources/database.py``).

Rows are read in key order, and a relation without a key (a view, a query) in the order of every column read. Not
every type can be ordered: ``json``, ``xml``, ``point`` and a type the driver does not know have no ordering operator,
and such a column stopped the build ("could not identify an ordering operator for type json"). Such a column is
ordered by its text (``CAST(… AS TEXT)``: every type has one), which is as deterministic; the others keep their
own order, so that a relation read before is read in the same order.

A database in the ``SQL_ASCII`` encoding holds whatever bytes were written into it: the server refuses to send a
text that is not UTF-8 (``invalid byte sequence``), which stopped the whole read for one cell. There, text columns
are read as their bytes (``CAST(… AS BYTEA)``), decoded per cell as a SQLite source's are, so that such a cell
quarantines its row, naming table, key and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection

ORDERABLE = frozenset({
    "bool", "int2", "int4", "int8", "oid", "numeric", "float4", "float8", "money", "text", "varchar", "bpchar", "char",
    "name", "date", "timestamp", "timestamptz", "time", "timetz", "interval", "uuid", "bytea", "inet", "cidr",
    "macaddr", "macaddr8", "bit", "varbit", "jsonb", "tsvector", "pg_lsn", "enum"})
"""PostgreSQL's types with a default ordering operator (and arrays of them; ``enum``: any enum); a column of another type (``json``,
``xml``, a type the driver does not know) is ordered by its text."""

TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name"})
"""The types read as their bytes in a ``SQL_ASCII`` database."""


@dataclass(frozen=True)
class Reading:
    """How some of a relation's columns are read: ``by_text``, ordered by their text; ``as_bytes``, selected as their
    bytes (column names)."""

    by_text: frozenset[str] = field(default_factory=frozenset)
    as_bytes: frozenset[str] = field(default_factory=frozenset)


AS_IS = Reading()
"""Every column read and ordered as it is (SQLite; a probe)."""


def reading(conn: Connection, probe: Any, order: list[str]) -> Reading:
    """How the columns of ``probe`` (the ``SELECT`` a read makes, without its order) are read from a PostgreSQL
    server: their types asked of the server (``LIMIT 0``: no row is read), ``order`` the columns the rows are ordered
    by. Another backend orders and hands over every column as it is."""
    if conn.dialect.name != "postgresql":
        return AS_IS
    with conn.execute(probe.limit(0)) as result:
        oids = {str(d[0]): int(cast(int, d[1])) for d in result.cursor.description}
    kinds = _type_names(conn, oids)
    ascii_only = (str(conn.exec_driver_sql("SHOW server_encoding").scalar()).upper() == "SQL_ASCII"
                  and str(conn.exec_driver_sql("SHOW client_encoding").scalar()).upper() in ("UTF8", "UTF-8", "SQL_ASCII"))
    # a client_encoding the URL names (gbk: a legacy database of GBK text) is the driver's to decode, as it was
    return Reading(by_text=frozenset(c for c in order if kinds.get(c) not in ORDERABLE),
                   as_bytes=frozenset(c for c, kind in kinds.items() if ascii_only and kind in TEXT_TYPES))


def _type_names(conn: Connection, oids: Mapping[str, int]) -> dict[str, str | None]:
    """Column -> the name of its type (of an array's elements), as the driver knows it; ``enum`` for an enum the
    database defines (ordered as declared, as it was before), ``None`` for another type the driver does not know (a
    composite, an extension's)."""
    types = conn.connection.dbapi_connection.adapters.types  # type: ignore[union-attr]
    found: dict[str, str | None] = {}
    for name, oid in oids.items():
        info = types.get(oid)
        found[name] = None if info is None else str(info.name)
    unknown = sorted({oids[name] for name, kind in found.items() if kind is None})
    if unknown:
        enums = {row[0] for row in conn.exec_driver_sql(
            "SELECT oid FROM pg_catalog.pg_type WHERE oid = ANY(%(oids)s) AND typtype = 'e'", {"oids": unknown})}
        found.update({name: "enum" for name, kind in found.items() if kind is None and oids[name] in enums})
    return found
