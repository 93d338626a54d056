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
import html
import itertools
import re
import traceback
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
import jinja2.ext
import jinja2.meta
import jinja2.nodes
import jinja2.parser
import jinja2.runtime
import markdown
import nh3
import zxingcpp
from markupsafe import Markup, escape

from site_builder.config import THEME_DIR
from site_builder.exceptions import BuildError
from site_builder.outputs.codegen import ThemeCodeGenerator
from site_builder.outputs.site import Site, record_path
from site_builder.rules.catalogue import Catalogue
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
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*\Z", re.IGNORECASE)
"""A content page's address under ``pages/``: its file name less a numeric prefix, plain ASCII."""
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
        chosen |= {path.name: path for path in (folder.iterdir() if folder.is_dir() else ())
                   if path.suffix.lower() == ".md" and not path.name.startswith(".") and path.is_file()}  # 20-x.MD too
    pages = []
    claimed: dict[str, Path] = {}
    for _, path in sorted(chosen.items()):
        try:
            text = path.read_text(encoding="utf-8-sig")  # Notepad's byte-order mark is no part of the first heading
        except UnicodeDecodeError as exc:
            raise BuildError(f"Content page '{path}': not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
        prefix, _, rest = path.stem.partition("-")
        slug = rest if prefix.isdigit() and rest else path.stem
        if not _SLUG.match(slug):
            raise BuildError(f"Content page '{path}': its name gives the address pages/{slug}/, which may hold only "
                             "letters a-z, digits, '-' and '_' (starting with a letter or digit); rename the file")
        if slug.lower() in claimed:  # lower: one folder on a host that ignores case
            raise BuildError(f"Content pages '{claimed[slug.lower()]}' and '{path}' have the same address "
                             f"pages/{slug}/: rename one (a numeric prefix such as 10- is not part of the address)")
        claimed[slug.lower()] = path
        if text.lstrip().startswith(("---\n", "---\r\n")):
            raise BuildError(f"Content page '{path}': starts with a '---' block (front matter), which is not read and "
                             "would be published as text; remove it (the page's title is its first '# ' heading)")
        if (depth := _nesting(text)) > MAX_NESTING:
            raise BuildError(f"Content page '{path}': nested {depth} levels deep (indented lists or '>' quotes), more "
                             f"than the {MAX_NESTING} a page may have; Markdown takes time that grows with the depth, and "
                             "fails at some hundreds of levels")
        heading = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), "")
        try:
            title = " ".join(html.unescape(nh3.clean(markdown.markdown(heading), tags=set())).split())  # text, as the <h1>
            pages.append(ContentPage(slug, title or slug, content_html(text)))
        except RecursionError as exc:  # nesting of another kind than _nesting counts
            raise BuildError(f"Content page '{path}': nested too deeply for Markdown to read; simplify it") from exc
    return pages


MAX_NESTING = 32
"""Levels of nesting (indented list items, ``>`` quotes) a content page may have: far more than a page needs, far fewer
than the few hundred at which Markdown's parser recurses too deep (or, before that, takes minutes)."""


def _nesting(text: str) -> int:
    """How deep a page's deepest line is nested: its ``>`` markers, and for a list item its indentation in steps of two
    columns. What nests in Markdown is lists and quotes: a blank line of spaces, an indented code block or the lines of
    a fenced one are not counted (their indentation is text)."""
    deepest, fenced = 0, False
    for line in text.splitlines():
        stripped = line.lstrip(" \t>")
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not stripped:
            continue
        lead = line[:len(line) - len(stripped)]
        indent = len(lead.replace(">", "").expandtabs(4)) // 2 if _LIST_ITEM.match(stripped) else 0
        deepest = max(deepest, lead.count(">") + indent)
    return deepest


_LIST_ITEM = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|$)")
"""A line that opens a list item (``- x``, ``1. x``, ``2) x``), after its indentation."""


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
    own = "" if not Path(where).is_absolute() or Path(where).resolve().is_relative_to(THEME_DIR.resolve()) else (
        f" (the site's own template replaces the packaged {Path(where).name}: after an upgrade, update it from the "
        f"packaged theme, {THEME_DIR / Path(where).name}, or remove it to use the packaged one)")
    return f"Error building page '{page or '/'}': template '{where}'{f' line {line}' if line else ''}: {message}{own}"


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
    parser = jinja2.Environment(extensions=[type(e) for e in env.extensions.values()])  # ``env`` would hide its globals:
    parser.filters, parser.tests = env.filters, env.tests                             # Jinja2 leaves those out
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


def qr_svg(url: str, label: str = "二维码") -> Markup:
    """A QR code of ``url`` as inline SVG (the same bytes for the same URL), labelled for screen readers.

    The code is zxing-cpp's (error correction level M, never a Micro QR code, which few phone readers decode; the
    encoder picks the data mask): compiled, 0.24 ms a code where segno, pure Python, took 0.66 ms even with its mask
    fixed (the code was four fifths of a subject page's rendering time). The SVG draws the module matrix with a
    quiet zone of four modules, :data:`QR_SCALE` pixels a module, one path (:func:`qr_path`).
    """
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]  # a buffer; its stubs do not say so
    modules = image.shape[1] if image.shape else 0
    dark = bytes(image).translate(_DARK)
    size = (modules + 2 * QR_BORDER) * QR_SCALE
    return Markup(f'<svg role="img" aria-label="{escape(label)!s}" width="{size}" height="{size}" class="qr">'
                  f'<title>{xml_escape(label)}</title><path transform="scale({QR_SCALE})" stroke="#000" '
                  f'd="{qr_path([dark[row:row + modules] for row in range(0, len(dark), modules)], QR_BORDER)}"/></svg>')


QR_BORDER = 4
"""The quiet zone around a QR code, in modules (ISO/IEC 18004 asks for four)."""
_DARK = bytes([1] + [0] * 255)
"""``bytes.translate`` table: zxing-cpp's image (0 dark, 255 light) as a module matrix (1 dark, 0 light)."""
QR_SCALE = 2
"""Pixels a module of the subject page's QR code."""
_RUN = re.compile(rb"[\x00\n]*[^\x00\n]+")
"""In a code's rows joined by newlines: the light modules (and row ends) before a run of dark modules, and the run."""
_MOVES: dict[int, _Moves] = {}
"""The path commands of each such piece, by matrix width (:class:`_Moves`)."""


def qr_path(matrix: Sequence[bytes | bytearray], border: int) -> str:
    """The SVG path data of ``matrix`` (rows of modules, 0 light) in a quiet zone of ``border`` modules, drawn as
    segno's SVG writer draws it: one horizontal line per run of dark modules, on the middle of its row (a stroke one module wide),
    the first an absolute move, every other relative to the end of the line before (``m-2 1h7`` for the next row).
    """
    width = len(matrix[0]) if matrix else 0
    runs = _RUN.findall(b"\n".join(matrix))
    if not runs:
        return ""
    first = runs[0]
    dark = len(first.lstrip(b"\x00\n"))
    light = first[:len(first) - dark]
    row = light.count(b"\n")
    start = len(light) - light.rindex(b"\n") - 1 if row else len(light)
    moves = _MOVES.get(width) or _MOVES.setdefault(width, _Moves(width))
    return f"M{border + start} {border + row + .5}h{dark}" + "".join(map(moves.__getitem__, itertools.islice(runs, 1, None)))


class _Moves(dict[bytes, str]):
    """The path commands of each piece of :data:`_RUN` in a matrix ``width`` modules wide (a few hundred a code size),
    made when first met: a code's few hundred pieces are then looked up without a Python call each (a third of the
    time of a code's path)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width

    def __missing__(self, run: bytes) -> str:
        move = self[run] = _move(self.width, run)
        return move


def _move(width: int, run: bytes) -> str:
    """The path commands of one piece of :data:`_RUN` in a matrix ``width`` modules wide."""
    dark = len(run.lstrip(b"\x00\n"))
    light = run[:len(run) - dark]
    rows = light.count(b"\n")
    if rows:  # from the end of the previous row's last line to the start of this one
        left, right = len(light) - light.rindex(b"\n") - 1, width - light.index(b"\n")
        return f"m{left - right} {rows}h{dark}"
    return f"m{len(light)} 0h{dark}"


class SitewideExtension(jinja2.ext.Extension):
    """``{% sitewide %}…{% endsitewide %}``: a part of a template that is the same on every page of the site,
    rendered on its first page and reused on all the others (in each process: a worker has its own environment).

    Its content must read only globals (``site``, ``catalogue``, ``url``, ``written``, …): what the page's own
    variables would give on the first page would show on every page. ``base.html`` keeps its header, navigation
    and footer in such blocks: they were half of a record page's rendering time.
    """

    tags = {"sitewide"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.rendered: dict[int, Markup] = {}
        self._ids = itertools.count()

    def parse(self, parser: jinja2.parser.Parser) -> jinja2.nodes.Node:
        """``{% if key in rendered %}{{ rendered[key] }}{% else %}{% call keep(key) %}…{% endcall %}{% endif %}``:
        a page after the first costs a dictionary look-up, not a call through the template's context (which costs
        as much as rendering a few lines)."""
        nodes = jinja2.nodes
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endsitewide",), drop_needle=True)
        key = nodes.Const(next(self._ids))
        rendered = self.attr("rendered", lineno=lineno)
        return nodes.If(
            nodes.Compare(key, [nodes.Operand("in", rendered)]), [nodes.Output([nodes.Getitem(rendered, key, "load")])], [],
            [nodes.CallBlock(self.call_method("_keep", [key]), [], [], body)],
        ).set_lineno(lineno)

    def _keep(self, key: int, caller: Callable[[], str]) -> Markup:
        done = self.rendered[key] = Markup(caller())
        return done


def heading(site: Site, record: PublicRecord) -> str:
    """A record's heading: its document number or title; a registration record's, its subject's name; else the item
    and date."""
    global _last_headings
    if _last_headings is None or _last_headings[0] is not site.catalogue:
        _last_headings = (site.catalogue, Headings(site.catalogue))
    return _last_headings[1](record)


_last_headings: tuple[Catalogue, Headings] | None = None
"""The catalogue :func:`heading` was last called with, and its :class:`Headings`."""


class Headings:
    """:func:`heading` of many records, each catalogue item's heading fields looked up once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.items = {item.id: ([name for role in ("document_no", "document_title") if (name := item.role(role))],
                                item.title, item.klass == "registration") for item in catalogue.items}

    def __call__(self, record: PublicRecord) -> str:
        """The heading of ``record``: its document number or title; a registration record's (登记信息, which has
        neither), its subject's name, as its list, its page and search show it; else the item and date."""
        names, title, registration = self.items[record.item]
        for name in names:
            if value := record.fields.get(name):
                return value
        if registration and record.subject_name:
            return record.subject_name
        return f"{title} {record.date}"


def loader(folders: Sequence[Path]) -> jinja2.BaseLoader:
    """Templates from ``folders`` in order, and the packaged theme's under ``!name`` as well."""
    packaged = jinja2.PrefixLoader({"": jinja2.FileSystemLoader(THEME_DIR)}, delimiter=PACKAGED_PREFIX)
    return jinja2.ChoiceLoader([*(jinja2.FileSystemLoader(folder) for folder in folders), packaged])


class ThemeContext(jinja2.runtime.Context):
    """The context of a page: calls the theme's own functions (``url``, ``record_path`` …) directly.

    Jinja2 looks at every callable a template calls for a ``pass_context``-style marker, through attribute
    look-ups that fail (and raise) for a plain function: a call cost ten times the function it called.
    """

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja2's signature)
        """Call ``__obj``: directly if it is one of :attr:`ThemeEnvironment.plain_functions`, else as Jinja2 does."""
        environment = __self.environment
        if isinstance(environment, ThemeEnvironment) and id(__obj) in environment.plain_functions:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            return __obj(*args, **kwargs)
        return super().call(__obj, *args, **kwargs)


class ThemeEnvironment(jinja2.Environment):
    """The theme's Jinja2 environment: its globals are set once, before any template is loaded, and its templates
    never change during a build (``auto_reload`` off)."""

    context_class = ThemeContext
    code_generator_class = ThemeCodeGenerator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loaded: dict[str, jinja2.Template] = {}
        self.plain_functions: dict[int, object] = {}
        """The globals that are plain functions (no ``pass_context`` or the like), by id: called directly."""

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """The template ``name``, loaded once (Jinja2's cache takes a lock and reorders itself on every page, for
        the page's template, the one it extends and each it includes)."""
        if not isinstance(name, str) or globals is not None:
            return super().get_template(name, parent, globals)
        if parent is not None:
            name = self.join_path(name, parent)
        found = self.loaded.get(name)
        if found is None:
            found = self.loaded[name] = super().get_template(name)
        return found

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dictionary (Jinja2 makes a ``ChainMap`` over the environment's, which it
        copies key by key into the context of every page rendered)."""
        return {**self.globals, **(d or {})}


LONG_TERM = "长期公示"
WHILE_LISTED = "列入严重失信主体名单期间公示"


class OpenEnds:
    """What a page says of a record with no last public day (``open_end(r)``): 长期公示, or, for an item whose period
    would end but goes on while its subject is listed (:meth:`Site.extends_while_listed`), 列入严重失信主体名单期间公示:
    a five-year-old judgment shown as 长期公示 let the public infer a listing, and a permanent publication."""

    def __init__(self, site: Site) -> None:
        self.extended = frozenset(item.id for item in site.catalogue.items if site.extends_while_listed(item.id))

    def __call__(self, record: PublicRecord, short: bool = False) -> str:
        """The words for ``record``; ``short``: for a table's cell (长期, 列入名单期间)."""
        if record.item in self.extended:
            return "列入名单期间" if short else WHILE_LISTED
        return "长期" if short else LONG_TERM


def environment(site: Site, content: list[ContentPage] | None = None) -> jinja2.Environment:
    """The Jinja2 environment of the site's theme (autoescape, strict undefined) with its documented globals."""
    base_path = urlsplit(site.config.site.base_url).path or "/"
    env = ThemeEnvironment(
        loader=loader(site.config.template_dirs), extensions=[SitewideExtension],
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,  # a build reads each template once: no stat of its file on every page
    )
    # ``tojson`` (JSON-LD) writes Chinese as it is, not as \uXXXX escapes: what a page says is then in its bytes as
    # people read it (and as the leak scan reads it first), and the page is shorter. ``<``, ``>``, ``&`` and ``'`` are
    # still escaped (Jinja2's htmlsafe_json_dumps), so the JSON cannot end its script element.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["next_day"] = lambda d: d + timedelta(days=1)
    env.filters["qr_svg"] = qr_svg
    env.globals.update(
        site=site.config.site, catalogue=site.catalogue, policy=site.policy, as_of=site.as_of,
        content_pages=load_content(site.config.content_dirs) if content is None else content,
        natures=NATURES, categories=CATEGORIES, url=lambda p: base_path + p,
        record_path=record_path, authority_path=authority_path, record_heading=Headings(site.catalogue),
        index_records=site.config.search.index_records, written=site.writes, list_item=LIST_ITEM,
        open_end=OpenEnds(site),
    )
    env.plain_functions = {id(env.globals[name]): env.globals[name] for name in PLAIN_FUNCTIONS}
    return env


PLAIN_FUNCTIONS = ("url", "record_path", "authority_path", "record_heading", "written", "open_end")
"""The globals that are plain functions of their arguments (see :class:`ThemeContext`)."""


def copy_static(site: Site, out: Path) -> list[Path]:
    """Copy each template folder's ``static/`` into ``out/static`` (a later folder's file replaces the packaged
    theme's of the same name) through the build's file index; return the files."""
    files: dict[str, Path] = {}
    for folder in reversed(site.config.template_dirs):
        static = folder / "static"
        if static.is_dir():
            files |= {p.relative_to(static).as_posix(): p for p in static.rglob("*") if p.is_file()}
    index = site.index(out)
    return [index.write(f"static/{name}", files[name].read_bytes()) for name in sorted(files)]
