"""The loader: encodings, column headings, delimiters, .xlsx workbooks, file layouts and the files it refuses.

Every test writes its records under ``tmp_path`` with the helpers of ``conftest.py`` and reads them
back through ``find_sources`` and ``read_rows`` (or a whole build, where the outcome of a row matters).
"""

from __future__ import annotations

import codecs
import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CATALOGUE, COMPANY, ROOT, build_site, make_resident_id, person, row, write_csv

from site_builder.exceptions import InputError
from site_builder.rules.validation import Quarantined, Record, Validator
from site_builder.sources.loading import FileReport, RawRow, find_sources, read_rows, unclaimed_paths

PENALTY = CATALOGUE["admin_penalty"]
AS_OF = date(2026, 11, 24)
# 𠮷 (U+20BB7) is in GB18030 but not in GBK: it takes a four-byte form that only GB18030 decodes.
FACTS = "销售过期食品（批次：甲一），涉案商号𠮷野家"


def read(records: Path, item: str = "admin_penalty") -> tuple[list[RawRow], list[FileReport]]:
    """The raw rows of one catalogue item in ``records`` and what reading each file found, as the build reads them."""
    reports = [FileReport(s) for s in find_sources(records, CATALOGUE) if s.item == item]
    rows = [raw for report in reports for raw in read_rows(report.source, CATALOGUE[item], report)]
    return rows, reports


def values(records: Path, item: str = "admin_penalty") -> list[dict[str, str]]:
    """Just the cell values of the rows of ``read``."""
    return [raw.values for raw in read(records, item)[0]]


def sample() -> dict[str, str]:
    """A penalty row with Chinese text in several columns, commas and parentheses included."""
    return row("admin_penalty", violation_facts=FACTS, fine_amount="1.5", remarks="无", **person(subject_name="欧阳娜娜"))


def rewrite_heading(path: Path, old: str, new: str, encoding: str = "utf-8-sig") -> None:
    """Replace one heading of a file written by ``write_csv``."""
    lines = path.read_text(encoding=encoding).split("\n", 1)
    assert old in lines[0], (old, lines[0])
    path.write_text(lines[0].replace(old, new, 1) + "\n" + lines[1], encoding=encoding)


def heading_row(item: str, data: dict[str, str]) -> list[str]:
    """The Chinese titles of the fields present in ``data``, in catalogue order."""
    return [f.title for f in CATALOGUE[item].fields if f.name in data]


def data_row(item: str, data: dict[str, str]) -> list[str]:
    """The cells of ``data`` in the order of ``heading_row``."""
    return [data[f.name] for f in CATALOGUE[item].fields if f.name in data]


# --- Encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8-sig", "utf-8-sig"),
    ("utf-8", "utf-8"),
    ("gb18030", "gb18030"),
    ("utf-16", "utf-16"),
])
def test_each_encoding_is_detected_and_reads_the_same_values(tmp_path: Path, encoding: str, detected: str) -> None:
    reference = write_csv(tmp_path / "utf8" / "admin_penalty.csv", "admin_penalty", [sample()], encoding="utf-8")
    path = write_csv(tmp_path / encoding / "admin_penalty.csv", "admin_penalty", [sample()], encoding=encoding)
    data = path.read_bytes()
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert "𠮷".encode("gb18030") in data and len("𠮷".encode("gb18030")) == 4
    if encoding == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)

    rows, sources = read(path.parent)
    assert [s.encoding for s in sources] == [detected]
    assert [r.values for r in rows] == values(reference.parent)
    assert rows[0].values["violation_facts"] == FACTS
    assert rows[0].values["subject_name"] == "欧阳娜娜"
    assert rows[0].values["record_id"] == "AD-1"  # a BOM never sticks to the first heading
    assert sources[0].warnings == []
    assert isinstance(Validator(PENALTY).validate(rows[0]), Record)


def test_gbk_file_is_read_as_gb18030(tmp_path: Path) -> None:
    data = sample() | {"violation_facts": "销售过期食品"}  # GBK has no 𠮷
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [data], encoding="gbk")
    rows, sources = read(tmp_path)
    assert sources[0].encoding == "gb18030"
    assert rows[0].values["violation_facts"] == "销售过期食品"


def test_multibyte_character_across_the_read_chunk_boundary(tmp_path: Path) -> None:
    """Files are decoded in 1 MiB chunks; a character split between two chunks must not break detection."""
    chunk = 1 << 20
    rows = [row("admin_penalty", record_id=f"AP-{n}", violation_facts="违法事实" * 40) for n in range(2000)]
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", rows, encoding="utf-8")
    for pad in range(3):
        rows[0]["remarks"] = "x" * (pad + 1)
        write_csv(path, "admin_penalty", rows, encoding="utf-8")
        data = path.read_bytes()
        if 0x80 <= data[chunk] <= 0xBF:  # a continuation byte: the chunk ends inside a character
            break
    else:
        pytest.fail("could not place a character across the chunk boundary")
    read_back, sources = read(tmp_path)
    assert sources[0].encoding == "utf-8"
    assert len(read_back) == 2000 and sources[0].rows == 2000
    assert all(r.values["violation_facts"] == "违法事实" * 40 for r in read_back)


def test_file_that_is_neither_utf8_nor_gb18030_stops_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "admin_penalty.csv").write_bytes(b"\x80\xff\xfe\x81" * 64)
    sources = find_sources(tmp_path, CATALOGUE)
    assert [s.name for s in sources] == ["admin_penalty.csv"]
    with pytest.raises(InputError, match=r"admin_penalty\.csv") as caught:
        list(read_rows(sources[0], PENALTY))
    assert "UTF-8" in str(caught.value) and "GB18030" in str(caught.value)


def test_bad_bytes_late_in_a_gb18030_file_also_stop(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [sample()], encoding="gb18030")
    path.write_bytes(path.read_bytes() + b"\xff\xff\xff\n")
    with pytest.raises(InputError, match=r"admin_penalty\.csv"):
        read(tmp_path)


def test_records_directory_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as caught:
        find_sources(tmp_path / "no-such-folder", CATALOGUE)
    assert "no-such-folder" in str(caught.value)


def test_records_directory_that_is_a_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [sample()])
    with pytest.raises(InputError, match="not a directory"):
        find_sources(path, CATALOGUE)


# --- Headings --------------------------------------------------------------------------------------


@pytest.mark.parametrize("heading", [
    "罚款金额（万元）",      # the catalogue's title, full-width parentheses
    "罚款金额(万元)",        # ASCII parentheses
    "罚款金额（万元)",       # mixed
    "*罚款金额（万元）",     # required-column star of some export templates
    "＊罚款金额(万元)",      # full-width star
    "  罚款金额（万元）  ",  # surrounding spaces
    " * 罚款金额 (万元) ",   # star, spaces, space before the parenthesis
    "\u3000罚款金额（万元）",  # ideographic space
    "fine_amount",          # the English name
    "Fine_Amount",
    "罚款金额",              # an alias
])
def test_heading_variants(tmp_path: Path, heading: str) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [sample()])
    rewrite_heading(path, "罚款金额（万元）", f'"{heading}"')
    rows, sources = read(tmp_path)
    assert rows[0].values["fine_amount"] == "1.5"
    unit = [w for w in sources[0].warnings if "没有写明金额单位" in w]  # the alias gives no unit: read as 万元, said so
    assert sources[0].warnings == unit and len(unit) == (heading == "罚款金额")
    assert "fine_amount" in sources[0].columns.values()


@pytest.mark.parametrize(("heading", "field", "expected"), [
    ("行政相对人代码_1（统一社会信用代码）", "uscc", COMPANY),
    ("行政相对人代码_1(统一社会信用代码)", "uscc", COMPANY),
    ("行政相对人代码_1", "uscc", COMPANY),
    ("主体名称", "subject_name", "杭州恒远科技有限公司"),
    ("处罚决定书文号", "decision_no", "杭市监罚〔2025〕1号"),
    ("主要违法事实", "violation_facts", "x"),
    ("没收违法所得、没收非法财物的金额", "confiscated_amount", "2"),
    ("数据编号", "record_id", "AD-1"),
    ("审核状态", "publish_status", "已审核"),
])
def test_known_aliases(tmp_path: Path, heading: str, field: str, expected: str) -> None:
    data = row("admin_penalty", violation_facts="x", confiscated_amount="2")
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [data])
    rewrite_heading(path, PENALTY.field(field).title, heading)
    rows, sources = read(tmp_path)
    assert rows[0].values[field] == expected
    unit = [w for w in sources[0].warnings if "没有写明金额单位" in w]  # an amount's alias without its unit
    assert sources[0].warnings == unit and len(unit) == (field == "confiscated_amount")


def test_english_names_as_headings(tmp_path: Path) -> None:
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [sample()], headings="name")
    chinese = write_csv(tmp_path / "zh" / "admin_penalty.csv", "admin_penalty", [sample()])
    rows, sources = read(tmp_path)
    assert sources[0].warnings == []
    assert [r.values for r in rows] == values(chinese.parent)


def test_unknown_column_is_ignored_with_a_warning_naming_it(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [sample()])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text(f"内部备注,{lines[0]},经办人电话\n不公开的备注,{lines[1]},13800000000\n", encoding="utf-8-sig")
    rows, sources = read(tmp_path)
    assert "不公开的备注" not in rows[0].values.values() and "13800000000" not in rows[0].values.values()
    assert rows[0].values["record_id"] == "AD-1"  # the columns after the unknown one are still mapped right
    assert rows[0].extra_cells == 0
    warnings = sources[0].warnings
    assert len(warnings) == 2
    assert "内部备注" in warnings[0] and "第1列" in warnings[0]
    assert "经办人电话" in warnings[1]
    assert isinstance(Validator(PENALTY).validate(rows[0]), Record)


def test_missing_required_column_warns_and_every_row_is_quarantined(tmp_path: Path) -> None:
    records = tmp_path / "records"
    rows = [row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01") for n in range(3)]
    for r in rows:
        del r["decision_date"]
    write_csv(records / "admin_penalty.csv", "admin_penalty", rows)
    write_csv(records / "judgment.csv", "judgment", [row("judgment", record_id="PJ-1", decision_date="2024-01-01")])

    _, sources = read(records)
    assert any("处罚决定日期" in w and "decision_date" in w for w in sources[0].warnings)

    result = build_site(tmp_path, records, AS_OF)
    manifest = json.loads((result.output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["by_item"]["admin_penalty"]["quarantined"] == 3
    assert manifest["counts"]["by_item"]["admin_penalty"]["published"] == 0
    assert manifest["counts"]["by_item"]["judgment"]["published"] == 1  # the other item's file is unaffected
    [penalty_source] = [s for s in result.sources if s.item == "admin_penalty"]
    assert any("处罚决定日期" in w for w in penalty_source.warnings)
    with (result.audit / "quarantine.csv").open(encoding="utf-8", newline="") as fh:
        quarantine = list(csv.DictReader(fh))
    assert sorted((q["record_id"], q["column"], q["error"]) for q in quarantine) == [
        (f"AP-{n}", "处罚决定日期", "missing-column") for n in range(3)
    ]
    assert all("文件中没有必填列“处罚决定日期”" in q["message"] for q in quarantine), quarantine
    assert not (result.output / "record" / "admin_penalty").exists()


# --- Delimiters and blank rows ---------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", ["\t", ",", ";", "|"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    data = sample()
    with (tmp_path / "admin_penalty.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(heading_row("admin_penalty", data))
        writer.writerow(data_row("admin_penalty", data))
    rows, sources = read(tmp_path)
    assert sources[0].warnings == []
    assert len(rows) == 1
    assert rows[0].values == values(write_csv(tmp_path / "ref" / "admin_penalty.csv", "admin_penalty", [data]).parent)[0]
    assert rows[0].values["violation_facts"] == FACTS  # a comma inside a tab-separated cell stays in it


def test_tab_delimited_file_with_a_title_line_above_the_heading(tmp_path: Path) -> None:
    """A title line (行政处罚信息公示表) above the heading is skipped for comma files; tab files deserve the same.

    Found while writing these tests: the delimiter used to be chosen from the first line only, which
    here has no delimiter at all, so ',' was used and the heading was never found.
    """
    data = sample()
    lines = ["行政处罚信息公示表", "\t".join(heading_row("admin_penalty", data)), "\t".join(data_row("admin_penalty", data))]
    (tmp_path / "admin_penalty.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, sources = read(tmp_path)
    assert [r.row for r in rows] == [3]
    assert rows[0].values["decision_no"] == "杭市监罚〔2025〕1号"
    assert "表头在第2行，前1行已跳过" in sources[0].warnings


def test_tab_delimited_file_with_commas_inside_a_cell(tmp_path: Path) -> None:
    """A tab-separated export whose facts list batch numbers separated by ASCII commas is still tab-separated."""
    data = sample() | {"violation_facts": "涉案批号：" + ",".join(f"2024{n:03d}" for n in range(40))}
    lines = ["\t".join(heading_row("admin_penalty", data)), "\t".join(data_row("admin_penalty", data))]
    (tmp_path / "admin_penalty.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, sources = read(tmp_path)
    assert sources[0].warnings == []
    assert rows[0].values["violation_facts"] == data["violation_facts"]
    assert rows[0].values["decision_no"] == "杭市监罚〔2025〕1号"


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    first, second = row("admin_penalty", record_id="AP-1"), row("admin_penalty", record_id="AP-2")
    width = len(heading_row("admin_penalty", first))
    lines = [
        ",".join(heading_row("admin_penalty", first)),
        ",".join(data_row("admin_penalty", first)),
        "," * (width - 1),
        "",
        ",".join([" "] * width),
        "\u3000," + "," * (width - 2),
        ",".join(data_row("admin_penalty", second)),
        "",
    ]
    (tmp_path / "admin_penalty.csv").write_text("\n".join(lines), encoding="utf-8")
    rows, sources = read(tmp_path)
    assert [r.values["record_id"] for r in rows] == ["AP-1", "AP-2"]
    assert sources[0].rows == 2
    assert [r.row for r in rows] == [2, 7]  # row numbers still count the blank lines, as a spreadsheet shows them


def test_blank_rows_are_not_counted_in_a_build(tmp_path: Path) -> None:
    records = tmp_path / "records"
    path = write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", decision_date="2026-06-01")])
    path.write_text(path.read_text(encoding="utf-8-sig") + ",,,\n\n,,,,\n", encoding="utf-8-sig")
    counts = build_site(tmp_path, records, AS_OF).counts
    assert counts.total() == 1 and counts.published["admin_penalty"] == 1 and not counts.quarantined


# --- Excel workbooks -------------------------------------------------------------------------------


def test_xlsx_with_a_date_cell_and_an_id_stored_as_text(tmp_path: Path) -> None:
    import openpyxl

    resident_id = make_resident_id("110108", "19850612", "027")
    data = row("admin_penalty", fine_amount="2.5", **person(id_no=resident_id))
    fields = [f for f in PENALTY.fields if f.name in data]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([f.title for f in fields])
    cells: list[object] = []
    for f in fields:
        if f.name == "decision_date":
            cells.append(datetime(2025, 3, 10))
        elif f.name == "fine_amount":
            cells.append(2.5)
        else:
            cells.append(data[f.name])
    sheet.append(cells)
    sheet.append([None] * len(fields))  # a blank row
    sheet.append([date(2025, 3, 11) if f.name == "decision_date" else data[f.name] for f in fields])
    id_column = [f.name for f in fields].index("id_no") + 1
    for line in (2, 4):
        sheet.cell(line, id_column).number_format = "@"
        sheet.cell(line, [f.name for f in fields].index("record_id") + 1).value = f"AP-{line}"
    book.save(tmp_path / "admin_penalty.xlsx")

    rows, sources = read(tmp_path)
    assert [s.encoding for s in sources] == ["xlsx"]
    assert len(sources[0].sha256) == 64
    assert sources[0].rows == 2 and [r.row for r in rows] == [2, 4]
    assert rows[0].values["decision_date"] == "2025-03-10"
    assert rows[1].values["decision_date"] == "2025-03-11"
    assert rows[0].values["id_no"] == resident_id
    assert rows[0].values["fine_amount"] == "2.5"
    assert rows[0].values["record_id"] == "AP-2"
    checked = Validator(PENALTY).validate(rows[0])
    assert isinstance(checked, Record), checked
    assert checked.values["decision_date"] == date(2025, 3, 10)
    assert checked.values["id_no"] == resident_id


def test_damaged_xlsx_stops_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "admin_penalty.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match=r"admin_penalty\.xlsx"):
        read(tmp_path)


# --- File layouts -----------------------------------------------------------------------------------


def test_item_folder_of_several_files(tmp_path: Path) -> None:
    import openpyxl

    write_csv(tmp_path / "admin_penalty" / "2025-b.csv", "admin_penalty", [row("admin_penalty", record_id="AP-B")])
    write_csv(tmp_path / "admin_penalty" / "2025-a.csv", "admin_penalty", [row("admin_penalty", record_id="AP-A")],
              encoding="gb18030")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    data = row("admin_penalty", record_id="AP-C")
    sheet.append(heading_row("admin_penalty", data))
    sheet.append(data_row("admin_penalty", data))
    book.save(tmp_path / "admin_penalty" / "2025-c.xlsx")
    (tmp_path / "admin_penalty" / "~$2025-c.xlsx").write_bytes(b"lock file of an open workbook")
    (tmp_path / "admin_penalty" / ".hidden.csv").write_text("junk", encoding="utf-8")

    rows, sources = read(tmp_path)
    assert [s.name for s in sources] == ["admin_penalty/2025-a.csv", "admin_penalty/2025-b.csv", "admin_penalty/2025-c.xlsx"]
    assert [s.encoding for s in sources] == ["gb18030", "utf-8-sig", "xlsx"]
    assert [(r.file, r.values["record_id"]) for r in rows] == [
        ("admin_penalty/2025-a.csv", "AP-A"), ("admin_penalty/2025-b.csv", "AP-B"), ("admin_penalty/2025-c.xlsx", "AP-C"),
    ]


def test_chinese_file_and_folder_names(tmp_path: Path) -> None:
    write_csv(tmp_path / "行政处罚.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")], encoding="gb18030")
    write_csv(tmp_path / "行政许可" / "杭州市.csv", "admin_license", [row("admin_license", record_id="XK-1")])
    write_csv(tmp_path / "行政许可" / "宁波市.csv", "admin_license", [row("admin_license", record_id="XK-2")])
    penalties, penalty_sources = read(tmp_path)
    licences, licence_sources = read(tmp_path, "admin_license")
    assert [s.name for s in penalty_sources] == ["行政处罚.csv"]
    assert [r.values["record_id"] for r in penalties] == ["AP-1"]
    assert sorted(s.name for s in licence_sources) == ["行政许可/宁波市.csv", "行政许可/杭州市.csv"]
    assert sorted(r.values["record_id"] for r in licences) == ["XK-1", "XK-2"]


def test_item_file_and_folder_together_are_both_read(tmp_path: Path) -> None:
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    write_csv(tmp_path / "admin_penalty" / "more.csv", "admin_penalty", [row("admin_penalty", record_id="AP-2")])
    write_csv(tmp_path / "行政处罚.csv", "admin_penalty", [row("admin_penalty", record_id="AP-3")])
    rows, _ = read(tmp_path)
    assert [r.values["record_id"] for r in rows] == ["AP-1", "AP-2", "AP-3"]


def test_upper_case_file_suffix_is_read(tmp_path: Path) -> None:
    """Windows exports often end in ``.CSV``. Inside an item folder it is read; beside it, too.

    Found while writing these tests: only lower-case ``<item>.csv``/``.xlsx`` used to be looked for at
    the top level, so ``admin_penalty.CSV`` was reported as unclaimed and its rows never read.
    """
    write_csv(tmp_path / "folder" / "admin_penalty" / "a.CSV", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    assert [s.name for s in find_sources(tmp_path / "folder", CATALOGUE)] == ["admin_penalty/a.CSV"]
    write_csv(tmp_path / "top" / "admin_penalty.CSV", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    assert [s.name for s in find_sources(tmp_path / "top", CATALOGUE)] == ["admin_penalty.CSV"]


def test_files_in_a_subfolder_of_an_item_folder_are_read_or_reported(tmp_path: Path) -> None:
    """Rows are never dropped silently: ``admin_penalty/2025/q1.csv`` is either read or named somewhere.

    Bug: ``_files_for`` lists only the files directly in ``<item>/`` and skips folders; since the item
    folder is claimed, ``unclaimed_paths`` does not name the subfolder either, so its rows vanish
    without a warning, a count or an audit line.
    """
    write_csv(tmp_path / "admin_penalty" / "a.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    write_csv(tmp_path / "admin_penalty" / "2025" / "q1.csv", "admin_penalty", [row("admin_penalty", record_id="AP-2")])
    sources = find_sources(tmp_path, CATALOGUE)
    read_names = [s.name for s in sources]
    reported = unclaimed_paths(tmp_path, sources)
    assert "admin_penalty/2025/q1.csv" in read_names or any("2025" in name for name in reported), (read_names, reported)


def test_rows_on_a_second_worksheet_are_read_or_reported(tmp_path: Path) -> None:
    """An .xlsx export with one worksheet per year: the rows of the second sheet must not vanish silently.

    Bug: ``_xlsx_rows`` reads ``book.worksheets[0]`` only and says nothing about the others.
    """
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "2024年"
    second = book.create_sheet("2025年")
    for sheet, record_id in ((first, "AP-1"), (second, "AP-2")):
        data = row("admin_penalty", record_id=record_id)
        sheet.append(heading_row("admin_penalty", data))
        sheet.append(data_row("admin_penalty", data))
    book.save(tmp_path / "admin_penalty.xlsx")
    rows, sources = read(tmp_path)
    ids = [r.values["record_id"] for r in rows]
    assert ids[0] == "AP-1"
    assert "AP-2" in ids or any("2025年" in w for w in sources[0].warnings), (ids, sources[0].warnings)


def test_unsupported_format_of_an_item_is_refused(tmp_path: Path) -> None:
    (tmp_path / "行政处罚.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(InputError, match=r"行政处罚\.xls"):
        find_sources(tmp_path, CATALOGUE)


def test_heading_only_file_has_no_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [sample()])
    path.write_text(path.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8-sig")
    rows, sources = read(tmp_path)
    assert rows == [] and sources[0].rows == 0 and sources[0].warnings == []


def test_empty_file_is_refused(tmp_path: Path) -> None:
    """A 0-byte item file (an export that failed halfway) must not empty its item in silence (issue 8)."""
    (tmp_path / "admin_penalty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"admin_penalty.csv' is empty"):
        read(tmp_path)


# --- duplicate columns, repeated headings, hidden files, unnamed columns, long cells ------------------------------


def with_second_column(path: Path, heading: str, cells: list[str]) -> None:
    """Append a column ``heading`` to a file written by ``write_csv``, one cell a data row."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == len(cells) + 1
    path.write_text("\n".join([f"{lines[0]},{heading}", *(f"{line},{cell}" for line, cell in zip(lines[1:], cells, strict=True))]) + "\n",
                    encoding="utf-8-sig")


@pytest.mark.parametrize(("field", "heading", "first", "second"), [
    ("disclosure_level", "公开属性", "公开", "授权查询"),
    ("disclosure_level", "共享公开属性", "公开", "政务共享"),
    ("publish_status", "审核状态", "已审核", "审核不通过"),
    ("decision_date", "决定日期", "2026-06-01", "2025-01-01"),
])
def test_two_columns_of_one_field_with_different_values_quarantine_the_row(
        tmp_path: Path, field: str, heading: str, first: str, second: str) -> None:
    """Bug: the first column won, with only a file warning "仅使用第一列": a row whose second 公开属性 said 授权查询
    was published."""
    rows = [row("admin_penalty", record_id=f"AP-{n}", **({"decision_date": "2026-06-01"} | {field: first})) for n in range(4)]
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", rows)
    same = "2026/6/1" if field == "decision_date" else "社会公开" if field == "disclosure_level" else "审核通过"
    with_second_column(path, heading, [second, "", same, first])
    read_rows_, sources = read(tmp_path)
    assert any(heading in w and field in w for w in sources[0].warnings), sources[0].warnings
    results = [Validator(PENALTY).validate(r) for r in read_rows_]
    bad = results[0]
    assert isinstance(bad, Quarantined) and bad.record_id == "AP-0"
    [problem] = bad.problems
    assert problem.type == "duplicate-column" and problem.column == PENALTY.field(field).title
    assert first in problem.message and second in problem.message and heading in problem.message
    assert all(isinstance(r, Record) for r in results[1:]), results[1:]  # one empty, the same value, the same meaning


def test_the_second_column_fills_an_empty_first(tmp_path: Path) -> None:
    rows = [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", disclosure_level="")]
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", rows)
    with_second_column(path, "共享公开属性", ["授权查询"])
    result = Validator(PENALTY).validate(read(tmp_path)[0][0])
    assert isinstance(result, Record) and result.values["disclosure_level"] == "authorised"


def test_a_repeated_heading_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """Exports joined together repeat the heading mid-file; it was read as a data row (its cells became withheld
    values, which then stopped the build as leaks)."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty",
                     [row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01") for n in range(1, 4)])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    again = "\ufeff" + lines[0].replace("（万元）", "(万元)").replace("记录编号", "记录编号 ")  # normalised like the heading
    path.write_text("\n".join([lines[0], lines[1], again, lines[2], lines[3]]) + "\n", encoding="utf-8-sig")
    rows, sources = read(tmp_path)
    assert [(r.row, r.values["record_id"]) for r in rows] == [(2, "AP-1"), (4, "AP-2"), (5, "AP-3")]
    assert sources[0].rows == 3
    assert [w for w in sources[0].warnings if "表头" in w] == ["第3行与表头相同（可能是几份导出拼接而成），已作为表头跳过，不计入数据行"]


def test_a_repeated_heading_in_a_build_is_counted_nowhere_and_leaks_nothing(tmp_path: Path) -> None:
    records = tmp_path / "records"
    path = write_csv(records / "admin_penalty.csv", "admin_penalty",
                     [row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01") for n in range(1, 3)])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0], lines[1], lines[0], lines[2]]) + "\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    manifest = json.loads((result.output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["input_rows"] == 2 and manifest["counts"]["published"] == 2
    assert "表头" in (result.audit / "warnings.csv").read_text(encoding="utf-8")


def test_hidden_and_lock_files_in_an_item_folder_are_listed_as_ignored(tmp_path: Path) -> None:
    """Bug: ``records/admin_penalty/.b.csv`` was skipped without a trace."""
    write_csv(tmp_path / "admin_penalty" / "a.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    write_csv(tmp_path / "admin_penalty" / ".b.csv", "admin_penalty", [row("admin_penalty", record_id="AP-2")])
    write_csv(tmp_path / "admin_penalty" / "2025" / ".c.csv", "admin_penalty", [row("admin_penalty", record_id="AP-3")])
    (tmp_path / "admin_penalty" / "~$d.xlsx").write_bytes(b"lock")
    write_csv(tmp_path / ".judgment.csv", "judgment", [row("judgment")])
    sources = find_sources(tmp_path, CATALOGUE)
    assert [s.name for s in sources] == ["admin_penalty/a.csv"]
    ignored = unclaimed_paths(tmp_path, sources)
    for name in (".judgment.csv", "admin_penalty/.b.csv", "admin_penalty/2025/.c.csv", "admin_penalty/~$d.xlsx"):
        assert any(i.startswith(name) for i in ignored), (name, ignored)


def test_data_under_an_empty_heading_is_warned_about(tmp_path: Path) -> None:
    """Bug: a column with no heading but data in its cells was dropped without a word."""
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty"), row("admin_penalty", record_id="AP-2")])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text(f"{lines[0]},,\n{lines[1]},,\n{lines[2]},藏在无名列的数据,\n", encoding="utf-8-sig")
    _, sources = read(tmp_path)
    width = len(lines[0].split(","))
    [warning] = sources[0].warnings
    assert f"第{width + 1}列" in warning and "第3行" in warning and "没有列名" in warning


def test_a_cell_over_the_limit_is_cell_too_long_with_its_column_and_record_id(tmp_path: Path) -> None:
    """Bug: quarantined as ``broken-quoting`` ("请修正引号"), the record id taken from the raw line."""
    from site_builder.sources.loading import MAX_CELL

    rows = [row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01", violation_facts="事实") for n in range(1, 4)]
    rows[1]["violation_facts"] = "长" * (MAX_CELL + 5)
    write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", rows)
    raws, _ = read(tmp_path)
    assert [r.values["record_id"] for r in raws] == ["AP-1", "AP-2", "AP-3"]
    result = Validator(PENALTY).validate(raws[1])
    assert isinstance(result, Quarantined) and result.record_id == "AP-2"
    [problem] = result.problems
    assert (problem.type, problem.column) == ("cell-too-long", "违法事实")
    assert "引号" not in problem.message and str(MAX_CELL) in problem.message
    assert raws[1].values["violation_facts"] == ""  # never read further
    assert isinstance(Validator(PENALTY).validate(raws[2]), Record)


def gb18030_with_utf8_cell(records: Path, pasted: str, whole: bool = True) -> Path:
    """A GB18030 penalty file whose second row's 处罚内容 cell was pasted as UTF-8 bytes (all of it, or its start)."""
    rows = [row("admin_penalty", record_id="AP-1", penalty_content="处以罚款人民币一万元"),
            row("admin_penalty", record_id="AP-2", penalty_content="PASTED")]
    path = write_csv(records / "admin_penalty.csv", "admin_penalty", rows, encoding="gb18030")
    cell = pasted.encode("utf-8") if whole else pasted.encode("utf-8") + "人民币一万元".encode("gb18030")
    path.write_bytes(path.read_bytes().replace(b"PASTED", cell))
    return path


@pytest.mark.parametrize(("pasted", "whole"), [("处以罚款人民币三万元", True), ("张三", True), ("处以罚款", False)])
def test_a_cell_pasted_as_utf8_into_a_gb18030_file_is_quarantined(tmp_path: Path, pasted: str, whole: bool) -> None:
    """Read as GB18030, ``处以罚款`` would be ``澶勪互缃氭``: the row is quarantined, naming file, row, column and what the
    cell reads as in UTF-8, and the mojibake is never published."""
    records = tmp_path / "records"
    gb18030_with_utf8_cell(records, pasted, whole)
    rows, reports = read(records)
    assert reports[0].encoding == "gb18030"
    assert [r.defects for r in rows][0] == ()
    [(column, slug, message)] = rows[1].defects
    assert (rows[1].file, rows[1].row, column, slug) == ("admin_penalty.csv", 3, "处罚内容", "mixed-encoding")
    assert "第3行列“处罚内容”" in message and f"按UTF-8应为“{pasted}”" in message, message
    checked = Validator(PENALTY).validate(rows[1])
    assert isinstance(checked, Quarantined) and checked.record_id == "AP-2"


def test_genuine_gb18030_text_is_not_taken_for_utf8(tmp_path: Path) -> None:
    """The demo's GB18030 penalties and every Chinese cell of the demo and of the catalogue's titles, written as
    GB18030, are read without a ``mixed-encoding`` defect (names such as 谢霞 are valid UTF-8 bytes in GB18030, but
    read as Cyrillic: not Chinese text)."""
    from site_builder.sources.csvfile import utf8_reading

    demo = ROOT / "data" / "records"
    rows, reports = read(demo)
    assert reports[0].encoding == "gb18030" and len(rows) > 300
    assert not [r for r in rows if any(d[1] == "mixed-encoding" for d in r.defects)]
    cells = {cell for path in demo.glob("*.csv") for line in csv.reader(path.read_bytes().decode("gb18030"
             if path.name == "admin_penalty.csv" else "utf-8-sig").splitlines()) for cell in line}
    cells |= {f.title for item in CATALOGUE.items for f in item.fields} | {"谢霞", "郑伟", "谢志强", "郑志平"}
    assert [c for c in cells if utf8_reading(c)] == []
    assert utf8_reading("处以罚款".encode().decode("gb18030")) == "处以罚款"


def test_a_file_neither_utf8_nor_gb18030_names_the_lines_where_each_fails(tmp_path: Path) -> None:
    records = tmp_path / "records"
    gb18030_with_utf8_cell(records, "处以罚款人民币", whole=True)  # 21 bytes: GB18030 cannot pair the last one
    with pytest.raises(InputError, match=r"neither UTF-8 nor GB18030 text \(as UTF-8 it cannot be read from line 1 on; "
                                         r"as GB18030 it cannot be read from line 3 on\)"):
        read(records)


def test_two_columns_of_a_withheld_field_are_named_without_their_values(tmp_path: Path) -> None:
    """A quarantine message is kept and shown to the operator: it names the two columns of a withheld field (法定代表人
    证件号码) but repeats neither ID number."""
    first, second = "330106199003071236", "110108197501025550"
    rows = [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep_id_no=first)]
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", rows)
    with_second_column(path, "法定代表人身份证号", [second])
    [problem] = Validator(PENALTY).validate(read(tmp_path)[0][0]).problems  # type: ignore[union-attr]
    assert problem.type == "duplicate-column" and "法定代表人身份证号" in problem.message
    assert first not in problem.message and second not in problem.message
