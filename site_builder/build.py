"""The build: one function that reads top to bottom.

load catalogue and profile → find records files → find the subjects on a serious-dishonesty list
(a first pass, for profiles that need it) → for each row: validate → decide → redact →
store → compare with the previous build's record state (first-published dates, the change set) → write each
enabled output (pages, subject data, data package, feed, sitemap, plugins', search
index last; the data package's validation starts as soon as it is written, beside the outputs after it)
→ write manifest → sign → verify →
record the build as prepared in the audit history → switch the output to it → record it as published.

Nothing is written to the output path until the whole build has succeeded and verified: the site is
built in a staging folder beside it, and the output link is switched to it in one rename (see
``publish.py``). The audit folder is locked for the whole build.

A build is incremental: every row is decided again, but a page or subject data file whose content
would be the same as in the previous build is taken over from the live site (a hard link) instead of
rendered (see ``outputs/files.py``); the files taken over are neither hashed nor leak-scanned again,
and the secrets new since the previous build are looked for in every published record instead.
``full=True`` (``build --full``, ``[build] incremental = false``) renders everything.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import json
import logging
import re
import shutil
import sqlite3
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from site_builder import publish
from site_builder.audit import changes, history, signing
from site_builder.audit.layout import AuditFolder, BuildRecord, clear_own
from site_builder.audit.ledger import CLASSES, REASON_CLASSES, Counts, Ledger
from site_builder.audit.manifest import (
    MANIFEST,
    audit_files,
    audit_hashes,
    file_sha256,
    make_manifest,
    manifest_text,
    public_name,
)
from site_builder.audit.verify import (
    DataCheck,
    Locate,
    excuse_leaks,
    leak_sources,
    located_leaks,
    published_whole,
    store_values,
    verify_site,
)
from site_builder.config import BuildSettings, Config, PathSettings, PublishSettings
from site_builder.exceptions import AuditError, BuildError, ConfigError, PublishError, SigningError
from site_builder.faults import fault_point
from site_builder.inputs import load_inputs
from site_builder.outputs.downloads import zip_date_problem
from site_builder.outputs.files import (
    FileIndex,
    Held,
    Previous,
    check_spare,
    mark_excused,
    new_secrets,
    read_key,
    site_key,
    write_state,
)
from site_builder.outputs.layout import DATA_DESCRIPTOR
from site_builder.outputs.parallel import worker_count
from site_builder.outputs.registry import enabled_outputs
from site_builder.outputs.site import Site
from site_builder.pools import Pool, file_size
from site_builder.progress import Stages
from site_builder.rules.catalogue import CatalogItem, Catalogue, FieldSpec
from site_builder.rules.pipeline import Reading, results
from site_builder.rules.privacy import Leak, Secrets
from site_builder.rules.profiles import Policy
from site_builder.rules.rowcache import CacheFile
from site_builder.sources.database import TableSource
from site_builder.sources.loading import HEADER_SEARCH, FileReport
from site_builder.sources.mapping import deciding_fields
from site_builder.store.published import IDENTITY_ITEM, PublishedStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: where, its chain entry and the row counts."""

    output: Path
    audit: Path
    entry: history.ChainEntry
    counts: Counts
    sources: list[FileReport]
    """What reading each records file found (rows, encoding, warnings)."""
    reused: int = 0
    """Files taken over unchanged from the previous build."""
    cached: int = 0
    """Rows whose result was taken from the decision cache instead of deciding them again."""


def build(config: Config, as_of: date, new_chain: bool = False, progress: TextIO | None = None,
          full: bool = False, earlier: bool = False, allow_empty: frozenset[str] = frozenset(),
          allow_missing: frozenset[str] = frozenset(), change_profile: bool = False) -> BuildResult:
    """Build the site for ``as_of`` from ``config.paths.records`` into ``config.paths.output``.

    ``new_chain``: start a new audit chain although the output carries one the audit folder lacks
    (the new chain's first entry names the head it replaces). ``progress``: where to draw progress
    bars (a terminal; ``None``: none). ``full``: render every file, taking nothing over from the
    previous build. Each stage logs one ``stage=<name> seconds=…`` line at INFO. ``earlier``: build for a date
    before the last build's (refused otherwise: see :func:`_check_date`). ``allow_empty``: items that may have no
    rows although the live site publishes some of theirs (refused otherwise: see :func:`_check_items_read`).
    ``allow_missing``: columns (``item.field``) that deciding the records may go without although the live site's build
    read them (refused otherwise: see :func:`_check_columns_read`). ``change_profile``: build with another disclosure
    profile than the live site's (refused otherwise: see :func:`_check_profile`).

    A worker process that dies (killed, or out of memory) stops the build with a :class:`BuildError`: every pool
    works before the site is published, so the live site stays as it was.
    """
    problem = zip_date_problem(as_of)
    if problem:
        raise BuildError(f"As-of date {problem}")
    check_output_place(config.paths)
    for key in (config.signing.key, config.signing.previous_key):
        if key is not None and (misplaced := key_place_problem(config.paths, key)):
            raise ConfigError(misplaced)
    try:
        return _build(config, as_of, new_chain, progress, full, earlier, allow_empty, allow_missing, change_profile)
    except BrokenExecutor as exc:
        raise BuildError(f"A worker process stopped unexpectedly ({exc}); nothing was published") from exc
    except sqlite3.OperationalError as exc:  # the build's own stores in the audit folder (a full disk, most often)
        raise BuildError(f"The build's working files in the audit folder {config.paths.audit} could not be written "
                         f"({exc}); nothing was published. Free space there (or check its permissions) and build "
                         "again") from exc


def check_output_place(paths: PathSettings) -> None:
    """Refuse an output folder inside a folder the build reads (records, catalogue, profiles, content, templates) or
    the audit folder: the next build would read its own site as input (``records/judgment`` is the judgments' folder).

    The reverse, an input inside the output, is refused by :func:`publish.check_output`."""
    out = paths.output
    places = {out.absolute(), out.resolve(), publish.builds_dir(out).absolute(), publish.builds_dir(out).resolve()}
    for name in ("records", "catalogue", "profiles", "content", "templates", "audit"):
        folder: Path = getattr(paths, name)
        where = folder.resolve()
        if any(place == where or place.is_relative_to(where) for place in places):
            raise ConfigError(f"Output folder {out} is inside the {name} folder {folder} (paths.{name}), which the build "
                              f"{'reads' if name != 'audit' else 'keeps private'}; choose an output folder outside it")
    audit = paths.audit.resolve()
    for name in ("records", "catalogue", "profiles", "content", "templates"):
        folder = getattr(paths, name)
        if audit == folder.resolve() or audit.is_relative_to(folder.resolve()):
            raise ConfigError(f"Audit folder {paths.audit} is inside the {name} folder {folder} (paths.{name}), which the "
                              "build reads (and may publish from): its private files (the decision cache, the rows read, "
                              "the quarantine report) must stay outside; choose an audit folder outside it")


def key_place_problem(paths: PathSettings, key: Path) -> str | None:
    """Why a private signing key must not be at ``key``, or ``None``: inside the output folder, which is published
    (and whose old builds become the spare, then go), or inside a folder the build reads and may publish from (the
    templates, whose ``static/`` is copied into the site, the content, the records, the catalogue, the profiles)."""
    where = key.absolute()
    places = [("output", paths.output), ("output", publish.builds_dir(paths.output))]
    places += [(name, getattr(paths, name)) for name in ("templates", "content", "records", "catalogue", "profiles")]
    for name, folder in places:
        if any(w.is_relative_to(f) for w in (where, where.resolve()) for f in (folder.absolute(), folder.resolve())):
            return (f"The private signing key {key} is inside the {name} folder {folder} (paths.{name}), from which it "
                    f"could be published or removed; keep it outside the site's folders (a CI secret written to a "
                    f"file for the build)")
    return None


def _build(config: Config, as_of: date, new_chain: bool, progress: TextIO | None, full: bool, earlier: bool,
           allow_empty: frozenset[str], allow_missing: frozenset[str], change_profile: bool) -> BuildResult:
    stages = Stages(progress)
    out, audit_root = config.paths.output, config.paths.audit
    publish.check_output(out, config.site_inputs)
    key = signing.load_private_key(config.signing.key) if config.signing.key else None
    inputs = load_inputs(config)
    catalogue, policy, sources, ignored = inputs.catalogue, inputs.policy, inputs.sources, inputs.ignored
    unknown = sorted(allow_empty - set(catalogue.ids))
    if unknown:
        raise ConfigError(f"--allow-empty {unknown[0]}: no such catalogue item (the items: {', '.join(catalogue.ids)})")
    allow_missing = frozenset(_deciding_column(catalogue, column, policy) for column in allow_missing)
    outputs = enabled_outputs(config)
    for name in ignored:
        log.warning("ignored path=%s reason=not the records of any catalogue item", name)
    with (
        publish.locked(audit_root, out, config.publish.lock_timeout),
        _journal_failure(out, audit_root, as_of) as attempt,
        _clear_faults(out, audit_root),
        _workspace(out, audit_root) as (staging, work, spare),
        ExitStack() as background,
    ):
        chain, extra = _continue_chain(config, key, new_chain)
        attempt.build_id = next_id = history.build_id(len(chain) + 1, as_of.isoformat())
        _check_date(chain or _public_chain(out), as_of, earlier)  # a new chain: the head of the site it replaces
        misplaced = history.record_place_problem(audit_root, next_id)
        if misplaced:  # before a row is decided: archiving would find it there only after the whole build
            raise BuildError(misplaced)
        live = _live_build(out, audit_root, chain)
        previous = None if full or not config.build.incremental else live
        store = PublishedStore(BuildRecord(work).store, index_later=True)
        ledger = Ledger(work)
        secrets = Secrets()
        reading = Reading()
        cache = CacheFile(AuditFolder(audit_root).row_cache, _decision_key(catalogue, policy), read=not full,
                          parsed=AuditFolder(audit_root).parsed_rows) \
            if config.build.incremental else None
        with stages.stage("decide") as decide:
            for item, (file, line), result in results(catalogue, policy, sources, as_of, reading, cache, worker_count(config)):
                decide.advance()
                secrets.merge(result.secrets)
                ledger.add(item.id, file, line, result)
                if result.stored is not None:
                    store.add_prepared(result.stored)
            if cache is not None:
                decide.summary["cached"] = reading.cached
            reports = reading.reports
            for report in reports:
                _log_source(report)
            live_manifest = _live_manifest(out)  # parsed after deciding: at a million rows it lists 900,000 files
            _check_profile(live_manifest, policy, change_profile)
            _check_items_read(live_manifest, catalogue, reports, ledger.counts, allow_empty)
            _check_columns_read(live_manifest, _live_reasons(live_manifest, audit_root), catalogue, reports,
                                allow_missing, policy)
            for database in {id(s.database): s.database for s in sources if isinstance(s, TableSource) and s.database}.values():
                database.close()  # ends the read transaction: the platform's writers need not wait for the build
            _warn_repeated_identities(store, reports)
            ledger.warnings(reports, ignored)
            store.flush()
            ledger.close(catalogue.ids)
            build_id = history.build_id(len(chain) + 1, as_of.isoformat())
            change_set, baseline = changes.record_changes(store, BuildRecord(work), changes.previous_state(audit_root, chain),
                                                          build_id, as_of)
            store.create_indexes()
            decide.summary |= {"rows": decide.done, "published": sum(ledger.counts.published.values()),
                               **(change_set.counts if change_set else {"baseline": "yes"})}
        records, subjects = changes.withdrawn(BuildRecord(work).record_state)
        change_log = changes.change_log(audit_root, chain, change_set, baseline, build_id, as_of, config.changes.kept,
                                        records, subjects, config.changes.days)
        names = frozenset(o.name for o in outputs)
        files = FileIndex(staging, _site_key(config, catalogue, policy, names), previous)
        if spare is not None:
            files.expect_spare(spare)  # waited for when the staging folder is first written to
        files.load_previous()
        site = Site(config, catalogue, policy, as_of, store, names, files, build_id, change_log)
        data_check: DataCheck | None = None
        for output in outputs:
            if not output.through_index:
                files.settle()
            with stages.stage(output.name) as stage:
                mark = len(files.written)
                paths = output.write(site, staging)
                files.note_written(paths, mark)  # what a plugin wrote itself joins the list (and the manifest)
                stage.summary["files"] = len(paths)
            if data_check is None and any(w.path == DATA_DESCRIPTOR for w in files.written[mark:]):
                data_check = background.enter_context(DataCheck(
                    staging, frozenset(w.path for w in files.written if w.reused), {w.path: w.sha256 for w in files.written},
                    worker_count(config)))
        fault_point("rendered")
        reused = frozenset(w.path for w in files.written if w.reused)
        excused: set[str] = set()  # withheld values other records publish whole: the next build renders every page
        if reused and previous is not None:
            excused |= _check_taken_over(store, secrets, previous, functools.partial(leak_sources, catalogue, sources))
        store.close()
        files.write_text(publish.MARKER, publish.MARKER_TEXT)
        if key is not None:
            files.write(signing.PUBLIC_KEY, signing.public_pem(key.public_key()).encode("ascii"))
        with stages.stage("manifest") as stage:
            manifest = make_manifest(config, catalogue, policy, as_of, reports, ignored, ledger.counts,
                                     {w.path: w.sha256 for w in files.written}, audit_hashes(audit_files(BuildRecord(work))))
            entry = _write_manifest(files, chain, manifest, key, extra)
            attempt.manifest_sha256 = entry.manifest_sha256
            stage.summary["files"] = len(manifest["outputs"])
            stage.summary["removed"] = files.seal()
            write_state(BuildRecord(work).pages, files.key, files.written, secrets.digests())
            files.close()
        publish.make_readable(staging)
        with stages.stage("verify") as stage:
            problems = verify_site(staging, secrets, check_hashes=False, public_key=key.public_key() if key else None,
                                   scan=[w.path for w in files.written if not w.reused], processes=worker_count(config),
                                   covered=_zip_members(files),
                                   validated=frozenset(w.path for w in files.written if w.reused), data_check=data_check,
                                   locate=functools.partial(leak_sources, catalogue, sources),
                                   holders=functools.partial(_published_whole, BuildRecord(work).store), excused=excused)
            stage.summary["problems"] = len(problems)
        if problems:
            raise BuildError("The built site does not verify; nothing was published:\n  " + "\n  ".join(problems))
        if excused:
            mark_excused(BuildRecord(work).pages)
        with stages.stage("publish"):
            kept = _publish(work, audit_root, entry, staging, out, live, key)
        attempt.published = True
        _drop_old_states(AuditFolder(audit_root), [*chain, entry], live is not None)
    log.info("built output=%s build=%s published=%d reused=%d signed=%s", out, entry.build_id,
             sum(ledger.counts.published.values()), len(reused), entry.key or "no")
    return BuildResult(out, kept, entry, ledger.counts, reports, len(reused), reading.cached)


def _drop_old_states(audit: AuditFolder, chain: list[history.ChainEntry], spare: bool) -> None:
    """Remove the page states but the live site's and the spare's (``spare``: the build before the last), and the
    record states but the last build's (carried forward), from the folders builds made (:meth:`AuditFolder.own_builds`):
    a file of the same name in a user's folder under ``builds/`` stays, named in a warning."""
    own = audit.own_builds(entry.build_id for entry in chain)
    keep_pages = {chain[-1].build_id, *([chain[-2].build_id] if spare and len(chain) > 1 else [])}
    for states, keep in ((audit.page_states(), keep_pages), (audit.record_states(), {chain[-1].build_id})):
        for state in states:
            if state.parent.name in keep:
                continue
            if state.parent.name in own and state.is_file() and not state.is_symlink():
                state.unlink(missing_ok=True)
            else:
                log.warning("not_removed path=%s reason=not in a folder a build made: left in place", state)


def _published_whole(path: Path, values: frozenset[str]) -> dict[str, str]:
    """:func:`published_whole` over the build's published store (closed by then: opened again to read)."""
    store = PublishedStore.open_readonly(path)
    try:
        return published_whole(store_values(store.records()), values)
    finally:
        store.close()


def _zip_members(files: FileIndex) -> frozenset[str]:
    """The contents (SHA-256) of the site's files that its zips hold as members: the download folder's (its zips hold
    its CSVs and descriptors), which the leak scan then does not read again inside a zip. Only those: every scanning
    process is given the set, and the hashes of the large set's 893,000 files took 1.4 s more to start two processes
    with (measured); a member whose content is not in the set is read, never skipped."""
    return frozenset(w.sha256 for w in files.written if w.path.startswith("data/"))


def _site_key(config: Config, catalogue: Catalogue, policy: Policy, outputs: frozenset[str]) -> str:
    """What every page of the site shares: a page is taken over only from a build with the same key."""
    output_settings = dataclasses.replace(config, root=Path("."), paths=PathSettings(), build=BuildSettings(),
                                          publish=PublishSettings())  # where things are, workers, locks: not content
    parts = [repr(output_settings), repr(sorted(outputs)), _decision_key(catalogue, policy)]
    return site_key(parts, [*config.template_dirs, *config.content_dirs])


def _decision_key(catalogue: Catalogue, policy: Policy) -> str:
    """What every row's result shares besides the row (see ``rules/rowcache.py``): the software, the catalogue and
    the profile, and the headings each field is read under (the catalogue's aliases with the site's ``[columns]``
    first: a mapping changed with the records file unchanged had a rebuild take the file as parsed before it), and
    what the site's ``[states]`` says its state values mean (a row's defects are made as its file is read)."""
    headings = repr([(item.id, [(spec.name, spec.aliases) for spec in item.fields], item.states) for item in catalogue.items])
    parts = [policy.id, _code_digest(), *(file_sha256(p) for p in catalogue.files), file_sha256(policy.source) if policy.source else "",
             hashlib.sha256(headings.encode()).hexdigest()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    """The SHA-256 of the package's Python source files (by path and content) and of the versions of the libraries it
    runs on: a new openpyxl writes other workbooks, a new python-stdnum may decide a code otherwise, so a file or a
    decision made with the old ones is not taken over (an incremental build would otherwise differ from a full one)."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(f"{path.relative_to(package)}:{file_sha256(path)}\0".encode())
    for name, version in _library_versions():
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()


def _library_versions() -> list[tuple[str, str]]:
    """The installed version of each library the package requires (``""`` for one not installed, or when the
    package's own metadata is not there: run from a source tree)."""
    from importlib import metadata

    try:
        required = metadata.requires("site_builder") or []
    except metadata.PackageNotFoundError:
        return []
    found = []
    for requirement in required:
        if ";" in requirement:  # an extra's (test, postgresql): not what the build runs on
            continue
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        if name is None:
            continue
        try:
            found.append((name.group().lower(), metadata.version(name.group())))
        except metadata.PackageNotFoundError:
            found.append((name.group().lower(), ""))
    return sorted(found)


def _live_build(out: Path, audit_root: Path, chain: list[history.ChainEntry]) -> Previous | None:
    """The previous build, if the live site is its and its state was kept (else this build renders everything, and
    the live site does not become the spare)."""
    if not chain:
        return None
    state = AuditFolder(audit_root).build(chain[-1].build_id).pages
    live = publish.current_version(out)
    if live is None or not state.is_file() or not (live / MANIFEST).is_file():
        return None
    if file_sha256(live / MANIFEST) != chain[-1].manifest_sha256:
        log.warning("output=%s is not the build %s the audit chain ends with: rendering every page", out, chain[-1].build_id)
        return None
    key = read_key(state)
    return Previous(live, state, key) if key else None


def _check_taken_over(store: PublishedStore, secrets: Secrets, previous: Previous, locate: Locate) -> set[str]:
    """Files taken over were leak-scanned when written: look for the secrets new since in what they are made of.

    Every page is made of published records (and of the templates, the configuration and the content pages,
    which are unchanged: the site key says so); a record holding a secret new since the previous build is
    refused, as a full build's leak scan would refuse the pages showing it, naming the input rows that hold the
    secret (``locate``, asked only then). Returns the secrets excused as other records' public values (see
    :func:`~site_builder.audit.verify.excuse_leaks`).
    """
    new = new_secrets(previous.state, secrets.digests())
    if not new:
        return set()
    fresh = secrets.only(new)
    leaks = []
    for record in store.records():
        text = "\n".join([record.record_id, record.subject_name, record.authority, *record.fields.values()])
        found = fresh.find(text)
        if found:
            leaks.append(Leak(f"record/{record.item}/{record.record_id}", frozenset(found)))
    if not leaks:
        return set()
    places = locate(frozenset(v for leak in leaks for v in leak.values))
    excused: set[str] = set()
    leaks = excuse_leaks(leaks, places, lambda values: published_whole(store_values(store.records()), values), excused)
    if leaks:
        first = leaks[0].where.removeprefix("record/")
        raise BuildError(f"Record {first} shows a withheld value or raw ID number of an input row; nothing was "
                         "published:\n  " + "\n  ".join(located_leaks(leaks[:1], places)))
    return excused


def _warn_repeated_identities(store: PublishedStore, reports: list[FileReport]) -> None:
    """A warning for each subject with several published 登记信息 records, in the report of the first file of the item
    (its page shows one of them as the subject's registration: the others, a 存续 beside a 注销, went unseen)."""
    repeated = store.repeated_identities()
    report = next((r for r in reports if r.item == IDENTITY_ITEM), None)
    if not repeated or report is None:
        return
    for key, record_ids in repeated[:_REPEATED_SHOWN]:
        report.warnings.append(f"统一社会信用代码 {key} 有{len(record_ids)}条公示的登记信息（{'、'.join(record_ids[:5])}），主体页只显示"
                               f"{record_ids[0]}（成立日期最新、同日记录编号在前者）：一个主体只应导出一条登记信息（最新的一条）")
    if len(repeated) > _REPEATED_SHOWN:
        report.warnings.append(f"另有{len(repeated) - _REPEATED_SHOWN}个主体有多条公示的登记信息（只列出前{_REPEATED_SHOWN}个）")
    log.warning("subjects=%d have more than one published registration (登记信息): the page shows the first", len(repeated))


_REPEATED_SHOWN = 20
"""How many subjects with several registrations the warnings name one by one."""


def _log_source(report: FileReport) -> None:
    log.info("read file=%s rows=%d encoding=%s", report.name, report.rows, report.encoding)
    for warning in report.warnings:
        log.warning("file=%s %s", report.name, warning)


def _live_manifest(out: Path) -> Any:
    """The live site's manifest, read once for the checks of what a build read (``None``: no live site, or none this
    tool could read); at a million rows it lists 900,000 files."""
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check_profile(live: Any, policy: Policy, change_profile: bool) -> None:
    """Refuse a build whose disclosure profile is not the live site's, unless ``change_profile``: a nightly build
    run without the ``--profile`` the site was built with (the configuration's default then applies) would publish
    what the site's region forbids (Zhejiang publishes no natural person; the national profile does), or withdraw
    what it requires, without a word."""
    try:
        profile = live["profile"]
    except (KeyError, TypeError):
        return  # no live site of this tool
    if isinstance(profile, str) and profile != policy.id and not change_profile:
        raise BuildError(f"The live site was built with the disclosure profile {profile!r}; this build's is {policy.id!r} "
                         "(from --profile or [disclosure] profile in site_builder.toml). A build under another profile "
                         "publishes and withdraws by other rules. If that is a mistake, build with the site's profile; "
                         "to change the site's profile on purpose, pass --change-profile")


def _check_items_read(live: Any, catalogue: Catalogue, reports: list[FileReport], counts: Counts,
                      allow_empty: frozenset[str]) -> None:
    """Refuse a build that decided no row of an item whose records the live site publishes (none read, or every one
    quarantined), unless that item is in ``allow_empty``: every one of them would leave the site, when the likelier
    cause is an export that lost a file, renamed a heading (a required column missing quarantines every row) or broke
    its dates, or a database table renamed, emptied or not found (a missing item is otherwise just an item with nothing
    to publish). The live site's manifest says how many it publishes."""
    try:
        published = {str(item): int(tally["published"]) for item, tally in live["counts"]["by_item"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # no live site of this tool, or one older than its counts by item: nothing to compare with
    read: dict[str, int] = {}
    for report in reports:
        read[report.item] = read.get(report.item, 0) + report.rows
    lost = [item.id for item in catalogue.items
            if published.get(item.id) and read.get(item.id, 0) <= counts.quarantined[item.id] and item.id not in allow_empty]
    if lost:
        item = lost[0]
        more = f" (and {', '.join(lost[1:])})" if len(lost) > 1 else ""
        what = (f"Every row of {item} ({catalogue[item].title}){more} was quarantined (see quarantine.csv)"
                if read.get(item) else f"No row of {item} ({catalogue[item].title}){more} was read")
        raise BuildError(f"{what}, but the live site publishes {published[item]} of its records: each would be withdrawn. "
                         "If the export lost a file or a column, or the database a table, restore it; if "
                         f"{item} has no records left, pass --allow-empty {item}")


def _deciding_column(catalogue: Catalogue, column: str, policy: Policy | None = None) -> str:
    """``ITEM.FIELD`` of an ``--allow-missing`` value, written with the item's id or title and the field's name or
    title (``admin_penalty.decision_status``, ``行政处罚.当前状态``); a field the profile's period rule ends or removes
    by counts (``policy``)."""
    item_name, _, field_name = column.partition(".")
    item = next((i for i in catalogue.items if item_name in (i.id, i.title)), None)
    if item is not None and policy is not None:
        item = dataclasses.replace(item, period=policy.rule(item.id, item.period))
    spec = next((f for f in deciding_fields(item) if field_name in (f.name, f.title)), None) if item else None
    if item is None or spec is None:
        raise ConfigError(f"--allow-missing {column}: no column that decides publication of that name, written "
                          "ITEM.FIELD (as the message that asks for it names it: admin_penalty.objection_status)")
    return f"{item.id}.{spec.name}"


def _live_reasons(live: Any, audit_root: Path) -> dict[str, set[str]]:
    """The reason codes the live site's build withheld records for, by item: from its audit record's ``counts.json``
    if its content is what the live manifest's ``audit`` hashes say; else from the manifest itself (one older than
    ``counts.json`` counted by reason code; a newer one per public reason class, each class then standing for every
    reason code in it). Empty if neither can be read."""
    try:
        record = AuditFolder(audit_root).build(str(live["build"]["id"]))
        if file_sha256(record.counts) != live["audit"]["counts.json"]:
            raise ValueError(f"{record.counts}: not what the live manifest hashes")
        tallies, classes = json.loads(record.counts.read_text(encoding="utf-8"))["by_item"], False
    except (OSError, ValueError, KeyError, TypeError):
        try:
            tallies = live["counts"]["by_item"]
            classes = all(set(tally["excluded"]) == set(CLASSES) for tally in tallies.values())
        except (KeyError, TypeError, AttributeError):
            return {}
    try:
        return {str(item): {reason for key, n in tally["excluded"].items() if n
                            for reason in ([r for r, c in REASON_CLASSES.items() if c == key] if classes else [str(key)])}
                for item, tally in tallies.items()}
    except (KeyError, TypeError, AttributeError):
        return {}


def _check_columns_read(live: Any, withheld: dict[str, set[str]], catalogue: Catalogue, reports: list[FileReport],
                        allow_missing: frozenset[str], policy: Policy | None = None) -> None:
    """Refuse a build that lost a column deciding publication (异议状态, 信用修复日期, 公示截止期, 移出日期, 当前状态 …:
    :func:`~site_builder.sources.mapping.deciding_fields`) which the live site's build read, where the live site
    withholds records for a reason that column gives, unless ``item.field`` is in ``allow_missing``: those records
    would be decided as if they had no value there (a record under objection or revoked published, a repaired one
    kept), when the likelier cause is an export or a table that lost the column. Lost: from every file of the item,
    from a file of the same name, or from a worksheet of the same title in a workbook of the same name. Only the other
    objection column stands in for an objection column. The live site's manifest lists the fields each of its files
    gave (and each worksheet of a workbook: ``sheets``, which a manifest older than it lacks); ``withheld``, the
    reasons the live site's build withheld records for, by item (:func:`_live_reasons`). ``policy``: the profile, whose
    period rules say which end and removal dates decide (a site's profile may end a licence by its 有效期至)."""
    try:
        files: dict[tuple[str, str], set[str]] = {}
        sheets: dict[tuple[str, str, str], set[str]] = {}
        for entry in live["inputs"]["records"]:
            if entry.get("rows"):
                key = (str(entry["item"]), str(entry["file"]))
                files.setdefault(key, set()).update(str(name) for name in entry.get("fields") or ())
                for sheet in entry.get("sheets") or ():
                    if sheet.get("rows"):
                        sheets.setdefault((*key, str(sheet["sheet"])), set()).update(
                            str(name) for name in sheet.get("fields") or ())
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # no live site of this tool, or one older than the fields in its manifest: nothing to compare with
    for item in catalogue.items:
        if policy is not None:  # the period rule the profile applies: its end and removal dates decide too
            item = dataclasses.replace(item, period=policy.rule(item.id, item.period))
        read = [r for r in reports if r.item == item.id and r.rows]
        if not read:
            continue  # nothing read: _check_items_read's question
        had = set().union(*(fields for (owner, _), fields in files.items() if owner == item.id))
        checks = [("", had, set().union(*(r.fields for r in read)))]
        checks += [("", files[key], r.fields) for r in read if (key := (item.id, public_name(r.name))) in files]
        checks += [(f"worksheet '{title}' of {r.name}", sheets[at], set(sheet.fields)) for r in read
                   for title, sheet in r.sheets.items()
                   if sheet.rows and (at := (item.id, public_name(r.name), public_name(title))) in sheets]
        control = {name for name in (item.role("publish_status"), item.role("disclosure_level")) if name}
        for r in read:
            key = (item.id, public_name(r.name))
            # a worksheet the live build read as a table of records (a 代码表 misread as one is not) that has no heading
            # row now: its records would go
            lost_sheets = [title for title in r.unread_sheets if (at := (*key, public_name(title))) in sheets
                           and control <= sheets[at]]
            if lost_sheets:
                raise BuildError(
                    f"{item.id} ({item.title}): worksheet '{lost_sheets[0]}' of {r.name} has no heading row in its first "
                    f"{HEADER_SEARCH} rows, but the live site's build read records from it: they would leave the site as "
                    "if withdrawn. Restore its heading row (delete the lines above it, a title or 填报说明, so that it is "
                    "within them); if its records are withdrawn, delete the worksheet")
            if key not in files or not r.sheets:
                continue
            # a worksheet renamed, or a live manifest without worksheets: what every one of them had
            before_sheets = [fields for (owner, name, _), fields in sheets.items() if (owner, name) == key]
            read_sheets = [(title, sheet) for title, sheet in r.sheets.items() if sheet.rows]
            if not before_sheets:  # an older manifest kept the first worksheet's fields as the file's: compare that one
                read_sheets = read_sheets[:1]
            common = set.intersection(*before_sheets) if before_sheets else files[key]
            checks += [(f"worksheet '{title}' of {r.name}", common, set(sheet.fields)) for title, sheet in read_sheets]
        lost: dict[str, FieldSpec] = {}
        where: list[str] = []
        for place, before, now in checks:
            covered = set().union(*(_OBJECTION for spec in deciding_fields(item)
                                    if spec.name in now and spec.role in ("objection_status", "objection_date")))
            gone = {spec.name: spec for spec in deciding_fields(item) if spec.name in before - now
                    and (_reasons_given(item, spec) & withheld.get(item.id, set())) - covered
                    and f"{item.id}.{spec.name}" not in allow_missing}
            lost |= gone
            said = f"{place} lacks {'、'.join(spec.title for spec in gone.values())}"
            if gone and place and said not in where:
                where.append(said)
        if lost:
            names = ", ".join(r.name for r in read)
            sheet_note = f" ({'; '.join(where)}, which it had in the live site's build)" if where else ""
            raise BuildError(
                f"{item.id} ({item.title}): this build's records ({names}) lack column(s) "
                f"{'、'.join(spec.title for spec in lost.values())}{sheet_note} that the live site's build read and withholds "
                "records by: each record would be decided as if it had no value there, so what they withhold (a record "
                "under objection, revoked, repaired, past its 公示截止期 or removed from a list) would be published. If "
                "the export or table lost the column, restore it; if the platform no longer gives it, pass "
                + " ".join(f"--allow-missing {item.id}.{name}" for name in lost))


_OBJECTION = {"objection_pending", "objection_upheld", "objection_unverifiable"}
_SLIGHT = {"slight_dishonesty", "summary_procedure"}


def _reasons_given(item: CatalogItem, spec: FieldSpec) -> set[str]:
    """The reason codes a value of the deciding field ``spec`` can withhold a record of ``item`` for."""
    reasons = {"objection_status": _OBJECTION, "objection_date": _OBJECTION, "decision_status": _OBJECTION | {"revoked"},
               "repair_date": {"repaired"}}.get(spec.role or "", set())
    for version in item.period.versions:
        if spec.name in version.ends_at:
            reasons = reasons | {"expired"}
        if spec.name in version.removed_on:
            reasons = reasons | {"removed"}
        if spec.name in (version.severity, version.summary_procedure, version.penalty_type, version.penalty_content,
                         *version.other_sanctions):
            reasons = reasons | _SLIGHT
    return reasons


def _check_date(chain: list[history.ChainEntry], as_of: date, earlier: bool) -> None:
    """Refuse a build for a date before the last build's, unless asked for (``earlier``): it would publish again the
    records that expired or were withdrawn since (a typo in ``--as-of`` would do it), and move the data's versions
    back. Asked for, it is logged: to undo a build made for a wrong later date, say."""
    last = date.fromisoformat(chain[-1].as_of) if chain else None
    if last is None or as_of >= last:
        return
    if not earlier:
        raise BuildError(f"As-of date {as_of} is before the date of the last build, {chain[-1].build_id}: a site for an "
                         "earlier date publishes again what expired or was withdrawn since. To do it on purpose (to undo "
                         "a build made for a wrong later date), pass --earlier")
    log.warning("as_of=%s earlier than the last build %s, as asked (--earlier)", as_of, chain[-1].build_id)


def _continue_chain(config: Config, key: Ed25519PrivateKey | None, new_chain: bool) -> tuple[list[history.ChainEntry], dict[str, Any]]:
    """Settle an interrupted build, check the output descends from the audit chain; the chain and the new entry's extras."""
    out, audit_root = config.paths.output, config.paths.audit
    manifest = out / MANIFEST
    keys = [key] if key is not None else []
    pending = history.read_pending(audit_root)
    if (config.signing.previous_key is not None and pending is not None and pending.key is not None
            and pending.key not in [signing.fingerprint(k.public_key()) for k in keys]):
        keys.append(signing.load_private_key(config.signing.previous_key))  # a key change settling the old key's build
    done = history.reconcile(audit_root, file_sha256(manifest) if manifest.is_file() else None, keys)
    if done:
        log.warning("audit=%s reconciled: %s", audit_root, done)
    chain = history.read_chain(audit_root)
    broken = history.chain_problems(chain, str(AuditFolder(audit_root).chain))
    if broken:
        raise AuditError(f"The audit chain is broken, refusing to extend it: {broken[0]}")
    public = _public_chain(out)
    extra: dict[str, Any] = {}
    if public and chain[: len(public)] != public:
        lacking = f"{len(public)} build(s), head {public[-1].build_id}"
        if not new_chain:
            raise AuditError(f"The output {out} carries a chain ({lacking}) that the audit folder {audit_root} lacks"
                             f"{' (it has no chain: deleted or moved?)' if not chain else ''}; restore the audit folder, "
                             "or start a new chain with --new-chain")
        if chain:
            raise AuditError(f"--new-chain starts a chain in an empty audit folder; {audit_root} already has {len(chain)} build(s)")
        extra["replaces"] = {"build_id": public[-1].build_id, "manifest_sha256": public[-1].manifest_sha256,
                             "sequence": public[-1].sequence}
        log.warning("audit=%s new chain replacing %s", audit_root, lacking)
    # The key of the last signed build, not of the last build: an unsigned build between them must not let a key that
    # nothing endorses take over the chain (the chain would record a key change from no key).
    previous_key = next((entry.key for entry in reversed(chain) if entry.key), None)
    if key is None:
        if previous_key:
            log.warning("build unsigned although an earlier build was signed by %s", previous_key)
        return chain, extra
    extra["key"] = signing.fingerprint(key.public_key())
    if extra["key"] != previous_key:
        old = None
        if previous_key:
            if config.signing.previous_key is None:
                raise SigningError(f"The signing key changed from {previous_key} (the last key that signed a build) to "
                                   f"{extra['key']}: give the old key as signing.previous_key for this build, so the "
                                   "chain records the change signed by it")
            old = signing.load_private_key(config.signing.previous_key)
            if signing.fingerprint(old.public_key()) != previous_key:
                raise SigningError(f"Config value 'signing.previous_key': not the key {previous_key} that signed the last build")
        extra["key_change"] = signing.key_change(old, key.public_key())
    return chain, extra


def _public_chain(out: Path) -> list[history.ChainEntry]:
    path = out / history.PUBLIC_CHAIN
    if not path.is_file():
        return []
    try:
        return history.parse_public_chain(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise AuditError(f"{path}: cannot be read as a chain ({exc}); restore the site, or start a new chain "
                         "with --new-chain") from exc


def _write_manifest(files: FileIndex, chain: list[history.ChainEntry], manifest: dict[str, object],
                    key: Ed25519PrivateKey | None, extra: dict[str, Any]) -> history.ChainEntry:
    """Link the manifest to the chain, write it, the public chain and the signature; return the new chain entry."""
    sequence = len(chain) + 1
    about: dict[str, object] = {
        "id": history.build_id(sequence, str(manifest["as_of"])), "sequence": sequence,
        "previous_manifest_sha256": chain[-1].manifest_sha256 if chain else None,
    }
    if key is not None:  # its signature is kept in the audit folder: verify --audit finds one missing
        about["signed_by"] = extra["key"]
        about["journal_signed"] = True  # and its journal lines are signed: verify --audit finds them stripped
    manifest["build"] = about
    text = manifest_text(manifest)
    files.write_text(MANIFEST, text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    entry = history.next_entry(chain, str(manifest["as_of"]), digest, **extra)
    files.write_text(history.PUBLIC_CHAIN, history.public_chain([*chain, entry]))
    if key is not None:
        files.write_text(signing.SIGNATURE, signing.envelope(key, digest, entry.build_id, entry.as_of, signing.build_time()))
    return entry


def _publish(work: Path, audit_root: Path, entry: history.ChainEntry, staging: Path, out: Path, live: Previous | None,
             key: Ed25519PrivateKey | None) -> Path:
    """Record the build as prepared, archive its decisions, switch the output, record it as published (the journal's
    lines signed by ``key``, if given); the site it replaced (``live``, if it is the previous build's with its state
    kept) becomes the spare."""
    record = BuildRecord(work)
    record.store.unlink(missing_ok=True)
    history.gzip_file(record.decisions)
    shutil.copyfile(staging / MANIFEST, record.manifest)
    if entry.key is not None:
        shutil.copyfile(staging / signing.SIGNATURE, record.signature)
    history.write_pending(audit_root, entry, key)
    fault_point("prepared")
    target = history.archive_folder(audit_root, entry)
    work.rename(target)
    fault_point("archived")
    replaced = publish.switch(staging, out, f"{entry.build_id}{staging.name.removeprefix('.staging')}")
    history.record_published(audit_root, entry, key=key)
    fault_point("published")
    if replaced is not None and live is not None and replaced == live.site:
        publish.keep_as_spare(out, replaced, live.state.parent.name)
    return target


@dataclass
class _Attempt:
    """A build under way, as its journal line says it if it fails."""

    build_id: str | None = None
    """Its id, once the chain it extends is read."""
    manifest_sha256: str | None = None
    """Its manifest's hash, once written (the output carrying it: its site went live)."""
    published: bool = False
    """Recorded as published: what fails after that (removing old states) is no failed build."""


@contextmanager
def _journal_failure(out: Path, audit_root: Path, as_of: date) -> Iterator[_Attempt]:
    """A build that fails or is refused once it holds the lock (a lost column, a leak, a full disk, an error after it
    was prepared) leaves a ``failed`` line in the audit journal: its id, time, as-of date and why, so that an auditor
    sees the attempt, not only the builds published. It names no site: which site was live is told by the ``published``
    lines alone. A process killed (``SystemExit``, a signal) writes nothing: the next build settles what it left. A
    journal that cannot be written then (the full disk the build failed on) leaves a warning, and the build's own error
    stands."""
    attempt = _Attempt()
    try:
        yield attempt
    except Exception as exc:
        if attempt.published:
            raise
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (BuildError, ConfigError, AuditError, PublishError,
                                                                           SigningError)) else str(exc)
        try:
            if attempt.manifest_sha256 and file_sha256(out / MANIFEST) == attempt.manifest_sha256:
                reason += " (after its site went live: the next build records its publication)"
        except OSError:
            pass  # no site of its: the output still serves the one before
        try:
            history.log_failed(audit_root, attempt.build_id, as_of.isoformat(), reason)
        except OSError as written:
            log.warning("audit=%s the failed build's journal line could not be written: %s", audit_root, written)
        raise


@contextmanager
def _clear_faults(out: Path, audit_root: Path) -> Iterator[None]:
    """Leftovers of killed builds go first; an OS error (disk full, read-only) becomes one sentence."""
    publish.clean_stale(out)
    for work in AuditFolder(audit_root).leftover_work():
        clear_own(work, "the work folder of a killed build")
    try:
        yield
    except OSError as exc:
        reason = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise PublishError(f"Build failed ({reason}{f': {exc.filename}' if exc.filename else ''}); "
                           "the published site was left as it was") from exc


@contextmanager
def _workspace(out: Path, audit_root: Path) -> Iterator[tuple[Path, Path, Future[dict[str, Held]] | None]]:
    """A staging folder beside ``out``, a private work folder in the audit folder, and the check of the spare.

    The staging folder is the spare, if there is one whose build's state is kept (its content is checked against
    that state meanwhile, :func:`check_spare`: in a process of its own for a large site, where a thread would take
    turns with the build for the interpreter), else a new folder. A staging folder not published in the end is
    removed by a detached process.
    """
    staging, state = _staging(out, audit_root)
    try:
        work = AuditFolder(audit_root).work(staging.name.removeprefix(".staging-")).folder
        work.mkdir()
    except OSError:
        publish.remove_later(staging)
        raise
    checker: Executor | None = None
    spare: Future[dict[str, Held]] | None = None
    try:
        if state is not None:
            checker = Pool(1) if file_size(state) > _SPARE_PROCESS_BYTES else ThreadPoolExecutor(1, thread_name_prefix="spare")
            spare = checker.submit(check_spare, staging, state)
        yield staging, work, spare
    finally:
        if checker is not None:
            checker.shutdown(wait=True)
        if staging.exists():
            publish.remove_later(staging)
        clear_own(work, "this build's work folder")


_SPARE_PROCESS_BYTES = 20_000_000
"""A spare whose build's state is larger than this (some 100,000 files) is checked in a process of its own; a smaller
one in a thread (where starting a process, which imports this package, would cost more than it saves)."""


def _staging(out: Path, audit_root: Path) -> tuple[Path, Path | None]:
    """The spare as the staging folder, with its build's state; else a new folder and ``None``."""
    taken = publish.take_spare(out)
    if taken is not None:
        staging, build_id = taken
        state = AuditFolder(audit_root).build(build_id).pages
        if read_key(state) is not None:
            return staging, state
        log.warning("spare=%s its build %s has no state kept: a new staging folder", staging, build_id)
        publish.remove_later(staging)
    return publish.new_staging(out), None
