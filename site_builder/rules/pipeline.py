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

import dataclasses
from collections import deque
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from site_builder.pools import file_size
from site_builder.rules import reader
from site_builder.rules.catalogue import CatalogItem, Catalogue
from site_builder.rules.deciders import MIN_ROWS, Deciders
from site_builder.rules.disclosure import NOT_LISTED, Decision, Listing, decide
from site_builder.rules.parsed import Cells, Copies, Damaged, ParsedFiles, Row, materialise
from site_builder.rules.periods import LIST_ITEM
from site_builder.rules.privacy import row_secrets
from site_builder.rules.profiles import Policy
from site_builder.rules.redaction import lapse_date, redact
from site_builder.rules.rowcache import (
    CacheEntry,
    CacheFile,
    RowCache,
    RowResult,
    TracingDate,
    TracingListings,
    Unwritten,
    cache_entry,
    entry_value,
    ordinal,
    row_digest,
)
from site_builder.rules.validation import Problem, Quarantined, Record, Validator, id_key, roles
from site_builder.sources.loading import LAPSE_SAID, FileReport, RawRow, SourceFile, read_rows
from site_builder.store.published import store_line


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
            only_item: str | None = None, listed: Mapping[str, Listing] = NOT_LISTED,
            reports: list[FileReport] | None = None) -> Iterator[Outcome]:
    """The main pass: every row validated and decided, given the subjects ``listed`` on ``as_of``."""
    for item in catalogue.items:
        if only_item and item.id != only_item:
            continue
        validator = Validator(item, repeated_ids(item, sources), policy.rule(item.id, item.period))
        for source in (s for s in sources if s.item == item.id):
            report = FileReport(source)
            if reports is not None:
                reports.append(report)
            for raw in read_rows(source, item, report):
                checked = held(raw, validator.validate(raw), item, as_of)
                decision = decide(checked, item, policy, as_of, listed) if isinstance(checked, Record) else None
                yield Outcome(item, raw, checked, decision)


_LOOKUPS = 500
"""Rows looked up in the decision cache at a time."""
Place = tuple[str, int]
"""Where a row is: its file (``name!sheet`` for a later worksheet) and its line or row number."""


@dataclass
class Reading:
    """What reading the rows found besides their results: one report per file read, and the rows whose result
    was taken from the decision cache."""

    reports: list[FileReport] = field(default_factory=list)
    cached: int = 0
    unwritten: Unwritten | None = None
    """What a reader sharing the decision cache leaves to the build to write there (``reader.py``)."""


def results(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date, reading: Reading,
            cache: CacheFile | None = None, processes: int = 1) -> Iterator[tuple[CatalogItem, Place, RowResult]]:
    """What the build makes of every input row, in the order of :func:`decide_rows`: each row's result taken from
    the decision ``cache`` when it holds there (see ``rowcache.py``), else made and kept there.

    One :class:`FileReport` per file read is appended to ``reading.reports``. With results in the cache, an item's
    files are read once (:func:`_cached_item`), and each file as parsed is kept for the next build, which reads a
    file with the same bytes from there (``parsed.py``; once every file is read, the kept files of the others are
    removed); otherwise once too, each row decided as it is read and the rows whose record id others use decided
    again once the item's files are read (:func:`_decided_item`). Many rows to decide are decided by ``processes``
    worker processes (``deciders.py``); with results in the cache and ``processes`` above one, the rows of large files
    are read in up to ``processes`` reader processes side by side (``reader.py``).
    """
    warm = cache is not None and cache.warm()
    if warm and cache is not None and processes > 1 and sum(file_size(s.path) for s in sources) >= reader.MIN_BYTES:
        found = reader.read_elsewhere(catalogue, policy, sources, as_of, reading, cache, processes)
    else:
        found = stored_results(catalogue, policy, sources, as_of, reading, cache, processes, warm)
    for item, place, value in found:
        result = RowResult.from_bytes(value)
        assert result is not None
        yield item, place, result
    if cache is not None and cache.parsed is not None:
        ParsedFiles(cache.parsed, cache.key).prune(reading.reports)


def stored_results(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date, reading: Reading,
                   cache: CacheFile | None, processes: int, warm: bool, only: Container[str] | None = None,
                   shared: bool = False) -> Iterator[tuple[CatalogItem, Place, bytes]]:
    """:func:`results` read in this process, each result as :meth:`RowResult.to_bytes` (``warm``: the cache holds
    results); ``only``: the items to read (all by default). ``shared``: other processes read the cache at the same
    time, so nothing is written to it: what would be is left in ``reading.unwritten``."""
    listed = listed_subjects(catalogue, policy, sources, as_of)
    rows_cache = cache.open(shared) if cache is not None else None
    parsed = ParsedFiles(cache.parsed, cache.key) if cache is not None and cache.parsed is not None else None
    deciders = Deciders(catalogue, policy, as_of, listed, processes) if processes > 1 else None
    try:
        for item in catalogue.items:
            if only is not None and item.id not in only:
                continue
            files = [s for s in sources if s.item == item.id]
            found = _cached_item(item, files, policy, as_of, listed, rows_cache, deciders, parsed) \
                if warm and rows_cache is not None else None
            rows: Iterable[tuple[Place, bytes]]
            if found is not None:
                item_reports, rows = found
            else:
                item_reports = [FileReport(source) for source in files]
                rows = _decided_item(item, files, item_reports, policy, as_of, listed, rows_cache, deciders)
            reading.reports += item_reports
            for place, value in rows:
                yield item, place, value
        if rows_cache is not None:
            reading.cached = rows_cache.hits
            reading.unwritten = rows_cache.unwritten() if shared else None
            rows_cache.close()
            rows_cache = None
    finally:
        if deciders is not None:
            deciders.close()
        if rows_cache is not None:  # stopped early: what was decided is kept all the same
            rows_cache.close()


def _decided_item(item: CatalogItem, files: list[SourceFile], reports: list[FileReport], policy: Policy, as_of: date,
                  listed: Mapping[str, Listing], cache: RowCache | None, deciders: Deciders | None) -> Iterator[tuple[Place, bytes]]:
    """Every row of ``item`` decided (results kept in ``cache``), its files read once.

    Each row is decided as it is read (by ``deciders`` if the item has :data:`MIN_ROWS` rows or more), as if no other
    row used its record id, and a copy of it kept (:class:`Copies`). Once every row is read, the repeated ids are known
    (:func:`repeated_ids`): the rows that use one are decided again from their copies, their messages naming the
    others' places, and the results are given in order. Whether its own id is repeated is all a row's result depends
    on of the other rows (a validator that saw the id in an earlier row quarantines it, but that id is repeated), so
    the others' results are those of deciding with the repeated ids known."""
    id_field = item.role("record_id") or "record_id"
    copies = Copies(item.id)
    numbers: dict[str, list[int]] = {}
    """Record id -> the numbers of the rows without defects that use it (as :func:`repeated_ids` counts)."""

    def read() -> Iterator[RawRow]:
        for source, report in zip(files, reports, strict=True):
            for raw in read_rows(source, item, report):
                key = id_key(raw.values.get(id_field, ""))
                if key and not raw.quarantined:
                    numbers.setdefault(key, []).append(len(copies.places))
                copies.add(raw)
                yield raw

    rows = read()
    head = deque(islice(rows, MIN_ROWS))  # as many rows as it takes to tell whether the workers decide them
    decided: Iterable[tuple[RawRow, CacheEntry]]
    if deciders is not None and len(head) == MIN_ROWS:
        decided = deciders.decide(item.id, {}, _drained(head, rows))
    else:
        validator = Validator(item, {}, policy.rule(item.id, item.period))
        decided = ((raw, decide_entry(raw, item, validator, policy, as_of, listed)) for raw in _drained(head, rows))
    entries = [entry for _, entry in decided]
    repeated = {key: [_place(copies, number) for number in where] for key, where in numbers.items() if len(where) > 1}
    again = {number for key in repeated for number in numbers[key]}
    numbers.clear()
    if again:
        validator = Validator(item, repeated, policy.rule(item.id, item.period))
        for number in sorted(again):
            entries[number] = decide_entry(copies.raw(number), item, validator, policy, as_of, listed, entries[number][0])
    copies.chunks.clear()  # what is left to give needs only the rows' places
    for number, (entry, (label, line)) in enumerate(zip(entries, copies.places, strict=True)):
        if cache is not None and number not in again:  # else its message names the others
            cache.add(entry)
        yield (copies.names[label][0], line), entry_value(entry)


def _drained(head: deque[RawRow], rows: Iterator[RawRow]) -> Iterator[RawRow]:
    """The rows of ``head`` (let go as they are given), then the others."""
    while head:
        yield head.popleft()
    yield from rows


def _place(copies: Copies, number: int) -> str:
    """Where the row kept ``number``-th is, as a message names it (``file第3行``)."""
    label, line = copies.places[number]
    return f"{copies.names[label][0]}第{line}行"


def _cached_item(item: CatalogItem, files: list[SourceFile], policy: Policy, as_of: date, listed: Mapping[str, Listing],
                 cache: RowCache, deciders: Deciders | None,
                 parsed: ParsedFiles | None = None) -> tuple[list[FileReport], list[tuple[Place, bytes]]] | None:
    """Every row of ``item``, its files read once (from what ``parsed`` kept of a file with the same bytes, if it
    did: ``parsed.py``): a row whose result holds in ``cache`` keeps it, the others are decided once the repeated ids
    are known; their reports and results, in order.

    ``None`` (nothing kept from this read) if a row whose result was found turns out to share its record id with
    another row: its result must be made again from its cells, which this read does not keep; or if a kept file
    no longer reads back when a row's cells are taken from it.
    """
    day = as_of.toordinal()
    id_field = item.role("record_id") or "record_id"
    reports = [FileReport(source) for source in files]
    rows: list[tuple[Place, bytes | RawRow | Cells, bytes]] = []
    places: dict[str, list[str]] = {}
    found_ids: set[str] = set()
    batch: list[tuple[Place, RawRow | Cells, str, bytes]] = []

    def look_up() -> None:
        found = cache.get_many([digest for _, _, _, digest in batch], day, listed)
        for place, raw, key, digest in batch:
            value = found.get(digest)
            if value is not None:
                rows.append((place, value, digest))
                found_ids.add(key)
            else:
                rows.append((place, raw, digest))
        batch.clear()

    for source, report in zip(files, reports, strict=True):
        read = parsed.read(source, item, report, id_field) if parsed is not None else _read(source, item, report, id_field)
        for label, line, key, defects, digest, raw in read:
            if key and not defects:
                places.setdefault(key, []).append(f"{label}第{line}行")
            batch.append(((label, line), raw, key, digest))
            if len(batch) >= _LOOKUPS:
                look_up()
    look_up()
    repeated = {key: where for key, where in places.items() if len(where) > 1}
    if not found_ids.isdisjoint(repeated):
        return None
    try:
        ready = [(place, row if isinstance(row, bytes) else materialise(row), digest) for place, row, digest in rows]
    except Damaged:  # a kept file changed since it was read: read the item's files again
        return None
    pending = [row for _, row, _ in ready if isinstance(row, RawRow)]
    cache.hits += len(ready) - len(pending)
    fresh: Iterator[CacheEntry]
    if deciders is not None and len(pending) >= MIN_ROWS:
        fresh = (entry for _, entry in deciders.decide(item.id, repeated, pending))
    else:
        validator = Validator(item, repeated, policy.rule(item.id, item.period))
        fresh = (decide_entry(raw, item, validator, policy, as_of, listed, digest) for _, raw, digest in ready
                 if isinstance(raw, RawRow))
    decided: list[tuple[Place, bytes]] = []
    for place, row, _digest in ready:
        if isinstance(row, bytes):
            decided.append((place, row))
            continue
        entry = next(fresh)
        if not repeated or id_key(row.values.get(id_field, "")) not in repeated:  # else its message names the others
            cache.add(entry)
        decided.append((place, entry_value(entry)))
    return reports, decided


def _read(source: SourceFile, item: CatalogItem, report: FileReport, id_field: str) -> Iterator[Row]:
    """The rows of ``source`` as :meth:`ParsedFiles.read` gives them, read from the file (no kept files)."""
    for raw in read_rows(source, item, report):
        yield raw.file, raw.row, id_key(raw.values.get(id_field, "")), raw.quarantined, row_digest(raw), raw


def decide_entry(raw: RawRow, item: CatalogItem, validator: Validator, policy: Policy, as_of: date,
                 listed: Mapping[str, Listing], digest: bytes | None = None) -> CacheEntry:
    """:func:`decide_row` as an entry of the decision cache (:func:`cache_entry`; ``digest``: the row's
    :func:`row_digest`, if known)."""
    return cache_entry(row_digest(raw) if digest is None else digest, decide_row(raw, item, validator, policy, as_of, listed))


def decide_row(raw: RawRow, item: CatalogItem, validator: Validator, policy: Policy, as_of: date,
               listed: Mapping[str, Listing]) -> RowResult:
    """One row validated, decided on ``as_of`` and (if published) redacted, with the secrets it holds and the as-of
    dates and list answers under which the result holds."""
    traced, asked = TracingDate(as_of), TracingListings(listed)
    checked = held(raw, validator.validate(raw), item, traced)
    secrets = row_secrets(raw, item)
    day = as_of.toordinal()
    if isinstance(checked, Quarantined):  # held by a lapse said: until the day after its 有效期至 (traced.changes)
        problems = tuple((p.column, p.type, p.message) for p in checked.problems)
        return RowResult(checked.record_id, problems, "", 0, 0, False, None, secrets, day, ordinal(traced.changes), ())
    decision = decide(checked, item, policy, traced, asked)
    stored = store_line(redact(checked, item, decision, traced)) if decision.published else None
    return RowResult(checked.record_id, (), decision.outcome, ordinal(decision.start), ordinal(decision.until), decision.marked,
                     stored, secrets, day, ordinal(traced.changes), tuple(sorted(asked.asked.items())))


def held(raw: RawRow, checked: Record | Quarantined, item: CatalogItem, as_of: date) -> Record | Quarantined:
    """``checked`` (the validator's result for ``raw``), or the quarantine entry of a record whose reader's defects say
    its licence lapsed (:data:`~site_builder.sources.loading.LAPSE_SAID`: 许可状态 已过期 beside 当前状态 有效) while the
    lapsing state's 有效期至 (:func:`~site_builder.rules.redaction.lapse_date`, as the portal reads it) has not passed
    on ``as_of``: a licence cannot have lapsed before it, and the two columns disagree. Once it has passed they agree,
    and the record is decided (shown 有效期届满: :func:`~site_builder.rules.redaction.lapsed`). The date is compared
    with ``as_of`` first (a :class:`~site_builder.rules.rowcache.TracingDate` notes the day after the 有效期至, on
    which the row is decided again)."""
    said = [(column, message) for column, kind, message in raw.defects if kind == LAPSE_SAID]
    if not said or not isinstance(checked, Record):
        return checked
    specs = [spec for spec in item.fields if spec.lapses is not None]
    untils = [day for spec in specs if (day := lapse_date(item, spec, checked.get)) is not None]
    if untils and all(as_of > until for until in untils):
        return checked
    problems = tuple(Problem(column, "unmapped-column", message) for column, message in said)
    return Quarantined(checked.item, checked.file, checked.row, checked.record_id, problems)


def repeated_ids(item: CatalogItem, sources: list[SourceFile]) -> dict[str, list[str]]:
    """Record ids (by :func:`~site_builder.rules.validation.id_key`) that several rows of ``item`` use, with each row's place.

    A first, cheap pass over the item's files: when two rows claim one id, no one can tell which is
    right, so neither may be published, even if the first looks approved and a later one withdraws it.
    """
    return _first_pass(item, sources)[0]


def _first_pass(item: CatalogItem, sources: list[SourceFile]) -> tuple[dict[str, list[str]], int]:
    """:func:`repeated_ids`, and the number of ``item``'s rows."""
    id_field = item.role("record_id") or "record_id"
    places: dict[str, list[str]] = {}
    count = 0
    for source in sources:
        if source.item != item.id:
            continue
        for raw in read_rows(source, item, fields=(id_field,)):
            count += 1
            key = id_key(raw.values.get(id_field, ""))
            if key and not raw.quarantined:
                places.setdefault(key, []).append(f"{raw.file}第{raw.row}行")
    return {key: where for key, where in places.items() if len(where) > 1}, count


def needs_listing(catalogue: Catalogue, policy: Policy) -> bool:
    """Whether some item's period (any version, the profile's or the catalogue's) extends while the
    subject is listed, or the profile suspends credit repair while it is (Zhejiang art. 32 ¶2)."""
    return policy.repair_not_while_listed or any(
        policy.rule(item.id, item.period).extend_while_listed for item in catalogue.items)


_STILL_LISTED = {"objection_pending"}
"""Reasons a list entry is kept off the portal while the subject is still on the list, as the portal may say: an
objection pending (the entry stands until it is decided). Not an entry not for the public (授权查询, 政务共享): the
records it would extend would carry its dates (公示至 its 有效期至) and say that their subject is listed, which the
portal may not (Dalian art. 9)."""


def listed_subjects(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date) -> dict[str, Listing]:
    """By 统一社会信用代码, when each subject with a list entry is on a serious-dishonesty list, as the entries say on
    ``as_of`` under ``policy``.

    Some regions keep adverse information public for as long as its subject stays listed (浙江省
    公共信用信息管理条例第十六条; period option ``extend_while_listed``), and some do not withdraw a
    repaired record while it is (第三十二条第二款; repair option ``not_while_listed``). Whether a subject
    is listed is itself a disclosure decision, so it is computed by a first pass over the list's
    rows, and the listings are passed into :func:`~site_builder.rules.disclosure.decide` for every other
    record, which keeps the decision a pure function of its inputs. A listing keeps the days of entries that have
    ended too: a repair that took effect before a listing began stands, and a period that ended before it is not
    taken up again.

    Empty when no rule depends on it (the list's files are then not read twice) or when the
    catalogue has no list item. An approved, public entry counts from its first to its last public day: published, or
    kept off the portal only because an objection to it is pending (the entry stands until the objection is decided),
    or ended since (removed, expired, repaired), or from a later day (as it will be on its first day). An entry
    quarantined, not approved, found wrong on objection or not for the public (授权查询, 政务共享: :data:`_STILL_LISTED`)
    does not count.
    """
    if LIST_ITEM not in catalogue.ids or not needs_listing(catalogue, policy):
        return {}
    item = catalogue[LIST_ITEM]
    uscc = item.role("uscc")
    found: dict[str, set[tuple[int, int]]] = {}
    for row in process(catalogue, policy, sources, as_of, only_item=LIST_ITEM):
        if not isinstance(row.checked, Record) or row.decision is None:
            continue
        decision = row.decision
        if decision.outcome in _STILL_LISTED:
            decision = decide(_as_if_public(row.checked, item), item, policy, as_of)
        if decision.reason == "not_started" and decision.start is not None:
            # Listed from a later day: as the entry will be then (a period that the listing will take up ends with it).
            decision = decide(_as_if_public(row.checked, item), item, policy, decision.start)
        code = row.checked.get(uscc)
        if code and decision.start is not None and (decision.published or decision.reason in _ENDED) and (
                decision.until is None or decision.until >= decision.start):
            until = decision.until.toordinal() if decision.until is not None else 0
            found.setdefault(str(code), set()).add((decision.start.toordinal(), until))
    return {code: tuple(sorted(days)) for code, days in sorted(found.items())}


_ENDED = {"removed", "expired", "repaired"}
"""Reasons of a list entry that was in force and has ended."""


def _as_if_public(entry: Record, item: CatalogItem) -> Record:
    """A list entry as the portal would decide it if it were for the public and no objection to it were pending: in
    force (listed) if that publishes it."""
    role = roles(item)
    values = dict(entry.values)
    if role.get("disclosure_level"):
        values[role["disclosure_level"]] = "public"
    if values.get(role.get("objection_status") or "") in ("pending", None):
        values.pop(role.get("objection_status") or "", None)
        values.pop(role.get("objection_date") or "", None)
    return dataclasses.replace(entry, values=values)
