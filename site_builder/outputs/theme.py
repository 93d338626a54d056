"""The theme as the outputs use it: the layered Jinja2 environment, static files and content pages.

Templates are searched in :attr:`Config.template_dirs` order (the site's ``templates/`` before the
packaged theme, as MkDocs' ``custom_dir``); a site template may extend the packaged template of the
same name as ``"!record.html"`` (Sphinx's convention). Static files are copied layer by layer, the
packaged theme's first, so a site's ``templates/static/`` file replaces the packaged one. Content
pages are the packaged pages plus the site's, a site page replacing a packaged page of the same
file name. The globals every template may rely on are documented in ``docs/themes.md`` (a test
checks it).
"""

from __future__ import annotations

import hashlib
import shutil
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import jinja2.meta
import markdown
import nh3
import segno
from markupsafe import Markup, escape

from site_builder.config import THEME_DIR
from site_builder.exceptions import BuildError
from site_builder.outputs.site import Site, record_path
from site_builder.rules.periods import LIST_ITEM
from site_builder.rules.redaction import PublicRecord

NATURES = {"basic": "基本信息", "good": "良好信息", "adverse": "不良信息"}
CATEGORIES = {"legal_person": "法人及非法人组织", "natural_person": "自然人", "individual_business": "个体工商户"}
PACKAGED_PREFIX = "!"
"""``{% extends "!record.html" %}`` names the packaged theme's template, whatever the site overrides."""

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


def load_content(folders: Path | Sequence[Path]) -> list[ContentPage]:
    """Read ``*.md`` of every folder in file-name order (a numeric prefix such as ``10-`` orders and is dropped).

    With several folders (the site's first), a file replaces the later folders' file of the same name.
    """
    chosen: dict[str, Path] = {}
    for folder in reversed([folders] if isinstance(folders, Path) else list(folders)):
        chosen |= {path.name: path for path in (folder.glob("*.md") if folder.is_dir() else ())}
    pages = []
    for _, path in sorted(chosen.items()):
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


def render(env: jinja2.Environment, template: str, site_path: str, /, **context: object) -> str:
    """Render ``template`` for ``site_path``; a template error becomes a one-line :class:`BuildError`."""
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        raise BuildError(template_error(exc, template, site_path)) from exc


def template_uses(env: jinja2.Environment, template: str, name: str) -> bool:
    """Whether ``template``, or a template it extends, includes or imports, reads the variable or global ``name``.

    A template named by an expression (not a constant) counts as reading it.
    """
    parser = jinja2.Environment()  # ``env`` would hide its globals: Jinja2 leaves those out of undeclared variables
    parser.filters, parser.tests = env.filters, env.tests
    seen: set[str] = set()
    todo = [template]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            assert env.loader is not None
            tree = parser.parse(env.loader.get_source(env, current)[0])
            if name in jinja2.meta.find_undeclared_variables(tree):
                return True
        except jinja2.TemplateError:  # rendering reports it
            return True
        for referenced in jinja2.meta.find_referenced_templates(tree):
            if referenced is None:
                return True
            todo.append(referenced)
    return False


QR_MASK = 0
"""The QR code data mask pattern (ISO/IEC 18004 §7.8.2) of every subject page's code."""


def qr_svg(url: str, label: str = "二维码") -> Markup:
    """A QR code of ``url`` as inline SVG (segno; the same bytes for the same URL), labelled for screen readers.

    The data mask is fixed (:data:`QR_MASK`): choosing the best of eight, as segno does by default, scores each
    in pure Python and made a subject page five times slower to render (7 ms against 1.4 ms a code); any mask
    gives a valid symbol that every reader decodes.
    """
    code = segno.make(url, error="m", mask=QR_MASK)
    svg = code.svg_inline(scale=2, title=label, svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)!s}" ', 1))


def heading(site: Site, record: PublicRecord) -> str:
    """A record's heading: its document number or title, else the item and date."""
    item = site.catalogue[record.item]
    for role in ("document_no", "document_title"):
        name = item.role(role)
        if name and record.fields.get(name):
            return record.fields[name]
    return f"{item.title} {record.date}"


def loader(folders: Sequence[Path]) -> jinja2.BaseLoader:
    """Templates from ``folders`` in order, and the packaged theme's under ``!name`` as well."""
    packaged = jinja2.PrefixLoader({"": jinja2.FileSystemLoader(THEME_DIR)}, delimiter=PACKAGED_PREFIX)
    return jinja2.ChoiceLoader([*(jinja2.FileSystemLoader(folder) for folder in folders), packaged])


def environment(site: Site, content: list[ContentPage] | None = None) -> jinja2.Environment:
    """The Jinja2 environment of the site's theme (autoescape, strict undefined) with its documented globals."""
    base_path = urlsplit(site.config.site.base_url).path or "/"
    env = jinja2.Environment(
        loader=loader(site.config.template_dirs),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["next_day"] = lambda d: d + timedelta(days=1)
    env.filters["qr_svg"] = qr_svg
    env.globals.update(
        site=site.config.site, catalogue=site.catalogue, policy=site.policy, as_of=site.as_of,
        content_pages=load_content(site.config.content_dirs) if content is None else content,
        natures=NATURES, categories=CATEGORIES, url=lambda p: base_path + p,
        record_path=record_path, authority_path=authority_path, record_heading=lambda r: heading(site, r),
        index_records=site.config.search.index_records, written=site.writes, list_item=LIST_ITEM,
    )
    return env


def copy_static(site: Site, out: Path) -> list[Path]:
    """Copy each template folder's ``static/`` into ``out/static``, the packaged theme's first; return the files."""
    target = out / "static"
    for folder in reversed(site.config.template_dirs):
        if (folder / "static").is_dir():
            shutil.copytree(folder / "static", target, dirs_exist_ok=True)
    return sorted(p for p in target.rglob("*") if p.is_file())
