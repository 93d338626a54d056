"""Stop 42's findings: what the public manifest's counts told about one person, the live reasons the lost-column check
reads, a list entry not for the public showing through other records."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import build_site, make_resident_id, person, row, write_csv

from site_builder.audit.layout import AuditFolder
from site_builder.audit.ledger import CLASSES
from site_builder.rules.disclosure import REASONS

AS_OF = date(2026, 11, 24)


def test_the_public_manifest_does_not_say_that_a_withdrawn_person_is_a_minor(tmp_path: Path) -> None:
    """The leak tester's: a natural person's penalty, published on day 1, is withdrawn on day 2 when the platform
    corrects the ID number to one of a child. The change set says only that it was withdrawn as ``corrected``, but the
    public ``manifest.json`` counted the excluded rows per reason code: its ``minor`` went from 0 to 1, and nothing
    else moved, so anyone comparing the two days learnt that the person shown was under 18 (as ``age_unknown`` would
    tell that their ID document is not a resident ID card, and ``objection_upheld`` how an objection ended). The
    public counts are now per reason class; the codes stay in the audit record's ``counts.json``."""
    records = tmp_path / "records"
    adult, child = make_resident_id(birth="19800315"), make_resident_id(birth="20100315")
    manifests = []
    for day, id_no in ((AS_OF, adult), (AS_OF + timedelta(days=1), child)):
        write_csv(records / "admin_penalty.csv", "admin_penalty", [
            row("admin_penalty", record_id="AP-P", decision_date="2026-06-01", **person(id_no=id_no)),
            row("admin_penalty", record_id="AP-C", decision_date="2026-06-01"),
        ])
        result = build_site(tmp_path / "site", records, day)
        text = (result.output / "manifest.json").read_text(encoding="utf-8")
        manifests.append(json.loads(text))
        assert not [reason for reason in set(REASONS) - set(CLASSES) if f'"{reason}"' in text], "a reason code in the public manifest"
        private = AuditFolder(tmp_path / "site" / "audit").build(manifests[-1]["build"]["id"]).counts
        counts = json.loads(private.read_text(encoding="utf-8"))
        assert counts["excluded"]["minor"] == (day != AS_OF)
        # the manifest hashes counts.json: without its private salt, guessing its counts must not give that hash back
        # (the second harm tester found minor: 1 in 13 guesses from the public manifest alone)
        guessed = json.dumps({k: v for k, v in counts.items() if k != "salt"}, ensure_ascii=False, indent=1) + "\n"
        assert hashlib.sha256(guessed.encode()).hexdigest() != manifests[-1]["audit"]["counts.json"]
        assert hashlib.sha256(private.read_bytes()).hexdigest() == manifests[-1]["audit"]["counts.json"]
    before, after = (m["counts"]["by_item"]["admin_penalty"]["excluded"] for m in manifests)
    assert set(after) == set(CLASSES)
    assert {k: after[k] - before[k] for k in CLASSES if after[k] != before[k]} == {"corrected": 1}


def _tally(keys: tuple[str, ...], **nonzero: int) -> dict[str, object]:
    return {"by_item": {"dishonest_list": {"published": 1, "excluded": {k: nonzero.get(k, 0) for k in keys},
                                           "quarantined": 0}}}


def test_the_live_reasons_are_the_codes_of_counts_json_or_of_an_older_manifest(tmp_path: Path) -> None:
    """The harm tester's: the lost-column check took every key for a public class, and the code ``expired`` (a class's
    name too) for ``expired`` and ``removed``: a list whose entries were withheld as expired only, and whose next export
    dropped its empty 移出日期, was refused as if it withheld records by their removal date. A class-counted manifest is
    read as classes (when counts.json cannot be trusted), counts.json and an older manifest as codes."""
    from site_builder.audit.manifest import file_sha256
    from site_builder.build import _live_reasons

    record = AuditFolder(tmp_path).build("000002-2026-11-25")
    record.folder.mkdir(parents=True)
    record.counts.write_text(json.dumps(_tally(tuple(REASONS), expired=2)), encoding="utf-8")
    manifest = {"build": {"id": "000002-2026-11-25"}, "audit": {"counts.json": file_sha256(record.counts)},
                "counts": _tally(CLASSES, expired=2)}
    assert _live_reasons(manifest, tmp_path) == {"dishonest_list": {"expired"}}
    older = {"build": {"id": "000001-2026-11-24"}, "counts": _tally(tuple(REASONS), expired=2)}
    assert _live_reasons(older, tmp_path) == {"dishonest_list": {"expired"}}  # no counts.json: the manifest's codes
    record.counts.write_text(json.dumps(_tally(tuple(REASONS))), encoding="utf-8")  # edited: objections gone
    manifest["counts"] = _tally(CLASSES, objection=1)
    assert _live_reasons(manifest, tmp_path) == {  # not what the manifest hashes: its classes, each every code in it
        "dishonest_list": {"objection_pending", "objection_upheld", "objection_unverifiable"}}


@pytest.mark.parametrize("level", ["授权查询", "政务共享"])
def test_a_list_entry_not_for_the_public_does_not_show_through_the_subjects_other_records(tmp_path: Path,
                                                                                         level: str) -> None:
    """The leak tester's (Zhejiang): a serious-dishonesty list entry not for the public counted as the subject being
    listed, so a judgment whose 5 years had ended stayed public "至" the entry's 有效期至 (in its page, the data, the
    feed), or said 列入严重失信主体名单期间公示, and a repaired penalty stayed public until that day: the entry's
    existence and its dates reached the portal (Dalian art. 9: never published there). Only an entry the portal may
    show extends other records (the profile's own comment said so: 'a list entry published on the as-of date')."""
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [
        row("judgment", record_id="PJ-1", decision_date="2021-06-01")])  # its 5 years ended 2026-05-31
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-05-01", repair_date="2026-09-01")])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="SX-1", decision_date="2026-01-05", valid_until="2027-03-15",
            disclosure_level=level)])
    result = build_site(tmp_path / "site", records, AS_OF, profile="zhejiang")
    published = {path.parent.name for path in (result.output / "record").glob("*/*/index.html")}
    assert not published & {"PJ-1", "AP-1", "SX-1"}, published
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in result.output.rglob("*")
             if p.is_file() and p.suffix in (".html", ".csv", ".json", ".xml")}
    assert not [p for p, t in texts.items() if "2027-03-15" in t]
    assert not [p for p, t in texts.items() if "列入严重失信主体名单期间公示" in t and p.suffix != ".json"]


def test_a_profiles_own_end_date_column_lost_from_an_export_refuses_the_build(tmp_path: Path) -> None:
    """The audit harm tester's: a site profile ends a licence's publication by its 有效期至 (``ends_at: [valid_until]``),
    which the catalogue's rule does not; an export that lost the 有效期至 column was not refused (the lost-column check
    read the catalogue's rule only), and the licences the live site withheld as expired were published again."""
    import csv

    from conftest import own_profile, published_on, site_config

    from site_builder.build import build
    from site_builder.exceptions import BuildError

    profiles = own_profile(tmp_path, "  admin_license:\n    start: decision_date\n    ends_at: [valid_until]\n"
                           "    basis: 许可有效期届满终止公示（测试）\n")
    records = tmp_path / "records"
    write_csv(records / "admin_license.csv", "admin_license", [
        row("admin_license", record_id="XK-OLD", decision_date="2020-01-01", valid_until="2024-04-24"),
        row("admin_license", record_id="XK-NEW", decision_date="2026-01-01", valid_until="2030-01-01")])
    config = site_config(tmp_path, records, search=False, profile="mine").with_paths(profiles=profiles)
    with published_on(AS_OF):
        assert build(config, AS_OF).counts.excluded["admin_license"]["expired"] == 1
    path = records / "admin_license.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    gone = rows[0].index("有效期至")
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([r[:gone] + r[gone + 1:] for r in rows])
    day = AS_OF + timedelta(days=1)
    with published_on(day), pytest.raises(BuildError, match="有效期至"):
        build(config, day)
    with published_on(day):  # told that the platform no longer gives it, in the field's name
        build(config, day, allow_missing=frozenset({"admin_license.valid_until"}))
