"""Rendering in worker processes: each worker reads its own shard of the published store and writes its files.

An output cuts its work into :class:`Shard` values (the subjects, or an item's records, whose files changed since
the previous build, with their fingerprints: :func:`key_shards`; or a whole item's workbooks) and hands them to a
:class:`Workers` pool. A worker process is started with ``spawn`` (a fresh interpreter: it inherits neither the build's file
locks nor its open SQLite connection), opens the finished store read-only itself, builds its own
:class:`Site` (and, through the output, its own Jinja2 environment, and its own file index reading the
previous build's state) and returns only what it wrote (paths, hashes, sizes, fingerprints). Records are
never sent to a worker; the settings, catalogue and policy are sent once.

The parent takes the results in the order the shards were given, so the list of written files, the
progress bar and the first error are the same as when the same shards are rendered in-process: a
:class:`BuildError` raised in a worker (a template error naming the page and template) reaches the
build unchanged, and the shards not yet started are cancelled. Files are byte-identical whatever the
number of workers; only their writing is spread over the cores.

``[build] workers`` sets the number of processes (0: one per core; 1: render in the build process).
Small sites render in-process whatever it says: below :data:`MIN_FILES` files a pool costs more than it saves.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from site_builder import progress
from site_builder.config import Config
from site_builder.exceptions import BuildError
from site_builder.faults import fault_point
from site_builder.outputs.files import FileIndex, Previous, Written
from site_builder.outputs.site import Site
from site_builder.pools import Pool
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.profiles import Policy
from site_builder.store.published import PublishedStore

MIN_FILES = 2000
"""An output writing fewer files than this renders in the build process (a pool's start-up costs about a second)."""
SHARD_SIZE = 500
"""Subjects, or records of one item, per shard: small enough for an even spread and a smooth progress bar."""


@dataclass(frozen=True)
class Shard:
    """One piece of an output's work: ``job(site, out, shard)`` writes its files and returns them.

    ``job`` is a module-level function (sent to the worker by name); ``item`` names the catalogue item (``None`` for
    subjects).
    """

    job: Callable[[Site, Path, Shard], list[Written]]
    item: str | None
    option: str = ""
    """What else the job needs to know (its meaning is the job's)."""
    keys: tuple[tuple[str, str], ...] = ()
    """The keys whose files to render (subject keys or record ids), each with its file's fingerprint."""


def key_shards(job: Callable[[Site, Path, Shard], list[Written]], item: str | None,
               keys: Sequence[tuple[str, str]]) -> list[Shard]:
    """The shards of ``job`` over the given ``(key, fingerprint)`` pairs, :data:`SHARD_SIZE` a shard, in order."""
    return [Shard(job, item, keys=tuple(keys[start:start + SHARD_SIZE])) for start in range(0, len(keys), SHARD_SIZE)]


def worker_count(config: Config) -> int:
    """The number of worker processes ``[build] workers`` asks for: 0 means one per core of this process."""
    wanted = config.build.workers
    if wanted > 0:
        return wanted
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class _Context:
    """What a worker needs to rebuild the site: everything in :class:`Site` but the store, which it opens itself."""

    config: Config
    catalogue: Catalogue
    policy: Policy
    as_of: date
    outputs: frozenset[str] | None
    store: Path
    out: Path
    key: str
    previous: Previous | None


_worker: dict[str, tuple[Site, Path]] = {}
"""In a worker process: its site (on its own read-only store) and the staging folder."""


def _start(context: _Context) -> None:
    """Worker initialiser: open the store read-only and make the worker's site; end with the build process."""
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    store = PublishedStore.open_readonly(context.store)
    files = FileIndex(context.out, context.key, context.previous)
    site = Site(context.config, context.catalogue, context.policy, context.as_of, store, context.outputs, files)
    _worker["site"] = (site, context.out)


def _exit_with_parent(parent: int) -> None:
    """End this worker as soon as the build process is gone (killed: the pool could not stop it).

    Otherwise an orphaned worker would go on writing into the killed build's staging folder after the next
    build removed it.
    """
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


_WATCH_SECONDS = 0.02


def _run(shard: Shard) -> list[Written]:
    """In a worker: render one shard; the files written."""
    fault_point("worker")
    site, out = _worker["site"]
    return shard.job(site, out, shard)


class Workers:
    """A pool of worker processes rendering the shards of one output into ``out``."""

    def __init__(self, site: Site, out: Path, processes: int) -> None:
        files = site.index(out)
        context = _Context(site.config, site.catalogue, site.policy, site.as_of, site.outputs, site.store.path, out,
                           files.key, files.previous)
        self.files = files
        self.pool = Pool(processes, initializer=_start, initargs=(context,))

    def submit(self, work: Sequence[Shard]) -> list[Future[list[Written]]]:
        """Queue shards; their futures, in the same order."""
        return [self.pool.submit(_run, shard) for shard in work]

    def collect(self, futures: Sequence[Future[list[Written]]], files_per_unit: int = 1) -> list[str]:
        """Wait for each shard in order, advancing the progress bar; every file written (``f"{out}/{name}"``), in
        shard order.

        What the workers wrote (with its hashes) joins the build's file index.

        A worker's :class:`BuildError` is raised as it is; a worker that died becomes a :class:`BuildError`.
        """
        written: list[str] = []
        prefix = f"{self.files.out}/"
        for future in futures:
            try:
                paths = future.result()
            except BrokenProcessPool as exc:
                raise BuildError(f"A rendering worker process stopped unexpectedly ({exc}); nothing was published") from exc
            self.files.add(paths)
            written += [prefix + w.path for w in paths]
            progress.advance(len(paths) // files_per_unit)
        return written

    def close(self, cancel: bool) -> None:
        """Stop the workers once their running shards end; ``cancel`` drops the shards not yet started."""
        self.pool.shutdown(wait=True, cancel_futures=cancel)


@contextmanager
def workers(site: Site, out: Path, files: int) -> Iterator[Workers | None]:
    """A pool for an output that will write about ``files`` files, or ``None`` to render in-process.

    ``None`` when ``[build] workers`` resolves to 1 or ``files`` is below :data:`MIN_FILES`. The pool is
    shut down on leaving, after the shards still running have ended (so the staging folder can be
    removed); on an error the shards not yet started are cancelled.
    """
    processes = worker_count(site.config)
    if processes <= 1 or files < MIN_FILES:
        yield None
        return
    pool = Workers(site, out, processes)
    try:
        yield pool
    except BaseException:
        pool.close(cancel=True)
        raise
    pool.close(cancel=False)
