"""The disclosure rules of DOMAIN.md, each with a record on both sides of every boundary.

Periods count as the Civil Code does: a one-year period from 2025-03-10 has 2026-03-10 as its
last public day, and the record is gone on 2026-03-11.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from conftest import CATALOGUE, make_resident_id, person, record, validate

from site_builder.rules.disclosure import REASONS, Decision, decide
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Quarantined

D = date.fromisoformat


def outcome(policy: Policy, item: str, as_of: str, **values: str) -> Decision:
    """Decide a record built from ``values`` on ``as_of``."""
    return decide(record(item, **values), CATALOGUE[item], policy, D(as_of))


def assert_boundary(policy: Policy, item: str, last_day: str, reason: str, **values: str) -> None:
    """Published the day before and on ``last_day`` (with that end date), excluded the day after."""
    last = D(last_day)
    for day in (last.fromordinal(last.toordinal() - 1), last):
        decision = decide(record(item, **values), CATALOGUE[item], policy, day)
        assert decision.published, (day, decision)
        assert decision.until == last
    after = decide(record(item, **values), CATALOGUE[item], policy, last.fromordinal(last.toordinal() + 1))
    assert (after.published, after.reason) == (False, reason)


# --- Rule 3: periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "decided", "last_day"),
    [
        ("一般", "2025-03-10", "2026-03-10"),  # general: at most 1 year
        ("严重", "2025-03-10", "2028-03-10"),  # serious: at most 3 years
        ("general", "2024-02-29", "2025-02-28"),  # no corresponding day: last day of the month
        ("serious", "2023-08-31", "2026-08-31"),
    ],
)
def test_penalty_maximum_period(national: Policy, severity: str, decided: str, last_day: str) -> None:
    assert_boundary(national, "admin_penalty", last_day, "expired", severity=severity, decision_date=decided)


def test_penalty_deadline_ends_publication_earlier(national: Policy) -> None:
    assert_boundary(national, "admin_penalty", "2025-09-30", "expired", decision_date="2025-03-10",
                    disclosure_deadline="2025-09-30")


def test_penalty_deadline_never_extends_the_maximum(national: Policy) -> None:
    assert_boundary(national, "admin_penalty", "2026-03-10", "expired", decision_date="2025-03-10",
                    severity="一般", disclosure_deadline="2027-12-31")


def test_judgment_five_years_from_decision(national: Policy) -> None:
    assert_boundary(national, "judgment", "2026-06-01", "expired", decision_date="2021-06-01")


def test_dishonest_list_until_removal(national: Policy) -> None:
    # Removed on 2025-01-10: the last public day is the day before.
    assert_boundary(national, "dishonest_list", "2025-01-09", "removed", decision_date="2024-01-10",
                    removal_date="2025-01-10")


def test_dishonest_list_until_valid_until(national: Policy) -> None:
    assert_boundary(national, "dishonest_list", "2025-06-30", "expired", decision_date="2024-01-10",
                    valid_until="2025-06-30")


def test_dishonest_list_without_end_stays(national: Policy) -> None:
    decision = outcome(national, "dishonest_list", "2030-01-01", decision_date="2024-01-10")
    assert decision.published and decision.until is None


def test_license_long_term_unless_deadline(national: Policy) -> None:
    assert outcome(national, "admin_license", "2040-01-01").until is None
    assert_boundary(national, "admin_license", "2026-01-31", "expired", disclosure_deadline="2026-01-31")


def test_commendation_until_valid_until(national: Policy) -> None:
    assert outcome(national, "commendation", "2040-01-01").published
    assert_boundary(national, "commendation", "2026-12-31", "expired", valid_until="2026-12-31")


def test_subject_registration_is_long_term(national: Policy) -> None:
    decision = outcome(national, "subject", "2045-01-01")
    assert decision.published and decision.until is None


def test_not_started_before_the_start_date(national: Policy) -> None:
    assert outcome(national, "admin_penalty", "2025-03-09", decision_date="2025-03-10").reason == "not_started"
    assert outcome(national, "admin_penalty", "2025-03-10", decision_date="2025-03-10").published
    assert outcome(national, "dishonest_list", "2024-01-09", decision_date="2024-01-10").reason == "not_started"


# --- Rule 6: repair, never before the minimum period ------------------------------------------


@pytest.mark.parametrize(
    ("severity", "repaired", "last_day"),
    [
        ("一般", "2025-04-01", "2025-06-10"),  # before the 3-month minimum: takes effect 2025-06-11
        ("一般", "2025-08-01", "2025-07-31"),  # after the minimum: takes effect on the repair date
        ("一般", "2025-06-11", "2025-06-10"),  # on the first day after the minimum
        ("严重", "2025-04-01", "2026-03-10"),  # serious: 1-year minimum (58号令, 令36号)
        ("严重", "2026-01-15", "2026-03-10"),  # was withdrawn after 6 months under 527号's minimum
        ("严重", "2026-05-15", "2026-05-14"),
    ],
)
def test_repair_after_minimum_period(national: Policy, severity: str, repaired: str, last_day: str) -> None:
    assert_boundary(national, "admin_penalty", last_day, "repaired", decision_date="2025-03-10", severity=severity,
                    repair_date=repaired)


def test_repair_after_expiry_reports_expiry(national: Policy) -> None:
    decision = outcome(national, "admin_penalty", "2026-06-01", decision_date="2025-03-10", repair_date="2026-05-01")
    assert decision.reason == "expired"


def test_repair_does_not_withdraw_good_information(national: Policy) -> None:
    assert outcome(national, "commendation", "2026-01-01", repair_date="2025-01-01").published


def test_repair_on_a_judgment_applies_at_once(national: Policy) -> None:
    assert_boundary(national, "judgment", "2024-12-31", "repaired", decision_date="2023-06-01", repair_date="2025-01-01")


# --- Rules 1, 2, 4, 5: approval, disclosure level, summary procedure, objections ---------------


@pytest.mark.parametrize("status", ["待审核", "已驳回", "已撤回", "pending", "rejected", "withdrawn"])
def test_only_approved_records(national: Policy, status: str) -> None:
    assert outcome(national, "admin_penalty", "2025-06-01", publish_status=status).reason == "not_approved"


@pytest.mark.parametrize("status", ["已审核", "approved", "APPROVED"])
def test_approved_in_either_language(national: Policy, status: str) -> None:
    assert outcome(national, "admin_penalty", "2025-06-01", publish_status=status).published


@pytest.mark.parametrize("level", ["授权查询", "政务共享", "authorised", "government"])
def test_only_public_records(national: Policy, level: str) -> None:
    assert outcome(national, "admin_penalty", "2025-06-01", disclosure_level=level).reason == "not_public"


def test_summary_procedure_penalty_excluded(national: Policy) -> None:
    assert outcome(national, "admin_penalty", "2025-06-01", procedure="简易程序").reason == "summary_procedure"
    assert outcome(national, "admin_penalty", "2025-06-01", procedure="普通程序").published


@pytest.mark.parametrize(
    ("status", "expected"),
    [("处理中", "objection_pending"), ("异议成立", "objection_upheld"), ("无法核实", "objection_unverifiable"),
     ("异议不成立", "published"),
     ("无", "published"), ("", "published")],
)
def test_objections_suspend(national: Policy, status: str, expected: str) -> None:
    decision = outcome(national, "admin_penalty", "2025-06-01", objection_status=status)
    assert decision.outcome == expected
    assert not decision.marked


@pytest.mark.parametrize(("status", "expected"), [
    ("", "objection_pending"),  # filed, no outcome given: being handled
    ("处理中", "objection_pending"), ("异议成立", "objection_upheld"), ("异议不成立", "published"),
    ("无", "published"), ("否", "published"),  # an explicit "none" wins over a date (a database's default 1900-01-01)
])
def test_an_objection_date_without_a_status_suspends(national: Policy, status: str, expected: str) -> None:
    decision = outcome(national, "admin_penalty", "2026-11-24", decision_date="2026-06-01", objection_status=status,
                       objection_date="2026-11-01")
    assert decision.outcome == expected


@pytest.mark.parametrize(("status", "expected"), [
    ("正常", "published"), ("0", "published"), ("", "published"),
    ("撤销", "revoked"), ("1", "revoked"), ("已撤销", "revoked"),
    ("异议", "objection_pending"), ("2", "objection_pending"),
])
def test_a_penaltys_current_status_withdraws_a_revoked_one_and_suspends_one_under_objection(
        national: Policy, status: str, expected: str) -> None:
    """Bug: 当前状态 (the 2016 双公示 standard's 0 正常, 1 撤销, 2 异议) was an unknown column, so revoked penalties and
    penalties under objection were published."""
    assert outcome(national, "admin_penalty", "2026-11-24", decision_date="2026-06-01",
                   decision_status=status).outcome == expected
    dismissed = outcome(national, "admin_penalty", "2026-11-24", decision_date="2026-06-01", decision_status=status,
                        objection_status="异议不成立", objection_date="2026-10-01")
    assert dismissed.outcome == ("revoked" if expected == "revoked" else "published")


@pytest.mark.parametrize("status", ["其他", "3", "待定"])
def test_a_current_status_the_build_cannot_decide_on_is_quarantined(status: str) -> None:
    checked = validate("admin_penalty", decision_status=status)
    assert isinstance(checked, Quarantined) and [p.column for p in checked.problems] == ["当前状态"]


def test_an_objection_date_without_a_status_is_marked_in_mark_mode(national: Policy) -> None:
    marking = dataclasses.replace(national, objection_mode="mark")
    decision = outcome(marking, "admin_penalty", "2026-11-24", decision_date="2026-06-01", objection_date="2026-11-01")
    assert decision.published and decision.marked
    assert not outcome(national, "admin_penalty", "2026-11-24", decision_date="2026-06-01").marked


def test_mark_mode_publishes_with_a_mark(national: Policy) -> None:
    marking = dataclasses.replace(national, objection_mode="mark")
    decision = outcome(marking, "admin_penalty", "2025-06-01", objection_status="处理中", objection_date="2025-05-01")
    assert decision.published and decision.marked
    assert outcome(marking, "admin_penalty", "2025-06-01", objection_status="异议成立").reason == "objection_upheld"


def test_first_failing_rule_gives_the_reason(national: Policy) -> None:
    decision = outcome(national, "admin_penalty", "2030-01-01", publish_status="待审核", disclosure_level="政务共享",
                       procedure="简易程序")
    assert decision.reason == "not_approved"
    assert outcome(national, "admin_penalty", "2030-01-01", disclosure_level="政务共享").reason == "not_public"


# --- Rule 7: natural persons --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "expected"),
    # 18 from the day after the 18th birthday (最高人民法院关于审理未成年人刑事案件具体应用法律若干问题的解释 第二条):
    # decided on the birthday itself, still a minor.
    [("20080311", "minor"), ("20080310", "minor"), ("20080309", "published")],
)
def test_natural_person_adult_on_decision_date(national: Policy, birth: str, expected: str) -> None:
    values = person(id_no=make_resident_id(birth=birth)) | {"decision_date": "2026-03-10"}
    assert outcome(national, "admin_penalty", "2026-03-12", **values).outcome == expected


@pytest.mark.parametrize(
    ("birth", "decided", "expected"),
    [
        ("20081124", "2026-11-24", "minor"),  # the 18th birthday itself
        ("20081124", "2026-11-25", "published"),  # the day after it
        # Born on 29 February: the 18 years end on 28 February of a common year (民法典 arts. 201-202).
        ("20080229", "2026-02-28", "minor"),
        ("20080229", "2026-03-01", "published"),
        ("20080301", "2026-03-01", "minor"),
        ("20080301", "2026-03-02", "published"),
    ],
)
def test_eighteen_from_the_day_after_the_birthday(national: Policy, birth: str, decided: str, expected: str) -> None:
    values = person(id_no=make_resident_id(birth=birth)) | {"decision_date": decided}
    assert outcome(national, "admin_penalty", decided, **values).outcome == expected


@pytest.mark.parametrize(("min_age", "birth", "decided", "expected"), [
    (16, "20080229", "2024-02-28", "minor"),  # a 16th birthday that is a 29 February
    (16, "20080229", "2024-02-29", "minor"),
    (16, "20080229", "2024-03-01", "published"),
    (20, "20080229", "2028-02-29", "minor"),
    (20, "20080229", "2028-03-01", "published"),
])
def test_other_ages_count_the_same_way(national: Policy, min_age: int, birth: str, decided: str, expected: str) -> None:
    policy = dataclasses.replace(national, min_age=min_age)
    values = person(id_no=make_resident_id(birth=birth)) | {"decision_date": decided}
    assert outcome(policy, "admin_penalty", decided, **values).outcome == expected


def test_natural_person_without_resident_id_is_not_published(national: Policy) -> None:
    values = person(id_type="护照", id_no="E12345678")
    assert outcome(national, "admin_penalty", "2025-06-01", **values).reason == "age_unknown"


def test_profile_without_natural_persons(national: Policy) -> None:
    no_persons = dataclasses.replace(national, publish_natural_persons=False)
    assert outcome(no_persons, "admin_penalty", "2025-06-01", **person()).reason == "natural_person"
    assert outcome(no_persons, "admin_penalty", "2025-06-01").published


def test_individual_business_is_not_a_natural_person(national: Policy) -> None:
    assert outcome(national, "admin_penalty", "2025-06-01", subject_category="个体工商户").published


# --- The decision is total ---------------------------------------------------------------------


def test_every_reason_code_is_documented_and_reachable(national: Policy) -> None:
    seen = {
        outcome(national, "admin_penalty", "2025-06-01", publish_status="待审核").reason,
        outcome(national, "admin_penalty", "2025-06-01", disclosure_level="政务共享").reason,
        outcome(dataclasses.replace(national, publish_natural_persons=False), "admin_penalty", "2025-06-01",
                **person()).reason,
        outcome(national, "admin_penalty", "2025-06-01", **person(id_no=make_resident_id(birth="20100101"))).reason,
        outcome(national, "admin_penalty", "2025-06-01", **person(id_type="护照", id_no="E1")).reason,
        outcome(national, "admin_penalty", "2025-06-01", procedure="简易程序").reason,
        outcome(national, "admin_penalty", "2025-06-01", penalty_type="不予处罚").reason,
        outcome(national, "admin_penalty", "2026-06-01", decision_date="2026-05-01", severity="轻微").reason,
        outcome(national, "admin_penalty", "2025-06-01", objection_status="异议成立").reason,
        outcome(national, "admin_penalty", "2025-06-01", objection_status="无法核实").reason,
        outcome(national, "admin_penalty", "2025-06-01", objection_status="处理中").reason,
        outcome(national, "admin_penalty", "2025-01-01").reason,
        outcome(national, "admin_penalty", "2027-01-01").reason,
        outcome(national, "dishonest_list", "2025-06-01", removal_date="2025-01-01").reason,
        outcome(national, "admin_penalty", "2025-12-01", repair_date="2025-07-01").reason,
        outcome(national, "admin_penalty", "2025-06-01", decision_status="撤销").reason,
    }
    assert seen == set(REASONS)


def test_a_pending_objection_without_a_filing_date_is_suspended_in_mark_mode(national: Policy) -> None:
    """Bug (Zhejiang, Shanghai): 处理中 with no 异议提出日期 was published as marked, but the 异议标注 shows the filing
    date, so the page showed no mark at all. It cannot be marked, so it is suspended."""
    marking = dataclasses.replace(national, objection_mode="mark")
    decision = outcome(marking, "admin_penalty", "2026-06-15", decision_date="2026-05-01", objection_status="处理中")
    assert not decision.published and decision.reason == "objection_pending"


@pytest.mark.parametrize(("status", "reason"), [
    ("处理中", "objection_pending"), ("异议成立", "objection_upheld"), ("无法核实", "objection_unverifiable"),
    ("", "objection_pending")])
def test_an_objection_counts_on_a_site_built_for_a_day_before_its_filing(national: Policy, status: str,
                                                                         reason: str) -> None:
    """An objection filed on 2026-06-01 had been left out of a site built for 2026-05-20 (stop 41's boundary-date
    tester): such a site (a back-fill after an outage) goes live when it is built, and it published a record whose
    objection was being handled, or one found wrong; so did a live build for a filing date typed a year late. The
    export's 异议状态 is its state now: it counts whatever the as-of date."""
    for as_of in ("2026-05-20", "2026-06-01"):
        decision = outcome(national, "admin_penalty", as_of, decision_date="2026-05-01", objection_status=status,
                           objection_date="2026-06-01")
        assert (decision.published, decision.reason) == (False, reason), (as_of, status)
    marking = dataclasses.replace(national, objection_mode="mark")
    if status in ("处理中", ""):
        marked = outcome(marking, "admin_penalty", "2026-05-20", decision_date="2026-05-01", objection_status=status,
                         objection_date="2026-06-01")
        assert marked.published and marked.marked


def test_a_revoked_record_of_another_item_is_not_called_a_penalty(national: Policy) -> None:
    """Bug: a site's own item with a 当前状态 column (行政检查) said of its revoked records that a 行政处罚决定 had been
    revoked and was no valid penalty."""
    penalty = CATALOGUE["admin_penalty"]
    inspection = dataclasses.replace(penalty, id="inspection", title="行政检查")
    checked = record("admin_penalty", decision_date="2026-06-01", decision_status="撤销")
    other = decide(checked, inspection, national, D("2026-11-24"))
    assert other.outcome == "revoked" and other.basis is not None
    assert "行政检查" in other.basis and "处罚" not in other.basis
    own = decide(checked, penalty, national, D("2026-11-24"))
    assert own.outcome == "revoked" and own.basis is not None and "行政处罚决定" in own.basis
    assert "处罚" not in REASONS["revoked"].split("，如")[0]  # the reason's words fit every item
