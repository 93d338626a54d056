"""Incremental builds (issue 13): a build that takes unchanged files over from the previous build publishes the
same bytes as a build that renders everything.

Each scenario runs two sequences in separate folders on one records folder: I (build A, then build B
incrementally) and F (build A, then build B with ``full=True``); the two B sites must be the same trees, file for
file (pages, data, subject data, the search bundle, manifest.json, chain.json), and I's build B must have taken
files over. Scenarios: records added, a record changed, records withdrawn (row removed, status 已撤回, objection
pending), every record of a subject withdrawn and published again, the as-of date moved to the day a record's
disclosure period ends. Also: a withdrawn record leaves no
trace in the site; a build killed during an incremental rebuild leaves the old site (or, killed after the switch,
is taken over from), and the next build is right; a live file edited by hand is not carried over; a value withheld
only by build B's records stops build B; ``[build] incremental = false`` and ``--full`` take nothing over. The as-of
date reaches a page only through the pages that show it (home, data page, feed, manifest, a site's own templates).

Records come from scripts/generate_records.py (40 subjects, 200 rows); search is on where the bundle matters.
Sequence F's build A is a copy of sequence I's (output link, version folder, audit folder), made before anything
is changed: a first build is the same wherever it is made, and the copy halves the builds.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CATALOGUE, ROOT, build_site, make_uscc, site_config, write_csv
from conftest import row as csv_row
from dbsupport import generator
from test_golden import tree

import site_builder.build as build_module
from site_builder.build import BuildResult, build
from site_builder.cli import main
from site_builder.config import BuildSettings, Config, load_config
from site_builder.exceptions import BuildError
from site_builder.faults import ENV, KILLED
from site_builder.outputs import files as files_module
from site_builder.outputs.render import Renderer
from site_builder.pools import Pool

AS_OF = date(2026, 11, 24)
PENALTY = "admin_penalty"
Tree = dict[str, bytes]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated rows over 40 subjects (every item, some excluded, some quarantined)."""
    folder = tmp_path_factory.mktemp("incremental") / "records"
    generator().main(["--out", str(folder), "--subjects", "40", "--records", "200"])
    return folder


# --- Records: read and edit the generated CSV files by English field name -------------------------------------------


def copy_records(generated: Path, root: Path) -> Path:
    """A private copy of the generated records under ``root``."""
    return Path(shutil.copytree(generated, root / "records"))


def read_rows(records: Path, item: str) -> list[dict[str, str]]:
    """The rows of ``item``'s records file, keyed by English field name."""
    names = {f.title: f.name for f in CATALOGUE[item].fields}
    with (records / f"{item}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return [{names[title]: value for title, value in r.items()} for r in csv.DictReader(fh)]


def write_rows(records: Path, item: str, rows: list[dict[str, str]]) -> None:
    """Replace ``item``'s records file with ``rows``."""
    write_csv(records / f"{item}.csv", item, rows)


def update(records: Path, item: str, record_id: str, **values: str) -> None:
    """Change fields of one row."""
    rows = read_rows(records, item)
    assert any(r["record_id"] == record_id for r in rows), record_id
    write_rows(records, item, [r | values if r["record_id"] == record_id else r for r in rows])


def remove(records: Path, item: str, record_id: str) -> None:
    """Take one row out of the records."""
    rows = read_rows(records, item)
    kept = [r for r in rows if r["record_id"] != record_id]
    assert len(kept) == len(rows) - 1, record_id
    write_rows(records, item, kept)


def published(result: BuildResult, item: str = PENALTY) -> list[dict[str, str]]:
    """The decisions of ``result``'s build that published a record of ``item``, by record id."""
    with gzip.open(result.audit / "decisions.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        return sorted((r for r in csv.DictReader(fh) if r["item"] == item and r["outcome"] == "published"),
                      key=lambda r: r["record_id"])


def company_penalties(records: Path, result: BuildResult, site: Tree, at_least: int = 1) -> list[dict[str, str]]:
    """Published penalties of companies whose subject data file in ``site`` lists at least ``at_least`` records."""
    rows = {r["record_id"]: r for r in read_rows(records, PENALTY)}
    found = []
    for decision in published(result):
        key = rows[decision["record_id"]]["uscc"]
        listing = site.get(f"subject/{key}/data.csv", b"").decode("utf-8-sig").splitlines()
        if key and len(listing) > at_least:  # a heading line, then one line per record
            found.append(rows[decision["record_id"]])
    assert found, "no published company penalty in the generated records"
    return found


def page(item: str, record_id: str) -> str:
    """The path of a record's page in the site."""
    return f"record/{item}/{record_id}/index.html"


# --- Two sequences, I and F ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Build A (sequence I), and build B made incrementally (I) and in full (F)."""

    before: Tree
    incremental: Tree
    full: Tree
    result: BuildResult
    full_result: BuildResult


def config_of(root: Path, records: Path, search: bool = False, templates: Path | None = None) -> Config:
    """The project's configuration with records, output and audit in ``root`` (and the site's templates, if given)."""
    config = site_config(root, records, search=search)
    return config if templates is None else config.with_paths(templates=templates)


def build_a(root: Path, records: Path, search: bool = False, templates: Path | None = None) -> BuildResult:
    """Build A as of AS_OF in ``root``/I, and the same in ``root``/F (a copy: output, version folders, audit)."""
    first = build(config_of(root / "I", records, search, templates), AS_OF)
    shutil.copytree(root / "I", root / "F", symlinks=True)
    return first


def two_sequences(root: Path, records: Path, change: Callable[[BuildResult], date], search: bool = False,
                  templates: Path | None = None) -> Pair:
    """Build A in ``root``/I and ``root``/F; ``change`` gets I's build A, edits ``records`` (or I's live site) and
    returns build B's date; then build B incrementally in I and with ``full=True`` in F."""
    config_i, config_f = (config_of(root / name, records, search, templates) for name in ("I", "F"))
    first = build_a(root, records, search, templates)
    before = tree(first.output.resolve())
    as_of = change(first)
    incremental = build(config_i, as_of)
    full = build(config_f, as_of, full=True)
    return Pair(before, tree(incremental.output.resolve()), tree(full.output.resolve()), incremental, full)


def assert_same_site(incremental: Tree, full: Tree) -> None:
    """The two sites hold the same files with the same bytes."""
    assert sorted(incremental) == sorted(full), (f"only in the incremental build: {sorted(set(incremental) - set(full))[:10]}, "
                                                 f"only in the full build: {sorted(set(full) - set(incremental))[:10]}")
    differing = [name for name in incremental if incremental[name] != full[name]]
    assert differing == [], f"{len(differing)} file(s) differ between the incremental and the full build: {differing[:10]}"
    assert {"manifest.json", "chain.json", "index.html"} <= set(incremental)
    assert any(name.startswith("subject/") and name.endswith("/data.json") for name in incremental)


def assert_incremental_equals_full(pair: Pair) -> None:
    """B is the same either way, I's build B took files over, F's none, and only the folders of B and of A (whose site
    is now the spare) keep their state."""
    assert_same_site(pair.incremental, pair.full)
    assert pair.result.reused > 0, "the incremental build took no file over"
    assert pair.result.reused < len(pair.incremental), "the incremental build rendered nothing"
    assert pair.full_result.reused == 0
    builds = pair.result.audit.parent
    assert sorted(p.parent for p in builds.glob("*/pages.sqlite")) == sorted(p for p in builds.iterdir() if p.is_dir())[-2:]
    assert pair.result.audit / "pages.sqlite" in builds.glob("*/pages.sqlite")


# --- 1. Incremental equals full ------------------------------------------------------------------------------------


def test_added_records(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    newcomer = make_uscc("91330100MA28QK0A1")
    added: list[dict[str, str]] = []

    def add(first: BuildResult) -> date:
        template = company_penalties(records, first, tree(first.output.resolve()))[0]
        added.extend([template | {"record_id": "AP-900001", "decision_no": "杭市监罚〔2026〕增补1号"},
                      template | {"record_id": "AP-900002", "decision_no": "杭市监罚〔2026〕增补2号", "uscc": newcomer,
                                  "subject_name": "杭州增补测试科技有限公司"}])
        write_rows(records, PENALTY, read_rows(records, PENALTY) + added)
        return AS_OF

    pair = two_sequences(tmp_path, records, add)
    assert_incremental_equals_full(pair)
    for row in added:
        assert page(PENALTY, row["record_id"]) not in pair.before
        assert row["decision_no"] in pair.incremental[page(PENALTY, row["record_id"])].decode("utf-8")
    listing = f"subject/{added[0]['uscc']}/data.csv"
    assert "AP-900001" not in pair.before[listing].decode("utf-8-sig")
    assert "AP-900001" in pair.incremental[listing].decode("utf-8-sig")
    assert f"subject/{newcomer}/index.html" not in pair.before and f"subject/{newcomer}/index.html" in pair.incremental


def test_changed_record(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    changed: list[dict[str, str]] = []

    def edit(first: BuildResult) -> date:
        target = company_penalties(records, first, tree(first.output.resolve()))[0]
        changed.append(target)
        update(records, PENALTY, target["record_id"], penalty_content="处以罚款人民币九万九千元（复核更正）", fine_amount="9.9")
        return AS_OF

    pair = two_sequences(tmp_path, records, edit, search=True)
    assert_incremental_equals_full(pair)
    assert any(name.startswith("pagefind/fragment/") for name in pair.incremental)
    record_page, data = page(PENALTY, changed[0]["record_id"]), f"subject/{changed[0]['uscc']}/data.json"
    for name in (record_page, data):
        assert "复核更正" not in pair.before[name].decode("utf-8"), name
        assert "复核更正" in pair.incremental[name].decode("utf-8"), name


@dataclass(frozen=True)
class Withdrawn:
    """A record published by build A and withdrawn before build B."""

    record_id: str
    decision_no: str
    subject: str
    how: str


def test_an_id_whose_case_the_platform_changed(generated: Path, tmp_path: Path) -> None:
    """A record exported again with its id in lower case keeps its address and spelling; incrementally as in full."""
    records = copy_records(generated, tmp_path)
    respelled: list[str] = []

    def lower(first: BuildResult) -> date:
        target = company_penalties(records, first, tree(first.output.resolve()))[0]["record_id"]
        respelled.append(target)
        write_rows(records, PENALTY, [r | {"record_id": target.lower()} if r["record_id"] == target else r
                                      for r in read_rows(records, PENALTY)])
        return AS_OF

    pair = two_sequences(tmp_path, records, lower)
    assert_incremental_equals_full(pair)
    kept, now = respelled[0], respelled[0].lower()
    assert now != kept
    assert page(PENALTY, kept) in pair.incremental and page(PENALTY, now) not in pair.incremental
    shown = [name for name, data in pair.incremental.items() if now.encode() in data]
    assert shown == [], shown  # spelt as first published everywhere
    assert kept in pair.incremental[page(PENALTY, kept)].decode("utf-8")


@pytest.fixture(scope="module")
def withdrawn(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Pair, list[Withdrawn]]:
    """Three company penalties, each of a subject with other records and a 决定书文号 found nowhere else in the
    records, withdrawn between A and B: row removed, status 已撤回, objection pending. Search on."""
    root = tmp_path_factory.mktemp("withdrawn")
    records = copy_records(generated, root)
    text = "".join(path.read_text(encoding="utf-8-sig") for path in sorted(records.glob("*.csv")))
    gone: list[Withdrawn] = []

    def withdraw(first: BuildResult) -> date:
        subjects: set[str] = set()
        for row in company_penalties(records, first, tree(first.output.resolve()), at_least=2):
            if row["uscc"] not in subjects and text.count(row["decision_no"]) == 1 and len(gone) < 3:
                subjects.add(row["uscc"])
                gone.append(Withdrawn(row["record_id"], row["decision_no"], row["uscc"], ("removed", "已撤回", "异议")[len(gone)]))
        assert len(gone) == 3, gone
        remove(records, PENALTY, gone[0].record_id)
        update(records, PENALTY, gone[1].record_id, publish_status="已撤回")
        update(records, PENALTY, gone[2].record_id, objection_status="处理中", objection_date=(AS_OF - timedelta(days=5)).isoformat())
        return AS_OF

    return two_sequences(root, records, withdraw, search=True), gone


def test_withdrawn_records(withdrawn: tuple[Pair, list[Withdrawn]]) -> None:
    pair, gone = withdrawn
    assert_incremental_equals_full(pair)
    for record in gone:
        assert page(PENALTY, record.record_id) in pair.before, record
        assert is_notice(pair.incremental[page(PENALTY, record.record_id)]), record


def test_a_subject_whose_records_all_leave_and_come_back(generated: Path, tmp_path: Path) -> None:
    """Every record of a company withdrawn between A and B: its page's URL answers a notice (the code only, not its
    name; its data files gone; in no search bundle, lookup or sitemap); published again in a third build C, its page
    is back. Incrementally as in full, byte for byte, both times. Search on."""
    records = copy_records(generated, tmp_path)
    saved: dict[str, list[dict[str, str]]] = {}
    gone: list[dict[str, str]] = []

    def withdraw(first: BuildResult) -> date:
        gone.append(company_penalties(records, first, tree(first.output.resolve()))[0])
        for item in CATALOGUE.ids:
            rows = read_rows(records, item)
            kept = [r for r in rows if r.get("uscc") != gone[0]["uscc"]]
            if len(kept) < len(rows):
                saved[item] = rows
                write_rows(records, item, kept)
        return AS_OF

    pair = two_sequences(tmp_path, records, withdraw, search=True)
    assert_incremental_equals_full(pair)
    code, name = gone[0]["uscc"], gone[0]["subject_name"]
    folder = f"subject/{code}/"
    assert not is_notice(pair.before[folder + "index.html"]) and name in readable(pair.before[folder + "index.html"])
    assert code in site_text(pair.before, "pagefind/") and code in pair.before["sitemap.xml"].decode("utf-8")
    after = pair.incremental
    assert is_notice(after[folder + "index.html"]) and code in after[folder + "index.html"].decode("utf-8")
    assert [n for n in after if n.startswith(folder)] == [folder + "index.html"]  # data.json and data.csv gone
    assert files_containing(after, name) == []
    assert code not in site_text(after, "pagefind/") + site_text(after, "search/lookup/") + site_text(after, "sitemap")
    for item, rows in saved.items():
        write_rows(records, item, rows)
    config_i, config_f = (config_of(tmp_path / name, records, search=True) for name in ("I", "F"))
    back, back_full = build(config_i, AS_OF), build(config_f, AS_OF, full=True)
    again = tree(back.output.resolve())
    assert_incremental_equals_full(Pair(after, again, tree(back_full.output.resolve()), back, back_full))
    assert not is_notice(again[folder + "index.html"]) and name in readable(again[folder + "index.html"])
    assert {folder + "data.json", folder + "data.csv"} <= set(again) and code in site_text(again, "pagefind/")


def test_next_day_with_nothing_changed(generated: Path, tmp_path: Path) -> None:
    """The daily rebuild: the same records a day on, before anything expires or begins; only the pages that show
    the as-of date change."""
    records = copy_records(generated, tmp_path)
    next_day = AS_OF + timedelta(days=1)

    def wait(first: BuildResult) -> date:
        manifest = json.loads((first.output / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["next_change"] > next_day.isoformat(), manifest["next_change"]
        return next_day

    pair = two_sequences(tmp_path, records, wait)
    assert_incremental_equals_full(pair)
    assert b"2026-11-25" not in pair.before["index.html"] and b"2026-11-25" in pair.incremental["index.html"]
    records_and_subjects = [name for name in pair.before if name.startswith(("record/", "subject/"))]
    assert sorted(records_and_subjects) == sorted(name for name in pair.incremental if name.startswith(("record/", "subject/")))
    assert [name for name in records_and_subjects if pair.incremental[name] != pair.before[name]] == []


def test_a_site_template_that_shows_the_date(generated: Path, tmp_path: Path) -> None:
    """A site may show the as-of date on any page through its own templates (every template sees ``as_of``)."""
    records = copy_records(generated, tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "record.html").write_text('{% extends "!record.html" %}\n{% block main %}{{ super() }}\n'
                                           '<p class="as-of">数据截至 {{ as_of }}</p>\n{% endblock %}\n', encoding="utf-8")
    pair = two_sequences(tmp_path, records, lambda first: AS_OF + timedelta(days=1), templates=templates)
    assert_incremental_equals_full(pair)
    shown = [name for name in pair.incremental if name.startswith("record/") and "数据截至 2026-11-25".encode() in pair.incremental[name]]
    assert shown and len(shown) == len([name for name in pair.incremental if name.startswith("record/")])


def test_the_day_a_disclosure_period_ends(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    expired: list[str] = []

    def move_on(first: BuildResult) -> date:
        day = date.fromisoformat(json.loads((first.output / "manifest.json").read_text(encoding="utf-8"))["next_expiry"])
        for item in CATALOGUE.ids:
            expired.extend(page(item, r["record_id"]) for r in published(first, item) if r["until"] == str(day - timedelta(days=1)))
        assert expired, f"no published record is public through {day - timedelta(days=1)}"
        return day

    pair = two_sequences(tmp_path, records, move_on)
    assert_incremental_equals_full(pair)
    for name in expired:
        assert name in pair.before and is_notice(pair.incremental[name]), name
    assert pair.before["index.html"] != pair.incremental["index.html"]  # the home page shows the as-of date
    kept = [name for name in pair.incremental if name.startswith("record/") and name in pair.before]
    assert pair.result.reused >= len(kept) // 2, f"{pair.result.reused} files taken over, {len(kept)} record pages kept"


# --- 2. A withdrawn record leaves no trace -------------------------------------------------------------------------


def readable(data: bytes) -> str:
    """A file's text (gzip streams opened, zip members joined), without the spaces and zero-width spaces Pagefind
    puts between words."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"\n".join(archive.read(name) for name in archive.namelist())
    return re.sub(r"[\s\u200b]+", "", data.decode("utf-8", errors="replace"))


def site_text(site: Tree, under: str = "") -> str:
    """The readable text of every file whose path starts with ``under``."""
    return "\n".join(readable(data) for name, data in site.items() if name.startswith(under))


def files_containing(site: Tree, text: str) -> list[str]:
    """The files of ``site`` in which ``text`` can be read."""
    return [name for name, data in site.items() if text in readable(data)]


def test_a_withdrawn_record_leaves_no_trace(withdrawn: tuple[Pair, list[Withdrawn]]) -> None:
    pair, gone = withdrawn
    before, after = pair.before, pair.incremental
    listed_before, listed_after = (json.loads(site["manifest.json"])["outputs"] for site in (before, after))
    for record in gone:
        prefix = f"record/{PENALTY}/{record.record_id}/"
        assert not is_notice(before[prefix + "index.html"]) and is_notice(after[prefix + "index.html"]), record
        assert [name for name in after if name.startswith(prefix)] == [prefix + "index.html"], record  # the notice only
        assert record.record_id in before[f"data/{PENALTY}.csv"].decode("utf-8-sig"), record
        assert [name for name in files_containing({n: d for n, d in after.items() if n.startswith("data/")}, record.record_id)
                if not withdrawal_notice(name)] == [], record
        for name in (f"subject/{record.subject}/data.csv", f"subject/{record.subject}/data.json"):
            assert record.record_id in before[name].decode("utf-8-sig"), (record, name)
            assert name in after and record.record_id not in after[name].decode("utf-8-sig"), (record, name)
        assert record.decision_no in site_text(before, "pagefind/"), record  # the check below can find it
        assert files_containing(after, record.decision_no) == [], record
        assert [name for name in files_containing(after, record.record_id) if not withdrawal_notice(name)] == [], record


def is_notice(page: bytes) -> bool:
    """Whether a record page is the notice of a record no longer public (issue 15: its URL answers with it)."""
    return "此信息已不再公示".encode() in page and b'<meta name="robots" content="noindex">' in page


def withdrawal_notice(name: str) -> bool:
    """Files that list withdrawals by record id and reason class only (issue 14: change files, withdrawals feed)."""
    return ("changes" in name or "withdraw" in name or name.startswith("record/")  # a record's notice shows its id
            or name == "manifest.json")  # which lists the notice's path


# --- 3. A build killed during an incremental rebuild -----------------------------------------------------------------


def verify(root: Path, records: Path) -> tuple[int, str]:
    """``site-builder verify`` on the site in ``root``, with its audit folder; exit code and output."""
    result = CliRunner().invoke(main, ["verify", str(root / "output"), "--records", str(records), "--audit", str(root / "audit")])
    return result.exit_code, result.output


def killed_build(root: Path, records: Path, as_of: date, point: str) -> None:
    """Run ``site-builder build`` (incremental, search off) on the site in ``root``, killed at fault ``point``."""
    killed = subprocess.run([sys.executable, "-m", "site_builder", "-q", "build", "--records", str(records),
                             "--out", str(root / "output"), "--audit", str(root / "audit"), "--as-of", as_of.isoformat(), "--no-search"],
                            cwd=ROOT, env={**os.environ, ENV: point}, capture_output=True, text=True, check=False)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr


def edit_and_add(records: Path, first: BuildResult, number: int) -> dict[str, str]:
    """Change one published penalty's content and add a penalty ``AP-90000<number>``; the changed row."""
    picks = company_penalties(records, first, tree(first.output.resolve()))
    target = picks[number % len(picks)]
    update(records, PENALTY, target["record_id"], penalty_content=f"处以警告（第{number}次复核更正）")
    write_rows(records, PENALTY, [*read_rows(records, PENALTY),
                                  picks[-1] | {"record_id": f"AP-90000{number}", "decision_no": f"杭罚〔2026〕增{number}号"}])
    return target


@pytest.mark.parametrize("point", ["rendered", "prepared", "staged"])
def test_a_killed_incremental_build_leaves_the_old_site(generated: Path, tmp_path: Path, point: str) -> None:
    records = copy_records(generated, tmp_path)
    next_day = AS_OF + timedelta(days=1)
    config_i, config_f = (site_config(tmp_path / name, records, search=False) for name in ("I", "F"))
    first = build_a(tmp_path, records)
    before = tree(first.output.resolve())
    target = edit_and_add(records, first, 3)

    killed_build(tmp_path / "I", records, next_day, point)
    served = tree(first.output.resolve())
    assert sorted(served) == sorted(before) and [name for name in served if served[name] != before[name]] == []
    code, output = verify(tmp_path / "I", records)
    assert code == 0, output

    again = build(config_i, next_day)
    full = build(config_f, next_day, full=True)
    assert again.reused > 0
    rebuilt = tree(again.output.resolve())
    assert_same_site(rebuilt, tree(full.output.resolve()))
    assert "第3次复核更正" in rebuilt[page(PENALTY, target["record_id"])].decode("utf-8")
    assert page(PENALTY, "AP-900003") in rebuilt
    assert not list((tmp_path / "I").glob(".output.builds/.staging-*")), "a stale staging folder survived"
    assert verify(tmp_path / "I", records)[0] == 0


def test_a_build_killed_after_the_switch_is_the_previous_build_of_the_next(generated: Path, tmp_path: Path) -> None:
    """Killed once its site is live but before the audit history says so: the next build takes over from it."""
    records = copy_records(generated, tmp_path)
    config_i, config_f = (site_config(tmp_path / name, records, search=False) for name in ("I", "F"))
    first = build_a(tmp_path, records)
    edit_and_add(records, first, 5)
    killed_build(tmp_path / "I", records, AS_OF + timedelta(days=1), "switched")
    full = build(config_f, AS_OF + timedelta(days=1), full=True)
    assert_same_site(tree(first.output.resolve()), tree(full.output.resolve()))  # the killed build's site is live

    target = edit_and_add(records, full, 6)
    again = build(config_i, AS_OF + timedelta(days=2))
    full = build(config_f, AS_OF + timedelta(days=2), full=True)
    assert again.reused > 0
    rebuilt = tree(again.output.resolve())
    assert_same_site(rebuilt, tree(full.output.resolve()))
    assert "第6次复核更正" in rebuilt[page(PENALTY, target["record_id"])].decode("utf-8")
    assert verify(tmp_path / "I", records)[0] == 0


# --- 4. What build A cannot vouch for: a live file edited by hand, a value withheld since -----------------------------


def test_a_hand_edited_live_file_is_not_taken_over(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    next_day = AS_OF + timedelta(days=1)
    edited: list[str] = []

    def tamper(first: BuildResult) -> date:
        lasting = [r for r in published(first) if not r["until"] or r["until"] > next_day.isoformat()]
        key = next(r["uscc"] for r in read_rows(records, PENALTY) if r["record_id"] == lasting[0]["record_id"])
        edited.extend([page(PENALTY, lasting[0]["record_id"]), f"subject/{key}/data.csv"])
        for name in edited:
            with (first.output / name).open("ab") as fh:
                fh.write("<!-- 手工修改 -->\n".encode())
        return next_day

    pair = two_sequences(tmp_path, records, tamper)
    assert_incremental_equals_full(pair)
    for name in edited:
        assert "手工修改".encode() not in pair.incremental[name], name
        assert pair.incremental[name] == pair.before[name], f"{name} changed although its record did not"


def test_a_value_withheld_since_the_previous_build_stops_the_build(generated: Path, tmp_path: Path) -> None:
    """Pages taken over were leak-scanned against build A's records; a value that only build B's records withhold
    (here a passport number given as a 法定代表人证件号码) must stop build B as it stops a full build."""
    records = copy_records(generated, tmp_path)
    code = "QX7788123"
    write_rows(records, PENALTY, [r | {"violation_facts": f"当事人以备案号{code}对外经营"} for r in read_rows(records, PENALTY)])
    first = build_a(tmp_path, records)
    before = tree(first.output.resolve())
    assert any(name.startswith("record/") for name in files_containing(before, code))
    rows = read_rows(records, PENALTY)
    write_rows(records, PENALTY, [*rows, rows[0] | {"record_id": "AP-900004", "decision_no": "杭罚〔2026〕增4号",
                                                    "legal_rep_id_type": "护照", "legal_rep_id_no": code}])
    for name, full in (("I", False), ("F", True)):
        with pytest.raises(BuildError, match="withheld value"):
            build(config_of(tmp_path / name, records), AS_OF + timedelta(days=1), full=full)
    assert tree(first.output.resolve()) == before


# --- 5. Builds that take nothing over -------------------------------------------------------------------------------


def test_incremental_false_and_full_take_nothing_over(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    config = site_config(tmp_path, records, search=False)
    assert config.build.incremental is True
    assert build(config, AS_OF).reused == 0  # the first build has nothing to take over
    off = dataclasses.replace(config, build=BuildSettings(workers=config.build.workers, incremental=False))
    second = build(off, AS_OF + timedelta(days=1))
    assert second.reused == 0
    assert json.loads((second.output / "manifest.json").read_text(encoding="utf-8"))["as_of"] == "2026-11-25"

    result = CliRunner().invoke(main, ["-q", "--config", str(ROOT / "site_builder.toml"), "build", "--records", str(records),
                                       "--out", str(tmp_path / "output"), "--audit", str(tmp_path / "audit"),
                                       "--as-of", "2026-11-26", "--no-search", "--full"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))["as_of"] == "2026-11-26"

    path = tmp_path / "site_builder.toml"
    path.write_text("[build]\nincremental = false\n", encoding="utf-8")
    assert load_config(path).build.incremental is False


# --- 6. The spare: the site before the live one becomes the next build's staging folder -----------------------------


def three_builds(tmp_path: Path, records: Path, between: Callable[[Path], None] = lambda spare: None) -> tuple[Tree, Tree, BuildResult]:
    """Builds A, B and C in ``tmp_path``/I (B and C after one record edited and one added each), C also in full in F
    (made from a copy of I taken after B); ``between`` gets the spare (A's site) before C. Returns the trees of I's
    and F's build C and I's result."""
    config_i, config_f = (site_config(tmp_path / name, records, search=True) for name in ("I", "F"))
    first = build(config_i, AS_OF)
    version = first.output.resolve().name
    edit_and_add(records, first, 7)
    second = build(config_i, AS_OF + timedelta(days=1))
    spares = sorted((tmp_path / "I" / ".output.builds").glob("*.spare"))
    assert [p.name for p in spares] == [version + ".spare"], "build A's site is the spare"
    shutil.copytree(tmp_path / "I", tmp_path / "F", symlinks=True)
    between(first.output.parent / ".output.builds" / spares[0].name.removesuffix(".spare"))
    edit_and_add(records, second, 8)
    third = build(config_i, AS_OF + timedelta(days=2))
    full = build(config_f, AS_OF + timedelta(days=2), full=True)
    return tree(third.output.resolve()), tree(full.output.resolve()), third


def test_the_spare_becomes_the_next_staging_folder(generated: Path, tmp_path: Path) -> None:
    """Build C starts from build A's site (the spare) and changes only what differs: its site is a full build's, no
    file of A that C does not write survives, and files unchanged since A are A's very files (same inode)."""
    records = copy_records(generated, tmp_path)
    inodes: dict[str, int] = {}

    def note(spare: Path) -> None:
        inodes.update({p.relative_to(spare).as_posix(): p.stat().st_ino for p in spare.rglob("*") if p.is_file()})

    incremental, full, third = three_builds(tmp_path, records, note)
    assert_same_site(incremental, full)
    site = third.output.resolve()
    kept = [name for name in incremental if inodes.get(name) == (site / name).stat().st_ino]
    assert len(kept) > len(incremental) // 2, "the spare's unchanged files were not kept"
    assert not [p for p in (tmp_path / "I" / ".output.builds").iterdir() if p.name.startswith(".staging")]


@pytest.mark.parametrize("checked_in", ["a thread", "a process"])
def test_what_was_done_to_the_spare_by_hand_does_not_survive(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             checked_in: str) -> None:
    """A file of the spare edited (size or time changed), files added and a symbolic link put in it are gone or
    rewritten in build C, which is still a full build's site: whether the spare is checked in a thread (a small
    site) or in a process of its own (a large one)."""
    checks: list[str] = []

    class Recording(Pool):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            checks.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(build_module, "Pool", Recording)
    monkeypatch.setattr(build_module, "_SPARE_PROCESS_BYTES", 0 if checked_in == "a process" else 1 << 40)
    records = copy_records(generated, tmp_path)
    edited: list[str] = []

    def tamper(spare: Path) -> None:
        pages = sorted(p for p in spare.glob("subject/*/index.html"))
        for path in pages[:2]:
            edited.append(path.relative_to(spare).as_posix())
        with (spare / edited[0]).open("ab") as fh:  # longer
            fh.write("<!-- 手工修改 -->\n".encode())
        text = (spare / edited[1]).read_bytes()  # same length, other bytes, and a new modification time
        (spare / edited[1]).write_bytes(text.replace(b"<title>", b"<TITLE>", 1))
        (spare / "extra.html").write_text("手工添加\n", encoding="utf-8")
        (spare / "pages" / "link").symlink_to("/etc")
        (spare / Path(edited[0]).parent / "附件.txt").write_text("手工添加\n", encoding="utf-8")  # deep in the tree

    incremental, full, third = three_builds(tmp_path, records, tamper)
    assert_same_site(incremental, full)
    assert "extra.html" not in incremental and not (third.output / "pages" / "link").is_symlink()
    assert str(Path(edited[0]).parent / "附件.txt") not in incremental
    for name in edited:
        assert "手工修改".encode() not in incremental[name] and b"<TITLE>" not in incremental[name], name
    assert set(checks) == ({"check_spare"} if checked_in == "a process" else set())  # builds C and F take a spare


def test_the_pages_fingerprints_are_made_while_the_spare_is_checked_and_no_file_before_the_check_ends(
        generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build C makes its pages' fingerprints while the check of the spare still runs (the build no longer waits for
    the check before its first output), yet puts no file into the staging folder before the check has ended (the
    check removes every file its build's state does not list); the site is still a full build's."""
    monkeypatch.setattr(build_module, "_SPARE_PROCESS_BYTES", 1 << 40)  # checked in a thread: events of one process
    events: list[tuple[str, bool]] = []
    recording = threading.Event()
    fingerprints = threading.Event()
    check, subject_marks, create = files_module.check_spare, Renderer.subject_marks, files_module._create

    def slow_check(folder: Path, state: Path) -> dict[str, Any]:
        events.append(("check started; the fingerprints made meanwhile", fingerprints.wait(timeout=20)))
        kept = check(folder, state)
        events.append(("check ended", True))
        return kept

    def marks(self: Renderer) -> Any:
        yield from subject_marks(self)
        if recording.is_set():
            fingerprints.set()

    def created(target: str) -> int:
        if recording.is_set():
            events.append((f"file {target}", True))
        return create(target)

    monkeypatch.setattr(build_module, "check_spare", slow_check)
    monkeypatch.setattr(Renderer, "subject_marks", marks)
    monkeypatch.setattr(files_module, "_create", created)
    records = copy_records(generated, tmp_path)
    incremental, full, _third = three_builds(tmp_path, records, lambda spare: recording.set())
    assert_same_site(incremental, full)
    assert events[0] == ("check started; the fingerprints made meanwhile", True)
    ended = events.index(("check ended", True))
    assert not [event for event in events[:ended] if event[0].startswith("file ")], "a file was written during the check"
    assert [event for event in events[ended:] if event[0].startswith("file ")], "build C wrote no file at all"


def _site_file(folder: Path, name: str, data: bytes) -> files_module.Held:
    """Write ``data`` as ``folder``/``name``; what the file is (SHA-256, size, modification time)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), len(data), path.stat().st_mtime_ns


def test_the_index_never_counts_on_a_spare_file_it_removed(tmp_path: Path) -> None:
    """Bug: a file given back (an item's workbooks taken over but for one year, a subject's data files but for one)
    was removed from the staging folder while the index still counted it the spare's, so the same file taken over or
    written again with the spare's bytes was noted and never put back (a dead link, ``data/<item>/<year>.xlsx``).
    ``kept``: the spare's file, with the live site's bytes; ``linked``: the spare holds older bytes, the live site's
    are linked in over them."""
    live, staging, state = tmp_path / "live", tmp_path / "staging", tmp_path / "pages.sqlite"
    older, newer, same = b"build A's bytes", b"build B's bytes", b"unchanged since A"
    live_files = {"kept": _site_file(live, "kept", same), "linked": _site_file(live, "linked", newer)}
    spare = {"kept": _site_file(staging, "kept", same), "linked": _site_file(staging, "linked", older)}
    files_module.write_state(state, "key", [files_module.Written(name, "mark", sha, size, False, mtime)
                                            for name, (sha, size, mtime) in live_files.items()], [])
    spare_inode = (staging / "kept").stat().st_ino
    files = files_module.FileIndex(staging, "key", files_module.Previous(live, state, "key"))
    files.spare = dict(spare)
    try:
        assert files.take("kept", "mark")  # the spare's file: nothing done on disk
        files.forget(["kept"])
        assert files.take("kept", "mark")
        assert not files.take_all(["linked", "absent"], "mark")  # "linked" linked in, then given back
        files.write("linked", older)  # the spare's bytes again
        files.seal()
    finally:
        files.close()
    assert (staging / "kept").read_bytes() == same and (staging / "kept").stat().st_ino == spare_inode  # kept, not linked
    assert (staging / "linked").read_bytes() == older
    assert sorted(p.name for p in staging.iterdir()) == sorted(w.path for w in files.written) == ["kept", "linked"]


def test_a_build_killed_in_the_spare_leaves_the_live_site_and_the_next_build_is_right(generated: Path, tmp_path: Path) -> None:
    records = copy_records(generated, tmp_path)
    config_i, config_f = (site_config(tmp_path / name, records, search=False) for name in ("I", "F"))
    first = build(config_i, AS_OF)
    edit_and_add(records, first, 7)
    second = build(config_i, AS_OF + timedelta(days=1))
    served = tree(second.output.resolve())
    shutil.copytree(tmp_path / "I", tmp_path / "F", symlinks=True)
    edit_and_add(records, second, 8)
    killed_build(tmp_path / "I", records, AS_OF + timedelta(days=2), "rendered")  # in the spare, now its staging folder
    assert tree(second.output.resolve()) == served
    assert not list((tmp_path / "I" / ".output.builds").glob("*.spare")), "the spare was taken by the killed build"
    again = build(config_i, AS_OF + timedelta(days=2))
    full = build(config_f, AS_OF + timedelta(days=2), full=True)
    assert again.reused > 0
    assert_same_site(tree(again.output.resolve()), tree(full.output.resolve()))
    assert verify(tmp_path / "I", records)[0] == 0


def test_a_site_whose_last_record_expires_is_built_without_a_search_index(tmp_path: Path) -> None:
    """Bug: with search on, a build with nothing left to publish stopped ("no subject or record page to index"), so
    the previous site, with the expired record, stayed live. Now the search index is left empty and the record goes."""
    records = tmp_path / "records"
    penalty = csv_row("admin_penalty", record_id="AP-1", decision_date="2025-06-05", severity="一般")
    write_csv(records / "admin_penalty.csv", "admin_penalty", [penalty])
    build_site(tmp_path, records, date(2026, 6, 5), search=True)
    assert (tmp_path / "output" / "record" / "admin_penalty" / "AP-1" / "index.html").is_file()
    result = build_site(tmp_path, records, date(2026, 6, 6), search=True)
    out = tmp_path / "output"
    assert sum(result.counts.published.values()) == 0 and result.counts.excluded["admin_penalty"]["expired"] == 1
    notice = (out / "record" / "admin_penalty" / "AP-1" / "index.html").read_text(encoding="utf-8")  # its notice
    assert penalty["subject_name"] not in notice and penalty["decision_no"] not in notice
    assert "AP-1" not in (out / "items" / "admin_penalty" / "index.html").read_text(encoding="utf-8")
    assert json.loads((out / "pagefind" / "bundles.json").read_text(encoding="utf-8")) == []
    assert not (out / "pagefind" / "pagefind.js").exists()


def test_a_library_upgrade_takes_no_file_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: the key deciding whether a file or a decision can be taken over covered site_builder's code but not the
    libraries it runs on: after an openpyxl upgrade, an approval rebuilt the same day kept the old workbooks of
    unchanged items, and differed from a full build."""
    from site_builder import build as build_module

    build_module._code_digest.cache_clear()
    before = build_module._code_digest()
    installed = build_module._library_versions()
    assert ("openpyxl", __import__("openpyxl").__version__) in installed or not installed  # a source tree: no metadata
    monkeypatch.setattr(build_module, "_library_versions", lambda: [("openpyxl", "9.9.9")])
    build_module._code_digest.cache_clear()
    try:
        assert build_module._code_digest() != before
    finally:
        monkeypatch.undo()
        build_module._code_digest.cache_clear()
    assert build_module._code_digest() == before


def test_a_changed_columns_mapping_is_applied_by_an_incremental_build(tmp_path: Path) -> None:
    """A tester's: the records file unchanged, a new ``[columns]`` mapping (公开B instead of 公开A as 公开属性) was
    ignored by the rebuild, which took the file as parsed before, and published a 授权查询 judgment a full build
    withholds."""
    from site_builder.sources.mapping import ColumnSettings

    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [csv_row("judgment", record_id="PJ-1"), csv_row("judgment", record_id="PJ-2")])
    path = records / "judgment.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    heading = lines[0].replace("公开属性", "公开A")
    path.write_text("\n".join([f"{heading},公开B", f"{lines[1]},公开", f"{lines[2]},授权查询"]) + "\n", encoding="utf-8-sig")

    def config(root: Path, column: str) -> Config:
        base = site_config(root, records, search=False)
        return dataclasses.replace(base, columns=ColumnSettings(items=(("judgment", ((column, "disclosure_level"),)),)))
    for _ in range(2):  # the second build keeps the file parsed
        first = build(config(tmp_path / "I", "公开A"), AS_OF)
        assert first.counts.published["judgment"] == 2
    again = build(config(tmp_path / "I", "公开B"), AS_OF)
    full = build(config(tmp_path / "F", "公开B"), AS_OF, full=True)
    assert again.counts.published["judgment"] == full.counts.published["judgment"] == 1
    published = (again.output / "data" / "judgment.csv").read_text(encoding="utf-8-sig")
    assert "PJ-1" in published and "PJ-2" not in published
