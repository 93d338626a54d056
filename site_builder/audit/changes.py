"""Changes since the previous build: the record state kept in the audit folder, and each build's change set.

The **record state** (``builds/<build id>/records.sqlite``, :attr:`BuildRecord.record_state`) holds, for every
record ever published: its item and record id, the date it first appeared on the site, the date its public
values last changed, and digests of those values (one over all, one CRC-32 per value: see
``store/published.py``); a record no longer published keeps its dates and the day it went, without digests.
No value itself is kept. Each build reads the previous build's state (the chain's head), attached read-only to
its published store, and

1. fills every published record's ``first_published`` and ``last_changed`` dates (carried over, or this build's
   as-of date for a record new or changed since);
2. compares: records **added** (not published by the previous build), **changed** (the names of the values
   that differ) and **withdrawn** (published by the previous build, not by this one) make the build's change
   set, ``builds/<build id>/changes.json``, kept for every build;
3. writes its own state into its work folder, which becomes part of its audit record when it is published (a
   build killed before that leaves the previous state as it was; the build after a published one removes the
   state of the build before).

A build whose previous build has no state (the first build, or the first after this feature) is the
**baseline**: every record first appears on its as-of date, and it has no change set.

The site carries the change sets of a **period** (:func:`change_log`): every build's within ``[changes] days`` of the
as-of date, and at least the last ``[changes] kept`` that changed something. A build that changed nothing (the
nightly rebuild, a rebuild after an approval of nothing public) is counted, not listed, so that a run of them cannot
push the builds that did change something off the site; the changes index says from which build on the list is
complete.

A withdrawal is published with a public reason class only (:data:`REASON_CLASSES`), never the build's reason
code: a code such as ``minor`` would say more about a subject than the site may.

The state also holds the code of every subject that ever had a page (a record with a 统一社会信用代码), and for one
that has none now, the day it went: its URL answers with a notice (``outputs/notices.py``) as a record's does. A
state written before subjects were kept has none: the build after it takes the subjects of that build's archived
manifest (its ``subject/<code>/index.html`` pages) instead, so a subject leaving the site that day is known too.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
import struct
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from site_builder.audit.history import ChainEntry
from site_builder.audit.layout import AuditFolder, BuildRecord
from site_builder.audit.ledger import DECISION_COLUMNS, MISSING, QUARANTINE_COLUMNS, QUARANTINED, REASON_CLASSES
from site_builder.exceptions import AuditError, PublishError
from site_builder.outputs.tables import read_cell
from site_builder.store.published import PublishedStore, connect_readonly

log = logging.getLogger(__name__)

KINDS = ("added", "changed", "withdrawn")
"""The kinds of change, in the order change files list them."""
CLASS_TITLES = {
    "expired": "公示期满", "repaired": "信用修复", "objection": "异议", "withdrawn_by_authority": "主管部门撤回",
    "corrected": "更正",
}
"""Chinese labels of the reason classes."""
CLASS_NOTES = {
    "expired": "公示期届满、公示截止期已到、已移出名单或已撤销",
    "repaired": "已完成信用修复，且最短公示期已满",
    "objection": "异议处理中中止公示，或异议成立、无法核实而撤下",
    "withdrawn_by_authority": "主管部门撤回、改为不公开或不再报送该记录",
    "corrected": "记录经更正后不再符合公示条件（如改为简易程序、轻微情节，或数据正在更正）",
}
"""What each reason class covers, for the change pages."""
_STATE_SCHEMA = """
CREATE TABLE state.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE state.field (item TEXT PRIMARY KEY, names TEXT NOT NULL);
CREATE TABLE state.record (
    item TEXT NOT NULL, record_id TEXT NOT NULL, first_published TEXT NOT NULL, last_changed TEXT NOT NULL,
    digest BLOB, field_digests BLOB, withdrawn TEXT, PRIMARY KEY (item, record_id)
) WITHOUT ROWID;
CREATE TABLE state.subject (subject_key TEXT PRIMARY KEY, withdrawn TEXT) WITHOUT ROWID;
"""
_FORMAT = "1"
_SUBJECT_PAGE = re.compile(r"subject/([^/]+)/index\.html")
"""A subject page's path in a manifest's list of files."""
_EMPTY = 0
"""The digest of an empty value (and of a name one record lacks)."""


@dataclass(frozen=True)
class Change:
    """One record added, changed or withdrawn: ids, names and dates only, never a value."""

    kind: str
    item: str
    record_id: str
    first_published: date
    fields: tuple[str, ...] = ()
    """Changed: the names of the public values that changed (``publication_until`` and the like for its dates)."""
    reason: str = ""
    """Withdrawn: the public reason class (a key of :data:`CLASS_TITLES`)."""


@dataclass(frozen=True)
class ChangeSet:
    """What changed between the previous build and ``build_id``."""

    build_id: str
    as_of: date
    previous_build_id: str
    previous_as_of: date
    changes: tuple[Change, ...]

    def of_kind(self, kind: str) -> list[Change]:
        """The changes of one kind, in file order."""
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        """Changes per kind, every kind present."""
        counted = Counter(c.kind for c in self.changes)
        return {kind: counted[kind] for kind in KINDS}


@dataclass(frozen=True)
class ChangeLog:
    """What the site shows of the change history: this build, the baseline, and the change sets kept."""

    build_id: str
    as_of: date
    baseline_build_id: str
    baseline_as_of: date
    sets: tuple[ChangeSet, ...]
    """The change sets the site carries, newest first: of the builds that changed something, every one within
    ``days`` days of ``as_of`` and at least the last ``keep``."""
    keep: int
    withdrawn: tuple[tuple[str, str], ...] = ()
    """``(item, record id)`` of every record the site published once and no longer does, sorted (their URLs
    answer with a notice: ``outputs/notices.py``)."""
    withdrawn_subjects: tuple[str, ...] = ()
    """The code of every subject whose page the site published once and no longer does (no record of it is public
    now), sorted (their URLs answer with a notice too)."""
    days: int = 0
    """The period whose change sets the site carries, in days back from ``as_of`` (0: only the last ``keep``)."""
    since_build_id: str = ""
    """The build after which every change is listed: the newest build older than the period and the ``keep`` whose
    change set the site leaves out (``""``: none was left out, every change since the baseline is listed)."""
    since_as_of: date | None = None
    """The as-of date of ``since_build_id``."""
    quiet: int = 0
    """The builds since then (this one included) that changed nothing: counted, not listed."""


def previous_state(audit_root: Path, chain: list[ChainEntry]) -> Path | None:
    """The record state of the chain's head, if it has one (else this build is the baseline)."""
    if not chain:
        return None
    path = AuditFolder(audit_root).build(chain[-1].build_id).record_state
    return path if path.is_file() else None


def record_changes(store: PublishedStore, work: BuildRecord, previous: Path | None, build_id: str,
                   as_of: date) -> tuple[ChangeSet | None, tuple[str, date]]:
    """Date the store's records, write this build's state (and change set) into ``work``; return the change set
    (``None`` for a baseline) and the baseline's build id and date.

    ``previous``: the previous build's state. A state that cannot be read stops the build (:class:`AuditError`):
    starting again from a baseline would lose every first-published date.
    """
    day = as_of.isoformat()
    db = store.db
    if previous is None:
        db.execute("UPDATE main.record SET first_published = ?, last_changed = ?", (day, day))
        baseline, changes = (build_id, as_of), None
    else:
        try:
            baseline, changes = _compare(store, work, previous, build_id, as_of)
        except (sqlite3.Error, KeyError, ValueError) as exc:
            raise AuditError(f"{previous}: cannot be read as the previous build's record state ({exc}); restore it from "
                             "a backup of the audit folder, or remove it to start the change history again") from exc
    try:
        _write_state(store, work.record_state, previous, build_id, as_of, baseline)
    except sqlite3.Error as exc:
        raise PublishError(f"Build failed (the record state {work.record_state} cannot be written: {exc}); the published "
                           "site was left as it was") from exc
    if changes is not None:
        work.changes.write_text(_private_json(changes), encoding="utf-8")
    return changes, baseline


def _write_state(store: PublishedStore, path: Path, previous: Path | None, build_id: str, as_of: date,
                 baseline: tuple[str, date]) -> None:
    """This build's state at ``path``: its records and subjects, and (from the ``previous`` state, attached as
    ``prev`` and detached here) the records and subjects published before and not now, with the day they went."""
    db, day = store.db, as_of.isoformat()
    store.attach(path, "state", readonly=False)
    db.executescript("PRAGMA state.journal_mode=OFF; PRAGMA state.synchronous=OFF;" + _STATE_SCHEMA)
    db.execute("INSERT INTO state.record SELECT item, record_id, first_published, last_changed, digest, field_digests, "
               "NULL FROM main.record")
    db.execute("INSERT INTO state.subject SELECT DISTINCT subject_key, NULL FROM main.record WHERE subject_key != ''")
    if previous is not None:
        db.execute("INSERT INTO state.record SELECT item, record_id, first_published, last_changed, NULL, NULL, "
                   "coalesce(withdrawn, ?) FROM prev.record AS p WHERE NOT EXISTS (SELECT 1 FROM main.record AS r "
                   "WHERE r.item = p.item AND r.record_id = p.record_id)", (day,))
        if db.execute("SELECT 1 FROM prev.sqlite_master WHERE type = 'table' AND name = 'subject'").fetchone():
            db.execute("INSERT INTO state.subject SELECT subject_key, coalesce(withdrawn, ?) FROM prev.subject AS p "
                       "WHERE NOT EXISTS (SELECT 1 FROM state.subject AS s WHERE s.subject_key = p.subject_key)", (day,))
        else:
            db.executemany("INSERT OR IGNORE INTO state.subject VALUES (?, ?)",
                           ((key, day) for key in manifest_subjects(BuildRecord(previous.parent).manifest)))
        store.detach("prev")
    db.execute("INSERT INTO state.field SELECT item, names FROM main.field")
    meta = {"format": _FORMAT, "build_id": build_id, "as_of": day, "baseline_build_id": baseline[0],
            "baseline_as_of": baseline[1].isoformat()}
    db.executemany("INSERT INTO state.meta VALUES (?, ?)", sorted(meta.items()))
    store.detach("state")


def _compare(store: PublishedStore, work: BuildRecord, previous: Path, build_id: str,
             as_of: date) -> tuple[tuple[str, date], ChangeSet]:
    """Fill the dates from the previous state (attached as ``prev``, left attached) and list the changes."""
    day, db = as_of.isoformat(), store.db
    store.attach(previous, "prev")
    meta = dict(db.execute("SELECT key, value FROM prev.meta").fetchall())
    if meta.get("format") != _FORMAT:
        raise sqlite3.DatabaseError(f"format {meta.get('format')!r}, expected {_FORMAT}")
    baseline = (meta["baseline_build_id"], date.fromisoformat(meta["baseline_as_of"]))
    respelled = first_spellings(db)
    if respelled:
        store.respell(respelled)
        log.info("records=%d: their ids as the platform now spells them differ in case only from ids published "
                 "before; kept at their first spelling's address (%s)", len(respelled),
                 ", ".join(f"{item} {now} -> {kept}" for item, now, kept in respelled[:5]))
    db.execute("UPDATE main.record SET first_published = p.first_published, last_changed = CASE "
               "WHEN p.withdrawn IS NULL AND p.digest = main.record.digest THEN p.last_changed ELSE ? END "
               "FROM prev.record AS p WHERE p.item = main.record.item AND p.record_id = main.record.record_id", (day,))
    db.execute("UPDATE main.record SET first_published = ?, last_changed = ? WHERE first_published = ''", (day, day))
    db.commit()
    current = _names(db, "main")
    before = _names(db, "prev")
    found: list[Change] = [
        Change("added", item, record_id, date.fromisoformat(first)) for item, record_id, first in db.execute(
            "SELECT item, record_id, first_published FROM main.record AS r WHERE NOT EXISTS (SELECT 1 FROM prev.record "
            "AS p WHERE p.item = r.item AND p.record_id = r.record_id AND p.withdrawn IS NULL)")]
    unchanged: list[tuple[str, str]] = []  # digests differ, values do not: the catalogue's fields changed
    for item, record_id, first, now, then in db.execute(
            "SELECT r.item, r.record_id, r.first_published, r.field_digests, p.field_digests FROM main.record AS r "
            "JOIN prev.record AS p ON p.item = r.item AND p.record_id = r.record_id "
            "WHERE p.withdrawn IS NULL AND p.digest != r.digest").fetchall():
        fields = changed_fields(current.get(item, ()), now, before.get(item, ()), then)
        if fields:
            found.append(Change("changed", item, record_id, date.fromisoformat(first), fields))
        else:
            unchanged.append((item, record_id))
    db.executemany("UPDATE main.record SET last_changed = (SELECT p.last_changed FROM prev.record AS p WHERE p.item = "
                   "main.record.item AND p.record_id = main.record.record_id) WHERE item = ? AND record_id = ?", unchanged)
    gone = {(str(item), str(record_id)): date.fromisoformat(first) for item, record_id, first in db.execute(
        "SELECT item, record_id, first_published FROM prev.record AS p WHERE p.withdrawn IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM main.record AS r WHERE r.item = p.item AND r.record_id = p.record_id)")}
    reasons = withdrawal_reasons(work, set(gone))
    found += [Change("withdrawn", item, record_id, first, reason=reason_class(reasons.get((item, record_id), MISSING)))
              for (item, record_id), first in gone.items()]
    _log_codes(reasons, gone)
    found.sort(key=lambda c: (KINDS.index(c.kind), c.item, c.record_id))
    changes = ChangeSet(build_id, as_of, str(meta["build_id"]), date.fromisoformat(meta["as_of"]), tuple(found))
    return baseline, changes


def first_spellings(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """``(item, record id, the spelling to keep)`` of each record whose id the previous state (attached as ``prev``)
    holds spelt in another case only: the platform changed it (``AP-1`` exported as ``ap-1``).

    The record keeps its first spelling's address, first-published date and history; it is the same record (the
    duplicate rule compares ids so too: :func:`~site_builder.rules.validation.id_key`, which for the ASCII of a
    published id is :meth:`str.lower`). Read as another record, it was withdrawn and added: its dates restarted, and on
    a host that tells case apart the address cited before answered 404. Of several earlier spellings, the one still
    published is kept, else the one withdrawn last.
    """
    new = db.execute("SELECT item, record_id FROM main.record AS r WHERE NOT EXISTS (SELECT 1 FROM prev.record AS p "
                     "WHERE p.item = r.item AND p.record_id = r.record_id)").fetchall()
    if not new:
        return []
    wanted = {(str(item), str(record_id).lower()): str(record_id) for item, record_id in new}
    kept: dict[tuple[str, str], tuple[tuple[bool, str], str]] = {}
    for item, record_id, withdrawn in db.execute(
            "SELECT item, record_id, withdrawn FROM prev.record AS p WHERE NOT EXISTS (SELECT 1 FROM main.record AS r "
            "WHERE r.item = p.item AND r.record_id = p.record_id)"):
        key = (str(item), str(record_id).lower())
        rank = (withdrawn is None, str(withdrawn or ""))
        if key in wanted and (key not in kept or rank > kept[key][0]):
            kept[key] = (rank, str(record_id))
    return sorted((item, wanted[item, lowered], spelling) for (item, lowered), (_rank, spelling) in kept.items())


def reason_class(code: str) -> str:
    """The public reason class of a reason code (a code not in :data:`REASON_CLASSES`: withdrawn by the authority)."""
    return REASON_CLASSES.get(code, "withdrawn_by_authority")


def _names(db: sqlite3.Connection, schema: str) -> dict[str, tuple[str, ...]]:
    """The names of the digested values per item, in digest order."""
    return {str(item): tuple(json.loads(names)) for item, names in db.execute(f"SELECT item, names FROM {schema}.field")}


def changed_fields(names: tuple[str, ...], now: bytes, names_before: tuple[str, ...], before: bytes) -> tuple[str, ...]:
    """The names whose CRC-32 differs between two records' digests (a name one side lacks counts as empty there,
    so a field added to or dropped from the catalogue, or moved, changes nothing by itself)."""
    new = dict(zip(names, struct.unpack(f"<{len(now) // 4}I", now), strict=False))
    old = dict(zip(names_before, struct.unpack(f"<{len(before) // 4}I", before), strict=False))
    ordered = [*names, *(n for n in names_before if n not in new)]
    return tuple(n for n in ordered if new.get(n, _EMPTY) != old.get(n, _EMPTY))


def withdrawal_reasons(work: BuildRecord, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The reason each of ``keys`` (item, record id) is not published by this build: its reason code from the
    decision list, :data:`QUARANTINED` if its row is in the quarantine report; a key in neither is left out
    (its row is gone: :data:`MISSING`). A row whose id the platform now spells in another case (``AP-7`` exported as
    ``ap-7``: the same record, :func:`first_spellings`) gives its reason too, where no row spells it as published.
    One pass over each file, only when something was withdrawn."""
    found: dict[tuple[str, str], str] = {}
    if not keys:
        return found
    folded = {(item, record_id.casefold()): (item, record_id) for item, record_id in keys}
    respelt: dict[tuple[str, str], str] = {}
    item, record_id, outcome = (DECISION_COLUMNS.index(c) for c in ("item", "record_id", "outcome"))
    with work.decisions.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if (row[item], row[record_id]) in keys:
                found[(row[item], row[record_id])] = row[outcome]
            elif (key := folded.get((row[item], row[record_id].casefold()))) is not None:
                respelt.setdefault(key, row[outcome])
    item, record_id = (QUARANTINE_COLUMNS.index(c) for c in ("item", "record_id"))
    with work.quarantine.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            row[record_id] = read_cell(row[record_id])  # written as text where it began like a formula
            if (row[item], row[record_id]) in keys:
                found.setdefault((row[item], row[record_id]), QUARANTINED)
            elif (key := folded.get((row[item], row[record_id].casefold()))) is not None:
                respelt.setdefault(key, QUARANTINED)
    return respelt | found


def _log_codes(reasons: dict[tuple[str, str], str], gone: dict[tuple[str, str], date]) -> None:
    counted = Counter(reasons.get(key, MISSING) for key in gone)
    if counted:
        log.info("withdrawn %s", " ".join(f"{code}={n}" for code, n in sorted(counted.items())))


def _private_json(changes: ChangeSet) -> str:
    """The change set as kept in the audit folder (its reason class per withdrawal, as published)."""
    return json.dumps(_plain(changes), ensure_ascii=False, indent=1) + "\n"


def _plain(changes: ChangeSet) -> dict[str, Any]:
    return {
        "build_id": changes.build_id, "as_of": changes.as_of.isoformat(),
        "previous": {"build_id": changes.previous_build_id, "as_of": changes.previous_as_of.isoformat()},
        "changes": [{"kind": c.kind, "item": c.item, "record_id": c.record_id, "first_published": c.first_published.isoformat(),
                     "fields": list(c.fields), "reason": c.reason} for c in changes.changes],
    }


def read_change_set(path: Path) -> ChangeSet:
    """A change set kept in the audit folder; ``ValueError`` (or ``KeyError``, ``TypeError``) if it is not one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    changes = tuple(Change(str(c["kind"]), str(c["item"]), str(c["record_id"]), date.fromisoformat(c["first_published"]),
                           tuple(str(f) for f in c["fields"]), str(c["reason"])) for c in data["changes"])
    if any(c.kind not in KINDS or (c.reason and c.reason not in CLASS_TITLES) for c in changes):
        raise ValueError("unknown kind or reason class")
    return ChangeSet(str(data["build_id"]), date.fromisoformat(data["as_of"]), str(data["previous"]["build_id"]),
                     date.fromisoformat(data["previous"]["as_of"]), changes)


def withdrawn(state: Path) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """What a record state holds as no longer published: ``(item, record id)`` of its records and the codes of its
    subjects, each sorted (read in one connection)."""
    if not state.is_file():
        return (), ()
    db = connect_readonly(state)
    try:
        rows = db.execute("SELECT item, record_id FROM record WHERE withdrawn IS NOT NULL ORDER BY item, record_id")
        records = tuple((str(item), str(record_id)) for item, record_id in rows)
        keys = db.execute("SELECT subject_key FROM subject WHERE withdrawn IS NOT NULL ORDER BY subject_key")
        return records, tuple(str(key) for key, in keys)
    except sqlite3.Error as exc:
        raise AuditError(f"{state}: cannot be read as a record state ({exc})") from exc
    finally:
        db.close()


def manifest_subjects(manifest: Path) -> list[str]:
    """The codes of the subject pages a build's manifest lists (``subject/<code>/index.html``): the subjects of a
    build whose record state was written before states kept them (none if the manifest cannot be read)."""
    try:
        outputs = json.loads(manifest.read_text(encoding="utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("manifest=%s cannot be read (%s): the subjects of the build before are not known", manifest, exc)
        return []
    return sorted(match[1] for name in outputs if (match := _SUBJECT_PAGE.fullmatch(str(name))))


def change_log(audit_root: Path, chain: list[ChainEntry], current: ChangeSet | None, baseline: tuple[str, date],
               build_id: str, as_of: date, keep: int, withdrawn: tuple[tuple[str, str], ...] = (),
               withdrawn_subjects: tuple[str, ...] = (), days: int = 0) -> ChangeLog:
    """This build's change set and those of the builds before it back to the baseline that the site carries: of the
    builds that changed something, every one whose as-of date is at most ``days`` days before ``as_of``, and at least
    the last ``keep``.

    The builds are read newest first, up to the first one older than the period once ``keep`` sets are listed (that
    build and the older ones are left out: :attr:`ChangeLog.since_build_id`). So the sets listed are every change made
    since a given build, never a selection, whatever dates the builds carry. A build that changed nothing is counted
    (:attr:`ChangeLog.quiet`), not listed: nightly rebuilds cannot push the builds that changed something off the site.
    Only as-of dates are compared, never the clock, so the same audit folder gives the same log.

    A kept change set that cannot be read is left out with a warning (the site lists the others).
    """
    start = as_of - timedelta(days=days)
    folder = AuditFolder(audit_root)
    builds: list[tuple[str, date, Path | None]] = [(current.build_id, current.as_of, None)] if current is not None else []
    builds += [(e.build_id, date.fromisoformat(e.as_of), folder.build(e.build_id).changes)
               for e in reversed(chain if current is not None else [])]
    sets: list[ChangeSet] = []
    quiet = 0
    since: tuple[str, date | None] = ("", None)
    for number, day, path in builds:
        if number == baseline[0]:
            break
        if len(sets) >= keep and day < start:
            since = (number, day)
            break
        try:
            changes = current if path is None else read_change_set(path)
        except FileNotFoundError:
            continue
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("changes=%s cannot be read (%s): left out of the site", path, exc)
            continue
        if changes is None or not changes.changes:
            quiet += 1
        else:
            sets.append(changes)
    return ChangeLog(build_id, as_of, baseline[0], baseline[1], tuple(sets), keep, withdrawn, withdrawn_subjects, days,
                     since[0], since[1], quiet)
