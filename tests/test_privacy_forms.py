"""How redaction and the leak scan read the numbers a fourth tester wrote: digits as they are spoken or radioed
(幺三八…), a record's own ID and permit numbers with letters or Chinese characters between their groups, mobile and
ID numbers grouped across one punctuation mark, and 15-digit registration numbers that are no one's ID number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import CATALOGUE, make_resident_id, person, record

from site_builder.rules import privacy
from site_builder.rules.disclosure import Decision
from site_builder.rules.identifiers import mask_id_number, other_generation
from site_builder.rules.privacy import Secrets, scan_for_leaks
from site_builder.rules.redaction import redact

LEAK = ["p.html: contains 1 withheld value(s) or raw ID number(s)"]
_SPOKEN = str.maketrans("0123456789", "洞幺两三四五六拐八勾")
_CN = str.maketrans("0123456789", "〇幺二三四五六七八九")
"""Digits as spoken over the telephone: 幺 for one, the others as written."""
ORDINARY = ["两年内两次被处罚", "勾结他人拐卖妇女", "在山洞内非法开采", "罚款13,500,000,000元", "于2025年3月1日作出决定",
            "2025-03-01至2026-02-28", "宁税罚〔2025〕170号", "（2024）浙0102民初1234号", "一两个月内整改", "罚款两万元，没收拐杖2根",
            "共两1000元"]
"""Text that holds no personal number: amounts, dates, decision and case numbers, the words that spoken digits are."""


def leaks(tmp_path: Path, found: Secrets, text: str) -> list[str]:
    """What the leak scan reports for one page holding ``text``."""
    (tmp_path / "p.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    return scan_for_leaks(tmp_path, found, ["p.html"])


def looked_for(*values: str) -> Secrets:
    """The leak scan's secrets: ``values`` as numbers found in scrubbed text."""
    return Secrets(found=set(values))


def redacted(**values: str) -> dict[str, str]:
    """The published fields of an administrative penalty with ``values`` (by English field name)."""
    return redact(record("admin_penalty", **values), CATALOGUE["admin_penalty"],
                  Decision(True, start=dt.date(2026, 6, 1))).fields


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_masked(text: str) -> None:
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []


# Digits as spoken: 幺 (1), 两 (2), and the radio's 洞 (0), 拐 (7), 勾 (9).

ADULT = make_resident_id("330102", "19811215", "001")


@pytest.mark.parametrize(("written", "number"), [
    ("身份证号" + ADULT.translate(_CN), ADULT), ("手机幺三八幺二三四五六七八", "13812345678"),
    ("手机" + "13812345678".translate(_SPOKEN), "13812345678"), ("电话幺38-幺234-5678", "13812345678"),
    ("手机：幺三八 幺二三四 五六七八", "13812345678"), ("身份证号三三〇幺〇二八〇〇幺幺五幺二三", "330102800115123"),
])
def test_digits_as_spoken_are_read_in_a_number(tmp_path: Path, written: str, number: str) -> None:
    """Bug (a tester's): ``法定代表人身份证号三三〇幺〇二幺九八幺幺二幺五〇〇幺三`` and ``手机幺三八幺二三四五六七八`` were
    published whole: 幺 (one as said on the telephone) was no digit, so neither was a number; nor 两, 洞, 拐, 勾."""
    assert privacy.numbers_in(written) == [number]
    assert number not in privacy.canonical(privacy.scrub(written))
    assert leaks(tmp_path, looked_for(number), written) == LEAK


@pytest.mark.parametrize(("written", "masked"), [
    ("拨打13800138000两次", "拨打138****8000两次"), ("手机13800138000勾结他人", "手机138****8000勾结他人"),
    ("两年内两次拨打13800138000", "两年内两次拨打138****8000"), ("手机幺三八幺二三四五六七八两部", "手机138****5678两部"),
])
def test_a_word_after_a_number_is_not_read_into_it(written: str, masked: str) -> None:
    """A spoken digit that starts a word right after a number (两次, 勾结) is the word: read as a digit, it made the
    number a digit too long, and it went unmasked."""
    assert privacy.scrub(written) == masked


# A record's own ID, passport and permit numbers with letters or Chinese characters between their groups.

LEGAL_REP = make_resident_id("330102", "19800101", "000")
"""The legal representative's ID number, which the record withholds (its check character is X)."""
PERSON = make_resident_id("330102", "19800103", "002")
"""A natural person's ID number, which the record masks."""
ROMAN = str.maketrans("123456789", "ⅠⅡⅢⅣⅤⅥⅦⅧⅨ")


def _groups(number: str, between: str) -> str:
    return between.join((number[:6], number[6:14], number[14:]))


def _every(number: str, between: str) -> str:
    return between.join(number)


@pytest.mark.parametrize("written", [
    _groups(LEGAL_REP, "号"), _groups(LEGAL_REP, "年"), _groups(LEGAL_REP, "x"), _groups(LEGAL_REP, "号码为"),
    _every(LEGAL_REP, "的"), _groups(LEGAL_REP[:17], "号"), LEGAL_REP.translate(ROMAN), _every(LEGAL_REP[:17], "的"),
    _groups(LEGAL_REP, "-号-"),
])
def test_the_legal_representatives_id_number_with_other_characters_between_its_groups_is_withheld(written: str) -> None:
    """Bug (a tester's): ``330102号19800101号000X``, ``3的3的0的1…``, ``330102x19800103x0027``, the 17 digits alone
    split by 号, and the number in Roman numerals (``ⅢⅢ0Ⅰ0Ⅱ…``) were published whole where the record repeats the
    number it withholds. The record's own numbers are found in its text's digits, up to three characters between two."""
    assert LEGAL_REP.endswith("X")
    fields = redacted(legal_rep_id_no=LEGAL_REP, remarks=f"法定代表人{written}", violation_facts=f"法定代表人（{written}）拒不改正")
    assert fields["remarks"] in ("法定代表人" + "*" * 18, "法定代表人" + "*" * 17), fields["remarks"]
    assert fields["violation_facts"].startswith("法定代表人（*****************") and fields["violation_facts"].endswith("）拒不改正")
    assert not any(char.isdigit() for char in privacy.fold(fields["violation_facts"]))


@pytest.mark.parametrize("written", [_groups(PERSON, "号"), _groups(PERSON, "年"), _groups(PERSON, "x"), _every(PERSON, "的"),
                                     PERSON.translate(ROMAN), _groups(PERSON[:17], "号")])
def test_a_natural_persons_own_id_number_with_other_characters_between_its_groups_is_masked(written: str) -> None:
    fields = redacted(**person(id_no=PERSON), remarks=f"当事人{written}", violation_facts=f"当事人（{written}）无证经营")
    assert fields["remarks"] in ("当事人" + mask_id_number(PERSON), "当事人330**************"), fields["remarks"]
    assert fields["violation_facts"].startswith("当事人（330***") and fields["violation_facts"].endswith("）无证经营")


@pytest.mark.parametrize(("kind", "number", "written"), [
    ("护照", "E55512345", "E555号12345"), ("港澳居民来往内地通行证", "H01234567", "H0123号4567"),
    ("台湾居民来往大陆通行证", "51734629", "台胞证号5173号4629"), ("护照", "E55512345", "e555的12345"),
])
def test_a_withheld_passport_or_permit_number_split_by_a_chinese_character_is_withheld(kind: str, number: str,
                                                                                       written: str) -> None:
    fields = redacted(legal_rep_id_type=kind, legal_rep_id_no=number, violation_facts=f"法定代表人证件{written}，超标排放")
    shown = fields["violation_facts"]
    assert shown.startswith("法定代表人证件") and shown.endswith("*" * len(number) + "，超标排放"), shown
    assert number[-4:] not in privacy.canonical(shown)


def test_the_18_digit_form_of_a_withheld_15_digit_id_number_split_by_characters_is_withheld() -> None:
    """Bug (a tester's): the legal representative's first-generation number ``330102800115123`` was withheld, and its
    18-digit form written ``330102号19800115号1232`` published whole."""
    old = "330102800115123"
    new = other_generation(old)
    assert new == "330102198001151232"
    fields = redacted(legal_rep_id_no=old, remarks=_groups(new, "号"), violation_facts=f"旧号{old[:6]}号{old[6:]}")
    assert fields["remarks"] == "*" * 18 and fields["violation_facts"] == "旧号" + "*" * 15


@pytest.mark.parametrize("text", [*ORDINARY, "法定代表人证件号码5173号4628", "于2019年8月1日第51734号决定", "E555号12346",
                                  "330102号19800102号0001", "3301号02号19800101", "罚款330102元，于19800101缴纳"])
def test_text_that_does_not_repeat_the_records_own_numbers_is_not_masked(text: str) -> None:
    """Amounts, dates, decision and case numbers, and numbers a digit apart from the record's own, stay as written."""
    for kind, number in (("居民身份证", LEGAL_REP), ("台湾居民来往大陆通行证", "51734629"), ("护照", "E55512345")):
        fields = redacted(legal_rep_id_type=kind, legal_rep_id_no=number, remarks=text)
        assert fields["remarks"] == text, (number, fields["remarks"])


PARENTHESISED = str.maketrans("123456789", "⑴⑵⑶⑷⑸⑹⑺⑻⑼")


@pytest.mark.parametrize("written", [LEGAL_REP.translate(ROMAN), LEGAL_REP.translate(PARENTHESISED)])
def test_an_id_number_in_roman_numerals_or_parenthesised_digits_is_masked_and_found(tmp_path: Path, written: str) -> None:
    """NFKC reads ``Ⅲ`` as the letters ``III`` and ``⑶`` as ``(3)``: read as the circled digits are, one to nine."""
    assert privacy.numbers_in(f"身份证号{written}") == [LEGAL_REP]
    assert privacy.scrub(f"身份证号{written}") == "身份证号" + mask_id_number(LEGAL_REP)
    assert leaks(tmp_path, Secrets(codes={LEGAL_REP[:17]}), f"身份证号{written}") == LEAK


@pytest.mark.parametrize("text", ["Ⅲ类医疗器械经营许可", "第Ⅱ级风险，⑴罚款5000元；⑵没收违法所得", "Ⅰ、Ⅱ、Ⅲ类",
                                  "ⅰ 2025年3月1日 ⅱ 2025年4月1日"])
def test_roman_numerals_and_parenthesised_digits_numbering_a_list_stay_as_written(text: str) -> None:
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []
    assert privacy.scrub(f"{text}，联系电话Ⅱ13800138000") == f"{text}，联系电话Ⅱ138****8000"


# Mobile and first-generation ID numbers grouped across one punctuation mark.

MOBILE = "13812345678"
OLD_ID = "330102800115123"
"""A first-generation ID number: 330102, born 1980-01-15, sequence 123."""


@pytest.mark.parametrize(("written", "number"), [
    ("138，1234，5678", MOBILE), ("138、1234、5678", MOBILE), ("138~1234~5678", MOBILE), ("138:1234:5678", MOBILE),
    ("138, 1234, 5678", MOBILE), ("138；1234；5678", MOBILE), ("138 1234，5678", MOBILE), ("（138）1234-5678", MOBILE),
    ("⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻", MOBILE), ("330102，800115，123", OLD_ID), ("330102、800115、123", OLD_ID),
    ("330102 800115，123", OLD_ID),
])
def test_a_mobile_or_first_generation_id_number_grouped_across_punctuation_is_masked_and_found(
        tmp_path: Path, written: str, number: str) -> None:
    """Bug (a tester's): ``138，1234，5678``, ``138、1234、5678``, ``138~1234~5678``, ``138:1234:5678``, ``⑴⑶⑻…`` and
    ``身份证330102，800115，123`` were published whole: only 18-character ID numbers were read across punctuation, lest
    an amount (``13,500,000,000``) read as a mobile number. A mobile number grouped 3-4-4 (from 13-19) and an ID number
    grouped 6-6-3 (a valid birth date) are never a thousands grouping: they are read across one punctuation mark."""
    text = f"当事人身份证{written}" if number == OLD_ID else f"联系电话{written}，"
    assert privacy.numbers_in(text) == [number]
    masked = privacy.scrub(text)
    assert number not in privacy.canonical(masked) and number[-4:] in masked and "*" in masked, masked
    assert leaks(tmp_path, looked_for(number), text) == LEAK
    assert leaks(tmp_path, looked_for(number), masked) == []


@pytest.mark.parametrize("text", [
    "罚款13,500,000,000元", "金额：1,380,013,800元", "编号138，12345，678", "138，1234，56789", "评分：13，8，1234，5678",
    "共138、1234、5678件", "330102，800132，123", "330102，801315，123", "2025、1234、5678", "1380，1234，5678",
    "138，，1234，，5678", "138，1234\u3000\u3000，5678",
])
def test_other_groupings_across_punctuation_are_not_read(text: str) -> None:
    """Amounts, other groupings, dates that are none (800132, 801315), two marks between groups: as written.
    (``共138、1234、5678件`` is read, as its grouping says.)"""
    if text.startswith("共"):
        assert privacy.numbers_in(text) == [MOBILE]
        return
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []


def test_the_scan_reads_a_mobile_number_across_punctuation_only_in_its_groups(tmp_path: Path) -> None:
    """The scan reads a mobile number across one punctuation mark only in its 3-4-4 groups (``139,2026,0601``): the
    cells of a data file that hold an amount and a date (``1.39,,,2026-06-01``) still make none."""
    found = looked_for("13920260601")
    (tmp_path / "data.csv").write_text("record_id,fine,other,x,decision_date\nAP-2,1.39,,,2026-06-01\nAP-3,139,2026,0601\n",
                                       encoding="utf-8")
    assert scan_for_leaks(tmp_path, found, ["data.csv"]) == ["data.csv: contains 1 withheld value(s) or raw ID number(s)"]
    (tmp_path / "data.csv").write_text("record_id,fine,other,x,decision_date\nAP-2,1.39,,,2026-06-01\n", encoding="utf-8")
    assert scan_for_leaks(tmp_path, found, ["data.csv"]) == []


# 15-digit registration and licence numbers that read as born in 1900-1909.

def licence(**values: str) -> dict[str, str]:
    """The published fields of an administrative licence with ``values`` (by English field name)."""
    return redact(record("admin_license", **values), CATALOGUE["admin_license"],
                  Decision(True, start=dt.date(2026, 6, 1))).fields


@pytest.mark.parametrize("number", ["330106000123456", "330106011231001", "110108091130123", "330106000101000"])
def test_a_15_digit_number_that_reads_as_born_before_1910_is_no_id_number(number: str) -> None:
    """Bug (a tester's): a 工商注册号 or 许可编号 ``330106000123456`` (region, kind, a serial starting with zeros) was
    masked as a first-generation ID number of someone born 1900-01-23, in 违法事实 and in the 许可编号 column. No one
    born before 1910 is named in a record of the last decade."""
    text = f"当事人冒用杭州某公司营业执照（注册号{number}）经营"
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []
    assert privacy.scrub(f"身份证{number[:6]}，{number[6:12]}，{number[12:]}") == f"身份证{number[:6]}，{number[6:12]}，{number[12:]}"
    assert licence(license_no=number)["license_no"] == number


@pytest.mark.parametrize("number", ["330106100123456", "330102800115123", "110108991231123"])
def test_a_first_generation_id_number_of_someone_born_from_1910_is_still_masked(tmp_path: Path, number: str) -> None:
    text = f"当事人身份证号{number}"
    assert privacy.numbers_in(text) == [number]
    assert privacy.scrub(text) == f"当事人身份证号{mask_id_number(number)}"
    assert licence(license_no=number)["license_no"] == mask_id_number(number)
    assert leaks(tmp_path, looked_for(number), text) == LEAK


def test_the_records_own_id_number_is_masked_whatever_its_birth_year() -> None:
    """The record's own numbers are its secrets: withheld or masked whatever date they write."""
    own = "330102050115123"  # born 1905-01-15
    fields = redacted(legal_rep_id_no=own, remarks=f"法定代表人旧证号{own}，注册号330106000123456")
    assert fields["remarks"] == "法定代表人旧证号" + "*" * 15 + "，注册号330106000123456"
    fields = redacted(**person(id_no=own), remarks=f"当事人证号{own}")
    assert fields["remarks"] == f"当事人证号{mask_id_number(own)}"


@pytest.mark.parametrize(("text", "found"), [("电话幺三八幺二三四五六七八\n", [MOBILE]), ("电话幺三八 幺二三四五六七八", [MOBILE]),
                                           ("电话幺三八\n幺二三四五六七八", [])])
def test_a_run_of_spoken_digits_is_read_within_a_line(monkeypatch: pytest.MonkeyPatch, text: str, found: list[str]) -> None:
    """The leak scan folds a page line by line (a data file at once): a run read across a line break would be read
    otherwise there."""
    assert looked_for(MOBILE).find(text) == privacy.numbers_in(text) == found
    monkeypatch.setattr(privacy, "LINE_BY_LINE", 0)
    assert looked_for(MOBILE).find(text) == found


@pytest.mark.parametrize("text", ["电话138，1234，5678", "电话138，\n1234，5678", "电话138\n1234\n5678", "电话138，1234，5678\n"])
def test_a_grouped_mobile_number_is_found_alike_line_by_line_and_at_once(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    line_by_line = looked_for(MOBILE).find(text)
    monkeypatch.setattr(privacy, "LINE_BY_LINE", 0)
    assert looked_for(MOBILE).find(text) == line_by_line
    assert privacy.numbers_in(text) == [MOBILE]
