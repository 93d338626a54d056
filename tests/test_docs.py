"""Documentation stays true: generated blocks, the README's commands, documented settings, links that resolve."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import CATALOGUE, PROFILES_DIR, ROOT

from site_builder import config as config_module
from site_builder.docs import block_names, blocks, config_options, config_sections, doc_files, render_blocks
from site_builder.rules.disclosure import REASONS

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
RULES = (DOCS / "rules.md").read_text(encoding="utf-8")
GENERATED = blocks(CATALOGUE)
WHERE = {  # where each generated block belongs
    "reason-codes": ["docs/rules.md"],
    "profiles": ["docs/rules.md"],
    "column-contract": ["docs/columns.md"],
    "config-reference": ["docs/operator-guide.md", "docs/zh/operator-guide.md"],
}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _block(text: str, name: str) -> str:
    return text.split(f"<!-- BEGIN {name} -->")[1].split(f"<!-- END {name} -->")[0]


@pytest.mark.parametrize("path", doc_files(ROOT), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_generated_blocks_are_current(path: Path) -> None:
    text = _text(path)
    assert set(block_names(text)) <= set(GENERATED), "unknown generated block"
    assert render_blocks(text, CATALOGUE, GENERATED) == text, "run: python -m site_builder.docs"


def test_every_generated_block_is_where_it_belongs() -> None:
    assert set(WHERE) == set(GENERATED)
    for name, files in WHERE.items():
        for file in files:
            assert _block(_text(ROOT / file), name).strip(), f"{file} lacks the generated block {name}"


def test_profiles_table_is_generated_from_the_profile_files() -> None:
    """Every profile is in the table, and a table that disagrees with the files is caught."""
    table = _block(RULES, "profiles")
    for path in PROFILES_DIR.glob("*.yaml"):
        assert f"| `{path.stem}` | objection |" in table
    assert "| `zhejiang` | natural_persons | never published |" in table
    stale = RULES.replace("| `zhejiang` | objection | mark;", "| `zhejiang` | objection | suspend;")
    assert stale != RULES
    assert render_blocks(stale, CATALOGUE, GENERATED) == RULES


def test_every_reason_code_is_in_the_rules_reference() -> None:
    for code in REASONS:
        assert f"| `{code}` |" in _block(RULES, "reason-codes")


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    install_and_build, tests = commands[0], commands[1]
    assert "site-builder build" in install_and_build
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_config_option_has_a_docstring() -> None:
    """Each field of each settings dataclass is followed by a docstring, as MkDocs documents its options."""
    sections = [cls for _name, cls, _doc in config_sections()]
    documented: set[str] = set()
    for source in {inspect.getfile(cls) for cls in sections} | {str(ROOT / "site_builder" / "config.py")}:
        tree = ast.parse(Path(source).read_text(encoding="utf-8"))
        for node in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for stmt, following in zip(node.body, node.body[1:], strict=False):
                if isinstance(stmt, ast.AnnAssign) and isinstance(following, ast.Expr):
                    documented.add(f"{node.name}.{ast.unparse(stmt.target)}")
    assert config_module.SiteSettings in sections and config_module.SigningSettings in sections
    for cls in sections:
        for field in dataclasses.fields(cls):
            assert f"{cls.__name__}.{field.name}" in documented


def test_the_configuration_reference_lists_every_option_of_every_section() -> None:
    reference = _block(_text(DOCS / "operator-guide.md"), "config-reference")
    sections = re.split(r"^#### ", reference, flags=re.M)[1:]
    listed = {section.split("`")[1].strip("[]"): section for section in sections}
    options = config_options()
    assert {o.section for o in options} == set(listed)
    for option in options:
        assert option.doc, f"{option.section}.{option.name} has no docstring"
        assert f"| `{option.name}` | " in listed[option.section], f"{option.section}.{option.name} is not documented"
    assert "| `profile` | `str` | `\"national\"` |" in listed["disclosure"]


# Links: every relative link and image of README.md and docs/**/*.md resolves to a file (or folder) of the
# repository, and its anchor, if any, to a heading of the Markdown file it names.

_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")


def links(text: str) -> list[str]:
    """Targets of the inline and reference links and images of a Markdown text, outside code."""
    prose = _CODE.sub("", _FENCE.sub("", text))
    return _LINK.findall(prose) + _REFERENCE.findall(prose)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading.strip()).lower()
    text = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LNM")
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of a Markdown text's headings (a repeated heading gets ``-1``, ``-2`` …)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", _FENCE.sub("", text), flags=re.M):
        base = slug(heading)
        n = seen.get(base, 0)
        found.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return found


def test_slug_follows_github() -> None:
    assert slug("The `--out` rule") == "the---out-rule"
    assert slug("Start a site: `site-builder init`") == "start-a-site-site-builder-init"
    assert slug("National rules by date (administrative penalties)") == "national-rules-by-date-administrative-penalties"
    assert slug("安装") == "安装"
    assert links("see [a](b.md#c) and ![i](x.png) but not `[d](e.md)`") == ["b.md#c", "x.png"]


@pytest.mark.parametrize("path", doc_files(ROOT), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_resolves_inside_the_repository(path: Path) -> None:
    problems = []
    text = _text(path)
    for target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: points outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(_text(resolved)):
            problems.append(f"{target}: no heading with anchor #{anchor}")
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_no_document_points_at_the_shared_folder() -> None:
    for path in doc_files(ROOT):
        assert "../shared" not in _text(path), path


def test_the_readme_links_the_rules_issue_8_requires() -> None:
    """The masking rules, the duplicate rule, the --out rule and sentinel dates: stated in the guides, linked from the README."""
    statements = {
        "docs/rules.md#what-is-masked": "**The masking rules.**",
        "docs/rules.md#repeated-record-ids": "**The duplicate rule.**",
        "docs/operator-guide.md#the---out-rule": "**The `--out` rule:**",
        "docs/operator-guide.md#dates-and-sentinel-dates": "**Sentinel dates:**",
    }
    for link, statement in statements.items():
        assert f"]({link})" in README
        assert statement in _text(ROOT / link.split("#")[0])
    assert "| resident ID number, 18 characters" in RULES


def test_the_chinese_guides_exist_and_link_back() -> None:
    for name in ("operator-guide.md", "data-guide.md"):
        english, chinese = _text(DOCS / name), _text(DOCS / "zh" / name)
        assert f"(zh/{name})" in english and f"(../{name})" in chinese
        assert len(re.findall(r"[\u4e00-\u9fff]", chinese)) > 1000, "the Chinese guide is mostly Chinese"


def test_the_nginx_recipe_sends_the_policy_the_pages_declare() -> None:
    """The Content-Security-Policy header of examples/nginx/ is the theme's meta tag, plus frame-ancestors."""
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"',
                     (ROOT / "site_builder" / "theme" / "base.html").read_text(encoding="utf-8"))
    header = re.search(r'add_header Content-Security-Policy "([^"]+)"',
                       (ROOT / "examples" / "nginx" / "credit-site-headers.conf").read_text(encoding="utf-8"))
    assert meta and header
    assert header.group(1) == meta.group(1) + "; frame-ancestors 'none'"


def test_no_recipe_moves_or_fills_the_output_link() -> None:
    """`output` is a link switched by each build: recipes copy it resolved and never create it by hand."""
    for path in (ROOT / "examples" / "ci").iterdir():
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not line.lstrip().startswith(("#", "//")))
        assert "mv output" not in text and "mkdir -p output" not in text and "mkdir output" not in text, path.name
