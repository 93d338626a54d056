"""Stop 44: a licence's own state saying it lapsed, read as the portal reads its 有效期至 and in any wording; a question
of a lapse; a code under its own state that the heading's legend does not name."""

from __future__ import annotations

from pathlib import Path

from conftest import build_site, row, write_csv
from test_states_stop39 import AS_OF, with_column
from test_states_stop42 import first
from test_xlsx import quarantine


def withheld(tmp_path: Path, heading: str, cases: list[tuple[dict[str, str], str]]) -> dict[str, str]:
    """The licences withheld, one row per case (its fields, its cell under ``heading``): record id -> message."""
    records = tmp_path / "records"
    rows = [row("admin_license", record_id=f"R-{i}", **fields) for i, (fields, _) in enumerate(cases)]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    with_column(records / "admin_license.csv", heading, [said for _, said in cases])
    result = build_site(tmp_path, records, AS_OF)
    return {q["record_id"]: q["message"] for q in quarantine(result.audit)}


def ordered(told: dict[str, str]) -> list[str]:
    """The record ids of ``told`` in row order."""
    return sorted(told, key=lambda r: int(r[2:]))


def test_a_lapse_beside_an_end_date_the_portal_reads_as_none_is_withheld(tmp_path: Path) -> None:
    """许可状态 已过期 beside 当前状态 有效 and a 有效期至 of 长期, 永久, NULL, 9999-12-31 or a system's "no date" before the
    licence was granted (1900-01-01) was published: the raw cell counted as a date, but the validator reads it as none
    and the portal shows 有效 for ever. A real date decides: passed (2025-01-01), the licence is published (shown
    有效期届满); still to come (2030-01-01), the two disagree and it is withheld (stop 45, tests/test_stop45_lapse.py)."""
    none = ["长期", "永久", "长期有效", "NULL", "null", "1900-01-01", "1970-01-01", "9999-12-31", "", "/"]
    told = withheld(tmp_path, "许可状态", [({"status": "有效", "valid_until": until}, "已过期")
                                       for until in [*none, "2025-01-01", "2030-01-01"]])
    assert ordered(told) == [*first(len(none)), f"R-{len(none) + 1}"], told
    assert "有效期至是“长期”" in told["R-0"] and "有效期至为空" in told[f"R-{none.index('')}"]


_LAPSED = ["有效期已届满", "有效期限届满", "有效期限已满", "许可期限已届满", "许可证已过期", "证书已过期", "证照过期", "有效期已过期",
           "超过有效期限", "过期（未延续）", "已过期（未延续）", "已于2025-01-01过期", "已过期，未延续", "已过期！", "到期未延续",
           "期满未延续", "过期未换证", "逾期未换证"]
"""Wordings of a lapse (helper 109's finding 2)."""
_NOT_LAPSED = ["未过期", "即将到期", "到期换证", "期满换发", "到期已延续", "有效期内", "将于2027-01-01到期", "尚未到期", "不过期",
               "临近到期", "到期前换证", "有效期未届满", "还有30天到期", "到期日2027-12-31", "已过期（已换证）", "过期后恢复",
               "永不过期", "到期自动延续"]
"""Negated, still to come, a step at the lapse, or renewed: not a lapse."""


def test_a_lapse_in_any_wording_beside_a_state_in_force_without_an_end_date_is_withheld(tmp_path: Path) -> None:
    """Only a whole cell of 已过期, 到期, 期满 … was read: 有效期已届满, 许可证已过期, 过期（未延续）, 到期未延续 were published
    as 有效. A lapse is read where the cell says it (not negated, not to come, naming no step at it, no renewal done)."""
    told = withheld(tmp_path, "许可状态", [({"status": "有效", "valid_until": ""}, said) for said in [*_LAPSED, *_NOT_LAPSED]])
    assert ordered(told) == first(len(_LAPSED)), told


def test_a_question_of_a_lapse_answered_yes_is_read_as_the_lapse(tmp_path: Path) -> None:
    """是否过期 (是否已过期, 有无过期, 是否过期（0否1是）) 是 beside 当前状态 有效 and no 有效期至 was an unknown column: the
    licence was shown 有效 for ever. It is read as 已过期 is: withheld without a date or beside one still to come
    (2030-01-01, stop 45)."""
    cases = [("是否过期", "是"), ("是否已过期", "Y"), ("有无过期", "有"), ("是否过期（0否1是）", "1"), ("是否过期", "否"),
             ("是否过期（0否1是）", "0")]
    for heading, said in cases:
        told = withheld(tmp_path / heading / said, heading, [({"status": "有效", "valid_until": ""}, said),
                                                           ({"status": "有效", "valid_until": "2030-01-01"}, said)])
        assert list(told) == (["R-0", "R-1"] if said in ("是", "Y", "1", "有") else []), (heading, said, told)
        assert not told or "表示许可已过期" in told["R-0"]


def test_a_code_its_legend_cannot_read_under_a_licence_state_beside_a_state_in_force_is_withheld(tmp_path: Path) -> None:
    """A code under a licence's own state that the heading's legend cannot pair (许可状态（1/2：有效/注销） 2) or does not
    list (许可状态（0有效1注销） 3) was read as the word "2", saying no end, and published beside 当前状态 有效; every other
    watched column withholds such a code. A code the legend reads is read as before; one under no legend at all
    (许可状态 2) is withheld beside a state in force since stop 45 (tests/test_stop45.py)."""
    cases = [("许可状态（1/2：有效/注销）", "2"), ("证照状态（0/1/2：有效/注销/吊销）", "2"), ("是否吊销（1/2：已吊销/未吊销）", "1"),
             ("许可状态（0有效1注销）", "3"), ("许可状态（0有效1注销）", "0"), ("许可状态", "2")]
    for number, (heading, said) in enumerate(cases):
        told = withheld(tmp_path / str(number), heading, [({"status": "有效"}, said), ({"status": "无效"}, said)])
        assert list(told) == (["R-0"] if number != 4 else []), (heading, told)
        assert number == 5 or not told or (f"代码说明“{heading[heading.index('（'):]}”" in told["R-0"]
                                           and "请在列名的代码说明中" in told["R-0"])
        assert number != 5 or "列名没有写明代码的含义" in told["R-0"]
    records = tmp_path / "subject" / "records"
    write_csv(records / "subject.csv", "subject", [row("subject", record_id="S-0", registration_status="存续")])
    with_column(records / "subject.csv", "企业状态（1/2/3：存续/注销/吊销）", ["3"])
    assert [q["record_id"] for q in quarantine(build_site(tmp_path / "subject", records, AS_OF).audit)] == ["S-0"]
