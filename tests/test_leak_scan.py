"""The leak scan at scale (issue 13): it reads a zip member only if no file of the site has the same content, and
finds a secret anywhere in a text too long to fold at once, across the places where it is cut."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from site_builder.rules import privacy
from site_builder.rules.privacy import Secrets, scan_for_leaks

ID = "330102199001011234"
"""A resident ID number (valid check character), the secret looked for."""


def secrets() -> Secrets:
    found = Secrets()
    found.add(ID)
    return found


def test_a_zip_member_scanned_as_a_file_of_its_own_is_not_read_again(tmp_path: Path) -> None:
    table = f"编号,内容\n1,身份证号{ID}\n".encode()
    (tmp_path / "a.csv").write_bytes(table)
    with zipfile.ZipFile(tmp_path / "p.zip", "w") as archive:
        archive.writestr("a.csv", table)
        archive.writestr("b.txt", f"另一份：{ID[:6]} {ID[6:14]} {ID[14:]}")
    covered = frozenset({hashlib.sha256(table).hexdigest()})
    assert scan_for_leaks(tmp_path, secrets(), ["a.csv", "p.zip"], covered=covered) == [
        "a.csv: contains 1 withheld value(s) or raw ID number(s)", "p.zip!b.txt: contains 1 withheld value(s) or raw ID number(s)"]
    assert len(scan_for_leaks(tmp_path, secrets(), ["p.zip"])) == 2  # nothing covered: both members read


@pytest.mark.parametrize("offset", [-20, -10, -3, 0, 5])
def test_a_secret_where_a_long_text_is_cut_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset: int) -> None:
    monkeypatch.setattr(privacy, "SCAN_PIECE", 1000)
    written = ID[:6] + "-" + ID[6:14] + " " + ID[14:]  # with separators: 20 characters
    text = "甲" * (1000 + offset) + written + "乙" * 3000
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    assert scan_for_leaks(tmp_path, secrets(), ["long.txt"]) == ["long.txt: contains 1 withheld value(s) or raw ID number(s)"]
    (tmp_path / "long.txt").write_text(text.replace(written, ID[:10]), encoding="utf-8")
    assert scan_for_leaks(tmp_path, secrets(), ["long.txt"]) == []


def test_a_few_large_files_are_scanned_side_by_side_with_the_same_findings(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Few files but many bytes (the data files a next-day build writes again) go to the scanning processes, cut into
    tasks by size; what they find, and its order, is what one process finds."""
    names = []
    for number in range(7):
        lines = [f"{row},记录{row}\n" for row in range(20_000)]
        if number in (1, 4, 5):  # the secret as written in three forms, in three files
            lines[number * 997] = ("身份证" + [ID, f"{ID[:6]} {ID[6:14]}·{ID[14:]}", ID.replace("1", "１")][number % 3] + "\n")
        (tmp_path / f"t{number}.csv").write_text("".join(lines), encoding="utf-8")
        names.append(f"t{number}.csv")
    alone = scan_for_leaks(tmp_path, secrets(), names)
    assert alone == [f"t{n}.csv: contains 1 withheld value(s) or raw ID number(s)" for n in (1, 4, 5)]
    monkeypatch.setattr(privacy, "SCAN_PARALLEL_BYTES", 1)
    monkeypatch.setattr(privacy, "SCAN_CHUNK_BYTES", 400_000)
    sizes = [(tmp_path / name).stat().st_size for name in names]
    assert len(privacy._chunks([tmp_path / name for name in names], sizes)) > 2
    assert scan_for_leaks(tmp_path, secrets(), names, processes=2) == alone
