"""The search index (the output ``search``, run last): Pagefind's extended build (Chinese word segmentation) over the built site.

Pagefind runs as its CLI on the freshly built staging folder, so no stale fragment of an earlier
build can survive. Only the ``data-pagefind-body`` blocks of subject and record pages are indexed.

Pagefind 1.5 writes its filter and metadata indexes in hash-map order, so two runs over the same
pages differ (its maintainers made only the fragments stable, Pagefind issue #638).
:func:`make_reproducible` rewrites those few files in sorted order under content-hash names, so
the same inputs give a byte-identical bundle.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import cbor2

from site_builder.exceptions import BuildError
from site_builder.outputs import base
from site_builder.outputs.site import Site

log = logging.getLogger(__name__)
_MAGIC = b"pagefind_dcd"


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


class SearchOutput(base.Output):
    """The Pagefind bundle in ``pagefind/``, over every page written before it (also off when ``search.enabled`` is false)."""

    name = "search"
    title = "Pagefind search index"
    media_types = ("application/wasm", "text/javascript", "text/css", "application/octet-stream")
    order = base.LAST

    def write(self, site: Site, out: Path) -> list[Path]:
        """Index the pages in ``out``; return the bundle's files."""
        index_site(out)
        return sorted(p for p in (out / "pagefind").rglob("*") if p.is_file())


def index_site(site_dir: Path) -> None:
    """Write the Pagefind bundle into ``site_dir/pagefind``; raise :class:`BuildError` on failure."""
    command = [str(pagefind_binary()), "--site", str(site_dir), "--output-subdir", "pagefind", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"Search index: pagefind failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
    check_bundle(site_dir / "pagefind", result.stderr)
    make_reproducible(site_dir / "pagefind")
    log.info("search index=%s", site_dir / "pagefind")


def check_bundle(bundle: Path, stderr: str = "") -> None:
    """Pagefind exits 0 even when it could not write (disk full): its entry file must be there and parse."""
    entry_path = bundle / "pagefind-entry.json"
    errors = [line.strip() for line in stderr.splitlines() if "error" in line.lower()]
    hint = f" ({errors[0][:300]})" if errors else ""
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BuildError(f"Search index: Pagefind wrote no {entry_path.name} (disk full?){hint}") from exc
    except (OSError, ValueError) as exc:
        raise BuildError(f"Search index: {entry_path.name} is empty or unreadable (disk full?){hint}") from exc
    languages = entry.get("languages") if isinstance(entry, dict) else None
    if not isinstance(languages, dict) or not languages:
        raise BuildError(f"Search index: {entry_path.name} names no index (disk full?){hint}")
    for info in languages.values():
        meta = bundle / f"pagefind.{info.get('hash') if isinstance(info, dict) else ''}.pf_meta"
        if not meta.is_file() or meta.stat().st_size == 0:
            raise BuildError(f"Search index: {meta.name} is missing or empty (disk full?){hint}")


def _read(path: Path) -> object:
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise BuildError(f"Search index: {path.name} is truncated or unreadable (disk full?)") from exc
    if not data.startswith(_MAGIC):
        raise BuildError(f"Search index: {path.name} is not a Pagefind index file")
    return cbor2.loads(data[len(_MAGIC):])


def _write(folder: Path, prefix: str, suffix: str, value: object, digits: int) -> str:
    """Write a Pagefind index file named by the hash of its content; return the name without suffix."""
    data = gzip.compress(_MAGIC + cbor2.dumps(value), mtime=0)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def make_reproducible(bundle: Path) -> None:
    """Rewrite the filter indexes, the metadata index and the entry file in a deterministic order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        assert isinstance(meta, list) and len(meta) > 3, "unexpected Pagefind metadata layout"
        renamed = []
        for name, old in meta[3]:
            old_path = bundle / "filter" / f"{old}.pf_filter"
            content: Any = _read(old_path)
            filter_name, values = content
            canonical = [filter_name, sorted([value, sorted(pages)] for value, pages in values)]
            old_path.unlink()
            renamed.append([name, _write(bundle / "filter", language, ".pf_filter", canonical, 7)])
        meta[3] = sorted(renamed)
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{language}", ".pf_meta", meta, 13).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
