"""Identifiers of subjects: 统一社会信用代码 (GB 32100-2015) and resident ID numbers (GB 11643-1999).

Check characters come from python-stdnum. ``stdnum.cn.uscc.validate`` refuses codes whose first
eight characters are not digits, but valid codes registered by other departments start with
letters (Y, A, N…), so the format is checked here and only the check character is taken from it.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

# 18 characters of 0-9A-Z without I O Z S V; positions 3-8 are a region code (digits).
_USCC_FORMAT = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")
USCC_PATTERN = _USCC_FORMAT.pattern


def uscc_problem(code: str) -> str | None:
    """Return why ``code`` is not a valid 统一社会信用代码, or ``None`` if it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    if not _USCC_FORMAT.match(code):
        return "统一社会信用代码含有不允许的字符（仅限0-9及除I、O、Z、S、V外的大写字母）"
    if code[-1] != uscc.calc_check_digit(code[:17]):
        return f"统一社会信用代码校验位错误（应为{uscc.calc_check_digit(code[:17])}）"
    return None


def resident_id_problem(number: str) -> str | None:
    """Return why ``number`` is not a valid 18-digit resident ID number, or ``None``."""
    try:
        ric.validate(number)
    except InvalidLength:
        return f"居民身份证号码应为18位，实为{len(number)}位"
    except InvalidChecksum:
        return "居民身份证号码校验码错误"
    except InvalidComponent:
        return "居民身份证号码的地区码或出生日期无效"
    except ValidationError:
        return "居民身份证号码格式错误"
    return None


def birth_date(resident_id: str) -> date | None:
    """The birth date encoded in a valid resident ID number, or ``None``."""
    try:
        return ric.get_birth_date(resident_id)
    except (ValidationError, ValueError):
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


def mask_person_name(value: str) -> str:
    """Mask a natural person's name, keeping the first and (from three characters) the last one.

    ``张三`` → ``张*``, ``张三丰`` → ``张*丰``, ``欧阳娜娜`` → ``欧**娜``.
    """
    if len(value) <= 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
