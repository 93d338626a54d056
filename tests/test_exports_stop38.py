"""Exports as real platforms write them, which a tester found published wrongly or damaged (stop 38).

Workbooks with Excel's escapes and computed numbers, two-level headings, codes kept as text the spreadsheet way,
numbers Excel has turned into dates or scientific notation, an ID number typed as a 统一社会信用代码, and placeholder
ID numbers, which stopped every build.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import CATALOGUE, build_site, make_resident_id, make_uscc, row, write_csv
from test_xlsx import FIELDS, PENALTY, TITLES, penalty, quarantine, read, workbook

from site_builder.rules.identifiers import reads_as_resident_id, uscc_problem
from site_builder.rules.privacy import Secrets, placeholder
from site_builder.rules.validation import Quarantined, Record, Validator, parse_cell
from site_builder.sources import loading, xlsx
from site_builder.sources.headings import second_heading

AS_OF = date(2026, 11, 24)


def cell(letter: str, value: str) -> tuple[str, str]:
    """A patch replacing the cell at ``letter``2 with an inline string ``value`` (raw XML text)."""
    return letter, value


def inline(cells: dict[str, str], first: int = 2):  # type: ignore[no-untyped-def]
    """A sheet patch writing inline strings, raw (Excel's ``_xHHHH_`` escapes as they are in the file)."""
    def patch(text: str) -> str:
        for ref, value in cells.items():
            text = re.sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>', text)
        return text
    return patch


# --- Excel's escapes: _x000D_ ------------------------------------------------------------------------------------


def test_a_heading_with_excels_escaped_line_break_is_read_and_decides(tmp_path: Path) -> None:
    """``处罚_x000D_\\n类别`` (a line break typed in the heading cell, as Excel and POI store it) was an unknown
    heading: the 处罚类别 column was ignored and a warning alone was published."""
    fields = [*FIELDS, "penalty_type", "penalty_content"]
    titles: list[object] = [PENALTY.field(n).title for n in fields]
    data = row("admin_penalty", record_id="AP-W", decision_date="2026-06-01", penalty_type="警告",
               penalty_content="责令改正违法行为")
    records = tmp_path / "records"
    letter = openpyxl.utils.get_column_letter(fields.index("penalty_type") + 1)
    workbook(records / "admin_penalty.xlsx", [titles, [data.get(n, "") for n in fields]],
             inline({f"{letter}1": "处罚_x000D_\n类别"}))
    raws, reports = read(records)
    assert raws[0].values["penalty_type"] == "警告"
    assert not any("处罚" in w and "未知列" in w for w in reports[0].warnings)
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.published["admin_penalty"] == 0
    assert result.counts.excluded["admin_penalty"] == {"slight_dishonesty": 1}


@pytest.mark.parametrize(("written", "read_as"), [
    ("第一行_x000D_\n第二行", "第一行\n第二行"),
    ("data_x2026_v1.xls", "data_x2026_v1.xls"),  # no control character: as typed (openpyxl read its _x005F_)
    ("字段_xD83D_为乱码", "字段_xD83D_为乱码"),
    ("编号_x005F_x000D_保留", "编号_x000D_保留"),  # _x005F_ is a literal underscore: what follows stays as written
    ("无转义_x", "无转义_x"),
])
def test_excels_escapes_in_cells_are_read_as_the_characters(tmp_path: Path, written: str, read_as: str) -> None:
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1")], inline({"L2": written}))
    [_, data] = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert data.cells[FIELDS.index("violation_facts")].replace("\r", "") == read_as


# --- Numbers Excel computed, dates Excel made -------------------------------------------------------------------


def test_a_computed_amount_is_read_as_excel_shows_it(tmp_path: Path) -> None:
    """``=17.2*3`` is saved as ``51.599999999999994``: that was published as the fine."""
    fields = [*FIELDS, "fine_amount"]
    titles: list[object] = [PENALTY.field(n).title for n in fields]
    data = row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")
    path = workbook(tmp_path / "admin_penalty.xlsx", [titles, [*(data.get(n, "") for n in FIELDS), 51.599999999999994],
                                                      [*(data.get(n, "") for n in FIELDS[:-1]), "x", 0.1 + 0.2]])
    rows = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert [r.cells[-1] for r in rows[1:]] == ["51.6", "0.3"]
    assert xlsx.cell_text(12345.0) == "12345" and xlsx.cell_text(2.5) == "2.5"


def test_a_formula_whose_result_is_empty_text_is_an_empty_cell(tmp_path: Path) -> None:
    """``=IF(…,"",…)``: Excel writes ``<v></v>`` with ``t="str"``; it was quarantined as a formula without a result,
    which saving again cannot fix."""
    def empty(text: str) -> str:
        return re.sub(r'<c r="L2"[^>]*?(?:/>|>.*?</c>)', '<c r="L2" t="str"><f>IF(1=1,"","x")</f><v></v></c>', text)
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1")], empty)
    [_, data] = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert data.cells[:FIELDS.index("violation_facts")] == [str(v) for v in penalty("AP-1")[:-1]]
    assert data.cells[FIELDS.index("violation_facts"):] == [] and data.defects == ()  # an empty cell, as the last


@pytest.mark.parametrize("field", ["decision_no", "record_id"])
def test_a_date_in_a_column_of_numbers_lost_the_number(tmp_path: Path, field: str) -> None:
    """Excel turns a 文号 typed ``3-5`` into the date 2026-03-05: it was published as the decision number."""
    records = tmp_path / "records"
    dated = penalty(date(2026, 3, 5)) if field == "record_id" else penalty("AP-2", **{field: date(2026, 3, 5)})
    workbook(records / "admin_penalty.xlsx", [TITLES, penalty("AP-1"), dated])
    result = build_site(tmp_path, records, AS_OF)
    [entry] = quarantine(result.audit)
    assert (entry["row"], entry["column"], entry["error"]) == ("3", PENALTY.field(field).title, "stored-as-date")
    assert "2026-03-05" in entry["message"] and "文本" in entry["message"]
    assert result.counts.published["admin_penalty"] == 1


def test_a_date_cell_out_of_excels_range_says_so_without_a_stray_warning(tmp_path: Path) -> None:
    """``20270105`` formatted as a date: openpyxl reads #VALUE! and warns on stderr naming no file."""
    def out_of_range(text: str) -> str:
        return re.sub(r'<c r="H2"[^>]*?(?:/>|>.*?</c>)', '<c r="H2" s="1"><v>20270105</v></c>', text)
    book_rows: list[list[object]] = [TITLES, penalty("AP-1", decision_date=date(2026, 6, 1))]
    path = workbook(tmp_path / "admin_penalty.xlsx", book_rows, out_of_range)
    [_, data] = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    [(column, slug, message)] = data.defects
    assert (column, slug) == ("处罚决定日期", "cell-error") and "日期格式" in message
    # pytest keeps no warning filter a module sets while tests are collected: a process of its own reads as a build does
    code = ("from site_builder.sources import loading, xlsx; "
            f"list(xlsx.read_workbook(open({str(path)!r}, 'rb').read(), __import__('conftest').CATALOGUE['admin_penalty'], "
            "loading.MAX_CELL)[0].rows)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent)
    assert "marked as a date" not in done.stderr and done.stderr == ""


# --- CSV: scientific notation, codes kept as text ------------------------------------------------------------------


@pytest.mark.parametrize(("item", "field", "written"), [
    ("admin_license", "license_no", "3.30212E+14"),
    ("admin_penalty", "decision_no", "1.23457E+11"),
    ("admin_penalty", "license_revoked", "3.30212e+14"),
    ("admin_penalty", "record_id", "2.02603E+17"),
    ("judgment", "case_no", "1.2E+11"),
])
def test_a_number_in_scientific_notation_lost_its_digits(item: str, field: str, written: str) -> None:
    """A CSV saved from Excel holds ``3.30212E+14`` for a 许可编号: it was published as written."""
    spec = CATALOGUE[item].field(field)
    value, problem = parse_cell(spec, written)
    assert value is None and problem is not None and problem[0] == "stored-as-number"


@pytest.mark.parametrize(("field", "written"), [
    ("decision_no", "宁税罚〔2025〕170号"), ("decision_no", "2025-170"), ("license_revoked", "营业执照 330212000012345"),
    ("record_id", "AP-000030"), ("record_id", "12345"), ("violation_facts", "1E5"), ("record_id", "1E5"),
    ("record_id", "2E10"), ("record_id", "8e3"), ("license_revoked", "4E1"), ("decision_no", "1.5E+05"),
])
def test_numbers_and_words_that_are_no_scientific_notation_are_read(field: str, written: str) -> None:
    assert parse_cell(PENALTY.field(field), written) == (written, None)


@pytest.mark.parametrize(("field", "written", "read_as"), [
    ("uscc", "'91330212R2F6XT4CXG", "91330212R2F6XT4CXG"),
    ("uscc", '="91330212R2F6XT4CXG"', "91330212R2F6XT4CXG"),
    ("id_no", "'330102198006160138", "330102198006160138"),
    ("id_no", '="330102198006160146"', "330102198006160146"),
    ("id_no", "＇330102198006160170", "330102198006160170"),
    ("id_no", "330102-19800616-0021", "330102198006160021"),
    ("business_reg_no", "'330212000012345", "330212000012345"),
])
def test_a_code_kept_as_text_the_spreadsheet_way_is_read(field: str, written: str, read_as: str) -> None:
    """Chinese platforms' exports write ``="330212…"`` or ``'330212…`` so that Excel keeps the digits; it was refused
    as 21 or 19 characters long, withholding an adult's penalty."""
    assert parse_cell(PENALTY.field(field), written) == (read_as, None)


def test_a_code_stored_as_a_number_gets_one_problem_not_a_second_about_a_missing_number() -> None:
    person = row("admin_penalty", record_id="AP-9", decision_date="2026-06-01", subject_category="自然人",
                 subject_name="王小二", uscc="", id_type="身份证", id_no="330102198006160218.0")
    from site_builder.sources.loading import RawRow
    checked = Validator(PENALTY).validate(RawRow("admin_penalty", "a.csv", 2, person))
    assert isinstance(checked, Quarantined)
    assert [(p.column, p.type) for p in checked.problems] == [("证件号码", "stored-as-number")]


# --- An ID number typed as a 统一社会信用代码 -------------------------------------------------------------------------


def _resident_id_passing_the_code_check() -> str:
    for sequence in range(1000):
        number = make_resident_id("330102", "19900307", f"{sequence:03d}")
        if number[-1] == make_uscc(number[:17])[-1]:
            assert uscc_problem(number) is None and reads_as_resident_id(number)
            return number
    raise AssertionError("none found")


@pytest.mark.parametrize(("category", "same_as_rep"), [("个体工商户", False), ("自然人", False), ("法人及非法人组织", True)])
def test_an_id_number_in_the_code_column_is_not_published_as_a_code(tmp_path: Path, category: str,
                                                                    same_as_rep: bool) -> None:
    """One resident ID number in 31 passes the code's check character: typed into an 个体工商户's 统一社会信用代码, it was
    published as the subject's code, in its page's address, the sitemap and the search index; the same as the legal
    representative's number, it stopped every build as a leak."""
    number = _resident_id_passing_the_code_check()
    records = tmp_path / "records"
    person = {"subject_name": "王小二", "id_type": "身份证", "id_no": number} if category == "自然人" else {}
    rep = {"legal_rep_id_no": number} if same_as_rep else {}
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", subject_category=category, uscc=number,
            **person, **rep)])
    result = build_site(tmp_path, records, AS_OF)
    assert [(q["record_id"], q["error"]) for q in quarantine(result.audit)] == [("AP-2", "uscc")]
    assert not any(number in p.name for p in result.output.rglob("*"))
    assert result.counts.published["admin_penalty"] == 1


def test_an_organisations_code_that_reads_as_an_id_number_is_published(tmp_path: Path) -> None:
    """A few real codes of 机关, 事业单位 and 社会组织 read as ID numbers in every part: an organisation's is published."""
    number = _resident_id_passing_the_code_check()
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", uscc=number)])
    assert build_site(tmp_path, records, AS_OF).counts.published["admin_penalty"] == 1


def test_real_codes_hardly_ever_read_as_id_numbers() -> None:
    """Codes of every registering department and type over real regions: enterprises' never read as ID numbers."""
    import random
    chance = random.Random(38)
    for _ in range(20_000):
        body = (chance.choice(["91", "92", "93"]) + chance.choice(["330102", "110101", "131102", "520102", "510104"])
                + "".join(chance.choice("0123456789") for _ in range(9)))
        assert uscc_problem(make_uscc(body)) is None and not reads_as_resident_id(make_uscc(body))


# --- Placeholder ID numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("000000000000000000", True), ("123456789", True), ("01234567", True), ("987654321", True), ("〇〇〇〇〇〇", True),
    ("330102198006160138", False), ("E55512345", False), ("12345679", False),
])
def test_placeholders_are_told_from_numbers(value: str, expected: bool) -> None:
    assert placeholder(value) is expected


def test_a_placeholder_id_number_does_not_stop_every_build(tmp_path: Path) -> None:
    """18 zeros in one row's 法定代表人证件号码 were looked for in Pagefind's code and the style sheets: the build refused
    the site, so that records past their period stayed online."""
    records = tmp_path / "records"
    rows = [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep_id_no="000000000000000000"),
            row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", legal_rep_id_no="123456789"),
            row("admin_penalty", record_id="AP-3", decision_date="2026-06-01",
                legal_rep_id_no=make_resident_id("330102", "19700101", "011"))]
    write_csv(records / "admin_penalty.csv", "admin_penalty", rows)
    result = build_site(tmp_path, records, AS_OF, search=True)
    assert result.counts.published["admin_penalty"] == 3
    secrets = Secrets()
    secrets.add("000000000000000000")
    secrets.add(make_resident_id("330102", "19700101", "011"))
    assert secrets.find("#000000000000000000") == [] and secrets.codes == {make_resident_id("330102", "19700101", "011")}


# --- Two-level headings -----------------------------------------------------------------------------------------


def _two_level(path: Path, groups: list[tuple[str, list[tuple[str, str]]]], data: list[dict[str, str]]) -> None:
    """A workbook whose heading has a second level: ``groups`` are labels, each with its ``(title, field)`` below."""
    fields = ["record_id", "publish_status", "disclosure_level", "subject_name", "subject_category", "uscc",
              "decision_no", "decision_date", "authority", "severity", "procedure"]
    first: list[object] = [PENALTY.field(n).title for n in fields]
    second: list[object] = [None] * len(fields)
    columns = list(fields)
    for label, titles in groups:
        first += [label] + [None] * (len(titles) - 1)
        second += [title for title, _ in titles]
        columns += [name for _, name in titles]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(first)
    sheet.append(second)
    for values in data:
        sheet.append([values.get(c, "") for c in columns])
    start = len(fields) + 1
    for _label, titles in groups:
        sheet.merge_cells(start_row=1, end_row=1, start_column=start, end_column=start + len(titles) - 1)
        start += len(titles)
    for column in range(1, len(fields) + 1):
        sheet.merge_cells(start_row=1, end_row=2, start_column=column, end_column=column)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def test_a_second_heading_row_under_a_neutral_label_is_read(tmp_path: Path) -> None:
    """异议状态 and 信用修复日期 under a label ``其他``: the second heading row was quarantined as a data row and the
    two columns ignored, so a penalty under objection and a repaired one were published."""
    records = tmp_path / "records"
    base = {"decision_date": "2026-06-01"}
    _two_level(records / "admin_penalty.xlsx", [("其他", [("异议状态", "objection_status"), ("信用修复日期", "repair_date")])], [
        row("admin_penalty", record_id="AP-1", objection_status="处理中", **base),
        row("admin_penalty", record_id="AP-2", repair_date="2026-11-01", **base),
        row("admin_penalty", record_id="AP-3", objection_status="无", **base)])
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.published["admin_penalty"] == 1
    assert result.counts.excluded["admin_penalty"] == {"objection_pending": 1, "repaired": 1}
    assert quarantine(result.audit) == []


def test_a_second_heading_under_the_legal_representative_names_their_fields(tmp_path: Path) -> None:
    """证件号码 under 法定代表人 is the representative's (withheld), never the subject's (shown masked)."""
    records = tmp_path / "records"
    rep_id = make_resident_id("330212", "19600530", "114")
    group = ("法定代表人", [("姓名", "legal_rep"), ("证件类型", "legal_rep_id_type"), ("证件号码", "legal_rep_id_no")])
    _two_level(records / "admin_penalty.xlsx", [group], [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep="高华秀", legal_rep_id_type="身份证",
            legal_rep_id_no=rep_id)])
    raws, reports = read(records)
    assert raws[0].values["legal_rep_id_no"] == rep_id and "id_no" not in raws[0].values
    assert any("两层表头" in w for w in reports[0].warnings)
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.published["admin_penalty"] == 1
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in result.output.rglob("*.html"))
    assert rep_id not in text and rep_id[-4:] not in text


def test_an_unknown_title_under_a_label_naming_someone_is_not_the_subjects(tmp_path: Path) -> None:
    index = PENALTY.header_index()
    heading = ["记录编号", "行政相对人名称", "法定代表人", ""]
    assert second_heading(PENALTY, heading, ["", "", "姓名", "证件种类"]) is None or \
        index.get("证件种类") not in [index.get(c) for c in second_heading(PENALTY, heading, ["", "", "姓名", "证件种类"]) or []]


@pytest.mark.parametrize("cells", [
    ["AP-1", "公司", "高华秀", "身份证"],          # a data row: its record id
    ["", "", "", ""],                               # empty
    ["记录编号", "行政相对人名称", "法定代表人", ""],  # the heading again
])
def test_rows_that_are_no_second_heading(cells: list[str]) -> None:
    assert second_heading(PENALTY, ["记录编号", "行政相对人名称", "法定代表人", ""], cells) is None


def test_a_csv_with_a_two_level_heading_is_read(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    data = row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")
    fields = [f for f in data if f not in ("objection_status",)]
    first = [PENALTY.field(f).title for f in fields] + ["其他", ""]
    second = [""] * len(fields) + ["异议状态", "异议提出日期"]
    with (records / "admin_penalty.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows([first, second, [data[f] for f in fields] + ["处理中", "2026-11-01"]])
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.excluded["admin_penalty"] == {"objection_pending": 1}
    assert isinstance(Validator(PENALTY).validate(read(records)[0][0]), Record)


# --- Dates that cannot be ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "values", "column"), [
    ("admin_penalty", {"decision_date": "2026-06-10", "repair_date": "1900-01-01"}, "信用修复日期"),
    ("admin_penalty", {"decision_date": "2026-06-10", "repair_date": "2026-06-09"}, "信用修复日期"),
    ("dishonest_list", {"decision_date": "2026-06-01", "removal_date": "2024-06-01"}, "移出日期"),
    ("dishonest_list", {"decision_date": "2026-06-01", "repair_date": "1900-01-01"}, "信用修复日期"),
    ("judgment", {"decision_date": "2026-06-01", "repair_date": "1900-01-01"}, "信用修复日期"),
])
def test_a_repair_or_removal_before_the_decision_is_quarantined(tmp_path: Path, item: str, values: dict[str, str],
                                                               column: str) -> None:
    """A 信用修复日期 of 1900-01-01 (a database's default) or a 移出日期 with the year typed wrong withdrew the record
    for ever, as repaired or removed, without a word."""
    records = tmp_path / "records"
    write_csv(records / f"{item}.csv", item, [row(item, record_id="R-1", **values),
                                              row(item, record_id="R-2", **{**values, column == "移出日期" and
                                                                          "removal_date" or "repair_date": ""})])
    result = build_site(tmp_path, records, date(2026, 9, 11))
    [entry] = quarantine(result.audit)
    assert (entry["record_id"], entry["column"], entry["error"]) == ("R-1", column, "date-order")
    assert result.counts.published[item] == 1


@pytest.mark.parametrize(("item", "values"), [
    ("admin_penalty", {"decision_date": "2026-06-10", "repair_date": "2026-06-10"}),
    ("dishonest_list", {"decision_date": "2026-06-01", "removal_date": "2026-06-01"}),
])
def test_a_repair_or_removal_on_the_decision_day_is_read(item: str, values: dict[str, str]) -> None:
    from site_builder.sources.loading import RawRow
    assert isinstance(Validator(CATALOGUE[item]).validate(RawRow(item, "a.csv", 2, row(item, **values))), Record)


# --- explain: under the site's profile --------------------------------------------------------------------------


def test_explain_decides_a_day_without_a_build_under_the_sites_profile(tmp_path: Path) -> None:
    """A site built with ``--profile zhejiang``: for a day no build answers, explain decided under the configuration's
    profile (national), publishing a natural person whom Zhejiang never publishes, and named no profile."""
    from click.testing import CliRunner

    from site_builder.cli import main

    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row(
        "admin_penalty", record_id="AP-P", decision_date="2026-06-01", subject_category="自然人", subject_name="王小二",
        uscc="", id_type="身份证", id_no=make_resident_id("330102", "19800101", "011"))])
    build_site(tmp_path, records, AS_OF, profile="zhejiang")
    # A day before the first build (no site yet): the records decide, as a comparison
    args = ["explain", "AP-P", "--as-of", "2026-11-01", "--records", str(records), "--audit", str(tmp_path / "audit")]
    site = CliRunner().invoke(main, args)
    assert site.exit_code == 1, site.output
    assert "natural_person" in site.output and "'zhejiang'" in site.output
    national = CliRunner().invoke(main, [*args, "--profile", "national"])
    assert "): published" in national.output and "'national'" in national.output
    # A profile that does not exist is refused, also on a day a build answers (stop 39: it was ignored, exit 0).
    for day in ("2026-12-30", AS_OF.isoformat()):
        wrong = CliRunner().invoke(main, [*args[:3], day, *args[4:], "--profile", "nosuch"])
        assert wrong.exit_code == 2 and "nosuch" in wrong.output and "zhejiang" in wrong.output


# --- Clearer refusals and messages ------------------------------------------------------------------------------

HTML_EXPORT = '<html><head><meta charset="utf-8"></head><body><table><tr><td>记录编号</td></tr></table></body></html>'


@pytest.mark.parametrize("name", ["admin_penalty.xlsx", "admin_penalty.csv"])
def test_a_web_page_saved_as_an_export_is_refused_as_html(tmp_path: Path, name: str) -> None:
    """A web system's "export to Excel" writes an HTML table: under .xlsx it was called a CSV file ("rename it
    .csv"), and renamed .csv it had "no heading row"."""
    from site_builder.exceptions import InputError

    records = tmp_path / "records"
    records.mkdir()
    (records / name).write_text(HTML_EXPORT, encoding="utf-8")
    with pytest.raises(InputError, match="HTML page"):
        read(records)


@pytest.mark.parametrize(("written", "says"), [
    ("2026-02-29", "2026年2月没有29日"), ("2025-04-31", "2025年4月没有31日"), ("0000-00-00", "零日期"),
    ("0000-00-00 00:00:00", "零日期"),
])
def test_dates_that_do_not_exist_say_why(written: str, says: str) -> None:
    value, problem = parse_cell(PENALTY.field("decision_date"), written)
    assert value is None and problem is not None and problem[0] == "date" and says in problem[1]
    assert parse_cell(PENALTY.field("decision_date"), "2024-02-29") == (date(2024, 2, 29), None)


@pytest.mark.parametrize("where", ["record_id", "violation_facts"])
def test_a_total_row_is_skipped_with_a_warning_not_quarantined(tmp_path: Path, where: str) -> None:
    records = tmp_path / "records"
    total = penalty("") if where == "violation_facts" else penalty("合 计")
    total = [("" if i not in (0, FIELDS.index("violation_facts")) else v) for i, v in enumerate(total)]
    if where == "violation_facts":
        total[FIELDS.index("violation_facts")] = "总计"
    workbook(records / "admin_penalty.xlsx", [TITLES, penalty("AP-1"), total])
    raws, reports = read(records)
    assert [r.values["record_id"] for r in raws] == ["AP-1"] and reports[0].rows == 1
    assert any("第3行是合计行" in w for w in reports[0].warnings)


@pytest.mark.parametrize("label", ["法定代表人信息", "法人代表", "负责人"])
def test_identity_titles_under_a_label_that_names_no_one_are_not_the_subjects(tmp_path: Path, label: str) -> None:
    """证件类型 and 证件号码 under a label naming nothing (法定代表人信息, 法人代表): my first version read them as the
    subject's, publishing the representative's ID number, masked, as the company's 证件号码 (a harm tester's)."""
    records = tmp_path / "records"
    rep_id = make_resident_id("330212", "19600530", "114")
    group = (label, [("姓名", "legal_rep"), ("证件类型", "legal_rep_id_type"), ("证件号码", "legal_rep_id_no")])
    _two_level(records / "admin_penalty.xlsx", [group], [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep="高华秀", legal_rep_id_type="身份证",
            legal_rep_id_no=rep_id)])
    raws, _ = read(records)
    assert all("id_no" not in r.values and "id_type" not in r.values for r in raws)
    assert second_heading(PENALTY, ["记录编号", "行政相对人名称", label, "", ""], ["", "", "姓名", "证件类型", "证件号码"]) \
        in (None, ["记录编号", "行政相对人名称", f"{label}姓名", f"{label}证件类型", f"{label}证件号码"])


@pytest.mark.parametrize(("label", "subjects"), [("决定机关", False), ("实施机关", False), ("行政相对人代码", True),
                                                 ("当事人信息", True)])
def test_a_code_under_a_label_is_the_subjects_only_where_the_label_names_the_subject(label: str, subjects: bool) -> None:
    joined = second_heading(PENALTY, ["记录编号", "行政相对人名称", label, "其他", ""],
                            ["", "", "统一社会信用代码", "异议状态", "信用修复日期"])
    assert joined is not None
    index = PENALTY.header_index()
    assert (index.get(joined[2]) == "uscc") is subjects
    assert [index.get(c) for c in joined[3:]] == ["objection_status", "repair_date"]


def test_a_string_formula_without_a_result_in_a_deciding_column_is_not_read_as_empty(tmp_path: Path) -> None:
    """``<c t="str"><f>IF(TRUE,"处理中","无")</f></c>``, never calculated, reads in openpyxl as an empty result: in
    异议状态 my first version read it as empty and published a penalty under objection (a harm tester's)."""
    fields = [*FIELDS, "objection_status"]
    titles: list[object] = [PENALTY.field(n).title for n in fields]
    data = row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")
    letter = openpyxl.utils.get_column_letter(len(fields))

    def never_calculated(text: str) -> str:
        return re.sub(rf'<c r="{letter}2"[^>]*?(?:/>|>.*?</c>)',
                      f'<c r="{letter}2" t="str"><f>IF(TRUE,"处理中","无")</f></c>', text)
    path = workbook(tmp_path / "admin_penalty.xlsx", [titles, [*(data.get(n, "") for n in FIELDS), "placeholder"]],
                    never_calculated)
    [_, got] = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert [(d[0], d[1]) for d in got.defects] == [("异议状态", "formula-without-value")]


# --- A column stating a list entry's, an honour's or a judgment's state ----------------------------------------


@pytest.mark.parametrize(("item", "heading", "withheld", "kept"), [
    ("dishonest_list", "名单状态", ["已移出", "已屏蔽", "移出名单", "已解除"], ["正常", "有效", "在列", "已推送"]),
    ("dishonest_list", "当前状态", ["已移出", "失效"], ["正常"]),
    ("commendation", "荣誉状态", ["已撤销", "被撤销荣誉", "已取消"], ["有效", "正常"]),
    ("judgment", "当前状态", ["已撤销", "被撤销"], ["生效", "已生效", "未撤销", "撤销判决", "撤回", "已撤回"]),
])
def test_a_state_column_of_an_item_without_one_withholds_what_it_says_is_gone(
        tmp_path: Path, item: str, heading: str, withheld: list[str], kept: list[str]) -> None:
    """A list entry whose 名单状态 said 已移出 or 已屏蔽, an honour whose 荣誉状态 said 已撤销, were published as if the
    column said nothing: these items have no field for the record's state, so the column was only warned about."""
    records = tmp_path / "records"
    records.mkdir()
    values = [*withheld, *kept]
    rows = [row(item, record_id=f"R-{i}", **({"decision_date": "2025-06-01"} if item != "subject" else {}))
            for i in range(len(values))]
    write_csv(records / f"{item}.csv", item, rows)
    path = records / f"{item}.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines = [f"{lines[0]},{heading}", *(f"{line},{value}" for line, value in zip(lines[1:], values, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == [f"R-{i}" for i in range(len(withheld))]
    assert {q["error"] for q in quarantine(result.audit)} == {"unmapped-column"}
    assert result.counts.published[item] == len(kept)


def test_a_subjects_or_a_licences_state_column_is_not_read_as_the_records() -> None:
    """A subject's or a licence's own state (状态, 许可状态, 登记状态) is shown, not read as the record's. Since stop 42
    its 数据状态 (the data record's own state: 已删除, 作废) is read, its words only."""
    from site_builder.sources.mapping import RECORD_STATE, stated_columns

    for item in ("subject", "admin_license"):
        for heading in ("状态", "许可状态", "登记状态"):
            assert stated_columns(CATALOGUE[item], ["记录编号", heading], {0: "record_id"}) == [], (item, heading)
        assert stated_columns(CATALOGUE[item], ["记录编号", "数据状态"], {0: "record_id"}) == [(1, "数据状态", RECORD_STATE)]


@pytest.mark.parametrize(("item", "heading", "field"), [("dishonest_list", "屏蔽日期", "removal_date")])
def test_a_list_entry_hidden_leaves_the_site_that_day(tmp_path: Path, item: str, heading: str,
                                                                         field: str) -> None:
    """A list entry with a 屏蔽日期: the column was unknown and the record published."""
    assert CATALOGUE[item].header_index()[heading] == field
    records = tmp_path / "records"
    write_csv(records / f"{item}.csv", item, [row(item, record_id="R-1", decision_date="2025-06-01", **{field: "2026-11-24"}),
                                              row(item, record_id="R-2", decision_date="2025-06-01", **{field: "2026-11-25"})])
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.excluded[item] == {"removed": 1} and result.counts.published[item] == 1


@pytest.mark.parametrize(("heading", "value"), [("社会组织状态", "已撤销"), ("证照状态", "撤销"), ("履行状态", "已解除"),
                                                ("限制消费状态", "解除")])
def test_another_things_state_in_a_list_file_is_not_the_entrys(tmp_path: Path, heading: str, value: str) -> None:
    """A harm tester's: in my first version every …状态 column of a list file was read as the entry's own, so a social
    organisation listed because its registration was revoked (社会组织状态 已撤销) was quarantined."""
    records = tmp_path / "records"
    write_csv(records / "dishonest_list.csv", "dishonest_list", [row("dishonest_list", decision_date="2025-06-01")])
    path = records / "dishonest_list.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text(f"{lines[0]},{heading}\n{lines[1]},{value}\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.published["dishonest_list"] == 1 and not result.counts.quarantined


def test_a_list_entry_said_removed_with_its_removal_date_is_removed_not_quarantined(tmp_path: Path) -> None:
    """A harm tester's: 名单状态 已移出 beside a past 移出日期 was quarantined; the date decides."""
    records = tmp_path / "records"
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="L-1", decision_date="2025-06-01", removal_date="2026-01-01"),
        row("dishonest_list", record_id="L-2", decision_date="2025-06-01")])
    path = records / "dishonest_list.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text(f"{lines[0]},名单状态\n{lines[1]},已移出\n{lines[2]},已移出\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.excluded["dishonest_list"] == {"removed": 1}
    assert [q["record_id"] for q in quarantine(result.audit)] == ["L-2"]


@pytest.mark.parametrize("label", ["被执行人", "被告", "被许可人", "获奖单位", "证照信息"])
def test_subject_titles_under_a_label_naming_no_one_else_are_the_subjects(label: str) -> None:
    """A harm tester's: my second version read the subject's titles only under labels on a list of the subject's words,
    so files with 被执行人 or 获奖单位 over 统一社会信用代码 were quarantined whole."""
    joined = second_heading(PENALTY, ["记录编号", label, "", ""], ["", "行政相对人名称", "统一社会信用代码", "行政相对人类别"])
    assert joined is not None
    assert [PENALTY.header_index().get(c) for c in joined[1:]] == ["subject_name", "uscc", "subject_category"]
