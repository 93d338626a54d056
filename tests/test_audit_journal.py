"""The audit journal (``audit/journal.jsonl``): when each build went live, which ``explain`` answers by.

1. Tamper-evident when a signing key is configured: each line is signed (Ed25519, over its canonical JSON without
   the signature, which holds the SHA-256 of the line before it). ``verify --audit`` and ``explain`` check it with the
   trusted key (or the keys the chain names) and name the first bad line: an edited, removed or moved line, a line
   signed by another key, an unsigned line after a signed one. Lines written before (unsigned) are read, and said to be
   unsigned, not failed. Without a key the journal is as before (and ``verify`` says it is not tamper-evident). The
   published site does not change: no manifest names the journal.
2. A failed build leaves a ``failed`` line (id, time, as-of date, reason); the site live on a day is unchanged.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import published_on, row, write_csv
from test_signing import config, keypair, records_dir, verify

from site_builder import faults
from site_builder.audit import history, signing
from site_builder.audit.explain import explain
from site_builder.audit.layout import AuditFolder
from site_builder.audit.timeline import publication_times
from site_builder.build import build
from site_builder.exceptions import AuditError, BuildError

DAYS = [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]


def signed_site(root: Path, days: list[date] = DAYS) -> tuple[Path, Path]:
    """A site built on ``days`` with a signing key; the journal and the public key."""
    records = records_dir(root)
    private, public = keypair(root, "a")
    for day in days:
        with published_on(day):
            build(config(root, records, private), day)
    return AuditFolder(root / "audit").journal, public


def lines(journal: Path) -> list[str]:
    return journal.read_text(encoding="utf-8").split("\n")[:-1]


def test_each_journal_line_is_signed_and_linked(tmp_path: Path) -> None:
    journal, public = signed_site(tmp_path)
    found = [json.loads(line) for line in lines(journal)]
    assert [line["event"] for line in found] == ["prepared", "published"] * 3
    assert all(line["signature"] and line["key"].startswith("sha256:") for line in found)
    assert found[0]["previous_line_sha256"] is None
    code, output = verify(tmp_path, "--audit", str(tmp_path / "audit"), "--public-key", str(public))
    assert code == 0 and "journal signed (6 lines)" in output, output
    manifest = (tmp_path / "output" / "manifest.json").read_text(encoding="utf-8")
    # the published site holds no hash of the journal (two builds of the same inputs at other times would differ),
    # only that this build signs its journal lines (verify finds them stripped)
    assert manifest.count("journal") == 1 and '"journal_signed": true' in manifest


@pytest.mark.parametrize("change", ["edit", "remove", "swap", "unsigned", "foreign"])
def test_a_changed_journal_is_named_by_its_first_bad_line(tmp_path: Path, change: str) -> None:
    journal, public = signed_site(tmp_path)
    found = lines(journal)
    if change == "edit":  # the publication of the second build moved a day later
        found[3] = found[3].replace("2026-11-24T02", "2026-11-25T02")
        bad = 4
    elif change == "remove":
        del found[2]
        bad = 3
    elif change == "swap":
        found[2], found[3] = found[3], found[2]
        bad = 3
    elif change == "unsigned":
        found.append(json.dumps({"event": "published", "build_id": "000003-2026-11-25", "at": "2026-11-30T02:00:00Z",
                                 "manifest_sha256": "0" * 64}))
        bad = 7
    else:  # signed by a key nobody trusts
        other, _ = keypair(tmp_path, "b")
        line = {k: v for k, v in json.loads(found[-1]).items() if k not in ("signature", "key")}
        found[-1] = json.dumps(signing.sign(signing.load_private_key(other), line), ensure_ascii=False, sort_keys=True)
        bad = 6
    journal.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    code, output = verify(tmp_path, "--audit", str(tmp_path / "audit"), "--public-key", str(public))
    assert code == 1 and f"journal.jsonl, line {bad}:" in output, output
    trusted = config(tmp_path, tmp_path / "records")
    trusted = dataclasses.replace(trusted, signing=dataclasses.replace(trusted.signing, public_key=public))
    with pytest.raises(AuditError, match=rf"journal\.jsonl, line {bad}:"):
        explain(trusted, "AP-1", DAYS[1])
    code, output = verify(tmp_path, "--audit", str(tmp_path / "audit"))  # without a trusted key: the chain's keys
    assert code == 1 and f"journal.jsonl, line {bad}:" in output, output


def test_an_old_unsigned_journal_is_read_and_said_unsigned(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    with published_on(DAYS[0]):
        build(config(tmp_path, records), DAYS[0])  # before signing: two unsigned lines
    private, public = keypair(tmp_path, "a")
    for day in DAYS[1:]:
        with published_on(day):
            build(config(tmp_path, records, private), day)
    journal = AuditFolder(tmp_path / "audit").journal
    found = [json.loads(line) for line in lines(journal)]
    assert ["signature" in line for line in found] == [False, False, True, True, True, True]
    assert found[2]["previous_line_sha256"] is None  # signed lines link to signed lines only (unsigned ones may be torn)
    code, output = verify(tmp_path, "--audit", str(tmp_path / "audit"), "--public-key", str(public))
    assert code == 0 and "journal signed from line 3 (lines 1-2 unsigned, written before signing)" in output, output
    assert [str(d) for d in publication_times(tmp_path / "audit").values()] == [
        "2026-11-23 10:00:00+08:00", "2026-11-24 10:00:00+08:00", "2026-11-25 10:00:00+08:00"]


def test_without_a_key_the_journal_is_not_tamper_evident(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    for day in DAYS[:2]:
        with published_on(day):
            build(config(tmp_path, records), day)
    assert all("signature" not in json.loads(line) for line in lines(AuditFolder(tmp_path / "audit").journal))
    code, output = verify(tmp_path, "--audit", str(tmp_path / "audit"))
    assert code == 0 and "journal unsigned (no signing key): not tamper-evident" in output, output


def test_a_failed_build_is_in_the_journal_and_changes_no_live_site(tmp_path: Path) -> None:
    journal, public = signed_site(tmp_path, DAYS[:2])
    records = tmp_path / "records"
    before = publication_times(tmp_path / "audit")
    (records / "admin_penalty.csv").unlink()  # every row of an item the live site publishes gone: refused
    write_csv(records / "commendation.csv", "commendation", [row("commendation")])
    private = tmp_path / "keys" / "a.pem"
    with published_on(DAYS[2], hour=3), pytest.raises(BuildError, match="No row of admin_penalty"):
        build(config(tmp_path, records, private), DAYS[2])
    last = json.loads(lines(journal)[-1])
    assert last["event"] == "failed" and last["build_id"] == "000003-2026-11-25" and last["as_of"] == "2026-11-25"
    assert last["at"] == "2026-11-25T03:00:00Z" and last["reason"].startswith("No row of admin_penalty")
    assert "signature" not in last  # never signed: a build refused for its key had signed it with that key
    assert publication_times(tmp_path / "audit") == before
    code, output = verify(tmp_path, "--audit", str(tmp_path / "audit"), "--public-key", str(public))
    assert code == 0, output
    [answer] = explain(config(tmp_path, records), "AP-1", DAYS[2])
    assert "audit history, build 000002-2026-11-24" in answer.source, answer.source


def failed_at(root: Path, fault: str) -> Path:
    """A site built on ``DAYS[0]``, then a build for ``DAYS[1]`` failing with an error (not a kill) at the fault point
    ``fault``; the records folder."""
    records = records_dir(root)
    with published_on(DAYS[0]):
        build(config(root, records), DAYS[0])

    def broken(point: str) -> None:
        if point == fault:
            raise RuntimeError("the disk went away")

    faults.HOOK = broken
    try:
        with published_on(DAYS[1]), pytest.raises(RuntimeError):
            build(config(root, records), DAYS[1])
    finally:
        faults.HOOK = None
    return records


def test_a_build_failing_after_it_was_prepared_is_in_the_journal(tmp_path: Path) -> None:
    """Unsigned too; the next build settles the prepared build as abandoned, and the failed id is not taken as live."""
    records = failed_at(tmp_path, "archived")
    journal = AuditFolder(tmp_path / "audit").journal
    found = [json.loads(line) for line in lines(journal)]
    assert [(line["event"], line["build_id"]) for line in found] == [
        ("prepared", "000001-2026-11-23"), ("published", "000001-2026-11-23"), ("prepared", "000002-2026-11-24"),
        ("failed", "000002-2026-11-24")]
    assert found[-1]["reason"] == "RuntimeError: the disk went away" and found[-1]["as_of"] == "2026-11-24"
    assert "signature" not in found[-1]
    assert [e.build_id for e in history.read_chain(tmp_path / "audit")] == ["000001-2026-11-23"]
    with published_on(DAYS[2]):
        build(config(tmp_path, records), DAYS[2])
    events = [json.loads(line)["event"] for line in lines(journal)]
    assert events[4:] == ["abandoned", "prepared", "published"]
    times = publication_times(tmp_path / "audit")
    journal.write_text("".join(line + "\n" for line in lines(journal) if '"failed"' not in line), encoding="utf-8")
    assert publication_times(tmp_path / "audit") == times  # the failed line says nothing of what was live
    [answer] = explain(config(tmp_path, records), "AP-1", DAYS[2])
    assert "audit history, build 000002-2026-11-25" in answer.source, answer.source


def test_a_build_failing_after_its_site_went_live_says_so(tmp_path: Path) -> None:
    """An error after the switch (not a kill): the failed line says the site went live; the next build records it."""
    records = failed_at(tmp_path, "switched")
    journal = AuditFolder(tmp_path / "audit").journal
    last = json.loads(lines(journal)[-1])
    assert last["event"] == "failed" and last["reason"] == (
        "RuntimeError: the disk went away (after its site went live: the next build records its publication)")
    with published_on(DAYS[2]):
        build(config(tmp_path, records), DAYS[2])
    assert [e.build_id for e in history.read_chain(tmp_path / "audit")] == [
        "000001-2026-11-23", "000002-2026-11-24", "000003-2026-11-25"]


def check(root: Path, public: Path) -> tuple[int, str]:
    """``verify --audit`` with the trusted key, and whether ``explain`` answers (its journal check) as a second word."""
    code, output = verify(root, "--audit", str(root / "audit"), "--public-key", str(public))
    trusted = config(root, root / "records")
    trusted = dataclasses.replace(trusted, signing=dataclasses.replace(trusted.signing, public_key=public))
    try:
        explain(trusted, "AP-1", DAYS[1])
    except AuditError as exc:
        return code, output + f"\nexplain: {exc}"
    return code, output


@pytest.mark.parametrize("mishap", ["wrong-key", "no-key", "torn-line"])
def test_ordinary_mishaps_leave_the_journal_checkable(tmp_path: Path, mishap: str) -> None:
    """The harm tester of stop 41: a build refused for another key signed its failed line with that key; one build run
    without the key wrote unsigned lines among signed ones; a line torn by a full disk broke the next line's link. Each
    made verify --audit fail and explain refuse every question, for good."""
    journal, public = signed_site(tmp_path, DAYS[:2])
    records, private = tmp_path / "records", tmp_path / "keys" / "a.pem"
    if mishap == "wrong-key":
        other, _ = keypair(tmp_path, "x")
        with published_on(DAYS[2], hour=1), pytest.raises(Exception, match="(?i)key"):
            build(config(tmp_path, records, other), DAYS[2])
    elif mishap == "no-key":
        with published_on(DAYS[2], hour=1):
            build(config(tmp_path, records), DAYS[2])
    else:
        with journal.open("ab") as fh:
            fh.write(b'{"event": "prepared", "build_id": "000003-2026-11-2')  # the disk filled up mid-line
    later = date(2026, 11, 26)
    with published_on(later):
        build(config(tmp_path, records, private), later)
    code, output = check(tmp_path, public)
    assert code == 0 and "explain:" not in output, output


@pytest.mark.parametrize("tamper", ["strip", "empty"])
def test_stripped_or_emptied_signed_journal_is_found(tmp_path: Path, tamper: str) -> None:
    """Signatures stripped from every line (and a time moved), or the journal emptied, had passed as 'journal unsigned':
    the builds' manifests say their lines are signed, so the missing signed line is named. Stripped lines are refused by
    explain (their times could be any); an emptied journal is answered with a warning (stop 42: test_audit_stop42)."""
    journal, public = signed_site(tmp_path)
    if tamper == "strip":
        found = [{k: v for k, v in json.loads(line).items() if k not in ("signature", "key", "previous_line_sha256")}
                 for line in lines(journal)]
        found[3]["at"] = "2026-11-20T02:00:00Z"
        journal.write_text("".join(json.dumps(line) + "\n" for line in found), encoding="utf-8")
    else:
        journal.write_text("", encoding="utf-8")
    code, output = check(tmp_path, public)
    assert code == 1 and "000001-2026-11-23" in output and ("explain:" in output) == (tamper == "strip"), output
