"""What is secret, and how it may be written: the one owner of that knowledge.

Redaction (:func:`scrub`) and the leak scan (:class:`Secrets`) both read text through the same
folding: NFKC (full-width digits and letters become ASCII, circled and other compatibility digits
become digits), Chinese digit characters (〇零一二…九), financial numerals (壹贰叁肆伍陆柒捌玖, 貳參叄陸), Suzhou
numerals (〡〢〣…〩) and the decimal digits of every other script (``٣``, ``३``, ``๓``) read as digits, and so the
digits as spoken (幺 两 洞 拐 勾) in a run long enough to be a number (:func:`_spoken`), the
multiplication sign and other look-alikes of X (``×``, ``✕``, Greek ``Χχ``, Cyrillic ``Хх``) read as ``X``, zero-width
characters removed; and both decode the same escapes once (:func:`unescaped`: HTML character references and entities,
JSON ``\\u`` escapes, percent-encoding), so that what one reads as a number the other reads so too.

Between two characters of a number may stand separators: white
space of any kind, line breaks, dashes, dots, underscores, slashes (:data:`_SEPARATORS`) and other punctuation
(:data:`_PUNCTUATION`: commas, 、, colons, semicolons, brackets of every kind, ``|``, ``*``, ``+`` …). So
``３３０１０２ 1990-0101-123X``, ``ID330102199001011234``, ``330102\\n199001011234``, ``330102，19900101，123×``
and ``330102(19900101)123X`` are all the same ID number.

Digit groups joined by at most three separators of the first kind are one number wherever it starts; groups joined
by other punctuation or by a longer run of separators (``330102，19900101，1234``, ``330102    19900101    1234``)
make an ID number only as a whole: it starts where one of them starts and ends where one ends. A list of dates or
amounts (``2022-12-15, 2023-02-01, 2023-03-05``, ``13,500,000,000``) is then read as an ID number only if such
whole groups form a valid one (check character, birth date, address code); mobile phone and bank card numbers are
read across separators of the first kind only (``13,500,000,000`` is an amount, not a mobile number), but for a mobile
number grouped 3-4-4 and a first-generation ID number grouped 6-6-3, which no thousands grouping is: those are read
across one punctuation mark between groups too (``138，1234，5678``, ``330102，800115，123``; :data:`_GROUPINGS`).

Personal numbers masked in every string field that reaches output (names, open enumerations,
free text, authority names), GB/T 35273 §7.2 and appendix B:

- personal ID numbers of 18 characters (GB 11643: check character, birth date and address code must
  be valid): resident ID numbers, 港澳台居民居住证 numbers (address code 81, 82, 83) and 2023 外国人永久居留身份证
  numbers (``9``, province, nationality; :func:`~site_builder.rules.identifiers.personal_id_problem`), in any field;
  masked as ``330***********123X``;
- first-generation resident ID numbers of 15 digits (province, a valid ``YYMMDD`` birth date from 1910 on:
  :data:`FIRST_GENERATION_FROM`), in free text only (a 15-digit 工商注册号 in its own column has the same shape), and
  a natural person's code column (工商注册号, 税务登记号…) holding one or an 18-character ID number as its whole value
  (:func:`person_id_code`);
- mobile phone numbers (11 digits from ``13``–``19``), in free text; masked as ``138****8000``;
- bank card numbers (16–19 digits passing the Luhn check, starting as a card issuer's number does, not right after a
  Latin letter, not a valid 统一社会信用代码 or a number built like an ID number), in free text; masked as
  ``6222***********0123``;
- and a record's own withheld values and ID numbers, wherever its other fields repeat them (an 18-character ID number
  by its first 17 digits, which decide the check character); its codes of letters and digits (ID, passport and permit
  numbers) also with up to three characters of another kind between two of theirs (:func:`_spread`:
  ``330102号19800101号000X``, ``E555号12345``).

Digit groups that write a date (``2025-01-27``, ``27.01.2025``, ``20250127``) are never read as a mobile, bank card or
first-generation number, and an 18-character number whose birth date is on or after its record's decision date
(:func:`dated_field`) is no ID number in that record (a licence number made of a region code, its own date and a
serial). Another person's ID number is read only with a right check character: without it, every region code followed
by a date and four digits would be one.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import gzip
import hashlib
import html
import io
import itertools
import os
import re
import unicodedata
import urllib.parse
import zipfile
import zlib
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

import ahocorasick
from stdnum import luhn

from site_builder.faults import fault_point
from site_builder.pools import Pool, file_size
from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.hanzi import simplified
from site_builder.rules.identifiers import (
    first_generation_birth,
    id_body,
    mask_id_number,
    other_generation,
    personal_id_problem,
    uscc_problem,
    with_check,
)
from site_builder.sources.loading import RawRow

MIN_SECRET = 6
"""Shorter withheld values are not looked for (they would be found everywhere by chance)."""
LOOSE_SECRET = 11
"""Alphanumeric secrets at least this long are found across separators; shorter ones only written solid, unless they
mix letters and digits and are at least :data:`LOOSE_CODE` long."""
LOOSE_CODE = 8
"""Secrets of letters and digits (a passport ``E55512345``, a 港澳通行证 ``H01234567``) at least this long are found
across separators too (``E 5551 2345``, ``H-0123-4567``); short numbers of digits only are not (they would be found
by chance in the digits of dates and amounts once separators are removed)."""
FORMAT_CONTROLS = ("\u00ad\u034f\u061c\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u17b4\u17b5\u200b-\u200f"
                   "\u202a-\u202e\u2060-\u206f\ufeff\ufff0-\ufffb")
"""A character class (the brackets left out) of the characters that are not seen, or not as part of the text, in the
Basic Multilingual Plane (those of the other planes: :data:`ASTRAL_CONTROLS`): the soft hyphen, the combining
grapheme joiner, zero-width spaces and joiners, direction marks and overrides, the invisible operators, the BOM, the
interlinear annotation marks, the Khmer inherent vowels, the Arabic and Syriac number signs that span what follows,
and the code points Unicode keeps unassigned for more of them. Variation selectors and the Mongolian vowel separator
are not among them: they choose a character's form (a rare character of a name, a Mongolian word's spelling)."""
ASTRAL_CONTROLS = ("\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                   "\U000e0000-\U000e00ff\U000e01f0-\U000e0fff")
"""The format controls of the other planes, as a character class: the Kaithi number signs, the Egyptian hieroglyph
joiners, the shorthand format controls, the musical beams, ties and slurs (U+1D173–U+1D17A), the tag characters and
the code points kept for more."""
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class CharClass(NamedTuple):
    """A class of characters of every plane, searched plane by plane (:func:`char_class`)."""

    first: re.Pattern[str]
    """One character of the class in the first plane (the Basic Multilingual Plane)."""
    pattern: re.Pattern[str]
    """One character of the class in any plane: what to match one character with, or to remove them by."""

    def found_in(self, text: str) -> bool:
        """Whether ``text`` holds a character of the class: one look at the first plane, the other planes searched
        only in a text that holds a character of them."""
        return (self.first.search(text) is not None
                or (_ASTRAL.search(text) is not None and self.pattern.search(text) is not None))


def char_class(bmp: str, astral: str) -> CharClass:
    """The class ``bmp`` (characters of the Basic Multilingual Plane) and ``astral`` (of the other planes), both
    written as in brackets. Python's ``re`` looks a character of the first plane up in a table in one step, but
    compares one of a class that also holds others with each range in turn: one class of both took 5 s to search
    200,000 texts of Chinese, against 0.1 s for the first plane's alone and 0.5 s as two classes behind a test of the
    plane (measured; :attr:`CharClass.pattern` is the latter). :meth:`CharClass.found_in` searches a text in 0.2 s."""
    return CharClass(re.compile(f"[{bmp}]"), re.compile(f"(?=[\U00010000-\U0010ffff])[{astral}]|[{bmp}]"))


def _marks() -> tuple[str, str]:
    """:data:`_MARKS`: the ranges of Unicode's nonspacing and enclosing marks (categories Mn and Me) in this Python's
    Unicode data, as a class of the first plane and one of the others (some 330 ranges; made in 12 ms)."""
    ranges: list[tuple[int, int]] = []
    for point in range(0x300, 0x20000):
        if unicodedata.category(chr(point)) in ("Mn", "Me"):
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
    ranges.append((0xE0100, 0xE01EF))  # the variation selectors of the supplementary plane

    def written(pairs: list[tuple[int, int]]) -> str:
        return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in pairs)

    return (written([r for r in ranges if r[1] <= 0xFFFF]) + "\u180b-\u180f",
            written([r for r in ranges if r[0] > 0xFFFF]))


_MARKS = _marks()
"""The marks that decorate the character before them (Unicode's nonspacing and enclosing marks: accents, strokes
through or under it ``1̶3̶8̶`` ``1̲3̲8̲``, the points of other scripts, the keycap and the enclosing circle ``1️⃣``; the
variation selectors ``1︎`` among them) and the Mongolian variation selectors: the digit they follow is read as it is.
A class of the first plane and one of the others."""
_ZERO_WIDTH = char_class(f"{FORMAT_CONTROLS}{_MARKS[0]}\u115f\u1160\u3164\uffa0", f"{ASTRAL_CONTROLS}{_MARKS[1]}")
"""Characters that show as nothing or only mark the character before them (:data:`FORMAT_CONTROLS`,
:data:`ASTRAL_CONTROLS`, :data:`_MARKS` and the Hangul fillers, which are letters: no separator removes them):
folding drops them, wherever they stand in a number (``138︎00138000`` with a variation selector after its third digit
is a mobile number)."""
_CN_DIGITS = tuple(zip("〇○◯零一二三四五六七八九壹贰貳叁參叄肆伍陆陸柒捌玖〡〢〣〤〥〦〧〨〩×✕✖⨯ΧχХх",
                       "0000123456789" "1223334566789" "123456789" "XXXXXXXX", strict=True))
"""Characters read as a digit (Chinese digits, the circles ○ ◯ that input methods give for 〇, financial numerals in
simplified and traditional forms, the Suzhou numerals 〡〢〣…〩 written with 〇) or as ``X`` (the multiplication sign
and letters that look like X: an ID number's check character is often typed so)."""
_OTHER_DIGITS = re.compile("[" + re.escape("".join(
    char for char in map(chr, range(0x80, 0x10000))
    if unicodedata.decimal(char, None) is not None and not unicodedata.normalize("NFKC", char).isascii()))
    + "\U00010000-\U0010ffff]")
"""The decimal digits of every other script that NFKC leaves as they are (Arabic-Indic ``٣``, Devanagari ``३``, Thai
``๓`` …: :func:`unicodedata.decimal`), read as the ASCII digit of their value (not the dingbat circled digits ``➊ ❸``,
which have a digit value but no decimal one: they number lists, and one read as a digit glued a list's number to the
mobile number after it, which then went unmasked); with them every character beyond the
Basic Multilingual Plane, which is then looked up one by one (listed one by one, the characters of the plane make a
table the pattern searches a megabyte in some 2.5 ms; as ranges, in 29 ms)."""
_DINGBAT_DIGITS = "⓿⓵⓶⓷⓸⓹⓺⓻⓼⓽❶❷❸❹❺❻❼❽❾➀➁➂➃➄➅➆➇➈➊➋➌➍➎➏➐➑➒"
"""Circled digits that NFKC leaves as they are (dingbats, negative and double circled: ``➊ ❸ ⓿ ⓷``). One alone numbers a
list (``➋13800138000``: read as a digit, it glued the list's number to the mobile number after it, which then went
unmasked; ``➊2015.12.14 ➋2019.01.18`` read as one number was masked). They are digits right after a digit
(:data:`_AFTER_DIGIT`: inside or at the end of a number), and where two or more stand in a run of them and zeros
(:data:`_DIGIT_RUN`: a number written in them, ``➌➌⓿➊⓿➋…``, ``➌ ➌ 〇 ➊``, an ID number); see :func:`_read_dingbats`.
The circled digits ``① … ⑨ ⓪``, which NFKC reads as digits, the parenthesised ones ``⑴ … ⑼`` and the Roman numerals
``Ⅰ … Ⅸ`` (``ⅰ … ⅸ``), are read as these are (:data:`_CIRCLED_AS_DINGBAT`)."""
_DINGBAT = re.compile(f"[{_DINGBAT_DIGITS}]")
_CIRCLED_DIGITS = "⓪①②③④⑤⑥⑦⑧⑨⑴⑵⑶⑷⑸⑹⑺⑻⑼ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅰⅱⅲⅳⅴⅵⅶⅷⅸ"
_CIRCLED_AS_DINGBAT = str.maketrans(_CIRCLED_DIGITS, "⓿➀➁➂➃➄➅➆➇➈" + "➀➁➂➃➄➅➆➇➈" * 3)
"""The digits that number lists as the dingbat digits of the same value, before NFKC: the circled digits (one alone
numbers a list: ``①2015.12.14 ②2019.01.18`` was masked as a bank card number, ``①13800138000`` hid the mobile number),
the parenthesised digits (NFKC reads ``⑴⑶⑻`` as ``(1)(3)(8)``, two marks between digits: a mobile number written in
them, ``⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻``, was published whole) and the Roman numerals one to nine (NFKC reads ``Ⅲ`` as the letters
``III``: an ID number written in them, ``ⅢⅢ0Ⅰ0Ⅱ…``, was published whole). ``Ⅹ`` stays the letter X (an ID number's
check character stands for ten), ``Ⅺ`` and ``Ⅻ`` the letters NFKC gives."""
_CIRCLED = re.compile(f"[{_CIRCLED_DIGITS}]")
_ENCLOSED_DIGIT = re.compile(f"[{_DINGBAT_DIGITS}{_CIRCLED_DIGITS}]")
_LIST_MARKERS = frozenset(
    [*map(chr, range(0x2460, 0x2500)), *map(chr, range(0x2776, 0x2794)), *map(chr, range(0x3251, 0x3260)),
     *map(chr, range(0x32B1, 0x32C0)), *map(chr, range(0x1F100, 0x1F10B))])
"""The characters that number a list (``① ⑴ ⒈ ⓪ ㉑ ❶ ➊ 🄁``, and the circled letters among them): NFKC reads most of
them as digits (``①`` as ``1``), so that ``①13800138000`` reads as twelve digits, no mobile number. Redaction reads a
text holding one a second time with them as they are (:func:`_marker_reading`)."""
_LIST_MARKER = re.compile("[" + "".join(sorted(_LIST_MARKERS)) + "]")
_SEPARATORS = "_./\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fb\u00b7\u2022\u3002"
"""What may stand between the characters of a number besides white space (dashes, dots, slashes, 。 …): up to three
of them (and white space) join digit groups into one number wherever it starts."""
_PUNCTUATION = ("!\"#$%&'()*+,:;<=>?@[]^`{|}~"
                "、〃〈〉《》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟‖‘’‚‛“”„‟†‡‣․‥‧′″‵※")
"""Other punctuation that may stand between the groups of a number (as folded: NFKC makes ``，：；（）｜＊＋`` ASCII):
groups it joins make an ID number only as a whole (see the module's docstring)."""
_BAR_LIKE = "\u4e28\u02c7\u02c9\u02ca\u02cb\u02d9"
"""Letters written as a stroke between digits: 丨 (U+4E28, a bar) and the tone marks ˇ ˉ ˊ ˋ ˙ (modifier letters that
input methods give for dashes and dots)."""
_SEP = rf"[\W_{_BAR_LIKE}]"
"""Any separator: every character that is not a letter or digit of some script (white space, punctuation, symbols such
as ``→ ─ ■ ¦ ∶``, invisible and combining marks such as U+180E, U+034F, U+FE0F), and :data:`_BAR_LIKE`; what
:func:`unseparated` removes. :data:`_SEPARATORS` and :data:`_PUNCTUATION` are the common ones, removed
first one by one (faster than the pattern)."""
_NOT_WORD = re.compile(_SEP + "+")
_BAR_LIKE_CHAR = re.compile(f"[{_BAR_LIKE}]")
_TIGHT = rf"[\s{re.escape(_SEPARATORS)}]"
_DIGIT_RUN = re.compile(rf"[0{_DINGBAT_DIGITS}](?:{_SEP}{{0,3}}[0{_DINGBAT_DIGITS}])*")
"""Dingbat digits and zeros, up to three separators or punctuation between two (``➌ ➌ 〇 ➊``, ``③、③、⓪、①``): no
other digit, so that ``➊2015.12.14`` or ``❶ 5000 ❷ 3000`` (a list's numbers before dates or amounts) is no run."""
_AFTER_DIGIT = re.compile(f"(?<=[0-9])[{_DINGBAT_DIGITS}]+")
"""Dingbat digits right after a digit: inside or at the end of a number (``1③800138000``, ``…07123⓪``), where no list
is numbered: digits."""
_SPOKEN = "幺两兩洞拐勾"
"""Digits as they are spoken, read out or radioed (幺 for 1 and 两 for 2, as in ``幺三八…``; the radio's 洞 for 0,
拐 for 7, 勾 for 9): words of their own elsewhere (两年, 勾结, 拐卖, 山洞), so read as digits only inside a run of digits
long enough to be a number (:func:`_spoken`)."""
_SPOKEN_DIGITS = str.maketrans(_SPOKEN, "122079")
_IN_LINE = rf"(?:(?!\n){_SEP})"
"""A separator other than a line break: the leak scan folds a page line by line (:meth:`Secrets.find`), and a run read
across lines would be read otherwise in the whole text."""
_SPOKEN_RUN = re.compile(rf"[0-9{_SPOKEN}](?:{_IN_LINE}{{0,3}}+[0-9{_SPOKEN}])*+")
"""Digits and spoken digits, up to three separators or punctuation between two (``幺三八 幺二三四``, ``138，幺二三四``),
within a line."""
_SPOKEN_NEAR = re.compile(rf"[{_SPOKEN}](?=(?:{_IN_LINE}{{0,3}}+[0-9{_SPOKEN}]){{3}})")
"""A spoken digit with three more digits of a run after it: a run of :data:`MIN_SECRET` (six) holds one with three
after it or, in the reversed text, before it (``一两个`` holds none)."""
_SPOKEN_TOUCHING = re.compile(
    rf"[{_SPOKEN}](?:(?={_IN_LINE}{{0,3}}[0-9{_SPOKEN}])"
    + "".join(rf"|(?<=[0-9{_SPOKEN}]{_IN_LINE * gap}[{_SPOKEN}])" for gap in range(4)) + ")")
"""A spoken digit with a digit or another up to three separators before or after it: where a run that holds one is,
and what a text must hold for one to be read (the words 两年, 勾结 hold none). A search that starts at those characters
alone: some 0.1 s for 200,000 texts."""
_RUN = re.compile(rf"[0-9](?:{_SEP}*[0-9])*(?:{_SEP}*[Xx])?")
"""Digit groups with separators between them, and an ID number's final ``X``."""
_TIGHT_GAP = re.compile(rf"{_TIGHT}{{0,3}}")
"""What joins two digit groups into one piece of a number (read wherever a number starts in it)."""
_GROUP = re.compile(r"[0-9]+[Xx]?|[Xx]")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_DIGIT = re.compile(r"[0-9]")

TEXT, CODE = "text", "code"
"""How a field is scrubbed: free text (every kind of personal number) or a code (18-character ID numbers only)."""


_Key = TypeVar("_Key")
_Made = TypeVar("_Made")


def once_per(make: Callable[[_Key], _Made]) -> Callable[[_Key], _Made]:
    """``make`` computed once per object (a catalogue item or field: they never change) instead of once per row.

    Objects are told apart by identity (a catalogue item holds dictionaries and has no hash); each one is kept
    while its result is remembered, so its identity cannot pass to another object meanwhile.
    """
    made: dict[int, tuple[_Key, _Made]] = {}

    @functools.wraps(make)
    def once(key: _Key) -> _Made:
        entry = made.get(id(key))
        if entry is None or entry[0] is not key:
            if len(made) >= 1024:
                made.clear()
            entry = made[id(key)] = (key, make(key))
        return entry[1]

    return once


def scrub_mode(spec: FieldSpec) -> str | None:
    """How the values of a field are de-identified, or ``None`` for fields that need none.

    Enumerations with closed values, dates, numbers, 统一社会信用代码 (checked), record ids
    (checked) and masked ID numbers are never scrubbed. Codes (``format: code``) and document
    numbers are scrubbed of 18-character ID numbers; every other string field as free text.
    """
    if spec.type != "string" or (spec.values and not spec.open) or spec.mask == "id_number":
        return None
    if spec.format == "uscc" or spec.role in ("record_id", "uscc", "id_no"):
        return None
    if spec.format == "code" or spec.role == "document_no":
        return CODE
    return TEXT


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if _ZERO_WIDTH.pattern.match(char) is not None:
        return ""
    folded = unicodedata.normalize("NFKC", char.translate(_CIRCLED_AS_DINGBAT))
    return _digits(_ZERO_WIDTH.pattern.sub("", folded) if not folded.isascii() else folded)


def fold(text: str) -> str:
    """``text`` as numbers are matched in it: NFKC, Chinese digits and financial numerals as digits, look-alikes of
    X as ``X``, zero-width characters removed."""
    if text.isascii():
        return text  # NFKC keeps ASCII as it is; zero-width characters and Chinese digits are not ASCII
    return _fold_memo(text) if len(text) <= MEMO_TEXT else _fold(text)


def _fold(text: str) -> str:
    if _CIRCLED.search(text) is not None:
        text = text.translate(_CIRCLED_AS_DINGBAT)
    text = unicodedata.normalize("NFKC", text)
    if _ZERO_WIDTH.found_in(text):
        text = _ZERO_WIDTH.pattern.sub("", text)
    return _spoken(_digits(text))


def _digits(text: str) -> str:
    """Chinese digit characters and financial numerals as ASCII digits, look-alikes of X as ``X`` (:data:`_CN_DIGITS`).

    One replacement per digit character present, as for the zero-width characters in :func:`_fold`: a search for
    a character is far faster than a pattern's (a megabyte of a data file folded in 3.1 ms instead of 7.8 ms; a
    page's line a little faster too), and a substitution per match was already far faster than ``str.translate``.
    """
    if _DIGIT_CHARS.search(text) is None:
        return text  # one search for any of them: most texts hold none
    for char, digit in _CN_DIGITS:
        if char in text:
            text = text.replace(char, digit)
    if _OTHER_DIGITS.search(text) is not None:
        text = _OTHER_DIGITS.sub(_decimal, text)
    if _DINGBAT.search(text) is not None:
        text = _DIGIT_RUN.sub(_dingbat_run, text)
        text = _AFTER_DIGIT.sub(_dingbats_as_digits, text)
    return text


def _spoken(text: str) -> str:
    """``text`` (folded: its digits ASCII) with the spoken digits (:data:`_SPOKEN`) in a run of at least
    :data:`MIN_SECRET` digits as digits; one at the end of a run that a word goes on from (``13800138000两次``,
    ``…20250101勾结``) stays as it is. Each is replaced by one digit: the places of the characters hold.

    Only the runs that hold a spoken digit are read: each found from such a digit, backwards in the reversed text
    (the pattern reads alike both ways) and forwards (a replacement called for every run of digits took 0.7 s for
    200,000 texts)."""
    touching = _SPOKEN_TOUCHING.search(text)
    if touching is None:
        return text  # most texts, and the words 两年, 勾结, which touch no digit
    backwards = text[::-1]
    if _SPOKEN_NEAR.search(text, touching.start()) is None and _SPOKEN_NEAR.search(backwards) is None:
        return text  # ``一两个``: no run long enough to read
    pieces, position = [], 0
    while touching is not None:
        start = len(text) - _run_end(backwards, len(text) - 1 - touching.start())
        end = _run_end(text, start)
        pieces += [text[position:start], _spoken_run(text[start:end], text[end:end + 1])]
        position = end
        touching = _SPOKEN_TOUCHING.search(text, end)
    return "".join(pieces) + text[position:]


def _run_end(text: str, start: int) -> int:
    """Where the run of digits and spoken digits (:data:`_SPOKEN_RUN`) that starts at ``start`` ends."""
    run = _SPOKEN_RUN.match(text, start)
    assert run is not None  # it starts at a digit or a spoken digit
    return run.end()


def _spoken_run(run: str, after: str) -> str:
    """A run of digits and spoken digits as read (:func:`_spoken`); ``after``: the character after it, if any."""
    end = len(run)
    if after and not after.isascii() and after.isalnum():  # 两次, 勾结: a word starts with it
        end = len(run.rstrip(_SPOKEN))
    head = run[:end]
    if sum(char.isdigit() or char in _SPOKEN for char in head) < MIN_SECRET:
        return run
    return head.translate(_SPOKEN_DIGITS) + run[end:]


def _dingbats_as_digits(match: re.Match[str]) -> str:
    return "".join(str(unicodedata.digit(char)) for char in match.group())


def _dingbat_run(match: re.Match[str]) -> str:
    """A run of dingbat digits and zeros as read: its dingbat digits as digits if it holds two or more
    (:data:`_DINGBAT_DIGITS`)."""
    run = match.group()
    if len(_DINGBAT.findall(run)) < 2:
        return run
    return "".join(str(unicodedata.digit(char)) if char in _DINGBAT_DIGITS else char for char in run)


def _kind_of(char: str, piece: str) -> str:
    """What a character folded alone is, for :func:`_read_dingbats`: a dingbat digit (or circled) ``d``, a zero
    ``0``, another digit ``9``, a separator ``s``, else ``x``."""
    if char in _DINGBAT_DIGITS or char in _CIRCLED_DIGITS:
        return "d"
    if piece == "0":
        return "0"
    if piece.isascii() and piece.isdigit():
        return "9"
    return "s" if len(piece) == 1 and _NOT_WORD.fullmatch(piece) else "x"


_KIND_RUN = re.compile("[0d](?:s{0,3}[0d])*")
_KIND_AFTER_DIGIT = re.compile("(?<=[09])d+")


def _read_dingbats(text: str, pieces: list[str]) -> list[str]:
    """``pieces`` (each character of ``text`` folded alone) with the dingbat digits read in context, as
    :func:`_digits` reads them in the whole text (:data:`_DIGIT_RUN`, :data:`_AFTER_DIGIT`): characters that fold to
    nothing (zero-width) are left out, as there."""
    places = [index for index, piece in enumerate(pieces) if piece or text[index] in _DINGBAT_DIGITS]
    kinds = [_kind_of(text[index], pieces[index]) for index in places]
    pieces = list(pieces)

    def read(at: int) -> None:
        kinds[at] = "0" if text[places[at]] in "⓿⓪" else "9"
        pieces[places[at]] = str(unicodedata.digit(text[places[at]].translate(_CIRCLED_AS_DINGBAT)))

    for run in _KIND_RUN.finditer("".join(kinds)):
        if run.group().count("d") >= 2:
            for at in range(run.start(), run.end()):
                if kinds[at] == "d":
                    read(at)
    for after in _KIND_AFTER_DIGIT.finditer("".join(kinds)):
        for at in range(after.start(), after.end()):
            read(at)
    return pieces


def _decimal(match: re.Match[str]) -> str:
    """A decimal digit of another script as the ASCII digit of its value (another character as it is)."""
    value = unicodedata.decimal(match.group(), None)
    return match.group() if value is None else str(value)


_DIGIT_CHARS = re.compile("[" + "".join(char for char, _ in _CN_DIGITS) + _DINGBAT_DIGITS + _OTHER_DIGITS.pattern[1:])


def unseparated(text: str) -> str:
    """``text`` without white space, separators and punctuation: what removing every match of :data:`_SEP` gives.
    The common ones are removed first (:func:`_common_removed`, fast); a pattern then removes any rarer one left (a
    symbol, a combining mark), which only a text holding one needs (:meth:`str.isalnum` tells)."""
    text = _common_removed(text)
    if not text or (text.isalnum() and (text.isascii() or _BAR_LIKE_CHAR.search(text) is None)):
        return text
    return _NOT_WORD.sub("", text)


def tight(text: str) -> str:
    """``text`` without white space and :data:`_SEPARATORS` (dashes, dots, slashes…), its other punctuation kept: how
    the leak scan reads a short number of digits only (a mobile phone number), which would otherwise be found by chance
    across the commas between a data file's cells (``1.39,,,2026-06-01`` is not ``13920260601``)."""
    return _tight_removed(text)


def _removing(chars: str) -> Callable[[str], str]:
    """A function removing white space and ``chars`` from a text, in C a few calls at a time (the leak scan does this
    to every line it reads): white space by a split, the ASCII ones by ``bytes.translate`` on the UTF-8 bytes (no byte
    of a multi-byte character is ASCII), the others by a pattern in a short text and by a replacement per character
    present in a long one (measured: a page's line 1.4 µs, a megabyte of a data file some 8 ms; tested against the
    pattern)."""
    ascii_chars = "".join(c for c in chars if c.isascii()).encode("ascii")
    wide = "".join(c for c in chars if not c.isascii())
    wide_pattern = re.compile(f"[{re.escape(wide)}]+")

    def removed(text: str) -> str:
        text = "".join(text.split())  # str.split and the pattern's \s both take str.isspace's white space
        if text.isascii():
            return text.encode("ascii").translate(None, ascii_chars).decode("ascii")
        text = text.encode("utf-8", "surrogatepass").translate(None, ascii_chars).decode("utf-8", "surrogatepass")
        if len(text) <= _SHORT:
            return wide_pattern.sub("", text)
        for char in wide:
            if char in text:
                text = text.replace(char, "")
        return text

    return removed


_tight_removed = _removing(_SEPARATORS)
_common_removed = _removing(_SEPARATORS + _PUNCTUATION)
"""White space, :data:`_SEPARATORS` and :data:`_PUNCTUATION` removed (the first step of :func:`unseparated`)."""
_SHORT = 4096
"""Texts up to this length have their separators outside ASCII removed by a pattern (faster than a search per
separator), longer ones by a replacement per separator present (faster than the pattern)."""


def _fold_mapped(text: str, markers: bool = False) -> tuple[str, Sequence[int]]:
    """:func:`fold` character by character, with the index in ``text`` of every folded character; ``markers``: the
    characters that number a list kept as they are (:data:`_LIST_MARKERS`), none of them a digit."""
    if text.isascii():
        return text, range(len(text))  # every ASCII character folds to itself
    if markers:
        pieces = [char if char in _LIST_MARKERS else _fold_char(char) for char in text]
    else:
        pieces = list(map(_fold_char, text))
        if _ENCLOSED_DIGIT.search(text) is not None:
            pieces = _read_dingbats(text, pieces)
    folded = _spoken("".join(pieces))  # as long: the places hold
    if len(folded) == len(text) and "" not in pieces:
        return folded, range(len(text))  # every character folded to one character
    return folded, [index for index, piece in enumerate(pieces) for _ in piece]


MEMO_TEXT = 256
"""Texts up to this length have what is found in them remembered (codes, names and amounts repeat from row
to row; long free text does not, and would fill the memory)."""
_MEMO_SIZE = 1 << 16


def canonical(value: str) -> str:
    """A code or number as compared: folded, separators and spaces removed, upper case."""
    return _canonical_memo(value) if len(value) <= MEMO_TEXT else _canonical(value)


def _canonical(value: str) -> str:
    return unseparated(fold(value)).upper()


_canonical_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_canonical)
_fold_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_fold)


@dataclass(frozen=True)
class Found:
    """A personal number in a text: where it is (in folded text), its digits and its kind."""

    start: int
    end: int
    digits: str
    kind: str

    def masked(self) -> str:
        """The number as it may be shown."""
        if self.kind == "mobile":  # after its country code, if it has one (86, 0086)
            return self.digits[:-11] + self.digits[-11:-8] + "****" + self.digits[-4:]
        if self.kind == "bank_card":
            return self.digits[:4] + "*" * (len(self.digits) - 8) + self.digits[-4:]
        return mask_id_number(self.digits)


def _kind(digits: str, mode: str, one_group: bool = True, dated: bool = False, glued: bool = False) -> str | None:
    """What a sequence of digit groups is, if it is a personal number to mask in free text (18-character IDs aside).
    ``one_group``: the digits are written without a separator, the only way China's calling code is read as part of a
    mobile number (``8613800138000``; ``+86 138 0013 8000`` is the calling code, then the number). ``dated``: some of
    the groups write a date (:func:`_dated_groups`): dates are never masked. ``glued``: a Latin letter stands right
    before the digits, as in a licence code (``SP3301061010000018``): no bank card number."""
    if mode == CODE or "X" in digits or dated:
        return None
    if _first_generation(digits):
        return "resident_id_15"
    if _MOBILE.match(digits) or (one_group and digits[:-11] in _COUNTRY_CODES and _MOBILE.match(digits[-11:])):
        return "mobile"
    if not glued and 16 <= len(digits) <= 19 and _is_card(digits):
        return "bank_card"
    return None


FIRST_GENERATION_FROM = 1910
"""The first year of birth read in another person's 15-digit first-generation ID number (``19yy``). Those numbers were
issued from 1984 and ceased to be valid in 2013: a record of the last decade that names someone born in 1900-1909
names a person over 105 years old. A 15-digit 工商注册号 or 许可编号 is a region, a digit for its kind and a serial, often zeros
first (``330106000123456``: born 1900-01-23?): such numbers were masked as ID numbers. A record's own ID number is
masked whatever its date (:func:`own_forms`), and a natural person's code column holding one too
(:func:`person_id_code`)."""


def _first_generation(digits: str) -> bool:
    """Whether ``digits`` read as another person's first-generation ID number: a province, a real ``YYMMDD`` date of
    birth, from :data:`FIRST_GENERATION_FROM` on."""
    born = first_generation_birth(digits)
    return born is not None and born.year >= FIRST_GENERATION_FROM


def _is_card(digits: str) -> bool:
    """Whether 16 to 19 digits read as a bank card number: the Luhn check passes (one number in ten does), they start
    as a card issuer's number starts (ISO/IEC 7812: 3, 4, 5, 6, 9, Mastercard's 2221-2720; never 0, 1, 7, 8, so never
    a year 19xx or 20xx), and they are neither a valid all-digit 统一社会信用代码 (which is never rewritten) nor a
    valid personal ID number (region, birth date, check character: an ID number, or a licence number built like one)."""
    if not (digits.isdigit() and _CARD_ISSUER.match(digits) and luhn.is_valid(digits)):
        return False
    return len(digits) != 18 or (uscc_problem(digits) is not None and personal_id_problem(digits) is not None)


_CARD_ISSUER = re.compile(r"3[0568]|[4569]|2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)")
"""How a card number starts (ISO/IEC 7812 issuer numbers: Diners and JCB 30 35 36 38, Visa 4, Mastercard 51-55 and
2221-2720, UnionPay 62 and other 6, the domestic cards of 9)."""


def _dated_groups(groups: Sequence[_Group]) -> set[int]:
    """The indexes of the digit groups that write a date of 1900-2099: a group of eight digits ``YYYYMMDD``, or three
    groups ``YYYY MM DD``, ``DD MM YYYY`` or ``MM DD YYYY`` (months and days of one or two digits). Two dates joined
    by a dash (``2025.01.27-2026.01.26``) pass the Luhn check one time in ten: read as one number, a period of
    rectification was masked as a bank card number."""
    dated: set[int] = set()
    sizes = [len(digits) for _, _, digits in groups]
    for index, (_, _, digits) in enumerate(groups):
        if sizes[index] == 8 and _is_date(digits[:4], digits[4:6], digits[6:]):
            dated.add(index)
        elif sizes[index] == 4 and index + 2 < len(groups) and sizes[index + 1] <= 2 and sizes[index + 2] <= 2:
            if _is_date(digits, groups[index + 1][2], groups[index + 2][2]):
                dated.update((index, index + 1, index + 2))
        elif sizes[index] <= 2 and index + 2 < len(groups) and sizes[index + 1] <= 2 and sizes[index + 2] == 4:
            year, first, second = groups[index + 2][2], digits, groups[index + 1][2]
            if _is_date(year, second, first) or _is_date(year, first, second):
                dated.update((index, index + 1, index + 2))
    return dated


def _is_date(year: str, month: str, day: str) -> bool:
    """Whether ``year`` (four digits), ``month`` and ``day`` write a real date of 1900-2099."""
    if not (year.isdigit() and month.isdigit() and day.isdigit()) or not "1900" <= year <= "2099":
        return False
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


_COUNTRY_CODES = frozenset({"86", "0086"})
"""China's calling code written before a mobile number without a separator (``8613800138000``, ``+8613800138000``)."""


def find_numbers(folded: str, mode: str = TEXT, recorded: dt.date | None = None) -> list[Found]:
    """The personal numbers in folded text, longest first where they overlap.

    In digit groups joined by up to three separators, an 18-character ID number is looked for at every
    position (``王五330106…``: 五 reads as a digit too), and the other kinds on whole digit groups and
    sequences of them (so ``电话 138 0013 8000 身份证 330102…`` gives both numbers). Across other punctuation or
    longer runs of separators, ID numbers only as whole pieces (:func:`_whole_numbers`).

    ``recorded``: the date of the record the text is part of (see :func:`recorded_date`): an 18-character number
    whose birth date is on or after it is no person's ID number in that record.
    """
    return list(_numbers(folded, mode, _day(recorded)))


def _day(recorded: dt.date | None) -> str:
    """A record's date as an ID number writes a birth date (``YYYYMMDD``; empty for none)."""
    return _day_memo(recorded) if recorded is not None else ""


@functools.lru_cache(maxsize=1 << 14)
def _day_memo(recorded: dt.date) -> str:
    return recorded.strftime("%Y%m%d")


def _numbers(folded: str, mode: str, recorded: str = "") -> tuple[Found, ...]:
    """The numbers :func:`find_numbers` gives; ``recorded``: the record's date (``YYYYMMDD``), or empty."""
    candidates, chosen = _numbers_memo(folded, mode) if len(folded) <= MEMO_TEXT else _find_numbers(folded, mode)
    if recorded and any(f.kind == "resident_id" and f.digits[6:14] >= recorded for f in chosen):
        # A number of the record's own date or later (``330106`` + its licence date ``20250310`` + ``0018``) is no
        # person's: the other numbers are chosen again without it (those it hid may now be masked).
        return _longest_first([f for f in candidates if f.kind != "resident_id" or f.digits[6:14] < recorded])
    return chosen


_SHORTEST = {CODE: 18, TEXT: 11}
"""Characters in the shortest number looked for: an 18-character ID number in codes, an 11-digit mobile number
in free text. A run of digits and separators holds at most one digit (or ``X``) per character."""


_Group = tuple[int, int, str]
"""A digit group in folded text: start, end, its digits (and final ``X``) in upper case."""


def _find_numbers(folded: str, mode: str) -> tuple[tuple[Found, ...], tuple[Found, ...]]:
    """Every number a text may hold (overlapping), and those of them chosen (:func:`_longest_first`)."""
    found: list[Found] = []
    shortest = _SHORTEST.get(mode, 0)
    for run in _RUN.finditer(folded):
        if run.end() - run.start() < shortest:
            continue
        pieces = _pieces(folded, run)
        for piece in pieces:
            _piece_numbers(piece, mode, found, folded)
        if len(pieces) > 1:
            _whole_numbers(pieces, mode, found)
            if mode == TEXT:
                _grouped_numbers([group for piece in pieces for group in piece], folded, found)
    if mode == TEXT and len(folded) >= 18 and _ID_LABEL.search(folded) and _EIGHTEEN_JOINED.search(folded):
        _joined_numbers(folded, found)
    return tuple(found), _longest_first(found)


def _pieces(folded: str, match: re.Match[str]) -> list[list[_Group]]:
    """The digit groups of a match in ``folded`` (:data:`_GROUP`), in pieces: groups joined by up to three separators
    (:data:`_TIGHT_GAP`) are one piece; other punctuation, or more separators, start the next."""
    base = match.start()
    groups = [(base + m.start(), base + m.end(), m.group().upper()) for m in _GROUP.finditer(match.group())]
    pieces = [[groups[0]]]
    for before, group in itertools.pairwise(groups):
        if _TIGHT_GAP.fullmatch(folded, before[1], group[0]):
            pieces[-1].append(group)
        else:
            pieces.append([group])
    return pieces


_JOINED = re.compile(r"(?<![0-9])[0-9]++[Xx]?+(?:[^0-9A-Za-z]{1,3}+[0-9]++[Xx]?+)+")
"""Digit groups each at most three characters other than Latin letters (``年``, ``号``, ``-年-``; not the letters of
a 统一社会信用代码) after the one before."""
_EIGHTEEN_JOINED = re.compile(r"(?:[0-9][^0-9A-Za-z]{0,3}){17}[0-9Xx]")
"""Eighteen characters of such groups (the last may be an ``X``): what a text must hold for :func:`_joined_numbers`
to find anything (one search, where most texts hold none). Both patterns are possessive and start a run where it
starts: a run of 100,000 digits took minutes, each start in it trying the whole rest."""
_ID_LABEL = re.compile(r"身份证件?(?:号码|号)?|身份号码|证件号码?|(?<![A-Za-z])ID(?:号码|号)?(?![A-Za-z])", re.IGNORECASE)
"""What names a personal ID number (身份证, 身份证号码, 公民身份号码, 证件号码, ID; not 许可证号, 证号 or 号码 alone,
which name licences and telephones)."""
_LABELLED = re.compile(rf"(?:{_ID_LABEL.pattern})[\s:=是为]{{0,3}}$", re.IGNORECASE)
"""Such a name right before a number (with a colon, a space or 为 between): digit groups that other characters join
are read as one number only there (in prose, an amount, a date and a count a few characters apart made a valid
number by chance, ``罚款500000元，于20150520缴纳1000元``; after ``许可证号`` a licence number of region, date and
sequence, ``430100（2017-04-05）第9163号``)."""
_LABEL_BEFORE = 12


def _joined_numbers(folded: str, found: list[Found]) -> None:
    """The ID numbers made of whole pieces (digit groups joined by up to three separators, :data:`_TIGHT_GAP`) of at
    least three digits each that up to three other characters join (``330102年19900307号1230``: :data:`_JOINED`), in
    free text, right after what names an ID number (:data:`_LABELLED`): such a number reads as the 18-character
    number it writes only as a whole (region, birth date and check character valid), as across punctuation
    (:func:`_whole_numbers`). Pieces of one or two digits (the months and days of ``2022年11月1日、2023年12月7日``)
    never take part: a list of dates would make valid numbers by chance."""
    for chain in _JOINED.finditer(folded):
        text = chain.group()
        if len(text) < 18 or sum(map(text.count, "0123456789")) < 17:
            continue  # fewer than 17 digits and a final X
        pieces = [(piece[0][0], piece[-1][1], "".join(g[2] for g in piece)) for piece in _pieces(folded, chain)]
        for i, (start, _, digits) in enumerate(pieces):
            if len(digits) < 3 or _LABELLED.search(folded[max(0, start - _LABEL_BEFORE):start]) is None:
                continue
            total = digits
            for j in range(i + 1, len(pieces)):
                _, end, more = pieces[j]
                total += more
                if len(total) > 18 or len(more) < 3:
                    break
                if len(total) == 18 and personal_id_problem(total) is None:
                    found.append(Found(start, end, total, "resident_id"))


def _longest_first(found: list[Found]) -> tuple[Found, ...]:
    """Of overlapping numbers the longest (the first of equals), in text order: the chosen ones are kept sorted by
    start, so each candidate is checked against its two neighbours only (a cell of a hundred thousand digits took
    minutes when each was checked against every number chosen before)."""
    chosen: list[Found] = []
    starts: list[int] = []
    for candidate in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        at = bisect.bisect_left(starts, candidate.start)
        if (at and chosen[at - 1].end > candidate.start) or (at < len(chosen) and chosen[at].start < candidate.end):
            continue
        chosen.insert(at, candidate)
        starts.insert(at, candidate.start)
    return tuple(chosen)


def _piece_numbers(groups: list[_Group], mode: str, found: list[Found], folded: str) -> None:
    """The numbers in digit groups joined by up to three separators: an 18-character ID number starting at any of
    their characters (``王五330106…``: 五 reads as a digit too), the other kinds on whole groups and sequences of them
    (so ``电话 138 0013 8000 身份证 330102…`` gives both numbers), none of them on groups that write a date."""
    joined = "".join(digits for _, _, digits in groups)
    if len(joined) < _SHORTEST.get(mode, 0):
        return
    where = [start + k for start, _, digits in groups for k in range(len(digits))]
    for offset in range(len(joined) - 17):
        window = joined[offset:offset + 18]
        if personal_id_problem(window) is None:
            found.append(Found(where[offset], where[offset + 17] + 1, window, "resident_id"))
    if mode == CODE:
        return
    dated = _dated_groups(groups) if len(groups) > 1 else set()
    for i, (start, _, _) in enumerate(groups):
        total = ""
        glued = start > 0 and folded[start - 1].isascii() and folded[start - 1].isalpha()
        for j in range(i, len(groups)):  # not groups[i:]: a copy per group is quadratic in a long run
            _, end, more = groups[j]
            total += more
            if len(total) > 19:
                break
            kind = _kind(total, mode, j == i, bool(dated) and not dated.isdisjoint(range(i, j + 1)), glued)
            if kind and kind != "resident_id":
                found.append(Found(start, end, total, kind))


_GROUPINGS = {(3, 4, 4): "mobile", (6, 6, 3): "resident_id_15"}
"""How a mobile number (``138 1234 5678``) and a first-generation ID number (region, ``YYMMDD``, sequence) are
grouped: never as a thousands grouping is (``13,500,000,000``), so read across one punctuation mark between groups
(:func:`_grouped_numbers`). An 18-character ID number (6-8-4) is read across any punctuation (:func:`_whole_numbers`)."""
_MARKED_GAP = re.compile(rf"{_TIGHT}?.{_TIGHT}?", re.DOTALL)
"""One character (punctuation: the gaps of a run are separators), with white space or a dash on either side."""
_LINE_TIGHT = rf"(?:(?!\n){_TIGHT})"
_MARK_GAP = rf"(?:{_LINE_TIGHT}{{0,3}}|{_LINE_TIGHT}?{_IN_LINE}{_LINE_TIGHT}?)"
_GROUPED_MOBILE = re.compile(rf"1(?<![0-9]1)[3-9][0-9]{_MARK_GAP}[0-9]{{4}}{_MARK_GAP}[0-9]{{4}}(?![0-9])")
"""A mobile number in the groups of :data:`_GROUPINGS` (``138，1234，5678``, ``138、1234、5678``), as the leak scan finds it
(:func:`_regrouped`), within a line (the scan folds a page line by line). It starts with the 1, which a search looks
for alone."""


def _grouped_numbers(groups: list[_Group], folded: str, found: list[Found]) -> None:
    """The mobile and first-generation ID numbers written in three whole digit groups grouped as they are
    (:data:`_GROUPINGS`: ``138，1234，5678``, ``138~1234~5678``, ``330102，800115，123``), with one punctuation mark or up
    to three separators between two (:data:`_MARKED_GAP`), in free text."""
    sizes = [len(digits) for _, _, digits in groups]
    for i in range(len(groups) - 2):
        kind = _GROUPINGS.get((sizes[i], sizes[i + 1], sizes[i + 2]))
        if kind is None or not all(_TIGHT_GAP.fullmatch(folded, before[1], after[0])
                                   or _MARKED_GAP.fullmatch(folded, before[1], after[0])
                                   for before, after in itertools.pairwise(groups[i:i + 3])):
            continue
        digits = "".join(group[2] for group in groups[i:i + 3])
        if _MOBILE.match(digits) if kind == "mobile" else _first_generation(digits):
            found.append(Found(groups[i][0], groups[i + 2][1], digits, kind))


def _regrouped(folded: str) -> str:
    """``folded`` with the mobile numbers written in groups across punctuation (:data:`_GROUPED_MOBILE`) written solid:
    how the leak scan reads a mobile number, otherwise found across white space and dashes only (:data:`NEAR`)."""
    if _GROUPED_MOBILE.search(folded) is None:
        return folded  # most texts
    return _GROUPED_MOBILE.sub(lambda match: _NOT_DIGITS.sub("", match.group()), folded)


def _whole_numbers(pieces: list[list[_Group]], mode: str, found: list[Found]) -> None:
    """The ID numbers made of whole pieces (see :func:`_piece_numbers`) joined by other punctuation or by more than
    three separators (``330102，19900101，1234``): an 18-character ID number that starts where a piece starts and ends
    where a piece ends. Nothing else is read across such joins but a mobile or first-generation number in its own
    grouping (:func:`_grouped_numbers`): a first-generation number of 15 digits has no check character, and lists of
    short numbers (``评分：1，1，1，…``, ``3，2，0，1，…``) would make valid ones by chance; mobile phone and bank card
    numbers neither (``13,500,000,000`` is an amount)."""
    digits = ["".join(group[2] for group in piece) for piece in pieces]
    for i, first in enumerate(digits):
        total = first
        for j in range(i + 1, len(pieces)):
            total += digits[j]
            if len(total) > 18:
                break
            if len(total) == 18 and personal_id_problem(total) is None:
                found.append(Found(pieces[i][0][0], pieces[j][-1][1], total, "resident_id"))


_numbers_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_find_numbers)


@functools.lru_cache(maxsize=65536)
def _loose(value: str) -> re.Pattern[str]:
    """A pattern matching ``value`` (without separators) in folded text with any separators between its characters,
    as the leak scan finds it (:func:`unseparated`)."""
    return re.compile(f"{_SEP}*".join(re.escape(c) for c in value), re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def _spread(value: str) -> re.Pattern[str]:
    """A pattern matching a code of letters and digits (:attr:`OwnSecret.spread`) in folded text with any separators
    between its characters, or up to three characters that are none of its kind: other than a digit for a number of
    digits (``330102号19800101号000X``, ``3的3的0的1…``, ``330102x19800103x0027``), other than a letter or digit for a
    code of both (``E555号12345``, ``H0123号4567``). The gap before its last character is group 1."""
    other = "0-9" if value.isdigit() else "0-9A-Za-z"
    gap = rf"(?:{_SEP}*+|[^{other}]{{1,3}}+)"
    characters = [re.escape(c) for c in value]
    return re.compile(gap.join(characters[:-1]) + f"({gap})" + characters[-1], re.IGNORECASE)


def scrub(text: str, own: Mapping[str, str] | None = None, mode: str = TEXT, allowed: frozenset[str] = frozenset(),
          recorded: dt.date | None = None) -> str:
    """``text`` with a record's own secrets (raw value -> what replaces it) and every personal number masked.

    ``allowed``: canonical values that are public codes of the same record (a 15-digit 工商注册号
    quoted in its 违法事实 is not an ID number). ``recorded``: the record's date (:func:`find_numbers`).
    """
    return scrub_own(text, own_forms(own) if own else (), mode, allowed, recorded)


class OwnSecret(NamedTuple):
    """One of a record's own secrets as :func:`scrub_own` looks for it."""

    value: str
    """Canonical if alphanumeric, else folded."""
    solid: str
    """``value`` without separators, in upper case: the cheap test, and what is found with any separators between
    its characters."""
    replacement: str
    check: bool = False
    """``value`` is the first 17 digits of an ID number: a check character written right after them (right or wrong),
    or after the gap written before their last digit (``3的…的5的8``), is replaced with them (``replacement`` covers 18
    characters, and is cut to 17 where none follows)."""
    spread: str = ""
    """How a code of at least :data:`LOOSE_CODE` ASCII letters and digits (an ID, passport or permit number) is also
    found with other characters between its groups (:func:`_spread`): ``"digits"`` for a number of digits, found in the
    text's digits (letters and Chinese characters between them left out), ``"alnum"`` for a code of letters and digits,
    found in its letters and digits; ``""`` for another secret (a name, a short code), found with separators only."""


def own_forms(own: Mapping[str, str]) -> tuple[OwnSecret, ...]:
    """A record's own secrets (raw value -> what replaces it) as :func:`scrub_own` looks for them, longest first.

    Made once per record rather than once per field; values shorter than two characters are not looked for. A value
    is read as a text is (:func:`reading`), a value of 17 digits that begins a valid ID number is that number's
    body (:attr:`OwnSecret.check`), and a code of letters and digits is also found across other characters
    (:attr:`OwnSecret.spread`).
    """
    forms = []
    for raw in sorted(own, key=len, reverse=True):
        read = reading(raw)
        code = unseparated(read).upper()
        if len(code) >= 2:
            body = len(code) == 17 and id_body(code) is not None
            spread = "" if len(code) < LOOSE_CODE or not (code.isascii() and code.isalnum()) else \
                "digits" if code.isdigit() else "alnum"
            forms.append(OwnSecret(code if code.isalnum() else read, code, own[raw], body, spread))
    return tuple(forms)


def scrub_own(text: str, own: tuple[OwnSecret, ...], mode: str = TEXT, allowed: frozenset[str] = frozenset(),
              recorded: dt.date | None = None) -> str:
    """:func:`scrub` with the record's own secrets given by :func:`own_forms`.

    The record's secrets and the personal numbers are looked for in the text as a reader reads it (:func:`_as_typed`:
    escapes decoded, markup as a space, the letters O, I and l between digits as digits), the reading the leak scan
    shares (:func:`unescaped`).
    """
    read = reading(text)
    if own:
        # A cheap test first: a value found with separators between its characters is found solid
        # once every separator is removed (most fields repeat none of the record's secrets).
        # Every secret is looked for in the text as given, then the longest places replaced: looked for in a text
        # already masked, a name such as 王二 would be found across the * of 王*二 (王小二 masked).
        solid = _solid_memo(read) if len(read) <= MEMO_TEXT else _solid(read)
        spans: list[tuple[int, int, str]] = []
        typed: _Typed | None = None
        if held := _held(solid, own):
            typed = _as_typed(*_fold_mapped(text))
            spans = _own_spans(typed.text, held)
        plain = simplified(solid) if not spans and not solid.isascii() else solid
        if plain != solid and (held := [secret for secret in own if secret.solid in plain]):
            # Written in traditional characters (張三豐 for 张三丰): found in the simplified form of the folded text, whose
            # places are the folded text's while the conversion keeps its length (one by phrase may not).
            typed = typed or _as_typed(*_fold_mapped(text))
            converted = simplified(typed.text)
            spans = _own_spans(converted, held) if len(converted) == len(typed.text) else []
        if spans and typed is not None:
            kept: list[tuple[int, int, str]] = []
            for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
                if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
                    kept.append(span)
            text = _replace(text, typed, kept)
            read = reading(text)
    if not _DIGIT.search(read):
        return text  # every personal number is made of digits
    typed = _as_typed(*_fold_mapped(text))
    spans = [(f.start, f.end, f.masked()) for f in _numbers(typed.text, mode, _day(recorded)) if f.digits not in allowed]
    text = _replace(text, typed, spans)
    for other in _OTHER_READINGS:  # each on the text as masked so far: what the usual reading found stays found
        typed_other = other(text)
        if typed_other is not None:
            spans = [(f.start, f.end, f.masked()) for f in _numbers(typed_other.text, mode, _day(recorded))
                     if f.digits not in allowed]
            text = _replace(text, typed_other, spans)
    return text


def _solid(read: str) -> str:
    """A text as read (:func:`reading`) without separators, in upper case: what :func:`scrub_own` tests the record's
    own secrets against."""
    return unseparated(read).upper()


_solid_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_solid)
"""Remembered for short texts: a record's fields repeat from record to record (its authority, its kind, a subject's
name and address), and each is scrubbed of its record's own secrets."""


def _marker_reading(text: str) -> _Typed | None:
    """``text`` read as :func:`_as_typed` reads it but with the characters that number a list as they are, none of
    them a digit (:data:`_LIST_MARKERS`: ``⑩13800138000``, ``㉑13800138000`` are a list's entries, mobile numbers;
    NFKC reads ``⑩`` as ``10``), if it holds one; else ``None``."""
    if text.isascii() or _LIST_MARKER.search(text) is None:
        return None
    return _as_typed(*_fold_mapped(text, markers=True))


def _ends_reading(text: str) -> _Typed | None:
    """``text`` read as :func:`_as_typed` reads it with the letters O, o, I and l ending or beginning digits as digits
    (:data:`_LETTER_END`: ``…07123O``), if it holds one; else ``None``."""
    folded = fold(text)  # full-width Ｏ and ｌ too
    if ("O" not in folded and "o" not in folded and "I" not in folded and "l" not in folded) or \
            _LETTER_END.search(folded) is None:
        return None  # the letters looked for first: most texts hold none (a search of each is far cheaper than the pattern)
    return _as_typed(*_fold_mapped(text), ends=True)


_OTHER_READINGS = (_marker_reading, _ends_reading)
"""The readings redaction masks what it finds in besides the usual one, after it (which reads ``③③⓪①⓪②…`` as an ID
number and ``I13912345678I`` as a mobile number), each on the text as the ones before masked it; the numbers a
value holds (:func:`numbers_in`) are those all of them find."""


_ESCAPE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;%\\]{1,32};?)"
                     r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}"
                     r"|(?:%[0-9a-fA-F]{2})+")
"""What a reader of a value decodes: HTML character references and entities (``&#51;``, ``&#x33;``, ``&nbsp;``, as
:func:`html.unescape` finds them: a browser shows them as characters), JSON ``\\uXXXX`` escapes (a surrogate pair as
one) and percent-encoding (``%33``, UTF-8 across a run: ``sfz=%33%33%30…`` in a link)."""
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]{0,15}(?:\s[^<>]{0,200})?\s*/?\s*>")
"""An HTML tag typed into a cell (``<br>``, ``</span>``): the page shows it as text, between digits that a reader still
reads as one number."""
_LETTER_DIGIT = re.compile(r"(?<=[0-9])[OoIl]+(?=[0-9])")
"""The letters O and o typed for 0, I and l for 1 (OCR output, typing), between digits (``33O102198007070716``,
``330l06l99…``)."""
_LETTER_END = re.compile(r"(?<=[0-9])[OoIl]+(?![A-Za-z0-9])|(?<![A-Za-z0-9])[OoIl]+(?=[0-9])")
"""Such letters ending or beginning digits where no other Latin letter touches them (``…07123O``, ``l3800138000``; not
``ISO9001``, ``3Ok``): read so only in a second reading (:data:`_OTHER_READINGS`), since a stray one beside a whole
number (``I13912345678I``, a table's border read by OCR) would make it a digit too long."""
_AS_DIGIT = str.maketrans("OoIl", "0011")


def unescaped(text: str) -> str:
    """``text`` with its escapes (:data:`_ESCAPE`) decoded, once: how redaction reads a value and the leak scan a file
    (:func:`as_read`), so that what one finds the other finds too."""
    if "&" not in text and "%" not in text and "\\" not in text:
        return text
    return _ESCAPE.sub(_unescape, text)


def _unescape(match: re.Match[str]) -> str:
    """The characters one escape (:data:`_ESCAPE`) stands for."""
    token = match.group()
    if token[0] == "&":
        return html.unescape(token)
    if token[0] == "\\":
        return _JSON_ESCAPE.sub(_json_char, token)
    return urllib.parse.unquote(token, errors="replace")


class _Typed(NamedTuple):
    """Folded text as a reader reads it (:func:`_as_typed`), with where each of its characters comes from."""

    text: str
    origin: Sequence[int]
    """The index in the original text of each character."""
    ends: Sequence[int] | None = None
    """The index after the original characters each character stands for (``None``: each stands for one, so
    ``origin`` + 1); an escape decoded stands for all of its characters."""


def _as_typed(folded: str, origin: Sequence[int], ends: bool = False) -> _Typed:
    """Folded text (with the index in the original of each character) as a reader reads the numbers in a value: escapes
    decoded (:data:`_ESCAPE`, then folded), markup typed into it as one space, the letters O, I and l between digits as
    digits. For a record's values (masking, and the numbers the leak scan then looks for); the scan of the site's files
    decodes the same escapes (:func:`as_read`) but keeps tags, the site's own, which stand between cells. ``ends``:
    the letters ending or beginning digits too (:data:`_LETTER_END`)."""
    typed = _Typed(folded, origin)
    if "&" in folded or "%" in folded or "\\" in folded:
        typed = _substituted(typed, _ESCAPE, lambda match: fold(_unescape(match)))
    if "<" in typed.text:
        typed = _substituted(typed, _TAG, lambda _match: " ")
    text = typed.text
    if "O" in text or "o" in text or "I" in text or "l" in text:
        text = _LETTER_DIGIT.sub(lambda m: m.group().translate(_AS_DIGIT), text)  # as long: the places still hold
        if ends:
            text = _LETTER_END.sub(lambda m: m.group().translate(_AS_DIGIT), text)
    return typed if text is typed.text else _Typed(text, typed.origin, typed.ends)  # NamedTuple._replace is slow


def _substituted(typed: _Typed, pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str]) -> _Typed:
    """``typed`` with each match of ``pattern`` replaced (where that changes it), each character of a replacement
    standing for the whole match."""
    text, origin, ends = typed
    pieces: list[str] = []
    index: list[int] = []
    finish: list[int] = []
    position = 0
    for match in pattern.finditer(text):
        new = replacement(match)
        if new == match.group():
            continue
        start, end = match.span()
        pieces += [text[position:start], new]
        index += [*origin[position:start], *[origin[start]] * len(new)]
        finish += [*_ends_of(typed, position, start), *[_ends_of(typed, end - 1, end)[0]] * len(new)]
        position = end
    if not pieces:
        return typed
    return _Typed("".join(pieces) + text[position:], [*index, *origin[position:]],
                  [*finish, *_ends_of(typed, position, len(text))])


def _ends_of(typed: _Typed, start: int, end: int) -> Sequence[int]:
    """:attr:`_Typed.ends` of the characters from ``start`` to ``end``."""
    if typed.ends is not None:
        return typed.ends[start:end]
    return [index + 1 for index in typed.origin[start:end]]


def reading(text: str) -> str:
    """``text`` folded as a reader reads the numbers in it (:func:`_as_typed`)."""
    return _reading_memo(text) if len(text) <= MEMO_TEXT else _reading(text)


def _reading(text: str) -> str:
    folded = fold(text)
    if _TYPED_MARKS.search(folded) is None:
        return folded  # no escape, markup or letter read as a digit: most values
    return _as_typed(folded, range(len(folded))).text


_TYPED_MARKS = re.compile(r"[&%\\<OoIl]")
"""What :func:`_as_typed` reads otherwise than :func:`fold` (escapes, markup, the letters O, I and l)."""


_reading_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_reading)


def _held(solid: str, own: tuple[OwnSecret, ...]) -> list[OwnSecret]:
    """The record's own secrets that a text may hold, given ``solid`` (the text as read, without separators, in upper
    case): those it holds, and the codes found across other characters (:attr:`OwnSecret.spread`) that its digits, or
    its letters and digits, hold. A cheap test (most fields repeat none of the record's secrets): the text's digits are
    read once, and only for a text that holds a secret no other way; its letters and digits only for a code of both
    whose digits it holds (they stand together in the text's digits too)."""
    held, digits, alphanumeric = [], "", ""
    for secret in own:
        if secret.solid in solid:
            held.append(secret)
        elif secret.spread:
            digits = digits or _kept(solid, _NOT_DIGIT_BYTES) or " "
            if secret.spread == "digits":
                if secret.solid in digits:
                    held.append(secret)
            elif _digits_of(secret.solid) in digits:
                alphanumeric = alphanumeric or _kept(solid, _NOT_ALPHANUMERIC_BYTES)
                if secret.solid in alphanumeric:
                    held.append(secret)
    return held


_NOT_DIGITS = re.compile("[^0-9]+")


@functools.lru_cache(maxsize=4096)
def _digits_of(code: str) -> str:
    """The digits of a code of letters and digits, as they stand."""
    return _NOT_DIGITS.sub("", code)


def _kept(text: str, removed: bytes) -> str:
    """``text`` without the characters whose UTF-8 bytes are among ``removed`` (every byte but those of some ASCII
    characters: no byte of a multi-byte character is ASCII), in C: a third of the time a pattern takes."""
    return text.encode("utf-8", "surrogatepass").translate(None, removed).decode("ascii")


_NOT_DIGIT_BYTES = bytes(byte for byte in range(256) if not 0x30 <= byte <= 0x39)
_NOT_ALPHANUMERIC_BYTES = bytes(byte for byte in range(256) if not (0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A))


def _own_spans(folded: str, held: list[OwnSecret]) -> list[tuple[int, int, str]]:
    """The places in ``folded`` of each of the record's own secrets ``held`` (:func:`_held`), with what replaces it;
    the body of an ID number with the check character after it (right after it, or after the same gap as the one
    before its last digit), if any."""
    spans = []
    for secret in held:
        for match in (_spread if secret.spread else _loose)(secret.solid).finditer(folded):
            end, replacement = match.end(), secret.replacement
            if secret.check:
                gap = match.group(1) if secret.spread else ""
                if folded.startswith(gap, end) and end + len(gap) < len(folded) \
                        and folded[end + len(gap)] in _CHECK_CHARACTERS:
                    end += len(gap) + 1
                else:
                    replacement = replacement[:len(secret.solid)]
            spans.append((match.start(), end, replacement))
    return spans


_CHECK_CHARACTERS = frozenset("0123456789Xx")


def _replace(text: str, typed: _Typed, spans: list[tuple[int, int, str]]) -> str:
    """Replace spans given in the coordinates of ``typed`` (the reading of ``text``, with the places in it of each of
    its characters); spans do not overlap and come in any order."""
    if not spans:
        return text
    out, position = [], 0
    for start, end, replacement in sorted(spans):
        begin = typed.origin[start]
        finish = typed.ends[end - 1] if typed.ends is not None else typed.origin[end - 1] + 1
        if begin < position:
            continue
        out += [text[position:begin], replacement]
        position = finish
    return "".join(out) + text[position:]


def numbers_in(text: str, mode: str = TEXT, recorded: dt.date | None = None) -> list[str]:
    """The digits of every personal number in ``text`` (what :func:`scrub` would mask); ``recorded``: the date of
    the record it is part of (:func:`find_numbers`). Remembered for short texts: a build asks it of every cell that
    may hold one, and most cells come back (a subject's name and codes in each of its records)."""
    numbers = _numbers_of(text, mode)
    if recorded is not None and any(len(number) == 18 for number in numbers):
        numbers = _numbers_of(text, mode, _day(recorded))  # the date only sets aside 18-character ID numbers
    return list(numbers)


def _numbers_of(text: str, mode: str, day: str = "") -> tuple[str, ...]:
    """:func:`numbers_in` as a tuple, ``day`` written as :func:`_day` writes it."""
    return _numbers_in_memo(text, mode, day) if len(text) <= MEMO_TEXT else _numbers_in(text, mode, day)


def _numbers_in(text: str, mode: str, day: str) -> tuple[str, ...]:
    numbers = tuple(f.digits for f in _numbers(reading(text), mode, day))
    for other in _OTHER_READINGS:  # as redaction reads it too (scrub_own)
        typed = other(text)
        if typed is not None:
            numbers += tuple(f.digits for f in _numbers(typed.text, mode, day) if f.digits not in numbers)
    return numbers


_numbers_in_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_numbers_in)


@once_per
def dated_field(item: CatalogItem) -> FieldSpec | None:
    """The field holding the date of a record of ``item`` that a person named in it was born before: its decision date
    (a penalty's, a licence's, a judgment's…). ``None`` for registration information (登记类): a company founded in
    1995 may have a legal representative born in 1998."""
    if item.klass == "registration":
        return None
    return next((spec for spec in item.fields if spec.role == "decision_date" and spec.type == "date"), None)


def row_date(raw: RawRow, item: CatalogItem) -> dt.date | None:
    """The date of an input row's record (:func:`dated_field`), read as validation reads it; ``None`` if it has none."""
    from site_builder.rules.validation import parse_cell  # validation reads numbers with this module

    spec = dated_field(item)
    if spec is None or not raw.values.get(spec.name):
        return None
    value, _problem = parse_cell(spec, raw.values[spec.name])
    return value if isinstance(value, dt.date) else None


def _row_numbers(value: str, mode: str, raw: RawRow, item: CatalogItem, day: list[dt.date | None],
                 shown: list[str]) -> tuple[str, ...]:
    """:func:`numbers_in` of a value of an input row with the row's date (``day``: read once per row, when a value
    first holds an 18-character number, as redaction reads the record's). A number the date sets aside (no ID number
    in this record: a licence number made of its own date) goes into ``shown``: the record publishes it as written, so
    another record's text that repeats it (where it reads as an ID number, masked) must not make the scan refuse
    this record's pages."""
    numbers = _numbers_of(value, mode)
    if numbers and any(len(number) == 18 for number in numbers):
        if not day:
            day.append(row_date(raw, item))
        if day[0] is not None:
            dated = _numbers_of(value, mode, _day(day[0]))
            shown += [number for number in numbers if number not in dated]
            return dated
    return numbers


class _SecretField(NamedTuple):
    """A field of an item whose values :meth:`Secrets.add_row` reads."""

    name: str
    withheld: bool
    """Its whole value is a secret (a withheld text, a masked ID number)."""
    mode: str | None
    """How it is scrubbed (the personal numbers found in it are secrets), or ``None``."""
    public_code: bool
    """A public code (a number found in free text, or a withheld code, that is also one is not a secret)."""


@once_per
def _secret_fields(item: CatalogItem) -> tuple[_SecretField, ...]:
    """The fields of ``item`` that hold secrets or public codes, in catalogue order (the others are not read)."""
    fields = []
    for spec in item.fields:
        if (spec.disclosure == "withheld" and not spec.values and spec.type == "string") or spec.mask == "id_number":
            fields.append(_SecretField(spec.name, True, None, False))
            continue
        mode = scrub_mode(spec)
        public_code = spec.disclosure == "public" and (mode == CODE or spec.format == "uscc")
        if mode is not None or public_code:
            fields.append(_SecretField(spec.name, False, mode, public_code))
    return tuple(fields)


def id_forms(number: str) -> tuple[str, ...]:
    """A canonical value and, if it is a resident ID number of someone born in the 1900s, the same number in the other
    generation's form (:func:`~site_builder.rules.identifiers.other_generation`): the forms a record's own ID number
    is looked for in. Empty for a value that is no ID number."""
    if person_id_code(number) is None:
        return ()
    other = other_generation(number)
    return (number, other) if other else (number,)


def person_id_code(value: str) -> str | None:
    """The ID number that a code column's whole value is (canonical), if it is an 18-character personal ID number or
    a 15-digit first-generation resident ID number; else ``None``.

    A natural person's 工商注册号 or 税务登记号 is often their ID number (of either generation): for a natural person
    such a value is masked and withheld like the ID number. A legal person's 15-digit 工商注册号 has the same shape and
    stays public.
    """
    code = canonical(value)
    if len(code) == 18 and personal_id_problem(code) is None:
        return code
    if first_generation_birth(code) is not None:
        return code
    return None


@once_per
def _natural_person(item: CatalogItem) -> tuple[str | None, frozenset[str]]:
    """The subject category field of ``item`` and every spelling (NFKC, lower case) of ``natural_person`` in it."""
    for spec in item.fields:
        if spec.role == "subject_category" and spec.values and "natural_person" in spec.values:
            spellings = ("natural_person", spec.values["natural_person"], *(spec.synonyms or {}).get("natural_person", ()))
            return spec.name, frozenset(unicodedata.normalize("NFKC", s).strip().lower() for s in spellings)
    return None, frozenset()


def is_natural_person(raw: RawRow, item: CatalogItem) -> bool:
    """Whether an input row's subject category says natural person (自然人, 个人, ``natural_person``…)."""
    name, spellings = _natural_person(item)
    if name is None:
        return False
    value = raw.values.get(name, "")
    return bool(value) and unicodedata.normalize("NFKC", value).strip().lower() in spellings


RowSecrets = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
"""What one row adds to :class:`Secrets`: codes, texts, personal numbers found, public codes (see its fields)."""


def row_secrets(raw: RawRow, item: CatalogItem) -> RowSecrets:
    """The secrets of one input row, valid or not, as :class:`Secrets` keeps them (canonical or folded).

    A withheld 18-character ID number (its check character right or wrong) is kept as its first 17 digits
    (:func:`~site_builder.rules.identifiers.id_body`), which the scan then finds followed by any check character or
    none; numbers in free text are read with the row's date (:func:`numbers_in`), as redaction reads them.
    """
    codes: list[str] = []
    texts: list[str] = []
    found: list[str] = []
    public: list[str] = []
    natural = is_natural_person(raw, item)
    ids: set[str] = set()
    bodies: dict[str, str] = {}
    day: list[dt.date | None] = []
    for name, withheld, mode, public_code in _secret_fields(item):
        value = raw.values.get(name, "")
        if not value:
            continue
        if withheld:
            code, text = _secret(value)
            if code:
                # A code column repeating a withheld ID number in either generation's form is masked (no public code).
                # The leak scan looks for the number as given (its body, for an 18-character one): its other form,
                # which redaction masks in the record's own fields, would double the automata every scanning task
                # builds (a full build of 1,000,000 rows: verify 137 s against 85 s).
                ids.update(id_forms(code))
                body = id_body(code) if len(code) == 18 else None
                if body is not None:
                    if (checked := with_check(body)) != code:
                        ids.update(id_forms(checked))
                    bodies[body] = code
                codes.append(body or code)
            elif text:
                texts.append(text)
            continue
        if mode is not None:
            found += _row_numbers(value, mode, raw, item, day, public)
        if public_code and natural and (number := person_id_code(value)):
            codes.append(number)  # a natural person's ID number in a code column: masked, not public
        elif public_code and not _row_numbers(value, CODE, raw, item, day, public):
            public.append(canonical(value))
    # A withheld ID number that a code column repeats (a 个体工商户's 税务登记号) is masked there: no public code.
    shown = tuple(code for code in public if code not in ids)
    if bodies and shown:
        # A withheld value that is also the row's public code (its own 统一社会信用代码, a slip) is no secret: it stays
        # whole, so that the scan does not look for it (Secrets.looked_for).
        codes = [bodies[code] if code in bodies and bodies[code] in shown else code for code in codes]
    return tuple(codes), tuple(texts), tuple(found), shown


class SecretPlace(NamedTuple):
    """Where an input row holds a secret the leak scan looks for: to tell the operator which row a leak comes from,
    never the value itself."""

    value: str
    """The secret as :class:`Secrets` keeps it (what :meth:`Secrets.find` returns): never to be shown."""
    kind: str
    """What it is: ``withheld value``, ``ID number``, ``mobile number`` or ``bank card number``."""
    file: str
    row: int
    column: str
    """The column's title in the catalogue (``法定代表人证件号码``)."""

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}, column {self.column}"
        return f"the withheld value of {where}" if self.kind == WITHHELD else f"the {self.kind} in {where}"


WITHHELD = "withheld value"
_KINDS = {"resident_id": "ID number", "resident_id_15": "ID number", "mobile": "mobile number", "bank_card": "bank card number"}


def secret_places(raw: RawRow, item: CatalogItem, values: Container[str]) -> list[SecretPlace]:
    """The secrets of one input row that are among ``values`` (as :meth:`Secrets.find` returns them), with the column
    each is in: :func:`row_secrets` of the row's secret fields one at a time (with its subject category, which decides
    a code column's, and its date, with which numbers are read), so the two never differ on what a secret is.

    For naming the input rows of a leak the scan found (a second pass over the inputs, made only then): a build does
    not call it for every row.
    """
    places = []
    titles = {spec.name: spec.title for spec in item.fields}
    category, _ = _natural_person(item)
    context = {category: raw.values.get(category, "")} if category else {}
    dated = dated_field(item)
    if dated is not None:
        context[dated.name] = raw.values.get(dated.name, "")
    day = _day(row_date(raw, item))
    for name, withheld, mode, _public_code in _secret_fields(item):
        value = raw.values.get(name, "")
        if not value:
            continue
        codes, texts, found, _public = row_secrets(dataclasses.replace(raw, values={**context, name: value}), item)
        kinds = {f.digits: _KINDS.get(f.kind, "ID number") for f in _numbers(reading(value), mode, day)} if mode else {}
        places += [SecretPlace(secret, WITHHELD if withheld else kinds.get(secret, "ID number"), raw.file, raw.row,
                               titles[name]) for secret in (*codes, *texts, *found) if secret in values]
    return places


def _secret(value: str) -> tuple[str, str]:
    """A secret as :class:`Secrets` keeps it: ``(code, "")`` for an alphanumeric one (canonical), ``("", text)`` for
    another (folded, separators removed), ``("", "")`` if it is shorter than :data:`MIN_SECRET`."""
    code = canonical(value)
    if len(code) >= MIN_SECRET and code.isascii() and code.isalnum():
        return code, ""
    text = unseparated(fold(value))
    return "", text if len(text) >= MIN_SECRET else ""


def secret_form(value: str) -> str:
    """A value as :class:`Secrets` keeps it if it were a secret (canonical, or folded without separators), or ``""``
    if it is too short to be one: for comparing a published value with the secrets the leak scan found."""
    code, text = _secret(value)
    return code or text


def excusable(secret: str, places: Sequence[SecretPlace]) -> bool:
    """Whether a secret the leak scan found may be a value that other records publish in their own right (an
    authority, a company's name, a phrase of a 违法事实 written by mistake in a 法定代表人证件号码): every input row holds
    it as a withheld value, and it is a text without a digit (as :class:`Secrets` keeps it: folded, so ``九`` is a
    digit), which no identity document's number is. A code (``E12345678``, ``AP-000030``: a passport's shape) never is,
    whatever column it is in: a legal representative's passport number copied into another record must stay a leak.
    The build then asks whether a published record shows it whole as one of its own public values
    (``audit/verify.py``)."""
    return bool(places) and all(p.kind == WITHHELD for p in places) \
        and not (secret.isascii() and secret.isalnum()) and not any(c.isdigit() for c in secret)


def placeholder(value: str) -> bool:
    """Whether a withheld value, as :class:`Secrets` keeps it, is a placeholder a platform writes for "none" rather than
    anyone's number: one character repeated (``000000000000000000``, ``〇`` eighteen times, folded), or digits counting
    up or down (``123456789``, ``01234567``). Such a value identifies no one, and the site's own files hold it (colours
    ``#000000`` in a style sheet, runs of digits in Pagefind's code): looked for, it stopped every build."""
    if len(set(value)) == 1:
        return True
    if not value.isdigit():
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in zip(value, value[1:], strict=False)}
    return steps in ({1}, {9})


@dataclass
class Secrets:
    """Values that must never appear in the published site, in any written form.

    Withheld values and raw ID numbers of every input row (valid or not, published or not), and
    the personal numbers found in the string fields that redaction scrubs.
    """

    codes: set[str] = field(default_factory=set)
    """Alphanumeric secrets, canonical (see :func:`canonical`)."""
    texts: set[str] = field(default_factory=set)
    """Other secrets, folded, separators removed; matched as substrings of folded text without separators."""
    found: set[str] = field(default_factory=set)
    """Personal numbers found in scrubbed fields (masked by redaction wherever they appear)."""
    public: set[str] = field(default_factory=set)
    """Canonical values of public code fields: a number found in free text, or a withheld code (a 法定代表人证件号码
    that is the company's own 统一社会信用代码, a slip of data entry), that is also a published code is not a secret."""
    _ready: tuple[ahocorasick.Automaton, ahocorasick.Automaton, ahocorasick.Automaton] | None = field(
        default=None, repr=False, compare=False)
    _lines: dict[str, Scanned] = field(default_factory=dict, repr=False, compare=False)
    """What :meth:`_line` found in the lines scanned since the automata were made."""
    _longest: int = field(default=-1, repr=False, compare=False)
    """What :meth:`longest` found (-1: not measured since the secrets last changed)."""

    def add_row(self, raw: RawRow, item: CatalogItem) -> None:
        """Collect the secrets of one input row, valid or not."""
        self.merge(row_secrets(raw, item))

    def merge(self, secrets: RowSecrets) -> None:
        """Add the secrets of one row, as :func:`row_secrets` gives them, but for placeholders (:func:`placeholder`)."""
        codes, texts, found, public = secrets
        # A value kept already is no placeholder: only new ones are asked (a subject's codes come back in every record).
        self.codes.update(c for c in codes if c not in self.codes and not placeholder(c))
        self.texts.update(t for t in texts if t not in self.texts and not placeholder(t))
        self.found.update(found)
        self.public.update(public)
        self._ready = None
        self._lines = {}
        self._longest = -1

    def add(self, value: str) -> None:
        """Add one secret; values shorter than :data:`MIN_SECRET` are ignored."""
        code, text = _secret(value)
        if code and not placeholder(code):
            self.codes.add(code)
        elif text and not placeholder(text):
            self.texts.add(text)
        self._ready = None
        self._lines = {}
        self._longest = -1

    def find(self, text: str) -> list[str]:
        """The secrets that occur in ``text`` in any written form (returned canonical, for counting only).

        Two Aho-Corasick automata (pyahocorasick) scan the folded text: secrets shorter than
        :data:`LOOSE_SECRET` as written solid, and the longer ones, codes mixing letters and digits from
        :data:`LOOSE_CODE` characters, and the text secrets with every separator and punctuation mark removed
        (:func:`unseparated`), so ``330106，1990-0307 (123X)`` is found as ``330106199003071234X`` and ``E 5551 2345``
        as ``E55512345``.

        A text up to :data:`LINE_BY_LINE` characters is folded line by line, and what a line gives is remembered
        (:meth:`_line`): the pages of a site share most of their lines (the template's), which are then folded once
        per process. Folding keeps line breaks where they are (NFKC composes nothing across one), a solid secret
        holds no line break, and the loose text drops them: so this finds what folding the whole text at once would.
        """
        if self._ready is None:
            self._ready = self._automata()
        solid, near, loose = self._ready
        with_near = len(near) > 0
        if len(text) > LINE_BY_LINE:  # a data file, a manifest: lines that do not repeat, folded faster at once
            at_once, near_text, loose_text = _scanned(text, solid, with_near)
            found = set(at_once)
        else:
            found = set()
            near_pieces, pieces = [], []
            for line in text.split("\n"):
                at_once, near_piece, piece = self._lines.get(line) or self._line(line, solid, with_near)
                found.update(at_once)
                near_pieces.append(near_piece)
                pieces.append(piece)
            near_text, loose_text = "".join(near_pieces), "".join(pieces)
        if with_near:
            found |= {value for _end, value in near.iter(near_text)}
        if len(loose):
            found |= {value for _end, value in loose.iter(loose_text)}
        return sorted(found)

    def _line(self, line: str, solid: ahocorasick.Automaton, with_near: bool) -> Scanned:
        """:func:`_scanned` for one line of text, remembered for a line up to :data:`MEMO_LINE` characters."""
        seen = _scanned(line, solid, with_near)
        if len(line) <= MEMO_LINE:
            if len(self._lines) >= MEMO_LINES:
                self._lines.clear()
            self._lines[line] = seen
        return seen

    def longest(self) -> int:
        """The length of the longest value looked for (computed once per set of secrets: the leak scan asks for it
        once per task, and a million rows' secrets take some 5 ms to measure)."""
        if self._longest < 0:
            self._longest = max(map(len, (*self.codes, *self.found, *self.texts)), default=0)
        return self._longest

    def _values(self) -> Iterator[tuple[bytes, str, str]]:
        """``(digest, kind, value)`` of every value the scan looks for."""
        for kind, values in (("code", self.looked_for()), ("text", self.texts)):
            for value in values:
                yield hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).digest()[:16], kind, value

    def digests(self) -> list[bytes]:
        """A digest of every value the scan looks for (kept, instead of the values, to tell later what is new)."""
        return sorted(digest for digest, _kind, _value in self._values())

    def only(self, digests: set[bytes]) -> Secrets:
        """The secrets among these whose digest is in ``digests``."""
        kept = Secrets()
        for digest, kind, value in self._values():
            if digest in digests:
                (kept.codes if kind == "code" else kept.texts).add(value)
        return kept

    def looked_for(self) -> set[str]:
        """The codes the scan looks for: withheld codes and personal numbers found, but not those that are also
        published codes (a withheld value equal to a public code is no secret: the build must not fail on it)."""
        return (self.codes | self.found) - self.public

    def _automata(self) -> tuple[ahocorasick.Automaton, ahocorasick.Automaton, ahocorasick.Automaton]:
        """The three automata of :meth:`find`: codes found as written, numbers found across :func:`tight` separators
        (:func:`is_near`), and the rest found with every separator removed."""
        solid, near, loose = ahocorasick.Automaton(), ahocorasick.Automaton(), ahocorasick.Automaton()
        for code in self.looked_for():
            (near if is_near(code) else loose if is_loose(code) else solid).add_word(code, code)
        for secret in self.texts:
            loose.add_word(secret.upper(), secret)
        for automaton in (solid, near, loose):
            if len(automaton):
                automaton.make_automaton()
        return solid, near, loose


def is_loose(code: str) -> bool:
    """Whether the leak scan finds a code (canonical) with separators between its characters: from
    :data:`LOOSE_SECRET` characters, or from :data:`LOOSE_CODE` if it mixes letters and digits (a passport or
    港澳通行证 number); a shorter number of digits only is found as written solid."""
    return len(code) >= LOOSE_SECRET or (len(code) >= LOOSE_CODE and not code.isdigit() and not code.isalpha())


NEAR = 15
"""Numbers of digits only shorter than this (a mobile phone number, 11 digits) that the scan finds across separators
are found across white space and :data:`_SEPARATORS` only (:func:`tight`), not across commas or other punctuation: in
a data file's row, the digits of neighbouring cells (an amount ``1.39`` and a date ``2026-06-01``) would otherwise
make such a number by chance, and a false leak stops every build. A mobile number in its 3-4-4 groups is found across
one punctuation mark between them too (:func:`_regrouped`: ``138，1234，5678``), as redaction reads it."""


def is_near(code: str) -> bool:
    """Whether the leak scan finds a code across :func:`tight` separators only (see :data:`NEAR`)."""
    return code.isdigit() and LOOSE_SECRET <= len(code) < NEAR


def readable_texts(path: str | os.PathLike[str], covered: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """``(label, text)`` for a file, looking inside gzip streams and zip members, each text as its readers read it
    (:func:`as_read`: escapes decoded).

    ``covered``: SHA-256 (hex) of contents scanned on their own (the site's other files): a zip member with one
    of these contents is not read again.

    A damaged archive (truncated, overwritten: ``verify`` of a tampered site) is read as the bytes it holds, and
    its readable members: never an error here (the hash check says the file differs).
    """
    data = read_file(path)
    name = os.path.basename(path)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            pass
    if data[:4] == b"PK\x03\x04":
        members = _zip_members(data, covered)
        if members is not None:
            for member_name, member in members:
                label = f"{name}!{member_name}"
                yield from ((label, text) for text in as_read(member_name, member.decode("utf-8", errors="replace")))
            return
    yield from ((name, text) for text in as_read(name, data.decode("utf-8", errors="replace")))


def _zip_members(data: bytes, covered: frozenset[str]) -> list[tuple[str, bytes]] | None:
    """The members of a zip archive not in ``covered``, each as its bytes; ``None`` if it cannot be read as a zip at all.
    A member that cannot be read (damaged) is taken as the raw bytes of its entry, so nothing goes unscanned."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    members = []
    with archive:
        for info in archive.infolist():
            try:
                member = archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError):
                member = data[info.header_offset:info.header_offset + 30 + len(info.filename) + info.compress_size]
            if not covered or hashlib.sha256(member).hexdigest() not in covered:
                members.append((info.filename, member))
    return members


def as_read(name: str, text: str) -> list[str]:
    """The forms of ``text`` (of the file or zip member ``name``) the leak scan reads: what its readers see.

    XML (``.xml``, ``.rels``: the parts of an Excel workbook, which openpyxl writes with every Chinese character as
    a character reference, ``&#27861;``) is read with its character references and entities decoded, as every XML
    reader reads it. Any text (XML so decoded) is read as it is, and again with its escapes decoded as redaction reads
    a value (:func:`unescaped`: HTML character references and entities such as ``&#51;`` and ``&nbsp;``, which a browser
    shows as characters, JSON ``\\uXXXX`` escapes and percent-encoding such as ``%33``), if it has any: a secret
    written in escapes is as public as one written out.
    """
    if name.endswith((".xml", ".rels")) and "&" in text:
        text = _XML_ESCAPE.sub(_xml_char, text)
    decoded = unescaped(text)
    return [text] if decoded == text else [text, decoded]


_XML_ESCAPE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));")
_XML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_JSON_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def _xml_char(match: re.Match[str]) -> str:
    decimal, hexadecimal, entity = match.groups()
    if entity is not None:
        return _XML_ENTITIES[entity]
    return _character(int(decimal) if decimal is not None else int(hexadecimal, 16))


def _json_char(match: re.Match[str]) -> str:
    high, low, one = match.groups()
    if one is not None:
        return _character(int(one, 16))
    return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))


def _character(code: int) -> str:
    """The character of a code point from an escape; U+FFFD for a surrogate or a number beyond Unicode."""
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file, read with system calls: the leak scan reads a site's million files, and this takes
    less than half the time of ``Path.read_bytes`` for a page (5.4 µs against 13.4 µs, the file in the page cache)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        pieces = []
        while True:
            piece = os.read(fd, _READ)
            pieces.append(piece)
            if len(piece) < _READ:
                return pieces[0] if len(pieces) == 1 else b"".join(pieces)
    finally:
        os.close(fd)


_READ = 1 << 16
"""Bytes asked for at a time (a page in one read, a data file in pieces)."""


Scanned = tuple[tuple[str, ...], str, str]
"""What :func:`_scanned` gives for a text: the solid secrets in it, and the text as the near and the loose automata read it."""


def _scanned(text: str, solid: ahocorasick.Automaton, with_near: bool = True) -> Scanned:
    """The secrets of the ``solid`` automaton in ``text``, and the text as the near and the loose automata read it
    (folded, upper case; :func:`tight`, and every separator removed); ``with_near``: the near text is wanted (else
    ``""``)."""
    folded = (text if text.isascii() else _fold(text)).upper()  # not fold(): its memo is redaction's
    found = tuple({value for _end, value in solid.iter(folded)}) if len(solid) else ()
    if with_near:
        near = tight(_regrouped(folded))
        return found, near, unseparated(near)
    return found, "", unseparated(folded)



LINE_BY_LINE = 1 << 18
"""Texts up to this length (a page) are folded line by line; a longer one (a data file, whose lines do not repeat)
at once."""
MEMO_LINE = 1024
"""Lines up to this length have what the leak scan found in them remembered (a page's lines are shorter)."""
MEMO_LINES = 50_000
"""Lines remembered at most (some 20 MB); then the memory starts again."""
SCAN_CHUNK = 1000
"""Files per task when the leak scan runs in several processes (it does from :data:`SCAN_PARALLEL` files or
:data:`SCAN_PARALLEL_BYTES` bytes on)."""
SCAN_CHUNK_BYTES = 8 << 20
"""Bytes per task, at most (a file larger than this is a task of its own)."""
SCAN_PARALLEL = 5000
SCAN_PARALLEL_BYTES = 64 << 20


class Leak(NamedTuple):
    """What the leak scan found in one file (or zip member)."""

    where: str
    """The site path (and ``!member`` of a zip)."""
    values: frozenset[str]
    """The secrets found, as :meth:`Secrets.find` returns them: never to be shown (see :func:`secret_places`)."""

    def problem(self) -> str:
        """The problem as verification reports it (the values not repeated)."""
        return f"{self.where}: contains {len(self.values)} withheld value(s) or raw ID number(s)"


def scan_for_leaks(site_dir: Path, secrets: Secrets, only: Sequence[str] | None = None, processes: int = 1,
                   covered: frozenset[str] = frozenset()) -> list[str]:
    """One problem per file that contains a secret (the secret itself is not repeated), in path order.

    ``only``: the site paths to read (a build's files written new; those it took over were scanned when they were
    written); ``None``: every file. ``processes``: scan a large site in that many processes (spawned, each given the
    secrets once). ``covered``: contents (SHA-256) scanned as files of their own, not read again as zip members.
    """
    return [leak.problem() for leak in find_leaks(site_dir, secrets, only, processes, covered)]


def find_leaks(site_dir: Path, secrets: Secrets, only: Sequence[str] | None = None, processes: int = 1,
               covered: frozenset[str] = frozenset()) -> list[Leak]:
    """What :func:`scan_for_leaks` reports, with the secrets found in each file (to name the input rows they come
    from: :func:`secret_places`)."""
    if only is None:
        names = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())
    else:
        names = sorted(only)
    if processes <= 1:
        return file_leaks(site_dir, secrets, names, covered)
    sizes = [file_size(f"{site_dir}/{name}") for name in names] if len(names) < SCAN_PARALLEL else None
    if sizes is not None and sum(sizes) < SCAN_PARALLEL_BYTES:
        return file_leaks(site_dir, secrets, names, covered)
    portable = Secrets(set(secrets.codes), set(secrets.texts), set(secrets.found), set(secrets.public))
    chunks = _chunks(names, sizes) if sizes is not None else [names[start:start + SCAN_CHUNK]
                                                              for start in range(0, len(names), SCAN_CHUNK)]
    with Pool(processes, initializer=_scan_start, initargs=(portable, covered)) as pool:
        return [leak for leaks in pool.map(_scan_chunk, [(site_dir, chunk) for chunk in chunks]) for leak in leaks]


def _chunks(names: list[str], sizes: list[int]) -> list[list[str]]:
    """``names`` in order, cut into tasks of at most :data:`SCAN_CHUNK` files and :data:`SCAN_CHUNK_BYTES` bytes (a few
    large data files are then scanned side by side)."""
    chunks: list[list[str]] = [[]]
    held = 0
    for name, size in zip(names, sizes, strict=True):
        if chunks[-1] and (len(chunks[-1]) >= SCAN_CHUNK or held + size > SCAN_CHUNK_BYTES):
            chunks.append([])
            held = 0
        chunks[-1].append(name)
        held += size
    return chunks


_scanning: list[tuple[Secrets, frozenset[str]]] = []
"""In a scanning process: the secrets it looks for, and the contents it need not read as zip members."""


def _scan_start(secrets: Secrets, covered: frozenset[str]) -> None:
    _scanning[:] = [(secrets, covered)]


def _scan_chunk(work: tuple[Path, list[str]]) -> list[Leak]:
    fault_point("worker")
    secrets, covered = _scanning[0]
    return file_leaks(work[0], secrets, work[1], covered)


SCAN_PIECE = 1 << 20
"""Characters of a long text folded and scanned at a time (pieces overlap by more than the longest secret)."""


def scan_files(site_dir: Path, secrets: Secrets, names: Sequence[str], covered: frozenset[str] = frozenset()) -> list[str]:
    """One problem per file (or zip member) of ``names`` (site paths in ``site_dir``) that contains a secret."""
    return [leak.problem() for leak in file_leaks(site_dir, secrets, names, covered)]


def file_leaks(site_dir: Path, secrets: Secrets, names: Sequence[str], covered: frozenset[str] = frozenset()) -> list[Leak]:
    """What :func:`scan_files` reports, with the secrets found in each file (or zip member)."""
    leaks = []
    overlap = secrets.longest() * 8 + 64  # a secret written with up to seven separators between its characters
    for name in names:
        found: dict[str, set[str]] = {}
        for label, text in readable_texts(f"{site_dir}/{name}", covered):
            if len(text) <= SCAN_PIECE:
                values = secrets.find(text)
            else:
                values = [value for start in range(0, len(text), SCAN_PIECE)
                          for value in secrets.find(text[start:start + SCAN_PIECE + overlap])]
            if values:
                found.setdefault(label, set()).update(values)
        for label, held in found.items():
            where = name + label[len(os.path.basename(name)):]  # and the zip member's name after "!"
            leaks.append(Leak(where, frozenset(held)))
    return leaks
