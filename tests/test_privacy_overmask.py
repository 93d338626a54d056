"""Numbers that were masked as personal numbers but are none (a tester's over-masking findings), each beside the real
secrets that must still be masked in the same text: a mobile number, an ID number, a bank card number."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_resident_id
from stdnum import luhn

from site_builder.rules import privacy
from site_builder.rules.identifiers import mask_id_number
from site_builder.rules.privacy import Secrets, scan_for_leaks

MOBILE = "13812345678"
REAL_ID = make_resident_id("330102", "19800101", "123")
"""330102198001011234 with its check character: 33010219800101123X."""
CARD = "6222020200012345670"
"""A UnionPay card number that passes the Luhn check."""
NEARBY = f"，当事人手机{MOBILE}，身份证{REAL_ID}，卡号{CARD}"
NEARBY_MASKED = f"，当事人手机138****5678，身份证{mask_id_number(REAL_ID)}，卡号6222***********5670"
LEAK = ["p.html: contains 1 withheld value(s) or raw ID number(s)"]


def leaks(tmp_path: Path, text: str, *values: str) -> list[str]:
    """What the leak scan reports for one page holding ``text``, looking for ``values`` (numbers found elsewhere)."""
    (tmp_path / "p.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    return scan_for_leaks(tmp_path, Secrets(found=set(values)), ["p.html"])


def test_the_nearby_secrets_are_real() -> None:
    assert luhn.is_valid(CARD) and REAL_ID == "33010219800101123X"
    assert privacy.scrub(NEARBY) == NEARBY_MASKED


# 1. A mobile number's 3-4-4 grouping across punctuation, in an enumeration of numbers.

ENUMERATIONS = ["第138、1234、5678号文件", "依据第138，1234，5678号", "案号（2023）浙0102执138、1234、5678号",
                "依据第12、1234、5678号", "根据第138、1234、5678项", "共138、1234、5678件", "第 138、1234、5678 条",
                "第5、138、1234、5678页", "138、1234、5678、9012条", "第138，1234，5678、9012号", "罚款138、1234、5678元"]


@pytest.mark.parametrize("text", ENUMERATIONS)
def test_an_enumeration_of_numbers_is_not_read_as_a_mobile_number(tmp_path: Path, text: str) -> None:
    """Bug (a tester's): ``第138、1234、5678号文件`` and ``案号（2023）浙0102执138、1234、5678号`` were masked as the mobile
    number 13812345678: a 3-4-4 grouping across punctuation was read as one whatever stood around it. Preceded by 第 or
    followed by a measure word (号 条 项 件 元…), the groups are a list of numbers; the leak scan reads them alike (a
    real 13812345678 elsewhere on the site does not make them a leak)."""
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []
    assert leaks(tmp_path, text, MOBILE) == []
    assert privacy.scrub(text + NEARBY) == text + NEARBY_MASKED


@pytest.mark.parametrize("text", [
    "联系电话138，1234，5678", "138、1234、5678", "电话：138，1234，5678号", "手机138，1234，5678号码", "联系人张某138、1234、5678，",
    "第138、1234、5678号文件，另电话138，1234，5678", "138、1234、5678、\n9012条", "第13812345678号", "第138-1234-5678号",
    "第138 1234 5678号",
])
def test_a_grouped_mobile_number_outside_an_enumeration_is_still_masked(tmp_path: Path, text: str) -> None:
    """A telephone label right before the groups wins over what follows them; 号码 after them is a telephone's; the
    list is read within a line (as the leak scan reads a page); a number written solid or with separators only is read
    as before, whatever stands around it."""
    assert privacy.numbers_in(text) == [MOBILE]
    masked = privacy.scrub(text)
    assert masked.count("138****5678") == 1 and privacy.numbers_in(masked) == [], masked
    assert leaks(tmp_path, text, MOBILE) == LEAK
    assert leaks(tmp_path, masked, MOBILE) == []


# 2. Customs and HS codes, and long numbers that are no bank card.

@pytest.mark.parametrize("text", [
    "海关编码3301960123", "海关注册编码：3301960123", "企业海关编码3301960123、3301960124", "HS编码8471300000",
    "商品编码（HS）8517.12.00.00", "商品编号8471300000101", "AEO认证编码CN3301960123",
    "许可证编号：6222020200012345678", "证书编号：62220202000123456789", "许可编号6222020200012345679",
    "证书编号 6222 0202 0001 2345 678",
])
def test_customs_codes_and_luhn_failing_numbers_are_not_masked(tmp_path: Path, text: str) -> None:
    """Customs registration and HS codes are ten digits (no mobile number's eleven), and a bank card number is read
    only where it passes the Luhn check (6222020200012345678 fails it): as written, beside secrets that are masked."""
    assert privacy.scrub(text) == text and privacy.numbers_in(text) == []
    assert privacy.scrub(text + NEARBY) == text + NEARBY_MASKED


@pytest.mark.parametrize("label", ["卡号", "银行卡号：", "证书编号", "许可证编号："])
def test_a_luhn_valid_card_number_is_masked_whatever_names_it(label: str) -> None:
    """A number that passes the Luhn check and starts as a card issuer's does is masked even after 许可证编号: a real
    card number written there must not be published (one permit number in ten passes the check by chance)."""
    assert privacy.scrub(f"{label}{CARD}") == f"{label}6222***********5670"
