"""The national rule in force on the as-of date (DOMAIN.md "National rules by date").

Every version and every class, on both sides of every period end and every repair minimum:
发改办财金〔2019〕527号 until 2023-04-30, 国家发展改革委令第58号 2023-05-01 – 2026-03-31, 国家发展改革委令
2025年第36号 from 2026-04-01. Periods count from the decision date as the Civil Code counts them.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import CATALOGUE, PROFILES_DIR, record, row, site_config, write_csv

from site_builder.audit.explain import NO_SITE, explain
from site_builder.rules.disclosure import Decision, decide, is_slight
from site_builder.rules.periods import Duration, next_day, previous_day
from site_builder.rules.profiles import Policy, load_profile
from site_builder.rules.rowcache import TracingDate
from site_builder.rules.validation import Record, Value

D = date.fromisoformat
V527 = "发改办财金〔2019〕527号"
V58 = "国家发展改革委令第58号"
V36 = "国家发展改革委令2025年第36号"
PENALTY = CATALOGUE["admin_penalty"]


def decided(policy: Policy, as_of: date, **values: str) -> Decision:
    """The decision about an administrative penalty built from ``values`` on ``as_of``."""
    return decide(record("admin_penalty", **values), PENALTY, policy, as_of)


def assert_ends(policy: Policy, last_day: str, reason: str, version: str, **values: str) -> None:
    """Published the day before and on ``last_day``, excluded for ``reason`` the day after, all under ``version``."""
    last = D(last_day)
    for day in (last - timedelta(days=1), last):
        decision = decided(policy, day, **values)
        assert (decision.published, decision.until, decision.version) == (True, last, version), (day, decision)
        assert decision.basis.startswith(version)
    after = decided(policy, last + timedelta(days=1), **values)
    assert (after.published, after.reason, after.version) == (False, reason, version), after


# --- The longest period, each version and class -----------------------------------------------

@pytest.mark.parametrize(("version", "severity", "decision_date", "last_day"), [
    (V527, "一般", "2022-03-10", "2023-03-10"),
    (V527, "严重", "2020-03-10", "2023-03-10"),
    (V58, "一般", "2024-03-10", "2025-03-10"),
    (V58, "严重", "2022-03-10", "2025-03-10"),
    (V36, "一般", "2026-04-10", "2027-04-10"),
    (V36, "严重", "2026-04-10", "2029-04-10"),
    (V36, "general", "2027-02-28", "2028-02-28"),
    (V36, "serious", "2026-05-31", "2029-05-31"),
])
def test_maximum_period(national: Policy, version: str, severity: str, decision_date: str, last_day: str) -> None:
    assert_ends(national, last_day, "expired", version, severity=severity, decision_date=decision_date)


# --- The shortest period before credit repair takes effect -------------------------------------

@pytest.mark.parametrize(("version", "severity", "decision_date", "last_day"), [
    (V527, "一般", "2022-06-10", "2022-09-10"),   # 3 months
    (V527, "严重", "2022-06-10", "2022-12-10"),   # 6 months under 527号
    (V58, "一般", "2024-06-10", "2024-09-10"),
    (V58, "严重", "2024-06-10", "2025-06-10"),    # 1 year since 2023-05-01
    (V36, "一般", "2026-06-10", "2026-09-10"),
    (V36, "严重", "2026-06-10", "2027-06-10"),
])
def test_repair_waits_for_the_minimum(national: Policy, version: str, severity: str, decision_date: str,
                                      last_day: str) -> None:
    repaired = (D(decision_date) + timedelta(days=21)).isoformat()
    assert_ends(national, last_day, "repaired", version, severity=severity, decision_date=decision_date,
                repair_date=repaired)


@pytest.mark.parametrize(("version", "severity", "decision_date", "repaired"), [
    (V527, "严重", "2022-01-10", "2022-09-01"),
    (V58, "严重", "2024-01-10", "2025-02-01"),
    (V36, "一般", "2026-04-10", "2026-10-01"),
])
def test_repair_after_the_minimum_takes_effect_that_day(national: Policy, version: str, severity: str,
                                                        decision_date: str, repaired: str) -> None:
    assert_ends(national, (D(repaired) - timedelta(days=1)).isoformat(), "repaired", version, severity=severity,
                decision_date=decision_date, repair_date=repaired)


# --- 轻微: not published, at most 3 months where the record carries a 公示截止期 -----------------

@pytest.mark.parametrize("values", [
    {"severity": "轻微"}, {"severity": "slight"}, {"severity": "轻微失信"},
    {"penalty_type": "警告"}, {"penalty_type": "通报批评"}, {"penalty_type": "警告、通报批评"},
    {"penalty_type": "警告; 通报批评", "severity": "严重"},
])
@pytest.mark.parametrize(("as_of", "version"), [("2023-03-01", V527), ("2025-06-01", V58), ("2026-06-01", V36)])
def test_slight_without_deadline_is_not_published(national: Policy, values: dict[str, str], as_of: str,
                                                  version: str) -> None:
    decision = decided(national, D(as_of), decision_date=(D(as_of) - timedelta(days=10)).isoformat(), **values)
    assert (decision.published, decision.reason, decision.version) == (False, "slight_dishonesty", version)


@pytest.mark.parametrize("types", ["警告、罚款", "罚款", "通报批评，没收违法所得", ""])
def test_a_penalty_that_is_not_only_a_warning_is_not_slight(national: Policy, types: str) -> None:
    assert not is_slight(record("admin_penalty", penalty_type=types), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-01", penalty_type=types).published


@pytest.mark.parametrize(("values", "last_day"), [
    ({"severity": "轻微", "disclosure_deadline": "2026-12-31"}, "2026-09-10"),   # 3 months after the decision
    ({"severity": "轻微", "disclosure_deadline": "2026-08-31"}, "2026-08-31"),   # the earlier deadline
    ({"penalty_type": "通报批评", "disclosure_deadline": "2026-09-10"}, "2026-09-10"),
    ({"penalty_type": "警告", "disclosure_deadline": "2027-06-10"}, "2026-09-10"),
])
def test_slight_with_deadline_under_order_36(national: Policy, values: dict[str, str], last_day: str) -> None:
    assert_ends(national, last_day, "expired", V36, decision_date="2026-06-10", **values)


@pytest.mark.parametrize(("as_of", "version"), [("2023-03-01", V527), ("2025-06-01", V58)])
def test_slight_with_deadline_before_order_36_is_not_published(national: Policy, as_of: str, version: str) -> None:
    decision = decided(national, D(as_of), decision_date=(D(as_of) - timedelta(days=10)).isoformat(),
                       severity="轻微", disclosure_deadline=(D(as_of) + timedelta(days=30)).isoformat())
    assert (decision.reason, decision.version) == ("slight_dishonesty", version)


@pytest.mark.parametrize("values", [
    {"penalty_type": "警告。"}, {"penalty_type": "其他（通报批评）"}, {"penalty_type": "其他(通报批评)"},
    {"penalty_type": "其他-通报批评"}, {"penalty_type": "警告处罚"}, {"penalty_type": "警告,"},
    {"penalty_type": "通报批评;警告"}, {"penalty_type": "警告及通报批评"}, {"penalty_type": "警告（通报批评）"},
    {"penalty_type": "", "penalty_content": "警告"}, {"penalty_type": "其他", "penalty_content": "予以通报批评"},
    {"penalty_type": "", "penalty_content": "给予警告处罚"}, {"penalty_type": "其他", "penalty_content": "警告。"},
    {"penalty_type": "警告", "penalty_content": "给予警告的行政处罚"}, {"penalty_type": "警告", "fine_amount": "0"},
    {"penalty_type": "警告", "license_revoked": "无"},
])
def test_a_warning_however_written_is_slight(national: Policy, values: dict[str, str]) -> None:
    assert is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    decision = decided(national, D("2026-06-01"), decision_date="2026-05-01", **values)
    assert (decision.published, decision.reason) == (False, "slight_dishonesty")


@pytest.mark.parametrize("values", [
    {"penalty_type": "警告，并处罚款2000元"}, {"penalty_type": "警告；罚款"}, {"penalty_type": "警告并处罚款"},
    {"penalty_type": "其他（罚款）"}, {"penalty_type": "警告、其他"}, {"penalty_type": "其他"}, {"penalty_type": "处罚"},
    {"penalty_type": "", "penalty_content": "警告，并处罚款2000元"}, {"penalty_type": "其他", "penalty_content": "警告；罚款"},
    {"penalty_type": "其他", "penalty_content": ""}, {"penalty_type": "", "penalty_content": "责令停产停业"},
    {"penalty_type": "警告", "penalty_content": "警告，并处罚款2000元"},
    {"penalty_type": "警告", "penalty_content": "处以罚款人民币36千元"},
    {"penalty_type": "通报批评", "penalty_content": "通报批评，暂扣许可证一个月"},
    {"penalty_type": "警告", "fine_amount": "0.2"}, {"penalty_type": "警告", "confiscated_amount": "1.5"},
    {"penalty_type": "警告", "license_revoked": "吊销食品经营许可证JY123"},
    {"penalty_type": "其他", "penalty_content": "警告", "fine_amount": "1"},
])
def test_a_warning_with_any_other_sanction_is_not_slight(national: Policy, values: dict[str, str]) -> None:
    assert not is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-01", **values).published


@pytest.mark.parametrize("values", [
    {"penalty_type": "警告", "license_revoked": "不涉及"}, {"penalty_type": "警告", "license_revoked": "暂无"},
    {"penalty_type": "警告", "license_revoked": "无此项"}, {"penalty_type": "警告", "license_revoked": "没有"},
    {"penalty_type": "警告", "license_revoked": "不适用"}, {"penalty_type": "警告", "license_revoked": "无证照"},
    {"penalty_type": "警告", "license_revoked": "暂无相关信息"}, {"penalty_type": "警告", "license_revoked": "未吊销"},
    {"penalty_type": "警告", "license_revoked": "不涉及暂扣或吊销证照"}, {"penalty_type": "警告", "license_revoked": "—"},
    {"penalty_type": "警告", "penalty_content": "警告（不涉及罚款）"}, {"penalty_type": "警告", "penalty_content": "警告，未予罚款"},
    {"penalty_type": "警告", "penalty_content": "警告，依法不予没收"}, {"penalty_type": "警告", "penalty_content": "警告，免予罚款"},
    {"penalty_type": "警告", "penalty_content": "警告，不予罚款、没收"}, {"penalty_type": "警告", "penalty_content": "警告；罚款：无"},
    {"penalty_type": "通报批评", "penalty_content": "通报批评，没收违法所得0元"},
    {"penalty_type": "警告（不涉及罚款）"}, {"penalty_type": "警告，不涉及"}, {"penalty_type": "", "penalty_content": "警告，未予罚款"},
    {"penalty_type": "警告", "fine_amount": "无"}, {"penalty_type": "警告", "fine_amount": "/"},
    {"penalty_type": "警告", "fine_amount": "不涉及"}, {"penalty_type": "警告", "confiscated_amount": "暂无"},
])
def test_a_placeholder_for_none_or_a_negated_sanction_is_no_sanction(national: Policy, values: dict[str, str]) -> None:
    """Bug: 暂扣或吊销证照名称及编号 ``不涉及`` or ``暂无``, and 处罚内容 ``警告（不涉及罚款）``, ``警告，未予罚款`` or
    ``警告，依法不予没收``, were read as a sanction and these warnings were published."""
    assert is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    decision = decided(national, D("2026-06-01"), decision_date="2026-05-01", **values)
    assert (decision.published, decision.reason) == (False, "slight_dishonesty")


@pytest.mark.parametrize("content", [
    "给予警告，并处人民币贰仟元整", "警告，并处二千元", "并处5000块", "警告，罚没款2000", "警告，限期出境", "警告，驱逐出境",
    "警告，并处", "警告，处以一万元", "警告 ¥2000", "警告，罚款2,000.50元", "警告，人民币伍佰", "警告，并处500美元",
    "通报批评，责令停止生产", "警告，不予罚款，没收违法所得", "警告，未按期缴纳罚款的，加处罚款", "警告，罚款0.5万元",
    "警告，不予没收；罚款2000元",
])
def test_a_sanction_in_any_wording_is_not_slight(national: Policy, content: str) -> None:
    """Bug: a fine in Chinese numerals, 块, 并处, 罚没 and 出境 were not read as sanctions, so these penalties were hidden as
    slight. A negation covers only the sanction right after it (a comma ends it), and only a negation of a sanction."""
    values = {"penalty_type": "警告", "penalty_content": content}
    assert not is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-01", **values).published


@pytest.mark.parametrize("values", [{"penalty_type": "警告", "license_revoked": "无，吊销许可证"},
                                    {"penalty_type": "警告", "license_revoked": "吊销"},
                                    {"penalty_type": "警告", "license_revoked": "证照"},
                                    {"penalty_type": "警告（罚款：2000元）"}])
def test_a_sanction_beside_a_placeholder_is_a_sanction(national: Policy, values: dict[str, str]) -> None:
    assert not is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))


@pytest.mark.parametrize("content", ["警告" + "1" * 100_000 + "x", "警告" + "二" * 100_000, "警告" + "1," * 50_000 + "x"])
def test_a_long_penalty_text_is_read_in_linear_time(content: str) -> None:
    """Reading amounts in 100,000 digits or numerals took minutes (each start of the run was scanned to its end)."""
    import time

    started = time.perf_counter()
    assert is_slight(record("admin_penalty", penalty_type="警告", penalty_content=content), PENALTY.period.at(D("2026-06-01")))
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("values", [
    {"penalty_type": "警告、责令改正"}, {"penalty_type": "警告，责令限期改正"}, {"penalty_type": "责令停止违法行为、警告"},
    {"penalty_type": "通报批评；责令整改"}, {"penalty_type": "警告", "penalty_content": "责令改正，给予警告"},
    {"penalty_type": "其他", "penalty_content": "警告；责令改正"}, {"penalty_type": "", "penalty_content": "责令限期整改，予以警告"},
])
def test_a_corrective_order_is_not_a_kind(national: Policy, values: dict[str, str]) -> None:
    """Bug: 处罚类别 ``警告、责令改正`` was published while 处罚内容 ``责令改正，给予警告`` was slight. A corrective order is
    not a penalty (行政处罚法 art. 28) wherever it is written."""
    assert is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    decision = decided(national, D("2026-06-01"), decision_date="2026-05-01", **values)
    assert (decision.published, decision.reason) == (False, "slight_dishonesty")


@pytest.mark.parametrize("values", [
    {"penalty_type": "责令改正"}, {"penalty_type": "责令改正、责令限期整改"}, {"penalty_type": "", "penalty_content": "责令改正"},
    {"penalty_type": "警告、责令停产整改"}, {"penalty_type": "警告、责令关闭"},
])
def test_only_corrective_orders_or_a_closure_are_not_slight(national: Policy, values: dict[str, str]) -> None:
    """No warning at all is no slight penalty; 责令停产整改 and 责令关闭 are penalties, not corrective orders."""
    assert not is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-01", **values).published


def test_summary_procedure_keeps_its_own_reason(national: Policy) -> None:
    """Without a 公示截止期, or before 令36号 (which first let 轻微 information be published where necessary)."""
    assert decided(national, D("2026-06-01"), decision_date="2026-05-01", procedure="简易程序").reason == "summary_procedure"
    before = decided(national, D("2025-06-01"), decision_date="2025-05-01", procedure="简易程序", severity="轻微",
                     disclosure_deadline="2025-07-01")
    assert (before.reason, before.version) == ("summary_procedure", V58)


@pytest.mark.parametrize("name", ["national", "beijing", "dalian"])
@pytest.mark.parametrize(("deadline", "last_day"), [("2026-07-01", "2026-07-01"), ("2026-06-15", "2026-06-15"),
                                                    ("2026-12-31", "2026-07-01")])
def test_summary_procedure_with_a_deadline_is_slight_under_order_36(name: str, deadline: str, last_day: str) -> None:
    """Bug: a 简易程序 penalty that the authority found necessary to publish (a 公示截止期) was never published. 令36号
    makes it 轻微: at most 3 months where necessary, as the basis the pages cite says (DOMAIN rule 4)."""
    policy = load_profile(PROFILES_DIR, name, CATALOGUE)
    assert_ends(policy, last_day, "expired", V36, decision_date="2026-04-01", procedure="简易程序",
                disclosure_deadline=deadline)


def test_a_slight_penalty_whose_period_ended_before_order_36_has_no_period() -> None:
    """Bug: a 简易程序 penalty of 2025-12-11 with a 公示截止期, decided as of 2026-04-15, was "expired" with start
    2026-04-01 (the day 令36号 first let 轻微 information be published) and until 2026-03-11 (3 months): a start after
    its end, which explain showed as "was public 2026-04-01 through 2026-03-11" and decisions.csv.gz kept. It never
    was public: no start, the end its period had."""
    policy = load_profile(PROFILES_DIR, "national", CATALOGUE)
    decision = decided(policy, D("2026-04-15"), decision_date="2025-12-11", procedure="简易程序",
                       disclosure_deadline="2026-12-11")
    assert (decision.published, decision.reason, decision.start, decision.until) == (False, "expired", None, D("2026-03-11"))


@pytest.mark.parametrize("name", ["shanghai", "zhejiang"])
def test_summary_procedure_stays_out_where_the_region_excludes_it(name: str) -> None:
    """Shanghai art. 9 ¶2(四) and Zhejiang art. 11(二): a 简易程序 penalty is not published, deadline or not."""
    policy = load_profile(PROFILES_DIR, name, CATALOGUE)
    decision = decided(policy, D("2026-05-01"), decision_date="2026-04-01", procedure="简易程序",
                       disclosure_deadline="2026-07-01")
    assert (decision.published, decision.reason) == (False, "summary_procedure")


@pytest.mark.parametrize("content", [
    "警告，一年内不得参加政府采购活动", "给予警告，五年内不得担任公司董事、监事、高级管理人员", "警告，吊扣执业证书六个月",
    "警告，三年内不得申请该行政许可", "警告，责令关停", "警告，两年内不准从事道路运输经营", "警告，收回许可证",
    "警告，注销执业证书", "警告，暂缓核发许可证一年", "警告，一年内不受理其资质申请",
])
def test_a_warning_with_a_bar_or_a_licence_taken_is_not_slight(national: Policy, content: str) -> None:
    """Bug: these were hidden as slight, for want of 不得, 不准, 吊扣, 关停, 收回, 注销, 暂缓 and 不受理 among the sanctions
    (行政处罚法 art. 9: 限制从业, 暂扣许可证件, 责令关闭)."""
    values = {"penalty_type": "警告", "penalty_content": content}
    assert not is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-10", **values).published


@pytest.mark.parametrize("values", [
    {"penalty_type": "行政警告", "penalty_content": "行政警告"}, {"penalty_type": "警 告", "penalty_content": "警告"},
    {"penalty_type": "其他", "penalty_content": "对当事人给予警告"}, {"penalty_type": "书面警告"},
    {"penalty_type": "其他", "penalty_content": "决定给予警告"}, {"penalty_type": "通 报 批 评"},
    {"penalty_type": "警告", "penalty_content": "警告，今后不得再犯"},
])
def test_a_warning_in_other_words_is_slight(national: Policy, values: dict[str, str]) -> None:
    """Bug: these warnings alone were published for a year (DOMAIN rule 4: only 警告 or 通报批评 is not published)."""
    assert is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-10", **values).reason == "slight_dishonesty"


@pytest.mark.parametrize("values", [
    {"penalty_type": "警告（书面）"}, {"penalty_type": "警告（一般）"}, {"penalty_type": "警告（处罚）"},
    {"penalty_type": "警告处分"}, {"penalty_type": "警告处理"}, {"penalty_type": "通报批评处理"}, {"penalty_type": "警告类"},
    {"penalty_type": "行政处罚-警告"}, {"penalty_type": "声誉罚-警告"}, {"penalty_type": "申诫罚（警告）"},
    {"penalty_type": "声誉罚（通报批评）"}, {"penalty_type": "申诫罚", "penalty_content": "警告"}, {"penalty_type": "声誉罚"},
    {"penalty_type": "通報批評", "penalty_content": "通報批評"}, {"penalty_type": "警吿"}, {"penalty_type": "Warning"},
    {"penalty_type": "其他", "penalty_content": "警告处分"}, {"penalty_type": "", "penalty_content": "在全市范围内通报批评"},
    {"penalty_type": "处罚", "penalty_content": "警告"},
    {"penalty_type": "警告", "penalty_content": "警告（处罚金额：0元）"}, {"penalty_type": "警告", "penalty_content": '警告；罚款"0"'},
    {"penalty_type": "警告", "penalty_content": "当事人违法经营额1500元，依法给予警告"},
    {"penalty_type": "警告", "penalty_content": "货值金额：人民币3万元，予以警告"},
])
def test_a_warning_with_a_qualifier_a_class_name_or_in_traditional_characters_is_slight(
        national: Policy, values: dict[str, str]) -> None:
    """Bug (testers'): a qualifier in brackets (``警告（书面）``), a trailing 处分/处理/类, the class of the penalty (声誉罚,
    申诫罚, 行政处罚-), traditional or variant characters, ``处罚金额：0元``, or an amount that measures the violation (违法
    经营额, 货值金额) made these warnings alone published for a year."""
    assert is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-10", **values).reason == "slight_dishonesty"


@pytest.mark.parametrize("content", ["警告，沒收違法所得", "警告，吊銷營業執照", "警告，罰款", "警告，責令停產停業", "警告，暫扣許可證",
                                     "警告，違法所得500元", "警告，货值金额3万元，罚款2万元", "警告，违法经营额1500元，没收违法所得",
                                     "警告，处货值金额1500元", "警告，处违法经营额1500元", "警告，处以货值金额:1500元",
                                     "警告，处销售额1500元的经济处罚", "警告，给予经济处罚，涉案金额5000元", "警告、经济处罚（案值1000元）",
                                     "警告；违法经营额1500元上缴国库", "警告，上缴违法经营额1500元", "警告，罚货值金额3万元",
                                     "警告，并罚违法经营额1500元"])
def test_a_sanction_in_traditional_characters_or_beside_a_measured_amount_is_not_slight(national: Policy,
                                                                                         content: str) -> None:
    """Bug (a tester's): sanctions written in traditional characters were not read, and these penalties were withheld
    as a warning alone. An amount of 违法所得 still counts as money (a text naming it does not say it was not taken)."""
    values = {"penalty_type": "警告", "penalty_content": content}
    assert not is_slight(record("admin_penalty", **values), PENALTY.period.at(D("2026-06-01")))
    assert decided(national, D("2026-06-01"), decision_date="2026-05-10", **values).published


@pytest.mark.parametrize("values", [{"penalty_type": "不予处罚"}, {"penalty_type": "不予行政处罚"}, {"penalty_type": "免予处罚"},
                                    {"penalty_type": "其他", "penalty_content": "依法不予行政处罚"},
                                    {"penalty_type": "不予处罚", "penalty_content": "责令改正"}])
def test_a_decision_not_to_penalise_is_not_published(national: Policy, values: dict[str, str]) -> None:
    """Bug (a tester's): a 不予处罚 decision (行政处罚法 art. 33) was published for a year as a penalty: it is none."""
    decision = decided(national, D("2026-06-01"), decision_date="2026-05-10", **values)
    assert (decision.published, decision.reason) == (False, "not_penalised")


@pytest.mark.parametrize("values", [{"penalty_type": "不予处罚", "penalty_content": "没收违法所得"},
                                    {"penalty_type": "不予处罚", "fine_amount": "0.2"},
                                    {"penalty_type": "不予处罚、罚款"}, {"penalty_type": "不予处罚", "severity": "严重"}])
def test_a_decision_not_to_penalise_with_a_sanction_is_published(national: Policy, values: dict[str, str]) -> None:
    """A harm tester's: a sanction, or a severity of 严重, says the record is adverse information after all."""
    assert decided(national, D("2026-06-01"), decision_date="2026-05-10", **values).published


def test_a_decision_not_to_penalise_that_gives_a_warning_is_a_slight_penalty(national: Policy) -> None:
    """A harm tester's: 处罚类别 不予处罚 with 处罚内容 给予警告 and a 公示截止期 is a warning the authority found necessary
    to publish (at most 3 months under 令36号), not a decision without a penalty."""
    values = {"penalty_type": "不予处罚", "penalty_content": "给予警告", "disclosure_deadline": "2026-07-01"}
    decision = decided(national, D("2026-06-01"), decision_date="2026-05-10", **values)
    assert decision.published and decision.until == D("2026-07-01")


# --- The transition days ---------------------------------------------------------------------

def test_transition_to_order_58_on_2023_05_01(national: Policy) -> None:
    values = {"decision_date": "2022-12-01", "severity": "严重", "repair_date": "2023-04-15"}
    before = decided(national, D("2023-04-30"), **values)
    assert (before.published, before.until, before.version) == (True, D("2023-06-01"), V527)  # 6 months
    on = decided(national, D("2023-05-01"), **values)
    assert (on.published, on.until, on.version) == (True, D("2023-12-01"), V58)  # 1 year
    assert decided(national, D("2023-12-02"), **values).reason == "repaired"


def test_transition_to_order_36_on_2026_04_01(national: Policy) -> None:
    values = {"decision_date": "2026-03-20", "severity": "轻微", "disclosure_deadline": "2026-05-31"}
    before = decided(national, D("2026-03-31"), **values)
    assert (before.reason, before.version) == ("slight_dishonesty", V58)
    on = decided(national, D("2026-04-01"), **values)
    assert (on.published, on.until, on.version) == (True, D("2026-05-31"), V36)
    warned = decided(national, D("2026-04-01"), decision_date="2026-03-20", penalty_type="警告",
                     disclosure_deadline="2026-12-31")
    assert (warned.published, warned.until) == (True, D("2026-06-20"))
    general = decided(national, D("2026-04-01"), decision_date="2025-04-01")
    assert (general.published, general.until, general.version) == (True, D("2026-04-01"), V36)
    assert decided(national, D("2026-04-02"), decision_date="2025-04-01").reason == "expired"


# --- Credit repair that has ended publication stays in effect under a later rule -------------------

def test_a_repair_in_effect_under_527_stays_under_order_58(national: Policy) -> None:
    # 严重, decided 2022-10-01, repaired 2023-03-01: 527号's 6-month minimum ends 2023-04-01, so repair withdraws
    # it from 2023-04-02. 58号令's 1-year minimum (to 2023-10-01) must not publish it again from 2023-05-01.
    values = {"decision_date": "2022-10-01", "severity": "严重", "repair_date": "2023-03-01"}
    waiting = decided(national, D("2023-04-01"), **values)
    assert (waiting.published, waiting.until, waiting.version) == (True, D("2023-04-01"), V527)
    for day in ("2023-04-02", "2023-04-30", "2023-05-01", "2023-10-01", "2023-10-02", "2026-04-01"):
        decision = decided(national, D(day), **values)
        assert (decision.published, decision.reason, decision.until) == (False, "repaired", D("2023-04-01")), day


def test_a_repair_on_the_last_day_of_527_stays(national: Policy) -> None:
    values = {"decision_date": "2022-09-01", "severity": "严重", "repair_date": "2023-04-30"}
    assert decided(national, D("2023-04-29"), **values).until == D("2023-04-29")
    for day in ("2023-04-30", "2023-05-01", "2023-09-01"):
        assert decided(national, D(day), **values).reason == "repaired", day


def test_a_repair_made_under_order_58_is_judged_by_order_58(national: Policy) -> None:
    # Repaired on 2023-05-01, the day 58号令 comes into force: its 1-year minimum applies, not 527号's 6 months.
    values = {"decision_date": "2022-10-01", "severity": "严重", "repair_date": "2023-05-01"}
    assert_ends(national, "2023-10-01", "repaired", V58, **values)


def test_a_general_repair_under_58_stays_under_order_36(national: Policy) -> None:
    values = {"decision_date": "2026-01-10", "severity": "一般", "repair_date": "2026-03-01"}
    assert decided(national, D("2026-04-11"), **values).reason == "repaired"


@pytest.mark.parametrize("values", [
    {"decision_date": "2022-10-01", "severity": "严重", "repair_date": "2023-03-01"},
    {"decision_date": "2022-12-01", "severity": "严重", "repair_date": "2023-04-15"},
    {"decision_date": "2022-06-10", "severity": "严重", "repair_date": "2022-07-01"},
    {"decision_date": "2022-09-01", "severity": "严重", "repair_date": "2023-04-30"},
])
def test_a_cached_repair_decision_holds_until_its_traced_change(national: Policy, values: dict[str, str]) -> None:
    # The decision cache reuses a result until the first day the traced as-of date says it may change
    # (rules/rowcache.py): every day before that must decide the same.
    penalty = record("admin_penalty", **values)
    day = D("2022-06-01")
    while day < D("2024-01-01"):
        traced = TracingDate(day)
        first = decide(penalty, PENALTY, national, traced)
        changes = traced.changes or D("2024-01-01")
        assert changes > day
        for later in range(day.toordinal() + 1, min(changes, D("2024-01-01")).toordinal()):
            again = decide(penalty, PENALTY, national, date.fromordinal(later))
            assert again == first, (day, date.fromordinal(later), first, again)
        day = changes


# --- Explain names the version it applied -------------------------------------------------------

def test_explain_for_a_past_date_names_527(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-527", decision_date="2022-06-10", severity="严重", repair_date="2022-07-01")])
    config = site_config(tmp_path, records)
    [no_site, past] = explain(config, "AP-527", D("2023-03-01"))  # no build: what the records decide, as a comparison
    assert no_site.outcome == NO_SITE and past.comparison
    assert past.outcome == "repaired" and past.until == "2022-12-10"
    assert f"适用规则版本：{V527}" in past.detail
    # Withdrawn by repair under 527号 on 2022-12-11: 58号令's longer minimum does not bring it back.
    [_no_site, later] = explain(config, "AP-527", D("2023-06-01"))
    assert later.outcome == "repaired" and later.until == "2022-12-10"
    assert f"适用规则版本：{V58}" in later.detail


# --- Date arithmetic never overflows -------------------------------------------------------------

@pytest.mark.parametrize(("length", "start", "last"), [
    ("1y", date(9999, 6, 1), date.max),
    ("3y", date(9998, 1, 1), date.max),
    ("3m", date(9999, 10, 1), date.max),
    ("90d", date(9999, 12, 1), date.max),
    ("3m", date(9999, 9, 30), date(9999, 12, 30)),
    ("1d", date(9999, 12, 30), date(9999, 12, 31)),
])
def test_duration_saturates_at_the_last_date(length: str, start: date, last: date) -> None:
    assert Duration.parse(length).last_day(start) == last


def test_next_and_previous_day_saturate() -> None:
    assert (next_day(date.max), previous_day(date.min)) == (date.max, date.min)
    assert (next_day(date(2024, 2, 28)), previous_day(date(2024, 3, 1))) == (date(2024, 2, 29), date(2024, 2, 29))


def _with(item: str, **values: Value) -> Record:
    base = record(item)
    return dataclasses.replace(base, values=base.values | values)


def test_extreme_dates_never_crash_a_decision(national: Policy) -> None:
    far = _with("admin_penalty", decision_date=date(9999, 6, 1), severity="serious", disclosure_deadline=date.max)
    decision = decide(far, PENALTY, national, date(9999, 12, 31))
    assert decision.published and decision.until is None  # saturated at date.max: no end in practice
    repaired = _with("admin_penalty", decision_date=date(9999, 6, 1), severity="serious", repair_date=date.max)
    late = decide(repaired, PENALTY, national, date(9999, 12, 31))
    assert (late.reason, late.until) == ("repaired", date(9999, 12, 30))
    removed = _with("dishonest_list", decision_date=date.min, removal_date=date.min)
    gone = decide(removed, CATALOGUE["dishonest_list"], national, date(2026, 1, 1))
    assert (gone.published, gone.reason, gone.until) == (False, "removed", date.min)
    ancient = _with("admin_penalty", decision_date=date.min, severity="general", repair_date=date.min)
    old = decide(ancient, PENALTY, national, date(2026, 1, 1))
    assert (old.published, old.reason) == (False, "repaired")


def test_a_slight_penalty_decided_before_order_36_is_public_from_its_first_day() -> None:
    """A warning decided 2026-03-15 with a 公示截止期 is public under 令36号 from 2026-04-01 (never before): its page said
    自 2026-03-15 起公示. Its 3 months still count from the decision."""
    national = load_profile(PROFILES_DIR, "national", CATALOGUE)
    decision = decided(national, D("2026-04-10"), decision_date="2026-03-15", penalty_type="警告",
                       disclosure_deadline="2026-12-31")
    assert (decision.published, decision.start, decision.until) == (True, D("2026-04-01"), D("2026-06-15"))
