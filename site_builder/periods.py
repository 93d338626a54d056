"""Disclosure periods: durations and the period rule of a catalogue item.

Periods are counted as the Civil Code counts them (民法典 art. 201-202): the period starts the day
after the start date and its last day is the corresponding day of the last month; where the month
has no such day, its last day. A penalty decided on 2025-03-10 with a one-year period is public
through 2026-03-10 and gone on 2026-03-11.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

LIST_ITEM = "dishonest_list"
"""The catalogue item whose published entries make a subject "listed" (``extend_while_listed``)."""
_DURATION = re.compile(r"^(\d+)([ymd])$")
_PERIOD_KEYS = {"start", "count_from", "max", "min", "severity", "ends_at", "removed_on", "summary_procedure",
                "extend_while_listed", "basis"}


@dataclass(frozen=True)
class Duration:
    """A period length in months and days, written ``3m``, ``1y``, ``90d``."""

    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``<n>y``, ``<n>m`` or ``<n>d``; raise ``ValueError`` otherwise."""
        match = _DURATION.match(str(text).strip())
        if not match or int(match.group(1)) == 0:
            raise ValueError(f"{text!r} is not a period such as 3m, 1y or 90d")
        n, unit = int(match.group(1)), match.group(2)
        return cls(months=n * 12) if unit == "y" else cls(months=n) if unit == "m" else cls(days=n)

    def last_day(self, start: date) -> date:
        """The last day of a period of this length that starts after ``start``."""
        if self.days:
            return start + timedelta(days=self.days)
        month = start.month - 1 + self.months
        year, month = start.year + month // 12, month % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def __str__(self) -> str:
        if self.days:
            return f"{self.days}d"
        return f"{self.months // 12}y" if self.months % 12 == 0 else f"{self.months}m"


Lengths = Duration | dict[str, Duration] | None


@dataclass(frozen=True)
class PeriodRule:
    """When a record of a catalogue item is public.

    ``start``: date field publication starts on. ``count_from``: date fields the lengths count
    from, the first one filled wins (default: ``start``), e.g. the end of the act (Dalian art. 12).
    ``max``/``min``: longest period, and the shortest before credit repair takes effect (one
    length, or one per severity code read from ``severity``); no ``max`` means long-term.
    ``ends_at``: date fields giving the last public day (the earliest wins, never past ``max``).
    ``removed_on``: date fields giving the first day no longer public. ``summary_procedure``: field
    whose ``summary`` code marks a 简易程序 penalty. ``extend_while_listed``: the period does not
    end while the subject has a published 严重失信主体名单 entry (Zhejiang art. 16).
    """

    start: str
    basis: str
    max: Lengths = None
    min: Lengths = None
    severity: str | None = None
    ends_at: tuple[str, ...] = ()
    removed_on: tuple[str, ...] = ()
    summary_procedure: str | None = None
    count_from: tuple[str, ...] = ()
    extend_while_listed: bool = False

    def length(self, which: str, severity: str | None) -> Duration | None:
        """The ``max`` or ``min`` length that applies to a record of the given severity code."""
        value = self.max if which == "max" else self.min
        if isinstance(value, dict):
            return value.get(severity or "")
        return value


def parse_period(where: str, raw: Any, field_types: dict[str, str], errors: list[str]) -> PeriodRule | None:
    """Parse a period mapping, appending ``<where>.key: problem`` lines to ``errors``.

    ``where`` names the file and the mapping's key, e.g. ``data/catalogue/judgment.yaml: period``.
    """
    if not isinstance(raw, dict):
        errors.append(f"{where}: a period rule is required")
        return None
    before = len(errors)
    errors.extend(f"{where}.{key}: unknown key" for key in sorted(set(raw) - _PERIOD_KEYS))
    if not raw.get("basis"):
        errors.append(f"{where}.basis: every period rule cites its legal basis")
    date_fields = ["start", *(f"ends_at[{i}]" for i in range(len(raw.get("ends_at") or [])))]
    date_fields += [f"removed_on[{i}]" for i in range(len(raw.get("removed_on") or []))]
    date_fields += [f"count_from[{i}]" for i in range(len(raw.get("count_from") or []))]
    if not isinstance(raw.get("extend_while_listed", False), bool):
        errors.append(f"{where}.extend_while_listed: expected true or false")
    for key in date_fields:
        name = _lookup(raw, key)
        if field_types.get(name) != "date":
            errors.append(f"{where}.{key}: {name!r} is not a date field of this item")
    for key in ("severity", "summary_procedure"):
        if raw.get(key) is not None and raw[key] not in field_types:
            errors.append(f"{where}.{key}: {raw[key]!r} is not a field of this item")
    lengths = {key: _lengths(f"{where}.{key}", raw.get(key), raw.get("severity"), errors) for key in ("max", "min")}
    if len(errors) > before:
        return None
    return PeriodRule(
        start=raw["start"], basis=str(raw["basis"]), max=lengths["max"], min=lengths["min"],
        severity=raw.get("severity"), ends_at=tuple(raw.get("ends_at") or ()),
        removed_on=tuple(raw.get("removed_on") or ()), summary_procedure=raw.get("summary_procedure"),
        count_from=tuple(raw.get("count_from") or ()), extend_while_listed=bool(raw.get("extend_while_listed", False)),
    )


def _lookup(raw: dict[str, Any], key: str) -> Any:
    if "[" not in key:
        return raw.get(key)
    name, index = key[:-1].split("[")
    return raw[name][int(index)]


def _lengths(where: str, raw: Any, severity: Any, errors: list[str]) -> Lengths:
    if raw is None:
        return None
    try:
        if isinstance(raw, dict):
            if severity is None:
                errors.append(f"{where}: lengths per severity need period.severity")
            return {str(k): Duration.parse(v) for k, v in raw.items()}
        return Duration.parse(raw)
    except ValueError as exc:
        errors.append(f"{where}: {exc}")
        return None
