"""The last stop's notes (stop 41): cells whose parts disagree, legends under state headings and beside notes, bare
codes under a state heading, reasons saying a decision stands, 是否移出 on a penalty, a licence's flags past its date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_stop40 import penalties_with, shown
from test_xlsx import quarantine

from site_builder.rules.redaction import LAPSED

# --- A licence's 当前状态 written as a flag or as 长期有效, past its 有效期至 -----------------------------------------------


@pytest.mark.parametrize("status", ["1", "1.0", "１", "Y", "y", "Ｙ", "是", "true", "TRUE", "ｔｒｕｅ", "Yes", "长期有效",
                                    "永久有效", "长期"])
def test_a_licence_flagged_in_force_or_long_term_lapses_after_its_valid_until(status: str) -> None:
    """A 当前状态 of ``1``, ``Y``, 是 or ``true`` was shown as written a year after 有效期至: the public read it as valid.
    长期有效 beside a past 有效期至 contradicts the date, which governs."""
    assert shown(dt.date(2026, 7, 1), valid_until="2026-06-30", status=status) == LAPSED
    assert shown(dt.date(2026, 6, 30), valid_until="2026-06-30", status=status) == status


@pytest.mark.parametrize("status", ["0", "N", "否", "false", "无效", "长期无效", "10"])
def test_a_licence_flagged_not_in_force_is_shown_as_written(status: str) -> None:
    assert shown(dt.date(2026, 7, 1), valid_until="2026-06-30", status=status) == status


# --- A legend beside a note holding digits -------------------------------------------------------------------------


@pytest.mark.parametrize(("heading", "values"), [
    ("是否有效（2023版）（1有效0无效）", ["0", "1"]),
    ("是否删除(v2)(0否1是)", ["1", "0"]),
    ("是否删除（0否1是）（2023版）", ["1", "0"]),
    ("是否删除（第2版）（0否1是）", ["1", "0"]),
])
@pytest.mark.parametrize("state", [True, False])
def test_a_legend_beside_a_note_with_digits_is_read(tmp_path: Path, heading: str, values: list[str], state: bool) -> None:
    """Only the last bracket was read as the legend, and a note with digits before it (2023版, v2) kept the heading
    from being recognised: beside 当前状态 the column was unknown and a deleted penalty was published."""
    withheld, result = penalties_with(tmp_path, {heading: values}, state=state)
    assert withheld == ["R-0"] and result.counts.published["admin_penalty"] == 1


# --- A yes-or-no cell whose parts disagree, and a removal in words the reader did not know --------------------------


def list_entries(tmp_path: Path, heading: str, values: list[str], item: str = "dishonest_list") -> dict[str, str]:
    """The entries withheld, of one per value under ``heading``: record id -> the quarantine message."""
    from test_states_stop39 import build_with_state

    result = build_with_state(tmp_path, item, heading, values, valid_until="2030-01-01")
    return {q["record_id"]: q["message"] for q in quarantine(result.audit)}


@pytest.mark.parametrize("heading", ["是否移出", "是否已移出", "移出状态"])
def test_a_removal_answer_contradicted_or_said_otherwise_withholds(tmp_path: Path, heading: str) -> None:
    """信用修复移出, 否，已于6月1日移出 and 正常（已移出） under 是否移出 were published: the first says removed, the others
    say no and removed at once, and which holds is not known."""
    gone = ["信用修复移出", "因信用修复移出", "已于6月1日移出"]
    contradicted = ["否，已于6月1日移出", "否，已于2025-06-01移出", "正常（已移出）", "否（已删除）", "未移出；已移出",
                    "在列（到期移出）", "否、已屏蔽"]
    standing = ["否", "未移出", "在列", "正常", "申请移出", "已于6月1日申请移出", "否（申请移出中）", "否（2025-06-01）",
                "在列（已撤销异议）", "否（已撤销申请）", "否（已解除冻结）"]
    withheld = list_entries(tmp_path, heading, [*gone, *contradicted, *standing])
    assert sorted(withheld, key=lambda r: int(r[2:])) == [f"R-{i}" for i in range(len(gone) + len(contradicted))]
    for i in range(len(gone), len(gone) + len(contradicted)):
        assert "说法不一" in withheld[f"R-{i}"], withheld[f"R-{i}"]


@pytest.mark.parametrize(("item", "heading", "contradicted", "standing"), [
    ("dishonest_list", "名单状态", ["正常（已移出）", "在列，已于6月1日移出"], ["正常", "在列", "有效（正常）"]),
    ("commendation", "是否撤销", ["否（已撤销）", "否，已撤销"], ["否", "已授予"]),
    ("commendation", "是否有效", ["是（已撤销）", "有效（已撤销）"], ["是", "有效"]),
])
def test_parts_that_disagree_withhold_in_any_state_column(tmp_path: Path, item: str, heading: str,
                                                          contradicted: list[str], standing: list[str]) -> None:
    withheld = list_entries(tmp_path, heading, [*contradicted, *standing], item)
    assert sorted(withheld) == [f"R-{i}" for i in range(len(contradicted))]
    assert all("说法不一" in message for message in withheld.values())


@pytest.mark.parametrize("heading", ["是否删除", "是否有效", "是否撤销"])
def test_a_penalty_flag_whose_parts_disagree_withholds(tmp_path: Path, heading: str) -> None:
    standing = {"是否删除": "否", "是否有效": "是", "是否撤销": "否"}[heading]
    cells = [f"{standing}（已删除）", f"{standing}，已于2025-06-01撤销", "正常（已作废）", standing, "正常"]
    withheld, _ = penalties_with(tmp_path, {heading: cells})
    assert withheld == ["R-0", "R-1", "R-2"]


# --- A legend under a state heading; a bare code under one without a legend ------------------------------------------


@pytest.mark.parametrize(("heading", "gone", "standing", "unread"), [
    ("数据状态（1有效0无效）", ["0"], ["1", "有效"], ["2"]),
    ("有效状态（0无效 1有效）", ["0", "0-无效"], ["1"], ["2"]),
    ("记录状态(1正常;2删除)", ["2", "2-删除"], ["1", "1-正常"], ["0"]),
    ("状态（0正常1撤销）", ["1"], ["0"], ["2"]),
])
@pytest.mark.parametrize("state", [True, False])
def test_a_legend_under_a_state_heading_is_applied(tmp_path: Path, heading: str, gone: list[str], standing: list[str],
                                                  unread: list[str], state: bool) -> None:
    """数据状态（1有效0无效） 0 and 记录状态(1正常,2删除) 2 were published (beside 当前状态 the column was not read at all;
    without it codes were not read), or the whole file refused (删除 in the legend read as a column of deletion)."""
    withheld, result = penalties_with(tmp_path, {heading: [*gone, *unread, *standing]}, state=state)
    assert withheld == [f"R-{i}" for i in range(len(gone) + len(unread))]
    messages = {q["record_id"]: q["message"] for q in quarantine(result.audit)}
    for i in range(len(gone), len(gone) + len(unread)):
        assert "代码说明没有列出" in messages[f"R-{i}"], messages[f"R-{i}"]


@pytest.mark.parametrize("heading", ["有效状态", "数据状态", "记录状态", "状态"])
def test_a_bare_code_under_a_state_heading_of_a_penalty_file_without_its_state_withholds(tmp_path: Path,
                                                                                         heading: str) -> None:
    """有效状态 1 and 2 were published (and 0 read as 正常): 有效状态 0 is 无效 on most platforms, the 当前状态 codes 0
    正常; which one a file means is not known. Words are read as before."""
    withheld, result = penalties_with(tmp_path, {heading: ["0", "1", "2", "1.0", "正常", "有效"]}, state=False)
    assert withheld == ["R-0", "R-1", "R-2", "R-3"]
    for q in quarantine(result.audit):
        assert f"列“{heading}”" in q["message"] and "列名没有写明代码的含义" in q["message"], q["message"]


@pytest.mark.parametrize(("heading", "values"), [("推送状态", ["0", "1", "2"]), ("案件状态", ["1", "2"]),
                                                 ("删除状态", ["0", "00"]), ("是否撤销", ["0", "N"])])
def test_a_code_of_another_state_or_of_a_flag_is_read_as_before(tmp_path: Path, heading: str, values: list[str]) -> None:
    """A platform's own state (推送状态) numbers its states otherwise; a deletion state's or a question's 0 is "not"."""
    withheld, _ = penalties_with(tmp_path, {heading: values}, state=False)
    assert withheld == []


def test_a_bare_code_under_a_list_entry_state_withholds(tmp_path: Path) -> None:
    withheld = list_entries(tmp_path, "名单状态", ["1", "0", "在列", "1-在列", "正常"])
    assert sorted(withheld) == ["R-0", "R-1"]


# --- A reason column saying the decision stands; 是否移出 on a penalty ------------------------------------------------


def test_a_revocation_reason_saying_the_penalty_was_upheld_publishes_it(tmp_path: Path) -> None:
    """撤销原因 复议维持 withheld the penalty with a message saying it had been revoked: upheld on review, it stands."""
    gone = ["违法事实认定错误", "复议撤销", "部分维持部分撤销", "撤销原判，驳回起诉", "法院判决撤销"]
    upheld = ["复议维持", "维持", "维持原处罚决定", "经复议维持原处罚", "复议后维持", "维持原判", "驳回复议申请", "复议驳回",
              "撤销申请被驳回", "不予撤销", "无"]
    withheld, result = penalties_with(tmp_path, {"撤销原因": [*gone, *upheld]})
    assert withheld == [f"R-{i}" for i in range(len(gone))]
    assert result.counts.published["admin_penalty"] == len(upheld)


def test_a_removal_reason_saying_the_listing_was_upheld_publishes_it(tmp_path: Path) -> None:
    withheld = list_entries(tmp_path, "移出原因", ["信用修复", "维持列入", "驳回移出申请", "不予移出"])
    assert sorted(withheld) == ["R-0"]


@pytest.mark.parametrize("heading", ["是否移出", "是否已移出", "是否移出公示", "移出标志"])
@pytest.mark.parametrize("state", [True, False])
def test_a_penalty_marked_removed_from_the_public_list_is_withheld(tmp_path: Path, heading: str, state: bool) -> None:
    """是否移出 是 on a penalty row was not read (a penalty is on no list): the platform had taken it off publication,
    and it was published."""
    withheld, result = penalties_with(tmp_path, {heading: ["是", "Y", "1", "已移出", "否", "N", "0", "未移出", ""]}, state=state)
    assert withheld == ["R-0", "R-1", "R-2", "R-3"]
    assert all(f"列“{heading}”" in q["message"] for q in quarantine(result.audit))


# --- The cause of a removal alone under 是否移出 ------------------------------------------------------------------------


_CAUSES = ["信用修复", "已修复", "修复完成", "因信用修复", "到期", "期满"]


@pytest.mark.parametrize("heading", ["是否移出", "是否已移出", "移出标志"])
def test_the_cause_of_a_removal_alone_answers_removed(tmp_path: Path, heading: str) -> None:
    """信用修复, 已修复, 到期 under 是否移出 were published: as the answer to "removed?", the cause of a removal says
    removed."""
    standing = ["否", "未移出", "0", "未到期"]
    withheld, _ = penalties_with(tmp_path, {heading: [*_CAUSES, *standing]})
    assert withheld == [f"R-{i}" for i in range(len(_CAUSES))]
    entries = list_entries(tmp_path / "list", heading, [*_CAUSES, *standing])
    assert sorted(entries, key=lambda r: int(r[2:])) == [f"R-{i}" for i in range(len(_CAUSES))]


# --- An objection or a word neither standing nor gone under a state column -------------------------------------------


@pytest.mark.parametrize("item", ["dishonest_list", "commendation"])
def test_an_objection_or_an_unknown_coded_state_withholds_a_list_entry(tmp_path: Path, item: str) -> None:
    """状态（0：正常 1：撤销 2：异议 3：其他） 2 and 3, and 异议 written under 名单状态, were published."""
    withheld = list_entries(tmp_path / "a", "状态（0：正常 1：撤销 2：异议 3：其他）", ["1", "2", "3", "0"], item)
    assert sorted(withheld) == ["R-0", "R-1", "R-2"]
    assert "异议" in withheld["R-1"] and "代码说明" in withheld["R-2"], withheld
    withheld = list_entries(tmp_path / "b", "名单状态（0正常1撤销2异议3其他）", ["2", "3", "0"], item)
    assert sorted(withheld) == ["R-0", "R-1"]
    words = ["异议", "异议中", "异议处理中", "有异议", "在列（异议处理中）", "正常", "在列", "审核通过", "在列（已撤销异议）",
             "无异议", "异议不成立"]
    withheld = list_entries(tmp_path / "c", "名单状态", words, item)
    assert sorted(withheld, key=lambda r: int(r[2:])) == [f"R-{i}" for i in range(5)]


@pytest.mark.parametrize("state", [True, False])
def test_an_unknown_coded_state_withholds_a_penalty(tmp_path: Path, state: bool) -> None:
    withheld, _ = penalties_with(tmp_path, {"数据状态（0正常1撤销2异议3其他）": ["1", "2", "3", "0"]}, state=state)
    assert withheld == ["R-0", "R-1", "R-2"]


# --- A removal said done under a state column --------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "heading", "gone", "standing"), [
    ("dishonest_list", "名单状态", ["已于2025年6月1日移出", "于2025-06-01移出", "到期已移出", "列入期满，已移出", "已撤销申请，已移出",
                                    "已撤销异议，已移出", "已解除限制", "解除限制消费", "已撤销限制"],
     ["正常", "有效", "在列", "未移出", "在列（已撤销异议）", "已撤销异议", "已撤销申请"]),
    ("dishonest_list", "状态", ["已于2025年6月1日移出", "于2025-06-01移出", "到期已移出"], ["正常", "在列"]),
    ("commendation", "荣誉状态", ["已于2025年6月1日撤销", "已撤销异议，已撤销荣誉", "荣誉已被撤销"], ["正常", "有效", "已撤销异议"]),
    ("commendation", "状态", ["已于2025年6月1日撤销", "荣誉已被撤销"], ["正常"]),
    ("dishonest_list", "是否移出", ["已撤销异议，移出", "撤销异议后移出", "已解除限制", "解除限制消费", "已撤销限制"],
     ["否", "在列（已撤销异议）", "否（已撤销申请）", "否（已解除冻结）"]),
])
def test_a_removal_said_done_in_a_state_column_withholds(tmp_path: Path, item: str, heading: str, gone: list[str],
                                                         standing: list[str]) -> None:
    """已于2025年6月1日移出, 到期已移出, 荣誉已被撤销 under 名单状态 or 荣誉状态 were published: only a coded cell was read
    for a removal said done."""
    withheld = list_entries(tmp_path, heading, [*gone, *standing], item)
    assert sorted(withheld, key=lambda r: int(r[2:])) == [f"R-{i}" for i in range(len(gone))]


@pytest.mark.parametrize("heading", ["数据状态", "记录状态", "数据状态（1有效0无效）"])
def test_a_penalty_state_in_words_beside_its_current_state_is_read(tmp_path: Path, heading: str) -> None:
    """当前状态 正常 beside 数据状态 已删除 was published: beside 当前状态 only a legend had been read."""
    gone = ["已删除", "删除", "无效", "已撤销", "作废", "已于2025年6月1日删除", "正常（已删除）"]
    standing = ["正常", "有效", "1"]
    withheld, _ = penalties_with(tmp_path, {heading: [*gone, *standing]})
    assert withheld == [f"R-{i}" for i in range(len(gone))]


def test_a_bare_code_beside_a_penalty_current_state_is_not_read(tmp_path: Path) -> None:
    withheld, _ = penalties_with(tmp_path, {"数据状态": ["1", "0", "2"]})
    assert withheld == []


# --- A note bracket beside a legend; a legend split over brackets -------------------------------------------------------


@pytest.mark.parametrize("heading", ["数据状态（1有效0无效）（3月后停用）", "数据状态（1有效）（0无效）",
                                     "数据状态（3月后停用）（1有效0无效）", "数据状态（1有效0无效）（第1版）"])
@pytest.mark.parametrize("state", [True, False])
def test_a_note_does_not_displace_a_legend(tmp_path: Path, heading: str, state: bool) -> None:
    """（3月后停用） was read as a legend pairing 3 with 月后停用 and chosen: 1 and 0 were both outside it."""
    withheld, result = penalties_with(tmp_path, {heading: ["0", "1", "有效"]}, state=state)
    assert withheld == ["R-0"]
    assert result.counts.published["admin_penalty"] == 2


def test_legends_that_conflict_are_unreadable() -> None:
    from site_builder.rules.catalogue import normalise_title
    from site_builder.sources.mapping import UNREADABLE_LEGEND, without_legend

    def legend(heading: str) -> tuple[tuple[str, str], ...]:
        return without_legend(normalise_title(heading))[1]
    assert legend("数据状态（1有效）（1无效）") == UNREADABLE_LEGEND
    assert dict(legend("数据状态（1有效）（0无效）")) == {"1": "有效", "0": "无效"}
    assert dict(legend("删除标志（0正常1删除）（2为待审核）")) == {"0": "正常", "1": "删除", "2": "待审核"}
    assert legend("数据状态（3月后停用）") == ()


def test_a_note_mark_before_a_code_however_written_leaves_the_legend_readable(tmp_path: Path) -> None:
    """注 marks a note before a code however it is joined to it (注-1是, 注.1是, 注—1为是, 注Y是), and so do 备注：, 注释：,
    注明：, 注意 and a numbered note's 注1：; only 注销 and 注册 are words. Read as a word start (注 taken for one only
    before a colon or a digit), 是否吊销（注-1是） became a legend that cannot be paired, and a licence it said revoked was
    shown as 有效 beside 当前状态 有效."""
    from test_states_table import withheld

    from site_builder.rules.catalogue import normalise_title
    from site_builder.sources.mapping import without_legend

    def legend(heading: str) -> tuple[tuple[str, str], ...]:
        return without_legend(normalise_title(heading))[1]

    for heading in ["是否吊销（注-1是）", "是否吊销（注.1是）", "是否吊销（注—1为是）", "是否吊销（注. 1是）"]:
        assert legend(heading) == (("1", "是"),), heading
    assert legend("是否吊销（注Y是）") == (("y", "是"),)
    for heading in ["删除标志（备注：1为删除）", "删除标志（注释：1删除）", "删除标志（注明：1为删除）", "删除标志（注意1为删除）",
                    "删除标志（注1：1为删除）", "删除标志（注-1删除）"]:
        assert legend(heading) == (("1", "删除"),), heading
    assert legend("许可状态（注1：2为注销）") == (("2", "注销"),)
    assert legend("状态（0正常；1注销；注：2为删除）") == (("0", "正常"), ("1", "注销"), ("2", "删除"))
    told = withheld(tmp_path / "revoked", "admin_license", "是否吊销（注-1是）", ["1", "0"], status="有效")
    assert list(told) == ["R-0"] and "不一致" in told["R-0"], told
    assert list(withheld(tmp_path / "deleted", "dishonest_list", "删除标志（注.1删除）", ["0", "1"])) == ["R-1"]


# --- The file-level warning of bare codes -------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "heading"), [("admin_penalty", "数据状态"), ("dishonest_list", "名单状态")])
def test_the_warning_of_a_state_column_says_bare_codes_are_withheld(tmp_path: Path, item: str, heading: str) -> None:
    from test_states_stop39 import build_with_state

    result = build_with_state(tmp_path, item, heading, ["0", "1"], valid_until="2030-01-01")
    said = [w for r in result.sources for w in r.warnings if f"列“{heading}”" in w]
    assert said
    assert any("数字代码" in w and "行也将隔离" in w and "列名后写明代码的含义" in w for w in said), said
    assert all("其他取值" not in w for w in said), said
    if item == "admin_penalty":
        assert any("[columns.admin_penalty]" in w for w in said), said


def test_the_warning_of_a_state_column_beside_the_current_state_says_codes_are_not_read(tmp_path: Path) -> None:
    from test_states_stop39 import build_with_state

    result = build_with_state(tmp_path, "admin_penalty", "数据状态", ["0", "1"], decision_status="正常")
    said = [w for r in result.sources for w in r.warnings if "列“数据状态”" in w]
    assert said and not any("数字代码" in w for w in said), said
    assert quarantine(result.audit) == []


@pytest.mark.parametrize(("item", "heading", "gone", "standing"), [
    ("dishonest_list", "名单状态", ["已移出", "已于2025年6月1日移出"],
     ["未于2025年移出", "已撤销移出", "移出已撤销", "移出决定已撤销", "已解除移出"]),
    ("commendation", "荣誉状态", ["已撤销", "荣誉已被撤销"], ["已撤销撤销决定", "撤销决定已撤销", "未于2025年撤销"]),
])
def test_a_removal_not_done_or_itself_revoked_stands(tmp_path: Path, item: str, heading: str, gone: list[str],
                                                     standing: list[str]) -> None:
    """The second harm round: a removal said not done (未于2025年移出) or revoked (已撤销移出, 移出已撤销) read as a removal
    said done since 7328208, and a standing list entry or honour was withheld (published before)."""
    withheld = list_entries(tmp_path, heading, [*gone, *standing], item)
    assert sorted(withheld, key=lambda r: int(r[2:])) == [f"R-{i}" for i in range(len(gone))]


@pytest.mark.parametrize(("item", "heading"), [
    ("dishonest_list", "数据状态（1号文）"), ("dishonest_list", "名单状态（2类）"), ("commendation", "荣誉状态（2024年起）")])
def test_a_state_heading_with_a_note_reads_as_the_state_heading(tmp_path: Path, item: str, heading: str) -> None:
    """The second harm round: a note after a state heading (数据状态（1号文）) left the column unread, and a list entry
    coded 0 (removed or invalid on many platforms) was published, where under 数据状态 alone it is withheld."""
    withheld = list_entries(tmp_path, heading, ["0", "2", "已移出" if item == "dishonest_list" else "已撤销", "正常"], item)
    assert sorted(withheld, key=lambda r: int(r[2:])) == ["R-0", "R-1", "R-2"]
