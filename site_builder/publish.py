"""Putting a site in place: the lock, the output guard, versioned build folders and the atomic switch.

The output path is a symbolic link to one of the versioned folders ``.<out>.builds/<version>/``
beside it. A build writes a staging folder there, renames it to its version, makes a new link and
renames the link over the output path: one ``rename(2)``, so at every instant the output path is
either the old site or the new one. An output that is still a plain folder (a site built before
versioned folders, or an empty folder) is switched once with ``renameat2(RENAME_EXCHANGE)``.

The site a switch replaces is kept as the **spare** (:func:`keep_as_spare`: a file ``<version>.spare`` beside
it names its build): the next build renames it into its staging folder and changes only what differs
(``outputs/files.py``), instead of making a whole new tree of a million files. Other versions (left by killed
builds) are removed only under the lock, by a detached process. Nothing outside the output, its
``.<out>.builds`` folder and the link being made is ever deleted; an output that is not empty and not a site of
this tool is refused, never replaced.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from site_builder.audit.layout import AuditFolder
from site_builder.exceptions import AuditError, ConfigError, PublishError
from site_builder.faults import fault_point

log = logging.getLogger(__name__)

MARKER = ".site-builder"
MARKER_TEXT = "This folder is a site built by site_builder; a build may replace it whole.\n"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def builds_dir(out: Path) -> Path:
    """The folder of versioned builds beside ``out``."""
    return out.parent / f".{out.name}.builds"


@contextmanager
def locked(audit_root: Path, out: Path, timeout: float) -> Iterator[None]:
    """Hold the audit folder's lock, then the output's, for the whole build (wait up to ``timeout`` s)."""
    for folder in (audit_root, out.parent):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(f"Cannot create {folder}: {exc.strerror or exc}") from exc
    locks = [(AuditFolder(audit_root).lock, f"the audit folder {audit_root}"),
             (out.parent / f".{out.name}.lock", f"the output {out}")]
    held: list[FileLock] = []
    try:
        for path, what in locks:
            lock = FileLock(path, timeout=timeout)
            try:
                lock.acquire()
            except Timeout as exc:
                raise AuditError(f"Another build is writing {what} (lock {path} busy"
                                 f"{f' for {timeout:g} s' if timeout else ''}); try again when it has finished. This "
                                 "refusal is not recorded in the audit journal (its one writer is the build holding the "
                                 "lock): keep this message in the scheduler's log") from exc
            except OSError as exc:
                raise PublishError(f"Cannot lock {what} ({path}): {exc.strerror or exc}") from exc
            held.append(lock)
        yield
    finally:
        for lock in reversed(held):
            lock.release()


def check_output(out: Path, inputs: dict[str, Path]) -> None:
    """Refuse an output folder that holds an input, or that is neither empty nor a site of this tool."""
    places = {out.absolute(), out.resolve(), builds_dir(out).absolute()}
    for name, path in inputs.items():
        where = path.resolve()
        if any(where == place or where.is_relative_to(place) for place in places):
            raise ConfigError(f"Config value 'paths.{name}': {path} is inside the output folder {out} (or is it), "
                              "which each build replaces; choose another output folder")
    if out.is_symlink():
        target = out.resolve()
        if target.parent == builds_dir(out).resolve() or (target / MARKER).is_file():
            return
        raise PublishError(f"Output {out} is a link to {target}, which is not a site built by site_builder; "
                           "refusing to replace it")
    if not out.exists():
        return
    if not out.is_dir():
        raise PublishError(f"Output {out} is a file, not a folder; refusing to replace it")
    try:
        empty = next(out.iterdir(), None) is None
    except OSError as exc:
        raise PublishError(f"Output {out} cannot be read: {exc.strerror or exc}") from exc
    if not empty and not (out / MARKER).is_file():
        raise PublishError(f"Output {out} is not empty and is not a site built by site_builder (no {MARKER} file); "
                           "refusing to replace it: choose an empty or new output folder")
    if not empty:
        _check_own_files(out)


def _check_own_files(out: Path) -> None:
    """Refuse a real folder (not the link a build makes) with the marker that holds files its manifest does not list:
    a copy of the site made for a web server (``cp -rL output/. public/``, which copies the marker) to which the user
    added files of their own (``CNAME``, ``uploads/``): replacing it would delete them."""
    import json

    from site_builder.audit.manifest import MANIFEST, UNHASHED, output_hashes, site_files

    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("outputs")
    except (OSError, ValueError, AttributeError):
        listed = None
    if not isinstance(listed, dict):
        raise PublishError(f"Output {out} is a folder with a {MARKER} file but no readable {MANIFEST} listing its files: "
                           "refusing to replace it (it may hold files of your own); choose an empty or new output folder")
    own = [name for name, _ in site_files(out) if name not in listed and name not in UNHASHED and name != MARKER]
    if own:
        shown = ", ".join(own[:3]) + (f" and {len(own) - 3} more" if len(own) > 3 else "")
        raise PublishError(f"Output {out} holds {len(own)} file(s) its build did not write ({shown}): refusing to replace "
                           "it and lose them; move them out, or choose an empty or new output folder")
    # A file of the copy edited by hand (a snippet added to 404.html) would be lost as silently as an added one.
    edited = sorted(name for name, sha256 in output_hashes(out).items() if name in listed and listed[name] != sha256)
    if edited:
        shown = ", ".join(edited[:3]) + (f" and {len(edited) - 3} more" if len(edited) > 3 else "")
        raise PublishError(f"Output {out} holds {len(edited)} file(s) changed since its build wrote them ({shown}): "
                           "refusing to replace it and lose the changes; copy them elsewhere (changes to the site's pages "
                           "belong in the templates or content folder), or choose an empty or new output folder")


def current_version(out: Path) -> Path | None:
    """The versioned folder the output link names (``None`` if the output is not such a link)."""
    if not out.is_symlink():
        return None
    target = Path(os.readlink(out))
    target = target if target.is_absolute() else out.parent / target
    return target if target.parent == builds_dir(out) else None


SPARE = ".spare"
"""The suffix of the file beside a version folder that makes it the spare (its content: the folder's build id)."""


def clean_stale(out: Path) -> None:
    """Remove what killed builds left: staging folders, unused versions, half-made links (under the lock). Only what a
    build made (:func:`_made_by_build`): a user's file or folder in the versions folder stays, named in a warning.

    The current version and the spare (with its marker) stay; a folder is removed by a detached process (it may
    hold a whole site).
    """
    keep = current_version(out)
    folder = builds_dir(out)
    children = sorted(folder.iterdir()) if folder.is_dir() else []
    names = {child.name for child in children}
    for child in children:
        if child == keep:
            continue
        if not _made_by_build(child):
            log.warning("not_removed path=%s reason=not made by a build (the output's versions folder): left in place",
                        child)
            continue
        if child.name.endswith(SPARE):  # a marker stays while it names a folder that is not the live one
            version = child.name.removesuffix(SPARE)
            if version in names and folder / version != keep:
                continue
        elif child.name + SPARE in names:  # the spare
            continue
        remove_later(child)
    for link in out.parent.glob(f".{out.name}.link-*"):
        _remove(link)


_VERSION = re.compile(r"\d{6}-\d{4}-\d{2}-\d{2}-[a-z0-9_]{8}")
"""A version folder's name: its build's id and the 8 characters of the staging folder it was (:func:`switch`)."""


def _made_by_build(path: Path) -> bool:
    """Whether ``path``, in the output's versions folder, is something a build made there: a staging folder
    (``.staging-…``), one being removed (``.old-…``), a version folder (named after its build), a spare's marker file
    (a version folder's name and ``.spare``). Anything else (a symbolic link too) is a user's: it stays. A folder is not
    taken for a version by the site's :data:`MARKER` in it: a user's copy of a day's site carries it too, and was
    removed."""
    name = path.name
    if path.is_symlink():
        return False
    if path.is_dir():
        return name.startswith((".staging-", ".old-")) or bool(_VERSION.fullmatch(name))
    return _is_spare_marker(path)


def _is_spare_marker(path: Path) -> bool:
    """Whether ``path`` is a spare's marker: ``<version folder's name>.spare`` (a user's ``mine.spare`` had made the
    folder ``mine`` the spare, reused and emptied by the next build)."""
    return path.name.endswith(SPARE) and bool(_VERSION.fullmatch(path.name.removesuffix(SPARE)))


def _spare_markers(folder: Path) -> list[Path]:
    """The spare markers in the versions folder ``folder`` (:func:`_is_spare_marker`)."""
    return [marker for marker in folder.glob(f"*{SPARE}") if _is_spare_marker(marker) and not marker.is_symlink()]


def take_spare(out: Path) -> tuple[Path, str] | None:
    """The spare renamed to a new staging folder, with the id of the build whose site it is; ``None`` if there is none.

    Its marker goes first: a build killed after this leaves a staging folder, which the next build removes.
    """
    folder = builds_dir(out)
    current = current_version(out)
    for marker in sorted(_spare_markers(folder)) if folder.is_dir() else []:
        version = folder / marker.name.removesuffix(SPARE)
        try:
            build_id = marker.read_text(encoding="utf-8").strip()
            marker.unlink()
        except OSError:
            continue
        if version == current or not version.is_dir() or version.is_symlink() or not build_id:
            continue
        staging = new_staging(out)
        os.rename(version, staging)  # onto the new, empty folder
        return staging, build_id
    return None


def keep_as_spare(out: Path, version: Path, build_id: str) -> None:
    """Mark the version folder ``version`` (the site of ``build_id``, no longer live) as the spare; any older spare
    is removed (by a detached process)."""
    folder = builds_dir(out)
    for marker in _spare_markers(folder):
        older = folder / marker.name.removesuffix(SPARE)
        marker.unlink(missing_ok=True)
        if older != version and older != current_version(out):
            remove_later(older)
    (folder / f"{version.name}{SPARE}").write_text(build_id + "\n", encoding="utf-8")


def new_staging(out: Path) -> Path:
    """A fresh staging folder in ``.<out>.builds``."""
    folder = builds_dir(out)
    try:
        folder.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    except OSError as exc:
        raise PublishError(f"Cannot create a staging folder in {folder}: {exc.strerror or exc}") from exc


def make_readable(site: Path) -> None:
    """Give every file of a built site the mode ``rw-r--r--`` and every folder ``rwxr-xr-x`` when the process's umask
    withholds reading from others (``umask 077``, common for service accounts): the site's pages, written 0600 and
    0700 then, would be refused by a web server running as another user. Pagefind's index and the copied theme files
    are covered too. Nothing to do (no walk) under the usual umask."""
    if not _umask() & 0o055:
        return
    for root, _folders, files in os.walk(site):
        os.chmod(root, 0o755)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


def _umask() -> int:
    """The process's umask, read without changing it (``/proc/self/status``: setting it to read it back would, for an
    instant, apply to the files the build's other threads create, the private audit files among them); ``0o077``
    where it cannot be read, so that the site is made readable."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o077


def switch(staging: Path, out: Path, version: str) -> Path | None:
    """Make ``staging`` the site at ``out`` atomically; return the version folder it replaced, if any."""
    previous = current_version(out)
    staging.chmod(0o755)
    target = builds_dir(out) / version
    os.rename(staging, target)
    fault_point("staged")
    link = out.parent / f".{out.name}.link-{os.getpid()}"
    _remove(link)
    os.symlink(Path(builds_dir(out).name) / version, link)
    fault_point("link-created")
    if out.exists() and not out.is_symlink():
        _exchange(link, out)
        fault_point("exchanged")
        _remove(link)  # now the old plain folder
    else:
        os.replace(link, out)
    _sync(out.parent)
    fault_point("switched")
    return previous


def remove_later(path: Path) -> None:
    """Remove ``path``: a folder is moved aside (``.old-…``) and removed by a detached process, so the build goes on
    (a site of a million files takes a minute to remove); what that process does not finish, the next build removes."""
    if path.is_symlink() or not path.is_dir():
        _remove(path)
        return
    trash = path if path.name.startswith(".old-") else path.parent / f".old-{path.name.lstrip('.')}"
    if trash != path:
        try:
            os.rename(path, trash)
        except OSError:
            _remove(path)
            return
    subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(trash)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _exchange(link: Path, out: Path) -> None:
    """Swap ``link`` and the plain folder ``out`` in one system call (Linux ``renameat2``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(link), _AT_FDCWD, os.fsencode(out), _RENAME_EXCHANGE)
        if result == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(out))
    log.warning("output=%s replaced by two renames (no RENAME_EXCHANGE here): briefly without a site, once", out)
    aside = builds_dir(out) / f".old-{os.getpid()}"
    os.rename(out, aside)
    os.rename(link, out)
    os.rename(aside, link)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
