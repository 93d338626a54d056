"""Stop 43: a yes-or-no column answered by a mark, 已 or 对 (是否移出 已 published a list entry the platform says was
removed)."""

from __future__ import annotations

from pathlib import Path

from test_states_stop39 import build_with_state
from test_states_stop42 import first, withheld_of
from test_xlsx import quarantine

_GONE = ["已", "已经", "对", "●是", "是●", "是○", "★ 是", "☑", "☑ 是"]
"""Under 是否移出: removed (a mark beside an answer is the form's, the answer is read)."""
_UNREAD = ["○", "●", "〇", "◯", "☒", "■", "□", "★", "是否", "√ 否", "对 ×"]
"""Under 是否移出: no answer can be read (a mark alone, the question itself, answers that disagree)."""
_STANDING = ["否", "○否", "●否", "不对", "错", "×", "未移出", "0", "N"]


def test_a_removal_answered_by_a_mark_or_already_is_withheld(tmp_path: Path) -> None:
    """是否移出 已, 对, ○, ●, 〇 and ●是 were published as words saying nothing: 已 and 对 answer "removed?" yes, a form's
    mark beside an answer is left out of it, and a mark alone (○ or 〇, unchecked or zero?) cannot be read."""
    result = build_with_state(tmp_path, "dishonest_list", "是否移出", [*_GONE, *_UNREAD, *_STANDING],
                              valid_until="2030-01-01")
    messages = {q["record_id"]: q["message"] for q in quarantine(result.audit)}
    assert sorted(messages, key=lambda r: int(r[2:])) == first(len(_GONE) + len(_UNREAD))
    assert result.counts.published["dishonest_list"] == len(_STANDING)
    unread = [f"R-{i}" for i in range(len(_GONE), len(_GONE) + len(_UNREAD))]
    assert all("无法读作“是”或“否”" in messages[r] or "各部分说法不一" in messages[r] for r in unread)


def test_a_record_asked_whether_it_stands(tmp_path: Path) -> None:
    """Under 是否有效 the same answers say the opposite; 已 answers nothing there (already what?)."""
    withheld = ["已", "○", "错", "×", "★ 否"]
    withheld_ids = withheld_of(tmp_path, "dishonest_list", "是否有效", [*withheld, "对", "√", "☑", "●是"],
                               valid_until="2030-01-01")
    assert withheld_ids == first(len(withheld))
