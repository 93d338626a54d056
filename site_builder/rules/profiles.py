"""Disclosure profiles: the rules of a region as data (``<id>.yaml`` in the site's or the packaged profiles folder).

A profile sets the rules that are not periods (natural persons, summary procedure, objections,
repair), each citing its basis, and may replace the period rule of any catalogue item. A rule the
catalogue marks ``national_maximum`` (administrative penalties: the national rule prevails, Zhejiang
art. 16, Shanghai art. 35, Dalian art. 12) may be replaced only by one that never publishes longer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from site_builder.exceptions import CatalogueError
from site_builder.rules.catalogue import Catalogue, find_file
from site_builder.rules.periods import LIST_ITEM, SLIGHT, PeriodRule, RuleVersion, parse_period
from site_builder.rules.yamlfile import load_yaml, unknown_key

OBJECTION_MODES = ("suspend", "mark")
UNVERIFIABLE = ("exclude", "publish")
MIN_AGES = (18, 30)
"""The ages ``rules.natural_persons.min_age`` may give: from adulthood (民法典 art. 17) to a bound that catches typos."""
_PROFILE_KEYS = {"id", "title", "rules", "periods", "description"}
_OPTIONAL = {"min_age", "unverifiable", "not_while_listed", "slight"}
_RULE_KEYS: dict[str, dict[str, type]] = {
    "natural_persons": {"publish": bool, "min_age": int},
    "summary_procedure": {"publish": bool, "slight": bool},
    "objection": {"mode": str, "unverifiable": str},
    "repair": {"withdraw": bool, "not_while_listed": bool},
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
    repair_not_while_listed: bool = False
    """Repair does not withdraw a record while its subject is listed (Zhejiang art. 32 ¶2)."""
    summary_is_slight: bool = False
    """A 简易程序 penalty is 轻微失信信息 (令36号): not published, except, under a rule version with a ``slight`` length,
    where the authority found publication necessary (a 公示截止期), for at most that length. Without it (Shanghai art. 9
    ¶2(四), Zhejiang art. 11(二)) a 简易程序 penalty is never published."""

    def rule(self, item_id: str, default: PeriodRule) -> PeriodRule:
        """The period rule for an item, every version: the profile's, else the catalogue's."""
        return self.periods.get(item_id, default)

    def period(self, item_id: str, default: PeriodRule, as_of: date | None = None) -> RuleVersion:
        """The version of an item's period rule in force on ``as_of`` (the newest without a date)."""
        return self.rule(item_id, default).at(as_of)


def load_profile(folders: Path | Sequence[Path], name: str, catalogue: Catalogue) -> Policy:
    """Load and validate profile ``name`` from the first of ``folders`` that has ``<name>.yaml``.

    ``folders`` is one folder or layers, the site's first (see :attr:`Config.profile_dirs`); raise
    :class:`CatalogueError` naming file and key.
    """
    layers = [folders] if isinstance(folders, Path) else list(folders)
    path = find_file(layers, f"{name}.yaml") or layers[0] / f"{name}.yaml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path)
    except FileNotFoundError as exc:
        where = path if len(layers) == 1 else f"{name}.yaml in {', '.join(str(f) for f in layers)}"
        known = available_profiles(layers)
        choose = f"; the profiles are {', '.join(known)}" if known else ""
        raise CatalogueError(f"Disclosure profile {name!r} not found: no file {where}{choose} (disclosure.profile in "
                             "the configuration, or build --profile)") from exc
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot be read: {exc}") from exc
    errors: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping at the top level")
    errors += [f"{path}: {k}: {unknown_key(k, _PROFILE_KEYS)}" for k in sorted(set(data) - _PROFILE_KEYS, key=str)]
    if data.get("id") != name:
        errors.append(f"{path}: id: {data.get('id')!r} does not match the file name")
    rules = _rules(path, data.get("rules"), errors)
    errors += _summary_exceeds(path, rules, catalogue)
    periods: dict[str, PeriodRule] = {}
    raw_periods = data.get("periods") or {}
    if not isinstance(raw_periods, dict):
        errors.append(f"{path}: periods: expected a mapping of catalogue item ids to period rules")
        raw_periods = {}
    for item_id, raw in raw_periods.items():
        if item_id not in catalogue.ids:
            errors.append(f"{path}: periods.{item_id}: not a catalogue item")
            continue
        fields = catalogue[item_id].fields
        rule = parse_period(f"{path}: periods.{item_id}", raw, {f.name: f.type for f in fields}, errors,
                            {f.name: tuple(f.values) for f in fields if f.values and not f.open},
                            {f.name for f in fields if f.required})
        if rule is not None and rule.extend_while_listed and item_id == LIST_ITEM:
            errors.append(f"{path}: periods.{item_id}.extend_while_listed: a list entry cannot extend itself; "
                          "it is public until its removal or end date")
        elif rule is not None:
            errors += _exceeds(f"{path}: periods.{item_id}", rule, catalogue[item_id].period)
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
        repair_not_while_listed=rules["repair"].get("not_while_listed", False),
        summary_is_slight=rules["summary_procedure"].get("slight", False),
    )


def available_profiles(folders: Sequence[Path]) -> list[str]:
    """The ids of the profiles in ``folders`` (``<id>.yaml``), sorted: what an unknown profile name is told to pick from."""
    found: set[str] = set()
    for folder in folders:
        try:
            found.update(p.stem for p in folder.iterdir() if p.suffix == ".yaml" and p.is_file())
        except OSError:
            continue
    return sorted(found)


def _exceeds(where: str, rule: PeriodRule, national: PeriodRule) -> list[str]:
    """Why ``rule`` could publish longer than the ``national`` maximum on some day, or withdraw sooner than its
    minimum or withhold what it publishes; empty if never.

    Each version is compared with every national version in force on a day it is. The minimum binds a region as the
    maximum does: a shorter ``min`` let a repair withdraw a 严重 penalty days after its decision, a ``max`` below the
    national minimum ended it sooner, and fewer ``other_sanctions`` or more ``slight_types`` withheld as 轻微 a warning
    that came with a fine (a profile had loaded all of these without a word).
    """
    if not national.national_maximum:
        return []
    problems: list[str] = []
    for index, mine in enumerate(rule.versions):
        at = f"{where}.versions[{index}]" if len(rule.versions) > 1 else where
        for law in (n for n in national.versions if _overlap(mine, n)):
            cited = f"the national maximum ({law.version or law.basis})"
            if mine.start != law.start or mine.count_from not in ((), (law.start,)):
                problems.append(f"{at}.count_from: periods count from {law.start} under {cited}")
            if mine.extend_while_listed:
                problems.append(f"{at}.extend_while_listed: would keep a record past {cited}")
            problems += [f"{at}.ends_at: {name} must end publication under {cited}"
                         for name in law.ends_at if name not in mine.ends_at]
            for key in (k for k in ("severity", "summary_procedure", "penalty_type") if getattr(law, k)):
                if getattr(mine, key) != getattr(law, key):
                    problems.append(f"{at}.{key}: must be {getattr(law, key)!r} as in {cited}")
            if set(law.slight_types) - set(mine.slight_types):
                problems.append(f"{at}.slight_types: must include {', '.join(law.slight_types)} as in {cited}")
            if extra := sorted(set(mine.slight_types) - set(law.slight_types)):
                problems.append(f"{at}.slight_types: {', '.join(extra)} would be withheld as 轻微, which {cited} publishes")
            if lost := [name for name in law.other_sanctions if name not in mine.other_sanctions]:
                problems.append(f"{at}.other_sanctions: must include {', '.join(lost)} as in {cited} (without it a "
                                "warning that came with that sanction is withheld as 轻微)")
            problems += _shorter(at, mine, law)
            codes = sorted(law.max) if isinstance(law.max, dict) else [""]
            for code in (*codes, SLIGHT):
                longest, allowed = mine.length("max", code or None), law.length("max", code or None)
                if code == SLIGHT and allowed is None:
                    if longest is not None:
                        problems.append(f"{at}.slight: {longest} where {cited} publishes no 轻微 record")
                elif allowed is not None and (longest is None or not longest.at_most(allowed)):
                    key = "slight" if code == SLIGHT else f"max{'.' + code if code else ''}"
                    problems.append(f"{at}.{key}: {longest or 'long-term'} is longer than {allowed} under {cited}")
    return list(dict.fromkeys(problems))


def _shorter(at: str, mine: RuleVersion, law: RuleVersion) -> list[str]:
    """Why ``mine`` could end a record sooner than ``law``'s minimum: a shorter ``min`` (repair would withdraw it
    before the national minimum) or a ``max`` below it (publication would end before the minimum had passed)."""
    problems: list[str] = []
    cited = f"the national minimum ({law.version or law.basis})"
    codes = sorted(law.min) if isinstance(law.min, dict) else [""]
    for code in codes:
        least = law.length("min", code or None)
        if least is None:
            continue
        suffix = f".{code}" if code else ""
        shortest, longest = mine.length("min", code or None), mine.length("max", code or None)
        if shortest is None or not least.at_most(shortest):
            problems.append(f"{at}.min{suffix}: {shortest or 'none'} is shorter than {least} under {cited}")
        if longest is not None and not least.at_most(longest):
            problems.append(f"{at}.max{suffix}: {longest} ends publication before {least} under {cited}")
    return problems


def _summary_exceeds(path: Path, rules: dict[str, Any], catalogue: Catalogue) -> list[str]:
    """Why ``rules.summary_procedure`` could publish a 简易程序 penalty longer than the national maximum; empty if never.

    Under every national version a 简易程序 penalty is not published (527号, 58号令), or is 轻微 (令36号: at most the
    ``slight`` length, and only with a 公示截止期). ``publish: true`` without ``slight: true`` published it as an
    ordinary penalty, for up to a year or three: it is refused wherever a ``national_maximum`` rule reads the procedure.
    """
    body = rules.get("summary_procedure")
    if not isinstance(body, dict) or body.get("publish") is not True or body.get("slight") is True:
        return []
    problems = []
    for item in catalogue.items:
        if not item.period.national_maximum or not any(v.summary_procedure for v in item.period.versions):
            continue
        national = "; ".join(f"{v.version or v.dates or 'always'}: "
                             + (f"at most {v.slight}, with a 公示截止期" if v.slight else "not published")
                             for v in item.period.versions)
        problems.append(f"{path}: rules.summary_procedure.publish: true publishes a 简易程序 penalty ({item.id}) as an "
                        f"ordinary one, longer than the national maximum ({national}): set publish: false, with "
                        "slight: true to publish one that carries a 公示截止期 for at most the 轻微 length")
    return problems


def _overlap(one: RuleVersion, other: RuleVersion) -> bool:
    """Whether two versions are in force on some common day."""
    return ((one.valid_from or date.min) <= (other.valid_until or date.max)
            and (other.valid_from or date.min) <= (one.valid_until or date.max))


def _rules(path: Path, raw: Any, errors: list[str]) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        errors.append(f"{path}: rules: a mapping of rules is required")
        return {}
    errors += [f"{path}: rules.{k}: {unknown_key(k, _RULE_KEYS, 'rule')}" for k in sorted(set(raw) - set(_RULE_KEYS), key=str)]
    for rule, keys in _RULE_KEYS.items():
        where = f"{path}: rules.{rule}"
        body = raw.get(rule)
        if not isinstance(body, dict):
            errors.append(f"{where}: missing")
            continue
        if not body.get("basis"):
            errors.append(f"{where}.basis: every rule cites its article")
        errors += [f"{where}.{k}: {unknown_key(k, {*keys, 'basis'})}" for k in sorted(set(body) - set(keys) - {"basis"}, key=str)]
        for key, kind in keys.items():
            if key in body and (not isinstance(body[key], kind) or kind is int and isinstance(body[key], bool)):
                errors.append(f"{where}.{key}: expected {kind.__name__}, got {body[key]!r}")  # YAML's true is no age
            elif key not in body and key not in _OPTIONAL:
                errors.append(f"{where}.{key}: missing")
    persons = raw["natural_persons"] if isinstance(raw.get("natural_persons"), dict) else {}
    age = persons.get("min_age") if persons.get("publish") is True else None  # unused where persons are not published
    if type(age) is int and not MIN_AGES[0] <= age <= MIN_AGES[1]:
        errors.append(f"{path}: rules.natural_persons.min_age: {age} is outside {MIN_AGES[0]}–{MIN_AGES[1]}: under "
                      f"{MIN_AGES[0]} a minor's record would be published (民法典 art. 17; no regional text allows it), "
                      "and no text sets an age above 18 (a larger number is taken for a typo)")
    objection: dict[str, Any] = raw["objection"] if isinstance(raw.get("objection"), dict) else {}
    for key, allowed in (("mode", OBJECTION_MODES), ("unverifiable", UNVERIFIABLE)):
        value = objection.get(key)
        if value is not None and value not in allowed:
            errors.append(f"{path}: rules.objection.{key}: {value!r} is not one of {', '.join(allowed)}")
    return raw
