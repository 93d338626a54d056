"""Generated parts of the README: the column contract and the reason codes, from the catalogue.

``python -m site_builder.docs`` rewrites the blocks between ``<!-- BEGIN name -->`` and
``<!-- END name -->`` in README.md; ``tests/test_docs.py`` fails when they are out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from site_builder.config import PROJECT_ROOT
from site_builder.rules.catalogue import Catalogue, load_catalogue
from site_builder.rules.disclosure import REASONS
from site_builder.rules.periods import RuleVersion
from site_builder.rules.profiles import load_profile

_DISCLOSURE = {"public": "公开", "masked": "脱敏", "withheld": "不公示"}


def column_contract(catalogue: Catalogue) -> str:
    """Markdown: every item's columns with Chinese title, English name, type, required, disclosure."""
    parts = []
    for item in catalogue.items:
        names = ", ".join(f"`{n}`" for n in (item.id, item.title, *item.files))
        bases = "; ".join(v.basis for v in item.period.versions)
        parts.append(f"#### `{item.id}` {item.title}\n\nFile `<name>.csv` / `.xlsx` or folder `<name>/`, where name is one of "
                     f"{names}. Period (national default): {bases}.\n")
        parts.append("| 列名 (title) | name | type | required | disclosure | accepted values / aliases |")
        parts.append("|---|---|---|---|---|---|")
        for f in item.fields:
            extra = " / ".join(
                f"`{code}` {'、'.join((label, *(f.synonyms or {}).get(code, ())))}" for code, label in f.values.items()
            ) if f.values else ""
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
            "summary_procedure": "published" if policy.publish_summary_procedure else "excluded",
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


def blocks(catalogue: Catalogue) -> dict[str, str]:
    """Every generated block by name."""
    return {"column-contract": column_contract(catalogue), "reason-codes": reason_codes(),
            "profiles": profiles_table(catalogue, PROJECT_ROOT / "site_builder" / "defaults" / "profiles")}


def render_readme(text: str, catalogue: Catalogue) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, body in blocks(catalogue).items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + body + m.group(2), text)  # noqa: B023
    return text


def main() -> int:
    """Rewrite the generated blocks of README.md."""
    readme = PROJECT_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = render_readme(text, load_catalogue(PROJECT_ROOT / "site_builder" / "defaults" / "catalogue"))
    readme.write_text(new, encoding="utf-8")
    print("README.md up to date" if new == text else "README.md regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())


