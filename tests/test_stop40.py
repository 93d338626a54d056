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
    ("无效", "无效"), ("invalid", "无效"), ("已注销", "已注销"), ("撤销", "撤销"), ("1", LAPSED), ("2", "2"),
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
    if item == "admin_penalty":
        with_column(records / f"{item}.csv", "当前状态", ["正常"] * len(values))
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


# --- The harm tester's findings in 9f721a6 and 1457231 -------------------------------------------------------------


def penalties_with(tmp_path: Path, columns: dict[str, list[str]], state: bool = True):  # type: ignore[no-untyped-def]
    """A penalty per value of ``columns`` (all lists of one length), with or without its 当前状态 column."""
    from test_xlsx import quarantine

    records = tmp_path / "records"
    count = len(next(iter(columns.values())))
    rows = [row("admin_penalty", record_id=f"R-{i}", decision_date="2026-06-01") for i in range(count)]
    write_csv(records / "admin_penalty.csv", "admin_penalty", rows)
    path = records / "admin_penalty.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert "当前状态" not in lines[0].split(",")
    if state:
        columns = {"当前状态": ["正常"] * count, **columns}
    for heading, values in columns.items():
        lines = [f"{lines[0]},{heading}", *(f"{line},{value}" for line, value in zip(lines[1:], values, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, dt.date(2026, 11, 24))
    return sorted(q["record_id"] for q in quarantine(result.audit)), result


def withheld_of(tmp_path: Path, heading: str, gone: list[str], standing: list[str]) -> list[str]:
    """The penalties withheld, of one per value under ``heading``: the ``gone`` values first, then the ``standing``."""
    return penalties_with(tmp_path, {heading: [*gone, *standing]})[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("heading", ["是否撤销", "撤销状态", "撤销标志", "是否有效"])
def test_an_objection_under_a_yes_or_no_heading_of_a_penalty_file_without_its_state_withholds(
        tmp_path: Path, heading: str) -> None:
    """A harm tester's: such a column may be the 当前状态 itself; read only as a yes-or-no, 异议处理中 was published."""
    withheld, result = penalties_with(tmp_path, {heading: ["异议处理中", "有异议"]}, state=False)
    assert result.counts.published.get("admin_penalty", 0) == 0


def test_a_validity_state_code_of_a_penalty_file_without_its_state_is_not_read_backwards(tmp_path: Path) -> None:
    """A harm tester's: 有效状态 holding the 当前状态 codes (0 正常) withheld every normal penalty as "not valid". Since
    stop 41 a bare code there is withheld as a code whose meaning is not known (有效状态 0 is 无效 on most platforms),
    never read as "not valid"; a word is read."""
    from test_xlsx import quarantine

    withheld, result = penalties_with(tmp_path, {"有效状态": ["0", "0", "正常"]}, state=False)
    assert withheld == ["R-0", "R-1"]
    assert all("列名没有写明代码的含义" in q["message"] and "已无效" not in q["message"] for q in quarantine(result.audit))


@pytest.mark.parametrize("value", ["1900-01-01 00:00:00", "0001-01-01T00:00:00Z", "1753-01-01", "1899-12-30"])
def test_a_system_no_date_in_deleted_at_says_nothing(tmp_path: Path, value: str) -> None:
    withheld, _ = penalties_with(tmp_path, {"deleted_at": [value, "2026-07-01 10:00:00"]})
    assert withheld == ["R-1"]


@pytest.mark.parametrize(("heading", "value"), [("是否解除", "是"), ("解除原因", "暂扣期满发还"), ("撤销原因", "无需撤销")])
def test_a_penalty_column_about_something_else_does_not_withhold(tmp_path: Path, heading: str, value: str) -> None:
    """A harm tester's: a licence's suspension lifted (是否解除) or the penalty's own term is no state of the record."""
    withheld, _ = penalties_with(tmp_path, {heading: [value]})
    assert withheld == []


@pytest.mark.parametrize(("heading", "gone", "standing"), [
    ("是否删除", ["1-是", "1:已删除", "是-已删除", "已删", "逻辑删除", "是（已删除）"], ["0-正常", "0:未删除", "否", "未删除", "N-否"]),
    ("删除标志", ["1（已删除）", "1", "Y"], ["0", "0（正常）"]),
    ("是否有效", ["0-无效", "N-否", "注销", "无效"], ["1-有效", "是", "有效", "生效", "Y"]),
    ("是否删除（0否1是）", ["1"], ["0"]),
    ("是否删除(1否0是)", ["0"], ["1"]),
    ("删除标志(1删除)", ["1"], ["0"]),
    ("是否有效(Y/N)", ["N"], ["Y"]),
    ("是否逻辑删除", ["1", "是"], ["0"]),
    ("数据是否删除", ["是"], ["否"]),
    ("is_valid", ["0", "false"], ["1", "true"]),
    ("SFSC", ["1"], ["0"]),
    ("YXBZ", ["0"], ["1"]),
])
def test_a_deletion_or_validity_flag_is_read_in_its_other_spellings(tmp_path: Path, heading: str, gone: list[str],
                                                                    standing: list[str]) -> None:
    """A harm tester's: 1-是, 1（已删除）, 0-无效, a heading with its codes' legend … were published."""
    assert withheld_of(tmp_path, heading, gone, standing) == [f"R-{i}" for i in range(len(gone))]


def test_parts_of_a_flag_that_disagree_withhold(tmp_path: Path) -> None:
    withheld, _ = penalties_with(tmp_path, {"是否删除": ["否（已删除）", "未删除（2025-06-01已删除）", "否"]})
    assert withheld == ["R-0", "R-1"]


@pytest.mark.parametrize("status", ["生效", "已生效", "有效中", "当前有效", "现行有效", "未过期", "未到期", "有效（正常）",
                                    "在有效期內", "有效期內"])
def test_other_spellings_of_in_force_lapse(status: str) -> None:
    assert shown(dt.date(2026, 7, 1), valid_until="2026-06-30", status=status) == LAPSED


@pytest.mark.parametrize("until", ["1900-01-01", "1970-01-01"])
def test_a_valid_until_before_the_licence_was_granted_says_nothing(until: str) -> None:
    assert shown(dt.date(2026, 7, 1), decision_date="2024-01-10", valid_from="2024-01-10", valid_until=until,
                 status="有效") == "有效"


# --- The second harm tester's findings in 5f0a269 ------------------------------------------------------------------


@pytest.mark.parametrize(("item", "heading", "values"), [
    ("dishonest_list", "是否移出", ["移出（申请中）", "申请移出", "申请移出中", "审核中", "待定", "列入", "已列入", "正在公示"]),
    ("commendation", "是否撤销", ["撤销（待审核）", "申请撤销", "已授予", "荣誉有效", "保持", "复核中", "已公示"]),
    ("judgment", "是否撤销", ["维持原判", "申请再审", "再审中", "已发生法律效力", "终审", "上诉中"]),
])
def test_a_standing_record_in_words_a_yes_or_no_column_does_not_know_is_published(
        tmp_path: Path, item: str, heading: str, values: list[str]) -> None:
    """5f0a269 withheld every cell whose words it did not know: current listings, honours and judgments."""
    from test_states_stop39 import build_with_state
    from test_xlsx import quarantine

    result = build_with_state(tmp_path, item, heading, values, valid_until="2030-01-01")
    assert quarantine(result.audit) == [] and result.counts.published[item] == len(values)


def test_a_penalty_in_process_beside_its_state_is_published(tmp_path: Path) -> None:
    withheld, _ = penalties_with(tmp_path, {"是否撤销": ["复议中", "诉讼中", "维持原处罚", "已执行", "已结案", "待定"]})
    assert withheld == []


@pytest.mark.parametrize("value", ["正常数据", "有效数据", "存在", "保留", "非删除", "b'0'"])
def test_a_registration_not_deleted_in_other_words_is_published(tmp_path: Path, value: str) -> None:
    result = build_with_flag(tmp_path, "admin_license", "是否删除", [value, "b'1'"])
    from test_xlsx import quarantine

    assert [q["record_id"] for q in quarantine(result.audit)] == ["R-1"]


@pytest.mark.parametrize("status", ["有效（已延续至2029-06-30）", "有效（延期至2029-12-31）", "有效(已换发新证)", "正常（变更后继续有效）"])
def test_a_licence_state_saying_more_in_brackets_does_not_lapse(status: str) -> None:
    assert shown(dt.date(2026, 7, 1), valid_until="2026-06-30", status=status) == status


@pytest.mark.parametrize("status", ["持续有效", "正常使用", "有效。"])
def test_more_spellings_of_in_force_lapse(status: str) -> None:
    assert shown(dt.date(2026, 7, 1), valid_until="2026-06-30", status=status) == LAPSED


# --- explain after a build killed once it had switched the site (the explain harm tester's) -------------------------


def test_a_build_killed_after_the_switch_is_the_site_live_from_then(tmp_path: Path) -> None:
    """Its publication is logged by the next build, at that build's time: the days between were answered from the site
    it had replaced (which still published the withdrawn record), and before that next build explain refused the
    history as tampered with."""
    from conftest import published_on

    from site_builder import faults
    from site_builder.audit.explain import explain

    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty",
              [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")])
    config = site_config(tmp_path, records)
    with published_on(dt.date(2026, 11, 5)):
        build(config, dt.date(2026, 11, 5))
    write_csv(records / "admin_penalty.csv", "admin_penalty",
              [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", publish_status="已撤回")])

    def killed(point: str) -> None:
        if point == "switched":
            raise SystemExit("killed")

    faults.HOOK = killed
    try:
        with published_on(dt.date(2026, 11, 6)), pytest.raises(SystemExit):
            build(config, dt.date(2026, 11, 6))
    finally:
        faults.HOOK = None
    [before] = explain(config, "AP-1", dt.date(2026, 11, 6))  # not refused as a tampered history
    assert before.outcome == "not_approved" and "000002-2026-11-06" in before.source
    with published_on(dt.date(2026, 11, 10)):
        build(config, dt.date(2026, 11, 10))
    [answer] = explain(config, "AP-1", dt.date(2026, 11, 8))
    assert answer.outcome == "not_approved" and "build 000002-2026-11-06" in answer.source


@pytest.mark.parametrize(("heading", "gone", "standing"), [
    ("是否撤销（0未撤1已撤）", ["1"], ["0"]),
    ("删除标志（0正常1删除2物理删除）", ["1", "2"], ["0"]),
    ("是否删除（0否1是2彻底删除）", ["1", "2"], ["0"]),
    ("是否有效", ["停用", "禁用"], ["启用"]),
])
def test_a_legend_word_the_reader_does_not_know_is_no_standing(tmp_path: Path, heading: str, gone: list[str],
                                                                standing: list[str]) -> None:
    """The third harm tester's: a legend's own word (已撤, 物理删除) replaced the code and was read as "stands"."""
    assert withheld_of(tmp_path, heading, gone, standing) == [f"R-{i}" for i in range(len(gone))]


@pytest.mark.parametrize(("heading", "gone", "standing"), [
    ("是否删除（是：1 否：0）", ["1"], ["0"]),
    ("是否删除（是=1，否=0）", ["1"], ["0"]),
    ("删除标志（删除：1 正常：0）", ["1"], ["0"]),
    ("是否删除（是Y否N）", ["Y"], ["N"]),
    ("是否有效（有效：1 无效：0）", ["0"], ["1"]),
    ("是否删除（1为是，0为否）", ["1"], ["0"]),
    ("是否删除（1是0）", ["1"], ["0"]),
    ("删除标志（1有效0）", ["1", "0"], []),
])
def test_a_legend_written_word_first_is_paired_word_first(tmp_path: Path, heading: str, gone: list[str],
                                                          standing: list[str]) -> None:
    """The fourth harm tester's: 是：1 否：0 was paired code first (1 with 否): deleted rows published, valid ones withheld.
    A legend that does not alternate cannot be paired: codes are read as without one if it says only 是 and 否, else
    every code under it is withheld."""
    assert withheld_of(tmp_path, heading, gone, standing) == [f"R-{i}" for i in range(len(gone))]


def test_a_rerun_for_the_same_date_went_live_at_its_own_prepared_time(tmp_path: Path) -> None:
    """The fourth harm tester's: a rerun reusing the id of an abandoned attempt, killed after the switch, was given the
    abandoned attempt's prepared time."""
    import json

    from site_builder.audit.layout import AuditFolder
    from site_builder.audit.timeline import publication_times

    journal = AuditFolder(tmp_path).journal
    journal.parent.mkdir(parents=True, exist_ok=True)
    events = [("prepared", "2026-11-06T01:00:00Z", {}), ("abandoned", "2026-11-08T01:00:00Z", {}),
              ("prepared", "2026-11-08T01:00:00Z", {}), ("published", "2026-11-10T01:00:00Z", {"reconciled": True})]
    journal.write_text("".join(json.dumps({"at": at, "build_id": "000002-2026-11-06", "event": kind, **more}) + "\n"
                               for kind, at, more in events), encoding="utf-8")
    assert publication_times(tmp_path)["000002-2026-11-06"].date() == dt.date(2026, 11, 8)


@pytest.mark.parametrize(("heading", "gone", "standing"), [
    ("是否删除（0否1是，默认0）", ["1"], ["0"]),
    ("是否删除（Y/N，默认N）", ["Y"], ["N"]),
    ("是否删除（默认0，1表示删除）", ["1"], ["0"]),
    ("是否删除（注：1为已删除）", ["1"], ["0"]),
    ("是否删除（0或1）", ["1"], ["0"]),
    ("是否删除（1/0：是/否）", ["1"], ["0"]),
    ("是否删除（取值0否1是）", ["1"], ["0"]),
    ("是否有效（1有效，0无效，默认1）", ["0"], ["1"]),
    ("删除标志（0-未删除 1-已删除）", ["1-已删除", "1：已删除", "1（删除）"], ["0-未删除", "0"]),
    ("是否有效（1有效 0无效）", ["0-无效"], ["1-有效"]),
])
def test_a_legend_with_a_default_or_a_note_and_cells_with_their_words(tmp_path: Path, heading: str, gone: list[str],
                                                                        standing: list[str]) -> None:
    """The fifth harm tester's: a legend with a default or a note (默认0, 注：) could not be paired, and withheld every
    row; a cell writing its code with the legend's word (1-已删除) was read as standing, and published."""
    assert withheld_of(tmp_path, heading, gone, standing) == [f"R-{i}" for i in range(len(gone))]


def test_a_list_entry_coded_removed_with_its_word_is_withheld(tmp_path: Path) -> None:
    from test_states_stop39 import build_with_state
    from test_xlsx import quarantine

    result = build_with_state(tmp_path, "dishonest_list", "是否移出（0未移出 1已移出）", ["1-已移出", "0-未移出"])
    assert [q["record_id"] for q in quarantine(result.audit)] == ["R-0"]


@pytest.mark.parametrize("heading", ["是否删除（1=是，0=否，为空表示否）", "删除标志（0：正常；1：删除；空值视为正常）",
                                     "是否删除（0否1是，数据来源：市监局）", "是否删除（0：否 1：是，下同）",
                                     "是否删除（逻辑删除标识：0正常1删除）"])
def test_a_legend_with_a_clause_of_its_own_is_paired(tmp_path: Path, heading: str) -> None:
    """The sixth harm tester's: a clause without a code (为空表示否, 下同, 数据来源) or a label (逻辑删除标识：) left the
    legend unpaired, and every row under it was withheld."""
    withheld, _ = penalties_with(tmp_path, {heading: ["1", "0", ""]})
    assert withheld == ["R-0"]


@pytest.mark.parametrize("heading", ["是否删除【1是 0否】", "是否删除[1是0否]", "是否删除（0否1是）（必填）", "是否删除（单选）（0否1是）"])
def test_a_legend_in_square_brackets_or_beside_a_note_is_read(tmp_path: Path, heading: str) -> None:
    """The sixth harm tester's (as before this session): the column stayed unknown, and a deleted penalty was published."""
    withheld, _ = penalties_with(tmp_path, {heading: ["1", "0"]})
    assert withheld == ["R-0"]
