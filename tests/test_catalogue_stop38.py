"""Spellings of provincial exports the catalogue did not know, which a tester found published wrongly or not at all
(stop 38).

A heading of the legal representative's ID number (法定代表人身份证号码 …) that was no alias: the column was ignored, and
the number the record itself holds was published unmasked where the record repeats it; the 登记信息 had no such field
at all. Headings of dates, authorities, categories and states that quarantined every row or dropped a state, and
values of 行政相对人类别 and 发布状态 that mean a listed value but were quarantined as ``enum``.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, build_site, make_resident_id, row, validate

from site_builder.build import BuildResult
from site_builder.rules.catalogue import normalise_title
from site_builder.rules.validation import Record

AS_OF = date(2026, 11, 24)
REP_ID = make_resident_id("330102", "19800707", "071")
REP_BODY = REP_ID[:17]
WRONG_CHECK = "X" if REP_ID[-1] != "X" else "0"
"""The representative's number as an address or a judgment repeats it: its 17 digits, with a wrong check character."""


def _export(path: Path, item: str, rows: list[dict[str, str]], headings: dict[str, str] | None = None) -> Path:
    """Rows of ``item`` (by English field name) under the catalogue's titles, those of ``headings`` (field name -> the
    export's heading) replaced, as a UTF-8 CSV with a BOM."""
    spec = CATALOGUE[item]
    names = [f.name for f in spec.fields if any(f.name in r for r in rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([(headings or {}).get(n, spec.field(n).title) for n in names])
        writer.writerows([[r.get(n, "") for n in names] for r in rows])
    return path


def _site_text(output: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in output.rglob("*") if p.is_file())


def _published(result: BuildResult, item: str) -> int:
    return result.counts.published.get(item, 0)


def _data(output: Path, item: str) -> list[dict[str, str]]:
    with (output / "data" / f"{item}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _field_of(item: str, heading: str) -> str | None:
    return CATALOGUE[item].header_index().get(normalise_title(heading))


# --- The legal representative's ID number ------------------------------------------------------------------------

REP_HEADINGS = ["法定代表人身份证号码", "法定代表人身份证件号码", "法定代表人身份证号", "法定代表人证件号", "法人身份证号码",
                "法人代表证件号码", "负责人身份证号码", "负责人证件号码", "经营者身份证号码", "经营者证件号码"]


@pytest.mark.parametrize("item", CATALOGUE.ids)
@pytest.mark.parametrize("heading", REP_HEADINGS)
def test_headings_of_the_representatives_id_number_are_its_column(item: str, heading: str) -> None:
    """法定代表人身份证号码 and the like were unknown headings in every item: the column was ignored."""
    assert _field_of(item, heading) == "legal_rep_id_no"


def test_the_representatives_id_under_another_heading_is_masked_where_a_judgment_repeats_it(tmp_path: Path) -> None:
    """Case leg_rep_heading: 判决结果 ``判令张三（身份证33010219800707071）…`` was published with its 17 digits: the column
    法定代表人身份证号码 was ignored, so the number the record holds was not known as a secret."""
    records = tmp_path / "records"
    _export(records / "judgment.csv", "judgment", [
        row("judgment", record_id="J1", legal_rep="张三", legal_rep_id_no=REP_ID, decision_date="2025-01-01",
            result=f"判令张三（身份证{REP_BODY}）承担连带责任")], {"legal_rep_id_no": "法定代表人身份证号码"})
    result = build_site(tmp_path, records, AS_OF)
    assert _published(result, "judgment") == 1
    assert not any("法定代表人身份证号码" in w for r in result.sources for w in r.warnings)
    text = _site_text(result.output)
    assert REP_BODY not in text
    [published] = _data(result.output, "judgment")
    assert published["result"] == f"判令张三（身份证{'*' * 17}）承担连带责任" and "legal_rep_id_no" not in published


@pytest.mark.parametrize("name", ["legal_rep_id_type", "legal_rep_id_no"])
def test_the_registrations_representative_id_fields_are_the_other_items(name: str) -> None:
    """The 登记信息 had no 法定代表人证件号码: an export carrying it had the column ignored. Its fields are the subject
    group's (withheld, the same headings and values)."""
    spec = CATALOGUE["subject"].field(name)
    assert spec == CATALOGUE["admin_penalty"].field(name) and spec.disclosure == "withheld"


@pytest.mark.parametrize("heading", ["法定代表人证件号码", "经营者身份证号码"])
def test_a_registrations_representative_id_is_withheld_and_masked_in_its_address(tmp_path: Path, heading: str) -> None:
    """Case subj_id: an 个体工商户's 住所 ``…（经营者身份证 33010219800707071X）`` was published as written, and the
    column 法定代表人证件号码 of the 登记信息 was ignored."""
    records = tmp_path / "records"
    _export(records / "subject.csv", "subject", [
        row("subject", record_id="S1", subject_name="上城区王小明小吃店", uscc="92330100MA2CXX0056",
            subject_type="个体工商户", legal_rep="王小明", legal_rep_id_type="身份证", legal_rep_id_no=REP_ID,
            address=f"杭州市上城区某路1号（经营者身份证 {REP_BODY}{WRONG_CHECK}）",
            business_scope=f"小吃服务（经营者{REP_ID}）")], {"legal_rep_id_no": heading})
    result = build_site(tmp_path, records, AS_OF)
    assert _published(result, "subject") == 1
    assert REP_BODY not in _site_text(result.output)
    [published] = _data(result.output, "subject")
    assert published["address"] == f"杭州市上城区某路1号（经营者身份证 {'*' * 18}）"
    assert published["business_scope"] == f"小吃服务（经营者{'*' * 18}）"
    assert "legal_rep_id_no" not in published and "legal_rep_id_type" not in published


# --- Headings of dates, authorities, categories and states -------------------------------------------------------


@pytest.mark.parametrize(("item", "heading", "field"), [
    *[("dishonest_list", h, "decision_date") for h in ("列入严重失信主体名单日期", "列入名单日期", "列入严重失信名单日期",
                                                        "列入决定日期", "认定严重失信日期")],
    *[("dishonest_list", h, "removal_date") for h in ("移出严重失信主体名单日期", "移出严重失信名单日期", "名单移出日期")],
    ("commendation", "认定单位", "authority"),
    *[(i, h, "subject_category") for i in CATALOGUE.ids if i != "subject"
      for h in ("当事人类别",)],
    *[("admin_license", h, "authority") for h in ("许可机关名称", "发证机关")],
])
def test_headings_platforms_use_name_their_columns(item: str, heading: str, field: str) -> None:
    assert _field_of(item, heading) == field


def test_the_registrations_type_stays_its_own() -> None:
    """主体类型 is the 登记信息's subject_type (企业, 个体工商户 …); only the other items read it as 行政相对人类别."""
    assert _field_of("subject", "主体类型") == "subject_type"


def test_a_list_entry_under_the_platforms_date_headings_is_published_and_removed(tmp_path: Path) -> None:
    """Case dl_titles: 列入严重失信主体名单日期 and 移出严重失信主体名单日期 were unknown: every row was quarantined (no
    列入日期), and the removal date was not read."""
    records = tmp_path / "records"
    entry = row("dishonest_list", list_type="严重违法失信名单", decision_date="2025-01-01", authority="杭州市市场监督管理局")
    _export(records / "dishonest_list.csv", "dishonest_list", [
        entry | {"record_id": "DL-1", "removal_date": "2026-06-01"}, entry | {"record_id": "DL-2", "removal_date": ""}],
        {"decision_date": "列入严重失信主体名单日期", "removal_date": "移出严重失信主体名单日期", "authority": "认定单位"})
    result = build_site(tmp_path, records, AS_OF)
    assert _published(result, "dishonest_list") == 1
    assert result.counts.excluded["dishonest_list"] == {"removed": 1}
    assert not result.counts.quarantined and [r["record_id"] for r in _data(result.output, "dishonest_list")] == ["DL-2"]


@pytest.mark.parametrize(("item", "values", "headings"), [
    ("commendation", {"authority": "浙江省市场监督管理局"}, {"authority": "认定单位", "decision_date": "认定日期"}),
    ("judgment", {"subject_category": "法人及非法人组织"}, {"subject_category": "当事人类别", "case_no": "判决书文号",
                                                    "subject_name": "当事人名称", "authority": "审理法院"}),
    ("admin_license", {"authority": "杭州市市场监督管理局"}, {"authority": "许可机关名称"}),
])
def test_a_record_under_the_platforms_headings_is_published(tmp_path: Path, item: str, values: dict[str, str],
                                                             headings: dict[str, str]) -> None:
    """Cases comm, judg_cat, lic_authority: 认定单位, 当事人类别, 许可机关名称 and 发证单位 were unknown, so the required
    授予机关, 行政相对人类别 and 许可机关 were missing and every row was quarantined."""
    records = tmp_path / "records"
    _export(records / f"{item}.csv", item, [row(item, decision_date="2025-01-01", **values)], headings)
    result = build_site(tmp_path, records, AS_OF)
    assert not result.counts.quarantined and _published(result, item) == 1


@pytest.mark.parametrize(("item", "heading"), [
    *[(i, h) for i in ("admin_penalty", "judgment") for h in ("当事人类型", "行政相对人类型", "相对人类型", "主体类型")],
    ("subject", "企业状态"), ("admin_license", "许可状态"), ("admin_license", "发证单位"),
])
def test_headings_that_may_say_more_than_the_column_are_not_its_aliases(item: str, heading: str) -> None:
    """A harm tester's: beside the column itself, a finer 当事人类型 (有限责任公司), an 企业状态 of 存续（在营、开业、在册）,
    a 许可状态 of 正常 or a 发证单位 other than the 许可机关 quarantined as duplicate-column rows published before."""
    assert CATALOGUE[item].header_index().get(heading) in (None, "subject_type")


def test_a_subject_type_beside_the_subject_category_is_not_a_second_column_of_it(tmp_path: Path) -> None:
    """主体类型 is not read as 行政相对人类别 outside the 登记信息: beside a 行政相对人类别 column, a finer type
    (有限责任公司) would have quarantined a row published before."""
    records = tmp_path / "records"
    path = _export(records / "commendation.csv", "commendation", [row("commendation", decision_date="2025-01-01")])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0] + ",主体类型", lines[1] + ",有限责任公司"]) + "\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    assert _published(result, "commendation") == 1 and not result.counts.quarantined


# --- Values that mean a listed value -----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "code"), [
    *[(v, "legal_person") for v in ("法人和其他组织", "其他组织", "企业法人", "法人组织", "法人单位", "企业", "事业单位",
                                    "社会组织")],
    ("个体经营户", "individual_business"),
])
def test_spellings_of_the_subject_category_are_read(written: str, code: str) -> None:
    """Case cat: 法人和其他组织, 其他组织, 企业法人 … were quarantined as enum."""
    checked = validate("commendation", subject_category=written)
    assert isinstance(checked, Record), checked
    assert checked.values["subject_category"] == code


@pytest.mark.parametrize("written", ["单位", "非自然人", "法人及非法人组织（含个体工商户）", "1"])
def test_a_subject_category_that_may_be_an_individual_business_is_not_guessed(written: str) -> None:
    assert not isinstance(validate("commendation", subject_category=written), Record)


@pytest.mark.parametrize("written", ["已公示", "通过", "已通过", "审核通过", "审核已通过"])
def test_spellings_of_approved_are_read(written: str) -> None:
    """Case ctl: 已公示, 通过 and 审核已通过 in 发布状态 were quarantined as enum."""
    checked = validate("commendation", publish_status=written)
    assert isinstance(checked, Record), checked
    assert checked.values["publish_status"] == "approved"


def test_no_spelling_of_a_value_names_two_values() -> None:
    """A spelling that two codes claim is read as the first: ``通过`` beside ``未通过``, ``已公示`` beside ``已撤销`` must
    each mean one value."""
    for item in CATALOGUE.items:
        for spec in item.fields:
            owners: dict[str, set[str]] = {}
            for code, label in (spec.values or {}).items():
                for spelling in (code, label, *(spec.synonyms or {}).get(code, ())):
                    owners.setdefault(unicodedata.normalize("NFKC", spelling).lower(), set()).add(code)
            assert {s: c for s, c in owners.items() if len(c) > 1} == {}, (item.id, spec.name)
