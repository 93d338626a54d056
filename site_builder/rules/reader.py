"""Reading rows in other processes: a warm build reads, digests and looks up its rows there while the build process
stores and ledgers the results.

A build after the first takes most rows' results from the decision cache (``rowcache.py``). That path is a sequence
of small steps per row, two thirds of them in reading (parse the row, digest its cells, look the digest up, check
the result still holds; a file whose bytes an earlier warm build parsed is read back from what it kept,
``parsed.py``) and the rest in using the result (the published store, the decision list, the secrets). With
``[build] workers`` above one and records files of some size, the reading runs in *reader* processes (started with
``spawn``, like every pool of the build), as many as there are workers (and items to read), each reading whole
items: the items are shared out by the size of their files, the largest first, each to the reader with the least so
far. A reader runs :func:`~site_builder.rules.pipeline.stored_results` for its items, deciding there (or in its own
pool of deciders, when it has workers to spare) the rows whose result it does not find, and sends the results back
in batches, in order. The build process takes them in the catalogue's order of items as they come, keeping what a
reader sends ahead of its turn, so that all overlap.

The readers only read the decision cache; each hands the build the digests of the rows it read and the results
it made, and the build writes them there once all are done.

The sequence of results, the reports and the count of cached rows are exactly those of reading in the build
process. An error raised in a reader reaches the build unchanged (or, if it cannot be sent, as a
:class:`BuildError` with its text); a reader that dies (killed, out of memory) raises :class:`BrokenProcessPool`,
which the build turns into one error line.
"""

from __future__ import annotations

import marshal
import multiprocessing
import pickle
from collections import deque
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from site_builder.exceptions import BuildError
from site_builder.faults import fault_point
from site_builder.pools import file_size
from site_builder.rules.catalogue import CatalogItem, Catalogue
from site_builder.rules.profiles import Policy
from site_builder.rules.rowcache import CacheFile, Unwritten
from site_builder.sources.loading import FileReport, SourceFile

if TYPE_CHECKING:
    from site_builder.rules.pipeline import Place, Reading

BATCH = 1000
"""Results sent at a time."""
MIN_BYTES = 8_000_000
"""Records files smaller than this in all (some 20,000 rows) are read in the build process: starting a reader
costs about half a second."""


@dataclass
class _Reader:
    """One reader process, its end of the pipe and what it sent that the build has not taken yet."""

    process: BaseProcess
    connection: Connection
    rows: deque[tuple[str, str, int, bytes]] = field(default_factory=deque)
    done: tuple[dict[str, list[FileReport]], int, Unwritten | None] | None = None

    def receive(self) -> None:
        """Take one message from the reader (rows are kept in order; an error it sends is raised)."""
        try:
            message = self.connection.recv_bytes()
        except (EOFError, OSError) as exc:
            self.process.join()
            raise BrokenProcessPool(f"the process reading the rows ended with exit code {self.process.exitcode}") from exc
        kind, body = marshal.loads(message)
        if kind == "rows":
            self.rows.extend(body)
        elif kind == "done":
            self.done = pickle.loads(body)
        else:
            raise pickle.loads(body)


def read_elsewhere(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date, reading: Reading,
                   cache: CacheFile, processes: int) -> Iterator[tuple[CatalogItem, Place, bytes]]:
    """What :func:`~site_builder.rules.pipeline.stored_results` gives, made in up to ``processes`` readers (each
    with the deciders it may start for many rows to decide, as many as the workers left over)."""
    context = multiprocessing.get_context("spawn")
    shares = share_out(catalogue, sources, processes)
    deciders = max(1, processes // max(1, len(shares)))
    readers: list[_Reader] = []
    owner: dict[str, _Reader] = {}
    try:
        for share in shares:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_read, name="site-builder reader", daemon=False,
                                      args=(sender, catalogue, policy, sources, as_of, cache, deciders, share))
            readers.append(_Reader(process, receiver))
            process.start()
            sender.close()
            owner |= dict.fromkeys(share, readers[-1])
        for item in catalogue.items:
            if item.id not in owner:
                continue
            one = owner[item.id]
            while True:
                while not one.rows and one.done is None:
                    _receive_any(readers)
                if not one.rows or one.rows[0][0] != item.id:
                    break
                _, file, line, value = one.rows.popleft()
                yield item, (file, line), value
        while any(r.done is None for r in readers):
            _receive_any(readers)
        finished = [r.done for r in readers if r.done is not None]
        item_reports = {item_id: reports for by_item, _, _ in finished for item_id, reports in by_item.items()}
        reading.reports += [report for item in catalogue.items for report in item_reports.get(item.id, ())]
        reading.cached += sum(cached for _, cached, _ in finished)
        cache.write(unwritten for _, _, unwritten in finished if unwritten is not None)
    finally:
        for one in readers:
            one.connection.close()
            if one.process.is_alive():
                one.process.terminate()
            one.process.join()


def _receive_any(readers: list[_Reader]) -> None:
    """One message from each reader still reading that has sent one, once one has."""
    for ready in wait([r.connection for r in readers if r.done is None]):
        next(r for r in readers if r.connection is ready).receive()


def share_out(catalogue: Catalogue, sources: list[SourceFile], readers: int) -> list[frozenset[str]]:
    """The items with files, in at most ``readers`` shares of about the same size of files: the largest item first,
    each to the share with the least so far (the first of those)."""
    sizes = {item.id: sum(file_size(s.path) for s in sources if s.item == item.id) for item in catalogue.items
             if any(s.item == item.id for s in sources)}
    shares: list[tuple[int, list[str]]] = [(0, []) for _ in range(max(1, min(readers, len(sizes))))]
    for item_id in sorted(sizes, key=lambda i: -sizes[i]):  # a stable sort: equal sizes in the catalogue's order
        smallest = min(range(len(shares)), key=lambda n: shares[n][0])
        total, items = shares[smallest]
        shares[smallest] = (total + sizes[item_id], [*items, item_id])
    return [frozenset(items) for _, items in shares if items]


def _read(sender: Connection, catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date,
          cache: CacheFile, processes: int, share: frozenset[str]) -> None:
    """In a reader: every result of the items of ``share``, sent in batches; then the reports by item, the number
    of cached rows and what is left to write to the cache."""
    from site_builder.rules.pipeline import Reading, stored_results

    fault_point("worker")
    reading = Reading()
    batch: list[tuple[str, str, int, bytes]] = []
    by_item: dict[str, list[FileReport]] = {}
    try:
        for item, (file, line), value in stored_results(catalogue, policy, sources, as_of, reading, cache, processes,
                                                        True, only=share, shared=True):
            batch.append((item.id, file, line, value))
            if len(batch) >= BATCH:
                sender.send_bytes(marshal.dumps(("rows", batch)))
                batch = []
        if batch:
            sender.send_bytes(marshal.dumps(("rows", batch)))
        for report in reading.reports:
            by_item.setdefault(report.source.item, []).append(report)
        sender.send_bytes(marshal.dumps(("done", pickle.dumps((by_item, reading.cached, reading.unwritten)))))
    except Exception as exc:  # noqa: BLE001 - every error goes to the build, which raises it
        try:
            error = pickle.dumps(exc)
            pickle.loads(error)
        except Exception:  # noqa: BLE001 - an error that does not survive pickling goes as its text
            error = pickle.dumps(BuildError(f"Reading the records failed: {type(exc).__name__}: {exc}"))
        sender.send_bytes(marshal.dumps(("error", error)))
    finally:
        sender.close()
