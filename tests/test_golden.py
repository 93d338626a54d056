"""The golden site: a small fixture site built and compared, file by file and byte by byte, with a
committed expected tree (Pelican's ``test_basic_generation_works``).

    tests/golden/site/       site_builder.toml, records/ (15 rows: every item, one excluded, one
                             quarantined), content/ (a page with a Markdown table, raw HTML, a script)
    tests/golden/expected/   the output of building it as of 2026-11-24, search off

After an intended change to the output, regenerate the expected tree and review its diff:

    .venv/bin/python tests/golden/regenerate.py

Output is deterministic (no clock, no absolute path), so nothing is left out of the comparison.
"""

from __future__ import annotations

import difflib
import shutil
from datetime import date
from pathlib import Path

from site_builder.build import build
from site_builder.config import load_config

GOLDEN = Path(__file__).resolve().parent / "golden"
SITE = GOLDEN / "site"
EXPECTED = GOLDEN / "expected"
AS_OF = date(2026, 11, 24)


def build_golden(work: Path) -> Path:
    """Build a copy of the golden site in ``work``; the built site's folder."""
    site = work / "site"
    shutil.copytree(SITE, site)
    config = load_config(site / "site_builder.toml")
    build(config, AS_OF)
    return config.paths.output.resolve()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by POSIX relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def first_difference(name: str, expected: bytes, actual: bytes) -> str:
    """A short unified diff of one file (text), or its sizes (binary)."""
    try:
        lines = difflib.unified_diff(expected.decode("utf-8").splitlines(), actual.decode("utf-8").splitlines(),
                                     f"expected/{name}", f"built/{name}", lineterm="", n=1)
        return "\n".join(list(lines)[:30])
    except UnicodeDecodeError:
        return f"{name}: {len(expected)} bytes expected, {len(actual)} built"


def test_golden_site_matches_the_expected_tree(tmp_path: Path) -> None:
    built, expected = tree(build_golden(tmp_path)), tree(EXPECTED)
    hint = "if the change is intended: python tests/golden/regenerate.py, and review the diff"
    assert sorted(built) == sorted(expected), (
        f"missing: {sorted(set(expected) - set(built))}, unexpected: {sorted(set(built) - set(expected))}; {hint}")
    differing = [name for name in built if built[name] != expected[name]]
    assert not differing, f"{len(differing)} file(s) differ: {differing[:10]}\n" \
        f"{first_difference(differing[0], expected[differing[0]], built[differing[0]])}\n{hint}"


def test_expected_tree_shows_content_pages_as_html() -> None:
    """The expected tree itself holds what a reader must see: the content page's table and link as HTML
    (not escaped tags), the script gone, every item's list page present."""
    page = (EXPECTED / "pages" / "notice" / "index.html").read_text(encoding="utf-8")
    assert "<table>" in page and "<td>保留</td>" in page and "<strong>加粗</strong>" in page
    assert '<a href="https://www.creditchina.gov.cn/" rel="noopener noreferrer">信用中国</a>' in page
    assert "&lt;" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "alert" not in page and "onclick" not in page
    for item in ("subject", "admin_license", "commendation", "admin_penalty", "dishonest_list", "judgment"):
        assert (EXPECTED / "items" / item / "index.html").is_file(), item
    assert 20 <= len(tree(EXPECTED)) <= 150, "keep the golden site small"
