"""The third harm round's notes (stop 42): a list entry repaired, a penalty taken off publication beside its 当前状态,
a licence's data state, an objection withdrawn or dismissed, legend words the reader did not know."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_states_stop39 import build_with_state
from test_stop40 import penalties_with
from test_xlsx import quarantine


def withheld_of(tmp_path: Path, item: str, heading: str, values: list[str], **fields: str) -> list[str]:
    """The record ids withheld, of one record of ``item`` per value under ``heading``, in row order."""
    result = build_with_state(tmp_path, item, heading, values, **fields)
    return sorted((q["record_id"] for q in quarantine(result.audit)), key=lambda r: int(r[2:]))


def first(count: int) -> list[str]:
    return [f"R-{i}" for i in range(count)]


# --- 1. A list entry removed by credit repair ----------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["名单状态", "状态", "数据状态", "列入状态"])
def test_a_list_entry_stated_repaired_is_withheld(tmp_path: Path, heading: str) -> None:
    """名单状态 信用修复 and 是（信用修复） were published: under a list entry's state, credit repair is its removal."""
    gone = ["信用修复", "信用修復", "已信用修复", "修复", "信用修复移出", "是（信用修复）", "是(信用修复)", "是（已修复）",
            "在列（信用修复）", "信用修复（2025-06-01）"]
    standing = ["正常", "在列", "有效", "未移出", "申请修复", "修复申请中", "信用修复申请中", "信用修复中", "申请信用修复",
                "信用修复未通过", "是"]
    withheld = withheld_of(tmp_path, "dishonest_list", heading, [*gone, *standing], valid_until="2030-01-01")
    assert withheld == first(len(gone))


def test_a_list_entry_stated_repaired_beside_its_repair_date_is_decided_by_the_date(tmp_path: Path) -> None:
    """Beside a 信用修复日期 the date decides (a repair dated after the as-of date leaves the entry standing until then)."""
    withheld = withheld_of(tmp_path, "dishonest_list", "名单状态", ["信用修复", "正常"], valid_until="2030-01-01",
                           repair_date="2027-01-10")
    assert withheld == []


# --- 2. A penalty taken off publication, in a second state column beside 当前状态 --------------------------------------


_OFF = ["已下线", "下线", "不予公示", "不公示", "撤回", "已撤回", "信用修复", "已修复", "注销", "已注销", "撤銷", "已下綫",
        "停止公示", "已屏蔽", "不再公示", "暂不公示"]
_ON = ["正常", "有效", "已公示", "公示中", "在线", "已上线", "未撤销", "无异议", "已发布", "予以公示"]


@pytest.mark.parametrize("heading", ["状态", "数据状态", "公示状态", "记录状态", "信息状态"])
def test_a_penalty_taken_off_publication_beside_its_state_is_withheld(tmp_path: Path, heading: str) -> None:
    """当前状态 正常 beside 状态 已下线, 不予公示, 撤回, 信用修复 or 注销 was published: each says the record is no longer
    public."""
    withheld, result = penalties_with(tmp_path, {heading: [*_OFF, *_ON]})
    assert withheld == sorted(first(len(_OFF)))
    assert result.counts.published["admin_penalty"] == len(_ON)
    assert all(f"列“{heading}”" in q["message"] for q in quarantine(result.audit))


@pytest.mark.parametrize(("heading", "values"), [
    ("推送状态", ["撤回", "已撤回", "已推送", "注销"]), ("诉讼状态", ["当事人撤回诉讼", "撤回"]),
    ("同步状态", ["已下线", "撤回"]), ("许可证状态", ["已注销", "注销"]), ("经营状态", ["注销", "已注销"]),
])
def test_a_platform_or_another_things_state_is_not_read_so(tmp_path: Path, heading: str, values: list[str]) -> None:
    """撤回 under 推送状态 (a push withdrawn) or 注销 of the subject or a licence says nothing of the penalty."""
    withheld, _ = penalties_with(tmp_path, {heading: values})
    assert withheld == []


# --- 3. and 7. A licence's data state and its deletion column ---------------------------------------------------------


@pytest.mark.parametrize("heading", ["数据状态", "记录状态", "信息状态", "数据状态（1有效0无效）"])
def test_a_licence_data_state_is_read(tmp_path: Path, heading: str) -> None:
    """A licence file's 数据状态 已删除, 无效, 作废 were published: the data record is gone, whatever the licence's state."""
    gone = ["已删除", "删除", "无效", "作废", "已作废", "已刪除", "deleted"]
    standing = ["正常", "有效", "在用"]
    assert withheld_of(tmp_path, "admin_license", heading, [*gone, *standing]) == first(len(gone))


@pytest.mark.parametrize("heading", ["数据状态", "记录状态", "信息状态"])
def test_a_licence_data_state_code_without_a_legend_is_not_read(tmp_path: Path, heading: str) -> None:
    """Found on merging: reading a licence's 数据状态 withheld every licence whose platform writes it as a bare code
    (1, 0), where before this stop all were published. A licence is information the site must publish, and a platform
    numbers its states its own way: its codes are read by a legend or the site's [states] only; its words still are."""
    assert withheld_of(tmp_path, "admin_license", heading, ["已删除", "1", "0", "2"]) == first(1)


def test_a_licence_state_column_says_the_licence_state(tmp_path: Path) -> None:
    """状态 and 许可状态 of a licence say the licence's state (注销, 无效 shown as such), not the record's."""
    for heading in ("许可状态", "证照状态"):
        assert withheld_of(tmp_path / heading, "admin_license", heading, ["已注销", "无效", "有效", "吊销"]) == []


@pytest.mark.parametrize("heading", ["删除情况", "删除状态", "是否删除"])
def test_a_licence_cancelled_is_not_a_record_deleted(tmp_path: Path, heading: str) -> None:
    """删除情况 许可证已注销 withheld the licence: a licence cancelled is a licence's state, shown; 已删除 withholds, and so
    does a bare 注销 (under a deletion column, the record deleted: probe 106)."""
    gone = ["已删除", "删除", "是", "已注销", "注销", "已注销（删除）", "数据已注销", "记录已注销"]
    standing = ["许可证已注销", "许可已注销", "证照已注销", "已吊销", "未删除", "非删除", "非作废", "否", "正常", "有效"]
    assert withheld_of(tmp_path, "admin_license", heading, [*gone, *standing]) == first(len(gone))


# --- 5. An objection withdrawn or dismissed -----------------------------------------------------------------------------


_SETTLED = ["撤回异议", "异议撤回", "异议已撤回", "已撤回异议", "驳回", "已驳回", "驳回异议", "异议驳回",
            "异议被驳回", "異議撤回", "异议不成立", "无异议"]


def test_an_objection_withdrawn_or_dismissed_publishes_the_penalty(tmp_path: Path) -> None:
    """异议状态 撤回异议, 异议已撤回, 驳回 were quarantined: an objection withdrawn or dismissed no longer suspends
    publication. 异议成立, 无法核实 and 处理中 withhold as before."""
    pending = ["处理中", "异议成立", "无法核实", "异议处理中"]
    withheld, result = penalties_with(tmp_path, {"异议状态": [*pending, *_SETTLED], "异议提出日期": ["2026-07-01"] * 16})
    assert result.counts.published["admin_penalty"] == len(_SETTLED)
    assert sum(result.counts.excluded["admin_penalty"].values()) + len(withheld) == len(pending)


@pytest.mark.parametrize(("item", "heading"), [("dishonest_list", "名单状态"), ("commendation", "荣誉状态"),
                                               ("dishonest_list", "状态")])
def test_an_objection_withdrawn_or_dismissed_under_a_state_publishes(tmp_path: Path, item: str, heading: str) -> None:
    pending = ["异议处理中", "异议中", "有异议"]
    settled = ["撤回异议", "异议撤回", "异议已撤回", "已撤回异议", "驳回异议", "异议驳回", "异议被驳回", "异议不成立", "无异议"]
    assert withheld_of(tmp_path, item, heading, [*pending, *settled], valid_until="2030-01-01") == first(len(pending))


# --- 6. Legend words the reader did not know ----------------------------------------------------------------------------


@pytest.mark.parametrize(("heading", "gone", "standing"), [
    ("状态（1在用0停用）", ["0"], ["1"]),
    ("状态（1已发布2草稿）", ["2"], ["1"]),
    ("数据状态（1启用0禁用）", ["0"], ["1"]),
    ("数据状态（1上线0下线）", ["0"], ["1"]),
    ("状态（1已公示2未公示）", ["2"], ["1"]),
    ("状态（1发布0撤回）", ["0"], ["1"]),
    ("状态（1正式2暂存3作废）", ["2", "3"], ["1"]),
    ("数据状态（0有效1已归档）", ["1"], ["0"]),
    ("状态（1已上报2待审）", ["2"], ["1"]),
])
@pytest.mark.parametrize("state", [True, False])
def test_legend_words_of_publication_are_read(tmp_path: Path, heading: str, gone: list[str], standing: list[str],
                                              state: bool) -> None:
    """状态（1在用0停用） and 状态（1已发布2草稿） withheld every code (a legend word the reader did not know): 在用 and
    已发布 say the record stands, 停用 and 草稿 that it is not public."""
    withheld, result = penalties_with(tmp_path, {heading: [*gone, *standing]}, state=state)
    assert withheld == first(len(gone))
    assert result.counts.published["admin_penalty"] == len(standing)


def test_legend_words_of_publication_on_a_list(tmp_path: Path) -> None:
    withheld = withheld_of(tmp_path, "dishonest_list", "状态（1在用0停用2草稿）", ["0", "2", "1"], valid_until="2030-01-01")
    assert withheld == ["R-0", "R-1"]


# --- 8. Whether the item has a state field is worked out once per file ------------------------------------------------


def test_state_defects_takes_whether_the_item_states_the_record(tmp_path: Path) -> None:
    """state_defects is told whether the item has a field of the record's state (worked out once per file by
    watched_columns' caller), rather than working it out for every row."""
    from conftest import CATALOGUE

    from site_builder.sources.headings import Layout
    from site_builder.sources.statewords import state_defects

    item = CATALOGUE["admin_penalty"]
    warnings: list[str] = []
    layout = Layout(warnings, item, ["记录编号", "当前状态", "数据状态"], None)
    assert layout.beside
    cells = {2: "1"}
    assert state_defects(item, layout.watched, cells, beside=True) == ()
    assert state_defects(item, layout.watched, cells, beside=False) != ()


# --- Harm round of stop 42 (probe 106) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["名单状态", "状态"])
def test_a_repair_applied_for_pending_or_refused_leaves_the_entry_standing(tmp_path: Path, heading: str) -> None:
    """名单状态 信用修复（申请中）, 修复（待审核）, 信用修复（未通过） were withheld (the part 信用修复 read as done): a repair
    applied for, under review or refused is not a repair; 是（信用修复） and 在列（信用修复） still withhold."""
    # 已修复（审核中）: said done with 已, whatever the bracket (as 已移出（审核中）); found by a differential check after the
    # round's fix had published it
    gone = ["是（信用修复）", "在列（信用修复）", "信用修复（审核通过）", "已修复（审核中）", "已信用修复（申请中）", "已经修复（待审核）"]
    standing = ["信用修复（申请中）", "信用修复（审核中）", "修复（待审核）", "信用修復（審核中）", "信用修复（已受理）",
                "信用修复（未通过）", "信用修复，未通过", "信用修复（不予受理）", "移出（申请中）", "信用修复申请中"]
    withheld = withheld_of(tmp_path, "dishonest_list", heading, [*gone, *standing], valid_until="2030-01-01")
    assert withheld == first(len(gone))


def test_a_penalty_repair_under_review_stands(tmp_path: Path) -> None:
    withheld, result = penalties_with(tmp_path, {"公示状态": ["信用修复", "信用修复（审核中）", "信用修复审核中"]})
    assert withheld == first(1)


@pytest.mark.parametrize("heading", ["异议处理结果", "异议状态"])
def test_an_objection_result_withdrawn_alone_is_not_read(tmp_path: Path, heading: str) -> None:
    """异议处理结果 撤回, 已撤回 were read as 异议不成立 and published: the result may be that the information was withdrawn
    (the objection upheld). They are quarantined, as before; the objection said withdrawn or dismissed publishes."""
    unread = ["撤回", "已撤回"]
    settled = ["撤回异议", "异议已撤回", "异议被驳回", "驳回", "不予受理", "撤回异议申请", "已撤回异议申请", "异议申请已撤回",
               "申请人撤回异议"]
    withheld, result = penalties_with(tmp_path, {heading: [*unread, *settled], "异议提出日期": ["2026-07-01"] * 11})
    assert result.counts.published["admin_penalty"] == len(settled)
    assert withheld == first(len(unread))


@pytest.mark.parametrize(("item", "heading"), [("admin_license", "数据状态"), ("admin_license", "记录状态"),
                                               ("admin_license", "信息状态"), ("subject", "数据状态")])
def test_a_licence_data_state_of_the_licence_itself_publishes(tmp_path: Path, item: str, heading: str) -> None:
    """A licence's 数据状态 已过期, 失效, 撤销, 暂停, 下线 withheld it: those are the licence's own states, shown; only words
    saying the data record is gone (已删除, 作废, 无效, 数据已注销, 已注销（删除）) withhold."""
    gone = ["已删除", "删除", "作废", "无效", "deleted", "数据已注销", "记录已注销", "已注销（删除）", "有效（已删除）"]
    standing = ["已过期", "过期", "失效", "已失效", "撤销", "已撤销", "暂停", "废止", "下线", "已注销", "注销", "已吊销", "正常",
                "未删除"]
    assert withheld_of(tmp_path, item, heading, [*gone, *standing]) == first(len(gone))


def test_a_licence_data_state_legend_word_of_the_record_withholds(tmp_path: Path) -> None:
    assert withheld_of(tmp_path, "admin_license", "数据状态（0正常1注销2过期）", ["1", "0", "2"]) == first(1)


def test_a_legend_of_takedown_words_and_their_negation_is_read(tmp_path: Path) -> None:
    """状态（0未下线1已下线） and 状态（0未撤回1已撤回） withheld every code: 未下线 and 未撤回 say the record stands."""
    assert withheld_of(tmp_path / "list", "dishonest_list", "状态（0未下线1已下线）", ["1", "0"],
                       valid_until="2030-01-01") == first(1)
    withheld, _ = penalties_with(tmp_path / "penalty", {"状态（0未撤回1已撤回）": ["1", "0"]})
    assert withheld == first(1)


@pytest.mark.parametrize(("item", "heading"), [("dishonest_list", "名单状态"), ("commendation", "荣誉状态"),
                                               ("judgment", "判决状态")])
def test_a_record_said_not_public_is_withheld(tmp_path: Path, item: str, heading: str) -> None:
    """Whole cells 未发布, 未公示, 草稿, 不公开 under a record's state were published (as legend words they withheld)."""
    gone = ["未发布", "未公示", "草稿", "暂存", "未公开", "不公开", "非公开"]
    standing = ["已发布", "已公示", "公示中", "正常"]
    assert withheld_of(tmp_path, item, heading, [*gone, *standing], valid_until="2030-01-01") == first(len(gone))


def test_a_penalty_said_not_public_is_withheld(tmp_path: Path) -> None:
    withheld, _ = penalties_with(tmp_path, {"公示状态": ["未公示", "不公开", "未发布", "已公示"]})
    assert withheld == first(3)


def test_a_takedown_said_with_its_cause_is_withheld(tmp_path: Path) -> None:
    """到期下线, 自动下线, 到期已下线, 信用修复下线 were published: a takedown takes the causes a removal takes (到期移出)."""
    gone = ["到期下线", "自动下线", "已自动下线", "到期已下线", "信用修复下线", "提前下线", "依申请下线", "自动下架", "到期移出",
            "到期已移出"]
    standing = ["正常", "在列", "申请下线", "未下线"]
    withheld = withheld_of(tmp_path / "list", "dishonest_list", "名单状态", [*gone, *standing], valid_until="2030-01-01")
    assert withheld == first(len(gone))
    withheld, _ = penalties_with(tmp_path / "penalty", {"公示状态": ["自动下线", "到期已下线", "已公示"]})
    assert withheld == first(2)


def test_a_repair_or_a_takedown_revoked_leaves_the_entry_standing(tmp_path: Path) -> None:
    """信用修复已撤销, 下线已撤销, 不予公示决定已撤销 were withheld: a repair or a takedown revoked leaves the record standing,
    as 移出已撤销 does."""
    standing = ["信用修复已撤销", "修复决定已撤销", "下线已撤销", "不予公示决定已撤销", "信用修复（撤销）", "移出已撤销"]
    withheld = withheld_of(tmp_path, "dishonest_list", "名单状态", ["已下线", "信用修复", *standing], valid_until="2030-01-01")
    assert withheld == first(2)


@pytest.mark.parametrize("heading", ["是否移出", "名单状态"])
def test_a_removal_approved_is_a_removal(tmp_path: Path, heading: str) -> None:
    """移出审核通过, 移出已通过 were published: an approved removal is a removal."""
    gone = ["移出审核通过", "移出已通过", "移出申请已通过"]
    standing = ["移出申请中", "移出审核中", "否"] if heading == "是否移出" else ["移出申请中", "移出审核中", "在列"]
    withheld = withheld_of(tmp_path, "dishonest_list", heading, [*gone, *standing], valid_until="2030-01-01")
    assert withheld == first(len(gone))


def test_a_record_withdrawn_naming_it_is_withheld(tmp_path: Path) -> None:
    """撤回列入, 列入决定已撤回, 撤回荣誉, 处罚决定已撤回 were published: the record itself withdrawn."""
    gone = ["撤回列入", "已撤回列入决定", "列入决定已撤回", "撤回名单"]
    assert withheld_of(tmp_path / "list", "dishonest_list", "名单状态", [*gone, "在列", "撤回异议"],
                       valid_until="2030-01-01") == first(len(gone))
    gone = ["撤回荣誉", "荣誉已撤回", "已撤回荣誉称号"]
    assert withheld_of(tmp_path / "honour", "commendation", "荣誉状态", [*gone, "有效"]) == first(len(gone))
    withheld, _ = penalties_with(tmp_path / "penalty", {"公示状态": ["处罚决定撤回", "处罚决定已撤回", "撤回处罚决定", "已公示",
                                                                "撤回异议"]})
    assert withheld == first(3)
