"""Validation and quarantine: turn a raw row into a typed :class:`Record`, or quarantine it.

Every problem of a row is reported (not just the first), each naming the file, row, column and
what was wrong, in the spirit of a frictionless ``Report``. A quarantined row is never published.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.hanzi import simplified
from site_builder.rules.identifiers import (
    first_generation_birth,
    id_birth_date,
    other_generation,
    reads_as_resident_id,
    resident_id_problem,
    uscc_problem,
)
from site_builder.rules.periods import PeriodRule
from site_builder.rules.privacy import (
    ASTRAL_CONTROLS,
    CODE,
    FORMAT_CONTROLS,
    MEMO_TEXT,
    canonical,
    char_class,
    dated_field,
    numbers_in,
    once_per,
)
from site_builder.sources.loading import LAPSE_SAID, RawRow

Value = str | date | Decimal | None

SAFE_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
WINDOWS_UNSAFE_ID = re.compile(r"^(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\..*)?$|\.$", re.IGNORECASE)
"""A record id that names the same folder as another on Windows hosting (IIS, an SMB share: a trailing dot is dropped,
``AP-2.`` is ``AP-2``) or no folder at all there (the device names ``CON``, ``nul.csv``, ``COM1``): one record's page
would replace another's, or the site could not be copied there."""
_NUMBER_IN_ID = re.compile(r"[0-9OoIl](?:[._-]*[0-9OoIlXx]){14}")
"""What a safe record id must hold to hold an ID number (15 or 18 characters: digits, O, I and l read as digits, a
check character X; ``.``, ``_`` and ``-`` between them): only then is it read for one (most ids are shorter)."""
_DATE = re.compile(
    r"^(?P<year>\d{4})\s*(?:[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*[日号]?"
    r"|(?P<month2>\d{2})(?P<day2>\d{2})(?:(?P<nhour>\d{2})(?P<nminute>\d{2})(?P<nsecond>\d{2}))?)"
    r"(?:\s*\(?\s*(?:星期|周|礼拜)(?P<weekday>[一二三四五六日天])\s*\)?)?"
    r"(?:(?:[ T]|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?"
    r"|\s*(?:上午|下午|晚上|凌晨|中午)?\s*(?P<chour>\d{1,2})\s*[时点]\s*(?:(?P<cminute>\d{1,2})\s*分\s*(?:(?P<csecond>\d{1,2})\s*秒)?)?)?$",
    re.IGNORECASE,
)
"""A date (``2026-06-01``, ``2026/6/1``, ``2026年6月1日``, ``2026年6月1号``, ``20260601``, a database's
``20260601083000``), optionally with the day of the
week after it (``2026/6/1 星期一``, ``2026-06-01（周一）``: it must be that date's) and a time of day (``2026-06-01 08:00``,
``2026-06-01T00:00:00Z``, ``…T08:00:00+08:00``, ``2026年6月1日 23时59分``, ``2026年6月1日8点``)."""
_WEEKDAYS = "一二三四五六日"
"""Monday to Sunday as written after 星期/周/礼拜 (天 is 日)."""
CHINA = timezone(timedelta(hours=8))
"""China Standard Time: a date-time with an offset is taken on its calendar date here (UTC+8)."""
MAX_DIGITS = 20
"""Significant digits a number cell may have."""
MAX_MAGNITUDE = 10 ** 15
"""A number cell's largest absolute value (a fine of 10^15 万元 is no fine)."""
MAX_DECIMALS = 20
"""Digits after the decimal point a number cell may have (after its unit is applied)."""
_AMOUNT = re.compile(
    r"^(?P<currency>(?:人民币|rmb|cny)\s*[:：]?\s*¥?|¥)?\s*"
    r"(?P<digits>[-+]?(?:\d{1,3}(?: \d{3})++(?:\.\d++)?|(?=[\d.,]*?\d)[\d.,]++(?:e[-+]?\d++)?))\s*"
    r"(?:(?P<unit>万元|万|亿元|亿|千元|百元|元|块)\s*整?|\((?P<bracketed>万元|元)\))?"
    r"\s*(?P<note>\((?:人民币|rmb|cny)\))?$",
    re.IGNORECASE,
)
"""A number as written in a money column (after NFKC, so ``（）`` are ``()`` and ``￥`` is ``¥``): ``1,200``, ``1 200``
(a space between groups of three), ``￥1.2``, ``人民币1.2万元``, ``12000元``, ``1.2万``, ``0.5万元整``, ``3千元``,
``12000（元）``, ``1.20万元（人民币）``."""
_TRADITIONAL_UNITS = str.maketrans("萬億塊", "万亿块")
"""Units written in traditional characters (``1.2萬``, ``3億元``), read as the simplified ones."""
_UNITS = {"万元": Decimal(10000), "万": Decimal(10000), "亿元": Decimal(10 ** 8), "亿": Decimal(10 ** 8),
          "千元": Decimal(1000), "百元": Decimal(100), "元": Decimal(1), "块": Decimal(1)}
"""What a unit written after an amount multiplies it by, in yuan (千 and 百 only with 元: ``5千`` is refused)."""
_HEADING_UNIT = re.compile(r"(?<![美港欧日英澳台韩卢单])(亿元|万元|千元|百元|元)|\((?:单位[:：]?)?(?:人民币)?(亿|万|千|百)\)")
"""A unit of yuan written in a column heading (after NFKC): ``罚款金额（元）``, ``罚款金额（万元）``, ``金额（单位：千元）``,
``罚没金额（人民币元）``, ``罚款（万）``; not 美元, 港元, 欧元, 日元 … (see :data:`_FOREIGN`)."""
_FOREIGN = re.compile(r"美元|美金|港元|港币|欧元|日元|英镑|澳元|台币|韩元|卢布|外币")
"""A foreign currency named in a money column's heading: its amounts cannot be read as yuan."""
FOREIGN = "外币"
"""What :func:`heading_unit` gives for a heading that names a foreign currency."""
_GROUPED = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:e[-+]?\d+)?$", re.IGNORECASE)
"""Thousands separators in their places only (``1,200``; ``1,2`` is no number: a decimal comma, or a typo)."""
_NO_DATE = {"长期", "永久", "长期有效"}
"""Spellings of "no end" in an optional date column (besides the placeholders of :func:`means_none`)."""
_NONE_MARKS = re.compile(r"[-‐‑‒–—―−~/\\|.·、_]+")
"""A cell of only dashes, slashes or dots (``-``, ``—``, ``/``, ``--``): a placeholder for "none"."""
_NONE_WORD = (r"(?:暂|尚|均|目前|当前|并)?(?:无需|无须|无|没有|不涉及|未涉及|不适用|不需要|未|否|空|n/?a|nil)"
              r"(?:此项|该项|本项|相关|内容|信息|数据|证照|证件|许可证|许可|执照|事项|记录|情况|名称|编号|此|该|证|照|项)*+")
_NONE = re.compile(rf"{_NONE_WORD}(?:[-—/、.]*+{_NONE_WORD})*+")
"""A placeholder meaning "none": a word of negation or absence (无, 暂无, 没有, 不涉及, 未涉及, 不适用, 无需, 未, 否, 空,
N/A, nil), optionally followed by what is absent (此项, 相关, 证照, 许可证, 执照, 信息, 记录, 编号 …): ``无此项``,
``无证照``, ``暂无相关信息``, ``不涉及``."""
_NULL = {"null", "none", "n/a", "nan"}
"""Spellings of an empty cell in database exports (compared in lower case)."""
EARLIEST_YEAR = 1900
"""Dates before this year are impossible in a credit record (``0001-01-01`` is a database's "no date"): quarantined."""
SENTINEL_YEAR = 2200
"""A date in this year or later (``9999-12-31``, ``2999-01-01``) is a system's way of writing "no end": in an
optional date column it means no date; in a required one it is impossible and quarantined."""
_INVISIBLE = char_class("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff" + FORMAT_CONTROLS,
                        ASTRAL_CONTROLS)
"""Control characters, non-characters and lone surrogates, and the format controls of every plane
(:data:`~site_builder.rules.privacy.FORMAT_CONTROLS`, :data:`~site_builder.rules.privacy.ASTRAL_CONTROLS`:
zero-width characters, direction marks and overrides, the soft hyphen, the tag characters, the format controls of
other scripts; shown as nothing): removed from every cell (they make XML ill-formed, hide text from readers, make two
names that look the same differ, and split numbers so they escape masking). Variation selectors and the Mongolian
vowel separator stay: they choose a character's form (a rare character of a name, a Mongolian word's spelling), not
whether it is seen."""
_FILLERS = re.compile("[\u115f\u1160\u3164\uffa0]")
"""The Hangul fillers (``ㅤ`` U+3164 and its half-width and Jamo forms), letters that show as nothing: made one space
(a name that looked blank is empty; ``张ㅤ三`` is 张 三; a digit they set apart from a number stays apart)."""
_OTHER_CARDS = ("外国", "永久居留", "香港", "澳门", "台湾", "港澳", "境外", "身份证件")
"""Words in the name of a card that is not the resident ID card although its name holds 身份证 (外国人永久居留身份证,
香港居民身份证), or of any identity document (身份证件: a passport is one)."""
_NOT_DIGIT = re.compile(r"[^0-9]+")
_EXCEL_NUMBER = re.compile(r"^[0-9](?:\.[0-9]+)?E\+?[0-9]+$|^[0-9]+\.0+$", re.IGNORECASE)
"""A code that Excel turned into a number before it was saved as CSV: ``3.30106E+14`` (its digits after the 6th are
gone), ``330106000012345.0``."""
_SCIENTIFIC = re.compile(r"^[0-9](?:\.[0-9]+)?E\+(?:1[1-9]|[2-9][0-9]|[0-9]{3,})$", re.IGNORECASE)
"""A number as Excel shows one of 12 digits or more (``1.23457E+11``, ``3.30212E+14``: Excel's General format writes
shorter ones out): what was there is lost. Not ``1E5`` or ``2E10``, which are record ids or codes as written."""
NUMBERED_FIELDS = frozenset({"license_no", "license_revoked"})
"""Text fields holding a number other than a code (许可编号, 暂扣或吊销证照名称及编号): besides the record id and
document numbers (文号, 案号), where Excel's scientific notation means the number is lost."""
_CODE_ROLES = {"uscc", "id_no"}
_EXCEL_TEXT = re.compile(r"""^(?:'|=\s*["“])([0-9A-Za-z\s-]+)["”]?$""")
"""A code kept as text the way spreadsheets do (``'91330212R2F6XT4CXG``, ``="330212199003066181"``): the code inside.
Hyphens and spaces between its groups (``330102-19800616-0021``) go too, for a 统一社会信用代码 or an ID number."""
NUMERIC_CODE = re.compile(r"[0-9０-９]{1,4}(?:\s*[,，;；、/|]\s*[0-9０-９]{1,4})*")
"""A value written as a code of a platform's code list (``1``, ``01``, ``02,03``): not a value in words."""


@dataclass(frozen=True)
class Record:
    """A valid row: typed values by field name (enumerations hold their codes)."""

    item: str
    record_id: str
    file: str
    row: int
    values: dict[str, Value]

    def get(self, name: str | None) -> Value:
        """The value of field ``name`` (``None`` for no field or an empty cell)."""
        return self.values.get(name) if name else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: the column (Chinese title), a slug and a sentence."""

    column: str
    type: str
    message: str


@dataclass(frozen=True)
class Quarantined:
    """A row that failed validation, with every problem found in it."""

    item: str
    file: str
    row: int
    record_id: str
    problems: tuple[Problem, ...]


@once_per
def roles(item: CatalogItem) -> dict[str, str]:
    """Role -> the name of the field that plays it in ``item`` (as :meth:`CatalogItem.role`, looked up once per item)."""
    found: dict[str, str] = {}
    for f in item.fields:
        if f.role:
            found.setdefault(f.role, f.name)
    return found


def is_resident_id_type(id_type: str) -> bool:
    """Whether a 证件类型 names the resident ID card, however written: 身份证, 居民身份证, 身份证号码, 居民身份证号,
    第二代居民身份证, 中华人民共和国居民身份证 (NFKC, white space ignored); not a card whose name holds 身份证 as well
    (外国人永久居留身份证, 香港居民身份证: :data:`_OTHER_CARDS`)."""
    text = "".join(unicodedata.normalize("NFKC", id_type).split())
    return "身份证" in text and (not any(word in text for word in _OTHER_CARDS) or "居民身份证" in text
                                  and not any(word in text for word in _OTHER_CARDS[:-1]))


def id_key(record_id: str) -> str:
    """The form in which record ids are compared: NFKC, trimmed, case-folded (``ＡＰ－１`` = ``ap-1``).

    Ids that differ only by case would collide on case-insensitive file systems and web hosts.
    """
    return unicodedata.normalize("NFKC", clean(record_id)).strip().casefold()


_NONE_IGNORED = re.compile(r"[\s()\[\]【】〔〕<>《》。,，;；:：!！?？\"'“”‘’]+")
"""What :func:`means_none` ignores around a placeholder: white space, brackets, sentence punctuation, quotes."""


def means_none(text: str) -> bool:
    """Whether ``text`` is a placeholder meaning "none" rather than a value: only dashes, slashes or dots (``-``, ``—``,
    ``/``), or a word of absence (:data:`_NONE`: ``无``, ``暂无``, ``不涉及``, ``不适用``, ``无此项``, ``无证照``,
    ``N/A``), after NFKC, ignoring case, white space, brackets and sentence punctuation (``无。``, ``（无）``). A number,
    even ``0``, is not a placeholder."""
    text = _NONE_IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())
    return bool(text) and bool(_NONE_MARKS.fullmatch(text) or _NONE.fullmatch(text))


def clean(text: str) -> str:
    """``text`` without control, zero-width and bidirectional-override characters (see ``_INVISIBLE``), Hangul
    fillers as spaces (``_FILLERS``)."""
    if _INVISIBLE.found_in(text):
        text = _INVISIBLE.pattern.sub("", text)
    return _FILLERS.sub(" ", text) if _FILLERS.search(text) is not None else text


_NOT_SERIOUS_LIST = re.compile(r"经营异常|异常名录|异常名单|异常经营|重点关注|关注名单|警示名单|预警名单|风险提示|风险名单|观察名单|"
                               r"灰名单|重点监管|非正常户|[Dd]级|一般失信|轻微失信|不良行为记录|非严重|不属于严重")
"""Words of lists that are no serious-dishonesty list (经营异常名录, 重点关注名单, 纳税信用D级), in a list entry's
名单类型, unless it says the entry is serious (:data:`_SERIOUS_LIST`)."""
_SERIOUS_LIST = re.compile(r"严重|黑名单|失信被执行人|重大税收违法|(?<![未不将])(?<!没有)(?<!未到)届满(?!前)"
                           r"|(?<![未不届距])满[三3]年|转入严重|列入严重")
"""Words saying that a list entry is a serious-dishonesty listing after all: 严重违法失信名单 (the 市场监管 list that
an entry of the 经营异常名录 for three years joins: 列入经营异常名录届满3年仍未履行相关义务, 经营异常名录届满3年转入;
not 未届满三年, 未满三年, nor 转入 alone: 非正常户转入)."""
_NOT_SERIOUS_SAID = re.compile(r"非严重|不属于严重|一般失信|轻微失信"
                               r"|拟(?:列入|纳入)(?!.*?(?:(?:期满|告知|公示)后?[，,、\s]*|(?<![未不没待尚暂将拟非])正式)(?<![未不没待尚暂将拟非])(?:列入|纳入))"
                               r"|严重失信风险(?![^，,；;。\n\r]*?(?<![未拟待将尚不没暂能于的])转入)(?!.*?已转入)")
"""Words saying outright that an entry is not serious (非严重失信（经营异常）, 拟列入严重失信主体名单: a notice before
listing, 重点关注名单（严重失信风险）), whatever else it says."""


_CELLS_KEPT = 1 << 14
"""Parsed cells a :class:`Validator` remembers per field."""


class Validator:
    """Validates the rows of one catalogue item, catching repeated record ids.

    ``repeated``: the ids (by :func:`id_key`) that more than one row of the item uses, with where each
    row is (:func:`site_builder.pipeline.repeated_ids`; a build finds them as it reads the rows): every such row is
    quarantined, none published. Without it, a repeat is caught when its second row arrives.
    """

    def __init__(self, item: CatalogItem, repeated: dict[str, list[str]] | None = None,
                 period: PeriodRule | None = None) -> None:
        self.item = item
        self.period = period
        """The period rule the site's profile applies to the item, where it replaces the catalogue's
        (:meth:`Policy.rule <site_builder.rules.profiles.Policy.rule>`): its end dates are ordered too (``date-order``)."""
        self.seen: dict[str, str] = {}
        self.repeated = repeated or {}
        self.id_field = item.role("record_id") or "record_id"
        self._roles = roles(item)
        self._titles = {f.name: f.title for f in item.fields}
        self._kinds = tuple(dict.fromkeys(v.penalty_type for v in item.period.versions if v.penalty_type))
        """The fields listing a penalty's kinds (处罚类别), which must be words: the 轻微 rule reads them."""
        # A short cell's value is remembered per field: codes, dates, enumerations and names repeat from row to row.
        # One dictionary per field, emptied when full, rather than one LRU cache for all (a tuple key made per cell, and
        # the values of a field that never repeat, a document number, pushing out those of the fields that do); the
        # record id, different in every row, is not remembered.
        self._cells: tuple[tuple[FieldSpec, str, dict[str, Parsed] | None], ...] = tuple(
            (spec, spec.name, {} if spec.role != "record_id" else None) for spec in item.fields)

    def _title(self, name: str) -> str:
        title = self._titles.get(name)
        return title if title is not None else self.item.field(name).title

    def validate(self, raw: RawRow) -> Record | Quarantined:
        """Type every cell and check the row; return the record or its quarantine entry. A defect of a lapse said
        (:data:`~site_builder.sources.loading.LAPSE_SAID`) is left to the decision, which has the as-of date
        (:func:`~site_builder.rules.pipeline.held`)."""
        if raw.quarantined:
            record_id = clean(raw.values.get(self.id_field, "")).strip()[:128]
            return Quarantined(raw.item, raw.file, raw.row, record_id,
                               tuple(Problem(*d) for d in raw.defects if d[1] != LAPSE_SAID))
        problems: list[Problem] = []
        values: dict[str, Value] = {}
        if raw.extra_cells:
            problems.append(Problem("", "extra-cell", f"本行比表头多出{raw.extra_cells}个非空单元格，列可能错位"))
        cells = raw.values
        for spec, name, memo in self._cells:
            text = cells.get(name, "")
            if memo is None or len(text) > MEMO_TEXT:
                value, problem = parse_cell(spec, text)
            elif (parsed := memo.get(text)) is not None:
                value, problem = parsed
            else:
                if len(memo) >= _CELLS_KEPT:
                    memo.clear()
                value, problem = memo[text] = parse_cell(spec, text)
            values[name] = value
            if problem and problem[0] == "required" and name not in cells:
                problems.append(self._missing_column(spec))
            elif problem:
                problems.append(Problem(spec.title, problem[0], problem[1]))
        problems += self._row_checks(values, {p.column for p in problems})
        record_id = str(values.get(self.id_field) or "")
        key = id_key(record_id)
        first = self.seen.get(key)
        id_title = self._title(self.id_field)
        if key in self.repeated:
            places = self.repeated[key]
            problems.append(Problem(id_title, "duplicate-id", f"记录编号“{record_id}”（不区分大小写和全半角）由{len(places)}行共用"
                                    f"（{'、'.join(places)}），无法确定哪一行有效，各行均不公示"))
        elif first is not None:
            problems.append(Problem(id_title, "duplicate-id", f"记录编号“{record_id}”重复，首次出现于{first}"))
        elif key and not problems:
            self.seen[key] = f"{raw.file}第{raw.row}行"
        if problems:
            return Quarantined(raw.item, raw.file, raw.row, record_id, tuple(problems))
        return Record(raw.item, record_id, raw.file, raw.row, values)

    def _missing_column(self, spec: FieldSpec) -> Problem:
        """The problem of a row whose file has no column for the required field ``spec`` (a row the reader gives
        without the field at all: its heading row names no column of it), rather than an empty cell."""
        return Problem(spec.title, "missing-column",
                       f"文件中没有必填列“{spec.title}”（{spec.name}），本行无法判断是否公示：请在导出中加上该列，"
                       f"或在 site_builder.toml 的 [columns.{self.item.id}] 中写明文件里对应的列名（如 \"列名\" = \"{spec.name}\"），"
                       "或把该列改名为目录列名（见 docs/columns.md）")

    def _record_date(self, values: dict[str, Value]) -> date | None:
        """The date a person named in the record was born before (:func:`~site_builder.rules.privacy.dated_field`): a
        number whose birth date is not before it is no ID number in this record (a licence number made of its date)."""
        spec = dated_field(self.item)
        value = values.get(spec.name) if spec is not None else None
        return value if isinstance(value, date) else None

    def _row_checks(self, values: dict[str, Value], bad_columns: set[str]) -> list[Problem]:
        """Checks across cells: safe record id, a penalty kind written as a code, subject identifiers by subject
        category."""
        problems: list[Problem] = []
        for name in self._kinds:
            kind = values.get(name)
            if isinstance(kind, str) and NUMERIC_CODE.fullmatch(unicodedata.normalize("NFKC", kind)):
                problems.append(Problem(
                    self._title(name), "code",
                    f"“{kind}”是代码，不是处罚种类：代码表因平台而异，无法判断这一处罚是否仅为警告或通报批评（轻微，不公示）；"
                    "请在导出中写明处罚种类（如“警告”“罚款”“没收违法所得、没收非法财物”）"))
        record_id = values.get(self.id_field)
        if isinstance(record_id, str) and not SAFE_RECORD_ID.match(record_id):
            problems.append(Problem(
                self._title(self.id_field), "unsafe-id",
                "记录编号只能由字母、数字和 . _ - 组成（最长128位，不以符号开头），否则不能用作网址",
            ))
        elif isinstance(record_id, str) and WINDOWS_UNSAFE_ID.search(record_id):
            problems.append(Problem(
                self._title(self.id_field), "unsafe-id",
                "记录编号以“.”结尾，或是 Windows 的设备名（CON、PRN、AUX、NUL、COM1、LPT1 等），在 Windows 服务器上"
                "不能用作网址（以“.”结尾的与不带“.”的是同一个文件夹）"))
        elif isinstance(record_id, str) and _NUMBER_IN_ID.search(record_id) and numbers_in(record_id, CODE,
                                                                                           self._record_date(values)):
            problems.append(Problem(self._title(self.id_field), "unsafe-id",
                                    "记录编号含有居民身份证号码，不能用作公开网址"))
        elif isinstance(record_id, str) and self._holds_own_id(record_id, values):
            problems.append(Problem(self._title(self.id_field), "unsafe-id",
                                    "记录编号含有本记录所载的证件号码（15位或18位形式），不能用作公开网址"))
        category_field = self._roles.get("subject_category")
        uscc_field = self._roles.get("uscc")
        category = values.get(category_field) if category_field else None
        if (category in ("legal_person", "individual_business") and uscc_field and not values.get(uscc_field)
                and self._title(uscc_field) not in bad_columns):
            problems.append(Problem(self._title(uscc_field), "required", "法人、非法人组织和个体工商户须有统一社会信用代码"))
        if uscc_field and self._code_is_an_id(values, values.get(uscc_field), category):
            problems.append(Problem(self._title(uscc_field), "uscc", "统一社会信用代码是一个居民身份证号码（地区码、出生日期和校验码"
                                    "都符合），不是统一社会信用代码：可能误填了经营者、本人或法定代表人的身份证号码；本行不公示，"
                                    "请改为该主体的统一社会信用代码"))
        problems += self._date_order(values, bad_columns)
        problems += self._list_kind(values)
        id_field = self._roles.get("id_no")
        if category == "natural_person" and not (id_field and self._title(id_field) in bad_columns):
            problems += self._person_checks(values)  # not for a number already refused ("required" besides would mislead)
        return problems

    def _code_is_an_id(self, values: dict[str, Value], code: Value, category: Value) -> bool:
        """Whether the subject's 统一社会信用代码 is a person's ID number typed into its column: it reads as one
        (:func:`~site_builder.rules.identifiers.reads_as_resident_id`) and the subject is a person or an 个体工商户
        (whose codes begin with 92, which no ID number does), or it is an ID number the record itself gives (its
        legal representative's). It was published as the subject's code and its page's address (or, the same as the
        legal representative's number, stopped the build as a leak). An organisation's code that merely reads as one
        is published: a few real codes of 机关, 事业单位 and 社会组织 do."""
        if not isinstance(code, str) or len(code) != 18 or code[0] not in "12345678" or not reads_as_resident_id(code):
            return False  # no province code begins with 9 (an enterprise's 91, an 个体工商户's 92)
        kind = values.get(self._roles.get("subject_type") or "subject_type")
        if category in ("natural_person", "individual_business") or kind == "individual_business":
            return True
        return any(isinstance(value := values.get(name), str) and canonical(value) == code for name in self._id_fields)

    def _date_order(self, values: dict[str, Value], bad_columns: set[str]) -> list[Problem]:
        """A 信用修复日期, 移出日期, 公示截止期 or 有效期至 before the record's decision date: a repair ends the
        publication of a finding already made, a removal ends a listing, a last public day or the end of a listing's
        validity follows its start, and none comes before it. Such a date (``1900-01-01``, a database's default; a
        year typed wrong) withdrew the record, silently, for ever (an end date as its period having "expired")."""
        decided_by, later = self._ordered
        for name in later:
            if values.get(name) is not None:
                break
        else:
            return []  # the common case: no repair, no removal
        decided = values.get(decided_by)
        if not isinstance(decided, date):
            return []
        return [Problem(self._title(name), "date-order",
                        f"{self._title(name)}（{value.isoformat()}）早于{self._title(decided_by)}"
                        f"（{decided.isoformat()}），不可能：可能是数据库的默认值或录入错误；本行不公示，请更正该日期（没有时留空）")
                for name in later if isinstance(value := values.get(name), date) and value < decided
                and self._title(name) not in bad_columns]

    def _list_kind(self, values: dict[str, Value]) -> list[Problem]:
        """A 严重失信主体名单 entry whose 名单类型 names a list that is no serious-dishonesty list (经营异常名录,
        重点关注名单, 警示名单): published under the item's title, it called a company seriously dishonest, and under
        Zhejiang's rules its listing kept its judgments public and deferred its repairs."""
        name = self._roles.get("document_title")
        kind = values.get(name) if name and "严重失信" in self.item.title else None
        kind = simplified(unicodedata.normalize("NFKC", kind)) if isinstance(kind, str) else None  # 經營異常名錄, Ｄ级
        if not name or not isinstance(kind, str) or not (
                _NOT_SERIOUS_SAID.search(kind) or _NOT_SERIOUS_LIST.search(kind) and not _SERIOUS_LIST.search(kind)):
            return []
        return [Problem(self._title(name), "list-kind",
                        f"“{kind[:40]}”不是严重失信主体名单（经营异常名录、重点关注名单等不是严重失信）：不能作为{self.item.title}"
                        "公示，本行不公示；请只导出严重失信主体名单，其他名单请作为站点自定义的目录项导出")]

    @functools.cached_property
    def _ordered(self) -> tuple[str, tuple[str, ...]]:
        """The decision date's field, and the fields of dates that cannot come before it (repair, removal, and the
        last public day or end of validity that some version of the period rule reads, ``ends_at``: the catalogue's rule
        and the profile's that replaces it, whose own end dates are as impossible before the decision)."""
        versions = (*self.item.period.versions, *(self.period.versions if self.period is not None else ()))
        later = (self._roles.get("repair_date"), *(name for v in versions for name in (*v.removed_on, *v.ends_at)))
        return self._roles.get("decision_date") or "", tuple(dict.fromkeys(name for name in later if name))

    def _person_checks(self, values: dict[str, Value]) -> list[Problem]:
        id_field, type_field = self._roles.get("id_no"), self._roles.get("id_type")
        if not id_field:
            return []
        number = values.get(id_field)
        title = self._title(id_field)
        if not number:
            return [Problem(title, "required", "自然人须有证件号码")]
        id_type = str(values.get(type_field) or "") if type_field else ""
        number = str(number)
        if is_resident_id_type(id_type) or (not id_type and len(number) == 18):
            if len(number) == 15 and number.isdigit():  # a first-generation number: a province and a real birth date
                problem = None if first_generation_birth(number) else f"15位居民身份证号码的地区码或出生日期{number[6:12]}无效"
            else:
                problem = resident_id_problem(number)
            if problem:
                return [Problem(title, "resident-id", problem)]
        return []

    def _holds_own_id(self, record_id: str, values: dict[str, Value]) -> bool:
        """Whether ``record_id`` holds an ID number of either generation that the record itself gives (its subject's,
        its legal representative's) in either form: an 18-digit one is found in any record id, but the 15-digit form
        (``XZCF-330106850920013-01``) only by comparing with the record's own numbers."""
        if len(_NOT_DIGIT.sub("", record_id)) < 15:
            return False  # no room for an ID number (most ids: AP-000123)
        solid = canonical(record_id)
        for name in self._id_fields:
            value = values.get(name)
            number = canonical(value) if isinstance(value, str) else ""
            if id_birth_date(number) is not None and any(
                    form and form in solid for form in (number, other_generation(number))):
                return True
        return False

    @functools.cached_property
    def _id_fields(self) -> tuple[str, ...]:
        """The fields that may hold a person's ID number: masked as one, or withheld text."""
        return tuple(f.name for f in self.item.fields
                     if f.mask == "id_number" or f.role == "id_no" or f.disclosure == "withheld" and f.type == "string" and not f.values)


Parsed = tuple[Value, tuple[str, str] | None]
"""A cell parsed (:func:`parse_cell`): its value, or the type and message of what is wrong with it."""


def parse_cell(spec: FieldSpec, text: str) -> Parsed:
    """Parse one cell for ``spec``: ``(value, None)`` or ``(None, (error type, message))``."""
    text = clean(text).replace("\u3000", " ").strip()
    if text.lower() in _NULL:
        text = ""
    if spec.role == "record_id":
        text = unicodedata.normalize("NFKC", text)
    elif spec.role in _CODE_ROLES or spec.format == "uscc":
        text = _EXCEL_TEXT.sub(r"\1", unicodedata.normalize("NFKC", text).replace(" ", "")).replace("-", "").upper()
    elif spec.format == "code":
        text = _EXCEL_TEXT.sub(r"\1", text)
    if not spec.required and (spec.type == "date" and text in _NO_DATE
                              or (spec.type in ("date", "number", "integer") or is_code(spec)) and means_none(text)):
        text = ""  # a placeholder for "none" (无, -, /, 暂无, 不涉及; 长期 for a date) in an optional column
    if not text:
        return None, ("required", "必填字段为空") if spec.required else None
    if spec.values is not None:
        code = enum_code(spec, text)
        if code is None and spec.open:
            return text, None
        if code is None:
            allowed = "、".join(spec.values.values())
            if NUMERIC_CODE.fullmatch(text):
                return None, ("enum", f"“{text}”是代码，不是允许的取值（{allowed}）：代码表因平台而异，无法确定其含义；"
                                      f"请在导出中写明取值（如“{next(iter(spec.values.values()))}”）")
            return None, ("enum", f"“{text}”不是允许的取值（{allowed}）")
        return code, None
    if spec.type == "date":
        return _parse_date(text, spec.required)
    if spec.type in ("number", "integer"):
        return _parse_number(spec, text)
    if spec.format == "uscc":
        problem = uscc_problem(text)
        return (None, ("uscc", problem)) if problem else (text, None)
    if (spec.format == "code" or spec.role == "id_no" or spec.mask == "id_number") and _EXCEL_NUMBER.match(text):
        return None, ("stored-as-number", f"“{text}”是被当作数字保存的代码（Excel 的科学计数法或末尾的 .0），原来的数字已经丢失或改变；"
                                          "请在源系统中把这一列设为文本后重新导出")
    if is_numbered(spec) and _SCIENTIFIC.match(text):
        return None, ("stored-as-number", f"“{text}”是 Excel 以科学计数法显示的数字，原来的编号已经丢失；"
                                          "请在源系统中把这一列设为文本后重新导出")
    return text, None


def is_numbered(spec: FieldSpec) -> bool:
    """Whether ``spec`` holds a number that identifies something (记录编号, 文号, 案号, 许可编号 …) without being a code
    of :func:`is_code`: Excel's scientific notation there, or a date typed into it, has lost the number."""
    return spec.role in ("record_id", "document_no") or spec.name in NUMBERED_FIELDS


def is_code(spec: FieldSpec) -> bool:
    """Whether ``spec`` holds a code or an ID number (统一社会信用代码, 工商注册号, 证件号码 …): a placeholder written
    for none there (``-``, ``—``, ``/``, ``无``, ``空``, ``N/A``: :func:`means_none`) is an empty cell, so that a natural
    person's 统一社会信用代码 written ``-`` is no 1-character code, and a legal person's is missing, as it is."""
    return spec.role in _CODE_ROLES or spec.format in ("uscc", "code") or spec.mask == "id_number"


def enum_code(spec: FieldSpec, text: str) -> str | None:
    """The code of an enumerated value given as its code (any case) or its Chinese label, in simplified or traditional
    characters (``已審核``, ``處理中``: read as OpenCC's ``t2s`` reads them, where the text as written is no spelling)."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    spellings = _spellings(spec)
    code = spellings.get(key)
    if code is None and not key.isascii():
        code = spellings.get(simplified(key))
    return code


@once_per
def _spellings(spec: FieldSpec) -> dict[str, str]:
    """Every spelling of an enumeration's values (NFKC, lower case) -> its code; the first code that has it."""
    assert spec.values is not None
    found: dict[str, str] = {}
    for code, label in spec.values.items():
        for spelling in (code, label, *(spec.synonyms or {}).get(code, ())):
            found.setdefault(unicodedata.normalize("NFKC", spelling).lower(), code)
    return found


def _parse_date(text: str, required: bool) -> tuple[Value, tuple[str, str] | None]:
    match = _DATE.match(unicodedata.normalize("NFKC", text))
    if match:
        month, day = match["month"] or match["month2"], match["day"] or match["day2"]
        try:
            value = date(int(match["year"]), int(month), int(day))
        except ValueError:
            if int(match["year"]) == 0 and int(month) == 0 and int(day) == 0:
                return None, ("date", f"“{text}”是 MySQL 等数据库的“零日期”，不是日期：没有日期时请导出为空值")
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and int(match["year"]) >= 1:
                return None, ("date", f"“{text}”不存在（{int(match['year'])}年{int(month)}月没有{int(day)}日）")
        else:
            if match["weekday"] and _WEEKDAYS[value.weekday()] != match["weekday"].replace("天", "日"):
                return None, ("date", f"“{text}”的星期与日期不符（{value.isoformat()}是星期{_WEEKDAYS[value.weekday()]}）")
            clock = (match["chour"], match["cminute"], match["csecond"]) if match["chour"] is not None else (
                match["nhour"], match["nminute"], match["nsecond"])
            if clock[0] is not None:  # 23时59分, 20251207235959: China's time, no offset
                if int(clock[0]) > 23 or int(clock[1] or 0) > 59 or int(clock[2] or 0) > 59:
                    return None, ("date", f"“{text}”的时间不存在（时须在0–23、分和秒须在0–59之间）")
            elif match["hour"] is not None:
                hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
                if hour > 23 or minute > 59 or second > 59:
                    return None, ("date", f"“{text}”的时间不存在（时须在0–23、分和秒须在0–59之间）")
                if match["offset"]:
                    moved = _china_date(value, time(hour, minute, second), match["offset"])
                    if moved is None:
                        return None, ("date", f"“{text}”的时区偏移不存在（应在 -12:00 与 +14:00 之间）")
                    value = moved
            if value.year < EARLIEST_YEAR:
                return None, ("date", f"“{text}”不是可能的日期（早于{EARLIEST_YEAR}年）")
            if value.year >= SENTINEL_YEAR:
                if required:
                    return None, ("date", f"“{text}”不是可能的日期（{SENTINEL_YEAR}年及以后只表示“无期限”，本列必填）")
                return None, None  # "no end" written as a far-future date
            return value, None
    return None, not_a_date(text)


EXCEL_1900 = date(1899, 12, 30)
"""Day 0 of Excel's default date system (serial 1 is 1900-01-01, counting Excel's 1900-02-29)."""
EXCEL_1904 = date(1904, 1, 1)
"""Day 0 of Excel's 1904 date system (workbooks made on old Macs: ``date1904``), 1462 days later."""


def is_serial(text: str) -> bool:
    """Whether a cell of a date column reads as an Excel date serial number (20000 to 80000: 1954 to 2119)."""
    return text.isdigit() and 20000 <= int(text) <= 80000


def not_a_date(text: str, base: date = EXCEL_1900) -> tuple[str, str]:
    """The problem of a cell that is no date; for a number that looks like an Excel date serial, the date it stands
    for in the workbook's date system (``base``: :data:`EXCEL_1900`, or :data:`EXCEL_1904` in a 1904 workbook)."""
    hint = ""
    if is_serial(text):
        system = "，本工作簿使用1904日期系统" if base == EXCEL_1904 else ""
        hint = (f"；这像是 Excel 的日期序列号（{(base + timedelta(days=int(text))).isoformat()}{system}），"
                "请在源系统中把日期列设为文本或 YYYY-MM-DD 格式后重新导出")
    return "date", f"“{text}”不是有效日期（应为 YYYY-MM-DD，可带时间，如 2026-06-01T08:00:00+08:00）{hint}"


def _china_date(day: date, clock: time, offset: str) -> date | None:
    """The calendar date in China (UTC+8) of a date-time written with a UTC offset (``Z``, ``+08:00``, ``-0500``);
    ``None`` for an offset no clock uses."""
    if offset.upper() == "Z":
        delta = timedelta()
    else:
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        delta = -delta if offset[0] == "-" else delta
    if not timedelta(hours=-12) <= delta <= timedelta(hours=14) or delta.seconds % 900:
        return None
    moment = datetime.combine(day, clock, tzinfo=timezone(delta))
    try:
        return moment.astimezone(CHINA).date()
    except OverflowError:  # 9999-12-31T23:00Z: past the last date; a sentinel either way
        return day


def heading_unit(heading: str) -> str | None:
    """The unit a money column's heading states: ``元``, ``万元``, ``千元``, ``百元`` or ``亿元`` (``（万）`` is 万元),
    :data:`FOREIGN` for a heading naming a foreign currency (``罚款金额（美元）``), ``None`` for a heading without a
    unit. Used for the catalogue's titles (:func:`unit`) and for the headings of a file alike, so that an amount is
    read in the unit its own column states and converted exactly to the catalogue's (``罚款金额（元）`` 8000 is 0.8 in
    ``罚款金额（万元）``)."""
    text = simplified(unicodedata.normalize("NFKC", heading))
    if _FOREIGN.search(text):
        return FOREIGN
    found = _HEADING_UNIT.findall(text)
    if not found:
        return None
    word, bare = found[-1]
    return word or f"{bare}元"


def unit(spec: FieldSpec) -> Decimal | None:
    """The unit of a money column, from its title (:func:`heading_unit`): ``10000`` for ``（万元）``, ``1`` for ``（元）``,
    else ``None``."""
    word = heading_unit(spec.title)
    return _UNITS.get(word) if word else None


def unit_value(word: str) -> Decimal | None:
    """What an amount in the unit ``word`` (``元``, ``万元`` …: :func:`heading_unit`) is in yuan; ``None`` for a
    foreign currency."""
    return _UNITS.get(word)


def in_unit(text: str, word: str) -> str:
    """``text`` read in the unit ``word`` (``元``, ``万元`` …) that its column's heading states: a bare amount
    (``8000``, ``1,200.5``) gets the unit written after it (``8000元``), which :func:`parse_cell` converts to the
    catalogue's unit; an amount that writes its own unit or currency (``1.2万``, ``¥800``), a placeholder (``无``, ``-``)
    or anything that is no amount is left as it is (its own unit wins; the rest is parsed, or refused, as written)."""
    stripped = clean(text).replace("\u3000", " ").strip()
    match = _AMOUNT.match(unicodedata.normalize("NFKC", stripped).translate(_TRADITIONAL_UNITS))
    if match is None or match["currency"] or match["note"] or match["unit"] or match["bracketed"]:
        return text
    return f"{stripped}{word}"


def _parse_number(spec: FieldSpec, text: str) -> tuple[Value, tuple[str, str] | None]:
    """A number cell; in a money column (its unit in the title) an amount written with ``¥`` or ``人民币``, a unit
    (``元``, ``块``, ``万``, ``万元``, ``千元``, ``百元``, ``亿``, ``亿元``; ``整`` after it, or the unit in brackets:
    ``12000（元）``) or a trailing ``（人民币）`` is converted to the column's unit (a currency without a unit means
    yuan), and a negative amount is refused. Digits and exponents are bounded (``1e2000000`` is no amount, and could not
    even be printed)."""
    column_unit = unit(spec)
    match = _AMOUNT.match(unicodedata.normalize("NFKC", text).strip().translate(_TRADITIONAL_UNITS))
    if match is None:
        return None, ("number", f"“{text}”不是有效数字")
    digits, written_unit = match["digits"], match["unit"] or match["bracketed"]
    currency = match["currency"] or match["note"]
    if (column_unit is None and (currency or written_unit)) or ("," in digits and not _GROUPED.match(digits)):
        return None, ("number", f"“{text}”不是有效数字")
    try:
        number = Decimal(digits.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None, ("number", f"“{text}”不是有效数字")
    if not number.is_finite():
        return None, ("number", f"“{text}”不是有效数字")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number's
    if len(number.as_tuple().digits) > MAX_DIGITS or number.adjusted() >= 16 or -exponent > MAX_DECIMALS:
        return None, ("number", f"“{text}”超出合理范围（最多{MAX_DIGITS}位有效数字、{MAX_DECIMALS}位小数，"
                                f"绝对值不超过10^15），不是可信的数值")
    if column_unit is not None:
        if number < 0:
            return None, ("number", f"“{text}”是负数：金额不能为负")
        written = _UNITS[written_unit] if written_unit else Decimal(1) if currency else column_unit
        if written != column_unit:
            number = number * written / column_unit
    # One written form per amount, so that 48.40 rewritten 48.4 (or 1E+2 as 100, -0 as 0) is no change: no trailing
    # zero after the point, no exponent.
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    number = number if number else Decimal(0)
    if abs(number) > MAX_MAGNITUDE:
        return None, ("number", f"“{text}”超出合理范围（绝对值不超过10^15），不是可信的数值")
    if spec.type == "integer" and number != number.to_integral_value():
        return None, ("number", f"“{text}”不是有效数字")
    return number, None
