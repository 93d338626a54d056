"""Writing the site's files, and taking over unchanged ones from the previous build (incremental builds).

Every page and subject data file is written through a :class:`FileIndex`, which hashes the bytes as
they are written (the manifest reuses the hashes instead of reading the tree again) and notes what it
wrote. Each such file has a *fingerprint*: the SHA-256 of everything its content is made of (the
template and the values it is rendered from; see :func:`fingerprint`), under a *site key* covering what
every page shares (the software version, the whole configuration, the catalogue, the profile, the
templates, the content pages: :func:`site_key`).

The state of a build (path, fingerprint, SHA-256 and size of each such file, and the digests of the
secrets the build knew) is kept in the private audit folder (``BuildRecord.pages``). The next
build, if its site key is the same and the live site is that build's, takes a file whose fingerprint
is unchanged over from the live site by a hard link (a copy where links are not possible), after
checking its size, instead of rendering it again. A file is never written in place: the staging
folder's files are new inodes or links to the live site's unchanged files, so a build killed at any
point leaves the live site as it was.

Taken-over files were leak-scanned when they were written; what is new since is checked by the build
(:func:`site_builder.rules.privacy.Secrets` digests: see ``build.py``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from site_builder import __version__
from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.store.published import connect_readonly

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE page (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE secret (digest BLOB PRIMARY KEY) WITHOUT ROWID;
"""


class Written(NamedTuple):
    """One file written (or taken over) by an output: site path, fingerprint (``""``: none), hash, size, taken over."""

    path: str
    fingerprint: str
    sha256: str
    size: int
    reused: bool


def site_key(parts: Iterable[str], folders: Sequence[Path]) -> str:
    """The SHA-256 of what every page shares: ``parts`` (configuration, catalogue, policy …) and every file under ``folders``."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fingerprint(key: str, path: str, template: str, context: dict[str, Any]) -> str:
    """The fingerprint of a file rendered from ``template`` with ``context`` (functions left out) at ``path``.

    Values are taken by ``repr``: the records, catalogue items and pages are dataclasses, whose ``repr``
    shows every field. A value whose ``repr`` is not stable (an object address) only makes the file
    render again.
    """
    text = "\0".join([key, path, template, *(f"{name}={_repr(value)}" for name, value in sorted(context.items())
                                             if not callable(value))])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_REPRS: dict[int, tuple[object, str]] = {}
"""``repr`` of the catalogue items and field lists, which every record page of an item repeats (each kept with its
object, so its ``id`` cannot be reused by another object while the entry exists)."""


def _repr(value: object) -> str:
    if not isinstance(value, CatalogItem) and not (isinstance(value, tuple) and value and isinstance(value[0], FieldSpec)):
        return repr(value)
    known = _REPRS.get(id(value))
    if known is None or known[0] is not value:
        known = _REPRS[id(value)] = (value, repr(value))
    return known[1]


@dataclass
class Previous:
    """The previous build as an incremental build sees it: its live site folder and its state."""

    site: Path
    state: Path
    key: str


@dataclass
class FileIndex:
    """Writes files into the staging folder ``out``, hashing them, and takes unchanged ones over from ``previous``."""

    out: Path
    key: str
    previous: Previous | None = None
    written: list[Written] = field(default_factory=list)
    _db: sqlite3.Connection | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.previous is not None and self.previous.key == self.key:
            self._db = connect_readonly(self.previous.state, check_same_thread=False)
        else:
            self.previous = None

    def write(self, path: str, data: bytes, fingerprint: str = "") -> Path:
        """Write ``data`` as the file ``path`` of the site (a new file, never an existing one written over)."""
        target = f"{self.out}/{path}"
        _folder(os.path.dirname(target))
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:  # written twice in one build: never write through a link to the live site
            os.unlink(target)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.written.append(Written(path, fingerprint, hashlib.sha256(data).hexdigest(), len(data), False))
        return Path(target)

    def write_text(self, path: str, text: str, fingerprint: str = "", encoding: str = "utf-8") -> Path:
        """Write ``text`` as the file ``path`` of the site."""
        return self.write(path, text.encode(encoding), fingerprint)

    def take(self, path: str, fingerprint: str) -> bool:
        """Take the file ``path`` over from the previous build if its fingerprint is unchanged; whether it was."""
        if self._db is None or self.previous is None:
            return False
        row = self._db.execute("SELECT fingerprint, sha256, size FROM page WHERE path = ?", (path,)).fetchone()
        if row is None or row[0] != fingerprint:
            return False
        source, target = f"{self.previous.site}/{path}", f"{self.out}/{path}"  # os calls on strings: a million of them
        try:
            status = os.lstat(source)
            if not stat.S_ISREG(status.st_mode) or status.st_size != row[2]:
                return False
            _folder(os.path.dirname(target))
            try:
                os.link(source, target)
            except FileExistsError:  # already written in this build: replace the file, never write through it
                os.unlink(target)
                os.link(source, target)
            except OSError:  # no hard links here (another file system): a copy
                shutil.copyfile(source, target)
        except FileNotFoundError:
            return False
        self.written.append(Written(path, fingerprint, row[1], row[2], True))
        return True

    def take_all(self, paths: Sequence[str], fingerprint: str) -> bool:
        """Take every one of ``paths`` over (files made together), or none of them."""
        mark = len(self.written)
        if all(self.take(path, fingerprint) for path in paths):
            return True
        for taken in self.written[mark:]:
            (self.out / taken.path).unlink()
        del self.written[mark:]
        return False

    def drain(self) -> list[Written]:
        """What was written since the last call (a worker returns it to the build)."""
        written, self.written = self.written, []
        return written

    def close(self) -> None:
        """Close the previous build's state."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _folder(path: str) -> None:
    """Make the folder ``path`` (and its parents) unless it exists: one system call where its parent exists."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def write_state(path: Path, key: str, written: Iterable[Written], secret_digests: Iterable[bytes]) -> None:
    """Save the state of this build (its fingerprinted files and its secrets' digests) for the next one."""
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        db.execute("INSERT INTO meta VALUES ('site_key', ?)", (key,))
        db.executemany("INSERT OR REPLACE INTO page VALUES (?, ?, ?, ?)",
                       ((w.path, w.fingerprint, w.sha256, w.size) for w in written if w.fingerprint))
        db.executemany("INSERT OR IGNORE INTO secret VALUES (?)", ((d,) for d in secret_digests))
        db.commit()
    finally:
        db.close()


def read_key(path: Path) -> str | None:
    """The site key a state file was written under (``None`` if it cannot be read)."""
    try:
        db = connect_readonly(path)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'site_key'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def new_secrets(path: Path, digests: Sequence[bytes]) -> set[bytes]:
    """Those of the sorted ``digests`` that the state at ``path`` does not hold (secrets new since that build).

    One ordered walk along both lists.
    """
    db = connect_readonly(path)
    try:
        known: Iterator[tuple[bytes]] = db.execute("SELECT digest FROM secret ORDER BY digest")
        new: set[bytes] = set()
        current = next(known, None)
        for digest in digests:
            while current is not None and current[0] < digest:
                current = next(known, None)
            if current is None or current[0] != digest:
                new.add(digest)
        return new
    finally:
        db.close()
