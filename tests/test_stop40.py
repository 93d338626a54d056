"""An expired licence shown as 有效 (stop 40).

A licence stays public after its 有效期至 (the catalogue's period is long-term), but platforms export the 当前状态 they
wrote when the licence was recorded: the public read 当前状态 有效 on a licence that expired years ago.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import CATALOGUE, build_site, record, row, site_config, write_csv
from test_golden import tree
from test_incremental import assert_same_site

from site_builder.build import build
from site_builder.exceptions import CatalogueError
from site_builder.rules.catalogue import load_catalogue
from site_builder.rules.disclosure import Decision
from site_builder.rules.redaction import LAPSED, redact
from site_builder.rules.rowcache import TracingDate

LICENCE = CATALOGUE["admin_license"]


def shown(as_of: dt.date, **values: str) -> str:
    """The 当前状态 a licence with ``values`` shows on ``as_of``."""
    return redact(record("admin_license", **values), LICENCE, Decision(True, start=dt.date(2020, 6, 1)), as_of).fields["status"]


@pytest.mark.parametrize(("status", "expected"), [
    ("有效", LAPSED), ("valid", LAPSED), ("", LAPSED), ("正常", LAPSED), (" 有 效 ", LAPSED), ("在有效期内", LAPSED),
    ("无效", "无效"), ("invalid", "无效"), ("已注销", "已注销"), ("撤销", "撤销"), ("1", "1"),
])
def test_a_licence_past_its_valid_until_no_longer_reads_as_in_force(status: str, expected: str) -> None:
    assert shown(dt.date(2026, 6, 2), valid_until="2026-06-01", status=status) == expected


@pytest.mark.parametrize("as_of", [dt.date(2026, 6, 1), dt.date(2025, 1, 1)])
def test_a_licence_is_shown_as_exported_up_to_and_on_its_last_valid_day(as_of: dt.date) -> None:
    assert shown(as_of, valid_until="2026-06-01", status="有效") == "有效"
    assert shown(as_of, valid_until="2026-06-01", status="") == ""


def test_a_licence_without_valid_until_is_shown_as_exported() -> None:
    assert shown(dt.date(2099, 1, 1), status="有效") == "有效"


def test_the_decision_cache_notes_the_day_the_state_lapses() -> None:
    """The nightly build takes a row's result from the cache until the day it may change: that day is the day
    after 有效期至, or the next night would still show 有效."""
    traced = TracingDate(dt.date(2026, 5, 20))
    shown(traced, valid_until="2026-06-01", status="有效")
    assert traced.changes == dt.date(2026, 6, 2)


def licence_records(tmp_path: Path) -> Path:
    records = tmp_path / "records"
    write_csv(records / "admin_license.csv", "admin_license", [
        row("admin_license", record_id="L-1", decision_date="2021-06-01", valid_until="2026-06-01", status="有效"),
        row("admin_license", record_id="L-2", decision_date="2021-06-01", valid_until="2030-06-01", status="有效"),
    ])
    return records


def test_the_licence_page_says_the_licence_has_lapsed_from_the_day_after(tmp_path: Path) -> None:
    records = licence_records(tmp_path)
    before = build_site(tmp_path / "a", records, dt.date(2026, 6, 1))
    page = (before.output / "record/admin_license/L-1/index.html").read_text(encoding="utf-8")
    assert re.search(r"<dt>当前状态</dt><dd>有效</dd>", page)
    after = build_site(tmp_path / "b", records, dt.date(2026, 6, 2))
    for name in ("record/admin_license/L-1/index.html", "data/admin_license.csv"):
        text = (after.output / name).read_text(encoding="utf-8-sig")
        assert LAPSED in text and "有效期届满" in text, name
    assert "<dt>当前状态</dt><dd>有效</dd>" in (after.output / "record/admin_license/L-2/index.html").read_text(encoding="utf-8")
    assert "长期公示" in (after.output / "record/admin_license/L-1/index.html").read_text(encoding="utf-8")


def test_the_nightly_build_on_the_day_after_is_the_full_build_of_that_day(tmp_path: Path) -> None:
    """Incremental: the licence's page and data were taken over from the day before, showing 有效."""
    records = licence_records(tmp_path)
    config_i, config_f = site_config(tmp_path / "I", records), site_config(tmp_path / "F", records)
    build(config_i, dt.date(2026, 6, 1))
    shutil.copytree(tmp_path / "I", tmp_path / "F", symlinks=True)
    nightly = build(config_i, dt.date(2026, 6, 2))
    full = build(config_f, dt.date(2026, 6, 2), full=True)
    assert_same_site(tree(nightly.output.resolve()), tree(full.output.resolve()))
    assert LAPSED in (nightly.output / "record/admin_license/L-1/index.html").read_text(encoding="utf-8")


def catalogue_with(tmp_path: Path, status: str) -> Path:
    """A copy of the packaged catalogue whose licence 当前状态 field ends with ``status`` (YAML lines)."""
    folder = tmp_path / "catalogue"
    shutil.copytree(LICENCE.source.parent, folder)
    path = folder / "admin_license.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    lapses: valid_until" in text
    path.write_text(re.sub(r"    lapses: valid_until[^\n]*", status, text), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("lapses", "message"), [
    ("    lapses: valid_from_date", "lapses: 'valid_from_date' is not a date field of this item"),
    ("    lapses: authority", "lapses: 'authority' is not a date field of this item"),
    ("    lapses: [valid_until]", "lapses: only a public string field"),
])
def test_a_lapse_after_something_other_than_a_date_field_is_refused(tmp_path: Path, lapses: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(message)):
        load_catalogue(catalogue_with(tmp_path, lapses))


# --- A logical deletion or validity flag beside a penalty's 当前状态 (a database tester's) ------------------------------


def build_with_flag(tmp_path: Path, item: str, heading: str, values: list[str]):  # type: ignore[no-untyped-def]
    from test_states_stop39 import with_column

    records = tmp_path / "records"
    rows = [row(item, record_id=f"R-{i}", decision_date="2026-06-01") for i in range(len(values))]
    write_csv(records / f"{item}.csv", item, rows)
    with_column(records / f"{item}.csv", heading, values)
    return build_site(tmp_path, records, dt.date(2026, 11, 24))


@pytest.mark.parametrize(("heading", "values", "withheld"), [
    ("del_flag", ["0", "1", "", "2"], ["R-1", "R-3"]),
    ("is_deleted", ["0", "1", "否", "是"], ["R-1", "R-3"]),
    ("是否删除", ["否", "是", "0", "1"], ["R-1", "R-3"]),
    ("删除标志", ["0", "1", "N", "Y"], ["R-1", "R-3"]),
    ("是否有效", ["是", "否", "Y", "N"], ["R-1", "R-3"]),
    ("是否撤销", ["否", "是", "N", "Y"], ["R-1", "R-3"]),
    ("deleted_at", ["", "2026-07-01 10:00:00", "0000-00-00", "/"], ["R-1"]),
])
def test_a_penalty_flagged_deleted_or_not_in_force_is_withheld(tmp_path: Path, heading: str, values: list[str],
                                                                withheld: list[str]) -> None:
    """Bug: beside a penalty's 当前状态 (which the file has), ``del_flag`` 1, ``is_deleted`` 1 and 是否有效 否 were unknown
    columns, ignored with a warning: the deleted penalty was published; 是否删除 refused the whole file."""
    from test_xlsx import quarantine

    result = build_with_flag(tmp_path, "admin_penalty", heading, values)
    assert sorted(q["record_id"] for q in quarantine(result.audit)) == withheld
    assert result.counts.published["admin_penalty"] == len(values) - len(withheld)


def test_a_licence_flagged_deleted_is_withheld_but_its_validity_is_shown(tmp_path: Path) -> None:
    """A licence's 是否有效 否 is its state, shown (a licence no longer valid stays public); a deletion flag withholds it."""
    from test_xlsx import quarantine

    result = build_with_flag(tmp_path / "a", "admin_license", "del_flag", ["0", "1"])
    assert [q["record_id"] for q in quarantine(result.audit)] == ["R-1"]
    result = build_with_flag(tmp_path / "b", "admin_license", "是否有效", ["是", "否"])
    assert quarantine(result.audit) == [] and result.counts.published["admin_license"] == 2
