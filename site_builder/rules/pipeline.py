"""Load and decide: the one sequence that turns records files into decided rows.

``build``, ``explain``, the profile tests and ``verify`` (which needs only the rows) all go through
:func:`decide_rows` (or :func:`read_all`): read → validate → decide, with the two first passes a
decision depends on: which record ids more than one row claims (:func:`repeated_ids`), and which
subjects are on a serious-dishonesty list on the as-of date (:func:`listed_subjects`).

Rows stream through one at a time, items in catalogue order and files in name order, so the same
inputs always give the same sequence. Reading never changes a :class:`SourceFile`; the main pass
fills one :class:`FileReport` per file, which the manifest counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from site_builder.rules.catalogue import CatalogItem, Catalogue
from site_builder.rules.disclosure import Decision, decide
from site_builder.rules.periods import LIST_ITEM
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Quarantined, Record, Validator, id_key
from site_builder.sources.loading import FileReport, RawRow, SourceFile, read_rows


@dataclass(frozen=True)
class Outcome:
    """One input row after validation and (for a valid row) the disclosure decision."""

    item: CatalogItem
    raw: RawRow
    checked: Record | Quarantined
    decision: Decision | None


def decide_rows(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date,
                only_item: str | None = None, reports: list[FileReport] | None = None) -> Iterator[Outcome]:
    """Every input row of every item (or of ``only_item``), validated and decided on ``as_of``.

    ``reports``: if given, one :class:`FileReport` per file read is appended to it (what the
    manifest counts); the first passes are not reported.
    """
    listed = listed_subjects(catalogue, policy, sources, as_of)
    return process(catalogue, policy, sources, as_of, only_item, listed, reports)


def read_all(catalogue: Catalogue, sources: list[SourceFile],
             reports: list[FileReport] | None = None) -> Iterator[tuple[CatalogItem, RawRow]]:
    """Every raw row of every file, with its catalogue item (undecided: for collecting secrets)."""
    for source in sources:
        item = catalogue[source.item]
        report = FileReport(source)
        if reports is not None:
            reports.append(report)
        for raw in read_rows(source, item, report):
            yield item, raw


def process(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date,
            only_item: str | None = None, listed: frozenset[str] = frozenset(),
            reports: list[FileReport] | None = None) -> Iterator[Outcome]:
    """The main pass: every row validated and decided, given the subjects ``listed`` on ``as_of``."""
    for item in catalogue.items:
        if only_item and item.id != only_item:
            continue
        validator = Validator(item, repeated_ids(item, sources))
        for source in (s for s in sources if s.item == item.id):
            report = FileReport(source)
            if reports is not None:
                reports.append(report)
            for raw in read_rows(source, item, report):
                checked = validator.validate(raw)
                decision = decide(checked, item, policy, as_of, listed) if isinstance(checked, Record) else None
                yield Outcome(item, raw, checked, decision)


def repeated_ids(item: CatalogItem, sources: list[SourceFile]) -> dict[str, list[str]]:
    """Record ids (by :func:`~site_builder.rules.validation.id_key`) that several rows of ``item`` use, with each row's place.

    A first, cheap pass over the item's files: when two rows claim one id, no one can tell which is
    right, so neither may be published, even if the first looks approved and a later one withdraws it.
    """
    id_field = item.role("record_id") or "record_id"
    places: dict[str, list[str]] = {}
    for source in sources:
        if source.item != item.id:
            continue
        for raw in read_rows(source, item):
            key = id_key(raw.values.get(id_field, ""))
            if key and not raw.defects:
                places.setdefault(key, []).append(f"{raw.file}第{raw.row}行")
    return {key: where for key, where in places.items() if len(where) > 1}


def needs_listing(catalogue: Catalogue, policy: Policy) -> bool:
    """Whether some item's period (any version, the profile's or the catalogue's) extends while the
    subject is listed, or the profile suspends credit repair while it is (Zhejiang art. 32 ¶2)."""
    return policy.repair_not_while_listed or any(
        policy.rule(item.id, item.period).extend_while_listed for item in catalogue.items)


def listed_subjects(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date) -> frozenset[str]:
    """统一社会信用代码 of the subjects with a list entry published on ``as_of`` under ``policy``.

    Some regions keep adverse information public for as long as its subject stays listed (浙江省
    公共信用信息管理条例第十六条; period option ``extend_while_listed``), and some do not withdraw a
    repaired record while it is (第三十二条第二款; repair option ``not_while_listed``). Whether a subject
    is listed is itself a disclosure decision, so it is computed by a first pass over the list's
    rows, and the set is passed into :func:`~site_builder.rules.disclosure.decide` for every other
    record, which keeps the decision a pure function of its inputs.

    Empty when no rule depends on it (the list's files are then not read twice) or when the
    catalogue has no list item. A list entry that is quarantined, excluded, removed or expired
    does not count: the subject is listed only as far as the portal says so that day.
    """
    if LIST_ITEM not in catalogue.ids or not needs_listing(catalogue, policy):
        return frozenset()
    uscc = catalogue[LIST_ITEM].role("uscc")
    codes = set()
    for row in process(catalogue, policy, sources, as_of, only_item=LIST_ITEM):
        if isinstance(row.checked, Record) and row.decision is not None and row.decision.published:
            code = row.checked.get(uscc)
            if code:
                codes.add(str(code))
    return frozenset(codes)
