"""The published store: redacted records on disk (SQLite), so later stages need not hold them all.

Records stream in from the redaction stage once; renderers and exporters read them back grouped
and sorted. Only :class:`PublicRecord` values are ever written here.

Every list the outputs read is one ordered stream walked along an index built for that order
(item by record id or newest first, authority newest first, subject by key then newest first), so
reading a list of any length is one query and costs the same per row at 10k and 1M rows; there is
no ``LIMIT … OFFSET`` (which sorts and skips everything before its offset on every page). A worker
process can open the finished store on its own with :meth:`PublishedStore.open_readonly` and read
the records of its shard (:meth:`PublishedStore.by_ids`, :meth:`PublishedStore.subjects_in`).

Each record also carries digests of its public values (one over all of them, one short one per value, see
:func:`public_values`) and two dates, ``first_published`` and ``last_changed``, which the build fills from the
previous build's state once every record is in (``audit/changes.py``, one SQL statement against that state
attached read-only); :meth:`PublishedStore.latest` lists records by the first.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sqlite3
import struct
import zlib
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from site_builder.rules.redaction import PublicRecord

_SCHEMA = """
CREATE TABLE record (
    item TEXT NOT NULL, record_id TEXT NOT NULL, subject_key TEXT NOT NULL, subject_name TEXT NOT NULL,
    day TEXT NOT NULL, authority TEXT NOT NULL, body TEXT NOT NULL, body_digest BLOB NOT NULL, digest BLOB NOT NULL,
    field_digests BLOB NOT NULL, first_published TEXT NOT NULL DEFAULT '', last_changed TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item, record_id)
);
CREATE TABLE field (item TEXT PRIMARY KEY, names TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS record_authority ON record (authority, day DESC, item, record_id);
CREATE INDEX IF NOT EXISTS record_subject ON record (subject_key, day DESC, item, record_id);
CREATE INDEX IF NOT EXISTS record_day ON record (item, day DESC, record_id);
CREATE INDEX IF NOT EXISTS record_first ON record (first_published DESC, day DESC, item, record_id);
"""
"""One index per order the outputs read in (``EXPLAIN QUERY PLAN`` shows no temporary sort for any list)."""
_BATCH = 5000
_BATCH_IDS = 500
"""Keys per ``IN (…)`` query (SQLite allows 32,766 parameters)."""
_NEWEST = "day DESC, item, record_id"
"""The order of every newest-first list but an item's own (whose rows share the item)."""
_FIRST = "first_published DESC, day DESC, item, record_id"
"""The order of the newest publications (feed, home page): first appearance on the site, then date, item, id."""
_BODY = "body, first_published, last_changed"
"""What a record is read back from."""
_VERSION = "CAST(body_digest || first_published || last_changed AS BLOB)"
"""A record's *version*: everything it is read back from (:data:`_BODY`) as one short byte string (the digest of its
body, then its two dates): two records with the same version read back equal."""
DATED = ("publication_start", "publication_until", "objection_date")
"""Names under which a record's dates join its public values (the data package's column names for the first two)."""


def connect_readonly(path: Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """A read-only connection to the SQLite file ``path`` (a store, or a build's state in the audit folder), read
    through a memory map (:data:`MAPPED`)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=check_same_thread)
    db.execute(MAPPED)
    return db


MAPPED = f"PRAGMA mmap_size={1 << 33}"
"""Read a database's pages through a memory map (up to SQLite's own limit) instead of a system call each: the lists
and takes of a large site read a million records in index order, page by page. With the large set, a build with
nothing to do spent 13.7 s on the pages, 5.7 s on the subject data and 3.2 s on the sitemap without the map, 11.5 s,
4.5 s and 2.4 s with it."""


class PublishedStore:
    """Published records of one build, in a SQLite file that the build deletes afterwards."""

    def __init__(self, path: Path, *, readonly: bool = False, index_later: bool = False) -> None:
        """Create the store at ``path`` (a new file), or with ``readonly`` open a finished one without changing it.

        ``index_later``: the indexes the lists are read along are made by :meth:`create_indexes` once every record is
        in and dated, not kept up to date row by row as records come in in no order (which took most of the time
        of adding a record, and dating every record rewrote an index entry each).
        """
        self.path = path
        if readonly:
            self.db = connect_readonly(path)
        else:
            self.db = sqlite3.connect(path.resolve().as_uri(), uri=True)
            self.db.executescript(f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; {MAPPED};" + _SCHEMA
                                  + ("" if index_later else _INDEXES))
        self._pending: list[tuple[str | bytes, ...]] = []
        self._written_names: set[str] = set()
        self._identities: dict[str, tuple[str, str]] = {}
        """Per subject, the ``(day, record id)`` of its first 登记信息 record added (:meth:`repeated_identities`)."""
        self._repeated: dict[str, list[tuple[str, str]]] = {}

    @classmethod
    def open_readonly(cls, path: Path) -> PublishedStore:
        """A finished store opened read-only (by a worker process, say), on its own connection."""
        return cls(path, readonly=True)

    def add(self, record: PublicRecord) -> None:
        """Queue one published record for writing."""
        self.add_prepared(store_line(record))

    def add_prepared(self, line: tuple[str | bytes, ...]) -> None:
        """Queue one record, as :meth:`prepare` made it, for writing."""
        item, names = str(line[0]), str(line[-1])
        if item not in self._written_names:
            self._written_names.add(item)
            self.db.execute("INSERT INTO field VALUES (?, ?)", (item, names))
        self._pending.append(line[:-1])
        if item == IDENTITY_ITEM:
            key, shown = str(line[2]), (str(line[4]), str(line[1]))
            first = self._identities.setdefault(key, shown)
            if first is not shown:
                self._repeated.setdefault(key, [first]).append(shown)
        if len(self._pending) >= _BATCH:
            self.flush()

    def repeated_identities(self) -> list[tuple[str, list[str]]]:
        """The subjects with more than one 登记信息 record added: ``(subject key, their record ids)``, in key order,
        the ids in the order of the subject's page (newest 成立日期 first, then by id), whose first one the page
        shows as the subject's registration."""
        return [(key, [rid for _, rid in sorted(shown, key=lambda s: (_negated(s[0]), s[1]))])
                for key, shown in sorted(self._repeated.items())]

    def flush(self) -> None:
        """Write queued records."""
        self.db.executemany("INSERT INTO record (item, record_id, subject_key, subject_name, day, authority, body, body_digest, "
                            "digest, field_digests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending)
        self.db.commit()
        self._pending.clear()

    def respell(self, spellings: Sequence[tuple[str, str, str]]) -> None:
        """Give records another spelling of their id: ``(item, record id, the spelling to keep)`` each, wherever the
        record shows it (its id, and the 记录编号 among its fields), so every page and file of the site spells it
        alike; its digests follow."""
        for item, record_id, kept in spellings:
            (body,) = self.db.execute("SELECT body FROM record WHERE item = ? AND record_id = ?", (item, record_id)).fetchone()
            record = _from_json(body)
            (names,) = self.db.execute("SELECT names FROM field WHERE item = ?", (item,)).fetchone()
            listed = json.loads(names)  # the body's keys are sorted: the fields in the item's order, as digested
            order = [*(n for n in listed if n in record.fields), *(n for n in record.fields if n not in listed)]
            fields = {name: kept if record.fields[name] == record_id else record.fields[name] for name in order}
            line = store_line(dataclasses.replace(record, record_id=kept, fields=fields))
            self.db.execute("DELETE FROM record WHERE item = ? AND record_id = ?", (item, record_id))
            self.db.execute("INSERT INTO record (item, record_id, subject_key, subject_name, day, authority, body, "
                            "body_digest, digest, field_digests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", line[:-1])
        self.db.commit()

    def create_indexes(self) -> None:
        """Make the indexes of a store created with ``index_later``."""
        self.db.executescript(_INDEXES)
        self.db.commit()

    def attach(self, path: Path, name: str, readonly: bool = True) -> None:
        """Attach the SQLite file ``path`` to this store's connection as schema ``name`` (read-only unless asked)."""
        self.db.execute("ATTACH DATABASE ? AS " + name, (path.resolve().as_uri() + ("?mode=ro" if readonly else ""),))

    def detach(self, name: str) -> None:
        """Detach the schema ``name``."""
        self.db.commit()
        self.db.execute("DETACH DATABASE " + name)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def records(self) -> Iterator[PublicRecord]:
        """Every published record, in no particular order."""
        return _records(self.db.execute(f"SELECT {_BODY} FROM record"))

    def count(self, item: str | None = None) -> int:
        """Number of published records (of one item, or all)."""
        if item is None:
            return int(self.db.execute("SELECT count(*) FROM record").fetchone()[0])
        return int(self.db.execute("SELECT count(*) FROM record WHERE item = ?", (item,)).fetchone()[0])

    def by_item(self, item: str) -> Iterator[PublicRecord]:
        """Records of one item by record id, streamed."""
        return _records(self.db.execute(f"SELECT {_BODY} FROM record WHERE item = ? ORDER BY record_id", (item,)))

    def record_versions(self, item: str) -> Iterator[tuple[str, bytes]]:
        """``(record id, version)`` of the records :meth:`by_item` reads, in the same order.

        A record's version (see :data:`_VERSION`) stands for the whole record: a file made from records can tell
        whether they changed since an earlier build from their versions alone, without reading them back.
        """
        rows = self.db.execute(f"SELECT record_id, {_VERSION} FROM record WHERE item = ? ORDER BY record_id", (item,))
        return ((str(record_id), bytes(version)) for record_id, version in rows)

    def subject_versions(self) -> Iterator[tuple[str, bytes]]:
        """``(subject key, version)`` of each subject :meth:`subjects` reads, in the same order: the versions of its
        records in the order :meth:`subjects` gives them, joined (16 + 20 bytes a record)."""
        rows = self.db.execute(f"SELECT subject_key, {_VERSION} FROM record WHERE subject_key != '' "
                               f"ORDER BY subject_key, {_NEWEST}")
        for key, group in groupby(rows, key=lambda row: str(row[0])):
            yield key, b"".join(bytes(row[1]) for row in group)

    def by_ids(self, item: str, record_ids: Sequence[str]) -> list[PublicRecord]:
        """The records of ``item`` with these ids, in the order given (ids not published are left out)."""
        found: dict[str, PublicRecord] = {}
        for start in range(0, len(record_ids), _BATCH_IDS):
            part = record_ids[start:start + _BATCH_IDS]
            rows = self.db.execute(f"SELECT record_id, {_BODY} FROM record WHERE item = ? AND record_id IN "
                                   f"({','.join('?' * len(part))})", (item, *part))
            found |= {str(row[0]): _from_row(row[1:]) for row in rows}
        return [found[i] for i in record_ids if i in found]

    def subjects_in(self, keys: Sequence[str]) -> Iterator[tuple[str, list[PublicRecord]]]:
        """:meth:`subjects` for the subjects with these keys (in key order)."""
        ordered = sorted(keys)
        for start in range(0, len(ordered), _BATCH_IDS):
            part = ordered[start:start + _BATCH_IDS]
            rows = self.db.execute(f"SELECT subject_key, {_BODY} FROM record WHERE subject_key IN ({','.join('?' * len(part))}) "
                                   f"ORDER BY subject_key, {_NEWEST}", part)
            for key, group in groupby(rows, key=lambda row: str(row[0])):
                yield key, [_from_row(row[1:]) for row in group]

    def item_list(self, item: str, limit: int) -> Iterator[Listed]:
        """The first ``limit`` records of ``item``'s list (newest first, then by record id), each with its version,
        read back only when asked for: one query."""
        return _listed(self.db.execute(f"SELECT item, record_id, {_VERSION}, {_BODY} FROM record WHERE item = ? "
                                       "ORDER BY day DESC, record_id LIMIT ?", (item, limit)))

    def authority_list(self, authority: str, limit: int) -> Iterator[Listed]:
        """The first ``limit`` records of an authority's list (as :meth:`by_authority`), each with its version, read
        back only when asked for: one query."""
        return _listed(self.db.execute(f"SELECT item, record_id, {_VERSION}, {_BODY} FROM record WHERE authority = ? "
                                       f"ORDER BY {_NEWEST} LIMIT ?", (authority, limit)))

    def record_ids(self) -> Iterator[tuple[str, str]]:
        """``(item, record id)`` of every record, in no particular order."""
        return ((str(item), str(record_id)) for item, record_id in self.db.execute("SELECT item, record_id FROM record"))

    def latest(self, limit: int) -> list[PublicRecord]:
        """The newest publications of all items: by the date they first appeared on the site, then by their own
        date (newest first), item and record id."""
        query = f"SELECT {_BODY} FROM record ORDER BY {_FIRST} LIMIT ?"
        return list(_records(self.db.execute(query, (limit,))))

    def last_changed_dates(self) -> tuple[dict[str, str], dict[str, str]]:
        """The date (ISO) each record's public values last changed, by ``<item>/<record id>``, and the latest of those
        of each subject's records, by subject key (two queries, for the sitemap)."""
        records = {f"{item}/{record_id}": str(day) for item, record_id, day in
                   self.db.execute("SELECT item, record_id, last_changed FROM record WHERE last_changed != ''")}
        subjects = {str(key): str(day) for key, day in self.db.execute(
            "SELECT subject_key, max(last_changed) FROM record WHERE subject_key != '' GROUP BY subject_key") if day}
        return records, subjects

    def item_dates(self) -> dict[str, tuple[str, str]]:
        """Per item with dated records, the earliest ``first_published`` and the latest ``last_changed`` of its
        records (ISO dates; one query, for the dates the download folder shows)."""
        rows = self.db.execute("SELECT item, min(first_published), max(last_changed) FROM record WHERE last_changed != '' "
                               "GROUP BY item")
        return {str(item): (str(first), str(last)) for item, first, last in rows}

    def subjects(self) -> Iterator[tuple[str, list[PublicRecord]]]:
        """Each subject (by 统一社会信用代码) with its records, newest first; one subject at a time, one query in
        subject-key order."""
        rows = self.db.execute(f"SELECT subject_key, {_BODY} FROM record WHERE subject_key != '' "
                               f"ORDER BY subject_key, {_NEWEST}")
        for key, group in groupby(rows, key=lambda row: str(row[0])):
            yield key, [_from_row(row[1:]) for row in group]

    def subject_keys(self) -> Iterator[str]:
        """The key of every subject with a page, in order (one walk along the subject index)."""
        rows = self.db.execute("SELECT DISTINCT subject_key FROM record WHERE subject_key != '' ORDER BY subject_key")
        return (str(key) for key, in rows)

    def field_values(self, item: str, field: str) -> Iterator[tuple[str, str]]:
        """``(record id, value)`` of ``field`` for each record of ``item`` with a value, by record id.

        SQLite reads the value out of the stored body without the record being read back into Python (about three
        times faster than :meth:`by_item`).
        """
        rows = self.db.execute("SELECT record_id, json_extract(body, ?) FROM record WHERE item = ? ORDER BY record_id",
                               (f'$.fields."{field}"', item))
        return ((str(record_id), str(value)) for record_id, value in rows if value)

    def subject_count(self) -> int:
        """Number of distinct subjects with a page."""
        return int(self.db.execute("SELECT count(DISTINCT subject_key) FROM record WHERE subject_key != ''").fetchone()[0])

    def authorities(self) -> list[tuple[str, int]]:
        """Authorities (decision-making bodies) with their number of records, by name."""
        rows = self.db.execute("SELECT authority, count(*) FROM record WHERE authority != '' GROUP BY authority ORDER BY authority")
        return [(str(a), int(n)) for a, n in rows]

    def by_authority(self, authority: str) -> Iterator[PublicRecord]:
        """Records of one authority, newest first, streamed."""
        return _records(self.db.execute(f"SELECT {_BODY} FROM record WHERE authority = ? ORDER BY {_NEWEST}", (authority,)))


IDENTITY_ITEM = "subject"
"""The item whose record is a subject's registration (登记信息), shown as its identity on the subject's page."""


def _negated(day: str) -> tuple[int, ...]:
    """A sort key putting ISO dates newest first."""
    return tuple(-ord(c) for c in day)


def store_line(record: PublicRecord) -> tuple[str | bytes, ...]:
    """The line of the store a published record becomes (what :meth:`PublishedStore.add_prepared` takes; made by
    whichever process decides the row, and kept in the decision cache)."""
    data = _to_json(record)
    body = json.dumps(data, ensure_ascii=False, sort_keys=True)
    names = (*record.fields, *DATED)
    whole, each = digests(record, names)
    return (record.item, record.record_id, record.subject_key, record.subject_name, record.date.isoformat(),
            str(data["authority"]), body, hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
            whole, each, _names_json(names))


@functools.lru_cache(maxsize=64)
def _names_json(names: tuple[str, ...]) -> str:
    return json.dumps(names)


class Listed(NamedTuple):
    """A record of a list: its item and id, its version (see :data:`_VERSION`) and what it is read back from."""

    item: str
    record_id: str
    version: bytes
    row: tuple[str, str, str]

    def record(self) -> PublicRecord:
        """The record itself."""
        return _from_row(self.row)


def _listed(rows: sqlite3.Cursor) -> Iterator[Listed]:
    return (Listed(str(r[0]), str(r[1]), bytes(r[2]), (r[3], r[4], r[5])) for r in rows)


def public_values(record: PublicRecord) -> dict[str, str]:
    """Everything a record shows the public, by name: its fields, then its dates under the names of ``DATED``."""
    dates = (record.date, record.until, record.objection_date)
    return record.fields | {name: day.isoformat() if day else "" for name, day in zip(DATED, dates, strict=True)}


def digests(record: PublicRecord, names: tuple[str, ...]) -> tuple[bytes, bytes]:
    """The digest of all of a record's public values in the order of ``names`` (its item's field names and
    ``DATED``), and a short digest of each (CRC-32; 0 for an empty value).

    The first says whether a record changed (BLAKE2b, 16 bytes); the second which values did (see
    ``audit/changes.py``, which also lets a change of the catalogue's fields alone pass unreported). A record
    whose fields are not its item's, name for name, is read by name.
    """
    if len(record.fields) + len(DATED) == len(names):
        values = [*record.fields.values(), record.date.isoformat(), record.until.isoformat() if record.until else "",
                  record.objection_date.isoformat() if record.objection_date else ""]
    else:
        public = public_values(record)
        values = [public.get(name, "") for name in names]
    encoded = [value.encode("utf-8", "surrogatepass") for value in values]
    return (hashlib.blake2b(b"\x1f".join(encoded), digest_size=16).digest(),
            struct.pack(f"<{len(encoded)}I", *[zlib.crc32(value) if value else 0 for value in encoded]))


def _records(rows: sqlite3.Cursor) -> Iterator[PublicRecord]:
    return (_from_row(row) for row in rows)


def _from_row(row: tuple[str, str, str]) -> PublicRecord:
    """A record from its body and its two dates (``''`` while not yet filled)."""
    first, last = row[1], row[2]
    return _from_json(row[0], date.fromisoformat(first) if first else None, date.fromisoformat(last) if last else None)


def _to_json(record: PublicRecord) -> dict[str, object]:
    return {
        "item": record.item, "record_id": record.record_id, "subject_key": record.subject_key,
        "subject_name": record.subject_name, "subject_category": record.subject_category,
        "date": record.date.isoformat(), "until": record.until.isoformat() if record.until else None,
        "objection_date": record.objection_date.isoformat() if record.objection_date else None,
        "authority": record.authority,
        "fields": record.fields,
    }


def _from_json(text: str, first_published: date | None = None, last_changed: date | None = None) -> PublicRecord:
    data = json.loads(text)
    return PublicRecord(
        item=data["item"], record_id=data["record_id"], subject_key=data["subject_key"],
        subject_name=data["subject_name"], subject_category=data["subject_category"], authority=data["authority"],
        date=date.fromisoformat(data["date"]),
        until=date.fromisoformat(data["until"]) if data["until"] else None,
        objection_date=date.fromisoformat(data["objection_date"]) if data["objection_date"] else None,
        fields=data["fields"], first_published=first_published, last_changed=last_changed,
    )
