"""Indented JSON made by a compiled encoder, with the bytes of ``json.dumps(value, ensure_ascii=False, indent=1)``.

With ``indent`` set, :func:`json.dumps` runs Python's pure-Python encoder; for the subject data files of a large
site that was half of the stage's time. orjson writes the same text with two spaces per level (its only indent,
``OPT_INDENT_2``): the same separators (``", "`` never, ``",\\n"`` and ``": "``), ``[]`` and ``{}`` for empty
containers, keys in insertion order, non-ASCII as itself and the same escapes (``\\"``, ``\\\\``, ``\\b \\f \\n \\r \\t``,
other control characters as lowercase ``\\u00XX``). Each line's indentation is then halved: a JSON string never holds
a raw newline, so every run of spaces after a newline is indentation.

Floats are left out of :data:`Plain`: orjson writes ``1e-7`` where Python writes ``1e-07``. A value orjson refuses
(a lone surrogate, an int beyond 64 bits, a key that is not a string, nesting deeper than 254 levels, a dataclass, a
date, a subclass of str, int, list or dict) goes through :func:`json.dumps`, so it is written or fails exactly as
before. (orjson would still write an enum member, a UUID or a numpy array where ``json`` raises; none is a
:data:`Plain`.)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence

import orjson

Plain = str | int | bool | None | Sequence["Plain"] | Mapping[str, "Plain"]
"""What these files hold: strings, integers, booleans, null, lists and objects (no floats)."""

_REFUSED = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
"""Types ``json`` does not encode (dataclasses, dates) or may encode its own way (subclasses) are refused by orjson
too, and so take the ``json`` path."""


def indented_json(value: Plain) -> bytes:
    """``json.dumps(value, ensure_ascii=False, indent=1) + "\\n"``, encoded in UTF-8, made by orjson where it can."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | _REFUSED)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    depth = 1
    while b"\n" + b"  " * depth in text:  # the levels below have been halved to fewer spaces than this
        text = _level(depth).sub(b"\n" + b" " * depth, text)
        depth += 1
    return text


@functools.cache
def _level(depth: int) -> re.Pattern[bytes]:
    """A line indented by exactly ``depth`` levels of two spaces."""
    return re.compile(b"\n" + b"  " * depth + b"(?! )")
