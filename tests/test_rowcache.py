"""The decision cache (issue 13): a row's result is reused only where deciding it again gives the same result.

1. :class:`TracingDate` notes the first later day on which a comparison would come out otherwise, whichever side
   of the comparison it is on.
2. Property (Hypothesis, every profile): a record decided on one day gives the same decision on every later day
   before the day the trace names, for penalties, list entries, licences and judgments with random dates,
   severities, procedures, deadlines, repairs, objections and listings.
3. Builds: a rebuild from the cache (same day, the next days, the day a period ends, the day a rule version
   changes, a subject newly listed under a profile that extends while listed) writes the same decision list,
   quarantine report and site as a build that decides every row; an edited row is decided again; a cache made
   under another catalogue or profile is not used.
"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import CATALOGUE, PROFILES_DIR, make_uscc, row, site_config, validate, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_golden import tree

from site_builder.audit.layout import AuditFolder
from site_builder.build import build
from site_builder.config import BuildSettings, Config
from site_builder.rules import pipeline, reader
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.disclosure import decide
from site_builder.rules.pipeline import Reading
from site_builder.rules.profiles import load_profile
from site_builder.rules.rowcache import CacheFile, RowCache, RowResult, TracingDate, TracingListings, cache_entry
from site_builder.rules.validation import Record
from site_builder.sources.loading import RawRow, SourceFile, find_sources, read_rows

DAY = date(2026, 11, 24)


# --- 1. The traced date ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("compare", "result", "changes"), [
    (lambda d: d < date(2026, 12, 1), True, date(2026, 12, 1)),
    (lambda d: d <= date(2026, 12, 1), True, date(2026, 12, 2)),
    (lambda d: d > date(2026, 12, 1), False, date(2026, 12, 2)),
    (lambda d: d >= date(2026, 12, 1), False, date(2026, 12, 1)),
    (lambda d: date(2026, 12, 1) > d, True, date(2026, 12, 1)),  # the traced date on the right
    (lambda d: date(2026, 12, 1) <= d, False, date(2026, 12, 1)),
    (lambda d: d == date(2026, 12, 1), False, date(2026, 12, 1)),
    (lambda d: d == DAY, True, DAY + timedelta(days=1)),
    (lambda d: d > date(2026, 1, 1), True, None),  # true from now on
    (lambda d: d < date(2026, 1, 1), False, None),
])
def test_a_traced_date_notes_when_a_comparison_flips(compare: object, result: bool, changes: date | None) -> None:
    traced = TracingDate(DAY)
    assert compare(traced) is result  # type: ignore[operator]
    assert traced.changes == changes
    assert traced == DAY and hash(traced) == hash(DAY) and traced.isoformat() == "2026-11-24"


def test_the_earliest_flip_wins_and_a_set_notes_its_questions() -> None:
    traced = TracingDate(DAY)
    assert traced < date(2027, 1, 1) and traced <= date(2026, 12, 5) and not traced > date(2026, 12, 31)
    assert traced.changes == date(2026, 12, 6)
    listed = TracingListings({"A": ((1, 0),)})
    assert listed.get("A", ()) == ((1, 0),) and listed.get("B", ()) == () and listed.asked == {"A": ((1, 0),), "B": ()}


# --- 2. Property: the same decision until the traced day ------------------------------------------------------------

DATES = st.dates(date(2017, 1, 1), date(2028, 12, 31))
OPTIONAL = st.one_of(st.just(""), DATES.map(date.isoformat))


def after(day: date) -> st.SearchStrategy[str]:
    """An optional date not before ``day``: a repair, a removal or the end a period reads (公示截止期, a list entry's or
    an honour's 有效期至) never comes before the decision (``date-order``)."""
    return st.one_of(st.just(""), st.dates(day, date(2028, 12, 31)).map(date.isoformat))


@st.composite
def penalty(draw: st.DrawFn) -> Record:
    decided = draw(DATES)
    values = {"decision_date": decided.isoformat(), "severity": draw(st.sampled_from(["一般", "严重", "轻微"])),
              "procedure": draw(st.sampled_from(["普通程序", "简易程序"])),
              "penalty_type": draw(st.sampled_from(["罚款", "警告", "通报批评", "警告；罚款"])),
              "disclosure_deadline": draw(after(decided)), "penalty_valid_until": draw(OPTIONAL),
              "repair_date": draw(after(decided)),
              "objection_status": draw(st.sampled_from(["无", "处理中", "异议成立", "异议不成立", "无法核实"]))}
    return checked("admin_penalty", values)


@st.composite
def other(draw: st.DrawFn) -> Record:
    item = draw(st.sampled_from(["dishonest_list", "admin_license", "judgment", "commendation"]))
    decided = draw(DATES)
    values = {"decision_date": decided.isoformat(), "repair_date": draw(after(decided))}
    if item in ("dishonest_list", "admin_license", "commendation"):  # a licence's is not the end of its period
        values["valid_until"] = draw(OPTIONAL if item == "admin_license" else after(decided))
    if item == "dishonest_list":
        values["removal_date"] = draw(after(decided))
    return checked(item, values)


def checked(item: str, values: dict[str, str]) -> Record:
    result = validate(item, **values)
    assert isinstance(result, Record), result  # the strategies only make valid rows
    return result


@pytest.mark.parametrize("profile", ["national", "zhejiang", "shanghai", "beijing", "dalian"])
@given(record=st.one_of(penalty(), other()), first=DATES, later=st.integers(0, 4000), listed=st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
def test_a_decision_holds_until_the_day_its_trace_names(profile: str, record: Record, first: date, later: int,
                                                        listed: bool) -> None:
    policy = load_profile(PROFILES_DIR, profile, CATALOGUE)
    item = CATALOGUE[record.item]
    codes = {make_uscc(): ((date(2020, 3, 1).toordinal(), date(2025, 6, 30).toordinal()),)} if listed else {}
    traced = TracingDate(first)
    decision = decide(record, item, policy, traced, TracingListings(codes))
    span = (traced.changes - first).days if traced.changes else 4001
    day = first + timedelta(days=later % span)
    assert decide(record, item, policy, day, codes) == decision, (day, traced.changes)


# --- 3. Builds from the cache ---------------------------------------------------------------------------------------


def records(folder: Path) -> Path:
    """Rows whose decisions change over the days tested: a penalty ending on 2026-11-30, one starting tomorrow, a
    serious one, a list entry, a quarantined row and a repeated id."""
    penalties = [
        row("admin_penalty", record_id="AP-1", decision_date="2025-11-30"),  # general: public through 2026-11-30
        row("admin_penalty", record_id="AP-2", decision_date="2026-11-25"),  # not started on 2026-11-24
        row("admin_penalty", record_id="AP-3", decision_date="2024-01-10", severity="严重", decision_no="杭市监罚〔2024〕3号"),
        row("admin_penalty", record_id="AP-4", decision_date="2026-02-30"),  # quarantined: no such day
        row("admin_penalty", record_id="AP-5", decision_date="2026-01-05"),
        row("admin_penalty", record_id="AP-5", decision_date="2026-01-06"),  # the same id twice
        row("admin_penalty", record_id="AP-6", decision_date="2023-12-01", severity="一般", repair_date="2024-03-01"),
    ]
    write_csv(folder / "admin_penalty.csv", "admin_penalty", penalties)
    write_csv(folder / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="SX-1", decision_date="2025-06-01", removal_date="2026-11-27")])
    return folder


def audit_files(config: Config, build_id: str) -> dict[str, bytes]:
    folder = AuditFolder(config.paths.audit).build(build_id).folder
    return {"decisions": gzip.decompress((folder / "decisions.csv.gz").read_bytes()),
            "quarantine": (folder / "quarantine.csv").read_bytes()}


@pytest.fixture(params=["in the build", "in a reader"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The workers the builds from the cache (I) get: one (rows read in the build process), or two with the rows of
    files of any size read in a reader process (``rules/reader.py``)."""
    if request.param == "in the build":
        return 1
    monkeypatch.setattr(reader, "MIN_BYTES", 0)
    return 2


def same_build(tmp_path: Path, source: Path, days: list[date], profile: str = "national", workers: int = 1) -> list[int]:
    """Build ``days`` in order from the cache (I, with ``workers``) and deciding every row (F); the same decisions and
    sites each day; the rows taken from the cache each day."""
    hits = []
    for name in ("I", "F"):
        shutil.rmtree(tmp_path / name, ignore_errors=True)
    config_i, config_f = (site_config(tmp_path / name, source, profile=profile, search=False) for name in ("I", "F"))
    config_i = dataclasses.replace(config_i, build=BuildSettings(workers=workers))
    for day in days:
        cached, full = build(config_i, day), build(config_f, day, full=True)
        assert audit_files(config_i, cached.entry.build_id) == audit_files(config_f, full.entry.build_id), day
        built_i, built_f = tree(cached.output.resolve()), tree(full.output.resolve())
        assert sorted(built_i) == sorted(built_f) and [n for n in built_i if built_i[n] != built_f[n]] == [], day
        assert full.cached == 0
        hits.append(cached.cached)
    return hits


def test_rebuilds_from_the_cache_are_builds_that_decide_every_row(tmp_path: Path, reading: int) -> None:
    source = records(tmp_path / "records")
    days = [DAY, DAY, DAY + timedelta(days=1), date(2026, 11, 30), date(2026, 12, 1), date(2027, 1, 20)]
    hits = same_build(tmp_path, source, days, workers=reading)
    assert hits[0] == 0 and hits[1] == 6, hits  # every row but the two of the repeated id, the same day
    assert all(0 < n < 6 for n in hits[2:5]), hits  # the next days: the rows whose result may change are decided again
    cache = AuditFolder(tmp_path / "I" / "audit").row_cache
    assert cache.is_file() and RowCache(cache, "unused").size() == 0, "a cache under another key is emptied"


def test_rule_versions_and_listings_reach_the_cached_rows(tmp_path: Path, reading: int) -> None:
    """Across the day the national rule changed (2026-04-01) and under a profile whose periods run on while the
    subject is listed (Zhejiang), with the listing ending on 2026-11-27."""
    source = records(tmp_path / "records")
    same_build(tmp_path, source, [date(2026, 3, 31), date(2026, 4, 1)], workers=reading)
    same_build(tmp_path, source, [DAY, DAY + timedelta(days=2), DAY + timedelta(days=3), DAY + timedelta(days=4)], "zhejiang",
               workers=reading)


def test_readers_side_by_side_leave_the_cache_as_one_reading_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two readers (one per item) only read the cache and hand what they read and made to the build, which writes
    it: after each build, over the days and an edit, the cache holds what it holds after reading in the build."""
    monkeypatch.setattr(reader, "MIN_BYTES", 0)
    source = records(tmp_path / "records")
    config_one, config_two = (site_config(tmp_path / name, source, search=False) for name in ("one", "two"))
    config_one = dataclasses.replace(config_one, build=BuildSettings(workers=1))
    config_two = dataclasses.replace(config_two, build=BuildSettings(workers=2))
    shares = reader.share_out(CATALOGUE, find_sources(source, CATALOGUE), 2)
    assert sorted(map(sorted, shares)) == [["admin_penalty"], ["dishonest_list"]]

    def kept(config: Config) -> list[tuple[object, ...]]:
        with sqlite3.connect(AuditFolder(config.paths.audit).row_cache) as db:
            return db.execute("SELECT * FROM result ORDER BY digest").fetchall()

    for step, day in enumerate([DAY, DAY, DAY + timedelta(days=1), date(2026, 11, 30), date(2026, 12, 1)]):
        if step == 3:
            rows = (source / "admin_penalty.csv").read_text(encoding="utf-8-sig").replace("2024-01-10", "2026-11-20")
            (source / "admin_penalty.csv").write_text(rows, encoding="utf-8-sig")
        one, two = build(config_one, day), build(config_two, day)
        assert one.cached == two.cached and (step < 1 or two.cached > 0), step
        assert kept(config_one) == kept(config_two) and len(kept(config_two)) >= 6, step
        assert audit_files(config_one, one.entry.build_id) == audit_files(config_two, two.entry.build_id), step


def test_readers_with_nothing_to_read_give_nothing(tmp_path: Path) -> None:
    assert reader.share_out(CATALOGUE, [], 2) == []
    reading = Reading()
    cache = CacheFile(tmp_path / "rows.sqlite", "key")
    policy = load_profile(PROFILES_DIR, "national", CATALOGUE)
    assert list(reader.read_elsewhere(CATALOGUE, policy, [], DAY, reading, cache, 2)) == []
    assert reading.reports == [] and reading.cached == 0


def test_an_edited_row_is_decided_again(tmp_path: Path) -> None:
    source = records(tmp_path / "records")
    config = site_config(tmp_path / "I", source)
    build(config, DAY)
    rows = (source / "admin_penalty.csv").read_text(encoding="utf-8-sig").replace("2024-01-10", "2026-11-20")
    (source / "admin_penalty.csv").write_text(rows, encoding="utf-8-sig")
    second = build(config, DAY)
    decisions = gzip.decompress((second.audit / "decisions.csv.gz").read_bytes()).decode("utf-8")
    assert "admin_penalty,AP-3,admin_penalty.csv,4,published,2026-11-20," in decisions
    assert "2024-01-10" not in (second.output / "record" / "admin_penalty" / "AP-3" / "index.html").read_text(encoding="utf-8")


def test_a_stored_result_reads_back_and_a_foreign_one_is_ignored(tmp_path: Path) -> None:
    result = RowResult("AP-1", (), "published", 1, 2, False, ("admin_penalty", "AP-1", b"\x00\xff"), ((), ("秘密文本",), (), ()),
                       DAY.toordinal(), 0, (("A", ((1, 0),)),))
    assert RowResult.from_bytes(result.to_bytes()) == result
    assert RowResult.from_bytes(b"not marshal data") is None
    assert result.holds(DAY.toordinal() + 5, {"A": ((1, 0),)}) and not result.holds(DAY.toordinal() + 5, {})
    assert not result.holds(DAY.toordinal() + 5, {"A": ((1, 9),)}), "the listing has changed"
    assert not result.holds(DAY.toordinal() - 1, {"A": ((1, 0),)})


def test_a_cached_row_whose_id_another_row_takes_up_is_quarantined_with_both_places(tmp_path: Path, reading: int) -> None:
    """A row found in the cache (published) whose record id a new row also uses: both rows are quarantined, as a
    build deciding every row quarantines them, and the message names both lines."""
    source = records(tmp_path / "records")
    config_i, config_f = (site_config(tmp_path / name, source, search=False) for name in ("I", "F"))
    config_i = dataclasses.replace(config_i, build=BuildSettings(workers=reading))
    build(config_i, DAY)
    shutil.copytree(tmp_path / "I", tmp_path / "F", symlinks=True)
    rows = (source / "admin_penalty.csv").read_text(encoding="utf-8-sig")
    extra = rows.splitlines()[3].replace("杭市监罚〔2024〕3号", "杭市监罚〔2024〕33号")  # AP-3 again, another number
    (source / "admin_penalty.csv").write_text(rows + extra + "\r\n", encoding="utf-8-sig")
    cached, full = build(config_i, DAY), build(config_f, DAY, full=True)
    assert audit_files(config_i, cached.entry.build_id)["quarantine"] == audit_files(config_f, full.entry.build_id)["quarantine"]
    quarantine = audit_files(config_i, cached.entry.build_id)["quarantine"].decode("utf-8")
    assert "AP-3" in quarantine and "admin_penalty.csv第4行、admin_penalty.csv第9行" in quarantine
    page = (cached.output / "record" / "admin_penalty" / "AP-3" / "index.html").read_text(encoding="utf-8")
    assert "此信息已不再公示" in page and "杭市监罚" not in page  # its URL answers with the notice
    built_i, built_f = tree(cached.output.resolve()), tree(full.output.resolve())
    assert [n for n in built_i if built_i.get(n) != built_f.get(n)] == [] and sorted(built_i) == sorted(built_f)


def test_rows_that_differ_have_different_digests() -> None:
    from site_builder.rules.rowcache import row_digest
    from site_builder.sources.loading import RawRow

    def digest(values: dict[str, str], extra: int = 0, defects: tuple[tuple[str, str, str], ...] = ()) -> bytes:
        return row_digest(RawRow("admin_penalty", "a.csv", 2, values, extra, defects))

    base = digest({"a": "x\0y", "b": "z"})
    assert base != digest({"a": "x", "b": "y\0z"})  # a NUL inside a cell is not a separator
    assert digest({"a": "1", "b": "2"}) != digest({"b": "1", "a": "2"}) != digest({"a": "1", "b": "2"}, extra=1)
    assert digest({"a": "1"}) != digest({"a": "1"}, defects=(("", "short-row", "m"),))
    assert digest({"a": "1", "b": "2"}) == row_digest(RawRow("admin_penalty", "other.csv", 9, {"a": "1", "b": "2"}))


def test_a_damaged_cache_gives_no_result(tmp_path: Path) -> None:
    """A result whose stored bytes do not match its check (a page half written by a killed build) is not returned,
    nor one whose dates were damaged; a file that is not a database is replaced by an empty cache."""
    path = tmp_path / "rows.sqlite"
    cache = RowCache(path, "k")
    day = DAY.toordinal()
    result = RowResult("AP-1", (), "published", 1, 2, False, None, ((), (), (), ()), day, day + 30, (("A", ()),))
    for digest in (b"d", b"e", b"g"):
        cache.add(cache_entry(digest * 20, result))
    cache.close()
    db = sqlite3.connect(path)
    value = db.execute("SELECT value FROM result WHERE digest = ?", (b"d" * 20,)).fetchone()[0]
    db.execute("UPDATE result SET value = ? WHERE digest = ?", (value[:-1] + bytes([value[-1] ^ 1]), b"d" * 20))
    db.execute("INSERT INTO result SELECT ?, decided, changes, asked, value FROM result WHERE digest = ?",
               (b"f" * 20, b"e" * 20))  # another row's result, under this key
    db.execute("UPDATE result SET changes = changes + 10 WHERE digest = ?", (b"g" * 20,))  # would hold 10 days longer
    db.execute("INSERT INTO result SELECT ?, 'x', changes, 5, value FROM result WHERE digest = ?", (b"h" * 20, b"e" * 20))
    db.commit()
    db.close()
    cache = RowCache(path, "k")
    assert cache.get_many([b"d" * 20, b"e" * 20, b"f" * 20, b"g" * 20, b"h" * 20], day, {}) == {b"e" * 20: result.to_bytes()}
    assert cache.get_many([b"e" * 20], day + 30, {}) == {}, "no longer holds on the day its trace names"
    assert cache.get_many([b"e" * 20], day, {"A": ((1, 0),)}) == {}, "nor once the subject it asked about is listed"
    cache.close()
    path.write_bytes(b"not a database at all" * 100)
    assert RowCache(path, "k").size() == 0


def test_a_cache_with_pages_of_another_size_starts_afresh(tmp_path: Path) -> None:
    """A cache written by an older version (4 KB pages, where most results spill onto overflow pages) is replaced by
    an empty one with the current page size, not read or added to."""
    path = tmp_path / "rows.sqlite"
    db = sqlite3.connect(path)
    db.executescript("PRAGMA page_size=4096; CREATE TABLE result (digest BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
                     "INSERT INTO result VALUES (x'00', x'00');")
    db.close()
    cache = RowCache(path, "k")
    assert cache.size() == 0 and cache.db.execute("PRAGMA page_size").fetchone()[0] == 16384
    cache.close()


@pytest.mark.parametrize("deciding", ["in the build", "by workers"])
def test_a_build_deciding_every_row_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         deciding: str) -> None:
    """A cold build reads each records file once (issue 13): an id used in two files of one item (one GB18030, the
    other in full-width letters) is found when every row is read, and its rows, decided before, are quarantined with
    the places of both, as a build from the cache quarantines them; the other rows are decided as before."""
    source = tmp_path / "records"
    write_csv(source / "admin_penalty" / "part-1.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2025-11-30"),
        row("admin_penalty", record_id="AP-5", decision_date="2026-01-05"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-02-30")], encoding="gb18030")
    write_csv(source / "admin_penalty" / "part-2.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-3", decision_date="2026-01-06"),
        row("admin_penalty", record_id="ＡＰ－５", decision_date="2026-01-07"),  # AP-5 again
        row("admin_penalty", record_id="AP-4", decision_date="2026-01-08")])
    reads: list[str] = []

    def counted(source_file: SourceFile, item: CatalogItem, *args: Any, **kwargs: Any) -> Iterator[RawRow]:
        reads.append(source_file.name)
        return read_rows(source_file, item, *args, **kwargs)

    monkeypatch.setattr(pipeline, "read_rows", counted)
    workers = 1
    if deciding == "by workers":
        monkeypatch.setattr(pipeline, "MIN_ROWS", 2)
        workers = 2
    config_c, config_w = (site_config(tmp_path / name, source, search=False) for name in ("C", "W"))
    config_c, config_w = (dataclasses.replace(c, build=BuildSettings(workers=workers)) for c in (config_c, config_w))
    build(config_c, DAY, full=True), build(config_w, DAY)
    reads.clear()
    cold = build(config_c, DAY, full=True)
    assert sorted(reads) == ["admin_penalty/part-1.csv", "admin_penalty/part-2.csv"], reads
    warm = build(config_w, DAY)
    assert warm.cached == 4 and cold.cached == 0
    quarantine = audit_files(config_c, cold.entry.build_id)["quarantine"]
    assert quarantine == audit_files(config_w, warm.entry.build_id)["quarantine"]
    assert audit_files(config_c, cold.entry.build_id)["decisions"] == audit_files(config_w, warm.entry.build_id)["decisions"]
    assert "admin_penalty/part-1.csv第3行、admin_penalty/part-2.csv第3行" in quarantine.decode("utf-8")
    built_c, built_w = tree(cold.output.resolve()), tree(warm.output.resolve())
    assert sorted(built_c) == sorted(built_w) and [n for n in built_c if built_c[n] != built_w[n]] == []
