"""Stop 45: a licence's own state saying it lapsed beside a 有效期至 still to come on the build's as-of date.

许可状态 已过期 (到期未延续, 有效期届满, 是否过期 是) beside 当前状态 有效 and a real 有效期至 was published as 有效 until that
date: the loader, which has no as-of date, left the row to the date. A licence cannot have lapsed before its 有效期至:
while the date is still to come the two columns disagree and the row is quarantined, by the decision, which has the
as-of date; once the date has passed they agree and the row is published, shown 有效期届满 (as before). The decision
cache decides the row again on the day after its 有效期至.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import build_site, row, site_config, write_csv
from test_rowcache import same_build
from test_states_stop39 import AS_OF, with_column
from test_stop44 import withheld
from test_xlsx import quarantine


def page(output: Path, record_id: str) -> str | None:
    """The text of a licence's page on the site; ``None`` if it is not published."""
    path = output / "record" / "admin_license" / record_id / "index.html"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def test_a_lapse_beside_an_end_date_still_to_come_is_withheld_until_the_date_has_passed(tmp_path: Path) -> None:
    """As of 2026-11-24: 已过期 beside 有效 and 有效期至 2027-06-30 was published as 有效; it is quarantined, the message
    naming the column, its value, the 有效期至 and that the two disagree. Beside 2025-01-01 it is published, shown
    有效期届满; 未过期 or 即将到期 beside 2027-06-30 publish the licence as 有效."""
    records = tmp_path / "records"
    cases = [("2027-06-30", "已过期"), ("2025-01-01", "已过期"), ("2027-06-30", "未过期"), ("2027-06-30", "即将到期"),
             ("2027/6/30", "到期未延续"), ("2027-06-30", "有效期届满")]
    rows = [row("admin_license", record_id=f"R-{i}", status="有效", valid_until=until) for i, (until, _) in enumerate(cases)]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    with_column(records / "admin_license.csv", "许可状态", [said for _, said in cases])
    result = build_site(tmp_path, records, AS_OF)
    told = {q["record_id"]: q for q in quarantine(result.audit)}
    assert sorted(told) == ["R-0", "R-4", "R-5"], told
    message = told["R-0"]["message"]
    for said in ("列“许可状态”", "“已过期”", "当前状态是“有效”", "有效期至是“2027-06-30”", "不一致"):
        assert said in message, message
    assert "有效期至是“2027/6/30”" in told["R-4"]["message"]
    assert {told[r]["column"] for r in told} == {"许可状态"} and {told[r]["error"] for r in told} == {"unmapped-column"}
    assert page(result.output, "R-0") is None
    lapsed = page(result.output, "R-1")
    assert lapsed is not None and "有效期届满" in lapsed
    for record_id in ("R-2", "R-3"):
        shown = page(result.output, record_id)
        assert shown is not None and "有效期届满" not in shown, record_id


def test_a_question_of_a_lapse_answered_yes_beside_an_end_date_still_to_come_is_withheld(tmp_path: Path) -> None:
    """是否过期 是 beside 有效 and a 有效期至 still to come disagrees as 已过期 does; 否 does not; a 有效期至 passed decides."""
    told = withheld(tmp_path, "是否过期", [({"status": "有效", "valid_until": "2027-06-30"}, "是"),
                                       ({"status": "有效", "valid_until": "2027-06-30"}, "否"),
                                       ({"status": "有效", "valid_until": "2025-01-01"}, "是"),
                                       ({"status": "无效", "valid_until": "2027-06-30"}, "是")])
    assert list(told) == ["R-0"], told
    assert "列“是否过期”" in told["R-0"] and "“是”" in told["R-0"] and "有效期至是“2027-06-30”" in told["R-0"]


def test_the_day_after_the_end_date_a_rebuild_from_the_cache_publishes_the_licence(tmp_path: Path) -> None:
    """Built as of 2027-06-30, then 2027-07-01 over the same records and audit folder: the licence is quarantined on
    its 有效期至 and published the day after, shown 有效期届满, by a rebuild that takes the other rows from the decision
    cache, whose site and audit files are those of a build deciding every row."""
    records = tmp_path / "records"
    rows = [row("admin_license", record_id="R-0", status="有效", valid_until="2027-06-30"),
            row("admin_license", record_id="R-1", status="有效", valid_until="2030-01-01"),
            row("admin_license", record_id="R-2", status="有效", valid_until="")]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    with_column(records / "admin_license.csv", "许可状态", ["已过期", "有效", "有效"])
    days = [date(2027, 6, 30), date(2027, 6, 30), date(2027, 7, 1)]
    hits = same_build(tmp_path, records, days)
    assert hits == [0, 3, 2], hits  # the lapsed row, quarantined on its 有效期至, alone is decided again the day after
    shown = page(site_config(tmp_path / "I", records, search=False).paths.output.resolve(), "R-0")
    assert shown is not None and "有效期届满" in shown


def test_on_the_end_date_itself_the_licence_is_withheld_and_a_rebuild_keeps_it_so(tmp_path: Path) -> None:
    """On its 有效期至 the licence has not lapsed: withheld by the build and by a rebuild of that day from the cache.
    The site's next change is the day after (``site_builder due`` asks for a rebuild then)."""
    records = tmp_path / "records"
    write_csv(records / "admin_license.csv", "admin_license",
              [row("admin_license", record_id="R-0", status="有效", valid_until="2027-06-30")])
    with_column(records / "admin_license.csv", "许可状态", ["已过期"])
    first = build_site(tmp_path, records, date(2027, 6, 30))
    again = build_site(tmp_path, records, date(2027, 6, 30))
    assert again.cached == 1
    for result in (first, again):
        assert [q["record_id"] for q in quarantine(result.audit)] == ["R-0"]
        assert page(result.output, "R-0") is None
        manifest = json.loads((result.output / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["next_change"] == "2027-07-01", manifest["next_change"]


def test_a_renewal_refused_beside_an_end_date_still_to_come_publishes_a_lapse_said_with_it_does_not(tmp_path: Path) -> None:
    """不予延续 (延续申请被驳回) says the licence ends on its 有效期至, not that it has ended: beside 有效期至 2027-06-30 it is
    published as 有效 (the date decides, as the portal shows it). Said with a lapse (已过期，不予延续, 不予延续（已过期）)
    the cell says the licence has lapsed, which the date still to come contradicts: withheld. (The two readings were
    made side by side in this stop; merged, a refusal alone had been withheld too.)"""
    records = tmp_path / "records"
    cases = ["不予延续", "延续申请被驳回", "已过期，不予延续", "不予延续（已过期）"]
    rows = [row("admin_license", record_id=f"R-{i}", status="有效", valid_until="2027-06-30") for i in range(len(cases))]
    write_csv(records / "admin_license.csv", "admin_license", rows)
    with_column(records / "admin_license.csv", "许可状态", cases)
    result = build_site(tmp_path, records, AS_OF)
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == ["R-2", "R-3"]
    assert page(result.output, "R-0") is not None and page(result.output, "R-1") is not None
