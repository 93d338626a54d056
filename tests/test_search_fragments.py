"""Pagefind reads compact pages (each page's ``data-pagefind-body`` cut out), and the bundle is the one whole pages give.

The golden site's subject and record pages, plus a few pages of other shapes (a nested ``<div>`` and
anchors inside the body, an ``<img>`` or ``<h1>`` outside it), are indexed twice: whole, by
:func:`index_site`, and compact, by :func:`index_shards` as the build does. Every file of the two bundles
must have the same bytes. A body that cannot be cut cleanly stops the build with the page's name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from site_builder.exceptions import BuildError
from site_builder.outputs.search import compact_page, index_shards, index_site, indexed_pages

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
