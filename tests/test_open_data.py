"""Open data journalists can trust (issue 14): packages per item and for everything, Excel that keeps codes,
statistics, and catalogue metadata for harvesters.

A small site whose records hold what breaks spreadsheets (an all-digit 统一社会信用代码, a 15-digit 工商注册号,
a document number with leading zeros, formula-looking text) is built twice; every package must validate with
frictionless and declare its files' true sizes and hashes, the zips must be the packages, the workbooks must
keep codes as text and formulas inert, the statistics must add up, the DCAT catalogue and the schema.org markup
must parse as RDF with the expected classes and properties, and the two builds must give the same bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import CATALOGUE, PROFILES_DIR, build_site, make_uscc, person, row, site_config, write_csv
from frictionless import validate
from openpyxl import load_workbook
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from stdnum.cn import uscc

from site_builder.audit.verify import verify_site
from site_builder.build import build
from site_builder.config import DataSettings, load_config
from site_builder.exceptions import ConfigError
from site_builder.outputs.datapackage import DataPackageOutput
from site_builder.outputs.downloads import FixedZip
from site_builder.outputs.site import Site
from site_builder.outputs.statistics import DIMENSIONS, NO_CODE
from site_builder.outputs.xlsx_export import CUT_MARK
from site_builder.rules.profiles import load_profile
from site_builder.rules.redaction import PublicRecord
from site_builder.store.published import PublishedStore

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # inside rdflib
AS_OF = date(2026, 11, 24)
BASE = "https://credit.example.gov.cn/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SDO = Namespace("http://schema.org/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
SCHEMA_ORG_CONTEXT = {"@vocab": "http://schema.org/", "url": {"@type": "@id"}, "contentUrl": {"@type": "@id"},
                      "license": {"@type": "@id"}}
"""The part of https://schema.org's JSON-LD context this markup uses (its vocabulary and the URL-valued properties),
given locally: the tests fetch nothing."""


def all_digit_uscc() -> str:
    """A valid 统一社会信用代码 made of digits only (about a quarter of real codes are)."""
    for n in range(1000):
        body = f"91330100712345{n:03d}"
        if uscc.calc_check_digit(body).isdigit():
            return body + uscc.calc_check_digit(body)
    raise AssertionError("no all-digit code")


DIGITS = all_digit_uscc()
REG_NO = "330100400012345"
"""A 15-digit 工商注册号 (its 7th-12th digits are no date: not an old ID number)."""
LETTERS = make_uscc("91210204MA0XYB12A")
FORMULAS = {"decision_no": '=HYPERLINK("http://evil.example","点击")', "violation_facts": "+1", "remarks": "@SUM(1)"}


def records_folder(root: Path) -> Path:
    records = root / "records"
    write_csv(records / "subject.csv", "subject", [
        row("subject", record_id="SJ-1", uscc=DIGITS, subject_name="杭州数字科技有限公司", subject_type="企业"),
        row("subject", record_id="SJ-2", uscc=LETTERS, subject_name="大连字母贸易有限公司", established="2019-05-06")])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", uscc=DIGITS, subject_name="杭州数字科技有限公司", business_reg_no=REG_NO,
            decision_date="2026-06-01", fine_amount="5", **FORMULAS),
        row("admin_penalty", record_id="AP-2", uscc=DIGITS, subject_name="杭州数字科技有限公司", decision_no="00120",
            decision_date="2025-12-20", severity="严重", authority="杭州市生态环境局"),
        row("admin_penalty", record_id="AP-3", decision_date="2026-02-03", decision_no="杭市监罚〔2026〕3号",
            **person())])
    write_csv(records / "admin_license.csv", "admin_license", [
        row("admin_license", record_id="XK-1", uscc=LETTERS, subject_name="大连字母贸易有限公司", license_category="特许",
            decision_date="2025-01-10", authority="大连市行政审批局")])
    return records


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same records built twice, in two folders."""
    built = []
    for name in ("first", "second"):
        root = tmp_path_factory.mktemp(name)
        build_site(root, records_folder(root), AS_OF)
        built.append(root / "output")
    return built[0], built[1]


@pytest.fixture(scope="module")
def data(sites: tuple[Path, Path]) -> Path:
    return sites[0] / "data"


def descriptors(folder: Path) -> list[Path]:
    return sorted(folder.glob("*datapackage.json"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --- Packages ----------------------------------------------------------------------------------------------


def test_one_package_per_item_and_one_for_everything(data: Path) -> None:
    items = ["subject", "admin_license", "commendation", "admin_penalty", "dishonest_list", "judgment"]
    assert [p.name for p in descriptors(data)] == sorted([f"{i}.datapackage.json" for i in items] + ["datapackage.json"])
    whole = read_json(data / "datapackage.json")
    assert [r["path"] for r in whole["resources"]] == [f"{i}.csv" for i in items] + ["statistics.csv"]
    for item in items:
        package = read_json(data / f"{item}.datapackage.json")
        assert package["name"] == "public-credit-information-" + item.replace("_", "-")
        assert [r["path"] for r in package["resources"]] == [f"{item}.csv"]
        assert package["resources"][0] == next(r for r in whole["resources"] if r["path"] == f"{item}.csv")


@pytest.mark.parametrize("name", ["datapackage.json", "admin_penalty.datapackage.json", "subject.datapackage.json"])
def test_package_metadata(data: Path, name: str) -> None:
    package = read_json(data / name)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["id"] == BASE + "data/" + name
    # a first build: every record first appeared on its as-of date, which is therefore the date of the data
    assert package["version"] == "2026.11.24+national"
    assert package["created"] == "2026-11-24T00:00:00+08:00"
    assert package["title"] and "数据更新于 2026-11-24" in package["description"]
    assert "数据截至" not in json.dumps(package, ensure_ascii=False), "no file but the download page shows the as-of date"
    assert package["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                    "title": "Creative Commons Attribution 4.0 International"}]
    assert package["contributors"] == [{"title": "示例市公共信用信息中心", "path": BASE, "roles": ["publisher"]}]
    titles = [s["title"] for s in package["sources"]]
    assert any("国家发展改革委令" in t or "公示期限" in t for t in titles), "the regulations"
    for resource in package["resources"]:
        assert resource["encoding"] == "utf-8-sig" and resource["format"] == "csv" and resource["schema"]["fields"]
    if name == "admin_penalty.datapackage.json":
        authorities = {s["title"]: s.get("path", "") for s in package["sources"]}
        assert set(authorities) >= {"杭州市市场监督管理局", "杭州市生态环境局"}
        assert authorities["杭州市生态环境局"].startswith(BASE + "authority/")


def test_every_package_validates_and_declares_its_files_truly(data: Path) -> None:
    for descriptor in descriptors(data):
        report = validate(str(descriptor))
        assert report.valid, (descriptor.name, report.flatten(["rowNumber", "fieldName", "type", "note"]))
        for resource in read_json(descriptor)["resources"]:
            content = (data / resource["path"]).read_bytes()
            assert resource["bytes"] == len(content), resource["path"]
            assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest(), resource["path"]


def test_each_zip_is_its_package(data: Path) -> None:
    for descriptor in descriptors(data):
        archive = data / (descriptor.name.removesuffix(".datapackage.json") + ".zip"
                          if descriptor.name != "datapackage.json" else "datapackage.zip")
        with zipfile.ZipFile(archive) as zipped:
            names = zipped.namelist()
            assert zipped.read("datapackage.json") == descriptor.read_bytes()
            resources = [r["path"] for r in read_json(descriptor)["resources"]]
            assert names == sorted(["datapackage.json", *resources])
            for path in resources:
                assert zipped.read(path) == (data / path).read_bytes()
            created = date.fromisoformat(read_json(descriptor)["created"][:10])
            assert {i.date_time for i in zipped.infolist()} == {(created.year, created.month, created.day, 0, 0, 0)}
        assert validate(str(archive)).valid, archive.name


def test_every_member_of_a_download_zip_is_a_file_of_the_download_folder(data: Path) -> None:
    """What the build's leak scan relies on to skip a zip member it scanned as a file (``build._zip_members``)."""
    contents = {hashlib.sha256(path.read_bytes()).hexdigest() for path in data.rglob("*") if path.is_file()}
    for archive in data.glob("*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            assert all(hashlib.sha256(zipped.read(info)).hexdigest() in contents for info in zipped.infolist()), archive


def raw_member(archive: Path, name: str) -> bytes:
    """A member's data as the zip holds it (compressed), read past its local header."""
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo(name)
    content = archive.read_bytes()
    name_length, extra_length = int.from_bytes(content[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(content[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    return content[start:start + info.compress_size]


def fresh_zip(folder: Path, data: Path, zipped: Path) -> bytes:
    """The zip ``zipped`` written again with every member compressed from its file (nothing copied)."""
    with zipfile.ZipFile(zipped) as archive:
        infos = archive.infolist()
    target = folder / zipped.name
    with target.open("w+b") as fh, FixedZip(fh, infos[0].date_time) as archive:
        for info in infos:
            archive.write(data / info.filename if info.filename != "datapackage.json" else data / "datapackage.json",
                          info.filename)
    return target.read_bytes()


def test_the_zip_of_everything_copies_each_csv_compressed_from_its_items_zip(data: Path, tmp_path: Path) -> None:
    """The CSVs are compressed once: the zip of every item holds each item's CSV as the item's zip compressed it, and
    is byte for byte the zip that compressing every member again gives."""
    whole = data / "datapackage.zip"
    for descriptor in descriptors(data):
        if descriptor.name == "datapackage.json":
            continue
        item_zip = data / (descriptor.name.removesuffix(".datapackage.json") + ".zip")
        for resource in read_json(descriptor)["resources"]:
            assert raw_member(whole, resource["path"]) == raw_member(item_zip, resource["path"])
    assert fresh_zip(tmp_path, data, whole) == whole.read_bytes()


def test_a_build_compresses_each_csv_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Into the zip of every item, only the descriptor and the statistics are compressed; the items' CSVs are copied."""
    compressed: dict[FixedZip, list[str]] = {}  # keyed by the archive itself: an id() is reused once one is freed
    write = FixedZip.write

    def counting(archive: FixedZip, filename: Any, arcname: Any = None, *args: Any) -> None:
        compressed.setdefault(archive, []).append(str(arcname))
        write(archive, filename, arcname, *args)

    monkeypatch.setattr(FixedZip, "write", counting)
    build_site(tmp_path, records_folder(tmp_path), AS_OF)
    everything = [names for names in compressed.values() if "statistics.csv" in names]
    assert everything == [["datapackage.json", "statistics.csv"]]
    assert sorted(n for names in compressed.values() for n in names if n.endswith(".csv") and n != "statistics.csv") == \
        sorted(r["path"] for r in read_json(tmp_path / "output" / "data" / "datapackage.json")["resources"]
               if r["path"] != "statistics.csv")


def test_a_zip_member_that_cannot_be_copied_is_compressed(data: Path, tmp_path: Path) -> None:
    csv_file = data / "admin_penalty.csv"
    size = csv_file.stat().st_size
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.write(csv_file, "admin_penalty.csv")
    cut = tmp_path / "cut.zip"
    cut.write_bytes((data / "admin_penalty.zip").read_bytes()[:-200])
    day = (2026, 11, 24, 0, 0, 0)
    target = tmp_path / "out.zip"
    with target.open("w+b") as fh, FixedZip(fh, day) as archive:
        assert not archive.copy(data / "admin_penalty.zip", "admin_penalty.csv", size + 1)  # another size
        assert not archive.copy(data / "admin_penalty.zip", "judgment.csv", size)  # not a member there
        assert not archive.copy(stored, "admin_penalty.csv", size)  # stored, not deflated
        assert not archive.copy(cut, "admin_penalty.csv", size)  # no central directory
        assert not archive.copy(tmp_path / "missing.zip", "admin_penalty.csv", size)
        assert archive.copy(data / "admin_penalty.zip", "admin_penalty.csv", size)
        archive.write(data / "subject.csv", "subject.csv")
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["admin_penalty.csv", "subject.csv"]
        assert archive.read("admin_penalty.csv") == csv_file.read_bytes()
        assert {i.date_time for i in archive.infolist()} == {day}
    again = tmp_path / "again.zip"
    with again.open("w+b") as fh, FixedZip(fh, day) as archive:
        archive.write(csv_file, "admin_penalty.csv")
        archive.write(data / "subject.csv", "subject.csv")
    assert again.read_bytes() == target.read_bytes()


def test_verify_checks_every_package_and_zip(sites: tuple[Path, Path], tmp_path: Path) -> None:
    assert verify_site(sites[0]) == []
    import shutil

    site = tmp_path / "site"
    shutil.copytree(sites[0], site)
    descriptor = site / "data" / "admin_license.datapackage.json"
    package = read_json(descriptor)
    package["resources"][0]["bytes"] += 1
    descriptor.write_text(json.dumps(package), encoding="utf-8")
    with zipfile.ZipFile(site / "data" / "judgment.zip", "a") as zipped:
        zipped.writestr("extra.csv", "a\n")
    with zipfile.ZipFile(site / "data" / "subject.zip", "a") as zipped:
        zipped.writestr(zipfile.ZipInfo("more.csv", (2026, 11, 25, 0, 0, 0)), "a\n")
    problems = verify_site(site, check_hashes=False)
    assert "data/admin_license.datapackage.json: resource 'admin_license.csv' is not that of data/datapackage.json" in problems
    assert "data/admin_license.zip: datapackage.json differs from data/admin_license.datapackage.json" in problems
    assert "data/judgment.zip: holds extra.csv, which data/judgment.datapackage.json does not list" in problems
    assert ("data/subject.zip: its members are dated 2026-11-24, 2026-11-25, not 2026-11-24 (the created date of "
            "data/subject.datapackage.json)") in problems


# --- Excel-ready -------------------------------------------------------------------------------------------


def sheet_rows(path: Path) -> dict[str, dict[str, Any]]:
    """The data sheet's cells by record id and Chinese column title."""
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows())
    titles = [str(c.value) for c in rows[0]]
    return {str(r[0].value): {t: c for t, c in zip(titles, r, strict=True)} for r in rows[1:]}


def test_workbook_keeps_codes_as_text_and_formulas_inert(data: Path) -> None:
    cells = sheet_rows(data / "admin_penalty.xlsx")
    first = cells["AP-1"]
    for title, value in (("统一社会信用代码", DIGITS), ("工商注册号", REG_NO)):
        assert first[title].value == value and first[title].data_type == "s" and first[title].number_format == "@", title
    assert cells["AP-2"]["行政处罚决定书文号"].value == "00120"  # leading zeros kept
    assert first["行政处罚决定书文号"].value == "'" + FORMULAS["decision_no"]
    assert first["违法事实"].value == "'+1" and first["备注"].value == "'@SUM(1)"
    for cell in (first["行政处罚决定书文号"], first["违法事实"], first["备注"]):
        assert cell.data_type == "s", "a string, never a formula"
    assert first["罚款金额（万元）"].value == 5 and first["罚款金额（万元）"].data_type == "n"
    assert first["处罚决定日期"].value == datetime(2026, 6, 1) and first["处罚决定日期"].is_date
    book = load_workbook(data / "admin_penalty.xlsx")
    assert book.sheetnames == ["行政处罚", "字段说明"]
    assert book.worksheets[0].freeze_panes == "A2"
    assert all(c.data_type != "f" for ws in book.worksheets for r in ws.iter_rows() for c in r)
    described = {str(r[1]): r for r in book["字段说明"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert described["统一社会信用代码"][2:4] == ("uscc", "文本")
    assert "取值：轻微、一般、严重" in str(described["失信程度"][5])
    about = {str(r[0]): r[1] for r in book["字段说明"].iter_rows(values_only=True) if r[0] and r[1] and not r[2]}
    assert about["数据更新日期"] == "2026-11-24" and "数据截至" not in about  # the date of the data, not of the build
    assert book.properties.title == "行政处罚（数据更新于 2026-11-24）"
    assert book.properties.created == book.properties.modified == datetime(2026, 11, 24)


def test_workbook_data_sheet_is_utf_8_without_character_references(data: Path) -> None:
    """The data sheet's XML holds its Chinese as UTF-8 (three bytes a character), not as character references
    (``&#34892;``, eight), which openpyxl's lxml writer makes by default."""
    with zipfile.ZipFile(data / "admin_penalty.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"&#" not in sheet
    assert "行政处罚决定书文号".encode() in sheet and FORMULAS["decision_no"].encode() in sheet


def test_canonical_csv_keeps_the_data_as_published(data: Path) -> None:
    rows = {r["record_id"]: r for r in read_csv(data / "admin_penalty.csv")}
    assert rows["AP-1"]["uscc"] == DIGITS and rows["AP-1"]["business_reg_no"] == REG_NO
    assert rows["AP-2"]["decision_no"] == "00120"
    assert {name: rows["AP-1"][name] for name in FORMULAS} == {name: "'" + value for name, value in FORMULAS.items()}
    assert rows["AP-1"]["fine_amount"] == "5"
    assert next(iter(rows["AP-1"])) == "record_id", "English field names"


# --- Statistics --------------------------------------------------------------------------------------------


def test_statistics_add_up_to_the_published_counts(data: Path) -> None:
    statistics = read_json(data / "statistics.json")
    assert set(statistics) == {"profile", "dimensions", "items"}, "no date: the counts alone say when it changes"
    published = {item: len(read_csv(data / f"{item}.csv")) for item in (i["item"] for i in statistics["items"])}
    assert published["admin_penalty"] == 3 and published["commendation"] == 0
    table = read_csv(data / "statistics.csv")
    for entry in statistics["items"]:
        assert entry["records"] == published[entry["item"]]
        assert set(entry["counts"]) == set(DIMENSIONS)
        for dimension, counts in entry["counts"].items():
            assert sum(c["count"] for c in counts) == entry["records"], (entry["item"], dimension)
            assert [(r["key"], r["label"], int(r["count"])) for r in table
                    if (r["item"], r["dimension"]) == (entry["item"], dimension)] == [(c["key"], c["label"], c["count"])
                                                                                     for c in counts]


def test_statistics_by_year_region_authority_and_class(data: Path) -> None:
    items = {i["item"]: i for i in read_json(data / "statistics.json")["items"]}
    penalty = {name: {c["label"]: c["count"] for c in counts} for name, counts in items["admin_penalty"]["counts"].items()}
    assert penalty["year"] == {"2025": 1, "2026": 2}
    assert penalty["province"] == {"浙江省": 2, NO_CODE: 1}  # a natural person has no code
    assert {c["key"] for c in items["admin_penalty"]["counts"]["region"]} == {"330100", ""}
    assert penalty["authority"] == {"杭州市市场监督管理局": 2, "杭州市生态环境局": 1}
    assert items["admin_penalty"]["class"] == {"field": "severity", "title": "失信程度"}
    assert penalty["class"] == {"一般": 2, "严重": 1}
    assert items["admin_license"]["class"]["title"] == "许可类别"
    assert {c["label"] for c in items["subject"]["counts"]["province"]} == {"浙江省", "辽宁省"}


def test_charts_are_inline_svg_without_script_or_external_reference(data: Path) -> None:
    page = (data / "index.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(svgs) == 4 * 3, "four charts for each of the three items with records"
    for svg in svgs:
        assert 'role="img"' in svg and "<script" not in svg and "<!--" not in svg
        assert "@import" not in svg and "url(" not in svg and "href" not in svg
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", svg)
    assert "id=\"chart-admin_penalty-year\"" in page and "<title>行政处罚，按决定年份：2025 1；2026 2</title>" in page


def test_stray_characters_never_break_the_downloads(tmp_path: Path) -> None:
    """A value holding characters XML forbids (as if parsing let them through) gives a readable workbook and chart."""
    config = site_config(tmp_path, tmp_path / "records")
    store = PublishedStore(tmp_path / "store.sqlite")
    dirty = "坏\x01字\x0b符\ufffe"
    fields = {f.name: "" for f in CATALOGUE["admin_penalty"].public_fields} | {
        "record_id": "AP-1", "subject_name": f"公司{dirty}", "decision_no": f"=号{dirty}", "authority": f"机关{dirty}",
        "decision_date": "2026-06-01", "fine_amount": "not a number", "severity": "一般"}
    store.add(PublicRecord("admin_penalty", "AP-1", DIGITS, f"公司{dirty}", "legal_person", f"机关{dirty}",
                           date(2026, 6, 1), None, None, fields))
    store.flush()
    try:
        site = Site(config, CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE), AS_OF, store)
        out = tmp_path / "site"
        DataPackageOutput().write(site, out)
    finally:
        store.close()
    cells = sheet_rows(out / "data" / "admin_penalty.xlsx")["AP-1"]
    assert cells["行政处罚决定书文号"].value == "'=号坏字符" and cells["罚款金额（万元）"].value == "not a number"
    page = (out / "data" / "index.html").read_text(encoding="utf-8")
    for svg in re.findall(r"<svg .*?</svg>", page, flags=re.S):
        ET.fromstring(svg)
    assert ["type-error"] in validate(str(out / "data" / "admin_penalty.datapackage.json")).flatten(["type"])


def test_no_digit_character_or_apostrophe_is_lost_and_statistics_run_no_formula(tmp_path: Path) -> None:
    """Bugs: Excel keeps 15 significant digits, so a longer amount was rounded in the workbook; a cell was cut at
    32,767 code points where Excel counts UTF-16 units (𠀀 is two); ``'=1`` and ``=1`` were both written ``'=1``;
    ``statistics.csv`` wrote an authority named ``=HYPERLINK(…)`` as a formula."""
    config = site_config(tmp_path, tmp_path / "records")
    store = PublishedStore(tmp_path / "store.sqlite")
    authority = '=HYPERLINK("http://x")局'
    long_text = "a" + "𠀀" * 40_000
    for record_id, decision_no, amount in (("AP-1", "'=1", "1234567890.12345678"), ("AP-2", "=1", "123456789012345")):
        fields = {f.name: "" for f in CATALOGUE["admin_penalty"].public_fields} | {
            "record_id": record_id, "subject_name": "公司", "decision_no": decision_no, "authority": authority,
            "decision_date": "2026-06-01", "fine_amount": amount, "severity": "一般", "violation_facts": long_text}
        store.add(PublicRecord("admin_penalty", record_id, DIGITS, "公司", "legal_person", authority,
                               date(2026, 6, 1), None, None, fields))
    store.flush()
    try:
        out = tmp_path / "site"
        DataPackageOutput().write(Site(config, CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE), AS_OF, store), out)
    finally:
        store.close()
    cells = sheet_rows(out / "data" / "admin_penalty.xlsx")
    long_amount, short_amount = cells["AP-1"]["罚款金额（万元）"], cells["AP-2"]["罚款金额（万元）"]
    assert (long_amount.value, long_amount.data_type) == ("1234567890.12345678", "s")  # as text, every digit
    assert (short_amount.value, short_amount.data_type) == (123456789012345, "n")
    facts = str(cells["AP-1"]["违法事实"].value)
    # Cut to fit, never inside a character, and saying so (a tester's: the workbook's reader saw no sign of the cut).
    assert facts.endswith(CUT_MARK) and 32_766 <= len(facts.encode("utf-16-le")) // 2 <= 32_767
    kept = facts.removesuffix(CUT_MARK)
    assert kept == long_text[:len(kept)] and kept[-1] == "𠀀"
    assert [cells[r]["行政处罚决定书文号"].value for r in ("AP-1", "AP-2")] == ["''=1", "'=1"]
    rows = {r["record_id"]: r for r in read_csv(out / "data" / "admin_penalty.csv")}
    assert [rows[r]["decision_no"] for r in ("AP-1", "AP-2")] == ["''=1", "'=1"]
    authorities = [r for r in read_csv(out / "data" / "statistics.csv") if r["dimension"] == "authority"]
    assert [(r["key"], r["label"]) for r in authorities] == [("'" + authority, "'" + authority)]


# --- Catalogue metadata ------------------------------------------------------------------------------------


def test_dcat_catalogue_parses_as_rdf_with_datasets_and_distributions(data: Path) -> None:
    graph = Graph().parse(data / "catalog.jsonld", format="json-ld")
    catalog = URIRef(BASE + "data/catalog.jsonld")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 7 and all((d, RDF.type, DCAT.Dataset) in graph for d in datasets)
    penalty = URIRef(BASE + "data/#admin_penalty")
    assert penalty in datasets
    assert (URIRef(BASE + "data/#all"), DCT.hasPart, penalty) in graph
    assert Literal("行政处罚（示例市公共信用信息公示）", lang="zh") in set(graph.objects(penalty, DCT.title))
    downloads = {}
    for distribution in graph.objects(penalty, DCAT.distribution):
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        url = str(graph.value(distribution, DCAT.downloadURL))
        checksum = graph.value(distribution, SPDX.checksum)
        downloads[url] = (int(str(graph.value(distribution, DCAT.byteSize))), str(graph.value(checksum, SPDX.checksumValue)))
    assert set(downloads) == {BASE + f"data/admin_penalty.{ext}" for ext in ("csv", "xlsx", "zip", "datapackage.json")}
    for url, (size, digest) in downloads.items():
        content = (data / url.removeprefix(BASE + "data/")).read_bytes()
        assert (size, digest) == (len(content), hashlib.sha256(content).hexdigest()), url


def test_dcat_dates_are_those_of_the_data(data: Path) -> None:
    """``dct:modified``: the last change of a dataset's records; ``dct:issued``: its first record's publication; an
    item that never had a record is modified on the baseline's date and has no issue date."""
    graph = Graph().parse(data / "catalog.jsonld", format="json-ld")
    day = Literal("2026-11-24", datatype=XSD_DATE)
    for subject in (URIRef(BASE + "data/catalog.jsonld"), URIRef(BASE + "data/#all"), URIRef(BASE + "data/#admin_penalty")):
        assert graph.value(subject, DCT.modified) == day and graph.value(subject, DCT.issued) == day, subject
    empty = URIRef(BASE + "data/#commendation")
    assert graph.value(empty, DCT.modified) == day and graph.value(empty, DCT.issued) is None


def schema_org_graph(page: str) -> Graph:
    markup = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S).group(1))  # type: ignore[union-attr]
    assert markup["@context"] == "https://schema.org"
    return Graph().parse(data=json.dumps(markup | {"@context": SCHEMA_ORG_CONTEXT}), format="json-ld")


def test_download_page_has_schema_org_dataset_markup(data: Path) -> None:
    graph = schema_org_graph((data / "index.html").read_text(encoding="utf-8"))
    whole = URIRef(BASE + "data/#all")
    assert (whole, RDF.type, SDO.Dataset) in graph
    assert (whole, SDO.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    parts = set(graph.objects(whole, SDO.hasPart))
    assert URIRef(BASE + "data/#admin_penalty") in parts and len(parts) == 6
    urls = {graph.value(d, SDO.contentUrl) for d in graph.objects(URIRef(BASE + "data/#admin_penalty"), SDO.distribution)
            if (d, RDF.type, SDO.DataDownload) in graph}
    assert URIRef(BASE + "data/admin_penalty.xlsx") in urls and URIRef(BASE + "data/admin_penalty.csv") in urls
    assert graph.value(URIRef(BASE + "data/#admin_penalty"), SDO.temporalCoverage) == Literal("2025/2026")
    assert graph.value(URIRef(BASE + "data/#admin_penalty"), SDO.dateModified) == Literal("2026-11-24")
    assert graph.value(URIRef(BASE + "data/#admin_penalty"), SDO.datePublished) == Literal("2026-11-24")


# --- Determinism -------------------------------------------------------------------------------------------


def tree(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield path.relative_to(folder).as_posix(), path.read_bytes()


def test_two_builds_give_the_same_bytes(sites: tuple[Path, Path]) -> None:
    first, second = (dict(tree(site / "data")) for site in sites)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert {n for n in first if n.endswith((".zip", ".xlsx"))} >= {"datapackage.zip", "admin_penalty.xlsx", "subject.zip"}
    with zipfile.ZipFile(sites[0] / "data" / "admin_penalty.xlsx") as book:
        assert {i.date_time for i in book.infolist()} == {(2026, 11, 24, 0, 0, 0)}
        assert b"2026-11-24T00:00:00Z" in book.read("docProps/core.xml")


# --- Yearly partitions -------------------------------------------------------------------------------------


def test_a_large_item_is_split_by_year(tmp_path: Path) -> None:
    config = site_config(tmp_path, records_folder(tmp_path), search=False)
    build(dataclasses.replace(config, data=DataSettings(partition_bytes=1)), AS_OF)
    data = tmp_path / "output" / "data"
    assert not (data / "admin_penalty.csv").exists()
    assert sorted(p.name for p in (data / "admin_penalty").iterdir()) == ["2025.csv", "2025.xlsx", "2026.csv", "2026.xlsx"]
    assert [r["record_id"] for r in read_csv(data / "admin_penalty" / "2026.csv")] == ["AP-1", "AP-3"]
    assert list(sheet_rows(data / "admin_penalty" / "2025.xlsx")) == ["AP-2"]
    package = read_json(data / "admin_penalty.datapackage.json")
    assert [(r["name"], r["path"]) for r in package["resources"]] == [
        ("admin-penalty-2025", "admin_penalty/2025.csv"), ("admin-penalty-2026", "admin_penalty/2026.csv")]
    assert (data / "commendation.csv").is_file(), "an item without records is one (empty) file"
    for descriptor in descriptors(data):
        assert validate(str(descriptor)).valid, descriptor.name
    with zipfile.ZipFile(data / "admin_penalty.zip") as zipped:
        assert zipped.namelist() == ["admin_penalty/2025.csv", "admin_penalty/2026.csv", "datapackage.json"]
    assert verify_site(tmp_path / "output") == []
    page = (data / "index.html").read_text(encoding="utf-8")
    assert 'href="/data/admin_penalty/2026.csv">admin_penalty/2026.csv</a>' in page


def test_partition_size_must_not_be_negative(tmp_path: Path) -> None:
    (tmp_path / "site_builder.toml").write_text("[data]\npartition_bytes = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="data.partition_bytes"):
        load_config(tmp_path / "site_builder.toml")


@pytest.mark.parametrize("item", CATALOGUE.ids)
def test_no_column_title_of_a_download_is_another_columns_input_heading(item: str) -> None:
    """The computed last public day was titled 公示截止日期, which the catalogue reads as the authority's 公示截止期 on
    input: a journalist could not tell the two columns apart. Every title of a download is its own column's only."""
    from site_builder.outputs.tables import table_schema

    spec = CATALOGUE[item]
    fields = table_schema(spec, marked=True)["fields"]
    titles = [f["title"] for f in fields]
    assert len(titles) == len(set(titles)), titles
    for column in fields:
        others = {heading for f in spec.fields if f.name != column["name"] for heading in (f.title, *f.aliases)}
        assert column["title"] not in others, (column["name"], column["title"])
