"""Putting a site in place: the output guard (--out never deletes what it names), one writer per audit
folder, a site at the output path at every instant (kills injected at each step), clear faults."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CATALOGUE_DIR, CONTENT_DIR, PROFILES_DIR, ROOT, THEME_DIR, build_site, row, site_config, versions_left, write_csv
from filelock import FileLock

from site_builder.audit import history
from site_builder.audit.layout import AuditFolder
from site_builder.audit.verify import verify_site
from site_builder.build import build
from site_builder.cli import main
from site_builder.exceptions import BuildError, ConfigError, PublishError
from site_builder.faults import ENV, KILLED
from site_builder.outputs.search import index_site
from site_builder.publish import MARKER, SPARE, builds_dir

AS_OF = date(2026, 11, 24)


def records_dir(root: Path) -> Path:
    """One penalty and one licence."""
    records = root / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")])
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-1")])
    return records


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and link under ``folder`` (links not followed) with the hash of its bytes or target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "link:" + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def cli_build(records: Path, out: Path, audit: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-q", "build", "--records", str(records), "--out", str(out), "--audit", str(audit),
                                       "--as-of", AS_OF.isoformat(), "--no-search", *extra])
    return result.exit_code, result.output


def one_line_error(code: int, output: str) -> str:
    """The CLI refused with one line (no traceback) and exit 1; return the line."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 1, output
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


# --- --out never deletes what it names ---------------------------------------------------------------------------


def test_out_that_is_a_folder_of_documents_is_refused(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "letter.docx").write_bytes(b"\x50\x4b\x03\x04 my letter")
    (home / "docs" / "notes.txt").write_text("笔记\n", encoding="utf-8")
    before = snapshot(home)
    line = one_line_error(*cli_build(records, home, tmp_path / "audit"))
    assert "is not empty and is not a site built by site_builder" in line
    assert snapshot(home) == before
    assert not builds_dir(home).exists()


@pytest.mark.parametrize("where", ["equal", "parent"])
def test_out_equal_to_or_above_the_records_is_refused(tmp_path: Path, where: str) -> None:
    records = records_dir(tmp_path / "work")
    out = records if where == "equal" else tmp_path / "work"
    before = snapshot(tmp_path / "work")
    line = one_line_error(*cli_build(records, out, tmp_path / "audit"))
    if where == "equal":  # the output inside the records folder, and the records inside the output: either is said
        assert "records" in line and ("inside the output folder" in line or "inside the records folder" in line)
    else:
        assert "Config value 'paths.records'" in line and "inside the output folder" in line
    assert snapshot(tmp_path / "work") == before


@pytest.mark.parametrize("name", ["catalogue", "profiles", "templates", "content", "audit"])
def test_out_holding_any_other_input_is_refused(tmp_path: Path, name: str) -> None:
    records = records_dir(tmp_path)
    out = tmp_path / "site"
    inside = out / name
    shutil.copytree({"catalogue": CATALOGUE_DIR, "profiles": PROFILES_DIR}.get(name, CONTENT_DIR), inside)
    (out / MARKER).write_text("a site, supposedly\n", encoding="utf-8")  # even a marked site may not hold an input
    before = snapshot(out)
    config = site_config(tmp_path, records, search=False).with_paths(output=out, **{name: inside})
    with pytest.raises(ConfigError, match=rf"paths.{name}'.*inside the output folder"):
        build(config, AS_OF)
    assert snapshot(out) == before


def test_out_that_is_a_file_or_a_foreign_link_is_refused(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    (tmp_path / "file").write_text("keep\n", encoding="utf-8")
    with pytest.raises(PublishError, match="is a file"):
        build(site_config(tmp_path, records, search=False).with_paths(output=tmp_path / "file"), AS_OF)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "link").symlink_to(tmp_path / "photos")
    line = one_line_error(*cli_build(records, tmp_path / "link", tmp_path / "audit"))
    assert "not a site built by site_builder" in line
    assert (tmp_path / "file").read_text(encoding="utf-8") == "keep\n"
    assert (tmp_path / "photos" / "a.jpg").read_bytes() == b"\xff\xd8" and (tmp_path / "link").is_symlink()


def test_empty_out_and_own_site_are_replaced_and_nothing_beside_them_is_touched(tmp_path: Path) -> None:
    records = records_dir(tmp_path / "in")
    (tmp_path / "out").mkdir()
    (tmp_path / "neighbour.txt").write_text("keep\n", encoding="utf-8")
    live = []
    for _ in range(3):
        assert cli_build(records, tmp_path / "out", tmp_path / "audit")[0] == 0
        live.append(os.readlink(tmp_path / "out").rsplit("/", 1)[-1])
        assert (tmp_path / "out").is_symlink() and (tmp_path / "out" / MARKER).is_file()
        assert sorted(p.name for p in tmp_path.iterdir()) == [".out.builds", ".out.lock", "audit", "in", "neighbour.txt", "out"]
        kept = [live[-1], *([live[-2], live[-2] + SPARE] if len(live) > 1 else [])]
        assert versions_left(builds_dir(tmp_path / "out")) == sorted(kept), "only the live site and the spare are kept"
    assert (tmp_path / "neighbour.txt").read_text(encoding="utf-8") == "keep\n"


def test_a_plain_site_folder_becomes_a_link_in_one_exchange(tmp_path: Path) -> None:
    """A site copied as a plain folder (or built before versioned folders) is switched by RENAME_EXCHANGE."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, AS_OF)
    plain = tmp_path / "plain"
    shutil.copytree(tmp_path / "output", plain)
    config = site_config(tmp_path, records, search=False).with_paths(output=plain)
    build(config, date(2026, 11, 25))
    assert plain.is_symlink()
    assert json.loads((plain / "manifest.json").read_text(encoding="utf-8"))["as_of"] == "2026-11-25"
    assert verify_site(plain, validate_data=False) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plain.link")] == []


def test_a_copy_of_the_site_with_files_of_ones_own_is_refused(tmp_path: Path) -> None:
    """Bug: a copy made for the web server (``cp -rL output/. public/``, which copies the marker), with the user's
    ``CNAME`` and ``uploads/`` added, given as ``--out``: the build replaced it and the user's files were gone."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, AS_OF)
    public = tmp_path / "public"
    shutil.copytree(tmp_path / "output", public, symlinks=False)
    (public / "CNAME").write_text("credit.example.gov.cn\n", encoding="utf-8")
    (public / "uploads").mkdir()
    (public / "uploads" / "report.pdf").write_bytes(b"%PDF-1.7 mine")
    before = snapshot(public)
    line = one_line_error(*cli_build(records, public, tmp_path / "audit"))
    assert "holds 2 file(s) its build did not write (CNAME, uploads/report.pdf)" in line, line
    assert snapshot(public) == before and not builds_dir(public).exists()
    (public / "manifest.json").unlink()  # nothing to tell its files by: refused too
    line = one_line_error(*cli_build(records, public, tmp_path / "audit"))
    assert "no readable manifest.json" in line, line


def test_a_copy_of_the_site_with_a_file_edited_by_hand_is_refused(tmp_path: Path) -> None:
    """Bug: the same copy with a snippet added to its 404.html was replaced, and the edit lost without a word."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, AS_OF)
    public = tmp_path / "public"
    shutil.copytree(tmp_path / "output", public, symlinks=False)
    page = public / "404.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- analytics -->\n", encoding="utf-8")
    before = snapshot(public)
    line = one_line_error(*cli_build(records, public, tmp_path / "audit"))
    assert "holds 1 file(s) changed since its build wrote them (404.html)" in line, line
    assert snapshot(public) == before and not builds_dir(public).exists()
    shutil.copy(tmp_path / "output" / "404.html", page)  # the copy as built: replaced as before
    assert cli_build(records, public, tmp_path / "audit")[0] == 0


# --- One writer ---------------------------------------------------------------------------------------------------


def test_busy_audit_lock_is_one_line_and_the_old_site_stays(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, AS_OF)
    before = snapshot(tmp_path / "output")
    with FileLock(tmp_path / "audit" / ".lock"):
        line = one_line_error(*cli_build(records, tmp_path / "output", tmp_path / "audit"))
    assert "Another build is writing the audit folder" in line
    assert snapshot(tmp_path / "output") == before


def _config_file(tmp_path: Path, records: Path, out: Path, audit: Path, search: bool = False, **publish: object) -> Path:
    path = tmp_path / f"{out.name}.toml"
    settings = "".join(f"{key} = {json.dumps(value)}\n" for key, value in publish.items())
    path.write_text(
        f'[paths]\nrecords = "{records}"\noutput = "{out}"\naudit = "{audit}"\ncatalogue = "{CATALOGUE_DIR}"\n'
        f'profiles = "{PROFILES_DIR}"\ncontent = "{CONTENT_DIR}"\ntemplates = "{THEME_DIR}"\n'
        f"[search]\nenabled = {json.dumps(search)}\n[publish]\n{settings}", encoding="utf-8")
    return path


def test_two_concurrent_builds_sharing_an_audit_folder_leave_a_valid_chain(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    audit = tmp_path / "audit"
    configs = [_config_file(tmp_path, records, tmp_path / name, audit, lock_timeout=300) for name in ("one", "two")]
    processes = [subprocess.Popen([sys.executable, "-m", "site_builder", "-q", "--config", str(config), "build",
                                   "--as-of", AS_OF.isoformat()], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for config in configs]
    results = [(p.wait(), p.stderr.read().decode() if p.stderr else "") for p in processes]
    assert [code for code, _ in results] == [0, 0], results
    chain = history.read_chain(audit)
    assert [e.sequence for e in chain] == [1, 2]
    assert history.chain_problems(chain, "chain") == []
    heads = {name: history.parse_public_chain((tmp_path / name / "chain.json").read_text(encoding="utf-8"))[-1]
             for name in ("one", "two")}
    assert sorted(h.sequence for h in heads.values()) == [1, 2]
    latest = next(tmp_path / name for name, head in heads.items() if head.sequence == 2)
    assert verify_site(latest, audit_root=audit, validate_data=False) == []


# --- A site at every instant: kills between the steps of the record and the swap ----------------------------------

POINTS_BEFORE_SWITCH = ["prepared", "archived", "staged", "link-created"]
POINTS_AFTER_SWITCH = ["switched", "appended", "recorded", "published"]


@pytest.mark.parametrize("point", POINTS_BEFORE_SWITCH + POINTS_AFTER_SWITCH)
def test_a_kill_at_any_step_leaves_a_verifiable_site_and_a_consistent_chain(tmp_path: Path, point: str) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, date(2026, 11, 23))
    killed = subprocess.run(
        [sys.executable, "-m", "site_builder", "-q", "build", "--records", str(records), "--out", str(tmp_path / "output"),
         "--audit", str(tmp_path / "audit"), "--as-of", AS_OF.isoformat(), "--no-search"],
        cwd=ROOT, env={**os.environ, ENV: point}, capture_output=True, text=True)
    assert killed.returncode == KILLED, killed.stderr
    out, audit = tmp_path / "output", tmp_path / "audit"
    assert verify_site(out, validate_data=False) == []
    served = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    assert served == ("2026-11-23" if point in POINTS_BEFORE_SWITCH else "2026-11-24")
    chain = history.read_chain(audit)
    assert history.chain_problems(chain, "chain") == []
    if point in POINTS_BEFORE_SWITCH:  # the audit head is still the public head: verify --audit passes
        assert verify_site(out, audit_root=audit, validate_data=False) == []

    served_before = os.readlink(out).rsplit("/", 1)[-1]
    build_site(tmp_path, records, date(2026, 11, 25))
    assert verify_site(out, audit_root=audit, validate_data=False) == []
    chain = history.read_chain(audit)
    assert [e.as_of for e in chain] == ["2026-11-23", *([] if point in POINTS_BEFORE_SWITCH else ["2026-11-24"]), "2026-11-25"]
    lines = [json.loads(line) for line in AuditFolder(audit).journal.read_text(encoding="utf-8").splitlines()]
    events = [line["event"] for line in lines]
    assert ("abandoned" in events) == (point in POINTS_BEFORE_SWITCH)
    # the killed build's publication is in the journal once, whenever it was killed (explain reads its day from there)
    published = [line for line in lines if line["event"] == "published" and line["build_id"] == "000002-2026-11-24"]
    assert len(published) == (0 if point in POINTS_BEFORE_SWITCH else 1)
    assert not AuditFolder(audit).pending.exists()
    served = os.readlink(out).rsplit("/", 1)[-1]  # the live site, and the one it replaced as the spare: nothing else
    assert versions_left(builds_dir(out)) == sorted([served, served_before, served_before + SPARE])
    if point in POINTS_BEFORE_SWITCH:
        assert (audit / "builds" / "000002-2026-11-24.abandoned").is_dir() == (point != "prepared")


def test_a_kill_during_the_first_exchange_leaves_a_site(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, date(2026, 11, 23))
    plain = tmp_path / "plain"
    shutil.copytree(tmp_path / "output", plain)
    command = [sys.executable, "-m", "site_builder", "-q", "build", "--records", str(records), "--out", str(plain),
               "--audit", str(tmp_path / "audit"), "--as-of", AS_OF.isoformat(), "--no-search"]
    for point in ("link-created", "exchanged"):
        killed = subprocess.run(command, cwd=ROOT, env={**os.environ, ENV: point}, capture_output=True, text=True)
        assert killed.returncode == KILLED, killed.stderr
        assert verify_site(plain, validate_data=False) == []
    assert plain.is_symlink()
    build(site_config(tmp_path, records, search=False).with_paths(output=plain), date(2026, 11, 25))
    assert verify_site(plain, audit_root=tmp_path / "audit", validate_data=False) == []


# --- Clear faults -------------------------------------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (only as root, where mount works)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` until about ``leave`` bytes are free."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with (folder / "filler").open("wb") as fh:
        fh.truncate(0)
        remaining = max(free - leave, 0)
        chunk = b"\0" * (1 << 16)
        while remaining > 0:
            try:
                remaining -= fh.write(chunk[:remaining])
            except OSError:
                break


@pytest.mark.parametrize("leave", [16 << 10, 256 << 10, 700 << 10])
def test_disk_full_is_one_line_and_the_old_site_stays(tmp_path: Path, tmpfs: Path, leave: int) -> None:
    records = records_dir(tmp_path)
    out = tmpfs / "output"
    config = _config_file(tmp_path, records, out, tmp_path / "audit", search=True)
    command = [sys.executable, "-m", "site_builder", "-q", "--config", str(config), "build", "--as-of"]
    first = subprocess.run([*command, "2026-11-23"], cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    _fill(tmpfs, leave)  # a build that writes every file again (an incremental one may fit in what is left)
    full = subprocess.run([*command, "2026-11-24", "--full"], cwd=ROOT, capture_output=True, text=True)
    line = one_line_error(full.returncode, full.stdout + full.stderr)
    assert "disk full" in line or "No space left" in line, line
    assert snapshot(out) == before
    assert history.chain_problems(history.read_chain(tmp_path / "audit"), "chain") == []
    assert not AuditFolder(tmp_path / "audit").pending.exists()


def test_the_search_bundle_on_a_full_disk_is_one_error(tmp_path: Path, tmpfs: Path) -> None:
    """The search bundle's files on a full disk: one error naming the file, not a traceback (Pagefind gives them to
    the build, which writes them)."""
    records = records_dir(tmp_path)
    build_site(tmp_path, records, AS_OF)
    site = tmpfs / "site"
    shutil.copytree(tmp_path / "output", site)
    _fill(tmpfs, 8 << 10)
    with pytest.raises(BuildError, match=r"Search index: cannot write \S+ \(No space left on device; disk full\?\)"):
        index_site(site)


def test_read_only_output_is_one_line_and_the_old_site_stays(tmp_path: Path, tmpfs: Path) -> None:
    records = records_dir(tmp_path)
    out = tmpfs / "output"
    config = _config_file(tmp_path, records, out, tmp_path / "audit")
    command = [sys.executable, "-m", "site_builder", "-q", "--config", str(config), "build", "--as-of"]
    assert subprocess.run([*command, "2026-11-23"], cwd=ROOT, capture_output=True).returncode == 0
    before = snapshot(out)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = subprocess.run([*command, "2026-11-24"], cwd=ROOT, capture_output=True, text=True)
    line = one_line_error(result.returncode, result.stdout + result.stderr)
    assert "Read-only file system" in line, line
    assert snapshot(out) == before


def test_truncated_or_corrupted_chain_is_one_line(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    build_site(tmp_path, records, date(2026, 11, 23))
    chain = AuditFolder(tmp_path / "audit").chain
    good = chain.read_bytes()
    before = snapshot(tmp_path / "output")
    for damaged, message in [(good[:-7], "truncated"), (good.replace(b'"sequence": 1', b'"sequence": "x'), "corrupted")]:
        chain.write_bytes(damaged)
        line = one_line_error(*cli_build(records, tmp_path / "output", tmp_path / "audit"))
        assert message in line and str(chain) in line
        assert snapshot(tmp_path / "output") == before
        result = CliRunner().invoke(main, ["verify", str(tmp_path / "output"), "--records", str(records),
                                           "--audit", str(tmp_path / "audit"), "--no-data"])
        assert one_line_error(result.exit_code, result.output)


def test_audit_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    (tmp_path / "blocker").write_text("a file where a folder should be\n", encoding="utf-8")
    line = one_line_error(*cli_build(records, tmp_path / "output", tmp_path / "blocker" / "audit"))
    assert "Cannot create" in line


def test_a_site_built_under_a_restrictive_umask_is_readable_by_the_web_server(tmp_path: Path) -> None:
    """Bug: under ``umask 077`` (a service account's) the pages were written 0600 and their folders 0700, although the
    build folder was made 0755: a web server running as another user refused them."""
    records = records_dir(tmp_path)
    old = os.umask(0o077)
    try:
        build_site(tmp_path, records, AS_OF)
    finally:
        os.umask(old)
    site = (tmp_path / "output").resolve()
    modes = {p.stat().st_mode & 0o777 for p in site.rglob("*")}
    assert modes <= {0o644, 0o755}, sorted(map(oct, modes))
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o644
