"""Pagefind reads compact pages (each page's ``data-pagefind-body`` cut out), and the bundle is the one whole pages give.

The golden site's subject and record pages, plus a few pages of other shapes (a nested ``<div>`` and
anchors inside the body, an ``<img>`` or ``<h1>`` outside it), are indexed twice: whole, by
:func:`index_site`, and compact, by :func:`index_shards` as the build does. Every file of the two bundles
must have the same bytes. A body that cannot be cut cleanly stops the build with the page's name.

Then the bundles a rebuild takes over (issue 13): a new penalty indexes no bundle, a renamed subject only its own,
and the incremental site is byte for byte the full one; a withdrawn record's number leaves the exact lookup and every
Pagefind file; the lookup holds every code and document number; two builds write the same search files; the lookup's
keys and shards are those static/search.js computes.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, ROOT, site_config, write_csv
from dbsupport import generator
from test_golden import tree

from site_builder.build import build
from site_builder.config import Config
from site_builder.exceptions import BuildError
from site_builder.outputs.search import (
    MAX_BUNDLES,
    PAGES_PER_BUNDLE,
    bundle_folder,
    default_bundles,
    index_shards,
    index_site,
    indexed_pages,
    shard_of,
)
from site_builder.outputs.search_compact import compact_page
from site_builder.outputs.search_lookup import FOLDER, INDEX, canonical, shard_digits, shard_name

AS_OF = date(2026, 11, 24)
PENALTY = "admin_penalty"

GOLDEN = ROOT / "tests" / "golden" / "expected"
HEAD = '<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n'


def page(body: str, before: str = "", after: str = "", title: str = "页面") -> bytes:
    """A page with ``body`` as its search body, between ``before`` and ``after``."""
    return (HEAD.format(title=title) + f"<main id=\"main\">{before}{body}{after}</main>\n</body>\n</html>\n").encode()


NESTED = ('<div data-pagefind-body>\n  <h1 data-pagefind-meta="title">嵌套公司</h1>\n'
          '  <div class="inner"><div id="part">第一部分 <span>许可</span></div></div>\n'
          '  <!-- </div> in a comment --><p title="a > b">处罚 <br> 说明</p>\n'
          '  <svg viewBox="0 0 1 1"><path d="M0 0"/><rect width="1" height="1"/></svg>\n'
          '  <meta data-pagefind-filter="类别[content]" content="信用档案">\n</div>')
"""A body with nested ``<div>``s, an anchor, a comment holding ``</div>``, a quoted ``>``, void and SVG elements."""
UNTITLED = NESTED.replace(' data-pagefind-meta="title"', "")
EXTRA = {
    "subject/91000000NESTED0001/index.html":
        page(NESTED, before="<p>页头</p>", after='<section><h2 id="x">时间线</h2><div>其他</div></section>'),
    "subject/91000000IMAGEAFTER/index.html":
        page(NESTED.replace("嵌套", "图片"), after='<footer><img src="/logo.png" alt="标志"></footer>'),
    "subject/91000000HEADING001/index.html":
        page(UNTITLED.replace("嵌套", "标题"), before="<h1>页面外的标题</h1>", title="标签页标题"),
    "subject/91000000NOTITLEMET/index.html":
        page(UNTITLED.replace("<h1", "<p").replace("</h1>", "</p>"), title="只有标签页标题"),
}
"""Pages of shapes the theme does not write: the compact index must still equal the whole one."""


def site_copy(folder: Path) -> Path:
    """The golden site's subject and record pages and :data:`EXTRA` under ``folder``."""
    for part in ("subject", "record"):
        shutil.copytree(GOLDEN / part, folder / part)
    for name, content in EXTRA.items():
        (folder / name).parent.mkdir(parents=True)
        (folder / name).write_bytes(content)
    return folder


def bundle_files(bundle: Path) -> dict[str, bytes]:
    """Every file of a Pagefind bundle by its path inside it."""
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def test_compact_pages_give_the_bundle_whole_pages_give(tmp_path: Path) -> None:
    whole, compact = site_copy(tmp_path / "whole" / "site"), site_copy(tmp_path / "compact" / "site")
    index_site(whole)
    pages = indexed_pages(compact, records=True)
    assert len(pages) == 16 + len(EXTRA) and set(EXTRA) <= set(pages)
    assert index_shards(compact, pages, 1) == []
    expected, got = bundle_files(whole / "pagefind"), bundle_files(compact / "pagefind")
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if got[name] != expected[name]] == []
    assert sorted(p.name for p in (tmp_path / "compact").iterdir()) == ["site"], "the temporary folder is left behind"


def test_theme_pages_are_cut_and_other_shapes_are_given_whole() -> None:
    golden = [GOLDEN / p for p in indexed_pages(GOLDEN, records=True)]
    assert len(golden) == 16
    for path in golden:
        full = path.read_bytes()
        compact = compact_page(full, path.name)
        assert compact is not None and len(compact) < len(full) / 3
        body = full[full.index(b"<div data-pagefind-body>"):]
        assert body[:body.index(b"\n</div>\n") + len(b"\n</div>")] in compact
        assert b'<html lang="zh-CN">' in compact and b"<title>" in compact
    nested = compact_page(EXTRA["subject/91000000NESTED0001/index.html"], "nested")
    assert nested is not None and NESTED.encode() in nested and "时间线".encode() not in nested
    assert compact_page(EXTRA["subject/91000000IMAGEAFTER/index.html"], "img") is None
    assert compact_page(EXTRA["subject/91000000HEADING001/index.html"], "h1") is None


@pytest.mark.parametrize(("body", "problem"), [
    ("<div data-pagefind-body><p>未闭合</div>", "</div> closes <p>"),
    ("<div data-pagefind-body><div>少一个结束标签</div>", "</main> closes <div>"),
    ("<div data-pagefind-body><span>错位</div></span>", "</div> closes <span>"),
    ("<div data-pagefind-body><script>x</div>", "it has no end tag"),
    ("<div>没有搜索正文</div>", "has no data-pagefind-body element"),
])
def test_a_body_that_cannot_be_cut_stops_the_build_naming_the_page(tmp_path: Path, body: str, problem: str) -> None:
    site = site_copy(tmp_path / "site")
    broken = "subject/91000000BROKEN0001/index.html"
    (site / broken).parent.mkdir()
    (site / broken).write_bytes(page(body))
    with pytest.raises(BuildError, match=f"{broken}.*{problem}"):
        index_shards(site, indexed_pages(site, records=True), 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_default_bundle_count() -> None:
    """With ``[search] bundles = 0``: one bundle up to 5,000 pages, one more per 5,000 pages begun, at most 20 (a
    province's 100,000 subject pages: 20 bundles of about 4,800; a larger site has larger bundles, not more)."""
    assert (PAGES_PER_BUNDLE, MAX_BUNDLES) == (5_000, 20)
    assert [default_bundles(n) for n in (1, 4_999, 5_000, 5_001, 10_000, 10_001, 96_315, 100_000, 100_001, 2_000_000)] == \
        [1, 1, 1, 2, 2, 3, 20, 20, 20, 20]


# --- Bundles a rebuild takes over, and the exact lookup --------------------------------------------------------------
#
# Generated records (40 subjects, 200 rows) in three bundles. Each scenario builds A, copies it (as
# tests/test_incremental.py does), changes the records, then builds B incrementally in one copy and in full in the
# other: the two sites must be the same bytes, and the log says for which bundles Pagefind ran.


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated rows over 40 subjects (every item, some excluded)."""
    folder = tmp_path_factory.mktemp("search") / "records"
    generator().main(["--out", str(folder), "--subjects", "40", "--records", "200"])
    return folder


def search_config(root: Path, records: Path, index_records: bool) -> Config:
    """The project's configuration, search in three bundles, over subject pages only unless ``index_records``."""
    config = site_config(root, records, search=True)
    return dataclasses.replace(config, search=dataclasses.replace(config.search, index_records=index_records, bundles=3))


def read_rows(records: Path, item: str) -> list[dict[str, str]]:
    """The rows of ``item``'s records file, keyed by English field name."""
    names = {f.title: f.name for f in CATALOGUE[item].fields}
    with (records / f"{item}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return [{names[title]: value for title, value in r.items()} for r in csv.DictReader(fh)]


def update(records: Path, item: str, record_id: str, **values: str) -> dict[str, str]:
    """Change fields of one row; the row as it was."""
    rows = read_rows(records, item)
    before = next(r for r in rows if r["record_id"] == record_id)
    write_csv(records / f"{item}.csv", item, [r | values if r["record_id"] == record_id else r for r in rows])
    return before


@dataclass(frozen=True)
class Rebuild:
    """Build A, and build B made incrementally and in full; the bundles Pagefind indexed in the incremental build B."""

    before: dict[str, bytes]
    incremental: dict[str, bytes]
    full: dict[str, bytes]
    indexed: list[str]


def rebuild(root: Path, generated: Path, change: Callable[[Path, dict[str, bytes]], None], caplog: pytest.LogCaptureFixture,
            index_records: bool = False) -> Rebuild:
    """Build A in ``root``/I, copy it to ``root``/F, ``change`` the records; build B incrementally in I, in full in F."""
    records = Path(shutil.copytree(generated, root / "records"))
    config_i, config_f = (search_config(root / name, records, index_records) for name in ("I", "F"))
    first = build(config_i, AS_OF)
    shutil.copytree(root / "I", root / "F", symlinks=True)
    before = tree(first.output.resolve())
    change(records, before)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="site_builder.outputs.search"):
        incremental = build(config_i, AS_OF)
    indexed = re.findall(r"search bundle=(\S+) pages=\d+ pagefind=yes", caplog.text)
    assert incremental.reused > 0
    full = build(config_f, AS_OF, full=True)
    result = Rebuild(before, tree(incremental.output.resolve()), tree(full.output.resolve()), indexed)
    assert sorted(result.incremental) == sorted(result.full)
    assert [name for name in result.full if result.incremental[name] != result.full[name]] == []
    return result


def company_penalty(records: Path, site: dict[str, bytes]) -> dict[str, str]:
    """A published penalty of a company with a published registration record and a document number found once in the
    records."""
    text = "".join(path.read_text(encoding="utf-8-sig") for path in sorted(records.glob("*.csv")))
    registered = {r["uscc"] for r in read_rows(records, "subject") if f"record/subject/{r['record_id']}/index.html" in site}
    return next(r for r in read_rows(records, PENALTY) if r["uscc"] in registered and text.count(r["decision_no"]) == 1
                and f"record/{PENALTY}/{r['record_id']}/index.html" in site)


def bundle_of(key: str) -> str:
    """The bundle folder of a subject's page (three bundles, none empty)."""
    return bundle_folder(shard_of(f"subject/{key}/index.html", 3))


def lookup(site: dict[str, bytes]) -> dict[str, list[str]]:
    """Every key of the site's exact lookup with its pages; each shard holds the keys it should, in order."""
    digits = json.loads(site[FOLDER + INDEX])["digits"]
    names = sorted(name for name in site if name.startswith(FOLDER) and name != FOLDER + INDEX)
    assert names == [f"{FOLDER}{n:0{digits}x}.json" for n in range(16 ** digits)]
    entries: dict[str, list[str]] = {}
    for name in names:
        shard = json.loads(site[name])
        assert all(name == f"{FOLDER}{shard_name(key, digits)}.json" for key in shard), name
        assert site[name] == (json.dumps(shard, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
        entries |= shard
    return entries


def search_text(site: dict[str, bytes]) -> str:
    """The readable text of every Pagefind file, without the spaces and zero-width spaces between words."""
    texts = []
    for name, data in site.items():
        if name.startswith("pagefind/"):
            texts.append(gzip.decompress(data).decode("utf-8", "replace") if data[:2] == b"\x1f\x8b" else data.decode("utf-8", "replace"))
    return re.sub(r"[\s\u200b]+", "", "\n".join(texts))


def test_a_new_penalty_indexes_no_bundle_and_a_renamed_subject_only_its_own(generated: Path, tmp_path: Path,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    """Subject pages only: a new penalty changes its subject's page but not the page's search block, so every bundle
    is taken over (and its number joins the lookup); a new name for a subject changes its block, so only its bundle
    is indexed again."""
    added: list[dict[str, str]] = []

    def add(records: Path, site: dict[str, bytes]) -> None:
        added.append(company_penalty(records, site) | {"record_id": "AP-900001", "decision_no": "杭市监罚〔2026〕增补1号",
                                                       "decision_date": "2026-11-20"})
        write_csv(records / f"{PENALTY}.csv", PENALTY, read_rows(records, PENALTY) + added)

    unchanged = rebuild(tmp_path / "add", generated, add, caplog)
    subject = f"subject/{added[0]['uscc']}/index.html"
    assert "增补1号" not in unchanged.before[subject].decode() and "增补1号" in unchanged.incremental[subject].decode()
    assert unchanged.indexed == []  # the page changed, its search block did not
    assert {name for name in unchanged.before if name.startswith("pagefind/")} == {
        name for name in unchanged.incremental if name.startswith("pagefind/")}
    assert lookup(unchanged.incremental)["杭市监罚(2026)增补1号"] == [f"record/{PENALTY}/AP-900001/"]
    renamed: list[dict[str, str]] = []

    def rename(records: Path, site: dict[str, bytes]) -> None:
        key = company_penalty(records, site)["uscc"]
        identity = next(r for r in read_rows(records, "subject") if r["uscc"] == key)
        renamed.append(update(records, "subject", identity["record_id"], subject_name="杭州改名后科技有限公司"))

    result = rebuild(tmp_path / "rename", generated, rename, caplog)
    assert len({shard_of(name, 3) for name in result.full if re.fullmatch(r"subject/[^/]+/index\.html", name)}) == 3
    assert result.indexed == [bundle_of(renamed[0]["uscc"])]
    assert "杭州改名后科技有限公司" in search_text(result.incremental)
    assert renamed[0]["subject_name"] not in search_text(result.incremental)


@pytest.mark.parametrize("index_records", [False, True], ids=["subject-pages", "record-pages"])
def test_a_withdrawn_records_number_leaves_the_lookup_and_the_index(generated: Path, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture, index_records: bool) -> None:
    gone: list[dict[str, str]] = []

    def withdraw(records: Path, site: dict[str, bytes]) -> None:
        gone.append(update(records, PENALTY, company_penalty(records, site)["record_id"], publish_status="已撤回"))

    result = rebuild(tmp_path, generated, withdraw, caplog, index_records)
    number, path = gone[0]["decision_no"], f"record/{PENALTY}/{gone[0]['record_id']}/"
    key = canonical(number)
    assert key != number and "(" in key  # 〔〕 as parentheses
    before, after = lookup(result.before), lookup(result.incremental)
    assert before[key] == [path] and before[gone[0]["uscc"]] == [f"subject/{gone[0]['uscc']}/"]
    assert key not in after and path not in {p for paths in after.values() for p in paths}
    assert gone[0]["uscc"] in after  # the subject keeps its page
    for name, data in result.incremental.items():
        if name.startswith(FOLDER):
            assert key.encode() not in data and path.encode() not in data, name
    if index_records:
        assert number in search_text(result.before)
    assert number not in search_text(result.incremental) and f"/{path}" not in search_text(result.incremental)


def test_the_lookup_holds_every_code_and_document_number(generated: Path, tmp_path: Path) -> None:
    """Every subject page by its code, every published record with a document number by that number; nothing else."""
    output = build(search_config(tmp_path, generated, index_records=False), AS_OF).output.resolve()
    site = tree(output)
    entries = lookup(site)
    subjects = sorted(name.split("/")[1] for name in site if re.fullmatch(r"subject/[^/]+/index\.html", name))
    expected: dict[str, set[str]] = {key: {f"subject/{key}/"} for key in subjects}
    for item in CATALOGUE.items:
        field = item.role("document_no")
        if field is None:
            continue
        for r in read_rows(generated, item.id):
            page = f"record/{item.id}/{r['record_id']}/index.html"
            if page in site and "此信息已不再公示".encode() not in site[page] and r[field]:
                expected.setdefault(canonical(r[field]), set()).add(page.removesuffix("index.html"))
    assert entries == {key: sorted(paths) for key, paths in expected.items()}
    search_page = site["search/index.html"].decode("utf-8")
    assert 'id="sort"' not in search_page and "筛选与排序" not in search_page  # no page has a date to sort by
    block = site[f"subject/{subjects[0]}/index.html"].decode("utf-8").split("<div data-pagefind-body>")[1].split("</div>")[0]
    assert "data-pagefind-sort" not in block and 'data-pagefind-meta="date' not in block


def test_two_builds_of_the_same_records_write_the_same_search_files(generated: Path, tmp_path: Path) -> None:
    sites = [tree(build(search_config(tmp_path / name, generated, index_records=True), AS_OF).output.resolve())
             for name in ("one", "two")]
    search = [{name: data for name, data in site.items() if name.startswith(("pagefind/", FOLDER))} for site in sites]
    assert len(search[0]) > 3 * 2 + 16 and "pagefind/2/pagefind-entry.json" in search[0]
    assert search[0] == search[1]


@pytest.mark.parametrize(("text", "key", "one", "three"), [
    ("杭市监罚〔2025〕1号", "杭市监罚(2025)1号", "b", "6ab"),
    (" 浙杭许［2024］ 1号", "浙杭许(2024)1号", "2", "5e2"),
    ("(2023)浙0106民初1234号", "(2023)浙0106民初1234号", "6", "486"),
    ("91330100ma27xl0a1x", "91330100MA27XL0A1X", "9", "2f9"),
    ("【京】ｘ１２", "(京)X12", "d", "e0d"),
])
def test_lookup_keys_and_shards(text: str, key: str, one: str, three: str) -> None:
    """The key and shard of a query; the shards are what static/search.js computes for it (Node.js, Chromium)."""
    assert canonical(text) == key
    assert (shard_name(key, 1), shard_name(key, 3)) == (one, three)
    assert [shard_digits(n) for n in (0, 4096, 4097, 65536, 65537, 1_048_577)] == [1, 1, 2, 2, 3, 4]


def test_the_bundle_does_not_depend_on_the_order_a_folder_lists_its_pages(tmp_path: Path) -> None:
    """Pagefind numbers pages in the order it reads them, and a folder lists its files in an order of its file system's
    own (ext4: a hash seeded per file system; tmpfs: the order they were made). The same pages, made in opposite
    orders on tmpfs where there is one, give the same bundle byte for byte, as they do on any other machine."""
    import os
    import tempfile

    shm = Path("/dev/shm")
    root = shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    pages = {p.relative_to(GOLDEN).as_posix(): p.read_bytes()
             for part in ("subject", "record") for p in sorted((GOLDEN / part).rglob("*.html"))}
    assert len(pages) > 10
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        bundles = []
        for name, order in (("forward", sorted(pages)), ("backward", sorted(pages, reverse=True))):
            site = Path(scratch) / name
            for path in order:
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_bytes(pages[path])
            index_site(site)
            bundles.append(bundle_files(site / "pagefind"))
        assert sorted(bundles[0]) == sorted(bundles[1])
        assert [name for name in bundles[0] if bundles[0][name] != bundles[1][name]] == []
