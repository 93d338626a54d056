"""Errors an operator meets reach them as one line naming the file, exit 1, a traceback only with --debug.

Each test breaks one thing in a copy of the golden site (tests/golden/site) and runs the command line
through click's CliRunner.
"""

from __future__ import annotations

import csv
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


@pytest.mark.parametrize("text", ["".join("  " * i + "- x\n" for i in range(800)), ">" * 900 + " 引用\n"])
def test_a_content_page_nested_too_deep_names_the_file(site: Path, text: str) -> None:
    """Bug: an 800-level nested list ended in a RecursionError and 2,500 lines of traceback; at 3,000 levels the build
    ran for minutes."""
    (site / "content" / "70-deep.md").write_text("# 深\n\n" + text, encoding="utf-8")
    message = one_line_error(build(site))
    assert str(site / "content" / "70-deep.md") in message and "levels deep" in message, message


def test_a_content_page_with_deeply_indented_code_or_blank_lines_is_built(site: Path) -> None:
    """What nests is lists and quotes: a fenced or indented code block, or a blank line of spaces (pasted text), is no
    nesting (a line of 80 spaces had been refused as 40 levels deep)."""
    (site / "content" / "70-code.md").write_text("# 代码\n\n```\n" + " " * 120 + "x = 1\n```\n\n- a\n  - b\n" + " " * 80
                                                 + "\n\n" + " " * 90 + "indented code\n", encoding="utf-8")
    assert build(site).exit_code == 0


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


def _add_rejected_penalty(site: Path, legal_rep_id: str) -> None:
    """A rejected copy of the first penalty (never published) whose 法定代表人证件号码 holds ``legal_rep_id``."""
    path = site / "records" / "admin_penalty.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header, first = list(csv.reader(fh))[:2]
    row = dict(zip(header, first, strict=True)) | {"记录编号": "AP-REJECTED", "发布状态": "已驳回",
                                                   "法定代表人证件号码": legal_rep_id}
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([row[h] for h in header])


@pytest.mark.parametrize(("value", "published_as"), [
    ("宁波市应急管理局", "authority"), ("宁波创信电子商务股份有限公司", "subject_name"),
    ("当事人超标排放污染物", "violation_facts")])
def test_a_withheld_value_that_other_records_publish_whole_does_not_stop_the_build(
        site: Path, value: str, published_as: str, caplog: pytest.LogCaptureFixture) -> None:
    """Bug: an authority, a company's name or a text written by mistake in the 法定代表人证件号码 of a row that is not
    even published was looked for as a secret, found on the pages that publish it in their own right, and every build
    stopped (the old site, with records that had to go, stayed online). A text without a digit, which no identity
    document's number is, that a record publishes whole is that record's public value: a warning names the row, and
    ``verify`` passes too."""
    _add_rejected_penalty(site, value)
    with caplog.at_level("WARNING"):
        result = build(site)
    assert result.exit_code == 0, result.output
    warned = [r.getMessage() for r in caplog.records if "withheld_value_published_elsewhere" in r.getMessage()]
    assert warned and all("file=admin_penalty.csv row=" in w and "column=法定代表人证件号码" in w for w in warned), warned
    assert any(published_as in w for w in warned), warned
    assert cli(site, "verify", "--no-data").exit_code == 0


@pytest.mark.parametrize(("value", "where"), [
    ("E87654321", "护照 E8765 4321 号"),  # no record publishes it whole
    ("JY4103706422758", "许可 JY4103706422758 号"),  # a licence publishes it whole: a code is never excused
    ("AP-000099", "记录 AP-000099"),  # a record id: a passport's shape
])
def test_a_withheld_code_is_a_leak_even_where_a_record_publishes_it_whole(site: Path, value: str, where: str) -> None:
    """A code in a 法定代表人证件号码 (a passport, a permit: the shape of a record id or a licence number too) is never
    taken for another record's public value: a legal representative's passport number copied into another record, or
    a content page, stays a leak (the tester's copy slip: the first version of the excuse published it)."""
    _add_rejected_penalty(site, value)
    (site / "content" / "70-contact.md").write_text(f"# 联系人\n\n{where}\n", encoding="utf-8")
    result = build(site)
    assert result.exit_code == 1 and "pages/contact/index.html: contains 1 withheld value(s)" in result.output, result.output
    assert "the withheld value of admin_penalty.csv row" in result.output
    assert value not in result.output.replace("admin_penalty/AP-000099/", "")  # the record's own page is named


def test_a_withheld_value_that_other_records_publish_whole_does_not_stop_an_incremental_build(site: Path) -> None:
    """The same, when the row comes in a later build that takes pages over (they are checked for secrets new since)."""
    assert build(site).exit_code == 0
    _add_rejected_penalty(site, "宁波市应急管理局")
    result = cli(site, "build", "--no-search", "--as-of", "2026-11-25")
    assert result.exit_code == 0 and "taken over" in result.output, result.output
    after = cli(site, "build", "--no-search", "--as-of", "2026-11-26")  # a build after an excuse takes nothing over
    assert after.exit_code == 0 and "taken over" not in after.output, after.output


def test_an_excused_value_is_a_leak_again_once_no_record_publishes_it_whole(site: Path) -> None:
    """Bug: a withheld value excused as another record's public value stayed inside the pages the next builds took
    over after that record had gone, while a full build of the same inputs refused them."""
    phrase = "当事人超标排放污染物"
    _add_rejected_penalty(site, phrase)
    (site / "content" / "70-note.md").write_text(f"# 说明\n\n据查{phrase}一案已办结。\n", encoding="utf-8")
    assert build(site).exit_code == 0
    for name in ("admin_penalty.csv", "judgment.csv", "admin_license.csv", "commendation.csv", "dishonest_list.csv"):
        path = site / "records" / name
        text = path.read_text(encoding="utf-8-sig")
        lines = text.splitlines(keepends=True)
        path.write_text(lines[0] + "".join(line if "AP-REJECTED" in line else line.replace(phrase, "当事人未按规定申报")
                                           for line in lines[1:]), encoding="utf-8-sig")
    result = cli(site, "build", "--no-search", "--as-of", "2026-11-25")
    assert result.exit_code == 1 and "pages/note/index.html: contains 1 withheld value(s)" in result.output, result.output


def test_a_build_under_another_profile_than_the_live_sites_is_refused(site: Path) -> None:
    """Bug: a nightly build run without the --profile zhejiang the site was built with (the configuration's national
    profile then applied) published the natural persons Zhejiang withholds, without a word."""
    assert cli(site, "build", "--no-search", "--as-of", AS_OF, "--profile", "zhejiang").exit_code == 0
    persons = (site / "output" / "manifest.json").read_text(encoding="utf-8")
    message = one_line_error(build(site))
    assert "'zhejiang'" in message and "'national'" in message and "--change-profile" in message, message
    assert (site / "output" / "manifest.json").read_text(encoding="utf-8") == persons  # the live site as it was
    changed = cli(site, "build", "--no-search", "--as-of", AS_OF, "--change-profile")
    assert changed.exit_code == 0, changed.output


@pytest.mark.parametrize("place", ["templates/static/site.key", "content/site.key", "output/site.key"])
def test_a_signing_key_where_the_build_could_publish_it_is_refused(site: Path, place: str) -> None:
    """Bug: a private key in templates/static/ was copied into the published site (and made readable to all); one in
    the output folder was served, then moved into the spare and lost."""
    assert build(site).exit_code == 0
    made = cli(site, "keygen", "--key", str(site / place))
    assert made.exit_code == 2 and "inside the" in made.output and not (site / place).exists(), made.output
    outside = site / "keys" / "site.key"
    outside.parent.mkdir()
    assert cli(site, "keygen", "--key", str(outside)).exit_code == 0
    (site / place).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(outside, site / place)
    config = site / "site_builder.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[signing]\nkey = "{place}"\n', encoding="utf-8")
    message = one_line_error(build(site))
    assert "private signing key" in message and place.split("/")[0] in message, message
    if not place.startswith("output"):  # nothing of the key was published
        assert not any("PRIVATE KEY" in p.read_text(encoding="utf-8", errors="replace")
                       for p in (site / "output").resolve().rglob("*") if p.is_file() and p.suffix in (".key", ""))


def test_keygen_refuses_one_file_for_both_keys(site: Path) -> None:
    result = cli(site, "keygen", "--key", str(site / "c.pem"), "--public-key", str(site / "c.pem"))
    assert result.exit_code == 2 and "same file" in result.output and not (site / "c.pem").exists(), result.output


def test_a_full_disk_under_the_audit_folder_is_one_line(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: "database or disk is full" from the build's stores in the audit folder ended in a traceback."""
    import sqlite3

    from site_builder.store.published import PublishedStore

    def full(self: PublishedStore) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(PublishedStore, "create_indexes", full)
    message = one_line_error(build(site))
    assert "audit folder" in message and "disk is full" in message and "nothing was published" in message, message


def test_verify_finds_the_public_value_in_downloads_split_by_year(site: Path) -> None:
    """Bug: verify looked for the record publishing an excused value in data/<item>.csv only: with the downloads split
    by year (data/<item>/<year>.csv) it failed a site the build had published."""
    config = site / "site_builder.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[data]\npartition_bytes = 1000\n", encoding="utf-8")
    _add_rejected_penalty(site, "宁波市应急管理局")
    assert build(site).exit_code == 0
    assert any((site / "output" / "data").glob("*/*.csv")), "the downloads are split"
    result = cli(site, "verify", "--no-data")
    assert result.exit_code == 0, result.output
