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


# 1. A mobile number's 3-4-4 grouping across punctuation stays a mobile number, whatever stands after it.

@pytest.mark.parametrize("text", [
    "联系人手机号码：139，8765，4321，2人接听", "投诉电话（137、1111、2222）3次", "电话号码：136、5555、6666号",
    "138、1234、5678号楼", "第1、138、1234、5678", "联系电话138，1234，5678",
])
def test_a_grouped_mobile_number_is_masked_whatever_follows_it(tmp_path: Path, text: str) -> None:
    """A harm tester's: a version that read such groups as an enumeration of numbers when 第 stood before them or a
    counter word (号 人 次 元 …) after them published these mobile numbers whole, and the leak scan passed them. An
    enumeration such as 第138、1234、5678号文件 is masked (over-masking, rare) rather than risk a mobile number."""
    [number] = privacy.numbers_in(text)
    masked = privacy.scrub(text)
    assert number not in masked.replace("，", "").replace("、", "") and privacy.numbers_in(masked) == []
    assert leaks(tmp_path, text, number) == LEAK


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


# 3. An ID number typed into a company record's 文号 or 许可编号 stays masked, whatever its birth date.

@pytest.mark.parametrize(("item", "field", "born"), [("admin_penalty", "decision_no", "20100307"),
                                                     ("admin_license", "license_no", "19900307")])
def test_an_id_number_in_a_companys_own_number_field_is_masked(tmp_path: Path, item: str, field: str, born: str) -> None:
    """A harm tester's: a version that published a legal person's own 18-digit number made of a region, a date and a
    serial as a permit number, when its date was less than 18 years before the record's, published a child's ID number
    typed into a penalty's 文号 (the window is exactly a child's birth dates), and an adult's in a licence of 2007."""
    from datetime import date

    from conftest import build_site, row, write_csv

    number = make_resident_id("330106", born, "105")
    records = tmp_path / "records"
    decided = "2026-06-10" if item == "admin_penalty" else "2007-05-01"
    write_csv(records / f"{item}.csv", item, [row(item, record_id="R-1", decision_date=decided,
                                                   **{field: number, "remarks": f"涉及人员身份证{number}"})])
    result = build_site(tmp_path, records, date(2026, 11, 24))
    assert result.counts.published[item] == 1
    published = "".join(p.read_text(encoding="utf-8", errors="replace") for p in result.output.rglob("*")
                        if p.is_file() and p.suffix in (".html", ".csv", ".json"))
    assert number not in published and mask_id_number(number) in published
