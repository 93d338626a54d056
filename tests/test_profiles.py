"""Regional disclosure profiles over one record set: the published sets differ exactly where the
rules differ; mark mode shows a badge, suspend mode leaves no trace; bad profile files are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, COMPANY, ROOT, build_site, make_resident_id, make_uscc, person, row, write_csv

from site_builder.exceptions import CatalogueError
from site_builder.loading import find_sources
from site_builder.pipeline import process
from site_builder.profiles import load_profile

AS_OF = date(2026, 11, 24)
PROFILES = ROOT / "data" / "profiles"
LISTED = make_uscc("91330100MA2H3K5B2")  # a company on a serious-dishonesty list

# id -> (item, values). The comments say where the profiles part ways.
RECORDS: dict[str, tuple[str, dict[str, str]]] = {
    # 4-year-old general penalty: over the 1-year national maximum, within the 5-year regional ones.
    "A": ("admin_penalty", {"decision_date": "2022-12-01"}),
    # 2-year-old serious penalty: within every maximum.
    "B": ("admin_penalty", {"decision_date": "2024-11-01", "severity": "严重"}),
    # An adult natural person: never published in Zhejiang.
    "C": ("admin_penalty", {"decision_date": "2026-06-01", **person()}),
    # A minor: published nowhere.
    "D": ("admin_penalty", {"decision_date": "2026-06-01", **person(id_no=make_resident_id(birth="20100307"))}),
    # Summary procedure: published nowhere.
    "E": ("admin_penalty", {"decision_date": "2026-06-01", "procedure": "简易程序"}),
    # Objection being handled: marked in Zhejiang, suspended elsewhere.
    "F": ("admin_penalty", {"decision_date": "2026-06-01", "objection_status": "处理中", "objection_date": "2026-11-02"}),
    # Objection that cannot be verified: deleted everywhere.
    "G": ("admin_penalty", {"decision_date": "2026-06-01", "objection_status": "无法核实"}),
    # Repaired after the minimum period: withdrawn everywhere.
    "H": ("admin_penalty", {"decision_date": "2026-01-10", "repair_date": "2026-06-01"}),
    # Judgment of a listed subject, 5 years after the decision but not after it took effect:
    # Dalian counts from the effective date, Zhejiang extends while the subject is listed.
    "I": ("judgment", {"decision_date": "2021-09-01", "effective_date": "2022-01-15", "uscc": LISTED}),
    # The list entry itself, published everywhere.
    "J": ("dishonest_list", {"decision_date": "2025-01-01", "uscc": LISTED}),
    # A 7-year-old penalty of the listed subject: only Zhejiang keeps it, while the subject is listed.
    "K": ("admin_penalty", {"decision_date": "2020-01-01", "uscc": LISTED}),
    # Penalty in effect until 2026-01-01: Dalian counts its 5 years from there.
    "L": ("admin_penalty", {"decision_date": "2020-06-01", "penalty_valid_until": "2026-01-01"}),
    # A 公示截止期 before the as-of date: ends publication where the profile applies it.
    "M": ("admin_penalty", {"decision_date": "2025-06-01", "disclosure_deadline": "2025-12-31"}),
}

EXPECTED = {
    "national": {"B", "C", "J"},
    "beijing": {"B", "C", "J"},
    "zhejiang": {"A", "B", "F", "I", "J", "K", "M"},
    "dalian": {"A", "B", "C", "I", "J", "L"},
    "shanghai": {"A", "B", "C", "J", "M"},
}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("profiles") / "records"
    by_item: dict[str, list[dict[str, str]]] = {}
    for record_id, (item, values) in RECORDS.items():
        by_item.setdefault(item, []).append(row(item, record_id=record_id, decision_no=f"罚〔2026〕{record_id}号", **values))
    for item, rows in by_item.items():
        write_csv(folder / f"{item}.csv", item, rows)
    return folder


def published(records: Path, profile: str) -> set[str]:
    policy = load_profile(PROFILES, profile, CATALOGUE)
    sources = find_sources(records, CATALOGUE)
    return {o.checked.record_id for o in process(CATALOGUE, policy, sources, AS_OF) if o.decision and o.decision.published}


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_published_set_per_profile(records: Path, profile: str) -> None:
    assert published(records, profile) == EXPECTED[profile]


def test_sets_differ_exactly_where_the_rules_differ(records: Path) -> None:
    national = published(records, "national")
    assert published(records, "zhejiang") - national == {"A", "F", "I", "K", "M"}
    assert national - published(records, "zhejiang") == {"C"}  # natural person, art. 15
    assert published(records, "dalian") ^ national == {"A", "I", "L"}
    assert published(records, "shanghai") ^ national == {"A", "M"}
    assert published(records, "beijing") == national


def test_zhejiang_marks_and_national_suspends(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-OBJ", decision_date="2026-06-01", objection_status="处理中",
            objection_date="2026-11-02", decision_no="杭市监罚〔2026〕77号"),
        row("admin_penalty", record_id="AP-OK", decision_date="2026-06-01", decision_no="杭市监罚〔2026〕78号"),
    ])
    build_site(tmp_path / "zj", records, AS_OF, profile="zhejiang")
    page = (tmp_path / "zj" / "output" / "record" / "admin_penalty" / "AP-OBJ" / "index.html").read_text(encoding="utf-8")
    assert "异议标注" in page and "2026-11-02" in page
    assert "异议标注" not in (tmp_path / "zj" / "output" / "record" / "admin_penalty" / "AP-OK" / "index.html").read_text(
        encoding="utf-8")
    build_site(tmp_path / "cn", records, AS_OF, profile="national")
    output = tmp_path / "cn" / "output"
    assert not (output / "record" / "admin_penalty" / "AP-OBJ").exists()
    for path in (p for p in output.rglob("*") if p.is_file() and not p.parts[-2:-1] == ("static",)):
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert "AP-OBJ" not in text and "77号" not in text and "异议标注" not in text, path
    assert (output / "record" / "admin_penalty" / "AP-OK" / "index.html").exists()


def test_zhejiang_publishes_no_natural_person(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-P", decision_date="2026-06-01", **person())])
    build_site(tmp_path / "zj", records, AS_OF, profile="zhejiang")
    build_site(tmp_path / "cn", records, AS_OF, profile="national")
    assert not (tmp_path / "zj" / "output" / "record" / "admin_penalty" / "AP-P").exists()
    assert (tmp_path / "cn" / "output" / "record" / "admin_penalty" / "AP-P").exists()


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_every_profile_file_loads(profile: str) -> None:
    policy = load_profile(PROFILES, profile, CATALOGUE)
    assert all(policy.basis[rule] for rule in ("natural_persons", "summary_procedure", "objection", "repair"))
    assert all(rule.basis for rule in policy.periods.values())


NATIONAL = (PROFILES / "national.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "key"), [
    (lambda t: t.replace("  repair:\n", "  blacklist:\n    publish: true\n    basis: x\n  repair:\n"), "rules.blacklist: unknown rule"),
    (lambda t: t.replace("    withdraw: true\n", "    withdraw: true\n    after: 3m\n"), "rules.repair.after: unknown key"),
    (lambda t: t.replace("periods: {}", "periods:\n  judgment: {start: decision_date, max: 5x, basis: x}"),
     "periods.judgment.max: '5x' is not a period"),
    (lambda t: t.replace("periods: {}", "periods:\n  judgment: {start: decision_date, max: 5y}"),
     "periods.judgment.basis: every period rule cites its legal basis"),
    (lambda t: t.replace("periods: {}", "periods:\n  penalties: {start: decision_date, max: 5y, basis: x}"),
     "periods.penalties: not a catalogue item"),
    (lambda t: "\n".join(line for line in t.splitlines() if "不早于最短公示期" not in line), "rules.repair.basis: every rule cites"),
    (lambda t: t.replace("mode: suspend", "mode: hide"), "rules.objection.mode: 'hide' is not one of suspend, mark"),
    (lambda t: t.replace("id: national", "id: other"), "id: 'other' does not match the file name"),
    (lambda t: t.replace("publish: false", "publish: no-thanks"), "rules.summary_procedure.publish: expected bool"),
])
def test_bad_profile_is_refused_naming_file_and_key(tmp_path: Path, change: object, key: str) -> None:
    (tmp_path / "national.yaml").write_text(change(NATIONAL), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(CatalogueError) as error:
        load_profile(tmp_path, "national", CATALOGUE)
    assert str(tmp_path / "national.yaml") in str(error.value)
    assert key in str(error.value)


def test_unknown_profile_name() -> None:
    with pytest.raises(CatalogueError, match="Disclosure profile 'atlantis' not found"):
        load_profile(PROFILES, "atlantis", CATALOGUE)


def test_company_fixture_is_not_listed() -> None:
    assert COMPANY != LISTED
