"""The pages of the portal (the output ``pages``): HTML from the published store, with Jinja2 (autoescape on).

Pages: home, one per subject (by 统一社会信用代码), one per record (stable URL
``record/<item>/<record_id>/``), paginated lists per catalogue item and per authority, content pages
from the layered ``content/`` folders, the data download page, search and 404; and the theme's static
files. The sitemap, feed and subject data files are their own outputs (``discovery.py``,
``subject_data.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from site_builder import progress
from site_builder.outputs import base, parallel
from site_builder.outputs.files import Written, fingerprint
from site_builder.outputs.search_terms import name_terms, region_name
from site_builder.outputs.site import Site, record_path
from site_builder.outputs.theme import (
    CATEGORIES,
    CONTENT_ATTRIBUTES,
    CONTENT_SCHEMES,
    CONTENT_TAGS,
    NATURES,
    ContentPage,
    authority_path,
    content_html,
    copy_static,
    environment,
    heading,
    load_content,
    render,
    template_error,
    template_uses,
)
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.identifiers import region_code
from site_builder.rules.redaction import PublicRecord

__all__ = ["CATEGORIES", "CONTENT_ATTRIBUTES", "CONTENT_SCHEMES", "CONTENT_TAGS", "NATURES", "ContentPage", "PagesOutput",
           "Renderer", "authority_path", "content_html", "load_content", "template_error"]

PAGE_SIZE = 50


class PagesOutput(base.Output):
    """Every HTML page of the portal and the theme's static files."""

    name = "pages"
    title = "HTML pages and static files"
    media_types = ("text/html", "text/css", "text/javascript", "image/svg+xml")
    order = base.PAGES

    def write(self, site: Site, out: Path) -> list[Path]:
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
        self.written: list[Path] = []

    def heading(self, record: PublicRecord) -> str:
        """A record's heading: its document number or title, else the item and date."""
        return heading(self.site, record)

    def write(self, path: str, template: str, **context: Any) -> None:
        """Render ``template`` to ``<path>index.html`` (or ``path`` itself if it names a file).

        A page whose template and values are those of the previous build's page is taken over unrendered.
        """
        name = path if path.endswith(".html") else path + "index.html"
        context["canonical"] = self.site.canonical(path)
        if template not in self.dated:
            self.dated[template] = template_uses(self.env, template, "as_of")
        values = context | {"as_of": self.site.as_of} if self.dated[template] else context
        mark = fingerprint(self.files.key, name, template, values)
        if not self.files.take(name, mark):
            self.files.write_text(name, render(self.env, template, path, **context), mark)
        self.written.append(self.out / name)
        progress.advance()

    def render_pages(self) -> list[Path]:
        """Copy the static files and render every page of the site; return the files written.

        On a large site the record and subject pages are rendered by worker processes (``parallel.py``),
        shard by shard, while this process writes the other pages; their files are taken in the same order.
        """
        self.written = copy_static(self.site, self.out)
        total = self.page_count()
        progress.expect(total)
        store = self.site.store
        with parallel.workers(self.site, self.out, total) as pool:
            records = {item.id: pool.submit(parallel.shards(store, record_shard, item.id)) for item in self.site.catalogue.items
                       } if pool else {}
            subjects = pool.submit(parallel.shards(store, subject_shard)) if pool else []
            self.home()
            for item in self.site.catalogue.items:
                if pool:
                    self.written += pool.collect(records[item.id])
                else:
                    self.record_pages(item)
                self.paginated(f"items/{item.id}/", store.count(item.id), "item.html",
                               store.by_item(item.id, newest_first=True), item=item,
                               basis=self.site.policy.period(item.id, item.period, self.site.as_of).basis)
            if pool:
                self.written += pool.collect(subjects)
            else:
                self.subject_pages()
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
        pages = store.count() + store.subject_count() + sum(max(1, -(-n // PAGE_SIZE)) for n in lists)
        return pages + len(self.content) + 4  # home, authority index, search and 404

    def counts(self) -> list[tuple[CatalogItem, int]]:
        """Published records per catalogue item."""
        return [(item, self.site.store.count(item.id)) for item in self.site.catalogue.items]

    def home(self) -> None:
        """The home page: counts per item, the newest publications, a search box."""
        store = self.site.store
        self.write("", "home.html", counts=self.counts(), latest=store.latest(20), subject_count=store.subject_count())

    def record_pages(self, item: CatalogItem, after: str | None = None, upto: str | None = None) -> None:
        """One page per published record of ``item`` (whose record id is in ``after < id <= upto``, if given)."""
        basis = self.site.policy.period(item.id, item.period, self.site.as_of).basis
        for r in self.site.store.by_item(item.id, after=after, upto=upto):
            natural = r.subject_category == "natural_person"
            self.write(
                record_path(r), "record.html", r=r, item=item, fields=item.public_fields, heading=self.heading(r),
                basis=basis, region=region_name(region_code(r.subject_key)) if r.subject_key else "",
                terms=name_terms(self.heading(r), r.subject_name if natural else ""),
                category=CATEGORIES.get(r.subject_category, ""),
            )

    def paginated(self, base: str, total: int, template: str, records: Iterable[PublicRecord], **context: Any) -> None:
        """A list of ``total`` records, read once in order, cut into pages of ``PAGE_SIZE``: ``base``, ``base/page/2/`` …

        ``records`` is one ordered stream (one query), so a page costs the same wherever it falls in the list.
        """
        pages = max(1, -(-total // PAGE_SIZE))
        stream = iter(records)

        def page_path(n: int) -> str:
            return base + (f"page/{n}/" if n > 1 else "")

        for n in range(1, pages + 1):
            self.write(page_path(n), template, records=list(islice(stream, PAGE_SIZE)), page=n, pages=pages, total=total,
                       page_path=page_path, **context)

    def subject_pages(self, after: str | None = None, upto: str | None = None) -> None:
        """One page per subject (whose key is in ``after < key <= upto``, if given), keyed by 统一社会信用代码,
        with identity, counts and timeline."""
        catalogue = self.site.catalogue
        identity_item = catalogue["subject"] if "subject" in catalogue.ids else None
        policy, as_of = self.site.policy, self.site.as_of
        bases = {item.id: policy.period(item.id, item.period, as_of).basis for item in catalogue.items}
        for key, records in self.site.store.subjects(after, upto):
            identity = next((r for r in records if r.item == "subject"), None)
            timeline = [r for r in records if r.item != "subject"]
            counts = [(i, n) for i in catalogue.items if i.id != "subject"
                      if (n := sum(1 for r in timeline if r.item == i.id))]
            basis = [(i, bases[i.id]) for i, _ in counts]
            name = identity.subject_name if identity else records[0].subject_name
            kind = identity.fields.get("subject_type", "") if identity else CATEGORIES.get(records[0].subject_category, "")
            self.write(
                f"subject/{key}/", "subject.html", key=key, name=name, identity=identity,
                identity_fields=identity_item.public_fields if identity_item else (), timeline=timeline,
                counts=counts, region=region_name(region_code(key)), terms=name_terms(name), kind=kind,
                latest=records[0].date, jsonld=self.subject_jsonld(key, name, identity),
                documents=" ".join(self.heading(r) for r in timeline), basis=basis,
            )

    def authority_pages(self) -> None:
        """An index of authorities and a paginated page of records per authority."""
        authorities = self.site.store.authorities()
        self.write("authority/", "authorities.html", authorities=authorities)
        for name, total in authorities:
            self.paginated(authority_path(name), total, "authority.html", self.site.store.by_authority(name), name=name)

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


_renderers: list[Renderer] = []
"""In a worker process: its one renderer (one Jinja2 environment, templates compiled once), reused by every shard."""


def _shard_renderer(site: Site, out: Path) -> Renderer:
    """The worker's renderer for ``site``, with an empty list of written files."""
    if not _renderers or _renderers[0].site is not site or _renderers[0].out != out:
        _renderers[:] = [Renderer(site, out)]
    _renderers[0].written = []
    return _renderers[0]


def record_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the record pages of one range of an item's record ids; the files written."""
    renderer = _shard_renderer(site, out)
    renderer.record_pages(site.catalogue[str(shard.item)], shard.after, shard.upto)
    return renderer.files.drain()


def subject_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the subject pages of one range of subject keys; the files written."""
    renderer = _shard_renderer(site, out)
    renderer.subject_pages(shard.after, shard.upto)
    return renderer.files.drain()
