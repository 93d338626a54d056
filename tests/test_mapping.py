"""Exports in their own words: built-in aliases from real publications, a site's [columns] mapping for
files and databases, and messages that help write the mapping."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import CATALOGUE, ROOT, row, write_csv
from dbsupport import tree

from site_builder.build import build
from site_builder.config import Config, load_config
from site_builder.exceptions import ConfigError, InputError
from site_builder.rules.catalogue import Catalogue, normalise_title
from site_builder.rules.validation import Quarantined, Record, Validator
from site_builder.sources.headings import map_header, refused_columns
from site_builder.sources.loading import FileReport, RawRow, SourceFile, read_rows
from site_builder.sources.mapping import ColumnSettings, apply_columns

AS_OF = date(2025, 6, 1)
ALIASES = {
    "admin_penalty": {
        "当事人名称": "subject_name", "被处罚当事人": "subject_name", "被处罚单位（被处罚人）": "subject_name",
        "行政相对人名称/被处罚人": "subject_name", "法定代表人（或单位负责人）": "legal_rep",
        "作出处罚决定的机关名称": "authority", "作出决定机关": "authority", "作出处罚决定的日期": "decision_date",
        "作出行政处罚的日期": "decision_date", "主要违法违规行为": "violation_facts", "行政处罚内容": "penalty_content",
    },
    "admin_license": {"作出许可决定的日期": "decision_date", "发证机关": "authority", "有效期截止日期": "valid_until"},
    "commendation": {"授予单位": "authority", "荣誉称号": "honour_name"},
    "dishonest_list": {"认定部门": "authority", "纳入日期": "decision_date", "列入事由": "reason"},
    "judgment": {"法院名称": "authority", "作出判决的日期": "decision_date", "裁判文书号": "case_no"},
}
# Headings of a sector system's export: the built-in aliases above for some columns, its own words for the rest.
THEIR_WORDS = {
    "record_id": "信息ID", "publish_status": "审核结果", "disclosure_level": "公开范围", "subject_name": "当事人名称",
    "subject_category": "相对人类型", "uscc": "信用代码", "legal_rep": "法定代表人（或单位负责人）", "decision_no": "文书编号",
    "violation_facts": "主要违法违规行为", "penalty_content": "行政处罚内容", "decision_date": "作出处罚决定的日期",
    "authority": "作出处罚决定的机关名称", "severity": "严重程度", "procedure": "程序",
}
MAPPING = """[columns]
"信息ID" = "record_id"
"审核结果" = "publish_status"
"公开范围" = "disclosure_level"

[columns.admin_penalty]
"相对人类型" = "subject_category"
"信用代码" = "uscc"
"文书编号" = "decision_no"
"严重程度" = "severity"
"程序" = "procedure"
"""


@pytest.mark.parametrize("item", sorted(ALIASES))
def test_aliases_from_real_publications(item: str) -> None:
    index = CATALOGUE[item].header_index()
    assert {h: index.get(normalise_title(h)) for h in ALIASES[item]} == ALIASES[item]


def _rows() -> list[dict[str, str]]:
    return [row("admin_penalty", record_id=f"AP-{n}", decision_no=f"杭市监罚〔2025〕{n}号", legal_rep="王伟",
                violation_facts=f"当事人经营超过保质期的食品{n}批次", penalty_content="罚款", decision_date=f"2025-0{n}-10",
                severity="严重" if n % 2 else "一般")
            for n in range(1, 6)]


def _site(folder: Path, columns: str = "", records: str = "records") -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site_builder.toml").write_text(
        f'[paths]\nrecords = "{records}"\noutput = "output"\naudit = "audit"\n[search]\nenabled = false\n{columns}',
        encoding="utf-8")
    return load_config(folder / "site_builder.toml")


def _their_file(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(THEIR_WORDS.values())
        writer.writerows([[r.get(name, "") for name in THEIR_WORDS] for r in rows])
    return path


def test_their_words_with_a_mapping_build_the_national_files_records(tmp_path: Path) -> None:
    write_csv(tmp_path / "national" / "records" / "admin_penalty.csv", "admin_penalty", _rows())
    _their_file(tmp_path / "theirs" / "records" / "admin_penalty.csv", _rows())
    national = build(_site(tmp_path / "national"), AS_OF)
    theirs = build(_site(tmp_path / "theirs", MAPPING), AS_OF)
    assert national.counts.total() == theirs.counts.total() == 5
    assert sum(theirs.counts.published.values()) == sum(national.counts.published.values()) > 0
    assert theirs.sources[0].warnings == [] and not theirs.counts.quarantined
    leave_out = frozenset({"manifest.json", "chain.json"})
    ours, others = tree(tmp_path / "national" / "output", leave_out), tree(tmp_path / "theirs" / "output", leave_out)
    assert ours["data/admin_penalty.csv"] == others["data/admin_penalty.csv"]
    assert [p for p in ours if p.startswith("record/")] == [p for p in others if p.startswith("record/")] != []
    assert ours == others  # record pages, subject pages, data package: the whole site


def test_a_mapping_applies_to_database_columns_too(tmp_path: Path) -> None:
    write_csv(tmp_path / "national" / "records" / "admin_penalty.csv", "admin_penalty", _rows())
    url = f"sqlite:///{tmp_path / 'theirs' / 'platform.db'}"
    (tmp_path / "theirs").mkdir()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{h}" TEXT' for h in THEIR_WORDS.values())
        conn.execute(sa.text(f'CREATE TABLE "行政处罚" ("id" INTEGER PRIMARY KEY, {names})'))
        conn.execute(sa.text(f'INSERT INTO "行政处罚" VALUES (:id, {", ".join(f":c{i}" for i in range(len(THEIR_WORDS)))})'),
                     [{"id": n} | {f"c{i}": r.get(k, "") for i, k in enumerate(THEIR_WORDS)} for n, r in enumerate(_rows())])
    engine.dispose()
    build(_site(tmp_path / "national"), AS_OF)
    theirs = build(_site(tmp_path / "theirs", '[sources]\nurl = "sqlite:///platform.db"\n' + MAPPING), AS_OF)
    assert [(s.name, s.rows, s.warnings) for s in theirs.sources] == [("<行政处罚>", 5, [])]
    leave_out = frozenset({"manifest.json", "chain.json"})
    assert tree(tmp_path / "national" / "output", leave_out) == tree(tmp_path / "theirs" / "output", leave_out)
    manifest = json.loads((tmp_path / "theirs" / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["records"][0]["database"] == "sqlite:///platform.db"


def test_mapping_errors_are_all_named_with_the_closest_names(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    config = _site(tmp_path, '[columns]\n"X" = "recordid"\n[columns.admin_penalty]\n"当事人" = "subject_nam"\n'
                             '"处罚机关" = "decision_no"\n[columns.admin_penalti]\n"Y" = "uscc"\n'
                             '[sources]\nurl = "sqlite:///x.db"\n[sources.judgement]\ntable = "pj"\n')
    with pytest.raises(ConfigError) as caught:
        build(config, AS_OF)
    message = str(caught.value)
    for line in ("Config value 'columns.X': unknown field 'recordid' (closest: record_id",
                 "Config value 'columns.admin_penalty.当事人': unknown field 'subject_nam' of admin_penalty (closest: subject_name",
                 "Config value 'columns.admin_penalty.处罚机关': is the catalogue's own name of field authority",
                 "Config value 'columns.admin_penalti': unknown catalogue item (closest: admin_penalty",
                 "Config value 'sources.judgement': unknown catalogue item (closest: judgment"):
        assert line in message, message


def test_malformed_sections_are_refused_when_the_configuration_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "site_builder.toml").write_text(
        '[columns]\n"X" = 3\n[columns.admin_penalty]\n"Y" = ""\n[sources]\nyield_per = 0\nhost = "h"\n'
        '[sources.admin_penalty]\ntable = "a"\nquery = "SELECT 1"\nitem_column = "k"\ncolour = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "site_builder.toml")
    message = str(caught.value)
    for where in ("'columns.X'", "'columns.admin_penalty.Y'", "'sources.yield_per'", "'sources.host'",
                  "'sources.admin_penalty': give exactly one of 'table' and 'query'",
                  "'sources.admin_penalty': 'item_column' and 'item_values' go together", "'sources.admin_penalty.colour'"):
        assert f"Config value {where}" in message, message


def test_unrecognised_headings_are_listed_with_the_closest_titles(tmp_path: Path) -> None:
    path = tmp_path / "admin_penalty.csv"
    path.write_text("行政处罚信息公示表\n序列号,处罚对象,处罚决定作出日期,处罚单位,罚没款\n1,某公司,2025-01-01,某局,3\n",
                    encoding="utf-8")
    item = CATALOGUE["admin_penalty"]
    with pytest.raises(InputError) as caught:
        list(read_rows(SourceFile("admin_penalty", path, path.name), item))
    message = str(caught.value)
    assert "unrecognised headings: 序列号、处罚对象、处罚决定作出日期、处罚单位、罚没款" in message
    assert "[columns.admin_penalty]" in message
    assert '"处罚决定作出日期" = "decision_date"  # 最接近：处罚决定日期' in message


def test_unknown_column_warning_suggests_the_closest_title(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")])
    text = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([text[0] + ",处罚机关名称全称", text[1] + ",x"]) + "\n", encoding="utf-8")
    report = FileReport(SourceFile("admin_penalty", path, path.name))
    assert len(list(read_rows(report.source, CATALOGUE["admin_penalty"], report))) == 1
    assert any(w.startswith("未知列“处罚机关名称全称”") and "最接近的目录列：处罚机关" in w for w in report.warnings), report.warnings


def test_demo_configuration_is_untouched() -> None:
    """The repository's own configuration still loads (no [sources], no [columns]): builds read data/records."""
    config = load_config(ROOT / "site_builder.toml")
    assert config.sources.url == "" and config.columns.shared == () and config.columns.items == ()


# --- Headings in other words: units, spellings, numbered columns, columns that decide publication ----------------------

PENALTY = CATALOGUE["admin_penalty"]


def _checked(path: Path, item_id: str = "admin_penalty",
             catalogue: Catalogue = CATALOGUE) -> tuple[list[Record | Quarantined], FileReport]:
    """Every row of ``path`` read and validated as the build does, and what reading found."""
    item = catalogue[item_id]
    report = FileReport(SourceFile(item_id, path, path.name))
    validator = Validator(item)
    return [validator.validate(raw) for raw in read_rows(report.source, item, report)], report


def _file(path: Path, columns: dict[str, list[str]]) -> Path:
    """A CSV file of the given columns (heading -> one value a row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(zip(*columns.values(), strict=True))
    return path


def _penalties(n: int, **extra: list[str]) -> dict[str, list[str]]:
    base = row("admin_penalty")
    columns = {PENALTY.field(name).title: [base[name]] * n for name in base if name != "record_id"}
    return {"记录编号": [f"AP-{i}" for i in range(n)], **columns, **extra}


@pytest.mark.parametrize(("heading", "cells", "expected"), [
    ("罚款金额（元）", ["8000", "1.2万", "80,000", "无"], ["0.8", "1.2", "8", None]),
    ("罚款金额(千元)", ["5", "300元"], ["0.5", "0.03"]),
    ("罚款金额（单位：元）", ["12345.6"], ["1.23456"]),
    ("罚款金额（万元）", ["8000"], ["8000"]),
])
def test_an_amount_is_read_in_the_unit_its_heading_states(tmp_path: Path, heading: str, cells: list[str],
                                                           expected: list[str | None]) -> None:
    path = _file(tmp_path / "admin_penalty.csv", _penalties(len(cells), **{heading: cells}))
    checked, report = _checked(path)
    assert all(isinstance(r, Record) for r in checked), checked
    assert [r.values["fine_amount"] for r in checked if isinstance(r, Record)] == [
        None if e is None else Decimal(e) for e in expected]
    if "万元" not in heading:
        assert any(heading in w and "换算为目录的单位（万元）" in w for w in report.warnings), report.warnings


def test_an_amount_heading_mapped_by_the_operator_is_read_in_its_unit(tmp_path: Path) -> None:
    """The warning for 罚款金额（元） points at 罚款金额（万元）; mapping it so must not publish 元 as 万元."""
    path = _file(tmp_path / "admin_penalty.csv", _penalties(2, **{"罚款金额（元）": ["1000", "80000"]}))
    columns = ColumnSettings(items=(("admin_penalty", (("罚款金额（元）", "fine_amount"),)),))
    mapped = apply_columns(CATALOGUE, columns)
    checked, _ = _checked(path, catalogue=mapped)
    assert [r.values["fine_amount"] for r in checked if isinstance(r, Record)] == [Decimal("0.1"), Decimal(8)]


def test_an_amount_in_yuan_beside_its_rounded_amount_in_wan_yuan_is_one_amount(tmp_path: Path) -> None:
    """Bug: 罚款金额（元） 12345 beside 罚款金额（万元） 1.23 (rounded to two places, as such columns often are) quarantined
    the penalty as two different values; it had been published with 1.23 before 罚款金额（元） was read."""
    path = _file(tmp_path / "admin_penalty.csv", _penalties(
        4, **{"罚款金额（元）": ["12345", "12355", "12345", "10001"], "罚款金额（万元）": ["1.23", "1.23", "1.3", "1"]}))
    checked, _ = _checked(path)
    assert [r.values["fine_amount"] if isinstance(r, Record) else r.problems[0].type for r in checked] == [
        Decimal("1.2345"), Decimal("1.2355"),  # rounded half up, or cut: the finer one holds
        "duplicate-column", "duplicate-column"]  # not its rounding; and a whole number is too coarse to tell


def test_an_amount_in_a_foreign_currency_quarantines_the_rows(tmp_path: Path) -> None:
    path = _file(tmp_path / "admin_penalty.csv", _penalties(1, **{"罚款金额（美元）": ["500"]}))
    [checked], _ = _checked(path)
    assert isinstance(checked, Quarantined) and checked.problems[0].type == "unmapped-column", checked
    columns = ColumnSettings(items=(("admin_penalty", (("罚款金额（美元）", "fine_amount"),)),))
    [mapped], _ = _checked(path, catalogue=apply_columns(CATALOGUE, columns))
    assert isinstance(mapped, Quarantined) and mapped.problems[0].type == "amount-unit", mapped
    assert "外币" in mapped.problems[0].message


def _headings(item: str, headings: list[str]) -> tuple[dict[int, str], list[str]]:
    """Columns mapped and the headings refused (as deciding publication) in a heading row of ``item``."""
    warnings: list[str] = []
    columns = map_header(warnings, CATALOGUE[item], headings, {})
    refused = refused_columns(warnings, CATALOGUE[item], headings, columns)
    return columns, [heading for heading, _, _ in refused]


CONTROL = ["记录编号", "发布状态", "公开属性"]


@pytest.mark.parametrize(("item", "heading", "field"), [
    ("admin_penalty", "公示截至日期", "disclosure_deadline"), ("admin_penalty", "公示截至", "disclosure_deadline"),
    ("admin_penalty", "公示截止", "disclosure_deadline"), ("admin_penalty", "公示结束时间", "disclosure_deadline"),
    ("admin_penalty", "公示到期时间", "disclosure_deadline"), ("admin_license", "公示截至时间", "disclosure_deadline"),
    ("commendation", "有效期截至日期", "valid_until"), ("dishonest_list", "移出名单时间", "removal_date"),
    ("admin_penalty", "信用修复日", "repair_date"), ("admin_penalty", "处罚类别2", "penalty_type"),
])
def test_a_deciding_column_spelled_otherwise_is_read(item: str, heading: str, field: str) -> None:
    columns, refused = _headings(item, [*CONTROL, heading])
    assert columns.get(3) == field and not refused


@pytest.mark.parametrize(("item", "heading"), [
    ("admin_penalty", "公示终止日期"), ("admin_penalty", "终止公示日期"), ("admin_penalty", "停止公示日期"),
    ("admin_penalty", "公示期满日"), ("admin_license", "公示终止时间"), ("commendation", "荣誉终止日期"),
    ("dishonest_list", "解除日期"), ("dishonest_list", "撤出名单时间"),
    ("admin_penalty", "修复状态"), ("admin_penalty", "是否修复"), ("admin_penalty", "信用修复情况"),
    ("admin_penalty", "罚没款金额"), ("admin_penalty", "没收财物价值"), ("admin_penalty", "吊销证照"),
    ("admin_penalty", "撤销日期"),
])
def test_a_heading_that_may_decide_publication_quarantines_until_mapped(item: str, heading: str) -> None:
    _, refused = _headings(item, [*CONTROL, heading])
    assert refused == [heading]


@pytest.mark.parametrize("heading", ["修复状态", "是否修复", "信用修复情况"])
def test_a_repair_state_is_refused_beside_the_repair_date(heading: str) -> None:
    """The catalogue knows only when a record was repaired: a column saying whether it was cannot be read."""
    _, refused = _headings("admin_penalty", [*CONTROL, "信用修复日期", heading])
    assert refused == [heading]


@pytest.mark.parametrize(("heading", "field"), [
    ("異議狀態", "objection_status"), ("異议状态", "objection_status"), ("異議提出日期", "objection_date"),
    ("信用修復日期", "repair_date"), ("當前狀態", "decision_status"), ("處罰類別", "penalty_type"),
    ("處罰內容", "penalty_content"), ("罰款金額（萬元）", "fine_amount"),
])
def test_a_heading_in_traditional_characters_is_read(heading: str, field: str) -> None:
    """Bug (a tester's): a deciding column headed in traditional characters (``異議狀態``) was an unknown column, read as
    nothing with a warning only, and its records under objection, revoked or repaired were published."""
    columns, refused = _headings("admin_penalty", [*CONTROL, heading])
    assert columns.get(3) == field and not refused


def test_an_amount_under_a_heading_in_traditional_characters_is_read_in_its_unit(tmp_path: Path) -> None:
    """``罰款金額（萬元）`` 5 is 5 万元, not 5 元 (the unit was looked for in the heading as written: 萬 is no 万)."""
    path = _file(tmp_path / "admin_penalty.csv", _penalties(2, **{"罰款金額（萬元）": ["5", "1.2萬"]}))
    checked, _ = _checked(path)
    assert [r.values["fine_amount"] for r in checked if isinstance(r, Record)] == [Decimal(5), Decimal("1.2")]


@pytest.mark.parametrize("heading", ["公示有效期至", "公示有效截止日期", "公示止日", "公示止期", "公示至日期"])
@pytest.mark.parametrize("item", ["admin_penalty", "admin_license"])
def test_an_end_of_publication_in_other_words_is_read(item: str, heading: str) -> None:
    """Bug (a tester's): a file without 公示截止期 whose end stood under 公示有效期至 was published past it (the heading
    was only warned about). ``公示有效期`` alone (a length, ``1年``, as often as a date) stays unknown."""
    columns, refused = _headings(item, [*CONTROL, heading])
    assert columns.get(3) == "disclosure_deadline" and not refused


@pytest.mark.parametrize("heading", ["案件状态", "处罚决定书状态", "当前处罚决定状态", "处罚决定当前状态", "记录当前状态", "数据状态",
                                     "信息状态", "有效状态", "状态", "推送状态", "同步状态", "數據狀態"])
def test_a_column_that_may_state_the_record_state_withholds_only_the_rows_saying_revoked(tmp_path: Path,
                                                                                          heading: str) -> None:
    """Bug (a tester's): a penalty file without 当前状态 whose record's state stood under another heading (案件状态 撤销)
    published the revoked penalty. My first version quarantined every row of such a file, and a harm tester showed a
    platform's own columns (推送状态, 同步状态, 数据状态: 47 of 50 such headings) withhold every penalty of it: only the
    rows whose state reads as a revocation, an objection or a record no longer valid are quarantined now. My second
    version looked for such words anywhere in the state, and a second harm tester showed valid penalties withheld
    for 未撤销, 无异议, 异议不成立, 撤回推送: the whole state must say it now."""
    states = ["撤销", "已撤銷", "异议处理中", "无效", "被撤销处罚决定", "作废", "已推送", "1", "有效", "", "正常", "未撤销", "无异议",
              "异议不成立", "不存在异议", "撤回推送", "当事人撤回诉讼", "无效数据已修正", "未删除"]
    path = _file(tmp_path / "admin_penalty.csv", _penalties(len(states), **{heading: states}))
    checked, report = _checked(path)
    # Stop 41: a bare code under a heading naming the record's own state (数据状态, 有效状态, 状态), not a platform's
    # (推送状态) or another thing's (案件状态), is withheld: what it means is not known (有效状态 0 无效, 当前状态 0 正常).
    code = "unmapped-column" if normalise_title(heading) in ("数据状态", "信息状态", "有效状态", "状态") else "published"
    assert [r.problems[0].type if isinstance(r, Quarantined) else "published" for r in checked] == [
        "unmapped-column"] * 6 + ["published", code] + ["published"] * 11
    assert any(heading in w and "当前状态" in w and "撤销" in w for w in report.warnings), report.warnings
    _, refused = _headings("admin_penalty", [*CONTROL, heading])
    assert refused == []


@pytest.mark.parametrize("heading", ["经营状态", "登记状态", "企业状态"])
def test_the_state_of_the_subject_is_not_refused(heading: str) -> None:
    _, refused = _headings("admin_penalty", [*CONTROL, heading])
    assert refused == []


def test_a_state_beside_the_current_state_is_not_refused() -> None:
    _, refused = _headings("admin_penalty", [*CONTROL, "当前状态", "数据状态"])
    assert refused == []


@pytest.mark.parametrize(("field", "written", "code"), [
    ("publish_status", "已審核", "approved"), ("disclosure_level", "公開", "public"),
    ("disclosure_level", "授權查詢", "authorised"), ("objection_status", "處理中", "pending"),
    ("decision_status", "撤消", "revoked"), ("decision_status", "已撤消", "revoked")])
def test_a_value_in_traditional_characters_or_a_variant_is_read(field: str, written: str, code: str) -> None:
    """A tester's: these were quarantined as unknown values (no record published that should not be, but none that
    should be either)."""
    from site_builder.rules.validation import enum_code
    assert enum_code(PENALTY.field(field), written) == code


def test_an_objection_result_beside_the_objection_status_is_not_refused() -> None:
    _, refused = _headings("admin_penalty", [*CONTROL, "异议状态", "异议结果"])
    assert refused == []


def test_the_penalty_status_of_the_2016_standard_decides_in_words_or_codes() -> None:
    columns, _ = _headings("admin_penalty", [*CONTROL, "当前状态"])
    status = columns[3]
    assert PENALTY.field(status).role == "decision_status"
    for text in ("0", "1", "2", "正常", "撤销", "异议"):
        assert isinstance(Validator(PENALTY).validate(RawRow("admin_penalty", "x.csv", 2, row("admin_penalty", **{status: text}))),
                          Record), text


def test_information_use_scope_is_the_disclosure_level(tmp_path: Path) -> None:
    levels = ["社会公开", "政务共享", "授权查询"]
    columns = {("信息使用范围" if k == "公开属性" else k): v for k, v in _penalties(3).items()}
    columns["信息使用范围"] = levels
    checked, _ = _checked(_file(tmp_path / "admin_penalty.csv", columns))
    assert [r.values["disclosure_level"] for r in checked if isinstance(r, Record)] == ["public", "government", "authorised"]


def test_two_penalty_kind_columns_are_read_together_and_not_withheld_as_a_warning(tmp_path: Path) -> None:
    """The 2016 layout: 处罚类别1 警告, 处罚类别2 罚款, the fine in 元; the penalty is a fine, not a warning alone."""
    columns = {k: v for k, v in _penalties(2).items() if k != "处罚类别"} | {"处罚决定日期": ["2026-06-01"] * 2}
    columns |= {"处罚类别1": ["警告", "警告"], "处罚类别2": ["罚款", ""], "处罚内容": ["警告", "警告"],
                "罚款金额（元）": ["8000", "0"]}
    records = tmp_path / "records"
    _file(records / "admin_penalty.csv", columns)
    checked, report = _checked(records / "admin_penalty.csv")
    assert [r.values["penalty_type"] for r in checked if isinstance(r, Record)] == ["警告；罚款", "警告"]
    assert not any("duplicate" in w or "未知列“处罚类别2”" in w for w in report.warnings), report.warnings
    result = build(_site(tmp_path), date(2026, 12, 1))
    assert result.counts.published["admin_penalty"] == 1
    assert sum(result.counts.excluded.get("admin_penalty", {}).values()) == 1


def test_a_second_penalty_kind_column_mapped_by_the_operator_is_joined(tmp_path: Path) -> None:
    columns = _penalties(1) | {"处罚类别": ["警告"], "类别二": ["罚款"]}
    mapped = apply_columns(CATALOGUE, ColumnSettings(items=(("admin_penalty", (("类别二", "penalty_type"),)),)))
    [checked], _ = _checked(_file(tmp_path / "admin_penalty.csv", columns), catalogue=mapped)
    assert isinstance(checked, Record) and checked.values["penalty_type"] == "警告；罚款", checked


def test_a_penalty_kind_written_as_a_code_is_quarantined(tmp_path: Path) -> None:
    columns = _penalties(2) | {"处罚类别": ["01", "警告"], "处罚内容": ["警告", "警告"]}
    coded, words = _checked(_file(tmp_path / "admin_penalty.csv", columns))[0]
    assert isinstance(coded, Quarantined) and [(p.column, p.type) for p in coded.problems] == [("处罚类别", "code")]
    assert "写明处罚种类" in coded.problems[0].message
    assert isinstance(words, Record)
