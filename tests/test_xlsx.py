"""Excel workbooks that would exhaust the machine or publish wrong values (issue 8, item 7).

Workbooks are made with openpyxl, then their worksheet XML is patched where a real export differs
from what openpyxl writes (a declared dimension, empty rows, a formula with a cached result).
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import CATALOGUE, build_site, make_resident_id, make_uscc, row

from site_builder.exceptions import InputError
from site_builder.rules.validation import Quarantined, Validator
from site_builder.sources import loading, xlsx
from site_builder.sources.loading import RawRow, find_sources, read_rows

AS_OF = date(2026, 11, 24)
PENALTY = CATALOGUE["admin_penalty"]
FIELDS = ["record_id", "publish_status", "disclosure_level", "subject_name", "subject_category", "uscc",
          "decision_no", "decision_date", "authority", "severity", "procedure", "violation_facts"]
TITLES: list[object] = [PENALTY.field(n).title for n in FIELDS]


def penalty(record_id: object, **values: object) -> list[object]:
    """A published-by-default admin_penalty row in ``FIELDS`` order (values may be numbers or formulas)."""
    data: dict[str, object] = {**row("admin_penalty", decision_date="2026-06-01", violation_facts=f"事实{record_id}")}
    data |= {"record_id": record_id, **values}
    return [data.get(n, "") for n in FIELDS]


def workbook(path: Path, rows: list[list[object]], patch: Callable[[str], str] | None = None) -> Path:
    """Write ``rows`` (heading first) to a one-sheet workbook; ``patch`` rewrites the sheet's XML."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "处罚"
    for values in rows:
        sheet.append(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    if patch:
        part = "xl/worksheets/sheet1.xml"
        with zipfile.ZipFile(path) as zin:
            members = {info.filename: zin.read(info) for info in zin.infolist()}
        members[part] = patch(members[part].decode("utf-8")).encode("utf-8")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for member, data in members.items():
                zout.writestr(member, data)
    return path


def read(records: Path) -> tuple[list[RawRow], list[loading.FileReport]]:
    reports = [loading.FileReport(s) for s in find_sources(records, CATALOGUE)]
    return [raw for r in reports for raw in read_rows(r.source, CATALOGUE[r.item], r)], reports


def quarantine(audit: Path) -> list[dict[str, str]]:
    with (audit / "quarantine.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def site_text(output: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in output.rglob("*") if p.is_file())


# --- The declared dimension and empty rows cost nothing ----------------------------------------------


def declare(ref: str) -> Callable[[str], str]:
    def patch(text: str) -> str:
        return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', text)
    return patch


def test_a_declared_dimension_of_the_whole_sheet_is_ignored(tmp_path: Path) -> None:
    """Bug: openpyxl pads every row to column XFD and the sheet to row 1,048,576 (half an hour, 17 billion cells)."""
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1"), penalty("AP-2")], declare("A1:XFD1048576"))
    with zipfile.ZipFile(path) as z:
        assert '<dimension ref="A1:XFD1048576"/>' in z.read("xl/worksheets/sheet1.xml").decode()

    sheets = xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)
    rows = list(sheets[0].rows)
    assert [(r.number, len(r.cells)) for r in rows] == [(1, len(FIELDS)), (2, len(FIELDS)), (3, len(FIELDS))]
    assert sheets[0].warnings == []

    raws, sources = read(tmp_path)
    assert [(r.row, r.values["record_id"], r.values["violation_facts"], r.defects) for r in raws] == [
        (2, "AP-1", "事实AP-1", ()), (3, "AP-2", "事实AP-2", ())]
    assert sources[0].rows == 2


def empty_rows(first: int, count: int, then: str = "") -> Callable[[str], str]:
    """Physical empty rows ``first``…``first+count-1`` (styled, as left by formatting a whole range), then ``then``."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/><c r="B{n}" s="0"/></row>' for n in range(first, first + count))

    def patch(text: str) -> str:
        return text.replace("</sheetData>", rows + then + "</sheetData>")
    return patch


def test_trailing_empty_rows_end_the_sheet_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "EMPTY_RUN", 50)
    stray = '<row r="60"><c r="A60" t="inlineStr"><is><t>AP-LATE</t></is></c></row>'
    workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1")], empty_rows(3, 55, stray))
    raws, sources = read(tmp_path)
    assert [r.values["record_id"] for r in raws] == ["AP-1"]
    assert sources[0].warnings == ["工作表“处罚”第3行起连续50行为空，视为表格结束，其后的行未读取"]


def test_empty_rows_inside_the_data_and_trailing_empty_cells_are_not_rows(tmp_path: Path) -> None:
    stray = ('<row r="40"><c r="A40" t="inlineStr"><is><t>AP-40</t></is></c>'
             '<c r="XFD40" t="inlineStr"><is><t></t></is></c></row>')
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1")], empty_rows(3, 30, stray))
    rows = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert [(r.number, r.cells[:1]) for r in rows if r.cells] == [(1, [TITLES[0]]), (2, ["AP-1"]), (40, ["AP-40"])]
    assert len(rows[-1].cells) == 1  # the empty cell in column XFD is trimmed, not padded to 16,384
    raws, _ = read(tmp_path)
    assert [(r.row, r.values["record_id"]) for r in raws] == [(2, "AP-1"), (40, "AP-40")]


# --- Cells that must not be read as they are --------------------------------------------------------


def test_a_cell_over_the_size_limit_quarantines_its_row_and_the_build_goes_on(tmp_path: Path) -> None:
    """Bug: a 100 KB workbook with one 100 MB cell built a 300 MB site."""
    size = loading.MAX_CELL + 1

    def huge(text: str) -> str:  # openpyxl truncates what it writes to Excel's 32,767 characters; readers do not
        return re.sub(r'<c r="L3"[^>]*>.*?</c>', f'<c r="L3" t="inlineStr"><is><t>{"违" * size}</t></is></c>', text)

    records = tmp_path / "records"
    workbook(records / "admin_penalty.xlsx", [TITLES, penalty("AP-1"), penalty("AP-2")], huge)
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.published["admin_penalty"] == 1 and result.counts.quarantined["admin_penalty"] == 1
    facts = PENALTY.field("violation_facts").title
    assert [(q["row"], q["record_id"], q["column"], q["error"], q["message"]) for q in quarantine(result.audit)] == [
        ("3", "AP-2", facts, "cell-too-long",
         f"单元格 L3有{size}个字符，超过每个单元格{loading.MAX_CELL}个字符的上限，未读取")]
    assert sum(p.stat().st_size for p in result.output.rglob("*") if p.is_file()) < loading.MAX_CELL
    assert not (result.output / "record" / "admin_penalty" / "AP-2").exists()


def test_a_formula_without_a_cached_result_is_quarantined_saying_so(tmp_path: Path) -> None:
    """openpyxl (like many export scripts) writes formulas without results: data_only reads them as empty."""
    records = tmp_path / "records"
    workbook(records / "admin_penalty.xlsx", [TITLES, penalty("AP-1"), penalty("AP-2", violation_facts='=CONCAT("事实",A3)')])
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.published["admin_penalty"] == 1
    assert [(q["row"], q["record_id"], q["column"], q["error"], q["message"]) for q in quarantine(result.audit)] == [
        ("3", "AP-2", "违法事实", "formula-without-value",
         '单元格 L3是公式（=CONCAT("事实",A3)），文件中没有保存计算结果：请在 Excel 中打开后保存，或把公式复制粘贴为数值后重新导出')]


def test_a_formula_with_a_cached_result_reads_the_result(tmp_path: Path) -> None:
    def cached(text: str) -> str:
        return re.sub(r'<c r="L2"([^>]*)><f>[^<]*</f><v\s*/?>(</v>)?</c>|<c r="L2"([^>]*)><f>[^<]*</f></c>',
                      '<c r="L2" t="str"><f>CONCAT("事实",A2)</f><v>事实AP-1（公式结果）</v></c>', text)
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1", violation_facts='=CONCAT("事实",A2)')], cached)
    assert "事实AP-1（公式结果）" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    raws, _ = read(tmp_path)
    assert [(r.values["violation_facts"], r.defects) for r in raws] == [("事实AP-1（公式结果）", ())]


ID_NO = make_resident_id("330106", "19900307", "123")


@pytest.mark.parametrize(("values", "column", "letter", "shown"), [
    ({"id_no": float(ID_NO[:-1] + "0"), "subject_category": "自然人", "id_type": "身份证", "uscc": ""},
     "证件号码", None, f"{float(ID_NO[:-1] + '0'):.15G}"),
    ({"uscc": 913301001234567890}, "统一社会信用代码", "F", "9.13301001234568E+17"),
    ({"uscc": 3.30106199003071e17}, "统一社会信用代码", "F", "3.30106199003071E+17"),
])
def test_an_id_or_code_stored_as_a_number_is_quarantined_as_such(
    tmp_path: Path, values: dict[str, object], column: str, letter: str | None, shown: str
) -> None:
    """Bug: an 18-digit ID typed as a number (3.30106199003071E+17) was reported as a checksum error."""
    fields = FIELDS + [n for n in ("id_type", "id_no") if n in values]
    titles: list[object] = [PENALTY.field(n).title for n in fields]
    data: dict[str, object] = row("admin_penalty", record_id="AP-1", decision_date="2026-06-01") | values
    records = tmp_path / "records"
    workbook(records / "admin_penalty.xlsx", [titles, [data.get(n, "") for n in fields]])
    result = build_site(tmp_path, records, AS_OF)
    entries = quarantine(result.audit)
    where = letter or openpyxl.utils.get_column_letter(fields.index("id_no") + 1)
    kind = "代码或证件号码"
    assert [(q["row"], q["column"], q["error"]) for q in entries] == [("2", column, "stored-as-number")]
    assert entries[0]["message"] == (
        f"单元格 {where}2的{kind}以数字格式存储（{shown}）：Excel 数字只保留15位有效数字，会丢失位数和前导零，"
        "这一值已不可靠；请把该列设为文本格式，重新录入后导出")
    assert "校验" not in entries[0]["message"]
    assert result.counts.published["admin_penalty"] == 0


def test_a_long_number_in_any_column_lost_digits_but_short_numbers_are_read(tmp_path: Path) -> None:
    long_id = 3.30106199003071e17
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty(long_id), penalty(20250001, fine_amount=2.5)])
    rows = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert rows[1].cells[0] == "" and rows[1].defects == (
        ("记录编号", "stored-as-number", "单元格 A2的超过15位的数字以数字格式存储（3.30106199003071E+17）：Excel 数字只保留15位有效数字，"
                                       "会丢失位数和前导零，这一值已不可靠；请把该列设为文本格式，重新录入后导出"),)
    assert rows[2].cells[0] == "20250001" and rows[2].defects == ()


def test_an_error_value_is_not_data(tmp_path: Path) -> None:
    def error(text: str) -> str:
        return re.sub(r'<c r="L2"[^>]*>.*?</c>', '<c r="L2" t="e"><v>#N/A</v></c>', text)
    path = workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1")], error)
    rows = list(xlsx.read_workbook(path.read_bytes(), PENALTY, loading.MAX_CELL)[0].rows)
    assert rows[1].defects == (("违法事实", "cell-error", "单元格 L2是错误值 #N/A（公式计算失败），不是数据"),)


def test_a_damaged_worksheet_stops_with_the_file_name(tmp_path: Path) -> None:
    def damage(text: str) -> str:
        return text.replace("</sheetData>", "<row r=")
    workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1")], damage)
    with pytest.raises(InputError, match=r"admin_penalty\.xlsx.*处罚"):
        read(tmp_path)


def test_a_text_cell_with_a_code_is_read_as_text(tmp_path: Path) -> None:
    code = make_uscc("91330100MA27XL0A1")
    workbook(tmp_path / "admin_penalty.xlsx", [TITLES, penalty("AP-1", uscc=code)])
    raws, _ = read(tmp_path)
    assert raws[0].values["uscc"] == code and raws[0].defects == ()


def test_a_date_serial_number_is_told_in_the_workbooks_date_system(tmp_path: Path) -> None:
    """45351 formatted General is 2024-02-29 in Excel's default system but 2028-03-01 in a 1904 workbook."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    messages = {}
    for name, mac in (("win", False), ("mac", True)):
        book = openpyxl.Workbook()
        if mac:
            book.epoch = CALENDAR_MAC_1904
        sheet = book.active
        assert sheet is not None
        sheet.append(TITLES)
        sheet.append(penalty("AP-1", decision_date=45351))
        path = tmp_path / name / "admin_penalty.xlsx"
        path.parent.mkdir()
        book.save(path)
        [source] = find_sources(path.parent, CATALOGUE)
        [raw] = list(read_rows(source, PENALTY))
        checked = Validator(PENALTY).validate(raw)
        assert isinstance(checked, Quarantined)
        [problem] = checked.problems
        assert (problem.column, problem.type) == ("处罚决定日期", "date")
        messages[name] = problem.message
    assert "2024-02-29" in messages["win"] and "1904" not in messages["win"]
    assert "2028-03-01" in messages["mac"] and "1904日期系统" in messages["mac"]


def test_codes_in_a_column_of_descriptive_values_are_warned_about(tmp_path: Path) -> None:
    """A licence's 当前状态 written 1/0 (which code list?) is published as written, with a warning naming the column,
    the first row and the count."""
    license_item = CATALOGUE["admin_license"]
    fields = ["record_id", "publish_status", "disclosure_level", "subject_name", "subject_category", "uscc",
              "license_doc_no", "decision_date", "authority", "status"]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([license_item.field(n).title for n in fields])
    for n, status in enumerate([1, 0, "有效"]):
        data: dict[str, object] = {**row("admin_license", record_id=f"AL-{n}"), "status": status}
        sheet.append([data.get(f, "") for f in fields])
    path = tmp_path / "records" / "admin_license.xlsx"
    path.parent.mkdir()
    book.save(path)
    [source] = find_sources(path.parent, CATALOGUE)
    report = loading.FileReport(source)
    assert len(list(read_rows(source, license_item, report))) == 3
    assert [w for w in report.warnings if "当前状态" in w] == [
        "列“当前状态”（第10列）有2行的值是代码而不是取值（如第2行“1”）：代码表因平台而异，无法确定其含义，这些值将按原样公示；"
        "请在导出中写明取值（有效、无效）"]
