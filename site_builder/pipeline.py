"""The per-row stages shared by ``build`` and ``explain``: read → validate → decide.

Rows stream through one at a time, items in catalogue order and files in name order, so the
same inputs always give the same sequence (and the same duplicate-id verdicts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from site_builder.catalogue import CatalogItem, Catalogue
from site_builder.disclosure import Decision, decide
from site_builder.loading import RawRow, SourceFile, read_rows
from site_builder.profiles import Policy
from site_builder.validation import Quarantined, Record, Validator


@dataclass(frozen=True)
class Outcome:
    """One input row after validation and (for a valid row) the disclosure decision."""

    item: CatalogItem
    raw: RawRow
    checked: Record | Quarantined
    decision: Decision | None


def process(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date,
            only_item: str | None = None, listed: frozenset[str] = frozenset()) -> Iterator[Outcome]:
    """Every input row of every item (or of ``only_item``), validated and decided.

    ``listed``: subjects on a serious-dishonesty list on ``as_of``, from
    :func:`site_builder.listing.listed_subjects`, for periods that extend while a subject is listed.
    """
    for item in catalogue.items:
        if only_item and item.id != only_item:
            continue
        validator = Validator(item)
        for source in (s for s in sources if s.item == item.id):
            for raw in read_rows(source, item):
                checked = validator.validate(raw)
                decision = decide(checked, item, policy, as_of, listed) if isinstance(checked, Record) else None
                yield Outcome(item, raw, checked, decision)
