"""The build: one function that reads top to bottom.

load catalogue and profile → find records files → find the subjects on a serious-dishonesty list
(a first pass, for profiles that need it) → for each row: validate → decide → redact →
store → render pages → write data package → index search → write manifest → verify → record in
the audit history → swap into place.

Nothing is written to the output folder until the whole build has succeeded and verified: the
site is built in a fresh staging folder next to it, which then replaces it by renaming.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder import history
from site_builder.audit import Counts, Ledger
from site_builder.catalogue import load_catalogue
from site_builder.config import Config
from site_builder.datapackage import write_datapackage
from site_builder.exceptions import BuildError, ConfigError
from site_builder.listing import listed_subjects
from site_builder.loading import SourceFile, find_sources, unclaimed_paths
from site_builder.manifest import MANIFEST, make_manifest, write_manifest
from site_builder.pipeline import process
from site_builder.privacy import Secrets
from site_builder.profiles import load_profile
from site_builder.redaction import redact
from site_builder.render import Renderer
from site_builder.search import index_site
from site_builder.site import Site
from site_builder.store import PublishedStore
from site_builder.validation import Quarantined
from site_builder.verify import verify_site

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: where, its chain entry and the row counts."""

    output: Path
    audit: Path
    entry: history.ChainEntry
    counts: Counts
    sources: list[SourceFile]


def build(config: Config, as_of: date) -> BuildResult:
    """Build the site for ``as_of`` from ``config.paths.records`` into ``config.paths.output``."""
    out, audit_root = config.paths.output, config.paths.audit
    if audit_root.resolve().is_relative_to(out.resolve()):
        raise ConfigError(f"Config value 'paths.audit': {audit_root} must not be inside the output folder {out}")
    catalogue = load_catalogue(config.paths.catalogue)
    policy = load_profile(config.paths.profiles, config.disclosure.profile, catalogue)
    sources = find_sources(config.paths.records, catalogue)
    ignored = unclaimed_paths(config.paths.records, sources)
    for name in ignored:
        log.warning("ignored path=%s reason=not the records of any catalogue item", name)
    with _exclusive(out), _workspace(out, audit_root) as (staging, work):
        store = PublishedStore(work / "published.sqlite")
        ledger = Ledger(work)
        secrets = Secrets()
        listed = listed_subjects(catalogue, policy, sources, as_of)
        for row in process(catalogue, policy, sources, as_of, listed=listed):
            secrets.add_row(row.raw, row.item)
            if isinstance(row.checked, Quarantined):
                ledger.quarantine(row.checked)
            elif row.decision is not None:
                ledger.decide(row.checked, row.decision)
                if row.decision.published:
                    store.add(redact(row.checked, row.item, row.decision))
        for source in sources:
            _log_source(source)
        ledger.warnings(sources, ignored)
        store.flush()
        ledger.close()
        site = Site(config, catalogue, policy, as_of, store)
        Renderer(site, staging).render_all()
        write_datapackage(site, staging / "data")
        store.close()
        if config.search.enabled:
            index_site(staging)
        chain = history.read_chain(audit_root)
        manifest = make_manifest(config, catalogue, policy, as_of, sources, ignored, ledger.counts, staging)
        entry = _write_manifest(staging, chain, manifest)
        problems = verify_site(staging, secrets, check_hashes=False)
        if problems:
            raise BuildError("The built site does not verify; nothing was published:\n  " + "\n  ".join(problems))
        kept = _keep_audit(work, audit_root, entry, staging / MANIFEST)
        _swap(staging, out)
    log.info("built output=%s build=%s published=%d", out, entry.build_id, sum(ledger.counts.published.values()))
    return BuildResult(out, kept, entry, ledger.counts, sources)


def _log_source(source: SourceFile) -> None:
    log.info("read file=%s rows=%d encoding=%s", source.name, source.rows, source.encoding)
    for warning in source.warnings:
        log.warning("file=%s %s", source.name, warning)


def _write_manifest(staging: Path, chain: list[history.ChainEntry], manifest: dict[str, object]) -> history.ChainEntry:
    """Link the manifest to the chain, write it and the public chain; return the new chain entry."""
    sequence = len(chain) + 1
    manifest["build"] = {
        "id": history.build_id(sequence, str(manifest["as_of"])), "sequence": sequence,
        "previous_manifest_sha256": chain[-1].manifest_sha256 if chain else None,
    }
    digest = write_manifest(manifest, staging / MANIFEST)
    entry = history.next_entry(chain, str(manifest["as_of"]), digest)
    (staging / history.PUBLIC_CHAIN).write_text(history.public_chain([*chain, entry]), encoding="utf-8")
    return entry


def _keep_audit(work: Path, audit_root: Path, entry: history.ChainEntry, manifest: Path) -> Path:
    """Move the decisions and quarantine report to ``audit/builds/<build id>/`` and extend the chain."""
    (work / "published.sqlite").unlink(missing_ok=True)
    history.gzip_file(work / "decisions.csv")
    shutil.copyfile(manifest, work / MANIFEST)
    target = audit_root / "builds" / entry.build_id
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(work, target)
    history.append(audit_root, entry)
    return target


@contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Hold a lock so that two builds never write the same output folder at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with (out.parent / f".{out.name}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(f"Another build is writing {out}") from exc
        for stale in out.parent.glob(f".{out.name}-staging-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a build that was killed
        yield


@contextmanager
def _workspace(out: Path, audit_root: Path) -> Iterator[tuple[Path, Path]]:
    """A fresh staging folder beside ``out`` and a private work folder in the audit folder."""
    audit_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=audit_root))
    try:
        yield staging, work
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``: two renames, so ``out`` is never a half-written site."""
    staging.chmod(0o755)
    if not out.exists():
        os.replace(staging, out)
        return
    old = out.with_name(f".{out.name}-staging-old-{os.getpid()}")
    os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
