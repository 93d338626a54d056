"""The download folder in incremental builds (issue 13): a data file whose content would be the same is taken over
from the previous build (the same file, not written again), and the data folder is byte for byte what a full build
makes; ``verify`` validates with frictionless only the data files written new. No data file but the download page
shows the as-of date (the others are dated by their data), so the next day with no record changed takes every
other data file over.

Each scenario builds A, copies it (sequence F), changes the records or the date, and builds B incrementally (I)
and in full (F), as tests/test_incremental.py does. A file taken over is the live file itself (a hard link, same
inode); a file written again is a new inode. Records come from scripts/generate_records.py (40 subjects, 200 rows).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import CATALOGUE, PROFILES_DIR, site_config
from dbsupport import generator
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from test_incremental import PENALTY, copy_records, published, read_rows, remove, update

from site_builder.audit import verify
from site_builder.audit.verify import verify_site
from site_builder.build import BuildResult, build
from site_builder.config import Config, DataSettings
from site_builder.outputs import parallel, xlsx_export
from site_builder.outputs.datapackage import DataPackageOutput
from site_builder.outputs.site import Site
from site_builder.outputs.tables import Table
from site_builder.outputs.xlsx_export import ItemWorkbook
from site_builder.rules.profiles import load_profile
from site_builder.rules.redaction import PublicRecord
from site_builder.store.published import PublishedStore

AS_OF = date(2026, 11, 24)
ITEMS = ("subject", "admin_license", "commendation", "admin_penalty", "dishonest_list", "judgment")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated rows over 40 subjects."""
    folder = tmp_path_factory.mktemp("data_reuse") / "records"
    generator().main(["--out", str(folder), "--subjects", "40", "--records", "200"])
    return folder


def data_tree(site: Path) -> dict[str, bytes]:
    """The files of the site's download folder, by site path."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "data").rglob("*")) if p.is_file()}


def inodes(site: Path) -> dict[str, int]:
    """The inode of each file of the site's download folder."""
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in (site / "data").rglob("*") if p.is_file()}


@dataclass(frozen=True)
class Builds:
    """Build A's download folder and inodes, and build B's made incrementally (with its inodes) and in full."""

    before: dict[str, bytes]
    before_inodes: dict[str, int]
    incremental: dict[str, bytes]
    incremental_inodes: dict[str, int]
    full: dict[str, bytes]
    result: BuildResult
    config: Config
    """The configuration of the incremental sequence (to build on after B)."""

    def taken_over(self) -> set[str]:
        """Data files of build B that are build A's files (hard links to them)."""
        return {name for name, inode in self.incremental_inodes.items() if self.before_inodes.get(name) == inode}


def configured(config: Config, partition_bytes: int | None, workers: int | None) -> Config:
    """``config`` with ``[data] partition_bytes`` and ``[build] workers`` if given."""
    if partition_bytes is not None:
        config = dataclasses.replace(config, data=DataSettings(partition_bytes=partition_bytes))
    if workers is not None:
        config = dataclasses.replace(config, build=dataclasses.replace(config.build, workers=workers))
    return config


def two_builds(root: Path, records: Path, change: Callable[[BuildResult], date], partition_bytes: int | None = None,
               workers: int | None = None) -> Builds:
    """Build A in ``root``/I and copy it to ``root``/F; ``change`` edits the records and gives build B's date; build B
    incrementally in I and in full in F. Both B's download folders must be the same."""
    config_i, config_f = (configured(site_config(root / name, records, search=False), partition_bytes, workers)
                          for name in ("I", "F"))
    first = build(config_i, AS_OF)
    shutil.copytree(root / "I", root / "F", symlinks=True)
    site_a = first.output.resolve()
    before, before_inodes = data_tree(site_a), inodes(site_a)
    as_of = change(first)
    result = build(config_i, as_of)
    full = build(config_f, as_of, full=True)
    site_b = result.output.resolve()
    builds = Builds(before, before_inodes, data_tree(site_b), inodes(site_b), data_tree(full.output.resolve()), result,
                    config_i)
    assert sorted(builds.incremental) == sorted(builds.full)
    assert [name for name in builds.full if builds.incremental[name] != builds.full[name]] == []
    return builds


def item_files(item: str) -> set[str]:
    return {f"data/{item}{suffix}" for suffix in (".csv", ".xlsx", ".datapackage.json", ".zip")}


def zip_dates(data: bytes) -> set[str]:
    """The dates (ISO) of a zip's members."""
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        return {"{:04d}-{:02d}-{:02d}".format(*info.date_time[:3]) for info in zipped.infolist()}


def workbook_date(data: bytes) -> str:
    """The one date a workbook shows: its zip members', its properties' and its 字段说明 sheet's."""
    book = load_workbook(io.BytesIO(data))
    shown: datetime | None = book.properties.modified
    assert shown is not None and book.properties.created == shown
    day = shown.date().isoformat()
    assert zip_dates(data) == {day} and book.properties.title is not None and book.properties.title.endswith(f"（数据更新于 {day}）")
    assert any(row[:2] == ("数据更新日期", day) for row in book["字段说明"].iter_rows(values_only=True))
    return day


def data_date(files: dict[str, bytes], item: str | None) -> str:
    """The one date the files of ``item`` (``None``: the package of everything) show: its descriptor's ``created`` and
    ``version``, its zip's members, its workbook."""
    package = json.loads(files[f"data/{item}.datapackage.json" if item else "data/datapackage.json"])
    day = date.fromisoformat(package["created"][:10])
    assert package["version"] == f"{day.year}.{day.month}.{day.day}+national"
    assert zip_dates(files[f"data/{item}.zip" if item else "data/datapackage.zip"]) == {day.isoformat()}
    if item and f"data/{item}.xlsx" in files:
        assert workbook_date(files[f"data/{item}.xlsx"]) == day.isoformat()
    return day.isoformat()


def catalogue_dates(files: dict[str, bytes]) -> dict[str, tuple[str, str | None]]:
    """``(dct:modified, dct:issued)`` of the catalogue (``catalog``) and of each dataset (by its fragment) in catalog.jsonld."""
    catalog = json.loads(files["data/catalog.jsonld"])

    def of(node: dict[str, Any]) -> tuple[str, str | None]:
        return node["dct:modified"]["@value"], node.get("dct:issued", {}).get("@value")

    return {"catalog": of(catalog)} | {d["@id"].rsplit("#", 1)[1]: of(d) for d in catalog["dcat:dataset"]}


def quiet_until(first: BuildResult, day: date) -> None:
    """Nothing the records hold changes the published set before ``day`` (no period ends or starts)."""
    manifest = json.loads((first.output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["next_change"] > day.isoformat(), manifest["next_change"]


# --- Incremental equals full, and what is taken over ------------------------------------------------------------------


def test_an_item_whose_records_did_not_change_keeps_its_files(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    changed: list[str] = []

    def edit(first: BuildResult) -> date:
        target = published(first)[0]["record_id"]
        update(records, PENALTY, target, penalty_content="处以罚款（复核更正）")
        changed.append(target)
        return AS_OF

    builds = two_builds(tmp_path, records, edit)
    taken = builds.taken_over()
    for item in ITEMS:
        if item != PENALTY:
            assert item_files(item) <= taken, item
    assert not item_files(PENALTY) & taken
    for name in item_files(PENALTY):
        assert builds.incremental[name] != builds.before[name], name
    assert "处以罚款（复核更正）" in builds.incremental[f"data/{PENALTY}.csv"].decode("utf-8-sig")
    # the counts did not change: the statistics are taken over; the package of everything holds the new CSV
    assert {"data/statistics.json", "data/statistics.csv"} <= taken
    assert not {"data/datapackage.json", "data/datapackage.zip"} & taken


def test_nothing_changed_takes_the_whole_folder_over(generated: Path, tmp_path: Path) -> None:
    builds = two_builds(tmp_path, copy_records(generated, tmp_path), lambda first: AS_OF)
    assert builds.taken_over() == set(builds.incremental)  # the download page and the DCAT catalogue too
    assert builds.incremental == builds.before


NEXT_DAY = AS_OF + timedelta(days=1)
SHOWS_THE_AS_OF_DATE = {"data/index.html"}
"""The data files that show the build's as-of date: only the download page (数据截至 …), which changes every day."""


def test_the_next_day_takes_every_data_file_over(generated: Path, tmp_path: Path) -> None:
    """A day on, no record changed or expiring: every data file but the download page is taken over (the same
    file), the packages keep their version, and the site is what a full build of that day makes (``two_builds``)."""

    def wait(first: BuildResult) -> date:
        quiet_until(first, NEXT_DAY)
        return NEXT_DAY

    builds = two_builds(tmp_path, copy_records(generated, tmp_path), wait)
    assert builds.taken_over() == set(builds.incremental) - SHOWS_THE_AS_OF_DATE
    assert {name for name in builds.incremental if builds.incremental[name] != builds.before[name]} == SHOWS_THE_AS_OF_DATE
    page = builds.incremental["data/index.html"].decode("utf-8")
    assert "数据截至 2026-11-25" in page and "版本 2026.11.24+national" in page
    assert {data_date(builds.incremental, item) for item in (*ITEMS, None)} == {"2026-11-24"}
    assert builds.result.reused > 0


def test_a_record_changed_the_next_day_redates_its_item_only(generated: Path, tmp_path: Path) -> None:
    """The item's CSV, workbook, descriptor and zip are new and dated the day of the change, as are the package of
    everything (which holds the item's CSV) and the catalogue; every other item keeps its files and date."""
    records = copy_records(generated, tmp_path)

    def edit(first: BuildResult) -> date:
        quiet_until(first, NEXT_DAY)
        update(records, PENALTY, published(first)[0]["record_id"], penalty_content="处以罚款（复核更正）")
        return NEXT_DAY

    builds = two_builds(tmp_path, records, edit)
    taken = builds.taken_over()
    for item in ITEMS:
        if item != PENALTY:
            assert item_files(item) <= taken, item
            assert data_date(builds.incremental, item) == "2026-11-24", item
    assert not item_files(PENALTY) & taken
    assert data_date(builds.incremental, PENALTY) == data_date(builds.incremental, None) == "2026-11-25"
    assert {"data/statistics.json", "data/statistics.csv"} <= taken  # the counts did not change
    assert not {"data/datapackage.json", "data/datapackage.zip", "data/catalog.jsonld", "data/index.html"} & taken
    dates = catalogue_dates(builds.incremental)
    assert dates["catalog"] == dates["all"] == dates[PENALTY] == ("2026-11-25", "2026-11-24")
    assert {dates[item][0] for item in ITEMS if item != PENALTY} == {"2026-11-24"}


def test_a_withdrawal_dates_its_item_and_the_next_day_keeps_that_date(generated: Path, tmp_path: Path) -> None:
    """A record withdrawn dates its item's package on that day, though no record it still holds changed (the package's
    version changes with its content); the day after, with nothing changed, every data file but the download page is
    taken over again: the day of the withdrawal comes from the audit's record state, not from the previous files."""
    records = copy_records(generated, tmp_path)
    day_three = NEXT_DAY + timedelta(days=1)

    def withdraw(first: BuildResult) -> date:
        quiet_until(first, day_three)
        remove(records, PENALTY, published(first)[0]["record_id"])
        return NEXT_DAY

    builds = two_builds(tmp_path, records, withdraw)
    assert data_date(builds.incremental, PENALTY) == data_date(builds.incremental, None) == "2026-11-25"
    assert {data_date(builds.incremental, item) for item in ITEMS if item != PENALTY} == {"2026-11-24"}
    assert {item for item in ITEMS if not item_files(item) <= builds.taken_over()} == {PENALTY}
    third = build(builds.config, day_three).output.resolve()
    after, after_inodes = data_tree(third), inodes(third)
    assert {name for name, inode in after_inodes.items() if builds.incremental_inodes.get(name) != inode} == SHOWS_THE_AS_OF_DATE
    assert data_date(after, PENALTY) == "2026-11-25" and b"2026-11-26" in after["data/index.html"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_split_item_keeps_the_years_whose_records_did_not_change(generated: Path, tmp_path: Path, workers: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process, and in worker processes (a pool forced for so small a site), which take the unchanged years'
    workbooks over themselves. The change is made the next day: the changed year's workbook shows that day, the
    others keep the day of their records."""
    monkeypatch.setattr(parallel, "MIN_FILES", 0)
    records = copy_records(generated, tmp_path)
    years: list[str] = []

    def edit(first: BuildResult) -> date:
        rows = {r["record_id"]: r for r in read_rows(records, PENALTY)}
        target = published(first)[-1]["record_id"]
        years.append(rows[target]["decision_date"][:4])
        update(records, PENALTY, target, penalty_content="处以罚款（复核更正）")
        quiet_until(first, NEXT_DAY)
        return NEXT_DAY

    builds = two_builds(tmp_path, records, edit, partition_bytes=1, workers=workers)
    parts = sorted(name for name in builds.incremental if name.startswith(f"data/{PENALTY}/"))
    assert len(parts) >= 4, parts  # at least two years, a CSV and a workbook each
    changed = {f"data/{PENALTY}/{years[0]}.csv", f"data/{PENALTY}/{years[0]}.xlsx"}
    assert changed <= set(parts)
    assert not changed & builds.taken_over()
    assert set(parts) - changed <= builds.taken_over()
    assert not any(name.endswith(".partial") for name in builds.incremental)
    books = {name: workbook_date(builds.incremental[name]) for name in parts if name.endswith(".xlsx")}
    assert books.pop(f"data/{PENALTY}/{years[0]}.xlsx") == "2026-11-25" and set(books.values()) == {"2026-11-24"}
    assert data_date(builds.incremental, PENALTY) == "2026-11-25"


def test_a_year_kept_from_the_spare_is_still_there_when_a_later_year_changed(generated: Path, tmp_path: Path) -> None:
    """Builds A, B (a day on, nothing changed) and C (a day later, a record of the item's latest year edited), the
    item published by year. C's staging folder is the spare (A's site), which holds the earliest year's workbook
    unchanged: C keeps that very file. Taking the item's workbooks over, C kept it, failed at the later year and gave
    back what it had kept; that removed the spare's file though the index still counted it the spare's, so writing
    the workbooks again 'kept' a file no longer there: manifest.json, catalog.jsonld and the download page listed a
    workbook the site lacked, and the build's own verify (which reads no file taken over) passed it."""
    records = tmp_path / "records"  # the penalties only: the one item split, and validated, by year
    records.mkdir()
    shutil.copy(generated / f"{PENALTY}.csv", records)
    config = configured(site_config(tmp_path, records, search=False), 1, None)
    day_c = NEXT_DAY + timedelta(days=1)
    first = build(config, AS_OF)
    quiet_until(first, day_c)
    spare_inodes = inodes(first.output.resolve())
    build(config, NEXT_DAY)
    rows = {r["record_id"]: r for r in read_rows(records, PENALTY)}
    years = sorted({rows[d["record_id"]]["decision_date"][:4] for d in published(first)})
    assert len(years) >= 2, years
    latest = next(d["record_id"] for d in published(first) if rows[d["record_id"]]["decision_date"].startswith(years[-1]))
    update(records, PENALTY, latest, penalty_content="处以罚款（复核更正）")
    site = build(config, day_c).output.resolve()
    kept = f"data/{PENALTY}/{years[0]}.xlsx"
    assert (site / kept).stat().st_ino == spare_inodes[kept]  # the spare's very file, kept
    assert verify_site(site) == []


def test_the_builds_verify_finds_a_listed_file_missing_and_one_not_listed(site: Path, tmp_path: Path) -> None:
    """The build verifies without hashing (it hashed what it wrote, and takes files over unread), yet one walk of the
    site still finds a file the manifest lists that is not there, and one there that it does not list."""
    copy = Path(shutil.copytree(site, tmp_path / "copy"))
    assert verify_site(copy, check_hashes=False) == []
    (copy / "data" / f"{PENALTY}.xlsx").unlink()
    (copy / "data" / "extra.txt").write_text("手工添加\n", encoding="utf-8")
    problems = verify_site(copy, check_hashes=False, check_links=False)
    assert f"data/{PENALTY}.xlsx: listed in manifest.json but missing" in problems
    assert "data/extra.txt: not listed in manifest.json" in problems


def test_an_item_that_shrinks_below_the_limit_is_one_file_again(generated: Path, tmp_path: Path) -> None:
    probe = build(site_config(tmp_path / "probe", copy_records(generated, tmp_path / "probe"), search=False), AS_OF)
    size = (probe.output / "data" / f"{PENALTY}.csv").stat().st_size
    records = copy_records(generated, tmp_path)

    def withdraw(first: BuildResult) -> date:
        assert (first.output / "data" / PENALTY).is_dir()  # split: its CSV passes the limit by one byte
        for row in published(first)[:2]:
            remove(records, PENALTY, row["record_id"])
        return AS_OF

    builds = two_builds(tmp_path, records, withdraw, partition_bytes=size - 1)
    assert f"data/{PENALTY}.csv" in builds.incremental and f"data/{PENALTY}.xlsx" in builds.incremental
    assert not any(name.startswith(f"data/{PENALTY}/") for name in builds.incremental)


def test_statistics_edited_on_the_live_site_are_not_believed(generated: Path, tmp_path: Path) -> None:
    """The counts of items taken over come from the previous build's statistics.json only while it is the file that
    build wrote."""
    records = copy_records(generated, tmp_path)

    def tamper(first: BuildResult) -> date:
        path = first.output / "data" / "statistics.json"
        statistics = json.loads(path.read_text(encoding="utf-8"))
        subject = next(entry for entry in statistics["items"] if entry["item"] == "subject")
        subject["counts"]["year"][0]["count"] += 1000
        path.write_text(json.dumps(statistics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        update(records, PENALTY, published(first)[0]["record_id"], penalty_content="处以罚款（复核更正）")
        return AS_OF

    builds = two_builds(tmp_path, records, tamper)
    assert f"data/{PENALTY}.csv" not in builds.taken_over() and "data/subject.csv" in builds.taken_over()
    assert builds.incremental["data/statistics.json"] == builds.before["data/statistics.json"]


# --- Verify: frictionless reads only what was written new -------------------------------------------------------------


@pytest.fixture(scope="module")
def site(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verified")
    return build(site_config(root, copy_records(generated, root), search=False), AS_OF).output.resolve()


def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The resources that frictionless validates from now on, by name."""
    seen: list[str] = []
    validate = verify._resource_problems

    def recording(descriptor: str, name: str) -> list[str]:
        seen.append(name)
        return validate(descriptor, name)

    monkeypatch.setattr(verify, "_resource_problems", recording)
    return seen


def test_verify_validates_every_resource_unless_told_some_were_taken_over(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = spy(monkeypatch)
    assert verify_site(site) == []
    names = {r["name"] for r in json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    assert set(seen) == names and len(seen) == len(names)
    seen.clear()
    assert verify_site(site, validated=frozenset({"data/admin_license.csv", "data/statistics.csv", "index.html"})) == []
    assert set(seen) == names - {"admin-license", "statistics"}


def break_table(site: Path, tmp_path: Path, listed_as_new: bool) -> Path:
    """A copy of ``site`` whose admin_penalty.csv has a row that is not a date where a date goes, its new size and hash
    in both descriptors; in manifest.json too if ``listed_as_new``."""
    copy = Path(shutil.copytree(site, tmp_path / "copy"))
    table = copy / "data" / f"{PENALTY}.csv"
    lines = table.read_bytes().split(b"\r\n")
    cells = lines[1].split(b",")
    header = lines[0].decode("utf-8-sig").split(",")
    cells[header.index("publication_start")] = b"not-a-date"
    lines[1] = b",".join(cells)
    table.write_bytes(b"\r\n".join(lines))
    data = table.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    for name in ("datapackage.json", f"{PENALTY}.datapackage.json"):
        descriptor = copy / "data" / name
        package: dict[str, Any] = json.loads(descriptor.read_text(encoding="utf-8"))
        for resource in package["resources"]:
            if resource["path"] == f"{PENALTY}.csv":
                resource["bytes"], resource["hash"] = len(data), "sha256:" + digest
        descriptor.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    if listed_as_new:
        manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
        manifest["outputs"][f"data/{PENALTY}.csv"] = digest
        (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def test_a_bad_table_written_new_is_still_caught(site: Path, tmp_path: Path) -> None:
    others = frozenset(f"data/{item}.csv" for item in ITEMS if item != PENALTY) | {"data/statistics.csv"}
    problems = verify_site(break_table(site, tmp_path, listed_as_new=True), check_hashes=False, validated=others)
    assert any(p.startswith(f"data/{PENALTY}.csv: ") and "not-a-date" in p for p in problems), problems


def test_a_table_said_taken_over_is_validated_if_its_hash_is_not_the_manifests(site: Path, tmp_path: Path) -> None:
    everything = frozenset(f"data/{item}.csv" for item in ITEMS) | {"data/statistics.csv"}
    problems = verify_site(break_table(site, tmp_path, listed_as_new=False), check_hashes=False, validated=everything)
    assert any(p.startswith(f"data/{PENALTY}.csv: ") and "not-a-date" in p for p in problems), problems


def test_a_table_taken_over_is_not_read_again(site: Path, tmp_path: Path) -> None:
    """What ``validated`` promises is trusted: frictionless does not read such a file (its earlier build did)."""
    everything = frozenset(f"data/{item}.csv" for item in ITEMS) | {"data/statistics.csv"}
    problems = verify_site(break_table(site, tmp_path, listed_as_new=True), check_hashes=False, validated=everything)
    assert not any("not-a-date" in p for p in problems), problems
    assert f"data/{PENALTY}.zip: {PENALTY}.csv differs from data/{PENALTY}.csv" in problems  # the zips are still read whole


def test_verify_in_several_processes_finds_the_same_problems(site: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    broken = break_table(site, tmp_path, listed_as_new=True)
    alone = verify_site(broken, check_hashes=False)
    monkeypatch.setattr(verify, "_PARALLEL_BYTES", 0)  # a pool however small the tables
    assert verify_site(broken, check_hashes=False, processes=2) == alone
    assert any(p.startswith(f"data/{PENALTY}.csv: ") and "not-a-date" in p for p in alone), alone


def listed_hashes(site: Path) -> dict[str, str]:
    outputs: dict[str, str] = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    return outputs


def resource_names(site: Path) -> set[str]:
    return {r["name"] for r in json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"]}


def test_the_validation_started_early_is_what_verify_reports(site: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A :class:`verify.DataCheck` validates every resource written in its own processes; verify takes those results
    (the broken table's problem among them) and validates nothing again."""
    broken = break_table(site, tmp_path, listed_as_new=True)
    alone = verify_site(broken, check_hashes=False)
    monkeypatch.setattr(verify, "_PARALLEL_BYTES", 0)
    with verify.DataCheck(broken, frozenset(), listed_hashes(broken), 2) as check:
        assert set(check.futures) == resource_names(broken)
        for future in check.futures.values():
            future.result()
        seen = spy(monkeypatch)
        assert verify_site(broken, check_hashes=False, data_check=check) == alone
        assert seen == []
    assert any(p.startswith(f"data/{PENALTY}.csv: ") and "not-a-date" in p for p in alone), alone


@pytest.mark.parametrize("change", ["descriptor", "hash", "taken over"])
def test_an_early_validation_of_something_else_is_not_used(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          change: str) -> None:
    """Verify validates again if, since the check started, the descriptor changed, a file's hash as the manifest
    lists it changed, or the files said taken over are others."""
    copy = Path(shutil.copytree(site, tmp_path / "copy"))
    monkeypatch.setattr(verify, "_PARALLEL_BYTES", 0)
    listed = listed_hashes(copy)
    taken_over = frozenset({f"data/{PENALTY}.csv"})
    if change == "hash":  # the check was started when the file had another hash than the one manifest.json now lists
        listed = {**listed, f"data/{PENALTY}.csv": "0" * 64}
    with verify.DataCheck(copy, frozenset(), listed, 2) as check:
        assert check.futures
        for future in check.futures.values():
            future.result()
        seen = spy(monkeypatch)
        descriptor = copy / "data" / "datapackage.json"
        if change == "descriptor":
            descriptor.write_bytes(descriptor.read_bytes() + b"\n")
        problems = verify_site(copy, check_hashes=False, validated=taken_over if change == "taken over" else frozenset(),
                               data_check=check)
    expected = resource_names(copy) - ({PENALTY.replace("_", "-")} if change == "taken over" else set())
    assert set(seen) == expected and len(seen) == len(expected)
    assert problems == (["data/datapackage.zip: datapackage.json differs from data/datapackage.json"]
                        if change == "descriptor" else [])


def test_a_build_validates_its_data_beside_the_outputs_after_it(tmp_path: Path, generated: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The build starts the validation once the download folder is written, before the search index, and its verify
    takes the results."""
    monkeypatch.setattr(verify, "_PARALLEL_BYTES", 0)
    events: list[str] = []
    started = verify.DataCheck.started

    def recording(check: verify.DataCheck, key: Any) -> Any:
        found = started(check, key)
        events.append(f"verify takes {len(found)}")
        return found

    from site_builder.outputs.search import SearchOutput

    search_write = SearchOutput.write

    def searching(output: SearchOutput, *args: Any) -> Any:
        events.append("search")
        return search_write(output, *args)

    init = verify.DataCheck.__init__

    def starting(check: verify.DataCheck, *args: Any) -> None:
        init(check, *args)
        events.append(f"check starts {len(check.futures)}")

    monkeypatch.setattr(verify.DataCheck, "__init__", starting)
    monkeypatch.setattr(verify.DataCheck, "started", recording)
    monkeypatch.setattr(SearchOutput, "write", searching)
    config = site_config(tmp_path, copy_records(generated, tmp_path), search=True)
    config = dataclasses.replace(config, build=dataclasses.replace(config.build, workers=2))
    result = build(config, AS_OF)
    resources = len(resource_names(result.output))
    assert events == [f"check starts {resources}", "search", f"verify takes {resources}"]
    assert verify_site(result.output) == []


# --- The workbook ------------------------------------------------------------------------------------------


def test_a_text_cell_stays_text_whatever_it_holds(tmp_path: Path) -> None:
    """An error code, a number, a date and a code of digits in text columns are text cells (format ``@``), as in the
    CSV; the amount and the decision date are a number and a date."""
    config = site_config(tmp_path, tmp_path / "records")
    store = PublishedStore(tmp_path / "store.sqlite")
    code = "913301007123456786"
    fields = {f.name: "" for f in CATALOGUE[PENALTY].public_fields} | {
        "record_id": "AP-1", "subject_name": "杭州数字科技有限公司", "uscc": code, "decision_no": "0012",
        "violation_facts": "#N/A", "remarks": "2026-01-01", "penalty_content": "12.50",
        "decision_date": "2026-06-01", "fine_amount": "12.5", "severity": "一般"}
    store.add(PublicRecord(PENALTY, "AP-1", code, "杭州数字科技有限公司", "legal_person", "杭州市市场监督管理局",
                           date(2026, 6, 1), None, None, fields))
    store.flush()
    try:
        site = Site(config, CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE), AS_OF, store)
        DataPackageOutput().write(site, tmp_path / "site")
    finally:
        store.close()
    sheet = load_workbook(tmp_path / "site" / "data" / f"{PENALTY}.xlsx").worksheets[0]
    rows = list(sheet.iter_rows())
    cells: dict[str, Any] = {str(title.value): cell for title, cell in zip(rows[0], rows[1], strict=True)}
    for title, value in (("统一社会信用代码", code), ("行政处罚决定书文号", "0012"), ("违法事实", "#N/A"),
                         ("备注", "2026-01-01"), ("处罚内容", "12.50")):
        assert (cells[title].value, cells[title].data_type, cells[title].number_format) == (value, "s", "@"), title
    assert cells["罚款金额（万元）"].data_type == "n" and float(cells["罚款金额（万元）"].value) == 12.5
    assert cells["处罚决定日期"].is_date and cells["处罚决定日期"].number_format == "yyyy-mm-dd"
    assert rows[0][0].font.b and sheet.freeze_panes == "A2"


def test_column_cells_write_the_sheet_openpyxl_cells_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """A data sheet's cells keep their style number, styled state and column letter from their first row
    (``_ColumnCell``): the workbook is byte for byte the one plain openpyxl cells with the same styles give, across
    three sheets, every kind of value and empty cells."""
    monkeypatch.setattr(xlsx_export, "SHEET_ROWS", 4)
    table = Table(CATALOGUE[PENALTY])

    def written() -> bytes:
        book = ItemWorkbook(table, "示例市公共信用信息中心", "CC-BY-4.0", f"{PENALTY}.csv")
        for n in range(8):
            cells = dict.fromkeys(table.header, "") | {
                "record_id": f"AP-{n}", "uscc": "913301007123456786", "decision_no": f"00{n}",
                "decision_date": "2026-06-01" if n % 2 else "not a date", "fine_amount": str(n) if n % 3 else "一万"}
            book.add([cells[name] for name in table.header])
        out = io.BytesIO()
        book.save(out, AS_OF)
        return out.getvalue()

    ours = written()
    monkeypatch.setattr(xlsx_export, "_ColumnCell", lambda sheet, column, style: Cell(sheet, 1, column, None, style))
    assert ours == written()


def test_rows_past_a_sheet_go_on_to_a_second_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_export, "SHEET_ROWS", 3)  # a header and two records a sheet
    table = Table(CATALOGUE[PENALTY])
    book = ItemWorkbook(table, "示例市公共信用信息中心", "CC-BY-4.0", f"{PENALTY}.csv")
    for n in range(5):
        cells = dict.fromkeys(table.header, "") | {"record_id": f"AP-{n}", "uscc": "913301007123456786",
                                                    "decision_date": "2026-06-01", "fine_amount": str(n)}
        book.add([cells[name] for name in table.header])
    with (tmp_path / "book.xlsx").open("wb") as fh:
        book.save(fh, AS_OF)
    workbook = load_workbook(tmp_path / "book.xlsx")
    assert workbook.sheetnames == ["行政处罚", "行政处罚 (2)", "行政处罚 (3)", "字段说明"]
    rows = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets[:3]]
    assert [len(sheet) for sheet in rows] == [3, 3, 2]
    assert [row[0] for sheet in rows for row in sheet[1:]] == [f"AP-{n}" for n in range(5)]
    for sheet in workbook.worksheets[:3]:
        top: list[Any] = list(sheet.iter_rows(max_row=2))
        header, first = top
        assert header[0].value == "记录编号" and header[0].font.b
        code = first[table.header.index("uscc")]
        assert (code.value, code.data_type, code.number_format) == ("913301007123456786", "s", "@")
        assert first[table.header.index("decision_date")].is_date
