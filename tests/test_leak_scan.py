"""The leak scan at scale (issue 13): it reads a zip member only if no file of the site has the same content,
finds a secret anywhere in a text too long to fold at once, across the places where it is cut, and finds, folding a
text line by line (remembering each line), what folding it whole finds. It reads a text as its readers do: an Excel
workbook's XML with its character references decoded, a page's or a JSON file's escapes decoded."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from site_builder.rules import privacy
from site_builder.rules.privacy import LINE_BY_LINE, LOOSE_SECRET, Secrets, fold, scan_for_leaks

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
    assert len(privacy._chunks(names, sizes)) > 2
    assert scan_for_leaks(tmp_path, secrets(), names, processes=2) == alone


def whole_text_find(secrets: Secrets, text: str) -> list[str]:
    """What :meth:`Secrets.find` finds, folding the whole text at once (as it did before it went line by line)."""
    folded = fold(text).upper()
    solid = {code for code in secrets.codes if len(code) < LOOSE_SECRET and code in folded}
    loose_text = re.sub(privacy._SEP, "", "".join(folded.split()))
    loose = {code for code in secrets.codes if len(code) >= LOOSE_SECRET and code in loose_text}
    return sorted(solid | loose | {text for text in secrets.texts if text.upper() in loose_text})


_AROUND = ["AB1234", "１２３", "三三〇", "\u0301", "\u200b", "é", "e", "\n", "\r\n", " ", "-", "·", "。", "（", "甲乙", "x"]
_BETWEEN = ["", "", "", " ", "\n", "\r\n", "-", "·", "\u200b", "\n\u0301"]
_WRITTEN = {"0": ["0", "０", "〇"], "1": ["1", "１", "一"], "3": ["3", "３", "三"], "X": ["X", "x", "Ｘ"]}


@st.composite
def written(draw: st.DrawFn) -> str:
    """A secret written with its characters full-width or Chinese, separators and line breaks between them, in text."""
    secret = draw(st.sampled_from([ID, "AB1234", "330102", "甲乙甲乙丙丁"]))
    characters = [draw(st.sampled_from(_WRITTEN.get(c, [c]))) for c in secret]
    between = draw(st.lists(st.sampled_from(_BETWEEN), min_size=len(secret), max_size=len(secret)))
    before, after = (draw(st.lists(st.sampled_from(_AROUND), max_size=6)) for _ in range(2))
    return "".join(before) + "".join(c + s for c, s in zip(characters, between, strict=True)) + "".join(after)


@settings(max_examples=200, deadline=None)
@given(written(), written())
def test_a_text_scanned_line_by_line_gives_what_the_whole_text_gives(first: str, second: str) -> None:
    """Secrets split by line breaks and separators, written full-width, in Chinese digits, with combining and
    zero-width characters around the line breaks: the same findings, for a text seen first and for one whose lines
    were seen before (the memory of lines)."""
    found = secrets()
    found.add("AB1234")
    found.add("330102")  # shorter than a loose secret: found only written solid
    found.add("甲乙甲乙丙丁")
    for text in (first, second, first + "\n" + second):
        assert found.find(text) == whole_text_find(found, text)
    try:  # and a text longer than a page, folded at once
        privacy.LINE_BY_LINE = 0
        assert found.find(first + "\n" + second) == whole_text_find(found, first + "\n" + second)
    finally:
        privacy.LINE_BY_LINE = LINE_BY_LINE


_FOLD_PATTERNS = (re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]"), re.compile("[〇零一二三四五六七八九]"))
"""What folding removes and what it turns into digits, as patterns (how folding was first written)."""
_TRICKY = st.sampled_from(["\u00ad", "\u200b", "\u200f", "\u2060", "\u2064", "\ufeff", "〇", "零", "一", "九", "０", "Ｘ", "－",
                           "\u2010", "\u2015", "\u2212", "・", "·", "•", "。", "\u3000", "\u00a0", "\u2028", "\x1c", "_", ".",
                           "/", "\\", "-", " ", "\n", "\r", "\t", "ﬁ", "①", "㈠", "Ａ", "a", "3"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TRICKY, st.characters(exclude_categories=["Cs"])), max_size=40).map("".join))
def test_folding_and_removing_separators_do_what_their_patterns_do(text: str) -> None:
    """Folding (NFKC, zero-width characters dropped, Chinese digits as digits) and removing white space and
    separators, written as searches and replacements per character, give what one pattern each gives."""
    zero_width, digit = _FOLD_PATTERNS
    chinese = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
    folded = digit.sub(lambda m: chinese[m.group()], zero_width.sub("", unicodedata.normalize("NFKC", text)))
    assert privacy._fold(text) == folded
    assert privacy.unseparated(text) == re.sub(privacy._SEP, "", text)
    assert privacy.unseparated(folded) == re.sub(r"[\s_./\\\-\u2010-\u2015\u2212\u30fb\u00b7\u2022\u3002]", "", folded)


ADDRESS = "浙江省杭州市西湖区文三路九十号"
"""A withheld text (a natural person's address), the other kind of secret."""


def both() -> Secrets:
    found = secrets()
    found.add(ADDRESS)
    return found


@pytest.mark.parametrize("cell", [f"身份证号{ID.translate(str.maketrans('0123456789', '０１２３４５６７８９'))}",
                                  f"身份证号{ID[:6]}一九九〇{ID[10:]}",  # 1990 in Chinese digits
                                  f"住所：{ADDRESS}"])
def test_a_secret_in_an_excel_workbook_is_found_whatever_characters_write_it(tmp_path: Path, cell: str) -> None:
    """openpyxl writes every character outside ASCII as an XML character reference (``&#27993;``): read as written,
    full-width digits, Chinese digits and Chinese text would hide there; the workbook is read as Excel reads it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(["编号", "内容"])
    sheet.append(["1", cell])
    book.save(tmp_path / "t.xlsx")
    assert scan_for_leaks(tmp_path, both(), ["t.xlsx"]) == [
        "t.xlsx!xl/worksheets/sheet1.xml: contains 1 withheld value(s) or raw ID number(s)"]
    book = Workbook(write_only=True)
    book.create_sheet("数据").append(["1", cell[:-3]])
    book.save(tmp_path / "t.xlsx")
    assert scan_for_leaks(tmp_path, both(), ["t.xlsx"]) == []


@pytest.mark.parametrize(("name", "text"), [
    ("p.html", f"<p>身份证号&#x{ord(ID[0]):x};&#{ord(ID[1])};{ID[2:6]}&nbsp;{ID[6:14]}&#8209;{ID[14:]}</p>"),
    ("p.html", f"<p>{ADDRESS[:4]}&#{ord(ADDRESS[4])};{ADDRESS[5:]}</p>"),
    ("d.json", '{"住所": "' + "".join(f"\\u{ord(c):04x}" for c in ADDRESS) + '"}'),
    ("d.json", '{"号码": "' + ID[:-1] + '\\ud835\\udfd2"}'),  # the last digit, 4, as U+1D7D2
    ("d.xml", f"<a b=\"{ID[:9]}&#{ord(ID[9])};{ID[10:]}\"/>"),
])
def test_a_secret_written_in_escapes_is_found(tmp_path: Path, name: str, text: str) -> None:
    """Character references and entities (HTML, XML) and JSON ``\\u`` escapes (a surrogate pair too: 𝟒, MATHEMATICAL
    BOLD DIGIT FOUR, folds to 4) are what a browser, an XML reader or a JSON reader turns into characters."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert scan_for_leaks(tmp_path, both(), [name]) == [f"{name}: contains 1 withheld value(s) or raw ID number(s)"]


def test_escapes_that_make_no_secret_find_nothing_and_a_file_is_named_once(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(f"<p>&amp; &#39;{ID[:10]}&#39; &lt;{ADDRESS[:5]}&gt; \\u0041</p>", encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<p>{ID} &#39;{ADDRESS}&#39;</p>", encoding="utf-8")  # in both readings
    assert scan_for_leaks(tmp_path, both(), ["a.html", "b.html"]) == ["b.html: contains 2 withheld value(s) or raw ID number(s)"]
