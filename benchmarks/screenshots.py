"""Screenshots of the demo site for the README, taken by the same headless Chromium as the tests.

    python benchmarks/screenshots.py     # writes docs/screenshots/*.png

home and subject (a listed company: its summary box) at 1280 px; record, search (with 加载更多 and the folded
filters), an item list and the menu opened at 390 px (a phone); the subject page as printed (the credit report).

Needs a CJK font for Chinese text (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser import chromium, served  # noqa: E402
from search_recall import build_demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        site = build_demo(Path(tmp))
        subject = next(p for p in sorted((site / "subject").iterdir())
                       if 'class="summary warn"' in (p / "index.html").read_text(encoding="utf-8"))
        record = next(p for p in sorted((site / "record" / "admin_penalty").iterdir()))
        pages = {"home": ("", 1280), "subject": (f"subject/{subject.name}/", 1280),
                 "record": (f"record/admin_penalty/{record.name}/", 390), "search": ("search/?q=有限公司", 390),
                 "list": ("items/admin_penalty/", 390), "menu": ("", 390), "report": (f"subject/{subject.name}/", 794)}
        OUT.mkdir(parents=True, exist_ok=True)
        with served(site) as base, chromium() as browser:
            for name, (path, width) in pages.items():
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + path)
                if name == "search":
                    page.locator("#search-results li").first.wait_for()
                if name == "menu":
                    page.locator(".menu-button").click()
                if name == "report":
                    page.emulate_media(media="print")
                    page.wait_for_function("() => !document.querySelector('[data-report=number]').textContent.startsWith('见')")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                page.close()
                print(OUT / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
