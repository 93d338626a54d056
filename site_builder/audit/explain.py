"""Why a record is or is not published on a date, and until when.

For a date on which a build was made, the answer comes from that build's decision list in the audit history (what
the site actually said), from each build made that day. For a date between two builds, it comes from the build before
it: the site that was live that day. A record that build did not decide (its row had left the input) is answered from
the change sets: when it left the site, and the public reason class. For a date before the first build or after the
last, the answer is computed from the current records, under the version of each rule in force on that date, which
the answer names; a record the current records lack is answered, after the last build, as that build left it.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from datetime import date

from site_builder.audit import history
from site_builder.audit.changes import CLASS_TITLES, read_change_set
from site_builder.audit.layout import AuditFolder, BuildRecord
from site_builder.config import Config
from site_builder.inputs import load_inputs
from site_builder.rules.disclosure import REASONS
from site_builder.rules.pipeline import decide_rows
from site_builder.rules.validation import Quarantined


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


def explain(config: Config, record_id: str, as_of: date, item: str | None = None) -> list[Explanation]:
    """Every row with ``record_id`` (of ``item`` if given), as decided on ``as_of``."""
    chain = history.read_chain(config.paths.audit)
    builds = answering_builds(chain, as_of)
    if not builds:
        found = _from_records(config, record_id, as_of, item)
        builds = _last_before(chain, as_of)  # not in the records: as the live site has it
        if found or not builds:
            return found
    found = []
    audit = AuditFolder(config.paths.audit)
    for entry in builds:
        live = "" if entry.as_of == as_of.isoformat() else f" (as of {entry.as_of}: the site live on {as_of})"
        source = f"audit history, build {entry.build_id}{live}"
        found += _from_audit(audit.build(entry.build_id), source, record_id, item) or \
            _from_changes(audit, chain[:chain.index(entry) + 1], source, record_id, item)
    return found


def answering_builds(chain: list[history.ChainEntry], as_of: date) -> list[history.ChainEntry]:
    """The builds whose decisions answer for ``as_of``: every build made for that date, in order; else, for a date
    between two builds' dates, the last build for an earlier date (the site live that day); else none (before the first
    build or after the last: the answer is computed from the current records)."""
    day = as_of.isoformat()
    same = [entry for entry in chain if entry.as_of == day]
    if same:
        return same
    return _last_before(chain, as_of) if any(entry.as_of > day for entry in chain) else []


def _last_before(chain: list[history.ChainEntry], as_of: date) -> list[history.ChainEntry]:
    """The last build of the chain for a date before ``as_of`` (one, or none): the site live that day."""
    return [entry for entry in chain if entry.as_of < as_of.isoformat()][-1:]


def _from_changes(audit: AuditFolder, chain: list[history.ChainEntry], source: str, record_id: str,
                  item: str | None) -> list[Explanation]:
    """A record the last build of ``chain`` did not decide (no row of it in that build's input): when it last left the
    site before, from the change sets kept in the audit folder; nothing if it never did."""
    for entry in reversed(chain):
        path = audit.build(entry.build_id).changes
        if not path.is_file():
            continue
        found = [c for c in read_change_set(path).changes if c.record_id == record_id and item in (None, c.item)]
        if found:
            change = found[-1]
            if change.kind != "withdrawn":
                return []
            detail = (f"no row of it in this build's input; off the site since build {entry.build_id} (as of "
                      f"{entry.as_of}): {CLASS_TITLES.get(change.reason, change.reason)}")
            return [Explanation(change.item, record_id, "withdrawn", detail, change.first_published.isoformat(), "", "", 0,
                                source)]
    return []


def _from_audit(folder: BuildRecord, source: str, record_id: str, item: str | None) -> list[Explanation]:
    found = []
    with gzip.open(folder.decisions_gz, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["record_id"] == record_id and item in (None, row["item"]):
                found.append(Explanation(row["item"], record_id, row["outcome"], REASONS.get(row["outcome"], ""),
                                         row["start"], row["until"], row["file"], int(row["row"]), source))
    with folder.quarantine.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["record_id"] == record_id and item in (None, row["item"]):
                found.append(Explanation(row["item"], record_id, "quarantined", f"{row['column']}: {row['message']}",
                                         "", "", row["file"], int(row["row"]), source))
    return found


def _from_records(config: Config, record_id: str, as_of: date, item: str | None) -> list[Explanation]:
    inputs = load_inputs(config)
    where = config.sources.url and "the configured database" or str(config.paths.records)
    source = f"computed from the current records in {where} (no build for {as_of} in the audit history)"
    found = []
    for row in decide_rows(inputs.catalogue, inputs.policy, inputs.sources, as_of, only_item=item):
        checked = row.checked
        if checked.record_id != record_id:
            continue
        if isinstance(checked, Quarantined):
            detail = "; ".join(f"{p.column}: {p.message}" for p in checked.problems)
            found.append(Explanation(row.item.id, record_id, "quarantined", detail, "", "", checked.file, checked.row, source))
        elif row.decision is not None:
            d = row.decision
            detail = REASONS.get(d.reason or "", "") + (f" 适用规则版本：{d.version}" if d.version else "")
            detail += f" 依据：{d.basis}" if d.basis else ""
            found.append(Explanation(row.item.id, record_id, d.outcome, detail.strip(),
                                     d.start.isoformat() if d.start else "", d.until.isoformat() if d.until else "",
                                     checked.file, checked.row, source))
    return found
