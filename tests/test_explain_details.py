"""``explain`` on two details of the live site (docs/operator-guide.md, explain's exit codes):

1. A record only a back-filled build had (made for the date, published after it): the live site's build had no row of
   it, and the answer says so first, before the back-filled build's answer labelled as a comparison (it had printed
   the comparison alone). Exit 1: no site live that day had it.
2. A record whose row had left the live build's input (withdrawn, answered from the change sets): exit 1, as the
   exit-code table says ("no row of it in the live build's input"); it had exited 0.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import published_on, row, site_config, write_csv

from site_builder.build import build
from site_builder.cli import main


def explain(root: Path, record_id: str, day: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["explain", record_id, "--as-of", day, "--records", str(root / "records"),
                                       "--audit", str(root / "audit")])
    return result.exit_code, result.output


def penalties(root: Path, *ids: str) -> Path:
    records = root / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty",
              [row("admin_penalty", record_id=record_id, decision_date="2026-06-01") for record_id in ids])
    return records


def test_a_record_only_a_back_filled_build_had_says_the_live_site_lacked_it(tmp_path: Path) -> None:
    records = penalties(tmp_path, "AP-1")
    with published_on(date(2026, 11, 20)):
        build(site_config(tmp_path, records, search=False), date(2026, 11, 20))
    penalties(tmp_path, "AP-1", "AP-9")
    with published_on(date(2026, 11, 25)):  # back-filled: made for 11-22, published on 11-25
        build(site_config(tmp_path, records, search=False), date(2026, 11, 22))
    code, output = explain(tmp_path, "AP-9", "2026-11-22")
    lines = output.splitlines()
    assert lines[0] == "admin_penalty AP-9: not in the input", output
    assert "source: audit history, build 000001-2026-11-20 (as of 2026-11-20): the site live on 2026-11-22" in output
    assert output.index("build 000001-2026-11-20") < output.index(
        "for comparison, not what the site showed: admin_penalty AP-9 (admin_penalty.csv, row 3): published")
    assert code == 1, output


def test_a_record_whose_row_left_the_live_builds_input_exits_1(tmp_path: Path) -> None:
    records = penalties(tmp_path, "AP-1", "AP-2")
    with published_on(date(2026, 11, 20)):
        build(site_config(tmp_path, records, search=False), date(2026, 11, 20))
    penalties(tmp_path, "AP-2")
    with published_on(date(2026, 11, 21)):
        build(site_config(tmp_path, records, search=False), date(2026, 11, 21))
    code, output = explain(tmp_path, "AP-1", "2026-11-22")
    assert output.startswith("admin_penalty AP-1: withdrawn") and "left the site with build 000002-2026-11-21" in output
    assert code == 1, output
    assert explain(tmp_path, "AP-1", "2026-11-20")[0] == 0  # the day it was public
    assert explain(tmp_path, "AP-2", "2026-11-22")[0] == 0
