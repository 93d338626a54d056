"""Rendering pages fast with the same bytes: the QR code's SVG, the theme's sitewide blocks, its Jinja2 environment.

The golden site (``test_golden.py``) pins the pages byte for byte; these tests pin what makes them fast: that each
shortcut gives what the slow way gives.
"""

from __future__ import annotations

import html
import random
import re
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import pytest
import zxingcpp
from conftest import CATALOGUE, PROFILES_DIR, ROOT, THEME_DIR
from markupsafe import Markup, escape

from site_builder.config import load_config
from site_builder.outputs.codegen import escape_output
from site_builder.outputs.site import Site
from site_builder.outputs.theme import Headings, SitewideExtension, environment, heading, qr_path, qr_svg
from site_builder.rules.profiles import load_profile
from site_builder.rules.redaction import PublicRecord
from site_builder.store.published import PublishedStore

LABEL = "本主体信用档案永久链接的二维码"


def urls() -> list[str]:
    """Subject page URLs as sites have them, and longer URLs, up to a version 40 code."""
    rng = random.Random(13)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    subjects = [f"https://credit.example.gov.cn/subject/91{''.join(rng.choices(alphabet, k=16))}/" for _ in range(200)]
    return subjects + [f"https://x.example/{'ab' * n}" for n in range(0, 1150, 71)] + ["https://x.example/页面/"]


@pytest.mark.parametrize("label", [LABEL, 'a <b> & "c"'])
def test_the_qr_code_svg_draws_every_module_of_the_code(label: str) -> None:
    """The SVG's path, drawn module by module, is the encoder's own image of the code with its quiet zone; the SVG's
    size is that image's at two pixels a module, and it carries its label escaped."""
    for url in urls():
        svg = str(qr_svg(url, label))
        image = memoryview(zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image())  # type: ignore[arg-type]
        pixels, size = raster(svg)
        assert (size, size) == image.shape and pixels == bytes(image), url
        assert svg.startswith(f'<svg role="img" aria-label="{escape(label)!s}" width="{2 * size}" height="{2 * size}" class="qr">'
                              f"<title>{html.escape(label, quote=False)}</title>"), svg[:200]


def test_escape_output_gives_markupsafes_text() -> None:
    """The compiled templates' escaping (codegen.escape_output) gives what markupsafe.escape gives, as plain text."""
    for value in ["<a href='x'>&\"", "平安 & 顺", 3, 1.5, date(2026, 1, 2), Markup("<b>x</b>"), None, ""]:
        assert escape_output(value) == str(escape(value)) and type(escape_output(value)) in (str, Markup)


def test_a_run_of_output_renders_as_jinja2_renders_it(site: Site) -> None:
    """The theme's code generator (one piece per run of output, escape_output) renders what Jinja2's own does, errors
    named at the same template line."""
    source = ("{% for x in xs %}<li title=\"{{ x }}\">{{ x | upper }} · {{ n }}</li>{% if loop.last %}{{ tail }}{% endif %}"
              "{% endfor %}{% set b %}<{{ n }}>{% endset %}{{ b }}{% filter upper %}a{{ n }}b{% endfilter %}\n{{ missing.x }}")
    values = {"xs": ["<a>", "平&安", Markup("<i>ok</i>")], "n": 3, "tail": Markup("<br>"), "missing": {"x": "'q'"}}
    ours = environment(site).from_string(source)
    plain = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True).from_string(source)
    assert ours.render(values) == plain.render(values)
    for template in (ours, plain):
        with pytest.raises(jinja2.UndefinedError) as failed:
            template.render(values | {"missing": {}})
        assert [f.lineno for f in traceback.extract_tb(failed.value.__traceback__) if f.filename == "<template>"] == [2]


def test_a_qr_path_with_empty_rows_and_edges() -> None:
    """Rows without a dark module and dark modules on either edge; no dark module."""
    rows = [bytearray(b"\x01\x00\x01"), bytearray(b"\x00\x00\x00"), bytearray(b"\x00\x01\x01"), bytearray(b"\x01\x01\x01")]
    assert qr_path(rows, 4) == "M4 4.5h1m1 0h1m-2 2h2m-3 1h3"
    assert qr_path([b"\x00\x00"], 2) == "" and qr_path([], 2) == ""


def raster(svg: str) -> tuple[bytes, int]:
    """The SVG of :func:`qr_svg` drawn as a grayscale image, one pixel a module (its path read command by command)."""
    width, path = re.search(r'width="(\d+)"', svg), re.search(r' d="([^"]+)"', svg)
    assert width and path
    size = int(width[1]) // 2
    pixels = bytearray([255]) * (size * size)
    x = y = 0.0
    for move, dx, dy, length in re.findall(r"([Mm])(-?\d+) (-?[\d.]+)h(\d+)", path[1]):
        x, y = (float(dx), float(dy)) if move == "M" else (x + float(dx), y + float(dy))
        start = int(y - 0.5) * size + int(x)
        pixels[start:start + int(length)] = bytes(int(length))
        x += int(length)
    return bytes(pixels), size


def test_the_qr_code_scans() -> None:
    """A real decoder reads each code back (zxing-cpp, where installed: ``pip install zxing-cpp``)."""
    for url in urls()[:40] + urls()[-5:]:
        pixels, size = raster(str(qr_svg(url, LABEL)))
        scaled = b"".join(bytes(b for b in pixels[r * size:(r + 1) * size] for _ in range(4)) * 4 for r in range(size))
        found = zxingcpp.read_barcodes(memoryview(scaled).cast("B", (size * 4, size * 4)))
        assert [code.text for code in found] == [url]


# --- The theme's Jinja2 environment -------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Site:
    store = PublishedStore(tmp_path / "store.sqlite")
    return Site(load_config(ROOT / "site_builder.toml"), CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE),
                date(2026, 11, 24), store)


def test_sitewide_blocks_read_only_globals() -> None:
    """What a sitewide block shows is rendered on the first page and shown on every page: it may read nothing else."""
    env = jinja2.Environment(extensions=[SitewideExtension])
    blocks = 0
    for template in sorted(THEME_DIR.glob("*.html")):
        for node in env.parse(template.read_text(encoding="utf-8")).find_all(jinja2.nodes.CallBlock):
            call = node.call
            if isinstance(call, jinja2.nodes.Call) and isinstance(call.node, jinja2.nodes.ExtensionAttribute):
                blocks += 1
                body = jinja2.nodes.Template(node.body)
                body.set_environment(env)
                names = jinja2.meta.find_undeclared_variables(body)
                assert names <= GLOBALS, f"{template.name}: a sitewide block reads {sorted(names - GLOBALS)}"
    assert blocks >= 3


GLOBALS = {"site", "catalogue", "policy", "content_pages", "natures", "categories", "url", "record_path", "authority_path",
           "index_records", "list_item", "written"}
"""The globals a sitewide block may read (``as_of`` is not one: it changes every day, and the block would hide that)."""


def test_a_sitewide_block_renders_once_and_the_same(site: Site) -> None:
    env = environment(site)
    env.loader = jinja2.DictLoader({
        "page.html": "<p>{{ n }}</p>{% sitewide %}<nav>{{ url('x/') }} {{ calls.append(1) or '' }}</nav>\n{% endsitewide %}"
                     "{% if n %}{% sitewide %}[{{ site.title }}]{% endsitewide %}{% endif %}",
    })
    calls: list[int] = []
    pages = [env.get_template("page.html").render(n=n, calls=calls) for n in range(3)]
    assert pages == ["<p>0</p><nav>/x/ </nav>\n", "<p>1</p><nav>/x/ </nav>\n[示例市公共信用信息公示]",
                     "<p>2</p><nav>/x/ </nav>\n[示例市公共信用信息公示]"]
    assert calls == [1]


def test_functions_of_the_page_still_get_their_context(site: Site) -> None:
    """The theme's own functions are called directly; any other callable as Jinja2 calls it."""
    env = environment(site)

    @jinja2.pass_context
    def who(context: Any, suffix: str) -> str:
        return str(context["n"]) + suffix

    template = env.from_string("{{ url('a/') }} {{ who('!') }} {{ record_path(r) }} {{ namespace(k=2).k }} {{ text.upper() }}")
    r = PublicRecord("admin_penalty", "AP-1", "", "", "legal_person", "", date(2026, 1, 2), None, None, {})
    assert template.render(n=7, who=who, r=r, text="x") == "/a/ 7! record/admin_penalty/AP-1/ 2 X"
    assert env.get_template("record.html") is env.get_template("record.html", "subject.html")


def test_headings_are_those_of_heading(site: Site) -> None:
    records = [PublicRecord("admin_penalty", "AP-1", "", "", "legal_person", "", date(2026, 1, 2), None, None, fields)
               for fields in ({"decision_no": "杭罚〔2026〕1号"}, {"decision_no": ""}, {})]
    headings = Headings(CATALOGUE)
    assert [headings(r) for r in records] == [heading(site, r) for r in records] == ["杭罚〔2026〕1号", "行政处罚 2026-01-02",
                                                                                     "行政处罚 2026-01-02"]
