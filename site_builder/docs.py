"""Generated parts of the README: the column contract and the reason codes, from the catalogue.

``python -m site_builder.docs`` rewrites the blocks between ``<!-- BEGIN name -->`` and
``<!-- END name -->`` in README.md; ``tests/test_docs.py`` fails when they are out of date.
"""

from __future__ import annotations

import re
import sys

from site_builder.catalogue import Catalogue, load_catalogue
from site_builder.config import PROJECT_ROOT
from site_builder.disclosure import REASONS

_DISCLOSURE = {"public": "公开", "masked": "脱敏", "withheld": "不公示"}


def column_contract(catalogue: Catalogue) -> str:
    """Markdown: every item's columns with Chinese title, English name, type, required, disclosure."""
    parts = []
    for item in catalogue.items:
        rule = item.period
        names = ", ".join(f"`{n}`" for n in (item.id, item.title, *item.files))
        parts.append(f"#### `{item.id}` {item.title}\n\nFile `<name>.csv` / `.xlsx` or folder `<name>/`, where name is one of "
                     f"{names}. Period (national default): {rule.basis}.\n")
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


def blocks(catalogue: Catalogue) -> dict[str, str]:
    """Every generated block by name."""
    return {"column-contract": column_contract(catalogue), "reason-codes": reason_codes()}


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
    new = render_readme(text, load_catalogue(PROJECT_ROOT / "data" / "catalogue"))
    readme.write_text(new, encoding="utf-8")
    print("README.md up to date" if new == text else "README.md regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())


