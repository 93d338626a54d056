"""What a database driver returns, as the cell text a records file would hold (``sources/database.py`` reads).

Text is taken as it is (bytes decoded here, so that one byte that is not UTF-8 quarantines one row, not the read); a
number is written as an export writes it (no exponent, no trailing zeros, a double to its 15 digits); a date or a
timestamp as its date in China; a PostgreSQL date Python cannot hold (``infinity``, a date BC) as "no end" or as an
impossible date, per row (:class:`FarDate`). A value of the wrong type is a row problem naming what was expected.

A boolean (PostgreSQL's ``boolean``: 是否有效, ``is_deleted``) is the answer it gives, 是 or 否, in a text column and in
a column read for the record's state (:func:`state_text`), where every value is read as its text, never as nothing.
A JSON value or an array (``json``, ``jsonb``, ``text[]``) in a text column is refused (``wrong-type``): its text is no
value an export holds (a 处罚类别 ``{"name": "警告"}`` would not read as a warning). In a column read for the record's
state alone it is its JSON text.

A text column (a record id, a 统一社会信用代码, a 工商注册号) may be stored as an integer or a UUID: an integer type
holds every digit, and a UUID is text, so both are read as their canonical text (``330106000012345``,
``a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11``), as a CSV export writes them. What may have lost digits is refused there:
a float (``3.30106000012345e14`` is no number an authority issued) and a ``numeric`` written with a fractional part.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from site_builder.rules.catalogue import FieldSpec
from site_builder.rules.validation import CHINA, EARLIEST_YEAR, SENTINEL_YEAR
from site_builder.sources.loading import MAX_CELL

_TYPES = {"string": "文本", "date": "日期", "number": "数值", "integer": "整数"}


def cell_text(value: object, spec: FieldSpec) -> tuple[str, tuple[str, str] | None]:
    """The cell text of one value and, if it cannot be trusted, ``(error slug, message)``."""
    if type(value) is bytes:  # SQLite's text (see database._snapshot) and BLOBs: one byte that is not UTF-8 quarantines one row
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            return "", ("encoding", f"不是有效的 UTF-8 文本（第{exc.start + 1}字节起），本行不公示")
    if type(value) is str:  # most cells: text, taken first
        if len(value) > MAX_CELL:
            return "", ("cell-too-long", f"文本长{len(value)}个字符，超过{MAX_CELL}个字符的上限")
        return value, None
    expected = _TYPES[spec.type]
    if value is None:
        return "", (("null", "必填列为 NULL") if spec.required else None)
    if isinstance(value, FarDate):
        return _far_date(value, spec)
    if isinstance(value, str | bytes):  # a subclass of either, from some driver: read as the plain value
        return cell_text(str(value) if isinstance(value, str) else bytes(value), spec)
    if isinstance(value, bool):  # a PostgreSQL boolean (是否有效, is_deleted): the answer it gives
        if spec.type == "string":
            return answer_text(value), None
        return "", ("wrong-type", f"应为{expected}，实为布尔值")
    if isinstance(value, int | float | Decimal):
        return _number_cell(value, spec)
    if isinstance(value, UUID) and spec.type == "string":
        return str(value), None  # lower case, with hyphens: as PostgreSQL writes it
    if isinstance(value, date):
        if spec.type == "date":
            day = value
            if isinstance(value, datetime):  # an aware one on its date in China (UTC+8), a naive one as written
                try:
                    day = value.astimezone(CHINA).date() if value.tzinfo is not None else value.date()
                except OverflowError:  # 9999-12-31 23:00 UTC: the last date either way
                    day = value.date()
            return day.isoformat(), None
        return "", ("wrong-type", f"应为{expected}，实为日期")
    return "", ("wrong-type", f"应为{expected}，实为 {type(value).__name__}")


def _number_cell(value: int | float | Decimal, spec: FieldSpec) -> tuple[str, tuple[str, str] | None]:
    """A number's cell: its text in a number column; in a date column an integer of eight digits, or of fourteen that
    are a date and a time, is a date written YYYYMMDD or YYYYMMDDhhmmss (SQLite's DATE affinity stores ``'20251220'``
    as the integer 20251220), read as the same digits are in a CSV (:func:`_date_digits`); in a text
    column an integer's digits (an integer type, or a ``numeric`` without a fractional part: every digit kept), while a
    float or a fraction is refused, its digits perhaps rounded away (see the module docstring)."""
    if spec.type in ("number", "integer"):
        return number_text(value), None
    kind = type(value).__name__
    if spec.type == "date":
        digits = _date_digits(value)
        if digits is not None:
            return digits, None
        return "", ("wrong-type", f"应为日期，实为数值“{number_text(value)}”（{kind}），不是 YYYYMMDD 或 YYYYMMDDhhmmss 形式的"
                                  "日期：日期须以日期类型或 YYYY-MM-DD 文本存储（SQLite 会把声明为 DATE、DATETIME 的列中"
                                  "只含数字的文本存为数值）")
    if isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == 0):
        return str(value), None
    return "", ("wrong-type", f"应为{_TYPES[spec.type]}，实为数值（{kind}）：可能已丢失数字，"
                              "编码或编号须以文本或整数类型存储")


def _date_digits(value: int | float | Decimal) -> str | None:
    """The digits of an integer that is a date as a CSV export writes it, for the date parser to read as it reads the
    CSV's cell: eight digits (YYYYMMDD), or fourteen that are a date and a time of day (YYYYMMDDhhmmss: SQLite's
    DATE and DATETIME affinity stores ``'20260612000000'`` as an integer, and platforms keep such stamps in a
    ``bigint``; ``99991231235959`` is "no end" as 9999-12-31 is). ``None`` for any other number, which is no date."""
    if isinstance(value, float) or isinstance(value, Decimal) and not (value.is_finite() and value == value.to_integral_value()):
        return None
    digits = str(int(value))
    if len(digits) == 8:
        return digits
    if len(digits) == 14:
        try:
            datetime.strptime(digits, "%Y%m%d%H%M%S")
        except ValueError:
            return None
        return digits
    return None


def answer_text(value: bool) -> str:
    """A boolean as the answer it gives to a yes-or-no column's question (是否有效, 是否已移出, ``is_deleted``): 是 or 否."""
    return "是" if value else "否"


def state_text(value: object) -> tuple[str, tuple[str, str] | None]:
    """The text a column that is read for the record's state alone (a watched column: 是否已移出, ``is_deleted``,
    ``deleted_at``, 数据状态) holds, whatever its type, and a problem when it holds text that cannot be read.

    The state is read from words, so every value is its words as an export writes them, never nothing (an empty text
    reads as "nothing said", and a flagged row would be published): a boolean its answer (是, 否), a number its
    digits, a date or a timestamp its ISO text, a JSON value or an array its JSON text, a date Python cannot hold the
    server's text (``infinity``), anything else its ``str``. Text bytes that are not UTF-8 are a problem (the row is
    quarantined: what they say cannot be known)."""
    if value is None:
        return "", None
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8"), None
        except UnicodeDecodeError as exc:
            return "", ("encoding", f"不是有效的 UTF-8 文本（第{exc.start + 1}字节起），无法判断记录的状态，本行不公示")
    if isinstance(value, str):
        return str(value), None
    if isinstance(value, bool):
        return answer_text(value), None
    if isinstance(value, int | float | Decimal):
        return number_text(value), None
    if isinstance(value, date):
        return value.isoformat(), None
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str), None
    return str(value), None


def number_text(value: int | float | Decimal) -> str:
    """A number as plain decimal text, as an export would write it: no exponent, no trailing zeros (numeric(14,4)
    gives ``Decimal('17.2000')``), and a double to the 15 significant digits it holds (``0.1 + 0.2`` is ``0.3``,
    not ``0.30000000000000004``: the rest is the noise of binary fractions). NaN and infinities stay words, which
    validation reads as it reads them in a CSV (``NaN`` as an empty cell, ``Infinity`` as no number)."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = Decimal(format(value, ".15g"))
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _far_date(value: FarDate, spec: FieldSpec) -> tuple[str, tuple[str, str] | None]:
    """The cell of a date Python cannot hold: ``infinity`` or a year after 9999 means "no end" as 9999-12-31 does
    (no date in an optional column, impossible in a required one); ``-infinity`` or a date BC is impossible anywhere."""
    if spec.type != "date":
        return "", ("wrong-type", f"应为{_TYPES[spec.type]}，实为日期")
    if not value.late:
        return "", ("date", f"“{value}”不是可能的日期（早于{EARLIEST_YEAR}年）")
    if spec.required:
        return "", ("date", f"“{value}”不是可能的日期（无穷或{SENTINEL_YEAR}年及以后只表示“无期限”，本列必填）")
    return "9999-12-31", None


class FarDate(str):
    """A PostgreSQL date or timestamp that Python cannot hold (``infinity``, ``-infinity``, a date BC, a year after
    9999), as the server wrote it: psycopg would raise ``DataError`` and stop the whole read for one cell."""

    __slots__ = ()

    @property
    def late(self) -> bool:
        """After every date Python holds (``infinity``, the year 10000 on); else before them."""
        return not self.startswith("-") and not self.rstrip().endswith("BC")


def tolerate_far_dates(adapters: Any, oid: int) -> None:
    """Register, for the type ``oid``, a loader that gives a :class:`FarDate` where psycopg's own raises DataError."""
    from psycopg import DataError
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    strict: type[Loader] | None = adapters.get_loader(oid, Format.TEXT)
    if strict is None:
        return

    class Tolerant(Loader):
        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._strict = cast(type[Loader], strict)(oid, context)

        def load(self, data: Any) -> Any:
            try:
                return self._strict.load(data)
            except DataError:
                return FarDate(bytes(data).decode("ascii", "replace"))

    adapters.register_loader(oid, Tolerant)


def canonical(value: object) -> object:
    """A JSON form of a value that is the same whichever driver returned it (for the content hash)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "\\x" + value.hex()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:  # the same instant in whatever zone the session gave it
        return value.astimezone(UTC).isoformat()
    return str(value.isoformat() if isinstance(value, date) else value)


def shown(value: object) -> str:
    """A key or item value as a message shows it."""
    return str(canonical(value))[:64]
