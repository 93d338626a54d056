"""The pages of the portal (the output ``pages``): HTML from the published store, with Jinja2 (autoescape on).

Pages: home, one per subject (by 统一社会信用代码), one per record (stable URL
``record/<item>/<record_id>/``), paginated lists per catalogue item and per authority, content pages
from the layered ``content/`` folders, the data download page, search and 404; and the theme's static
files. The sitemap, feed and subject data files are their own outputs (``discovery.py``,
``subject_data.py``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from site_builder import progress
from site_builder.outputs import base, parallel
from site_builder.outputs.files import Written, fingerprint, page_mark
from site_builder.outputs.search_terms import name_terms, region_name
from site_builder.outputs.site import Site, record_path
from site_builder.outputs.theme import (
    CATEGORIES,
    CONTENT_ATTRIBUTES,
    CONTENT_SCHEMES,
    CONTENT_TAGS,
    NATURES,
    ContentPage,
    Headings,
    authority_path,
    content_html,
    copy_static,
    environment,
    load_content,
    render,
    template_error,
    template_uses,
)
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.identifiers import region_code
from site_builder.rules.redaction import PublicRecord
from site_builder.store.published import IDENTITY_ITEM, Listed

__all__ = ["CATEGORIES", "CONTENT_ATTRIBUTES", "CONTENT_SCHEMES", "CONTENT_TAGS", "NATURES", "ContentPage", "PagesOutput",
           "Renderer", "authority_path", "content_html", "load_content", "template_error"]

PAGE_SIZE = 50


class PagesOutput(base.Output):
    """Every HTML page of the portal and the theme's static files."""

    name = "pages"
    title = "HTML pages and static files"
    media_types = ("text/html", "text/css", "text/javascript", "image/svg+xml")
    order = base.PAGES
    through_index = True

    def write(self, site: Site, out: Path) -> list[str]:
        """Render every page into ``out``; the static files first."""
        return Renderer(site, out).render_pages()


class Renderer:
    """Writes the pages of the site into the staging folder."""

    def __init__(self, site: Site, out: Path) -> None:
        self.site, self.out = site, out
        self.files = site.index(out)
        self.dated: dict[str, bool] = {}
        """Per template: whether it shows the as-of date (a global), which then joins its pages' fingerprints."""
        self.content = load_content(site.config.content_dirs)
        self.env = environment(site, self.content)
        self.written: list[str] = []
        """The files written or taken over, as ``f"{out}/{name}"``."""
        self.heading = Headings(site.catalogue)
        """A record's heading: its document number or title; a registration record's, the subject's name; else the
        item and date."""

    def shows_date(self, template: str) -> bool:
        """Whether ``template`` shows the as-of date (then its pages change every day)."""
        if template not in self.dated:
            self.dated[template] = template_uses(self.env, template, "as_of")
        return self.dated[template]

    def write(self, path: str, template: str, **context: Any) -> None:
        """Render ``template`` to ``<path>index.html`` (or ``path`` itself if it names a file).

        A page whose template and values are those of the previous build's page is taken over unrendered.
        """
        name = file_name(path)
        context["canonical"] = self.site.canonical(path)
        values = context | {"as_of": self.site.as_of} if self.shows_date(template) else context
        mark = fingerprint(self.files.key, name, template, values)
        if not self.files.take(name, mark):
            self.files.save_text(name, render(self.env, template, path, **context), mark)
        self.written.append(f"{self.out}/{name}")
        progress.advance()

    def render_to(self, path: str, template: str, mark: str, **context: Any) -> None:
        """Render ``template`` to ``path`` (as :meth:`write`) with the fingerprint ``mark``, whatever the previous build
        had: the caller found it changed (:meth:`mark`)."""
        name = file_name(path)
        context["canonical"] = self.site.canonical(path)
        self.files.save_text(name, render(self.env, template, path, **context), mark)
        self.written.append(f"{self.out}/{name}")
        progress.advance()

    def mark(self, path: str, template: str, versions: bytes, *values: str) -> str:
        """The fingerprint of the page ``path`` made with ``template`` from records of these ``versions`` (see
        :meth:`PublishedStore.record_versions`) and ``values`` (whatever else the page shows that is neither in its
        records nor in the site key: the legal basis in force, the page number …), and the as-of date if the
        template shows it. A page is made of nothing else, so it is taken over when this is unchanged."""
        dated = self.site.as_of.isoformat() if self.shows_date(template) else ""
        return page_mark(self.files.key, file_name(path), template, versions, dated, *values)

    def take(self, path: str, mark: str) -> bool:
        """Take the page ``path`` over from the previous build if its fingerprint ``mark`` is unchanged."""
        name = file_name(path)
        if not self.files.take(name, mark):
            return False
        self.written.append(f"{self.out}/{name}")
        progress.advance()
        return True

    def render_pages(self) -> list[str]:
        """Copy the static files and render every page of the site; return the files written.

        Each record and subject page whose fingerprint is that of the previous build's page is taken over first (the
        fingerprints are all made before any file is written); on a large site the others are rendered by worker
        processes (``parallel.py``), shard by shard, while this process writes the other pages.
        """
        progress.expect(self.page_count())
        items = self.site.catalogue.items
        # Every fingerprint first, while the check of the spare may still run; then wait for it (FileIndex.settle):
        # from here on files are written, by this process and by the workers.
        marks = {item.id: list(self.record_marks(item)) for item in items}
        subject_marks = list(self.subject_marks())
        self.files.settle()
        self.written = [os.fspath(path) for path in copy_static(self.site, self.out)]
        records = {item.id: [(r, m) for r, m in marks.pop(item.id) if not self.take(record_path_of(item.id, r), m)]
                   for item in items}
        subjects = [(k, m) for k, m in subject_marks if not self.take(f"subject/{k}/", m)]
        del subject_marks
        with parallel.workers(self.site, self.out, sum(map(len, records.values())) + len(subjects)) as pool:
            futures = {item.id: pool.submit(parallel.key_shards(record_shard, item.id, records[item.id])) for item in items
                       } if pool else {}
            subject_futures = pool.submit(parallel.key_shards(subject_shard, None, subjects)) if pool else []
            self.home()
            for item in items:
                if pool:
                    self.written += pool.collect(futures[item.id])
                else:
                    self.record_pages(item, records[item.id])
                self.item_list(item)
            if pool:
                self.written += pool.collect(subject_futures)
            else:
                self.subject_pages(subjects)
        self.authority_pages()
        for page in self.content:
            self.write(f"pages/{page.slug}/", "page.html", page=page)
        self.write("search/", "search.html")
        self.write("404.html", "404.html")
        return self.written

    def page_count(self) -> int:
        """How many pages :meth:`render_pages` writes (for the progress bar): one query per list, no page read."""
        store = self.site.store
        lists = [store.count(item.id) for item in self.site.catalogue.items] + [n for _, n in store.authorities()]
        pages = store.count() + store.subject_count() + sum(self.list_size(n)[0] for n in lists)
        return pages + len(self.content) + 4  # home, authority index, search and 404

    def counts(self) -> list[tuple[CatalogItem, int]]:
        """Published records per catalogue item."""
        return [(item, self.site.store.count(item.id)) for item in self.site.catalogue.items]

    def home(self) -> None:
        """The home page: counts per item, the newest publications, a search box."""
        store = self.site.store
        self.write("", "home.html", counts=self.counts(), latest=store.latest(20), subject_count=store.subject_count())

    def basis(self, item: CatalogItem) -> str:
        """The legal basis of the disclosure period of ``item``'s records in force on the as-of date."""
        return self.site.policy.period(item.id, item.period, self.site.as_of).basis

    def record_marks(self, item: CatalogItem) -> Iterator[tuple[str, str]]:
        """``(record id, fingerprint)`` of every record page of ``item``, in record id order."""
        basis = self.basis(item)
        for record_id, version in self.site.store.record_versions(item.id):
            yield record_id, self.mark(record_path_of(item.id, record_id), "record.html", version, basis)

    def record_pages(self, item: CatalogItem, keys: Sequence[tuple[str, str]]) -> None:
        """The record pages of ``item`` of the given ``(record id, fingerprint)`` pairs."""
        basis, fields, marks = self.basis(item), item.public_fields, dict(keys)
        for r in self.site.store.by_ids(item.id, [record_id for record_id, _ in keys]):
            title = self.heading(r)
            self.render_to(
                record_path(r), "record.html", marks[r.record_id], r=r, item=item, fields=fields, heading=title,
                basis=basis, region=region_name(region_code(r.subject_key)) if r.subject_key else "",
                terms=name_terms(title, r.subject_name),  # the subject's full name finds its records too
                category=CATEGORIES.get(r.subject_category, ""),
            )

    def list_size(self, total: int) -> tuple[int, int]:
        """How many pages a list of ``total`` records has, and how many of its records they show (the newest:
        ``[pages] list_pages``)."""
        pages = max(1, -(-total // PAGE_SIZE))
        limit = self.site.config.pages.list_pages
        if limit and pages > limit:
            return limit, limit * PAGE_SIZE
        return pages, total

    def paginated(self, base: str, total: int, template: str, records: Iterable[Listed], extra: Sequence[str],
                  **context: Any) -> None:
        """A list of ``total`` records cut into pages of ``PAGE_SIZE``: ``base``, ``base/page/2/`` … (the newest
        ``[pages] list_pages`` pages of them).

        ``records``: the listed records in list order, each with its version (one ordered stream: a page costs the
        same wherever it falls). A page whose records, number and count are unchanged is taken over; only the
        others read their records back.
        """
        pages, listed = self.list_size(total)
        stream = iter(records)

        def page_path(n: int) -> str:
            return base + (f"page/{n}/" if n > 1 else "")

        for n in range(1, pages + 1):
            chunk = list(islice(stream, PAGE_SIZE))
            path = page_path(n)
            mark = self.mark(path, template, b"".join(r.version for r in chunk), str(n), str(pages), str(total), str(listed),
                             *extra)
            if not self.take(path, mark):
                self.render_to(path, template, mark, records=[r.record() for r in chunk], page=n, pages=pages, total=total,
                               listed=listed, page_path=page_path, **context)

    def item_list(self, item: CatalogItem) -> None:
        """The list of ``item``'s records, newest first."""
        basis = self.basis(item)
        total = self.site.store.count(item.id)
        records = self.site.store.item_list(item.id, self.list_size(total)[1])
        self.paginated(f"items/{item.id}/", total, "item.html", records, [basis], item=item, basis=basis)

    def subject_marks(self) -> Iterator[tuple[str, str]]:
        """``(subject key, fingerprint)`` of every subject page, in key order."""
        bases = [self.basis(item) for item in self.site.catalogue.items]
        for key, versions in self.site.store.subject_versions():
            yield key, self.mark(f"subject/{key}/", "subject.html", versions, *bases)

    def subject_pages(self, keys: Sequence[tuple[str, str]]) -> None:
        """The subject pages of the given ``(subject key, fingerprint)`` pairs: identity, counts and timeline."""
        catalogue = self.site.catalogue
        identity_fields = catalogue[IDENTITY_ITEM].public_fields if IDENTITY_ITEM in catalogue.ids else ()
        bases = {item.id: self.basis(item) for item in catalogue.items}
        marks = dict(keys)
        for key, records in self.site.store.subjects_in(list(marks)):
            identity = next((r for r in records if r.item == IDENTITY_ITEM), None)
            timeline = [r for r in records if r.item != IDENTITY_ITEM]
            per_item = Counter(r.item for r in timeline)
            counts = [(i, per_item[i.id]) for i in catalogue.items if i.id in per_item]
            basis = [(i, bases[i.id]) for i, _ in counts]
            name = identity.subject_name if identity else records[0].subject_name
            former = identity.fields.get("former_names", "") if identity else ""  # 曾用名: searched like the name
            kind = identity.fields.get("subject_type", "") if identity else CATEGORIES.get(records[0].subject_category, "")
            self.render_to(
                f"subject/{key}/", "subject.html", marks[key], key=key, name=name, identity=identity,
                identity_fields=identity_fields, timeline=timeline,
                counts=counts, region=region_name(region_code(key)), terms=name_terms(name, former), kind=kind,
                latest=records[0].date, jsonld=self.subject_jsonld(key, name, identity),
                documents=" ".join(self.heading(r) for r in timeline), basis=basis,
            )

    def authority_pages(self) -> None:
        """An index of authorities and a paginated page of records per authority."""
        authorities = self.site.store.authorities()
        self.write("authority/", "authorities.html", authorities=authorities)
        for name, total in authorities:
            records = self.site.store.authority_list(name, self.list_size(total)[1])
            self.paginated(authority_path(name), total, "authority.html", records, [name], name=name)

    def subject_jsonld(self, key: str, name: str, identity: PublicRecord | None) -> dict[str, Any]:
        """schema.org description of a subject."""
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "Organization", "name": name,
            "url": self.site.canonical(f"subject/{key}/"),
            "identifier": {"@type": "PropertyValue", "propertyID": "统一社会信用代码", "value": key},
        }
        if identity:
            data |= {k: v for k, v in (("foundingDate", identity.fields.get("established")),
                                       ("address", identity.fields.get("address"))) if v}
        return data


def file_name(path: str) -> str:
    """The file of the site path ``path``: ``<path>index.html``, or ``path`` itself if it names a file."""
    return path if path.endswith(".html") else path + "index.html"


def record_path_of(item: str, record_id: str) -> str:
    """Site path of the page of the record ``record_id`` of ``item``."""
    return f"record/{item}/{record_id}/"


_renderers: list[Renderer] = []
"""In a worker process: its one renderer (one Jinja2 environment, templates compiled once), reused by every shard."""


def _shard_renderer(site: Site, out: Path) -> Renderer:
    """The worker's renderer for ``site``, with an empty list of written files."""
    if not _renderers or _renderers[0].site is not site or _renderers[0].out != out:
        _renderers[:] = [Renderer(site, out)]
    _renderers[0].written = []
    return _renderers[0]


def record_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the record pages of the shard's records of one item; the files written."""
    renderer = _shard_renderer(site, out)
    renderer.record_pages(site.catalogue[str(shard.item)], shard.keys)
    return renderer.files.drain()


def subject_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the subject pages of the shard's subjects; the files written."""
    renderer = _shard_renderer(site, out)
    renderer.subject_pages(shard.keys)
    return renderer.files.drain()
