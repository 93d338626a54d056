"""The published store: redacted records on disk (SQLite), so later stages need not hold them all.

Records stream in from the redaction stage once; renderers and exporters read them back grouped
and sorted. Only :class:`PublicRecord` values are ever written here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from site_builder.rules.redaction import PublicRecord

_SCHEMA = """
CREATE TABLE record (
    item TEXT NOT NULL, record_id TEXT NOT NULL, subject_key TEXT NOT NULL, subject_name TEXT NOT NULL,
    day TEXT NOT NULL, authority TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (item, record_id)
);
CREATE INDEX record_authority ON record (authority, day);
CREATE INDEX record_subject ON record (subject_key, day);
CREATE INDEX record_day ON record (item, day);
"""
_BATCH = 5000


class PublishedStore:
    """Published records of one build, in a SQLite file that the build deletes afterwards."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._pending: list[tuple[str, ...]] = []

    def add(self, record: PublicRecord) -> None:
        """Queue one published record for writing."""
        data = _to_json(record)
        body = json.dumps(data, ensure_ascii=False, sort_keys=True)
        self._pending.append(
            (record.item, record.record_id, record.subject_key, record.subject_name, record.date.isoformat(),
             str(data["authority"]), body)
        )
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Write queued records."""
        self.db.executemany("INSERT INTO record VALUES (?, ?, ?, ?, ?, ?, ?)", self._pending)
        self.db.commit()
        self._pending.clear()

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def count(self, item: str | None = None) -> int:
        """Number of published records (of one item, or all)."""
        if item is None:
            return int(self.db.execute("SELECT count(*) FROM record").fetchone()[0])
        return int(self.db.execute("SELECT count(*) FROM record WHERE item = ?", (item,)).fetchone()[0])

    def by_item(self, item: str, newest_first: bool = False, limit: int = -1, offset: int = 0) -> Iterator[PublicRecord]:
        """Records of one item: by record id, or newest first (then by record id)."""
        order = "day DESC, record_id" if newest_first else "record_id"
        query = f"SELECT body FROM record WHERE item = ? ORDER BY {order} LIMIT ? OFFSET ?"
        return (_from_json(row[0]) for row in self.db.execute(query, (item, limit, offset)))

    def newest(self, item: str, limit: int, offset: int) -> list[PublicRecord]:
        """One page of an item's records, newest first."""
        return list(self.by_item(item, newest_first=True, limit=limit, offset=offset))

    def latest(self, limit: int) -> list[PublicRecord]:
        """The newest records of all items."""
        query = "SELECT body FROM record ORDER BY day DESC, item, record_id LIMIT ?"
        return [_from_json(row[0]) for row in self.db.execute(query, (limit,))]

    def subjects(self) -> Iterator[tuple[str, list[PublicRecord]]]:
        """Each subject (by 统一社会信用代码) with its records, newest first; one subject at a time."""
        keys = self.db.execute("SELECT DISTINCT subject_key FROM record WHERE subject_key != '' ORDER BY subject_key")
        for (key,) in keys.fetchall():
            rows = self.db.execute(
                "SELECT body FROM record WHERE subject_key = ? ORDER BY day DESC, item, record_id", (key,)
            )
            yield key, [_from_json(row[0]) for row in rows]

    def subject_count(self) -> int:
        """Number of distinct subjects with a page."""
        return int(self.db.execute("SELECT count(DISTINCT subject_key) FROM record WHERE subject_key != ''").fetchone()[0])

    def authorities(self) -> list[tuple[str, int]]:
        """Authorities (decision-making bodies) with their number of records, by name."""
        rows = self.db.execute("SELECT authority, count(*) FROM record WHERE authority != '' GROUP BY authority ORDER BY authority")
        return [(str(a), int(n)) for a, n in rows]

    def by_authority(self, authority: str, limit: int = -1, offset: int = 0) -> list[PublicRecord]:
        """Records of one authority, newest first."""
        rows = self.db.execute(
            "SELECT body FROM record WHERE authority = ? ORDER BY day DESC, item, record_id LIMIT ? OFFSET ?",
            (authority, limit, offset),
        )
        return [_from_json(row[0]) for row in rows]


def _to_json(record: PublicRecord) -> dict[str, object]:
    return {
        "item": record.item, "record_id": record.record_id, "subject_key": record.subject_key,
        "subject_name": record.subject_name, "subject_category": record.subject_category,
        "date": record.date.isoformat(), "until": record.until.isoformat() if record.until else None,
        "objection_date": record.objection_date.isoformat() if record.objection_date else None,
        "authority": record.authority,
        "fields": record.fields,
    }


def _from_json(text: str) -> PublicRecord:
    data = json.loads(text)
    return PublicRecord(
        item=data["item"], record_id=data["record_id"], subject_key=data["subject_key"],
        subject_name=data["subject_name"], subject_category=data["subject_category"], authority=data["authority"],
        date=date.fromisoformat(data["date"]),
        until=date.fromisoformat(data["until"]) if data["until"] else None,
        objection_date=date.fromisoformat(data["objection_date"]) if data["objection_date"] else None,
        fields=data["fields"],
    )
