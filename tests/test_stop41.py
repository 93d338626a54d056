"""What the boundary-date tester found at stop 41: end dates before the start, profiles shortening a national
minimum, objections dated after the as-of date, low fines under SAMR's rule and a judgment kept public while its
subject is listed."""

from __future__ import annotations

import pytest
from conftest import validate

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
