"""Indented JSON made by orjson (outputs/jsontext.py, issue 13): the same bytes as ``json.dumps(…, indent=1)``.

The subject data files (``subject/<code>/data.json``) hold objects with string keys, strings (any text a record
field can hold: control characters, quotes, backslashes, U+2028, emoji, CJK), null, lists and nested objects;
``PublicRecord.fields`` maps names to strings, so no float appears. Integers and booleans are covered too.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from site_builder.outputs.jsontext import Plain, indented_json

TRICKY = st.sampled_from(['"', "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "\u2028", "\u2029",
                          "\ufeff", "\u00a0", "😀", "中", "罚款", "  ", "\n  ", "é", "\U0010ffff"])
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=6)), max_size=6).map("".join)
"""Any text without a lone surrogate (st.text leaves category Cs out), weighted towards what JSON escapes."""
SCALARS = st.one_of(st.none(), TEXT, st.booleans(), st.integers(), st.integers(-(2**70), 2**70))
VALUES: st.SearchStrategy[Plain] = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=30)


def expected(value: Plain) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@given(VALUES)
@settings(max_examples=400, deadline=None, derandomize=True)
@example({"records": [{"fields": {}, "until": None, "tags": []}], "nested": [[[[[["deep"]]]]]]})
@example({"a": [{}], "b": [[]], "": ""})
@example({"\n  x": "  \n   ", "k": ["  ", "\u2028"]})
@example(2**64)  # beyond orjson's integers: the json path
@example({"big": -(2**63) - 1, "small": 2**63 - 1})
def test_same_text_as_json_dumps(value: Plain) -> None:
    assert indented_json(value) == expected(value)


def test_key_order_is_insertion_order() -> None:
    value: Plain = {"z": 1, "a": {"y": None, "b": []}, "中": "文"}
    assert indented_json(value) == expected(value)
    assert indented_json(value).decode().index('"z"') < indented_json(value).decode().index('"a"')


def test_what_orjson_refuses_goes_through_json() -> None:
    """A key that is not a string, a subclass, nesting deeper than orjson goes: json's text, not an error."""
    class Name(str):
        pass

    deep: Plain = "leaf"
    for _ in range(300):
        deep = [deep]
    for value in ({1: "one", None: "none", False: "no"}, {"name": Name("张三")}, deep):
        assert indented_json(value) == expected(value)  # type: ignore[arg-type]


def test_a_lone_surrogate_fails_as_before() -> None:
    """json.dumps writes it; encoding the text to UTF-8 then fails, as writing the file always did."""
    with pytest.raises(UnicodeEncodeError):
        indented_json({"name": "\ud800"})
