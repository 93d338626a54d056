"""Stop 42's findings: what the public manifest's counts told about one person."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

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
        assert json.loads(private.read_text(encoding="utf-8"))["excluded"]["minor"] == (day != AS_OF)
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
