"""Nothing the user owns is ever deleted: a build removes or renames in the private audit folder only what it made
itself, recognised by its exact names and, where it writes one, its marker (a build folder's ``manifest.json``).

1. ``rows.parsed/``: the kept parsed files of records files no longer read go; a user's own file or folder there
   (even one ending ``.rows``) stays, and a warning names it.
2. ``builds/``: the page and record states of old builds go, a user's folder holding files of the same names stays;
   a user's folder named like the next build's id is never moved aside (the build refuses, naming it, before it
   decides a row); files a user put into a build's folder stay where they are when the build is marked abandoned.
3. ``.building-*``: a killed build's work folder goes, a user's files in one (or a folder of that prefix that no build
   made) stay.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import build_site, row, site_config, write_csv

from site_builder.audit import history
from site_builder.audit.layout import AuditFolder
from site_builder.audit.manifest import file_sha256
from site_builder.build import build
from site_builder.exceptions import BuildError

DAY = date(2026, 11, 23)


def records_dir(root: Path) -> Path:
    records = root / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")])
    return records


def test_user_files_in_rows_parsed_stay(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    build_site(tmp_path, records, date(2026, 11, 24))  # a warm build keeps what it parsed
    parsed = AuditFolder(tmp_path / "audit").parsed_rows
    kept = sorted(parsed.iterdir())
    assert len(kept) == 1
    mine = [parsed / "notes.txt", parsed / "backup.rows", parsed / f"{'0' * 40}.rows"]
    for path in mine:
        path.write_text("mine\n", encoding="utf-8")
    (parsed / "old").mkdir()
    (parsed / "old" / "a.rows").write_text("mine\n", encoding="utf-8")
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-2", decision_date="2026-06-01")])
    with caplog.at_level(logging.WARNING):
        build_site(tmp_path, records, date(2026, 11, 25))
    assert not kept[0].exists()  # its own kept file of a records file no longer read: removed
    assert all(path.read_text(encoding="utf-8") == "mine\n" for path in [*mine, parsed / "old" / "a.rows"])
    for path in [*mine, parsed / "old"]:
        assert str(path) in caplog.text, caplog.text


def test_user_folders_in_builds_keep_their_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    builds = AuditFolder(tmp_path / "audit").builds
    mine = builds / "my-copy"
    mine.mkdir()
    for name in ("pages.sqlite", "records.sqlite", "manifest.json"):
        (mine / name).write_text("mine\n", encoding="utf-8")
    extra = builds / "000001-2026-11-23" / "my-notes.txt"
    extra.write_text("mine\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        build_site(tmp_path, records, date(2026, 11, 24))
        build_site(tmp_path, records, date(2026, 11, 25))
    assert not (builds / "000001-2026-11-23" / "pages.sqlite").exists()  # an old build's own state: removed
    assert all((mine / name).read_text(encoding="utf-8") == "mine\n" for name in ("pages.sqlite", "records.sqlite"))
    assert extra.read_text(encoding="utf-8") == "mine\n"
    assert str(mine / "pages.sqlite") in caplog.text and str(mine / "records.sqlite") in caplog.text


def test_a_user_folder_named_like_the_next_build_is_not_moved(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    mine = AuditFolder(tmp_path / "audit").build("000002-2026-11-24").folder
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"000002-2026-11-24.*notes\.txt"):
        build(site_config(tmp_path, records, search=False), date(2026, 11, 24))
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in mine.parent.iterdir()) == ["000001-2026-11-23", "000002-2026-11-24"]
    assert [e.build_id for e in history.read_chain(tmp_path / "audit")] == ["000001-2026-11-23"]


def test_an_abandoned_build_leaves_a_users_files_in_place(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A build prepared and never published (killed): its own files move to ``<id>.abandoned``, a user's stay."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    audit = AuditFolder(tmp_path / "audit")
    chain = history.read_chain(audit.root)
    folder = audit.build(history.build_id(len(chain) + 1, "2026-11-24")).folder
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"build": {"id": folder.name}}), encoding="utf-8")
    pending = history.next_entry(chain, "2026-11-24", file_sha256(folder / "manifest.json"))
    (folder / "decisions.csv.gz").write_bytes(b"x")
    (folder / "my-notes.txt").write_text("mine\n", encoding="utf-8")
    history.write_pending(audit.root, pending)
    with caplog.at_level(logging.WARNING):
        history.reconcile(audit.root, None)
    abandoned = audit.abandoned(pending.build_id)
    assert (abandoned / "decisions.csv.gz").is_file() and (abandoned / "manifest.json").is_file()
    assert (folder / "my-notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert str(folder / "my-notes.txt") in caplog.text


def test_a_work_folder_left_by_a_killed_build_keeps_a_users_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    audit = AuditFolder(tmp_path / "audit")
    killed = audit.work("abcd_123")
    killed.folder.mkdir()
    killed.decisions.write_text("item\n", encoding="utf-8")
    killed.store.write_bytes(b"x")
    left = audit.work("xyzw_987")
    left.folder.mkdir()
    left.decisions.write_text("item\n", encoding="utf-8")
    (left.folder / "mine.txt").write_text("mine\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        build_site(tmp_path, records, date(2026, 11, 24))
    assert not killed.folder.exists()
    assert (left.folder / "mine.txt").read_text(encoding="utf-8") == "mine\n" and not left.decisions.exists()
    assert str(left.folder / "mine.txt") in caplog.text


def test_a_users_files_beside_the_sites_versions_stay(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The output's versions folder (``.output.builds``): killed builds' staging folders and old versions go, a user's
    file or folder there stays, named in a warning."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    versions = tmp_path / ".output.builds"
    (versions / "notes.txt").write_text("mine\n", encoding="utf-8")
    (versions / "mine").mkdir()
    (versions / "mine" / "a.txt").write_text("mine\n", encoding="utf-8")
    (versions / ".staging-abcd1234").mkdir()  # a killed build's
    with caplog.at_level(logging.WARNING):
        build_site(tmp_path, records, date(2026, 11, 24))
    assert (versions / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (versions / "mine" / "a.txt").read_text(encoding="utf-8") == "mine\n"
    assert not (versions / ".staging-abcd1234").exists()
    assert str(versions / "notes.txt") in caplog.text and str(versions / "mine") in caplog.text


def test_a_users_copy_of_a_site_and_a_spare_named_marker_stay(tmp_path: Path) -> None:
    """The harm tester of stop 41: a user's copy of a day's site in the versions folder carries the site's marker and
    was removed as a version; a user's ``mine.spare`` made the folder ``mine`` the spare, reused and emptied."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, DAY)
    versions = tmp_path / ".output.builds"
    snapshot = versions / "snapshot-2026-11-23"
    shutil.copytree(tmp_path / "output", snapshot, symlinks=True)
    (versions / "mine").mkdir()
    (versions / "mine" / "a.txt").write_text("mine\n", encoding="utf-8")
    (versions / "mine.spare").write_text("000001-2026-11-23\n", encoding="utf-8")
    for day in (date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)):
        build_site(tmp_path, records, day)
    assert (snapshot / "manifest.json").is_file() and (snapshot / ".site-builder").is_file()
    assert (versions / "mine" / "a.txt").read_text(encoding="utf-8") == "mine\n"
    assert (versions / "mine.spare").is_file()
