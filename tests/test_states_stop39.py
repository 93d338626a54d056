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

from site_builder.sources.mapping import resembled_fields
from site_builder.sources.statewords import state_defects, watched_columns

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
                                "依申请移出", "已过有效期", "公示结束", "修复", "信用修复"],
     # 修复, 信用修复 under 名单状态 were kept as naming the process: the third harm round found them published where the
     # entry had been removed on repair (stop 42); an application or a process still stands (申请修复, 修复申请中).
     ["正常", "在列", "列入中", "未移出", "申请修复", "修复申请中", "申请移出中", "申请移出", "申请解除", "申请退出",
      "到期未移出", "待移出"]),
    ("commendation", "荣誉状态", ["已过期", "已失效", "已到期"], ["有效", "正常", "有效期内", "到期", "申请撤销"]),
    ("judgment", "当前状态", ["已过公示期", "停止公示"], ["生效", "撤回"]),
])
def test_a_state_saying_the_period_is_over_or_the_entry_left_withholds_the_row(
        tmp_path: Path, item: str, heading: str, withheld: list[str], kept: list[str]) -> None:
    """到期移出, 自动移出 and 已过期 were not read as gone: such list entries were published as serious dishonesty."""
    result = build_with_state(tmp_path, item, heading, [*withheld, *kept])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == sorted(f"R-{i}" for i in range(len(withheld)))
    assert result.counts.published[item] == len(kept)


@pytest.mark.parametrize(("heading", "withheld"), [
    ("是否撤销", [0, 1, 2, 3, 9]), ("是否已撤销", [0, 1, 2, 3, 9]), ("是否撤销荣誉", [0, 1, 2, 3, 9]),
    # Not a question: a digit there (1 may be 正常, 2 撤销) cannot be read, and withholds the row; 0 is "not" in a flag.
    ("撤销标志", [0, 1, 2, 3, 9]), ("撤销状态", [0, 1, 2, 3, 6, 9])])
def test_an_honour_a_file_says_was_revoked_is_withheld(tmp_path: Path, heading: str, withheld: list[int]) -> None:
    """A 是否撤销 column was read as a column like nothing (or, with the 撤销日期 the honour now has, would refuse the
    whole file): a revoked honour was published as good information."""
    values = ["是", "Y", "1", "已撤销", "否", "N", "0", "未撤销", "", "2"]
    result = build_with_state(tmp_path, "commendation", heading, values, valid_until="2030-01-01")
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == [f"R-{i}" for i in withheld]
    assert result.counts.published["commendation"] == len(values) - len(withheld)


@pytest.mark.parametrize(("item", "heading"), [("dishonest_list", "是否有效"), ("dishonest_list", "是否在列"),
                                               ("commendation", "是否有效")])
def test_a_column_asking_whether_the_record_stands_withholds_a_no(tmp_path: Path, item: str, heading: str) -> None:
    result = build_with_state(tmp_path, item, heading, ["否", "N", "是", "Y", "有效", "2"], valid_until="2030-01-01")
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == ["R-0", "R-1", "R-5"]
    assert result.counts.published[item] == 3


def test_a_revoked_honour_leaves_the_site_on_its_revocation_date(tmp_path: Path) -> None:
    """An honour's 撤销日期 was an unknown column: the honour stayed published after it was revoked."""
    item = CATALOGUE["commendation"]
    assert {item.header_index()[h] for h in ("撤销日期", "撤销时间", "取消日期", "取消时间")} == {"revocation_date"}
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
    nothing: frozenset[str] = frozenset()
    ended, repaired = frozenset({"ended"}), frozenset({"repaired"})
    for value, dated, refused in [
            ("已修复", nothing, True), ("信用修复完成", nothing, True), ("已过期", nothing, True), ("已修复", repaired, False),
            ("公示期已满", ended, False), ("已撤销", ended, True), ("申请修复", nothing, False), ("正常", nothing, False),
            # A harm tester's: beside a 公示截止期, taken down or repaired is still so (the deadline is when it would
            # end); an application is no outcome; 到期 alone may be said of something else.
            ("已撤下", ended, True), ("停止公示", ended, True), ("已修复", ended, True), ("申请撤销", nothing, False),
            ("到期", nothing, False), ("期满", nothing, False),
            # The third harm round (stop 42): 修复, 信用修复 as the record's 状态 say it was repaired (it had been
            # published); beside its 信用修复日期 the date decides; a repair under way still stands.
            ("修复", nothing, True), ("信用修复", nothing, True), ("信用修复", repaired, False), ("信用修复中", nothing, False)]:
        assert bool(state_defects(item, watched, {1: value}, dated=dated)) is refused, value


def test_a_yes_or_no_column_of_a_list_is_read_row_by_row_not_refused_whole() -> None:
    """A list entry has a 移出日期 (alias 撤销日期), so 是否移出 looked like it, and every row of the file was refused."""
    item = CATALOGUE["dishonest_list"]
    assert resembled_fields(item, ["记录编号", "是否移出", "撤销状态"], {0: "record_id"}) == []
    watched = watched_columns([], item, ["记录编号", "是否移出", "撤销状态"], {0: "record_id"})
    assert [h for _, h, _ in watched] == ["是否移出", "撤销状态"]
    # A penalty has a 当前状态 of its own: 是否撤销 is read row by row there too (stop 40: beside a 当前状态 column,
    # del_flag and 是否有效 had been ignored, and the penalties they said were gone published).
    assert resembled_fields(CATALOGUE["admin_penalty"], ["记录编号", "是否撤销"], {0: "record_id"}) == []
    assert {h for _, h, _ in watched_columns([], CATALOGUE["admin_penalty"], ["记录编号", "是否撤销"], {0: "record_id"})} \
        == {"是否撤销"}


@pytest.mark.parametrize(("kind", "refused"), [
    ("经营异常名录", True), ("列入经营异常名录", True), ("重点关注名单", True), ("安全生产失信联合惩戒警示名单", True),
    ("严重违法失信企业名单", False), ("失信被执行人名单", False), ("严重失信主体名单（原经营异常名录满三年）", False),
    # A harm tester's: the 市场监管 严重违法失信名单's ground is written so; and lists that say they are not serious.
    ("被列入经营异常名录届满3年仍未履行相关义务", False), ("列入经营异常名录届满三年", False), ("经营异常名录届满3年转入", False),
    ("非严重失信（经营异常）", True), ("灰名单", True), ("纳税信用D级", True), ("重点监管对象名单", True),
    # The second harm tester's: a national serious list rated D; not yet three years; traditional and full-width.
    ("重大税收违法失信主体（纳税信用D级）", False), ("列入经营异常名录未满三年", True), ("經營異常名錄", True),
    ("纳税信用Ｄ级", True), ("异常经营名录（已转为正常）", True),
    # The third harm tester's: not yet three years, 转入 alone, a notice before listing.
    ("经营异常名录（未届满三年）", True), ("经营异常名录（非正常户转入）", True), ("灰名单（转入观察）", True),
    ("拟列入严重失信主体名单", True), ("重点关注名单（严重失信风险）", True),
    # The fourth: not yet, before, about to reach three years; a listing after its notice, or from the risk list.
    ("经营异常名录（即将届满三年）", True), ("经营异常名录（届满前）", True), ("经营异常名录（未到届满期）", True),
    ("经营异常名录（没有届满三年）", True), ("严重违法失信名单（拟列入告知期满后列入）", False),
    ("严重失信主体名单（由严重失信风险名单转入）", False),
    # The fifth: a notice anywhere in the name; a risk entry not (yet) moved over; 距满3年.
    ("严重失信主体名单（拟列入）", True), ("严重违法失信名单（拟列入告知）", True), ("公示拟列入严重失信主体名单", True),
    ("严重失信风险名单（未转入）", True), ("严重失信风险名单（拟转入）", True), ("严重失信风险提示（逾期未整改将转入）", True),
    ("经营异常名录（距满3年尚余30日）", True),
    # The sixth: a listing after its notice, however written.
    ("拟列入告知期满列入", False), ("经拟列入告知后列入", False), ("拟列入告知期满，正式列入", False),
    # The seventh: a listing negated or pending after a notice is no listing; a risk entry moved over is one.
    ("严重失信主体名单（拟列入，尚未列入）", True), ("拟列入严重失信主体名单（暂不列入）", True), ("拟纳入严重失信名单（未纳入）", True),
    ("严重违法失信名单（拟列入告知，待列入）", True), ("拟列入严重失信主体名单（告知期内，未正式列入）", True),
    ("严重失信主体名单（原严重失信风险名单，已转入）", False),
    # The eighth: a risk entry not moved over, after a comma.
    ("严重失信风险名单，暂不转入", True), ("严重失信风险名单，可能转入", True), ("严重失信风险名单，转入经营异常名录", True),
    ("拟列入，公示期满后将正式列入", True), ("拟列入（非正式列入）", True),
    # The ninth: a clause ends at a line break too; exempted from moving, moved if it fails, is no listing.
    ("严重失信风险名单\n转入经营异常名录", True), ("严重失信风险\n（整改后免于转入）", True),
    ("严重失信风险名单，逾期未整改的转入严重失信名单", True)])
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
    # before the first build, the records decide (as a comparison: no site was live)
    args = ["explain", "AP-M", "--as-of", "2026-11-01", "--records", str(records), "--audit", str(tmp_path / "audit")]
    answer = CliRunner().invoke(main, args)
    assert answer.exit_code == 1 and "minor" in answer.output
    assert "未满18周岁（规则 'national' 的 min_age）" in answer.output


@pytest.mark.parametrize(("item", "heading", "value"), [("dishonest_list", "是否已移出", "是"),
                                                        ("dishonest_list", "名单状态", "已移出"),
                                                        ("commendation", "撤销情况", "已撤销")])
def test_a_record_said_gone_beside_its_planned_end_is_withheld(tmp_path: Path, item: str, heading: str, value: str) -> None:
    """A harm tester's: a 有效期至 in the row let the date decide, so an entry said removed (是否已移出 是) or an honour
    said revoked, with the 有效期至 most of them carry, was published. Only a removal date decides beside such a state."""
    result = build_with_state(tmp_path, item, heading, [value, "正常"], valid_until="2030-01-01")
    assert [q["record_id"] for q in quarantine(result.audit)] == ["R-0"]
    assert result.counts.published[item] == 1


def test_codes_in_a_removal_state_column_are_not_guessed(tmp_path: Path) -> None:
    """A harm tester's: 移出状态 1 was read as 是 (removed) and 2 published, where platforms write 1 正常 and 2 已移出."""
    result = build_with_state(tmp_path, "dishonest_list", "移出状态", ["1", "2", "未移出", "已移出", "否", "0", "Y", "N"])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == ["R-0", "R-1", "R-3", "R-5", "R-6"]


# --- Dates with a time written in Chinese, a database's digits ---------------------------------------------------


@pytest.mark.parametrize(("text", "read"), [
    ("2025年12月7日 23时59分", date(2025, 12, 7)), ("2025年12月7日23时59分59秒", date(2025, 12, 7)),
    ("2025年1月1日 00时00分", date(2025, 1, 1)), ("2025年12月7日 下午3点30分", date(2025, 12, 7)),
    ("20250101000000", date(2025, 1, 1)), ("202512072359", None),
    ("2025年12月7日 25时", None), ("20251207246000", None), ("2025120723", None)])
def test_a_date_with_a_time_written_in_chinese_or_as_digits_is_read(text: str, read: date | None) -> None:
    """A tester's: 2025年12月7日 23时59分 and a database's 20250101000000 were quarantined as no date."""
    from site_builder.rules.validation import parse_cell

    spec = CATALOGUE["admin_penalty"].field("decision_date")
    value, problem = parse_cell(spec, text)
    assert value == read and (problem is None) is (read is not None)



@pytest.mark.parametrize(("item", "heading", "withheld", "kept"), [
    # The second harm tester's: placeholders are no answer; 0 under a flag is "not" (RuoYi's 删除标志: 0 present).
    ("commendation", "是否撤销", ["是（弄虚作假）"], ["/", "-", "N/A", "NULL", "null", "否"]),
    ("commendation", "删除标志", ["2", "1"], ["0", "/"]),
    ("commendation", "荣誉状态", ["取消资格", "已取消资格", "已收回", "已摘牌", "已撤销（弄虚作假）", "撤销荣誉称号"],
     ["有效", "已注销", "-"]),
    ("dishonest_list", "名单状态", ["已移出（信用修复）", "移出（期满）", "中止公示", "暂停公示"], ["正常"]),
    ("dishonest_list", "是否移出", ["是（已修复）"], ["否", "/"]),
    ("dishonest_list", "移出原因", ["信用修复", "有效期届满"], ["/", "无", ""]),
    ("commendation", "撤销原因", ["弄虚作假"], ["", "无"]),
    ("judgment", "当前状态", ["再审撤销", "裁定撤销", "发回重审"], ["已生效", "已执行"]),
])
def test_what_else_a_file_says_of_a_record_gone(tmp_path: Path, item: str, heading: str, withheld: list[str],
                                                 kept: list[str]) -> None:
    result = build_with_state(tmp_path, item, heading, [*withheld, *kept])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == sorted(f"R-{i}" for i in range(len(withheld)))
    assert result.counts.published[item] == len(kept)


@pytest.mark.parametrize(("heading", "value", "refused"), [
    # The second harm tester's: another thing's state (a licence, a term) expired is no word on the penalty.
    ("许可证状态", "已过期", False), ("资质状态", "有效期已满", False), ("履行状态", "已到期", False),
    ("执行状态", "已到期", False), ("许可证状态", "已撤销", True),
    # The record's own state: soft deletion and the period's end are read there.
    ("数据状态", "已删除", True), ("数据状态", "已屏蔽", True), ("状态", "已过期", True), ("数据状态", "有效", False)])
def test_a_penalty_file_reads_period_and_deletion_states_only_in_the_records_own_state_column(
        heading: str, value: str, refused: bool) -> None:
    item = CATALOGUE["admin_penalty"]
    watched = watched_columns([], item, ["记录编号", heading], {0: "record_id"})
    assert [h for _, h, _ in watched] == [heading]
    assert bool(state_defects(item, watched, {1: value})) is refused



@pytest.mark.parametrize(("item", "heading", "withheld", "kept"), [
    # The third harm tester's: a reason column filled for every row with a negation or a normal state says nothing.
    ("commendation", "撤销原因", ["弄虚作假"], ["未撤销", "无撤销", "正常", "有效", "0"]),
    ("dishonest_list", "移出原因", ["信用修复"], ["未移出", "在列", "未删除"]),
    # A bracket saying the state is under way: it is not reached.
    ("dishonest_list", "名单状态", ["已移出（信用修复）"],
     ["移出（审核中）", "移出（申请中）", "撤销（待审核）"]),
    # The fourth: a bracket after a state said done gives how or why it was done; a reason may be a negative sentence.
    ("dishonest_list", "名单状态", ["已移出（经审核）", "已移出（依申请）", "已移出（审核通过）", "已移出（待归档）",
                                "已移出（信用恢复）", "已撤销（依申请）"], ["正常"]),
    ("commendation", "荣誉状态", ["已撤销（复核不通过）", "已取消（审核未通过）"], ["有效"]),
    ("dishonest_list", "是否移出", ["是（依申请）", "是（审核通过）"], ["否"]),
    ("dishonest_list", "移出原因", ["不符合列入条件", "不再公示", "未达列入标准", "非本企业行为", "没有违法事实"],
     ["未移出", "不移出"]),
    ("commendation", "撤销原因", ["不符合评选条件", "未如实申报", "非法经营"], ["未撤销"]),
    ("dishonest_list", "移出状态", ["0", "00"], ["未移出"]),
    # Zero as data frames write it; a deletion state's 0; the flags of English-named systems; 逻辑删除标志.
    ("commendation", "删除标志", ["1"], ["0.0", "00"]),
    ("commendation", "删除状态", ["已删除"], ["0"]),
    ("commendation", "撤销状态", ["0"], ["未撤销"]),
    ("commendation", "del_flag", ["2", "1"], ["0"]),
    ("commendation", "is_deleted", ["1", "Y"], ["0", "N"]),
    ("commendation", "逻辑删除标志", ["1"], ["0"]),
    # Judgments: vacated, changed or partly revoked (民事诉讼法 art. 177) is no standing judgment; upheld is.
    ("judgment", "当前状态", ["撤销原判，发回重审", "撤销原判", "改判", "已改判", "二审改判", "部分撤销"],
     ["维持原判", "驳回上诉、维持原判", "申请再审", "再审中"]),
    ("commendation", "荣誉状态", ["复核不通过", "复审未通过", "已降级", "已暂停"], ["有效"]),
])
def test_the_third_harm_testers_states(tmp_path: Path, item: str, heading: str, withheld: list[str],
                                       kept: list[str]) -> None:
    result = build_with_state(tmp_path, item, heading, [*withheld, *kept])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == sorted(f"R-{i}" for i in range(len(withheld)))
    assert result.counts.published[item] == len(kept)



@pytest.mark.parametrize(("item", "heading", "withheld", "kept"), [
    # The fifth harm tester's. A state said done (已, 被) is done whatever its bracket says: whether 已移出（撤回） or
    # 被撤销（复议中） stands cannot be known, and a bracket such as 不得重新列入 had undone it; the row is withheld,
    # named, for the operator. An answer is said whatever follows it.
    ("dishonest_list", "名单状态", ["已移出（不得重新列入）", "已移出（如再违法将重新列入）", "已移出（撤回）", "已撤销（恢复列入）"],
     ["移出（申请中）", "移出（待复核）", "移出（决定撤销中）"]),
    # The seventh: a refusal in brackets after a bare state cannot be read either way (移出（未通过）: a removal
    # refused; 撤销（复审未通过）: a revocation because a review failed): withheld, named.
    ("commendation", "荣誉状态", ["撤销（复审未通过）", "撤销（不予认定）", "撤销（证书待核销）", "取消（年审不通过）"], ["有效"]),
    ("dishonest_list", "名单状态", ["移出（未通过）", "解除（不予解除）", "移出（不予公示）", "屏蔽（不予公示）"], ["正常"]),
    ("commendation", "deleted_at", [], ["1970-01-01 08:00:00", "0000-00-00 00:00:00.000", "1970-01-01T00:00:00Z"]),
    # The eighth: a negation or a no-date with anything after it says more (未移出（2025-06-01已移出）).
    ("dishonest_list", "移出原因", ["未移出（申请中）", "未移出（2025-06-01已移出）", "正常（已移出）", "0（已删除）"], ["未移出"]),
    ("commendation", "撤销原因", ["未撤销（后经复核撤销）"], ["未撤销"]),
    ("commendation", "deleted_at", ["0000-00-00 00:00:00（已删除）", "1970-01-02"], ["1970-01-01 08:00:00"]),
    # The sixth: a bracket naming how or why is read past (申请, 审核 are no process under way), one that cannot be read
    # either way withholds (移出（撤回）).
    ("dishonest_list", "名单状态", ["移出（经审核）", "移出（依申请）", "移出（信用修复申请通过）", "移出（撤回）", "移出（恢复）"],
     ["正常"]),
    ("commendation", "荣誉状态", ["撤销（申请人弄虚作假）", "撤销（收回证书，取消相关待遇）"], ["有效"]),
    ("commendation", "荣誉状态", ["被撤销（复议中）", "被撤销（诉讼中）", "已撤销（不予恢复公示）", "已撤销（不得重新列入评选）"],
     ["有效"]),
    ("dishonest_list", "是否移出", ["是（申请中）", "是（待复核）"], ["否"]),
    # A reason column saying nothing happened.
    ("dishonest_list", "移出原因", ["不再公示", "未满足移出条件", "不再符合列入条件移出", "无新增失信行为移出"],
     ["不予移出", "未申请移出", "尚未申请", "无移出记录", "未到期", "在公示期内"]),
    ("commendation", "撤销原因", ["未履行承诺撤销荣誉称号", "不符合评选条件撤销"], ["未撤销"]),
    ("commendation", "deleted_at", ["2025-01-01"], ["0000-00-00 00:00:00", "1970-01-01", "9999-12-31"]),
    ("commendation", "撤销原因", ["未如实申报"], ["不予撤销", "未申请撤销", "无撤销记录"]),
    # 有效标志, 有效状态 ask whether the record stands; deleted_at says when it was deleted.
    ("dishonest_list", "有效标志", ["0", "N", "否"], ["1", "Y", "是"]),
    ("dishonest_list", "有效状态", ["无效", "否"], ["有效"]),
    ("commendation", "deleted_at", ["2025-01-01 08:00:00"], ["", "NULL"]),
])
def test_the_fifth_harm_testers_states(tmp_path: Path, item: str, heading: str, withheld: list[str],
                                       kept: list[str]) -> None:
    result = build_with_state(tmp_path, item, heading, [*withheld, *kept])
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == sorted(f"R-{i}" for i in range(len(withheld)))
    assert result.counts.published[item] == len(kept)
