"""A site for another region set up from the docs (stop 39): mistakes in its own catalogue and profile files that were
accepted (and published wrongly) or stopped the build with a traceback are refused when they load, naming the file and
the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CATALOGUE, CATALOGUE_DIR, PROFILES_DIR

from site_builder.exceptions import CatalogueError
from site_builder.rules.catalogue import Catalogue, load_catalogue
from site_builder.rules.profiles import Policy, load_profile


def _catalogue(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of the packaged catalogue with ``file: (old, new)`` text replaced (the first occurrence)."""
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


# --- 3. An impossible date in the catalogue -----------------------------------------------------------------------

def test_an_impossible_date_in_the_catalogue_is_refused_by_its_key(tmp_path: Path) -> None:
    """Case cat_bad_date: ``until: 2023-02-30`` stopped the build with a ValueError traceback."""
    message = _refused(_catalogue(tmp_path, {"admin_penalty.yaml": ("until: 2023-04-30", "until: 2023-02-30")}))
    assert "admin_penalty.yaml: period.versions[0].until: '2023-02-30' is not a date (YYYY-MM-DD)" in message, message


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
