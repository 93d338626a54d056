"""The inputs of a build, loaded once: the catalogue, the disclosure profile and the sources.

``build``, ``explain`` and ``verify`` all start here, so they read the same catalogue (with the
site's ``[columns]``), the same profile and the same records files or database tables.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from site_builder.config import DEFAULTS_DIR, Config
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.pipeline import read_all
from site_builder.rules.privacy import Secrets
from site_builder.rules.profiles import Policy, load_profile
from site_builder.rules.yamlfile import load_yaml
from site_builder.sources.database import select_sources, site_catalogue
from site_builder.sources.loading import SourceFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inputs:
    """What a build reads: catalogue, profile, the sources in reading order, and paths left unread."""

    catalogue: Catalogue
    policy: Policy
    sources: list[SourceFile]
    ignored: list[str]
    """Files, folders or tables that belong to no catalogue item (reported in the audit folder)."""


def load_inputs(config: Config) -> Inputs:
    """Load and check the catalogue, the profile and the sources named by ``config``."""
    catalogue = site_catalogue(config)
    policy = load_profile(config.profile_dirs, config.disclosure.profile, catalogue)
    _warn_of_copies([*((path, "catalogue") for path in catalogue.files),
                     *([(policy.source, "profiles")] if policy.source else [])])
    for item in catalogue.items:
        for spec in item.fields:
            if spec.unapplied:  # an operator who writes enum: or pattern: to keep rows out is told they are not
                log.warning("item=%s field=%s constraints %s are not applied: the build applies only 'required' (rows "
                            "that break them are published)", item.id, spec.name, ", ".join(spec.unapplied))
    sources, ignored = select_sources(config, catalogue)
    return Inputs(catalogue, policy, sources, ignored)


def _warn_of_copies(used: list[tuple[Path, str]]) -> None:
    """Warn of each of the site's catalogue or profile files that stands for a packaged one of the same name with
    other content: a copy kept from an older version applies that version's rules after an upgrade, without a word."""
    for path, kind in used:
        packaged = DEFAULTS_DIR / kind / path.name
        if path.resolve() != packaged.resolve() and packaged.is_file() and path.read_bytes() != packaged.read_bytes():
            own = _own_items(path, packaged) if kind == "catalogue" and path.name == "common.yaml" else []
            if own:  # removing it would drop the site's own items: their records withdrawn, their pages gone
                log.warning("file=%s replaces the packaged %s/%s, which differs: the site's copy is applied (an older "
                            "version's copy keeps that version's rules after an upgrade); it lists items of the site's own "
                            "(%s), so keep it: compare it with the packaged file and bring the packaged changes into it",
                            path, kind, path.name, ", ".join(own))
                continue
            log.warning("file=%s replaces the packaged %s/%s, which differs: the site's copy is applied (an older version's "
                        "copy keeps that version's rules after an upgrade); compare them, and remove the copy to follow "
                        "the packaged rules", path, kind, path.name)


def _own_items(common: Path, packaged: Path) -> list[str]:
    """The item ids a site's ``common.yaml`` lists that the packaged one does not (both already loaded once, so
    readable)."""
    listed = []
    for path in (common, packaged):
        data = load_yaml(path.read_text(encoding="utf-8-sig"), path)
        items = data.get("items") if isinstance(data, dict) else None
        listed.append([str(item) for item in items] if isinstance(items, list) else [])
    return [item for item in listed[0] if item not in listed[1]]


def input_secrets(config: Config, inputs: Inputs | None = None) -> Secrets:
    """The secrets of every row of the configured sources (files or tables), for ``verify``'s leak scan; ``inputs``:
    those already loaded for ``config`` (loading them again repeats their warnings)."""
    inputs = inputs or load_inputs(config)
    secrets = Secrets()
    for item, raw in read_all(inputs.catalogue, inputs.sources):
        secrets.add_row(raw, item)
    return secrets
