"""The demo site in a real headless Chromium: search by Chinese name, follow links, phone width,
accessibility (axe-core), keyboard use and the Content-Security-Policy with Pagefind."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import CATALOGUE, ROOT

from site_builder.sources.loading import find_sources, read_rows

sys.path.insert(0, str(ROOT / "benchmarks"))

pytest.importorskip("playwright")
if not Path("/usr/bin/chromium").exists() and not os.environ.get("CI"):  # .ci/run installs it; in CI this fails
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

def company_with_records(output: Path) -> tuple[str, str]:
    """A demo company (name, code) whose subject page lists at least one record."""
    subject = CATALOGUE["subject"]
    source = next(s for s in find_sources(ROOT / "data" / "records", CATALOGUE) if s.item == "subject")
    for raw in read_rows(source, subject):
        code = raw.values["uscc"].strip()
        page = output / "subject" / code / "index.html"
        if page.exists() and "record/admin_penalty/" in page.read_text(encoding="utf-8"):
            return raw.values["subject_name"].strip(), code
    raise AssertionError("no demo company with a published penalty")


@pytest.mark.parametrize("width", [1280, 360])
def test_search_by_name_then_follow_links(demo: tuple[str, Path], browser: object, width: int) -> None:
    base, output = demo
    name, code = company_with_records(output)
    page = browser.new_page(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base)
    page.fill("#q", name)
    page.press("#q", "Enter")
    page.wait_for_url("**/search/?q=*")
    first = page.locator("#search-results li a").first
    first.wait_for(timeout=15000)
    assert first.inner_text() == name
    first.click()
    page.wait_for_url(f"**/subject/{code}/")
    assert page.locator("h1").inner_text() == name
    record = page.locator("#timeline ~ ol.records li a, section:has(#timeline) ol.records li a").first
    heading = record.inner_text()
    record.click()
    page.wait_for_url("**/record/**")
    assert page.locator("h1").inner_text() == heading
    assert "公示期限" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "page scrolls sideways"
    assert not errors, errors
    page.close()


def test_search_by_code_and_filter(demo: tuple[str, Path], browser: object) -> None:
    base, output = demo
    name, code = company_with_records(output)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + f"search/?q={code}")
    first = page.locator("#search-results li a").first
    first.wait_for(timeout=15000)
    assert first.inner_text() == name
    page.select_option("#filter-0", "行政处罚")  # 类别 filter: only penalty records remain
    page.wait_for_function(
        "() => [...document.querySelectorAll('#search-results li a')].every(a => a.href.includes('/record/admin_penalty/'))"
    )
    page.close()


@pytest.mark.parametrize("path", ["", "search/?q=有限公司", "data/", "pages/about/", "404.html"])
def test_no_serious_accessibility_violations(demo: tuple[str, Path], browser: object, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, output = demo
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + path)
    if path.startswith("search/"):
        page.locator("#search-results li").first.wait_for(timeout=15000)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious]
    page.close()


def test_subject_and_record_pages_accessible(demo: tuple[str, Path], browser: object) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, output = demo
    _, code = company_with_records(output)
    page = browser.new_page()  # type: ignore[attr-defined]
    record = sorted((output / "record" / "admin_penalty").iterdir())[0].relative_to(output).as_posix()
    for path in (f"subject/{code}/", record + "/"):
        page.goto(base + path)
        serious = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, (path, [(v["id"], v["help"]) for v in serious])
    page.close()


def test_keyboard_reaches_skip_link_and_search(demo: tuple[str, Path], browser: object) -> None:
    base, _ = demo
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("the search box cannot be reached with the keyboard")
    page.close()
