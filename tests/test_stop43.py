"""Stop 43: a yes-or-no column answered by a mark, 已 or 对 (是否移出 已 published a list entry the platform says was
removed)."""

from __future__ import annotations

from pathlib import Path

from conftest import build_site, row, write_csv
from test_states_stop39 import AS_OF, build_with_state, with_column
from test_states_stop42 import first, withheld_of
from test_xlsx import quarantine

_GONE = ["已", "已经", "对", "对的", "已是", "●是", "是●", "☑", "☑ 是", "☑是", "是✔", "☑️是", "√是", "是√", "☑是☐否",
         "●是○否", "■是□否", "√ 已移出"]
"""Under 是否移出: removed (the answer a form's mark says is chosen: ``☑是``, ``●是○否``)."""
_UNREAD = ["○", "●", "〇", "◯", "☒", "■", "□", "★", "是否", "★ 是", "○否", "☒是", "❌是", "是 否☑", "对 ×"]
"""Under 是否移出: no answer can be read (a mark alone, the question itself, an answer crossed out or marked not
chosen, or a mark beside neither)."""
_STANDING = ["否", "●否", "√否", "☐是☑否", "不对", "错", "不", "×", "❌", "未移出", "0", "N"]


def test_a_removal_answered_by_a_mark_or_already_is_withheld(tmp_path: Path) -> None:
    """是否移出 已, 对, ○, ●, 〇, ●是, ☑是 and ☑是☐否 were published as words saying nothing: 已 and 对 answer "removed?"
    yes, a form's mark says which answer is chosen, and a mark alone (○ or 〇, unchecked or zero?) cannot be read."""
    result = build_with_state(tmp_path, "dishonest_list", "是否移出", [*_GONE, *_UNREAD, *_STANDING],
                              valid_until="2030-01-01")
    messages = {q["record_id"]: q["message"] for q in quarantine(result.audit)}
    assert sorted(messages, key=lambda r: int(r[2:])) == first(len(_GONE) + len(_UNREAD))
    assert result.counts.published["dishonest_list"] == len(_STANDING)
    unread = [f"R-{i}" for i in range(len(_GONE), len(_GONE) + len(_UNREAD))]
    assert all("无法读作“是”或“否”" in messages[r] or "各部分说法不一" in messages[r] for r in unread)


def test_a_record_asked_whether_it_stands(tmp_path: Path) -> None:
    """Under 是否有效 the same answers say the opposite; 已 answers nothing there (already what?)."""
    withheld = ["已", "○", "错", "不", "×", "★ 否", "☑否", "否✓", "☐是☑否", "❌是"]
    withheld_ids = withheld_of(tmp_path, "dishonest_list", "是否有效", [*withheld, "对", "√", "☑", "●是", "✅", "是☑", "☑是☐否"],
                               valid_until="2030-01-01")
    assert withheld_ids == first(len(withheld))


def test_a_licence_cancelled_beside_a_state_saying_valid_is_withheld(tmp_path: Path) -> None:
    """删除情况 许可证已注销 beside 当前状态 有效 was published, the licence shown as 有效: the two disagree, the row is
    quarantined; beside 当前状态 无效 or none the licence is published (the cancellation is its own state, not a deletion)."""
    statuses = ["有效", "valid", "有效", "正常", "有效（正常）", "长期有效", "有效\u200b", "有效", "无效", "", "无效"]
    said = ["许可证已注销", "已吊销", "证照已吊销", "许可证已注销", "已吊销", "许可证已注销", "许可证已注销", "吊销，未注销",
            "许可证已注销", "许可证已注销", "已吊销"]
    records = tmp_path / "records"
    rows = [row("admin_license", record_id=f"R-{i}", status=status) for i, status in enumerate(statuses)]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    with_column(records / "admin_license.csv", "删除情况", said)
    result = build_site(tmp_path, records, AS_OF)
    messages = {q["record_id"]: q["message"] for q in quarantine(result.audit)}
    assert sorted(messages, key=lambda r: int(r[2:])) == first(8)
    assert all("不一致" in m and "当前状态" in m for m in messages.values())
    assert result.counts.published["admin_license"] == 3


def test_a_registration_revoked_beside_a_state_saying_active_is_withheld(tmp_path: Path) -> None:
    """The same of a subject's registration: 数据状态 已吊销 beside 登记状态 存续."""
    records = tmp_path / "records"
    rows = [row("subject", record_id=f"S-{i}", uscc=code, registration_status=status)
            for i, (code, status) in enumerate([("91330100MA27XL0A19", "存续"), ("91330100MA2H2TM875", "存续（在营、开业、在册）"),
                                                ("91330100MA2GNYMY1E", "吊销")])]
    write_csv(records / "subject.csv", "subject", rows)
    with_column(records / "subject.csv", "删除情况", ["已吊销", "吊销，未注销", "已吊销"])
    result = build_site(tmp_path, records, AS_OF)
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == ["S-0", "S-1"]


def test_a_licence_state_column_saying_revoked_beside_a_state_saying_valid_is_withheld(tmp_path: Path) -> None:
    """数据状态 撤销, 已吊销 or 暂停 beside 当前状态 有效 showed a revoked licence as valid; beside 当前状态 撤销 (a value
    outside the list, shown as written) it is published as it was, and so is a licence whose 数据状态 says nothing of it."""
    cases = [("撤销", "有效"), ("已吊销", "有效"), ("暂停", "有效"), ("已废止", "有效"), ("许可证已撤销", "正常"),
             ("暂扣许可证", "有效"), ("已失效", "生效"), ("撤销", "撤销"), ("已过期", "有效"), ("下线", "有效"), ("正常", "有效"),
             ("暂停", ""), ("未吊销", "有效"), ("注销中", "有效"), ("吊销已撤销", "有效")]
    records = tmp_path / "records"
    rows = [row("admin_license", record_id=f"R-{i}", status=status) for i, (_, status) in enumerate(cases)]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    with_column(records / "admin_license.csv", "数据状态", [state for state, _ in cases])
    result = build_site(tmp_path, records, AS_OF)
    assert sorted((q["record_id"] for q in quarantine(result.audit)), key=lambda r: int(r[2:])) == first(7)
    assert result.counts.published["admin_license"] == len(cases) - 7


def test_a_states_table_saying_a_cancellation_stands_does_not_show_the_licence_valid(tmp_path: Path) -> None:
    """A [states] table saying 数据状态 已吊销 stands (the data record is not gone) had the row published as 有效: the
    table says the record stands, not which of its two states holds."""
    from test_states_table import withheld

    states = '[states."数据状态"]\n"已吊销" = "standing"\n'
    told = withheld(tmp_path / "valid", "admin_license", "数据状态", ["已吊销"], states=states, status="有效")
    assert list(told) == ["R-0"] and "不一致" in told["R-0"]
    assert withheld(tmp_path / "revoked", "admin_license", "数据状态", ["已吊销"], states=states, status="吊销") == {}


def test_a_list_entry_asked_removed_in_other_headings_is_withheld(tmp_path: Path) -> None:
    """is_removed, is_revoked, removed_flag, 是否出列 and 是否无效 were unknown columns, ignored: a list entry they said was
    removed was published (helper 118's finding 4). They are read as 是否移出 is."""
    for heading in ["is_removed", "is_revoked", "removed_flag", "是否出列", "是否无效"]:
        withheld = withheld_of(tmp_path / heading, "dishonest_list", heading, ["1", "是", "0", "否"], valid_until="2030-01-01")
        assert withheld == first(2), heading


def test_a_licence_state_in_a_second_column_contradicting_its_state_is_withheld(tmp_path: Path) -> None:
    """许可状态 (证照状态, 状态) 已吊销 beside 当前状态 有效 was an unknown column, ignored: the revoked licence was shown as
    有效 (helper 118's finding 4). Beside the item's own state field such a column is read where the two disagree, and
    only there: 许可状态 无效 or 有效 publishes the licence as its 当前状态 says."""
    cases = [("有效", "已吊销"), ("正常", "许可证已注销"), ("有效", "撤销"), ("有效", "无效"), ("有效", "吊 销"),
             ("有效", "有效"), ("无效", "已吊销"), ("有效", ""), ("有效", "未被吊销"), ("有效", "无暂扣、吊销记录"),
             ("有效", "撤回注销申请"), ("有效", "吊销已撤销"), ("有效", "吊销后恢复"), ("有效", "注销中")]
    for heading in ["许可状态", "证照状态", "状态", "许可状态（注）"]:
        records = tmp_path / heading / "records"
        rows = [row("admin_license", record_id=f"R-{i}", status=status) for i, (status, _) in enumerate(cases)]
        write_csv(records / "admin_license.csv", "admin_license", rows)
        with_column(records / "admin_license.csv", heading, [said for _, said in cases])
        result = build_site(tmp_path / heading, records, AS_OF)
        assert sorted((q["record_id"] for q in quarantine(result.audit)), key=lambda r: int(r[2:])) == first(5), heading
        assert result.counts.published["admin_license"] == len(cases) - 5


def test_a_second_state_column_by_legend_question_or_table(tmp_path: Path) -> None:
    """Helper 119's round: 许可状态（1有效2吊销） 2, 是否吊销 是 and is_revoked 1 beside 当前状态 有效 showed a revoked licence
    as valid; a [states] table naming 许可状态 was no longer read (its 2 = "gone" ignored); a registration's 许可状态 (one
    of its permits') withheld a company whose 登记状态 is 存续."""
    from test_states_table import withheld

    for heading, said in [("许可状态（1有效2吊销）", "2"), ("是否吊销", "是"), ("is_revoked", "1"), ("是否注销", "1")]:
        told = withheld(tmp_path / heading, "admin_license", heading, [said], status="有效")
        assert list(told) == ["R-0"] and "不一致" in told["R-0"], heading
    assert withheld(tmp_path / "no", "admin_license", "是否吊销", ["否"], status="有效") == {}
    table = '[states."许可状态"]\n"2" = "gone"\n"1" = "standing"\n'
    assert list(withheld(tmp_path / "table", "admin_license", "许可状态", ["2", "1"], states=table, status="有效")) == ["R-0"]
    records = tmp_path / "subject" / "records"
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="S-0", registration_status="存续")])
    with_column(records / "subject.csv", "许可状态", ["已吊销"])
    assert quarantine(build_site(tmp_path / "subject", records, AS_OF).audit) == []


def test_a_legend_word_starting_with_zhu_is_read_as_the_word(tmp_path: Path) -> None:
    """许可状态（0有效；1注销） was read as {'1': '销'}: the legend's 注 was taken for a note's mark (注：…), and a licence
    coded 1 (注销) beside 当前状态 有效 was published as valid. 注销, 注册, 注意 after a code are words; 注：, 注意： and 注
    before a code still mark a note."""
    from test_states_table import withheld

    from site_builder.rules.catalogue import normalise_title
    from site_builder.sources.mapping import without_legend

    def legend(heading: str) -> tuple[tuple[str, str], ...]:
        return without_legend(normalise_title(heading))[1]

    assert legend("许可状态（0有效；1注销）") == (("0", "有效"), ("1", "注销"))
    assert legend("状态（1注册2注销）") == (("1", "注册"), ("2", "注销"))
    assert legend("状态（有效：0；注销：1）") == (("0", "有效"), ("1", "注销"))
    assert legend("状态（0正常；1注意）") == (("0", "正常"), ("1", "注意"))
    for note in ["数据状态（注：1为已删除）", "数据状态（注1为已删除）", "数据状态（注意：1为已删除）"]:
        assert legend(note) == (("1", "已删除"),), note
    assert legend("状态（1正常；2注销；注：3为其他）") == (("1", "正常"), ("2", "注销"), ("3", "其他"))
    assert without_legend(normalise_title("许可状态（注）")) == ("许可状态", ())
    for heading in ["许可状态（0有效；1注销）", "证照状态（1注销）", "许可状态（注：1为注销）"]:  # the licence's own state
        told = withheld(tmp_path / heading, "admin_license", heading, ["1", "0"], status="有效")
        assert "不一致" in told["R-0"], (heading, told)
        # 0, which a one-code legend does not list, cannot be read (as under 数据状态（1注销）): stop 44
        assert list(told) == (["R-0"] if "0有效" in heading else ["R-0", "R-1"]), (heading, told)
    assert withheld(tmp_path / "invalid", "admin_license", "许可状态（0有效；1注销）", ["1"], status="无效") == {}
    told = withheld(tmp_path / "data", "admin_license", "数据状态（0正常；1注销）", ["1", "0"], status="有效")
    assert list(told) == ["R-0"] and "表示记录已撤销" in told["R-0"], told  # the data record's state: read, not "a code"


def test_a_licence_said_lapsed_beside_a_state_in_force_without_its_end_date_is_withheld(tmp_path: Path) -> None:
    """许可状态 已过期 (过期, 到期, 已到期, 期满) beside 当前状态 有效 was published as valid: read as no end. Without a
    有效期至 the portal would show the licence in force for ever: the two disagree, and the row is quarantined naming
    both. Beside a 有效期至 the date decides (有效期届满 once it has passed), and beside 当前状态 无效 nothing disagrees.
    吊消, a typo of 吊销, is read as it."""
    from test_states_table import withheld

    lapsed = ["已过期", "过期", "到期", "已到期", "期满", "有效期届满"]
    told = withheld(tmp_path / "blank", "admin_license", "许可状态", [*lapsed, "未过期", "已吊消"], status="有效",
                    valid_until="")
    assert sorted(told, key=lambda r: int(r[2:])) == [*first(len(lapsed)), f"R-{len(lapsed) + 1}"], told
    assert all("当前状态是“有效”" in told[r] and "有效期至为空" in told[r] for r in first(len(lapsed)))
    # a 有效期至 after the licence was granted (2025-06-01): one before it is a system's "no date" (stop 44)
    assert withheld(tmp_path / "dated", "admin_license", "许可状态", lapsed, status="有效", valid_until="2025-12-01") == {}
    assert withheld(tmp_path / "invalid", "admin_license", "许可状态", lapsed, status="无效", valid_until="") == {}
