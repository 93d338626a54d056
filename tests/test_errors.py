"""Errors an operator meets reach them as one line naming the file, exit 1, a traceback only with --debug.

Each test breaks one thing in a copy of the golden site (tests/golden/site) and runs the command line
through click's CliRunner.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from site_builder.cli import main
from site_builder.exceptions import AuditError, BuildError, ConfigError, InitError

GOLDEN_SITE = Path(__file__).resolve().parent / "golden" / "site"
AS_OF = "2026-11-24"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the golden site, with an empty templates/ folder for overrides."""
    folder = tmp_path / "site"
    shutil.copytree(GOLDEN_SITE, folder)
    (folder / "templates").mkdir()
    return folder


def cli(site: Path, *args: str, debug: bool = False) -> Result:
    """Run ``site-builder [--debug] --config <site>/site_builder.toml ARGS``."""
    options = ["--debug"] if debug else []
    return CliRunner().invoke(main, [*options, "--config", str(site / "site_builder.toml"), *args])


def one_line_error(result: Result) -> str:
    """The error message of a failed command, checked to be one line with no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def build(site: Path, debug: bool = False) -> Result:
    return cli(site, "build", "--no-search", "--as-of", AS_OF, debug=debug)


def test_template_syntax_error_names_the_file_and_line(site: Path) -> None:
    (site / "templates" / "page.html").write_text('{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n',
                                                  encoding="utf-8")
    message = one_line_error(build(site))
    assert str(site / "templates" / "page.html") in message and "line 3" in message, message
    assert not (site / "output").exists()


def test_template_not_found_names_the_template(site: Path) -> None:
    (site / "templates" / "page.html").write_text('{% include "sidebar.html" %}\n', encoding="utf-8")
    message = one_line_error(build(site))
    assert "'sidebar.html' not found" in message and "page.html" in message, message


def test_undefined_variable_names_the_template_and_line(site: Path) -> None:
    (site / "templates" / "page.html").write_text("<p>{{ page.title }}</p>\n<p>{{ page.author.name }}</p>\n", encoding="utf-8")
    message = one_line_error(build(site))
    assert str(site / "templates" / "page.html") in message and "line 2" in message and "author" in message, message


def test_template_error_traceback_only_with_debug(site: Path) -> None:
    (site / "templates" / "page.html").write_text("{{ nothing_here }}\n", encoding="utf-8")
    result = build(site, debug=True)
    assert result.exit_code == 1
    assert isinstance(result.exception, BuildError), result.exception
    assert "nothing_here" in str(result.exception)


def test_content_page_not_utf8_names_the_file(site: Path) -> None:
    (site / "content" / "70-gbk.md").write_bytes("# 联系我们\n\n电话：12345\n".encode("gbk"))
    message = one_line_error(build(site))
    assert str(site / "content" / "70-gbk.md") in message and "UTF-8" in message, message


@pytest.mark.parametrize(("files", "says"), [
    ({"90-...md": "# 点点\n"}, "pages/../"),  # it wrote pages/../index.html: the home page
    ({"90-a b#?%.md": "# 地址\n"}, "pages/a b#?%/"),  # menu links cut at the '#', an invalid sitemap <loc>
    ({"15-about.md": "# 第二个关于\n"}, "same address pages/about/"),  # replaced the packaged 关于数据 unseen
    ({"70-front.md": "---\ntitle: 草稿\ndraft: true\n---\n# 草稿\n"}, "front matter"),  # published as text
])
def test_a_content_page_that_would_replace_or_break_pages_names_the_file(site: Path, files: dict[str, str],
                                                                        says: str) -> None:
    for name, text in files.items():
        (site / "content" / name).write_text(text, encoding="utf-8")
    message = one_line_error(build(site))
    assert str(site / "content" / next(iter(files))) in message and says in message, message
    assert not (site / "output").exists() or "点点" not in (site / "output" / "index.html").read_text(encoding="utf-8")


def test_a_content_page_with_a_byte_order_mark_keeps_its_heading_and_a_title_is_text(site: Path) -> None:
    (site / "content" / "81-bom.md").write_bytes("\ufeff# 办事指南\n\n内容\n".encode())
    (site / "content" / "82-marked.MD").write_text("# 关于 **数据** <b>说明</b>\n", encoding="utf-8")  # .MD: read too
    (site / "content" / ".#82-marked.md").write_text("an editor's lock file\n", encoding="utf-8")  # hidden: not a page
    assert build(site).exit_code == 0
    page = (site / "output" / "pages" / "bom" / "index.html").read_text(encoding="utf-8")
    assert "<title>办事指南" in page and "<h1>办事指南</h1>" in page and "# 办事指南" not in page
    marked = (site / "output" / "pages" / "marked" / "index.html").read_text(encoding="utf-8")
    assert "<title>关于 数据 说明" in marked and "**" not in marked.split("<main")[0]


def test_invalid_timezone_names_the_config_file(site: Path) -> None:
    config = site / "site_builder.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"Asia/Shanghai"', '"Asia/Peking"'), encoding="utf-8")
    message = one_line_error(cli(site, "build", "--no-search"))
    assert str(config) in message and "disclosure.timezone" in message and "Asia/Peking" in message, message
    result = cli(site, "build", "--no-search", debug=True)
    assert isinstance(result.exception, ConfigError)


def test_missing_audit_file_names_it(site: Path) -> None:
    assert build(site).exit_code == 0
    decisions = next((site / "audit").rglob("decisions.csv.gz"))
    decisions.unlink()
    message = one_line_error(cli(site, "explain", "XK-000025", "--as-of", AS_OF))
    assert str(decisions) in message, message
    result = cli(site, "explain", "XK-000025", "--as-of", AS_OF, debug=True)
    assert isinstance(result.exception, AuditError)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "mysite"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(folder)])
    message = one_line_error(result)
    assert str(folder) in message and "not empty" in message, message
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    result = CliRunner().invoke(main, ["--debug", "init", str(folder / "notes.txt")])
    assert isinstance(result.exception, InitError) and "not a folder" in str(result.exception)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_init_fills_an_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    result = CliRunner().invoke(main, ["init", str(folder), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", "content", "records", "site_builder.toml", "templates"]
    assert sorted(p.name for p in (folder / "records").iterdir()) == sorted(p.name for p in (GOLDEN_SITE / "records").iterdir())
    for name in ("admin_penalty.csv", "subject.csv"):  # dated for AS_OF: the packaged sample rows as they are
        assert (folder / "records" / name).read_bytes().replace(b"\r\n", b"\n") == \
            (GOLDEN_SITE / "records" / name).read_bytes().replace(b"\r\n", b"\n")


@pytest.mark.parametrize("day", ["0001-01-01", "1979-12-31", "2108-01-01", "9999-12-31"])
def test_an_as_of_date_a_zip_cannot_carry_is_refused_up_front(site: Path, day: str) -> None:
    """Bug: a traceback from the zip writer (outputs/downloads.py) after the build had read everything."""
    result = cli(site, "build", "--no-search", "--as-of", day)
    message = one_line_error(result)
    assert day in message and "1980-01-01" in message and "2107-12-31" in message, message
    assert not (site / "output").exists() and not (site / "audit").exists()


@pytest.mark.parametrize("day", ["1979-12-31", "2108-01-01"])
def test_init_refuses_an_as_of_date_its_site_cannot_be_built_for(tmp_path: Path, day: str) -> None:
    folder = tmp_path / "new"
    message = one_line_error(CliRunner().invoke(main, ["init", str(folder), "--as-of", day]))
    assert day in message and "--as-of" in message, message
    assert not folder.exists()


def test_the_library_refuses_such_a_date_too(site: Path) -> None:
    from datetime import date

    from site_builder.build import build as run_build
    from site_builder.config import load_config

    with pytest.raises(BuildError, match="1980-01-01"):
        run_build(load_config(site / "site_builder.toml"), date(1970, 1, 1))


@pytest.mark.parametrize("out", ["records/judgment", "records/x/site", "records"])
def test_an_output_folder_inside_the_records_folder_is_refused(site: Path, out: str) -> None:
    """Bug: accepted, and the next build read its own site as the judgments' records."""
    before = sorted(p.relative_to(site).as_posix() for p in (site / "records").rglob("*"))
    message = one_line_error(cli(site, "build", "--no-search", "--as-of", AS_OF, "--out", str(site / out)))
    assert "inside the records folder" in message, message
    assert sorted(p.relative_to(site).as_posix() for p in (site / "records").rglob("*")) == before


def test_a_missing_sqlite_file_is_refused_never_created(site: Path) -> None:
    """Bug: ``--source sqlite:///credit.sqllite`` (a typo) created an empty database, and the build told the public
    every record was withdrawn."""
    import sqlite3

    real = site / "credit.sqlite"
    sqlite3.connect(real).close()
    typo = site / "credit.sqllite"
    message = one_line_error(cli(site, "build", "--no-search", "--as-of", AS_OF, "--source", f"sqlite:///{typo}"))
    assert "credit.sqllite" in message and "does not exist" in message, message
    assert not typo.exists()
    assert not (site / "output").exists()
    empty = site / "empty.sqlite"
    empty.touch()
    message = one_line_error(cli(site, "build", "--no-search", "--as-of", AS_OF, "--source", f"sqlite:///{empty}"))
    assert "empty" in message and empty.stat().st_size == 0


def test_a_sqlite_source_is_opened_read_only(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from site_builder.sources.database import Database
    from site_builder.sources.mapping import SourceSettings

    path = tmp_path / "db.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (a TEXT)"))
    engine.dispose()
    db = Database(SourceSettings(url="sqlite:///db.sqlite"), tmp_path)
    with db.connect() as conn, pytest.raises(sa.exc.OperationalError, match="readonly"):
        conn.execute(sa.text("INSERT INTO t VALUES ('x')"))
    db.engine().dispose()


WITHHELD = "330212196005301145"
"""The 法定代表人证件号码 of 高华秀 in four of the golden site's records files (row 2 of each)."""
HELD_BY = ["admin_license.csv row 2", "commendation.csv row 2", "admin_penalty.csv row 2", "judgment.csv row 2"]


def test_a_leak_names_the_input_rows_that_hold_the_value_not_the_value(site: Path) -> None:
    (site / "content" / "70-contact.md").write_text(f"# 联系人\n\n证件号码 {WITHHELD[:6]} {WITHHELD[6:]}\n", encoding="utf-8")
    result = build(site)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert WITHHELD not in result.output and WITHHELD[6:] not in result.output
    assert "pages/contact/index.html: contains 1 withheld value(s) or raw ID number(s)" in result.output
    assert ("the withheld value of admin_license.csv row 2, column 法定代表人证件号码 (also held by "
            + "; ".join(f"{place}, column 法定代表人证件号码" for place in HELD_BY[1:])
            + "), appears in pages/contact/index.html") in result.output, result.output
    assert not (site / "output").exists()


def test_verify_names_the_input_rows_of_a_planted_value(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert build(site).exit_code == 0
    page = site / "output" / "record" / "admin_penalty" / "AP-000099" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + f"<p>{WITHHELD}</p>", encoding="utf-8")
    with caplog.at_level("ERROR"):
        result = cli(site, "verify", "--no-data")
    assert result.exit_code == 1 and WITHHELD not in result.output + caplog.text
    assert (f"FAIL the withheld value of {HELD_BY[0]}, column 法定代表人证件号码 (also held by" in result.output
            and "appears in record/admin_penalty/AP-000099/index.html" in result.output), result.output
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("leak ")]
    assert "leak kind=withheld_value file=admin_penalty.csv row=2 column=法定代表人证件号码 " \
           "appears_in=record/admin_penalty/AP-000099/index.html" in logged, logged
