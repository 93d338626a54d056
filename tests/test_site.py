"""End to end: what a build publishes and what it must never publish (the leak test), the data
package, the pages, the manifest counts, and the CLI's behaviour on bad input."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from datetime import date
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner
from conftest import COMPANY, build_site, make_resident_id, make_uscc, person, row, write_csv

from site_builder.audit.ledger import REASON_CLASSES
from site_builder.cli import main

AS_OF = date(2026, 11, 24)
LEGAL_REP_ID = make_resident_id("110108", "19750102", "555")
ADULT_ID = make_resident_id("330106", "19900307", "123")
MINOR_ID = make_resident_id("330106", "20100307", "456")
OTHER = make_uscc("91330200MA2H3K5B2")

# Every way a record must stay out, each with a unique marker in its name, number and facts.
EXCLUDED = {
    "not_approved": [{"publish_status": "待审核"}, {"publish_status": "已驳回"}, {"publish_status": "withdrawn"}],
    "not_public": [{"disclosure_level": "授权查询"}, {"disclosure_level": "政务共享"}],
    "expired": [{"decision_date": "2024-01-10"}],
    "summary_procedure": [{"procedure": "简易程序"}],
    "objection_pending": [{"objection_status": "处理中", "objection_date": "2026-11-01"}],
    "objection_upheld": [{"objection_status": "异议成立"}],
    "repaired": [{"decision_date": "2026-01-10", "repair_date": "2026-06-01"}],
    "minor": [person(subject_name="李小明", id_no=MINOR_ID)],
}


def marked(n: int, reason: str, values: dict[str, str]) -> dict[str, str]:
    marker = f"LEAKMARK{n:02d}"
    base = {"record_id": f"AP-X{n:02d}", "decision_no": f"{marker}号", "violation_facts": f"事实{marker}",
            "decision_date": "2026-06-01", "subject_name": f"{marker}公司", "uscc": OTHER}
    return row("admin_penalty", **base | values)


def leak_records(root: Path) -> tuple[Path, list[str], dict[str, int]]:
    """Records for the leak test; returns the folder, the markers and the expected exclusions."""
    records = root / "records"
    excluded: list[dict[str, str]] = []
    for reason, variants in EXCLUDED.items():
        for values in variants:
            excluded.append(marked(len(excluded), reason, values))
    published = [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep="王五", legal_rep_id_type="身份证",
            legal_rep_id_no=LEGAL_REP_ID, violation_facts="=HYPERLINK(\"http://x\")"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-08-01", decision_no="杭市监罚〔2026〕2号",
            **person(id_no=ADULT_ID)),
    ]
    wrong_check = COMPANY[:-1] + ("0" if COMPANY[-1] != "0" else "1")
    bad = row("admin_penalty", record_id="AP-BAD", decision_no="LEAKMARK99号", uscc=wrong_check, subject_name="LEAKMARK99公司")
    write_csv(records / "admin_penalty.csv", "admin_penalty", published + excluded + [bad], encoding="gb18030")
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="SJ-1", legal_rep="王五")])
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-1")])
    write_csv(records / "commendation.csv", "commendation", [row("commendation", record_id="BZ-1")])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="SX-1"),
        row("dishonest_list", record_id="SX-X", list_type="LEAKMARK98名单", removal_date="2025-01-01", uscc=OTHER,
            subject_name="LEAKMARK98公司"),
    ])
    write_csv(records / "judgment.csv", "judgment", [row("judgment", record_id="PJ-1", decision_date="2023-06-01")])
    markers = [f"LEAKMARK{n:02d}" for n in range(len(excluded))] + ["LEAKMARK98", "LEAKMARK99", LEGAL_REP_ID, ADULT_ID,
                                                                    MINOR_ID, "张三丰", "李小明"]
    expected = {reason: len(variants) for reason, variants in EXCLUDED.items()} | {"removed": 1}
    return records, markers, expected


def site_texts(output: Path) -> dict[str, str]:
    """Every output file as text, gzip streams decompressed, U+200B removed."""
    texts = {}
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        texts[path.relative_to(output).as_posix()] = data.decode("utf-8", errors="replace").replace("\u200b", "")
    return texts


@pytest.fixture(scope="module")
def leak_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], dict[str, int]]:
    root = tmp_path_factory.mktemp("leak")
    records, markers, expected = leak_records(root)
    build_site(root, records, AS_OF, search=True)
    return root, markers, expected


def test_nothing_that_must_stay_out_reaches_output(leak_site: tuple[Path, list[str], dict[str, int]]) -> None:
    root, markers, _ = leak_site
    texts = site_texts(root / "output")
    assert any(name.startswith("pagefind/fragment/") for name in texts)
    leaks = {(marker, name) for name, text in texts.items() for marker in markers if marker in text}
    assert leaks == set()


def test_published_records_are_there(leak_site: tuple[Path, list[str], dict[str, int]]) -> None:
    root, _, _ = leak_site
    texts = site_texts(root / "output")
    fragments = " ".join(t for n, t in texts.items() if n.startswith("pagefind/fragment/"))
    for record in ("admin_penalty/AP-1", "admin_penalty/AP-2", "subject/SJ-1", "admin_license/XK-1",
                   "commendation/BZ-1", "dishonest_list/SX-1", "judgment/PJ-1"):
        assert f"record/{record}/index.html" in texts
        assert f"/record/{record}/" in fragments
    record = texts["record/admin_penalty/AP-2/index.html"]
    assert "330***********123X"[:3] + "*" * 11 + ADULT_ID[-4:] in record
    assert "张*丰" in record
    assert "王五" in texts["record/admin_penalty/AP-1/index.html"]  # the legal representative's name is public


def test_audit_is_outside_the_site(leak_site: tuple[Path, list[str], dict[str, int]]) -> None:
    root, _, _ = leak_site
    names = {p.name for p in (root / "output").rglob("*")}
    assert not names & {"decisions.csv", "decisions.csv.gz", "quarantine.csv"}
    assert list((root / "audit" / "builds").glob("*/quarantine.csv"))


def test_counts_add_up(leak_site: tuple[Path, list[str], dict[str, int]]) -> None:
    root, _, expected = leak_site
    counts = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))["counts"]
    excluded = {k: v for k, v in counts["excluded"].items() if v}
    classes: Counter[str] = Counter()
    for reason, n in expected.items():
        classes[REASON_CLASSES[reason]] += n
    assert excluded == classes  # the public manifest's: per reason class
    private = json.loads(next((root / "audit" / "builds").glob("*/counts.json")).read_text(encoding="utf-8"))
    assert {k: v for k, v in private["excluded"].items() if v} == expected
    assert counts["quarantined"] == 1
    assert counts["published"] == 7
    assert counts["input_rows"] == counts["published"] + sum(excluded.values()) + counts["quarantined"]
    inputs = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))["inputs"]["records"]
    assert {i["file"]: i["encoding"] for i in inputs}["admin_penalty.csv"] == "gb18030"


def test_data_package_validates_and_holds_exactly_the_published(leak_site: tuple[Path, list[str], dict[str, int]]) -> None:
    root, _, _ = leak_site
    data = root / "output" / "data"
    report = frictionless.validate(str(data / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    with (data / "admin_penalty.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["record_id"] for r in rows] == ["AP-1", "AP-2"]
    assert rows[0]["violation_facts"].startswith("'=")
    assert rows[1]["id_no"] == ADULT_ID[:3] + "*" * 11 + ADULT_ID[-4:]
    assert "legal_rep_id_no" not in rows[0] and "publish_status" not in rows[0]
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    titles = {f["name"]: f["title"] for r in descriptor["resources"] if r["name"] == "admin-penalty"
              for f in r["schema"]["fields"]}
    assert titles["fine_amount"] == "罚款金额（万元）"


def test_pages_and_markup(leak_site: tuple[Path, list[str], dict[str, int]]) -> None:
    root, _, _ = leak_site
    output = root / "output"
    for path in ("index.html", f"subject/{COMPANY}/index.html", "items/admin_penalty/index.html", "search/index.html",
                 "404.html", "data/index.html", "authority/index.html", "pages/about/index.html", "sitemap.xml",
                 "robots.txt", "feed.xml", f"subject/{COMPANY}/data.json", f"subject/{COMPANY}/data.csv"):
        assert (output / path).is_file(), path
    for page in output.rglob("*.html"):
        assert '<html lang="zh-CN">' in page.read_text(encoding="utf-8"), page
    assert f"https://credit.example.gov.cn/subject/{COMPANY}/" in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_markup_in_data_is_escaped(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty",
              [row("admin_penalty", subject_name="<script>alert(1)</script>公司", violation_facts="<b>x</b>",
                                   decision_date="2026-06-01")])
    build_site(tmp_path, records, AS_OF)
    for page in (tmp_path / "output").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text and "<b>x</b>" not in text
    subject_page = tmp_path / "output" / "subject" / COMPANY / "index.html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;公司" in subject_page.read_text(encoding="utf-8")


def test_record_page_disappears_the_day_after_its_last_day(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1", decision_date="2025-03-10")])
    page = tmp_path / "output" / "record" / "admin_penalty" / "AP-1" / "index.html"
    build_site(tmp_path, records, date(2026, 3, 10))
    assert page.exists() and "2026-03-10" in page.read_text(encoding="utf-8")
    build_site(tmp_path, records, date(2026, 3, 11))
    notice = page.read_text(encoding="utf-8")  # its URL now answers with a notice (issue 15), without the record
    assert "此信息已不再公示" in notice and "2026-03-10" not in notice and "杭市监罚" not in notice


# --- The command line ----------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_build_on_any_records_directory(tmp_path: Path) -> None:
    records, _, _ = leak_records(tmp_path)
    code, output = cli("build", "--records", str(records), "--out", str(tmp_path / "out"), "--audit",
                       str(tmp_path / "audit"), "--as-of", "2026-11-24", "--no-search")
    assert code == 0, output
    assert "7 published" in output and "1 quarantined" in output


def test_cli_refuses_a_date_after_tomorrow_unless_asked_for(tmp_path: Path) -> None:
    """Bug: a typo in the year (--as-of 2027-… for 2026-…) built a site that withdrew a year early every record ending
    before it, and nothing said so."""
    from datetime import timedelta

    from site_builder.cli import today
    from site_builder.config import load_config

    records, _, _ = leak_records(tmp_path)
    now = today(load_config(None))
    args = ["build", "--records", str(records), "--out", str(tmp_path / "out"), "--audit", str(tmp_path / "audit"),
            "--no-search", "--as-of"]
    later = (now + timedelta(days=2)).isoformat()
    code, output = cli(*args, later)
    assert code == 1 and f"--as-of {later} is after tomorrow (today is {now} in Asia/Shanghai)" in output, output
    assert not (tmp_path / "out").exists()
    assert cli(*args, (now + timedelta(days=1)).isoformat())[0] == 0  # tomorrow: a site made ahead of midnight
    assert cli(*args, later, "--future")[0] == 0


def test_cli_refuses_a_bad_date(tmp_path: Path) -> None:
    code, output = cli("build", "--records", str(tmp_path), "--as-of", "2026-13-01")
    assert code == 2 and "2026-13-01" in output


def test_cli_refuses_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "site_builder.toml"
    config.write_text('[site]\nbase_url = "https://x.example"\ncolour = "red"\n[search]\nenabled = "yes"\n', encoding="utf-8")
    code, output = cli("--config", str(config), "build", "--as-of", "2026-11-24")
    assert code == 1
    for message in ("Config value 'site.base_url': must end with '/'", "Config value 'site.colour': unknown option",
                    "Config value 'search.enabled': expected bool"):
        assert message in output


@pytest.mark.parametrize("base_url", ["javascript:alert(1)//", "/relative/", "credit.example.gov.cn/", "https:///x/",
                                      "https://user@evil.example/", "https://x.example/?a=1/"])
def test_cli_refuses_a_base_url_that_is_no_absolute_web_address(tmp_path: Path, base_url: str) -> None:
    """Bug: ``javascript:alert(1)//`` was accepted: every permalink ran it, every stylesheet's path was broken."""
    config = tmp_path / "site_builder.toml"
    config.write_text(f'[site]\nbase_url = "{base_url}"\n', encoding="utf-8")
    code, output = cli("--config", str(config), "build", "--as-of", "2026-11-24")
    assert code == 1 and "Config value 'site.base_url': must be the site's absolute address" in output, output


def test_unreadable_file_stops_the_build_and_keeps_the_old_site(tmp_path: Path) -> None:
    records, _, _ = leak_records(tmp_path)
    args = ["build", "--records", str(records), "--out", str(tmp_path / "out"), "--audit", str(tmp_path / "audit"),
            "--as-of", "2026-11-24", "--no-search"]
    assert cli(*args)[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    (records / "judgment.csv").write_bytes(b"\x80\xff\xfe\x81" * 50)
    code, output = cli(*args)
    assert code == 1 and "judgment.csv" in output
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == before


def test_free_text_is_de_identified(tmp_path: Path) -> None:
    other_id = make_resident_id("110105", "19850505", "777")
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-P", decision_date="2026-06-01",
            violation_facts=f"当事人张三丰（身份证号{ADULT_ID}）伙同他人（{other_id}）经营过期食品",
            **person(id_no=ADULT_ID)),
        row("admin_penalty", record_id="AP-C", decision_date="2026-06-01", legal_rep_id_no=LEGAL_REP_ID,
            remarks=f"法定代表人证件号{LEGAL_REP_ID}"),
    ])
    build_site(tmp_path, records, AS_OF, search=True)  # the build's own leak scan passes
    texts = site_texts(tmp_path / "output")
    assert not [n for n, t in texts.items() if ADULT_ID in t or other_id in t or LEGAL_REP_ID in t or "张三丰" in t]
    page = texts["record/admin_penalty/AP-P/index.html"]
    assert f"当事人张*丰（身份证号{ADULT_ID[:3]}{'*' * 11}{ADULT_ID[-4:]}）" in page
    assert f"{other_id[:3]}{'*' * 11}{other_id[-4:]}" in page


def test_descriptive_enumerations_keep_unlisted_values(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "subject.csv", "subject", [
        row("subject", subject_type="有限责任公司（自然人投资或控股）", registration_status="存续（在营、开业、在册）")])
    build_site(tmp_path, records, AS_OF)
    page = (tmp_path / "output" / "subject" / COMPANY / "index.html").read_text(encoding="utf-8")
    assert "有限责任公司（自然人投资或控股）" in page and "存续（在营、开业、在册）" in page
    assert frictionless.validate(str(tmp_path / "output" / "data" / "datapackage.json")).valid


def test_large_sites_index_subjects_only(tmp_path: Path) -> None:
    import dataclasses

    from conftest import site_config

    from site_builder.build import build

    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", decision_date="2026-06-01")])
    config = site_config(tmp_path, records, search=True)
    config = dataclasses.replace(config, search=dataclasses.replace(config.search, index_records=False))
    build(config, AS_OF)
    texts = site_texts(tmp_path / "output")
    fragments = [t for n, t in texts.items() if n.startswith("pagefind/fragment/")]
    assert len(fragments) == 1 and f"/subject/{COMPANY}/" in fragments[0]
    assert "杭市监罚〔2025〕1号" not in fragments[0]  # a subject's search block holds what it is searched by …
    lookup = {key: paths for name, text in texts.items() if name.startswith("search/lookup/") and not name.endswith("/index.json")
              for key, paths in json.loads(text).items()}
    assert lookup["杭市监罚(2025)1号"] == ["record/admin_penalty/AD-1/"]  # … its records' numbers are in the exact lookup
    assert "data-pagefind-body" not in texts["record/admin_penalty/AD-1/index.html"]


def test_registration_records_are_headed_by_name_and_an_individual_business_has_an_operator(tmp_path: Path) -> None:
    """Bug: the 登记信息 list, a registration record's page and its search title read "登记信息 <date>" instead of the
    subject's name; a 个体工商户's operator was labelled 法定代表人 (it has none: 经营者)."""
    shop = make_uscc("92330100MA2H3K5B2")
    records = tmp_path / "records"
    write_csv(records / "subject.csv", "subject", [
        row("subject", record_id="SJ-1", legal_rep="王五"),
        row("subject", record_id="SJ-2", uscc=shop, subject_name="杭州王记理发店", subject_type="个体工商户", legal_rep="赵六"),
    ])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", uscc=shop, subject_name="杭州王记理发店", decision_date="2026-06-01",
            legal_rep="赵六")])
    output = build_site(tmp_path, records, AS_OF).output
    listing = (output / "items" / "subject" / "index.html").read_text(encoding="utf-8")
    assert "杭州恒远科技有限公司</a>" in listing and "杭州王记理发店</a>" in listing and "登记信息 20" not in listing
    page = (output / "record" / "subject" / "SJ-1" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind-weight="5">杭州恒远科技有限公司</h1>' in page
    assert "<title>杭州恒远科技有限公司 - 登记信息 - " in page
    company = (output / "subject" / COMPANY / "index.html").read_text(encoding="utf-8")
    assert "<dt>法定代表人</dt><dd>王五</dd>" in company and "经营者" not in company
    for path in (f"subject/{shop}/index.html", "record/subject/SJ-2/index.html", "record/admin_penalty/AP-1/index.html"):
        text = (output / path).read_text(encoding="utf-8")
        assert "<dt>经营者</dt><dd>赵六</dd>" in text and "<dt>法定代表人</dt>" not in text, path
