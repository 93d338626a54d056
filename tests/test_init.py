"""``site-builder init`` with records files and with the embedded SQLite database build the same site.

Issue 12: "The embedded default. … site-builder init offers both." The database variant reads its
tables through ``[sources]`` exactly as a credit platform's database is read.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from site_builder.cli import main

AS_OF = date(2026, 11, 24)


def init_and_build(folder: Path, *flags: str) -> Path:
    """``site-builder init FOLDER [flags]`` then ``cd FOLDER && site-builder build --no-search``; the output folder."""
    runner = CliRunner()
    made = runner.invoke(main, ["init", str(folder), "--as-of", AS_OF.isoformat(), *flags])
    assert made.exit_code == 0, made.output
    here = Path.cwd()
    os.chdir(folder)
    try:
        built = runner.invoke(main, ["build", "--no-search", "--as-of", AS_OF.isoformat()])
    finally:
        os.chdir(here)
    assert built.exit_code == 0, built.output
    assert "15 rows, 13 published, 1 excluded {'not_public': 1}, 1 quarantined" in built.output
    return folder / "output"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_with_the_embedded_database_builds_the_same_site_as_with_files(tmp_path: Path) -> None:
    files = init_and_build(tmp_path / "files")
    database = init_and_build(tmp_path / "database", "--database")
    assert (tmp_path / "database" / "records.sqlite").is_file() and not (tmp_path / "database" / "records").exists()
    assert 'url = "sqlite:///records.sqlite"' in (tmp_path / "database" / "site_builder.toml").read_text(encoding="utf-8")
    by_files, by_database = tree(files), tree(database)
    assert sorted(by_files) == sorted(by_database)
    differing = sorted(name for name in by_files if by_files[name] != by_database[name])
    assert differing == ["chain.json", "manifest.json"]  # they name the source: files or tables
    inputs = json.loads(by_database["manifest.json"])["inputs"]["records"]
    assert {(e["database"], e["table"], e["encoding"]) for e in inputs} == {
        ("sqlite:///records.sqlite", item, "database")
        for item in ("subject", "admin_license", "commendation", "admin_penalty", "dishonest_list", "judgment")}
