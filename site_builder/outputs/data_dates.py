"""The dates the download folder's files show: the dates of their data, never the build's as-of date (issue 13).

A data file keeps its bytes from one build to the next only while everything it shows stays the same, so a date that
moves every day (the as-of date) would make every workbook, descriptor and zip new every night. Every date a file of
``data/`` shows therefore describes the records it holds:

- an item's date (**modified**) is the latest day on which one of its records first appeared on the site, changed, or
  was withdrawn: the latest ``last_changed`` of its published records (``store/published.py``; a record's
  ``last_changed`` is never before its ``first_published``), and the day each of its withdrawn records went, read from
  the running build's record state (``audit/changes.py``, which keeps that day for every record no longer published);
  it moves forward only, and only on a day its data changes;
- a year's file of an item published by year is dated by the latest ``last_changed`` of that year's records (a
  withdrawal is not dated by year: the record state keeps no decision date);
- the package of everything is dated by the latest of its items' dates;
- an item that never had a record is dated by the **baseline** build's as-of date (the first build of the site's change
  history: the same every day; outside a build, which has no history, the as-of date);
- an item's **issued** date is the first day one of its records appeared (withdrawn records included), if any did.

The site's as-of date is shown where it changes every day anyway: ``manifest.json``, the home page and the download
page (``data/index.html``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date

from site_builder.audit.layout import BuildRecord
from site_builder.exceptions import AuditError
from site_builder.outputs.site import Site
from site_builder.store.published import PublishedStore, connect_readonly


@dataclass(frozen=True)
class DataDates:
    """When each item's published data first appeared and last changed, and the date of an item without any."""

    items: tuple[str, ...]
    """The catalogue's item ids (the package of everything holds them all)."""
    fallback: date
    """The date of an item that never had a record: the baseline build's as-of date."""
    modified: dict[str, date] = field(default_factory=dict)
    """Per item with a record now or before: the latest day one of its records appeared, changed or was withdrawn."""
    issued: dict[str, date] = field(default_factory=dict)
    """Per item with a record now or before: the first day one of its records appeared."""

    def of(self, item: str | None) -> date:
        """The date the files of ``item`` show (``None``: the package of everything): when its data last changed."""
        if item is None:
            return max((self.of(i) for i in self.items), default=self.fallback)
        return self.modified.get(item, self.fallback)

    def first(self, item: str | None) -> date | None:
        """The day the first record of ``item`` (``None``: of any item) appeared on the site; ``None``: none ever did."""
        if item is None:
            return min(self.issued.values(), default=None)
        return self.issued.get(item)


def data_dates(site: Site) -> DataDates:
    """The dates of every item's data in this build (two queries, neither reading a record)."""
    fallback = site.changes.baseline_as_of if site.changes is not None else site.as_of
    modified: dict[str, date] = {}
    issued: dict[str, date] = {}

    def note(item: str, first: str, last: str) -> None:
        if first:
            issued[item] = min(issued.get(item, date.max), date.fromisoformat(first))
        if last:
            modified[item] = max(modified.get(item, date.min), date.fromisoformat(last))

    for item, (first, last) in site.store.item_dates().items():
        note(item, first, last)
    if site.changes is not None:  # a build: its record state holds the records withdrawn, with the day each went
        for item, first, went in withdrawals(site.store):
            note(item, first, went)
    return DataDates(tuple(site.catalogue.ids), fallback, modified, issued)


def withdrawals(store: PublishedStore) -> list[tuple[str, str, str]]:
    """Per item, the first ``first_published`` and the last day withdrawn of the records no longer published, from the
    record state the running build wrote beside its store (none if there is no such file)."""
    state = BuildRecord(store.path.parent).record_state
    if not state.is_file():
        return []
    db = connect_readonly(state)
    try:
        rows = db.execute("SELECT item, min(first_published), max(withdrawn) FROM record WHERE withdrawn IS NOT NULL "
                          "GROUP BY item")
        return [(str(item), str(first or ""), str(went or "")) for item, first, went in rows]
    except sqlite3.Error as exc:
        raise AuditError(f"{state}: cannot be read as a record state ({exc})") from exc
    finally:
        db.close()
