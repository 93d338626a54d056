"""The last stop's notes (stop 41): cells whose parts disagree, legends under state headings and beside notes, bare
codes under a state heading, reasons saying a decision stands, 是否移出 on a penalty, a licence's flags past its date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_stop40 import penalties_with, shown

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
