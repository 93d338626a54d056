"""End to end: a whole build through ``build_site`` and through the CLI.

The leak test builds (with the Pagefind index) a records directory holding one published record per
catalogue item and, for every way a record must stay out, a record carrying a unique marker; then
it reads every byte under ``output/`` (search index files decompressed) and looks for the markers,
raw ID numbers, withheld values and unmasked names. It also checks that what must be published is
there, so that it fails both ways. Then: manifest counts, the data package, pages, determinism,
what a failed build leaves behind, the CLI, and a penalty's last public day.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import re
import shutil
import zipfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner, Result
from conftest import (
    CATALOGUE_DIR,
    COMPANY,
    CONTENT_DIR,
    PROFILES_DIR,
    THEME_DIR,
    build_site,
    make_resident_id,
    make_uscc,
    person,
    row,
    site_config,
    write_csv,
)

from site_builder.audit.layout import BuildRecord
from site_builder.audit.ledger import CLASSES, REASON_CLASSES
from site_builder.build import build
from site_builder.cli import main
from site_builder.exceptions import ConfigError, InputError
from site_builder.rules.identifiers import mask_id_number, mask_person_name, resident_id_problem, uscc_problem

AS_OF = date(2026, 11, 24)
OTHER = make_uscc("91330200MA2H3K5B2")
LEGAL_REP_ID = make_resident_id("110108", "19750102", "555")
ADULT_ID = make_resident_id("330106", "19900307", "123")
MINOR_ID = make_resident_id("330106", "20100307", "456")
BAD_ID = ADULT_ID[:-1] + ("0" if ADULT_ID[-1] != "0" else "1")
MASKED_ADULT = ADULT_ID[:3] + "*" * 11 + ADULT_ID[-4:]
BAD_USCC = COMPANY[:-1] + ("0" if COMPANY[-1] != "0" else "1")
FORMULA = '=HYPERLINK("http://evil.example","点击")'
SEARCH_SUFFIXES = (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter")

# Published records: (item, record id, the token each one shows in its heading or name).
PUBLISHED: list[tuple[str, str, str]] = [
    ("subject", "SJ-1", "SHOWN01"),
    ("admin_license", "XK-1", "SHOWN02"),
    ("commendation", "BZ-1", "SHOWN03"),
    ("admin_penalty", "AP-1", "SHOWN04"),
    ("admin_penalty", "AP-2", "SHOWN05"),
    ("admin_penalty", "AP-3", "SHOWN06"),
    ("dishonest_list", "SX-1", "SHOWN07"),
    ("judgment", "PJ-1", "SHOWN08"),
]
EXPECTED_EXCLUDED = {
    "not_approved": 4, "not_public": 3, "expired": 4, "summary_procedure": 1, "objection_pending": 1,
    "objection_upheld": 1, "objection_unverifiable": 1, "repaired": 1, "minor": 1, "removed": 1,
}
EXPECTED_BY_ITEM = {
    "subject": (1, {"not_approved": 1}, 0),
    "admin_license": (1, {"not_public": 1}, 0),
    "commendation": (1, {"expired": 1}, 0),
    "admin_penalty": (3, {"not_approved": 3, "not_public": 2, "expired": 2, "summary_procedure": 1, "objection_pending": 1,
                          "objection_upheld": 1, "objection_unverifiable": 1, "repaired": 1, "minor": 1}, 4),
    "dishonest_list": (1, {"removed": 1}, 0),
    "judgment": (1, {"expired": 1}, 1),
}


def marker(n: int) -> str:
    """The unique marker of excluded or quarantined record ``n``."""
    return f"LEAKMARK{n:02d}"


def penalty_out(n: int, **values: str) -> dict[str, str]:
    """A penalty that must stay out, its marker in the subject name, decision number and facts."""
    base = {"record_id": f"AP-L{n:02d}", "subject_name": f"{marker(n)}贸易有限公司", "decision_no": f"杭市监罚〔2026〕{marker(n)}号",
            "violation_facts": f"违法事实{marker(n)}", "decision_date": "2026-06-01"}
    return row("admin_penalty", **base | values)


def write_leak_records(records: Path) -> list[str]:
    """The leak test's records directory; returns every string that must not appear in the output."""
    penalties = [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", decision_no="杭市监罚〔2026〕SHOWN04号",
            legal_rep="王五", legal_rep_id_type=f"身份证{marker(50)}", legal_rep_id_no=LEGAL_REP_ID,
            violation_facts=FORMULA, objection_status="异议不成立"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-08-01", decision_no="杭市监罚〔2026〕SHOWN05号",
            **person(id_no=ADULT_ID)),
        # Repaired, but the three-month minimum has not passed yet: still public.
        row("admin_penalty", record_id="AP-3", decision_date="2026-10-01", repair_date="2026-10-15",
            decision_no="杭市监罚〔2026〕SHOWN06号", remarks="@SUM(A1:A2)", penalty_content="-2+3"),
        penalty_out(0, publish_status="待审核"),
        penalty_out(1, publish_status="已驳回"),
        penalty_out(2, publish_status="withdrawn"),
        penalty_out(3, disclosure_level="授权查询"),
        penalty_out(4, disclosure_level="政务共享"),
        penalty_out(5, decision_date="2025-03-10"),                                  # general: last day 2026-03-10
        penalty_out(6, procedure="简易程序"),
        penalty_out(7, objection_status="处理中", objection_date="2026-11-01"),
        penalty_out(8, objection_status="异议成立"),
        penalty_out(9, decision_date="2026-01-10", repair_date="2026-06-01"),       # repaired after the minimum
        penalty_out(10, **person(subject_name="李小明", id_no=MINOR_ID)),            # 16 on the decision date
        penalty_out(11, disclosure_deadline="2026-10-31"),                           # 公示截止期 passed
        penalty_out(18, objection_status="无法核实"),
    ]
    quarantined = [
        penalty_out(40, uscc=BAD_USCC),
        penalty_out(42, **person(subject_name="赵六六", id_no=BAD_ID)),
        penalty_out(43, record_id="AP-DUP"),  # two rows claim one id (compared case-folded): neither is published
        penalty_out(44, record_id="ap-dup"),
    ]
    write_csv(records / "admin_penalty" / "part-1.csv", "admin_penalty", penalties, encoding="gb18030")
    write_csv(records / "admin_penalty" / "part-2.csv", "admin_penalty", quarantined)
    write_csv(records / "subject.csv", "subject", [
        row("subject", record_id="SJ-1", subject_name="杭州恒远科技SHOWN01有限公司", legal_rep="王五"),
        row("subject", record_id="SJ-L16", subject_name=f"{marker(16)}有限公司", uscc=OTHER, publish_status="待审核"),
    ])
    write_csv(records / "行政许可.csv", "admin_license", [
        row("admin_license", record_id="XK-1", license_doc_no="浙杭许〔2024〕SHOWN02号"),
        row("admin_license", record_id="XK-L15", license_doc_no=f"浙杭许〔2024〕{marker(15)}号", disclosure_level="政务共享",
            subject_name=f"{marker(15)}有限公司"),
    ])
    write_csv(records / "commendation.csv", "commendation", [
        row("commendation", record_id="BZ-1", doc_no="浙市监〔2024〕SHOWN03号"),
        row("commendation", record_id="BZ-L14", doc_no=f"浙市监〔2024〕{marker(14)}号", valid_until="2025-12-31",
            subject_name=f"{marker(14)}有限公司"),
    ], encoding="utf-16")
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="SX-1", list_type="失信被执行人SHOWN07", removal_date="2027-01-01"),
        row("dishonest_list", record_id="SX-L12", list_type=f"失信被执行人{marker(12)}", removal_date="2025-01-01",
            subject_name=f"{marker(12)}有限公司", uscc=OTHER),
    ])
    write_csv(records / "judgment.csv", "judgment", [
        row("judgment", record_id="PJ-1", case_no="(2023)浙0106民初SHOWN08号", decision_date="2023-06-01"),
        row("judgment", record_id="PJ-L13", case_no=f"(2020)浙0106民初{marker(13)}号", decision_date="2020-01-01",
            subject_name=f"{marker(13)}有限公司"),
        row("judgment", record_id="PJ-L41", case_no=f"(2024)浙0106民初{marker(41)}号", decision_date="2024-02-30",
            subject_name=f"{marker(41)}有限公司"),
    ], encoding="utf-8")
    markers = [marker(n) for n in (*range(16), 18, 40, 41, 42, 43, 44, 50)]
    people = ["张三丰", "李小明", "赵六六"]
    numbers = [LEGAL_REP_ID, ADULT_ID, MINOR_ID, BAD_ID, ADULT_ID[3:14], LEGAL_REP_ID[3:14], MINOR_ID[3:14]]
    return markers + people + numbers


def output_texts(output: Path) -> dict[str, str]:
    """Every file under ``output`` as text: search index files (and any gzip stream) decompressed, a zip's members
    joined (each read the same way), U+200B removed."""
    return {path.relative_to(output).as_posix(): readable(path.read_bytes(), path.suffix)
            for path in sorted(p for p in output.rglob("*") if p.is_file())}


def readable(data: bytes, suffix: str = "") -> str:
    """The text of a file's bytes: a gzip stream (or a Pagefind file) decompressed, a zip archive's members joined."""
    if suffix in SEARCH_SUFFIXES or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(readable(archive.read(info), Path(info.filename).suffix) for info in archive.infolist())
    return data.decode("utf-8", errors="replace").replace("\u200b", "")


def spellings(secret: str) -> list[str]:
    """The forms a secret could take in a file: as is, lower case (the search index), JSON-escaped."""
    forms = {secret, secret.lower(), json.dumps(secret)[1:-1]}
    return sorted(forms)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 (BOM) CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclasses.dataclass(frozen=True)
class LeakSite:
    """The leak test's build."""

    root: Path
    records: Path
    output: Path
    audit: Path
    forbidden: list[str]
    texts: dict[str, str]


@pytest.fixture(scope="module")
def leak_site(tmp_path_factory: pytest.TempPathFactory) -> LeakSite:
    root = tmp_path_factory.mktemp("leak")
    records = root / "records"
    forbidden = write_leak_records(records)
    result = build_site(root, records, AS_OF, search=True)
    return LeakSite(root, records, result.output, result.audit, forbidden, output_texts(result.output))


# --- The leak test ------------------------------------------------------------------------------------


def test_nothing_that_must_stay_out_reaches_the_output(leak_site: LeakSite) -> None:
    texts = leak_site.texts
    assert any(name.endswith(".pf_fragment") for name in texts) and any(name.endswith(".pf_index") for name in texts)
    leaks = sorted(
        (secret, name)
        for name, text in texts.items()
        for secret in leak_site.forbidden
        if any(form in text or form in text.lower() for form in spellings(secret))
    )
    assert leaks == []


def test_nothing_of_a_withdrawn_record_reaches_the_next_build(leak_site: LeakSite, tmp_path: Path) -> None:
    """The leak site built again the next day (search on, from a copy of its output and audit folder)
    after two published penalties were withdrawn: AP-2's row removed (a natural person: masked name and ID
    number), AP-3 put under objection. No file of the new site (gzip, zip and Pagefind files opened) shows their
    content, the masked name or ID number, or what never was public; their ids appear only where withdrawals are
    listed (the change files and the withdrawals feed) and in the notice their old URL answers with (issue 15; the
    manifest lists it), the change files giving their reason classes."""
    shutil.copytree(leak_site.root, tmp_path / "site", symlinks=True)
    root, records = tmp_path / "site", tmp_path / "site" / "records"
    with (records / "admin_penalty" / "part-1.csv").open(encoding="gb18030", newline="") as fh:
        rows = list(csv.reader(fh))
    heading, body = rows[0], rows[1:]
    ids, status, objected = (heading.index(t) for t in ("记录编号", "异议状态", "异议提出日期"))
    kept = [r for r in body if r[ids] != "AP-2"]
    for r in kept:
        if r[ids] == "AP-3":
            r[status], r[objected] = "处理中", AS_OF.isoformat()
    with (records / "admin_penalty" / "part-1.csv").open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([heading, *kept])
    result = build_site(root, records, AS_OF + timedelta(days=1), search=True)
    texts = output_texts(result.output)
    assert any(name.endswith(".pf_fragment") for name in texts)
    gone = ["SHOWN05", "SHOWN06", mask_person_name("张三丰"), MASKED_ADULT, "@SUM(A1:A2)"]
    assert all(any(secret in text for text in leak_site.texts.values()) for secret in gone)  # the check can find them
    leaks = sorted((secret, name) for name, text in texts.items() for secret in [*leak_site.forbidden, *gone]
                   if any(form in text or form in text.lower() for form in spellings(secret)))
    assert [leak for leak in leaks if leak != ("张*丰", "static/search.js")] == []  # the theme's script cites 张*丰
    notices = {f"changes/{result.entry.build_id}/{name}" for name in ("changes.csv", "changes.json", "index.html")}
    for record_id, reason in (("AP-2", "withdrawn_by_authority"), ("AP-3", "objection")):
        notice = f"record/admin_penalty/{record_id}/index.html"  # the old URL answers with a notice (issue 15)
        assert {name for name, text in texts.items() if re.search(rf"\b{record_id}\b", text)} == notices | {
            "changes/withdrawn.xml", notice, "manifest.json"}, record_id
        assert "noindex" in texts[notice] and "SHOWN0" not in texts[notice]
        assert f"withdrawn,admin_penalty,{record_id},,{reason}," in texts[f"changes/{result.entry.build_id}/changes.csv"]


def test_what_is_published_is_there(leak_site: LeakSite) -> None:
    texts = leak_site.texts
    fragments = "".join(t for n, t in texts.items() if n.endswith(".pf_fragment"))
    index = "".join(t for n, t in texts.items() if n.endswith(".pf_index"))
    for item, record_id, token in PUBLISHED:
        page = f"record/{item}/{record_id}/index.html"
        assert page in texts, page
        assert token in texts[page], (token, page)
        assert f'"url":"/record/{item}/{record_id}/"' in fragments, record_id
        assert token in fragments and token.lower() in index, token
    record_pages = {n.split("/")[2] for n in texts if n.startswith("record/") and n.endswith("/index.html")}
    assert record_pages == {record_id for _, record_id, _ in PUBLISHED}
    assert sorted(n for n in texts if n.startswith("subject/") and n.endswith("index.html")) == [f"subject/{COMPANY}/index.html"]


def test_id_numbers_and_names_of_natural_persons_appear_only_masked(leak_site: LeakSite) -> None:
    page = leak_site.texts["record/admin_penalty/AP-2/index.html"]
    assert MASKED_ADULT == mask_id_number(ADULT_ID) and MASKED_ADULT.startswith("330***********")
    assert MASKED_ADULT in page
    assert mask_person_name("张三丰") in page
    assert "张三丰" not in page and ADULT_ID not in page
    fragments = "".join(t for n, t in leak_site.texts.items() if n.endswith(".pf_fragment"))
    assert mask_person_name("张三丰") in fragments
    assert "王五" in leak_site.texts["record/admin_penalty/AP-1/index.html"]  # the legal representative's name is public


def test_withheld_fields_are_not_shown(leak_site: LeakSite) -> None:
    page = leak_site.texts["record/admin_penalty/AP-1/index.html"]
    for title in ("法定代表人证件号码", "法定代表人证件类型", "发布状态", "公开属性", "异议状态", "信用修复日期"):
        assert title not in page
    assert "法定代表人" in page


def test_audit_is_kept_outside_the_output(leak_site: LeakSite) -> None:
    assert not leak_site.audit.resolve().is_relative_to(leak_site.output.resolve())
    names = {p.name for p in leak_site.output.rglob("*")}
    assert not names & {"decisions.csv", "decisions.csv.gz", "quarantine.csv", "published.sqlite", "chain.jsonl"}
    assert (leak_site.audit / "quarantine.csv").is_file() and (leak_site.audit / "decisions.csv.gz").is_file()
    with (leak_site.audit / "quarantine.csv").open(encoding="utf-8", newline="") as fh:
        quarantined = {(q["record_id"], q["error"]) for q in csv.DictReader(fh)}
    assert quarantined == {("AP-L40", "uscc"), ("AP-L42", "resident-id"), ("AP-DUP", "duplicate-id"), ("ap-dup", "duplicate-id"),
                           ("PJ-L41", "date")}


def test_audit_folder_inside_the_output_is_refused(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [row("judgment")])
    config = site_config(tmp_path, records).with_paths(audit=tmp_path / "output" / "audit")
    with pytest.raises(ConfigError, match="paths.audit"):
        build(config, AS_OF)
    assert not (tmp_path / "output").exists()


# --- Manifest counts ---------------------------------------------------------------------------------


def _classes(reasons: dict[str, int]) -> dict[str, int]:
    """Counts per reason code as counts per public reason class."""
    tally: Counter[str] = Counter()
    for reason, n in reasons.items():
        tally[REASON_CLASSES[reason]] += n
    return dict(tally)


def test_manifest_counts_add_up_and_match_the_fixture(leak_site: LeakSite) -> None:
    """The public manifest counts the excluded rows per public reason class; the build's audit record per reason code
    (``counts.json``, covered by the manifest's audit hashes)."""
    manifest = json.loads((leak_site.output / "manifest.json").read_text(encoding="utf-8"))
    private = json.loads(BuildRecord(leak_site.audit).counts.read_text(encoding="utf-8"))
    assert "counts.json" in manifest["audit"]
    for counts, expected, by_item in ((private, EXPECTED_EXCLUDED, lambda e: e),
                                      (manifest["counts"], _classes(EXPECTED_EXCLUDED), _classes)):
        assert manifest["counts"]["input_rows"] == counts["published"] + sum(counts["excluded"].values()) + counts["quarantined"]
        assert counts["published"] == len(PUBLISHED)
        assert {k: v for k, v in counts["excluded"].items() if v} == expected
        assert counts["quarantined"] == 5
        for item, (published, excluded, quarantined) in EXPECTED_BY_ITEM.items():
            got = counts["by_item"][item]
            assert (got["published"], {k: v for k, v in got["excluded"].items() if v}, got["quarantined"]) == (
                published, by_item(excluded), quarantined), item
    assert manifest["counts"]["input_rows"] == 31
    assert set(manifest["counts"]["excluded"]) == set(CLASSES)  # never a reason code: "minor" says more than the site may
    counts = manifest["counts"]
    inputs = {i["file"]: i for i in manifest["inputs"]["records"]}
    assert {name: i["encoding"] for name, i in inputs.items()} == {
        "subject.csv": "utf-8-sig", "行政许可.csv": "utf-8-sig", "commendation.csv": "utf-16",
        "admin_penalty/part-1.csv": "gb18030", "admin_penalty/part-2.csv": "utf-8-sig", "dishonest_list.csv": "utf-8-sig",
        "judgment.csv": "utf-8",
    }
    assert sum(i["rows"] for i in inputs.values()) == counts["input_rows"]
    assert manifest["as_of"] == AS_OF.isoformat()


# --- The data package --------------------------------------------------------------------------------


def test_data_package_validates(leak_site: LeakSite) -> None:
    report = frictionless.validate(leak_site.output / "data" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_each_csv_holds_exactly_the_published_records_of_its_item(leak_site: LeakSite) -> None:
    data = leak_site.output / "data"
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in descriptor["resources"]} == {f"{item}.csv" for item in EXPECTED_BY_ITEM} | {"statistics.csv"}
    for item in EXPECTED_BY_ITEM:
        rows = read_csv(data / f"{item}.csv")
        assert sorted(r["record_id"] for r in rows) == sorted(i for it, i, _ in PUBLISHED if it == item), item
        assert (data / f"{item}.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_masks_ids_withholds_fields_and_neutralises_formulas(leak_site: LeakSite) -> None:
    rows = {r["record_id"]: r for r in read_csv(leak_site.output / "data" / "admin_penalty.csv")}
    assert rows["AP-2"]["id_no"] == MASKED_ADULT
    assert rows["AP-2"]["subject_name"] == mask_person_name("张三丰")
    assert rows["AP-1"]["violation_facts"] == "'" + FORMULA
    assert rows["AP-3"]["remarks"] == "'@SUM(A1:A2)"
    assert rows["AP-3"]["penalty_content"] == "'-2+3"
    assert rows["AP-1"]["decision_no"] == "杭市监罚〔2026〕SHOWN04号"  # ordinary text is left alone
    for withheld in ("legal_rep_id_no", "legal_rep_id_type", "publish_status", "disclosure_level", "objection_status",
                     "repair_date"):
        assert withheld not in rows["AP-1"]
    assert rows["AP-1"]["publication_start"] == "2026-06-01" and rows["AP-1"]["publication_until"] == "2027-06-01"
    assert rows["AP-3"]["publication_until"] == "2027-01-01"  # repaired: gone once the three-month minimum has passed


# --- Pages ---------------------------------------------------------------------------------------------


def test_pages_exist(leak_site: LeakSite) -> None:
    out = leak_site.output
    pages = ["index.html", "search/index.html", "404.html", f"subject/{COMPANY}/index.html"]
    pages += [f"items/{item}/index.html" for item in EXPECTED_BY_ITEM]
    pages += [f"record/{item}/{record_id}/index.html" for item, record_id, _ in PUBLISHED]
    for page in pages:
        assert (out / page).is_file(), page
    assert not (out / "subject" / OTHER).exists()


def test_every_html_page_is_marked_as_chinese(leak_site: LeakSite) -> None:
    pages = [n for n in leak_site.texts if n.endswith(".html")]
    assert len(pages) > 20
    assert [n for n in pages if '<html lang="zh-CN">' not in leak_site.texts[n]] == []


def test_subject_page_lists_only_published_records(leak_site: LeakSite) -> None:
    page = leak_site.texts[f"subject/{COMPANY}/index.html"]
    for token in ("SHOWN02", "SHOWN03", "SHOWN04", "SHOWN06", "SHOWN07", "SHOWN08"):
        assert token in page
    assert "SHOWN05" not in page  # a natural person's record is not filed under a company


def test_markup_in_values_is_escaped(tmp_path: Path) -> None:
    records = tmp_path / "records"
    evil = "<script>alert(1)</script>有限公司"
    write_csv(records / "subject.csv", "subject", [row("subject", subject_name=evil, address="<img src=x onerror=alert(2)>")])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", subject_name=evil, decision_date="2026-06-01", violation_facts="<b>加粗</b>", decision_no="罚<i>1</i>号"),
    ])
    output = build_site(tmp_path, records, AS_OF).output
    pages = {p.relative_to(output).as_posix(): p.read_text(encoding="utf-8") for p in output.rglob("*.html")}
    assert len(pages) > 5
    for name, text in pages.items():
        for raw in ("<script>alert(1)", "<img src=x", "<b>加粗", "<i>1</i>"):
            assert raw not in text, (raw, name)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in pages[f"subject/{COMPANY}/index.html"]
    assert "&lt;b&gt;加粗&lt;/b&gt;" in pages["record/admin_penalty/AD-1/index.html"]
    feed = (output / "feed.xml").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in feed and "<i>1</i>" not in feed


# --- Determinism -------------------------------------------------------------------------------------


def test_two_builds_of_the_same_records_are_byte_identical(leak_site: LeakSite, tmp_path: Path) -> None:
    again = build_site(tmp_path, leak_site.records, AS_OF, search=True).output
    first, second = tree(leak_site.output), tree(again)
    assert any(name.endswith(".pf_fragment") for name in first)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# --- A failed build leaves the published site alone ----------------------------------------------------


def cli(*args: str) -> Result:
    """Run the command line in-process."""
    return CliRunner().invoke(main, list(args))


def build_args(records: Path, root: Path, as_of: str = "2026-11-24") -> list[str]:
    """``build`` arguments for ``records`` into ``root/out`` and ``root/audit``, without search."""
    return ["build", "--records", str(records), "--out", str(root / "out"), "--audit", str(root / "audit"),
            "--as-of", as_of, "--no-search"]


def small_records(records: Path) -> Path:
    """Three penalty rows: one published, one excluded (pending), one quarantined (bad date)."""
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", publish_status="待审核"),
        row("admin_penalty", record_id="AP-3", decision_date="2026-06-31"),
    ])
    return records


def test_unreadable_file_fails_the_build_and_keeps_the_previous_output(tmp_path: Path) -> None:
    records = small_records(tmp_path / "records")
    write_csv(records / "judgment.csv", "judgment", [row("judgment", record_id="PJ-1")])
    first = cli(*build_args(records, tmp_path))
    assert first.exit_code == 0, first.output
    before = tree(tmp_path / "out")
    audit_before = sorted(p.name for p in (tmp_path / "audit" / "builds").iterdir())
    assert "record/judgment/PJ-1/index.html" in before

    (records / "judgment.csv").write_bytes(b"\x80\xff\xfe\x81" * 100)
    write_csv(records / "commendation.csv", "commendation", [row("commendation", record_id="BZ-1")])
    failed = cli(*build_args(records, tmp_path))
    assert failed.exit_code != 0
    assert "judgment.csv" in failed.output
    assert failed.exception is None or isinstance(failed.exception, SystemExit)  # a message, not a traceback
    assert tree(tmp_path / "out") == before
    assert sorted(p.name for p in (tmp_path / "audit" / "builds").iterdir()) == audit_before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


# --- The command line -----------------------------------------------------------------------------------


def test_cli_build_prints_the_counts(tmp_path: Path) -> None:
    records = small_records(tmp_path / "records")
    result = cli(*build_args(records, tmp_path))
    assert result.exit_code == 0, result.output
    assert "3 rows, 1 published, 1 excluded {'not_approved': 1}, 1 quarantined" in result.output
    assert "as of 2026-11-24" in result.output
    assert (tmp_path / "out" / "record" / "admin_penalty" / "AP-1" / "index.html").is_file()
    assert not (tmp_path / "out" / "pagefind").exists()  # --no-search


def test_cli_a_bad_row_never_stops_the_build(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="../../etc", decision_date="2026-06-01"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", uscc="not a code", fine_amount="很多"),
        row("admin_penalty", record_id="AP-3", decision_date="2026-06-01"),
    ])
    result = cli(*build_args(records, tmp_path))
    assert result.exit_code == 0, result.output
    assert "1 published" in result.output and "2 quarantined" in result.output
    assert (tmp_path / "out" / "record" / "admin_penalty" / "AP-3" / "index.html").is_file()
    [build_dir] = (tmp_path / "audit" / "builds").iterdir()
    with (build_dir / "quarantine.csv").open(encoding="utf-8", newline="") as fh:
        problems = {(q["row"], q["error"]) for q in csv.DictReader(fh)}
    assert problems == {("2", "unsafe-id"), ("3", "uscc"), ("3", "number")}
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("as_of", ["2026-13-01", "2026-02-30", "24/11/2026", "tomorrow"])
def test_cli_refuses_a_bad_as_of_date(tmp_path: Path, as_of: str) -> None:
    records = small_records(tmp_path / "records")
    result = cli(*build_args(records, tmp_path, as_of))
    assert result.exit_code == 2
    assert "--as-of" in result.output and as_of in result.output and "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def copy_catalogue(tmp_path: Path) -> Path:
    """A private copy of the project's catalogue, to break."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, catalogue)
    return catalogue


def config_for(tmp_path: Path, catalogue: Path) -> Path:
    """A configuration file using ``catalogue`` and the project's profiles, templates and content."""
    config = tmp_path / "site_builder.toml"
    config.write_text(
        f'[paths]\ncatalogue = "{catalogue}"\nprofiles = "{PROFILES_DIR}"\n'
        f'templates = "{THEME_DIR}"\ncontent = "{CONTENT_DIR}"\n[search]\nenabled = false\n',
        encoding="utf-8",
    )
    return config


def test_cli_refuses_a_bad_catalogue_naming_the_file_and_key(tmp_path: Path) -> None:
    catalogue = copy_catalogue(tmp_path)
    broken = catalogue / "admin_penalty.yaml"
    text = broken.read_text(encoding="utf-8")
    assert "  - name: decision_date\n    title: 处罚决定日期\n    type: date\n" in text
    broken.write_text(text.replace("title: 处罚决定日期\n    type: date\n", "title: 处罚决定日期\n    type: datetime\n"),
                      encoding="utf-8")
    config = config_for(tmp_path, catalogue)
    records = small_records(tmp_path / "records")
    result = cli("--config", str(config), *build_args(records, tmp_path))
    assert result.exit_code == 1
    assert str(broken) in result.output
    assert "(decision_date): type: 'datetime'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("item_id", ["sub/../../../../pwn", "Penalty", "行政处罚", "a-b"])
def test_a_catalogue_item_id_that_is_no_plain_name_is_refused(tmp_path: Path, item_id: str) -> None:
    """Bug: an item id ``sub/../../../pwn`` (the item's folders and files are named by it) wrote outside the site, then
    the build stopped with a traceback. It must be lower_snake_case ASCII, as field names are."""
    catalogue = copy_catalogue(tmp_path)
    item = catalogue / "commendation.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("id: commendation\n", f"id: '{item_id}'\n", 1), encoding="utf-8")
    result = cli("--config", str(config_for(tmp_path, catalogue)), *build_args(small_records(tmp_path / "records"), tmp_path))
    assert result.exit_code == 1 and f"id: {item_id!r} must be lower_snake_case ASCII" in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists() and not (tmp_path / "pwn").exists()


def test_cli_with_a_good_config_file_builds(tmp_path: Path) -> None:
    """The same config file, unbroken, builds: the failure above is the catalogue's, not the config's."""
    catalogue = copy_catalogue(tmp_path)
    config = config_for(tmp_path, catalogue)
    records = small_records(tmp_path / "records")
    result = cli("--config", str(config), *build_args(records, tmp_path))
    assert result.exit_code == 0, result.output
    assert "1 published" in result.output


def test_cli_missing_records_directory(tmp_path: Path) -> None:
    result = cli(*build_args(tmp_path / "no-such-records", tmp_path))
    assert result.exit_code == 1
    assert "no-such-records" in result.output and "does not exist" in result.output


# --- A penalty's last public day, through real builds -------------------------------------------------------


@pytest.mark.parametrize(("severity", "deadline", "last_day"), [
    ("一般", "", date(2026, 3, 10)),             # general: one year from the decision date
    ("严重", "", date(2028, 3, 10)),             # serious: three years
    ("一般", "2025-12-31", date(2025, 12, 31)),  # an earlier 公示截止期 ends it earlier
    ("严重", "2030-01-01", date(2028, 3, 10)),   # but never extends past the maximum
])
def test_penalty_page_disappears_the_day_after_its_last_day(tmp_path: Path, severity: str, deadline: str, last_day: date) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2025-03-10", severity=severity, disclosure_deadline=deadline),
    ])
    out = tmp_path / "output"
    page = out / "record" / "admin_penalty" / "AP-1" / "index.html"

    build_site(tmp_path, records, last_day)
    assert page.is_file()
    assert f"至 <strong>{last_day.isoformat()}</strong> 止" in page.read_text(encoding="utf-8")
    assert [r["publication_until"] for r in read_csv(out / "data" / "admin_penalty.csv")] == [last_day.isoformat()]
    assert "record/admin_penalty/AP-1/" in (out / "items" / "admin_penalty" / "index.html").read_text(encoding="utf-8")

    result = build_site(tmp_path, records, last_day + timedelta(days=1))
    notice = page.read_text(encoding="utf-8")  # the old URL answers with a notice (issue 15), without the record
    assert 'content="noindex"' in notice and "杭市监罚" not in notice and "杭州恒远科技有限公司" not in notice
    assert read_csv(out / "data" / "admin_penalty.csv") == []
    assert "record/admin_penalty/AP-1/" not in (out / "items" / "admin_penalty" / "index.html").read_text(encoding="utf-8")
    subject = (out / "subject" / COMPANY / "index.html").read_text(encoding="utf-8")  # a notice, not the company
    assert 'content="noindex"' in subject and "杭州恒远科技有限公司" not in subject and "杭市监罚" not in subject
    assert not (out / "subject" / COMPANY / "data.json").exists()
    assert result.counts.excluded["admin_penalty"]["expired"] == 1


def test_a_record_gone_since_the_last_build_is_gone_from_the_search_index_too(tmp_path: Path) -> None:
    """Pagefind never deletes stale index files: rebuilding into the same output must not keep old fragments."""
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2025-03-10", decision_no="杭市监罚〔2025〕GONEMARK1号",
            subject_name="GONEMARK2贸易有限公司", uscc=OTHER),
        row("admin_penalty", record_id="AP-2", decision_date="2026-01-05", decision_no="杭市监罚〔2026〕STAYMARK1号"),
    ])
    build_site(tmp_path, records, date(2026, 3, 10), search=True)
    before = output_texts(tmp_path / "output")
    assert any("GONEMARK1" in text for name, text in before.items() if name.endswith(".pf_fragment"))
    build_site(tmp_path, records, date(2026, 3, 11), search=True)
    after = output_texts(tmp_path / "output")
    assert [name for name, text in after.items() if "gonemark" in text.lower()] == []
    assert any("STAYMARK1" in text for name, text in after.items() if name.endswith(".pf_fragment"))
    notice = (tmp_path / "output" / "subject" / OTHER / "index.html").read_text(encoding="utf-8")
    assert 'content="noindex"' in notice and "GONEMARK2" not in notice  # the subject's URL answers a notice


# --- A file without its heading row -----------------------------------------------------------------------------


def test_file_without_a_heading_row_does_not_publish_its_first_row(tmp_path: Path) -> None:
    """A records file exported without its heading row cannot be read: a data row (a natural person's
    name and raw resident ID, withheld values) must never be taken for a heading and quoted in a
    warning. The build stops with a message naming the file; nothing is published."""
    records = tmp_path / "records"
    path = write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep_id_no=LEGAL_REP_ID,
            **person(subject_name="钱多多", id_no=ADULT_ID)),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01"),
    ])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8-sig")
    with pytest.raises(InputError, match=r"admin_penalty.csv': no heading row"):
        build_site(tmp_path, records, AS_OF)
    assert not (tmp_path / "output").exists()


# --- Codes that also read as resident ID numbers ---------------------------------------------------------------


def uscc_like_resident_id(body: str = "12330119900307") -> str:
    """A valid 统一社会信用代码 (a 事业单位, prefix 12) that is also a well-formed resident ID number.

    Prefixes 11-13, 21, 31-35, 41, 51-53 … of 机关, 事业单位 and 社会组织 are also province codes; with an
    all-digit organisation code, positions 7-14 can read as a date and the check characters can agree.
    """
    for n in range(1000):
        code = make_uscc(f"{body}{n:03d}")
        if resident_id_problem(code) is None:
            assert uscc_problem(code) is None
            return code
    raise AssertionError("no such code")


def test_organisation_codes_that_read_as_resident_ids_are_published_unchanged(tmp_path: Path) -> None:
    """A 事业单位's or an authority's 统一社会信用代码 is not a person's ID number, whatever it looks like.

    Bug: ``redaction.scrub`` masks every string that passes ``resident_id_problem`` in every free-text
    field, the 统一社会信用代码 columns included, so a code such as ``12330119900307…`` was published as
    ``123***********015X``; the data package then breaks its own ``pattern`` constraint, and
    ``verify._data_problems`` crashes formatting the report (``'ReportTask' object has no attribute
    'resource'``): the whole build fails with an AttributeError.
    """
    code = uscc_like_resident_id()
    records = tmp_path / "records"
    write_csv(records / "subject.csv", "subject", [row("subject", subject_name="杭州市某某研究院", subject_type="事业单位", uscc=code)])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", authority_uscc=code),
    ])
    output = build_site(tmp_path, records, AS_OF).output
    assert (output / "subject" / code / "index.html").is_file()
    assert [r["uscc"] for r in read_csv(output / "data" / "subject.csv")] == [code]
    assert [r["authority_uscc"] for r in read_csv(output / "data" / "admin_penalty.csv")] == [code]
    assert frictionless.validate(output / "data" / "datapackage.json").valid


def test_natural_person_with_a_resident_id_in_the_code_column_does_not_stop_the_build(tmp_path: Path) -> None:
    """Some exports put a person's ID number into 统一社会信用代码 as well; about 1 in 31 pass its check.

    Such a row may be quarantined or published with the number masked, but it must not stop the build,
    and the raw number must not be published. Bug: it is masked in the 统一社会信用代码 column, the data
    package fails its pattern constraint and the build crashes (see the test above).
    """
    number = next(n for seq in range(100, 1000)
                  if uscc_problem(n := make_resident_id(seq=f"{seq:03d}")) is None)
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", **person(id_no=number, uscc=number)),
    ])
    result = cli(*build_args(records, tmp_path))
    assert result.exit_code == 0, (result.output, result.exception)
    assert (tmp_path / "out" / "record" / "admin_penalty" / "AP-1" / "index.html").is_file()
    assert [name for name, text in output_texts(tmp_path / "out").items() if number in text] == []
    assert frictionless.validate(tmp_path / "out" / "data" / "datapackage.json").valid
