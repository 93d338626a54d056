"""A real headless browser (Debian's Chromium, driven by Playwright) on a locally served site.

Used by the browser tests and the search benchmark, so both exercise the very Pagefind bundle and
search page a visitor gets.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from site_builder.serve import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@contextmanager
def served(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on a free loopback port; yield its base URL."""
    server = make_server(site_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium from the system (no browser download)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


SEARCH_ALL = """
async ([queries, limit]) => {
  const out = [];
  for (const q of queries) {
    const search = await window.siteSearch(q);
    const data = await Promise.all(search.results.slice(0, limit).map((r) => r.data()));
    out.push(data.map((d) => d.url));
  }
  return out;
}
"""


def search_urls(browser: Browser, base_url: str, queries: list[str], limit: int = 5) -> list[list[str]]:
    """The top ``limit`` result URLs for each query, as the site's search page runs them (``siteSearch``)."""
    page = browser.new_page()
    page.goto(base_url + "search/")
    page.wait_for_function("() => typeof window.siteSearch === 'function'")
    result: Any = page.evaluate(SEARCH_ALL, [queries, limit])
    page.close()
    return [list(urls) for urls in result]
