"""Writing the site's files, and taking over unchanged ones from earlier builds (incremental builds).

Every file of the site is written through a :class:`FileIndex`, which hashes the bytes as they are written (the
manifest reuses the hashes instead of reading the tree again) and notes what it wrote: at the end of a build its
list is the whole site. Most files have a *fingerprint*: the SHA-256 of everything their content is made of (the
template and the values it is rendered from, or the versions of the records it shows; see :func:`fingerprint`),
under a *site key* covering what every page shares (the software version, the whole configuration, the catalogue,
the profile, the templates, the content pages: :func:`site_key`).

The state of a build (path, fingerprint, SHA-256, size and modification time of every file, and the digests of
the secrets the build knew) is kept in the private audit folder (``BuildRecord.pages``). The next build, if its
site key is the same and the live site is that build's, takes a file whose fingerprint is unchanged over from the
live site instead of rendering it again.

The staging folder a build writes into is new, or the **spare**: the site of the build before the live one, which
the switch left in place (``publish.py``). Its content is known from its own build's state; :func:`check_spare`
walks it once (beside the build, while the rows are decided and the pages' fingerprints made; nothing is put into
the folder before the walk has ended: :meth:`FileIndex.settle`), keeps the files whose size and modification time
are what that state says and removes everything else (files edited or added by hand, links). A file the spare
already holds with the right bytes is left as it is: a rebuild after a small change touches only the files that
changed since the spare's build, not the whole site. Any other file is a new inode (written, or a hard link to the
live site's file); a file is never written in place, since the spare's unchanged files are the live site's
files too. Whatever of the spare this build did not write or keep is removed before the site is verified
(:meth:`FileIndex.seal`), so no stale file survives. A build killed at any point leaves the live site as it was.

Taken-over files were leak-scanned when they were written; what is new since is checked by the build
(:func:`site_builder.rules.privacy.Secrets` digests: see ``build.py``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from site_builder import __version__
from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.store.published import connect_readonly

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE page (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    mtime INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE secret (digest BLOB PRIMARY KEY) WITHOUT ROWID;
"""
_FORMAT = "2"
"""The state's format: 2 lists every file of the site with its modification time."""


class Written(NamedTuple):
    """One file written (or taken over) by an output: site path, fingerprint (``""``: none), hash, size, taken over."""

    path: str
    fingerprint: str
    sha256: str
    size: int
    reused: bool
    mtime: int = 0
    """Its modification time in nanoseconds as the build left it (0: not known); with its size, how a later build
    recognises the file unchanged on disk."""


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


def page_mark(key: str, path: str, template: str, versions: bytes, *values: str) -> str:
    """The fingerprint of a file made with ``template`` from records of these ``versions`` (their digests and dates:
    see :meth:`PublishedStore.record_versions`) and ``values`` (what else it shows), under the site key ``key``."""
    digest = hashlib.sha256("\0".join([key, path, template, *values, ""]).encode("utf-8", "surrogatepass"))
    digest.update(versions)
    return digest.hexdigest()


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


Held = tuple[str, int, int]
"""What a file on disk is known to be: SHA-256, size and modification time (ns)."""


@dataclass(eq=False)
class FileIndex:
    """Writes files into the staging folder ``out``, hashing them, and takes unchanged ones over from ``previous``.

    ``spare``: what the staging folder already holds (:func:`check_spare`), in the build process only; a worker
    process's index has none and writes every file it is given as a new inode. While the check still runs, it is
    :meth:`expect_spare`'s: the index waits for it when it is first asked to put something into the staging folder.
    A path stays in :attr:`spare` only while the spare's own file is still there, untouched: whatever puts another
    file at the path or removes it takes the path out (:meth:`_replaced`), since :meth:`take` and :meth:`write`
    trust :attr:`spare` without looking at the disk.
    Two indexes are equal only if they are the same (each holds its own state, lock and database connection).
    """

    out: Path
    key: str
    previous: Previous | None = None
    written: list[Written] = field(default_factory=list)
    spare: dict[str, Held] | None = None
    _db: sqlite3.Connection | None = field(default=None, repr=False)
    _marks: dict[str, tuple[str, str, int, int]] | None = field(default=None, repr=False)
    _checking: Future[dict[str, Held]] | None = field(default=None, repr=False)
    _settling: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.previous is not None and self.previous.key == self.key:
            self._db = connect_readonly(self.previous.state, check_same_thread=False)
        else:
            self.previous = None

    def expect_spare(self, check: Future[dict[str, Held]]) -> None:
        """Take :attr:`spare` from the running ``check`` (:func:`check_spare`) once the staging folder is first written
        to or taken over into (:meth:`settle`): the build does what needs no file meanwhile (``build.py``)."""
        self._checking = check

    def settle(self) -> None:
        """Wait for the spare's check, if it still runs (its result, or its error, becomes this index's): nothing may
        be put into the staging folder while the check may still remove what it does not know."""
        if self._checking is None:
            return
        with self._settling:
            if self._checking is not None:
                self.spare = self._checking.result()
                self._checking = None

    def load_previous(self) -> None:
        """Read the previous build's state into memory once (the build process looks up every file in it)."""
        if self._db is not None and self._marks is None:
            self._marks = {str(path): (str(mark), str(sha), int(size), int(mtime)) for path, mark, sha, size, mtime
                           in self._db.execute("SELECT path, fingerprint, sha256, size, mtime FROM page WHERE fingerprint != ''")}

    def write(self, path: str, data: bytes, fingerprint: str = "") -> Path:
        """Write ``data`` as the file ``path`` of the site (a new file, never an existing one written over; nothing
        at all if the spare holds these very bytes there)."""
        self.save(path, data, fingerprint)
        return Path(f"{self.out}/{path}")

    def write_text(self, path: str, text: str, fingerprint: str = "", encoding: str = "utf-8") -> Path:
        """Write ``text`` as the file ``path`` of the site."""
        return self.write(path, text.encode(encoding), fingerprint)

    def save(self, path: str, data: bytes, fingerprint: str = "") -> None:
        """:meth:`write`, for an output writing hundreds of thousands of files (pages): no ``Path`` made of each, and
        the bytes written by system calls (a page in one ``write``)."""
        self.settle()
        digest = hashlib.sha256(data).hexdigest()
        held = self.spare.get(path) if self.spare is not None else None
        if held is not None and held[0] == digest and held[1] == len(data):
            self.written.append(Written(path, fingerprint, digest, len(data), False, held[2]))
            return
        self._replaced(path)
        fd = _create(f"{self.out}/{path}")
        try:
            _write_all(fd, data)
            mtime = os.fstat(fd).st_mtime_ns
        finally:
            os.close(fd)
        self.written.append(Written(path, fingerprint, digest, len(data), False, mtime))

    def save_text(self, path: str, text: str, fingerprint: str = "", encoding: str = "utf-8") -> None:
        """:meth:`write_text` as :meth:`save` writes."""
        self.save(path, text.encode(encoding), fingerprint)

    def adopt(self, path: str, source: Path, fingerprint: str = "") -> Path:
        """Move the file ``source`` (made outside the site by another program, on the same file system) into the
        site as ``path``, hashing it; ``source`` is gone afterwards."""
        self.settle()
        target = f"{self.out}/{path}"
        _folder(os.path.dirname(target))
        digest, size = hashlib.sha256(), 0
        with open(source, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        self._replaced(path)
        os.replace(source, target)  # a new inode at ``path``: never a write through a link to the live site
        self.written.append(Written(path, fingerprint, digest.hexdigest(), size, False, os.lstat(target).st_mtime_ns))
        return Path(target)

    def open_new(self, path: str) -> IO[bytes]:
        """The site file ``path`` opened as a new file for writing (and reading back: a zip seeks), for a file
        written in pieces; note it with :meth:`noted` once closed."""
        self.settle()
        self._replaced(path)
        return os.fdopen(_create(f"{self.out}/{path}"), "w+b")

    def noted(self, path: str, sha256: str, size: int, fingerprint: str = "") -> Written:
        """Note the file ``path``, written through :meth:`open_new` (or moved into place by the caller), as written with
        this hash and size."""
        self._replaced(path)
        written = Written(path, fingerprint, sha256, size, False, os.lstat(f"{self.out}/{path}").st_mtime_ns)
        self.written.append(written)
        return written

    def note_written(self, paths: Iterable[str | os.PathLike[str]], since: int) -> None:
        """Note the files of ``paths`` that an output wrote into the site itself (a plugin may), i.e. not through this
        index since its entry number ``since``: hashed here, listed like the others."""
        prefix = f"{self.out}/"
        noted = {prefix + w.path for w in self.written[since:]}
        for path in paths:
            if os.fspath(path) in noted:  # a string ``f"{out}/{name}"``, or a path ``out / name``: no parsing
                continue
            name = Path(path).relative_to(self.out).as_posix()
            if prefix + name not in noted and Path(path).is_file():
                data = Path(path).read_bytes()
                self.written.append(Written(name, "", hashlib.sha256(data).hexdigest(), len(data), False,
                                            os.lstat(path).st_mtime_ns))
                noted.add(prefix + name)

    def previous_files(self, prefix: str) -> list[tuple[str, str]]:
        """``(path, fingerprint)`` of the fingerprinted files under ``prefix`` in the previous build's state, by path
        (none when nothing can be taken over)."""
        if self._db is None:
            return []
        rows = self._db.execute("SELECT path, fingerprint FROM page WHERE fingerprint != '' AND path >= ? AND path < ? "
                                "ORDER BY path", (prefix, prefix + "\U0010ffff"))
        return [(str(path), str(mark)) for path, mark in rows]

    def _previous(self, path: str) -> tuple[str, str, int, int] | None:
        if self._marks is not None:
            return self._marks.get(path)
        if self._db is None:
            return None
        row = self._db.execute("SELECT fingerprint, sha256, size, mtime FROM page WHERE path = ?", (path,)).fetchone()
        return (str(row[0]), str(row[1]), int(row[2]), int(row[3])) if row else None

    def take(self, path: str, fingerprint: str) -> bool:
        """Take the file ``path`` over from the previous build if its fingerprint is unchanged; whether it was.

        If the spare holds the previous build's bytes there, nothing is done on disk; otherwise the live site's
        file is linked in (a copy where links are not possible), after checking it is the file that build wrote.
        """
        if self.previous is None:
            return False
        row = self._previous(path)
        if row is None or not fingerprint or row[0] != fingerprint:
            return False
        _, digest, size, mtime = row
        self.settle()
        held = self.spare.get(path) if self.spare is not None else None
        if held is not None and held[0] == digest and held[1] == size:
            self.written.append(Written(path, fingerprint, digest, size, True, held[2]))
            return True
        source, target = f"{self.previous.site}/{path}", f"{self.out}/{path}"  # os calls on strings: a million of them
        try:
            status = os.lstat(source)
            if not stat.S_ISREG(status.st_mode) or status.st_size != size or (mtime and status.st_mtime_ns != mtime):
                return False
            _folder(os.path.dirname(target))
            self._replaced(path)
            try:
                os.link(source, target)
            except FileExistsError:  # the spare's older file, or written already: replace it, never write through it
                os.unlink(target)
                os.link(source, target)
            except OSError:  # no hard links here (another file system): a copy
                _copy(source, target)
        except FileNotFoundError:
            return False
        self.written.append(Written(path, fingerprint, digest, size, True, status.st_mtime_ns))
        return True

    def take_all(self, paths: Sequence[str], fingerprint: str) -> bool:
        """Take every one of ``paths`` over (files made together), or none of them."""
        mark = len(self.written)
        if all(self.take(path, fingerprint) for path in paths):
            return True
        self.forget([taken.path for taken in self.written[mark:]])
        return False

    def forget(self, paths: Iterable[str]) -> None:
        """Take back the files ``paths`` written or taken over in this build (files made again another way): they
        leave :attr:`written`. A file this build put into the staging folder is removed; one the spare held, and this
        build kept, stays there for a later :meth:`take` or :meth:`write` of the same bytes (:meth:`seal` removes it
        if none comes)."""
        gone = set(paths)
        for path in gone:
            if self.spare is None or path not in self.spare:
                try:
                    os.unlink(f"{self.out}/{path}")
                except FileNotFoundError:
                    pass
        for index in range(len(self.written) - 1, -1, -1):  # the latest files, as a rule: from the end
            if not gone:
                break
            if self.written[index].path in gone:
                gone.discard(self.written[index].path)
                del self.written[index]

    def add(self, written: Iterable[Written]) -> None:
        """Note files another process (a worker, whose index has no spare) wrote or linked into the staging folder."""
        self.settle()
        for entry in written:
            self._replaced(entry.path)
            self.written.append(entry)

    def _replaced(self, path: str) -> None:
        """The spare's file at ``path``, if any, is being replaced or removed: no longer one to keep."""
        if self.spare:
            self.spare.pop(path, None)

    def drain(self) -> list[Written]:
        """What was written since the last call (a worker returns it to the build)."""
        written, self.written = self.written, []
        return written

    def seal(self) -> int:
        """Remove what the spare held that this build neither wrote nor kept (and the folders left empty); the
        number of files removed. After this, the staging folder holds exactly the files of :attr:`written`."""
        self.settle()
        if self.spare is None:
            return 0
        listed = {w.path for w in self.written}
        stale = [path for path in self.spare if path not in listed]
        folders: set[str] = set()
        for path in stale:
            try:
                os.unlink(f"{self.out}/{path}")
            except FileNotFoundError:
                pass
            folders.add(os.path.dirname(path))
        _remove_empty(self.out, folders)
        self.spare = {}
        return len(stale)

    def close(self) -> None:
        """Close the previous build's state."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._marks = None


def _create(target: str) -> int:
    """A new file at ``target`` opened for writing: whatever is there is unlinked first, never written through."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL
    try:
        return os.open(target, flags, 0o644)
    except FileExistsError:
        os.unlink(target)
    except FileNotFoundError:
        _folder(os.path.dirname(target))  # a page's own folder: one mkdir, its parent made by the page before
    return os.open(target, flags, 0o644)


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to the open file ``fd`` (one system call unless the kernel takes less)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy(source: str, target: str) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    shutil.copyfile(source, target)


def _remove_empty(root: Path, folders: set[str]) -> None:
    """Remove each of ``folders`` (site paths) and its parents while they are empty, deepest first."""
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        while folder:
            try:
                os.rmdir(f"{root}/{folder}")
            except OSError:  # not empty (or gone): its parents are not empty either
                break
            folder = os.path.dirname(folder)


def _folder(path: str) -> None:
    """Make the folder ``path`` (and its parents) unless it exists: one system call where its parent exists."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def write_state(path: Path, key: str, written: Iterable[Written], secret_digests: Iterable[bytes]) -> None:
    """Save the state of this build (every file of its site, and its secrets' digests) for the builds after it."""
    db = sqlite3.connect(path)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("site_key", key), ("format", _FORMAT)])
        db.executemany("INSERT OR REPLACE INTO page VALUES (?, ?, ?, ?, ?)",
                       ((w.path, w.fingerprint, w.sha256, w.size, w.mtime) for w in written))
        db.executemany("INSERT OR IGNORE INTO secret VALUES (?)", ((d,) for d in secret_digests))
        db.commit()
    finally:
        db.close()


def mark_excused(path: Path) -> None:
    """Mark a state written by :func:`write_state` as that of a build whose leak scan let withheld values pass because
    other records published them whole (``audit/verify.py``, ``excuse_leaks``): the next build takes no file over from
    it (:func:`read_key` gives ``None``), so that it scans every page again for them, as a full build does; a value
    inside a page taken over would otherwise stay once the record that published it whole is gone."""
    db = sqlite3.connect(path)
    try:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('excused', '1')")
        db.commit()
    finally:
        db.close()


def read_key(path: Path) -> str | None:
    """The site key a state file was written under (``None`` if it cannot be read, is of an older format, or is
    marked by :func:`mark_excused`: no file is taken over from it)."""
    try:
        db = connect_readonly(path)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return None
    if meta.get("excused"):
        return None  # see mark_excused
    return str(meta["site_key"]) if meta.get("format") == _FORMAT and "site_key" in meta else None


def read_files(path: Path) -> dict[str, Held] | None:
    """Every file a build's state lists, by site path (``None`` if the state cannot be read or is of an older format)."""
    if read_key(path) is None:
        return None
    db = connect_readonly(path)
    try:
        return {str(p): (str(sha), int(size), int(mtime)) for p, sha, size, mtime in
                db.execute("SELECT path, sha256, size, mtime FROM page")}
    except sqlite3.Error:
        return None
    finally:
        db.close()


def check_spare(folder: Path, state: Path) -> dict[str, Held]:
    """What the spare ``folder`` holds of the files its build's ``state`` lists; everything else is removed.

    One walk of the folder: a file is kept if the state lists it with its size and modification time (a file
    edited by hand since has another); files the state does not list (all of them, if the state cannot be read),
    links and anything else are removed. Empty folders are left for :meth:`FileIndex.seal`. It reads the state
    itself: for a large site it runs in a process of its own while the rows are decided (see ``build.py``); the
    build writes nothing into ``folder`` before it has ended (:meth:`FileIndex.settle`).

    The walk goes from folder to folder by file descriptor, each file's status read relative to its folder
    (``fstatat``, not a path looked up from the top again), in one thread. It runs beside the deciding of the rows,
    so its processor time is theirs: for the 895,000 files of the large set, 8 s (8 s wall) with the file system's
    metadata in memory and 39 s (63 s wall) after the page cache was dropped; walked by path in eight threads, as
    before, 20 s (17 s) and 68 s (52 s).
    """
    listed = read_files(state) or {}
    kept: dict[str, Held] = {}
    root = os.open(folder, _FOLDER)
    try:
        _check_folder(root, "", listed, kept)
    finally:
        os.close(root)
    return kept


_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _check_folder(folder: int, prefix: str, listed: dict[str, Held], kept: dict[str, Held]) -> None:
    """Keep in ``kept`` the files of the open folder ``folder`` (site path ``prefix``) and of the folders under it that
    are what ``listed`` says; remove the others."""
    folders = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.name)
                continue
            name = prefix + entry.name
            known = listed.get(name)
            if known is not None and entry.is_file(follow_symlinks=False):
                status = entry.stat(follow_symlinks=False)  # relative to the folder: scandir was given its descriptor
                if status.st_size == known[1] and status.st_mtime_ns == known[2] and known[2]:
                    kept[name] = known
                    continue
            os.unlink(entry.name, dir_fd=folder)
    for name in folders:
        below = os.open(name, _FOLDER, dir_fd=folder)
        try:
            _check_folder(below, f"{prefix}{name}/", listed, kept)
        finally:
            os.close(below)


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
