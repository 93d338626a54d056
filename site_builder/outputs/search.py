"""The search index (the output ``search``, run last): Pagefind's extended build (Chinese word segmentation) over the built site.

Pagefind runs as its CLI after every other output, so no stale fragment of an earlier build can
survive. Only the ``data-pagefind-body`` blocks of subject and record pages are indexed, and Pagefind
never reads the site's folder: each run reads a temporary folder outside the site holding, at each
indexed page's own path, only what Pagefind takes from that page (:func:`compact_page`): its ``<html>``
start tag (its ``lang`` picks the language index), its ``<title>`` and its ``data-pagefind-body``
element, cut verbatim out of the written page. Pagefind keeps every page it parses in memory until it
has read them all, body or not (over a whole provincial site, some 35 KiB for each of its hundreds of
thousands of pages), and parses all of a page; given compact pages it holds the indexed pages only and
parses about a tenth of their bytes. The bundle is byte for byte the one the whole pages give. A page
with something Pagefind would read outside its block (an ``<h1>`` or ``<img>``, for the title and image
fallbacks, or any ``data-pagefind-*`` attribute) is given whole; a block that cannot be cut cleanly
stops the build.

A large site's pages are split into several bundles (``[search] bundles``; by default one per
:data:`PAGES_PER_BUNDLE` indexed pages), each built by its own Pagefind run over its share of the
pages (a page goes to the bundle its path's hash names), one after another, so that Pagefind holds
only one share in memory. The first bundle is ``pagefind/``, the others
``pagefind/<n>/``; ``pagefind/bundles.json`` lists the others, and the search page merges them into the
first in the browser (Pagefind's ``mergeIndex``). Result URLs are site paths in every bundle, so the
merged results are those of one index over all pages; only the relevance scores are each bundle's own.

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
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import cbor2

from site_builder.exceptions import BuildError
from site_builder.outputs import base
from site_builder.outputs.notices import notice_paths
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
    """The Pagefind bundles in ``pagefind/``, over the subject and record pages written before it (off when ``search.enabled`` is false)."""

    name = "search"
    title = "Pagefind search index"
    media_types = ("application/wasm", "text/javascript", "text/css", "application/octet-stream")
    order = base.LAST

    def write(self, site: Site, out: Path) -> list[Path]:
        """Index the pages in ``out`` (in one bundle or several); return the bundles' files."""
        notices = {f"{path}index.html" for path, _, _ in notice_paths(site)}
        pages = [page for page in indexed_pages(out, site.config.search.index_records) if page not in notices]
        count = site.config.search.bundles or max(1, -(-len(pages) // PAGES_PER_BUNDLE))
        others = index_shards(out, pages, count)
        (out / "pagefind" / BUNDLES).write_text(json.dumps(others) + "\n", encoding="utf-8")
        return sorted(p for p in (out / "pagefind").rglob("*") if p.is_file())


PAGES_PER_BUNDLE = 20_000
"""Indexed pages per search bundle when ``[search] bundles`` is 0 (bounds Pagefind's memory per run)."""
BUNDLES = "bundles.json"
"""In the first bundle: the site paths of the other bundles, for the search page to merge."""


def indexed_pages(site_dir: Path, records: bool) -> list[str]:
    """Site paths of the pages with a search body: every subject page, and every record page if ``records``."""
    pages = [f"subject/{p.name}/index.html" for p in _folders(site_dir / "subject")]
    if records:
        pages += [f"record/{item.name}/{p.name}/index.html" for item in _folders(site_dir / "record") for p in _folders(item)]
    return sorted(page for page in pages if (site_dir / page).is_file())


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


def shard_of(page: str, count: int) -> int:
    """The bundle a page goes to: its path's hash modulo ``count`` (the same page, the same bundle)."""
    return int.from_bytes(hashlib.sha256(page.encode("utf-8")).digest()[:8], "big") % count


def index_shards(site_dir: Path, pages: list[str], count: int) -> list[str]:
    """Index ``pages`` in ``count`` bundles, one Pagefind run after another; the site paths of all but the first.

    Each run reads a temporary folder beside ``site_dir`` (never published, removed afterwards) holding
    each page of its share as :func:`compact_page` cuts it, at the page's own path, so result URLs are
    the site's.
    """
    shares: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        shares[shard_of(page, count)].append(page)
    others = []
    for number, share in enumerate(shares):
        target = site_dir / "pagefind" if number == 0 else site_dir / "pagefind" / str(number + 1)
        folder = Path(tempfile.mkdtemp(prefix=".search-", dir=site_dir.parent))
        try:
            whole = write_compact_pages(site_dir, share, folder)
            _run_pagefind(folder, target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if number:
            others.append(target.relative_to(site_dir).as_posix() + "/")
        log.info("search bundle=%s pages=%d whole_pages=%d", target.relative_to(site_dir).as_posix(), len(share), len(whole))
    return others


def write_compact_pages(site_dir: Path, pages: list[str], folder: Path) -> list[str]:
    """Write each of ``pages`` as :func:`compact_page` cuts it to the same path under ``folder``; the pages given whole.

    A page Pagefind would read more of than its compact form (see :func:`compact_page`) is hard-linked
    whole, and logged, so the index is the same either way.
    """
    whole = []
    for page in pages:
        source, target = site_dir / page, folder / page
        os.makedirs(target.parent, exist_ok=True)
        compact = compact_page(source.read_bytes(), page)
        if compact is None:
            whole.append(page)
            os.link(source, target)
        else:
            target.write_bytes(compact)
    if whole:
        log.warning("search whole_pages=%d first=%s reason=%s", len(whole), whole[0],
                    "an <h1>, <img> or data-pagefind-* attribute outside the data-pagefind-body element")
    return whole


_ATTRIBUTES = rb"""(?:"[^"]*"|'[^']*'|[^"'<>])*"""
"""A tag's attributes: quoted values may hold ``<`` and ``>``."""
_BODY = re.compile(rb"<[a-zA-Z][a-zA-Z0-9-]*(?=[\s/>])" + _ATTRIBUTES + rb"?\sdata-pagefind-body(?=[\s=/>])", re.I)
"""The start tag of the element Pagefind indexes (the first one marked ``data-pagefind-body``)."""
_TOKEN = re.compile(rb"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)(" + _ATTRIBUTES + rb")>", re.S)
"""A comment, a start tag or an end tag."""
_VOID = frozenset(b"area base br col embed hr img input keygen link meta param source track wbr".split())
_RAW_TEXT = frozenset(b"script style textarea title xmp iframe noembed noframes".split())
"""Elements whose content is text up to their end tag (in HTML, not in SVG or MathML)."""
_FOREIGN = frozenset((b"svg", b"math"))
"""Elements inside which ``<x/>`` closes itself."""
_OUTSIDE = (b"<h1", b"<img", b"data-pagefind-")
"""What Pagefind reads outside the body (lower case): the first ``<h1>`` (title fallback), the first ``<img>``
after a title (image), ``data-pagefind-*`` attributes (filters, meta, sort, ignore, a second body)."""
_HTML = re.compile(rb"<html(?=[\s/>])" + _ATTRIBUTES + rb">", re.I)
_TITLE = re.compile(rb"<title(?=[\s/>])" + _ATTRIBUTES + rb">.*?</title\s*>", re.I | re.S)


def compact_page(page: bytes, name: str) -> bytes | None:
    """The page as Pagefind needs it: its ``<html>`` start tag, a charset, its ``<title>`` and its body, verbatim.

    The body is the first element marked ``data-pagefind-body``, cut after its matching end tag; every
    element inside it must be closed in order (void elements aside), else :class:`BuildError` names the
    page, as it does for a page without a body. None when Pagefind would read more of the page than
    that (see ``_OUTSIDE``): the page is then indexed whole.
    """
    lower = page.lower()
    at = lower.find(b"data-pagefind-body")
    found = _BODY.match(page, page.rfind(b"<", 0, at)) if at > 0 else None
    if found is None or found.end() != at + len(b"data-pagefind-body"):
        found = _BODY.search(page)  # the fast guess missed: a quoted "<" in the tag, or the words in text
    if found is None:
        raise BuildError(f"Search index: {name} has no data-pagefind-body element (the theme must mark the block to index)")
    start = found.start()
    end = _element_end(page, start, name)
    if any(lower.find(word, 0, start) >= 0 or lower.find(word, end) >= 0 for word in _OUTSIDE):
        return None
    html = _HTML.search(page, 0, start)
    title = _TITLE.search(page, 0, start)
    return b"".join((b"<!doctype html>\n", html.group() if html else b"", b'\n<head><meta charset="utf-8">',
                     title.group() if title else b"", b"</head>\n<body>\n", page[start:end], b"\n</body>\n</html>\n"))


def _element_end(page: bytes, start: int, name: str) -> int:
    """The offset just after the end tag of the element whose start tag is at ``start``."""
    stack: list[bytes] = []
    token = _TOKEN.match(page, start)
    while token is not None:
        position, tag = token.end(), (token.group(2) or b"").lower()
        if not tag:  # a comment
            pass
        elif token.group(1):
            if tag != stack[-1]:
                raise BuildError(f"Search index: cannot cut the data-pagefind-body element of {name}: "
                                 f"</{tag.decode()}> closes <{stack[-1].decode()}> at byte {token.start()}")
            stack.pop()
        elif tag in _RAW_TEXT and _FOREIGN.isdisjoint(stack):
            closing = re.compile(rb"</" + tag + rb"(?=[\s/>])" + _ATTRIBUTES + rb">", re.I).search(page, position)
            if closing is None:
                break
            position = closing.end()
        elif tag not in _VOID and not (token.group(3).endswith(b"/") and (tag in _FOREIGN or not _FOREIGN.isdisjoint(stack))):
            stack.append(tag)
        if not stack:
            return position
        token = _TOKEN.search(page, position)
    raise BuildError(f"Search index: cannot cut the data-pagefind-body element of {name}: it has no end tag")


def index_site(site_dir: Path) -> None:
    """Pagefind over the whole pages of ``site_dir`` into ``site_dir/pagefind``, in one bundle (the reference
    the compact pages must give byte for byte; the build itself uses :func:`index_shards`)."""
    _run_pagefind(site_dir, site_dir / "pagefind")
    log.info("search index=%s", site_dir / "pagefind")


def _run_pagefind(site_dir: Path, bundle: Path) -> None:
    """One Pagefind run over ``site_dir`` writing the bundle ``bundle``, checked and made reproducible."""
    command = [str(pagefind_binary()), "--site", str(site_dir), "--output-path", str(bundle), "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"Search index: pagefind failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
    check_bundle(bundle, result.stderr)
    make_reproducible(bundle)


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
