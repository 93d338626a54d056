"""Discovery files: the outputs ``sitemap`` (``sitemap.xml``, split at 50,000 URLs, and ``robots.txt``)
and ``feed`` (an Atom feed of the newest publications).

The sitemap lists every page written before it (every ``index.html`` but the search page's, in path
order), so pages a plugin output writes are listed too. A record page's entry has a ``lastmod``, the date its
record's public values last changed (or it first appeared); a subject page's, the latest of its records'.

The feed lists records by the date they first appeared on the site (newest first), then by their own date,
item and id: a record approved today with a decision of 2024 comes before one published last week (the
withdrawals have a feed of their own, ``changes/withdrawn.xml``: see ``outputs/changes.py``).

Every XML file is written through :func:`xml_safe`: a character that XML 1.0 does not allow (C0
controls other than tab and line breaks, lone surrogates, U+FFFE, U+FFFF) makes the whole file
ill-formed for every reader, so it is removed even if the parsing stage let one through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2

from site_builder.audit.manifest import site_files
from site_builder.outputs import base
from site_builder.outputs.site import Site
from site_builder.outputs.theme import environment, heading, render
from site_builder.rules.redaction import PublicRecord

SITEMAP_LIMIT = 50_000
FEED_SIZE = 50
"""Entries in ``feed.xml``: the newest publications."""
UNLISTED = frozenset({"search/"})
"""Pages not listed in the sitemap (besides ``404.html``, which is not an ``index.html``)."""
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters outside XML 1.0's ``Char`` production."""


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow (escaping cannot make them legal)."""
    return _NOT_XML.sub("", text)


class Sitemap:
    """Streams page URLs into ``sitemap-NNNN.xml`` files of at most 50,000 URLs each."""

    def __init__(self, out: Path, base_url: str, limit: int = SITEMAP_LIMIT) -> None:
        self.out, self.base_url, self.limit = out, base_url, limit
        self.parts: list[Path] = []
        self.count = 0
        self._file: Any = None

    def add(self, path: str, lastmod: str = "") -> None:
        """Add the URL of a site path (with the date it last changed, if known)."""
        if self.count % self.limit == 0:
            self._close_part()
            part = self.out / f"sitemap-{len(self.parts) + 1:04d}.xml"
            self.parts.append(part)
            self._file = part.open("w", encoding="utf-8")
            self._file.write(f"{_HEAD}<urlset {_NS}>\n")
        modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
        self._file.write(f"<url><loc>{escape(xml_safe(self.base_url + path))}</loc>{modified}</url>\n")
        self.count += 1

    def _close_part(self) -> None:
        if self.parts:
            self._file.write("</urlset>\n")
            self._file.close()

    def close(self) -> None:
        """Finish: one part becomes ``sitemap.xml``; several get a sitemap index of that name."""
        self._close_part()
        index = self.out / "sitemap.xml"
        if len(self.parts) == 1:
            self.parts[0].rename(index)
            return
        entries = "".join(f"<sitemap><loc>{escape(xml_safe(self.base_url + p.name))}</loc></sitemap>\n" for p in self.parts)
        index.write_text(f"{_HEAD}<sitemapindex {_NS}>\n{entries}</sitemapindex>\n", encoding="utf-8")


def write_robots(out: Path, base_url: str) -> None:
    """``robots.txt``: everything may be crawled; where the sitemap is."""
    (out / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n", encoding="utf-8")


def write_feed(out: Path, env: jinja2.Environment, site: Site, records: list[PublicRecord],
               heading: Callable[[PublicRecord], str]) -> None:
    """``feed.xml``: an Atom feed of the newest publications."""
    entries = [(r, heading(r)) for r in records]
    xml = render(env, "feed.xml", "feed.xml", entries=entries, canonical=site.canonical("feed.xml"))
    (out / "feed.xml").write_text(xml_safe(xml), encoding="utf-8")


def lastmod(site: Site, path: str) -> str:
    """The date (ISO) a record or subject page last changed, from the published store; empty for other pages."""
    kind, _, rest = path.partition("/")
    if kind == "record" and rest.endswith("/"):
        item, _, record_id = rest[:-1].partition("/")
        return site.store.last_changed(item, record_id) if record_id and "/" not in record_id else ""
    if kind == "subject" and rest.endswith("/") and "/" not in rest[:-1]:
        return site.store.subject_last_changed(rest[:-1])
    return ""


def page_paths(out: Path) -> list[str]:
    """Site paths of the pages written in ``out`` (each ``<path>index.html``), in path order, for the sitemap."""
    paths = (name.removesuffix("index.html") for name, link in site_files(out)
             if not link and (name == "index.html" or name.endswith("/index.html")))
    return sorted(p for p in paths if p not in UNLISTED)


class SitemapOutput(base.Output):
    """``sitemap.xml`` of every page written before it, and ``robots.txt`` pointing to it."""

    name = "sitemap"
    title = "Sitemap and robots.txt"
    media_types = ("application/xml", "text/plain")
    order = base.INDEXES

    def write(self, site: Site, out: Path) -> list[Path]:
        """List every page in ``out`` in the sitemap (parts of 50,000 URLs); write robots.txt."""
        sitemap = Sitemap(out, site.config.site.base_url)
        for path in page_paths(out):
            sitemap.add(path, lastmod(site, path))
        sitemap.close()
        write_robots(out, site.config.site.base_url)
        parts = [out / "sitemap.xml"] + (sitemap.parts if len(sitemap.parts) > 1 else [])
        return [*parts, out / "robots.txt"]


class FeedOutput(base.Output):
    """``feed.xml``: an Atom feed of the newest publications, from the theme's ``feed.xml`` template."""

    name = "feed"
    title = "Atom feed of the newest publications"
    media_types = ("application/atom+xml",)
    order = base.DATA + 10

    def write(self, site: Site, out: Path) -> list[Path]:
        """Write ``feed.xml`` with the newest ``FEED_SIZE`` publications."""
        write_feed(out, environment(site), site, site.store.latest(FEED_SIZE), lambda r: heading(site, r))
        return [out / "feed.xml"]
