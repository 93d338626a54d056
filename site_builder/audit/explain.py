"""Why a record is or is not published on a date, and until when.

For a date on which a build was made, the answer comes from that build's decision list in the audit history (what
the site actually said), from each build made that day. For a date between two builds, it comes from the build before
it: the site that was live that day. A record that build did not decide (its row had left the input) is answered from
the change sets: when it left the site, and the public reason class. For a date before the first build or after the
last, the answer is computed from the current records, under the version of each rule in force on that date, which
the answer names; a record the current records lack is answered, after the last build, as that build left it.

Record ids are matched as the duplicate rule compares them (:func:`validation.id_key`: case, width, spaces), so
``explain ap-000030`` finds ``AP-000030``; each answer names the id as the row spells it.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from site_builder.audit import history
from site_builder.audit.changes import CLASS_TITLES, Change, read_change_set
from site_builder.audit.layout import AuditFolder, BuildRecord
from site_builder.audit.verify import build_record_problems, change_set_problem
from site_builder.config import Config
from site_builder.exceptions import AuditError
from site_builder.inputs import load_inputs
from site_builder.outputs.tables import read_cell
from site_builder.rules.disclosure import REASONS
from site_builder.rules.pipeline import decide_rows
from site_builder.rules.validation import CHINA, Quarantined, id_key


@dataclass(frozen=True)
class Explanation:
    """The fate of one row with the given record id."""

    item: str
    record_id: str
    outcome: str
    """``published``, a reason code, or ``quarantined``."""
    detail: str
    start: str
    until: str
    file: str
    row: int
    source: str
    """Where the answer comes from: a build id, or the current records."""

    def lines(self) -> list[str]:
        """Human-readable lines."""
        head = f"{self.item} {self.record_id}{f' ({self.file}, row {self.row})' if self.file else ''}: {self.outcome}"
        when = ""
        if self.outcome == "published":
            when = f"public from {self.start} " + (f"through {self.until}" if self.until else "with no end (long-term)")
        elif self.until:
            when = f"was public {self.start} through {self.until}"
        return [head, *(f"  {text}" for text in (self.detail, when, f"source: {self.source}") if text)]


def explain(config: Config, record_id: str, as_of: date, item: str | None = None,
            profile: str | None = None) -> list[Explanation]:
    """Every row whose id is ``record_id`` in any spelling (of ``item`` if given), as decided on ``as_of``; the row
    spelt as asked first. ``profile``: the disclosure profile to decide under where no build answers (default: the
    site's, :func:`site_profile`)."""
    return sorted(_explain(config, id_key(record_id), as_of, item, profile),
                  key=lambda answer: answer.record_id != record_id.strip())


def _explain(config: Config, key: str, as_of: date, item: str | None, profile: str | None = None) -> list[Explanation]:
    chain = history.read_chain(config.paths.audit)
    made = made_days(config.paths.audit)
    builds = answering_builds(chain, as_of, made)
    if not builds:
        first = min((entry.as_of for entry in chain), default=None)
        chosen = profile or site_profile(config.paths.audit, chain, as_of)
        if chosen and chosen != config.disclosure.profile:
            config = dataclasses.replace(config, disclosure=dataclasses.replace(config.disclosure, profile=chosen))
        found = _from_records(config, key, as_of, item, first if first and first > as_of.isoformat() else None)
        builds = _last_before(chain, as_of, made)  # not in the records: as the live site has it
        if found or not builds:
            return found
    audit = AuditFolder(config.paths.audit)
    for entry in builds:  # an answer from files that fail their check would be no answer
        problems = build_record_problems(config.paths.audit, entry)
        if problems:
            raise AuditError(f"The audit history of build {entry.build_id} fails its check: {problems[0]}"
                             f"{f' (and {len(problems) - 1} more)' if len(problems) > 1 else ''}; it cannot answer. "
                             "Restore the audit folder from a backup (site-builder verify --audit checks it all)")
    per_build: list[tuple[str, list[Explanation]]] = []
    for entry in builds:
        live = "" if entry.as_of == as_of.isoformat() else f" (as of {entry.as_of}: the site live on {as_of})"
        source = f"audit history, build {entry.build_id}{live}"
        decided = _from_audit(audit.build(entry.build_id), source, key, item)
        per_build.append((source, decided + _from_changes(audit, chain[:chain.index(entry) + 1], source, key, item,
                                                          decided={(answer.item, answer.record_id) for answer in decided})))
    known = next((answers[0] for _source, answers in per_build if answers), None)
    found = []
    for source, answers in per_build:  # of several builds that day, one the row was not yet (or no longer) in says so
        found += answers or ([Explanation(known.item, known.record_id, "not in the input", NOT_IN_INPUT, "", "", "", 0,
                                          source)] if known else [])
    return found


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
                     made: Mapping[str, date] | None = None) -> list[history.ChainEntry]:
    """The builds whose decisions answer for ``as_of``: every build made for that date, in order; else, for a date
    between two builds' dates, the last build for an earlier date (the site live that day); else none (before the first
    build or after the last: the answer is computed from the current records). ``made``: the day each build was
    published (:func:`made_days`), which tells a build made ahead of its date (``--future``)."""
    day = as_of.isoformat()
    # A build made ahead of its date (--future) answers for that date only if it was still the site live then (nothing
    # undid it): _last_before tells.
    same = [entry for entry in chain if entry.as_of == day and not _ahead(entry, made)]
    if same:
        return same
    if any(entry.as_of == day for entry in chain):
        return _last_before(chain, as_of, made)
    return _last_before(chain, as_of, made) if any(entry.as_of > day for entry in chain) else []


def _ahead(entry: history.ChainEntry, made: Mapping[str, date] | None) -> date | None:
    """The day a build made more than a day before its date (``--future``) was published, else ``None``."""
    published = made.get(entry.build_id) if made else None
    return published if published is not None and (date.fromisoformat(entry.as_of) - published).days > 1 else None


def _last_before(chain: list[history.ChainEntry], as_of: date,
                 made: Mapping[str, date] | None = None) -> list[history.ChainEntry]:
    """The site live on ``as_of`` (one build, or none): the last build of the chain for an earlier date that comes
    before the first build for a later date. A build after that one was made after ``as_of`` whatever its date (a
    build for an earlier date, ``--earlier``, to undo a wrong one), so it was not live then.

    A build is taken to be made on its date, except one published (``made``) more than a day before it, with
    ``--future``: that one went live the day it was published (or the day the build before it did, if later), so a
    build for a date after ``as_of`` made ahead of it does not hide the builds after it (a build for a wrong year,
    undone the next day by one for the right date: the undoing build was the site live from then on)."""
    day, live, since = as_of.isoformat(), [], ""
    for entry in chain:
        published = _ahead(entry, made)
        if published is not None:
            since = max(since, published.isoformat())  # made ahead of its date (--future)
        else:
            since = entry.as_of
        if since > day:
            break
        live = [entry]
    return live


def made_days(audit_root: Path) -> dict[str, date]:
    """The day (in China) each build was published, from the audit journal's ``published`` events (its first); a
    journal that cannot be read, or a line that is not an event, gives no day (each build is then taken to be made on
    its date)."""
    days: dict[str, date] = {}
    try:
        lines = AuditFolder(audit_root).journal.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return days
    for line in lines:
        try:
            event = json.loads(line)
            if event.get("event") == "published" and event.get("build_id") not in days:
                at = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))
                days[str(event["build_id"])] = at.astimezone(CHINA).date()
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return days


def _from_changes(audit: AuditFolder, chain: list[history.ChainEntry], source: str, key: str,
                  item: str | None, decided: set[tuple[str, str]]) -> list[Explanation]:
    """Each spelling of the record that the last build of ``chain`` did not decide (no row of it in that build's
    input; ``decided`` holds the items and spellings it did): when it last left the site, from the change sets kept in
    the audit folder; nothing for a spelling whose last change was not its withdrawal (a record id whose case the
    platform changed is one spelling withdrawn and one added)."""
    last: dict[tuple[str, str], tuple[history.ChainEntry, Change]] = {}
    for entry in chain:
        path = audit.build(entry.build_id).changes
        if path.is_file():
            changes = {(c.item, c.record_id): (entry, c) for c in read_change_set(path).changes
                       if id_key(c.record_id) == key and item in (None, c.item) and (c.item, c.record_id) not in decided}
            problem = change_set_problem(audit.root, entry) if changes else None
            if problem:  # an edited change set would move the day a record left the site
                raise AuditError(f"The audit history of build {entry.build_id} fails its check: {problem}; it cannot "
                                 "answer. Restore the audit folder from a backup (site-builder verify --audit checks "
                                 "it all)")
            last |= changes
    found = []
    for entry, change in last.values():
        if change.kind == "withdrawn":
            detail = (f"no row of it in this build's input; off the site since build {entry.build_id} (as of "
                      f"{entry.as_of}): {CLASS_TITLES.get(change.reason, change.reason)}")
            found.append(Explanation(change.item, change.record_id, "withdrawn", detail,
                                     change.first_published.isoformat(), "", "", 0, source))
    return found


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


def _from_records(config: Config, key: str, as_of: date, item: str | None, first: str | None = None) -> list[Explanation]:
    """What the current records decide for ``as_of``; ``first``: the date of the first build, when ``as_of`` is before
    it (no site existed then: the answer says what the records would decide, not what anyone saw)."""
    inputs = load_inputs(config)
    where = config.sources.url and "the configured database" or str(config.paths.records)
    under = f"under the disclosure profile {inputs.policy.id!r}"
    source = f"computed from the current records in {where} {under} (no build for {as_of} in the audit history)"
    if first:
        source = (f"computed from the current records in {where} {under}: no site was built for a date before {first} "
                  f"(the audit history's first build), so nothing was public on {as_of}; this is what the records now decide")
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
