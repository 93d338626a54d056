"""The built site as the output stages see it: settings, catalogue, policy, as-of date, records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder.audit.changes import ChangeLog
from site_builder.config import Config
from site_builder.outputs.files import FileIndex
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.profiles import Policy
from site_builder.rules.redaction import PublicRecord
from site_builder.store.published import PublishedStore


@dataclass(frozen=True)
class Site:
    """Everything the output stages read: settings, catalogue, policy, as-of date, published records."""

    config: Config
    catalogue: Catalogue
    policy: Policy
    as_of: date
    store: PublishedStore
    outputs: frozenset[str] | None = None
    """Names of the outputs this build writes (templates link only to what is written); ``None``: all."""
    files: FileIndex | None = None
    """Where pages and subject data files are written through (hashed as written, unchanged ones taken over from
    the previous build); ``None``: a fresh index per output, taking nothing over."""
    build_id: str = ""
    """The id of the build being made (``history.build_id``); empty outside a build."""
    changes: ChangeLog | None = None
    """The change sets the site carries (this build's and those before it; see ``audit/changes.py``); ``None``
    outside a build."""

    def index(self, out: Path) -> FileIndex:
        """The file index writing into ``out``: the build's, or a fresh one taking nothing over."""
        return self.files if self.files is not None and self.files.out == out else FileIndex(out, "")

    @property
    def marks_objections(self) -> bool:
        """Whether a record under objection stays public with its 异议标注 (the profile's ``objection_mode = "mark"``):
        then the download tables and the subject data files have an ``objection_date`` column."""
        return self.policy.objection_mode == "mark"

    def extends_while_listed(self, item_id: str) -> bool:
        """Whether a record of the item with no last public day may be one public only while its subject is listed:
        under the version in force, the item's period has a maximum but goes on while the subject is on a
        serious-dishonesty list (Zhejiang art. 16). Such a record had been shown as 长期公示."""
        version = self.policy.period(item_id, self.catalogue[item_id].period, self.as_of)
        return version.extend_while_listed and version.max is not None

    def writes(self, output: str) -> bool:
        """Whether this build writes the output ``output`` (``feed``, ``subject_data``, …)."""
        return self.outputs is None or output in self.outputs

    def canonical(self, path: str) -> str:
        """Absolute URL of a site path."""
        return self.config.site.base_url + path


def record_path(record: PublicRecord) -> str:
    """Site path of a record page."""
    return f"record/{record.item}/{record.record_id}/"
