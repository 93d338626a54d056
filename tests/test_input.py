"""Loading and validation: encodings, headings, file layouts, and every kind of invalid row."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, COMPANY, make_resident_id, make_uscc, person, row, validate, write_csv

from site_builder.exceptions import InputError
from site_builder.rules.validation import Quarantined, Record
from site_builder.sources.loading import FileReport, SourceFile, find_sources, read_rows

PENALTY = CATALOGUE["admin_penalty"]


def rows_of(records: Path, item: str = "admin_penalty") -> tuple[list[dict[str, str]], list[FileReport]]:
    """The raw rows of one item and what reading each of its files found."""
    reports = [FileReport(s) for s in find_sources(records, CATALOGUE) if s.item == item]
    rows = [raw.values for r in reports for raw in read_rows(r.source, CATALOGUE[item], r)]
    return rows, reports


def problems(result: Record | Quarantined) -> set[tuple[str, str]]:
    assert isinstance(result, Quarantined), result
    return {(p.column, p.type) for p in result.problems}


# --- Encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16"),
])
def test_each_encoding_is_detected(tmp_path: Path, encoding: str, detected: str) -> None:
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", violation_facts="销售过期食品（一）")],
              encoding=encoding)
    if encoding in ("gb18030", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            (tmp_path / "admin_penalty.csv").read_bytes().decode("utf-8")
    rows, sources = rows_of(tmp_path)
    assert sources[0].encoding == detected
    assert rows[0]["subject_name"] == "杭州恒远科技有限公司"
    assert rows[0]["violation_facts"] == "销售过期食品（一）"


def test_undecodable_file_stops_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "admin_penalty.csv").write_bytes(b"\x80\xff\xfe\x81" * 100)
    source = find_sources(tmp_path, CATALOGUE)[0]
    with pytest.raises(InputError, match="admin_penalty.csv.*neither UTF-8 nor GB18030"):
        list(read_rows(source, PENALTY))


def test_missing_records_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        find_sources(tmp_path / "nope", CATALOGUE)


# --- Headings --------------------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["罚款金额（万元）", "罚款金额(万元)", " *罚款金额（万元） ", "fine_amount", "FINE_AMOUNT", "罚款金额"])
def test_heading_variants(tmp_path: Path, heading: str) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", fine_amount="1.5")])
    text = path.read_text(encoding="utf-8-sig").replace("罚款金额（万元）", heading, 1)
    path.write_text(text, encoding="utf-8-sig")
    rows, sources = rows_of(tmp_path)
    assert rows[0]["fine_amount"] == "1.5"
    assert not [w for w in sources[0].warnings if "罚款" in w and "没有写明金额单位" not in w]
    assert len([w for w in sources[0].warnings if "没有写明金额单位" in w]) == (heading == "罚款金额")


def test_national_standard_code_headings(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")])
    text = path.read_text(encoding="utf-8-sig").replace("统一社会信用代码", "行政相对人代码_1（统一社会信用代码）", 1)
    path.write_text(text, encoding="utf-8-sig")
    rows, _ = rows_of(tmp_path)
    assert rows[0]["uscc"] == COMPANY


def test_english_headings(tmp_path: Path) -> None:
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")], headings="name")
    rows, sources = rows_of(tmp_path)
    assert rows[0]["decision_no"] == "杭市监罚〔2025〕1号" and not sources[0].warnings


def test_unknown_column_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0] + ",内部备注", lines[1] + ",不要公开"]) + "\n", encoding="utf-8-sig")
    rows, sources = rows_of(tmp_path)
    assert "不要公开" not in rows[0].values()
    assert any("内部备注" in w for w in sources[0].warnings)


def test_missing_required_column_warns_and_every_row_is_quarantined(tmp_path: Path) -> None:
    rows = [row("admin_penalty", record_id=f"AP-{n}") for n in range(3)]
    for r in rows:
        del r["decision_date"]
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", rows)
    raw_rows, sources = rows_of(tmp_path)
    assert any("处罚决定日期" in w for w in sources[0].warnings)
    assert all(problems(validate("admin_penalty", **r)) >= {("处罚决定日期", "required")}
               for r in [dict(x, decision_date="") for x in raw_rows])


def test_tab_separated_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "admin_penalty.csv"
    fields = [f for f in PENALTY.fields if f.name in row("admin_penalty")]
    lines = ["\t".join(f.title for f in fields), "\t".join(row("admin_penalty")[f.name] for f in fields), "\t" * 3, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    rows, sources = rows_of(tmp_path)
    assert len(rows) == 1 and sources[0].rows == 1
    assert rows[0]["authority"] == "杭州市市场监督管理局"


def test_xlsx_with_date_cells_and_text_ids(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    data = row("admin_penalty", **person())
    fields = [f for f in PENALTY.fields if f.name in data]
    sheet.append([f.title for f in fields])
    sheet.append([date(2025, 3, 10) if f.name == "decision_date" else data[f.name] for f in fields])
    book.save(tmp_path / "admin_penalty.xlsx")
    rows, sources = rows_of(tmp_path)
    assert sources[0].encoding == "xlsx"
    assert rows[0]["decision_date"] == "2025-03-10"
    assert rows[0]["id_no"] == make_resident_id()


def test_folder_of_files_and_chinese_file_names(tmp_path: Path) -> None:
    write_csv(tmp_path / "admin_penalty" / "part-2.csv", "admin_penalty", [row("admin_penalty", record_id="AP-2")])
    write_csv(tmp_path / "admin_penalty" / "part-1.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    write_csv(tmp_path / "行政许可.csv", "admin_license", [row("admin_license")])
    rows, sources = rows_of(tmp_path)
    assert [s.name for s in sources] == ["admin_penalty/part-1.csv", "admin_penalty/part-2.csv"]
    assert [r["record_id"] for r in rows] == ["AP-1", "AP-2"]
    assert rows_of(tmp_path, "admin_license")[1][0].name == "行政许可.csv"


# --- Values that are accepted ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", "20240305", "2024-03-05 00:00:00",
                                  "２０２４－０３－０５"])
def test_date_formats(text: str) -> None:
    result = validate("admin_penalty", decision_date=text)
    assert isinstance(result, Record) and result.values["decision_date"] == date(2024, 3, 5)


@pytest.mark.parametrize(("field", "text", "code"), [
    ("publish_status", "approved", "approved"), ("publish_status", "已审核", "approved"),
    ("disclosure_level", "授权查询", "authorised"), ("objection_status", "异议不成立", "dismissed"),
    ("severity", "serious", "serious"), ("procedure", "简易程序", "summary"),
])
def test_enumerations_in_either_language(field: str, text: str, code: str) -> None:
    result = validate("admin_penalty", **{field: text})
    assert isinstance(result, Record) and result.values[field] == code


LETTER_FIRST = make_uscc("Y1330100MA27XL0A1")  # valid, though stdnum.cn.uscc refuses codes not starting with 8 digits


@pytest.mark.parametrize("text", [LETTER_FIRST, LETTER_FIRST.lower(), f"  {LETTER_FIRST} ", LETTER_FIRST[:9] + " " + LETTER_FIRST[9:],
                                  "".join(chr(ord(c) + 0xFEE0) for c in LETTER_FIRST)])
def test_codes_are_normalised_and_letter_first_codes_accepted(text: str) -> None:
    from stdnum.cn import uscc

    assert not uscc.is_valid(LETTER_FIRST)
    result = validate("admin_penalty", uscc=text)
    assert isinstance(result, Record), result
    assert result.values["uscc"] == LETTER_FIRST


def test_resident_id_with_a_county_code_newer_than_the_birth_year() -> None:
    # 310115 (浦东新区) dates from 1993; numbers are assigned on registration, so a 1980 birth is real.
    number = make_resident_id("310115", "19800101", "123")
    assert isinstance(validate("admin_penalty", **person(id_no=number)), Record)


# --- Every kind of invalid row -------------------------------------------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    ({"decision_no": ""}, ("行政处罚决定书文号", "required")),
    ({"decision_date": "2023-13-45"}, ("处罚决定日期", "date")),
    ({"decision_date": "not a date"}, ("处罚决定日期", "date")),
    ({"fine_amount": "一万元"}, ("罚款金额（万元）", "number")),
    ({"publish_status": "已发布?"}, ("发布状态", "enum")),
    ({"severity": "特别严重"}, ("失信程度", "enum")),
    ({"uscc": COMPANY[:-1] + ("0" if COMPANY[-1] != "0" else "1")}, ("统一社会信用代码", "uscc")),
    ({"uscc": "91330100MA27XL0A1"}, ("统一社会信用代码", "uscc")),
    ({"uscc": "91330100MA27XLOA1" + "9"}, ("统一社会信用代码", "uscc")),
    ({"uscc": ""}, ("统一社会信用代码", "required")),
    ({"authority_uscc": "11330100000000000X"}, ("处罚机关统一社会信用代码", "uscc")),
    (person(id_no=make_resident_id()[:-1] + ("0" if make_resident_id()[-1] != "0" else "1")), ("证件号码", "resident-id")),
    (person(id_no=""), ("证件号码", "required")),
    (person(id_no="1.10106199E+17"), ("证件号码", "stored-as-number")),  # an ID typed as a number (validation.py)
    ({"record_id": "../etc"}, ("记录编号", "unsafe-id")),
    ({"record_id": "a/b"}, ("记录编号", "unsafe-id")),
    ({"record_id": "记录1"}, ("记录编号", "unsafe-id")),
    ({"record_id": "-x"}, ("记录编号", "unsafe-id")),
])
def test_invalid_rows_are_quarantined_with_column_and_type(values: dict[str, str], expected: tuple[str, str]) -> None:
    assert expected in problems(validate("admin_penalty", **values))


def test_every_problem_of_a_row_is_reported() -> None:
    found = problems(validate("admin_penalty", decision_date="2023-02-30", severity="x", fine_amount="abc", decision_no=""))
    assert found == {("处罚决定日期", "date"), ("失信程度", "enum"), ("罚款金额（万元）", "number"),
                     ("行政处罚决定书文号", "required")}


def test_extra_cells_are_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0], lines[1] + ",多出来的,两格"]) + "\n", encoding="utf-8-sig")
    source = find_sources(tmp_path, CATALOGUE)[0]
    raw = next(read_rows(source, PENALTY))
    from site_builder.rules.validation import Validator

    assert ("", "extra-cell") in problems(Validator(PENALTY).validate(raw))


def test_duplicate_ids_across_files_name_the_first(tmp_path: Path) -> None:
    from site_builder.rules.validation import Validator

    write_csv(tmp_path / "admin_penalty" / "a.csv", "admin_penalty", [row("admin_penalty", record_id="AP-7")])
    write_csv(tmp_path / "admin_penalty" / "b.csv", "admin_penalty", [row("admin_penalty", record_id="AP-7")])
    validator = Validator(PENALTY)
    results = [validator.validate(raw) for s in find_sources(tmp_path, CATALOGUE) for raw in read_rows(s, PENALTY)]
    assert isinstance(results[0], Record)
    assert isinstance(results[1], Quarantined)
    assert results[1].problems[0].type == "duplicate-id"
    assert "admin_penalty/a.csv第2行" in results[1].problems[0].message


def test_bom_is_not_part_of_the_first_heading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")], encoding="utf-8")
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    rows, sources = rows_of(tmp_path)
    assert rows[0]["record_id"] == "AD-1"
    assert not sources[0].warnings


# --- Other shapes of national-format exports ---------------------------------------------------------


def test_title_rows_above_the_heading_are_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")])
    path.write_text("行政处罚信息公示表,,\n导出时间：2026-11-24,,\n" + path.read_text(encoding="utf-8-sig"), encoding="utf-8-sig")
    source = find_sources(tmp_path, CATALOGUE)[0]
    report = FileReport(source)
    raws = list(read_rows(source, PENALTY, report))
    assert [r.row for r in raws] == [4]
    assert raws[0].values["decision_no"] == "杭市监罚〔2025〕1号"
    assert "表头在第3行，前2行已跳过" in report.warnings
    assert source == SourceFile("admin_penalty", tmp_path / "admin_penalty.csv", "admin_penalty.csv")  # reading changed nothing


def test_file_without_a_recognisable_heading_cannot_be_read(tmp_path: Path) -> None:
    lines = ["甲,乙,丙"] + [f"{n},{n},{n}" for n in range(15)]
    (tmp_path / "admin_penalty.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = find_sources(tmp_path, CATALOGUE)[0]
    with pytest.raises(InputError, match="admin_penalty.csv': no heading row naming at least two columns"):
        list(read_rows(source, PENALTY))


@pytest.mark.parametrize("name", ["xzcf.csv", "行政处罚信息.csv", "双公示行政处罚/part1.csv"])
def test_other_file_names_of_an_item(tmp_path: Path, name: str) -> None:
    write_csv(tmp_path / name, "admin_penalty", [row("admin_penalty")])
    assert [s.item for s in find_sources(tmp_path, CATALOGUE)] == ["admin_penalty"]


def test_unsupported_format_is_refused_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "admin_penalty.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"admin_penalty.xls.*\.csv or \.xlsx"):
        find_sources(tmp_path, CATALOGUE)


@pytest.mark.parametrize(("field", "text", "code"), [
    ("publish_status", "审核通过", "approved"), ("publish_status", "审核中", "pending"),
    ("subject_category", "法人", "legal_person"), ("objection_status", "无异议", "none"),
    ("severity", "严重失信", "serious"), ("procedure", "简易", "summary"),
])
def test_synonyms_seen_in_exports(field: str, text: str, code: str) -> None:
    result = validate("admin_penalty", **{field: text})
    assert isinstance(result, Record) and result.values[field] == code


@pytest.mark.parametrize("text", ["NULL", "null", "None"])
def test_null_spellings_are_empty(text: str) -> None:
    result = validate("admin_penalty", remarks=text, disclosure_deadline=text)
    assert isinstance(result, Record) and result.values["remarks"] is None
    assert ("行政处罚决定书文号", "required") in problems(validate("admin_penalty", decision_no=text))


def test_very_long_cells_are_read(tmp_path: Path) -> None:
    facts = "经查，" + "当事人销售过期食品。" * 20000  # 200,000 characters, over the csv module's default limit
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", violation_facts=facts)])
    rows, _ = rows_of(tmp_path)
    assert rows[0]["violation_facts"] == facts


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"subject_category": "个体户"}, "subject_category", "individual_business"),
    (person(subject_category="个人"), "subject_category", "natural_person"),
])
def test_subject_category_spellings(values: dict[str, str], field: str, code: str) -> None:
    result = validate("admin_penalty", **values)
    assert isinstance(result, Record) and result.values[field] == code


def test_operator_column_of_an_individual_business(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", legal_rep="王五")])
    path.write_text(path.read_text(encoding="utf-8-sig").replace("法定代表人", "经营者", 1), encoding="utf-8-sig")
    rows, sources = rows_of(tmp_path)
    assert rows[0]["legal_rep"] == "王五" and not sources[0].warnings


@pytest.mark.parametrize("placeholder", ["-", "—", "/", "无", "空", "N/A", "（无）"])
def test_a_placeholder_in_a_code_column_is_an_empty_cell(placeholder: str) -> None:
    """A natural person has no 统一社会信用代码: written ``-`` it is no 1-character code; a legal person's is missing."""
    person_record = validate("admin_penalty", **person(uscc=placeholder, business_reg_no=placeholder,
                                                       authority_uscc=placeholder))
    assert isinstance(person_record, Record), person_record
    assert person_record.values["uscc"] is None and person_record.values["business_reg_no"] is None
    company = validate("admin_penalty", uscc=placeholder)
    assert isinstance(company, Quarantined)
    assert [(p.column, p.type) for p in company.problems] == [("统一社会信用代码", "required")]
