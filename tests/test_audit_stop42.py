"""What the last stop left in the audit trail (stop 42).

1. Lines cut from the journal's end: the newest build of the chain (and a build the output carries that is still
   pending) must have the journal line saying when it went live; ``verify --audit`` and ``explain`` name the builds
   whose lines are gone. Ordinary mishaps (a refused or failed build, a torn last line, a build interrupted after it
   joined the chain) still pass.
2. A build refused before it holds the lock writes no journal line (the journal has one writer); it says so.
3. A journal emptied, removed or cut from its end: ``verify --audit`` fails, and ``explain`` still answers from the
   builds' kept manifests and decisions, with a warning that the times builds went live are not known (exit 1): never
   as if the journal held.
4. A site profile's own ``ends_at`` (a period version naming a date field the catalogue's rule does not end by) is
   among the end dates that cannot come before the decision date (``date-order``), as the catalogue's are.
5. ``verify --audit`` reads each build's kept manifest once (its hash, its files' hashes and whether its journal lines
   are signed); a signed journal line finds the last signed line from the journal's end, not by reading it all.
6. Lines cut (or a journal emptied) and then built on: the builds whose lines are gone are still named (verify --audit
   fails, explain warns for the days they may have gone live on), not taken as published on their as-of dates, nor
   refused as tampering; a build interrupted after it joined the chain is settled only with its own key.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import published_on
from test_signing import config, keypair, records_dir, verify

from site_builder import faults
from site_builder.audit.explain import explain
from site_builder.audit.layout import AuditFolder
from site_builder.build import build
from site_builder.cli import main
from site_builder.config import Config
from site_builder.exceptions import AuditError, SigningError

DAYS = [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]


def site(root: Path, signed: bool, days: list[date] = DAYS) -> tuple[Config, Path | None]:
    """A site built on ``days`` (with a signing key if ``signed``); the configuration that trusts its public key."""
    records = records_dir(root)
    private, public = keypair(root, "a") if signed else (None, None)
    for day in days:
        with published_on(day):
            build(config(root, records, private), day)
    trusted = config(root, records, private)
    return dataclasses.replace(trusted, signing=dataclasses.replace(trusted.signing, public_key=public)), public


def check(root: Path, public: Path | None) -> tuple[int, str]:
    """``verify --audit`` (with the trusted key, if any)."""
    return verify(root, "--audit", str(root / "audit"), *(["--public-key", str(public)] if public else []))


def lines(journal: Path) -> list[str]:
    return journal.read_text(encoding="utf-8").split("\n")[:-1]


def cut(journal: Path, count: int) -> None:
    """Cut the last ``count`` lines of the journal."""
    journal.write_text("".join(line + "\n" for line in lines(journal)[:-count]), encoding="utf-8")


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("count", [1, 2, 4], ids=["published", "build", "two-builds"])
def test_lines_cut_from_the_journals_end_are_named(tmp_path: Path, signed: bool, count: int) -> None:
    """Bug: cutting the journal's last lines (the line saying the newest build was published, or all its lines) passed
    verify --audit without a key; with one, it was said as lines 'removed or their signatures stripped'."""
    trusted, public = site(tmp_path, signed)
    cut(AuditFolder(tmp_path / "audit").journal, count)
    missing = "000002-2026-11-24, 000003-2026-11-25" if count == 4 else "000003-2026-11-25"
    code, output = check(tmp_path, public)
    assert code == 1 and f"ends before the publication of build(s) {missing}" in output, output
    assert "cut from its end" in output, output
    [answer] = explain(trusted, "AP-1", DAYS[2])
    assert answer.outcome == "published" and "cut from its end" in answer.warning and missing in answer.warning
    assert answer.lines()[1].startswith("  warning: the audit journal"), answer.lines()
    # a day before the builds whose lines are gone could have gone live is answered as before
    [before] = explain(trusted, "AP-1", DAYS[0])
    assert bool(before.warning) == (count == 4), before  # build 2 may have gone live on 11-23, after build 1


def failed(root: Path, trusted: Config, fault: str | None, day: date) -> None:
    """A build for ``day`` that fails: at the fault point ``fault`` (an error, not a kill), or refused (``None``: every
    row of the live site's item gone)."""
    records = root / "records"

    def broken(point: str) -> None:
        if point == fault:
            raise RuntimeError("the disk went away")

    if fault is None:
        saved = (records / "admin_penalty.csv").read_bytes()
        (records / "admin_penalty.csv").write_text("", encoding="utf-8")
    faults.HOOK = broken
    try:
        with published_on(day, hour=3), pytest.raises(Exception):  # noqa: B017,PT011 - any failure will do
            build(dataclasses.replace(trusted, signing=dataclasses.replace(trusted.signing, public_key=None)), day)
    finally:
        faults.HOOK = None
        if fault is None:
            (records / "admin_penalty.csv").write_bytes(saved)


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("mishap", ["refused", "failed-prepared", "interrupted-after-chain", "torn-line"])
def test_ordinary_mishaps_at_the_journals_end_pass(tmp_path: Path, signed: bool, mishap: str) -> None:
    """A refused or failed build's unsigned line, a torn last line, and a build interrupted after it joined the chain
    (its publication line not yet written: the next build writes it) are no lines cut from the end."""
    trusted, public = site(tmp_path, signed, DAYS[:2])
    journal = AuditFolder(tmp_path / "audit").journal
    if mishap == "refused":
        failed(tmp_path, trusted, None, DAYS[2])
    elif mishap == "failed-prepared":
        failed(tmp_path, trusted, "archived", DAYS[2])
    elif mishap == "interrupted-after-chain":
        failed(tmp_path, trusted, "appended", DAYS[2])
        assert AuditFolder(tmp_path / "audit").pending.is_file()
        assert json.loads(lines(journal)[-2])["event"] == "prepared"
    else:
        with journal.open("ab") as fh:
            fh.write(b'{"event": "prepared", "build_id": "000003-2026-11-2')  # the disk filled up mid-line
    code, output = check(tmp_path, public)
    assert code == 0, output
    assert explain(trusted, "AP-1", DAYS[2])



def test_a_refusal_before_the_lock_says_it_is_not_in_the_journal(tmp_path: Path) -> None:
    """A build refused before it holds the lock (another build is running) writes no journal line: the journal has one
    writer, the build holding the lock. The refusal says so, so that the operator keeps the scheduler's log of it."""
    from filelock import FileLock

    trusted, _public = site(tmp_path, False, DAYS[:1])
    journal = AuditFolder(tmp_path / "audit").journal
    before = journal.read_bytes()
    waiting = dataclasses.replace(trusted, publish=dataclasses.replace(trusted.publish, lock_timeout=0))
    with FileLock(AuditFolder(tmp_path / "audit").lock), pytest.raises(AuditError) as refused:
        build(waiting, DAYS[1])
    assert "Another build is writing" in str(refused.value)
    assert "not recorded in the audit journal" in str(refused.value), refused.value
    assert journal.read_bytes() == before


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("tamper", ["emptied", "removed"])
def test_an_emptied_journal_fails_verify_and_explain_answers_with_a_warning(tmp_path: Path, signed: bool,
                                                                             tamper: str) -> None:
    """Bug: once a build signed, an emptied journal made explain refuse every question until restored from a backup
    (and without a key it answered silently from the builds' as-of dates)."""
    trusted, public = site(tmp_path, signed)
    journal = AuditFolder(tmp_path / "audit").journal
    if tamper == "emptied":
        journal.write_text("", encoding="utf-8")
    else:
        journal.unlink()
    code, output = check(tmp_path, public)
    assert code == 1 and "missing or empty" in output and "000001-2026-11-23" in output, output
    [answer] = explain(trusted, "AP-1", DAYS[1])
    assert answer.outcome == "published" and "audit history, build 000002-2026-11-24" in answer.source, answer
    assert "missing or empty" in answer.warning and "not known" in answer.warning, answer.warning
    assert "the journal gives no time" in answer.source, answer.source
    args = ["--records", str(tmp_path / "records"), "--audit", str(tmp_path / "audit")]
    result = CliRunner().invoke(main, ["explain", "AP-1", "--as-of", DAYS[1].isoformat(), *args])
    assert result.exit_code == 1 and "warning: the audit journal" in result.output, result.output
    assert result.output.startswith("admin_penalty AP-1 (admin_penalty.csv, row 2): published"), result.output


def test_an_edited_journal_is_still_refused_after_lines_are_cut(tmp_path: Path) -> None:
    """Cutting lines is answered with a warning; a line edited before the cut is still refused (an edited time moves
    which site was live)."""
    trusted, _public = site(tmp_path, True)
    journal = AuditFolder(tmp_path / "audit").journal
    found = lines(journal)[:-2]
    found[3] = found[3].replace("2026-11-24T02", "2026-11-25T02")
    journal.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    with pytest.raises(AuditError, match=r"journal\.jsonl, line 4:"):
        explain(trusted, "AP-1", DAYS[1])



LATER = [date(2026, 11, 26), date(2026, 11, 27)]


def built(root: Path, trusted: Config, day: date, key: Path | None, previous: Path | None = None) -> None:
    """One more build for ``day`` (published that day) with the signing key ``key`` (``previous``: the old one)."""
    with published_on(day):
        build(config(root, root / "records", key, previous), day)


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_lines_cut_then_built_on_are_named(tmp_path: Path, signed: bool) -> None:
    """Bug: after lines were cut from the journal's end (restored from an older backup), the next build appended its
    lines and verify --audit passed (unsigned: the builds in the gap were taken as published on their as-of dates,
    silently; signed: explain refused every question, as if signatures were stripped)."""
    trusted, public = site(tmp_path, signed)
    journal = AuditFolder(tmp_path / "audit").journal
    cut(journal, 4)  # builds 2 and 3 gone
    built(tmp_path, trusted, LATER[0], tmp_path / "keys" / "a.pem" if signed else None)
    gap = "000002-2026-11-24, 000003-2026-11-25"
    code, output = check(tmp_path, public)
    assert code == 1 and f"no line saying when build(s) {gap} were published" in output, output
    assert "lines were cut or removed" in output, output
    [answer] = explain(trusted, "AP-1", DAYS[1])
    assert answer.outcome == "published" and gap in answer.warning and "lacks the lines" in answer.warning, answer
    [before] = explain(trusted, "AP-1", DAYS[0])  # build 2 may have gone live on 11-23
    assert before.warning, before
    [after] = explain(trusted, "AP-1", LATER[1])  # after build 4 went live: known
    assert not after.warning, after
    built(tmp_path, trusted, LATER[1], tmp_path / "keys" / "a.pem" if signed else None)  # still named
    assert check(tmp_path, public)[0] == 1



def test_a_build_before_the_newest_with_only_its_prepared_line_is_no_gap(tmp_path: Path) -> None:
    """A build killed after it joined the chain was settled, before 59a8fd6, without its 'published' line: its
    'prepared' line is left (its time is taken from it). Such a build before the newest is no lines cut: a site upgraded
    with one still verifies."""
    trusted, public = site(tmp_path, False)
    journal = AuditFolder(tmp_path / "audit").journal
    kept = [line for line in lines(journal)
            if not ('"published"' in line and '"000002-2026-11-24"' in line)]
    assert len(kept) == len(lines(journal)) - 1
    journal.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    code, output = check(tmp_path, public)
    assert code == 0, output
    [answer] = explain(trusted, "AP-1", DAYS[1])
    assert not answer.warning, answer


def test_an_emptied_signed_journal_built_on_warns(tmp_path: Path) -> None:
    """Bug: on a signed site, emptying the journal made explain answer with a warning, but once the next build wrote
    its lines explain refused every question again ('no signed line says when build 000001 was published')."""
    trusted, public = site(tmp_path, True)
    journal = AuditFolder(tmp_path / "audit").journal
    journal.write_text("", encoding="utf-8")
    built(tmp_path, trusted, LATER[0], tmp_path / "keys" / "a.pem")
    code, output = check(tmp_path, public)
    assert code == 1 and "000001-2026-11-23, 000002-2026-11-24, 000003-2026-11-25" in output, output
    assert "no signed line" not in output, output
    [answer] = explain(trusted, "AP-1", DAYS[1])
    assert answer.outcome == "published" and "lacks the lines" in answer.warning, answer


@pytest.mark.parametrize("tamper", ["edited", "unsigned-line", "stripped"])
def test_tampering_is_still_refused_after_a_build_on_an_emptied_journal(tmp_path: Path, tamper: str) -> None:
    """A journal emptied and built on is answered with a warning; a signed line edited, or a signed build's line there
    unsigned (its signature stripped), is still refused."""
    trusted, _public = site(tmp_path, True)
    journal = AuditFolder(tmp_path / "audit").journal
    kept = lines(journal)
    if tamper == "stripped":  # every line kept, its signature stripped, then built on
        stripped = [json.loads(line) for line in kept]
        for line in stripped:
            line.pop("signature", None)
            line.pop("key", None)
            line.pop("previous_line_sha256", None)
        journal.write_text("".join(json.dumps(line) + "\n" for line in stripped), encoding="utf-8")
    else:
        journal.write_text("", encoding="utf-8")
    built(tmp_path, trusted, LATER[0], tmp_path / "keys" / "a.pem")
    found = lines(journal)
    if tamper == "edited":
        found[-1] = found[-1].replace("2026-11-26T02", "2026-11-27T02")
    elif tamper == "unsigned-line":
        found.insert(0, json.dumps({"event": "published", "build_id": "000002-2026-11-24", "at": "2026-11-24T02:00:00Z"}))
    journal.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    with pytest.raises(AuditError, match="The audit journal fails its check"):
        explain(trusted, "AP-1", DAYS[1])
    assert check(tmp_path, _public)[0] == 1


@pytest.mark.parametrize("mode", ["other-key", "no-key", "rotation"])
def test_a_build_interrupted_after_the_chain_is_settled_with_its_own_key(tmp_path: Path, mode: str) -> None:
    """Bug: a build killed after it joined the chain was settled by the next build before that build's key was
    checked: run with another key (then refused) or with none, it wrote the missing 'published' line signed by the
    wrong key or unsigned, and verify --audit and explain failed for good. Now only a build holding the interrupted
    build's key settles it (its key, or its signing.previous_key in a key rotation); another is refused, the line left
    to a build with that key."""
    trusted, public = site(tmp_path, True, DAYS[:2])
    failed(tmp_path, trusted, "appended", DAYS[2])
    assert AuditFolder(tmp_path / "audit").pending.is_file()
    a = tmp_path / "keys" / "a.pem"
    if mode == "rotation":
        b, b_public = keypair(tmp_path, "b")
        built(tmp_path, trusted, LATER[0], b, a)
        public = b_public
    else:
        other = keypair(tmp_path, "b")[0] if mode == "other-key" else None
        with published_on(LATER[0]), pytest.raises((AuditError, SigningError)) as refused:
            build(config(tmp_path, tmp_path / "records", other), LATER[0])
        assert "000003-2026-11-25" in str(refused.value), refused.value
        built(tmp_path, trusted, LATER[1], a)
    code, output = check(tmp_path, public)
    assert code == 0, output
    assert explain(trusted if mode != "rotation" else dataclasses.replace(
        trusted, signing=dataclasses.replace(trusted.signing, public_key=public)), "AP-1", DAYS[2])


MINE = """  judgment:
    start: decision_date
    ends_at: [effective_date]
    max: 5y
    basis: 测试规则：判决公示至生效日期（站点自定的截止日期字段）
"""


@pytest.mark.parametrize("path", ["decide_rows", "build"])
def test_a_profiles_own_end_date_before_the_decision_date_is_quarantined(tmp_path: Path, path: str) -> None:
    """Bug: a profile whose period version ends publication by a field the catalogue's rule does not (ends_at) had
    that field's date before the decision date read as the record having expired: withdrawn silently, not quarantined
    as date-order as a catalogue end date is."""
    from conftest import CATALOGUE, own_profile, row, site_config, write_csv

    from site_builder.rules.pipeline import decide_rows
    from site_builder.rules.profiles import load_profile
    from site_builder.rules.validation import Quarantined
    from site_builder.sources.loading import find_sources

    profiles = own_profile(tmp_path, MINE)
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [
        row("judgment", record_id="PJ-1", decision_date="2026-06-01", effective_date="1900-01-01"),
        row("judgment", record_id="PJ-2", decision_date="2026-06-01", effective_date="2026-12-01")])
    if path == "decide_rows":
        policy = load_profile(profiles, "mine", CATALOGUE)
        found = {o.checked.record_id: o for o in decide_rows(CATALOGUE, policy, find_sources(records, CATALOGUE),
                                                              DAYS[0], only_item="judgment")}
        quarantined = found["PJ-1"].checked
        assert isinstance(quarantined, Quarantined), quarantined
        assert [(p.column, p.type) for p in quarantined.problems] == [("生效日期", "date-order")]
        assert found["PJ-2"].decision is not None and found["PJ-2"].decision.published
    else:
        config = site_config(tmp_path, records, search=False, profile="mine").with_paths(profiles=profiles)
        with published_on(DAYS[0]):
            build(config, DAYS[0])
        report = (tmp_path / "audit" / "builds" / "000001-2026-11-23" / "quarantine.csv").read_text(encoding="utf-8")
        assert "PJ-1" in report and "date-order" in report and "PJ-2" not in report, report


def test_verify_audit_reads_each_kept_manifest_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mend: the journal's check read each signed build's kept manifest for ``journal_signed``, and the build's own
    check read it twice more (its hash, then its content)."""
    from site_builder.audit import history
    from site_builder.audit.verify import audit_problems

    site(tmp_path, True)
    audit = tmp_path / "audit"
    opened: dict[str, int] = {}
    real_open = Path.open

    def counting(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "manifest.json" and self.parent.parent.name == "builds":
            opened[self.parent.name] = opened.get(self.parent.name, 0) + 1
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    public = history.parse_public_chain((tmp_path / "output" / "chain.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(Path, "open", counting)
    assert audit_problems(public, audit, tmp_path / "output") == []
    assert opened == {"000001-2026-11-23": 1, "000002-2026-11-24": 1, "000003-2026-11-25": 1}, opened


def test_a_signed_journal_line_finds_the_last_signed_line_from_the_end(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Mend: each signed line read the whole journal (it grows by every build's lines) to find the signed line before
    it. Now it reads from the end, past unsigned lines (a failed build's, a torn one) and across blocks."""
    from site_builder.audit import history

    trusted, public = site(tmp_path, True, DAYS[:1])
    journal = AuditFolder(tmp_path / "audit").journal
    last = lines(journal)[-1].encode("utf-8")
    with journal.open("ab") as fh:  # unsigned lines after it, more than a block's worth
        for number in range(3000):
            fh.write(json.dumps({"event": "failed", "build_id": None, "as_of": "2026-11-24", "at": "2026-11-24T03:00:00Z",
                                 "reason": f"refused {number}"}).encode("utf-8") + b"\n")
        fh.write(b'{"event": "prepared", "build_id": "000002-2026-11-2')  # torn
    assert journal.stat().st_size > 200_000

    def whole(path: Path) -> list[bytes]:
        raise AssertionError(f"{path} read whole")

    monkeypatch.setattr(history, "journal_lines", whole)
    with published_on(DAYS[1]):
        build(config(tmp_path, tmp_path / "records", tmp_path / "keys" / "a.pem"), DAYS[1])
    monkeypatch.undo()
    found = [json.loads(line) for line in lines(journal)[-2:]]
    assert [line["event"] for line in found] == ["prepared", "published"]
    assert found[0]["previous_line_sha256"] == history.line_sha256(last)
    code, output = check(tmp_path, public)
    assert code == 0, output
    for block in (7, 64, 1000):  # a line across blocks, a block ending on a line end
        monkeypatch.setattr(history, "_BLOCK", block)
        assert history.last_signed_line(journal) == history.last_signed(history.journal_lines(journal))
