"""What the boundary-date tester found at stop 41: end dates before the start, profiles shortening a national
minimum, objections dated after the as-of date, low fines under SAMR's rule and a judgment kept public while its
subject is listed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import build_site, row, validate, write_csv

from site_builder.rules.validation import Quarantined


@pytest.mark.parametrize(("item", "values", "column"), [
    ("admin_penalty", {"decision_date": "2026-06-01", "disclosure_deadline": "1900-01-01"}, "公示截止期"),
    ("admin_penalty", {"decision_date": "2026-06-01", "disclosure_deadline": "2025-12-01"}, "公示截止期"),
    ("dishonest_list", {"decision_date": "2026-06-01", "valid_until": "1900-01-01"}, "有效期至"),
    ("commendation", {"decision_date": "2026-06-01", "valid_until": "2026-05-31"}, "有效期至"),
])
def test_an_end_date_before_the_decision_date_is_quarantined_not_expired(item: str, values: dict[str, str],
                                                                       column: str) -> None:
    """A 公示截止期 or 有效期至 before the decision (a database's 1900-01-01, a year typed wrong) had ended the
    record's publication as "expired": a real serious penalty left the site with no quarantine and no warning."""
    checked = validate(item, **values)
    assert isinstance(checked, Quarantined), checked
    assert [(p.column, p.type) for p in checked.problems] == [(column, "date-order")]


@pytest.mark.parametrize(("item", "values"), [
    ("admin_penalty", {"decision_date": "2026-06-01", "disclosure_deadline": "2026-06-01"}),
    ("dishonest_list", {"decision_date": "2026-06-01", "valid_until": "2029-06-01"}),
])
def test_an_end_date_on_or_after_the_decision_date_is_read(item: str, values: dict[str, str]) -> None:
    assert not isinstance(validate(item, **values), Quarantined)


def test_a_judgment_kept_while_its_subject_is_listed_does_not_say_long_term(tmp_path: Path) -> None:
    """Zhejiang art. 16 keeps a judgment public past its 5 years while its subject is listed: its page and the list
    said 长期公示, and its data's empty publication_until said the same, though publication ends with the listing."""
    records = tmp_path / "records"
    write_csv(records / "dishonest_list.csv", "dishonest_list", [row("dishonest_list", record_id="SX-1",
                                                                     decision_date="2025-06-01")])
    write_csv(records / "judgment.csv", "judgment", [row("judgment", record_id="PJ-1", decision_date="2021-03-10")])
    result = build_site(tmp_path / "zj", records, dt.date(2026, 4, 11), profile="zhejiang")
    page = (result.output / "record/judgment/PJ-1/index.html").read_text(encoding="utf-8")
    assert "列入严重失信主体名单期间公示" in page and "长期公示" not in page
    assert "列入名单期间" in (result.output / "items/judgment/index.html").read_text(encoding="utf-8")
    schema = (result.output / "data/judgment.datapackage.json").read_text(encoding="utf-8")
    assert "为空表示在列入期间公示" in schema
    national = build_site(tmp_path / "cn", records, dt.date(2026, 4, 11), profile="national")
    assert "为空表示在列入期间公示" not in (national.output / "data/judgment.datapackage.json").read_text(encoding="utf-8")
