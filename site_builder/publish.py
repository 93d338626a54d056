"""Putting a site in place: the lock, the output guard, versioned build folders and the atomic switch.

The output path is a symbolic link to one of the versioned folders ``.<out>.builds/<version>/``
beside it. A build writes a staging folder there, renames it to its version, makes a new link and
renames the link over the output path: one ``rename(2)``, so at every instant the output path is
either the old site or the new one. An output that is still a plain folder (a site built before
versioned folders, or an empty folder) is switched once with ``renameat2(RENAME_EXCHANGE)``.
Versions other than the current one are removed only under the lock, once the link no longer
names them. Nothing outside the output, its ``.<out>.builds`` folder and the link being made is
ever deleted; an output that is not empty and not a site of this tool is refused, never replaced.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
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
                                 f"{f' for {timeout:g} s' if timeout else ''}); try again when it has finished") from exc
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


def current_version(out: Path) -> Path | None:
    """The versioned folder the output link names (``None`` if the output is not such a link)."""
    if not out.is_symlink():
        return None
    target = Path(os.readlink(out))
    target = target if target.is_absolute() else out.parent / target
    return target if target.parent == builds_dir(out) else None


def clean_stale(out: Path) -> None:
    """Remove what killed builds left: staging folders, unused versions, half-made links (under the lock)."""
    keep = current_version(out)
    folder = builds_dir(out)
    for child in sorted(folder.iterdir()) if folder.is_dir() else []:
        if child != keep:
            _remove(child)
    for link in out.parent.glob(f".{out.name}.link-*"):
        _remove(link)


def new_staging(out: Path) -> Path:
    """A fresh staging folder in ``.<out>.builds``."""
    folder = builds_dir(out)
    try:
        folder.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    except OSError as exc:
        raise PublishError(f"Cannot create a staging folder in {folder}: {exc.strerror or exc}") from exc


def write_marker(site_dir: Path) -> None:
    """Mark ``site_dir`` as a site of this tool (the output guard checks for it)."""
    (site_dir / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


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


def remove_version(out: Path, version: Path | None, background: bool = False) -> None:
    """Remove a version folder the output no longer names.

    ``background``: move it aside and leave its removal to a detached process, so the build can return (a site
    of a million files takes a minute to remove); what that process does not finish, the next build removes.
    """
    if version is None or version == current_version(out):
        return
    if not background:
        _remove(version)
        return
    trash = builds_dir(out) / f".old-{version.name}"
    os.rename(version, trash)
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
