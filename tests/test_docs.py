"""Documentation stays true: generated README blocks, the README's commands, documented settings."""

from __future__ import annotations

import ast
import dataclasses
import re

from conftest import CATALOGUE, PROFILES_DIR, ROOT

from site_builder import config as config_module
from site_builder.docs import render_readme
from site_builder.rules.disclosure import REASONS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_generated_blocks_are_current() -> None:
    assert render_readme(README, CATALOGUE) == README, "run: python -m site_builder.docs"


def test_profiles_table_is_generated_from_the_profile_files() -> None:
    """Every profile is in the table, and a table that disagrees with the files is caught."""
    table = README.split("<!-- BEGIN profiles -->")[1].split("<!-- END profiles -->")[0]
    for path in (PROFILES_DIR).glob("*.yaml"):
        assert f"| `{path.stem}` | objection |" in table
    assert "| `zhejiang` | natural_persons | never published |" in table
    stale = README.replace("| `zhejiang` | objection | mark;", "| `zhejiang` | objection | suspend;")
    assert stale != README
    assert render_readme(stale, CATALOGUE) == README


def test_every_reason_code_is_in_the_readme() -> None:
    for code in REASONS:
        assert f"`{code}`" in README


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    install_and_build, tests = commands[0], commands[1]
    assert "site-builder build" in install_and_build
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_config_option_has_a_docstring() -> None:
    """Each dataclass field in config.py is followed by a docstring, as MkDocs documents its options."""
    tree = ast.parse((ROOT / "site_builder" / "config.py").read_text(encoding="utf-8"))
    documented: set[str] = set()
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for stmt, following in zip(cls.body, cls.body[1:], strict=False):
            if isinstance(stmt, ast.AnnAssign) and isinstance(following, ast.Expr):
                documented.add(f"{cls.name}.{ast.unparse(stmt.target)}")
    for cls in (config_module.SiteSettings, config_module.PathSettings, config_module.DisclosureSettings,
                config_module.SearchSettings):
        for field in dataclasses.fields(cls):
            assert f"{cls.__name__}.{field.name}" in documented
