"""Parsed records files kept for the next build (``rules/parsed.py``, issue 13).

1. A records file read back from its kept file gives what parsing it gives: every row (cells, place, defects,
   digest, record id) and the file's report (encoding, hash, headings, warnings, count), for CSV files in UTF-8
   and GB18030 with a title line, an unknown column, broken quoting, short rows and extra cells, and for a
   workbook of two worksheets (columns in another order) and a third without headings; the second read does not parse the file.
2. Other bytes under the same name are parsed again; kept files of records files no longer read are removed.
3. A kept file that does not read back exactly (cut short, a byte changed in its header or in its cells) is not
   used: the file is parsed again; one removed after it was checked makes its cells :class:`Damaged`.
4. What a cold build keeps of an item's rows (:class:`Copies`) gives them back as read.
5. Builds: a warm build that takes its rows from kept files, without parsing any records file, writes the same
   decisions and site as a build that decides every row, over the days on which results expire; with a kept file
   damaged after it was checked, the build reads the item's files again and gives the same.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import CATALOGUE, row, site_config, write_csv
from test_golden import tree
from test_rowcache import audit_files, records

from site_builder.audit.layout import AuditFolder
from site_builder.build import build
from site_builder.config import BuildSettings
from site_builder.rules import parsed as parsed_module
from site_builder.rules import pipeline
from site_builder.rules.parsed import CHUNK, Copies, ParsedFiles, materialise
from site_builder.sources.loading import FileReport, RawRow, SourceFile, find_sources, read_rows

DAY = date(2026, 11, 24)
PENALTY = CATALOGUE["admin_penalty"]


def dirty_csv(path: Path, encoding: str = "utf-8-sig") -> Path:
    """A penalty export with a title line, an unknown column, broken quoting, a short row and extra cells, and
    more rows than one chunk."""
    write_csv(path, "admin_penalty", [row("admin_penalty", record_id=f"AP-{n}") for n in range(CHUNK + 5)],
              encoding=encoding)
    lines = [line + "," for line in path.read_text(encoding=encoding).splitlines()]  # an empty 备注栏 each
    lines[0] = lines[0] + "备注栏"
    lines.insert(0, "行政处罚信息公示表")
    lines.insert(5, 'AP-X,"引号"之后还有字,已审核')
    lines.insert(8, "AP-S,已审核")
    lines[12] = lines[12] + "多出的单元格,又一个"
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def two_sheets(path: Path) -> Path:
    path.parent.mkdir(parents=True)
    book = openpyxl.Workbook()
    for number, sheet in enumerate([book.active, book.create_sheet("第二批")]):
        assert sheet is not None
        fields = [f for f in PENALTY.fields if f.name in row("admin_penalty")]
        sheet.append([f.title for f in fields][::1 if number == 0 else -1])  # the second sheet's columns reversed
        for n in range(3):
            values = row("admin_penalty", record_id=f"AP-{number}-{n}")
            sheet.append([values[f.name] for f in fields][::1 if number == 0 else -1])
    book.create_sheet("填报说明").append(["请按表头填写"])  # no heading row: a warning
    book.save(path)
    return path


def plain(source: SourceFile) -> tuple[list[tuple[object, ...]], FileReport]:
    report = FileReport(source)
    return [row_[:5] + (materialise(row_[5]),) for row_ in pipeline._read(source, PENALTY, report, "record_id")], report


def kept(files: ParsedFiles, source: SourceFile) -> tuple[list[tuple[object, ...]], FileReport]:
    report = FileReport(source)
    return [row_[:5] + (materialise(row_[5]),) for row_ in files.read(source, PENALTY, report, "record_id")], report


@pytest.mark.parametrize("make", [dirty_csv, lambda p: dirty_csv(p, "gb18030"), two_sheets],
                         ids=["csv", "gb18030", "workbook"])
def test_a_kept_file_gives_what_parsing_the_file_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: object) -> None:
    path = make(tmp_path / "records" / ("admin_penalty.xlsx" if make is two_sheets else "admin_penalty.csv"))  # type: ignore[operator]
    source = find_sources(tmp_path / "records", CATALOGUE)[0]
    expected, expected_report = plain(source)
    files = ParsedFiles(tmp_path / "kept", "key")
    first, first_report = kept(files, source)  # parsed, and kept
    assert len(list((tmp_path / "kept").iterdir())) == 1

    def parse_again(*_: object, **__: object) -> None:
        raise AssertionError("a kept file was parsed again")

    monkeypatch.setattr(parsed_module, "read_rows", parse_again)
    second, second_report = kept(files, source)
    assert first == expected and second == expected
    assert first_report == expected_report and second_report == expected_report
    assert expected_report.warnings and expected_report.sha256 and len(expected) > 3, expected_report
    if path.suffix == ".csv":
        assert any(r[3] for r in expected), "the broken rows carry their defects"
        assert any(r[5].extra_cells for r in expected)  # type: ignore[attr-defined]


@pytest.mark.parametrize("make", [dirty_csv, two_sheets], ids=["csv", "workbook"])
def test_copies_give_back_the_rows_as_read(tmp_path: Path, make: object) -> None:
    """What a cold build keeps of an item's rows (:class:`Copies`) gives each row back as reading gave it, in any
    order: defects, extra cells, a second worksheet's columns in another order."""
    make(tmp_path / "records" / ("admin_penalty.xlsx" if make is two_sheets else "admin_penalty.csv"))  # type: ignore[operator]
    rows = list(read_rows(find_sources(tmp_path / "records", CATALOGUE)[0], PENALTY))
    copies = Copies(PENALTY.id)
    for raw in rows:
        copies.add(raw)
    order = [len(rows) - 1, 0, 1, *range(2, len(rows) - 1)]  # the unfinished last chunk, then the first from the start
    assert [copies.raw(number) for number in order] == [rows[number] for number in order]


def test_other_bytes_are_parsed_again_and_unread_kept_files_removed(tmp_path: Path) -> None:
    path = dirty_csv(tmp_path / "records" / "admin_penalty.csv")
    source = find_sources(tmp_path / "records", CATALOGUE)[0]
    files = ParsedFiles(tmp_path / "kept", "key")
    kept(files, source)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("AP-7,", "AP-77,"), encoding="utf-8-sig")
    expected, report = plain(source)
    assert kept(files, source)[0] == expected and any(r[2] == "ap-77" for r in expected)
    assert len(list((tmp_path / "kept").iterdir())) == 2
    assert files.prune([report]) == 1
    assert [p.name for p in (tmp_path / "kept").iterdir()] == [files.path("admin_penalty", source.name, report.sha256).name]
    other = ParsedFiles(tmp_path / "kept", "other key")  # a change of software, catalogue or profile: parsed again
    assert all(isinstance(r[5], RawRow) for r in other.read(source, PENALTY, FileReport(source), "record_id"))
    assert len(list((tmp_path / "kept").iterdir())) == 2


@pytest.mark.parametrize("damage", ["cut short", "header", "cells"])
def test_a_kept_file_that_does_not_read_back_is_not_used(tmp_path: Path, damage: str) -> None:
    dirty_csv(tmp_path / "records" / "admin_penalty.csv")
    source = find_sources(tmp_path / "records", CATALOGUE)[0]
    files = ParsedFiles(tmp_path / "kept", "key")
    expected, _ = kept(files, source)
    (path,) = (tmp_path / "kept").iterdir()
    data = bytearray(path.read_bytes())
    if damage == "cut short":
        data = data[:-10]
    else:
        data[20 if damage == "header" else len(data) - 100] ^= 0x01
    path.write_bytes(bytes(data))
    rows = list(files.read(source, PENALTY, FileReport(source), "record_id"))
    assert all(not isinstance(r[5], parsed_module.Cells) for r in rows), "parsed again"
    assert [r[:5] + (materialise(r[5]),) for r in rows] == expected


def test_builds_from_kept_files_are_builds_that_decide_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = records(tmp_path / "records")
    write_csv(source / "admin_penalty" / "more.csv", "admin_penalty",
              [row("admin_penalty", record_id=f"AP-M{n}", decision_date=f"2025-11-{n % 28 + 1:02d}") for n in range(60)])
    (source / "admin_penalty.csv").rename(source / "admin_penalty" / "first.csv")
    config_i, config_f = (site_config(tmp_path / name, source, search=False) for name in ("I", "F"))
    config_i = dataclasses.replace(config_i, build=BuildSettings(workers=1))
    folder = AuditFolder(config_i.paths.audit).parsed_rows

    def parse_again(*_: object, **__: object) -> None:
        raise AssertionError("a kept file was parsed again")

    hits = []
    days = [DAY, DAY, DAY + timedelta(days=1), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 1)]
    for step, day in enumerate(days):  # the first build decides every row, the second parses and keeps
        with monkeypatch.context() as patch:
            if 2 <= step < 5:
                assert len(list(folder.iterdir())) == 3  # one per records file
                patch.setattr(parsed_module, "read_rows", parse_again)
            elif step == 5:  # a chunk of cells changed after its file was checked: the item's files are read again
                def damaged(self: parsed_module._Kept, number: int) -> object:
                    raise parsed_module.Damaged(self.path)

                patch.setattr(parsed_module._Kept, "raw", damaged)
            cached = build(config_i, day)
        full = build(config_f, day, full=True)
        assert audit_files(config_i, cached.entry.build_id) == audit_files(config_f, full.entry.build_id), day
        built_i, built_f = tree(cached.output.resolve()), tree(full.output.resolve())
        assert sorted(built_i) == sorted(built_f), (day, set(built_i) ^ set(built_f))
        assert [n for n in built_i if built_i[n] != built_f[n]] == [], day
        hits.append(cached.cached)
    assert hits[0] == 0 and hits[1] == 66 and all(0 < n < 66 for n in hits[2:]), hits  # rows decided again from kept cells
    shutil.rmtree(source / "admin_penalty")
    build(config_i, date(2026, 12, 2), allow_empty=frozenset({"admin_penalty"}))
    assert len(list(folder.iterdir())) == 1, "the kept files of files no longer read are removed"


def test_a_kept_file_removed_after_its_check_is_damaged_not_an_error(tmp_path: Path) -> None:
    """Cells asked for once the kept file is gone raise :class:`Damaged`, on which the build reads the item's files."""
    dirty_csv(tmp_path / "records" / "admin_penalty.csv")
    source = find_sources(tmp_path / "records", CATALOGUE)[0]
    files = ParsedFiles(tmp_path / "kept", "key")
    kept(files, source)
    rows = list(files.read(source, PENALTY, FileReport(source), "record_id"))
    assert isinstance(rows[0][5], parsed_module.Cells)
    for path in (tmp_path / "kept").iterdir():
        path.unlink()
    with pytest.raises(parsed_module.Damaged):
        rows[0][5].raw()
