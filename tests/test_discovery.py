"""Discovery files and the preview server: sitemap split, Atom feed, robots.txt, 404."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from conftest import build_site, row, write_csv

from site_builder.outputs.discovery import Sitemap
from site_builder.outputs.files import FileIndex
from site_builder.serve import make_server

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_sitemap_splits_at_the_limit(tmp_path: Path) -> None:
    sitemap = Sitemap(FileIndex(tmp_path, ""), "https://x.example/", limit=3)
    for n in range(7):
        sitemap.add(f"p{n}/")
    sitemap.close()
    index = ET.parse(tmp_path / "sitemap.xml").getroot()
    assert index.tag == f"{SM}sitemapindex"
    parts = [loc.text for loc in index.iter(f"{SM}loc")]
    assert parts == [f"https://x.example/sitemap-000{n}.xml" for n in (1, 2, 3)]
    urls = [loc.text for n in (1, 2, 3) for loc in ET.parse(tmp_path / f"sitemap-000{n}.xml").getroot().iter(f"{SM}loc")]
    assert urls == [f"https://x.example/p{n}/" for n in range(7)]


def test_sitemap_entries_carry_lastmod_when_known(tmp_path: Path) -> None:
    sitemap = Sitemap(FileIndex(tmp_path, ""), "https://x.example/")
    sitemap.add("record/a/1/", "2026-11-24")
    sitemap.add("items/a/")
    sitemap.close()
    urls = ET.parse(tmp_path / "sitemap.xml").getroot().findall(f"{SM}url")
    assert [(u.findtext(f"{SM}loc"), u.findtext(f"{SM}lastmod")) for u in urls] == [
        ("https://x.example/record/a/1/", "2026-11-24"), ("https://x.example/items/a/", None)]


def test_small_sitemap_is_one_file(tmp_path: Path) -> None:
    sitemap = Sitemap(FileIndex(tmp_path, ""), "https://x.example/", limit=3)
    sitemap.add("a/")
    sitemap.close()
    assert ET.parse(tmp_path / "sitemap.xml").getroot().tag == f"{SM}urlset"
    assert not list(tmp_path.glob("sitemap-*.xml"))


def test_feed_robots_and_404(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id=f"AP-{n}", decision_no=f"杭市监罚〔2026〕{n}号", decision_date=f"2026-0{n}-01")
        for n in range(1, 4)])
    build_site(tmp_path, records, date(2026, 11, 24))
    output = tmp_path / "output"
    feed = ET.parse(output / "feed.xml").getroot()
    entries = [e.find(f"{ATOM}id").text for e in feed.iter(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert entries == [f"https://credit.example.gov.cn/record/admin_penalty/AP-{n}/" for n in (3, 2, 1)]
    published = {e.findtext(f"{ATOM}published") for e in feed.iter(f"{ATOM}entry")}
    assert published == {"2026-11-24T00:00:00+08:00"}  # a first build: every record first appears on its date
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in ET.parse(output / "sitemap.xml").getroot()}
    assert lastmod["https://credit.example.gov.cn/record/admin_penalty/AP-1/"] == "2026-11-24"
    assert "Sitemap: https://credit.example.gov.cn/sitemap.xml" in (output / "robots.txt").read_text(encoding="utf-8")
    server = make_server(output, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(base + "record/admin_penalty/AP-1/") as response:
            assert response.status == 200
        try:
            urllib.request.urlopen(base + "record/admin_penalty/GONE/")
            raise AssertionError("expected 404")
        except urllib.error.HTTPError as error:
            assert error.code == 404 and "页面不存在" in error.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()
