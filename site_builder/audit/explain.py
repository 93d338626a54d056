"""Why a record is or is not published on a date, and until when.

The answer comes from the site live that day: the last build published by the end of the day (the audit journal's time,
Asia/Shanghai), whatever its as-of date (:mod:`site_builder.audit.timeline`), and from each build published that day,
in order. It names when that build went live and its as-of date; where the build made for the day's date (back-filled,
published after it) differs, its answer follows, labelled as a comparison. A record the build did not publish that once
was on the site names its legal last day and the build with which it left the site; a record never on any site is said
never to have been. For a day after the build's date, what the rules say of that day, where it differs (a period that
had ended: the site was due a rebuild), is a labelled note, never the answer. Before the first build went live nothing
was public: the answer says so first, and what the build made for the date (or the current records) decided follows.

The audit history is checked first (the chain whole, its ids and dates, the site's chain, the journal's signed lines with
the trusted key ``signing.public_key`` or else the keys the chain names, the last build and each build answered from
against their hashes, the kept signatures of signed builds); a history that fails is refused. A journal missing,
emptied or cut, from its end or before the lines of a later build (``JournalCheck.cut``), is not refused: the builds'
kept manifests and decisions still say what each decided, and the answers carry a warning that when those builds went
live is not known (``explain`` exits 1).

Record ids are matched as the duplicate rule compares them (:func:`validation.id_key`: case, width, spaces), so
``explain ap-000030`` finds ``AP-000030``; each answer names the id as the row spells it.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from site_builder.audit import history
from site_builder.audit.changes import CLASS_TITLES, Change, read_change_set
from site_builder.audit.layout import ABANDONED, AuditFolder, BuildRecord
from site_builder.audit.signing import load_public_key
from site_builder.audit.timeline import (
    Live,
    dated_for,
    live_on,
    publication_times,
    replaced_by,
    timeline,
)
from site_builder.audit.verify import (
    JournalCheck,
    archived_signature_problems,
    build_record_problems,
    chain_keys,
    change_set_problem,
    journal_check,
)
from site_builder.config import Config
from site_builder.exceptions import AuditError
from site_builder.inputs import load_inputs
from site_builder.outputs.tables import read_cell
from site_builder.rules.disclosure import REASONS
from site_builder.rules.pipeline import decide_rows
from site_builder.rules.validation import Quarantined, id_key

NO_SITE = "not public: no site yet"
NOT_IN_INPUT_OUTCOME = "not in the input"
NOT_ON_SITE = frozenset({NO_SITE, NOT_IN_INPUT_OUTCOME})
"""Outcomes saying that no site live that day had the record (``explain`` then exits 1)."""
WITHDRAWN = "withdrawn"
"""The outcome of a record whose row had left the live build's input, answered from the change sets (the build with
which it left the site): no reason code (a row decided is answered by its own reason)."""
NOT_PUBLIC = NOT_ON_SITE | {WITHDRAWN}
"""Outcomes for which ``explain`` exits 1 when every answer (not a comparison) has one: no site live that day had the
record, or its row had left the live build's input (the exit-code table of the operator guide). A row the live build
decided not to publish exits 0: the site had the record, and says why it was not shown."""


@dataclass(frozen=True)
class Explanation:
    """The fate of one row with the given record id."""

    item: str
    record_id: str
    outcome: str
    """``published``, a reason code, ``quarantined``, or one of :data:`NOT_ON_SITE`."""
    detail: str
    start: str
    until: str
    file: str
    row: int
    source: str
    """Where the answer comes from: a build id and when it was live, or the current records."""
    left: str = ""
    """For a record not published by the build that once was: the build with which it left the site, and when."""
    shown: bool | None = None
    """Whether a build up to this one had it on the site (``None``: not known, an answer from the current records)."""
    notes: tuple[str, ...] = ()
    """Further lines, each labelled (what the rules say of the day where the site was due a rebuild)."""
    comparison: bool = False
    """Not the answer to "was it public": the build made for the date, published after it, or the current records."""
    warning: str = ""
    """Why the answer may not be what the site showed: the journal that says when builds went live is missing, empty or
    lacks lines it had (cut from its end, or cut and built on: ``explain`` then exits 1)."""

    def lines(self) -> list[str]:
        """Human-readable lines."""
        head = f"{self.item} {self.record_id}{f' ({self.file}, row {self.row})' if self.file else ''}: {self.outcome}"
        if self.comparison:
            head = f"for comparison, not what the site showed: {head}"
        said = (f"warning: {self.warning}" if self.warning else "", self.detail, self._when(), f"source: {self.source}",
                *self.notes)
        return [head, *(f"  {text}" for text in said if text)]

    def _when(self) -> str:
        if self.outcome == "published":
            return f"public from {self.start} " + (f"through {self.until} (its legal last day)" if self.until
                                                   else "with no end (long-term)")
        if self.left:
            return (f"was on the site from {self.start or '(unknown)'}"
                    f"{f'; its legal last day was {self.until}' if self.until else ''}; {self.left}")
        if self.shown is False and self.outcome not in NOT_ON_SITE and self.outcome != "quarantined":
            period = ""
            if self.start and self.until and self.start <= self.until:
                period = f"; its period under the rule: {self.start} through {self.until}"
            elif self.until:
                period = f"; its period under the rule ended on {self.until}"
            return f"never on the site up to this build{period}"
        if self.shown is None and self.until and self.outcome not in NOT_ON_SITE and self.start <= self.until:
            return f"its period under the rule: {self.start or '(no start)'} through {self.until}"
        return ""


def explain(config: Config, record_id: str, as_of: date, item: str | None = None,
            profile: str | None = None) -> list[Explanation]:
    """Every row whose id is ``record_id`` in any spelling (of ``item`` if given), as decided on ``as_of``; the row
    spelt as asked first. ``profile``: the disclosure profile to decide under where no build answers (default: the
    site's, :func:`site_profile`)."""
    return sorted(_explain(config, id_key(record_id), as_of, item, profile),
                  key=lambda answer: (answer.comparison, answer.record_id != record_id.strip()))


def _explain(config: Config, key: str, as_of: date, item: str | None, profile: str | None = None) -> list[Explanation]:
    root = config.paths.audit
    chain = history.read_chain(root)
    pending = history.read_pending(root)
    if pending is not None and _output_chain(config) == [*chain, pending]:
        chain = [*chain, pending]  # killed after it switched the site: live since then, until the next build settles it
    problems = history_problems(config, chain)
    if problems:
        raise AuditError(f"The audit history fails its check: {problems[0]}"
                         f"{f' (and {len(problems) - 1} more)' if len(problems) > 1 else ''}; it cannot answer. "
                         "Restore the audit folder from a backup (site-builder verify --audit checks it all)")
    journal = journal_check(root, chain, load_public_key(config.signing.public_key) if config.signing.public_key else None)
    if journal.problem:  # the times it answers by: an edited publication time would move which site was live
        raise AuditError(f"The audit journal fails its check: {journal.problem}; it cannot answer. Restore the audit "
                         "folder from a backup (site-builder verify --audit checks it all)")
    if chain:
        _check_build(root, chain, chain[-1])
    builds = timeline(chain, publication_times(root))
    warning = _journal_warning(journal, AuditFolder(root).journal, builds, as_of)
    live, dated = live_on(builds, as_of), dated_for(builds, as_of)
    for build in [*live, *([dated] if dated else [])]:  # an answer from files that fail their check would be no answer
        _check_build(root, chain, build.entry)
    answers = _answers_of(config, root, chain, builds, live, dated, key, item, as_of, profile)
    return [dataclasses.replace(answer, warning=warning) for answer in answers] if warning else answers


def journal_warning(config: Config, as_of: date) -> str:
    """What an answer for ``as_of`` must say of the journal (:func:`_journal_warning`): for the caller that found no
    answer, whose message names the builds live that day."""
    root = config.paths.audit
    chain = history.read_chain(root)
    journal = journal_check(root, chain, load_public_key(config.signing.public_key) if config.signing.public_key else None)
    return _journal_warning(journal, AuditFolder(root).journal, timeline(chain, publication_times(root)), as_of)


def _journal_warning(journal: JournalCheck, path: Path, builds: list[Live], as_of: date) -> str:
    """What an answer for ``as_of`` must say when the journal is missing, empty, cut from its end, or cut and then built
    on (``journal.cut``: the builds whose publication it no longer tells), or ``""``: nothing was cut, or the day is
    outside every stretch of days a build whose line is gone may have gone live in: from the day the build before it
    went live through the day the next build the journal tells of went live (the answer stands). The builds' kept
    manifests and decisions, checked against the chain, still say what each decided; only when each went live is not
    known."""
    if not journal.cut or not any(_unsure(builds, index, as_of, journal.cut) for index, build in enumerate(builds)
                                  if build.entry.build_id in journal.cut):
        return ""
    ids = ", ".join(journal.cut) if len(journal.cut) <= 3 else f"{journal.cut[0]} to {journal.cut[-1]}"
    if journal.empty:
        said = "is missing or empty"
    elif journal.within:
        said = f"lacks the lines of build(s) {ids} (cut or removed, then built on)"
    else:
        said = f"was cut from its end (it ends before the publication of {ids})"
    return (f"the audit journal {path} {said}: when build(s) {ids} went live is not known (each is taken as published "
            f"on its as-of date, or when it was prepared, never before the build before it), so this may not be what "
            f"the site showed on {as_of}. verify --audit fails; restore the journal from a backup")


def _unsure(builds: list[Live], index: int, as_of: date, cut: tuple[str, ...]) -> bool:
    """Whether ``builds[index]``, a build whose line the journal lost (``cut``), may have gone live by ``as_of`` while
    another build was taken as live: ``as_of`` is on or after the day the build before it went live, and on or before
    the day the next build the journal tells of went live (on that day, before it)."""
    if index and as_of < builds[index - 1].day:
        return False
    after = next((build for build in builds[index + 1:] if build.entry.build_id not in cut), None)
    return after is None or as_of <= after.day


def _answers_of(config: Config, root: Path, chain: list[history.ChainEntry], builds: list[Live], live: list[Live],
                dated: Live | None, key: str, item: str | None, as_of: date, profile: str | None) -> list[Explanation]:
    """The answers of the builds ``live`` on ``as_of`` and the comparisons (the build ``dated`` for it, or the current
    records before any build)."""
    audit = AuditFolder(root)
    found: list[Explanation] = []
    for build in live:
        found += _answers(audit, builds, build, key, item, as_of)
    known = next((answer for answer in found if answer.outcome not in NOT_ON_SITE), None)
    found = [answer if answer.outcome != NOT_IN_INPUT_OUTCOME or known is None
             else dataclasses.replace(answer, item=known.item, record_id=known.record_id) for answer in found]
    lacking = len(live) == 1 and known is None  # the only build the site had that day did not have it
    comparison: list[Explanation] = []
    if dated is not None and dated not in live:
        comparison = [dataclasses.replace(answer, comparison=True) for answer in
                      _answers(audit, builds, dated, key, item, as_of, live=False) if answer.outcome not in NOT_ON_SITE]
    elif dated is None and not live:
        chosen = profile or site_profile(root, chain, as_of)
        if chosen and chosen != config.disclosure.profile:
            config = dataclasses.replace(config, disclosure=dataclasses.replace(config.disclosure, profile=chosen))
        comparison = [dataclasses.replace(answer, comparison=True) for answer in _from_records(config, key, as_of, item)]
    if lacking:  # said first where a comparison follows (a back-filled build had it); else the caller says so
        found = [dataclasses.replace(answer, item=comparison[0].item, record_id=comparison[0].record_id)
                 for answer in found] if comparison else []
    if not live:
        first = builds[0] if builds else None
        why = (f"no site yet: the first build, {first.entry.build_id} (as of {first.entry.as_of}), was {first.when()}"
               if first else "no site was ever built (the audit history is empty)")
        found = [Explanation(answer.item, answer.record_id, NO_SITE, f"nothing was public on {as_of}: {why}", "", "", "",
                             0, f"the audit journal ({AuditFolder(root).journal})") for answer in comparison[:1]]
    return found + comparison


def _answers(audit: AuditFolder, builds: list[Live], build: Live, key: str, item: str | None, as_of: date,
             live: bool = True) -> list[Explanation]:
    """What ``build`` said of the record: its decisions, and, for a spelling it did not decide, its withdrawal."""
    entry = build.entry
    upto = [b.entry for b in builds[:builds.index(build) + 1]]
    when = build.when()
    if live:
        after = replaced_by(builds, build)
        until = f", live until {after.when().removeprefix('published ')} (build {after.entry.build_id})" if after else \
            ", the last build"
        source = f"audit history, build {entry.build_id} (as of {entry.as_of}): the site live on {as_of}; {when}{until}"
    else:
        source = (f"audit history, build {entry.build_id}, made for the date {entry.as_of} but {when}, after {as_of}: "
                  f"not the site live on {as_of}")
    last = _last_changes(audit, upto, key, item)
    times = {b.entry.build_id: b for b in builds}
    decided = _from_audit(audit.build(entry.build_id), source, key, item)
    found = []
    for answer in decided:
        latest = last.get((answer.item, answer.record_id))
        if answer.outcome == "published" or answer.outcome == "quarantined":
            found.append(answer)
        elif latest is not None and latest[1].kind == "withdrawn":
            found.append(dataclasses.replace(answer, start=latest[1].first_published.isoformat(),
                                             left=_left(latest[0], times), shown=True))
        else:
            found.append(dataclasses.replace(answer, shown=False))
    notes = _rule_notes(build, as_of) if live else ()
    found = [dataclasses.replace(answer, notes=notes(answer)) if notes else answer for answer in found]
    spelt = {(answer.item, answer.record_id) for answer in decided}
    for (change_item, record_id), (left, change) in last.items():
        if (change_item, record_id) not in spelt and change.kind == "withdrawn":
            detail = (f"no row of it in this build's input; off the site since build {left.build_id} (as of "
                      f"{left.as_of}): {CLASS_TITLES.get(change.reason, change.reason)}")
            found.append(Explanation(change.item, change.record_id, WITHDRAWN, detail, change.first_published.isoformat(),
                                     "", "", 0, source, left=_left(left, times), shown=True))
    if not found:
        found = [Explanation("", "", NOT_IN_INPUT_OUTCOME, NOT_IN_INPUT, "", "", "", 0, source)]
    return found


def _left(entry: history.ChainEntry, times: Mapping[str, Live]) -> str:
    """The build with which a record left the site, and when that build was published."""
    build = times.get(entry.build_id)
    return f"left the site with build {entry.build_id} (as of {entry.as_of}), {build.when() if build else ''}".rstrip(", ")


def _rule_notes(build: Live, as_of: date) -> Callable[[Explanation], tuple[str, ...]] | None:
    """For a day after the live build's date: what the rules say of that day where it differs from what the build
    said (its period had ended, or begun), labelled as such: never the answer to "was it public"."""
    made = date.fromisoformat(build.entry.as_of)
    if as_of <= made:
        return None

    def notes(answer: Explanation) -> tuple[str, ...]:
        label = f"what the rules say of {as_of} (not what the site showed):"
        if answer.outcome == "published" and answer.until and answer.until < as_of.isoformat():
            return (f"{label} its period ended on {answer.until}: the site (as of {build.entry.as_of}) was due a rebuild",)
        if answer.outcome == "not_started" and answer.start and answer.start <= as_of.isoformat():
            return (f"{label} its period began on {answer.start}: the site (as of {build.entry.as_of}) was due a rebuild",)
        return ()
    return notes


def history_problems(config: Config, chain: list[history.ChainEntry]) -> list[str]:
    """The audit chain checked as ``explain`` needs it, without reading every build's files (``verify --audit`` does):
    whole and linked, each entry's build id that of its sequence and date, each build's manifest kept, the output's
    chain (if the output is there) a beginning of it, and no chain missing from an audit folder that keeps builds."""
    folder = AuditFolder(config.paths.audit)
    where = folder.chain.as_posix()
    public = _output_chain(config)
    if not chain:
        kept = sorted(p.name for p in folder.builds.iterdir() if p.is_dir() and ABANDONED not in p.name) \
            if folder.builds.is_dir() else []
        if kept or public or publication_times(folder.root):
            return [f"{where}: missing or empty, though the audit folder's journal or builds ({', '.join(kept[:2]) or 'none'}) "
                    "or the site's chain.json say builds were published: the chain was removed"]
        return []
    problems = history.chain_problems(chain, where)
    for entry in chain:
        if entry.build_id != history.build_id(entry.sequence, entry.as_of):
            problems.append(f"{where}: entry {entry.sequence} is build {entry.build_id} but says as of {entry.as_of}")
        elif not folder.build(entry.build_id).manifest.is_file():
            problems.append(f"{folder.build(entry.build_id).manifest}: missing (build {entry.build_id} of the chain)")
    if public and chain[:len(public)] != public:
        problems.append(f"{config.paths.output / history.PUBLIC_CHAIN}: the site's chain is not a beginning of {where} "
                        "(builds removed, re-dated or reordered there)")
    return problems


def _output_chain(config: Config) -> list[history.ChainEntry]:
    try:
        return history.parse_public_chain((config.paths.output / history.PUBLIC_CHAIN).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return []


def _check_build(root: Path, chain: list[history.ChainEntry], entry: history.ChainEntry) -> None:
    """Refuse to answer from ``entry`` if its kept files fail their check: its manifest against the chain's hash, its
    decisions and quarantine against the manifest's, its kept signature against the key the chain names for it."""
    record = AuditFolder(root).build(entry.build_id)
    problems = build_record_problems(root, entry)
    problems = problems or archived_signature_problems(record, entry, chain_keys(chain[:chain.index(entry) + 1]))
    if problems:
        raise AuditError(f"The audit history of build {entry.build_id} fails its check: {problems[0]}"
                         f"{f' (and {len(problems) - 1} more)' if len(problems) > 1 else ''}; it cannot answer. "
                         "Restore the audit folder from a backup (site-builder verify --audit checks it all)")


NOT_IN_INPUT = "no row of it in this build's input (and no earlier withdrawal): not published by this build"


def site_profile(audit_root: Path, chain: list[history.ChainEntry], as_of: date) -> str | None:
    """The disclosure profile of the site nearest ``as_of``: of its last build for a date up to it, else of its first
    build (from the build's kept manifest); ``None`` without a build that says. An answer computed for a day no build
    answers is decided under the site's rules, not the configuration's (a site built with ``--profile zhejiang``
    keeps a judgment public while its subject is listed; the national rule would say it expired)."""
    day = as_of.isoformat()
    before = [entry for entry in chain if entry.as_of <= day]
    for entry in [*reversed(before), *(entry for entry in chain if entry.as_of > day)]:
        try:
            profile = json.loads(AuditFolder(audit_root).build(entry.build_id).manifest.read_text(encoding="utf-8"))["profile"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(profile, str):
            return profile
    return None


def answering_builds(chain: list[history.ChainEntry], as_of: date,
                     made: Mapping[str, date | datetime] | None = None) -> list[history.ChainEntry]:
    """The builds that were the site on ``as_of`` (:func:`~site_builder.audit.timeline.live_on`), ``made`` giving the
    day or time each was published (:func:`made_days`; a build it does not name is taken as published on its date)."""
    return [build.entry for build in live_on(timeline(chain, made or {}), as_of)]


def made_days(audit_root: Path) -> dict[str, datetime]:
    """The time (in China) each build was published, from the audit journal (:func:`publication_times`)."""
    return publication_times(audit_root)


def _last_changes(audit: AuditFolder, chain: list[history.ChainEntry], key: str,
                  item: str | None) -> dict[tuple[str, str], tuple[history.ChainEntry, Change]]:
    """Each spelling's last change up to the end of ``chain``, with its build, from the change sets kept in the audit
    folder (each that speaks of the record checked against its manifest: an edited change set would move the day a
    record left the site)."""
    last: dict[tuple[str, str], tuple[history.ChainEntry, Change]] = {}
    for entry in chain:
        path = audit.build(entry.build_id).changes
        if path.is_file():
            changes = {(c.item, c.record_id): (entry, c) for c in read_change_set(path).changes
                       if id_key(c.record_id) == key and item in (None, c.item)}
            problem = change_set_problem(audit.root, entry) if changes else None
            if problem:
                raise AuditError(f"The audit history of build {entry.build_id} fails its check: {problem}; it cannot "
                                 "answer. Restore the audit folder from a backup (site-builder verify --audit checks "
                                 "it all)")
            last |= changes
    return last


def _from_audit(folder: BuildRecord, source: str, key: str, item: str | None) -> list[Explanation]:
    found = []
    rules = _rule_versions(folder)
    with gzip.open(folder.decisions_gz, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if item in (None, row["item"]) and id_key(row["record_id"]) == key:
                version = rules.get(row["item"])
                detail = REASONS.get(row["outcome"], "") + (f" 适用规则版本：{version}" if version else "")
                found.append(Explanation(row["item"], row["record_id"], row["outcome"], detail.strip(),
                                         row["start"], row["until"], row["file"], int(row["row"]), source))
    with folder.quarantine.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            row = {name: read_cell(cell) for name, cell in row.items()}  # written as text where it began like a formula
            if item in (None, row["item"]) and id_key(row["record_id"]) == key:
                found.append(Explanation(row["item"], row["record_id"], "quarantined", f"{row['column']}: {row['message']}",
                                         "", "", row["file"], int(row["row"]), source))
    return found


def _rule_versions(folder: BuildRecord) -> dict[str, str]:
    """The version of each item's period rule the build applied, from its manifest (none for a build older than that
    part of it)."""
    try:
        rules = json.loads(folder.manifest.read_text(encoding="utf-8")).get("rules") or {}
        return {str(item): str(version) for item, version in rules.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _from_records(config: Config, key: str, as_of: date, item: str | None) -> list[Explanation]:
    """What the current records decide for ``as_of`` (a day before any build was made for: no site existed then, so
    this is what the records would decide, not what anyone saw)."""
    inputs = load_inputs(config)
    where = config.sources.url and "the configured database" or str(config.paths.records)
    under = f"under the disclosure profile {inputs.policy.id!r}"
    source = (f"computed from the current records in {where} {under}: no build was made for {as_of} or a date before "
              "it; this is what the records now decide")
    found = []
    for row in decide_rows(inputs.catalogue, inputs.policy, inputs.sources, as_of, only_item=item):
        checked = row.checked
        if id_key(checked.record_id) != key:
            continue
        record_id = checked.record_id
        if isinstance(checked, Quarantined):
            detail = "; ".join(f"{p.column}: {p.message}" for p in checked.problems)
            found.append(Explanation(row.item.id, record_id, "quarantined", detail, "", "", checked.file, checked.row, source))
        elif row.decision is not None:
            d = row.decision
            reason = REASONS.get(d.reason or "", "")
            if d.reason == "minor":  # the profile's age, not the default's
                reason = f"自然人在决定日期未满{inputs.policy.min_age}周岁（规则 {inputs.policy.id!r} 的 min_age）"
            detail = reason + (f" 适用规则版本：{d.version}" if d.version else "")
            detail += f" 依据：{d.basis}" if d.basis else ""
            found.append(Explanation(row.item.id, record_id, d.outcome, detail.strip(),
                                     d.start.isoformat() if d.start else "", d.until.isoformat() if d.until else "",
                                     checked.file, checked.row, source))
    return found
