"""A site for another region set up from the docs (stop 39): mistakes in its own catalogue and profile files that were
accepted (and published wrongly) or stopped the build with a traceback are refused when they load, naming the file and
the key."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CATALOGUE, CATALOGUE_DIR, PROFILES_DIR, make_resident_id, row, write_csv
from test_catalogue_checks import _catalogue, _refused

from site_builder.cli import main
from site_builder.exceptions import CatalogueError
from site_builder.rules.catalogue import Catalogue, load_catalogue
from site_builder.rules.profiles import Policy, load_profile


def _profile(tmp_path: Path, name: str, old: str, new: str, catalogue: Catalogue = CATALOGUE) -> Policy:
    """Profile ``name`` loaded from a copy of the packaged profiles with ``old`` replaced by ``new``."""
    folder = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, folder, dirs_exist_ok=True)
    text = (folder / f"{name}.yaml").read_text(encoding="utf-8")
    assert old in text, old
    (folder / f"{name}.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_profile([folder], name, catalogue)


def _profile_refused(tmp_path: Path, name: str, old: str, new: str, catalogue: Catalogue = CATALOGUE) -> str:
    with pytest.raises(CatalogueError) as error:
        _profile(tmp_path, name, old, new, catalogue)
    return str(error.value)


# --- 1. Lengths per severity for every value of the severity field ------------------------------------------------

def test_a_length_per_severity_left_out_is_refused(tmp_path: Path) -> None:
    """Case cat_severity_missing_code: ``max: {general: 1y}`` beside a code ``serious`` published every serious record
    with no end."""
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("max: {general: 1y, serious: 3y}",
                                                                    "max: {general: 1y}")}))
    assert "admin_penalty.yaml: period.versions[0].max: no length for serious" in message, message
    assert "published with no end" in message, message


def test_a_minimum_per_severity_left_out_is_refused(tmp_path: Path) -> None:
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("min: {general: 3m, serious: 6m}",
                                                                    "min: {general: 3m}")}))
    assert "period.versions[0].min: no length for serious" in message and "withdrawn by repair at once" in message


def test_a_slight_length_under_max_is_refused_for_the_slight_key(tmp_path: Path) -> None:
    """``max.slight`` was ignored: a 轻微 record's longest period is the rule's ``slight`` key."""
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("max: {general: 1y, serious: 3y}",
                                                                    "max: {slight: 3m, general: 1y, serious: 3y}")}))
    assert "period.versions[0].max: a slight record's longest period is the rule's 'slight' key" in message, message


def test_an_optional_severity_field_with_lengths_per_severity_is_refused(tmp_path: Path) -> None:
    """A record without a severity had no length: public with no end."""
    folder = _catalogue(tmp_path, {"admin_penalty.yaml": (
        "  - name: severity\n    title: 失信程度\n    type: string\n    constraints: {required: true}\n",
        "  - name: severity\n    title: 失信程度\n    type: string\n")})
    assert "period.severity: 'severity' is optional: a record without it would have no length" in _refused(folder)


def test_a_profiles_length_per_severity_left_out_is_refused(tmp_path: Path) -> None:
    """The same check for a profile's own period of an item."""
    rule = ("periods:\n  judgment:\n    start: decision_date\n    severity: severity\n    max: {general: 1y}\n"
            "    basis: 测试\n")  # national's periods are {}: its judgments follow the catalogue
    catalogue = load_catalogue(_catalogue(tmp_path, {"judgment.yaml": (
        "fields:\n", "fields:\n  - name: severity\n    title: 失信程度\n    type: string\n    constraints: {required: true}\n"
                     "    values: {general: 一般, serious: 严重}\n    disclosure: public\n")}))
    message = _profile_refused(tmp_path, "national", "periods: {}\n", rule, catalogue)
    assert "national.yaml: periods.judgment.max: no length for serious" in message, message


def test_the_packaged_catalogue_and_profiles_still_load() -> None:
    catalogue = load_catalogue(CATALOGUE_DIR)
    for path in sorted(PROFILES_DIR.glob("*.yaml")):
        assert load_profile(PROFILES_DIR, path.stem, catalogue).id == path.stem


# --- 2. A 简易程序 penalty published past the national rule ---------------------------------------------------------

def test_a_profile_publishing_summary_procedure_penalties_as_ordinary_ones_is_refused(tmp_path: Path) -> None:
    """Case prof_summary_publish: ``publish: true, slight: false`` published a 简易程序 penalty for a year, where the
    national rule publishes none (527号, 58号令) or, from 2026-04-01, at most 3 months with a 公示截止期."""
    message = _profile_refused(tmp_path, "national", "publish: false\n    slight: true",
                               "publish: true\n    slight: false")
    assert "rules.summary_procedure.publish: true publishes a 简易程序 penalty (admin_penalty)" in message, message
    assert "longer than the national maximum" in message and "at most 3m, with a 公示截止期" in message, message


def test_publishing_summary_procedure_penalties_as_slight_ones_is_accepted(tmp_path: Path) -> None:
    policy = _profile(tmp_path, "national", "publish: false\n    slight: true", "publish: true\n    slight: true")
    assert policy.publish_summary_procedure and policy.summary_is_slight


def test_publishing_summary_procedure_penalties_is_accepted_where_no_national_rule_reads_them(tmp_path: Path) -> None:
    """A catalogue without a national maximum that reads the procedure binds no profile's summary rule."""
    catalogue = load_catalogue(_catalogue(tmp_path, {"admin_penalty.yaml": ("  national_maximum: true\n", "")}))
    policy = _profile(tmp_path, "national", "publish: false\n    slight: true", "publish: true\n    slight: false",
                      catalogue)
    assert policy.publish_summary_procedure


# --- 3. An impossible date in the catalogue -----------------------------------------------------------------------

def test_an_impossible_date_in_the_catalogue_is_refused_by_its_key(tmp_path: Path) -> None:
    """Case cat_bad_date: ``until: 2023-02-30`` stopped the build with a ValueError traceback."""
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("until: 2023-04-30", "until: 2023-02-30")}))
    assert "admin_penalty.yaml: period.versions[0].until: '2023-02-30' is not a date (YYYY-MM-DD)" in message, message


# --- 4, 5. constraints --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "says"), [
    ("constraints: true", "constraints: expected a mapping such as {required: true}, not True"),
    ("constraints: [required]", "constraints: expected a mapping such as {required: true}, not ['required']"),
    ("constraints: {requried: true}", "constraints.requried: unknown constraint (did you mean required?)"),
    ("constraints: {required: 'yes'}", "constraints.required: expected true or false, not 'yes'"),
])
def test_constraints_that_are_no_mapping_of_known_constraints_are_refused(tmp_path: Path, written: str, says: str) -> None:
    """Cases cat_constraints_bool, cat_constraints_list (an AttributeError traceback) and cat_constraints_typo (the
    field silently optional: a row without its 承诺受理单位 was published)."""
    message = _refused(_catalogue(tmp_path, {"judgment.yaml": ("constraints: {required: true}", written)}))
    assert "judgment.yaml: fields[" in message and says in message, message


def test_an_unknown_key_is_told_the_closest_known_one(tmp_path: Path) -> None:
    message = _refused(_catalogue(tmp_path, {"judgment.yaml": ("disclosure: public", "disclosure: public\n    alias: [x]")}))
    assert "alias: unknown key (did you mean aliases?)" in message, message


# --- 6. A key given twice ---------------------------------------------------------------------------------------

def test_a_key_given_twice_in_a_profile_is_refused(tmp_path: Path) -> None:
    """Case prof_duplicate_periods_key: a ``periods:`` block added above the copied ``periods: {}`` was dropped: YAML
    kept the last, and the catalogue's periods applied."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    text = (PROFILES_DIR / "national.yaml").read_text(encoding="utf-8")
    rule = "periods:\n  judgment:\n    start: decision_date\n    max: 3y\n    basis: 测试\n"
    path = folder / "national.yaml"
    path.write_text(text.replace("rules:\n", rule + "rules:\n", 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_profile(folder, "national", CATALOGUE)
    first = text[:text.index("rules:\n")].count("\n") + 1
    last = (text.replace("rules:\n", rule + "rules:\n", 1)).splitlines().index("periods: {}") + 1
    assert str(error.value).startswith(f"{path}: line {last}: periods: the key is given twice in one mapping (first on "
                                       f"line {first})"), str(error.value)


@pytest.mark.parametrize(("name", "old", "new", "key"), [
    ("judgment.yaml", "    title: 案号\n", "    title: 案号\n    title: 判决书编号\n", "title"),
    ("common.yaml", "groups:\n", "items: [subject]\ngroups:\n", "items"),
])
def test_a_key_given_twice_in_the_catalogue_is_refused(tmp_path: Path, name: str, old: str, new: str, key: str) -> None:
    message = _refused(_catalogue(tmp_path, {name: (old, new)}))
    assert f"{name}: line " in message and f": {key}: the key is given twice in one mapping" in message, message


# --- 7. min_age ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("age", "says"), [
    ("true", "min_age: expected int, got True"),
    ("-5", "min_age: -5 is outside 18–30"),
    ("17", "min_age: 17 is outside 18–30"),
    ("180", "min_age: 180 is outside 18–30"),
])
def test_a_min_age_that_is_no_age_of_adulthood_is_refused(tmp_path: Path, age: str, says: str) -> None:
    """Cases prof_min_age_bool (read as 1) and prof_min_age_neg: a 19-year-old was published where 20 was meant."""
    message = _profile_refused(tmp_path, "beijing", "min_age: 18", f"min_age: {age}")
    assert f"beijing.yaml: rules.natural_persons.{says}" in message, message


def test_a_min_age_above_18_is_accepted(tmp_path: Path) -> None:
    assert _profile(tmp_path, "beijing", "min_age: 18", "min_age: 20").min_age == 20


# --- 8, 9, 10. format, lists, title -------------------------------------------------------------------------------

def test_an_unknown_format_is_refused_where_it_is_written(tmp_path: Path) -> None:
    """Case cat_format_typo: ``format: usci`` left the 统一社会信用代码 unchecked, and a wrong code was published."""
    message = _refused(_catalogue(tmp_path, {"common.yaml": ("format: uscc", "format: usci")}))
    assert "common.yaml: groups.subject[" in message and "(uscc): format: 'usci' is not one of uscc, code, default" in message
    assert message.count("'usci'") == 1, message  # once, in common.yaml, not under every item including the group


@pytest.mark.parametrize(("old", "new", "says"), [
    ("    title: 案由\n", "    title: 案由\n    aliases: 判决事由\n",
     "aliases: '判决事由' is a str, not a list (write [判决事由]): expected a list of column titles"),
    ("files: [判决信息, 涉经济类判决信息, pjxx]", "files: 判决信息",
     "files: '判决信息' is a str, not a list (write [判决信息]): expected a list of file or folder names"),
    ("    title: 案由\n", "    title: 案由\n    aliases: [判决事由, ~]\n", "aliases: the entry None is no name"),
])
def test_a_text_where_a_list_is_expected_is_refused(tmp_path: Path, old: str, new: str, says: str) -> None:
    """Case cat_aliases_string: ``aliases: 承诺事项`` was read as its characters, and the column ignored."""
    message = _refused(_catalogue(tmp_path, {"judgment.yaml": (old, new)}))
    assert says in message, message


def test_an_item_without_a_title_is_refused(tmp_path: Path) -> None:
    """Case cat_no_title: the item's pages were headed "None"."""
    message = _refused(_catalogue(tmp_path, {"judgment.yaml": ("title: 涉经济类判决\n", "")}))
    assert "judgment.yaml: title: the item's Chinese title is required" in message, message


# --- 12. One warning per run --------------------------------------------------------------------------------------

def test_verify_warns_of_a_differing_common_yaml_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``verify`` loaded the catalogue again to name the rows of a leak, and said its warning again each time."""
    site = tmp_path / "site"
    (site / "catalogue").mkdir(parents=True)
    common = (CATALOGUE_DIR / "common.yaml").read_text(encoding="utf-8")
    (site / "catalogue" / "common.yaml").write_text(common + "# the site's copy\n", encoding="utf-8")
    secret = make_resident_id("330102", "19800707", "071")
    write_csv(site / "records" / "judgment.csv", "judgment", [row("judgment", legal_rep_id_no=secret)])
    (site / "site_builder.toml").write_text('[paths]\nrecords = "records"\ncatalogue = "catalogue"\n'
                                            '[search]\nenabled = false\n', encoding="utf-8")
    config = ["--config", str(site / "site_builder.toml")]
    built = CliRunner().invoke(main, [*config, "build", "--as-of", "2026-11-24"])
    assert built.exit_code == 0, built.output
    with (site / "output" / "index.html").open("a", encoding="utf-8") as page:
        page.write(secret)  # a leak: verify reads the records again to name the row that holds it
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        checked = CliRunner().invoke(main, [*config, "verify", "--no-data"])
    assert checked.exit_code == 1 and "judgment.csv" in checked.output, checked.output
    assert len([r for r in caplog.records if "replaces the packaged catalogue/common.yaml" in r.getMessage()]) == 1



# --- A harm tester's: what a site writes that is valid -----------------------------------------------------------

@pytest.mark.parametrize(("old", "new"), [
    ("constraints: {required: true}", "constraints: {required: true, unique: true}"),
    ("constraints: {required: true}", "constraints: {required: true, minLength: 1, pattern: '.+'}"),
    ("files: [判决信息, 涉经济类判决信息, pjxx]", "files: [判决信息, 涉经济类判决信息, pjxx, 2024]"),
])
def test_table_schema_constraints_formats_and_numbers_as_names_are_accepted(tmp_path: Path, old: str, new: str) -> None:
    """The packaged files say a field is a Table Schema field: its other constraints (unique, minimum, pattern …) are
    accepted (not applied), as is ``format: default``; a file named ``2024`` is read as written, as before."""
    catalogue = load_catalogue(_catalogue(tmp_path, {"judgment.yaml": (old, new)}))
    assert catalogue["judgment"].fields
    if "2024" in new:
        assert "2024" in catalogue["judgment"].files


def test_format_default_is_none(tmp_path: Path) -> None:
    folder = _catalogue(tmp_path, {"judgment.yaml": ("    title: 案由\n", "    title: 案由\n    format: default\n")})
    assert load_catalogue(folder)["judgment"].field("cause").format is None


def test_a_min_age_of_a_profile_that_publishes_no_person_is_not_checked(tmp_path: Path) -> None:
    """Unused where natural persons are not published: 16 there refused a whole build for nothing."""
    policy = _profile(tmp_path, "beijing", "    publish: true\n    min_age: 18", "    publish: false\n    min_age: 16")
    assert not policy.publish_natural_persons


def test_constraints_not_applied_are_warned_of(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A harm tester's: ``enum:`` or ``pattern:`` written to keep rows out was accepted without a word."""
    from site_builder.config import load_config
    from site_builder.inputs import load_inputs

    folder = _catalogue(tmp_path, {"judgment.yaml": ("constraints: {required: true}",
                                                     "constraints: {required: true, pattern: '^1'}")})
    (tmp_path / "site_builder.toml").write_text(f'[paths]\ncatalogue = "{folder}"\nrecords = "{tmp_path}"\n',
                                                encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        load_inputs(load_config(tmp_path / "site_builder.toml"))
    assert any("constraints pattern are not applied" in r.getMessage() for r in caplog.records)
