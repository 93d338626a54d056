"""Deciding rows in worker processes: the build reads the rows, workers validate, decide and redact them.

A build that decides many rows (the first build, a full build, a day on which many results change) spreads them
over ``[build] workers`` processes (:func:`site_builder.outputs.parallel.worker_count`). The build process reads
each file as before and sends its rows in batches of :data:`BATCH` to the workers, at most two batches per worker
at a time, and takes the results back in the order it sent them: the decision list, the published store and the
secrets are exactly those of deciding the rows in the build process (each row's result depends only on the row,
the item's repeated ids, the as-of date and the listed subjects, which every worker has).

Workers are started with ``spawn`` (a fresh interpreter, none of the build's locks or connections) and given the
catalogue, the profile, the as-of date and the listed subjects once; a batch carries its item's id and repeated
record ids with its rows. Results come back as entries of the decision cache (:func:`cache_entry`: the row's
digest, the result as :meth:`RowResult.to_bytes` and its check, made here rather than in the build process, which
reads every row and keeps every result). A worker that fails stops the build with the error it raised.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from site_builder.exceptions import BuildError
from site_builder.faults import fault_point
from site_builder.pools import Pool
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.disclosure import Listing
from site_builder.rules.profiles import Policy
from site_builder.rules.rowcache import CacheEntry
from site_builder.rules.validation import Validator
from site_builder.sources.loading import RawRow

BATCH = 1000
"""Rows sent to a worker at a time."""
MIN_ROWS = 20_000
"""An item with fewer rows to decide is decided in the build process (starting workers costs about a second)."""

Repeated = dict[str, list[str]]


class Deciders:
    """A pool of worker processes deciding rows for one build (started on first use)."""

    def __init__(self, catalogue: Catalogue, policy: Policy, as_of: date, listed: Mapping[str, Listing], processes: int) -> None:
        self.setup = (catalogue, policy, as_of, listed)
        self.processes = processes
        self._pool: Pool | None = None

    def decide(self, item: str, repeated: Repeated, rows: Iterable[RawRow]) -> Iterator[tuple[RawRow, CacheEntry]]:
        """Each of ``rows`` (of ``item``) with its result as an entry of the decision cache (:func:`cache_entry`), in
        order; the rows are read as the workers need them."""
        if self._pool is None:
            self._pool = Pool(self.processes, initializer=_start, initargs=self.setup)
        window: deque[tuple[list[RawRow], Future[list[CacheEntry]]]] = deque()
        batch: list[RawRow] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                window.append((batch, self._pool.submit(_decide, item, repeated, batch)))
                batch = []
                if len(window) > 2 * self.processes:
                    yield from _results(*window.popleft())
        if batch:
            window.append((batch, self._pool.submit(_decide, item, repeated, batch)))
        while window:
            yield from _results(*window.popleft())

    def close(self) -> None:
        """Stop the workers (the batches not started are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _results(rows: list[RawRow], future: Future[list[CacheEntry]]) -> Iterator[tuple[RawRow, CacheEntry]]:
    try:
        results = future.result()
    except BrokenProcessPool as exc:
        raise BuildError(f"A worker deciding rows stopped unexpectedly ({exc}); nothing was published") from exc
    yield from zip(rows, results, strict=True)


_setup: list[tuple[Catalogue, Policy, date, Mapping[str, Listing]]] = []
"""In a worker: what every row is decided with."""
_validators: dict[str, Validator] = {}
"""In a worker: one validator per item (its cell parsing remembers short cells; an item's repeated ids are the same
in every batch of one build)."""


def _start(catalogue: Catalogue, policy: Policy, as_of: date, listed: Mapping[str, Listing]) -> None:
    _setup[:] = [(catalogue, policy, as_of, listed)]


def _decide(item_id: str, repeated: Repeated, rows: list[RawRow]) -> list[CacheEntry]:
    """In a worker: the results of a batch of one item's rows."""
    from site_builder.rules.pipeline import decide_entry

    fault_point("worker")
    catalogue, policy, as_of, listed = _setup[0]
    item = catalogue[item_id]
    validator = _validators.get(item_id)
    if validator is None:
        validator = _validators[item_id] = Validator(item, repeated, policy.rule(item_id, item.period))
    return [decide_entry(row, item, validator, policy, as_of, listed) for row in rows]
