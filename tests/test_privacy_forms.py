"""How redaction and the leak scan read the numbers a fourth tester wrote: digits as they are spoken or radioed
(幺三八…), a record's own ID and permit numbers with letters or Chinese characters between their groups, mobile and
ID numbers grouped across one punctuation mark, and 15-digit registration numbers that are no one's ID number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import CATALOGUE, make_resident_id, record

from site_builder.rules import privacy
from site_builder.rules.disclosure import Decision
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
