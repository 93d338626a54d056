"""Why a record is or is not published on a date, and until when.

For a date on which a build was made, the answer comes from that build's decision list in the
audit history (what the site actually said). Otherwise it is computed from the current records,
under the version of each rule in force on that date, which the answer names.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from datetime import date

from site_builder.audit import history
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
        head = f"{self.item} {self.record_id} ({self.file}, row {self.row}): {self.outcome}"
        when = ""
        if self.outcome == "published":
            when = f"public from {self.start} " + (f"through {self.until}" if self.until else "with no end (long-term)")
        elif self.until:
            when = f"was public {self.start} through {self.until}"
        return [head, *(f"  {text}" for text in (self.detail, when, f"source: {self.source}") if text)]


def explain(config: Config, record_id: str, as_of: date, item: str | None = None) -> list[Explanation]:
    """Every row with ``record_id`` (of ``item`` if given), as decided on ``as_of``."""
    build = next((e for e in reversed(history.read_chain(config.paths.audit)) if e.as_of == as_of.isoformat()), None)
    if build is not None:
        return _from_audit(AuditFolder(config.paths.audit).build(build.build_id), build.build_id, record_id, item)
    return _from_records(config, record_id, as_of, item)


def _from_audit(folder: BuildRecord, build_id: str, record_id: str, item: str | None) -> list[Explanation]:
    found = []
    source = f"audit history, build {build_id}"
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
