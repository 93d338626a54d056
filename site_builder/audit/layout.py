"""The layout of the private audit folder: the one place that knows its file names.

```
audit/
  chain.jsonl            the hash chain of published builds (one JSON line each)
  pending.json           a build prepared but not yet published (first phase of the record)
  journal.jsonl          every step of every build: prepared, published, abandoned
  .lock                  held for the whole build (one writer)
  rows.sqlite            the decision cache: what builds made of each input row (holds withheld values: private;
                         removing it makes the next build decide every row again)
  rows.parsed/           the records files the last warm builds parsed, as read, by content (private, like the
                         records; removing it makes the next build parse every file again)
  .building-<tag>/       a build's work folder while it runs
  builds/<build id>/     per build: manifest.json, decisions.csv.gz, quarantine.csv, warnings.csv,
                         changes.json (what changed since the previous build; not in the baseline build),
                         pages.sqlite (every file of the site: the state an incremental build starts from; kept
                         for the live site's build and the spare's only), and, the latest build's only, records.sqlite
                         (every published record's dates and digests, the code of every subject
                         that had a page: the next change set's and the notices' base)
  builds/<build id>.abandoned/   a build that was prepared but never published
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WORK_PREFIX = ".building-"
ABANDONED = ".abandoned"


@dataclass(frozen=True)
class BuildRecord:
    """The folder of one build in the audit history (or a running build's work folder)."""

    folder: Path

    @property
    def decisions(self) -> Path:
        """Every valid row: published or its reason code (gzip-compressed once the build is kept)."""
        return self.folder / "decisions.csv"

    @property
    def decisions_gz(self) -> Path:
        """The kept, compressed decision list."""
        return self.folder / "decisions.csv.gz"

    @property
    def quarantine(self) -> Path:
        """Every invalid row, one line per problem."""
        return self.folder / "quarantine.csv"

    @property
    def warnings(self) -> Path:
        """What was noticed about the files (may quote cells: never published)."""
        return self.folder / "warnings.csv"

    @property
    def manifest(self) -> Path:
        """The build's manifest, as published."""
        return self.folder / "manifest.json"

    @property
    def signature(self) -> Path:
        """The build's signature envelope, as published (signed builds only): the site replaces it at the next build,
        so an auditor checks an old build's signature here."""
        return self.folder / "signature.json"

    @property
    def pages(self) -> Path:
        """What the next build needs to take this build's unchanged files over (see ``outputs/files.py``)."""
        return self.folder / "pages.sqlite"

    @property
    def record_state(self) -> Path:
        """Per record ever published: item, record id, first-published and last-changed dates, digests of its public
        values (a withdrawn record: its dates and the day it went, no digests); per subject that ever had a page: its
        code (and the day it went, if it has none now); what the next build compares with (see ``audit/changes.py``)."""
        return self.folder / "records.sqlite"

    @property
    def changes(self) -> Path:
        """The build's change set: records added, changed and withdrawn since the previous build (ids, never content)."""
        return self.folder / "changes.json"

    @property
    def store(self) -> Path:
        """The published store of a running build (removed before the build is kept)."""
        return self.folder / "published.sqlite"


@dataclass(frozen=True)
class AuditFolder:
    """The private audit folder of a site."""

    root: Path

    @property
    def chain(self) -> Path:
        """The hash chain of published builds."""
        return self.root / "chain.jsonl"

    @property
    def pending(self) -> Path:
        """The build prepared but not yet published, if any."""
        return self.root / "pending.json"

    @property
    def journal(self) -> Path:
        """The log of every step of every build."""
        return self.root / "journal.jsonl"

    @property
    def lock(self) -> Path:
        """The lock file held for the whole build."""
        return self.root / ".lock"

    @property
    def builds(self) -> Path:
        """The folder of kept builds."""
        return self.root / "builds"

    def build(self, build_id: str) -> BuildRecord:
        """The kept record of build ``build_id``."""
        return BuildRecord(self.builds / build_id)

    def abandoned(self, build_id: str) -> Path:
        """Where the record of a build that was never published is moved."""
        return self.builds / f"{build_id}{ABANDONED}"

    def work(self, tag: str) -> BuildRecord:
        """The work folder of a running build."""
        return BuildRecord(self.root / f"{WORK_PREFIX}{tag}")

    def record_states(self) -> Iterator[Path]:
        """The record states kept in build folders (the latest build's is the one the next build reads)."""
        return self.builds.glob(f"*/{BuildRecord(self.builds).record_state.name}")

    @property
    def row_cache(self) -> Path:
        """The decision cache: what builds made of each input row (``rules/rowcache.py``); private, may be removed."""
        return self.root / "rows.sqlite"

    @property
    def parsed_rows(self) -> Path:
        """The parsed records files of the last warm build (``rules/parsed.py``); private, may be removed."""
        return self.root / "rows.parsed"

    def page_states(self) -> Iterator[Path]:
        """The page states kept in the builds' folders (the live site's and the spare's)."""
        return self.builds.glob(f"*/{BuildRecord(self.builds).pages.name}")

    def leftover_work(self) -> Iterator[Path]:
        """Work folders left by builds that were killed."""
        return self.root.glob(f"{WORK_PREFIX}*")
