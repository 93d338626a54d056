"""States that platforms write of a record, which the build did not read, and a registration exported twice (stop 39).

A list entry whose 名单状态 said 到期移出, 自动移出 or 已过期, an honour a file said was revoked (是否撤销 是, 撤销日期), a
penalty whose state column said 已修复: each was published as if the column said nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import CATALOGUE, build_site, row, write_csv
from test_xlsx import quarantine

from site_builder.sources.headings import state_defects, watched_columns
from site_builder.sources.mapping import resembled_fields

AS_OF = date(2026, 11, 24)


def with_column(path: Path, heading: str, values: list[str]) -> None:
    """Add a column ``heading`` with ``values`` (one per data row) to the CSV file at ``path``."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines = [f"{lines[0]},{heading}", *(f"{line},{value}" for line, value in zip(lines[1:], values, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def build_with_state(tmp_path: Path, item: str, heading: str, values: list[str], **fields: str):  # type: ignore[no-untyped-def]
    records = tmp_path / "records"
    rows = [row(item, record_id=f"R-{i}", decision_date="2025-06-01", **fields) for i in range(len(values))]
    write_csv(records / f"{item}.csv", item, rows)
    with_column(records / f"{item}.csv", heading, values)
    return build_site(tmp_path, records, AS_OF)


@pytest.mark.parametrize(("item", "heading", "withheld", "kept"), [
    ("dishonest_list", "名单状态", ["到期移出", "自动移出", "已过期", "期满自动解除", "已退出", "有效期已满", "已修复",
                                "依申请移出", "已过有效期"],
     ["正常", "在列", "列入中", "未移出", "申请修复", "修复申请中", "申请移出中"]),
    ("commendation", "荣誉状态", ["已过期", "已失效", "到期"], ["有效", "正常", "有效期内"]),
    ("judgment", "当前状态", ["已过公示期", "停止公示"], ["生效", "撤回"]),
])
def test_a_state_saying_the_period_is_over_or_the_entry_left_withholds_the_row(
        tmp_path: Path, item: str, heading: str, withheld: list[str], kept: list[str]) -> None:
    """到期移出, 自动移出 and 已过期 were not read as gone: such list entries were published as serious dishonesty."""
    result = build_with_state(tmp_path, item, heading, [*withheld, *kept])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == sorted(f"R-{i}" for i in range(len(withheld)))
    assert result.counts.published[item] == len(kept)


@pytest.mark.parametrize("heading", ["是否撤销", "是否已撤销", "是否撤销荣誉", "撤销标志", "撤销状态"])
def test_an_honour_a_file_says_was_revoked_is_withheld(tmp_path: Path, heading: str) -> None:
    """A 是否撤销 column was read as a column like nothing (or, with the 撤销日期 the honour now has, would refuse the
    whole file): a revoked honour was published as good information."""
    values = ["是", "Y", "1", "已撤销", "否", "N", "0", "未撤销", ""]
    result = build_with_state(tmp_path, "commendation", heading, values)
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == ["R-0", "R-1", "R-2", "R-3"]
    assert result.counts.published["commendation"] == 5


@pytest.mark.parametrize(("item", "heading"), [("dishonest_list", "是否有效"), ("dishonest_list", "是否在列"),
                                               ("commendation", "是否有效")])
def test_a_column_asking_whether_the_record_stands_withholds_a_no(tmp_path: Path, item: str, heading: str) -> None:
    result = build_with_state(tmp_path, item, heading, ["否", "N", "是", "Y", "有效"])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == ["R-0", "R-1"]
    assert result.counts.published[item] == 3


def test_a_revoked_honour_leaves_the_site_on_its_revocation_date(tmp_path: Path) -> None:
    """An honour's 撤销日期 was an unknown column: the honour stayed published after it was revoked."""
    item = CATALOGUE["commendation"]
    assert item.header_index()["撤销日期"] == "revocation_date"
    records = tmp_path / "records"
    write_csv(records / "commendation.csv", "commendation", [
        row("commendation", record_id="H-1", decision_date="2025-06-01", revocation_date="2026-11-24"),
        row("commendation", record_id="H-2", decision_date="2025-06-01", revocation_date="2026-11-25"),
        row("commendation", record_id="H-3", decision_date="2025-06-01")])
    result = build_site(tmp_path, records, AS_OF)
    assert result.counts.excluded["commendation"] == {"removed": 1}
    assert result.counts.published["commendation"] == 2


def test_a_revocation_flag_beside_the_revocation_date_lets_the_date_decide(tmp_path: Path) -> None:
    """是否撤销 是 beside a 撤销日期 still to come: the honour is public until that date, not quarantined."""
    records = tmp_path / "records"
    write_csv(records / "commendation.csv", "commendation", [
        row("commendation", record_id="H-1", decision_date="2025-06-01", revocation_date="2026-01-01"),
        row("commendation", record_id="H-2", decision_date="2025-06-01", revocation_date="2026-12-31")])
    with_column(records / "commendation.csv", "是否撤销", ["是", "是"])
    result = build_site(tmp_path, records, AS_OF)
    assert not quarantine(result.audit)
    assert result.counts.excluded["commendation"] == {"removed": 1}
    assert result.counts.published["commendation"] == 1


def test_a_penalty_said_repaired_is_withheld_unless_its_dates_decide() -> None:
    """A penalty file without 当前状态 whose 状态 column says 已修复 or 已过期: the row is refused; beside a 信用修复日期
    or a 公示截止期, the date decides. 已撤销 is refused even beside a date."""
    item = CATALOGUE["admin_penalty"]
    warnings: list[str] = []
    watched = watched_columns(warnings, item, ["记录编号", "状态"], {0: "record_id"})
    assert [h for _, h, _ in watched] == ["状态"]
    for value, dated, refused in [("已修复", False, True), ("信用修复完成", False, True), ("已过期", False, True),
                                  ("已修复", True, False), ("公示期已满", True, False), ("已撤销", True, True),
                                  ("申请修复", False, False), ("正常", False, False)]:
        assert bool(state_defects(item, watched, {1: value}, dated=dated)) is refused, value


def test_a_yes_or_no_column_of_a_list_is_read_row_by_row_not_refused_whole() -> None:
    """A list entry has a 移出日期 (alias 撤销日期), so 是否移出 looked like it, and every row of the file was refused."""
    item = CATALOGUE["dishonest_list"]
    assert resembled_fields(item, ["记录编号", "是否移出", "撤销状态"], {0: "record_id"}) == []
    watched = watched_columns([], item, ["记录编号", "是否移出", "撤销状态"], {0: "record_id"})
    assert [h for _, h, _ in watched] == ["是否移出", "撤销状态"]
    # A penalty has a 当前状态 of its own: there 是否撤销 still looks like it, and its rows are refused until mapped.
    assert [h for _, h, _ in resembled_fields(CATALOGUE["admin_penalty"], ["记录编号", "是否撤销"], {0: "record_id"})] \
        == ["是否撤销"]


@pytest.mark.parametrize(("kind", "refused"), [("经营异常名录", True), ("列入经营异常名录", True), ("重点关注名单", True),
                                               ("安全生产失信联合惩戒警示名单", True), ("严重违法失信企业名单", False),
                                               ("失信被执行人名单", False), ("严重失信主体名单（原经营异常名录满三年）", False)])
def test_a_list_that_is_no_serious_dishonesty_list_is_not_published_as_one(tmp_path: Path, kind: str,
                                                                            refused: bool) -> None:
    """An export of the 严重失信主体名单 holding 经营异常名录 entries: they were published under the item's title,
    calling a company seriously dishonest (and, under Zhejiang's rules, keeping its judgments public)."""
    records = tmp_path / "records"
    write_csv(records / "dishonest_list.csv", "dishonest_list",
              [row("dishonest_list", record_id="L-1", decision_date="2025-06-01", list_type=kind)])
    result = build_site(tmp_path, records, AS_OF)
    assert [q["error"] for q in quarantine(result.audit)] == (["list-kind"] if refused else [])
    assert result.counts.published["dishonest_list"] == (0 if refused else 1)


# --- A subject's registration exported twice -------------------------------------------------------------------


def test_a_subject_with_two_registrations_is_warned_about_naming_the_one_its_page_shows(tmp_path: Path) -> None:
    """Two 登记信息 rows of one code (an old 存续, a newer 注销): the subject's page showed one of them, silently."""
    records = tmp_path / "records"
    code = row("subject")["uscc"]
    write_csv(records / "subject.csv", "subject", [
        row("subject", record_id="SJ-2", registration_status="注销", established="2015-03-04"),
        row("subject", record_id="SJ-1", registration_status="存续", established="2015-03-04")])
    result = build_site(tmp_path, records, AS_OF)
    warned = [w for r in result.sources for w in r.warnings if "登记信息" in w]
    assert len(warned) == 1 and code in warned[0] and "SJ-1、SJ-2" in warned[0] and "只显示SJ-1" in warned[0]
    page = (result.output / "subject" / code / "index.html").read_text(encoding="utf-8")
    assert "存续" in page and "注销" not in page  # the page shows what the warning says it shows


# --- explain names the profile's age -----------------------------------------------------------------------------


def test_explain_gives_the_age_the_profile_counts_a_minor_by(tmp_path: Path) -> None:
    """A tester's (a region's own profile with min_age 20): explain said only "未满18周岁（或规则规定的年龄）"."""
    from click.testing import CliRunner
    from conftest import make_resident_id

    from site_builder.cli import main

    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row(
        "admin_penalty", record_id="AP-M", decision_date="2026-06-01", subject_category="自然人", subject_name="王小二",
        uscc="", id_type="身份证", id_no=make_resident_id("330102", "20100101", "011"))])
    build_site(tmp_path, records, AS_OF)
    args = ["explain", "AP-M", "--as-of", "2026-12-30", "--records", str(records), "--audit", str(tmp_path / "audit")]
    answer = CliRunner().invoke(main, args)
    assert answer.exit_code == 0 and "minor" in answer.output
    assert "未满18周岁（规则 'national' 的 min_age）" in answer.output
