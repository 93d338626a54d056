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
from xml.sax.saxutils import escape

import jinja2

from site_builder.audit.manifest import site_files
from site_builder.outputs import base
from site_builder.outputs.files import FileIndex
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
    """Writes page URLs into ``sitemap-NNNN.xml`` files of at most 50,000 URLs each, through ``files``."""

    def __init__(self, files: FileIndex, base_url: str, limit: int = SITEMAP_LIMIT) -> None:
        self.files, self.base_url, self.limit = files, base_url, limit
        self.parts: list[Path] = []
        self.count = 0
        self._lines: list[str] = []

    def add(self, path: str, lastmod: str = "") -> None:
        """Add the URL of a site path (with the date it last changed, if known)."""
        if self.count and self.count % self.limit == 0:
            self._write_part()
        modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
        self._lines.append(f"<url><loc>{escape(xml_safe(self.base_url + path))}</loc>{modified}</url>\n")
        self.count += 1

    def _write_part(self, name: str = "") -> None:
        text = "".join([f"{_HEAD}<urlset {_NS}>\n", *self._lines, "</urlset>\n"])
        self.parts.append(self.files.write_text(name or f"sitemap-{len(self.parts) + 1:04d}.xml", text))
        self._lines = []

    def close(self) -> None:
        """Finish: one part becomes ``sitemap.xml``; several get a sitemap index of that name."""
        if not self.parts:
            self._write_part("sitemap.xml")
            return
        self._write_part()
        entries = "".join(f"<sitemap><loc>{escape(xml_safe(self.base_url + p.name))}</loc></sitemap>\n" for p in self.parts)
        self.files.write_text("sitemap.xml", f"{_HEAD}<sitemapindex {_NS}>\n{entries}</sitemapindex>\n")


def write_robots(files: FileIndex, base_url: str) -> Path:
    """``robots.txt``: everything may be crawled; where the sitemap is."""
    return files.write_text("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n")


def write_feed(files: FileIndex, env: jinja2.Environment, site: Site, records: list[PublicRecord],
               heading: Callable[[PublicRecord], str]) -> Path:
    """``feed.xml``: an Atom feed of the newest publications."""
    entries = [(r, heading(r)) for r in records]
    xml = render(env, "feed.xml", "feed.xml", entries=entries, canonical=site.canonical("feed.xml"))
    return files.write_text("feed.xml", xml_safe(xml))


def page_paths(files: FileIndex) -> list[str]:
    """Site paths of the pages written so far (each ``<path>index.html``), in path order, for the sitemap: those of the
    build's file index, or, outside a build, those in its folder."""
    names = [w.path for w in files.written] or [name for name, link in site_files(files.out) if not link]
    paths = (name.removesuffix("index.html") for name in names if name == "index.html" or name.endswith("/index.html"))
    return sorted(p for p in paths if p not in UNLISTED)


class SitemapOutput(base.Output):
    """``sitemap.xml`` of every page written before it, and ``robots.txt`` pointing to it."""

    name = "sitemap"
    title = "Sitemap and robots.txt"
    media_types = ("application/xml", "text/plain")
    order = base.INDEXES

    def write(self, site: Site, out: Path) -> list[Path]:
        """List every page written so far in the sitemap (parts of 50,000 URLs), with the date each last changed;
        write robots.txt."""
        files = site.index(out)
        records, subjects = site.store.last_changed_dates()
        sitemap = Sitemap(files, site.config.site.base_url)
        for path in page_paths(files):
            kind, _, rest = path.partition("/")
            sitemap.add(path, records.get(rest[:-1], "") if kind == "record" else subjects.get(rest[:-1], "") if kind == "subject"
                        else "")
        sitemap.close()
        parts = [out / "sitemap.xml"] + (sitemap.parts if len(sitemap.parts) > 1 else [])
        return [*parts, write_robots(files, site.config.site.base_url)]


class FeedOutput(base.Output):
    """``feed.xml``: an Atom feed of the newest publications, from the theme's ``feed.xml`` template."""

    name = "feed"
    title = "Atom feed of the newest publications"
    media_types = ("application/atom+xml",)
    order = base.DATA + 10

    def write(self, site: Site, out: Path) -> list[Path]:
        """Write ``feed.xml`` with the newest ``FEED_SIZE`` publications."""
        return [write_feed(site.index(out), environment(site), site, site.store.latest(FEED_SIZE), lambda r: heading(site, r))]
