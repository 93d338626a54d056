"""What is secret, and how it may be written: the one owner of that knowledge.

Redaction (:func:`scrub`) and the leak scan (:class:`Secrets`) both read text through the same
folding: NFKC (full-width digits and letters become ASCII, circled and other compatibility digits
become digits), Chinese digit characters (〇零一二…九) and financial numerals (壹贰叁肆伍陆柒捌玖, 貳參叄陸)
read as digits, the multiplication sign and other look-alikes of X (``×``, ``✕``, Greek ``Χχ``, Cyrillic ``Хх``)
read as ``X``, zero-width characters removed. Between two characters of a number may stand separators: white
space of any kind, line breaks, dashes, dots, underscores, slashes (:data:`_SEPARATORS`) and other punctuation
(:data:`_PUNCTUATION`: commas, 、, colons, semicolons, brackets of every kind, ``|``, ``*``, ``+`` …). So
``３３０１０２ 1990-0101-123X``, ``ID330102199001011234``, ``330102\\n199001011234``, ``330102，19900101，123×``
and ``330102(19900101)123X`` are all the same ID number.

Digit groups joined by at most three separators of the first kind are one number wherever it starts; groups joined
by other punctuation or by a longer run of separators (``330102，19900101，1234``, ``330102    19900101    1234``)
make an ID number only as a whole: it starts where one of them starts and ends where one ends. A list of dates or
amounts (``2022-12-15, 2023-02-01, 2023-03-05``, ``13,500,000,000``) is then read as an ID number only if such
whole groups form a valid one (check character, birth date, address code); mobile phone and bank card numbers are
read across separators of the first kind only (``13,500,000,000`` is an amount, not a mobile number).

Personal numbers masked in every string field that reaches output (names, open enumerations,
free text, authority names), GB/T 35273 §7.2 and appendix B:

- personal ID numbers of 18 characters (GB 11643: check character, birth date and address code must
  be valid): resident ID numbers, 港澳台居民居住证 numbers (address code 81, 82, 83) and 2023 外国人永久居留身份证
  numbers (``9``, province, nationality; :func:`~site_builder.rules.identifiers.personal_id_problem`), in any field;
  masked as ``330***********123X``;
- first-generation resident ID numbers of 15 digits (province, a valid ``YYMMDD`` birth date),
  in free text only (a 15-digit 工商注册号 in its own column has the same shape), and a natural person's code column
  (工商注册号, 税务登记号…) holding one or an 18-character ID number as its whole value (:func:`person_id_code`);
- mobile phone numbers (11 digits from ``13``–``19``), in free text; masked as ``138****8000``;
- bank card numbers (16–19 digits passing the Luhn check), in free text; masked as ``6222***********0123``;
- and a record's own withheld values and ID numbers, wherever its other fields repeat them.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import gzip
import hashlib
import html
import io
import itertools
import os
import re
import unicodedata
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
from site_builder.rules.identifiers import first_generation_birth, mask_id_number, other_generation, personal_id_problem
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
_ZERO_WIDTH_CHARS = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
"""Characters that show as nothing (soft hyphen, zero-width spaces and joiners, direction marks, BOM): folding drops them."""
_CN_DIGITS = tuple(zip("〇○◯零一二三四五六七八九壹贰貳叁參叄肆伍陆陸柒捌玖×✕✖⨯ΧχХх",
                       "0000123456789" "1223334566789" "XXXXXXXX", strict=True))
"""Characters read as a digit (Chinese digits, the circles ○ ◯ that input methods give for 〇, financial numerals in
simplified and traditional forms) or as ``X`` (the multiplication sign and letters that look like X: an ID number's
check character is often typed so)."""
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
    if char in _ZERO_WIDTH_CHARS:
        return ""
    return _digits(unicodedata.normalize("NFKC", char))


def fold(text: str) -> str:
    """``text`` as numbers are matched in it: NFKC, Chinese digits and financial numerals as digits, look-alikes of
    X as ``X``, zero-width characters removed."""
    if text.isascii():
        return text  # NFKC keeps ASCII as it is; zero-width characters and Chinese digits are not ASCII
    return _fold_memo(text) if len(text) <= MEMO_TEXT else _fold(text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for char in _ZERO_WIDTH_CHARS:
        if char in text:
            text = text.replace(char, "")
    return _digits(text)


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
    return text


_DIGIT_CHARS = re.compile("[" + "".join(char for char, _ in _CN_DIGITS) + "]")


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


def _fold_mapped(text: str) -> tuple[str, Sequence[int]]:
    """:func:`fold` character by character, with the index in ``text`` of every folded character."""
    if text.isascii():
        return text, range(len(text))  # every ASCII character folds to itself
    pieces = list(map(_fold_char, text))
    folded = "".join(pieces)
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


def _kind(digits: str, mode: str, one_group: bool = True) -> str | None:
    """What a sequence of digit groups is, if it is a personal number to mask in free text (18-character IDs aside).
    ``one_group``: the digits are written without a separator, the only way China's calling code is read as part of a
    mobile number (``8613800138000``; ``+86 138 0013 8000`` is the calling code, then the number)."""
    if mode == CODE or "X" in digits:
        return None
    if first_generation_birth(digits) is not None:
        return "resident_id_15"
    if _MOBILE.match(digits) or (one_group and digits[:-11] in _COUNTRY_CODES and _MOBILE.match(digits[-11:])):
        return "mobile"
    if 16 <= len(digits) <= 19 and digits.isdigit() and luhn.is_valid(digits):
        return "bank_card"
    return None


_COUNTRY_CODES = frozenset({"86", "0086"})
"""China's calling code written before a mobile number without a separator (``8613800138000``, ``+8613800138000``)."""


def find_numbers(folded: str, mode: str = TEXT) -> list[Found]:
    """The personal numbers in folded text, longest first where they overlap.

    In digit groups joined by up to three separators, an 18-character ID number is looked for at every
    position (``王五330106…``: 五 reads as a digit too), and the other kinds on whole digit groups and
    sequences of them (so ``电话 138 0013 8000 身份证 330102…`` gives both numbers). Across other punctuation or
    longer runs of separators, ID numbers only as whole pieces (:func:`_whole_numbers`).
    """
    return list(_numbers(folded, mode))


def _numbers(folded: str, mode: str) -> tuple[Found, ...]:
    return _numbers_memo(folded, mode) if len(folded) <= MEMO_TEXT else _find_numbers(folded, mode)


_SHORTEST = {CODE: 18, TEXT: 11}
"""Characters in the shortest number looked for: an 18-character ID number in codes, an 11-digit mobile number
in free text. A run of digits and separators holds at most one digit (or ``X``) per character."""


_Group = tuple[int, int, str]
"""A digit group in folded text: start, end, its digits (and final ``X``) in upper case."""


def _find_numbers(folded: str, mode: str) -> tuple[Found, ...]:
    found: list[Found] = []
    shortest = _SHORTEST.get(mode, 0)
    for run in _RUN.finditer(folded):
        if run.end() - run.start() < shortest:
            continue
        base = run.start()
        groups = [(base + m.start(), base + m.end(), m.group().upper()) for m in _GROUP.finditer(run.group())]
        pieces = [[groups[0]]]
        for before, group in itertools.pairwise(groups):
            if _TIGHT_GAP.fullmatch(folded, before[1], group[0]):
                pieces[-1].append(group)
            else:  # other punctuation, or more than three separators
                pieces.append([group])
        for piece in pieces:
            _piece_numbers(piece, mode, found)
        if len(pieces) > 1:
            _whole_numbers(pieces, mode, found)
    return _longest_first(found)


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


def _piece_numbers(groups: list[_Group], mode: str, found: list[Found]) -> None:
    """The numbers in digit groups joined by up to three separators: an 18-character ID number starting at any of
    their characters (``王五330106…``: 五 reads as a digit too), the other kinds on whole groups and sequences of them
    (so ``电话 138 0013 8000 身份证 330102…`` gives both numbers)."""
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
    for i, (start, _, _) in enumerate(groups):
        total = ""
        for j in range(i, len(groups)):  # not groups[i:]: a copy per group is quadratic in a long run
            _, end, more = groups[j]
            total += more
            if len(total) > 19:
                break
            kind = _kind(total, mode, one_group=j == i)
            if kind and kind != "resident_id":
                found.append(Found(start, end, total, kind))


def _whole_numbers(pieces: list[list[_Group]], mode: str, found: list[Found]) -> None:
    """The ID numbers made of whole pieces (see :func:`_piece_numbers`) joined by other punctuation or by more than
    three separators (``330102，19900101，1234``): an 18-character ID number that starts where a piece starts and ends
    where a piece ends. Nothing else is read across such joins: a first-generation number of 15 digits has no check
    character, and lists of short numbers (``评分：1，1，1，…``, ``3，2，0，1，…``) would make valid ones by chance;
    mobile phone and bank card numbers neither (``13,500,000,000`` is an amount)."""
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


def scrub(text: str, own: Mapping[str, str] | None = None, mode: str = TEXT, allowed: frozenset[str] = frozenset()) -> str:
    """``text`` with a record's own secrets (raw value -> what replaces it) and every personal number masked.

    ``allowed``: canonical values that are public codes of the same record (a 15-digit 工商注册号
    quoted in its 违法事实 is not an ID number).
    """
    return scrub_own(text, own_forms(own) if own else (), mode, allowed)


class OwnSecret(NamedTuple):
    """One of a record's own secrets as :func:`scrub_own` looks for it."""

    value: str
    """Canonical if alphanumeric, else folded."""
    solid: str
    """``value`` without separators, in upper case: the cheap test, and what is found with any separators between
    its characters."""
    replacement: str


def own_forms(own: Mapping[str, str]) -> tuple[OwnSecret, ...]:
    """A record's own secrets (raw value -> what replaces it) as :func:`scrub_own` looks for them, longest first.

    Made once per record rather than once per field; values shorter than two characters are not looked for.
    """
    forms = []
    for raw in sorted(own, key=len, reverse=True):
        code = canonical(raw)
        value = code if code.isalnum() else fold(raw)
        solid = unseparated(value).upper()
        if len(solid) >= 2:
            forms.append(OwnSecret(value, solid, own[raw]))
    return tuple(forms)


def scrub_own(text: str, own: tuple[OwnSecret, ...], mode: str = TEXT, allowed: frozenset[str] = frozenset()) -> str:
    """:func:`scrub` with the record's own secrets given by :func:`own_forms`."""
    whole = fold(text)
    if own:
        # A cheap test first: a value found with separators between its characters is found solid
        # once every separator is removed (most fields repeat none of the record's secrets).
        # Every secret is looked for in the text as given, then the longest places replaced: looked for in a text
        # already masked, a name such as 王二 would be found across the * of 王*二 (王小二 masked).
        solid = unseparated(whole).upper()
        spans: list[tuple[int, int, str]] = []
        mapped: tuple[str, Sequence[int]] | None = None
        if any(secret.solid in solid for secret in own):
            mapped = _fold_mapped(text)
            spans = _own_spans(mapped[0], solid, own)
        plain = simplified(solid) if not spans and not solid.isascii() else solid
        if plain != solid and any(secret.solid in plain for secret in own):
            # Written in traditional characters (張三豐 for 张三丰): found in the simplified form of the folded text, whose
            # places are the folded text's while the conversion keeps its length (one by phrase may not).
            mapped = mapped or _fold_mapped(text)
            converted = simplified(mapped[0])
            spans = _own_spans(converted, plain, own) if len(converted) == len(mapped[0]) else []
        if spans:
            kept: list[tuple[int, int, str]] = []
            for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
                if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
                    kept.append(span)
            text = _replace(text, mapped[1] if mapped else (), kept)
            whole = fold(text)
    if not _DIGIT.search(whole):
        return text  # every personal number is made of digits
    folded, origin = _as_typed(*_fold_mapped(text))
    spans = [(f.start, f.end, f.masked()) for f in _numbers(folded, mode) if f.digits not in allowed]
    return _replace(text, origin, spans)


_MARKUP = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});"
                     r"|<\s*/?\s*[a-zA-Z][a-zA-Z0-9]{0,15}(?:\s[^<>]{0,200})?\s*/?\s*>")
"""HTML typed into a cell (``&nbsp;``, ``&#160;``, ``<br>``, ``</span>``): the page shows it as text, between digits
that a reader still reads as one number."""
_LETTER_O = re.compile(r"(?<=[0-9])[Oo]+(?=[0-9])")
"""The letter O typed for 0 between digits (``33O102198007070716``)."""


def _as_typed(folded: str, origin: Sequence[int]) -> tuple[str, Sequence[int]]:
    """Folded text (with the index in the original of each character) as a reader reads the numbers in a value: markup
    typed into it as one space, the letter O between digits as 0. For a record's values (masking, and the numbers the
    leak scan then looks for), not for the scan of the site's files: there the site's own tags stand between cells."""
    if "O" in folded or "o" in folded:
        folded = _LETTER_O.sub(lambda m: "0" * len(m.group()), folded)  # as long: ``origin`` still holds
    if "&" not in folded and "<" not in folded:
        return folded, origin
    pieces: list[str] = []
    index: list[int] = []
    position = 0
    for match in _MARKUP.finditer(folded):
        pieces += [folded[position:match.start()], " "]
        index += [*origin[position:match.start()], origin[match.start()]]
        position = match.end()
    if not pieces:
        return folded, origin
    return "".join(pieces) + folded[position:], [*index, *origin[position:]]


def _own_spans(folded: str, solid: str, own: tuple[OwnSecret, ...]) -> list[tuple[int, int, str]]:
    """The places in ``folded`` of each of the record's own secrets that ``solid`` (the text without separators, in
    upper case) holds, with what replaces it."""
    return [(m.start(), m.end(), secret.replacement) for secret in own if secret.solid in solid
            for m in _loose(secret.solid).finditer(folded)]


def _replace(text: str, origin: Sequence[int], spans: list[tuple[int, int, str]]) -> str:
    """Replace spans given in folded coordinates of ``text`` (``origin``: the index in ``text`` of each
    folded character, from :func:`_fold_mapped`); spans do not overlap and come in any order."""
    if not spans:
        return text
    out, position = [], 0
    for start, end, replacement in sorted(spans):
        begin, finish = origin[start], origin[end - 1] + 1
        if begin < position:
            continue
        out += [text[position:begin], replacement]
        position = finish
    return "".join(out) + text[position:]


def numbers_in(text: str, mode: str = TEXT) -> list[str]:
    """The digits of every personal number in ``text`` (what :func:`scrub` would mask)."""
    return list(_numbers_in_memo(text, mode) if len(text) <= MEMO_TEXT else _numbers_in(text, mode))


def _numbers_in(text: str, mode: str) -> tuple[str, ...]:
    folded = fold(text)
    return tuple(f.digits for f in _numbers(_as_typed(folded, range(len(folded)))[0], mode))


_numbers_in_memo = functools.lru_cache(maxsize=_MEMO_SIZE)(_numbers_in)


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
    """The secrets of one input row, valid or not, as :class:`Secrets` keeps them (canonical or folded)."""
    codes: list[str] = []
    texts: list[str] = []
    found: list[str] = []
    public: list[str] = []
    natural = is_natural_person(raw, item)
    ids: set[str] = set()
    for name, withheld, mode, public_code in _secret_fields(item):
        value = raw.values.get(name, "")
        if not value:
            continue
        if withheld:
            code, text = _secret(value)
            if code:
                # A code column repeating a withheld ID number in either generation's form is masked (no public code).
                # The leak scan looks for the number as given: its other form, which redaction masks in the record's own
                # fields, would double the automata every scanning task builds (a full build of 1,000,000 rows: verify
                # 137 s against 85 s).
                ids.update(id_forms(code))
                codes.append(code)
            elif text:
                texts.append(text)
            continue
        if mode is not None:
            found += numbers_in(value, mode)
        if public_code and natural and (number := person_id_code(value)):
            codes.append(number)  # a natural person's ID number in a code column: masked, not public
        elif public_code and not numbers_in(value, CODE):
            public.append(canonical(value))
    # A withheld ID number that a code column repeats (a 个体工商户's 税务登记号) is masked there: no public code.
    return tuple(codes), tuple(texts), tuple(found), tuple(code for code in public if code not in ids)


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
    a code column's), so the two never differ on what a secret is.

    For naming the input rows of a leak the scan found (a second pass over the inputs, made only then): a build does
    not call it for every row.
    """
    places = []
    titles = {spec.name: spec.title for spec in item.fields}
    category, _ = _natural_person(item)
    context = {category: raw.values.get(category, "")} if category else {}
    for name, withheld, mode, _public_code in _secret_fields(item):
        value = raw.values.get(name, "")
        if not value:
            continue
        codes, texts, found, _public = row_secrets(dataclasses.replace(raw, values={**context, name: value}), item)
        kinds = {f.digits: _KINDS.get(f.kind, "ID number") for f in _numbers(fold(value), mode)} if mode else {}
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
        """Add the secrets of one row, as :func:`row_secrets` gives them."""
        codes, texts, found, public = secrets
        self.codes.update(codes)
        self.texts.update(texts)
        self.found.update(found)
        self.public.update(public)
        self._ready = None
        self._lines = {}
        self._longest = -1

    def add(self, value: str) -> None:
        """Add one secret; values shorter than :data:`MIN_SECRET` are ignored."""
        code, text = _secret(value)
        if code:
            self.codes.add(code)
        elif text:
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
make such a number by chance, and a false leak stops every build."""


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
    reader reads it. Any other text is read as written, and again with HTML character references and entities
    (``&#51;``, ``&nbsp;``: a browser shows them as characters) and JSON ``\\uXXXX`` escapes decoded, if it has
    any: a secret written in escapes is as public as one written out.
    """
    if name.endswith((".xml", ".rels")):
        return [_XML_ESCAPE.sub(_xml_char, text) if "&" in text else text]
    decoded = html.unescape(text) if "&" in text else text
    if "\\u" in decoded:
        decoded = _JSON_ESCAPE.sub(_json_char, decoded)
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
        near = tight(folded)
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
