"""Audit trail and integrity: verify catches tampering, broken chains and leaks; builds are atomic;
``due`` and ``explain`` answer from the manifest and the audit history."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, build_site, make_resident_id, person, row, site_config, versions_left, write_csv

from site_builder.audit.explain import answering_builds
from site_builder.audit.history import ChainEntry
from site_builder.build import build
from site_builder.cli import main
from site_builder.exceptions import BuildError
from site_builder.publish import SPARE

AS_OF = date(2026, 11, 24)
LEGAL_REP_ID = make_resident_id("110108", "19750102", "555")
PERSON_ID = make_resident_id("330106", "19900307", "123")


def records_dir(root: Path, remarks: str = "") -> Path:
    """A small records directory: a company with a licence and a penalty, and a natural person's penalty."""
    records = root / "records"
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="SJ-1")])
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-1")])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep="王五",
            legal_rep_id_type="身份证", legal_rep_id_no=LEGAL_REP_ID, remarks=remarks),
        row("admin_penalty", record_id="AP-2", decision_date="2026-08-01", decision_no="杭市监罚〔2026〕2号",
            **person(id_no=PERSON_ID)),
    ])
    return records


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two builds (two as-of dates) with search, so the chain has two entries; returns the folder."""
    root = tmp_path_factory.mktemp("built")
    records = records_dir(root)
    build_site(root, records, date(2026, 11, 23), search=True)
    build_site(root, records, AS_OF, search=True)
    return root


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built folder (output, audit, records) to tamper with."""
    shutil.copytree(built, tmp_path / "copy")
    return tmp_path / "copy"


def verify(root: Path, *extra: str) -> tuple[int, str]:
    """Run ``site-builder verify`` on a copy; return exit code and all output."""
    result = CliRunner().invoke(main, ["verify", str(root / "output"), "--records", str(root / "records"),
                                       "--audit", str(root / "audit"), *extra])
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_fresh_build_verifies(site: Path) -> None:
    code, output = verify(site)
    assert code == 0, output
    assert "OK" in output


def test_chain_links_builds(site: Path) -> None:
    chain = json.loads((site / "output" / "chain.json").read_text(encoding="utf-8"))
    assert [e["sequence"] for e in chain] == [1, 2]
    assert chain[1]["previous"] == chain[0]["manifest_sha256"]
    manifest = (site / "output" / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest).hexdigest() == chain[1]["manifest_sha256"]
    first = site / "audit" / "builds" / chain[0]["build_id"] / "manifest.json"
    assert hashlib.sha256(first.read_bytes()).hexdigest() == chain[0]["manifest_sha256"]


@pytest.mark.parametrize("pattern", ["index.html", "record/*/*/index.html", "data/*.csv", "data/datapackage.json",
                                     "pagefind/fragment/*", "pagefind/pagefind-entry.json", "static/site.css"])
def test_tampering_with_any_output_file_fails(site: Path, pattern: str) -> None:
    target = sorted((site / "output").glob(pattern))[0]
    target.write_bytes(target.read_bytes() + b" ")
    code, output = verify(site, "--no-data")
    assert code == 1
    assert f"{target.relative_to(site / 'output').as_posix()}: content differs" in output


@pytest.mark.parametrize("no_data", [True, False])
def test_a_damaged_archive_is_a_problem_not_a_traceback(site: Path, no_data: bool) -> None:
    """Bug: a truncated zip or workbook, or a fragment overwritten in place, stopped ``verify`` with a traceback
    (the leak scan opened them as archives)."""
    output = site / "output"
    damaged = [sorted(output.glob("data/*.zip"))[0], sorted(output.glob("data/*.xlsx"))[0]]
    for path in damaged:
        path.write_bytes(path.read_bytes()[:500])
    fragment = sorted(output.glob("pagefind/fragment/*"))[0]
    data = bytearray(fragment.read_bytes())
    data[20:24] = b"XXXX"
    fragment.write_bytes(bytes(data))
    code, printed = verify(site, *(["--no-data"] if no_data else []))
    assert code == 1 and "Traceback" not in printed, printed
    for path in [*damaged, fragment]:
        assert f"{path.relative_to(output).as_posix()}: content differs" in printed, printed


@pytest.mark.parametrize("name", ["decisions.csv.gz", "quarantine.csv", "warnings.csv", "counts.json", "changes.json"])
def test_a_builds_reasons_are_covered_by_the_chain(site: Path, name: str) -> None:
    """Bug: a build's decisions (why each record was or was not public) could be edited or deleted in the audit folder
    and verify said OK: explain then answered from the edited file."""
    assert verify(site)[0] == 0
    record = site / "audit" / "builds" / "000002-2026-11-24" / name
    assert record.is_file(), "the second build has a change set"
    edit = (lambda data: gzip.compress(gzip.decompress(data).replace(b",published,", b",expired,", 1), mtime=0)) \
        if name.endswith(".gz") else (lambda data: data + b"\n")
    original = record.read_bytes()
    record.write_bytes(edit(original))
    code, output = verify(site)
    assert code == 1 and f"{record}: content differs from its hash in" in output, output
    if name.endswith(".gz"):  # a plain copy as it was beside the edited gzip: explain reads the gzip, so verify does
        (record.parent / name.removesuffix(".gz")).write_bytes(gzip.decompress(original))
        code, output = verify(site)
        assert code == 1 and f"{record}: content differs" in output, output
        (record.parent / name.removesuffix(".gz")).unlink()
    record.unlink()
    code, output = verify(site)
    assert code == 1 and f"{record}: missing (its hash is in" in output, output  # the file a finished build keeps


def test_a_deployed_copy_verifies_without_the_records_saying_the_scan_was_not_made(site: Path, tmp_path: Path) -> None:
    """Bug: a copy on the web host (no records there, by the first deployment rule) could not be verified: the leak
    scan's records were required; given an empty folder instead, verify said "no leaks" having scanned for nothing."""
    public = tmp_path / "public"
    shutil.copytree(site / "output", public)
    missing = CliRunner().invoke(main, ["verify", str(public), "--records", str(tmp_path / "nowhere"), "--no-data"])
    assert missing.exit_code == 1 and "pass --no-leak-scan" in missing.output, missing.output
    result = CliRunner().invoke(main, ["verify", str(public), "--records", str(tmp_path / "nowhere"), "--no-data",
                                       "--no-leak-scan"])
    assert result.exit_code == 0 and "no leak scan (--no-leak-scan)" in result.output and "no leaks" not in result.output
    (public / "404.html").write_text("x", encoding="utf-8")
    assert CliRunner().invoke(main, ["verify", str(public), "--no-leak-scan", "--no-data"]).exit_code == 1  # hashes still


def test_missing_and_extra_files_fail(site: Path) -> None:
    (site / "output" / "404.html").unlink()
    (site / "output" / "extra.html").write_text("x", encoding="utf-8")
    code, output = verify(site, "--no-data")
    assert code == 1
    assert "404.html: listed in manifest.json but missing" in output
    assert "extra.html: not listed in manifest.json" in output


def test_tampering_with_the_manifest_fails(site: Path) -> None:
    path = site / "output" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["counts"]["published"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    code, output = verify(site, "--no-data")
    assert code == 1
    assert "manifest.json: its hash is not the head of chain.json" in output


def test_reordering_the_chain_fails(site: Path) -> None:
    path = site / "output" / "chain.json"
    path.write_text(json.dumps(list(reversed(json.loads(path.read_text(encoding="utf-8"))))), encoding="utf-8")
    code, output = verify(site, "--no-data")
    assert code == 1
    assert "chain.json: entry 1 has sequence 2" in output


def test_tampering_with_an_archived_manifest_fails(site: Path) -> None:
    first = sorted((site / "audit" / "builds").iterdir())[0] / "manifest.json"
    first.write_bytes(first.read_bytes().replace(b'"as_of": "2026-11-23"', b'"as_of": "2026-11-22"'))
    code, output = verify(site, "--no-data")
    assert code == 1
    assert f"{first}: content differs from its hash" in output


def test_rewriting_the_audit_chain_fails(site: Path) -> None:
    path = site / "audit" / "chain.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    code, output = verify(site, "--no-data")
    assert code == 1
    assert "chain.jsonl: entry 1 has sequence 2" in output


def _plant_in_gzip(path: Path, secret: str) -> None:
    text = gzip.decompress(path.read_bytes())
    spaced = "\u200b".join(secret).encode("utf-8")  # as Pagefind separates words
    path.write_bytes(gzip.compress(text + spaced, mtime=0))


@pytest.mark.parametrize("pattern", ["record/*/*/index.html", "data/*.csv", "data/datapackage.json",
                                     "pagefind/fragment/*", "pagefind/index/*"])
@pytest.mark.parametrize("secret", [LEGAL_REP_ID, PERSON_ID])
def test_planted_withheld_value_or_raw_id_fails(site: Path, pattern: str, secret: str) -> None:
    target = sorted((site / "output").glob(pattern))[0]
    if pattern.startswith("pagefind/"):
        _plant_in_gzip(target, secret)
    else:
        target.write_bytes(target.read_bytes() + secret.encode("utf-8"))
    code, output = verify(site, "--no-data")
    assert code == 1
    assert f"{target.relative_to(site / 'output').as_posix()}: contains 1 withheld value(s) or raw ID number(s)" in output


def test_planted_value_in_a_zip_member_fails(site: Path) -> None:
    import zipfile

    with zipfile.ZipFile(site / "output" / "data" / "all.zip", "w") as archive:
        archive.writestr("penalties.csv", f"id\n{LEGAL_REP_ID}\n")
    code, output = verify(site, "--no-data")
    assert code == 1
    assert "data/all.zip!penalties.csv: contains 1 withheld value(s)" in output


def test_build_that_would_leak_is_refused_and_old_site_kept(tmp_path: Path) -> None:
    records = records_dir(tmp_path / "in")
    build_site(tmp_path, records, AS_OF)
    before = tree(tmp_path / "output")
    content = tmp_path / "content"
    content.mkdir()
    (content / "10-notice.md").write_text(f"# 公告\n\n经核查，证件号码 {LEGAL_REP_ID} 的当事人……\n", encoding="utf-8")
    config = site_config(tmp_path, records, search=False).with_paths(content=content)
    with pytest.raises(BuildError, match=r"pages/notice/index.html: contains 1 withheld value"):
        build(config, AS_OF)
    assert tree(tmp_path / "output") == before
    assert len(list((tmp_path / "audit" / "builds").iterdir())) == 1
    assert not list(tmp_path.glob(".output.builds/.staging-*"))


def test_killed_build_leaves_the_old_site(tmp_path: Path) -> None:
    records = tmp_path / "records"
    rows = [row("admin_penalty", record_id=f"AP-{n}", decision_no=f"杭市监罚〔2026〕{n}号", decision_date="2026-06-01")
            for n in range(3000)]
    write_csv(records / "admin_penalty.csv", "admin_penalty", rows)
    command = [sys.executable, "-m", "site_builder", "-q", "build", "--records", str(records),
               "--out", str(tmp_path / "output"), "--audit", str(tmp_path / "audit"), "--as-of", "2026-11-24"]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    before = tree(tmp_path / "output")
    first = os.readlink(tmp_path / "output").rsplit("/", 1)[-1]
    process = subprocess.Popen([*command[:-1], "2026-11-25"], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".output.builds/.staging-*/record/admin_penalty/AP-100*")):
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert tree(tmp_path / "output") == before
    subprocess.run([*command[:-1], "2026-11-25"], check=True, capture_output=True, cwd=ROOT)
    assert not list(tmp_path.glob(".output.builds/.staging-*")), "a stale staging folder survived"
    live = os.readlink(tmp_path / "output").rsplit("/", 1)[-1]  # and the site it replaced, kept as the spare
    assert versions_left(tmp_path / ".output.builds") == sorted([live, first, first + SPARE]), "an old version survived"
    assert json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))["as_of"] == "2026-11-25"


def test_due_before_and_after_an_expiry(site: Path) -> None:
    manifest = json.loads((site / "output" / "manifest.json").read_text(encoding="utf-8"))
    # AP-1, a general penalty of 2026-06-01, is public through 2027-06-01 and gone on 2027-06-02.
    assert manifest["next_expiry"] == "2027-06-02"
    out = str(site / "output")
    assert CliRunner().invoke(main, ["due", out, "--today", "2027-06-01"]).exit_code == 0
    late = CliRunner().invoke(main, ["due", out, "--today", "2027-06-02"])
    assert late.exit_code == 1
    assert "Rebuild due" in late.output


def test_an_objection_dated_after_the_build_suspends_its_record_at_once(site: Path) -> None:
    """An objection dated after the as-of date had suspended its record only from that date (and ``due`` asked for a
    rebuild then): the export says the objection is being handled now, and the site goes live now (stop 41)."""
    write_csv(site / "records" / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", objection_status="处理中",
            objection_date="2026-11-28")])
    build_site(site, site / "records", date(2026, 11, 25))
    assert "AP-1" not in (site / "output" / "data" / "admin_penalty.csv").read_text(encoding="utf-8-sig")
    manifest = json.loads((site / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["next_change"] != "2026-11-28"
    assert CliRunner().invoke(main, ["due", str(site / "output"), "--today", "2026-11-28"]).exit_code == 0


def test_explain_answers_from_the_audit_history(site: Path) -> None:
    args = ["--records", str(site / "records"), "--audit", str(site / "audit")]
    past = CliRunner().invoke(main, ["explain", "AP-1", "--as-of", "2026-11-23", *args])
    assert past.exit_code == 0, past.output
    assert "published" in past.output and "through 2027-06-01" in past.output
    assert "build 000001-2026-11-23" in past.output
    assert "适用规则版本：国家发展改革委令2025年第36号" in past.output  # from the build's manifest (it said none)
    later = CliRunner().invoke(main, ["explain", "AP-1", "--as-of", "2027-06-02", *args])
    # After the last build: what the live site held, and apart, labelled, what the rules say of the day
    assert later.output.startswith("admin_penalty AP-1 (admin_penalty.csv, row 2): published"), later.output
    assert "build 000002-2026-11-24 (as of 2026-11-24): the site live on 2027-06-02" in later.output
    assert "what the rules say of 2027-06-02 (not what the site showed): its period ended on 2027-06-01: the site (as of " \
           "2026-11-24) was due a rebuild" in later.output
    missing = CliRunner().invoke(main, ["explain", "NO-SUCH", "--as-of", "2026-11-23", *args])
    assert missing.exit_code == 1


def test_the_site_live_on_a_day_is_never_a_build_made_after_a_later_dated_one() -> None:
    """Bug: after builds for 11-20 and 11-25 and then one for 11-21 (``--earlier``), explain answered for 11-23 from the
    11-21 build, made after the 11-25 one, so not live on 11-23: the live site then was the 11-20 build's."""
    chain = [ChainEntry(n, f"00000{n}-{day}", day, "", None) for n, day in
             enumerate(["2026-11-20", "2026-11-25", "2026-11-21", "2026-11-26"], start=1)]
    assert [e.build_id for e in answering_builds(chain, date(2026, 11, 23))] == ["000001-2026-11-20"]
    # made for it, but after the 11-25 build (chain order): without the journal, not taken as live before 11-25
    assert [e.build_id for e in answering_builds(chain, date(2026, 11, 21))] == ["000001-2026-11-20"]
    assert [e.build_id for e in answering_builds(chain[:3], date(2026, 11, 22))] == ["000001-2026-11-20"]
    assert answering_builds(chain, date(2026, 11, 19)) == []


def test_a_build_made_ahead_of_its_date_does_not_hide_the_build_that_undid_it() -> None:
    """Bug: after builds for 12-01 and 2027-06-01 (``--future``, a wrong year, made on 12-01) and one for 12-06
    (``--earlier``, the undo, live from then on), explain answered for 12-07 from the 12-01 build, as if the 2027 one
    had been made in 2027. The journal says when each build was published: a build made more than a day before its
    date went live that day."""
    days = ["2026-12-01", "2027-06-01", "2026-12-06"]
    chain = [ChainEntry(n, f"00000{n}-{day}", day, "", None) for n, day in enumerate(days, start=1)]
    made = {"000001-2026-12-01": date(2026, 12, 1), "000002-2027-06-01": date(2026, 12, 1),
            "000003-2026-12-06": date(2026, 12, 6)}
    assert [e.build_id for e in answering_builds(chain, date(2026, 12, 7), made)] == ["000003-2026-12-06"]
    assert [e.build_id for e in answering_builds(chain, date(2026, 12, 3), made)] == ["000002-2027-06-01"]  # live then
    assert [e.build_id for e in answering_builds(chain, date(2026, 12, 7))] == ["000001-2026-12-01"]  # no journal
    assert [e.build_id for e in answering_builds(chain, date(2027, 6, 1), made)] == ["000003-2026-12-06"]  # undone
    assert [e.build_id for e in answering_builds(chain[:2], date(2027, 6, 1), made)] == ["000002-2027-06-01"]  # live
    made["000002-2027-06-01"] = date(2027, 6, 1)  # made on its date, undone later: not live on 12-07
    made["000003-2026-12-06"] = date(2027, 6, 2)
    assert [e.build_id for e in answering_builds(chain, date(2026, 12, 7), made)] == ["000001-2026-12-01"]


def test_a_chain_entrys_date_rewritten_without_the_key_fails_verify(site: Path) -> None:
    """Bug: a build's ``as_of`` changed in audit/chain.jsonl and output/chain.json (no hash covers it there) passed
    verify, and moved the day the build spoke for, and with it what explain answered for a day."""
    chain_file = site / "audit" / "chain.jsonl"
    first = json.loads(chain_file.read_text(encoding="utf-8").splitlines()[0])
    assert first["as_of"] == "2026-11-23"
    for path in (chain_file, site / "output" / "chain.json"):
        path.write_text(path.read_text(encoding="utf-8").replace('"as_of": "2026-11-23"', '"as_of": "2026-11-22"'),
                        encoding="utf-8")
    code, output = verify(site)
    assert code == 1 and "as of 2026-11-22, but its manifest" in output and "says build 000001-2026-11-23 as of 2026-11-23" \
        in output, output


def test_explain_refuses_to_answer_from_an_edited_decision_file(site: Path) -> None:
    """Bug: a build's decisions.csv.gz edited to say a record was published was believed by explain (verify caught it)."""
    decisions = next((site / "audit" / "builds").glob("000001-*/decisions.csv.gz"))
    with gzip.open(decisions, "rt", encoding="utf-8") as fh:
        text = fh.read()
    decisions.write_bytes(gzip.compress(text.replace(",published,", ",not_approved,").encode("utf-8"), mtime=0))
    result = CliRunner().invoke(main, ["explain", "AP-1", "--as-of", "2026-11-23", "--records", str(site / "records"),
                                       "--audit", str(site / "audit")])
    assert result.exit_code == 1 and "fails its check" in result.output and "decisions.csv.gz" in result.output, result.output


def test_explain_refuses_to_answer_from_an_edited_earlier_change_set(site: Path) -> None:
    """Bug: explain checked the build it answered from, but read the change sets of the builds before it unchecked: an
    edited one moved the day a record left the site."""
    records = site / "records"
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-2")])  # XK-1 gone
    build_site(site, records, date(2026, 11, 30))
    build_site(site, records, date(2026, 12, 1))
    args = ["explain", "XK-1", "--as-of", "2026-12-01", "--records", str(records), "--audit", str(site / "audit")]
    result = CliRunner().invoke(main, args)
    # its row left the live build's input: not public that day (exit 1, the operator guide's exit-code table)
    assert result.exit_code == 1 and "off the site since build 000003-2026-11-30" in result.output, result.output
    changes = site / "audit" / "builds" / "000003-2026-11-30" / "changes.json"
    changes.write_text(changes.read_text(encoding="utf-8") + " ", encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "000003-2026-11-30 fails its check" in result.output, result.output
    assert "changes.json" in result.output


def test_explain_before_the_first_build_says_no_site_existed(site: Path) -> None:
    """Bug: for a day before the first build, explain said "published" from today's records, as if the site had
    shown it."""
    result = CliRunner().invoke(main, ["explain", "AP-1", "--as-of", "2026-11-20", "--records", str(site / "records"),
                                       "--audit", str(site / "audit")])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("admin_penalty AP-1: not public: no site yet\n  nothing was public on 2026-11-20: no "
                                    "site yet: the first build, 000001-2026-11-23 (as of 2026-11-23), was published "
                                    "2026-11-23 10:00"), result.output
    assert "for comparison, not what the site showed: admin_penalty AP-1 (admin_penalty.csv, row 2): published" \
        in result.output


def test_explain_answers_a_day_between_builds_from_the_site_live_that_day(site: Path) -> None:
    """Bugs: for a day with no build, explain answered from today's records (a record withdrawn since was said
    withdrawn on a day the site showed it); of two builds one day it showed the last only; a record whose row had left
    the input was "no record"."""
    records = site / "records"
    penalties = [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", publish_status="已撤回")]
    write_csv(records / "admin_penalty.csv", "admin_penalty", penalties)
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-2")])  # XK-1 gone
    build_site(site, records, date(2026, 11, 30))
    args = ["--records", str(records), "--audit", str(site / "audit")]

    def explained(record_id: str, day: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["explain", record_id, "--as-of", day, *args])
        assert result.exit_code == code, result.output
        return result.output

    between = explained("AP-1", "2026-11-27")
    assert between.startswith("admin_penalty AP-1 (admin_penalty.csv, row 2): published"), between
    assert "build 000002-2026-11-24 (as of 2026-11-24): the site live on 2026-11-27; published 2026-11-24 10:00" in between
    gone = explained("XK-1", "2026-11-30", code=1)  # its row left the live build's input: not public (exit 1)
    assert gone.startswith("admin_license XK-1: withdrawn"), gone
    assert "off the site since build 000003-2026-11-30 (as of 2026-11-30): 主管部门撤回" in gone
    # after the last build: the live site's answer, not "no record"
    assert "withdrawn" in explained("XK-1", "2026-12-01", code=1)
    penalties[0]["publish_status"] = "已审核"
    write_csv(records / "admin_penalty.csv", "admin_penalty", penalties)
    build_site(site, records, date(2026, 11, 30))  # a second build that day publishes it again
    both = explained("AP-1", "2026-11-30")
    assert both.index("not_approved") < both.index("source: audit history, build 000003-2026-11-30") \
        < both.index("): published") < both.index("source: audit history, build 000004-2026-11-30"), both


@pytest.mark.parametrize("spelling", ["ap-1", "Ap-1", "ＡＰ－１", " AP-1 "])
def test_explain_finds_a_record_by_its_id_in_any_case_or_width(site: Path, spelling: str) -> None:
    """Record ids are compared by ``validation.id_key`` everywhere else (the duplicate rule): explain too, from the
    audit history and from the records."""
    args = ["--records", str(site / "records"), "--audit", str(site / "audit")]
    for day, source in (("2026-11-23", "build 000001-2026-11-23"), ("2027-06-02", "build 000002-2026-11-24")):
        found = CliRunner().invoke(main, ["explain", spelling, "--as-of", day, *args])
        assert found.exit_code == 0, found.output
        assert found.output.startswith("admin_penalty AP-1 (admin_penalty.csv, row 2): ") and source in found.output
        assert found.output.count("admin_penalty AP-1 ") == 1, found.output


def test_explain_of_an_id_whose_case_the_platform_changed_answers_the_row(site: Path) -> None:
    """``AP-1`` published, then exported as ``ap-1``: the same record (it keeps its address), which explain asked for
    in either spelling answers from the row as the platform now spells it."""
    records = site / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty",
              [row("admin_penalty", record_id="ap-1", decision_date="2026-06-01")])
    build_site(site, records, date(2026, 11, 30))
    args = ["--records", str(records), "--audit", str(site / "audit")]
    for asked in ("AP-1", "ap-1"):
        result = CliRunner().invoke(main, ["explain", asked, "--as-of", "2026-11-30", *args])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("admin_penalty ap-1 (admin_penalty.csv, row 2): published"), result.output
        assert "withdrawn" not in result.output, result.output


def test_due_names_the_option_given_for_a_date_that_does_not_exist(site: Path) -> None:
    result = CliRunner().invoke(main, ["due", str(site / "output"), "--today", "2026-02-30"])
    assert result.exit_code == 2
    assert "Invalid value for --today: '2026-02-30' is not a date" in result.output and "--as-of" not in result.output


def test_same_inputs_give_byte_identical_sites(tmp_path: Path) -> None:
    """Two builds of the demo records in different folders (search index included) are identical."""
    trees = []
    for name in ("one", "two"):
        build_site(tmp_path / name, ROOT / "data" / "records", AS_OF, search=True)
        trees.append({p.relative_to(tmp_path / name / "output").as_posix(): p.read_bytes()
                      for p in sorted((tmp_path / name / "output").rglob("*")) if p.is_file()})
    assert trees[0].keys() == trees[1].keys()
    assert [p for p in trees[0] if trees[0][p] != trees[1][p]] == []
    assert any(p.startswith("pagefind/fragment/") for p in trees[0])


def test_a_scanning_worker_killed_is_one_error_line(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``verify`` scans a large site in worker processes: one killed (as the out-of-memory killer would) ends the
    command with one line saying so and exit code 1, not a traceback."""
    from site_builder import faults
    from site_builder.outputs import parallel
    from site_builder.rules import privacy

    monkeypatch.setattr(privacy, "SCAN_PARALLEL", 1)  # scan even this small site in a pool
    monkeypatch.setattr(parallel, "worker_count", lambda config: 2)
    monkeypatch.setenv(faults.ENV, "worker")  # inherited by the scanning processes
    code, output = verify(site)
    assert code == 1, output
    assert "A worker process stopped unexpectedly" in output and "Traceback" not in output, output
    monkeypatch.delenv(faults.ENV)
    assert verify(site)[0] == 0


def test_public_manifest_names_no_person_through_file_names(tmp_path: Path) -> None:
    """A records file named after a person's ID number is listed masked; a stray file beside the records (a scanned
    ID card named after its holder) is only counted: the public manifest names no person."""
    records = records_dir(tmp_path)
    (records / "admin_penalty").mkdir()
    (records / "admin_penalty.csv").rename(records / "admin_penalty" / f"批次{PERSON_ID}.csv")
    (records / f"王五_{LEGAL_REP_ID}_身份证复印件.pdf").write_bytes(b"%PDF-1.4\n")
    build_site(tmp_path, records, AS_OF)
    text = (tmp_path / "output" / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert PERSON_ID not in text and LEGAL_REP_ID not in text and "王五" not in text
    names = [entry["file"] for entry in manifest["inputs"]["records"]]
    assert f"admin_penalty/批次{PERSON_ID[:3]}*" in next(n for n in names if n.startswith("admin_penalty/"))
    assert manifest["inputs"]["ignored"] == 1
    warnings = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "audit").rglob("warnings*"))
    assert f"王五_{LEGAL_REP_ID}_身份证复印件.pdf" in warnings  # the operator still finds it in the audit folder


def test_verify_says_which_builds_have_audit_files_no_hash_covers(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: over a history begun by a version from before the audit files were hashed, ``verify --audit`` said OK,
    and an edited decisions file of those builds made ``explain`` answer wrongly. It now says they are not checked."""
    from site_builder.audit import verify as verifying
    from site_builder.audit.history import read_chain
    from site_builder.audit.layout import AuditFolder

    entry = read_chain(site / "audit")[0]
    manifest = AuditFolder(site / "audit").build(entry.build_id).manifest
    assert verifying.unhashed_builds(site / "audit") == []
    old = json.loads(manifest.read_text(encoding="utf-8"))
    del old["audit"]
    manifest.write_text(json.dumps(old), encoding="utf-8")  # as an older version wrote it (the chain's hash aside)
    assert verifying.unhashed_builds(site / "audit") == [entry.build_id]
    manifest.write_text(json.dumps(old | {"audit": {}}), encoding="utf-8")
    monkeypatch.setattr(verifying, "verify_site", lambda *args, **kwargs: [])
    monkeypatch.setattr(verifying, "unhashed_builds", lambda root: ["000001-2026-11-20", "000003-2026-11-22"])
    code, output = verify(site)
    assert code == 0, output
    assert "the audit files of 000001-2026-11-20 … 000003-2026-11-22 (2 builds) are not hashed" in output, output


def test_explain_of_a_record_not_yet_in_the_input_of_a_build(site: Path) -> None:
    """Bug: of two builds one day, the first made before the record was added, explain listed the second only; for a
    day whose build did not have the record yet it said "No record" (as for a mistyped id)."""
    records = site / "records"
    rows = [row("admin_license", record_id="XK-1"), row("admin_license", record_id="XK-9", decision_no="杭许〔2026〕9号")]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    build_site(site, records, AS_OF)  # a second build on 11-24, now with XK-9
    args = ["--records", str(records), "--audit", str(site / "audit")]
    both = CliRunner().invoke(main, ["explain", "XK-9", "--as-of", AS_OF.isoformat(), *args])
    assert both.exit_code == 0, both.output
    assert both.output.index("admin_license XK-9: not in the input") < both.output.index("build 000002-2026-11-24") \
        < both.output.index("admin_license XK-9 (admin_license.csv, row 3): published") \
        < both.output.index("source: audit history, build 000003-2026-11-24"), both.output
    before = CliRunner().invoke(main, ["explain", "XK-9", "--as-of", "2026-11-23", *args])
    assert before.exit_code == 1
    assert "No record 'XK-9' in the input of the build(s) the site had on 2026-11-23 (000001-2026-11-23): not " \
           "published that day" in before.output, before.output


# --- The site live on a day is the last build published by its end (the journal), whatever its as-of date -----


def test_explain_answers_a_back_filled_day_from_the_site_then_live(site: Path) -> None:
    """Bug: after a CI outage, builds as of 11-26 and 11-28 made (and published) on 11-30 were taken as live on their
    dates: explain for 11-27 answered from the 11-26 build, though the journal says the 11-24 site was live until 11-30.
    It answers from the live site, says when it went live, and gives the back-filled build's answer as a comparison."""
    records = site / "records"
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="XK-2")])  # XK-1 gone
    from conftest import published_on

    for day in (date(2026, 11, 26), date(2026, 11, 28)):
        with published_on(date(2026, 11, 30)):
            build(site_config(site, records), day)
    args = ["--records", str(records), "--audit", str(site / "audit")]
    result = CliRunner().invoke(main, ["explain", "XK-1", "--as-of", "2026-11-27", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "admin_license XK-1 (admin_license.csv, row 2): published", result.output
    assert "build 000002-2026-11-24 (as of 2026-11-24): the site live on 2026-11-27; published 2026-11-24 10:00 " \
           "(Asia/Shanghai), live until 2026-11-30 10:00 (Asia/Shanghai) (build 000003-2026-11-26)" in result.output
    assert "for comparison, not what the site showed: admin_license XK-1: withdrawn" in result.output
    assert "build 000003-2026-11-26, made for the date 2026-11-26 but published 2026-11-30 10:00" in result.output
    gone = CliRunner().invoke(main, ["explain", "XK-1", "--as-of", "2026-12-01", *args])
    assert "left the site with build 000003-2026-11-26 (as of 2026-11-26), published 2026-11-30 10:00" in gone.output


@pytest.mark.parametrize("tamper", ["remove", "delete", "redate"])
def test_explain_refuses_a_tampered_chain(site: Path, tamper: str) -> None:
    """Bug: with audit/chain.jsonl removed, an entry deleted or re-dated, explain answered (exit 0) from the wrong
    build or from the current records; it checks the chain as verify --audit does."""
    chain = site / "audit" / "chain.jsonl"
    lines = chain.read_text(encoding="utf-8").splitlines(keepends=True)
    if tamper == "remove":
        chain.unlink()
    elif tamper == "delete":
        chain.write_text(lines[1], encoding="utf-8")
    else:
        chain.write_text(lines[0].replace('"as_of": "2026-11-23"', '"as_of": "2026-11-20"') + lines[1], encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", "AP-1", "--as-of", "2026-11-23", "--records", str(site / "records"),
                                       "--audit", str(site / "audit")])
    assert result.exit_code == 1 and "The audit history fails its check" in result.output, result.output
