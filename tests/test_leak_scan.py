"""The leak scan at scale (issue 13): it reads a zip member only if no file of the site has the same content,
finds a secret anywhere in a text too long to fold at once, across the places where it is cut, and finds, folding a
text line by line (remembering each line), what folding it whole finds. It reads a text as its readers do: an Excel
workbook's XML with its character references decoded, a page's or a JSON file's escapes decoded."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import CATALOGUE, COMPANY, make_resident_id, make_uscc, person, record, row, validate
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from stdnum import luhn
from stdnum.cn import ric

from site_builder.rules import privacy
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.disclosure import Decision
from site_builder.rules.identifiers import mask_id_number, other_generation, personal_id_problem
from site_builder.rules.privacy import LINE_BY_LINE, LOOSE_SECRET, Secrets, fold, scan_for_leaks
from site_builder.rules.redaction import redact
from site_builder.rules.validation import Quarantined
from site_builder.sources.loading import RawRow

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
    spread = {code for code in secrets.codes
              if len(code) >= LOOSE_SECRET or (len(code) >= 8 and re.search("[0-9]", code) and re.search("[A-Z]", code))}
    solid = {code for code in secrets.codes - spread if code in folded}
    loose_text = re.sub(privacy._SEP, "", "".join(folded.split()))
    loose = {code for code in spread if code in loose_text}
    return sorted(solid | loose | {text for text in secrets.texts if text.upper() in loose_text})


_AROUND = ["AB1234", "１２３", "三三〇", "\u0301", "\u200b", "é", "e", "\n", "\r\n", " ", "-", "·", "。", "（", "甲乙", "x"]
_BETWEEN = ["", "", "", " ", "\n", "\r\n", "-", "·", "\u200b", "\n\u0301"]
_WRITTEN = {"0": ["0", "０", "〇", "洞"], "1": ["1", "１", "一", "幺"], "3": ["3", "３", "三"], "X": ["X", "x", "Ｘ"]}


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


_UNASSIGNED_IGNORABLE = "\u2065\ufff0-\ufff8\U00013439-\U0001343f\U000e0000-\U000e00ff\U000e01f0-\U000e0fff"
"""Code points Unicode keeps for more format controls (default-ignorable, unassigned in this Python's Unicode)."""
_FOLD_PATTERNS = (re.compile("[" + re.escape("".join(chr(cp) for cp in range(0x110000)
                                                     if unicodedata.category(chr(cp)) in ("Cf", "Mn", "Me")))
                             + "\u17b4\u17b5\u115f\u1160\u3164\uffa0" + _UNASSIGNED_IGNORABLE + "]"),
                  re.compile("[〇○◯零一二三四五六七八九壹贰貳叁參叄肆伍陆陸柒捌玖〡〢〣〤〥〦〧〨〩×✕✖⨯ΧχХх]"),
                  re.compile(r"(?![0-9])\d"))
"""What folding removes (every format control, the combining marks that decorate a character, the variation
selectors, the Hangul fillers), what it turns into digits (or X), and the decimal digits of other scripts, as patterns
(how folding was first written)."""
_AS_DIGIT = dict(zip("〇○◯零一二三四五六七八九壹贰貳叁參叄肆伍陆陸柒捌玖〡〢〣〤〥〦〧〨〩×✕✖⨯ΧχХх",
                     "0000123456789" "1223334566789" "123456789" "XXXXXXXX", strict=True))
_SEPARATOR_CLASS = r"[^\w]|_|[\u4e28\u02c7\u02c9\u02ca\u02cb\u02d9]"
"""Every character that is not a letter or digit of some script, the underscore, 丨 and the tone marks (written as
strokes)."""
_TIGHT_CLASS = r"[\s_./\\\-\u2010-\u2015\u2212\u30fb\u00b7\u2022\u3002]"
"""White space, dashes, dots, slashes: what :func:`privacy.tight` removes."""


_DINGBATS = "⓿⓵⓶⓷⓸⓹⓺⓻⓼⓽❶❷❸❹❺❻❼❽❾➀➁➂➃➄➅➆➇➈➊➋➌➍➎➏➐➑➒"
_DINGBAT_RUN = re.compile(rf"[0{_DINGBATS}](?:(?:{_SEPARATOR_CLASS}){{0,3}}[0{_DINGBATS}])*")
"""A run of zeros and the dingbat digits folding leaves to NFKC, up to three separators between two."""


def _dingbats_read(match: re.Match[str]) -> str:
    """Dingbat digits read as digits in a run that holds two or more of them (one alone numbers a list)."""
    run = match.group()
    if sum(char in _DINGBATS for char in run) < 2:
        return run
    return "".join(str(unicodedata.digit(char)) if char in _DINGBATS else char for char in run)


_SPOKEN = "幺两兩洞拐勾"
_SPOKEN_RUN = re.compile(rf"[0-9{_SPOKEN}](?:(?:(?!\n)(?:{_SEPARATOR_CLASS})){{0,3}}[0-9{_SPOKEN}])*")
"""A run of digits and the digits as spoken (幺 for 1, 两 for 2, the radio's 洞 拐 勾 for 0, 7, 9), up to three separators
other than a line break between two."""


def _spoken_read(match: re.Match[str]) -> str:
    """The spoken digits of a run of at least six digits as digits, but one at its end that a word goes on from."""
    run, after = match.group(), match.string[match.end():match.end() + 1]
    head = run.rstrip(_SPOKEN) if after and not after.isascii() and after.isalnum() else run
    if sum(char.isdigit() or char in _SPOKEN for char in head) < 6:
        return run
    return head.translate(str.maketrans(_SPOKEN, "122079")) + run[len(head):]


_TRICKY = st.sampled_from(["\u00ad", "\u200b", "\u200f", "\u2060", "\u2064", "\ufeff", "〇", "零", "一", "九", "０", "Ｘ", "－",
                           "\u2010", "\u2015", "\u2212", "・", "·", "•", "。", "\u3000", "\u00a0", "\u2028", "\x1c", "_", ".",
                           "/", "\\", "-", " ", "\n", "\r", "\t", "ﬁ", "①", "㈠", "Ａ", "a", "3", "壹", "貳", "參", "陸", "×",
                           "χ", "，", "、", "：", "（", "）", "【", "】", "|", "*", "+", "；", "”", "《", "○", "◯", "丨",
                           "→", "─", "■", "¦", "∶", "ˉ", "ˊ", "々", "ー", "\u180e", "\u034f", "\ufe0f", "\x01",
                           "〡", "〣", "〩", "٣", "۳", "३", "๓", "১", "\U00011067", "\U0001e953", "😀", "\U00020000",
                           "➊", "➀", "➓", "⓿", "❸", "\U0001f101", "\U0001f10b", "⑽", "¹", "\u3164", "\uffa0", "\u2800",
                           "\U0001d173", "\U0001bca0", "\U00013430", "\U000e0041", "\u2066", "\u202e", "\u0600",
                           "\u0336", "\u0332", "\u20e3", "\u20dd", "\ufe0e", "\U000e0100", "\u0301", "e", "幺", "两", "洞",
                           "勾", "年", "⑴", "⑶", "Ⅲ", "Ⅸ", "ⅳ", "Ⅹ", "Ⅻ", "幺三八幺二", "\n两"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TRICKY, st.characters(exclude_categories=["Cs"])), max_size=40).map("".join))
def test_folding_and_removing_separators_do_what_their_patterns_do(text: str) -> None:
    """Folding (NFKC, zero-width characters dropped, Chinese digits, financial and Suzhou numerals and the decimal
    digits of every script as digits (not the dingbat circled digits ➊ ❸, which number lists), the digits as spoken in
    a run long enough to be a number, look-alikes of X as X)
    and removing white space, separators and punctuation, written as searches and replacements per character, give
    what one pattern each gives."""
    zero_width, digit, other = _FOLD_PATTERNS
    # ① alone numbers a list, as ➀ does; so do ⑴ and Ⅰ
    circled = text.translate(str.maketrans("⓪①②③④⑤⑥⑦⑧⑨⑴⑵⑶⑷⑸⑹⑺⑻⑼ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅰⅱⅲⅳⅴⅵⅶⅷⅸ",
                                           "⓿➀➁➂➃➄➅➆➇➈" + "➀➁➂➃➄➅➆➇➈" * 3))
    folded = digit.sub(lambda m: _AS_DIGIT[m.group()], zero_width.sub("", unicodedata.normalize("NFKC", circled)))
    folded = other.sub(lambda m: str(unicodedata.decimal(m.group())), folded)
    folded = _DINGBAT_RUN.sub(_dingbats_read, folded)
    folded = re.sub(f"(?<=[0-9])[{_DINGBATS}]+", lambda m: "".join(str(unicodedata.digit(c)) for c in m.group()), folded)
    folded = _SPOKEN_RUN.sub(_spoken_read, folded)
    assert privacy._fold(text) == folded
    assert privacy.unseparated(text) == re.sub(privacy._SEP, "", text)
    assert privacy.unseparated(folded) == re.sub(_SEPARATOR_CLASS, "", folded)
    assert privacy.tight(folded) == re.sub(_TIGHT_CLASS, "", folded)


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


# Issue: leaks found by a tester (punctuation between digit groups, × and financial numerals, residence permit and
# foreign permanent residence numbers, short withheld codes written with separators, names with notes, a natural
# person's ID number in a code column, secrets that stopped builds for no privacy reason).

def leaks(tmp_path: Path, found: Secrets, text: str) -> list[str]:
    """What the leak scan reports for one page holding ``text``."""
    (tmp_path / "p.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    return scan_for_leaks(tmp_path, found, ["p.html"])


LEAK = ["p.html: contains 1 withheld value(s) or raw ID number(s)"]
GROUPED = [("，", "，"), ("(", ")"), ("、", "、"), (" , ", " , "), ("：", "："), (";", ";"), ("；", "；"), ("（", "）"),
           ("【", "】"), ("|", "|"), ("*", "*"), ("+", "+"), ("    ", "    "), (" \t  \u3000 ", "\n\n\n\n"), ("-,", ",-"),
           ("丨", "丨"), ("─", "─"), ("→", "→"), ("⸺", "⸺"), ("¦", "¦"), ("∶", "∶"), ("ˉ", "ˉ"), ("■", "■"),
           ("\u180e", "\u034f"), ("\ufe0f", "\u180e"), ("\x01", "\x7f")]
"""Pairs of what stands between an ID number's three groups: punctuation, symbols an input method gives, box drawing,
invisible and combining characters (a browser shows the number unbroken), control characters."""


@pytest.mark.parametrize(("first", "second"), GROUPED)
def test_an_id_number_with_punctuation_between_its_groups_is_masked_and_found(tmp_path: Path, first: str,
                                                                              second: str) -> None:
    """``330102，19800707，0716``, ``330102(19800107)0061``, runs of four spaces: the groups are one ID number."""
    written = f"{ID[:6]}{first}{ID[6:14]}{second}{ID[14:]}"
    masked = privacy.scrub(f"身份证号{written}号")
    assert ID not in privacy.canonical(masked) and masked.startswith("身份证号330") and masked.endswith("1234号"), masked
    assert privacy.numbers_in(f"身份证号{written}") == [ID]
    assert leaks(tmp_path, secrets(), f"身份证号{written}") == LEAK


@pytest.mark.parametrize("written", [
    f"{ID[:6]}&nbsp;{ID[6:14]}&nbsp;{ID[14:]}", f"{ID[:6]}<br>{ID[6:14]}<br/>{ID[14:]}", f"{ID[:6]}&#160;{ID[6:]}",
    f"{ID[:6]}</span><span class=\"x\">{ID[6:]}", ID.replace("0", "O"), ID.replace("0", "o"),
])
def test_an_id_number_typed_with_markup_or_the_letter_o_is_masked(written: str) -> None:
    """Bug: HTML typed into a cell (the page shows it as text: ``330102&nbsp;19800707&nbsp;0716``) or the letter O for
    0 (``33O102…``) kept a reader's ID number whole on the page."""
    masked = privacy.scrub(f"身份证号{written}号")
    assert masked.startswith("身份证号330") and masked.endswith("1234号") and "*" in masked, masked
    assert privacy.numbers_in(f"身份证号{written}") == [ID]


@pytest.mark.parametrize(("written", "shown"), [
    ("8613800138000", "86138****8000"), ("+8613800138000", "+86138****8000"), ("008613800138000", "0086138****8000"),
    ("+86 138-0013-8000", "+86 138****8000"),
])
def test_a_mobile_number_after_chinas_calling_code_is_masked(written: str, shown: str) -> None:
    """Bug: ``8613800138000`` (the calling code written before the number, without a separator) was published whole."""
    assert privacy.scrub(f"联系电话{written}。") == f"联系电话{shown}。"
    assert privacy.numbers_in(written)[0].endswith("13800138000")


@pytest.mark.parametrize("text", ["ISO9001认证", "NO.1 2O26", "COVID-19 2O2O年", "房间1O1", "<b>2026</b>年<i>11</i>月", "&amp;1380013"])
def test_the_letter_o_and_markup_make_no_number_of_their_own(text: str) -> None:
    assert privacy.numbers_in(text) == [] and privacy.scrub(text) == text


@pytest.mark.parametrize("text", [
    "检查日期：2022-11-01、2022-12-07、2022-12-08",  # 11|01|2022|12|07|2022|12 would be a valid ID number
    "检查日期：2022-11-01, 2022-12-07, 2022-12-08，整改期限2023-01-05",
    "罚款13,500,000,000元", "金额：1,380,013,800元；12,345,678,901,234,567元",
    "编号13301，0219，8001，0100，18",  # a valid ID number only if 13301 were cut in two
])
def test_lists_of_dates_and_amounts_are_not_read_as_numbers(text: str) -> None:
    """Across punctuation, digit groups make an ID number only as whole groups (dates written 2022-11-01 are one group
    each: three of them never make 18 digits), and never a mobile phone or bank card number (amounts)."""
    assert privacy.numbers_in(text) == []
    assert privacy.scrub(text) == text


@pytest.mark.parametrize("written", ["33010219800201028×", "33010219800201028✕", "33010219800201028χ",
                                     "叁叁零壹零贰壹玖捌零零贰零壹零贰捌×", "參參零壹零貳壹玖捌零零貳零壹零貳捌X",
                                     "叁叁〇一〇二，一九八〇〇二〇一，〇二八×"])
def test_an_id_number_with_a_times_sign_or_financial_numerals_is_masked_and_found(tmp_path: Path, written: str) -> None:
    number = "33010219800201028X"
    assert privacy.unseparated(privacy.fold(written)) == number
    assert privacy.numbers_in(f"身份证号{written}") == [number]
    assert number not in privacy.canonical(privacy.scrub(f"身份证号{written}"))
    found = Secrets()
    found.add(number)
    assert leaks(tmp_path, found, f"身份证号{written}") == LEAK
    assert privacy.fold("3×4米") == "3X4米" and privacy.numbers_in("面积3×4米，3×4=12") == []


TAIWAN = "830000198001120110"
"""A 台湾居民居住证 number (address code 830000)."""
FOREIGNER = "931586198001130126"
"""A 2023 外国人永久居留身份证 number: 9, Shanghai (31), Pakistan (586), born 1980-01-13, sequence 012, check 6."""


@pytest.mark.parametrize("number", [TAIWAN, FOREIGNER, "810000199001011239"[:17] + "X"])
def test_residence_permit_and_foreign_permanent_residence_numbers_are_id_numbers(number: str) -> None:
    number = number[:17] + ric.calc_check_digit(number)
    assert personal_id_problem(number) is None
    assert privacy.numbers_in(f"证件号{number[:6]} {number[6:14]}，{number[14:]}") == [number]
    assert privacy.numbers_in(f"AP-{number}", privacy.CODE) == [number]  # so a record id holding one is refused
    assert privacy.scrub(number) == number[:3] + "*" * 11 + number[-4:]
    wrong = number[:17] + str((int(number[17]) + 1) % 10 if number[17] != "X" else 0)
    assert privacy.numbers_in(wrong) == []
    assert personal_id_problem("9" + "00" + number[3:]) is not None  # no province 00


def test_a_record_id_holding_a_foreign_permanent_residence_number_is_refused() -> None:
    checked = validate("admin_penalty", record_id=f"AP-{FOREIGNER}")
    assert isinstance(checked, Quarantined) and [p.type for p in checked.problems] == ["unsafe-id"]
    checked = validate("admin_penalty", record_id=f"AP-{TAIWAN}")
    assert isinstance(checked, Quarantined) and [p.type for p in checked.problems] == ["unsafe-id"]


@pytest.mark.parametrize(("code", "written"), [("E55512345", "E 5551 2345"), ("H01234567", "H-0123-4567"),
                                               ("H01234567", "h０１２３，４５６７"), ("AB123456", "AB 12.34.56")])
def test_a_short_withheld_code_of_letters_and_digits_is_found_with_separators(tmp_path: Path, code: str,
                                                                             written: str) -> None:
    found = Secrets()
    found.add(code)
    assert leaks(tmp_path, found, f"护照号{written}") == LEAK
    assert leaks(tmp_path, found, f"护照号{written[:-1]}") == []


def test_a_short_number_of_digits_only_is_still_found_only_written_solid(tmp_path: Path) -> None:
    found = Secrets()
    found.add("55512345")
    assert leaks(tmp_path, found, "编号55512345") == LEAK
    assert leaks(tmp_path, found, "2025-5-5, 1234 5号") == []  # digits of dates and amounts, separators removed


def test_a_withheld_id_type_is_not_a_secret(tmp_path: Path) -> None:
    """法定代表人证件类型 is a category, not personal data (``中华人民共和国居民身份证`` and ``统一社会信用代码`` are
    written on every page): collected as a secret, it stopped every build."""
    item = CATALOGUE["admin_penalty"]
    found = Secrets()
    for kind in ("中华人民共和国居民身份证", "统一社会信用代码", "外国人永久居留身份证", "某种罕见的证件类型"):
        raw = RawRow("admin_penalty", "admin_penalty.csv", 2, row("admin_penalty", legal_rep_id_type=kind, legal_rep_id_no=ID))
        assert privacy.row_secrets(raw, item)[1] == ()
        found.add_row(raw, item)
    assert found.texts == set() and found.codes == {ID[:17]}  # the 17 digits that decide the check character
    assert leaks(tmp_path, found, "法定代表人证件类型：中华人民共和国居民身份证；统一社会信用代码：某种罕见的证件类型") == []


def test_a_withheld_value_that_is_a_published_code_stops_no_build(tmp_path: Path) -> None:
    """A 法定代表人证件号码 that is the company's own 统一社会信用代码 (a slip of data entry) is published anyway: the
    scan does not look for it, and redaction does not mask the code where the record repeats it."""
    item = CATALOGUE["admin_penalty"]
    raw = RawRow("admin_penalty", "admin_penalty.csv", 2, row("admin_penalty", legal_rep_id_no=COMPANY))
    codes, _texts, _found, public = privacy.row_secrets(raw, item)
    assert COMPANY in codes and COMPANY in public
    found = Secrets()
    found.add_row(raw, item)
    assert leaks(tmp_path, found, f"统一社会信用代码 {COMPANY}") == []
    assert found.digests() == []
    found.add_row(RawRow("admin_penalty", "admin_penalty.csv", 3, row("admin_penalty", legal_rep_id_no=ID)), item)
    assert leaks(tmp_path, found, f"统一社会信用代码{COMPANY}") == []
    assert leaks(tmp_path, found, f"{ID[:6]}，{ID[6:]}") == LEAK
    assert COMPANY in _redacted(legal_rep_id_no=COMPANY, remarks=f"统一社会信用代码{COMPANY}")["remarks"]


def _redacted(**values: str) -> dict[str, str]:
    return redact(record("admin_penalty", **values), CATALOGUE["admin_penalty"],
                  Decision(True, start=dt.date(2026, 6, 1))).fields


@pytest.mark.parametrize(("name", "shown"), [("王小二（个人）", "王*二（个人）"), ("王小二(经营者)", "王*二(经营者)"),
                                             ("王小二/王二", "王*二/王*"), ("王小二", "王*二"),
                                             ("王小二（王小二本人）", "王*二（王*二本人）")])
def test_a_natural_persons_name_with_a_note_is_masked_name_by_name(name: str, shown: str) -> None:
    fields = _redacted(**person(subject_name=name), violation_facts="当事人王小二无证经营，王 二签字")
    assert fields["subject_name"] == shown
    assert "王小二" not in fields["violation_facts"] and "王*二无证经营" in fields["violation_facts"]
    if "王二" in name:
        assert "王 二" not in fields["violation_facts"]


def test_a_natural_persons_id_number_in_a_code_column_is_masked_and_withheld(tmp_path: Path) -> None:
    """工商注册号 and 税务登记号 of a natural person holding their first-generation (or 18-digit) ID number."""
    old, new = "330102800505051", make_resident_id("330102", "19800505", "051")
    values = person(id_no=new, business_reg_no=old, tax_reg_no=old, org_code="33010280050505")
    fields = _redacted(**values, remarks=f"原注册号{old}")
    assert fields["business_reg_no"] == fields["tax_reg_no"] == "330********5051"
    assert fields["org_code"] == "33010280050505"  # not an ID number
    assert old not in privacy.canonical(fields["remarks"])
    legal = _redacted(business_reg_no=old, remarks=f"原注册号{old}")
    assert legal["business_reg_no"] == old and old in legal["remarks"]  # a legal person's registration number
    found = Secrets()
    found.add_row(RawRow("admin_penalty", "a.csv", 2, row("admin_penalty", **values)), CATALOGUE["admin_penalty"])
    assert leaks(tmp_path, found, f"工商注册号：{old[:6]} {old[6:]}") == LEAK
    public = Secrets()
    public.add_row(RawRow("admin_penalty", "a.csv", 2, row("admin_penalty", business_reg_no=old)), CATALOGUE["admin_penalty"])
    assert leaks(tmp_path, public, f"工商注册号：{old}") == []


def test_the_places_of_a_rows_secrets_are_the_secrets_it_adds() -> None:
    """``secret_places`` (naming the input row of a leak) finds, column by column, exactly what ``row_secrets`` adds to
    the scan's secrets, for every row of the demo records."""
    from conftest import ROOT

    from site_builder.rules.pipeline import read_all
    from site_builder.rules.privacy import row_secrets, secret_places
    from site_builder.sources.loading import find_sources

    rows = list(read_all(CATALOGUE, find_sources(ROOT / "data" / "records", CATALOGUE)))
    assert len(rows) > 1000
    for item, raw in rows:
        codes, texts, found, public = row_secrets(raw, item)
        secrets = set(codes) | set(texts) | set(found)
        places = secret_places(raw, item, secrets)
        assert {p.value for p in places} == secrets, (raw.file, raw.row)
        assert all((p.file, p.row) == (raw.file, raw.row) and p.column in {f.title for f in item.fields} for p in places)
    assert secret_places(*_penalty_with_id(), {ID, ID[:17]}) == [
        privacy.SecretPlace(ID[:17], "withheld value", "admin_penalty.csv", 7, "法定代表人证件号码"),
        privacy.SecretPlace(ID, "ID number", "admin_penalty.csv", 7, "违法事实")]
    assert str(secret_places(*_penalty_with_id(), {ID[:17]})[0]) == ("the withheld value of admin_penalty.csv row 7, column "
                                                                 "法定代表人证件号码")


def _penalty_with_id() -> tuple[RawRow, CatalogItem]:
    values = row("admin_penalty", legal_rep_id_no=ID, violation_facts=f"法定代表人身份证{ID[:6]} {ID[6:]}")
    return RawRow("admin_penalty", "admin_penalty.csv", 7, values), CATALOGUE["admin_penalty"]


# Issue: a second tester's findings (○ for zero, more separators, lists of short numbers read as ID numbers, a mobile
# number found across the cells of a data file, overlapping numbers chosen in quadratic time).

def test_an_id_number_with_circles_for_zeros_is_masked_and_found(tmp_path: Path) -> None:
    """Input methods give ○ (U+25CB) or ◯ for 〇: ``33○1○2199○○1○11234``."""
    for written in (ID.replace("0", "○"), ID.replace("0", "◯"), "三三○一○二一九九○○一○一一二三四"):
        masked = privacy.scrub(f"身份证号{written}")
        assert privacy.numbers_in(f"身份证号{written}") == [ID] and "*" in masked, written
        assert leaks(tmp_path, secrets(), f"身份证号{written}") == LEAK, written


@pytest.mark.parametrize("text", ["评分：1，1，1，1，1，1，1，1，1，1，1，1，1，1，1",
                                  "抽检样品编号：11、01、01、80、01、01、123",
                                  "检测结果：3，2，0，1，0，6，8，0，1，0，1，1，2，3，4"])
def test_lists_of_short_numbers_are_not_read_as_first_generation_id_numbers(text: str) -> None:
    """Across punctuation only an 18-character ID number (with its check character) is read from whole groups: fifteen
    digits of a list make a "valid" first-generation number by chance (a province, a date)."""
    assert privacy.numbers_in(text) == [] and privacy.scrub(text) == text


MOBILE = "13920260601"


def test_a_mobile_number_is_not_found_across_the_cells_of_a_data_file(tmp_path: Path) -> None:
    """A mobile number found (and masked) in one row's text is looked for across white space and dashes or dots, not
    across the commas between a data file's cells: ``1.39,,,2026-06-01`` is an amount and a date. Written with spaces
    or dashes, or solid, it is found."""
    found = Secrets(found={MOBILE})
    (tmp_path / "data.csv").write_text("record_id,fine,other,x,decision_date\nAP-2,1.39,,,2026-06-01\n", encoding="utf-8")
    assert scan_for_leaks(tmp_path, found, ["data.csv"]) == []
    for written in (MOBILE, "139 2026 0601", "139-2026-0601", "1392026\n0601"):
        assert leaks(tmp_path, found, f"电话{written}") == LEAK, written
    assert privacy.is_near(MOBILE) and not privacy.is_near(ID)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=40))
def test_overlapping_numbers_are_chosen_as_checking_every_chosen_one_gives(spans: list[tuple[int, int]]) -> None:
    """The longest of overlapping numbers (the first of equals), in text order: what checking each candidate against
    every number chosen before gives (how it was written until a cell of 100,000 digits took minutes)."""
    found = [privacy.Found(start, start + length, "1" * length, "resident_id") for start, length in spans]
    chosen: list[privacy.Found] = []
    for candidate in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
            chosen.append(candidate)
    assert privacy._longest_first(found) == tuple(sorted(chosen, key=lambda f: f.start))


@pytest.mark.parametrize("written", ["当事人張三豐于", "当事人張 三 豐于", "当事人张三丰于"])
def test_a_natural_persons_name_written_in_traditional_characters_is_masked(written: str) -> None:
    """Bug: 張三豐 in 违法事实 stayed readable while the name field, 张三丰, was masked."""
    assert privacy.scrub(written, {"张三丰": "张*丰"}) == "当事人张*丰于"
    assert privacy.scrub("當事人李四於", {"张三丰": "张*丰"}) == "當事人李四於"  # another name: left as written


# Issue: a third tester's findings (a record's own ID number with a wrong or missing check character, Suzhou numerals
# and the digits of other scripts, percent-encoding, character references that redaction and the scan read apart,
# dates and 统一社会信用代码 masked as bank card numbers, licence numbers read as ID numbers, the legal representative's
# ID number shown masked).

LEGAL_REP = make_resident_id("330102", "19780512", "041")
THIRD = make_resident_id("110101", "19850615", "027")
PERSON = make_resident_id("330106", "19900307", "123")
_CN = str.maketrans("0123456789", "〇一二三四五六七八九")


def _legal_rep_secrets() -> Secrets:
    found = Secrets()
    found.add_row(RawRow("admin_penalty", "admin_penalty.csv", 2, row("admin_penalty", legal_rep_id_no=LEGAL_REP)),
                  CATALOGUE["admin_penalty"])
    return found


@pytest.mark.parametrize("written", [
    LEGAL_REP[:17] + "1", LEGAL_REP[:17] + "X", LEGAL_REP[:17], f"{LEGAL_REP[:6]} {LEGAL_REP[6:14]} {LEGAL_REP[14:17]}",
    f"{LEGAL_REP[:6]}，{LEGAL_REP[6:14]}，{LEGAL_REP[14:17]}9", (LEGAL_REP[:17] + "7").translate(_CN),
])
def test_the_legal_representatives_id_number_with_a_wrong_or_no_check_character_is_replaced_and_found(
        tmp_path: Path, written: str) -> None:
    """Bug: ``法定代表人身份证号330102197805120411`` (the last character wrong) and the first 17 digits alone were
    published whole, and the scan, looking for the whole number, said OK. The 17 digits decide the 18th: they are the
    secret, followed by any check character or none."""
    assert LEGAL_REP == "330102197805120410"
    remarks = _redacted(legal_rep_id_type="居民身份证", legal_rep_id_no=LEGAL_REP, remarks=f"法定代表人身份证号{written}。")["remarks"]
    assert re.fullmatch(r"法定代表人身份证号\*{17,18}。", remarks), remarks
    assert leaks(tmp_path, _legal_rep_secrets(), f"备注：法定代表人身份证号{written}") == LEAK
    assert leaks(tmp_path, _legal_rep_secrets(), remarks) == []


def test_the_legal_representatives_id_number_leaves_no_character_where_the_record_repeats_it() -> None:
    """DOMAIN rule 7: the legal representative's ID number is never published, not even masked
    (``身份证号330***********0410`` showed seven of its characters); its 15-digit form neither."""
    fields = _redacted(legal_rep="李四", legal_rep_id_type="居民身份证", legal_rep_id_no=LEGAL_REP,
                       remarks=f"法定代表人李四，身份证号{LEGAL_REP}，旧号{other_generation(LEGAL_REP)}",
                       violation_facts=f"法定代表人证号{LEGAL_REP[:6]}-{LEGAL_REP[6:14]}-{LEGAL_REP[14:]}")
    assert fields["remarks"] == "法定代表人李四，身份证号" + "*" * 18 + "，旧号" + "*" * 15
    assert fields["violation_facts"] == "法定代表人证号" + "*" * 18


_SCRIPTS = ["〇〡〢〣〤〥〦〧〨〩", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "๐๑๒๓๔๕๖๗๘๙", "০১২৩৪৫৬৭৮৯",
            "".join(map(chr, range(0x11066, 0x11070))), "".join(map(chr, range(0x1E950, 0x1E95A)))]
"""Suzhou numerals (with 〇), Arabic-Indic, Persian, Devanagari, Thai, Bengali, Brahmi and Adlam digits."""


@pytest.mark.parametrize("digits", _SCRIPTS)
def test_an_id_number_in_the_digits_of_any_script_is_masked_and_found(tmp_path: Path, digits: str) -> None:
    """Bug: ``法定代表人证件〣〣〇〡〇〢…`` (Suzhou numerals) was published and passed the scan; so were ID numbers in
    Arabic-Indic, Devanagari or Thai digits (decimal digits NFKC keeps)."""
    written = THIRD.translate(str.maketrans("0123456789", digits))
    assert privacy.numbers_in(f"员工身份证{written}") == [THIRD]
    assert privacy.scrub(f"员工身份证{written}") == "员工身份证110***********0270"
    found = Secrets()
    found.add(THIRD)
    assert leaks(tmp_path, found, f"员工身份证{written}") == LEAK
    remarks = _redacted(legal_rep_id_no=LEGAL_REP, remarks="法定代表人证件" + LEGAL_REP.translate(str.maketrans("0123456789", digits)))
    assert remarks["remarks"] == "法定代表人证件" + "*" * 18


@pytest.mark.parametrize("marker", ["➊", "➋", "❶", "⓿", "➀"])
def test_a_list_number_in_a_dingbat_digit_is_not_glued_to_the_number_after_it(marker: str) -> None:
    """A dingbat circled digit numbers a list (➊ ➋ ❶): read as a digit, it made ``➋13800138000`` a 12-digit number, so
    the mobile number after it went unmasked, and ``➊3512345678号`` a mobile number, masked. It is no digit."""
    assert privacy.scrub(f"{marker}13800138000为当事人经营者手机号") == f"{marker}138****8000为当事人经营者手机号"
    assert privacy.scrub(f"{marker}3512345678号监测报告") == f"{marker}3512345678号监测报告"


@pytest.mark.parametrize("written", [PERSON.replace("1", "l"), PERSON.replace("1", "I"), PERSON.replace("0", "O").replace("1", "l")])
def test_an_id_number_typed_with_the_letters_l_or_i_for_one_is_masked(written: str) -> None:
    assert privacy.numbers_in(f"身份证号{written}") == [PERSON]
    assert privacy.scrub(f"身份证号{written}号") == "身份证号330***********1236号"
    assert privacy.scrub("Invoice 2l0 Il0 Hello 1l") == "Invoice 2l0 Il0 Hello 1l"


def _percent(text: str, case: str = "%%%02X") -> str:
    return "".join(case % byte for byte in text.encode())


def _references(text: str, form: str = "&#%d;") -> str:
    return "".join(form % ord(char) for char in text)


@pytest.mark.parametrize("written", [
    _percent(THIRD), _percent(THIRD, "%%%02x"), _percent(THIRD.translate(_CN)), _percent("１１０１０１") + THIRD[6:],
    _references(THIRD), _references(THIRD, "&#x%x;"), _references(THIRD, "&#%d"), _references(THIRD[:9]) + THIRD[9:],
    "".join(f"\\u{ord(char):04x}" for char in THIRD), f"{THIRD[:6]}&nbsp;{THIRD[6:14]}&ensp;{THIRD[14:]}",
])
def test_a_number_in_escapes_is_read_alike_by_redaction_and_the_scan(tmp_path: Path, written: str) -> None:
    """Bug: ``sfz=%33%33%30…`` (percent-encoded in a link) was published and passed the scan, and character references
    (``&#51;&#51;…``) were read as spaces by redaction but decoded by the scan: a third person's number in them was
    published, and the legal representative's stopped the build. Both now read escapes as one function decodes them."""
    text = f"核验链接 https://gsxt.example.gov.cn/q?sfz={written}&from=gsxt"
    assert privacy.numbers_in(text) == [THIRD]
    masked = privacy.scrub(text)
    assert masked == "核验链接 https://gsxt.example.gov.cn/q?sfz=110***********0270&from=gsxt", masked
    found = Secrets()
    found.add(THIRD)
    assert leaks(tmp_path, found, text) == LEAK
    assert leaks(tmp_path, found, masked) == []


@pytest.mark.parametrize("written", [_percent(LEGAL_REP), _references(LEGAL_REP), _references(LEGAL_REP[:17] + "1", "&#x%X;")])
def test_the_legal_representatives_id_number_in_escapes_is_replaced_and_stops_no_build(tmp_path: Path, written: str) -> None:
    remarks = _redacted(legal_rep_id_no=LEGAL_REP, remarks=f"法定代表人证号{written}")["remarks"]
    assert remarks == "法定代表人证号" + "*" * 18
    assert leaks(tmp_path, _legal_rep_secrets(), f"法定代表人证号{written}") == LEAK
    assert leaks(tmp_path, _legal_rep_secrets(), remarks) == []


_RANGES = ["{a:%Y-%m-%d}—{b:%Y-%m-%d}", "{a:%Y.%m.%d}-{b:%Y.%m.%d}", "{a:%Y/%m/%d}-{b:%Y/%m/%d}", "{a:%Y-%m-%d} {b:%Y-%m-%d}",
           "{a:%Y%m%d}-{b:%Y%m%d}", "{a:%Y%m%d} {b:%Y%m%d}", "{a:%d.%m.%Y}-{b:%d.%m.%Y}", "{a:%m/%d/%Y}-{b:%m/%d/%Y}",
           "{a.year}.{a.month}.{a.day}-{b.year}.{b.month}.{b.day}", "{a:%Y-%m-%d}~{b:%Y-%m-%d}", "{a:%Y %m %d} - {b:%Y %m %d}"]


@pytest.mark.parametrize("form", _RANGES)
def test_a_period_between_two_dates_is_never_masked(form: str) -> None:
    """Bug: ``整顿期限2025.01.27-2026.01.26`` was published as ``整顿期限2025********0126``: the two dates, read as one
    number, pass the Luhn check one time in ten. Ranges of a year from every day of 2024, in each form."""
    for offset in range(400):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=offset)
        text = "整顿期限" + form.format(a=start, b=start + dt.timedelta(days=364))
        assert privacy.scrub(text) == text and privacy.numbers_in(text) == [], text


def _card(start: str, length: int) -> str:
    body = start + "1234567890123456789"[:length - len(start) - 1]
    return body + luhn.calc_check_digit(body)


@pytest.mark.parametrize("card", [_card("6222", 19), _card("6217", 16), _card("4392", 16), _card("5187", 16), _card("9558", 19)])
def test_bank_card_numbers_are_still_masked_in_groups(card: str) -> None:
    grouped = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    for written in (card, grouped, grouped.replace(" ", "-")):
        assert privacy.scrub(f"银行卡号：{written}。") == f"银行卡号：{card[:4]}{'*' * (len(card) - 8)}{card[-4:]}。", written


def test_an_all_digit_unified_social_credit_code_is_never_masked() -> None:
    """Bug: ``（统一社会信用代码123301004700000373）`` (a public institution's code, all digits) was published as
    ``1233**********0373`` when the code passed the Luhn check too."""
    codes = [make_uscc(f"1233010047000{number:04d}") for number in range(400)]
    codes = [code for code in codes if code.isdigit() and luhn.is_valid(code)]
    assert len(codes) > 10 and "123301004700000373" in codes
    for code in codes:
        assert privacy.scrub(f"向某医院（统一社会信用代码{code}）销售") == f"向某医院（统一社会信用代码{code}）销售"


@pytest.mark.parametrize("code", ["SP3301061010000018", "SP4501031010000009", "JY6201021010000008"])
def test_a_licence_code_with_a_letter_prefix_is_no_bank_card_number(code: str) -> None:
    """Bug: the old 食品流通许可证 number ``SP3301061010000018`` was masked as a bank card ``SP3301********0018``."""
    assert luhn.is_valid(code[2:])
    assert privacy.scrub(f"许可证编号{code}") == f"许可证编号{code}"


_DINGBAT_FORMS = [str.maketrans("0123456789", digits) for digits in ("⓿➊➋➌➍➎➏➐➑➒", "⓿❶❷❸❹❺❻❼❽❾", "⓪⓵⓶⓷⓸⓹⓺⓻⓼⓽",
                                                                    "〇➀➁➂➃➄➅➆➇➈", "⓪①②③④⑤⑥⑦⑧⑨")]


@pytest.mark.parametrize("form", _DINGBAT_FORMS)
@pytest.mark.parametrize("between", ["", " ", "\u200b", "-"])
def test_an_id_number_written_in_circled_digits_is_masked_and_found_by_the_scan(tmp_path: Path, form: dict[int, str],
                                                                                between: str) -> None:
    """An ID number in dingbat circled digits (``➌➌⓿➊…``, ``❸❸⓿❶…``, ``⓷⓷⓪⓵…``, with 〇 for zero) was published whole:
    one alone numbers a list and is no digit, two or more in a run write a number."""
    written = between.join(PERSON.translate(form))
    assert privacy.numbers_in(f"当事人身份证{written}。") == [PERSON]
    assert privacy.scrub(f"当事人身份证{written}。") == f"当事人身份证{mask_id_number(PERSON)}。"
    found = Secrets()
    found.add(PERSON)
    (tmp_path / "page.html").write_text(f"<p>身份证{written}</p>", encoding="utf-8")
    assert scan_for_leaks(tmp_path, found, ["page.html"]) == ["page.html: contains 1 withheld value(s) or raw ID number(s)"]


@pytest.mark.parametrize("marker", ["①", "⑴", "⒈", "⓪", "㉑", "⑩", "➊", "❶", "➉", "\U0001f101"])
def test_a_list_number_glued_to_a_mobile_number_does_not_hide_it(marker: str) -> None:
    """NFKC reads ``①`` as 1, ``⑴`` as (1), ``㉑`` as 21: ``①13800138000`` read as twelve digits, and the mobile number
    went unmasked. A circled digit alone numbers a list, as a dingbat one does; redaction reads a text holding another
    list number a second time with its list numbers as they are."""
    assert privacy.scrub(f"联系电话{marker}13800138000{marker}13900139000") == (
        f"联系电话{marker}138****8000{marker}139****9000")
    assert privacy.numbers_in(f"联系电话{marker}13800138000") == ["13800138000"]
    assert privacy.scrub(f"整改：{marker}停业整顿 ❷2025年3月1日前完成 ③罚款") == f"整改：{marker}停业整顿 ❷2025年3月1日前完成 ③罚款"


@pytest.mark.parametrize("text", ["整改期限：{a}2015.12.14 {b}2019.01.18 {c}2024.05.15", "整改期限：{a}2015.12.14\n{b}2019.01.18",
                                  "分项罚款：{a} 50000 {b} 30000 {c} 20000", "罚款：{a} 5000 {b} 3000 {c} 2000 {d} 1000"])
@pytest.mark.parametrize("markers", ["➊➋➌➍", "❶❷❸❹", "①②③④", "⓵⓶⓷⓸", "➀➁➂➃"])
def test_list_numbers_before_dates_and_amounts_are_not_read_as_digits(text: str, markers: str) -> None:
    """Bug (a tester's): read as digits in a run of two or more with the dates or amounts between them, a list's
    numbers made ``➊2015.12.14 ➋2019.01.18`` a bank card number and ``❶ 5000 ❷ 3000 ❸ 2000`` a 15-digit ID number,
    masked (``①2015.12.14 ②2019.01.18`` had always been, NFKC reading ① as 1). Only zeros may stand among them."""
    written = text.format(a=markers[0], b=markers[1], c=markers[2], d=markers[3])
    assert privacy.scrub(written) == written and privacy.numbers_in(written) == []


@pytest.mark.parametrize("written", ["{a}年{b}号{c}", "{a}-年-{b}-号-{c}", "{a}（{b}）{c}号", "{a}市{b}日{c}"])
@pytest.mark.parametrize("label", ["身份证号", "公民身份号码", "证件号码：", "ID "])
def test_an_id_number_with_chinese_characters_between_its_groups_is_masked(written: str, label: str) -> None:
    """``330102年19900307号1230``: up to three characters of any kind between whole groups of digits that, as a whole,
    make a valid ID number (region, birth date, check character), right after what names an ID number."""
    text = label + written.format(a=PERSON[:6], b=PERSON[6:14], c=PERSON[14:]) + "，罚款5000元"
    assert privacy.numbers_in(text) == [PERSON]
    after = written.split("{c}")[1]
    assert privacy.scrub(text) == f"{label}{mask_id_number(PERSON)}{after}，罚款5000元"
    if "（" not in written:  # a document number's pieces are not read across letters (across punctuation they are)
        assert privacy.scrub(text, mode=privacy.CODE) == text
    dates = "于2025年3月1日、2025年4月1日、2025年5月1日作出杭罚〔2025〕123号决定"
    assert privacy.scrub(dates) == dates and privacy.numbers_in(dates) == []
    far = f"身份证号{PERSON[:6]}省市区县{PERSON[6:]}"  # four characters apart: two numbers, neither an ID number
    assert privacy.numbers_in(far) == []
    unnamed = written.format(a=PERSON[:6], b=PERSON[6:14], c=PERSON[14:])  # no label: prose (see below)
    if "（" not in written:  # across punctuation alone it always was one number, label or not
        assert privacy.numbers_in(f"当事人于{unnamed}") == []


@pytest.mark.parametrize("text", ["罚款500000元，于20150520缴纳1000元", "邮编310012，2016-11-13立案2141号",
                                  "当事人销售30203件，货值506567元，2022.02.18查获8361件", "共26445件、826070元、20230825、3112批"])
def test_amounts_dates_and_counts_a_few_characters_apart_are_no_id_number(text: str) -> None:
    """Bug (a tester's): read across any three characters, an amount, a date and a count made a valid ID number by
    chance (one sentence in a few hundred of this shape) and were masked. Only after what names an ID number."""
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []


@pytest.mark.parametrize("text", ["7" * 100_000, "身份证" + "7" * 100_000, "➊" * 100_000, "①" * 50_000, "1O" * 50_000])
def test_a_long_run_of_digits_is_read_in_linear_time(text: str) -> None:
    """Bug (a tester's): the pattern joining digit groups across other characters tried, from each digit of a long
    run, the whole rest of it: a cell of 100,000 digits took four minutes (the limit is 1 MiB). Some tenths of a second
    now; the bound leaves a slow machine room, and is far below what the quadratic reading took."""
    started = time.perf_counter()
    privacy.scrub(text)
    privacy.numbers_in(text)
    assert time.perf_counter() - started < 10


_ENDS_IN_0 = make_resident_id("330106", "19900307", "118")
_CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")


@pytest.mark.parametrize(("written", "digits"), [(_ENDS_IN_0[:-1] + "O", _ENDS_IN_0), (_ENDS_IN_0[:-1] + "Ｏ", _ENDS_IN_0),
                                                 ("ｌ3800138000", "13800138000"), ("l3800138000", "13800138000"),
                                                 ("I3800138000", "13800138000"), ("1380013800O", "13800138000")])
def test_a_letter_for_a_digit_at_either_end_of_a_number_is_read_as_one(written: str, digits: str) -> None:
    """OCR output: an O for the final 0, an l for the first 1. Not where another Latin letter touches it."""
    assert personal_id_problem(_ENDS_IN_0) is None
    assert privacy.numbers_in(f"号码{written}。") == [digits]
    touched = f"号码{written}k。" if written[-1].isalpha() else f"号码x{written}。"
    assert privacy.numbers_in(touched) == []


@pytest.mark.parametrize("written", ["身份证号：{mid}", "手机：1③800138000", "手机：13⑧0013⑧000", "手机：1③8 0013 8000",
                                     "手机：１③８００１３８０００", "身份证号：{id}⓪", "身份证号：{spaced}", "身份证号：{commas}"])
def test_circled_digits_inside_a_number_or_with_punctuation_between_are_digits(written: str) -> None:
    """Bug (a tester's): read as list numbers, circled digits inside or at the end of a number (where no list is
    numbered), or with 、 or ``-`` between them, left numbers unmasked that NFKC had read."""
    number = _ENDS_IN_0
    circled = number.translate(_CIRCLED)
    text = written.format(mid=number[:15] + circled[15] + number[16:], id=number[:17], spaced=" - ".join(circled),
                          commas="、".join(circled))
    found = privacy.numbers_in(text)
    assert found in ([number], ["13800138000"]), (text, found)
    assert found[0] not in privacy.canonical(privacy.scrub(text))


@pytest.mark.parametrize("text", ["电话号码0571-87654321，罚款120000元，于20150520缴纳5000元",
                                  "当事人身份：法人，罚款120000元，于20150520缴纳5000元",
                                  "证件齐全。罚款120000元，于2015.05.20缴纳5000元", "Fine paid 120000元，于20150520缴纳5000元",
                                  "许可证号：123，罚款120000元，于20150520缴纳5000元", "营业执照证号430100（2017-04-05）第9163号",
                                  "许可证号：450100（20221204）第5257号", "证号：610113年2018-10-01号5864"])
def test_groups_far_from_what_names_an_id_number_are_not_joined(text: str) -> None:
    """Bug (a tester's): the name of an ID number anywhere in the twelve characters before a chain of digit groups (or
    ``id`` in ``paid``, 证号 in 许可证号) made amounts, dates and licence numbers a few characters apart one ID number."""
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []


@pytest.mark.parametrize(("written", "masked"), [
    ("联系电话I13912345678I", "联系电话I139****5678I"), ("13800138000O", "138****8000O"), ("Ｏ13800138000", "Ｏ138****8000"),
    ("银行卡6222021234567890128O", "银行卡6222***********0128O"), ("330106800707071O", "330********7071O"),
    ("l330106800707071", "l330********7071")])
def test_a_stray_letter_beside_a_whole_number_does_not_hide_it(written: str, masked: str) -> None:
    """Bug (a tester's): read as a digit, a stray I, l or O beside a whole number (a table's border read by OCR) made it
    a digit too long, no longer a mobile, bank card or ID number, and it went unmasked. The letters at the ends are
    read as digits only in a second reading, after the usual one has masked what it finds."""
    assert privacy.scrub(written) == masked
    assert len(privacy.numbers_in(written)) == 1
    assert privacy.scrub("ISO9001认证，型号 AO1，批号 2025O1l") == "ISO9001认证，型号 AO1，批号 2025O1l"


@pytest.mark.parametrize("mark", ["\U0001d173", "\U0001d17a", "\U0001bca0", "\U00013430", "\U000e0041", "\u2066", "\u206f",
                                  "\u0600", "\ufff9", "\u180e", "\ufe0e", "\ufe0f", "\U000e0100", "\u0336", "\u0332",
                                  "\u20e3", "\ufe0f\u20e3", "\u20dd", "\u05b0", "\u0e31", "\u0f72", "\u302a", "\u3099"])
@pytest.mark.parametrize("where", ["one", "each"])
def test_format_controls_and_marks_inside_a_number_do_not_hide_it(tmp_path: Path, mark: str, where: str) -> None:
    """Bug: a format control of the supplementary planes (the musical beam U+1D173, a tag character, an Egyptian
    joiner), a variation selector, or a combining stroke, underline or keycap inside a mobile or ID number hid it
    (``138︎00138000`` shows as 13800138000): the cell keeps none of the format controls, and a number is read with the
    marks that decorate its digits left out. The leak scan reads the site's files so too."""
    def written(number: str) -> str:
        if where == "one":
            return number[:3] + mark + number[3:]
        return "".join(digit + mark for digit in number)

    mobile, scrubbed = written("13800138000"), privacy.scrub(f"联系电话{written('13800138000')}")
    assert privacy.numbers_in(mobile) == ["13800138000"]
    assert "13800138000" not in fold(scrubbed) and "0013" not in fold(scrubbed)
    assert privacy.numbers_in(f"身份证号{written(PERSON)}") == [PERSON]
    assert PERSON[6:14] not in fold(privacy.scrub(f"身份证号{written(PERSON)}"))
    found = Secrets()
    found.add(PERSON)
    (tmp_path / "page.html").write_text(f"<p>证件号码 {written(PERSON)}</p>", encoding="utf-8")
    assert scan_for_leaks(tmp_path, found, ["page.html"]) == ["page.html: contains 1 withheld value(s) or raw ID number(s)"]


@pytest.mark.parametrize("control", ["\U0001d173", "\U000e0041", "\U0001bca3", "\u206a", "\u0600", "\ufffb", "\u2065"])
def test_a_cell_keeps_no_format_control(control: str) -> None:
    """Every format control (category Cf, and the code points kept for more of them) is removed from a cell, those of
    the supplementary planes too; a variation selector stays (it chooses a character's form)."""
    from site_builder.rules.validation import clean
    assert clean(f"张{control}三公司") == "张三公司"
    assert clean("𠀀\U000e0100") == "𠀀\U000e0100"
