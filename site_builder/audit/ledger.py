"""The audit ledger: where every input row went, written outside the published site.

``decisions.csv`` has one line per valid row (published or excluded with its reason code);
``quarantine.csv`` one line per problem of each invalid row; ``warnings.csv`` what was noticed
about the files; ``counts.json`` the rows per reason code (the public manifest counts per reason class). Counts are kept as rows are
recorded so that the manifest can show they add up.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from site_builder.audit.layout import BuildRecord
from site_builder.outputs.tables import safe_cell
from site_builder.rules.disclosure import REASONS
from site_builder.rules.rowcache import RowResult, day_of
from site_builder.sources.loading import FileReport

DECISION_COLUMNS = ["item", "record_id", "file", "row", "outcome", "start", "until", "marked"]
MISSING = "missing"
"""The reason of a record whose row is gone from the input (in change sets)."""
QUARANTINED = "quarantined"
"""The reason of a record whose row is now invalid (quarantined; in change sets)."""
REASON_CLASSES: dict[str, str] = {
    "expired": "expired", "removed": "expired",
    "repaired": "repaired",
    "objection_pending": "objection", "objection_upheld": "objection", "objection_unverifiable": "objection",
    "not_approved": "withdrawn_by_authority", "not_public": "withdrawn_by_authority", "revoked": "withdrawn_by_authority",
    MISSING: "withdrawn_by_authority",
    "natural_person": "corrected", "minor": "corrected", "age_unknown": "corrected", "summary_procedure": "corrected",
    "not_penalised": "corrected",
    "slight_dishonesty": "corrected", "not_started": "corrected", QUARANTINED: "corrected",
}
"""The public reason class of each reason a record is not published for (every reason code of
``rules/disclosure.py``, a row gone from the input, a row now quarantined): what the public files (the change sets,
``manifest.json``'s counts) say. A reason code says more about a person than the site may (``minor``: the person was
under 18; ``age_unknown``: their ID document is not a resident ID card; ``objection_upheld``), and comparing two days'
counts would single out the one record that moved; the codes stay in the audit folder."""
CLASSES = ("expired", "repaired", "objection", "withdrawn_by_authority", "corrected")
"""The public reason classes, in the order the public files list them."""
QUARANTINE_COLUMNS = ["item", "file", "row", "record_id", "column", "error", "message"]


@dataclass
class Counts:
    """Where the input rows went, overall and per item."""

    published: Counter[str] = field(default_factory=Counter)
    excluded: dict[str, Counter[str]] = field(default_factory=dict)
    quarantined: Counter[str] = field(default_factory=Counter)
    next_expiry: date | None = None
    """The first day on which a published record must be gone."""
    next_start: date | None = None
    """The first day on which a record not yet started becomes public."""
    next_decision: date | None = None
    """The first later day on which deciding a row again may give another result for another reason (an objection
    filed with a later date takes effect, a person comes of age, a repair's minimum period ends, a licence quarantined
    while its 有效期至 was to come beside a state saying it lapsed is published…)."""

    @property
    def next_change(self) -> date | None:
        """The first day after the as-of date on which the published set changes by itself."""
        return min(filter(None, [self.next_expiry, self.next_start, self.next_decision]), default=None)

    def total(self, item: str | None = None) -> int:
        """Rows accounted for (of one item, or all)."""
        items = [item] if item else sorted({*self.published, *self.excluded, *self.quarantined})
        return sum(self.published[i] + sum(self.excluded.get(i, Counter()).values()) + self.quarantined[i] for i in items)

    def excluded_totals(self) -> dict[str, int]:
        """Excluded rows per reason code over all items, in the order of ``REASONS``, zeros left out."""
        totals: Counter[str] = sum(self.excluded.values(), Counter())
        return {reason: totals[reason] for reason in REASONS if totals[reason]}

    def as_dict(self, items: tuple[str, ...], public: bool = True) -> dict[str, object]:
        """Counts as plain data, every key present, zeros included: for the public manifest (``public``) the excluded
        rows per public reason class (:data:`REASON_CLASSES`), else per reason code (the audit record's
        ``counts.json``)."""
        keys = CLASSES if public else tuple(REASONS)

        def excluded(item: str | None) -> dict[str, int]:
            pick = [item] if item else list(items)
            tally: Counter[str] = Counter()
            for i in pick:
                for reason, n in self.excluded.get(i, Counter()).items():
                    tally[REASON_CLASSES[reason] if public else reason] += n
            return {key: tally[key] for key in keys}

        return {
            "published": sum(self.published.values()),
            "excluded": excluded(None),
            "quarantined": sum(self.quarantined.values()),
            "by_item": {
                i: {"published": self.published[i], "excluded": excluded(i), "quarantined": self.quarantined[i]}
                for i in items
            },
        }


class Ledger:
    """Writes the per-record decision list and the quarantine report into ``folder``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.record = BuildRecord(folder)
        self.counts = Counts()
        self._files = [
            self.record.decisions.open("w", encoding="utf-8", newline=""),
            self.record.quarantine.open("w", encoding="utf-8", newline=""),
        ]
        self._decisions = csv.writer(self._files[0], lineterminator="\n")
        self._quarantine = csv.writer(self._files[1], lineterminator="\n")
        self._decisions.writerow(DECISION_COLUMNS)
        self._quarantine.writerow(QUARANTINE_COLUMNS)

    def add(self, item: str, file: str, row: int, result: RowResult) -> None:
        """Record what became of one row: its decision (published, or the reason it is not) or its problems."""
        if result.changes:  # a quarantined row's too: a licence withheld until its 有效期至 has passed (pipeline.held)
            changes = date.fromordinal(result.changes)
            self.counts.next_decision = min(filter(None, [self.counts.next_decision, changes]))
        if result.problems:
            self.counts.quarantined[item] += 1
            # Opened in a spreadsheet by the credit centre: a cell that would run as a formula is written as text.
            self._quarantine.writerows([item, safe_cell(file), row, safe_cell(result.record_id), *map(safe_cell, problem)]
                                       for problem in result.problems)
            return
        if result.outcome == "published":
            self.counts.published[item] += 1
            if result.until:
                gone = day_of(result.until + 1)
                self.counts.next_expiry = min(filter(None, [self.counts.next_expiry, gone]))
        else:
            if result.outcome == "not_started" and result.start:
                self.counts.next_start = min(filter(None, [self.counts.next_start, day_of(result.start)]))
            self.counts.excluded.setdefault(item, Counter())[result.outcome] += 1
        start, until = day_of(result.start), day_of(result.until)
        self._decisions.writerow([item, result.record_id, file, row, result.outcome, start.isoformat() if start else "",
                                  until.isoformat() if until else "", "yes" if result.marked else ""])

    def warnings(self, sources: list[FileReport], ignored: list[str]) -> None:
        """``warnings.csv``: each file's warnings (unknown columns, skipped title rows) and ignored paths.

        They may quote a file's cells, so they stay here; the public manifest only counts them.
        """
        with self.record.warnings.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["item", "file", "warning"])
            writer.writerows([s.item, safe_cell(s.name), safe_cell(w)] for s in sources for w in s.warnings)
            writer.writerows(["", safe_cell(name), "不属于任何目录项，未读取"] for name in ignored)

    def _salt(self) -> str:
        """What makes ``counts.json`` unguessable: the public manifest gives its SHA-256 (``audit``), and its counts are
        few and small, so that trying every split of each public class's count over its codes would find its content
        (a harm tester found ``minor: 1`` in 13 guesses). A digest of the decision list, private and deterministic (the
        manifest's hash of it is of its content alone, not of this)."""
        digest = hashlib.sha256(b"site_builder counts.json salt\0")
        with self.record.decisions.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def close(self, items: tuple[str, ...]) -> None:
        """Close the files, and write ``counts.json``: the counts per reason code of the catalogue's ``items``, which
        the public manifest gives per reason class only."""
        for fh in self._files:
            fh.close()
        counts = {**self.counts.as_dict(items, public=False),
                  "next_expiry": self.counts.next_expiry.isoformat() if self.counts.next_expiry else None,
                  "next_change": self.counts.next_change.isoformat() if self.counts.next_change else None,
                  "salt": self._salt()}
        self.record.counts.write_text(json.dumps(counts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
