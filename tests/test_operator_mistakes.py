"""Mistakes an operator makes that used to pass in silence or end in a traceback (tester's round 28).

Each test makes one mistake (a configuration saved by Notepad, ``~`` in a path, a password on a workbook, a file
named in capitals …) and checks that it is read as meant or refused in one line saying what to do.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import CATALOGUE, PROFILES_DIR, row, site_config, write_csv
from openpyxl.worksheet.worksheet import Worksheet

from site_builder import serve
from site_builder.build import build
from site_builder.cli import main
from site_builder.config import Config, load_config
from site_builder.exceptions import CatalogueError, ConfigError, InputError
from site_builder.rules.profiles import load_profile
from site_builder.sources import xlsx
from site_builder.sources.loading import FileReport, find_sources, read_rows, unclaimed_paths

GOLDEN_SITE = Path(__file__).resolve().parent / "golden" / "site"
AS_OF = date(2026, 11, 24)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an OLE compound file (an encrypted workbook's envelope, an old .xls)."""


def config_file(folder: Path, text: str, encoding: str = "utf-8") -> Path:
    """A ``site_builder.toml`` in ``folder`` holding ``text``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "site_builder.toml"
    path.write_text(text, encoding=encoding)
    return path


def config_error(path: Path) -> str:
    """The message of the :class:`ConfigError` loading ``path`` raises."""
    with pytest.raises(ConfigError) as error:
        load_config(path)
    return str(error.value)


# 1. "~" in a configured path


def test_a_tilde_in_a_configured_path_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: ``output = "~/public_html"`` built into a folder named ``~`` inside the site folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    path = config_file(tmp_path / "site", '[paths]\noutput = "~/public_html"\naudit = "~/audit"\n\n'
                                          '[signing]\npublic_key = "~/keys/site.pub.pem"\n\n'
                                          '[sources]\nurl = "sqlite:///~/records.sqlite"\npassword_file = "~/pw"\n')
    config = load_config(path)
    assert config.paths.output == home / "public_html"
    assert config.paths.audit == home / "audit"
    assert config.signing.public_key == home / "keys" / "site.pub.pem"
    assert config.sources.url == f"sqlite:///{home}/records.sqlite"
    assert config.sources.password_file == home / "pw"
    assert config.paths.records == tmp_path / "site" / "records"


# 2. Nonsensical numbers


@pytest.mark.parametrize(("text", "key"), [
    ("[pages]\nlist_pages = -1\n", "pages.list_pages"),
    ("[publish]\nlock_timeout = nan\n", "publish.lock_timeout"),
])
def test_a_nonsensical_number_is_refused(tmp_path: Path, text: str, key: str) -> None:
    """Bug: ``list_pages = -1`` was accepted, and the site had no ``items/`` pages although every page links to them."""
    assert f"Config value '{key}'" in config_error(config_file(tmp_path, text))


def test_list_pages_zero_still_means_every_record(tmp_path: Path) -> None:
    assert load_config(config_file(tmp_path, "[pages]\nlist_pages = 0\n")).pages.list_pages == 0
    assert load_config(config_file(tmp_path, "[publish]\nlock_timeout = 5\n")).publish.lock_timeout == 5.0


# 3. A configuration saved by Windows Notepad


def test_a_configuration_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Bug: Notepad's UTF-8 with BOM gave "Invalid statement (at line 1, column 1)"."""
    path = config_file(tmp_path, '\ufeff[site]\ntitle = "公示"\n')
    assert load_config(path).site.title == "公示"


def test_a_configuration_saved_as_gbk_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    """Bug: a bare UnicodeDecodeError text, with no advice."""
    path = config_file(tmp_path, '# 站点\n[site]\ntitle = "信用"\n', encoding="gb18030")
    message = config_error(path)
    assert str(path) in message and "not UTF-8" in message and "line 1" in message and "save it as UTF-8" in message
    result = CliRunner().invoke(main, ["--config", str(path), "build", "--as-of", "2026-11-24"])
    assert result.exit_code == 1 and "Traceback" not in result.output and "save it as UTF-8" in result.output


# 4. serve: the port and the address


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_refuses_a_port_out_of_range_without_a_traceback(tmp_path: Path, port: str) -> None:
    """Bug: an OverflowError traceback."""
    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--port", port])
    assert result.exit_code == 2 and "not in the range 0<=x<=65535" in result.output, result.output


def test_serve_listens_on_an_ipv6_address(tmp_path: Path) -> None:
    """Bug: ``--bind ::1`` failed, the server being IPv4 only."""
    assert serve.address("::1", 8000) == "[::1]:8000" and serve.address("[::1]", 80) == "[::1]:80"
    assert serve.address("127.0.0.1", 8000) == "127.0.0.1:8000"
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with serve.make_server(tmp_path, "::1", 0) as server:
        assert server.address_family == socket.AF_INET6


# 5. --as-of in exactly one form


@pytest.mark.parametrize("day", ["2026-W49", "20261201", "2026-W49-1", "2026-336"])
def test_as_of_takes_only_yyyy_mm_dd(tmp_path: Path, day: str) -> None:
    """Bug: Python 3.11's date.fromisoformat took ISO week dates and basic dates although the message says YYYY-MM-DD."""
    result = CliRunner().invoke(main, ["init", str(tmp_path / "site"), "--as-of", day])
    assert result.exit_code == 2 and f"'{day}' is not a date YYYY-MM-DD" in result.output, result.output
    assert not (tmp_path / "site").exists()


# 6. A workbook that is not one


@pytest.mark.parametrize(("data", "said"), [
    (OLE + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64,
     "is an encrypted (password-protected) workbook, which cannot be read: open it in Excel or WPS, remove the password"),
    (OLE + b"\0" * 504 + "Workbook".encode("utf-16-le"), "is an old Excel 97-2003 .xls workbook"),
    ("记录编号,公示状态\nAP-1,已审核\n".encode("gb18030"), "is a text file (a CSV export?) named .xlsx, not a workbook: "
                                                          "if it is CSV, rename it .csv"),
], ids=["encrypted", "xls", "csv"])
def test_a_file_named_xlsx_that_is_no_workbook_says_what_it_is(data: bytes, said: str) -> None:
    """Bug: only "not a readable .xlsx workbook: File is not a zip file"."""
    with pytest.raises(InputError) as error:
        xlsx.read_workbook(data, CATALOGUE["admin_penalty"], 1000, "judgment.xlsx")
    assert str(error.value).startswith(f"Records file 'judgment.xlsx' {said}"), error.value


# 7. Hidden worksheets and hidden rows


def _read(records: Path) -> tuple[list[str], list[str]]:
    """The record ids read from ``records`` and the warnings of its files."""
    ids, warnings = [], []
    for source in find_sources(records, CATALOGUE):
        report = FileReport(source)
        ids += [r.values["record_id"] for r in read_rows(source, CATALOGUE[source.item], report)]
        warnings += report.warnings
    return ids, warnings


def _penalty_book(rows: int) -> tuple[openpyxl.Workbook, Worksheet]:
    """A workbook whose sheet 数据 holds the headings and penalties AP-1 … AP-``rows``."""
    item = CATALOGUE["admin_penalty"]
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "数据"
    sheet.append([item.field(n).title for n in row("admin_penalty")])
    for number in range(1, rows + 1):
        sheet.append(list(row("admin_penalty", record_id=f"AP-{number}").values()))
    return book, sheet


def test_hidden_rows_and_sheets_are_read_with_a_warning_naming_them(tmp_path: Path) -> None:
    """Bug: a hidden worksheet's rows and a sheet's hidden rows were published without a word.

    They are still read (the export is what the platform approved), and the file's warnings name them.
    """
    item = CATALOGUE["admin_penalty"]
    fields = list(row("admin_penalty"))
    book, sheet = _penalty_book(14)
    for hidden in range(3, 16):  # AP-2 … AP-14: 13 hidden rows
        sheet.row_dimensions[hidden].hidden = True
    other = book.create_sheet("已删除")
    other.sheet_state = "hidden"
    other.append([item.field(n).title for n in fields])
    other.append(list(row("admin_penalty", record_id="AP-GONE").values()))
    (tmp_path / "records").mkdir()
    book.save(tmp_path / "records" / "admin_penalty.xlsx")
    ids, warnings = _read(tmp_path / "records")
    assert ids == [f"AP-{n}" for n in range(1, 15)] + ["AP-GONE"]
    assert any(w.startswith("工作表“数据”的第3、4、5、6、7、8、9、10、11、12行（等13行）是隐藏的行") for w in warnings), warnings
    assert any(w.startswith("工作表“已删除”是隐藏的工作表") and "1行仍已读取" in w for w in warnings), warnings


def test_rows_hidden_by_the_sheets_default_height_are_told(tmp_path: Path) -> None:
    """Bug: rows hidden by the sheet's default (``<sheetFormatPr zeroHeight="1">``: Excel shows only the rows given a
    height of their own) were read without a word."""
    book, sheet = _penalty_book(4)
    sheet.sheet_format.zeroHeight = True
    for shown in (1, 2, 4):  # the heading and AP-1, AP-3 shown; AP-2 and AP-4 hidden by default
        sheet.row_dimensions[shown].height = 15
    (tmp_path / "records").mkdir()
    book.save(tmp_path / "records" / "admin_penalty.xlsx")
    ids, warnings = _read(tmp_path / "records")
    assert ids == ["AP-1", "AP-2", "AP-3", "AP-4"]
    assert any(w.startswith("工作表“数据”的第3、5行") and "隐藏的行" in w for w in warnings), warnings


def test_a_workbook_without_hidden_rows_has_no_such_warning(tmp_path: Path) -> None:
    item = CATALOGUE["admin_penalty"]
    fields = list(row("admin_penalty"))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([item.field(n).title for n in fields])
    sheet.append(list(row("admin_penalty").values()))
    sheet.column_dimensions["B"].hidden = True  # a hidden column is no hidden row
    (tmp_path / "records").mkdir()
    book.save(tmp_path / "records" / "admin_penalty.xlsx")
    ids, warnings = _read(tmp_path / "records")
    assert ids == ["AD-1"] and not any("隐藏" in w for w in warnings), warnings


# 8. File names in capitals


def test_an_item_name_in_any_case_is_read(tmp_path: Path) -> None:
    """Bug: ``judgment.CSV`` was read, ``Commendation.csv`` and ``XZCF.csv`` ignored with only a warning."""
    records = tmp_path / "records"
    write_csv(records / "Commendation.csv", "commendation", [row("commendation")])
    write_csv(records / "XZCF.csv", "admin_penalty", [row("admin_penalty")])
    write_csv(records / "Judgment" / "a.csv", "judgment", [row("judgment")])
    found = {(s.item, s.name) for s in find_sources(records, CATALOGUE)}
    assert found == {("commendation", "Commendation.csv"), ("admin_penalty", "XZCF.csv"), ("judgment", "Judgment/a.csv")}


def test_a_name_in_another_case_beside_an_exact_one_stays_unread(tmp_path: Path) -> None:
    """Bug (an upgrade tester's): an old export ``Judgment/2025-export.csv`` beside ``judgment.csv``, or ``Judgment.csv``
    beside ``涉经济类判决.csv``, which the version before left unread (listed as not read), was read on the day of the
    upgrade: its stale records were published and current ones withdrawn as repeated ids. A name in another case is
    read only for an item no file or folder is named for exactly."""
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [row("judgment")])
    write_csv(records / "Judgment" / "2025-export.csv", "judgment", [row("judgment")])
    write_csv(records / "Commendation.csv", "commendation", [row("commendation")])  # the only one: read
    write_csv(records / "涉经济类判决.csv", "judgment", [row("judgment")])
    sources = find_sources(records, CATALOGUE)
    assert sorted((s.item, s.name) for s in sources) == [("commendation", "Commendation.csv"),
                                                         ("judgment", "judgment.csv"), ("judgment", "涉经济类判决.csv")]
    assert "Judgment" in unclaimed_paths(records, sources)


def test_two_files_whose_names_differ_only_in_case_are_refused(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [row("judgment")])
    write_csv(records / "Judgment.csv", "judgment", [row("judgment")])
    with pytest.raises(InputError, match="differ only in the case of their names"):
        find_sources(records, CATALOGUE)


@pytest.mark.skipif(os.fsencode("\udcd0") != b"\xd0", reason="needs a file system encoding with surrogateescape")
def test_file_names_in_gbk_bytes_are_read_as_their_writer_wrote_them(tmp_path: Path) -> None:
    """Bug: an export unzipped from a Chinese Windows has its names in GBK bytes: 行政处罚.csv was not read, and a
    stray 说明.txt beside the records stopped every build with a traceback (a name no UTF-8 text can hold, written to
    the audit files)."""
    records = tmp_path / "records"
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license")])
    penalties = records / os.fsdecode("行政处罚".encode("gbk") + b".csv")
    (records / "admin_license.csv").replace(penalties)
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license")])
    (records / os.fsdecode("说明".encode("gbk") + b".txt")).write_text("note\n", encoding="utf-8")
    sources = find_sources(records, CATALOGUE)
    assert sorted((s.item, s.name) for s in sources) == [("admin_license", "admin_license.csv"),
                                                         ("admin_penalty", "行政处罚.csv")]
    assert unclaimed_paths(records, sources) == ["说明.txt"]


# 9. An in-memory database


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory&uri=true"])
def test_an_in_memory_sqlite_source_is_refused(tmp_path: Path, url: str) -> None:
    """Bug: a first build from ``sqlite://`` published an empty site and exited 0."""
    message = config_error(config_file(tmp_path, f'[sources]\nurl = "{url}"\n'))
    assert "Config value 'sources.url'" in message and "in-memory SQLite database" in message


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_source_given_on_the_command_line_or_through_the_environment_is_refused(
        tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.sources.database import Database, with_source
    from site_builder.sources.mapping import SourceSettings

    with pytest.raises(ConfigError, match="--source .* in-memory SQLite database"):
        with_source(load_config(config_file(tmp_path, "")), url)
    monkeypatch.setenv("MEMORY_URL", url)
    with pytest.raises(ConfigError, match="sources.url.* in-memory SQLite database"):
        Database(SourceSettings(url="env:MEMORY_URL"), tmp_path).engine()


# 10. An unknown profile


def test_an_unknown_profile_lists_the_profiles() -> None:
    """Bug: the message named the packaged path only."""
    with pytest.raises(CatalogueError) as error:
        load_profile([PROFILES_DIR], "zhejang", CATALOGUE)
    assert "the profiles are " in str(error.value) and "national" in str(error.value) and "zhejiang" in str(error.value)


# 11. The licence


@pytest.mark.parametrize(("licence", "said"), [
    ("CC BY 4.0", "must be an SPDX licence identifier"),
    ("署名 4.0", "must be an SPDX licence identifier"),
    ("cc-by-4.0", "write the SPDX identifier as 'CC-BY-4.0'"),
])
def test_a_licence_that_is_no_spdx_identifier_is_refused(tmp_path: Path, licence: str, said: str) -> None:
    """Bug: not checked; the data package linked https://spdx.org/licenses/CC BY 4.0.html."""
    message = config_error(config_file(tmp_path, f'[site]\nlicence = "{licence}"\n'))
    assert f"Config value 'site.licence': {said}" in message


@pytest.mark.parametrize("licence", ["CC0-1.0", "ODbL-1.0", "MIT", "LicenseRef-credit-local"])
def test_an_spdx_licence_identifier_is_accepted(tmp_path: Path, licence: str) -> None:
    assert load_config(config_file(tmp_path, f'[site]\nlicence = "{licence}"\n')).site.licence == licence


# 12. verify after a key rotation


def _keypair(root: Path, name: str) -> tuple[Path, Path]:
    private, public = root / "keys" / f"{name}.pem", root / "keys" / f"{name}.pub.pem"
    result = CliRunner().invoke(main, ["keygen", "--key", str(private), "--public-key", str(public)])
    assert result.exit_code == 0, result.output
    return private, public


def _signed(root: Path, records: Path, key: Path, previous: Path | None = None) -> Config:
    base = site_config(root, records, search=False)
    return dataclasses.replace(base, signing=dataclasses.replace(base.signing, key=key, previous_key=previous))


def _fingerprint(public: Path) -> str:
    from site_builder.audit import signing

    return signing.fingerprint(signing.load_public_key(public))


def test_verify_names_the_key_that_signed_the_head_after_a_rotation(tmp_path: Path) -> None:
    """Bug: with ``--public-key k1`` the OK line said "signature by <k1>" though k2, which k1 handed over to, signed."""
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", decision_date="2026-06-01")])
    old, old_public = _keypair(tmp_path, "old")
    new, new_public = _keypair(tmp_path, "new")
    build(_signed(tmp_path, records, old), date(2026, 11, 23))
    build(_signed(tmp_path, records, new, previous=old), AS_OF)

    def ok_line(public: Path) -> str:
        result: Result = CliRunner().invoke(main, ["verify", str(tmp_path / "output"), "--records", str(records),
                                                   "--no-data", "--public-key", str(public)])
        assert result.exit_code == 0, result.output
        return result.output

    by_old = ok_line(old_public)
    assert f"signature by {_fingerprint(new_public)} (built " in by_old
    assert f"; endorsed by the given key {_fingerprint(old_public)} through the chain)" in by_old
    by_new = ok_line(new_public)
    assert f"signature by {_fingerprint(new_public)} (built " in by_new and "endorsed" not in by_new


def test_the_golden_site_still_loads(tmp_path: Path) -> None:
    """The checks above refuse nothing the golden site's configuration says."""
    shutil.copytree(GOLDEN_SITE, tmp_path / "site")
    assert load_config(tmp_path / "site" / "site_builder.toml").site.licence == "CC-BY-4.0"
