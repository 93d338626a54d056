"""The disclosure decision: a pure function of (record, catalogue item, policy, as-of date).

Rules are checked in the order of ``REASONS``; the first that applies gives the one reason code
of an excluded record. A published record gets the last day it stays public (``None``: long-term).
Periods follow the version of the rule in force on the as-of date (e.g. 发改办财金〔2019〕527号 for
2023-03-01, 国家发展改革委令2025年第36号 from 2026-04-01); the decision names it.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import date

from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.identifiers import birth_date
from site_builder.rules.periods import SLIGHT, RuleVersion, next_day, previous_day
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Record, roles

REASONS: dict[str, str] = {
    "not_approved": "发布状态不是“已审核”（待审核、已驳回、已撤回）",
    "not_public": "公开属性为授权查询或政务共享，不在门户公示",
    "natural_person": "本规则不公示自然人信息",
    "minor": "自然人在决定日期未满18周岁（或规则规定的年龄）",
    "age_unknown": "自然人的证件不是居民身份证，无法确认已成年",
    "summary_procedure": "适用简易程序作出的行政处罚不公示",
    "slight_dishonesty": "轻微失信信息（含仅给予警告或通报批评的处罚）不公示；2026-04-01起载明公示截止期的，最长公示3个月",
    "objection_upheld": "异议成立，记录撤下",
    "objection_unverifiable": "异议信息无法核实真实性，予以删除",
    "objection_pending": "异议处理中，中止公示",
    "not_started": "公示期尚未开始（决定或列入日期晚于公示日期）",
    "expired": "公示期已届满（含公示截止期、有效期至）",
    "removed": "已移出名单",
    "repaired": "已完成信用修复，且最短公示期已届满",
}


@dataclass(frozen=True)
class Decision:
    """Whether a record is published on the as-of date, and why or why not."""

    published: bool
    reason: str | None = None
    start: date | None = None
    until: date | None = None
    marked: bool = False
    basis: str = ""
    version: str = ""
    """The version of the period rule applied (e.g. ``发改办财金〔2019〕527号``); empty if unversioned."""

    @property
    def outcome(self) -> str:
        """``published`` or the reason code."""
        return "published" if self.published else str(self.reason)


def decide(record: Record, item: CatalogItem, policy: Policy, as_of: date,
           listed: Container[str] = frozenset()) -> Decision:
    """Decide whether ``record`` is public on ``as_of`` under ``policy``.

    ``listed``: 统一社会信用代码 of subjects with a published 严重失信主体名单 entry on ``as_of``, for
    periods that do not end while the subject is listed.
    """
    if record.get(roles(item).get("publish_status")) != "approved":
        return Decision(False, "not_approved")
    if record.get(roles(item).get("disclosure_level")) != "public":
        return Decision(False, "not_public")
    rule = policy.period(item.id, item.period, as_of)
    start = record.get(rule.start)
    assert isinstance(start, date), "validation guarantees the start date"
    version = rule.version
    person = _person_reason(record, item, policy)
    if person:
        return Decision(False, person, basis=policy.basis["natural_persons"], version=version)
    if rule.summary_procedure and not policy.publish_summary_procedure:
        if record.get(rule.summary_procedure) == "summary":
            return Decision(False, "summary_procedure", basis=policy.basis["summary_procedure"], version=version)
    slight = is_slight(record, rule)
    if slight and (rule.slight is None or not any(isinstance(record.get(name), date) for name in rule.ends_at)):
        return Decision(False, "slight_dishonesty", basis=rule.basis, version=version)
    objection = record.get(roles(item).get("objection_status"))
    if objection == "upheld":
        return Decision(False, "objection_upheld", basis=policy.basis["objection"], version=version)
    if objection == "unverifiable" and policy.exclude_unverifiable:
        return Decision(False, "objection_unverifiable", basis=policy.basis["objection"], version=version)
    if objection == "pending" and policy.objection_mode == "suspend":
        return Decision(False, "objection_pending", basis=policy.basis["objection"], version=version)
    if as_of < start:
        return Decision(False, "not_started", start=start, basis=rule.basis, version=version)
    listed_now = record.get(roles(item).get("uscc")) in listed
    repairable = not (policy.repair_not_while_listed and listed_now)
    until, reason = _end(record, item, rule, policy, start, slight=slight, repairable=repairable)
    if until is not None and as_of > until and rule.extend_while_listed and listed_now:
        # Its period has ended, but the subject is still on a serious-dishonesty list: the maximum
        # length no longer applies; a 公示截止期, removal or credit repair still ends publication.
        until, reason = _end(record, item, rule, policy, start, listed=True, repairable=repairable)
    if until == date.max:
        until = None  # a period ending on the last representable day has no end in practice
    if until is not None and as_of > until:
        return Decision(False, reason, start=start, until=until, basis=rule.basis, version=version)
    marked = objection == "pending" and policy.objection_mode == "mark"
    return Decision(True, None, start=start, until=until, marked=marked, basis=rule.basis, version=version)


_TYPE_SEPARATORS = re.compile(r"[、,，;；/／|\s]+")


def is_slight(record: Record, rule: RuleVersion) -> bool:
    """Whether a record is 轻微失信 under ``rule``: its severity is ``slight``, or its only penalty
    types (处罚类别, several separated by 、 , ； etc.) are among the rule's ``slight_types``
    (警告, 通报批评: 令36号; 市场监督管理行政处罚信息公示规定 art. 2)."""
    if rule.severity and record.get(rule.severity) == SLIGHT:
        return True
    if not rule.penalty_type or not rule.slight_types:
        return False
    types = [t for t in _TYPE_SEPARATORS.split(str(record.get(rule.penalty_type) or "")) if t]
    return bool(types) and all(t in rule.slight_types for t in types)


def _person_reason(record: Record, item: CatalogItem, policy: Policy) -> str | None:
    """The reason a natural person's record is not published, if any."""
    if record.get(roles(item).get("subject_category")) != "natural_person":
        return None
    if not policy.publish_natural_persons:
        return "natural_person"
    decided = record.get(roles(item).get("decision_date"))
    born = birth_date(str(record.get(roles(item).get("id_no")) or ""))
    if born is None or not isinstance(decided, date):
        return "age_unknown"
    age = decided.year - born.year - ((decided.month, decided.day) < (born.month, born.day))
    return "minor" if age < policy.min_age else None


def _end(
    record: Record, item: CatalogItem, rule: RuleVersion, policy: Policy, start: date, listed: bool = False,
    slight: bool = False, repairable: bool = True,
) -> tuple[date | None, str]:
    """The last public day and the reason publication ends then (``expired``, ``removed``, ``repaired``).

    ``listed``: the subject is on a serious-dishonesty list and the rule extends while it is, so
    the maximum length does not end publication. ``slight``: the record is 轻微, so the rule's
    ``slight`` length is its maximum. ``repairable``: credit repair may end publication.
    """
    ends: list[tuple[date, str]] = []
    severity = SLIGHT if slight else record.get(rule.severity) if rule.severity else None
    counted = next((d for name in rule.count_from if isinstance(d := record.get(name), date)), start)
    longest = rule.length("max", str(severity) if severity else None)
    if longest is not None and not listed:
        ends.append((longest.last_day(counted), "expired"))
    for name in rule.ends_at:
        value = record.get(name)
        if isinstance(value, date):
            ends.append((value, "expired"))
    for name in rule.removed_on:
        value = record.get(name)
        if isinstance(value, date):
            ends.append((previous_day(value), "removed"))
    repaired = record.get(roles(item).get("repair_date"))
    if isinstance(repaired, date) and repairable and policy.withdraw_repaired and item.nature == "adverse":
        shortest = rule.length("min", str(severity) if severity else None)
        effective = max(repaired, next_day(shortest.last_day(counted))) if shortest else repaired
        ends.append((previous_day(effective), "repaired"))
    if not ends:
        return None, "expired"
    order = ("expired", "removed", "repaired")
    return min(ends, key=lambda end: (end[0], order.index(end[1])))
