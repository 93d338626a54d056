"""Changes since the last build (issue 14): change files, first-published dates, the feeds and the sitemap's lastmod.

Small records folders built several times in one site folder (search off): the change file of the second build
lists exactly the records added, changed (with the names of the fields) and withdrawn (with their public reason
classes); the changes index lists the change sets of ``[changes] days`` and at least ``[changes] kept`` builds that
changed something, drops the older ones and says from which build on its list is complete, and rebuilds that change
nothing push none of them off the site or out of the withdrawals feed; a
withdrawn record leaves nothing in the next site but its id in the change files (gzip and zip members read too);
a record approved today with a 2024 decision date is first in the feed and on the home page; the sitemap's lastmod
of a changed record and its subject moves, the others' stays; the same previous state gives the same bytes, a
build that fails leaves the previous state, and an unreadable state stops the build in one line.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import gzip
import io
import json
import re
import shutil
import sqlite3
import struct
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, make_uscc, row, site_config, write_csv

from site_builder import faults
from site_builder.audit.changes import CLASS_TITLES, changed_fields
from site_builder.audit.ledger import MISSING, QUARANTINED, REASON_CLASSES
from site_builder.build import BuildResult, build
from site_builder.cli import main
from site_builder.config import Config, load_config
from site_builder.exceptions import AuditError, BuildError, ConfigError
from site_builder.rules.disclosure import REASONS
from site_builder.serve import make_server

FIRST, SECOND, THIRD, FOURTH = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)
PENALTY = "admin_penalty"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://credit.example.gov.cn/"


def code(n: int) -> str:
    """A valid 统一社会信用代码 of its own for subject ``n``."""
    return make_uscc(f"91330100MA27XL{n:02d}A")


def penalty(n: int, **values: str) -> dict[str, str]:
    """Penalty ``AP-<n>`` of subject ``n`` (name, code, decision number and facts its own)."""
    return row(PENALTY, **{"record_id": f"AP-{n}", "subject_name": f"标记{n:02d}贸易有限公司", "uscc": code(n),
                           "decision_no": f"杭市监罚〔2026〕标记{n:02d}号", "violation_facts": f"违法事实标记{n:02d}",
                           "decision_date": "2026-06-01"} | values)


def secrets_of(n: int) -> list[str]:
    """What penalty ``n`` shows that nothing else in the site may: its subject's name and code, its number, its facts."""
    return [f"标记{n:02d}贸易有限公司", code(n), f"标记{n:02d}号", f"违法事实标记{n:02d}"]


def config_of(root: Path, records: Path, keep: int = 12, days: int = 31) -> Config:
    """The project's configuration for a site in ``root``, search off, the change sets of ``days`` days and at least
    ``keep`` builds kept."""
    config = site_config(root, records, search=False)
    return dataclasses.replace(config, changes=dataclasses.replace(config.changes, kept=keep, days=days))


def write_penalties(records: Path, rows: list[dict[str, str]]) -> None:
    """Replace the penalty records."""
    write_csv(records / "admin_penalty.csv", PENALTY, rows)


def site_files(result: BuildResult) -> dict[str, bytes]:
    """Every file of a build's site, by path."""
    site = result.output.resolve()
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def readable(data: bytes) -> str:
    """A file's text: a gzip stream opened, a zip's members joined."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(readable(archive.read(name)) for name in archive.namelist())
    return data.decode("utf-8", errors="replace").replace("\u200b", "")


def change_rows(result: BuildResult) -> list[dict[str, str]]:
    """The rows of the build's own ``changes.csv``."""
    path = result.output / "changes" / result.entry.build_id / "changes.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --- 1. Two builds: exactly what was added, changed and withdrawn -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TwoBuilds:
    """Build 1 (and its site's files, as the output shows build 2 afterwards) and build 2."""

    first: BuildResult
    before: dict[str, bytes]
    second: BuildResult


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> TwoBuilds:
    """Build 1 publishes penalties 1-10; before build 2 (a day later) all but penalty 8 change, each in its own way,
    and penalties 11 and 12 are added."""
    root = tmp_path_factory.mktemp("changes")
    records = root / "records"
    write_penalties(records, [penalty(n) for n in range(1, 11) if n != 5]
                    + [penalty(5, disclosure_deadline=FIRST.isoformat()), penalty(11, publish_status="待审核")])
    config = config_of(root, records)
    first = build(config, FIRST)
    before = site_files(first)
    write_penalties(records, [
        penalty(1, penalty_content="处以罚款人民币九万元（复核更正）", fine_amount="9.9"),  # changed: two fields
        penalty(2, publish_status="已撤回"),                                           # withdrawn by the authority
        # 3: its row is gone                                                          # withdrawn by the authority
        penalty(4, objection_status="处理中", objection_date="2026-11-20"),             # objection
        penalty(5, disclosure_deadline=FIRST.isoformat()),                            # expired (last day: FIRST)
        penalty(6, repair_date=SECOND.isoformat()),                                   # repaired
        penalty(7, procedure="简易程序"),                                               # corrected
        penalty(8),                                                                   # unchanged
        penalty(9, decision_date="2026-06-31"),                                       # quarantined: corrected
        penalty(10, disclosure_deadline="2027-03-01"),                                # changed: its last day
        penalty(11),                                                                  # approved now: added
        penalty(12, decision_date="2026-11-01"),                                      # new row: added
    ])
    return TwoBuilds(first, before, build(config, SECOND))


def test_the_first_build_is_the_baseline(two_builds: TwoBuilds) -> None:
    assert not (two_builds.first.audit / "changes.json").exists()
    assert "本站的变更记录从 2026-11-24 的更新开始" in two_builds.before["changes/index.html"].decode("utf-8")
    assert [name for name in two_builds.before if name.startswith("changes/")] == ["changes/index.html", "changes/withdrawn.xml"]
    assert b"<entry>" not in two_builds.before["changes/withdrawn.xml"]


def test_the_change_file_lists_exactly_what_changed(two_builds: TwoBuilds) -> None:
    first, second = two_builds.first, two_builds.second
    build_id = second.entry.build_id
    got = {(r["change"], r["record_id"], r["fields"], r["reason"], r["first_published"], r["url"]) for r in change_rows(second)}
    url = BASE + "record/admin_penalty/{}/"
    assert got == {
        ("added", "AP-11", "", "", "2026-11-25", url.format("AP-11")),
        ("added", "AP-12", "", "", "2026-11-25", url.format("AP-12")),
        ("changed", "AP-1", "penalty_content;fine_amount", "", "2026-11-24", url.format("AP-1")),
        ("changed", "AP-10", "disclosure_deadline;publication_until", "", "2026-11-24", url.format("AP-10")),
        ("withdrawn", "AP-2", "", "withdrawn_by_authority", "2026-11-24", ""),
        ("withdrawn", "AP-3", "", "withdrawn_by_authority", "2026-11-24", ""),
        ("withdrawn", "AP-4", "", "objection", "2026-11-24", ""),
        ("withdrawn", "AP-5", "", "expired", "2026-11-24", ""),
        ("withdrawn", "AP-6", "", "repaired", "2026-11-24", ""),
        ("withdrawn", "AP-7", "", "corrected", "2026-11-24", ""),
        ("withdrawn", "AP-9", "", "corrected", "2026-11-24", ""),
    }
    assert {(r["build_id"], r["as_of"], r["item"]) for r in change_rows(second)} == {(build_id, "2026-11-25", PENALTY)}
    assert [r["change"] for r in change_rows(second)] == ["added"] * 2 + ["changed"] * 2 + ["withdrawn"] * 7
    data = json.loads((second.output / "changes" / build_id / "changes.json").read_text(encoding="utf-8"))
    assert data["build"] == {"id": build_id, "as_of": "2026-11-25"}
    assert data["previous_build"] == {"id": first.entry.build_id, "as_of": "2026-11-24"}
    assert data["counts"] == {"added": 2, "changed": 2, "withdrawn": 7}
    assert [(c["change"], c["record_id"], c["fields"], c["reason"]) for c in data["changes"]] == [
        (r["change"], r["record_id"], r["fields"].split(";") if r["fields"] else [], r["reason"] or None)
        for r in change_rows(second)]
    assert set(data["reason_classes"]) == set(CLASS_TITLES)
    kept = json.loads((second.audit / "changes.json").read_text(encoding="utf-8"))  # the audit folder's copy
    assert [(c["kind"], c["record_id"]) for c in kept["changes"]] == [(r["change"], r["record_id"]) for r in change_rows(second)]


def test_the_change_page_and_the_withdrawals_feed(two_builds: TwoBuilds) -> None:
    second = two_builds.second
    build_id = second.entry.build_id
    page = (second.output / "changes" / build_id / "index.html").read_text(encoding="utf-8")
    assert "新增 2 条，变更 2 条，撤下 7 条" in page
    assert "变更：处罚内容、罚款金额（万元）" in page and "原因类别：信用修复" in page
    assert f'href="/changes/{build_id}/changes.csv"' in page and 'href="/record/admin_penalty/AP-12/"' in page
    assert 'href="/record/admin_penalty/AP-2/"' not in page  # a withdrawn record's page is gone: no link
    index = (second.output / "changes" / "index.html").read_text(encoding="utf-8")
    assert f'href="/changes/{build_id}/"' in index
    feed = ET.parse(second.output / "changes" / "withdrawn.xml").getroot()
    titles = sorted(str(e.findtext(f"{ATOM}title")) for e in feed.iter(f"{ATOM}entry"))
    assert len(titles) == 7 and "撤下：行政处罚 AP-4（异议）" in titles and "撤下：行政处罚 AP-5（公示期满）" in titles
    home = (second.output / "index.html").read_text(encoding="utf-8")
    assert 'href="/changes/withdrawn.xml"' in home and 'href="/changes/"' in home


def test_nothing_of_a_withdrawn_record_but_its_id_is_in_the_next_site(two_builds: TwoBuilds) -> None:
    """Build 2's whole site (change files and feeds included, gzip and zip members opened) shows no name, code,
    number or fact of the seven withdrawn penalties; their ids appear only in the change files, the withdrawals
    feed and the notice their old URL answers with (issue 15; listed in the manifest). Each was its subject's only
    record: the subject's code appears only in the notice its page's URL answers with (and the manifest)."""
    second = two_builds.second
    before = {name: readable(data) for name, data in two_builds.before.items()}
    after = {name: readable(data) for name, data in site_files(second).items()}
    for n in (2, 3, 4, 5, 6, 7, 9):
        assert any(secrets_of(n)[0] in text for text in before.values()), n  # the check below can find them
        subject_notice = f"subject/{code(n)}/index.html"
        assert [(secret, name) for secret in secrets_of(n) for name, text in after.items() if secret in text
                and not (secret == code(n) and name in (subject_notice, "manifest.json"))] == [], n
        assert "此信息已不再公示" in after[subject_notice] and "noindex" in after[subject_notice]
        holding = {name for name, text in after.items() if re.search(rf"\bAP-{n}\b", text)}
        notice = f"record/{PENALTY}/AP-{n}/index.html"
        assert holding == {f"changes/{second.entry.build_id}/changes.csv", f"changes/{second.entry.build_id}/changes.json",
                           f"changes/{second.entry.build_id}/index.html", "changes/withdrawn.xml", notice, "manifest.json"}, n
        assert "noindex" in after[notice] and "贸易有限公司" not in after[notice]
    for text in (after[f"changes/{second.entry.build_id}/{name}"] for name in ("changes.csv", "changes.json", "index.html")):
        assert "贸易有限公司" not in text and "杭市监罚" not in text and "违法事实" not in text  # no value at all


def test_reason_classes_cover_every_reason_and_are_documented() -> None:
    assert set(REASON_CLASSES) == set(REASONS) | {MISSING, QUARANTINED}
    assert set(REASON_CLASSES.values()) == set(CLASS_TITLES)
    for guide in ("docs/operator-guide.md", "docs/zh/operator-guide.md"):
        text = (ROOT / guide).read_text(encoding="utf-8")
        for reason, public in REASON_CLASSES.items():
            if reason not in (MISSING, QUARANTINED):
                assert re.search(rf"^\| `{public}` \|.*`{reason}`", text, re.M), (guide, reason)


# --- 2. First published: the feed, the home page, the record page, the sitemap -----------------------------------------


def test_a_record_approved_today_with_a_2024_decision_is_first_in_the_feed_and_on_the_home_page(tmp_path: Path) -> None:
    records = tmp_path / "records"
    backlog = penalty(3, decision_date="2024-06-01", severity="严重", publish_status="待审核")
    write_penalties(records, [penalty(1, decision_date="2026-10-01"), penalty(2, decision_date="2026-06-01"), backlog])
    config = config_of(tmp_path, records)
    first = build(config, FIRST)
    feed_ids = [str(e.findtext(f"{ATOM}id")) for e in ET.parse(first.output / "feed.xml").getroot().iter(f"{ATOM}entry")]
    assert feed_ids == [BASE + "record/admin_penalty/AP-1/", BASE + "record/admin_penalty/AP-2/"]
    write_penalties(records, [penalty(1, decision_date="2026-10-01"), penalty(2, decision_date="2026-06-01"),
                              backlog | {"publish_status": "已审核"}])
    second = build(config, SECOND)
    entries = list(ET.parse(second.output / "feed.xml").getroot().iter(f"{ATOM}entry"))
    assert [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}published")) for e in entries] == [
        (BASE + "record/admin_penalty/AP-3/", "2026-11-25T00:00:00+08:00"),
        (BASE + "record/admin_penalty/AP-1/", "2026-11-24T00:00:00+08:00"),
        (BASE + "record/admin_penalty/AP-2/", "2026-11-24T00:00:00+08:00"),
    ]
    home = (second.output / "index.html").read_text(encoding="utf-8").split('id="latest"', 1)[1]
    assert [home.index(f"标记{n:02d}号") for n in (3, 1, 2)] == sorted(home.index(f"标记{n:02d}号") for n in (3, 1, 2))
    assert "2024-06-01 · 公示至 2027-06-01 · 2026-11-25 首次公示" in home
    page = (second.output / "record" / PENALTY / "AP-3" / "index.html").read_text(encoding="utf-8")
    assert '本站首次公示：<time datetime="2026-11-25">2026-11-25</time>' in page


def sitemap(result: BuildResult) -> dict[str, str | None]:
    """The sitemap's lastmod by URL."""
    urls = ET.parse(result.output / "sitemap.xml").getroot().iter(f"{SM}url")
    return {str(u.findtext(f"{SM}loc")): u.findtext(f"{SM}lastmod") for u in urls}


def test_sitemap_lastmod_of_a_changed_record_and_its_subject(tmp_path: Path) -> None:
    records = tmp_path / "records"
    company = [penalty(1), penalty(2, record_id="AP-21", uscc=code(1), subject_name="标记01贸易有限公司")]
    write_penalties(records, [*company, penalty(3)])
    config = config_of(tmp_path, records)
    build(config, FIRST)
    write_penalties(records, [penalty(1, penalty_content="处以罚款（更正）"), company[1], penalty(3)])
    second = build(config, THIRD)
    lastmod = sitemap(second)
    assert lastmod[BASE + "record/admin_penalty/AP-1/"] == "2026-11-26"
    assert lastmod[BASE + "record/admin_penalty/AP-21/"] == "2026-11-24"
    assert lastmod[BASE + "record/admin_penalty/AP-3/"] == "2026-11-24"
    assert lastmod[f"{BASE}subject/{code(1)}/"] == "2026-11-26"  # the latest of its records
    assert lastmod[f"{BASE}subject/{code(3)}/"] == "2026-11-24"
    assert lastmod[BASE] is None and lastmod[BASE + "items/admin_penalty/"] is None
    page = (second.output / "record" / PENALTY / "AP-1" / "index.html").read_text(encoding="utf-8")
    assert "本站首次公示：<time datetime=\"2026-11-24\">2026-11-24</time>；最近一次变更：<time datetime=\"2026-11-26\">" in page


# --- 3. The changes kept, a record published again, the state ---------------------------------------------------------


def test_the_index_lists_the_change_sets_kept_and_drops_the_oldest(tmp_path: Path) -> None:
    """[changes] kept = 2, days = 0: after three builds both change sets are listed (the first build is the baseline);
    after a fourth, the second build's is gone from the site (its page, files and withdrawals) but kept in the audit
    folder, and the index says the list is complete from the build after it on."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records, keep=2, days=0)
    results, sites = [], []
    for n, day in enumerate((FIRST, SECOND, THIRD, FOURTH)):
        write_penalties(records, [penalty(m) for m in range(n + 1, 5)] + [penalty(10 + n)])  # AP-<n>, AP-<9+n> gone
        results.append(build(config, day))
        sites.append(site_files(results[-1]))
    fourth = results[3]
    ids = [r.entry.build_id for r in results]
    index = sites[2]["changes/index.html"].decode("utf-8")
    assert index.index(f'href="/changes/{ids[2]}/"') < index.index(f'href="/changes/{ids[1]}/"')
    folders = [{name.split("/")[1] for name in site if name.count("/") == 2 and name.startswith("changes/")} for site in sites]
    assert folders == [set(), {ids[1]}, {ids[1], ids[2]}, {ids[2], ids[3]}]
    files = sites[3]
    assert f'href="/changes/{ids[1]}/"' not in files["changes/index.html"].decode("utf-8")
    assert "下表列出本站开始记录变更以来各次更新的全部变更（本站保留最近 2 次有变更的更新的变更文件）。" in index
    assert f"下表列出 2026-11-25 的更新（{ids[1]}）之后各次更新的全部变更</strong>，更早的变更文件已不在本站提供" \
        in files["changes/index.html"].decode("utf-8")
    assert f"2026-11-25 的更新（{ids[1]}）之后各次更新撤下的记录。</subtitle>" in files["changes/withdrawn.xml"].decode("utf-8")
    assert not [name for name in files if ids[1] in name] and f"changes/{ids[1]}/" not in files["changes/withdrawn.xml"].decode("utf-8")
    withdrawn = [e.findtext(f"{ATOM}title") for e in ET.parse(fourth.output / "changes" / "withdrawn.xml").getroot().iter(f"{ATOM}entry")]
    assert withdrawn == [f"撤下：行政处罚 AP-{n}（主管部门撤回）" for n in (12, 3, 11, 2)]  # build 4's, then build 3's
    assert (fourth.audit.parent / ids[1] / "changes.json").is_file()  # the audit folder keeps every change set
    assert sorted(p.parent.name for p in fourth.audit.parent.glob("*/records.sqlite")) == [ids[3]]  # carried forward
    assert files[f"changes/{ids[2]}/changes.csv"] == sites[2][f"changes/{ids[2]}/changes.csv"]


def feed_titles(result: BuildResult) -> list[str]:
    """The titles of the withdrawal feed's entries, in feed order."""
    feed = ET.parse(result.output / "changes" / "withdrawn.xml").getroot()
    return [str(e.findtext(f"{ATOM}title")) for e in feed.iter(f"{ATOM}entry")]


def change_folders(result: BuildResult) -> set[str]:
    """The build ids whose change files the site carries."""
    return {p.name for p in (result.output / "changes").iterdir() if p.is_dir()}


def test_rebuilds_that_change_nothing_push_no_change_set_off_the_site(tmp_path: Path) -> None:
    """The tester's finding: a credit centre rebuilds after every approval and every night; after 11 rebuilds that
    changed nothing, the build that edited and withdrew records had left the site ([changes] kept = 12 builds), and
    withdrawn.xml had no entry. With the defaults (31 days, 12 builds that changed something), 13 such rebuilds
    over 36 days leave it there, older than the period: the only build that changed something. The rebuilds are
    counted on the index, not listed."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(n) for n in range(1, 5)])
    build(config, FIRST)
    write_penalties(records, [penalty(1, penalty_content="处以罚款（更正）"), penalty(2, publish_status="已撤回"), penalty(4)])
    edited = build(config, SECOND)
    rebuilds = [build(config, SECOND), *(build(config, date.fromordinal(SECOND.toordinal() + 3 * n)) for n in range(1, 13))]
    last = rebuilds[-1]
    assert last.entry.as_of == "2026-12-31" and len(list(last.audit.parent.glob("*/changes.json"))) == 14
    assert change_folders(last) == {edited.entry.build_id}
    assert feed_titles(last) == [f"撤下：行政处罚 AP-{n}（主管部门撤回）" for n in (2, 3)]
    index = (last.output / "changes" / "index.html").read_text(encoding="utf-8")
    assert f'href="/changes/{edited.entry.build_id}/"' in index and index.count('<td data-label="更新">') == 1
    assert ("下表列出本站开始记录变更以来各次更新的全部变更（本站保留数据截至日期在最近 31 天内的各次更新的变更文件，并至少保留"
            "最近 12 次有变更的更新的变更文件）。其间另有 13 次更新没有新增、变更或撤下任何记录，未单独列出。") in index
    feed = (last.output / "changes" / "withdrawn.xml").read_text(encoding="utf-8")
    assert "<subtitle>本站开始记录变更（2026-11-24）以来各次更新撤下的记录。</subtitle>" in feed
    assert [(r["change"], r["record_id"]) for r in change_rows(edited)] == [  # the output shows the last build's site
        ("changed", "AP-1"), ("withdrawn", "AP-2"), ("withdrawn", "AP-3")]


def test_a_change_set_older_than_the_period_and_beyond_kept_leaves_the_site(tmp_path: Path) -> None:
    """[changes] days = 7, kept = 1: two builds that withdrew records, a day apart, are both listed (the period),
    though only one is kept by count; a build eight days after the second, which changed nothing, leaves the first
    out (older than the period, beyond the one kept): its page, files and feed entries go, the audit folder keeps it,
    and the index and the feed say from which build on they are complete."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records, keep=1, days=7)
    write_penalties(records, [penalty(n) for n in range(1, 4)])
    build(config, FIRST)
    write_penalties(records, [penalty(2), penalty(3)])
    second = build(config, SECOND)
    write_penalties(records, [penalty(3)])
    third = build(config, THIRD)
    assert change_folders(third) == {second.entry.build_id, third.entry.build_id}
    assert feed_titles(third) == ["撤下：行政处罚 AP-2（主管部门撤回）", "撤下：行政处罚 AP-1（主管部门撤回）"]
    quiet = build(config, date(2026, 12, 4))  # the period: 2026-11-27 to 2026-12-04
    assert change_folders(quiet) == {third.entry.build_id}
    assert feed_titles(quiet) == ["撤下：行政处罚 AP-2（主管部门撤回）"]
    index = (quiet.output / "changes" / "index.html").read_text(encoding="utf-8")
    assert f'href="/changes/{second.entry.build_id}/' not in index
    assert (f"下表列出 2026-11-25 的更新（{second.entry.build_id}）之后各次更新的全部变更</strong>，更早的变更文件已不在本站提供"
            "（本站保留数据截至日期在最近 7 天内的各次更新的变更文件，并至少保留最近 1 次有变更的更新的变更文件）。其间另有 1 次更新没有"
            "新增、变更或撤下任何记录，未单独列出。") in index
    assert (quiet.audit.parent / second.entry.build_id / "changes.json").is_file()  # the audit trail keeps everything


def test_a_site_whose_builds_changed_nothing_says_so(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_penalties(records, [penalty(1)])
    build(config_of(tmp_path, records), FIRST)
    again = build(config_of(tmp_path, records), SECOND)
    assert change_folders(again) == set() and feed_titles(again) == []
    index = (again.output / "changes" / "index.html").read_text(encoding="utf-8")
    assert "自 2026-11-24 的更新以来的 1 次更新都没有新增、变更或撤下任何记录；有变更的更新将列于此处" in index


def test_the_withdrawals_feed_says_when_it_lists_only_the_newest(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_penalties(records, [penalty(n) for n in range(1, 57)])
    build(config_of(tmp_path, records), FIRST)
    write_penalties(records, [penalty(1)])  # 55 withdrawn
    gone = build(config_of(tmp_path, records), SECOND)
    assert len(feed_titles(gone)) == 50
    assert "以来各次更新撤下的记录，共 55 条，此处列出最新的 50 条，全部见各次更新的变更文件。</subtitle>" in \
        (gone.output / "changes" / "withdrawn.xml").read_text(encoding="utf-8")


def test_a_record_published_again_keeps_its_first_date(tmp_path: Path) -> None:
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2)])
    build(config, FIRST)
    write_penalties(records, [penalty(1, objection_status="处理中", objection_date="2026-11-20"), penalty(2)])
    suspended = build(config, SECOND)
    assert [(r["change"], r["record_id"], r["reason"]) for r in change_rows(suspended)] == [("withdrawn", "AP-1", "objection")]
    write_penalties(records, [penalty(1, objection_status="异议不成立"), penalty(2)])
    again = build(config, THIRD)
    assert [(r["change"], r["record_id"], r["first_published"]) for r in change_rows(again)] == [("added", "AP-1", "2026-11-24")]
    page = (again.output / "record" / PENALTY / "AP-1" / "index.html").read_text(encoding="utf-8")
    assert "本站首次公示：<time datetime=\"2026-11-24\">" in page and "最近一次变更：<time datetime=\"2026-11-26\">" in page


def status(site: Path, path: str) -> int:
    """The HTTP status ``site-builder serve`` answers ``path`` of ``site`` with."""
    server = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/{path}") as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    finally:
        server.shutdown()
        server.server_close()


def test_a_subject_whose_only_record_is_withdrawn_answers_a_notice_until_it_has_one_again(tmp_path: Path) -> None:
    """Bug: a subject's page answered 404 once its last record left the site, while a record's old URL answers a
    notice; journalists cite subject URLs. It answers a notice as a record's does (``noindex``, served alike), with the
    code of its URL only: not the name of a subject whose record was repaired, nowhere in the site; its data files go,
    and it is in no sitemap. A public record of the subject brings its page back at the same URL."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2, decision_date="2025-12-01")])
    first = build(config, FIRST)
    assert sorted(p.name for p in (first.output / "subject" / code(2)).iterdir()) == ["data.csv", "data.json", "index.html"]
    write_penalties(records, [penalty(1), penalty(2, decision_date="2025-12-01", repair_date=SECOND.isoformat())])
    second = build(config, SECOND)
    assert [(r["change"], r["record_id"], r["reason"]) for r in change_rows(second)] == [("withdrawn", "AP-2", "repaired")]
    folder = second.output / "subject" / code(2)
    assert [p.name for p in folder.iterdir()] == ["index.html"]  # data.json and data.csv gone, as a record's rows
    notice = (folder / "index.html").read_text(encoding="utf-8")
    record_notice = (second.output / "record" / PENALTY / "AP-2" / "index.html").read_text(encoding="utf-8")
    for page in (notice, record_notice):
        assert "<h1>此信息已不再公示</h1>" in page and '<meta name="robots" content="noindex">' in page
    assert f"统一社会信用代码 {code(2)}" in notice and "没有处于公示期内的信息" in notice
    files = {name: readable(data) for name, data in site_files(second).items()}
    assert [name for name, text in files.items() if "标记02" in text] == []  # name, number, facts: none anywhere
    assert code(2) not in files["sitemap.xml"] and code(1) in files["sitemap.xml"]
    assert "此信息已不再公示" not in files[f"subject/{code(1)}/index.html"]
    assert (status(second.output, f"subject/{code(2)}/"), status(second.output, f"record/{PENALTY}/AP-2/")) == (200, 200)
    assert status(second.output, f"subject/{code(2)}/data.json") == 404
    write_penalties(records, [penalty(1), penalty(2, decision_date="2025-12-01", repair_date=SECOND.isoformat()),
                              penalty(3, uscc=code(2), subject_name="标记02贸易有限公司")])
    third = build(config, THIRD)
    page = (third.output / "subject" / code(2) / "index.html").read_text(encoding="utf-8")
    assert "此信息已不再公示" not in page and "标记02贸易有限公司" in page and "AP-3" in page
    assert sorted(p.name for p in (third.output / "subject" / code(2)).iterdir()) == ["data.csv", "data.json", "index.html"]
    assert f"{BASE}subject/{code(2)}/" in (third.output / "sitemap.xml").read_text(encoding="utf-8")


def test_a_state_from_before_subjects_were_kept_takes_them_from_its_builds_manifest(tmp_path: Path) -> None:
    """A record state written before states kept subjects has none: the subjects of its build's archived manifest
    are taken instead, so a subject leaving the site on the first build after the upgrade answers a notice too, and
    goes on doing so."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2)])
    first = build(config, FIRST)
    with contextlib.closing(sqlite3.connect(first.audit / "records.sqlite")) as db:
        db.execute("DROP TABLE subject")
        db.commit()
    write_penalties(records, [penalty(1)])
    for day in (SECOND, THIRD):
        site = build(config, day).output
        assert "此信息已不再公示" in (site / "subject" / code(2) / "index.html").read_text(encoding="utf-8"), day
        assert "此信息已不再公示" not in (site / "subject" / code(1) / "index.html").read_text(encoding="utf-8"), day


def test_an_id_whose_case_the_platform_changed_keeps_its_address_and_history(tmp_path: Path) -> None:
    """Bugs: ``AP-1`` published, then exported as ``ap-1``, was read as ``AP-1`` withdrawn and ``ap-1`` added: its
    first-published date restarted, the change set announced a withdrawal, and the address cited before answered 404
    on a host that tells case apart (or, before that, the notice and the record shared one folder on a host that
    ignores case). It keeps its first spelling's address and dates, and every page and file spells it so (a journalist
    joins the change files with the data by record id)."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2)])
    build(config, FIRST)
    write_penalties(records, [penalty(1, record_id="ap-1")])  # AP-2 withdrawn: its notice stays
    second = build(config, SECOND)
    folders = sorted(p.name for p in (second.output / "record" / PENALTY).iterdir())
    assert folders == ["AP-1", "AP-2"], folders
    assert "此信息已不再公示" in (second.output / "record" / PENALTY / "AP-2" / "index.html").read_text(encoding="utf-8")
    page = (second.output / "record" / PENALTY / "AP-1" / "index.html").read_text(encoding="utf-8")
    assert "此信息已不再公示" not in page and "ap-1" not in page
    assert f"本站首次公示：<time datetime=\"{FIRST.isoformat()}\">" in page, page
    assert [(r["change"], r["record_id"], r["fields"]) for r in change_rows(second)] == [("withdrawn", "AP-2", "")]
    data = (second.output / "data" / f"{PENALTY}.csv").read_text(encoding="utf-8-sig")
    assert "AP-1" in data and "ap-1" not in data
    write_penalties(records, [penalty(1, record_id="Ap-1")])  # and again: still the first spelling's
    third = build(config, THIRD)
    assert sorted(p.name for p in (third.output / "record" / PENALTY).iterdir()) == ["AP-1", "AP-2"]


def test_an_id_whose_case_changed_in_the_build_that_withdraws_it_keeps_its_reason(tmp_path: Path) -> None:
    """Bug: ``AP-3`` published, then exported as ``ap-3`` on the day it expired (or was repaired), was announced as
    withdrawn by its authority: the reason was looked up by the published spelling only."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(3, disclosure_deadline=FIRST.isoformat()), penalty(4, decision_date="2025-12-01"),
                              penalty(5, disclosure_deadline=FIRST.isoformat())])
    build(config, FIRST)
    write_penalties(records, [penalty(3, record_id="ap-3", disclosure_deadline=FIRST.isoformat()),
                              penalty(4, record_id="Ap-4", decision_date="2025-12-01", repair_date=SECOND.isoformat()),
                              penalty(5, disclosure_deadline=FIRST.isoformat())])
    second = build(config, SECOND)
    assert [(r["change"], r["record_id"], r["reason"]) for r in change_rows(second)] == [
        ("withdrawn", "AP-3", "expired"), ("withdrawn", "AP-4", "repaired"), ("withdrawn", "AP-5", "expired")]


def test_a_build_for_a_date_before_the_last_builds_is_refused_unless_asked_for(tmp_path: Path) -> None:
    """Bug: a typo in --as-of (a date before the last build's) published again the records expired since."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2, disclosure_deadline=FIRST.isoformat())])
    build(config, SECOND)  # AP-2's last day was FIRST: not public
    with pytest.raises(BuildError, match=r"As-of date 2026-11-24 is before the date of the last build, 000001-2026-11-25.*--earlier"):
        build(config, FIRST)
    assert not (config.paths.output / "record" / PENALTY / "AP-2").exists()
    fresh = dataclasses.replace(config, paths=dataclasses.replace(config.paths, audit=tmp_path / "new-audit"))
    with pytest.raises(BuildError, match="before the date of the last build, 000001-2026-11-25"):
        build(fresh, FIRST, new_chain=True)  # a new chain: the date of the site it replaces counts
    again = build(config, FIRST, earlier=True)  # on purpose: to undo a build for a wrong later date
    assert (again.output / "record" / PENALTY / "AP-2" / "index.html").exists()
    build(config, FIRST)  # the same date as the last build's is no earlier date


def test_a_lost_records_file_does_not_withdraw_its_whole_item_unless_asked_for(tmp_path: Path) -> None:
    """Bug: an export without its penalties file withdrew every penalty, published as withdrawn by the authority."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2)])
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="SJ-1", uscc=code(1))])
    build(config, FIRST)
    (records / "admin_penalty.csv").unlink()
    with pytest.raises(BuildError, match=r"No row of admin_penalty \(行政处罚\) was read, but the live site publishes 2 .*"
                                         r"--allow-empty admin_penalty"):
        build(config, SECOND)
    assert (config.paths.output / "record" / PENALTY / "AP-1" / "index.html").read_text(encoding="utf-8").count("此信息已不再公示") == 0
    with pytest.raises(ConfigError, match="--allow-empty penalties: no such catalogue item"):
        build(config, SECOND, allow_empty=frozenset({"penalties"}))
    rows = [penalty(1), penalty(2)]
    write_csv(records / "admin_penalty.csv", PENALTY, rows)
    heading = (records / "admin_penalty.csv").read_text(encoding="utf-8-sig").replace("记录编号", "编号", 1)
    (records / "admin_penalty.csv").write_text(heading, encoding="utf-8-sig")  # a required column lost: all quarantined
    with pytest.raises(BuildError, match=r"Every row of admin_penalty \(行政处罚\) was quarantined .* publishes 2 "):
        build(config, SECOND)
    (records / "admin_penalty.csv").unlink()
    emptied = build(config, SECOND, allow_empty=frozenset({PENALTY}))
    assert [(r["change"], r["record_id"]) for r in change_rows(emptied)] == [("withdrawn", "AP-1"), ("withdrawn", "AP-2")]
    build(config, THIRD)  # the live site publishes none now: nothing to refuse


def drop_column(path: Path, title: str) -> None:
    """Rewrite the CSV file ``path`` without its column ``title``."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [line for line in csv.reader(fh)]
    keep = [n for n, cell in enumerate(rows[0]) if cell != title]
    assert len(keep) == len(rows[0]) - 1, title
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([[line[n] for n in keep] for line in rows])


def test_a_deciding_column_the_export_lost_stops_the_build_unless_asked_for(tmp_path: Path) -> None:
    """Bug: a table or export that lost its 异议状态 column published the records under objection, with no warning
    (an optional column missing reads as empty in every row)."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1, objection_status="处理中", objection_date="2026-11-20"), penalty(2)])
    first = build(config, FIRST)
    assert first.counts.published[PENALTY] == 1
    drop_column(records / "admin_penalty.csv", "异议提出日期")
    build(config, SECOND, full=True)  # 异议状态 still says which records are under objection: not refused
    write_penalties(records, [penalty(1, objection_status="处理中", objection_date="2026-11-20"), penalty(2)])
    drop_column(records / "admin_penalty.csv", "异议状态")
    drop_column(records / "admin_penalty.csv", "异议提出日期")
    with pytest.raises(BuildError, match=r"admin_penalty \(行政处罚\): this build's records \(admin_penalty.csv\) lack column\(s\) "
                                         r"异议状态 that the live site's build read and withholds records by.* --allow-missing "
                                         r"admin_penalty.objection_status$"):
        build(config, SECOND)
    assert not (config.paths.output / "record" / PENALTY / "AP-1").exists()
    with pytest.raises(ConfigError, match="--allow-missing admin_penalty.remarks: no column that decides publication"):
        build(config, SECOND, allow_missing=frozenset({"admin_penalty.remarks"}))
    allowed = build(config, SECOND, allow_missing=frozenset({"行政处罚.异议状态"}))  # the titles do too
    assert allowed.counts.published[PENALTY] == 2  # as asked: the platform no longer gives objections
    build(config, THIRD)  # the live site's build did not read the column: nothing to refuse
    write_penalties(records, [penalty(1, repair_date="2026-12-20"), penalty(2)])
    build(config, FOURTH)  # the repair date is read, but withholds nothing yet
    write_penalties(records, [penalty(1), penalty(2)])
    build(config, FOURTH)  # so losing it withdraws nothing: not refused


def test_deciding_columns_lost_together_or_from_one_file_stop_the_build(tmp_path: Path) -> None:
    """Bugs: both objection columns lost while 当前状态 stayed (it was taken to stand in for them), or every deciding
    column lost from one of an item's two files, published the records they withheld."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    (records / PENALTY).mkdir(parents=True)
    write_csv(records / PENALTY / "a.csv", PENALTY, [penalty(1, decision_status="正常")])
    write_csv(records / PENALTY / "b.csv", PENALTY, [penalty(2, objection_status="处理中", objection_date="2026-11-20",
                                                             decision_status="正常"), penalty(3, decision_status="撤销")])
    assert build(config, FIRST).counts.published[PENALTY] == 1
    drop_column(records / PENALTY / "b.csv", "异议状态")
    drop_column(records / PENALTY / "b.csv", "异议提出日期")
    with pytest.raises(BuildError, match=r"lack column\(s\) 异议状态、异议提出日期 .*objection_date$"):
        build(config, SECOND)
    write_csv(records / PENALTY / "b.csv", PENALTY, [penalty(2, objection_status="处理中", objection_date="2026-11-20"),
                                                     penalty(3, decision_status="撤销")])
    drop_column(records / PENALTY / "b.csv", "当前状态")  # a.csv still has the column: b.csv lost it
    with pytest.raises(BuildError, match=r"lack column\(s\) 当前状态 .*--allow-missing admin_penalty.decision_status$"):
        build(config, SECOND)


def test_the_same_previous_state_gives_the_same_bytes(tmp_path: Path) -> None:
    """Build 2 made in two copies of the site folder after build 1, one incremental and one ``--full``: the same
    site, file for file, and the same change set in the audit folder."""
    records = tmp_path / "records"
    write_penalties(records, [penalty(1), penalty(2), penalty(3)])
    build(config_of(tmp_path / "A", records), FIRST)
    shutil.copytree(tmp_path / "A", tmp_path / "B", symlinks=True)
    write_penalties(records, [penalty(1, fine_amount="1.5"), penalty(3), penalty(4)])
    one = build(config_of(tmp_path / "A", records), SECOND)
    other = build(config_of(tmp_path / "B", records), SECOND, full=True)
    assert one.reused > 0 and other.reused == 0
    assert site_files(one) == site_files(other)
    assert (one.audit / "changes.json").read_bytes() == (other.audit / "changes.json").read_bytes()
    assert [r["change"] for r in change_rows(one)] == ["added", "changed", "withdrawn"]


def test_a_build_that_fails_leaves_the_previous_state(tmp_path: Path) -> None:
    """A build stopped after its audit record was archived (before the switch) is abandoned; the next build
    compares with the last published build."""
    records = tmp_path / "records"
    config = config_of(tmp_path, records)
    write_penalties(records, [penalty(1), penalty(2)])
    first = build(config, FIRST)
    write_penalties(records, [penalty(1), penalty(3)])

    def stop(point: str) -> None:
        if point == "archived":
            raise RuntimeError("killed")

    faults.HOOK = stop
    try:
        with pytest.raises(RuntimeError):
            build(config, SECOND)
    finally:
        faults.HOOK = None
    assert (first.audit / "records.sqlite").is_file()
    again = build(config, SECOND)
    assert list(again.audit.parent.glob("*.abandoned"))
    assert json.loads((again.audit / "changes.json").read_text(encoding="utf-8"))["previous"]["build_id"] == first.entry.build_id
    assert [(r["change"], r["record_id"]) for r in change_rows(again)] == [("added", "AP-3"), ("withdrawn", "AP-2")]


def test_an_unreadable_state_stops_the_build_in_one_line(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_penalties(records, [penalty(1)])
    first = build(config_of(tmp_path, records), FIRST)
    state = first.audit / "records.sqlite"
    state.write_bytes(b"not a database" * 100)
    with pytest.raises(AuditError, match="records.sqlite: cannot be read as the previous build's record state"):
        build(config_of(tmp_path, records), SECOND)
    result = CliRunner().invoke(main, ["build", "--records", str(records), "--out", str(tmp_path / "output"),
                                       "--audit", str(tmp_path / "audit"), "--as-of", SECOND.isoformat(), "--no-search"])
    assert result.exit_code == 1 and "Traceback" not in result.output and "remove it to start the change history again" in result.output
    state.unlink()  # removed: the next build is a new baseline
    again = build(config_of(tmp_path, records), SECOND)
    assert not (again.audit / "changes.json").exists()
    assert "本站的变更记录从 2026-11-25 的更新开始" in (again.output / "changes" / "index.html").read_text(encoding="utf-8")


def test_changes_kept_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / "site_builder.toml").write_text("[changes]\nkept = 0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "site_builder.toml"), "build", "--no-search"])
    assert result.exit_code != 0 and "Config value 'changes.kept': must be 1 or more, got 0" in result.output


@pytest.mark.parametrize(("text", "message"), [
    ("days = -1", "Config value 'changes.days': must be 0 (only the last 'kept' builds) or more, got -1"),
    ('days = "31"', "Config value 'changes.days': expected int, got '31'"),
    ("days = 31.5", "Config value 'changes.days': expected int, got 31.5"),
    ("days = true", "Config value 'changes.days': expected int, got True"),
    ("months = 1", "Config value 'changes.months': unknown option"),
])
def test_changes_days_must_be_a_whole_number_of_days(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "site_builder.toml"
    path.write_text(f"[changes]\n{text}\nkept = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in str(raised.value) and "Config value 'changes.kept': must be 1 or more" in str(raised.value)


def test_changes_days_and_kept_are_read(tmp_path: Path) -> None:
    path = tmp_path / "site_builder.toml"
    path.write_text("[changes]\nkept = 3\n", encoding="utf-8")  # a configuration from before days: the period is 31
    assert (load_config(path).changes.kept, load_config(path).changes.days) == (3, 31)
    path.write_text("[changes]\ndays = 0\n", encoding="utf-8")
    assert (load_config(path).changes.kept, load_config(path).changes.days) == (12, 0)


def test_changed_fields_are_named_by_name() -> None:
    """Only a value that differs is named: a field the catalogue adds empty, drops empty or moves changes nothing."""
    def crcs(*values: str) -> bytes:
        return struct.pack(f"<{len(values)}I", *[zlib.crc32(v.encode()) if v else 0 for v in values])

    assert changed_fields(("a", "b"), crcs("1", "2"), ("a", "b"), crcs("1", "3")) == ("b",)
    assert changed_fields(("a", "b", "c"), crcs("1", "2", ""), ("b", "a"), crcs("2", "1")) == ()
    assert changed_fields(("a",), crcs("1"), ("a", "b"), crcs("1", "2")) == ("b",)  # a dropped field that had a value
