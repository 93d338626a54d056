"""National precedence in every region, dated versions in profile files, and honest citations.

A regional profile may not publish an administrative penalty longer than the national rule in force
(浙江条例 art. 16, 上海条例 art. 35 ¶1, 大连办法 art. 12 defer to it): a profile that tries is refused,
naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, PROFILES_DIR, build_site, person, record, row, write_csv

from site_builder.exceptions import CatalogueError
from site_builder.rules.disclosure import decide
from site_builder.rules.profiles import Policy, load_profile

PROFILES = PROFILES_DIR
NAMES = ("national", "beijing", "zhejiang", "dalian", "shanghai")
ZHEJIANG = (PROFILES / "zhejiang.yaml").read_text(encoding="utf-8")
PENALTY = "  admin_penalty:\n    start: decision_date\n    severity: severity\n    ends_at: [disclosure_deadline]\n" \
          "    summary_procedure: procedure\n    penalty_type: penalty_type\n    slight_types: [警告, 通报批评]\n" \
          "    min: {general: 3m, serious: 1y}\n    other_sanctions: [fine_amount, confiscated_amount, license_revoked]\n"


def profile(name: str) -> Policy:
    """A profile from data/profiles."""
    return load_profile(PROFILES, name, CATALOGUE)


def bases(policy: Policy) -> list[str]:
    """Every basis a profile can print: its rules' and every version of every period it applies."""
    rules = [policy.rule(item.id, item.period) for item in CATALOGUE.items]
    return [*policy.basis.values(), *(v.basis for rule in rules for v in rule.versions)]


def with_penalty(body: str) -> Callable[[str], str]:
    """The Zhejiang profile with an admin_penalty period rule made of PENALTY plus ``body``."""
    return lambda text: text.replace("periods:\n", "periods:\n" + PENALTY + body)


def edited(old: str, new: str, body: str = "    max: {general: 1y, serious: 3y}\n    basis: x\n") -> Callable[[str], str]:
    """:func:`with_penalty` of ``body`` with ``old`` in PENALTY replaced by ``new``."""
    return lambda text: with_penalty(body)(text).replace(old, new, 1)


# --- A profile that would publish longer than the national rule, or end or withhold sooner, is refused ---

@pytest.mark.parametrize(("change", "key"), [
    (with_penalty("    max: 5y\n    basis: x\n"), "periods.admin_penalty.max.general: 5y is longer than 1y"),
    (with_penalty("    max: {general: 1y, serious: 5y}\n    basis: x\n"),
     "periods.admin_penalty.max.serious: 5y is longer than 3y"),
    (with_penalty("    basis: x\n"), "periods.admin_penalty.max.general: long-term is longer than 1y"),
    (with_penalty("    max: {general: 1y, serious: 3y}\n    extend_while_listed: true\n    basis: x\n"),
     "periods.admin_penalty.extend_while_listed: would keep a record past the national maximum"),
    (with_penalty("    max: {general: 1y, serious: 3y}\n    count_from: [penalty_valid_until, decision_date]\n"
                  "    basis: x\n"), "periods.admin_penalty.count_from: periods count from decision_date"),
    (edited("    ends_at: [disclosure_deadline]\n", ""), "periods.admin_penalty.ends_at: disclosure_deadline must end"),
    (with_penalty("    max: {general: 1y, serious: 3y}\n    slight: 6m\n    basis: x\n"),
     "periods.admin_penalty.slight: 6m is longer than 3m"),
    (with_penalty("    max: {general: 1y, serious: 3y}\n    slight: 3m\n    basis: x\n"),
     "periods.admin_penalty.slight: 3m where the national maximum (发改办财金〔2019〕527号) publishes no 轻微 record"),
    (edited("    slight_types: [警告, 通报批评]\n", "    slight_types: [警告]\n"),
     "periods.admin_penalty.slight_types: must include 警告, 通报批评"),
    (edited("    slight_types: [警告, 通报批评]\n", "    slight_types: [警告, 通报批评, 罚款]\n"),
     "periods.admin_penalty.slight_types: 罚款 would be withheld as 轻微"),
    (edited("confiscated_amount, license_revoked]", "confiscated_amount]"),
     "periods.admin_penalty.other_sanctions: must include license_revoked"),
    (edited("    min: {general: 3m, serious: 1y}\n", "    min: {general: 3m, serious: 1d}\n"),
     "periods.admin_penalty.min.serious: 1d is shorter than 1y under the national minimum (国家发展改革委令第58号)"),
    (edited("    min: {general: 3m, serious: 1y}\n", ""),
     "periods.admin_penalty.min.general: none is shorter than 3m"),
    (edited("    min: {general: 3m, serious: 1y}\n", "    min: {general: 1d, serious: 1y}\n",
            "    max: {general: 1m, serious: 3y}\n    basis: x\n"),
     "periods.admin_penalty.max.general: 1m ends publication before 3m"),
    (with_penalty("    max: {general: 1y, serious: 3y}\n    versions:\n      - {until: 2024-12-31, basis: a}\n"
                  "      - {from: 2025-01-01, max: {general: 2y, serious: 3y}, basis: b}\n"),
     "periods.admin_penalty.versions[1].max.general: 2y is longer than 1y"),
])
def test_a_profile_publishing_longer_than_the_national_rule_is_refused(
        tmp_path: Path, change: Callable[[str], str], key: str) -> None:
    changed = change(ZHEJIANG)
    assert changed != ZHEJIANG
    (tmp_path / "zhejiang.yaml").write_text(changed, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_profile(tmp_path, "zhejiang", CATALOGUE)
    assert f"{tmp_path / 'zhejiang.yaml'}: {key}" in str(error.value)


def test_a_profile_within_the_national_rule_loads(tmp_path: Path) -> None:
    (tmp_path / "zhejiang.yaml").write_text(
        with_penalty("    max: {general: 6m, serious: 2y}\n    versions:\n      - {until: 2026-03-31, basis: a}\n"
                     "      - {from: 2026-04-01, slight: 1m, basis: b}\n")(ZHEJIANG), encoding="utf-8")
    policy = load_profile(tmp_path, "zhejiang", CATALOGUE)
    penalty = record("admin_penalty", decision_date="2026-06-10", severity="轻微", disclosure_deadline="2026-12-31")
    decision = decide(penalty, CATALOGUE["admin_penalty"], policy, date(2026, 7, 1))
    assert (decision.published, decision.until, decision.basis) == (True, date(2026, 7, 10), "b")


@pytest.mark.parametrize(("versions", "key"), [
    ("      - {from: 2020-01-01, max: 1y, basis: a}\n", "versions[0].from: the first version has no start date"),
    ("      - {max: 1y, until: 2020-01-01, basis: a}\n", "versions[0].until: the last version has no end date"),
    ("      - {until: 2020-01-01, max: 1y, basis: a}\n      - {from: 2020-01-03, max: 1y, basis: b}\n",
     "versions[1].from: must be the day after versions[0].until"),
    ("      - {until: '2020-02-30', max: 1y, basis: a}\n      - {from: 2020-03-01, max: 1y, basis: b}\n",
     "versions[0].until: '2020-02-30' is not a date"),
    ("      - {max: 1y, colour: red, basis: a}\n", "versions[0].colour: unknown key"),
    ("      - {max: 1y}\n", "basis: every period rule cites"),  # may be shared, so named where shared
])
def test_bad_versions_are_refused(tmp_path: Path, versions: str, key: str) -> None:
    body = "  judgment:\n    start: decision_date\n    versions:\n" + versions
    (tmp_path / "zhejiang.yaml").write_text(ZHEJIANG.replace("periods:\n  judgment:", "periods:\n" + body + "  old:"),
                                            encoding="utf-8")
    text = (tmp_path / "zhejiang.yaml").read_text(encoding="utf-8")
    (tmp_path / "zhejiang.yaml").write_text(text[:text.index("  old:")], encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_profile(tmp_path, "zhejiang", CATALOGUE)
    assert f"{tmp_path / 'zhejiang.yaml'}: periods.judgment.{key}" in str(error.value)


def test_an_impossible_yaml_date_is_refused_not_raised(tmp_path: Path) -> None:
    """The date is refused by the key that holds it (it had been "cannot be read: day is out of range")."""
    body = "  judgment:\n    start: decision_date\n    versions:\n      - {until: 2020-02-30, max: 1y, basis: a}\n"
    (tmp_path / "zhejiang.yaml").write_text(ZHEJIANG[:ZHEJIANG.index("periods:")] + "periods:\n" + body, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"zhejiang.yaml: periods.judgment.versions\[0\].until: '2020-02-30' is not a date"):
        load_profile(tmp_path, "zhejiang", CATALOGUE)


# --- Regional fixes, one record each --------------------------------------------------------------

AS_OF = date(2026, 11, 24)


@pytest.mark.parametrize("name", NAMES)
def test_penalties_never_exceed_the_national_maximum(name: str) -> None:
    for severity, decided, last in (("一般", "2025-11-24", date(2026, 11, 24)), ("严重", "2023-11-24", date(2026, 11, 24))):
        penalty = record("admin_penalty", decision_date=decided, severity=severity, penalty_valid_until="2026-06-01")
        on = decide(penalty, CATALOGUE["admin_penalty"], profile(name), AS_OF)
        after = decide(penalty, CATALOGUE["admin_penalty"], profile(name), date(2026, 11, 25), {str(penalty.get("uscc")): ((1, 0),)})
        assert (on.published, on.until, after.reason) == (True, last, "expired"), name


@pytest.mark.parametrize("name", NAMES)
def test_disclosure_deadline_is_honoured_everywhere(name: str) -> None:
    penalty = record("admin_penalty", decision_date="2026-06-01", disclosure_deadline="2026-09-01")
    decision = decide(penalty, CATALOGUE["admin_penalty"], profile(name), date(2026, 9, 2))
    assert (decision.reason, decision.until) == ("expired", date(2026, 9, 1))


@pytest.mark.parametrize("name", NAMES)
def test_serious_repair_waits_one_year_everywhere(name: str) -> None:
    penalty = record("admin_penalty", decision_date="2025-03-10", severity="严重", repair_date="2025-10-01")
    assert decide(penalty, CATALOGUE["admin_penalty"], profile(name), date(2026, 3, 10)).published
    assert decide(penalty, CATALOGUE["admin_penalty"], profile(name), date(2026, 3, 11)).reason == "repaired"


def test_shanghai_marks_objections_and_keeps_list_entries_and_no_natural_persons() -> None:
    shanghai = profile("shanghai")
    objected = record("admin_penalty", decision_date="2026-06-01", objection_status="处理中", objection_date="2026-11-02")
    marked = decide(objected, CATALOGUE["admin_penalty"], shanghai, AS_OF)
    assert (marked.published, marked.marked) == (True, True)
    listed = record("dishonest_list", decision_date="2019-01-01")
    assert decide(listed, CATALOGUE["dishonest_list"], shanghai, date(2030, 1, 1)).published
    natural = record("admin_penalty", decision_date="2026-06-01", **person())
    assert decide(natural, CATALOGUE["admin_penalty"], shanghai, AS_OF).reason == "natural_person"


def test_zhejiang_repair_ignored_only_while_listed() -> None:
    zhejiang = profile("zhejiang")
    penalty = record("admin_penalty", decision_date="2026-01-10", repair_date="2026-06-01")
    code = str(penalty.get("uscc"))
    listed = {code: ((date(2025, 1, 1).toordinal(), 0),)}  # listed since before the repair, no end given
    kept = decide(penalty, CATALOGUE["admin_penalty"], zhejiang, AS_OF, listed)
    assert (kept.published, kept.until) == (True, date(2027, 1, 10))
    assert decide(penalty, CATALOGUE["admin_penalty"], zhejiang, AS_OF).reason == "repaired"
    assert decide(penalty, CATALOGUE["admin_penalty"], profile("national"), AS_OF, listed).reason == "repaired"


# --- Citations -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_no_development_note_in_any_basis(name: str) -> None:
    for text in bases(profile(name)):
        assert not any(note in text for note in ("待核对", "种子材料", "TODO", "未收录")), text


def test_national_profile_cites_no_region_for_national_rules() -> None:
    national = profile("national")
    for text in bases(national):
        assert "浙江" not in text and "上海" not in text, text
    assert "项目规则" in national.period("judgment", CATALOGUE["judgment"].period).basis


@pytest.mark.parametrize("name", ["national", "beijing", "dalian"])
def test_summary_procedure_cites_order_36_and_samr(name: str) -> None:
    text = profile(name).basis["summary_procedure"]
    assert "527号" not in text
    assert "国家发展改革委令2025年第36号" in text and "市场监督管理行政处罚信息公示规定第二条" in text


@pytest.mark.parametrize("name", NAMES)
def test_repair_basis_does_not_rest_on_527_alone(name: str) -> None:
    assert "令2025年第36号" in profile(name).basis["repair"] or "第三十二条" in profile(name).basis["repair"]


def test_shanghai_cites_its_articles() -> None:
    shanghai = profile("shanghai")
    assert "第九条第二款第四项" in shanghai.basis["summary_procedure"]
    assert "第三十六条" in shanghai.basis["objection"] and "第三十七条" in shanghai.basis["objection"]
    assert "第三十八条" in shanghai.basis["repair"]
    assert "第六条第二款" in shanghai.basis["natural_persons"]
    assert "第三十五条" in shanghai.period("judgment", CATALOGUE["judgment"].period).basis


def test_record_page_names_the_version_in_force(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-OLD", decision_date="2022-12-01", decision_no="罚〔2022〕1号"),
        row("admin_penalty", record_id="AP-NEW", decision_date="2026-06-01", decision_no="罚〔2026〕2号")])
    build_site(tmp_path / "old", records, date(2023, 3, 1))
    old = (tmp_path / "old" / "output" / "record" / "admin_penalty" / "AP-OLD" / "index.html").read_text(encoding="utf-8")
    assert "依据：发改办财金〔2019〕527号" in old
    build_site(tmp_path / "new", records, AS_OF)
    new = (tmp_path / "new" / "output" / "record" / "admin_penalty" / "AP-NEW" / "index.html").read_text(encoding="utf-8")
    assert "依据：国家发展改革委令2025年第36号" in new
