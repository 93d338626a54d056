"""The pools of worker processes a build uses (deciding rows, rendering, scanning, validating, checking the spare).

Every pool is a :class:`Pool`: its processes are *spawned* (a fresh interpreter each, so nothing of the build
process is copied into them: not its threads, locks or open databases), and a pool that lost a process is always
reported as :class:`BrokenProcessPool`, which the build turns into one clear error (``build.py``).

CPython starts a pool's processes as tasks are submitted. When one process has died (killed, out of memory), the
pool closes the pipe the next one would inherit, and starting that one fails instead: with an :class:`OSError`
("handle is closed"), or, when the pipe was closed while the new process's descriptors were being listed, with a
:class:`ValueError` ("bad value(s) in fds_to_keep"); :meth:`Pool.submit` reports either as the broken pool it is.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Pool(ProcessPoolExecutor):
    """A pool of ``processes`` spawned processes, each started with ``initializer(*initargs)``."""

    def __init__(self, processes: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()) -> None:
        super().__init__(processes, mp_context=multiprocessing.get_context("spawn"), initializer=initializer,
                         initargs=initargs)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue ``fn(*args, **kwargs)``; a process that cannot be started because another died is a broken pool."""
        try:
            return super().submit(fn, *args, **kwargs)
        except (OSError, ValueError) as exc:
            if isinstance(exc, ValueError) and "fds_to_keep" not in str(exc):
                raise  # only the race with a dead process is a broken pool; any other ValueError is raised as it is
            raise BrokenProcessPool(f"a worker process could not be started ({exc})") from exc


def file_size(path: str | os.PathLike[str]) -> int:
    """The size of the file ``path`` in bytes, 0 if it cannot be read (reading it will say why): what work is shared
    out among processes by, and whether a pool is worth starting."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
