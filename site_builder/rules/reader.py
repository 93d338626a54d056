"""Reading rows in a second process: a warm build reads, digests and looks up its rows there while the build
process stores and ledgers the results.

A build after the first takes most rows' results from the decision cache (``rowcache.py``). That path is a
sequence of small steps per row, half of them in reading (parse the row, digest its cells, look the digest up,
check the result still holds) and half in using the result (the published store, the decision list, the
secrets). With ``[build] workers`` above one and records files of some size, the first half runs in one
*reader* process (started with ``spawn``, like every pool of the build) that owns the decision cache for the
build: it runs :func:`~site_builder.rules.pipeline.results` itself, deciding there (or in its own pool of
deciders) the rows whose result it does not find, and sends the results back in batches, in order. The build
process takes them as they come, so the two halves overlap.

The sequence of results, the reports and the count of cached rows are exactly those of reading in the build
process. An error raised in the reader reaches the build unchanged (or, if it cannot be sent, as a
:class:`BuildError` with its text); a reader that dies (killed, out of memory) raises :class:`BrokenProcessPool`,
which the build turns into one error line.
"""

from __future__ import annotations

import marshal
import multiprocessing
import pickle
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from site_builder.exceptions import BuildError
from site_builder.faults import fault_point
from site_builder.rules.catalogue import CatalogItem, Catalogue
from site_builder.rules.profiles import Policy
from site_builder.rules.rowcache import CacheFile
from site_builder.sources.loading import SourceFile

if TYPE_CHECKING:
    from site_builder.rules.pipeline import Place, Reading

BATCH = 1000
"""Results sent at a time."""
MIN_BYTES = 8_000_000
"""Records files smaller than this in all (some 20,000 rows) are read in the build process: starting the reader
costs about half a second."""


def read_elsewhere(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date, reading: Reading,
                   cache: CacheFile, processes: int) -> Iterator[tuple[CatalogItem, Place, bytes]]:
    """What :func:`~site_builder.rules.pipeline.stored_results` gives, made in a reader process (``processes``: the
    deciders it may start for many rows to decide)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_read, args=(sender, catalogue, policy, sources, as_of, cache, processes),
                              name="site-builder reader", daemon=False)
    process.start()
    sender.close()
    items = {item.id: item for item in catalogue.items}
    try:
        while True:
            try:
                message = receiver.recv_bytes()
            except (EOFError, OSError) as exc:
                process.join()
                raise BrokenProcessPool(f"the process reading the rows ended with exit code {process.exitcode}") from exc
            kind, body = marshal.loads(message)
            if kind == "rows":
                for item_id, file, line, value in body:
                    yield items[item_id], (file, line), value
            elif kind == "done":
                reports, cached = pickle.loads(body)
                reading.reports += reports
                reading.cached += cached
                return
            else:
                raise pickle.loads(body)
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()


def _read(sender: Connection, catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date,
          cache: CacheFile, processes: int) -> None:
    """In the reader: every row's result, sent in batches; then the reports and the number of cached rows."""
    from site_builder.rules.pipeline import Reading, stored_results

    fault_point("worker")
    reading = Reading()
    batch: list[tuple[str, str, int, bytes]] = []
    try:
        for item, (file, line), value in stored_results(catalogue, policy, sources, as_of, reading, cache, processes, True):
            batch.append((item.id, file, line, value))
            if len(batch) >= BATCH:
                sender.send_bytes(marshal.dumps(("rows", batch)))
                batch = []
        if batch:
            sender.send_bytes(marshal.dumps(("rows", batch)))
        sender.send_bytes(marshal.dumps(("done", pickle.dumps((reading.reports, reading.cached)))))
    except Exception as exc:  # noqa: BLE001 - every error goes to the build, which raises it
        try:
            error = pickle.dumps(exc)
            pickle.loads(error)
        except Exception:  # noqa: BLE001 - an error that does not survive pickling goes as its text
            error = pickle.dumps(BuildError(f"Reading the records failed: {type(exc).__name__}: {exc}"))
        sender.send_bytes(marshal.dumps(("error", error)))
    finally:
        sender.close()
