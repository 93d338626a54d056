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

from site_builder.rules import privacy
from site_builder.rules.disclosure import Decision, decide
from site_builder.rules.identifiers import mask_person_name, other_generation, person_names, personal_id_problem
from site_builder.rules.profiles import Policy
from site_builder.rules.redaction import redact
from site_builder.rules.validation import Quarantined, Record, is_resident_id_type
from site_builder.sources.loading import RawRow

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


def test_a_record_id_made_of_a_licence_number_of_its_own_date_is_no_id_number() -> None:
    """Bug: a licence whose 记录编号 was ``XK`` and its 施工许可证 number (region, issue date, four digits: one in eleven
    such numbers has an ID number's check character) was quarantined as holding an ID number."""
    number = make_resident_id(region="330106", birth="20250310", seq="001")  # shaped like a licence number of 2025-03-10
    licence = validate("admin_license", record_id=f"XK{number}", decision_date="2025-03-10")
    assert isinstance(licence, Record), licence
    later = validate("admin_license", record_id=f"XK{number}", decision_date="2025-03-11")  # a baby's, then
    assert isinstance(later, Quarantined) and later.problems[0].type == "unsafe-id"
    assert isinstance(validate("admin_license", record_id=f"XK{ADULT}", decision_date="2025-03-10"), Quarantined)


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


# Issue: a third tester's findings: a record's own ID number with a wrong or missing check character, licence numbers
# made of a region code, a date and a serial read as ID numbers.

PERSON = make_resident_id("330106", "19900307", "123")
LEGAL_REP = make_resident_id("330102", "19780512", "041")
PERMIT = "330106202503100018"
"""A 建筑工程施工许可证 number: region 330106, its licence date 2025-03-10, serial 0018 (it passes the ID check)."""


def _redacted(item: str, **values: str) -> dict[str, str]:
    checked = record(item, **values)
    return redact(checked, CATALOGUE[item], Decision(True, start=checked.get("decision_date"))).fields  # type: ignore[arg-type]


def test_a_natural_persons_own_id_number_with_a_wrong_or_no_check_character_is_masked() -> None:
    """Bug: ``身份证号330106199003071230`` (the last character wrong) and ``身份证前17位33010619900307123`` were published
    whole in the record of the person whose 证件号码 is 330106199003071236."""
    fields = _redacted("admin_penalty", **person(id_no=PERSON), violation_facts=f"当事人（身份证号{PERSON[:17]}0）无证经营",
                       remarks=f"身份证前17位{PERSON[:17]}；复核{PERSON[:6]} {PERSON[6:14]} {PERSON[14:]}")
    assert fields["violation_facts"] == "当事人（身份证号330" + "*" * 15 + "）无证经营"
    assert fields["remarks"] == "身份证前17位330" + "*" * 14 + "；复核330***********1236"
    assert fields["id_no"] == "330***********1236"


def test_a_licence_number_made_of_its_own_date_is_no_id_number() -> None:
    """Bug: ``许可编号 330106202503100018`` (a region, the licence's own date, a serial) was masked as an ID number one
    time in eleven, and a licence whose 文书号 held it masked there. No person named in a record was born on or after
    its decision date; a number of that record whose birth date is so is no ID number. A person's stays one."""
    assert personal_id_problem(PERMIT) is None
    values = {"certificate_name": "建筑工程施工许可证", "license_no": PERMIT, "license_doc_no": f"杭建许〔2025〕{PERMIT}号",
              "decision_date": "2025-03-10", "remarks": f"经办人身份证{PERSON}，原许可编号{PERMIT}"}
    fields = _redacted("admin_license", **values)
    assert fields["license_no"] == PERMIT and fields["license_doc_no"] == f"杭建许〔2025〕{PERMIT}号"
    assert fields["remarks"] == f"经办人身份证330***********1236，原许可编号{PERMIT}"
    codes, _texts, found, public = privacy.row_secrets(RawRow("admin_license", "a.csv", 2, row("admin_license", **values)),
                                                       CATALOGUE["admin_license"])
    assert PERMIT not in found and PERSON in found and f"杭建许2025{PERMIT}号" in public  # a public code, not a secret
    assert privacy.numbers_in(PERMIT, recorded=date(2025, 3, 10)) == []
    assert privacy.numbers_in(PERMIT, recorded=date(2025, 3, 11)) == [PERMIT]  # a person born the day before
    subject = redact(record("subject", subject_name="杭州建工有限公司", established="1995-05-05", address=f"股东{PERSON}"),
                     CATALOGUE["subject"], Decision(True, start=date(1995, 5, 5))).fields
    assert subject["address"] == "股东330***********1236"  # registration information: no such date (a founding date)


def test_a_licence_number_a_later_record_repeats_stops_no_build(tmp_path: Path) -> None:
    """Bug: a permit number public in its own licence (dated on its date) read as an ID number in a later penalty that
    cites it, or in the licence's own change record; the scan then refused the licence's pages, and nothing at all was
    published. A number a record publishes as written is not looked for elsewhere."""
    records = tmp_path / "records"
    write_csv(records / "admin_license.csv", "admin_license", [
        row("admin_license", record_id="XK-1", license_no=PERMIT, decision_date="2025-03-10"),
        row("admin_license", record_id="XK-2", license_no=PERMIT, decision_date="2025-08-01")])  # its change record
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="CF-1", decision_date="2025-06-01",
            violation_facts=f"当事人在施工许可证（编号{PERMIT}）载明的项目中未按规定施工")])
    result = build_site(tmp_path, records, date(2025, 12, 1))
    assert result.counts.published["admin_license"] == 2 and result.counts.published["admin_penalty"] == 1
    page = (result.output / "record" / "admin_license" / "XK-1" / "index.html").read_text(encoding="utf-8")
    assert PERMIT in page


def test_own_id_numbers_and_licence_numbers_in_every_output_file(tmp_path: Path) -> None:
    """The tester's rows, built: the own and the legal representative's ID numbers with a wrong check character are
    in no output file in any form, the legal representative's leaves no character, and the licence number is published
    (the build's leak scan, reading the rows with their dates, looks for none of its digits)."""
    company = {"subject_name": "杭州测试有限公司", "legal_rep": "李四", "legal_rep_id_type": "居民身份证", "legal_rep_id_no": LEGAL_REP}
    penalties = [
        row("admin_penalty", record_id="AP-1", **person(id_no=PERSON), violation_facts=f"当事人（身份证号{PERSON[:17]}0）",
            remarks=f"身份证前17位{PERSON[:17]}", decision_date="2025-03-10"),
        row("admin_penalty", record_id="AP-2", **company, remarks=f"法定代表人身份证号{LEGAL_REP[:17]}1", decision_date="2025-03-10"),
        row("admin_penalty", record_id="AP-3", **company, remarks="法定代表人证号" + "".join(f"&#{ord(c)};" for c in LEGAL_REP),
            decision_date="2025-03-10"),
    ]
    licences = [row("admin_license", record_id="XK-1", certificate_name="建筑工程施工许可证", license_no=PERMIT,
                    license_doc_no=f"杭建许〔2025〕{PERMIT}号", decision_date="2025-03-10",
                    remarks=f"法定代表人李四，身份证号{LEGAL_REP}", **company)]
    records = write_csv(tmp_path / "records" / "admin_penalty.csv", "admin_penalty", penalties).parent
    write_csv(records / "admin_license.csv", "admin_license", licences)
    result = build_site(tmp_path, records, date(2025, 6, 1))
    assert sum(result.counts.published.values()) == 4, result.counts
    texts = output_texts(tmp_path / "output")
    for secret in (PERSON[:17], LEGAL_REP[:17], "0410"):
        assert [path for path, text in texts.items() if secret in privacy.canonical(text)] == [], secret
    page = texts["record/admin_license/XK-1/index.html"]
    assert PERMIT in page and "身份证号" + "*" * 18 in page
