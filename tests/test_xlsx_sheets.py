"""Workbooks of several worksheets, and what a workbook's reader tells (an Excel tester's findings).

A worksheet is compared with the same worksheet of the live site's build as a file is with the same file; a
worksheet without a heading row that holds records refuses the workbook as a CSV file without one is refused;
Chinese Excel's built-in date formats are dates; messages name the worksheet, the cell, and what the file is.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import CATALOGUE, row, site_config
from test_sources_dirty import workbook

from site_builder.build import _check_columns_read, _live_reasons, build
from site_builder.exceptions import BuildError, InputError
from site_builder.sources.loading import HEADER_SEARCH, FileReport, RawRow, SourceFile, find_sources, read_rows

AS_OF = date(2026, 11, 24)
PENALTY = CATALOGUE["admin_penalty"]
FIELDS = ["record_id", "publish_status", "disclosure_level", "objection_status", "subject_name", "subject_category",
          "uscc", "decision_no", "decision_date", "disclosure_deadline", "authority", "severity", "procedure",
          "violation_facts"]


def penalty(record_id: str, **values: object) -> list[object]:
    data: dict[str, object] = {**row("admin_penalty", decision_date="2026-06-01", objection_status="无",
                                     violation_facts=f"事实{record_id}", decision_no=f"杭市监罚〔2026〕{record_id}号")}
    data |= {"record_id": record_id, **values}
    return [data.get(n, "") for n in FIELDS]


def titles(names: Sequence[str] = FIELDS) -> list[object]:
    return [PENALTY.field(n).title for n in names]


def without(values: list[object], name: str) -> list[object]:
    return [v for n, v in zip(FIELDS, values, strict=True) if n != name]


def save(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook(path, {title: [list(values) for values in rows] for title, rows in sheets.items()}).save(path)
    return path


def read(records: Path) -> tuple[list[RawRow], list[FileReport]]:
    reports = [FileReport(s) for s in find_sources(records, CATALOGUE)]
    return [raw for r in reports for raw in read_rows(r.source, CATALOGUE[r.item], r)], reports


# --- 1. A worksheet that lost a column deciding publication --------------------------------------------------


def test_a_worksheet_that_lost_the_objection_column_stops_the_build(tmp_path: Path) -> None:
    """Bug: a workbook's recorded fields were its first worksheet's only, so the 2026 sheet losing 异议状态 published
    the record whose objection was pending (two CSV files, the same data, were refused)."""
    records = tmp_path / "records"
    config = site_config(tmp_path, records, search=False)
    path = records / "admin_penalty.xlsx"
    s25 = [titles(), penalty("AP-01", decision_date="2026-01-05")]
    save(path, {"2025年": s25, "2026年": [titles(), penalty("AP-02", objection_status="处理中"), penalty("AP-03")]})
    first = build(config, AS_OF)
    assert first.counts.published["admin_penalty"] == 2
    manifest = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["inputs"]["records"][0]
    assert [(s["sheet"], s["rows"], "objection_status" in s["fields"]) for s in entry["sheets"]] == [
        ("2025年", 1, True), ("2026年", 2, True)]
    assert entry["fields"] == sorted(set(entry["sheets"][0]["fields"]) | set(entry["sheets"][1]["fields"]))

    lost = [without(r, "objection_status") for r in (titles(), penalty("AP-02", objection_status="处理中"), penalty("AP-03"))]
    save(path, {"2025年": s25, "2026年": lost})
    with pytest.raises(BuildError, match=r"lack column\(s\) 异议状态 \(worksheet '2026年' of admin_penalty.xlsx lacks "
                                         r"异议状态, .* --allow-missing admin_penalty.objection_status$"):
        build(config, AS_OF)
    allowed = build(config, AS_OF, allow_missing=frozenset({"admin_penalty.objection_status"}))
    assert allowed.counts.published["admin_penalty"] == 3  # as asked


def test_a_renamed_worksheet_that_lost_the_objection_column_stops_the_build(tmp_path: Path) -> None:
    """A harm tester's: the 2026 sheet renamed 2026年1-11月 and without 异议状态 was compared with no sheet (titles
    differ) and the workbook's union (2025年 still had the column): the pending objection was published."""
    records = tmp_path / "records"
    config = site_config(tmp_path, records, search=False)
    path = records / "admin_penalty.xlsx"
    s25 = [titles(), penalty("AP-01", decision_date="2026-01-05")]
    save(path, {"2026年": [titles(), penalty("AP-02", objection_status="处理中"), penalty("AP-03")], "2025年": s25})
    build(config, AS_OF)
    lost = [without(r, "objection_status") for r in (titles(), penalty("AP-02", objection_status="处理中"), penalty("AP-03"))]
    save(path, {"2026年1-11月": lost, "2025年": s25})
    with pytest.raises(BuildError, match=r"worksheet '2026年1-11月' of admin_penalty.xlsx lacks 异议状态"):
        build(config, AS_OF)


def test_a_summary_sheet_with_a_list_further_down_is_skipped(tmp_path: Path) -> None:
    """A harm tester's: a 汇总 sheet whose list of the largest cases (记录编号, 名称, 罚款金额, 日期) starts at row 15 was
    read as records; its ids repeated the data sheet's, and both were quarantined as duplicate-id."""
    listing = [["记录编号", "行政相对人名称", "罚款金额（万元）", "处罚决定日期"], ["AP-01", "某公司", "5", "2026-03-01"]]
    save(tmp_path / "admin_penalty.xlsx", {"数据": [titles(), penalty("AP-01")], "汇总": [*notes(14), *listing]})
    raws, reports = read(tmp_path)
    assert [r.values["record_id"] for r in raws] == ["AP-01"]
    assert any("工作表“汇总”" in w for w in reports[0].warnings)


@pytest.mark.parametrize("sheet", [
    [["公开", "已审核", "一般", "普通程序", "法人及非法人组织", "警告", "罚款"],
     ["授权查询", "待审核", "严重", "简易程序", "自然人", "", ""]],
    [["处罚机关", "件数", "罚款", "没收", "警告", "其他", "合计"], ["市场监管局", "12", "30", "1", "4", "0", "47"]],
])
def test_a_drop_down_list_or_statistics_sheet_is_skipped(tmp_path: Path, sheet: list[list[object]]) -> None:
    """A harm tester's: any row of 6 filled cells refused the workbook, and yesterday's site stayed."""
    save(tmp_path / "admin_penalty.xlsx", {"数据": [titles(), penalty("AP-01")], "字典": sheet})
    raws, _ = read(tmp_path)
    assert [r.values["record_id"] for r in raws] == ["AP-01"]


def test_a_manifest_without_worksheets_is_still_compared_by_file() -> None:
    """The live site's manifest written before worksheets were listed: compared by file, as it was, without error."""
    report = FileReport(SourceFile("admin_penalty", Path("admin_penalty.xlsx"), "admin_penalty.xlsx"))
    report.rows, report.columns = 2, {0: "record_id", 1: "decision_date"}
    live: dict[str, Any] = {"inputs": {"records": [{"item": "admin_penalty", "file": "admin_penalty.xlsx", "rows": 2,
                                    "fields": ["record_id", "decision_date", "objection_status"]}]},
            "counts": {"by_item": {"admin_penalty": {"excluded": {"objection_pending": 1}}}}}
    with pytest.raises(BuildError, match=r"this build's records \(admin_penalty.xlsx\) lack column\(s\) 异议状态 that"):
        _check_columns_read(live, _live_reasons(live, Path("/nonexistent")), CATALOGUE, [report], frozenset())
    live["inputs"]["records"][0]["fields"] = ["record_id", "decision_date"]
    _check_columns_read(live, _live_reasons(live, Path("/nonexistent")), CATALOGUE, [report], frozenset())


def test_an_older_manifest_is_compared_with_the_first_worksheet_only() -> None:
    """The third harm tester's: with a live manifest without worksheets (its file fields were the first worksheet's),
    every worksheet was compared with them, and an unchanged workbook whose older 2025 sheet never had 异议状态 was
    refused on the day of the upgrade. A first worksheet that lost the column is still refused."""
    from site_builder.sources.loading import SheetReport

    report = FileReport(SourceFile("admin_penalty", Path("admin_penalty.xlsx"), "admin_penalty.xlsx"))
    report.rows = 3
    full, old = ("record_id", "decision_date", "objection_status"), ("record_id", "decision_date")
    report.sheets = {"2026年": SheetReport(full, 2), "2025年": SheetReport(old, 1)}
    live: dict[str, Any] = {"inputs": {"records": [{"item": "admin_penalty", "file": "admin_penalty.xlsx", "rows": 3,
                                    "fields": list(full)}]},
            "counts": {"by_item": {"admin_penalty": {"excluded": {"objection_pending": 1}}}}}
    _check_columns_read(live, _live_reasons(live, Path("/nonexistent")), CATALOGUE, [report], frozenset())
    report.sheets = {"2026年": SheetReport(old, 2), "2025年": SheetReport(old, 1)}
    with pytest.raises(BuildError, match=r"worksheet '2026年' of admin_penalty.xlsx lacks 异议状态"):
        _check_columns_read(live, _live_reasons(live, Path("/nonexistent")), CATALOGUE, [report], frozenset())


def test_a_summary_of_firms_is_skipped(tmp_path: Path) -> None:
    """The third and fourth harm testers': a 汇总 sheet listing firms by their 统一社会信用代码 and latest decision date
    (6 or 7 cells a row) refused the workbook."""
    code = penalty("AP-01")[titles().index("统一社会信用代码")]
    summary: list[list[object]] = [["2026年处罚汇总"], ["序号", "企业名称", "信用代码", "最近处罚日期", "处罚次数", "罚款合计（万元）"],
                                   ["1", "某公司", code, "2026-03-01", "2", "5.5"]]
    save(tmp_path / "admin_penalty.xlsx", {"数据": [titles(), penalty("AP-01")], "汇总": summary})
    raws, _ = read(tmp_path)
    assert [r.values["record_id"] for r in raws] == ["AP-01"]


# --- 2. A worksheet whose heading row is further down ------------------------------------------------------------


def notes(count: int) -> list[list[object]]:
    lines: list[list[object]] = [["2026年7-12月行政处罚信息"], ["填报说明："]]
    return lines + [[f"{n}. 说明"] for n in range(count - 2)]


def test_a_heading_under_a_block_of_instructions_is_found(tmp_path: Path) -> None:
    """Bug: a heading row moved to row 12 (a title and a 填报说明 block added) left the sheet unread, its records
    withdrawn, with a warning only."""
    save(tmp_path / "admin_penalty.xlsx", {"1-6月": [titles(), penalty("AP-01")],
                                           "7-12月": [*notes(8), titles(), penalty("AP-11"), penalty("AP-12")]})
    raws, reports = read(tmp_path)
    assert [(r.file, r.row, r.values["record_id"]) for r in raws] == [
        ("admin_penalty.xlsx!1-6月", 2, "AP-01"), ("admin_penalty.xlsx!7-12月", 10, "AP-11"),
        ("admin_penalty.xlsx!7-12月", 11, "AP-12")]
    assert "工作表“7-12月”表头在第9行，前8行已跳过" in reports[0].warnings


def test_a_worksheet_the_live_build_read_that_lost_its_heading_refuses_the_build(tmp_path: Path) -> None:
    """Bug (the Excel tester's): the heading of a worksheet the live build read moved below the rows searched (a title
    and a 填报说明 block added): the worksheet was skipped with a warning, its records withdrawn as if by the authority.
    A worksheet without a heading that the live build did not read (an archive, a 汇总, a 填报说明 with an example
    row) is skipped as it always was: refusing those had kept yesterday's site (harm testers' findings)."""
    records = tmp_path / "records"
    config = site_config(tmp_path, records, search=False)
    path = records / "admin_penalty.xlsx"
    example = [*notes(HEADER_SEARCH + 2), titles(), penalty("AP-99")]
    save(path, {"1-6月": [titles(), penalty("AP-01")], "7-12月": [titles(), penalty("AP-11")], "说明": example,
                "2025年归档": [penalty("AP-50")]})
    first = build(config, AS_OF)
    assert first.counts.published["admin_penalty"] == 2
    save(path, {"1-6月": [titles(), penalty("AP-01")], "7-12月": [*notes(HEADER_SEARCH + 2), titles(), penalty("AP-11")],
                "说明": example, "2025年归档": [penalty("AP-50")]})
    with pytest.raises(BuildError, match=rf"worksheet '7-12月' of admin_penalty.xlsx has no heading row in its first "
                                         rf"{HEADER_SEARCH} rows, but the live site's build read records from it"):
        build(config, AS_OF)


def test_a_code_list_read_as_a_table_that_grows_does_not_refuse_the_build(tmp_path: Path) -> None:
    """The sixth harm tester's: a 代码表 whose lists (失信程度, 程序类型) the live build took for a heading, read and
    quarantined, grew below row 10; refused as a worksheet of records, it kept yesterday's site."""
    records = tmp_path / "records"
    config = site_config(tmp_path, records, search=False)
    path = records / "admin_penalty.xlsx"
    codes = [["失信程度", "程序类型"], ["一般", "普通程序"], ["严重", "简易程序"]]
    save(path, {"数据": [titles(), penalty("AP-01")], "代码表": codes})
    build(config, AS_OF)
    save(path, {"数据": [titles(), penalty("AP-01")], "代码表": [*notes(HEADER_SEARCH + 1), *codes]})
    assert build(config, AS_OF).counts.published["admin_penalty"] == 1


def test_instructions_and_an_empty_worksheet_are_still_skipped_with_a_warning(tmp_path: Path) -> None:
    save(tmp_path / "admin_penalty.xlsx", {"数据": [titles(), penalty("AP-01")], "填报说明": notes(HEADER_SEARCH + 5),
                                           "空表": []})
    raws, reports = read(tmp_path)
    assert [(r.file, r.values["record_id"]) for r in raws] == [("admin_penalty.xlsx", "AP-01")]
    assert reports[0].warnings == [
        f"工作表“填报说明”的前{HEADER_SEARCH}行中没有可识别的表头（没有一行含两个以上的目录列名），未读取（该表有"
        f"{HEADER_SEARCH + 5}个非空行）", "工作表“空表”为空"]


# --- 3. Chinese Excel's built-in date formats -----------------------------------------------------------------


def builtin_formats(path: Path, formats: dict[str, int]) -> None:
    """Save ``path`` again with each custom format code of ``formats`` replaced by the built-in id, no code kept (as
    a zh-CN Excel or WPS writes them)."""
    with zipfile.ZipFile(path) as z:
        members = {info.filename: z.read(info) for info in z.infolist()}
    styles = members["xl/styles.xml"].decode()
    for code, builtin in formats.items():
        escaped = code.replace('"', "&quot;")
        found = re.search(rf'<numFmt numFmtId="(\d+)" formatCode="{re.escape(escaped)}"\s*/>', styles)
        assert found, code
        styles = styles.replace(found.group(0), "").replace(f'numFmtId="{found.group(1)}"', f'numFmtId="{builtin}"')
    members["xl/styles.xml"] = styles.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.mark.parametrize("mac", [False, True])
def test_dates_in_chinese_excels_builtin_formats_are_dates(tmp_path: Path, mac: bool) -> None:
    """Bug: a date saved in 31 yyyy"年"m"月"d"日" or 58 m"月"d"日" arrived as its serial number, and the row was
    quarantined as ``date``; a time-only format (32 h"时"mm"分") must not become a date."""
    path = tmp_path / "admin_penalty.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if mac:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet.append(titles())
    for n in range(3):
        sheet.append(penalty(f"AP-0{n}", decision_date=datetime(2026, 3, 10), disclosure_deadline=datetime(2026, 6, 10)))
    column, deadline = FIELDS.index("decision_date") + 1, FIELDS.index("disclosure_deadline") + 1
    sheet.cell(2, column).number_format = 'yyyy"年"m"月"d"日"'
    sheet.cell(3, column).number_format = 'm"月"d"日"'
    sheet.cell(2, deadline).number_format = 'yyyy"年"m"月"d"日"'
    sheet.cell(4, deadline).number_format = 'h"时"mm"分"'
    book.save(path)
    builtin_formats(path, {'yyyy"年"m"月"d"日"': 31, 'm"月"d"日"': 58, 'h"时"mm"分"': 32})
    raws, _ = read(tmp_path)
    got = [(r.values["record_id"], r.values["decision_date"], r.values["disclosure_deadline"]) for r in raws]
    assert got[:2] == [("AP-00", "2026-03-10", "2026-06-10"), ("AP-01", "2026-03-10", "2026-06-10")]
    assert got[2][2] != "2026-06-10" and not got[2][2].startswith("20")  # a time format: no date made of it


# --- 4. What the messages say -----------------------------------------------------------------------------------


def test_a_later_worksheets_warnings_name_it_and_its_rows_not_the_whole_file(tmp_path: Path) -> None:
    licence = ["记录编号", "发布状态", "公开属性", "行政相对人名称", "许可决定日期"]
    save(tmp_path / "admin_penalty.xlsx", {"行政处罚": [titles(), penalty("AP-01")],
                                           "行政许可": [licence, ["XK-01", "已审核", "公开", "某公司", "2026-01-05"]]})
    raws, reports = read(tmp_path)
    assert [r.file for r in raws] == ["admin_penalty.xlsx!行政处罚", "admin_penalty.xlsx!行政许可"]
    missing = [w for w in reports[0].warnings if "缺少必填列" in w]
    assert missing and all(w.startswith("工作表“行政许可”：") and w.endswith("本表各行均将隔离") for w in missing)
    assert any(w.startswith("工作表“行政许可”：未知列“许可决定日期”") for w in reports[0].warnings)


def test_a_single_worksheets_labels_and_warnings_are_as_they_were(tmp_path: Path) -> None:
    save(tmp_path / "admin_penalty.xlsx", {"处罚": [["行政处罚信息"], titles()[:-1], penalty("AP-01")[:-1]]})
    raws, reports = read(tmp_path)
    assert [r.file for r in raws] == ["admin_penalty.xlsx"]
    assert reports[0].warnings == ["表头在第2行，前1行已跳过"]
    assert list(reports[0].sheets) == ["处罚"]


def rezipped(path: Path, change: Callable[[str, bytes], bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            data = change(info.filename, z.read(info))
            if data is not None:
                w.writestr(info, data)
    return out.getvalue()


def test_a_damaged_workbook_says_what_it_is(tmp_path: Path) -> None:
    good = save(tmp_path / "good.xlsx", {"2026年": [titles(), penalty("AP-01")]})
    data = good.read_bytes()
    strict = rezipped(good, lambda n, d: d.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                                    b"http://purl.oclc.org/ooxml/spreadsheetml/main"))
    gone = rezipped(good, lambda n, d: None if n == "xl/worksheets/sheet1.xml" else d)
    bad = rezipped(good, lambda n, d: re.sub(rb'<c r="A2" t="inlineStr">.*?</c>', rb'<c r="A2" t="n"><v>2,5</v></c>', d)
                   if n.startswith("xl/worksheets/") else d)
    for content, says in [(data[: len(data) * 2 // 3], r"is cut off or damaged: .* copy or export it again"),
                          (strict, r"is saved as a Strict Open XML Spreadsheet"),
                          (gone, r"is damaged: worksheet\(s\) 2026年 that it lists are missing"),
                          (bad, r"worksheet '2026年' cannot be read: cell A2 \(column 1 记录编号\) holds '2,5'")]:
        records = tmp_path / says[:8].replace(" ", "_")
        records.mkdir()
        (records / "admin_penalty.xlsx").write_bytes(content)
        with pytest.raises(InputError, match=says):
            read(records)


def test_openpyxls_warnings_become_the_files_warnings(tmp_path: Path) -> None:
    good = save(tmp_path / "good.xlsx", {"处罚": [titles(), penalty("AP-01")]})
    name = b'<definedNames><definedName name="x" localSheetId="5">\'\xe5\xa4\x84\xe7\xbd\x9a\'!$A$1</definedName></definedNames>'
    odd = rezipped(good, lambda n, d: d.replace(b"<definedNames/>", name, 1) if n == "xl/workbook.xml" else d)
    records = tmp_path / "records"
    records.mkdir()
    (records / "admin_penalty.xlsx").write_bytes(odd)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none on stderr, naming no file
        raws, reports = read(records)
    assert [r.values["record_id"] for r in raws] == ["AP-01"]
    assert any(w.startswith("读取工作簿时 openpyxl 提示：") for w in reports[0].warnings)
