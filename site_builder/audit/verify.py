"""Verification of a built site: hashes, symlinks, the manifest chain, the signature, freshness
against the audit history, the data package, and a leak scan.

Each problem is one sentence naming the file it is about. ``verify_site`` returns them all; the
build refuses to publish a staging folder with any, and ``site-builder verify`` exits non-zero.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from site_builder.audit import signing
from site_builder.audit.history import (
    JOURNAL_LINK,
    PUBLIC_CHAIN,
    ChainEntry,
    chain_problems,
    journal_entry,
    journal_lines,
    line_sha256,
    parse_public_chain,
    read_chain,
    read_pending,
)
from site_builder.audit.layout import AuditFolder, BuildRecord
from site_builder.audit.manifest import MANIFEST, UNHASHED, audit_files, audit_hashes, file_sha256, output_hashes, site_files
from site_builder.outputs.layout import DATA_DESCRIPTOR
from site_builder.pools import Pool
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.privacy import Leak, SecretPlace, Secrets, excusable, find_leaks, secret_form, secret_places
from site_builder.rules.redaction import PublicRecord
from site_builder.sources.loading import SourceFile

log = logging.getLogger(__name__)

Locate = Callable[[frozenset[str]], Mapping[str, Sequence[SecretPlace]]]
"""Where the inputs hold each of some secrets (as the leak scan returns them): :func:`leak_sources` on a build's
catalogue and sources."""

Holders = Callable[[frozenset[str]], Mapping[str, str]]
"""Which of some secrets (as the leak scan returns them) a published record shows whole as one of its own public
values, and where (``admin_penalty AP-1 record_id``): :func:`published_whole` on a build's published store."""


def verify_site(site_dir: Path, secrets: Secrets | None = None, audit_root: Path | None = None,
                validate_data: bool = True, check_hashes: bool = True,
                public_key: Ed25519PublicKey | None = None, scan: Sequence[str] | None = None,
                processes: int = 1, check_links: bool = True, validated: frozenset[str] = frozenset(),
                covered: frozenset[str] = frozenset(), data_check: DataCheck | None = None,
                locate: Locate | None = None, holders: Holders | None = None,
                excused: set[str] | None = None) -> list[str]:
    """Check a built site; return every problem found (an empty list means it verifies).

    ``check_hashes=False`` skips recomputing the output hashes: for the build itself, which has
    just computed them from the same files for the manifest; the site is still walked once (one ``scandir`` a
    folder, no file read or looked up one by one) for the files the manifest lists and the site lacks, and those it
    holds and the manifest does not list (the build takes files over from earlier builds without writing them: a
    file it noted but lost would otherwise be published as a dead link). With ``public_key`` the site must carry
    a valid signature by that key (or by a key the chain hands over to from it). With ``audit_root``
    the site's head must be the audit chain's head. ``scan``: the site paths the leak scan reads (the build
    passes the files it wrote, not those it took over unchanged: it checks the secrets new since itself);
    ``None``: every file. ``processes``: how many processes the leak scan of a large site may use.
    ``check_links=False`` skips looking for symbolic links (and the walk, with ``check_hashes``).
    ``covered``: the SHA-256 of the site's files (scanned now or when they
    were written): the leak scan does not read a zip member with such a content again.
    ``validated``: site paths of data files that an earlier build validated
    and this one took over unchanged (the build passes the files it took over): frictionless does not read
    those of them again that the data package lists with the hash ``manifest.json`` gives (see
    :func:`_data_problems`); ``processes`` also bounds the processes that validate the others. ``data_check``: that
    validation, started by the build as soon as the download folder was written (:class:`DataCheck`); its results
    are taken if the package and the resources to validate are still those it validated. ``locate``: when the leak
    scan finds secrets, where the inputs hold them (:func:`leak_sources`), so that a problem names the input file, row
    and column of each (never the value; :func:`located_leaks`). It is asked only then: a site without a leak costs
    no second pass over the inputs. ``holders``: with ``locate``, which found secrets a published record shows whole
    as its own public value (:func:`published_whole`); such a value, held by input rows only as a withheld value and
    a text without a digit (:func:`~site_builder.rules.privacy.excusable`), is public in its own right (an authority
    or a company's name written by mistake in a 法定代表人证件号码): a warning names the row, and the site is not refused
    for it (one such row, even one never published, had stopped every build). ``excused``: a set the secrets so
    excused are added to (the build then marks its state so that the next build takes no page over: it looks for
    them in every page again).
    """
    site_dir = site_dir.resolve()
    manifest_path = site_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST}: cannot be read: {exc}"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST}: not a manifest"]
    found = site_files(site_dir) if check_links or not check_hashes else []
    problems = _link_problems(site_dir, found) if check_links else []
    problems += _hash_problems(site_dir, manifest) if check_hashes else _listing_problems(manifest, found)
    manifest_sha = file_sha256(manifest_path)
    chain, chain_trouble = _read_public_chain(site_dir)
    problems += chain_trouble or _chain_problems(chain, manifest, manifest_sha)
    if public_key is not None:
        problems += signature_problems(site_dir, manifest_sha, chain, public_key)
    elif chain and chain[-1].key is not None and not chain_trouble:
        problems += head_signature_problems(site_dir, manifest_sha, chain)
    if audit_root is not None:
        problems += audit_problems(chain, audit_root, site_dir, public_key)
    with ThreadPoolExecutor(1, thread_name_prefix="leak-scan") as side:  # the scan's processes work meanwhile
        scanning = side.submit(find_leaks, site_dir, secrets, scan, processes, covered) if secrets is not None else None
        if validate_data:
            listed = manifest.get("outputs")
            problems += _data_problems(site_dir, validated, listed if isinstance(listed, dict) else {}, processes, data_check)
        if scanning is not None:
            leaks = scanning.result()
            places = locate(frozenset(v for leak in leaks for v in leak.values)) if leaks and locate else {}
            if leaks and holders is not None and places:
                leaks = excuse_leaks(leaks, places, holders, excused)
            problems += [leak.problem() for leak in leaks]
            if leaks and locate is not None:
                problems += located_leaks(leaks, places)
    return problems


def excuse_leaks(leaks: Sequence[Leak], places: Mapping[str, Sequence[SecretPlace]], holders: Holders,
                 excused: set[str] | None = None) -> list[Leak]:
    """The leaks without the secrets that published records show whole as their own public values (see
    :func:`verify_site`), each of those logged as a warning naming the input rows and the record, and added to
    ``excused``."""
    found = frozenset(v for leak in leaks for v in leak.values)
    shown = holders(frozenset(v for v in found if excusable(v, places.get(v, ()))))
    if excused is not None:
        excused.update(shown)
    for value in sorted(shown, key=lambda v: _first_place(places[v])):
        for place in places[value][:LOGGED_PLACES]:
            log.warning("withheld_value_published_elsewhere file=%s row=%d column=%s published_as=%s: the value is "
                        "another record's public value, not treated as a secret; check the row's column",
                        place.file, place.row, place.column, shown[value])
    return [Leak(leak.where, leak.values - shown.keys()) for leak in leaks if leak.values - shown.keys()]


def published_whole(records: Iterable[tuple[str, Iterable[tuple[str, str]]]], values: frozenset[str]) -> dict[str, str]:
    """Which of ``values`` (secrets as the leak scan returns them) a published record shows whole as one of its own
    public values (its id, a field), after redaction: value -> ``where name`` of the first such record.
    ``records``: ``(where, (name, value) …)`` (:func:`store_values`, :func:`download_values`). Values are compared as
    :class:`~site_builder.rules.privacy.Secrets` keeps them (:func:`secret_form`)."""
    if not values:
        return {}
    longest = max(map(len, values))
    found: dict[str, str] = {}
    for where, pairs in records:
        for name, text in pairs:
            if text and len(text) <= 2 * longest + 16 and (form := secret_form(text)) in values and form not in found:
                found[form] = f"{where} {name}"
    return found


def store_values(records: Iterable[PublicRecord]) -> Iterator[tuple[str, Iterable[tuple[str, str]]]]:
    """The public values of published records, for :func:`published_whole`."""
    for record in records:
        yield f"{record.item} {record.record_id}", (("record_id", record.record_id), *record.fields.items())


def download_values(site_dir: Path) -> Iterator[tuple[str, Iterable[tuple[str, str]]]]:
    """The public values of the records a site publishes, from its download folder's CSV files (every published
    record, every public field, as published), for :func:`published_whole` where the build's store is gone
    (``site-builder verify``)."""
    for path in sorted((site_dir / "data").rglob("*.csv")):  # data/<item>.csv, and data/<item>/<year>.csv when split
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader, [])
                where = path.relative_to(site_dir).as_posix()
                for number, row in enumerate(reader, start=2):
                    yield f"{where} row {number}", zip(header, (c.removeprefix("'") for c in row), strict=False)
        except (OSError, UnicodeDecodeError, csv.Error):
            continue  # a damaged download: its hash check says so


SHOWN_PLACES = 5
"""Input rows and site files named per secret in a leak's problem; the rest are counted."""
LOGGED_PLACES = 20
"""Input rows (and site files) logged per secret; the rest are counted."""


def located_leaks(leaks: Sequence[Leak], places: Mapping[str, Sequence[SecretPlace]]) -> list[str]:
    """One problem per secret the leak scan found, naming where the inputs hold it (file, row and column) and the
    site files it appears in, never the value itself: ``the withheld value of admin_penalty.csv row 12, column
    法定代表人证件号码, appears in data/admin_penalty.csv``. Each is logged too (``leak file=… row=… column=…``)."""
    files: dict[str, list[str]] = {}
    for leak in leaks:
        for value in leak.values:
            files.setdefault(value, []).append(leak.where)
    found = sorted(files, key=lambda value: _first_place(places.get(value, ())))
    problems = []
    for value in found:
        held, where = places.get(value, ()), files[value]
        for place in held[:LOGGED_PLACES]:
            log.error("leak kind=%s file=%s row=%d column=%s appears_in=%s", place.kind.replace(" ", "_"), place.file,
                      place.row, place.column, ",".join(where[:LOGGED_PLACES]))
        if len(held) > LOGGED_PLACES:
            log.error("leak more_rows=%d", len(held) - LOGGED_PLACES)
        if held:
            first = str(held[0])
            more = [f"{p.file} row {p.row}, column {p.column}" for p in held[1:SHOWN_PLACES]]
            also = f" (also held by {'; '.join(more)}{_more(held, SHOWN_PLACES)})" if more else ""
            problems.append(f"{first}{also}, appears in {', '.join(where[:SHOWN_PLACES])}{_more(where, SHOWN_PLACES)}")
        else:
            log.error("leak file=(not found in the inputs) appears_in=%s", ",".join(where))
            problems.append(f"a withheld value or raw ID number that no input row holds now (the inputs changed since "
                            f"the build?) appears in {', '.join(where[:SHOWN_PLACES])}{_more(where, SHOWN_PLACES)}")
    return problems


def _first_place(places: Sequence[SecretPlace]) -> tuple[int, str, int, str]:
    return (0, places[0].file, places[0].row, places[0].column) if places else (1, "", 0, "")


def _more(shown: Sequence[object], limit: int) -> str:
    return f" and {len(shown) - limit} more" if len(shown) > limit else ""


def leak_sources(catalogue: Catalogue, sources: Iterable[SourceFile], values: frozenset[str]) -> dict[str, list[SecretPlace]]:
    """Where the input rows hold each of ``values`` (secrets as the leak scan returns them), in reading order: a
    second pass over the inputs, made only once a leak was found."""
    from site_builder.rules.pipeline import read_all

    places: dict[str, list[SecretPlace]] = {}
    for item, raw in read_all(catalogue, list(sources)):
        for place in secret_places(raw, item, values):
            places.setdefault(place.value, []).append(place)
    return places


def symlink_problems(site_dir: Path) -> list[str]:
    """Every symbolic link inside the site (web servers follow them; nothing the build writes is one)."""
    return _link_problems(site_dir, site_files(site_dir))


def _link_problems(site_dir: Path, found: Iterable[tuple[str, bool]]) -> list[str]:
    """:func:`symlink_problems` of the site's files ``found`` (:func:`site_files`)."""
    return [f"{name}: a symbolic link (to {os.readlink(site_dir / name)}) inside the site" for name, link in found if link]


def _hash_problems(site_dir: Path, manifest: dict[str, object]) -> list[str]:
    listed = manifest.get("outputs")
    if not isinstance(listed, dict):
        return [f"{MANIFEST}: no 'outputs' list of file hashes"]
    actual = output_hashes(site_dir)
    problems = _presence_problems(listed, actual)
    problems += [f"{path}: content differs from its hash in {MANIFEST}"
                 for path in sorted(set(actual) & set(listed)) if actual[path] != listed[path]]
    problems += [f"{path}: listed in {MANIFEST} but cannot be" for path in sorted(set(listed) & UNHASHED)]
    return problems


def _listing_problems(manifest: dict[str, object], found: Iterable[tuple[str, bool]]) -> list[str]:
    """The files the manifest lists that the site's files ``found`` (:func:`site_files`) lack, and those it holds that
    the manifest does not list: :func:`_hash_problems` without reading a file."""
    listed = manifest.get("outputs")
    if not isinstance(listed, dict):
        return [f"{MANIFEST}: no 'outputs' list of file hashes"]
    return _presence_problems(listed, {name for name, _link in found if name not in UNHASHED})


def _presence_problems(listed: Iterable[str], actual: Iterable[str]) -> list[str]:
    """One problem per site path in ``listed`` (the manifest's) but not in ``actual`` (the site's), and the reverse."""
    names, present = set(listed), set(actual)
    return ([f"{path}: listed in {MANIFEST} but missing" for path in sorted(names - present)]
            + [f"{path}: not listed in {MANIFEST}" for path in sorted(present - names)])


def _read_public_chain(site_dir: Path) -> tuple[list[ChainEntry], list[str]]:
    try:
        chain = parse_public_chain((site_dir / PUBLIC_CHAIN).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        return [], [f"{PUBLIC_CHAIN}: cannot be read as a chain of manifests: {exc}"]
    return chain, [] if chain else [f"{PUBLIC_CHAIN}: empty"]


def _chain_problems(chain: list[ChainEntry], manifest: dict[str, Any], manifest_sha: str) -> list[str]:
    problems = chain_problems(chain, PUBLIC_CHAIN)
    head, build = chain[-1], manifest.get("build") or {}
    if head.manifest_sha256 != manifest_sha:
        problems.append(f"{MANIFEST}: its hash is not the head of {PUBLIC_CHAIN}")
    if not isinstance(build, dict) or build.get("id") != head.build_id or build.get("previous_manifest_sha256") != head.previous:
        problems.append(f"{MANIFEST}: its build id or previous-manifest hash does not match the head of {PUBLIC_CHAIN}")
    return problems


def read_signature(site_dir: Path) -> dict[str, Any] | None:
    """The site's signature envelope, or ``None`` if it has none (or it is not JSON)."""
    try:
        data = json.loads((site_dir / signing.SIGNATURE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def signature_problems(site_dir: Path, manifest_sha: str, chain: list[ChainEntry], trusted: Ed25519PublicKey) -> list[str]:
    """The signature must be by ``trusted`` (or a key it handed over to in the chain) and name this manifest."""
    envelope = read_signature(site_dir)
    if envelope is None:
        return [f"{signing.SIGNATURE}: missing or unreadable: the site is not signed"]
    changes = [entry.key_change for entry in chain if entry.key_change]
    key, problems = signing.follow_rotations(trusted, changes)
    if not signing.check(key, envelope):
        return [*problems, f"{signing.SIGNATURE}: not a valid signature by the trusted key {signing.fingerprint(key)}"
                           f" (signed as {envelope.get('key')})"]
    if envelope.get("manifest_sha256") != manifest_sha:
        problems.append(f"{signing.SIGNATURE}: signs another manifest than {MANIFEST}")
    if chain and (envelope.get("build_id"), envelope.get("as_of")) != (chain[-1].build_id, chain[-1].as_of):
        problems.append(f"{signing.SIGNATURE}: its build id or as-of date is not the head of {PUBLIC_CHAIN}")
    return problems


def chain_keys(chain: Sequence[ChainEntry]) -> dict[str, str]:
    """The public keys (PEM) the chain's key changes give, by fingerprint."""
    return {str(entry.key_change.get("to")): str(entry.key_change.get("public_key", ""))
            for entry in chain if entry.key_change}


def _envelope_problems(path: Path, label: str, entry: ChainEntry, keys: Mapping[str, str]) -> list[str]:
    """A signature envelope (``label`` names it) must be a valid signature by the key the chain names for ``entry``
    (its public key as the chain's key changes give it) over that build's manifest, id and date."""
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeError):
        return [f"{label}: missing or unreadable, though the chain says build {entry.build_id} was signed by {entry.key}"]
    try:
        key = serialization.load_pem_public_key(keys.get(str(entry.key), "").encode("ascii"))
    except (ValueError, UnicodeError):
        return [f"{label}: the chain gives no public key for {entry.key}, which it says signed build {entry.build_id}"]
    if not isinstance(envelope, dict) or not isinstance(key, Ed25519PublicKey) or not signing.check(key, envelope):
        return [f"{label}: not a valid signature by {entry.key}, the key the chain names for build {entry.build_id}"]
    said = (envelope.get("manifest_sha256"), envelope.get("build_id"), envelope.get("as_of"))
    if said != (entry.manifest_sha256, entry.build_id, entry.as_of):
        return [f"{label}: signs another manifest, build or date than build {entry.build_id} of the chain"]
    return []


def head_signature_problems(site_dir: Path, manifest_sha: str, chain: list[ChainEntry]) -> list[str]:
    """Without a trusted key: a site whose chain says its head was signed must carry that signature, by the key the
    chain names (a removed or replaced ``signing/signature.json`` passed ``verify`` without ``--public-key``). This
    checks the site against itself; only ``--public-key`` checks who signed it."""
    head = chain[-1]
    if head.manifest_sha256 != manifest_sha:
        return []  # the chain's own check says so
    return _envelope_problems(site_dir / signing.SIGNATURE, signing.SIGNATURE, head, chain_keys(chain))


def audit_problems(public: list[ChainEntry], audit_root: Path, site_dir: Path | None = None,
                   trusted: Ed25519PublicKey | None = None) -> list[str]:
    """The audit chain is whole, its archived manifests and signatures match, and the site's head is its head (with
    ``site_dir``, the site's signature is the one kept for the head); the journal's signed lines hold
    (:func:`journal_check`, with ``trusted`` if given)."""
    recorded = read_chain(audit_root)
    where = AuditFolder(audit_root).chain.as_posix()
    if not recorded:
        return [f"{where}: no audit chain here: the site cannot be checked against its history"]
    problems = chain_problems(recorded, where)
    keys: dict[str, str] = {}
    builds: list[str] = []
    bound: list[str] = []
    for entry in recorded:  # each kept manifest read once: its hash, its files' hashes, its journal_signed
        keys |= chain_keys([entry])
        found, manifest = _kept_manifest(audit_root, entry)
        builds += found
        builds += archived_signature_problems(AuditFolder(audit_root).build(entry.build_id), entry, keys, manifest)
        if entry.key is not None and _says_journal_signed(manifest):
            bound.append(entry.build_id)
    journal = journal_check(audit_root, recorded, trusted, bound)
    if journal.problem or journal.cut:
        problems.append(journal.problem or str(journal.cut_problem(AuditFolder(audit_root).journal)))
    if public and recorded != public:
        problems.append(_head_problem(public, recorded, audit_root, where))
    problems += builds
    if public and recorded and public[-1] == recorded[-1] and recorded[-1].key is not None:
        archived = AuditFolder(audit_root).build(recorded[-1].build_id).signature
        live = site_dir / signing.SIGNATURE if site_dir is not None else None
        if live is not None and archived.is_file() and (not live.is_file() or live.read_bytes() != archived.read_bytes()):
            problems.append(f"{signing.SIGNATURE}: not the signature {archived} keeps for the head build")
    return problems


@dataclass(frozen=True)
class JournalCheck:
    """What :func:`journal_check` found in the audit journal."""

    problem: str | None
    """The first bad line, said (``None``: none)."""
    unsigned: int
    """Lines before the first signed one (all of them, in a journal never signed)."""
    signed: int
    """Signed lines."""
    others: int = 0
    """Unsigned lines after the first signed one (failed builds', builds' without a key, torn lines)."""
    cut: tuple[str, ...] = ()
    """The builds of the chain whose publication the journal does not tell, in chain order (:func:`_cut`): lines cut
    from its end, or cut and then built on (a gap before the lines of a newer build)."""
    empty: bool = False
    """The journal is missing or has no line."""
    within: bool = False
    """Some of :attr:`cut` come before a build the journal tells of: not only its end is gone."""

    def cut_problem(self, path: Path) -> str | None:
        """What :attr:`cut` says (``path``: the journal), or ``None`` if nothing was cut."""
        if not self.cut:
            return None
        if self.empty:
            return (f"{path}: missing or empty, though the audit chain has builds: no line says when build(s) "
                    f"{_builds(self.cut)} were published (the journal was emptied or removed); restore it from a backup")
        if self.within:
            return (f"{path}: has no line saying when build(s) {_builds(self.cut)} were published, though it has lines "
                    "of builds after them: lines were cut or removed (a journal restored from an older backup, or "
                    "emptied, and then built on?); restore it from a backup")
        return (f"{path}: ends before the publication of build(s) {_builds(self.cut)} (the newest of the audit "
                "chain): lines were cut from its end (a journal restored from an older backup?); restore it from a backup")

    def summary(self) -> str:
        """What ``verify`` says of the journal when it holds."""
        if not self.signed:
            return "journal unsigned (no signing key): not tamper-evident"
        others = self.others - self.unsigned
        also = f", {others} unsigned line{'s' if others > 1 else ''} of failed builds or builds without a key" \
            if others > 0 else ""
        if not self.unsigned:
            return f"journal signed ({self.signed} lines{also})"
        return (f"journal signed from line {self.unsigned + 1} (lines 1-{self.unsigned} unsigned, written before "
                f"signing{also})")


def journal_keys(chain: Sequence[ChainEntry], trusted: Ed25519PublicKey | None) -> dict[str, Ed25519PublicKey]:
    """The keys a journal line may be signed by, by fingerprint: the chain's signing keys in turn, each key change
    signed by the key before it (the first key's by none), when ``trusted`` is one of them (the keys before it handed
    over to it, it handed over to those after: an auditor may hold the first key or the current one); else
    ``trusted`` alone. Without ``trusted``, the chain's keys: the journal is then checked against the audit folder's
    own chain (only a trusted key says who signed it)."""
    keys: dict[str, Ed25519PublicKey] = {}
    current: Ed25519PublicKey | None = None
    for change in (entry.key_change for entry in chain if entry.key_change):
        try:
            new = serialization.load_pem_public_key(str(change.get("public_key", "")).encode("ascii"))
        except (ValueError, UnicodeError):
            continue
        if not isinstance(new, Ed25519PublicKey) or signing.fingerprint(new) != change.get("to"):
            continue
        first = current is None and change.get("from") is None
        if first or (current is not None and change.get("from") == signing.fingerprint(current)
                     and signing.check(current, change)):
            keys[signing.fingerprint(new)] = current = new
    if trusted is None or signing.fingerprint(trusted) in keys:
        return keys
    return {signing.fingerprint(trusted): trusted}


def journal_check(audit_root: Path, chain: Sequence[ChainEntry], trusted: Ed25519PublicKey | None = None,
                  bound: Sequence[str] | None = None) -> JournalCheck:
    """Check the audit journal's signed lines: each must carry a valid signature by a key of :func:`journal_keys` and
    hold the SHA-256 of the signed line before it (:data:`~site_builder.audit.history.JOURNAL_LINK`); and each build
    of the chain whose manifest says its journal lines are signed (``build.journal_signed``) must have a signed
    ``published`` line and no unsigned ``prepared`` or ``published`` one (their times are what ``explain`` tells the live
    site by). Other unsigned lines are counted, not failed: lines written before signing began, a failed build's (never
    signed), a build's made without a key, a line torn by a full disk. The first bad line is named (its number, from 1);
    a signed line removed, added or moved shows at the signed line after it, signatures stripped at the build whose
    line is missing.

    Lines cut (:attr:`JournalCheck.cut`, :func:`_cut`): the builds of ``chain`` from the first the journal tells of to
    the newest, and the signed ones before it, must have the line saying when they were published, signed or not (the
    build prepared and not yet recorded, ``pending.json``, its ``prepared`` line: an interrupted build, settled by the
    next): lines cut from its end, and lines cut or a journal emptied and then built on (a gap before a newer build's
    lines: a missing or torn line of a build is written by the next build's ``reconcile``). The chain's head is what the
    journal must reach: it is itself checked against the site's ``chain.json`` and the head recorded outside the
    centre. Lines after the head's (a failed build's, an abandoned one's) show only against a copy kept elsewhere.

    ``bound``: the builds whose kept manifests say their lines are signed, where the caller read those manifests
    already (``verify --audit``); else they are read here (:func:`_journal_signed`)."""
    path = AuditFolder(audit_root).journal
    lines = journal_lines(path)
    keys = journal_keys(chain, trusted)
    bound = list(bound) if bound is not None else _journal_signed(audit_root, chain)
    pending = read_pending(audit_root)
    waiting = pending.build_id if pending is not None and pending in chain else None
    first: int | None = None
    previous: bytes | None = None
    published: set[str] = set()
    told: set[str] = set()
    seen: set[str] = set()  # the builds with a prepared or published line
    signed = 0
    for number, line in enumerate(lines, start=1):
        where = f"{path}, line {number}"
        data = journal_entry(line)
        if data is None or "signature" not in data:
            event, build = (data or {}).get("event"), (data or {}).get("build_id")
            if event in ("prepared", "published") and build in bound:
                return JournalCheck(f"{where}: not signed, though build {build} signed its journal lines (its manifest "
                                    "says so): added or replaced without the key", (first or number) - 1, signed)
            if event == "published" or (event == "prepared" and build == waiting):
                told.add(str(build))
            if event in ("prepared", "published"):
                seen.add(str(build))
            continue
        first = first or number
        signer = str(data.get("key"))
        key = keys.get(signer)
        problem = None
        if key is None:
            whose = "the trusted key's line of keys does not hold" if trusted is not None else "the audit chain does not name"
            problem = f"signed by {signer}, a key {whose}"
        elif not signing.check(key, data):
            problem = f"its signature by {signer} does not hold: the line was changed after it was written"
        elif data.get(JOURNAL_LINK) != (line_sha256(previous) if previous is not None else None):
            problem = ("does not follow the signed line before it (the hash it holds of that line differs): a signed "
                       "line before it was removed, added or moved")
        if problem:
            return JournalCheck(f"{where}: {problem}", first - 1, signed)
        previous, signed = line, signed + 1
        if data.get("event") == "published" or (data.get("event") == "prepared" and data.get("build_id") == waiting):
            published.add(str(data.get("build_id")))
        if data.get("event") in ("prepared", "published"):
            seen.add(str(data.get("build_id")))
    told |= published
    cut = _cut(chain, told, seen | told, bound)
    missing = [build for build in bound if build not in published and build not in cut]
    if missing:
        return JournalCheck(f"{path}: no signed line says when build {missing[0]} was published, though it signed its "
                            "journal lines (its manifest says so): lines were removed or their signatures stripped",
                            (first or len(lines) + 1) - 1, signed)
    newest = max((index for index, entry in enumerate(chain) if entry.build_id in told), default=-1)
    within = any(entry.build_id in cut for entry in chain[:newest])
    return JournalCheck(None, (first or len(lines) + 1) - 1, signed, len(lines) - signed, cut, not lines, within)


def _builds(ids: Sequence[str]) -> str:
    """Build ids as a message names them: up to three, else the first and the last and how many."""
    return ", ".join(ids) if len(ids) <= 3 else f"{ids[0]} to {ids[-1]} ({len(ids)} builds)"


def _cut(chain: Sequence[ChainEntry], told: set[str], seen: set[str], bound: Sequence[str]) -> tuple[str, ...]:
    """The builds of ``chain`` whose lines the journal lost, in chain order. From the head back to the newest build it
    says was published (``told``), lines cut from its end. Before it, the builds it has no ``prepared`` or
    ``published`` line of (``seen``) after the first it has one of, and the signed builds before that (``bound``:
    their lines were there, signed) with every build after the first of them: lines cut, or the journal emptied, and
    then built on. A torn or missing ``published`` line of a build before the newest is no gap (the next build's
    ``reconcile`` writes it; a version before it did not, leaving the build's ``prepared`` line). Unsigned builds before
    the first build it has a line of are no cut: a site older than its journal. A journal that says no build was
    published is cut whole."""
    ids = [entry.build_id for entry in chain]
    newest = max((index for index, build in enumerate(ids) if build in told), default=-1)
    start = min([len(ids), *(index for index, build in enumerate(ids) if build in seen or build in bound)])
    return (*(build for build in ids[start:max(newest, 0)] if build not in seen), *ids[newest + 1:])


def _journal_signed(audit_root: Path, chain: Sequence[ChainEntry]) -> list[str]:
    """The builds of ``chain`` whose archived manifests say their journal lines are signed, in chain order (a manifest
    that cannot be read is its own check's problem)."""
    bound = []
    for entry in chain:
        if entry.key is None:
            continue
        try:
            manifest = json.loads(AuditFolder(audit_root).build(entry.build_id).manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if _says_journal_signed(manifest):
            bound.append(entry.build_id)
    return bound


def _says_journal_signed(manifest: Any) -> bool:
    """Whether a build's manifest (as read; ``None``: unreadable) says its journal lines are signed."""
    about = manifest.get("build") if isinstance(manifest, dict) else None
    return isinstance(about, dict) and about.get("journal_signed") is True


def archived_signature_problems(record: BuildRecord, entry: ChainEntry, keys: Mapping[str, str],
                                manifest: dict[str, Any] | None = None) -> list[str]:
    """A signed build's archived signature must be a valid signature by the key the chain names for the build (its
    public key as the chain's key changes give it, up to that build) over that build's manifest, id and date. It
    must be there for a build whose manifest says it was signed (``build.signed_by``); builds made before signatures
    were archived have none (their manifests do not say so). ``manifest``: the build's manifest, if the caller read
    it already."""
    if entry.key is None:
        return []
    if not record.signature.is_file():
        try:
            read = manifest if manifest is not None else json.loads(record.manifest.read_text(encoding="utf-8"))
            signed = (read.get("build") or {}).get("signed_by")
        except (OSError, ValueError, AttributeError):
            return []  # the manifest's own check says so
        return [f"{record.signature}: missing (build {entry.build_id} was signed by {signed}, its manifest says)"] \
            if signed else []
    return _envelope_problems(record.signature, str(record.signature), entry, keys)


def build_record_problems(audit_root: Path, entry: ChainEntry) -> list[str]:
    """One build of the audit chain checked as :func:`audit_problems` checks each: its archived manifest against the
    chain's hash, its date and id, and its audit files against the manifest's hashes (for ``explain``, which answers
    from those files)."""
    return _kept_manifest(audit_root, entry)[0]


def _kept_manifest(audit_root: Path, entry: ChainEntry) -> tuple[list[str], dict[str, Any] | None]:
    """:func:`build_record_problems`, and the build's kept manifest as read (``None`` if it is missing, differs from
    the chain's hash or is not a manifest), read once for both."""
    where = AuditFolder(audit_root).chain.as_posix()
    record = AuditFolder(audit_root).build(entry.build_id)
    saved = record.manifest
    try:
        content = saved.read_bytes()
    except FileNotFoundError:
        return [f"{saved}: missing (build {entry.build_id} of the chain)"], None
    except OSError:
        return [f"{saved}: cannot be read as a manifest"], None
    if hashlib.sha256(content).hexdigest() != entry.manifest_sha256:
        return [f"{saved}: content differs from its hash in {where}"], None
    try:
        manifest = json.loads(content)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict):
        return [f"{saved}: cannot be read as a manifest"], None
    return _record_problems(record, saved, manifest, entry, where), manifest


def change_set_problem(audit_root: Path, entry: ChainEntry) -> str | None:
    """What is wrong with one build's kept change set (there), checked against the hash its manifest gives it (the
    manifest checked against the chain), as :func:`build_record_problems` checks it with the build's other files;
    ``None`` if nothing (or if the build's manifest is older than the hashes of its audit files). For ``explain``,
    which reads the change sets of the builds before the one it answers from: it checks those that speak of the
    record (a manifest of a million files takes seconds to read)."""
    record = AuditFolder(audit_root).build(entry.build_id)
    if not record.manifest.is_file():
        return f"{record.manifest}: missing (build {entry.build_id} of the chain)"
    try:
        if file_sha256(record.manifest) != entry.manifest_sha256:
            return f"{record.manifest}: content differs from its hash in the chain"
        listed = json.loads(record.manifest.read_text(encoding="utf-8")).get("audit") or {}
    except (OSError, ValueError, AttributeError):
        return f"{record.manifest}: cannot be read as a manifest"
    name = record.changes.name
    if name in listed and file_sha256(record.changes) != listed[name]:
        return f"{record.changes}: content differs from its hash in {record.manifest}"
    return None


def _record_problems(record: BuildRecord, saved: Path, manifest: dict[str, Any], entry: ChainEntry,
                     where: str) -> list[str]:
    """A build's date and id in the chain against its (verified) manifest's, which the chain's hashes cover (the
    chain's own ``as_of`` is not hashed: an edit there would move the day a build spoke for, and with it what
    ``explain`` answers); and its decisions, quarantine, warnings and change set against the hashes its manifest gives
    them (a manifest older than those hashes gives none)."""
    try:
        listed = manifest.get("audit") or {}
        said = (str(manifest.get("as_of")), str((manifest.get("build") or {}).get("id")))
    except AttributeError:
        return [f"{saved}: cannot be read as a manifest"]
    problems = []
    if said != (entry.as_of, entry.build_id):
        problems.append(f"{where}: build {entry.build_id} as of {entry.as_of}, but its manifest {saved} says build "
                        f"{said[1]} as of {said[0]}")
    files = audit_files(record)
    actual = audit_hashes(files)
    kept = {"decisions.csv": record.decisions_gz}  # as a finished build keeps it
    return problems + [f"{kept.get(name, record.folder / name)}: missing (its hash is in {saved})" if name not in actual else
                       f"{files[name]}: content differs from its hash in {saved}"
                       for name, sha256 in sorted(listed.items()) if actual.get(name) != sha256]


def unhashed_builds(audit_root: Path) -> list[str]:
    """The builds of the audit chain whose manifest hashes none of their audit files (decisions, quarantine, warnings,
    change set): made by a version from before those hashes, so ``verify`` cannot tell whether they were edited."""
    found = []
    for entry in read_chain(audit_root):
        try:
            if "audit" not in json.loads(AuditFolder(audit_root).build(entry.build_id).manifest.read_text(encoding="utf-8")):
                found.append(entry.build_id)
        except (OSError, ValueError, TypeError):
            continue  # reported by the chain's check
    return found


def _head_problem(public: list[ChainEntry], recorded: list[ChainEntry], audit_root: Path, where: str) -> str:
    head = public[-1].build_id
    if recorded[: len(public)] == public:
        behind = len(recorded) - len(public)
        return (f"{PUBLIC_CHAIN}: the site's head {head} is {behind} build(s) behind the audit head "
                f"{recorded[-1].build_id}: a stale or rolled-back copy")
    pending = read_pending(audit_root)
    if pending is not None and public[-1] == pending and public[:-1] == recorded:
        return (f"{PUBLIC_CHAIN}: the site's head {head} was prepared but its publication is not recorded in "
                f"{where} (an interrupted build; the next build reconciles it)")
    return f"{PUBLIC_CHAIN}: differs from the audit history {where}"


def _data_problems(site_dir: Path, validated: frozenset[str] = frozenset(), listed: dict[str, Any] | None = None,
                   processes: int = 1, data_check: DataCheck | None = None) -> list[str]:
    """Every data package under ``data/`` validates, and each zip holds exactly its package.

    ``data/datapackage.json`` (every item's CSVs and the statistics) is validated whole by frictionless: its
    descriptor, and every resource row by row against its schema, with its byte count and SHA-256; the resources
    are validated in up to ``processes`` processes. A resource whose file is in ``validated`` (taken over unchanged
    from an earlier build, which validated it) and which the descriptor lists with the hash that ``listed`` (the
    manifest's hashes) gives it is not read again. An item's package (``data/<item>.datapackage.json``) must be a
    valid descriptor whose resources are those of the whole package (same path, bytes, hash and schema), so each
    file is read once. A zip (``data/<item>.zip``, ``data/datapackage.zip``) must hold its descriptor as
    ``datapackage.json`` and each of its resources, with the same bytes, and nothing else, every member dated by the
    day its descriptor's ``created`` gives (the date of the package's data). ``data_check``: the resources' validation
    already under way (:class:`DataCheck`), whose results count if it validates this descriptor's bytes and the same
    resources.
    """
    from frictionless import Package

    data = site_dir / "data"
    descriptor = site_dir / DATA_DESCRIPTOR
    if not descriptor.exists():
        return [f"{DATA_DESCRIPTOR}: missing"]
    try:
        content, document, whole = _read_package(descriptor)
    except (OSError, ValueError, AttributeError) as exc:
        return [f"{DATA_DESCRIPTOR}: cannot be read: {exc}"]
    unchanged = _unchanged(whole, validated, listed or {})
    started = data_check.started(_CheckKey.of(content, whole, unchanged, listed or {})) if data_check is not None else {}
    problems = _package_problems(descriptor, document, unchanged, processes, started)
    packages = {"data/datapackage.zip": descriptor}
    for path in sorted(data.glob("*.datapackage.json")):
        name = f"data/{path.name}"
        packages[f"data/{path.name.removesuffix('.datapackage.json')}.zip"] = path
        try:
            item = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{name}: cannot be read: {exc}")
            continue
        problems += [f"{name}: {error.message}" for error in Package.validate_descriptor(item).errors[:20]]
        for resource in item.get("resources", []) if isinstance(item, dict) else []:
            if resource != whole.get(resource.get("path")):
                problems.append(f"{name}: resource {resource.get('path')!r} is not that of {DATA_DESCRIPTOR}")
    for archive, package in packages.items():
        problems += _zip_problems(site_dir, archive, package)
    return problems


def _read_package(descriptor: Path) -> tuple[bytes, dict[str, Any], dict[Any, dict[str, Any]]]:
    """The descriptor ``descriptor``: its bytes, its document and its resources by path (``OSError``, ``ValueError``
    or ``AttributeError`` if it cannot be read as one)."""
    content = descriptor.read_bytes()
    document = json.loads(content.decode("utf-8"))
    return content, document, {r.get("path"): r for r in document.get("resources", [])}


def _unchanged(whole: dict[Any, dict[str, Any]], validated: frozenset[str], listed: dict[str, Any]) -> frozenset[str]:
    """The resources (paths inside ``data/``) of the package of everything (``whole``, by path) not to read again:
    taken over unchanged from an earlier build (``validated``), listed with the hash the manifest gives (``listed``)."""
    return frozenset(path for path, r in whole.items() if isinstance(path, str) and f"data/{path}" in validated
                     and "sha256:" + str(listed.get(f"data/{path}")) == r.get("hash"))


def _package_problems(descriptor: Path, document: dict[str, Any], unchanged: frozenset[str], processes: int,
                      started: dict[str, Future[list[str]]] | None = None) -> list[str]:
    """frictionless on the package of everything: its descriptor, then each resource but the ``unchanged`` ones
    (paths inside ``data/``), in up to ``processes`` processes (largest first; in this one for a small package).
    ``started``: resources already being validated (:class:`DataCheck`), by name. The problems come in the
    descriptor's order."""
    from frictionless import Package

    errors = Package.validate_descriptor(document).errors
    if errors:
        return [f"{DATA_DESCRIPTOR}: {error.message}" for error in errors[:20]]
    resources = [r for r in document.get("resources", []) if str(r.get("path")) not in unchanged]
    names = [str(r.get("name")) for r in resources]
    found = {name: _collect(future, str(descriptor), name) for name, future in (started or {}).items() if name in names}
    resources = [r for r in resources if str(r.get("name")) not in found]
    workers = _workers(resources, processes)
    largest = [str(r.get("name")) for r in sorted(resources, key=lambda r: -_size(r))]
    if workers > 1:
        try:
            with Pool(workers) as pool:
                found |= dict(zip(largest, pool.map(_resource_problems, [str(descriptor)] * len(largest), largest), strict=True))
        except BrokenProcessPool:  # no process could be started here (a program read from standard input): in this one
            pass
    found |= {name: _resource_problems(str(descriptor), name) for name in largest if name not in found}
    return [problem for name in names for problem in found[name]]


def _collect(future: Future[list[str]], descriptor: str, name: str) -> list[str]:
    """The problems of a resource validated in a worker, or found here if its process was lost."""
    try:
        return future.result()
    except BrokenProcessPool:
        return _resource_problems(descriptor, name)


@dataclass(frozen=True)
class _CheckKey:
    """What the validation of the package's resources depends on: the descriptor's bytes, the resources not to read
    again, and the hash each resource's file was written with (``manifest.json``'s, which the build takes as
    written)."""

    sha256: str
    unchanged: frozenset[str]
    hashes: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, content: bytes, whole: dict[Any, dict[str, Any]], unchanged: frozenset[str],
           listed: dict[str, Any]) -> _CheckKey:
        hashes = tuple(sorted((str(path), str(listed.get(f"data/{path}"))) for path in whole))
        return cls(hashlib.sha256(content).hexdigest(), unchanged, hashes)


class DataCheck:
    """frictionless on the resources of ``data/datapackage.json`` that a build wrote, started as soon as they are
    written, so that it runs beside the stages after (the search index, the manifest) instead of after them.

    The build starts it once the output that writes the download folder has (``build.py``), and hands it to
    :func:`verify_site`, which takes its results only if they are still those of the site (:class:`_CheckKey`: the
    same descriptor, resources not to read again and hashes); else it validates as it would without. Started in
    worker processes when the CSVs to validate are worth a pool (as :func:`_package_problems` would start them);
    otherwise nothing is started and the verification validates them itself. A context manager: leaving it shuts
    the workers down (the resources still queued are not validated).
    """

    def __init__(self, site_dir: Path, validated: frozenset[str], listed: dict[str, str], processes: int) -> None:
        self.key: _CheckKey | None = None
        self.futures: dict[str, Future[list[str]]] = {}
        self.pool: Pool | None = None
        descriptor = site_dir / DATA_DESCRIPTOR
        try:
            content, _document, whole = _read_package(descriptor)
        except (OSError, ValueError, AttributeError):
            return  # the verification reads it again and says what is wrong
        unchanged = _unchanged(whole, validated, listed)
        resources = sorted((r for r in whole.values() if str(r.get("path")) not in unchanged), key=lambda r: -_size(r))
        workers = _workers(resources, processes)
        if workers <= 1:
            return
        self.key = _CheckKey.of(content, whole, unchanged, listed)
        self.pool = Pool(workers)
        try:
            for resource in resources:
                name = str(resource.get("name"))
                self.futures[name] = self.pool.submit(_resource_problems, str(descriptor), name)
        except BrokenProcessPool:
            self.futures.clear()  # validated where the verification finds no result

    def started(self, key: _CheckKey) -> dict[str, Future[list[str]]]:
        """The validations under way, by resource name, if they validate what ``key`` describes; none otherwise."""
        return self.futures if key == self.key else {}

    def __enter__(self) -> DataCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


_PARALLEL_BYTES = 50_000_000
"""Below this many bytes of CSV to validate (some ten seconds of frictionless), the resources are validated in this
process: a worker's start (importing frictionless and this package) costs about a second, 15 MB (100,000 input
rows) validated in two processes took longer than in one on a busy machine."""


def _workers(resources: list[dict[str, Any]], processes: int) -> int:
    """How many processes validate ``resources``: one per resource, up to ``processes``; this one alone (1) below
    :data:`_PARALLEL_BYTES` of CSV."""
    return min(processes, len(resources)) if sum(_size(r) for r in resources) > _PARALLEL_BYTES else 1


def _size(resource: dict[str, Any]) -> int:
    size = resource.get("bytes")
    return size if isinstance(size, int) else 0


def _resource_problems(descriptor: str, name: str) -> list[str]:
    """frictionless on one resource of the package ``descriptor``: rows against the schema, byte count, SHA-256."""
    from frictionless import FrictionlessException, Package

    try:
        report = Package(descriptor).get_resource(name).validate()
    except FrictionlessException as exc:
        return [f"{DATA_DESCRIPTOR}: {exc.error.message}"]
    problems = [f"data/{task.place}: {error.message}" for task in report.tasks for error in task.errors[:20]]
    return problems or [f"{DATA_DESCRIPTOR}: {error.message}" for error in report.errors[:20]]


def _zip_problems(site_dir: Path, archive: str, descriptor: Path) -> list[str]:
    """A package's zip holds its descriptor as ``datapackage.json`` and its resources, with the same bytes, each
    dated by the day of the descriptor's ``created``."""
    if not (site_dir / archive).is_file():
        return [f"{archive}: missing (the zip of data/{descriptor.name})"]
    try:
        document = json.loads(descriptor.read_text(encoding="utf-8"))
        resources, created = document.get("resources", []), str(document.get("created", ""))[:10]
        expected = {"datapackage.json": "sha256:" + file_sha256(descriptor)}
        expected |= {r["path"]: r["hash"] for r in resources}
        with zipfile.ZipFile(site_dir / archive) as zipped:
            found = {info.filename: "sha256:" + hashlib.sha256(zipped.read(info)).hexdigest() for info in zipped.infolist()}
            dated = sorted({"{:04d}-{:02d}-{:02d}".format(*info.date_time[:3]) for info in zipped.infolist()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        return [f"{archive}: cannot be read: {exc}"]
    problems = [f"{archive}: lacks {name}" for name in sorted(set(expected) - set(found))]
    problems += [f"{archive}: holds {name}, which data/{descriptor.name} does not list" for name in sorted(set(found) - set(expected))]
    problems += [f"{archive}: {name} differs from data/{name if name != 'datapackage.json' else descriptor.name}"
                 for name in sorted(set(found) & set(expected)) if found[name] != expected[name]]
    if dated and dated != [created]:
        problems.append(f"{archive}: its members are dated {', '.join(dated)}, not {created or '(none)'} (the created date "
                        f"of data/{descriptor.name})")
    return problems
