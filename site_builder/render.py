"""Rendering: the HTML pages of the portal, from the published store, with Jinja2 (autoescape on).

Pages: home, one per subject (by 统一社会信用代码), one per record (stable URL
``record/<item>/<record_id>/``), paginated lists per catalogue item, content pages from
``content/*.md``, the data download page, the search page and 404.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markdown

from site_builder.catalogue import Catalogue
from site_builder.config import Config
from site_builder.identifiers import region_code
from site_builder.profiles import Policy
from site_builder.redaction import PublicRecord
from site_builder.store import PublishedStore

PAGE_SIZE = 50
NATURES = {"basic": "基本信息", "good": "良好信息", "adverse": "不良信息"}


@dataclass(frozen=True)
class ContentPage:
    """A Markdown page from ``content/``: ``slug`` from the file name, title from its first heading."""

    slug: str
    title: str
    html: str


@dataclass(frozen=True)
class Site:
    """Everything the output stages read: settings, catalogue, policy, as-of date, published records."""

    config: Config
    catalogue: Catalogue
    policy: Policy
    as_of: date
    store: PublishedStore

    def canonical(self, path: str) -> str:
        """Absolute URL of a site path."""
        return self.config.site.base_url + path


def record_path(record: PublicRecord) -> str:
    """Site path of a record page."""
    return f"record/{record.item}/{record.record_id}/"


def load_content(folder: Path) -> list[ContentPage]:
    """Read ``content/*.md`` in name order (a numeric prefix such as ``10-`` orders and is dropped)."""
    pages = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        slug = path.stem.split("-", 1)[1] if path.stem.split("-", 1)[0].isdigit() else path.stem
        title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), slug)
        pages.append(ContentPage(slug, title, markdown.markdown(text, extensions=["tables"])))
    return pages


class Renderer:
    """Writes pages into the staging folder."""

    def __init__(self, site: Site, out: Path) -> None:
        self.site, self.out = site, out
        self.content = load_content(site.config.paths.content)
        base_path = urlsplit(site.config.site.base_url).path or "/"
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(site.config.paths.templates),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.env.filters["next_day"] = lambda d: d + timedelta(days=1)
        self.env.globals.update(
            site=site.config.site, catalogue=site.catalogue, policy=site.policy, as_of=site.as_of,
            content_pages=self.content, natures=NATURES, url=lambda p: base_path + p,
            record_path=record_path, record_heading=self.heading,
        )

    def heading(self, record: PublicRecord) -> str:
        """A record's heading: its document number or title, else the item and date."""
        item = self.site.catalogue[record.item]
        for role in ("document_no", "document_title"):
            name = item.role(role)
            if name and record.fields.get(name):
                return record.fields[name]
        return f"{item.title} {record.date}"

    def write(self, path: str, template: str, **context: Any) -> None:
        """Render ``template`` to ``<path>index.html`` (or ``path`` itself if it names a file)."""
        target = self.out / (path if path.endswith(".html") else path + "index.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        html = self.env.get_template(template).render(canonical=self.site.canonical(path), **context)
        target.write_text(html, encoding="utf-8")

    def render_all(self) -> None:
        """Render every page of the site."""
        static = self.site.config.paths.templates / "static"
        if static.is_dir():
            shutil.copytree(static, self.out / "static")
        self.home()
        for item in self.site.catalogue.items:
            self.item_pages(item.id)
        self.subject_pages()
        for page in self.content:
            self.write(f"pages/{page.slug}/", "page.html", page=page)
        self.write("data/", "data.html", counts=self.counts())
        self.write("search/", "search.html")
        self.write("404.html", "404.html")

    def counts(self) -> list[tuple[Any, int]]:
        """Published records per catalogue item."""
        return [(item, self.site.store.count(item.id)) for item in self.site.catalogue.items]

    def home(self) -> None:
        """The home page: counts per item, the newest publications, a search box."""
        store = self.site.store
        self.write("", "home.html", counts=self.counts(), latest=store.latest(20), subject_count=store.subject_count())

    def item_pages(self, item_id: str) -> None:
        """Record pages of one item and its paginated list, newest first."""
        item, store = self.site.catalogue[item_id], self.site.store
        basis = self.site.policy.period(item.id, item.period).basis
        fields = item.public_fields
        authority = item.role("authority")
        for r in store.by_item(item_id):
            self.write(
                record_path(r), "record.html", r=r, item=item, fields=fields, heading=self.heading(r), basis=basis,
                region=region_code(r.subject_key) if r.subject_key else "",
                authority=r.fields.get(authority, "") if authority else "",
            )
        total = store.count(item_id)
        pages = max(1, -(-total // PAGE_SIZE))

        def page_path(n: int) -> str:
            return f"items/{item_id}/" + (f"page/{n}/" if n > 1 else "")

        for n in range(1, pages + 1):
            records = list(store.by_item(item_id, newest_first=True, limit=PAGE_SIZE, offset=(n - 1) * PAGE_SIZE))
            self.write(page_path(n), "item.html", item=item, records=records, page=n, pages=pages, total=total,
                       basis=basis, page_path=page_path)

    def subject_pages(self) -> None:
        """One page per subject, keyed by 统一社会信用代码, with its identity block and timeline."""
        catalogue = self.site.catalogue
        identity_item = catalogue["subject"] if "subject" in catalogue.ids else None
        for key, records in self.site.store.subjects():
            identity = next((r for r in records if r.item == "subject"), None)
            timeline = [r for r in records if r.item != "subject"]
            counts = [(i, n) for i in catalogue.items if i.id != "subject"
                      if (n := sum(1 for r in timeline if r.item == i.id))]
            name = identity.subject_name if identity else records[0].subject_name
            self.write(
                f"subject/{key}/", "subject.html", key=key, name=name, identity=identity,
                identity_fields=identity_item.public_fields if identity_item else (), timeline=timeline,
                counts=counts, region=region_code(key), trade_name="",
            )
