"""The audit history: an append-only, hash-linked chain of build manifests (in the spirit of RFC 6962).

The audit folder's ``chain.jsonl`` (:mod:`site_builder.audit.layout`) has a line per build:
sequence number, build id, as-of date, the SHA-256 of that build's ``manifest.json`` and the hash of
the previous one. ``audit/builds/<build id>/``
keeps the manifest, the per-record decisions and the quarantine report. The published site
carries the latest manifest and the chain of hashes (``chain.json``), so anyone holding an old
head can check that later builds descend from it. Nothing here is ever deleted by site_builder.

A build is recorded in two phases. Before the swap, ``audit/pending.json`` names the prepared
entry (written atomically); after the swap the entry is appended to the chain and the pending
file removed. ``audit/journal.jsonl`` logs each step with its time. A build killed in between is
reconciled by the next one: published if the output carries its manifest, else marked abandoned
(its folder renamed ``builds/<id>.abandoned``). Only ``chain.jsonl`` defines the public head.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from site_builder.audit import signing
from site_builder.audit.layout import ABANDONED, AuditFolder, BuildRecord, made_by_build, move_own, own_files
from site_builder.exceptions import AuditError, SigningError
from site_builder.faults import fault_point

log = logging.getLogger(__name__)

PUBLIC_CHAIN = "chain.json"


@dataclass(frozen=True)
class ChainEntry:
    """One build in the chain."""

    sequence: int
    build_id: str
    as_of: str
    manifest_sha256: str
    previous: str | None
    key: str | None = None
    """Fingerprint of the key that signed this build (``None``: unsigned)."""
    key_change: dict[str, Any] | None = None
    """A new signing key from this build on, signed by the old key (see ``signing.key_change``)."""
    replaces: dict[str, Any] | None = None
    """On the first entry of a chain started with ``--new-chain``: the head of the chain it replaced."""

    def as_dict(self) -> dict[str, Any]:
        """The entry as JSON data, optional fields left out when unset."""
        return {k: v for k, v in asdict(self).items() if v is not None or k == "previous"}


def read_chain(audit_root: Path) -> list[ChainEntry]:
    """The chain recorded in ``audit_root`` (empty if there is none yet)."""
    path = AuditFolder(audit_root).chain
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"{path}: cannot be read: {exc}") from exc
    if text and not text.endswith("\n"):
        raise AuditError(f"{path}: truncated (the last line is incomplete); restore the audit folder from a backup")
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            entries.append(ChainEntry(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise AuditError(f"{path}, line {number}: not a chain entry ({exc}); the audit chain is corrupted") from exc
    return entries


def next_entry(chain: list[ChainEntry], as_of: str, manifest_sha256: str, **extra: Any) -> ChainEntry:
    """The entry that links a new manifest to the end of ``chain`` (``extra``: key, key_change, replaces)."""
    sequence = len(chain) + 1
    return ChainEntry(sequence, build_id(sequence, as_of), as_of, manifest_sha256,
                      chain[-1].manifest_sha256 if chain else None, **extra)


def build_id(sequence: int, as_of: str) -> str:
    """The id of a build: its sequence number and as-of date, e.g. ``000042-2026-11-24``."""
    return f"{sequence:06d}-{as_of}"


def chain_problems(entries: list[ChainEntry], where: str) -> list[str]:
    """Every break in a chain: numbering, and each entry's link to the one before."""
    problems = []
    for index, entry in enumerate(entries):
        expected_previous = entries[index - 1].manifest_sha256 if index else None
        if entry.sequence != index + 1:
            problems.append(f"{where}: entry {index + 1} has sequence {entry.sequence}")
        if entry.previous != expected_previous:
            problems.append(f"{where}: entry {entry.sequence} ({entry.build_id}) does not link to the entry before it")
    return problems


def public_chain(entries: list[ChainEntry]) -> str:
    """The chain as published in ``chain.json`` (hashes and dates only, no record data)."""
    return json.dumps([e.as_dict() for e in entries], ensure_ascii=False, indent=1) + "\n"


def parse_public_chain(text: str) -> list[ChainEntry]:
    """Read ``chain.json``; raise ``ValueError`` if it is not a chain."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("not a list of entries")
    return [ChainEntry(**entry) for entry in data]


def append(audit_root: Path, entry: ChainEntry) -> None:
    """Append one entry to the chain file and flush it to disk."""
    _append_line(AuditFolder(audit_root).chain, entry.as_dict())


def _append_line(path: Path, data: dict[str, Any]) -> None:
    """Append one line of JSON; on a line of its own after a torn last line (a disk that was full)."""
    line = json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"
    try:
        with path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            line = line if existing.read(1) == b"\n" else "\n" + line
    except OSError:  # none yet, or empty
        pass
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def clock() -> datetime:
    """The journal's time now (UTC): when a step of a build happened (a test replaces it to publish a build on a day)."""
    return datetime.now(UTC)


JOURNAL_LINK = "previous_line_sha256"
"""A signed journal line's field holding the SHA-256 of the line before it (``None`` on the first line)."""


def log_event(audit_root: Path, event: str, entry: ChainEntry, key: Ed25519PrivateKey | None = None,
              **detail: Any) -> None:
    """Append a step of a build (prepared, published, abandoned, …) with its time to the journal (signed by ``key``,
    if given: :func:`_journal`)."""
    _journal(audit_root, {"event": event, "build_id": entry.build_id, "manifest_sha256": entry.manifest_sha256,
                          **detail}, key)


FAILED = "failed"
"""The journal's event of a build that failed or was refused: no site of its, and no time of publication (readers of the
journal take only the events they know, ``prepared`` and ``published``: :func:`~site_builder.audit.timeline.publication_times`)."""


def log_failed(audit_root: Path, build_id: str | None, as_of: str, reason: str) -> None:
    """Append that the build ``build_id`` (``None``: the chain it would extend could not be read) for ``as_of`` failed,
    and why (one line of the error), so that an auditor sees every attempt, not only the builds published.

    The line is never signed: it says nothing of which site was live, and a build may fail because of its key (another
    key, a refused rotation): signed by that key, the line had made the journal fail its check for good."""
    first = reason.strip().splitlines()[0] if reason.strip() else "(no message)"
    _journal(audit_root, {"event": FAILED, "build_id": build_id, "as_of": as_of,
                          "reason": first if len(first) <= _REASON_CHARS else first[:_REASON_CHARS - 1] + "…"}, None)


_REASON_CHARS = 500
"""At most this much of an error's first line goes into the journal (a refusal's message names the file and the fix)."""


def _journal(audit_root: Path, data: dict[str, Any], key: Ed25519PrivateKey | None) -> None:
    """Append ``data`` with the time now to the journal. With ``key``, the line is signed (Ed25519 over its canonical
    JSON, :func:`signing.sign`) and holds the SHA-256 of the signed line before it (:data:`JOURNAL_LINK`): an edited
    line fails its signature, a signed line removed or moved breaks the link of the signed line after it. Unsigned lines
    (a failed build's, a build's without a key, a line torn by a full disk) are left out of the links: one among the
    signed lines had made the journal fail its check for good. ``explain`` tells which site was
    live on a day from these times, so they are what a signature must cover; the chain cannot (a manifest keeping the
    journal's hash would make two sites built from the same inputs at different times differ)."""
    path = AuditFolder(audit_root).journal
    line = {**data, "at": clock().replace(microsecond=0).isoformat().replace("+00:00", "Z")}
    if key is not None:
        last = last_signed_line(path)
        line = signing.sign(key, {**line, JOURNAL_LINK: line_sha256(last) if last is not None else None})
    _append_line(path, line)


def journal_entry(line: bytes) -> dict[str, Any] | None:
    """A journal line read (``None``: not a JSON object, such as a line torn by a full disk)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def last_signed(lines: list[bytes]) -> bytes | None:
    """The last signed line of the journal's ``lines`` (a JSON object with a signature), as written; ``None`` if none."""
    return next((line for line in reversed(lines) if "signature" in (journal_entry(line) or {})), None)


_BLOCK = 1 << 16
"""How much of the journal :func:`last_signed_line` reads at a time, from its end."""


def last_signed_line(path: Path) -> bytes | None:
    """The last signed line of the journal at ``path`` (:func:`last_signed`), read from its end a block at a time: a
    signed line links to it, and the journal grows by every build's lines, so reading it whole for each line had made
    each build's journal lines cost the whole history. Unsigned lines after it (a failed build's, a torn one) are
    passed over; ``None`` if there is no journal or no signed line."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditError(f"{path}: cannot be read: {exc}") from exc
    with fh:
        position = fh.seek(0, os.SEEK_END)
        partial = b""  # the first line of the blocks read so far, which may begin before them
        while position > 0:
            start = max(0, position - _BLOCK)
            fh.seek(start)
            lines = (fh.read(position - start) + partial).split(b"\n")
            position = start
            partial = lines.pop(0) if position > 0 else b""
            found = last_signed([line for line in lines if line.strip()])
            if found is not None:
                return found
        return None


def journal_lines(path: Path) -> list[bytes]:
    """The lines of the journal at ``path`` as written (without their line ends; a torn line, a full disk's, is one),
    empty ones left out; none if there is no journal. Split at ``\n`` only: a line's JSON may hold U+2028."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AuditError(f"{path}: cannot be read: {exc}") from exc
    return [line for line in data.split(b"\n") if line.strip()]


def line_sha256(line: bytes) -> str:
    """The hash a signed journal line holds of the line before it: the SHA-256 of its bytes as written."""
    return hashlib.sha256(line).hexdigest()


def write_pending(audit_root: Path, entry: ChainEntry, key: Ed25519PrivateKey | None = None) -> None:
    """Record ``entry`` as prepared (atomically: a temporary file renamed over ``pending.json``)."""
    pending = AuditFolder(audit_root).pending
    temporary = pending.with_name(f".{pending.name}.tmp")
    with temporary.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(entry.as_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, pending)
    log_event(audit_root, "prepared", entry, key)


def read_pending(audit_root: Path) -> ChainEntry | None:
    """The prepared entry whose publication was not recorded, if any."""
    path = AuditFolder(audit_root).pending
    try:
        return ChainEntry(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise AuditError(f"{path}: cannot be read as a prepared build: {exc}") from exc


def record_published(audit_root: Path, entry: ChainEntry, reconciled: bool = False,
                     key: Ed25519PrivateKey | None = None) -> None:
    """Second phase: append ``entry`` to the chain, log it (signed by ``key``, if given) and clear ``pending.json``."""
    append(audit_root, entry)
    fault_point("appended")
    log_event(audit_root, "published", entry, key, **({"reconciled": True} if reconciled else {}))
    fault_point("recorded")
    AuditFolder(audit_root).pending.unlink(missing_ok=True)


def reconcile(audit_root: Path, public_manifest_sha256: str | None, keys: Sequence[Ed25519PrivateKey] = ()) -> str | None:
    """Settle a build left prepared by a killed build; return what was done (``None``: nothing pending). Its journal
    line is signed by its own key (the entry's ``key``), found among ``keys`` (the settling build's key, and its
    ``signing.previous_key`` when it changes keys), or unsigned if it was unsigned: a line signed by another key (one
    the chain may never name: a build refused for its key) or unsigned where it signed its lines had made the journal
    fail its check for good. Where it is to be recorded as published and ``keys`` lack its key, nothing is done and
    :class:`SigningError` raised: the line is left to a build with that key (until then ``pending.json`` names it).

    It is recorded as published when the output carries its manifest and it extends the chain,
    else as abandoned (its folder renamed ``builds/<id>.abandoned``, nothing deleted). Only the build's own record
    moves: a folder of that name whose manifest is not the prepared one (a user's) is left as it is, and so are files a
    user put beside the build's own (:func:`~site_builder.audit.layout.move_own`), each named in a warning.
    """
    pending = read_pending(audit_root)
    if pending is None:
        return None
    chain = read_chain(audit_root)
    folder = AuditFolder(audit_root)
    key = next((key for key in keys if signing.fingerprint(key.public_key()) == pending.key), None)
    if chain and chain[-1] == pending:  # killed after the chain append, before the pending file went
        added = not _journal_tells(folder.journal, "published", pending.build_id)
        if added:  # killed before the journal's line too
            _check_settling_key(pending, key, keys, "joined the audit chain")
            log_event(audit_root, "published", pending, key, reconciled=True)
        folder.pending.unlink()
        return f"build {pending.build_id} was already recorded as published{' (its journal line added now)' if added else ''}"
    if pending.manifest_sha256 == public_manifest_sha256 and pending.sequence == len(chain) + 1:
        _check_settling_key(pending, key, keys, "switched the site")
        record_published(audit_root, pending, reconciled=True, key=key)
        return f"build {pending.build_id} was published by an interrupted build; recorded now"
    kept = folder.build(pending.build_id).folder
    if kept.exists():
        if kept.is_dir() and not kept.is_symlink() and _is_manifest(kept, pending.manifest_sha256):
            move_own(kept, _free_name(kept, ABANDONED), f"the record of the abandoned build {pending.build_id}")
        else:
            log.warning("not_moved path=%s reason=not the record of the abandoned build %s (its manifest is not the "
                        "prepared one): left in place", kept, pending.build_id)
    log_event(audit_root, "abandoned", pending, key)
    folder.pending.unlink()
    return f"build {pending.build_id} was prepared but never published; marked abandoned"


def _check_settling_key(pending: ChainEntry, key: Ed25519PrivateKey | None, keys: Sequence[Ed25519PrivateKey],
                        done: str) -> None:
    """Refuse to write the ``published`` line of the signed build ``pending`` without its key (``key``: the one of
    ``keys`` that is its, if any)."""
    if pending.key is None or key is not None:
        return
    held = ", ".join(signing.fingerprint(k.public_key()) for k in keys) or "no signing key"
    raise SigningError(f"The build {pending.build_id} was interrupted after it {done}; the journal line saying it was "
                       f"published is signed by its key {pending.key}, and this build holds {held}: build with that key "
                       "(signing.key, or signing.previous_key when changing keys) to settle it; pending.json names it "
                       "until then")


def _journal_tells(journal: Path, event: str, build_id: str) -> bool:
    """Whether the journal has a line for ``event`` of the build ``build_id`` (a damaged line is no such line)."""
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"{journal}: cannot be read: {exc}") from exc
    for line in reversed(lines):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("event") == event and data.get("build_id") == build_id:
            return True
    return False


def _is_manifest(folder: Path, manifest_sha256: str) -> bool:
    """Whether ``folder`` keeps the manifest whose SHA-256 is ``manifest_sha256`` (the marker of a build's record)."""
    try:
        return hashlib.sha256(BuildRecord(folder).manifest.read_bytes()).hexdigest() == manifest_sha256
    except OSError:
        return False


def record_place_problem(audit_root: Path, build_id: str) -> str | None:
    """Why the build ``build_id`` cannot keep its record in ``builds/<build id>``, or ``None``: something there that
    no build made (a user's folder named like it, or a user's files in a leftover of an unrecorded build). It is never
    moved aside or removed: the build refuses, naming it."""
    target = AuditFolder(audit_root).build(build_id).folder
    if not target.exists() and not target.is_symlink():
        return None
    if target.is_dir() and not target.is_symlink() and made_by_build(target):
        foreign = own_files(target)[1]
        if not foreign:
            return None  # a leftover of an unrecorded build of this id: moved aside to .abandoned
        what = f"holds files no build made ({', '.join(p.name for p in foreign[:3])})"
    else:
        names = ", ".join(p.name for p in own_files(target)[1][:3]) if target.is_dir() else ""
        what = f"is not a build's record{f' ({names})' if names else ''}"
    return (f"The audit folder's {target} {what}; the build {build_id} keeps its record there and never moves or "
            "removes what it did not make: move it out of the audit folder's builds/ and build again")


def archive_folder(audit_root: Path, entry: ChainEntry) -> Path:
    """The folder ``builds/<build id>`` for ``entry``; a leftover of an unrecorded build (its manifest names it) is
    moved aside, anything else there refuses (:func:`record_place_problem`: the build checks it before it starts)."""
    target = AuditFolder(audit_root).build(entry.build_id).folder
    target.parent.mkdir(parents=True, exist_ok=True)
    problem = record_place_problem(audit_root, entry.build_id)
    if problem:
        raise AuditError(problem)
    if target.exists():
        move_own(target, _free_name(target, ABANDONED), f"a leftover of the unrecorded build {entry.build_id}")
    return target


def _free_name(path: Path, suffix: str) -> Path:
    candidate, number = path.with_name(path.name + suffix), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}{suffix}-{number}")
    return candidate


def gzip_file(path: Path) -> Path:
    """Compress ``path`` to ``path.gz`` reproducibly (``mtime=0``, no file name, level 6 as ``gzip`` itself: level 9
    took twice as long for a few per cent) and remove it."""
    target = path.with_name(path.name + ".gz")
    with path.open("rb") as src, target.open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6
    ) as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    path.unlink()
    return target
