"""A credit centre's own catalogue and profile: mistakes that had published wrongly or crashed are refused when the
catalogue loads, naming the file and the key (a tester's findings with a catalogue of local items)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CATALOGUE, CATALOGUE_DIR, PROFILES_DIR

from site_builder.exceptions import CatalogueError
from site_builder.rules.catalogue import load_catalogue
from site_builder.rules.profiles import load_profile


def _catalogue(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of the packaged catalogue with ``file: (old, new)`` text replaced."""
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)
    for name, (old, new) in edits.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _refused(folder: Path) -> str:
    with pytest.raises(CatalogueError) as error:
        load_catalogue(folder)
    return str(error.value)


def test_the_packaged_catalogue_passes_the_checks() -> None:
    assert load_catalogue(CATALOGUE_DIR).ids == CATALOGUE.ids


def test_a_typo_in_a_length_per_severity_is_refused(tmp_path: Path) -> None:
    """Bug: ``max: {general: 1y, serous: 3y}`` loaded, and a serious penalty was then public with no end."""
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("max: {general: 1y, serious: 3y}",
                                                                    "max: {general: 1y, serous: 3y}")}))
    assert "'serous' is not a value of the severity field severity" in message, message


def test_a_minimum_longer_than_the_maximum_is_refused(tmp_path: Path) -> None:
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("min: {general: 3m, serious: 6m}",
                                                                    "min: {general: 3m, serious: 5y}")}))
    assert "min: longer than max (serious)" in message, message


def test_a_period_starting_on_an_optional_date_is_refused(tmp_path: Path) -> None:
    """Bug: a row without the optional start date stopped the build with an AssertionError."""
    message = _refused(_catalogue(tmp_path, {"commendation.yaml": ("start: decision_date", "start: valid_until")}))
    assert "start: 'valid_until' is optional" in message, message


def test_an_end_field_written_as_text_is_one_error(tmp_path: Path) -> None:
    """Bug: ``ends_at: valid_until`` gave one error per letter ('u' is not a date field)."""
    message = _refused(_catalogue(tmp_path, {"commendation.yaml": ("ends_at: [valid_until]", "ends_at: valid_until")}))
    assert "ends_at: expected a list of date fields ([valid_until])" in message and "'u'" not in message, message


def test_an_item_listed_twice_is_refused(tmp_path: Path) -> None:
    """Bug: ``items: [..., admin_penalty]`` repeated stopped the build with a sqlite3 IntegrityError after rendering."""
    message = _refused(_catalogue(tmp_path, {"common.yaml": ("judgment]", "judgment, admin_penalty]")}))
    assert "'admin_penalty' is listed more than once" in message, message


@pytest.mark.parametrize(("old", "new", "says"), [
    ("files: [判决信息, 涉经济类判决信息, pjxx]", "files: [判决信息, 涉经济类判决信息, pjxx, 失信名单]", "'失信名单'"),
    ("title: 涉经济类判决", "title: 行政处罚", "'行政处罚'"),
])
def test_a_name_two_items_claim_is_refused(tmp_path: Path, old: str, new: str, says: str) -> None:
    """Bug: a local item claiming 失信名单 (an alias of the packaged dishonest_list) had its export read as the
    serious-dishonesty list, published with no end date."""
    message = _refused(_catalogue(tmp_path, {"judgment.yaml": (old, new)}))
    assert says in message and "also names item" in message, message


@pytest.mark.parametrize("item_id", ["statistics", "datapackage"])
def test_an_item_id_the_download_folder_uses_is_refused(tmp_path: Path, item_id: str) -> None:
    folder = _catalogue(tmp_path, {"common.yaml": ("judgment]", f"judgment, {item_id}]")})
    text = (folder / "judgment.yaml").read_text(encoding="utf-8").replace("id: judgment", f"id: {item_id}", 1)
    (folder / f"{item_id}.yaml").write_text(text.replace("title: 涉经济类判决", "title: 本地项目", 1)
                                            .replace("files: [判决信息, 涉经济类判决信息, pjxx]", "files: []", 1), encoding="utf-8")
    assert f"id: '{item_id}' is the name of the download folder's own files" in _refused(folder)


def test_a_field_named_like_a_data_files_own_column_is_refused(tmp_path: Path) -> None:
    message = _refused(_catalogue(tmp_path, {"judgment.yaml": ("name: case_no", "name: publication_until")}))
    assert "(publication_until): the name of a column every data file has" in message, message


def test_an_id_number_field_published_plainly_is_refused(tmp_path: Path) -> None:
    """Bug: a local item's 证件号码 (role id_no) declared public published a natural person's whole ID number, and the
    leak scan, which looks for masked fields' values, said nothing."""
    folder = _catalogue(tmp_path, {"common.yaml": ("      role: id_no\n      disclosure: masked\n      mask: id_number\n",
                                                   "      role: id_no\n      disclosure: public\n")})
    assert "an ID number (role id_no) is never published plainly" in _refused(folder)


def test_a_typo_in_a_profiles_length_per_severity_is_refused(tmp_path: Path) -> None:
    """The same check for a profile's own period of an item."""
    profiles = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, profiles)
    path = profiles / "zhejiang.yaml"
    text = path.read_text(encoding="utf-8")
    rule = ("  admin_penalty:\n    start: decision_date\n    severity: severity\n    max: {general: 1y, serous: 3y}\n"
            "    basis: 测试\n")
    path.write_text(text.replace("periods:\n", "periods:\n" + rule, 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match="'serous' is not a value of the severity field"):
        load_profile([profiles], "zhejiang", CATALOGUE)


def test_a_person_name_mask_on_another_field_masks_it_on_a_companys_record_too(tmp_path: Path) -> None:
    """Bug: a local item's 检查人员 declared ``disclosure: masked, mask: person_name`` was published whole on a company's
    records (masked only on a natural person's), while the data package said the names were masked. Only the subject's
    own name is a person's name on a natural person's record alone."""
    import datetime as dt

    from conftest import row

    from site_builder.rules.disclosure import Decision
    from site_builder.rules.redaction import redact
    from site_builder.rules.validation import Record, Validator
    from site_builder.sources.loading import RawRow

    folder = _catalogue(tmp_path, {"common.yaml": ("      title: 法定代表人\n      type: string\n      disclosure: public\n",
                                                   "      title: 法定代表人\n      type: string\n      disclosure: masked\n"
                                                   "      mask: person_name\n")})
    item = load_catalogue(folder)["admin_penalty"]
    checked = Validator(item).validate(RawRow("admin_penalty", "a.csv", 2, row("admin_penalty", legal_rep="王小明")))
    assert isinstance(checked, Record), checked
    fields = redact(checked, item, Decision(True, start=dt.date(2026, 6, 1))).fields
    assert fields["legal_rep"] == "王*明" and fields["subject_name"] == checked.values["subject_name"]
