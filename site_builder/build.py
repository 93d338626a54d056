"""The build: one function that reads top to bottom.

load catalogue and profile → find records files → for each row: validate → decide → redact →
store → render pages → write data package → index search → write manifest → swap into place.

Nothing is written to the output folder until the whole build has succeeded: pages are built in
a fresh staging folder next to it, which then replaces it in one rename.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder.audit import Counts, Ledger
from site_builder.catalogue import load_catalogue
from site_builder.config import Config
from site_builder.datapackage import write_datapackage
from site_builder.disclosure import decide
from site_builder.exceptions import ConfigError
from site_builder.loading import SourceFile, find_sources, read_rows
from site_builder.manifest import MANIFEST, make_manifest, write_manifest
from site_builder.profiles import load_profile
from site_builder.redaction import redact
from site_builder.render import Renderer, Site
from site_builder.search import index_site
from site_builder.store import PublishedStore
from site_builder.validation import Quarantined, Validator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: where, its manifest hash and the row counts."""

    output: Path
    audit: Path
    manifest_sha256: str
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
    out.parent.mkdir(parents=True, exist_ok=True)
    audit_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))
    ledger_dir = Path(tempfile.mkdtemp(prefix=".building-", dir=audit_root))
    try:
        store = PublishedStore(ledger_dir / "published.sqlite")
        ledger = Ledger(ledger_dir)
        for item in catalogue.items:
            validator = Validator(item)
            for source in (s for s in sources if s.item == item.id):
                for raw in read_rows(source, item):
                    checked = validator.validate(raw)
                    if isinstance(checked, Quarantined):
                        ledger.quarantine(checked)
                        continue
                    decision = decide(checked, item, policy, as_of)
                    ledger.decide(checked, decision)
                    if decision.published:
                        store.add(redact(checked, item, decision))
                log.info("read file=%s rows=%d encoding=%s", source.name, source.rows, source.encoding)
                for warning in source.warnings:
                    log.warning("file=%s %s", source.name, warning)
        store.flush()
        ledger.close()
        site = Site(config, catalogue, policy, as_of, store)
        Renderer(site, staging).render_all()
        write_datapackage(site, staging / "data")
        store.close()
        if config.search.enabled:
            index_site(staging)
        manifest = make_manifest(config, catalogue, policy, as_of, sources, ledger.counts, staging)
        digest = write_manifest(manifest, staging / MANIFEST)
        audit_dir = _keep_audit(ledger_dir, audit_root, as_of, digest, staging / MANIFEST)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(ledger_dir, ignore_errors=True)
        raise
    log.info("built output=%s published=%d manifest=%s", out, sum(ledger.counts.published.values()), digest[:12])
    return BuildResult(out, audit_dir, digest, ledger.counts, sources)


def _keep_audit(ledger_dir: Path, audit_root: Path, as_of: date, digest: str, manifest: Path) -> Path:
    """Move the decision list and quarantine report to ``audit/builds/<as-of>-<hash>/``."""
    (ledger_dir / "published.sqlite").unlink(missing_ok=True)
    shutil.copyfile(manifest, ledger_dir / MANIFEST)
    target = audit_root / "builds" / f"{as_of.isoformat()}-{digest[:12]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    os.replace(ledger_dir, target)
    return target


def _swap(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``: two renames, so ``out`` is never a half-written site."""
    staging.chmod(0o755)
    if not out.exists():
        os.replace(staging, out)
        return
    old = out.with_name(f".{out.name}-old-{os.getpid()}")
    os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
