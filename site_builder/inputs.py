"""The inputs of a build, loaded once: the catalogue, the disclosure profile and the sources.

``build``, ``explain`` and ``verify`` all start here, so they read the same catalogue (with the
site's ``[columns]``), the same profile and the same records files or database tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.config import Config
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.pipeline import read_all
from site_builder.rules.privacy import Secrets
from site_builder.rules.profiles import Policy, load_profile
from site_builder.sources.database import select_sources, site_catalogue
from site_builder.sources.loading import SourceFile


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
    sources, ignored = select_sources(config, catalogue)
    return Inputs(catalogue, policy, sources, ignored)


def input_secrets(config: Config) -> Secrets:
    """The secrets of every row of the configured sources (files or tables), for ``verify``'s leak scan."""
    inputs = load_inputs(config)
    secrets = Secrets()
    for item, raw in read_all(inputs.catalogue, inputs.sources):
        secrets.add_row(raw, item)
    return secrets
