"""A site's table of state values (``[states]``, ``sources/states.py``): a credit centre says once what its platform's
state values mean, and the loader stops guessing them. Files and databases read it; an incremental build notices a
changed table; a bad table is refused naming the file and the key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import published_on, row, write_csv
from test_states_stop39 import with_column
from test_xlsx import quarantine

from site_builder.build import BuildResult, build
from site_builder.config import Config, load_config
from site_builder.exceptions import ConfigError
from site_builder.scaffold import CONFIG
from site_builder.sources.database import site_catalogue
from site_builder.sources.states import StateSettings, value_key

AS_OF = date(2026, 11, 24)
SITE = '[paths]\nrecords = "records"\noutput = "output"\naudit = "audit"\n[search]\nenabled = false\n'


def site(root: Path, states: str = "", more: str = "") -> Config:
    """A site under ``root`` reading ``root/records``, with ``states`` (TOML text) as its table."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site_builder.toml").write_text(SITE + more + states, encoding="utf-8")
    return load_config(root / "site_builder.toml")


def records_with(root: Path, item: str, heading: str, values: list[str], **fields: str) -> Path:
    """``root/records`` holding one ``item`` row per value, ``heading`` the column holding it (R-0, R-1 …)."""
    records = root / "records"
    rows = [row(item, record_id=f"R-{i}", decision_date="2025-06-01", **fields) for i in range(len(values))]
    write_csv(records / f"{item}.csv", item, rows)
    with_column(records / f"{item}.csv", heading, values)
    return records


def built(config: Config, full: bool = False) -> BuildResult:
    with published_on(AS_OF):
        return build(config, AS_OF, full=full)


def withheld(tmp_path: Path, item: str, heading: str, values: list[str], states: str = "",
             **fields: str) -> dict[str, str]:
    """The rows withheld, of one ``item`` row per value under ``heading``: record id -> the quarantine message."""
    fields = {"valid_until": "2030-01-01", **fields} if item != "admin_penalty" else fields
    records_with(tmp_path, item, heading, values, **fields)
    result = built(site(tmp_path, states))
    return {q["record_id"]: q["message"] for q in quarantine(result.audit)}


# --- Bare codes, shared words, per heading, per item -------------------------------------------------------------


@pytest.mark.parametrize("item", ["dishonest_list", "commendation"])
def test_a_bare_code_the_table_names_is_read_by_it(tmp_path: Path, item: str) -> None:
    """``0`` under ``状态`` (no legend) withholds the row: platforms number states each their own way. Told what it
    means, the site publishes it."""
    assert list(withheld(tmp_path / "guessed", item, "状态", ["0"])) == ["R-0"]
    told = withheld(tmp_path / "told", item, "状态", ["0", "1", "01", "0.0"],
                    states='[states."状态"]\n"0" = "standing"\n"1" = "gone"\n')
    assert sorted(told) == ["R-1", "R-2"]  # 01 is 1, 0.0 is 0
    assert '[states."状态"]' in told["R-1"] and "gone" in told["R-1"], told["R-1"]


@pytest.mark.parametrize("states", ['[states."状态"]\n"1" = "standing"\n"2" = "standing"\n"0" = "gone"\n',
                                    '[states.admin_penalty."状态"]\n"1" = "standing"\n"2" = "standing"\n'])
def test_the_table_does_not_read_a_penalty_column_that_may_be_its_current_state(tmp_path: Path, states: str) -> None:
    """The second harm tester's: a table written for a list's 状态 (1 standing) read a penalty file's 状态, which the
    build takes for the 当前状态 the file lacks (0 正常, 1 撤销, 2 异议): a revoked penalty and one under objection were
    published. Such a column is read as the catalogue's field would be, whatever the table says."""
    told = withheld(tmp_path, "admin_penalty", "状态", ["1", "2"], states=states)
    assert sorted(told) == ["R-0", "R-1"], told


def test_a_code_the_files_legend_names_is_read_by_the_legend(tmp_path: Path) -> None:
    """The second harm tester's: a table for 名单状态 (1 standing, 0 gone) turned around the codes of an export whose
    heading says otherwise (名单状态（0在列1移出）): the removed entry was published and the listed one withheld. The
    file's legend says what its codes mean; the table reads what it does not name."""
    told = withheld(tmp_path, "dishonest_list", "名单状态（0在列1移出）", ["1", "0", "停用"],
                    states='[states."名单状态"]\n"1" = "standing"\n"0" = "gone"\n"停用" = "gone"\n')
    assert sorted(told) == ["R-0", "R-2"], told
    assert "[states" in told["R-2"] and "[states" not in told["R-0"]


def test_a_heading_with_its_legend_or_a_note_reads_the_headings_table(tmp_path: Path) -> None:
    """A table named by the bare heading reads a column headed with a note (a legend's codes are the legend's), and one
    named with its legend reads the bare column."""
    told = withheld(tmp_path / "a", "dishonest_list", "名单状态（2类）", ["0", "1"],
                    states='[states."名单状态"]\n"0" = "standing"\n"1" = "gone"\n')
    assert list(told) == ["R-1"]
    told = withheld(tmp_path / "b", "dishonest_list", "名单状态", ["0", "1"],
                    states='[states."名单状态（0在列1移出）"]\n"0" = "standing"\n"1" = "gone"\n')
    assert list(told) == ["R-1"]


def test_a_shared_word_reads_in_any_state_column(tmp_path: Path) -> None:
    """信用修复 alone says nothing known under 名单状态 (it may name the process): this platform writes it of an entry
    repaired and removed. 冻结 is a word the reader does not know."""
    states = '[states]\n"信用修复" = "gone"\n"冻结" = "objection"\n'
    told = withheld(tmp_path / "list", "dishonest_list", "名单状态", ["信用修复", "冻结", "在列"], states=states)
    assert sorted(told) == ["R-0", "R-1"]
    assert "[states]" in told["R-0"] and "gone" in told["R-0"]
    assert "objection" in told["R-1"] and "有异议" in told["R-1"]
    assert sorted(withheld(tmp_path / "honour", "commendation", "荣誉状态", ["信用修复", "有效"], states=states)) == ["R-0"]


def test_values_are_compared_as_written_in_any_width_script_or_case(tmp_path: Path) -> None:
    assert value_key(" 信用修復 ") == value_key("信用修复") and value_key("ＤＥＬＥＴＥＤ") == value_key("deleted")
    states = '[states]\n"信用修復" = "gone"\n"Frozen" = "gone"\n'
    told = withheld(tmp_path, "dishonest_list", "名单状态", [" 信用修复", "FROZEN", "ｆｒｏｚｅｎ", "在列"], states=states)
    assert sorted(told) == ["R-0", "R-1", "R-2"]


def test_a_headings_entry_wins_over_a_shared_one(tmp_path: Path) -> None:
    states = '[states]\n"停用" = "gone"\n[states."名单状态"]\n"停用" = "standing"\n'
    assert withheld(tmp_path / "own", "dishonest_list", "名单状态", ["停用"], states=states) == {}
    assert list(withheld(tmp_path / "other", "dishonest_list", "数据状态", ["停用"], states=states)) == ["R-0"]


def test_an_items_entry_wins_over_every_items(tmp_path: Path) -> None:
    states = ('[states."状态"]\n"1" = "standing"\n[states.dishonest_list."状态"]\n"1" = "gone"\n'
              '[states.commendation]\n"已归档" = "gone"\n')
    told = withheld(tmp_path / "list", "dishonest_list", "状态", ["1"], states=states)
    assert list(told) == ["R-0"] and "[states.dishonest_list.\"状态\"]" in told["R-0"], told
    assert withheld(tmp_path / "honour", "commendation", "状态", ["1"], states=states) == {}
    assert list(withheld(tmp_path / "archived", "commendation", "荣誉状态", ["已归档"], states=states)) == ["R-0"]
    assert withheld(tmp_path / "kept", "dishonest_list", "名单状态", ["已归档"], states=states) == {}


def test_a_heading_the_reader_does_not_know_is_read_when_the_table_names_it(tmp_path: Path) -> None:
    """数据标识位 is no state heading the reader knows: it was ignored, and a table naming it would have withheld
    nothing. Named in [states], it is read as the record's state."""
    assert withheld(tmp_path / "unknown", "dishonest_list", "数据标识位", ["0", "1"]) == {}
    told = withheld(tmp_path / "told", "dishonest_list", "数据标识位", ["0", "1", "已删除"],
                    states='[states."数据标识位"]\n"0" = "standing"\n"1" = "gone"\n')
    assert sorted(told) == ["R-1", "R-2"]  # its words are read as a state column's


def test_an_objection_withholds_the_row(tmp_path: Path) -> None:
    told = withheld(tmp_path, "dishonest_list", "名单状态", ["0", "2"],
                    states='[states."名单状态"]\n"0" = "standing"\n"2" = "objection"\n')
    assert list(told) == ["R-1"]
    assert "objection" in told["R-1"] and '[states."名单状态"]' in told["R-1"] and "异议处理完毕" in told["R-1"]


# --- The table over the words' reading, both ways; never over the catalogue's fields --------------------------------


def test_the_table_overrides_the_words_both_ways(tmp_path: Path) -> None:
    """已屏蔽 reads as gone, 正常 as standing: this platform's 已屏蔽 marks an entry hidden from its own staff's lists
    (it stands), and its 正常 an entry its export forgot to drop (gone). The centre owns what its data says."""
    assert sorted(withheld(tmp_path / "words", "dishonest_list", "名单状态", ["已屏蔽", "正常"])) == ["R-0"]
    told = withheld(tmp_path / "told", "dishonest_list", "名单状态", ["已屏蔽", "正常"],
                    states='[states."名单状态"]\n"已屏蔽" = "standing"\n"正常" = "gone"\n')
    assert list(told) == ["R-1"]


def test_the_table_never_publishes_what_a_catalogue_field_withholds(tmp_path: Path) -> None:
    """发布状态, 公开属性 and 异议状态 are catalogue fields: their values are the catalogue's, whatever [states] says."""
    states = '[states]\n"待审核" = "standing"\n"授权查询" = "standing"\n"异议处理中" = "standing"\n'
    records = tmp_path / "records"
    fields = [{"publish_status": "待审核", "objection_status": ""}, {"disclosure_level": "授权查询", "objection_status": ""},
              {"objection_status": "异议处理中"}, {"objection_status": ""}]
    rows = [row("dishonest_list", record_id=f"R-{i}", decision_date="2025-06-01", valid_until="2030-01-01", **f)
            for i, f in enumerate(fields)]
    write_csv(records / "dishonest_list.csv", "dishonest_list", rows)
    with_column(records / "dishonest_list.csv", "名单状态", ["正常"] * len(rows))
    result = built(site(tmp_path, states))
    assert result.counts.published.get("dishonest_list", 0) == 1


def test_a_column_like_a_deciding_field_stays_refused_whatever_the_table_says(tmp_path: Path) -> None:
    """异议审核情况 may be the 异议状态 the file lacks: its rows stay quarantined until it is mapped in [columns]."""
    told = withheld(tmp_path, "dishonest_list", "异议审核情况", ["处理中", "无"],
                    states='[states."异议审核情况"]\n"处理中" = "standing"\n"无" = "standing"\n')
    assert sorted(told) == ["R-0", "R-1"] and all("异议状态" in m for m in told.values()), told


@pytest.mark.parametrize(("states", "named"), [
    ('[states."发布状态"]\n"待审核" = "standing"\n', "states.\"发布状态\""),
    ('[states.admin_penalty."当前状态"]\n"1" = "standing"\n', "states.admin_penalty.\"当前状态\""),
    ('[states.admin_penalty."处罚状态"]\n"1" = "standing"\n', "states.admin_penalty.\"处罚状态\""),  # an alias of 当前状态
    ('[states.admin_penlty."状态"]\n"1" = "gone"\n', "unknown catalogue item (closest: admin_penalty,"),
    ('[states.dishonest_lst]\n"1" = "gone"\n', "states.dishonest_lst': no catalogue item (closest: dishonest_list)"),
    # a code or a yes-or-no answer for any heading: the harm check's 是否移出 1 (removed) was published by "1" = "standing"
    ('[states]\n"1" = "standing"\n', "states.1': a code, a mark or a yes-or-no answer"),
    ('[states]\n"０１" = "standing"\n', "a code, a mark or a yes-or-no answer"),
    ('[states.dishonest_list]\n"是" = "standing"\n', "states.dishonest_list.\"是\"': a code, a mark or a yes-or-no answer"),
    ('[states]\n"Y" = "gone"\n', "a code, a mark or a yes-or-no answer"),
    # the second harm tester's: what the reader reads as a code, a mark or an answer under 是否移出 (removed)
    ('[states]\n"-1" = "standing"\n', "a code, a mark or a yes-or-no answer"),
    ('[states]\n"+1" = "standing"\n', "a code, a mark or a yes-or-no answer"),
    ('[states]\n"✓" = "standing"\n', "a code, a mark or a yes-or-no answer"),
    ('[states]\n"是的" = "standing"\n', "a code, a mark or a yes-or-no answer"),
])
def test_a_table_the_catalogue_refuses_stops_the_build(tmp_path: Path, states: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        site_catalogue(site(tmp_path, states))
    assert named in str(raised.value), raised.value


def test_a_shared_heading_that_is_a_field_of_some_items_only_is_accepted(tmp_path: Path) -> None:
    """当前状态 is a penalty's field, and a list entry's unknown state column: its table reads the latter."""
    catalogue = site_catalogue(site(tmp_path, '[states."当前状态"]\n"1" = "gone"\n'))
    assert catalogue["dishonest_list"].states is not None


# --- Configuration errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("states", "said"), [
    ('[states]\n"已移出" = "removed"\n', "Config value 'states.\"已移出\"': unknown meaning 'removed'; one of standing"),
    ('[states]\n"已移出" = "Gone"\n', "unknown meaning 'Gone' (closest: gone)"),
    ('[states."名单状态"]\n"1" = 1\n', "Config value 'states.\"名单状态\".1': expected a meaning, standing"),
    ('[states."名单状态"]\n"1" = true\n', "got True"),
    ('[states]\n"" = "gone"\n', "Config value 'states.\"\"': an empty value or heading"),
    ('[states."名单状态"]\n" " = "gone"\n', "Config value 'states.\"名单状态\".\" \"': an empty value"),
    ('[states.""]\n"1" = "gone"\n', "Config value 'states.\"\"': an empty value or heading"),
    ('[states.dishonest_list."状态"."x"]\n"1" = "gone"\n', "a table too deep"),
    ('[states]\n"撤銷" = "gone"\n"撤销" = "standing"\n', "the same value as '撤銷'"),
])
def test_a_bad_table_is_refused_naming_the_file_and_the_key(tmp_path: Path, states: str, said: str) -> None:
    with pytest.raises(ConfigError) as raised:
        site(tmp_path, states)
    message = str(raised.value)
    assert str(tmp_path / "site_builder.toml") in message and said in message, message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        site(tmp_path, '[states]\n"a" = "removed"\n"b" = 2\n[states."名单状态"]\n"1" = "kept"\n')
    assert str(raised.value).count("Config value 'states.") == 3, raised.value


def test_the_parsed_table() -> None:
    errors: list[str] = []
    parsed = StateSettings.from_toml("states", {"冻结": "objection", "名单状态": {"0": "standing"},
                                                "dishonest_list": {"在用": "standing", "状态": {"1": "gone"}}}, errors)
    assert errors == []
    assert parsed == StateSettings(shared=(("冻结", "objection"),), tables=(
        ("名单状态", (("0", "standing"),), ()), ("dishonest_list", (("在用", "standing"),), (("状态", (("1", "gone"),)),))))


# --- Warnings, init -----------------------------------------------------------------------------------------------


def test_the_warning_on_bare_codes_names_the_table(tmp_path: Path) -> None:
    records_with(tmp_path / "a", "dishonest_list", "名单状态", ["0"], valid_until="2030-01-01")
    result = built(site(tmp_path / "a"))
    said = [w for r in result.sources for w in r.warnings if "列“名单状态”" in w]
    assert any('[states."名单状态"]' in w and '"0" = "standing"' in w for w in said), said
    assert any("[states]" in q["message"] for q in quarantine(result.audit))
    records_with(tmp_path / "b", "dishonest_list", "名单状态", ["0"], valid_until="2030-01-01")
    result = built(site(tmp_path / "b", '[states."名单状态"]\n"0" = "standing"\n'))
    said = [w for r in result.sources for w in r.warnings if "列“名单状态”" in w]
    assert any('[states."名单状态"] 中写明的取值按其读取' in w for w in said), said


def test_init_writes_a_commented_example_that_loads_uncommented(tmp_path: Path) -> None:
    assert "# [states." in CONFIG
    commented = CONFIG[CONFIG.index("# [states]\n"):].splitlines()
    example = "\n".join(line.removeprefix("# ") for line in commented if line.startswith("# "))
    config = site(tmp_path, example)
    assert config.states.shared and config.states.tables


# --- Databases ----------------------------------------------------------------------------------------------------


def test_a_database_table_reads_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A penalty table with 当前状态 whose 数据状态 holds bare codes: not read (the 当前状态 says the penalty's state)
    until the site says what they mean. (Without 当前状态, 数据状态 may be it, and the table does not read it.)"""
    from test_database import _config
    from test_database_dirty import _read, _row, _table

    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row(f"AP-{n}", 数据状态=str(n - 1), 当前状态="正常") for n in (1, 2, 3)], extra=["数据状态", "当前状态"])
    tables = '[sources.admin_penalty]\ntable = "xzcf"\n'
    rows, _, _ = _read(_config(tmp_path, url, monkeypatch, tables))
    assert [[d[1] for d in r.defects] for r in rows] == [[]] * 3
    told = tables + '[states."数据状态"]\n"0" = "standing"\n"1" = "gone"\n'
    rows, _, _ = _read(_config(tmp_path, url, monkeypatch, told))
    assert [(r.values["record_id"], [d[1] for d in r.defects]) for r in rows] == [
        ("AP-1", []), ("AP-2", ["unmapped-column"]), ("AP-3", [])]
    assert '[states."数据状态"]' in rows[1].defects[0][2]


# --- Incremental builds -------------------------------------------------------------------------------------------


def test_a_changed_table_decides_the_rows_again_in_an_incremental_build(tmp_path: Path) -> None:
    """Decisions are kept by row content and files kept as parsed: a table changed with the records unchanged must
    decide the rows again, as ``[columns]`` once did not, and the build be the one a full build makes."""
    first, second = '[states."名单状态"]\n"0" = "standing"\n"1" = "gone"\n', '[states."名单状态"]\n"0" = "gone"\n"1" = "standing"\n'
    records = records_with(tmp_path / "I", "dishonest_list", "名单状态", ["0", "1", "在列"], valid_until="2030-01-01")
    for _ in range(2):  # the second build keeps the file parsed and the rows decided
        before = built(site(tmp_path / "I", first))
        assert sorted(q["record_id"] for q in quarantine(before.audit)) == ["R-1"]
    shutil.copytree(records, tmp_path / "F" / "records")
    again = built(site(tmp_path / "I", second))
    full = built(site(tmp_path / "F", second), full=True)
    assert sorted(q["record_id"] for q in quarantine(again.audit)) == sorted(q["record_id"] for q in quarantine(full.audit)) == ["R-0"]
    assert again.counts.published == full.counts.published
    assert ((again.output / "data" / "dishonest_list.csv").read_bytes()
            == (full.output / "data" / "dishonest_list.csv").read_bytes())
