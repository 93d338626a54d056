"""Natural persons, minors and 个体工商户: whose age the site can know, and which of their numbers and names it masks.

Each case here was published by an earlier version (a tester's findings): a child whose 证件号码 carried a prefix, an
operator's ID number as a 个体工商户's 税务登记号, the 15-digit form of a person's own ID number in a record id, a
trader's name in the note of a stall's name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, build_site, make_resident_id, make_uscc, person, record, row, validate, write_csv
from test_build import output_texts

from site_builder.rules.disclosure import decide
from site_builder.rules.identifiers import mask_person_name, other_generation, person_names
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Quarantined, Record, is_resident_id_type

AS_OF = date(2026, 11, 24)
CHILD = make_resident_id("110119", "20120105", "001")
ADULT = make_resident_id("330106", "19850920", "013")
ADULT_15 = "330106" + ADULT[8:17]
SHOP = make_uscc("92330106MA2H00001")


def outcome(national: Policy, **values: str) -> str | None:
    """The reason code a natural person's penalty is withheld for (``None``: published)."""
    return decide(record("admin_penalty", **person(**values), decision_date="2026-06-01"), CATALOGUE["admin_penalty"],
                  national, AS_OF).reason


@pytest.mark.parametrize("written", [f"ID{CHILD}", f"证号{CHILD}", f"{CHILD[:6]} {CHILD[6:14]} {CHILD[14:]}"])
def test_a_child_whose_number_is_written_with_a_prefix_is_a_minor(national: Policy, written: str) -> None:
    """``ID110119201201050015`` read at positions 7-14 gave 1920-12-01: the child was published as an adult."""
    assert outcome(national, id_type="其他证件", id_no=written) == "minor"


@pytest.mark.parametrize(("written", "reason"), [(ADULT_15, None), ("330106800707071", None), ("ID12345678", "age_unknown"),
                                                  ("110119201201050016", "age_unknown")])
def test_an_age_is_read_from_a_valid_number_of_either_generation_only(national: Policy, written: str,
                                                                      reason: str | None) -> None:
    """A 15-digit first-generation number of someone born in 1980 gave 8007-07-07 (a minor); a number that is no valid
    ID number gives no age (``age_unknown``), whatever its positions 7-14 hold."""
    assert outcome(national, id_type="其他证件", id_no=written) == reason


@pytest.mark.parametrize("id_type", ["身份证号码", "居民身份证号", "第二代居民身份证", " 身份证 ", "居民身份证件"])
def test_every_spelling_of_the_resident_id_card_checks_the_number(id_type: str) -> None:
    """With 身份证号码 as its type an impossible birth date (0230) gave ``age_unknown`` instead of the quarantine."""
    assert is_resident_id_type(id_type)
    checked = validate("admin_penalty", **person(id_type=id_type, id_no="110101198002300012"))
    assert isinstance(checked, Quarantined) and checked.problems[0].type == "resident-id", checked


@pytest.mark.parametrize("id_type", ["外国人永久居留身份证", "香港居民身份证", "身份证件", "护照"])
def test_other_cards_are_not_the_resident_id_card(id_type: str) -> None:
    assert not is_resident_id_type(id_type)


def test_a_valid_first_generation_number_is_a_resident_id() -> None:
    """``身份证`` with 15 digits was quarantined (应为18位), although first-generation numbers are valid ID numbers."""
    assert isinstance(validate("admin_penalty", **person(id_no=ADULT_15)), Record)
    bad = validate("admin_penalty", **person(id_no="330106801307071"))  # month 13
    assert isinstance(bad, Quarantined) and "出生日期801307无效" in bad.problems[0].message


def test_the_generations_convert_both_ways() -> None:
    assert other_generation(ADULT) == ADULT_15
    assert other_generation(ADULT_15) == ADULT
    assert other_generation(CHILD) is None  # born in 2012: no 15-digit form


def test_a_record_id_holding_the_15_digit_form_of_its_own_person_is_quarantined() -> None:
    checked = validate("admin_penalty", **person(id_no=ADULT), record_id=f"XZCF-{ADULT_15}-01")
    assert isinstance(checked, Quarantined) and checked.problems[0].type == "unsafe-id", checked
    assert isinstance(validate("admin_penalty", record_id=f"XZCF-{ADULT_15}-01"), Record)  # no such person in it


@pytest.mark.parametrize(("name", "names", "masked"), [
    ("西湖区朱成年水果摊（经营者：朱成年）", ["朱成年"], "西湖区朱*年水果摊（经营者：朱*年）"),
    ("杭州某某店(业主 李小四)", ["李小四", "杭州某某店"], "杭***店(业主 李*四)"),
    ("王小二（个人）", ["王小二"], "王*二（个人）"),
    ("李小四（西湖区李小四水果摊）", ["李小四"], "李*四（西湖区李*四水果摊）"),
])
def test_a_name_given_in_a_note_after_a_label_is_a_name(name: str, names: list[str], masked: str) -> None:
    assert person_names(name) == names
    assert mask_person_name(name) == masked


def test_an_operators_numbers_and_name_are_masked_in_every_output_file(tmp_path: Path) -> None:
    """Published whole before: a 个体工商户's 税务登记号 that is its operator's 15-digit ID number (withheld as the
    法定代表人证件号码, shown masked as the 证件号码), an 18-digit one as the whole code (it stopped the build as a
    leak), the 15-digit form of a person's own number in a decision number, and a trader's name in a note."""
    operator_15, operator_18 = "330106720315123", make_resident_id("330106", "19880808", "091")
    shop = {"subject_name": "西湖区张小平便利店", "subject_category": "个体工商户", "uscc": SHOP, "legal_rep": "张小平"}
    rows = [
        row("admin_penalty", record_id="AP-G1", **shop, tax_reg_no=operator_15, legal_rep_id_type="身份证",
            legal_rep_id_no=operator_15, violation_facts=f"经营者身份证号码{operator_15}", decision_date="2026-06-01"),
        row("admin_penalty", record_id="AP-G2", **shop, tax_reg_no=operator_18, decision_date="2026-06-02"),
        row("admin_penalty", record_id="AP-P1", **person(id_no=ADULT, subject_name="西湖区朱成年水果摊（经营者：朱成年）"),
            decision_no=f"杭市监罚〔2026〕{ADULT_15}号", violation_facts="朱成年无照经营水果摊", decision_date="2026-06-03"),
    ]
    records = write_csv(tmp_path / "records" / "admin_penalty.csv", "admin_penalty", rows).parent
    result = build_site(tmp_path, records, AS_OF, search=True)
    assert sum(result.counts.published.values()) == 3, result.counts
    texts = output_texts(tmp_path / "output")
    for secret in (operator_15, operator_18, ADULT, ADULT_15, "朱成年"):
        assert [path for path, text in texts.items() if secret in text] == [], secret
    page = texts["record/admin_penalty/AP-G1/index.html"]
    assert "330********5123" in page  # the 税务登记号, masked as an ID number
    assert f"330***********{operator_18[-4:]}" in texts["record/admin_penalty/AP-G2/index.html"]
    assert "西湖区朱*年水果摊（经营者：朱*年）" in texts["record/admin_penalty/AP-P1/index.html"]
