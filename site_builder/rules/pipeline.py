"""The per-row stages shared by ``build`` and ``explain``: read → validate → decide.

Rows stream through one at a time, items in catalogue order and files in name order, so the
same inputs always give the same sequence (and the same duplicate-id verdicts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from site_builder.rules.catalogue import CatalogItem, Catalogue
from site_builder.rules.disclosure import Decision, decide
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Quarantined, Record, Validator, id_key
from site_builder.sources.loading import RawRow, SourceFile, read_rows


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
        validator = Validator(item, repeated_ids(item, sources))
        for source in (s for s in sources if s.item == item.id):
            for raw in read_rows(source, item):
                checked = validator.validate(raw)
                decision = decide(checked, item, policy, as_of, listed) if isinstance(checked, Record) else None
                yield Outcome(item, raw, checked, decision)


def repeated_ids(item: CatalogItem, sources: list[SourceFile]) -> dict[str, list[str]]:
    """Record ids (by :func:`~site_builder.validation.id_key`) that several rows of ``item`` use, with each row's place.

    A first, cheap pass over the item's files (fresh :class:`SourceFile` copies, so the main pass
    counts rows once): when two rows claim one id, no one can tell which is right, so neither may be
    published, even if the first looks approved and the later one withdraws it.
    """
    id_field = item.role("record_id") or "record_id"
    places: dict[str, list[str]] = {}
    for source in sources:
        if source.item != item.id:
            continue
        for raw in read_rows(SourceFile(source.item, source.path, source.name), item):
            key = id_key(raw.values.get(id_field, ""))
            if key and not raw.defects:
                places.setdefault(key, []).append(f"{raw.file}第{raw.row}行")
    return {key: where for key, where in places.items() if len(where) > 1}
