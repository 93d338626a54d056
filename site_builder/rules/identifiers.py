"""Identifiers of subjects: 统一社会信用代码 (GB 32100-2015) and resident ID numbers (GB 11643-1999), and the other
18-digit personal numbers built the same way (港澳台居民居住证, the 2023 外国人永久居留身份证).

Check characters come from python-stdnum. ``stdnum.cn.uscc.validate`` refuses codes whose first
eight characters are not digits, but valid codes registered by other departments start with
letters (Y, A, N…), so the format is checked here and only the check character is taken from it.
"""

from __future__ import annotations

import functools
import re
from datetime import date

from stdnum.cn import ric, uscc

from site_builder.rules.regions import FOREIGN_PERMANENT_RESIDENCE, PROVINCES, RESIDENCE_PERMITS

# 18 characters of 0-9A-Z without I O Z S V; positions 3-8 are a region code (digits).
_USCC_FORMAT = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")
USCC_PATTERN = _USCC_FORMAT.pattern


def uscc_problem(code: str) -> str | None:
    """Return why ``code`` is not a valid 统一社会信用代码, or ``None`` if it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    return _uscc_problem(code)


@functools.lru_cache(maxsize=1 << 16)
def _uscc_problem(code: str) -> str | None:
    """:func:`uscc_problem` of an 18-character code, remembered: a subject's code comes back in each of its records."""
    if not _USCC_FORMAT.match(code):
        return "统一社会信用代码含有不允许的字符（仅限0-9及除I、O、Z、S、V外的大写字母）"
    if code[0] == "0" or code[2:8] == "000000":
        # No registering department has the code 0 and no region is 000000: 000000000000000000, the placeholder
        # platforms write for "no code", passes the check character and would merge unrelated subjects.
        return ("统一社会信用代码不是有效代码（第1位登记管理部门代码不能为0，第3-8位行政区划码不能为000000；"
                "全为0的代码通常是平台填写的“无代码”占位符，没有代码时请留空）")
    if code[-1] != uscc.calc_check_digit(code[:17]):
        return f"统一社会信用代码校验位错误（应为{uscc.calc_check_digit(code[:17])}）"
    return None


@functools.lru_cache(maxsize=1 << 16)
def reads_as_resident_id(code: str) -> bool:
    """Whether a valid 统一社会信用代码 is also, in every part, a resident ID number: a county's region code (of any year,
    in python-stdnum's table), a real birth date and the ID's check character. One ID number in 31 passes the code's
    check character too; a real code hardly ever reads so (its first six characters are its registering department,
    its type and a province: 7 of 400,000 random codes of every department and county did, none of an enterprise)."""
    if resident_id_problem(code) is not None:
        return False
    from stdnum import numdb
    return any("county" in found for _, found in numdb.get("cn/loc").info(code[:6]))


def resident_id_problem(number: str) -> str | None:
    """Return why ``number`` is not a valid 18-digit resident ID number, or ``None``.

    Checks length, digits, the ISO 7064 MOD 11-2 check character (python-stdnum), a real birth
    date and a province-level region code. Unlike ``stdnum.cn.ric.validate`` it does not refuse
    a county code that did not yet exist in the birth year: numbers are assigned when registered,
    often years after birth (a Pudong 310115 number of someone born in 1980 is real).
    """
    return _id_problem(number, "居民身份证号码", others=False)


def personal_id_problem(number: str) -> str | None:
    """Return why ``number`` is not an 18-character personal ID number, or ``None`` if it is one.

    A personal ID number is a resident ID number (:func:`resident_id_problem`), a 港澳台居民居住证 number (address
    code 81, 82 or 83: :data:`~site_builder.rules.regions.RESIDENCE_PERMITS`) or a 2023 外国人永久居留身份证 number
    (``9``, a province code, a 3-digit nationality code, then birth date, sequence and check character at the same
    positions as in a resident ID number). All of them are masked and looked for alike.
    """
    return _id_problem(number, "证件号码", others=True)


@functools.lru_cache(maxsize=1 << 16)
def _id_problem(number: str, name: str, others: bool) -> str | None:
    """Why ``number`` is not an 18-character ID number (``name`` in the messages); ``others``: residence permit and
    foreign permanent residence numbers count too. Remembered: a legal representative's or a person's number comes
    back in each of the subject's records, and deciding a row asks it of the same number several times (its secrets,
    its redaction, both generations' forms): 800,000 checks for 200,000 rows."""
    if len(number) != 18:
        return f"{name}应为18位，实为{len(number)}位"
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        return f"{name}格式错误（前17位应为数字，末位为数字或X）"
    if number[17] != ric.calc_check_digit(number):
        return f"{name}校验码错误"
    if others and number[0] == FOREIGN_PERMANENT_RESIDENCE:
        if number[1:3] not in PROVINCES or number[3:6] == "000":
            return f"外国人永久居留身份证号码的受理地或国籍代码{number[1:6]}无效"
    elif number[:2] not in PROVINCES and not (others and number[:2] in RESIDENCE_PERMITS):
        return f"{name}的地区码{number[:6]}不是有效的省级行政区划代码"
    if birth_date(number) is None:
        return f"{name}中的出生日期{number[6:14]}无效"
    return None


def id_body(number: str) -> str | None:
    """The 17 characters before the check character of an 18-character personal ID number (canonical), whether its
    check character is right, wrong or missing (``number`` of 17 digits), or ``None`` if ``number`` is no such number
    (region and birth date as :func:`personal_id_problem` checks them).

    The first 17 characters decide the 18th: they are the secret a record withholds, and a copy with a slip in the
    check character (or without it) is still that person's number.
    """
    body = number[:17]
    if len(number) not in (17, 18) or not body.isdigit() or len(number) == 18 and number[17] not in "0123456789X":
        return None
    return body if personal_id_problem(with_check(body)) is None else None


def with_check(body: str) -> str:
    """The 18-character ID number whose first 17 digits are ``body``, with its check character."""
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the number with a check character in place


def birth_date(resident_id: str) -> date | None:
    """The birth date encoded in an 18-character resident ID number, or ``None`` if it is not a real date from 1900 on.

    It reads positions 7-14 of whatever it is given: :func:`id_birth_date` first checks that there is a number.
    """
    try:
        born = date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))
    except ValueError:
        return None
    return born if born.year >= 1900 else None


def first_generation_birth(digits: str) -> date | None:
    """The birth date of a 15-digit first-generation resident ID number (province code, ``YYMMDD`` of the 1900s,
    sequence), or ``None`` if ``digits`` is not one."""
    if len(digits) != 15 or not digits.isdigit() or digits[:2] not in PROVINCES:
        return None
    try:
        return date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return None


def id_birth_date(number: str) -> date | None:
    """The birth date of ``number`` (canonical) if it is a valid personal ID number of either generation (an
    18-character one: :func:`personal_id_problem`; a 15-digit first-generation one), else ``None``."""
    if len(number) == 18:
        return birth_date(number) if personal_id_problem(number) is None else None
    return first_generation_birth(number)


def other_generation(number: str) -> str | None:
    """The same resident ID number in the other generation's form: an 18-digit one of someone born in the 1900s
    without the century and the check character (GB 11643-1999 added both to the 15-digit form), a 15-digit one with
    them; ``None`` for a number that has no such form (born from 2000, or not a resident ID number)."""
    if len(number) == 18 and number[6:8] == "19" and resident_id_problem(number) is None:
        return number[:6] + number[8:17]
    if first_generation_birth(number) is not None:
        return with_check(number[:6] + "19" + number[6:])
    return None


def region_code(code: str) -> str:
    """Positions 3-8 of a 统一社会信用代码: the administrative region code."""
    return code[2:8]


def mask_id_number(value: str) -> str:
    """Mask an ID number for display: ``330***********123X`` (first 3 and last 4 kept).

    Shorter numbers (passports and others) keep at most a quarter of their characters.
    """
    if len(value) >= 15:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    keep = len(value) // 4
    return value[:keep] + "*" * (len(value) - keep)


_NAME_PARTS = re.compile(r"(\s*(?:[（(【\[〔［][^（）()【】\[\]〔〕［］]*[）)】\]〕］]|[/／])\s*)")
"""What separates the names in a subject name: a bracketed note (``（个人）``, ``(经营者)``) or a ``/`` between names."""
_NAMED_IN_NOTE = re.compile(r"(?:经营者|经营人|负责人|业主|户主|投资人|投资者|法定代表人|当事人|本人|姓名)\s*[:：为是]?\s*"
                            r"([\u3400-\u9fff\U00020000-\U0003134f][\u3400-\u9fff\U00020000-\U0003134f·•]{1,5})")
"""A person named in a note after a label (``（经营者：朱成年）``, ``(业主 李小四)``): the name of a stall or shop that
an unlicensed trader (a natural person) is known by, with the trader's own name in the note."""


def person_names(value: str) -> list[str]:
    """The names in a natural person's subject name: without bracketed notes, each of several names separated by
    ``/`` (``王小二（个人）`` → ``王小二``; ``王小二/王二`` → ``王小二``, ``王二``), and a name a note gives after a label
    (``西湖区朱成年水果摊（经营者：朱成年）`` → ``朱成年``: the stall's name, which holds it, is then no name itself)."""
    parts = _NAME_PARTS.split(value)
    labelled = [m.group(1) for note in parts[1::2] for m in _NAMED_IN_NOTE.finditer(note)]
    names = [part.strip() for part in parts[::2] if part.strip()]
    return [*labelled, *(name for name in names if not any(each in name for each in labelled))]


def mask_person_name(value: str) -> str:
    """Mask a natural person's name, keeping the first and (from three characters) the last one.

    ``张三`` → ``张*``, ``张三丰`` → ``张*丰``, ``欧阳娜娜`` → ``欧**娜``. Each name of :func:`person_names` is masked
    on its own, and bracketed notes and ``/`` are kept (a name repeated in a note masked): ``王小二（个人）`` → ``王*二（个人）``,
    ``王小二/王二`` → ``王*二/王*``, ``西湖区朱成年水果摊（经营者：朱成年）`` → ``西湖区朱*年水果摊（经营者：朱*年）``.
    """
    parts = _NAME_PARTS.split(value)
    names = sorted(set(person_names(value)), key=len, reverse=True)
    if len(parts) == 1 or not names:
        return _mask_name(value)
    masked = []
    for index, part in enumerate(parts):
        if index % 2 or part.strip() and part.strip() not in names:
            # A note or a "/", or a stall's name holding the name a note gives: kept, but each name in it masked.
            part = _mask_names_in(part, names)
        elif part.strip():
            part = _mask_name(part.strip())
        masked.append(part)
    return "".join(masked)


def _mask_names_in(text: str, names: list[str]) -> str:
    """``text`` with each of ``names`` (longest first) masked where it occurs; a name of one character is left."""
    for name in names:
        text = text.replace(name, _mask_name(name)) if len(name) >= 2 else text
    return text


def _mask_name(value: str) -> str:
    """:func:`mask_person_name` of one name."""
    if len(value) <= 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
