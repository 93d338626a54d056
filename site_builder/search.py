"""The search index: Pagefind's extended build (Chinese word segmentation) over the built site.

Pagefind runs as its CLI on the freshly built staging folder, so no stale fragment of an earlier
build can survive. Only the ``data-pagefind-body`` blocks of subject and record pages are indexed.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from site_builder.exceptions import BuildError

log = logging.getLogger(__name__)


def pagefind_binary() -> Path:
    """The ``pagefind_extended`` executable shipped by the ``pagefind-bin-extended`` package."""
    try:
        import pagefind_bin_extended
    except ImportError as exc:
        raise BuildError("Search index: the package pagefind[extended] is not installed") from exc
    binary = pagefind_bin_extended.get_executable()
    if binary is None:
        raise BuildError("Search index: the pagefind_extended binary was not found")
    return Path(binary)


def index_site(site_dir: Path) -> None:
    """Write the Pagefind bundle into ``site_dir/pagefind``; raise :class:`BuildError` on failure."""
    command = [str(pagefind_binary()), "--site", str(site_dir), "--output-subdir", "pagefind", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"Search index: pagefind failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
    log.info("search index=%s", site_dir / "pagefind")
