"""Validation: one test per kind of invalid row (the Problem's type slug and column), and the values accepted.

A Problem names the column by its Chinese title; a row with several problems reports them all.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CATALOGUE, COMPANY, make_resident_id, make_uscc, person, record, row, validate, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from site_builder.rules.privacy import CODE, numbers_in
from site_builder.rules.validation import _NUMBER_IN_ID, Quarantined, Record, Validator
from site_builder.sources.loading import RawRow, find_sources, read_rows

PENALTY = CATALOGUE["admin_penalty"]
ADULT_ID = make_resident_id()
LETTER_FIRST = [make_uscc("Y1330100MA27XL0A1"), make_uscc("A1330100MA27XL0A1"), make_uscc("N2330100MA27XL0A1")]


def problems(result: Record | Quarantined) -> set[tuple[str, str]]:
    """The ``(column, type)`` of every problem of a quarantined row; fails if the row is valid."""
    assert isinstance(result, Quarantined), f"expected the row to be quarantined, got {result}"
    return {(p.column, p.type) for p in result.problems}


def wrong_check(code: str, alphabet: str = "0123456789ABCDEFGHJKLMNPQRTUWXY") -> str:
    """``code`` with a different (valid-looking) last character, so only the check fails."""
    return code[:-1] + next(c for c in alphabet if c != code[-1])


def full_width(text: str) -> str:
    """ASCII letters and digits of ``text`` as their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- required ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "field"), [
    (item.id, f.name) for item in CATALOGUE.items for f in item.fields if f.required
])
@pytest.mark.parametrize("empty", ["", "   ", "\u3000", "NULL"])
def test_missing_required_field(item: str, field: str, empty: str) -> None:
    title = CATALOGUE[item].field(field).title
    assert (title, "required") in problems(validate(item, **{field: empty}))


def test_required_problem_message_and_location() -> None:
    result = Validator(PENALTY).validate(RawRow("admin_penalty", "xzcf/2025.csv", 17, row("admin_penalty", decision_no="")))
    assert isinstance(result, Quarantined)
    assert (result.file, result.row, result.record_id) == ("xzcf/2025.csv", 17, "AD-1")
    [problem] = result.problems
    assert (problem.column, problem.type) == ("行政处罚决定书文号", "required")
    assert problem.message


# --- date -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2023-13-45", "not a date", "2023-02-29", "2024-00-10", "2024/3/32", "45356", "2024-3",
                                  "03/05/2024"])
def test_bad_date(text: str) -> None:
    assert problems(validate("admin_penalty", decision_date=text)) == {("处罚决定日期", "date")}


def test_bad_optional_date() -> None:
    assert problems(validate("admin_penalty", disclosure_deadline="2026-02-30")) == {("公示截止期", "date")}
    assert problems(validate("dishonest_list", removal_date="明年")) == {("移出日期", "date")}


@pytest.mark.parametrize("text", ["2024/3/5", "2024年3月5日", "20240305", "2024-03-05 00:00:00", "2024-03-05",
                                  "2024.3.5", "2024年03月05日", " 2024-3-5 ", "2024-03-05T08:30", "２０２４－０３－０５"])
def test_accepted_date_formats(text: str) -> None:
    assert record("admin_penalty", decision_date=text).values["decision_date"] == date(2024, 3, 5)


@pytest.mark.parametrize("text", ["长期", "长期有效", "永久", "无", "-", "/"])
def test_no_end_date_spellings_of_an_optional_date(text: str) -> None:
    assert record("admin_penalty", disclosure_deadline=text).values["disclosure_deadline"] is None


def test_no_end_date_spelling_of_a_required_date_is_a_date_problem() -> None:
    assert problems(validate("admin_penalty", decision_date="长期")) == {("处罚决定日期", "date")}


# --- number -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "text"), [
    ("fine_amount", "一万元"), ("fine_amount", "1.2.3"), ("fine_amount", "abc"), ("fine_amount", "Infinity"),
    ("confiscated_amount", "5千"),
])
def test_bad_number(field: str, text: str) -> None:
    assert problems(validate("admin_penalty", **{field: text})) == {(PENALTY.field(field).title, "number")}


@pytest.mark.parametrize(("text", "expected"), [
    ("1.5", Decimal("1.5")), ("1,234.5", Decimal("1234.5")), ("1.5万元", Decimal("1.5")), ("０．５", Decimal("0.5")), ("0", Decimal(0)),
])
def test_accepted_numbers(text: str, expected: Decimal) -> None:
    assert record("admin_penalty", fine_amount=text).values["fine_amount"] == expected


# --- enum -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "text"), [
    ("publish_status", "已发表了"), ("publish_status", "yes"), ("disclosure_level", "内部"), ("objection_status", "未知"),
    ("severity", "特别严重"), ("procedure", "快速程序"), ("subject_category", "外国人"),
])
def test_value_not_in_the_enumeration(field: str, text: str) -> None:
    found = problems(validate("admin_penalty", **{field: text}))
    assert (PENALTY.field(field).title, "enum") in found


def test_enum_message_lists_the_allowed_values() -> None:
    result = validate("admin_penalty", publish_status="已发表了")
    assert isinstance(result, Quarantined)
    assert all(label in result.problems[0].message for label in ("已审核", "待审核", "已驳回", "已撤回"))


@pytest.mark.parametrize(("field", "text", "code"), [
    (field, text, code)
    for field in ("publish_status", "disclosure_level", "objection_status")
    for code, label in (PENALTY.field(field).values or {}).items()
    for text in (code, label, code.upper(), f" {label} ")
])
def test_codes_and_chinese_labels_are_both_accepted(field: str, text: str, code: str) -> None:
    value = record("admin_penalty", **{field: text}).values[field]
    if text.lower() == "none":
        # "none" is also a NULL spelling of database exports, so it reads as an empty cell: no objection either way.
        assert value is None
    else:
        assert value == code


def test_control_values_the_brief_names() -> None:
    expected = {"approved": "已审核", "pending": "待审核", "rejected": "已驳回", "withdrawn": "已撤回"}
    assert PENALTY.field("publish_status").values == expected
    assert PENALTY.field("disclosure_level").values == {"public": "公开", "authorised": "授权查询", "government": "政务共享"}
    assert set((PENALTY.field("objection_status").values or {}).values()) >= {"无", "处理中", "异议成立", "异议不成立"}


# --- uscc -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    wrong_check(COMPANY),                 # wrong check character
    wrong_check(LETTER_FIRST[0]),
    COMPANY[:-1],                         # 17 characters
    COMPANY + "0",                        # 19 characters
    "91330100MA27XLOA1" + "9",            # O is not allowed
    "91330100MA27XLIA1" + "9",            # nor I
    "9133010OMA27XL0A19",                 # a letter in the region code
    "91330100MA27XL0A1?",
    "000000000000000000",                 # the platforms' placeholder for "no code": its check character is right
    make_uscc("01330100MA27XL0A1"),       # no registering department 0
    make_uscc("91000000MA27XL0A1"),       # no region 000000
])
def test_bad_uscc(code: str) -> None:
    assert problems(validate("admin_penalty", uscc=code)) == {("统一社会信用代码", "uscc")}


def test_bad_uscc_in_other_code_columns() -> None:
    assert problems(validate("admin_penalty", authority_uscc=wrong_check(make_uscc("11330100002489111")))) == {
        ("处罚机关统一社会信用代码", "uscc")}
    assert problems(validate("subject", uscc=wrong_check(COMPANY))) == {("统一社会信用代码", "uscc")}


def test_uscc_problem_names_the_right_check_character() -> None:
    result = validate("admin_penalty", uscc=wrong_check(COMPANY))
    assert isinstance(result, Quarantined)
    assert COMPANY[-1] in result.problems[0].message


@pytest.mark.parametrize("code", LETTER_FIRST)
def test_valid_codes_starting_with_a_letter_are_accepted(code: str) -> None:
    assert not stdnum_uscc.is_valid(code)  # python-stdnum refuses these; the validator must not
    assert record("admin_penalty", uscc=code).values["uscc"] == code
    assert record("subject", uscc=code).values["uscc"] == code
    assert record("admin_penalty", authority_uscc=code).values["authority_uscc"] == code


@pytest.mark.parametrize("text", [
    COMPANY.lower(),
    f"  {COMPANY}  ",
    f"\u3000{COMPANY}\u3000",
    full_width(COMPANY),
    full_width(COMPANY.lower()),
    COMPANY[:8] + " " + COMPANY[8:],
    LETTER_FIRST[0].lower(),
])
def test_codes_are_normalised_and_accepted(text: str) -> None:
    expected = COMPANY if text.strip().upper().replace(" ", "").startswith(("9", "９")) else LETTER_FIRST[0]
    assert record("admin_penalty", uscc=text).values["uscc"] == expected


@pytest.mark.parametrize("category", ["法人及非法人组织", "个体工商户"])
def test_legal_person_or_business_without_a_code(category: str) -> None:
    assert problems(validate("admin_penalty", subject_category=category, uscc="")) == {("统一社会信用代码", "required")}


def test_natural_person_needs_no_code() -> None:
    assert record("admin_penalty", **person()).values["uscc"] is None


def test_legal_person_with_a_bad_code_reports_the_code_once() -> None:
    result = validate("admin_penalty", uscc="123")
    assert isinstance(result, Quarantined)
    assert [(p.column, p.type) for p in result.problems] == [("统一社会信用代码", "uscc")]


# --- resident-id ------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [
    wrong_check(ADULT_ID, "0123456789X"),                                   # bad MOD 11-2 check character
    make_resident_id("330106", "19901332", "123"),                          # check fine, no such birth date
    make_resident_id("990106", "19900307", "123"),                          # check fine, no such province
    ADULT_ID[:17],                                                          # 17 digits
])
def test_natural_person_with_a_bad_resident_id(number: str) -> None:
    assert problems(validate("admin_penalty", **person(id_no=number))) == {("证件号码", "resident-id")}


@pytest.mark.parametrize(("field", "title"), [("id_no", "证件号码"), ("business_reg_no", "工商注册号"), ("org_code", "组织机构代码")])
@pytest.mark.parametrize("written", ["1.10106199E+17", "3.30106E+14", "330106000012345.0", "1.23457e8"])
def test_a_code_excel_turned_into_a_number_is_quarantined(field: str, title: str, written: str) -> None:
    """A CSV saved from Excel holds ``3.30106E+14`` for a 工商注册号: its digits are gone. It was published as written
    (the workbook reader already refused such a cell)."""
    values = person(id_no=written) if field == "id_no" else {field: written}
    checked = validate("admin_penalty", **values)
    assert (title, "stored-as-number") in problems(checked), checked


def test_natural_person_without_an_id_number() -> None:
    assert problems(validate("admin_penalty", **person(id_no=""))) == {("证件号码", "required")}


def test_resident_id_with_lower_case_x_is_normalised() -> None:
    number = next(n for seq in range(100, 200) if (n := make_resident_id(seq=str(seq))).endswith("X"))
    assert record("admin_penalty", **person(id_no=number.lower())).values["id_no"] == number


def test_resident_id_checked_without_an_id_type_when_18_characters() -> None:
    found = problems(validate("admin_penalty", **person(id_type="", id_no=wrong_check(ADULT_ID, "0123456789X"))))
    assert found == {("证件号码", "resident-id")}


def test_passport_numbers_are_not_checked_as_resident_ids() -> None:
    assert record("admin_penalty", **person(id_type="护照", id_no="E12345678")).values["id_no"] == "E12345678"


# --- duplicate-id -----------------------------------------------------------------------------------


def test_duplicate_record_id_across_two_files_of_an_item(tmp_path: Path) -> None:
    write_csv(tmp_path / "admin_penalty" / "a.csv", "admin_penalty",
              [row("admin_penalty", record_id="AP-1"), row("admin_penalty", record_id="AP-7")])
    write_csv(tmp_path / "admin_penalty" / "b.csv", "admin_penalty",
              [row("admin_penalty", record_id="AP-8"), row("admin_penalty", record_id="AP-7")])
    validator = Validator(PENALTY)
    results = [validator.validate(raw) for s in find_sources(tmp_path, CATALOGUE) for raw in read_rows(s, PENALTY)]
    assert [type(r).__name__ for r in results] == ["Record", "Record", "Record", "Quarantined"]
    duplicate = results[3]
    assert isinstance(duplicate, Quarantined)
    assert (duplicate.file, duplicate.row, duplicate.record_id) == ("admin_penalty/b.csv", 3, "AP-7")
    assert problems(duplicate) == {("记录编号", "duplicate-id")}
    assert "admin_penalty/a.csv第3行" in duplicate.problems[0].message


def test_same_record_id_in_two_items_is_not_a_duplicate() -> None:
    raw_penalty = RawRow("admin_penalty", "admin_penalty.csv", 2, row("admin_penalty", record_id="X-1"))
    raw_licence = RawRow("admin_license", "admin_license.csv", 2, row("admin_license", record_id="X-1"))
    assert isinstance(Validator(PENALTY).validate(raw_penalty), Record)
    assert isinstance(Validator(CATALOGUE["admin_license"]).validate(raw_licence), Record)


def test_duplicate_id_after_normalisation() -> None:
    validator = Validator(PENALTY)
    assert isinstance(validator.validate(RawRow("admin_penalty", "a.csv", 2, row("admin_penalty", record_id="AP-1"))), Record)
    second = validator.validate(RawRow("admin_penalty", "a.csv", 3, row("admin_penalty", record_id=" ＡＰ－１ ")))
    assert problems(second) == {("记录编号", "duplicate-id")}


def test_duplicate_id_is_reported_with_the_rows_other_problems() -> None:
    """A row that repeats an earlier record id and has a bad date has two problems; both must be reported.

    Found while writing these tests: ``Validator.validate`` used to look for duplicates only when the row
    had no other problem, so the report said only "bad date" and fixing it revealed a second problem.
    """
    validator = Validator(PENALTY)
    assert isinstance(validator.validate(RawRow("admin_penalty", "a.csv", 2, row("admin_penalty", record_id="AP-7"))), Record)
    second = validator.validate(RawRow("admin_penalty", "b.csv", 2, row("admin_penalty", record_id="AP-7", decision_date="2023-13-45")))
    assert problems(second) == {("处罚决定日期", "date"), ("记录编号", "duplicate-id")}


# --- unsafe-id --------------------------------------------------------------------------------------


@pytest.mark.parametrize("record_id", ["../etc", "a/b", "a\\b", "记录1", "-x", ".hidden", "_x", "AP 1", "AP-1?", "x" * 129, "〔2025〕1号",
                                       "AP-2.", "CON", "prn", "Aux.txt", "nul.csv", "COM1", "lpt9.x"])
def test_unsafe_record_id(record_id: str) -> None:
    assert problems(validate("admin_penalty", record_id=record_id)) == {("记录编号", "unsafe-id")}


ID_DIGITS = {"0": "0Oo", "1": "1Il"}


@st.composite
def ids_holding_a_number(draw: st.DrawFn) -> str:
    """A safe record id with an ID number in it, written as a record id may write it: digits or the letters read as
    digits, separators between them, letters and digits around it."""
    number = draw(st.sampled_from([make_resident_id(), make_resident_id(birth="19850615", seq="027"), "330106800707071",
                                   make_resident_id(region="110101", birth="20120105", seq="001")]))
    written = "".join(draw(st.sampled_from(ID_DIGITS.get(c, c))) + draw(st.sampled_from(["", "", "", "-", ".", "_"]))
                      for c in number)
    around = st.text("ABCXYZ0123456789-._", max_size=8)
    return "A" + draw(around) + written + draw(around)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(record_id=st.one_of(ids_holding_a_number(), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}", fullmatch=True)))
def test_a_record_id_is_read_for_a_number_whenever_it_may_hold_one(record_id: str) -> None:
    """The cheap test that spares most record ids the reading for a personal number never spares one that holds it."""
    if numbers_in(record_id, CODE):
        assert _NUMBER_IN_ID.search(record_id), record_id


@pytest.mark.parametrize(("text", "expected"), [("AP-2025.001_a", "AP-2025.001_a"), ("ＡＰ－１", "AP-1"), (" AP-1 ", "AP-1"),
                                                ("x" * 128, "x" * 128), ("CONSOLE-1", "CONSOLE-1"), ("COM10", "COM10"),
                                                ("NUL1.5", "NUL1.5")])
def test_safe_record_ids(text: str, expected: str) -> None:
    checked = record("admin_penalty", record_id=text)
    assert checked.record_id == expected and checked.values["record_id"] == expected


# --- extra-cell -------------------------------------------------------------------------------------


def test_row_with_more_cells_than_the_heading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1"),
                                                                       row("admin_penalty", record_id="AP-2")])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0], lines[1] + ",多出来的,,一格", lines[2] + ",,"]) + "\n", encoding="utf-8-sig")
    validator = Validator(PENALTY)
    first, second = (validator.validate(raw) for raw in read_rows(find_sources(tmp_path, CATALOGUE)[0], PENALTY))
    assert problems(first) == {("", "extra-cell")}
    assert isinstance(first, Quarantined) and "2" in first.problems[0].message
    assert isinstance(second, Record)  # empty cells past the heading are harmless


# --- several problems -------------------------------------------------------------------------------


def test_a_row_with_several_problems_reports_all_of_them() -> None:
    found = problems(validate(
        "admin_penalty", record_id="../x", publish_status="好", decision_date="2023-02-30", fine_amount="abc",
        decision_no="", authority_uscc=wrong_check(COMPANY), **person(id_no=wrong_check(ADULT_ID, "0123456789X")),
    ))
    assert found == {
        ("记录编号", "unsafe-id"), ("发布状态", "enum"), ("处罚决定日期", "date"), ("罚款金额（万元）", "number"),
        ("行政处罚决定书文号", "required"), ("处罚机关统一社会信用代码", "uscc"), ("证件号码", "resident-id"),
    }


def test_extra_cells_are_reported_with_the_other_problems() -> None:
    raw = RawRow("admin_penalty", "a.csv", 2, row("admin_penalty", decision_date="x"), extra_cells=1)
    assert problems(Validator(PENALTY).validate(raw)) == {("", "extra-cell"), ("处罚决定日期", "date")}


def test_a_valid_row_types_its_values() -> None:
    checked = record("admin_penalty", fine_amount="3", severity="严重", procedure="普通程序", objection_status="异议不成立")
    assert checked.values["decision_date"] == date(2025, 3, 10)
    assert checked.values["fine_amount"] == Decimal(3)
    assert (checked.values["severity"], checked.values["procedure"], checked.values["objection_status"]) == (
        "serious", "general", "dismissed")
    assert checked.values["publish_status"] == "approved" and checked.values["disclosure_level"] == "public"


# --- amounts: range, sign, written units ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1e2000000", "9e999999999", "1e309", "1e16", "2000000000000000", "123456789012345678901",
                                  "1e-999999999", "0.000000000000000000001", "-5", "-0.5", "-1e3", "1,2", "12,34.5"])
def test_numbers_out_of_range_or_negative_amounts_are_quarantined(text: str) -> None:
    """Bug: ``1e2000000`` was published as a 2,000,001-digit number, ``9e999999999`` ended in MemoryError, ``-5`` and
    ``1e309`` were accepted as amounts."""
    result = validate("admin_penalty", fine_amount=text)
    assert problems(result) == {("罚款金额（万元）", "number")}, text
    assert isinstance(result, Quarantined)
    assert "罚款金额" in result.problems[0].column


@pytest.mark.parametrize(("text", "expected"), [
    ("1.2万", Decimal("1.2")), ("1.2万元", Decimal("1.2")), ("12000元", Decimal("1.2")), ("12,000 元", Decimal("1.2")),
    ("￥12000", Decimal("1.2")), ("¥1.2万", Decimal("1.2")), ("1,200", Decimal(1200)), ("1E+2", Decimal(100)),
    ("1e15", Decimal(10 ** 15)), ("-0", Decimal(0)), ("48.40", Decimal("48.4")), ("4.00", Decimal(4)),
    ("0.0", Decimal(0)), ("1.50万", Decimal("1.5")), ("120.000", Decimal(120)),
])
def test_amounts_in_their_written_forms_are_taken_in_the_columns_unit(text: str, expected: Decimal) -> None:
    """The column's unit is in its title (万元): ``12000元`` is 1.2 of it, ``1.2万`` is 1.2, ``¥`` marks yuan. An amount
    has one written form (``48.40`` is ``48.4``), so that rewriting it is no change of the record."""
    value = record("admin_penalty", fine_amount=text).values["fine_amount"]
    assert value == expected and str(value) == str(expected), (text, value)


@pytest.mark.parametrize(("text", "expected"), [
    ("12000元", Decimal(12000)), ("1.2万", Decimal(12000)), ("1.2万元", Decimal(12000)), ("￥1.5", Decimal("1.5")),
    ("1,200", Decimal(1200)), ("15", Decimal(15)),
])
def test_a_column_in_yuan_converts_wan(text: str, expected: Decimal) -> None:
    import dataclasses

    from site_builder.rules.validation import parse_cell

    spec = dataclasses.replace(PENALTY.field("fine_amount"), title="罚款金额（元）")
    value, problem = parse_cell(spec, text)
    assert problem is None and value == expected and str(value) == str(expected), (text, value)


def test_a_number_column_without_a_unit_takes_no_currency() -> None:
    import dataclasses

    from site_builder.rules.validation import parse_cell

    spec = dataclasses.replace(PENALTY.field("fine_amount"), title="数量")
    assert parse_cell(spec, "-3")[0] == Decimal(-3)  # not an amount: a sign is allowed
    assert parse_cell(spec, "3万")[1] is not None and parse_cell(spec, "¥3")[1] is not None


# --- dates with a time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-06-01T00:00:00Z", date(2026, 6, 1)), ("2026-06-01T08:00:00+08:00", date(2026, 6, 1)),
    ("2026-06-01T16:00:00Z", date(2026, 6, 2)),  # midnight in China
    ("2026-06-01T15:59:59Z", date(2026, 6, 1)), ("2026-06-01T20:00:00-05:00", date(2026, 6, 2)),
    ("2026-06-01T08:00:00.123+0800", date(2026, 6, 1)), ("2026-06-01 23:59", date(2026, 6, 1)),
    ("2026/6/1 8:00:00", date(2026, 6, 1)),
])
def test_iso_date_times_are_taken_on_their_date_in_china(text: str, expected: date) -> None:
    assert record("admin_penalty", decision_date=text).values["decision_date"] == expected


@pytest.mark.parametrize("text", ["2026-01-02 99:99:99", "2026-01-02 25:00", "2026-01-02T23:60:00", "2026-01-02 12:00:61",
                                  "2026-06-01T08:00:00+99:00", "2026-06-01 08:00 上午"])
def test_impossible_times_are_quarantined(text: str) -> None:
    assert problems(validate("admin_penalty", decision_date=text)) == {("处罚决定日期", "date")}


# --- placeholders, written amounts and dates (Chinese writing) -------------------------------------------


@pytest.mark.parametrize("field", ["fine_amount", "confiscated_amount"])
@pytest.mark.parametrize("text", ["无", "/", "-", "—", "--", "不涉及", "暂无", "无此项", "不适用", "（无）", "否"])
def test_a_placeholder_for_none_in_an_optional_number_column_is_empty(field: str, text: str) -> None:
    """Bug: 罚款金额（万元） ``无``, ``/``, ``-``, ``—``, ``不涉及`` and ``暂无`` quarantined the row (never published)."""
    assert record("admin_penalty", **{field: text}).values[field] is None


def test_a_placeholder_in_a_required_number_column_is_still_refused() -> None:
    import dataclasses

    from site_builder.rules.validation import parse_cell

    spec = dataclasses.replace(PENALTY.field("fine_amount"), required=True)
    assert parse_cell(spec, "无")[1] == ("number", "“无”不是有效数字")
    assert parse_cell(spec, "0") == (Decimal(0), None)


@pytest.mark.parametrize(("text", "expected"), [
    ("人民币1.2万元", Decimal("1.2")), ("RMB 1.2万元", Decimal("1.2")), ("人民币12000", Decimal("1.2")),
    ("0.5万元整", Decimal("0.5")), ("12000元整", Decimal("1.2")), ("3千元", Decimal("0.3")), ("5百元", Decimal("0.05")),
    ("12000（元）", Decimal("1.2")), ("1.2（万元）", Decimal("1.2")), ("1.20万元（人民币）", Decimal("1.2")),
    ("12000（人民币）", Decimal("1.2")), ("5000块", Decimal("0.5")), ("1 200", Decimal(1200)), ("12 000.5", Decimal("12000.5")),
    ("1 200元", Decimal("0.12")),
])
def test_amounts_as_written_in_chinese_records(text: str, expected: Decimal) -> None:
    """Bug: these amounts quarantined their rows. 人民币 is the yuan sign spelt out; 整 after a unit, the unit in brackets
    and a trailing （人民币） are read; 千元 and 百元 multiply; a space separates groups of three digits only."""
    value = record("admin_penalty", fine_amount=text).values["fine_amount"]
    assert value == expected and str(value) == str(expected), (text, value)


@pytest.mark.parametrize("text", ["1  200", "12 34", "1 2000", "1 200,000", "5千", "一万元", "壹万元", "1.2万元（元）", "1.2整",
                                  "人民币", "*"])
def test_amounts_that_stay_refused(text: str) -> None:
    assert problems(validate("admin_penalty", fine_amount=text)) == {("罚款金额（万元）", "number")}


@pytest.mark.parametrize("text", ["2026年6月1号", "2026/6/1 星期一", "2026-06-01（周一）", "2026年6月1日（星期一）",
                                  "2026-06-01 礼拜一 08:00", "2026年06月01号 周一"])
def test_dates_with_hao_or_a_weekday(text: str) -> None:
    """Bug: 号 for 日 and a weekday after the date quarantined the row."""
    assert record("admin_penalty", decision_date=text).values["decision_date"] == date(2026, 6, 1)
    assert record("admin_penalty", decision_date="2026-06-07 星期天").values["decision_date"] == date(2026, 6, 7)


@pytest.mark.parametrize("text", ["2026-06-01（周二）", "2026/6/1 星期日", "2026-06-01 星期八", "46174"])
def test_a_wrong_weekday_or_a_serial_number_is_refused(text: str) -> None:
    assert problems(validate("admin_penalty", decision_date=text)) == {("处罚决定日期", "date")}


@pytest.mark.parametrize("text", ["暂无", "不涉及", "—", "无此项"])
def test_a_placeholder_for_none_in_an_optional_date_column_is_empty(text: str) -> None:
    assert record("admin_penalty", disclosure_deadline=text).values["disclosure_deadline"] is None


def test_a_long_run_of_digits_is_read_in_linear_time() -> None:
    """A cell of 100,000 digits and a stray letter took minutes (the amount pattern backtracked quadratically)."""
    import time

    started = time.perf_counter()
    assert problems(validate("admin_penalty", fine_amount="1" * 100_000 + "x")) == {("罚款金额（万元）", "number")}
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c", "\u00ad", "\u2061", "\u2064", "\u034f",
                                  "\U000e0041", "\u202e", "\u200b", "\u17b4"])
def test_invisible_and_direction_marks_are_removed_from_every_cell(mark: str) -> None:
    """Bug: LRM, RLM, ALM, the soft hyphen, the invisible operators, CGJ, MVS and tag characters reached the pages, the
    CSV and the index, so that two subject names that look the same differed; the docs said they were removed."""
    from site_builder.rules.validation import clean

    assert clean(f"宁波{mark}达泽文化传媒有限公司") == "宁波达泽文化传媒有限公司"
    assert clean("葛\U000e0100") == "葛\U000e0100"  # a variation selector chooses the character's form: kept
    for filler in ("\u3164", "\uffa0", "\u115f", "\u1160"):  # a Hangul filler shows as a space: it is one
        assert clean(f"张{filler}三") == "张 三" and clean(f"6{filler}330106800707071") == "6 330106800707071"
    assert clean("ᠬᠠᠳ\u180eᠠ") == "ᠬᠠᠳ\u180eᠠ"  # the Mongolian vowel separator is part of the word's spelling
