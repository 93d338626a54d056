"""Generated parts of the documentation: column contract, reason codes, profiles, configuration reference.

``python -m site_builder.docs`` rewrites every block between ``<!-- BEGIN name -->`` and
``<!-- END name -->`` in README.md and in every ``docs/**/*.md``; ``tests/test_docs.py`` fails when
one is out of date. A block may appear in several files (the configuration reference is in the
English and the Chinese operator's guide); a file holds only the blocks it names.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from site_builder import config as config_module
from site_builder.rules.catalogue import Catalogue, load_catalogue
from site_builder.rules.disclosure import REASONS
from site_builder.rules.periods import RuleVersion
from site_builder.rules.profiles import load_profile
from site_builder.rules.redaction import LAPSED

PACKAGE = Path(__file__).resolve().parent
REPOSITORY = PACKAGE.parent
CATALOGUE_DIR = PACKAGE / "defaults" / "catalogue"
PROFILES_DIR = PACKAGE / "defaults" / "profiles"
_DISCLOSURE = {"public": "公开", "masked": "脱敏", "withheld": "不公示"}


def doc_files(root: Path = REPOSITORY) -> list[Path]:
    """The Markdown files whose generated blocks are kept current: README.md and ``docs/**/*.md``."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def column_contract(catalogue: Catalogue) -> str:
    """Markdown: every item's columns with Chinese title, English name, type, required, disclosure."""
    parts = []
    for item in catalogue.items:
        names = ", ".join(f"`{n}`" for n in dict.fromkeys((item.id, item.title, *item.files)))
        bases = "; ".join(v.basis for v in item.period.versions)
        parts.append(f"### `{item.id}` {item.title}\n\nFile `<name>.csv` / `.xlsx` or folder `<name>/`, where name is one of "
                     f"{names}. Period (national default): {bases}.\n")
        parts.append("| 列名 (title) | name | type | required | disclosure | accepted values / aliases |")
        parts.append("|---|---|---|---|---|---|")
        for f in item.fields:
            extra = " / ".join(
                f"`{code}` {'、'.join((label, *(f.synonyms or {}).get(code, ())))}" for code, label in f.values.items()
            ) if f.values else ""
            if f.lapses:
                lapse = (f"shown as {LAPSED} after `{f.lapses}` where it says in force (有效, 长期有效, 是, `1`, `Y`, `true` …) "
                         "or nothing")
                extra = "; ".join(filter(None, [extra, lapse]))
            if f.aliases:
                extra = "; ".join(filter(None, [extra, "aliases: " + ", ".join(f.aliases)]))
            parts.append(f"| {f.title} | `{f.name}` | {f.type} | {'yes' if f.required else ''} | "
                         f"{_DISCLOSURE[f.disclosure]}{' (' + f.mask + ')' if f.mask else ''} | {extra} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def reason_codes() -> str:
    """Markdown: the reason codes, in the order the rules are checked."""
    rows = ["| reason code | meaning |", "|---|---|"]
    rows += [f"| `{code}` | {text} |" for code, text in REASONS.items()]
    return "\n".join(rows) + "\n"


def profiles_table(catalogue: Catalogue, folder: Path) -> str:
    """Markdown: every rule of every disclosure profile in ``folder``, with its basis.

    Periods a profile does not replace are the catalogue's, listed under ``national``; a period
    rule with dated versions has one row per version, with the dates it is in force.
    """
    rows = ["| profile | rule | value | basis |", "|---|---|---|---|"]
    for path in sorted(folder.glob("*.yaml"), key=lambda p: (p.stem != "national", p.stem)):
        policy = load_profile(folder, path.stem, catalogue)
        persons = f"from {policy.min_age} years" if policy.publish_natural_persons else "never published"
        values = {
            "natural_persons": persons,
            "summary_procedure": "published" if policy.publish_summary_procedure else
                                 "slight (excluded; with a deadline as the version's slight length)" if policy.summary_is_slight
                                 else "excluded",
            "objection": f"{policy.objection_mode}; unverifiable "
                         f"{'excluded' if policy.exclude_unverifiable else 'published'}",
            "repair": ("withdrawn" if policy.withdraw_repaired else "kept")
                      + ("; not while listed" if policy.repair_not_while_listed else ""),
        }
        for name, value in values.items():
            rows.append(f"| `{policy.id}` | {name} | {value} | {policy.basis[name]} |")
        for item in catalogue.items:
            if item.id in policy.periods or policy.id == "national":
                for version in policy.rule(item.id, item.period).versions:
                    dates = f" ({version.dates})" if version.dates else ""
                    rows.append(f"| `{policy.id}` | period `{item.id}`{dates} | {_describe(version)} | {version.basis} |")
    return "\n".join(rows) + "\n"


def _describe(rule: RuleVersion) -> str:
    """A period rule in a few words: ``max general 1y, serious 3y; repair after …``."""
    parts = [f"max {_lengths(rule.max)}" if rule.max else "long-term"]
    if rule.severity and rule.slight_types or rule.slight:
        parts.append(f"slight at most {rule.slight} with a deadline" if rule.slight else "slight never published")
    if rule.count_from:
        parts.append("counted from " + " or ".join(rule.count_from))
    if rule.min:
        parts.append(f"repair after {_lengths(rule.min)}")
    if rule.ends_at:
        parts.append("ends at " + ", ".join(rule.ends_at))
    if rule.removed_on:
        parts.append("removed on " + ", ".join(rule.removed_on))
    if rule.extend_while_listed:
        parts.append("extended while listed")
    return "; ".join(parts)


def _lengths(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


@dataclasses.dataclass(frozen=True)
class Option:
    """One option of the typed configuration, as the reference shows it."""

    section: str
    name: str
    type: str
    default: str
    doc: str


def config_sections() -> list[tuple[str, type, str]]:
    """``(section name, settings class, class docstring)`` for every section of :class:`config.Config`.

    A section is a field of ``Config`` whose default is a settings dataclass; its TOML table has the field's name.
    """
    sections = []
    for f in dataclasses.fields(config_module.Config):
        factory: Any = f.default_factory
        if factory is dataclasses.MISSING or not isinstance(factory, type) or not dataclasses.is_dataclass(factory):
            continue
        sections.append((f.name, factory, inspect.cleandoc(factory.__doc__ or "")))
    return sections


def config_options() -> list[Option]:
    """Every option of every section, with the annotation and docstring written in its module and its default.

    Docstrings are read from the source as ``tests/test_docs.py`` reads them: the string statement after a field.
    """
    written: dict[tuple[str, str], tuple[str, str]] = {}
    for source in sorted({inspect.getfile(cls) for _name, cls, _doc in config_sections()}):
        tree = ast.parse(Path(source).read_text(encoding="utf-8"))
        for node in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for stmt, following in zip(node.body, [*node.body[1:], None], strict=True):
                if isinstance(stmt, ast.AnnAssign):
                    doc = following.value.value if (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                                                    and isinstance(following.value.value, str)) else ""
                    written[(node.name, ast.unparse(stmt.target))] = (ast.unparse(stmt.annotation), inspect.cleandoc(doc))
    options = []
    for section, cls, _doc in config_sections():
        defaults = cls()
        for f in dataclasses.fields(cls):
            annotation, doc = written.get((cls.__name__, f.name), (str(f.type), ""))
            options.append(Option(section, f.name, annotation, _toml(getattr(defaults, f.name)), doc))
    return options


def _toml(value: object) -> str:
    """A default as it would be written in site_builder.toml (unset for ``None``)."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return json.dumps(value.as_posix(), ensure_ascii=False)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return "[" + ", ".join(_toml(v) for v in items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _toml({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    return str(value)


def _cell(text: str) -> str:
    """Text for one Markdown table cell: one line, RST literals as Markdown code, pipes escaped."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", " ".join(text.split()))  # Sphinx roles such as :attr:`x`
    return text.replace("``", "`").replace("|", "\\|")


def config_reference() -> str:
    """Markdown: every section of site_builder.toml and every option with its type, default and docstring."""
    docs = {name: doc for name, _cls, doc in config_sections()}
    parts: list[str] = []
    section = None
    for option in config_options():
        if option.section != section:
            section = option.section
            if parts:
                parts.append("")
            parts += [f"#### `[{section}]`", "", _cell(docs[section]), "",
                      "| option | type | default | meaning |", "|---|---|---|---|"]
        parts.append(f"| `{option.name}` | `{_cell(option.type)}` | `{option.default}` | {_cell(option.doc)} |")
    return "\n".join(parts) + "\n"


def blocks(catalogue: Catalogue) -> dict[str, str]:
    """Every generated block by name."""
    return {"column-contract": column_contract(catalogue), "reason-codes": reason_codes(),
            "profiles": profiles_table(catalogue, PROFILES_DIR), "config-reference": config_reference()}


def block_names(text: str) -> list[str]:
    """The names of the generated blocks that ``text`` holds, in order."""
    return re.findall(r"<!-- BEGIN ([a-z-]+) -->", text)


def render_blocks(text: str, catalogue: Catalogue, generated: dict[str, str] | None = None) -> str:
    """``text`` with every generated block it holds replaced by its current content."""
    for name, body in (generated or blocks(catalogue)).items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + body + m.group(2), text)  # noqa: B023
    return text


def main() -> int:
    """Rewrite the generated blocks of README.md and docs/**/*.md; say which files changed."""
    catalogue = load_catalogue(CATALOGUE_DIR)
    generated = blocks(catalogue)
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        unknown = sorted(set(block_names(text)) - set(generated))
        if unknown:
            print(f"{path.relative_to(REPOSITORY)}: unknown generated block(s) {', '.join(unknown)}", file=sys.stderr)
            return 1
        new = render_blocks(text, catalogue, generated)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{path.relative_to(REPOSITORY)} regenerated")
    print("generated blocks up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
