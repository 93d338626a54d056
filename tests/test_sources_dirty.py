"""Input files that published wrong values, lost rows or gave unclear errors (tester's round 12).

1. Merged cells below an .xlsx heading read as the top-left cell's value, with a warning naming the ranges.
2. A second heading row mid-file (joined exports, another column order) starts a new column map.
3. Common spellings of the columns that withhold records are aliases; an unknown heading that looks like such a
   column, while the file has none, quarantines the file's rows until it is mapped.
4. Files in formats not read are refused wherever they are; .tsv/.tab files are read as CSV.
5. A last line without a line break, after lines that have one, is warned about.
6. An amount heading without a unit is warned about.
7. A file that is not CSV text, UTF-16 without BOM, or cut off in a character: each its own message.
8. A GB18030 BOM is skipped.
9. A workbook whose first worksheet holds instructions: the worksheet with the heading row is read.
10. An Excel date serial number in a CSV date column: the message says so.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import CATALOGUE, COMPANY, PROFILES_DIR, make_uscc, row, write_csv

from site_builder.exceptions import InputError
from site_builder.rules.catalogue import Catalogue, normalise_title
from site_builder.rules.parsed import ParsedFiles, materialise
from site_builder.rules.pipeline import _read, decide_rows
from site_builder.rules.profiles import load_profile
from site_builder.rules.validation import Quarantined, Validator
from site_builder.sources.loading import FileReport, RawRow, find_sources, read_rows, unclaimed_paths
from site_builder.sources.mapping import ColumnSettings, apply_columns

AS_OF = date(2026, 11, 24)
PENALTY = CATALOGUE["admin_penalty"]
NATIONAL = load_profile(PROFILES_DIR, "national", CATALOGUE)
FIELDS = ["record_id", "publish_status", "disclosure_level", "objection_status", "subject_name", "subject_category", "uscc",
          "decision_no", "penalty_type", "penalty_content", "fine_amount", "decision_date", "authority", "severity", "procedure"]


def read(records: Path, item: str = "admin_penalty", catalogue: Catalogue = CATALOGUE) -> tuple[list[RawRow], list[FileReport]]:
    """The raw rows of ``item`` in ``records`` and what reading each file found, as the build reads them."""
    reports = [FileReport(s) for s in find_sources(records, catalogue) if s.item == item]
    rows = [raw for report in reports for raw in read_rows(report.source, catalogue[item], report)]
    return rows, reports


def outcomes(records: Path) -> dict[str, str]:
    """Each record id's outcome (reason code, ``published`` or ``quarantined``) on ``AS_OF``, national profile."""
    found = {}
    for outcome in decide_rows(CATALOGUE, NATIONAL, find_sources(records, CATALOGUE), AS_OF):
        found[outcome.raw.values.get("record_id", "")] = outcome.decision.outcome if outcome.decision else "quarantined"
    return found


def penalty(record_id: str, **values: str) -> dict[str, str]:
    """A penalty row published by default (decided this year, 一般, 普通程序) with every field of ``FIELDS``."""
    data = row("admin_penalty", record_id=record_id, decision_date="2026-06-01", objection_status="无",
               penalty_type="罚款", penalty_content="罚款一万元", fine_amount="1")
    return {name: data.get(name, "") for name in FIELDS} | values


def workbook(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> openpyxl.Workbook:
    """A workbook with these worksheets (title -> rows), not yet saved."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    return book


def titles(names: list[str] = FIELDS) -> list[str]:
    return [PENALTY.field(n).title for n in names]


def cells(data: dict[str, str], names: list[str] = FIELDS) -> list[str]:
    return [data[n] for n in names]


# --- 1. Merged cells in a workbook's data area ---------------------------------------------------------------


def test_a_value_merged_down_the_data_area_is_read_on_every_row_it_covers(tmp_path: Path) -> None:
    """Bug: a covered cell read empty, so a 警告 merged over three rows made rows 2-3 non-slight penalties (published)
    and a 处理中 merged over three rows withheld the first row only."""
    rows = [penalty(f"AP-{n}", objection_status="处理中") for n in range(3)]
    rows += [penalty(f"AP-{n}", penalty_type="警告", penalty_content="警告", fine_amount="") for n in range(3, 6)]
    path = tmp_path / "admin_penalty.xlsx"
    book = workbook(path, {"处罚": [["行政处罚信息公示表"], titles(), *[cells(r) for r in rows]]})
    sheet = book["处罚"]
    sheet.merge_cells("A1:F1")  # a title line above the heading: left as it is
    kind, status = FIELDS.index("penalty_type") + 1, FIELDS.index("objection_status") + 1
    for first in (3, 6):  # rows 3-5 and 6-8: the top-left cell holds the value, the covered cells are emptied
        sheet.merge_cells(start_row=first, end_row=first + 2, start_column=kind, end_column=kind + 1)  # 处罚类别, 处罚内容
    sheet.merge_cells(start_row=3, end_row=5, start_column=status, end_column=status)
    book.save(path)

    got, reports = read(tmp_path)
    assert [r.values["penalty_type"] for r in got] == ["罚款"] * 3 + ["警告"] * 3
    assert [r.values["penalty_content"] for r in got] == ["罚款"] * 3 + ["警告"] * 3  # covered to the right, too
    assert [r.values["objection_status"] for r in got] == ["处理中"] * 3 + ["无"] * 3
    assert not any(r.defects for r in got)
    merged = [w for w in reports[0].warnings if "合并单元格" in w]
    assert len(merged) == 1 and "工作表“处罚”" in merged[0] and "D3:D5" in merged[0] and "I3:J5" in merged[0], reports[0].warnings
    assert "表头在第2行，前1行已跳过" in reports[0].warnings  # the merged title line still works
    found = outcomes(tmp_path)
    assert [found[f"AP-{n}"] for n in range(6)] == ["objection_pending"] * 3 + ["slight_dishonesty"] * 3


def test_a_merge_reaching_into_empty_rows_makes_no_rows_and_carries_its_defect(tmp_path: Path) -> None:
    rows = [penalty("AP-1"), penalty("AP-2")]
    path = tmp_path / "admin_penalty.xlsx"
    book = workbook(path, {"处罚": [titles(), *[cells(r) for r in rows]]})
    sheet = book["处罚"]
    column = FIELDS.index("authority") + 1
    sheet.cell(row=2, column=column).value = "=A1"  # a formula without a cached result, merged down
    sheet.merge_cells(start_row=2, end_row=10, start_column=column, end_column=column)
    book.save(path)
    got, _ = read(tmp_path)
    assert [r.values["record_id"] for r in got] == ["AP-1", "AP-2"]  # rows 4-10 hold only the merge: no rows
    assert [[d[1] for d in r.defects] for r in got] == [["formula-without-value"]] * 2
    assert "合并区域 M2:M10" in got[1].defects[0][2]


def test_merged_cells_of_the_heading_row_are_left_as_they_are(tmp_path: Path) -> None:
    """A heading cell merged down (a two-level heading) is not copied into the row below it."""
    path = tmp_path / "admin_penalty.xlsx"
    book = workbook(path, {"处罚": [titles(), cells(penalty("AP-1")), cells(penalty("AP-2"))]})
    column = FIELDS.index("authority") + 1
    book["处罚"].merge_cells(start_row=1, end_row=2, start_column=column, end_column=column)
    book.save(path)
    got, reports = read(tmp_path)
    assert [(r.values["record_id"], r.values["authority"]) for r in got] == [("AP-1", ""), ("AP-2", "杭州市市场监督管理局")]
    assert not [w for w in reports[0].warnings if "合并单元格" in w]


# --- 2. A second heading row (joined exports) ------------------------------------------------------------------


def joined(path: Path, second: list[str], encoding: str = "utf-8-sig", **later: str) -> list[dict[str, str]]:
    """A CSV of two exports: two rows under the catalogue's heading, two under ``second`` (field names, written
    with another title where given as ``name=title``; ``later``: values of the later rows' other fields); returns
    the rows."""
    rows = [penalty(f"AP-{n}", fine_amount=str(n)) | (later if n > 2 else {}) for n in range(1, 5)]
    names = [n.split("=")[0] for n in second]
    heading = [n.split("=")[1] if "=" in n else PENALTY.field(n).title for n in second]
    lines = [",".join(titles()), *(",".join(cells(r)) for r in rows[:2]), ",".join(heading),
             *(",".join(r.get(n, "") for n in names) for r in rows[2:])]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return rows


def test_a_second_heading_in_another_order_maps_the_rows_under_it(tmp_path: Path) -> None:
    """Bug: the second heading was quarantined as a data row and the rows under it read by the first heading's
    columns (the fine in the confiscated amount, the facts in the legal basis), then published."""
    second = list(reversed(FIELDS))
    second[second.index("publish_status")] = "publish_status=审核状态"  # another title of the same field
    rows = joined(tmp_path / "admin_penalty.csv", second, "gb18030")
    got, reports = read(tmp_path)
    assert [r.row for r in got] == [2, 3, 5, 6] and reports[0].rows == 4
    assert [r.values for r in got] == rows
    assert not any(r.defects for r in got)
    assert [w for w in reports[0].warnings if "表头" in w] == [
        "第4行是另一个表头（列的顺序或列名与上方的表头不同，可能是几份导出拼接而成）：其后的行按这一表头读取，该行不计入数据行"]
    assert set(outcomes(tmp_path).values()) == {"published"}


def test_a_second_heading_with_other_fields_reads_the_same_from_a_kept_file(tmp_path: Path) -> None:
    """The rows under the second heading carry a field the first lacked (备注): kept and read back, each row has its
    own fields (``parsed.py`` keeps a file's field names once per label)."""
    joined(tmp_path / "records" / "admin_penalty.csv", ["remarks", *reversed(FIELDS)], remarks="备注文字")
    source = find_sources(tmp_path / "records", CATALOGUE)[0]
    plain = [r[:5] + (materialise(r[5]),) for r in _read(source, PENALTY, FileReport(source), "record_id")]
    files = ParsedFiles(tmp_path / "kept", "key")
    for _ in range(2):  # parsed and kept, then read back from the kept file
        again = [r[:5] + (materialise(r[5]),) for r in files.read(source, PENALTY, FileReport(source), "record_id")]
        assert again == plain
    last = plain[-1][5]
    assert isinstance(last, RawRow) and last.values["remarks"] == "备注文字" and last.values["fine_amount"] == "4"
    first = plain[0][5]
    assert isinstance(first, RawRow) and "remarks" not in first.values


def test_a_second_heading_in_a_worksheet_moves_its_code_columns(tmp_path: Path) -> None:
    """A code stored as a number in the second export's 统一社会信用代码 column (in another place) is still refused."""
    uscc = make_uscc("91330100MA27XL0A2")
    second = list(reversed(FIELDS))
    path = tmp_path / "admin_penalty.xlsx"
    numeric: list[object] = list(cells(penalty("AP-2", uscc=uscc), second))
    numeric[second.index("uscc")] = 913301001234567890  # typed as a number: its last digits are already lost
    workbook(path, {"处罚": [titles(), cells(penalty("AP-1")), titles(second), numeric]}).save(path)
    got, _ = read(tmp_path)
    assert [r.values["record_id"] for r in got] == ["AP-1", "AP-2"]
    assert [(d[0], d[1]) for d in got[1].defects] == [("统一社会信用代码", "stored-as-number")]


def test_joined_exports_in_a_build_publish_right_values_and_leak_no_heading(tmp_path: Path) -> None:
    """Bug: the second heading, read as a row, made its 法定代表人证件号码 title a withheld value the leak scan found."""
    from conftest import build_site

    joined(tmp_path / "records" / "admin_penalty.csv", ["legal_rep_id_no", *reversed(FIELDS)], legal_rep_id_no="")
    result = build_site(tmp_path, tmp_path / "records", AS_OF)
    counts = json.loads((result.output / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert counts["input_rows"] == 4 and counts["published"] == 4 and counts["quarantined"] == 0


# --- 3. Columns that decide publication ------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "heading", "field"), [
    ("admin_penalty", "异议处理状态", "objection_status"),
    ("admin_penalty", "信用修复时间", "repair_date"),
    ("admin_penalty", "公示截止期限", "disclosure_deadline"),
    ("dishonest_list", "移出名单日期", "removal_date"),
    ("admin_penalty", "异议提出时间", "objection_date"),
    ("admin_penalty", "公开范围", "disclosure_level"),
    ("admin_penalty", "审核结果", "publish_status"),
    ("admin_license", "公示截止日期", "disclosure_deadline"),
    ("commendation", "有效期截止日期", "valid_until"),
    ("dishonest_list", "有效期截止日期", "valid_until"),
    ("subject", "异议处理结果", "objection_status"),
    ("admin_penalty", "身份证号", "id_no"),
])
def test_common_spellings_of_columns_that_withhold_records_are_aliases(item: str, heading: str, field: str) -> None:
    assert CATALOGUE[item].header_index()[normalise_title(heading)] == field


def synonyms(records: Path) -> None:
    """The tester's synonyms: a repaired penalty, one under objection and one past its deadline, a list entry
    removed; each under a common spelling of its column."""
    penalties = [penalty("AP-1", repair_date="2026-09-01", severity="一般"), penalty("AP-2", objection_status="处理中"),
                 penalty("AP-3", disclosure_deadline="2026-10-01")]
    path = write_csv(records / "admin_penalty.csv", "admin_penalty", penalties, encoding="gb18030")
    text = path.read_text(encoding="gb18030")
    for old, new in (("异议状态", "异议处理状态"), ("信用修复日期", "信用修复时间"), ("公示截止期", "公示截止期限")):
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="gb18030")
    entry = row("dishonest_list", record_id="SX-1", decision_date="2026-01-10", removal_date="2026-08-01")
    path = write_csv(records / "dishonest_list.csv", "dishonest_list", [entry])
    path.write_text(path.read_text(encoding="utf-8-sig").replace("移出日期", "移出名单日期", 1), encoding="utf-8-sig")


def test_synonyms_of_deciding_columns_withhold_their_records(tmp_path: Path) -> None:
    """Bug: these headings were unknown columns (a warning only), so the records were published."""
    synonyms(tmp_path)
    found = outcomes(tmp_path)
    assert {k: found[k] for k in ("AP-1", "AP-2", "AP-3", "SX-1")} == {
        "AP-1": "repaired", "AP-2": "objection_pending", "AP-3": "expired", "SX-1": "removed"}


def resembling(records: Path, old: str, new: str) -> Path:
    path = write_csv(records / "admin_penalty.csv", "admin_penalty",
                     [penalty("AP-1", repair_date="2026-09-01", objection_date=""), penalty("AP-2", repair_date="")])
    path.write_text(path.read_text(encoding="utf-8-sig").replace(old, new, 1), encoding="utf-8-sig")
    return path


def test_an_unknown_heading_like_a_deciding_column_quarantines_the_file(tmp_path: Path) -> None:
    """Bug: ``修复办结时间`` was an unknown column, a warning only: the repaired penalty was published."""
    resembling(tmp_path, "信用修复日期", "修复办结时间")
    got, reports = read(tmp_path)
    assert [[(d[0], d[1]) for d in r.defects] for r in got] == [[("修复办结时间", "unmapped-column")]] * 2
    message = got[0].defects[0][2]
    assert "信用修复日期" in message and "repair_date" in message and '[columns.admin_penalty] "修复办结时间" = "repair_date"' in message
    assert any("修复办结时间" in w and "本文件各行均将隔离" in w for w in reports[0].warnings)
    result = Validator(PENALTY).validate(got[0])
    assert isinstance(result, Quarantined) and result.record_id == "AP-1"
    assert set(outcomes(tmp_path).values()) == {"quarantined"}


@pytest.mark.parametrize(("old", "new"), [
    ("备注", "异议结论"),          # looks like 异议状态, which the file has
    ("备注", "异议结果"),          # not a date: no 异议提出日期
    ("备注", "内部备注"),
])
def test_an_unknown_heading_is_only_a_warning_when_it_cannot_be_a_missing_deciding_column(tmp_path: Path, old: str,
                                                                                         new: str) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1") | {"remarks": "x"}])
    path.write_text(path.read_text(encoding="utf-8-sig").replace(old, new, 1), encoding="utf-8-sig")
    got, reports = read(tmp_path)
    assert not got[0].defects
    assert any(new in w and "未知列" in w for w in reports[0].warnings)


def test_a_resembling_heading_mapped_in_the_configuration_is_read(tmp_path: Path) -> None:
    resembling(tmp_path, "信用修复日期", "修复办结时间")
    catalogue = apply_columns(CATALOGUE, ColumnSettings(items=(("admin_penalty", (("修复办结时间", "repair_date"),)),)))
    got, reports = read(tmp_path, catalogue=catalogue)
    assert not any(r.defects for r in got) and got[0].values["repair_date"] == "2026-09-01"


# --- 4. Formats not read -----------------------------------------------------------------------------------------


def test_tab_separated_tsv_and_tab_files_are_read_as_csv(tmp_path: Path) -> None:
    """Bug: ``judgment.tsv`` was "not the records of any item"; ``admin_penalty/part2.tsv`` was skipped silently."""
    for path, record_id in ((tmp_path / "admin_penalty" / "part1.csv", "AP-1"), (tmp_path / "admin_penalty" / "part2.tsv", "AP-2"),
                            (tmp_path / "admin_penalty.tab", "AP-3")):
        path.parent.mkdir(parents=True, exist_ok=True)
        data = penalty(record_id)
        path.write_text("\t".join(titles()) + "\n" + "\t".join(cells(data)) + "\n", encoding="utf-8")
    got, reports = read(tmp_path)
    assert sorted(r.values["record_id"] for r in got) == ["AP-1", "AP-2", "AP-3"]
    assert sorted(r.name for r in reports) == ["admin_penalty.tab", "admin_penalty/part1.csv", "admin_penalty/part2.tsv"]


@pytest.mark.parametrize("name", ["judgment.xlsm", "judgment/part2.xlsm", "行政处罚.docx",
                                  "admin_penalty/2025/q1.xls", "judgment.dat", "admin_penalty/part3"])
def test_a_file_in_a_format_not_read_is_refused_wherever_it_is(tmp_path: Path, name: str) -> None:
    """A file named for an item, or one in an item folder in a format records come in (or with none), stops the build:
    an item must never be emptied in silence."""
    write_csv(tmp_path / "admin_penalty" / "part1.csv", "admin_penalty", [penalty("AP-1")])
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 not read")
    with pytest.raises(InputError, match=rf"{path.name}'.*are not read; save it as \.csv or \.xlsx"):
        find_sources(tmp_path, CATALOGUE)


@pytest.mark.parametrize("name", ["admin_penalty/说明.docx", "admin_penalty/Thumbs.db", "admin_penalty/2025/README.md"])
def test_a_document_beside_the_records_in_an_item_folder_is_listed_not_read(tmp_path: Path, name: str) -> None:
    """A note or a system file in an item folder is no export: it is listed as not read (the build's warnings), and it
    does not stop the build (which would keep expired records public until someone removed it)."""
    write_csv(tmp_path / "admin_penalty" / "part1.csv", "admin_penalty", [penalty("AP-1")])
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"notes")
    sources = find_sources(tmp_path, CATALOGUE)
    assert [s.name for s in sources] == ["admin_penalty/part1.csv"]
    assert unclaimed_paths(tmp_path, sources) == [name]


# --- 5. A last line without a line break -------------------------------------------------------------------------


@pytest.mark.parametrize(("ending", "warned"), [("", True), ("\r\n", False), ("\n", False)])
def test_a_last_line_without_a_line_break_is_warned_about(tmp_path: Path, ending: str, warned: bool) -> None:
    """Bug: a file cut mid-cell (``…,35.`` for 35.7) was read without a word."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1"), penalty("AP-2", fine_amount="35.")])
    path.write_text(path.read_text(encoding="utf-8-sig").rstrip("\r\n") + ending, encoding="utf-8-sig")
    got, reports = read(tmp_path)
    assert [r.values["record_id"] for r in got] == ["AP-1", "AP-2"] and not any(r.defects for r in got)
    found = [w for w in reports[0].warnings if "没有换行符" in w]
    assert found == (["第3行（最后一行）没有换行符，而其他各行都有：文件可能在这一行被截断（如导出或复制未完成），"
                      "请核对该行的最后一个单元格，或重新导出"] if warned else [])


@pytest.mark.parametrize("title", ["", "行政处罚信息公示表\r\n"])
def test_a_heading_without_a_line_break_is_not_warned_about(tmp_path: Path, title: str) -> None:
    (tmp_path / "admin_penalty.csv").write_text(title + ",".join(titles()), encoding="utf-8")
    got, reports = read(tmp_path)
    assert got == [] and not [w for w in reports[0].warnings if "换行符" in w]


# --- 6. Amounts without a unit in their heading -----------------------------------------------------------------


@pytest.mark.parametrize(("heading", "warned"), [("罚款金额", True), ("罚款金额（万元）", False), ("罚款金额(万元)", False),
                                                 ("fine_amount", False)])
def test_an_amount_heading_without_a_unit_is_warned_about(tmp_path: Path, heading: str, warned: bool) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1", fine_amount="50000")])
    path.write_text(path.read_text(encoding="utf-8-sig").replace("罚款金额（万元）", heading, 1), encoding="utf-8-sig")
    got, reports = read(tmp_path)
    assert got[0].values["fine_amount"] == "50000"
    column = FIELDS.index("fine_amount") + 1
    expected = [f"列“罚款金额”（第{column}列）的列名没有写明金额单位：金额按目录的单位（万元）读取（如“50000”读作50000万元），"
                "请核对；单位不同的请在数值后写明（如“50000元”）或在列名中写明（如“罚款金额（万元）”）"]
    assert reports[0].warnings == (expected if warned else [])


# --- 7. Files that are not what they say: each its own message ---------------------------------------------------


def not_text(path: Path, kind: str) -> None:
    heading = ",".join(titles()) + "\r\n" + ",".join(cells(penalty("AP-1"))) + "\r\n"
    if kind == "xlsx":
        book = workbook(path, {"处罚": [titles()]})
        book.save(path)  # a workbook renamed .csv
    elif kind == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    elif kind == "utf-16":
        path.write_bytes(heading.encode("utf-16-le"))
    elif kind == "cut":
        data = heading.encode("utf-8")
        path.write_bytes(data[:data.rindex("有限公司".encode()) + 2])  # the middle of 有
    else:  # a cell pasted in the other encoding
        path.write_bytes(heading.encode("utf-8") + ",".join(cells(penalty("AP-2"))).encode("gb18030") + b"\r\n")


@pytest.mark.parametrize(("kind", "message"), [
    ("xlsx", r"is a zip file \(an \.xlsx workbook, or a zip archive\), not CSV text: if it is a workbook, name it \.xlsx"),
    ("xls", r"is an old Excel \.xls workbook"),
    ("utf-16", r"looks like UTF-16 \(little-endian\) text without a byte-order mark"),
    ("cut", r"ends in the middle of a character \(as UTF-8, its last bytes, on line 2, are an incomplete character\): "
            r"the file seems cut off"),
    ("mixed", r"is neither UTF-8 nor GB18030 text"),
])
def test_a_file_that_cannot_be_decoded_says_why(tmp_path: Path, kind: str, message: str) -> None:
    """Bug: each of these gave the same "neither UTF-8 nor GB18030 … a cell pasted from a file in the other encoding"."""
    path = tmp_path / "admin_penalty.csv"
    not_text(path, kind)
    with pytest.raises(InputError, match=r"admin_penalty\.csv' " + message) as caught:
        read(tmp_path)
    assert ("neither UTF-8 nor GB18030" in str(caught.value)) == (kind == "mixed")


# --- 8. The GB18030 byte-order mark ------------------------------------------------------------------------------


def test_a_gb18030_bom_is_skipped(tmp_path: Path) -> None:
    """Bug: the BOM (84 31 95 33) stayed part of the first heading: 记录编号 was unknown and every row quarantined."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1", subject_name="杭州𠮷野家有限公司")],
                     encoding="gb18030")
    path.write_bytes(b"\x84\x31\x95\x33" + path.read_bytes())
    assert "\ufeff".encode("gb18030") == b"\x84\x31\x95\x33"
    got, reports = read(tmp_path)
    assert got[0].values["record_id"] == "AP-1" and got[0].values["subject_name"] == "杭州𠮷野家有限公司"
    assert reports[0].encoding == "gb18030" and reports[0].warnings == []
    assert not any(r.defects for r in got)


# --- 9. Workbooks whose first worksheet holds no records ---------------------------------------------------------


def test_the_worksheet_with_the_heading_is_read_when_the_first_holds_instructions(tmp_path: Path) -> None:
    """Bug: a workbook whose first sheet was 填报说明 was refused with "no heading row"."""
    path = tmp_path / "admin_penalty.xlsx"
    workbook(path, {"填报说明": [["填报说明"], ["1. 日期格式为 YYYY-MM-DD"]], "空表": [],
                    "数据": [titles(), cells(penalty("AP-1")), cells(penalty("AP-2"))]}).save(path)
    got, reports = read(tmp_path)
    assert [(r.file, r.values["record_id"]) for r in got] == [("admin_penalty.xlsx!数据", "AP-1"), ("admin_penalty.xlsx!数据", "AP-2")]
    assert "工作表“填报说明”的前10行中没有可识别的表头（没有一行含两个以上的目录列名），未读取（该表有2个非空行）" in reports[0].warnings
    assert "工作表“空表”为空" in reports[0].warnings


def test_a_workbook_without_any_heading_row_names_its_worksheets(tmp_path: Path) -> None:
    path = tmp_path / "admin_penalty.xlsx"
    workbook(path, {"填报说明": [["填报说明"]], "数据": [["甲", "乙"], ["1", "2"]]}).save(path)
    with pytest.raises(InputError, match=r"admin_penalty\.xlsx': no worksheet \(填报说明、数据\) has a heading row"):
        read(tmp_path)


# --- 10. Excel date serial numbers in a CSV ----------------------------------------------------------------------


def test_an_excel_date_serial_number_in_a_csv_is_quarantined_saying_what_it_is(tmp_path: Path) -> None:
    """The message is the validator's (``rules/validation.py``): 46338 is 2026-11-12 in Excel's date system."""
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1", decision_date="46338")])
    got, _ = read(tmp_path)
    result = Validator(PENALTY).validate(got[0])
    assert isinstance(result, Quarantined)
    assert [p.type for p in result.problems] == ["date"]
    assert "Excel 的日期序列号（2026-11-12）" in result.problems[0].message and "文本" in result.problems[0].message


def test_utf32_with_a_bom_is_read(tmp_path: Path) -> None:
    """A tester's: UTF-32 with its BOM was read as UTF-16 (its BOM begins with UTF-16's) and refused as having no
    heading row, the headings printed with NUL bytes between their characters."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1", uscc=COMPANY)], encoding="utf-32")
    assert path.read_bytes().startswith(codecs.BOM_UTF32_LE)
    got, _ = read(tmp_path)
    assert got[0].values["uscc"] == COMPANY


def test_a_utf8_bom_before_gbk_text_is_refused_naming_the_line(tmp_path: Path) -> None:
    """A tester's: a UTF-8 BOM written before GBK text gave Python's codec error, naming a byte position only."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1", uscc=COMPANY)], encoding="gbk")
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    with pytest.raises(InputError, match=r"starts with a UTF-8 byte-order mark but is not UTF-8 text: .* from line 1 on"):
        read(tmp_path)


def test_the_reader_keeps_utf16_with_a_bom(tmp_path: Path) -> None:
    """UTF-16 with its BOM (Excel's “Unicode text”) is still read: only UTF-16 without one is refused."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [penalty("AP-1", uscc=COMPANY)], encoding="utf-16")
    assert path.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    got, _ = read(tmp_path)
    assert got[0].values["uscc"] == COMPANY
