"""Stop 45: a licence's own state in a second column (许可状态, 证照状态 … beside 当前状态 有效) read where it was
published unread: a bare code without a legend, a renewal refused (不予延续), and a value the site's ``[states]``
table calls standing."""

from __future__ import annotations

from pathlib import Path

from conftest import build_site, row, write_csv
from test_states_stop39 import AS_OF, with_column
from test_states_stop42 import first
from test_states_table import withheld
from test_xlsx import quarantine


def ordered(told: dict[str, str]) -> list[str]:
    """The record ids of ``told`` in row order."""
    return sorted(told, key=lambda r: int(r[2:]))


# --- 1. A bare code under a licence's own state without a legend ------------------------------------------------------


def test_a_bare_code_under_a_licence_state_without_a_legend_beside_a_state_in_force_is_withheld(tmp_path: Path) -> None:
    """许可状态 2 (0, 3, 01, 1) beside 当前状态 有效 was published: without a legend the code was read as the text "2",
    saying no end, though 2 is 注销 or 吊销 on some platforms (and 1 有效 on one, 注销 on another). Every other watched
    state column withholds a bare code it cannot read; so does a licence's own state beside a state in force. Beside
    当前状态 无效 nothing disagrees, and words are read as before (有效, 正常 published; 注销 withheld)."""
    codes = ["2", "0", "3", "01", "1", "1.0"]
    words = ["有效", "正常", "注销"]
    for heading in ["许可状态", "证照状态", "状态", "许可状态（注）"]:
        told = withheld(tmp_path / heading, "admin_license", heading, [*codes, *words], status="有效")
        assert ordered(told) == [*first(len(codes)), f"R-{len(codes) + 2}"], (heading, told)
        title = heading.removesuffix("（注）")
        for record in first(len(codes)):
            assert "列名没有写明代码的含义" in told[record], told[record]
            assert f"“{title}（1有效2注销）”" in told[record] and f'[states."{title}"]' in told[record], told[record]
            assert "在导出中写明状态" in told[record] and "当前状态是“有效”" in told[record], told[record]
    assert withheld(tmp_path / "invalid", "admin_license", "许可状态", codes, status="无效") == {}


def test_a_code_no_answer_reads_under_a_question_of_an_end_is_withheld(tmp_path: Path) -> None:
    """是否吊销 2 (is_revoked 3) beside 当前状态 有效 was published: 2 is no answer, and without a legend it was not read
    at all. 1 and 0 are read as yes and no, as before (1 withheld as a revocation, 0 published)."""
    for heading in ["是否吊销", "is_revoked", "是否过期"]:
        told = withheld(tmp_path / heading, "admin_license", heading, ["2", "3", "1", "0"], status="有效", valid_until="")
        assert ordered(told) == first(3), (heading, told)
        assert all("无法读作“是”或“否”" in told[r] and "在导出中写明“是”或“否”" in told[r] for r in first(2)), told
        assert "不一致" in told["R-2"], told


def test_a_bare_code_under_a_registration_state_beside_a_state_in_force_is_withheld(tmp_path: Path) -> None:
    """企业状态 2 beside 登记状态 存续 was published (a platform's 2 may be 吊销); beside 登记状态 注销 it still is."""
    records = tmp_path / "records"
    rows = [row("subject", record_id=f"S-{i}", uscc=code, registration_status=status)
            for i, (code, status) in enumerate([("91330100MA27XL0A19", "存续"), ("91330100MA2H2TM875", "注销")])]
    write_csv(records / "subject.csv", "subject", rows)
    with_column(records / "subject.csv", "企业状态", ["2", "2"])
    result = build_site(tmp_path, records, AS_OF)
    told = {q["record_id"]: q["message"] for q in quarantine(result.audit)}
    assert list(told) == ["S-0"] and "列名没有写明代码的含义" in told["S-0"] and "“企业状态（1存续2注销）”" in told["S-0"], told
    warned = [w for r in result.sources for w in r.warnings if "列“企业状态”" in w]
    assert any("数字代码" in w for w in warned), warned


def test_a_bare_code_the_sites_table_reads_for_the_heading_is_read_by_it(tmp_path: Path) -> None:
    """A code the site's table names for this heading (``[states."许可状态"]`` "2" = "standing", or the item's
    ``[states.admin_license."许可状态"]``) is read by it, not withheld as unread; a code it does not name is."""
    for states in ['[states."许可状态"]\n"2" = "standing"\n', '[states.admin_license."许可状态"]\n"2" = "standing"\n']:
        told = withheld(tmp_path / str(len(states)), "admin_license", "许可状态", ["2", "3"], states=states, status="有效")
        assert list(told) == ["R-1"] and "列名没有写明代码的含义" in told["R-1"], told
    told = withheld(tmp_path / "gone", "admin_license", "许可状态", ["2"], states='[states."许可状态"]\n"2" = "gone"\n',
                    status="有效")
    assert list(told) == ["R-0"] and "读作 gone" in told["R-0"], told


def test_the_warning_of_a_licence_state_column_says_its_codes_are_withheld(tmp_path: Path) -> None:
    """The file's warning on 许可状态 said only that a cancellation beside 有效 is withheld: a platform writing its
    states as codes now learns once, on the file, that its licences in force are withheld and how to say what the
    codes mean. A heading with a legend, or a question, is not told so."""
    records = tmp_path / "records"
    write_csv(records / "admin_license.csv", "admin_license", [row("admin_license", record_id="R-0", status="有效")])
    with_column(records / "admin_license.csv", "许可状态", ["有效"])
    with_column(records / "admin_license.csv", "证照状态（1有效2注销）", ["1"])
    result = build_site(tmp_path, records, AS_OF)
    warned = {h: [w for r in result.sources for w in r.warnings if f"列“{h}”" in w] for h in ["许可状态", "证照状态（1有效2注销）"]}
    assert any("数字代码" in w and '[states."许可状态"]' in w and "“许可状态（1有效2注销）”" in w for w in warned["许可状态"]), warned
    assert warned["证照状态（1有效2注销）"] and not any("数字代码" in w for w in warned["证照状态（1有效2注销）"]), warned
    assert quarantine(result.audit) == []


# --- 2. A renewal refused ------------------------------------------------------------------------------------------


_REFUSED = ["不予延续", "不予延续许可", "不准予延续", "不予续期", "不予换证", "未获延续", "未予延续", "延续申请未通过",
            "延续申请被驳回", "延续申请已被驳回", "驳回延续申请", "延续申请不予批准", "延续未获批准", "不予延续（经审查不符合条件）",
            "换证申请被驳回", "续期申请未获批准"]
"""Wordings of a renewal refused (行政许可法 第五十条: 准予延续 or 不予延续): the licence ends at its 有效期至."""
_NOT_REFUSED = ["准予延续", "已延续", "延续中", "申请延续", "延续审核中", "延续申请已受理", "延续申请审核通过", "予以延续",
                "准予延续（已换证）", "已换证"]
"""A renewal granted, done or under way: not a lapse."""


def test_a_renewal_refused_beside_a_state_in_force_is_read_as_a_lapse(tmp_path: Path) -> None:
    """许可状态 不予延续 (不予续期, 不予换证, 延续申请被驳回 …) beside 当前状态 有效 was published as valid: read as no end.
    A licence whose renewal was refused ends at its 有效期至: read as a lapse (as 到期未延续), it is withheld where the
    row gives no usable 有效期至 and the date decides beside one. A renewal granted, done or under way is no lapse."""
    told = withheld(tmp_path / "blank", "admin_license", "许可状态", [*_REFUSED, *_NOT_REFUSED], status="有效",
                    valid_until="")
    assert ordered(told) == first(len(_REFUSED)), told
    assert all("不予延续" in told[r] and "有效期至为空" in told[r] and "不一致" in told[r] for r in told), told
    assert withheld(tmp_path / "forever", "admin_license", "许可状态", ["不予延续"], status="有效", valid_until="长期") != {}
    for until in ["2025-12-01", "2030-01-01"]:  # after the grant (2025-06-01): the date decides, as the portal shows it
        assert withheld(tmp_path / until, "admin_license", "证照状态", _REFUSED, status="有效", valid_until=until) == {}
    assert withheld(tmp_path / "invalid", "admin_license", "许可状态", _REFUSED, status="无效", valid_until="") == {}


# --- 3. The site's table saying an own state's value stands -----------------------------------------------------------


def test_a_states_table_saying_an_answer_stands_does_not_show_a_revoked_licence_valid(tmp_path: Path) -> None:
    """``[states."是否吊销"]`` "是" = "standing" (the data record stands) had 是否吊销 是 beside 当前状态 有效 published:
    the table's answer was read as the licence's state in words only, where 是 says nothing. The table says the
    record stands, not which of two states holds; the question is still answered (否 publishes)."""
    for heading, states, said in [("是否吊销", '[states."是否吊销"]\n"是" = "standing"\n"否" = "standing"\n', ["是", "否"]),
                                  ("is_revoked", '[states."is_revoked"]\n"1" = "standing"\n"0" = "standing"\n', ["1", "0"])]:
        told = withheld(tmp_path / heading, "admin_license", heading, said, states=states, status="有效")
        assert list(told) == ["R-0"] and "不一致" in told["R-0"], (heading, told)


def test_a_states_table_of_any_heading_saying_a_lapse_stands_does_not_show_a_lapsed_licence_valid(tmp_path: Path) -> None:
    """A table of any heading's values, ``[states]`` "已过期" = "standing" (written for a list's 名单状态 or a data
    state), had 许可状态 已过期 and 不予延续 beside 当前状态 有效 and no 有效期至 published: the lapse was not read. It
    is now: beside a 有效期至 still to come, 已过期 disagrees with it (withheld until the date has passed:
    tests/test_stop45_lapse.py), while 不予延续 says the licence ends on it (published; the date decides)."""
    states = '[states]\n"已过期" = "standing"\n"不予延续" = "standing"\n"正常" = "standing"\n'
    told = withheld(tmp_path / "blank", "admin_license", "许可状态", ["已过期", "不予延续", "正常"], states=states,
                    status="有效", valid_until="")
    assert ordered(told) == first(2) and all("有效期至为空" in m for m in told.values()), told
    dated = withheld(tmp_path / "dated", "admin_license", "许可状态", ["已过期", "不予延续"], states=states, status="有效",
                     valid_until="2030-01-01")
    assert list(dated) == ["R-0"] and "尚未届满" in dated["R-0"], dated


def test_a_legend_code_the_table_calls_standing_is_still_read_by_the_legend(tmp_path: Path) -> None:
    """许可状态（1有效2吊销） 2 with a table saying 2 stands under 许可状态: the file's legend names the code, and the
    table is not read for it (as before); beside 当前状态 有效 the revoked licence is withheld."""
    for states in ['[states."许可状态"]\n"2" = "standing"\n', '[states.admin_license."许可状态"]\n"2" = "standing"\n']:
        told = withheld(tmp_path / str(len(states)), "admin_license", "许可状态（1有效2吊销）", ["2", "1"], states=states,
                        status="有效")
        assert list(told) == ["R-0"] and "不一致" in told["R-0"], told


def test_a_code_or_an_answer_with_an_invisible_character_is_read_as_without_it(tmp_path: Path) -> None:
    """``2\\u200b`` under 许可状态（1有效2吊销）, ``\\ufeff是`` or ``1\\u200b`` under 是否吊销 beside 当前状态 有效 (a
    zero-width space, a byte-order mark, a word joiner, a soft hyphen: copied from a web page or a form) were not read
    as a code or an answer, and the revoked licence was published as valid; under a legend-less 许可状态 ``2\\u200b``
    passed the bare-code rule. Words with them (吊\\u200b销) were read already (helper 127's finding)."""
    for heading, cells in [("许可状态（1有效2吊销）", ["2\u200b", "\ufeff2", "2\u2060", "2\u00ad", "1\u200b"]),
                           ("许可状态", ["2\u200b", "\ufeff2", "2\u2060", "2\u00ad", "有效\u200b"]),
                           ("是否吊销", ["是\u200b", "1\u200b", "\ufeff是", "是\u2060", "否\u200b"])]:
        told = withheld(tmp_path / str(len(heading)), "admin_license", heading, cells, status="有效", valid_until="2030-01-01")
        assert ordered(told) == first(4), (heading, told)
