"""Outputs stay safe whatever the cells hold (issue 8, items 8-10).

Formula injection in every CSV the site writes, XML that stays well-formed with characters XML
forbids, content pages rendered as sanitised HTML, and a preview server that refuses clearly.
"""

from __future__ import annotations

import csv
import dataclasses
import http.client
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CATALOGUE, COMPANY, CONTENT_DIR, PROFILES_DIR, build_site, row, site_config, write_csv

from site_builder.audit.verify import verify_site
from site_builder.cli import main
from site_builder.outputs.datapackage import safe_cell
from site_builder.outputs.discovery import FeedOutput, SitemapOutput
from site_builder.outputs.render import PagesOutput, load_content
from site_builder.outputs.site import Site
from site_builder.rules.profiles import load_profile
from site_builder.rules.redaction import PublicRecord
from site_builder.serve import ServeError, make_server
from site_builder.store.published import PublishedStore

AS_OF = date(2026, 11, 24)
ATOM = "{http://www.w3.org/2005/Atom}"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --- Item 8: formula injection in every CSV ------------------------------------------------------


@pytest.mark.parametrize(("cell", "written"), [
    ('=HYPERLINK("http://evil.example","点击")', '\'=HYPERLINK("http://evil.example","点击")'),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("＝1+1", "'＝1+1"), ("＋1", "'＋1"), ("－1", "'－1"), ("＠SUM(A1)", "'＠SUM(A1)"), ("﹦1", "'﹦1"),
    ("有效", "有效"), ("", ""), ("1-2", "1-2"), ("A=B", "A=B"),
])
def test_one_escaping_for_every_text_cell(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


INJECTED = {
    "license_category": '=HYPERLINK("http://evil.example","点击")',
    "status": "@SUM(A1:A9)",
    "license_content": "＝1+1",
    "authority": "=cmd|' /C calc'!A0",
}


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inject")
    records = root / "records"
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-1", **INJECTED)])
    write_csv(records / "subject.csv", "subject", [
        row("subject", record_id="SJ-1", subject_type="=cmd|' /C calc'!A0", registration_status="＋存续")])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", fine_amount="5",
            decision_no="-1号@SUM(A1)", violation_facts="@SUM(A1)")])
    build_site(root, records, AS_OF)
    return root / "output"


def test_open_enumerations_and_every_string_cell_of_the_data_csvs_are_escaped(injected_site: Path) -> None:
    """Bug: open enumerations (许可类别, 当前状态, 主体类型, 登记状态) were written unescaped."""
    license_row = read_csv(injected_site / "data" / "admin_license.csv")[0]
    assert {name: license_row[name] for name in INJECTED} == {name: "'" + value for name, value in INJECTED.items()}
    subject_row = read_csv(injected_site / "data" / "subject.csv")[0]
    assert subject_row["subject_type"] == "'=cmd|' /C calc'!A0"
    assert subject_row["registration_status"] == "'＋存续"
    penalty_row = read_csv(injected_site / "data" / "admin_penalty.csv")[0]
    assert penalty_row["fine_amount"] == "5"  # a number column is written as a number, unquoted (a negative amount is
    # quarantined: tests/test_validation.py)
    assert penalty_row["violation_facts"] == "'@SUM(A1)"
    assert penalty_row["decision_no"] == "'-1号@SUM(A1)"


def test_the_subject_data_csv_is_escaped_too(injected_site: Path) -> None:
    rows = {r["record_id"]: r for r in read_csv(injected_site / "subject" / COMPANY / "data.csv")}
    assert rows["AP-1"]["heading"] == "'-1号@SUM(A1)"
    assert rows["XK-1"]["authority"] == "'=cmd|' /C calc'!A0"
    assert rows["AP-1"]["date"] == "2026-06-01"


def test_escaped_data_package_still_validates(injected_site: Path) -> None:
    assert verify_site(injected_site, validate_data=True) == []


# --- Item 9: feed and sitemaps well-formed; content pages as sanitised HTML ------------------------


DIRTY = "坏\x01字\x0b符\x1f\ufffe\uffff"


def test_feed_is_well_formed_when_a_field_holds_characters_xml_forbids(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", subject_name=f"杭州{DIRTY}公司",
            decision_no=f"杭市监罚{DIRTY}1号", authority=f"杭州市{DIRTY}市场监督管理局")])
    build_site(tmp_path, records, AS_OF)
    feed = ET.parse(tmp_path / "output" / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["行政处罚：杭州坏字符公司 杭市监罚坏字符1号"]
    ET.parse(tmp_path / "output" / "sitemap.xml")


@pytest.fixture
def dirty_store(tmp_path: Path) -> Iterator[Site]:
    """A site whose published store holds a record with characters XML forbids (as if parsing let them through)."""
    config = site_config(tmp_path, tmp_path / "records")
    store = PublishedStore(tmp_path / "store.sqlite")
    fields = {f.name: "" for f in CATALOGUE["admin_penalty"].public_fields} | {
        "record_id": f"AP-{DIRTY}", "subject_name": f"公司{DIRTY}", "decision_no": f"号{DIRTY}",
        "violation_facts": f"事实{DIRTY}", "authority": f"机关{DIRTY}", "decision_date": "2026-06-01"}
    store.add(PublicRecord("admin_penalty", f"AP-{DIRTY}", COMPANY, f"公司{DIRTY}", "legal_person", f"机关{DIRTY}",
                           date(2026, 6, 1), None, None, fields))
    store.flush()
    yield Site(config, CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE), AS_OF, store)
    store.close()


def test_feed_and_sitemap_writers_remove_what_xml_forbids(dirty_store: Site, tmp_path: Path) -> None:
    """The writers do not rely on the parser: a stray control character never makes the feed unreadable."""
    out = tmp_path / "site"
    out.mkdir()
    for output in (PagesOutput(), SitemapOutput(), FeedOutput()):
        output.write(dirty_store, out)
    feed = ET.parse(out / "feed.xml").getroot()
    entry = next(feed.iter(f"{ATOM}entry"))
    assert entry.findtext(f"{ATOM}title") == "行政处罚：公司坏字符 号坏字符"
    assert entry.findtext(f"{ATOM}id") == "https://credit.example.gov.cn/record/admin_penalty/AP-坏字符/"
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://credit.example.gov.cn/record/admin_penalty/AP-坏字符/" in locs


def test_content_pages_are_html(tmp_path: Path) -> None:
    """Bug: the Markdown's HTML was escaped by the template, so citizens read ``<h1>关于数据</h1>``."""
    records = tmp_path / "records"
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="SJ-1")])
    build_site(tmp_path, records, AS_OF)
    about = (tmp_path / "output" / "pages" / "about" / "index.html").read_text(encoding="utf-8")
    assert "<h1>关于数据</h1>" in about and "&lt;h1&gt;" not in about and "&lt;p&gt;" not in about
    tables = [page for page in load_content(CONTENT_DIR) if "<table>" in page.html]
    assert tables, "a content page with a Markdown table"
    page = (tmp_path / "output" / "pages" / tables[0].slug / "index.html").read_text(encoding="utf-8")
    assert "<table>" in page and "<td>" in page and "&lt;table&gt;" not in page


HOSTILE = """# 异议申请

<script>alert("script")</script>
<img src="x.png" onerror="alert('img')">
<a href="javascript:alert('link')">点此</a> <a href="https://credit.example.gov.cn/data/" onclick="alert('click')">数据</a>
<a href="/pages/repair/">信用修复</a> <a href="mailto:yiyi@example.gov.cn">邮件</a>
<iframe src="https://evil.example/">框架</iframe><style>body{display:none}</style>
<p style="color:red" onmouseover="alert('over')">段落</p>

| 材料 | 份数 |
|---|---|
| 申请书 | 1 |
"""


def test_raw_html_in_a_content_page_is_sanitised(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "30-objection.md").write_text(HOSTILE, encoding="utf-8")
    records = tmp_path / "records"
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="SJ-1")])
    config = site_config(tmp_path, records)
    config = dataclasses.replace(config, paths=dataclasses.replace(config.paths, content=content))
    from site_builder.build import build

    build(dataclasses.replace(config, search=dataclasses.replace(config.search, enabled=False)), AS_OF)
    html = (tmp_path / "output" / "pages" / "objection" / "index.html").read_text(encoding="utf-8")
    article = html[html.index('<article class="prose">'):html.index("</article>")]
    assert article == (
        '<article class="prose"><h1>异议申请</h1>\n\n<p>\n'
        '<a rel="noopener noreferrer">点此</a> <a href="https://credit.example.gov.cn/data/" rel="noopener noreferrer">数据</a>\n'
        '<a href="/pages/repair/" rel="noopener noreferrer">信用修复</a> '
        '<a href="mailto:yiyi@example.gov.cn" rel="noopener noreferrer">邮件</a></p>\n\n\n'
        '<p>段落</p>\n\n<table>\n<thead>\n<tr>\n<th>材料</th>\n<th>份数</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n'
        '<td>申请书</td>\n<td>1</td>\n</tr>\n</tbody>\n</table>'
    )
    for hostile in ("alert", "onerror", "javascript:", "<iframe", "<style", "<script", "onclick", "style=", "<img"):
        assert hostile not in article, hostile


# --- Item 10: serve ----------------------------------------------------------------------------------


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "record" / "admin_penalty" / "AP-1").mkdir(parents=True)
    (site / "record" / "admin_penalty" / "AP-1" / "index.html").write_text("<p>AP-1</p>", encoding="utf-8")
    (site / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (site / "404.html").write_text("<p>页面不存在</p>", encoding="utf-8")
    return site


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_serve_lists_no_directory(site_dir: Path) -> None:
    """Bug: ``/record/`` (a folder without index.html) showed a listing of every record folder."""
    server = make_server(site_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        assert get(port, "/record/admin_penalty/") == (404, "<p>页面不存在</p>")
        assert get(port, "/record/") == (404, "<p>页面不存在</p>")
        assert get(port, "/record/admin_penalty/AP-1/") == (200, "<p>AP-1</p>")
        assert get(port, "/") == (200, "<p>home</p>")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_serve_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-site"
    with pytest.raises(ServeError):  # first, so that a server that would start is never run
        make_server(missing, "127.0.0.1", 0)
    result = CliRunner().invoke(main, ["serve", str(missing), "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: Site folder '{missing}' does not exist: build the site first "
                             f"(site-builder build --out {missing})\n")
    assert "Traceback" not in result.output


def test_serve_on_a_busy_port_says_so_in_one_line(site_dir: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", str(site_dir), "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: Port {port} on 127.0.0.1 is already in use: stop the other server or choose "
                             "another port with --port\n")
    assert isinstance(result.exception, SystemExit)
