"""The layout of the private audit folder: the one place that knows its file names.

```
audit/
  chain.jsonl            the hash chain of published builds (one JSON line each)
  pending.json           a build prepared but not yet published (first phase of the record)
  journal.jsonl          every step of every build: prepared, published, abandoned, failed
  .lock                  held for the whole build (one writer)
  rows.sqlite            the decision cache: what builds made of each input row (holds withheld values: private;
                         removing it makes the next build decide every row again)
  rows.parsed/           the records files the last warm builds parsed, as read, by content (private, like the
                         records; removing it makes the next build parse every file again)
  .building-<tag>/       a build's work folder while it runs
  builds/<build id>/     per build: manifest.json, decisions.csv.gz, quarantine.csv, warnings.csv, counts.json,
                         changes.json (what changed since the previous build; not in the baseline build),
                         pages.sqlite (every file of the site: the state an incremental build starts from; kept
                         for the live site's build and the spare's only), and, the latest build's only, records.sqlite
                         (every published record's dates and digests, the code of every subject
                         that had a page: the next change set's and the notices' base)
  builds/<build id>.abandoned/   a build that was prepared but never published
```

The build removes or moves here only what it made itself (:func:`own_files`, :meth:`AuditFolder.own_builds`): a file
of one of its exact names, in a folder it made (a build folder of the chain, or one whose ``manifest.json`` names it).
Anything else, a user's notes beside a build's files or a folder of their own, stays where it is, and a warning names
it: nothing the user owns is ever deleted.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

WORK_PREFIX = ".building-"
ABANDONED = ".abandoned"
BUILD_ID = re.compile(r"\d{6}-\d{4}-\d{2}-\d{2}")
"""A build id (``history.build_id``): sequence and as-of date."""
_ABANDONED_NAME = re.compile(rf"({BUILD_ID.pattern}){re.escape(ABANDONED)}(?:-\d+)?")
_WORK_NAME = re.compile(rf"{re.escape(WORK_PREFIX)}[a-z0-9_]{{8}}")
"""A work folder's name: the prefix and the 8 characters ``tempfile.mkdtemp`` gives the staging folder it shares."""


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
    def counts(self) -> Path:
        """The rows published, excluded per reason code and quarantined, per item (the public manifest gives the
        excluded per reason class only: a reason code can say more of a person than the site may)."""
        return self.folder / "counts.json"

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


_RECORD = BuildRecord(Path())
_SQLITE = (_RECORD.pages, _RECORD.record_state, _RECORD.store)
OWN_NAMES = frozenset([*(p.name for p in (_RECORD.decisions, _RECORD.decisions_gz, _RECORD.quarantine, _RECORD.warnings, _RECORD.counts,
                                          _RECORD.manifest, _RECORD.signature, _RECORD.changes, *_SQLITE)),
                       *(f"{p.name}{side}" for p in _SQLITE for side in ("-wal", "-shm", "-journal"))])
"""The names of every file a build writes in its work folder (and keeps in its build folder): nothing else there is its."""


def own_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files of ``folder`` a build made (:data:`OWN_NAMES`, plain files), and everything else in it, sorted."""
    own: list[Path] = []
    other: list[Path] = []
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        return [], []
    for entry in entries:
        (own if entry.name in OWN_NAMES and entry.is_file() and not entry.is_symlink() else other).append(entry)
    return own, other


def made_by_build(folder: Path, build_id: str | None = None) -> bool:
    """Whether ``folder`` is a build's record: its ``manifest.json`` names the build ``build_id`` (default: the folder's
    name). A folder a user made, even one named like a build id, has no such manifest."""
    try:
        said = json.loads((folder / _RECORD.manifest.name).read_text(encoding="utf-8"))["build"]["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(said == (build_id or folder.name))


def clear_own(folder: Path, why: str) -> list[Path]:
    """Remove the files of ``folder`` a build made, then the folder if it is empty; what is left (not the build's)
    stays, each named in a warning (``why``: what the folder is). Returns what was left."""
    own, other = own_files(folder)
    for path in own:
        path.unlink(missing_ok=True)
    _left(folder, other, why)
    return other


def move_own(folder: Path, target: Path, why: str) -> list[Path]:
    """Move the files of ``folder`` a build made into the new folder ``target``, then remove ``folder`` if it is empty;
    what is left (not the build's) stays in ``folder``, each named in a warning. Returns what was left."""
    own, other = own_files(folder)
    if not other:
        folder.rename(target)  # one rename: the whole record, as it was
        return []
    target.mkdir()
    for path in own:
        path.rename(target / path.name)
    _left(folder, other, why)
    return other


def _left(folder: Path, other: Iterable[Path], why: str) -> None:
    left = list(other)
    for path in left:
        log.warning("not_removed path=%s reason=not made by a build (%s): left in place", path, why)
    if not left:
        try:
            folder.rmdir()
        except FileNotFoundError:
            pass


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
        """Work folders left by builds that were killed (a folder of the prefix a build did not name is not one)."""
        return (p for p in self.root.glob(f"{WORK_PREFIX}*")
                if _WORK_NAME.fullmatch(p.name) and p.is_dir() and not p.is_symlink())

    def own_builds(self, made: Iterable[str]) -> set[str]:
        """The names of the folders of ``builds/`` a build made: those of the builds ``made`` (the chain's, by id), and
        those of builds marked abandoned whose manifest names their build. A user's folder is neither."""
        names = set(made)
        try:
            entries = list(self.builds.iterdir())
        except FileNotFoundError:
            return set()
        found = set()
        for entry in entries:
            if not entry.is_dir() or entry.is_symlink():
                continue
            abandoned = _ABANDONED_NAME.fullmatch(entry.name)
            if entry.name in names or (abandoned and made_by_build(entry, abandoned.group(1))):
                found.add(entry.name)
        return found
