"""The decision cache: what a build made of each input row, kept for the builds after it (issue 13).

Every build reads every row, but most rows are the same as in the build before, and what a build makes of a
row is a function of the row alone and of the as-of date, the catalogue, the profile and the software: its
validation (a quarantine entry, or a record), its disclosure decision, its redacted public record and the
secrets the leak scan looks for in it. The cache keeps that :class:`RowResult` under a digest of the row's
cells (:func:`row_digest`), with the range of as-of dates over which it holds: the decision looks at the as-of
date only by comparing it with other dates (the version of the period rule in force, the start, the last day,
the end of a minimum period), and :class:`TracingDate` notes the first day on which one of those comparisons
would come out otherwise (:attr:`RowResult.changes`). The same row decided again before that day gives the same
result, so the nightly build for the next day re-decides only the rows whose result may change that day, and a
build after an approval only the rows that changed.

Three things a result also depends on are checked each time it is used: whether the row's record id is used by
several rows (such rows are never cached: their quarantine message names the other rows), whether the
subjects it asked about are on a serious-dishonesty list (:class:`TracingListings` notes each question and its
answer), and the configuration (:func:`decision_key`: a change of software, catalogue or profile empties the
cache). A result found in the cache is what deciding the row again would give, byte for byte (tested).

The cache is one SQLite file in the private audit folder (``AuditFolder.row_cache``). It holds what the leak scan
looks for (withheld values and ID numbers of the rows): it is as private as the records; removing it only
makes the next build decide every row again. Results are stored with :mod:`marshal` (plain values only).
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple, NoReturn

from site_builder.rules.disclosure import Listing
from site_builder.sources.loading import RawRow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS result (
    digest BLOB PRIMARY KEY, decided INTEGER NOT NULL, changes INTEGER NOT NULL, asked BLOB NOT NULL, value BLOB NOT NULL
) WITHOUT ROWID;
"""
"""A result's ``value`` is :meth:`RowResult.to_bytes` after a check (:func:`_check`); ``decided``, ``changes`` and
``asked`` (:mod:`marshal`, empty for none) repeat what :meth:`RowResult.holds` reads, so that a lookup tells whether a
result holds without reading it back."""
_FORMAT = 5
_PAGE = 16384
"""The cache's page size: most results (about 1 KB) fit on a page with others, and a lookup reads one page, not
an overflow page besides (with 4 KB pages, lookups took 2.6 times as long)."""
_BATCH = 100_000
"""Results written at a time, in the order of their digests: the table is a B-tree by digest, and a million
results inserted in random order took 33 s of processor time in batches of 5,000, 7.8 s in sorted batches of
100,000 (some 100 MB held meanwhile)."""
_CHECK = 4
"""Bytes of the check stored with each result."""
_BATCH_IDS = 500
"""Rows looked up per query."""
_ONE_DAY = timedelta(days=1)


def row_digest(raw: RawRow) -> bytes:
    """A digest of everything a row's result is made of: its item, its cells by field name, the number of cells
    past the heading and the reader's defects (not its file or line: a row that moves keeps its result).

    The parts (with the number of cells, so that names, values and defects are told apart) are joined with NUL
    characters, which must then be exactly the separators, so that no two rows give the same text; a row whose
    cells hold NUL characters themselves is written as the ``repr`` of its parts.
    """
    parts = (raw.item, str(raw.extra_cells), str(len(raw.values)), *raw.values, *raw.values.values(),
             *(part for d in raw.defects for part in d))
    text = "\0".join(parts)
    if text.count("\0") != len(parts) - 1:
        text = repr(parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


class TracingDate(date):
    """The as-of date, noting the first later day on which a comparison made with it would come out otherwise.

    A comparison with anything but a date is not answered here (``NotImplemented``), as with a plain date. What
    else reads the date (its year, its text …) may change the next day, and is noted so; arithmetic on it raises
    :class:`TypeError`, since a date computed from it would not note its own comparisons here.
    """

    changes: date | None

    def __new__(cls, day: date) -> TracingDate:
        traced = super().__new__(cls, day.year, day.month, day.day)
        traced.changes = None
        return traced

    def _plain(self) -> date:
        return date.fromordinal(date.toordinal(self))

    def _at(self, day: date) -> None:
        """A result flips on ``day`` (a day after this one)."""
        plain = date.fromordinal(date.toordinal(day))
        if self.changes is None or plain < self.changes:
            self.changes = plain

    def _after(self, day: date) -> None:
        """A result flips on the day after ``day``."""
        number = date.toordinal(day)
        if number < date.max.toordinal():
            self._at(date.fromordinal(number + 1))

    def __lt__(self, other: object) -> bool:
        result = date.__lt__(self, other)  # type: ignore[operator]
        if result is True:
            self._at(other)  # type: ignore[arg-type]
        return result

    def __le__(self, other: object) -> bool:
        result = date.__le__(self, other)  # type: ignore[operator]
        if result is True:
            self._after(other)  # type: ignore[arg-type]
        return result

    def __gt__(self, other: object) -> bool:
        result = date.__gt__(self, other)  # type: ignore[operator]
        if result is False:
            self._after(other)  # type: ignore[arg-type]
        return result

    def __ge__(self, other: object) -> bool:
        result = date.__ge__(self, other)  # type: ignore[operator]
        if result is False:
            self._at(other)  # type: ignore[arg-type]
        return result

    def __eq__(self, other: object) -> bool:
        result = date.__eq__(self, other)
        if result is True:
            self._after(self)
        elif result is False and isinstance(other, date) and date.__lt__(self, other):
            self._at(other)
        return result

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = date.__hash__

    def __add__(self, other: object) -> NoReturn:
        raise TypeError("the as-of date of a decision is only compared, never computed with (rules/rowcache.py)")

    __radd__ = __sub__ = __rsub__ = __add__

    def _read(self) -> date:
        """The date as read otherwise than by comparison: the reading may differ from tomorrow on."""
        self._after(self)
        return self._plain()

    @property
    def year(self) -> int:
        return self._read().year

    @property
    def month(self) -> int:
        return self._read().month

    @property
    def day(self) -> int:
        return self._read().day

    def toordinal(self) -> int:
        return self._read().toordinal()

    def weekday(self) -> int:
        return self._read().weekday()

    def isoweekday(self) -> int:
        return self._read().isoweekday()

    def isoformat(self) -> str:
        return self._read().isoformat()

    def strftime(self, fmt: str) -> str:
        return self._read().strftime(fmt)

    def __str__(self) -> str:
        return self._read().isoformat()

    def __format__(self, fmt: str) -> str:
        return self._read().__format__(fmt)


class TracingListings(Mapping[str, Listing]):
    """Subjects' listings (:func:`~site_builder.rules.pipeline.listed_subjects`) that note every code asked for, with
    the answer (the empty listing for a subject with none)."""

    def __init__(self, listings: Mapping[str, Listing]) -> None:
        self.listings = listings
        self.asked: dict[str, Listing] = {}

    def __getitem__(self, code: str) -> Listing:
        answer = self.listings.get(code, ())
        self.asked[code] = answer
        if not answer:
            raise KeyError(code)
        return answer

    def __iter__(self) -> Iterator[str]:
        return iter(self.listings)

    def __len__(self) -> int:
        return len(self.listings)


class RowResult(NamedTuple):
    """What a build makes of one row (file and line aside): its ledger line or quarantine entry, its public record,
    its secrets; and the as-of dates and list answers under which it holds.

    A named tuple rather than a dataclass: a warm build makes a million of them from the cache, and a tuple is made
    in a third of the time.
    """

    record_id: str
    problems: tuple[tuple[str, str, str], ...]
    """Quarantined: ``(column title, error type, message)`` of each problem; empty for a valid row."""
    outcome: str
    """A valid row: ``published`` or the reason code it is not."""
    start: int
    """The first public day (an ordinal; 0: none), as the decision list shows it."""
    until: int
    """The last public day (an ordinal; 0: none)."""
    marked: bool
    stored: tuple[str | bytes, ...] | None
    """A published row: its line of the published store (:func:`~site_builder.store.published.store_line`)."""
    secrets: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    """What the leak scan looks for in it (:func:`site_builder.rules.privacy.row_secrets`)."""
    decided: int
    """The as-of date it was decided for (an ordinal)."""
    changes: int
    """The first later as-of date (an ordinal) on which deciding the row again may give another result; 0: none."""
    asked: tuple[tuple[str, Listing], ...]
    """The codes whose listing the decision asked about, with the answers."""

    def holds(self, as_of: int, listed: Mapping[str, Listing]) -> bool:
        """Whether deciding the row on ``as_of`` (an ordinal) with these subjects ``listed`` gives this result."""
        return _holds(self.decided, self.changes, self.asked, as_of, listed)

    def to_bytes(self) -> bytes:
        """The result as stored (:mod:`marshal` of its fields)."""
        return marshal.dumps((_FORMAT, self.record_id, self.problems, self.outcome, self.start, self.until, self.marked,
                              self.stored, self.secrets, self.decided, self.changes, self.asked))

    @classmethod
    def from_bytes(cls, data: bytes) -> RowResult | None:
        """A stored result; ``None`` if it is not one this version wrote."""
        try:
            fields = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(fields, tuple) or len(fields) != 12 or fields[0] != _FORMAT:
            return None
        return cls._make(fields[1:])


def _holds(decided: int, changes: int, asked: tuple[tuple[str, Listing], ...], as_of: int,
           listed: Mapping[str, Listing]) -> bool:
    """:meth:`RowResult.holds` for a result with these fields."""
    if decided > as_of or (changes and as_of >= changes):
        return False
    for code, answer in asked:
        if listed.get(code, ()) != answer:
            return False
    return True


def _check(digest: bytes, decided: int, changes: int, asked: bytes, value: bytes) -> bytes:
    """The check stored before a result: the CRC-32 of the row's digest and the other columns (it finds a page left
    half written, or a result stored under another row's digest; the cache is as private as the records, so
    nothing else writes to it)."""
    head = digest + decided.to_bytes(4, "little") + changes.to_bytes(4, "little")
    return zlib.crc32(value, zlib.crc32(asked, zlib.crc32(head))).to_bytes(_CHECK, "little")


def _asked(stored: bytes) -> tuple[tuple[str, Listing], ...]:
    """The ``asked`` column of a result (its check passed) as :attr:`RowResult.asked`."""
    asked: tuple[tuple[str, Listing], ...] = marshal.loads(stored)
    return asked


def ordinal(day: date | None) -> int:
    """A date as stored in a result (0 for none)."""
    return day.toordinal() if day is not None else 0


def day_of(number: int) -> date | None:
    """The date of an ordinal stored in a result."""
    return date.fromordinal(number) if number else None


@dataclass(frozen=True)
class CacheFile:
    """Where the decision cache is and what its results are made under (see :class:`RowCache`): opened by whichever
    process reads the rows; processes reading side by side (``reader.py``) only read it, and hand what is to be
    written to the build, which writes it once they are done (:meth:`write`)."""

    path: Path
    key: str
    read: bool = True
    """``False``: results are kept but none is taken (a full build decides every row)."""
    parsed: Path | None = None
    """Where the records files a warm build parses are kept for the builds after it (``parsed.py``); ``None``: not
    kept."""

    def open(self, shared: bool = False) -> RowCache:
        """The cache; ``shared``: opened by one of several processes reading it at once, which writes nothing
        (what it would write is left in :meth:`RowCache.unwritten`)."""
        return RowCache(self.path, self.key, self.read, shared)

    def write(self, parts: Iterable[Unwritten]) -> None:
        """Write what shared readers of the cache left unwritten (see :meth:`RowCache.close`)."""
        cache = self.open()
        for part in parts:
            cache.used.update(part.used)
            cache.pending.extend(part.results)
        cache.close()

    def warm(self) -> bool:
        """Whether the cache is read and holds results (a build that finds most rows there)."""
        if not self.read or not self.path.is_file():
            return False
        cache = self.open()
        try:
            return cache.holds_any()
        finally:
            cache.db.close()


CacheEntry = tuple[bytes, int, int, bytes, bytes]
"""A result as the cache stores it: the row's digest, ``decided``, ``changes``, ``asked`` and the checked value."""


def cache_entry(digest: bytes, result: RowResult) -> CacheEntry:
    """The entry of the cache for the row of ``digest`` whose result is ``result``; made where the row is decided, so
    the build process only adds it."""
    value = result.to_bytes()
    asked = marshal.dumps(result.asked) if result.asked else b""
    return digest, result.decided, result.changes, asked, _check(digest, result.decided, result.changes, asked, value) + value


def entry_value(entry: CacheEntry) -> bytes:
    """The result an entry of :func:`cache_entry` holds, as :meth:`RowResult.to_bytes`."""
    return entry[4][_CHECK:]


@dataclass(frozen=True)
class Unwritten:
    """What a shared reader of the cache leaves to write: the digests of the rows it read and the results it made."""

    used: list[bytes]
    results: list[CacheEntry]


class RowCache:
    """The results of the rows of earlier builds, by :func:`row_digest`, in the SQLite file ``path``.

    ``key``: what every result depends on besides its row (the build's decision key); a cache made under another
    key is emptied first. ``read=False``: results are kept but none is taken (a full build decides every row).
    Results are written in batches; :meth:`close` writes the last ones, and removes the results of rows no longer
    read once they outnumber those read.
    """

    def __init__(self, path: Path, key: str, read: bool = True, shared: bool = False) -> None:
        try:
            self.db = self._open(path, key)
        except sqlite3.DatabaseError:  # a cache cut short (no journal: a killed build may leave one): start afresh
            path.unlink(missing_ok=True)
            self.db = self._open(path, key)
        self.pending: list[CacheEntry] = []
        self.read = read
        self.shared = shared
        self.hits = 0
        self.used: set[bytes] = set()

    @staticmethod
    def _open(path: Path, key: str) -> sqlite3.Connection:
        """The cache at ``path``, emptied if it was made under another key; :class:`sqlite3.DatabaseError` if it
        cannot be read or has pages of another size (an older cache: the caller starts afresh)."""
        db = sqlite3.connect(path)
        try:
            # No journal: the cache is written in bulk and only ever a copy of what the rows give; lookups go to
            # random places of a file of some hundreds of megabytes: read it through memory mapping.
            db.executescript(f"PRAGMA page_size={_PAGE}; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                             "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144;" + _SCHEMA)
            if db.execute("PRAGMA page_size").fetchone()[0] != _PAGE:
                raise sqlite3.DatabaseError(f"{path}: pages of another size")
            stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if stored.get("format", str(_FORMAT)) != str(_FORMAT):
                raise sqlite3.DatabaseError(f"{path}: format {stored['format']}")
            if stored.get("key") != key or "format" not in stored:
                db.execute("DELETE FROM result")
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("key", key), ("format", str(_FORMAT))])
                db.commit()
            db.execute("SELECT count(*) FROM result WHERE digest = x''").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get_many(self, digests: list[bytes], as_of: int, listed: Mapping[str, Listing]) -> dict[bytes, bytes]:
        """The results stored for these rows (those found) that hold on ``as_of`` (an ordinal) with these subjects
        ``listed`` and pass their check, as :meth:`RowResult.to_bytes`; one query per :data:`_BATCH_IDS` rows.

        The stored results are not read back here (a build's reader process hands them on: ``reader.py``).
        """
        self.used.update(digests)
        found: dict[bytes, bytes] = {}
        if not self.read:
            return found
        for start in range(0, len(digests), _BATCH_IDS):
            part = digests[start:start + _BATCH_IDS]
            query = f"SELECT digest, decided, changes, asked, value FROM result WHERE digest IN ({','.join('?' * len(part))})"
            for digest, decided, changes, asked, stored in self.db.execute(query, part):
                try:
                    value = stored[_CHECK:]
                    if stored[:_CHECK] != _check(digest, decided, changes, asked, value):
                        continue
                except (AttributeError, TypeError, OverflowError):  # a column damaged into another type
                    continue
                if _holds(decided, changes, _asked(asked) if asked else (), as_of, listed):
                    found[digest] = value
        return found

    def add(self, entry: CacheEntry) -> None:
        """Keep a result as :func:`cache_entry` gives it (written with the next batch)."""
        self.used.add(entry[0])
        self.pending.append(entry)
        if len(self.pending) >= _BATCH and not self.shared:
            self.flush()

    def flush(self) -> None:
        """Write the results kept so far (by digest: see :data:`_BATCH`)."""
        self.pending.sort()
        self.db.executemany("INSERT OR REPLACE INTO result VALUES (?, ?, ?, ?, ?)", self.pending)
        self.db.commit()
        self.pending.clear()

    def prune(self) -> int:
        """Remove every result but those of the rows read since the cache was opened; the number removed."""
        self.flush()
        self.db.execute("CREATE TEMP TABLE used (digest BLOB PRIMARY KEY) WITHOUT ROWID")
        self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((d,) for d in self.used))
        removed = self.db.execute("DELETE FROM result WHERE digest NOT IN (SELECT digest FROM used)").rowcount
        self.db.execute("DROP TABLE used")
        self.db.commit()
        return int(removed)

    def holds_any(self) -> bool:
        """Whether any result is kept."""
        return self.db.execute("SELECT 1 FROM result LIMIT 1").fetchone() is not None

    def size(self) -> int:
        """The number of results kept."""
        return int(self.db.execute("SELECT count(*) FROM result").fetchone()[0])

    def unwritten(self) -> Unwritten:
        """What a shared cache leaves to write (:meth:`CacheFile.write`)."""
        return Unwritten(list(self.used), self.pending)

    def close(self) -> None:
        """Write what is pending, remove the results of rows no longer read if they outnumber the others, close (a
        shared cache writes nothing: see :meth:`unwritten`)."""
        if self.shared:
            self.db.close()
            return
        self.flush()
        if self.size() > 2 * len(self.used) + _BATCH:
            self.prune()
        self.db.close()
