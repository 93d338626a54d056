"""Regional disclosure profiles over one record set: the published sets differ exactly where the
rules differ; mark mode shows a badge, suspend mode leaves no trace; bad profile files are refused.

The expected outcomes are written out by hand, record by record and profile by profile, from the
rules each profile file cites; they are not computed by the code under test.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import (
    CATALOGUE,
    COMPANY,
    PACKAGE,
    PROFILES_DIR,
    build_site,
    make_resident_id,
    make_uscc,
    person,
    record,
    row,
    site_config,
    write_csv,
)

from site_builder.audit.explain import NO_SITE, explain
from site_builder.exceptions import CatalogueError
from site_builder.rules.disclosure import REASONS, Listing, decide, is_listed
from site_builder.rules.pipeline import decide_rows, listed_subjects, needs_listing
from site_builder.rules.profiles import Policy, load_profile
from site_builder.sources.loading import find_sources

AS_OF = date(2026, 11, 24)
PROFILES = PROFILES_DIR
NAMES = ("national", "beijing", "zhejiang", "dalian", "shanghai")
LISTED = make_uscc("91330100MA2H3K5B2")   # a company on a serious-dishonesty list
LONG_LISTED = make_uscc("91330100MA2H3K6C3")  # listed six years ago, never removed
REMOVED = make_uscc("91330100MA2H3K7D4")  # was listed, removed before the as-of date
P = "published"


def listing(first: str, last: str = "") -> Listing:
    """One list entry in force from ``first`` through ``last`` (none: no end given)."""
    return ((date.fromisoformat(first).toordinal(), date.fromisoformat(last).toordinal() if last else 0),)


def listed_on(listings: dict[str, Listing], day: date) -> set[str]:
    """The codes listed on ``day``."""
    return {code for code, days in listings.items() if is_listed(days, day)}


OPEN = {LISTED: listing("2019-01-01")}
"""The subject LISTED on a list since 2019, with no end given."""

# id -> (item, values, outcome under national, beijing, zhejiang, dalian, shanghai).
# AS_OF is under 国家发展改革委令2025年第36号: penalties are public at most 1 year (一般) or 3 years (严重)
# from the decision in every region (Zhejiang art. 16, Shanghai art. 35, Dalian art. 12 defer to it).
RECORDS: dict[str, tuple[str, dict[str, str], tuple[str, str, str, str, str]]] = {
    # A company's 4-year-old general penalty: over the national 1-year maximum, in every region.
    "A": ("admin_penalty", {"decision_date": "2022-12-01"}, ("expired",) * 5),
    # A 2-year-old serious penalty: within the 3-year maximum.
    "B": ("admin_penalty", {"decision_date": "2024-11-01", "severity": "严重"}, (P, P, P, P, P)),
    # An adult natural person's penalty: never published in Zhejiang (art. 15) or Shanghai (art. 6 ¶2).
    "C": ("admin_penalty", {"decision_date": "2026-06-01", **person()}, (P, P, "natural_person", P, "natural_person")),
    # A minor's penalty (16 on the decision date): published nowhere.
    "D": ("admin_penalty", {"decision_date": "2026-06-01", **person(id_no=make_resident_id(birth="20100307"))},
          ("minor", "minor", "natural_person", "minor", "natural_person")),
    # Summary procedure: published nowhere.
    "E": ("admin_penalty", {"decision_date": "2026-06-01", "procedure": "简易程序"}, ("summary_procedure",) * 5),
    # Objection being handled: marked in Zhejiang (art. 30) and Shanghai (art. 36), suspended elsewhere.
    "F": ("admin_penalty", {"decision_date": "2026-06-01", "objection_status": "处理中", "objection_date": "2026-11-02"},
          ("objection_pending", "objection_pending", P, "objection_pending", P)),
    # Objection that cannot be verified: deleted everywhere (Dalian art. 17; the project's default).
    "G": ("admin_penalty", {"decision_date": "2026-06-01", "objection_status": "无法核实"},
          ("objection_unverifiable",) * 5),
    # Repaired after the 3-month minimum: withdrawn everywhere.
    "H": ("admin_penalty", {"decision_date": "2026-01-10", "repair_date": "2026-06-01"}, ("repaired",) * 5),
    # Judgment of a listed subject, 5 years after the decision but not after it took effect:
    # Dalian counts from the effective date, Zhejiang extends while the subject is listed.
    "I": ("judgment", {"decision_date": "2021-09-01", "effective_date": "2022-01-15", "uscc": LISTED},
          ("expired", "expired", P, P, "expired")),
    # The list entry that makes LISTED listed: published everywhere.
    "J": ("dishonest_list", {"decision_date": "2025-01-01", "uscc": LISTED}, (P, P, P, P, P)),
    # A 7-year-old penalty of the listed subject: Zhejiang's extension never keeps a penalty past the
    # national maximum.
    "K": ("admin_penalty", {"decision_date": "2020-01-01", "uscc": LISTED}, ("expired",) * 5),
    # A penalty in effect until 2026-01-01: counted from the decision everywhere, Dalian too.
    "L": ("admin_penalty", {"decision_date": "2020-06-01", "penalty_valid_until": "2026-01-01"}, ("expired",) * 5),
    # A 公示截止期 before the as-of date, within the 1-year maximum: honoured in every region.
    "M": ("admin_penalty", {"decision_date": "2026-06-01", "disclosure_deadline": "2026-10-31"}, ("expired",) * 5),
    # A 6-year-old list entry, never removed: public everywhere (no Shanghai 5-year cap).
    "N": ("dishonest_list", {"decision_date": "2020-03-01", "uscc": LONG_LISTED}, (P, P, P, P, P)),
    # A list entry removed on 2026-01-01 ...
    "O": ("dishonest_list", {"decision_date": "2024-01-01", "removal_date": "2026-01-01", "uscc": REMOVED},
          ("removed",) * 5),
    # ... so its subject is no longer listed, and this judgment's 5 Zhejiang years are not extended.
    "Q": ("judgment", {"decision_date": "2021-01-01", "uscc": REMOVED}, ("expired",) * 5),
    # A 轻微 penalty without a 公示截止期: published nowhere (令36号).
    "R": ("admin_penalty", {"decision_date": "2026-10-01", "severity": "轻微"}, ("slight_dishonesty",) * 5),
    # A warning-only penalty with a 公示截止期: public at most 3 months after the decision, everywhere.
    "S": ("admin_penalty", {"decision_date": "2026-09-01", "penalty_type": "警告", "disclosure_deadline": "2026-12-31"},
          (P, P, P, P, P)),
    # The listed subject's penalty, repaired after the minimum: Zhejiang ignores repair while it is listed.
    "T": ("admin_penalty", {"decision_date": "2026-01-10", "repair_date": "2026-06-01", "uscc": LISTED},
          ("repaired", "repaired", P, "repaired", "repaired")),
    # A serious penalty repaired after 6 months: the minimum is 1 year since 2023-05-01, everywhere.
    "U": ("admin_penalty", {"decision_date": "2026-01-10", "severity": "严重", "repair_date": "2026-08-01"}, (P,) * 5),
}

EXPECTED = {
    "national": {"B", "C", "J", "N", "S", "U"},
    "beijing": {"B", "C", "J", "N", "S", "U"},
    "zhejiang": {"B", "F", "I", "J", "N", "S", "T", "U"},
    "dalian": {"B", "C", "I", "J", "N", "S", "U"},
    "shanghai": {"B", "F", "J", "N", "S", "U"},
}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The record set, one CSV file per item."""
    folder = tmp_path_factory.mktemp("profiles") / "records"
    by_item: dict[str, list[dict[str, str]]] = {}
    for record_id, (item, values, _) in RECORDS.items():
        by_item.setdefault(item, []).append(row(item, record_id=record_id, decision_no=f"罚〔2026〕{record_id}号", **values))
    for item, rows in by_item.items():
        write_csv(folder / f"{item}.csv", item, rows)
    return folder


def profile(name: str) -> Policy:
    """A profile from data/profiles."""
    return load_profile(PROFILES, name, CATALOGUE)


def outcomes(records: Path, name: str) -> dict[str, str]:
    """Record id -> outcome under profile ``name``, decided as a build decides (listing pass first)."""
    policy = profile(name)
    sources = find_sources(records, CATALOGUE)
    return {o.checked.record_id: o.decision.outcome
            for o in decide_rows(CATALOGUE, policy, sources, AS_OF) if o.decision}


def published(records: Path, name: str) -> set[str]:
    """The ids published under profile ``name``."""
    return {record_id for record_id, outcome in outcomes(records, name).items() if outcome == P}


def test_the_expected_sets_match_the_outcome_table() -> None:
    for index, name in enumerate(NAMES):
        assert EXPECTED[name] == {rid for rid, (_, _, expected) in RECORDS.items() if expected[index] == P}


@pytest.mark.parametrize("name", NAMES)
def test_outcome_of_every_record_per_profile(records: Path, name: str) -> None:
    expected = {rid: wanted[NAMES.index(name)] for rid, (_, _, wanted) in RECORDS.items()}
    assert outcomes(records, name) == expected


@pytest.mark.parametrize("name", NAMES)
def test_published_set_per_profile(records: Path, name: str) -> None:
    assert published(records, name) == EXPECTED[name]


def test_sets_differ_exactly_where_the_rules_differ(records: Path) -> None:
    national = published(records, "national")
    # Zhejiang: judgments extended while listed (I), repair ignored while listed (T), marked
    # objection (F); no natural persons (C). Penalties follow the national periods (A, K, L, M).
    assert published(records, "zhejiang") - national == {"F", "I", "T"}
    assert national - published(records, "zhejiang") == {"C"}
    # Dalian: judgments counted from the end of the act (I); penalties follow the national rule (L).
    assert published(records, "dalian") - national == {"I"}
    assert national - published(records, "dalian") == set()
    # Shanghai: marked objection (F); no natural persons (C); list entries without a cap (N).
    assert published(records, "shanghai") - national == {"F"}
    assert national - published(records, "shanghai") == {"C"}
    # Beijing's rules are the national defaults (18 years, national periods): no difference.
    assert published(records, "beijing") == national


def test_only_zhejiang_needs_the_listing_pass(records: Path) -> None:
    sources = find_sources(records, CATALOGUE)
    assert {name for name in NAMES if needs_listing(CATALOGUE, profile(name))} == {"zhejiang"}
    assert listed_on(listed_subjects(CATALOGUE, profile("zhejiang"), sources, AS_OF), AS_OF) == {LISTED, LONG_LISTED}
    assert listed_subjects(CATALOGUE, profile("national"), sources, AS_OF) == {}


def test_extension_while_listed_has_no_end_date() -> None:
    zhejiang = profile("zhejiang")
    judgment = record("judgment", decision_date="2020-01-01", uscc=LISTED)
    extended = decide(judgment, CATALOGUE["judgment"], zhejiang, AS_OF, OPEN)
    assert (extended.published, extended.until) == (True, None)
    assert "第十六条" in extended.basis
    alone = decide(judgment, CATALOGUE["judgment"], zhejiang, AS_OF)
    assert (alone.published, alone.reason, alone.until) == (False, "expired", date(2025, 1, 1))
    # Within its 5 years: its end is the listing's, as the entries say today (none given: none).
    recent = record("judgment", decision_date="2024-01-01", uscc=LISTED)
    assert decide(recent, CATALOGUE["judgment"], zhejiang, AS_OF, OPEN).until is None
    assert decide(recent, CATALOGUE["judgment"], zhejiang, AS_OF,
                  {LISTED: listing("2019-01-01", "2030-06-30")}).until == date(2030, 6, 30)
    assert decide(recent, CATALOGUE["judgment"], zhejiang, AS_OF,
                  {LISTED: listing("2019-01-01", "2028-06-30")}).until == date(2029, 1, 1)


def test_extension_while_listed_never_keeps_a_penalty() -> None:
    penalty = record("admin_penalty", decision_date="2020-01-01", severity="严重", uscc=LISTED)
    decision = decide(penalty, CATALOGUE["admin_penalty"], profile("zhejiang"), AS_OF, OPEN)
    assert (decision.outcome, decision.until) == ("expired", date(2023, 1, 1))


@pytest.mark.parametrize(("listed", "outcome", "until"), [
    (OPEN, P, None),                                    # listed: repair does not apply (art. 32 ¶2)
    ({}, "repaired", date(2020, 5, 31)),                # not listed: repaired within the 5 years
    ({LISTED: listing("2020-07-01")}, "repaired", date(2020, 5, 31)),  # listed after the repair took effect
    ({LISTED: listing("2019-01-01", "2027-03-31")}, P, date(2027, 3, 31)),  # repaired once the listing ends
    ({LISTED: listing("2019-01-01", "2026-03-31")}, "repaired", date(2026, 3, 31)),
])
def test_repair_while_listed_in_zhejiang(listed: dict[str, Listing], outcome: str, until: date | None) -> None:
    judgment = record("judgment", decision_date="2020-01-01", repair_date="2020-06-01", uscc=LISTED)
    decision = decide(judgment, CATALOGUE["judgment"], profile("zhejiang"), AS_OF, listed)
    assert (decision.outcome, decision.until) == (outcome, until)


@pytest.mark.parametrize(("item", "values", "until"), [
    # Penalties: the national rule, from the decision (art. 12: national periods prevail).
    ("admin_penalty", {"decision_date": "2026-06-01", "penalty_valid_until": "2027-06-01"}, date(2027, 6, 1)),
    ("admin_penalty", {"decision_date": "2026-06-01", "disclosure_deadline": "2026-12-31"}, date(2026, 12, 31)),
    ("judgment", {"decision_date": "2021-09-01", "effective_date": "2022-01-15"}, date(2027, 1, 15)),
    ("judgment", {"decision_date": "2021-12-01"}, date(2026, 12, 1)),  # no 生效日期: from the judgment
])
def test_dalian_counts_from_the_end_of_the_act(item: str, values: dict[str, str], until: date) -> None:
    decision = decide(record(item, **values), CATALOGUE[item], profile("dalian"), AS_OF)
    assert (decision.published, decision.until) == (True, until)


@pytest.mark.parametrize(("values", "outcome", "start", "until"), [
    ({"decision_date": "2021-04-01", "effective_date": "2099-01-01"}, "not_started", date(2099, 1, 1), None),
    ({"decision_date": "2026-11-01", "effective_date": "2026-12-01"}, "not_started", date(2026, 12, 1), None),
    ({"decision_date": "2022-04-01", "effective_date": "2020-01-01"}, "published", date(2022, 4, 1), date(2027, 4, 1)),
])
def test_a_dalian_judgment_is_public_from_its_effective_date_never_before_it_is_made(
        values: dict[str, str], outcome: str, start: date, until: date | None) -> None:
    """Bug (a tester's): a judgment whose 生效日期 was decades ahead (2099, a typing error) was published until 2104,
    and one not yet in force was published; an effective date before the judgment's own date cut its period short."""
    decision = decide(record("judgment", **values), CATALOGUE["judgment"], profile("dalian"), AS_OF)
    assert (decision.outcome, decision.start, decision.until) == (outcome, start, until)


def test_dalian_repair_minimum_counts_from_the_decision() -> None:
    # Repaired a month after the decision: withdrawn once the 3-month minimum from the decision has passed.
    decision = decide(record("admin_penalty", decision_date="2026-06-01", penalty_valid_until="2026-09-01",
                             repair_date="2026-07-01"), CATALOGUE["admin_penalty"], profile("dalian"), date(2026, 11, 30))
    assert (decision.outcome, decision.until) == ("repaired", date(2026, 9, 1))


def objected_penalties(records: Path) -> Path:
    """``records`` with two penalties: AP-OBJ under objection since 2026-11-02, AP-OK not."""
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-OBJ", decision_date="2026-06-01", objection_status="处理中",
            objection_date="2026-11-02", decision_no="杭市监罚〔2026〕77号"),
        row("admin_penalty", record_id="AP-OK", decision_date="2026-06-01", decision_no="杭市监罚〔2026〕78号"),
    ])
    return records


def test_zhejiang_marks_with_the_filing_date_and_national_leaves_no_trace(tmp_path: Path) -> None:
    records = objected_penalties(tmp_path / "records")
    build_site(tmp_path / "zj", records, AS_OF, profile="zhejiang")
    pages = tmp_path / "zj" / "output" / "record" / "admin_penalty"
    page = (pages / "AP-OBJ" / "index.html").read_text(encoding="utf-8")
    assert "<strong>异议标注</strong>：信息主体已于 2026-11-02 提出异议" in page
    assert "异议标注" not in (pages / "AP-OK" / "index.html").read_text(encoding="utf-8")

    build_site(tmp_path / "cn", records, AS_OF, search=True, profile="national")
    output = tmp_path / "cn" / "output"
    assert not (output / "record" / "admin_penalty" / "AP-OBJ").exists()
    assert (output / "record" / "admin_penalty" / "AP-OK" / "index.html").exists()
    for path in (p for p in output.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)  # the search index
        text = data.decode("utf-8", errors="replace").replace("\u200b", "")
        for trace in ("AP-OBJ", "杭市监罚〔2026〕77号", "77号", "异议标注", "2026-11-02"):
            assert trace not in text, (path, trace)


def test_zhejiang_marks_the_record_wherever_it_is_shown(tmp_path: Path) -> None:
    """The 异议标注 is on every page and in every file that shows the record, not on its own page only."""
    records = objected_penalties(tmp_path / "records")
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="SJ-OBJ", objection_status="处理中",
                                                       objection_date="2026-11-03")])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="SX-OBJ", objection_status="处理中", objection_date="2026-11-04")])
    build_site(tmp_path, records, AS_OF, profile="zhejiang")
    output = tmp_path / "output"
    subject = (output / "subject" / COMPANY / "index.html").read_text(encoding="utf-8")
    standing = subject[subject.index('id="standing"'):subject.index("</section>", subject.index('id="standing"'))]
    assert "异议标注：信息主体已于 2026-11-04 提出异议" in standing  # the list entry in the headline: the credit report
    identity = subject[subject.index('id="identity"'):subject.index("</section>", subject.index('id="identity"'))]
    assert "信息主体已于 2026-11-03 对登记信息提出异议" in identity
    mark = "异议标注：信息主体已于 2026-11-02 提出异议，正在核查处理中"
    [authority] = [p for p in output.glob("authority/*/index.html") if "AP-OBJ" in p.read_text(encoding="utf-8")]
    for page in (output / "subject" / COMPANY / "index.html", output / "index.html", authority, output / "feed.xml"):
        assert page.read_text(encoding="utf-8").count(mark) == 1, page
    assert "异议标注：2026-11-02 提出异议" in (output / "items" / "admin_penalty" / "index.html").read_text(encoding="utf-8")
    subject_page = (output / "subject" / COMPANY / "index.html").read_text(encoding="utf-8")
    assert "异议处理中或已完成信用修复的信息不在此列" not in subject_page  # it would say the marked record is absent
    assert "正在核查处理中的信息继续公示，并附异议标注" in subject_page

    def rows(path: Path) -> dict[str, dict[str, str]]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {r["record_id"]: r for r in csv.DictReader(fh)}
    for table in (output / "data" / "admin_penalty.csv", output / "subject" / COMPANY / "data.csv"):
        marked = rows(table)
        assert (marked["AP-OBJ"]["objection_date"], marked["AP-OK"]["objection_date"]) == ("2026-11-02", ""), table
    data = json.loads((output / "subject" / COMPANY / "data.json").read_text(encoding="utf-8"))
    assert {r["record_id"]: r["objection_date"] for r in data["records"]} == {"AP-OBJ": "2026-11-02", "AP-OK": None,
                                                                              "SJ-OBJ": "2026-11-03", "SX-OBJ": "2026-11-04"}
    sheet = openpyxl.load_workbook(output / "data" / "admin_penalty.xlsx").worksheets[0]
    header, *values = sheet.iter_rows(values_only=True)
    column = header.index("异议标注日期")
    assert sorted(str(v[column]) for v in values) == ["2026-11-02 00:00:00", "None"]
    schema = json.loads((output / "data" / "admin_penalty.datapackage.json").read_text(encoding="utf-8"))
    assert schema["resources"][0]["schema"]["fields"][-1]["name"] == "objection_date"


def test_zhejiang_publishes_no_natural_person(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-P", decision_date="2026-06-01", **person())])
    build_site(tmp_path / "zj", records, AS_OF, profile="zhejiang")
    build_site(tmp_path / "cn", records, AS_OF, profile="national")
    assert not (tmp_path / "zj" / "output" / "record" / "admin_penalty" / "AP-P").exists()
    assert (tmp_path / "cn" / "output" / "record" / "admin_penalty" / "AP-P").exists()


def test_a_zhejiang_build_keeps_the_listed_subjects_judgment(tmp_path: Path, records: Path) -> None:
    result = build_site(tmp_path, records, AS_OF, profile="zhejiang")
    output = tmp_path / "output" / "record"
    assert (output / "judgment" / "I" / "index.html").exists()
    assert not (output / "admin_penalty" / "K").exists()
    assert not (output / "judgment" / "Q").exists()
    assert sum(result.counts.published.values()) == len(EXPECTED["zhejiang"])


def test_a_listing_that_begins_later_neither_undoes_a_repair_nor_takes_up_an_ended_judgment(tmp_path: Path) -> None:
    """Bug: under Zhejiang's profile a penalty withdrawn by credit repair, and a judgment whose 5 years had ended,
    were published again when their subject was listed later: whether repair applied, and whether the period went
    on, was read from the listing on the as-of date only (art. 32 ¶2 and art. 16 speak of a subject while listed)."""
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-R", uscc=LISTED, decision_date="2025-01-10", severity="严重",
            repair_date="2026-02-01"),
        row("admin_penalty", record_id="AP-W", uscc=LISTED, decision_date="2025-01-10", severity="严重",
            repair_date="2026-03-10"),  # repaired while listed: withdrawn once the listing ends
    ])
    write_csv(records / "judgment.csv", "judgment", [
        row("judgment", record_id="JD-OLD", uscc=LISTED, decision_date="2019-01-10"),
        row("judgment", record_id="JD-END", uscc=LISTED, decision_date="2021-03-20"),  # 5 years end while listed
    ])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="DL-1", uscc=LISTED, decision_date="2026-03-01", removal_date="2026-06-01")])
    zhejiang = profile("zhejiang")
    sources = find_sources(records, CATALOGUE)
    decided = {(r.checked.record_id, r.decision.outcome, r.decision.until)
               for r in decide_rows(CATALOGUE, zhejiang, sources, date(2026, 4, 1)) if r.decision is not None}
    assert {("AP-R", "repaired", date(2026, 1, 31)), ("JD-OLD", "expired", date(2024, 1, 10)),
            ("AP-W", P, date(2026, 5, 31)), ("JD-END", P, date(2026, 5, 31))} <= decided
    after = {(r.checked.record_id, r.decision.outcome)
             for r in decide_rows(CATALOGUE, zhejiang, sources, date(2026, 6, 1)) if r.decision is not None}
    assert {("AP-W", "repaired"), ("JD-END", "expired")} <= after


def test_a_listing_that_begins_later_already_sets_the_last_day(tmp_path: Path) -> None:
    """Bug: a judgment extended by a listing that a second one, already in the data but not yet begun, follows on from
    gave the first listing's end as its last day, and was published after it."""
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [row("judgment", record_id="JD-B", uscc=LISTED, decision_date="2021-11-30")])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="DL-1", uscc=LISTED, decision_date="2026-11-01", removal_date="2026-12-04"),
        row("dishonest_list", record_id="DL-2", uscc=LISTED, decision_date="2026-12-03", removal_date="2026-12-08")])
    sources = find_sources(records, CATALOGUE)
    for day in (date(2026, 11, 27), date(2026, 12, 3), date(2026, 12, 7)):
        [judgment] = [r for r in decide_rows(CATALOGUE, profile("zhejiang"), sources, day, only_item="judgment")]
        assert judgment.decision is not None and (judgment.decision.outcome, judgment.decision.until) == (
            P, date(2026, 12, 7)), day


def test_explain_for_one_item_applies_the_listing(tmp_path: Path, records: Path) -> None:
    config = site_config(tmp_path, records, profile="zhejiang")
    [no_site, found] = explain(config, "I", AS_OF, item="judgment")  # no build: the records' answer, compared
    assert no_site.outcome == NO_SITE
    assert found.outcome == P and found.until == ""


@pytest.mark.parametrize("name", NAMES)
def test_every_profile_file_loads_and_cites(name: str) -> None:
    policy = profile(name)
    assert policy.id == name
    assert all(policy.basis[rule] for rule in ("natural_persons", "summary_procedure", "objection", "repair"))
    assert all(version.basis for rule in policy.periods.values() for version in rule.versions)


def test_every_profile_file_is_tested() -> None:
    assert {p.stem for p in PROFILES.glob("*.yaml")} == set(NAMES)


def test_every_reason_code_is_reached(records: Path) -> None:
    reached = {outcome for name in NAMES for outcome in outcomes(records, name).values()}
    # Covered elsewhere (tests/test_disclosure.py): workflow, disclosure level, age, start, upheld objections, revoked.
    elsewhere = {"not_approved", "not_public", "age_unknown", "not_started", "objection_upheld", "revoked", "not_penalised"}
    assert set(REASONS) - elsewhere <= reached


NATIONAL = (PROFILES / "national.yaml").read_text(encoding="utf-8")


def test_unverifiable_objections_may_be_published(tmp_path: Path) -> None:
    (tmp_path / "national.yaml").write_text(NATIONAL.replace("unverifiable: exclude", "unverifiable: publish"),
                                            encoding="utf-8")
    policy = load_profile(tmp_path, "national", CATALOGUE)
    objected = record("admin_penalty", decision_date="2026-06-01", objection_status="无法核实")
    assert decide(objected, CATALOGUE["admin_penalty"], policy, AS_OF).published
    assert not decide(objected, CATALOGUE["admin_penalty"], profile("national"), AS_OF).published


def _period(body: str) -> Callable[[str], str]:
    return lambda text: text.replace("periods: {}", "periods:\n" + body)


@pytest.mark.parametrize(("change", "key"), [
    (lambda t: t.replace("  repair:\n", "  blacklist:\n    publish: true\n    basis: x\n  repair:\n"),
     "rules.blacklist: unknown rule"),
    (lambda t: t.replace("    withdraw: true\n", "    withdraw: true\n    after: 3m\n"), "rules.repair.after: unknown key"),
    (lambda t: t.replace("title:", "colour: red\ntitle:"), "colour: unknown key"),
    (_period("  judgment: {start: decision_date, max: 5x, basis: x}"), "periods.judgment.max: '5x' is not a period"),
    (_period("  admin_penalty: {start: decision_date, severity: severity, max: {general: 1y, serious: 0y}, basis: x}"),
     "periods.admin_penalty.max: '0y' is not a period"),
    (_period("  judgment: {start: decision_date, max: 5y}"), "periods.judgment.basis: every period rule cites"),
    (_period("  judgment: {start: decision_date, max: 5y, until: 2030-01-01, basis: x}"),
     "periods.judgment.until: unknown key"),
    (_period("  judgment: {start: decision_date, count_from: [case_no], max: 5y, basis: x}"),
     "periods.judgment.count_from[0]: 'case_no' is not a date field"),
    (_period("  judgment: {start: decision_date, max: 5y, extend_while_listed: sometimes, basis: x}"),
     "periods.judgment.extend_while_listed: expected true or false"),
    (_period("  dishonest_list: {start: decision_date, max: 5y, extend_while_listed: true, basis: x}"),
     "periods.dishonest_list.extend_while_listed: a list entry cannot extend itself"),
    (_period("  penalties: {start: decision_date, max: 5y, basis: x}"), "periods.penalties: not a catalogue item"),
    (lambda t: t.replace("periods: {}", "periods: [judgment]"), "periods: expected a mapping"),
    (lambda t: "\n".join(line for line in t.splitlines() if "不早于最短公示期" not in line),
     "rules.repair.basis: every rule cites"),
    (lambda t: t.replace("mode: suspend", "mode: hide"), "rules.objection.mode: 'hide' is not one of suspend, mark"),
    (lambda t: t.replace("unverifiable: exclude", "unverifiable: ignore"),
     "rules.objection.unverifiable: 'ignore' is not one of exclude, publish"),
    (lambda t: t.replace("id: national", "id: other"), "id: 'other' does not match the file name"),
    (lambda t: t.replace("publish: false", "publish: no-thanks"), "rules.summary_procedure.publish: expected bool"),
])
def test_bad_profile_is_refused_naming_file_and_key(tmp_path: Path, change: Callable[[str], str], key: str) -> None:
    changed = change(NATIONAL)
    assert changed != NATIONAL
    (tmp_path / "national.yaml").write_text(changed, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_profile(tmp_path, "national", CATALOGUE)
    assert f"{tmp_path / 'national.yaml'}: {key}" in str(error.value)


def test_unknown_profile_name() -> None:
    with pytest.raises(CatalogueError, match="Disclosure profile 'atlantis' not found"):
        load_profile(PROFILES, "atlantis", CATALOGUE)


def test_fixture_subjects_are_distinct() -> None:
    assert len({COMPANY, LISTED, LONG_LISTED, REMOVED}) == 4


@pytest.mark.parametrize(("entry", "listed"), [
    ({}, True),
    # not for the public: the records it extended showed its dates and said the subject was listed (the leak tester's)
    ({"disclosure_level": "政务共享"}, False),
    ({"disclosure_level": "授权查询"}, False),
    ({"objection_status": "处理中", "objection_date": "2026-11-01"}, True),  # suspended until the objection is decided
    ({"objection_status": "处理中"}, True),
    ({"disclosure_level": "政务共享", "removal_date": "2026-10-01"}, False),  # removed: not listed, public or not
    ({"objection_status": "异议成立", "objection_date": "2026-11-01"}, False),  # the entry was wrong
    ({"publish_status": "未审核"}, False),
    ({"decision_date": "2026-12-01"}, False),  # not yet listed
])
def test_a_subject_is_listed_while_its_public_entry_stands(tmp_path: Path, entry: dict[str, str],
                                                               listed: bool) -> None:
    """Bug: under Zhejiang's profile a subject counted as listed only while the portal showed its list entry, so an
    objection filed against it withdrew the subject's old judgments and repaired penalties (art. 16 and art. 32 ¶2
    apply while the subject 被列入严重失信名单). An entry not for the public (授权查询, 政务共享) does not count: the
    records it extended carried its dates and said that the subject was listed, which the portal may not show."""
    write_csv(tmp_path / "dishonest_list.csv", "dishonest_list", [row("dishonest_list", **entry)])
    sources = find_sources(tmp_path, CATALOGUE)
    assert listed_on(listed_subjects(CATALOGUE, profile("zhejiang"), sources, AS_OF), AS_OF) == ({COMPANY} if listed else set())


@pytest.mark.parametrize("changed", [True, False])
def test_a_sites_copy_of_a_packaged_profile_or_catalogue_file_is_named_when_it_differs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, changed: bool) -> None:
    """Bug: a site kept the profiles and catalogue an older version had copied into it; after the upgrade they applied
    the old rules (records hidden, periods shortened) without a word."""
    from site_builder.inputs import load_inputs

    for kind, name in (("profiles", "national.yaml"), ("catalogue", "judgment.yaml")):
        text = (PACKAGE / "defaults" / kind / name).read_text(encoding="utf-8")
        (tmp_path / kind).mkdir()
        (tmp_path / kind / name).write_text(text + ("# kept from an older version\n" if changed else ""), encoding="utf-8")
    write_csv(tmp_path / "records" / "judgment.csv", "judgment", [row("judgment")])
    config = site_config(tmp_path, tmp_path / "records").with_paths(profiles=tmp_path / "profiles",
                                                                    catalogue=tmp_path / "catalogue")
    with caplog.at_level("WARNING"):
        load_inputs(config)
    named = sorted(r.getMessage().split()[0] for r in caplog.records if "replaces the packaged" in r.getMessage())
    assert named == ([f"file={tmp_path / 'catalogue' / 'judgment.yaml'}", f"file={tmp_path / 'profiles' / 'national.yaml'}"]
                     if changed else [])


def test_the_warning_about_a_differing_common_yaml_does_not_suggest_removing_one_that_lists_items_of_its_own(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Bug: a site with items of its own (行政检查) was told to remove its differing ``catalogue/common.yaml``; removed, it
    dropped those items' records as withdrawn by their authority, and their pages answered 404."""
    from site_builder.inputs import load_inputs

    common = (PACKAGE / "defaults" / "catalogue" / "common.yaml").read_text(encoding="utf-8")
    judgment = (PACKAGE / "defaults" / "catalogue" / "judgment.yaml").read_text(encoding="utf-8")
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "common.yaml").write_text(
        common.replace("judgment]", "judgment, inspection]"), encoding="utf-8")
    inspection = judgment.replace("id: judgment", "id: inspection").replace("title: 涉经济类判决", "title: 行政检查").replace(
        "files: [判决信息, 涉经济类判决信息, pjxx]", "files: [检查信息]")
    (tmp_path / "catalogue" / "inspection.yaml").write_text(inspection, encoding="utf-8")
    write_csv(tmp_path / "records" / "judgment.csv", "judgment", [row("judgment")])
    config = site_config(tmp_path, tmp_path / "records").with_paths(catalogue=tmp_path / "catalogue")
    with caplog.at_level("WARNING"):
        inputs = load_inputs(config)
    assert "inspection" in [item.id for item in inputs.catalogue.items]
    warned = [r.getMessage() for r in caplog.records if "replaces the packaged catalogue/common.yaml" in r.getMessage()]
    assert len(warned) == 1
    assert "items of the site's own (inspection), so keep it" in warned[0] and "remove the copy" not in warned[0]
