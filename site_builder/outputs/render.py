"""Rendering: the HTML pages of the portal, from the published store, with Jinja2 (autoescape on).

Pages: home, one per subject (by 统一社会信用代码, with its data as JSON and CSV), one per record
(stable URL ``record/<item>/<record_id>/``), paginated lists per catalogue item and per
authority, content pages from ``content/*.md``, the data download page, search and 404.
Every HTML page is also listed in the sitemap (see ``discovery.py``).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markdown
import nh3
from markupsafe import Markup

from site_builder.exceptions import BuildError
from site_builder.outputs.datapackage import safe_cell
from site_builder.outputs.discovery import Sitemap, write_feed, write_robots
from site_builder.outputs.search_terms import name_terms, region_name
from site_builder.outputs.site import Site, record_path
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.identifiers import region_code
from site_builder.rules.redaction import PublicRecord

PAGE_SIZE = 50
NATURES = {"basic": "基本信息", "good": "良好信息", "adverse": "不良信息"}
CATEGORIES = {"legal_person": "法人及非法人组织", "natural_person": "自然人", "individual_business": "个体工商户"}


CONTENT_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "a", "em", "strong", "code", "pre", "blockquote", "br", "hr",
})
"""HTML a content page may contain (its Markdown output and any raw HTML in it): everything else is removed."""
CONTENT_ATTRIBUTES = {"a": {"href"}}
CONTENT_SCHEMES = frozenset({"http", "https", "mailto"})
"""Link schemes kept in content pages (relative links are kept too); ``javascript:`` and the rest are dropped."""
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea"})


@dataclass(frozen=True)
class ContentPage:
    """A Markdown page from ``content/``: ``slug`` from the file name, title from its first heading.

    ``html`` is the rendered Markdown after the allow-list sanitiser (:func:`content_html`), marked safe.
    """

    slug: str
    title: str
    html: Markup


def authority_path(name: str) -> str:
    """Site path of an authority's page: a stable hash of its name (names are not safe file names)."""
    return f"authority/{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}/"


def load_content(folder: Path) -> list[ContentPage]:
    """Read ``content/*.md`` in name order (a numeric prefix such as ``10-`` orders and is dropped)."""
    pages = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise BuildError(f"Content page '{path}': not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
        prefix, _, rest = path.stem.partition("-")
        slug = rest if prefix.isdigit() and rest else path.stem
        title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), slug)
        pages.append(ContentPage(slug, title, content_html(text)))
    return pages


def content_html(text: str) -> Markup:
    """Markdown as HTML for a page: rendered, then sanitised by nh3 against an allow-list, then marked safe.

    Raw HTML in the Markdown passes the same allow-list (``CONTENT_TAGS``): no script, style, iframe,
    event-handler or style attribute survives, and links keep only http, https, mailto or relative
    targets. The Content-Security-Policy is the only other guard, so nothing is marked safe unsanitised.
    """
    html = markdown.markdown(text, extensions=["tables"])
    return Markup(nh3.clean(
        html, tags=set(CONTENT_TAGS), clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in CONTENT_ATTRIBUTES.items()},
        url_schemes=set(CONTENT_SCHEMES), link_rel="noopener noreferrer",
    ))


def template_error(exc: jinja2.TemplateError, template: str, page: str) -> str:
    """One line naming the template file (and line) that failed, for a :class:`BuildError`."""
    if isinstance(exc, jinja2.TemplateNotFound):
        wanted = f" (used by '{template}')" if exc.name != template else ""
        return f"Error building page '{page or '/'}': template '{exc.name}' not found{wanted}"
    where = getattr(exc, "filename", None) or template
    line = getattr(exc, "lineno", None)
    if line is None:  # a rendering error: jinja2 puts the template's line into the traceback
        frames = traceback.extract_tb(exc.__traceback__)
        frame = next((f for f in reversed(frames) if not f.filename.endswith(".py") and f.filename != "<template>"), None)
        where, line = (frame.filename, frame.lineno) if frame else (where, None)
    message = str(exc.message or type(exc).__name__).splitlines()[0]
    return f"Error building page '{page or '/'}': template '{where}'{f' line {line}' if line else ''}: {message}"


class Renderer:
    """Writes the pages of the site into the staging folder."""

    def __init__(self, site: Site, out: Path) -> None:
        self.site, self.out = site, out
        self.content = load_content(site.config.paths.content)
        self.sitemap = Sitemap(out, site.config.site.base_url)
        base_path = urlsplit(site.config.site.base_url).path or "/"
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(site.config.paths.templates),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.env.filters["next_day"] = lambda d: d + timedelta(days=1)
        self.env.globals.update(
            site=site.config.site, catalogue=site.catalogue, policy=site.policy, as_of=site.as_of,
            content_pages=self.content, natures=NATURES, categories=CATEGORIES, url=lambda p: base_path + p,
            record_path=record_path, authority_path=authority_path, record_heading=self.heading,
            index_records=site.config.search.index_records,
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
        try:
            html = self.env.get_template(template).render(canonical=self.site.canonical(path), **context)
        except jinja2.TemplateError as exc:
            raise BuildError(template_error(exc, template, path)) from exc
        target.write_text(html, encoding="utf-8")
        if path not in ("404.html", "search/"):
            self.sitemap.add(path)

    def render_all(self) -> None:
        """Render every page of the site, then the sitemap, feed and robots.txt."""
        static = self.site.config.paths.templates / "static"
        if static.is_dir():
            shutil.copytree(static, self.out / "static")
        self.home()
        for item in self.site.catalogue.items:
            self.record_pages(item)
            self.paginated(f"items/{item.id}/", self.site.store.count(item.id), "item.html",
                           functools.partial(self.site.store.newest, item.id), item=item,
                           basis=self.site.policy.period(item.id, item.period, self.site.as_of).basis)
        self.subject_pages()
        self.authority_pages()
        for page in self.content:
            self.write(f"pages/{page.slug}/", "page.html", page=page)
        self.write("data/", "data.html", counts=self.counts(), jsonld=self.dataset_jsonld())
        self.write("search/", "search.html")
        self.write("404.html", "404.html")
        self.sitemap.close()
        write_robots(self.out, self.site.config.site.base_url)
        write_feed(self.out, self.env, self.site, self.site.store.latest(50), self.heading)

    def counts(self) -> list[tuple[CatalogItem, int]]:
        """Published records per catalogue item."""
        return [(item, self.site.store.count(item.id)) for item in self.site.catalogue.items]

    def home(self) -> None:
        """The home page: counts per item, the newest publications, a search box."""
        store = self.site.store
        self.write("", "home.html", counts=self.counts(), latest=store.latest(20), subject_count=store.subject_count())

    def record_pages(self, item: CatalogItem) -> None:
        """One page per published record of ``item``."""
        basis = self.site.policy.period(item.id, item.period, self.site.as_of).basis
        for r in self.site.store.by_item(item.id):
            natural = r.subject_category == "natural_person"
            self.write(
                record_path(r), "record.html", r=r, item=item, fields=item.public_fields, heading=self.heading(r),
                basis=basis, region=region_name(region_code(r.subject_key)) if r.subject_key else "",
                terms=name_terms(self.heading(r), r.subject_name if natural else ""),
                category=CATEGORIES.get(r.subject_category, ""),
            )

    def paginated(self, base: str, total: int, template: str, fetch: Callable[[int, int], list[PublicRecord]],
                  **context: Any) -> None:
        """A list of records split into pages of ``PAGE_SIZE``: ``base``, ``base/page/2/`` …"""
        pages = max(1, -(-total // PAGE_SIZE))

        def page_path(n: int) -> str:
            return base + (f"page/{n}/" if n > 1 else "")

        for n in range(1, pages + 1):
            records = fetch(PAGE_SIZE, (n - 1) * PAGE_SIZE)
            self.write(page_path(n), template, records=records, page=n, pages=pages, total=total,
                       page_path=page_path, **context)

    def subject_pages(self) -> None:
        """One page per subject, keyed by 统一社会信用代码, with identity, counts, timeline and data files."""
        catalogue = self.site.catalogue
        identity_item = catalogue["subject"] if "subject" in catalogue.ids else None
        for key, records in self.site.store.subjects():
            identity = next((r for r in records if r.item == "subject"), None)
            timeline = [r for r in records if r.item != "subject"]
            counts = [(i, n) for i in catalogue.items if i.id != "subject"
                      if (n := sum(1 for r in timeline if r.item == i.id))]
            name = identity.subject_name if identity else records[0].subject_name
            kind = identity.fields.get("subject_type", "") if identity else CATEGORIES.get(records[0].subject_category, "")
            self.write(
                f"subject/{key}/", "subject.html", key=key, name=name, identity=identity,
                identity_fields=identity_item.public_fields if identity_item else (), timeline=timeline,
                counts=counts, region=region_name(region_code(key)), terms=name_terms(name), kind=kind,
                latest=records[0].date, jsonld=self.subject_jsonld(key, name, identity),
                documents=" ".join(self.heading(r) for r in timeline),
            )
            self.subject_data(key, name, records)

    def subject_data(self, key: str, name: str, records: list[PublicRecord]) -> None:
        """``subject/<code>/data.json`` and ``data.csv``: the subject's published records."""
        folder = self.out / "subject" / key
        rows = [{"item": r.item, "item_title": self.site.catalogue[r.item].title, "record_id": r.record_id,
                 "heading": self.heading(r), "date": r.date.isoformat(),
                 "until": r.until.isoformat() if r.until else None, "authority": r.authority,
                 "url": self.site.canonical(record_path(r)), "fields": r.fields} for r in records]
        data = {"uscc": key, "name": name, "as_of": self.site.as_of.isoformat(), "records": rows}
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        columns = ["item", "item_title", "record_id", "heading", "date", "until", "authority", "url"]
        writer.writerow(columns)
        for row in rows:  # every text cell through the one CSV escaping; dates are ISO dates
            writer.writerow(["" if row[c] is None else str(row[c]) if c in ("date", "until") else safe_cell(str(row[c]))
                             for c in columns])
        (folder / "data.csv").write_text(buffer.getvalue(), encoding="utf-8-sig")

    def authority_pages(self) -> None:
        """An index of authorities and a paginated page of records per authority."""
        authorities = self.site.store.authorities()
        self.write("authority/", "authorities.html", authorities=authorities)
        for name, total in authorities:
            self.paginated(authority_path(name), total, "authority.html",
                           functools.partial(self.site.store.by_authority, name), name=name)

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

    def dataset_jsonld(self) -> dict[str, Any]:
        """schema.org description of the open data set."""
        settings = self.site.config.site
        return {
            "@context": "https://schema.org", "@type": "Dataset", "name": settings.title + " 开放数据",
            "description": f"{settings.centre}公示的公共信用信息，数据截至 {self.site.as_of}。",
            "url": self.site.canonical("data/"), "license": settings.licence, "inLanguage": "zh-CN",
            "dateModified": self.site.as_of.isoformat(),
            "creator": {"@type": "GovernmentOrganization", "name": settings.centre},
            "distribution": [{"@type": "DataDownload", "encodingFormat": "text/csv", "name": item.title,
                              "contentUrl": self.site.canonical(f"data/{item.id}.csv")} for item in self.site.catalogue.items],
        }
