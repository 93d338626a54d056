"""Disclosure periods: durations, and the dated versions of a catalogue item's period rule.

Periods are counted as the Civil Code counts them (民法典 art. 201-202): the period starts the day
after the start date and its last day is the corresponding day of the last month; where the month
has no such day, its last day. A penalty decided on 2025-03-10 with a one-year period is public
through 2026-03-10 and gone on 2026-03-11. Date arithmetic saturates at ``date.min``/``date.max``:
no date in a row can make it overflow.

A period rule may carry ``versions``, each in force from one date through another (the national
rule changed in 2023 and 2026); the decision applies the version in force on the as-of date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from site_builder.rules.yamlfile import unknown_key

LIST_ITEM = "dishonest_list"
"""The catalogue item whose published entries make a subject "listed" (``extend_while_listed``)."""
SLIGHT = "slight"
"""The severity code of 轻微失信 (令36号)."""
_DURATION = re.compile(r"^(\d+)([ymd])$")
_VERSION_KEYS = {"start", "count_from", "max", "min", "severity", "ends_at", "removed_on", "summary_procedure",
                 "extend_while_listed", "basis", "slight", "slight_types", "penalty_type", "penalty_content",
                 "other_sanctions"}
_RULE_KEYS = _VERSION_KEYS | {"versions", "national_maximum"}
_OWN_KEYS = _VERSION_KEYS | {"version", "from", "until"}


def next_day(day: date) -> date:
    """The day after ``day``; ``date.max`` stays ``date.max``."""
    return day if day == date.max else day + timedelta(days=1)


def previous_day(day: date) -> date:
    """The day before ``day``; ``date.min`` stays ``date.min``."""
    return day if day == date.min else day - timedelta(days=1)


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
        """The last day of a period of this length that starts after ``start`` (at most ``date.max``)."""
        if self.days:
            return start + timedelta(days=self.days) if (date.max - start).days >= self.days else date.max
        month = start.month - 1 + self.months
        year, month = start.year + month // 12, month % 12 + 1
        if year > date.max.year:
            return date.max
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def at_most(self, other: Duration) -> bool:
        """Whether this length never ends later than ``other``, from any start date."""
        starts = (date(2023, 1, 31), date(2024, 2, 29), date(2025, 3, 31), date(2025, 12, 31))
        return all(self.last_day(day) <= other.last_day(day) for day in starts)

    def __str__(self) -> str:
        if self.days:
            return f"{self.days}d"
        return f"{self.months // 12}y" if self.months % 12 == 0 else f"{self.months}m"


Lengths = Duration | dict[str, Duration] | None


@dataclass(frozen=True)
class RuleVersion:
    """When a record of a catalogue item is public, under one version of the rule.

    ``start``: date field publication starts on. ``count_from``: date fields the lengths count
    from, the first one filled wins (default: ``start``), e.g. the end of the act (Dalian art. 12).
    ``max``/``min``: longest period, and the shortest before credit repair takes effect (one
    length, or one per severity code read from ``severity``); no ``max`` means long-term.
    ``ends_at``: date fields giving the last public day (the earliest wins, never past ``max``).
    ``removed_on``: date fields giving the first day no longer public. ``summary_procedure``: field
    whose ``summary`` code marks a 简易程序 penalty. ``extend_while_listed``: the period does not
    end while the subject has a published 严重失信主体名单 entry (Zhejiang art. 16).
    ``slight``: a 轻微 record (severity ``slight``, or a penalty whose only types, read from
    ``penalty_type``, are among ``slight_types``) is published only where it carries an ``ends_at``
    date, and at most this long; ``None``: never. ``penalty_content``: field of the penalty's text
    (处罚内容), read when ``penalty_type`` is empty or only 其他, and for any other sanction it names.
    ``other_sanctions``: fields whose value (an amount above 0, a licence named) means a sanction
    besides a warning, so the penalty is not 轻微 (:func:`site_builder.rules.disclosure.is_slight`).
    ``version``, ``valid_from``, ``valid_until``: the text this version follows and the first and last day it is in force (``None``: open).
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
    slight: Duration | None = None
    slight_types: tuple[str, ...] = ()
    penalty_type: str | None = None
    penalty_content: str | None = None
    other_sanctions: tuple[str, ...] = ()
    version: str = ""
    valid_from: date | None = None
    valid_until: date | None = None

    def length(self, which: str, severity: str | None) -> Duration | None:
        """The ``max`` or ``min`` length that applies to a record of the given severity code."""
        if severity == SLIGHT and which == "max":
            return self.slight
        value = self.max if which == "max" else self.min
        if isinstance(value, dict):
            return value.get(severity or "")
        return value

    def in_force(self, day: date) -> bool:
        """Whether this version is in force on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or day <= self.valid_until)

    @property
    def dates(self) -> str:
        """When this version is in force, e.g. ``2023-05-01 – 2026-03-31``; empty when always."""
        if self.valid_from and self.valid_until:
            return f"{self.valid_from} – {self.valid_until}"
        if self.valid_until:
            return f"until {self.valid_until}"
        return f"from {self.valid_from}" if self.valid_from else ""


@dataclass(frozen=True)
class PeriodRule:
    """A catalogue item's period rule: its versions in date order, together covering every day.

    ``national_maximum``: the rule is a national maximum that a regional profile may not exceed
    (checked when a profile is loaded, :mod:`site_builder.rules.profiles`).
    """

    versions: tuple[RuleVersion, ...]
    national_maximum: bool = False

    def at(self, day: date | None = None) -> RuleVersion:
        """The version in force on ``day`` (the newest version when ``day`` is ``None``)."""
        if day is not None:
            for version in self.versions:
                if version.in_force(day):
                    return version
        return self.versions[-1]

    @property
    def extend_while_listed(self) -> bool:
        """Whether some version extends while the subject is listed."""
        return any(v.extend_while_listed for v in self.versions)


def parse_period(where: str, raw: Any, field_types: dict[str, str], errors: list[str],
                 field_values: Mapping[str, Sequence[str]] | None = None,
                 required: Collection[str] | None = None) -> PeriodRule | None:
    """Parse a period mapping, appending ``<where>.key: problem`` lines to ``errors``.

    ``where`` names the file and the mapping's key, e.g. ``data/catalogue/judgment.yaml: period``.
    Keys outside ``versions`` are shared by every version; a version's own keys replace them. With ``field_values``
    (a field's value codes) the lengths per severity must be given for the severity field's values (a key ``serous``
    would leave a serious record without an end); with ``required`` (the required fields) the start must be one of
    them (a record without its start could not be decided).
    """
    if not isinstance(raw, dict):
        errors.append(f"{where}: a period rule is required")
        return None
    found: list[str] = []
    found.extend(f"{where}.{key}: {unknown_key(key, _RULE_KEYS)}" for key in sorted(set(raw) - _RULE_KEYS, key=str))
    if not isinstance(raw.get("national_maximum", False), bool):
        found.append(f"{where}.national_maximum: expected true or false")
    shared = {k: v for k, v in raw.items() if k in _VERSION_KEYS}
    listed = raw.get("versions", [{}])
    if not isinstance(listed, list) or not listed or not all(isinstance(v, dict) for v in listed):
        found.append(f"{where}.versions: expected a list of mappings")
        listed = []
    versions = []
    for index, own in enumerate(listed):
        place = f"{where}.versions[{index}]" if "versions" in raw else where
        found.extend(f"{place}.{key}: {unknown_key(key, _OWN_KEYS)}" for key in sorted(set(own) - _OWN_KEYS, key=str)
                     if "versions" in raw)
        versions.append(_parse_version(where, place, shared, own, field_types, found, field_values, required))
    if all(v is not None for v in versions):
        _check_dates(where, [v for v in versions if v is not None], found)
    errors.extend(dict.fromkeys(found))  # a shared key's problem once, not once per version
    if found:
        return None
    return PeriodRule(tuple(v for v in versions if v is not None), bool(raw.get("national_maximum", False)))


def _parse_version(where: str, place: str, shared: dict[str, Any], own: dict[str, Any],
                   field_types: dict[str, str], errors: list[str],
                   field_values: Mapping[str, Sequence[str]] | None = None,
                   required: Collection[str] | None = None) -> RuleVersion | None:
    """One version from the shared keys and its own; problems name the key where it is written."""
    raw = shared | own

    def at(key: str) -> str:
        return f"{place if key.split('[')[0] in own else where}.{key}"

    before = len(errors)
    if not raw.get("basis"):
        errors.append(f"{at('basis')}: every period rule cites its legal basis")
    for key in ("ends_at", "removed_on", "count_from"):
        if raw.get(key) is not None and not isinstance(raw[key], list):
            errors.append(f"{at(key)}: expected a list of date fields ([{raw[key]}])")
            return None
    if required is not None and raw.get("start") in field_types and raw["start"] not in required:
        errors.append(f"{at('start')}: {raw['start']!r} is optional: a record without it could not be decided; make the "
                      "field required, or count from a required date")
    date_fields = ["start", *(f"{k}[{i}]" for k in ("ends_at", "removed_on", "count_from") for i in range(len(raw.get(k) or [])))]
    if not isinstance(raw.get("extend_while_listed", False), bool):
        errors.append(f"{at('extend_while_listed')}: expected true or false")
    for key in date_fields:
        name = _lookup(raw, key)
        if field_types.get(name) != "date":
            errors.append(f"{at(key)}: {name!r} is not a date field of this item")
    for key in ("severity", "summary_procedure", "penalty_type", "penalty_content"):
        if raw.get(key) is not None and raw[key] not in field_types:
            errors.append(f"{at(key)}: {raw[key]!r} is not a field of this item")
    if not isinstance(raw.get("slight_types", []), list):
        errors.append(f"{at('slight_types')}: expected a list of penalty types")
    sanctions = raw.get("other_sanctions", [])
    if not isinstance(sanctions, list):
        errors.append(f"{at('other_sanctions')}: expected a list of fields")
    else:
        errors += [f"{at('other_sanctions')}: {name!r} is not a field of this item" for name in sanctions
                   if name not in field_types]
    lengths = {key: _lengths(at(key), raw.get(key), raw.get("severity"), errors) for key in ("max", "min")}
    errors += _severity_problems(raw, lengths, at, field_types, field_values, required)
    errors += [f"{at('min')}: longer than max ({label}): a repair could never end the record before its period does"
               for label, shortest, longest in _pairs(lengths["min"], lengths["max"])
               if not shortest.at_most(longest)]
    slight = _lengths(at("slight"), raw.get("slight"), None, errors)
    bounds = {key: _date(at(key), own.get(key), errors) for key in ("from", "until")}
    if len(errors) > before:
        return None
    return RuleVersion(
        start=raw["start"], basis=str(raw["basis"]), max=lengths["max"], min=lengths["min"],
        severity=raw.get("severity"), ends_at=tuple(raw.get("ends_at") or ()),
        removed_on=tuple(raw.get("removed_on") or ()), summary_procedure=raw.get("summary_procedure"),
        count_from=tuple(raw.get("count_from") or ()), extend_while_listed=bool(raw.get("extend_while_listed", False)),
        slight=slight if isinstance(slight, Duration) else None,
        slight_types=tuple(str(t) for t in raw.get("slight_types") or ()), penalty_type=raw.get("penalty_type"),
        penalty_content=raw.get("penalty_content"), other_sanctions=tuple(str(f) for f in raw.get("other_sanctions") or ()),
        version=str(own.get("version") or ""), valid_from=bounds["from"], valid_until=bounds["until"],
    )


def _severity_problems(raw: dict[str, Any], lengths: dict[str, Lengths], at: Callable[[str], str],
                       field_types: dict[str, str], field_values: Mapping[str, Sequence[str]] | None,
                       required: Collection[str] | None) -> list[str]:
    """Lengths per severity must be given for every value of the severity field (``max: {general: 1y}`` beside a code
    ``serious`` published a serious record with no end; a ``min`` without it let repair withdraw one at once), for
    those values only (a typo ``serous``), and the field must be a required, closed enumeration (a record without a
    severity, or with another value, would have no length). A 轻微 record's longest period is the ``slight`` key: a
    ``max.slight`` would be ignored, and a ``min`` need not give one."""
    severity = raw.get("severity")
    per_severity = [key for key, value in lengths.items() if isinstance(value, dict)]
    if not per_severity or field_values is None or severity not in field_types:
        return []
    codes = field_values.get(severity)
    if codes is None:
        return [f"{at('severity')}: {severity!r} has no closed list of values (values, not open): lengths per severity "
                "need one, or a record of another severity would have no length"]
    problems = []
    if required is not None and severity not in required:
        problems.append(f"{at('severity')}: {severity!r} is optional: a record without it would have no length; make "
                        "the field required (constraints: {required: true})")
    for key in per_severity:
        given = lengths[key]
        assert isinstance(given, dict)
        problems += [f"{at(key)}: {code!r} is not a value of the severity field {severity} ({', '.join(codes)})"
                     for code in given if code not in codes]
        if key == "max" and SLIGHT in given:
            problems.append(f"{at(key)}: a {SLIGHT} record's longest period is the rule's 'slight' key ({SLIGHT}: 3m), "
                            f"not max.{SLIGHT}")
        missing = [code for code in codes if code not in given and code != SLIGHT]
        if missing:
            effect = "published with no end" if key == "max" else "withdrawn by repair at once, with no minimum"
            problems.append(f"{at(key)}: no length for {', '.join(missing)} (a value of the severity field {severity}): "
                            f"such a record would be {effect}; give a length for every value")
    return problems


def _check_dates(where: str, versions: list[RuleVersion], errors: list[str]) -> None:
    """Versions follow each other without gap or overlap, from the beginning of time to its end."""
    if versions and versions[0].valid_from is not None:
        errors.append(f"{where}.versions[0].from: the first version has no start date (it covers every earlier day)")
    if versions and versions[-1].valid_until is not None:
        errors.append(f"{where}.versions[{len(versions) - 1}].until: the last version has no end date")
    for index, (earlier, later) in enumerate(zip(versions, versions[1:], strict=False), start=1):
        if earlier.valid_until is None or later.valid_from != next_day(earlier.valid_until):
            errors.append(f"{where}.versions[{index}].from: must be the day after versions[{index - 1}].until")


def _date(where: str, raw: Any, errors: list[str]) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        errors.append(f"{where}: {raw!r} is not a date (YYYY-MM-DD)")
        return None


def _pairs(low: Lengths, high: Lengths) -> list[tuple[str, Duration, Duration]]:
    """The ``min`` and ``max`` lengths that apply to the same records, with which records (a severity, or ``all``)."""
    if isinstance(low, Duration) and isinstance(high, Duration):
        return [("all", low, high)]
    if isinstance(low, dict) and isinstance(high, dict):
        return [(code, low[code], high[code]) for code in low if code in high]
    if isinstance(low, dict) and isinstance(high, Duration):
        return [(code, value, high) for code, value in low.items()]
    if isinstance(low, Duration) and isinstance(high, dict):
        return [(code, low, value) for code, value in high.items()]
    return []


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
