"""Disclosure profiles: the rules of a region as data (``data/profiles/<id>.yaml``).

A profile sets the rules that are not periods (natural persons, summary procedure, objections,
repair), each citing its basis, and may replace the period rule of any catalogue item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.catalogue import Catalogue
from site_builder.exceptions import CatalogueError
from site_builder.periods import LIST_ITEM, PeriodRule, parse_period

OBJECTION_MODES = ("suspend", "mark")
UNVERIFIABLE = ("exclude", "publish")
_OPTIONAL = {"min_age", "unverifiable"}
_RULE_KEYS: dict[str, dict[str, type]] = {
    "natural_persons": {"publish": bool, "min_age": int},
    "summary_procedure": {"publish": bool},
    "objection": {"mode": str, "unverifiable": str},
    "repair": {"withdraw": bool},
}


@dataclass(frozen=True)
class Policy:
    """The disclosure rules a build applies, with the basis of each."""

    id: str
    title: str
    publish_natural_persons: bool
    min_age: int
    publish_summary_procedure: bool
    objection_mode: str
    withdraw_repaired: bool
    exclude_unverifiable: bool
    basis: dict[str, str]
    periods: dict[str, PeriodRule] = field(default_factory=dict)
    source: Path | None = None

    def period(self, item_id: str, default: PeriodRule) -> PeriodRule:
        """The period rule for an item: the profile's, else the catalogue's."""
        return self.periods.get(item_id, default)


def load_profile(folder: Path, name: str, catalogue: Catalogue) -> Policy:
    """Load and validate profile ``name``; raise :class:`CatalogueError` naming file and key."""
    path = folder / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"Disclosure profile {name!r} not found: no file {path}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot be read: {exc}") from exc
    errors: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping at the top level")
    errors += [f"{path}: {k}: unknown key" for k in sorted(set(data) - {"id", "title", "rules", "periods", "description"})]
    if data.get("id") != name:
        errors.append(f"{path}: id: {data.get('id')!r} does not match the file name")
    rules = _rules(path, data.get("rules"), errors)
    periods: dict[str, PeriodRule] = {}
    raw_periods = data.get("periods") or {}
    if not isinstance(raw_periods, dict):
        errors.append(f"{path}: periods: expected a mapping of catalogue item ids to period rules")
        raw_periods = {}
    for item_id, raw in raw_periods.items():
        if item_id not in catalogue.ids:
            errors.append(f"{path}: periods.{item_id}: not a catalogue item")
            continue
        types = {f.name: f.type for f in catalogue[item_id].fields}
        rule = parse_period(f"{path}: periods.{item_id}", raw, types, errors)
        if rule is not None and rule.extend_while_listed and item_id == LIST_ITEM:
            errors.append(f"{path}: periods.{item_id}.extend_while_listed: a list entry cannot extend itself; "
                          "it is public until its removal or end date")
        elif rule is not None:
            periods[item_id] = rule
    if errors:
        raise CatalogueError("The disclosure profile is invalid:\n  " + "\n  ".join(errors))
    return Policy(
        id=name, title=str(data.get("title") or name),
        publish_natural_persons=rules["natural_persons"]["publish"],
        min_age=rules["natural_persons"].get("min_age", 18),
        publish_summary_procedure=rules["summary_procedure"]["publish"],
        objection_mode=rules["objection"]["mode"], withdraw_repaired=rules["repair"]["withdraw"],
        exclude_unverifiable=rules["objection"].get("unverifiable", "exclude") == "exclude",
        basis={k: v["basis"] for k, v in rules.items()}, periods=periods, source=path,
    )


def _rules(path: Path, raw: Any, errors: list[str]) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        errors.append(f"{path}: rules: a mapping of rules is required")
        return {}
    errors += [f"{path}: rules.{k}: unknown rule" for k in sorted(set(raw) - set(_RULE_KEYS))]
    for rule, keys in _RULE_KEYS.items():
        where = f"{path}: rules.{rule}"
        body = raw.get(rule)
        if not isinstance(body, dict):
            errors.append(f"{where}: missing")
            continue
        if not body.get("basis"):
            errors.append(f"{where}.basis: every rule cites its article")
        errors += [f"{where}.{k}: unknown key" for k in sorted(set(body) - set(keys) - {"basis"})]
        for key, kind in keys.items():
            if key in body and not isinstance(body[key], kind):
                errors.append(f"{where}.{key}: expected {kind.__name__}, got {body[key]!r}")
            elif key not in body and key not in _OPTIONAL:
                errors.append(f"{where}.{key}: missing")
    objection: dict[str, Any] = raw["objection"] if isinstance(raw.get("objection"), dict) else {}
    for key, allowed in (("mode", OBJECTION_MODES), ("unverifiable", UNVERIFIABLE)):
        value = objection.get(key)
        if value is not None and value not in allowed:
            errors.append(f"{path}: rules.objection.{key}: {value!r} is not one of {', '.join(allowed)}")
    return raw
