"""The search page's exact lookup: a 统一社会信用代码 or document number, typed whole, to the pages that show it.

Pagefind finds words, and a bundle that lacks a word of the query answers with pages that match the rest; a code or
a document number typed whole deserves the page that shows it, first. And a province indexes subject pages only
(``[search] index_records = false``), whose search blocks hold what people search a subject by (name, code, kind,
region: they change only when that does, so an approval leaves most search bundles as they were); its records'
document numbers are found here instead. This is a lookup table, not a search engine: one key, its pages.

Layout (all under ``search/lookup/``): ``index.json`` is ``{"digits": d}``; the shard ``<d hex digits>.json`` is a
JSON object from each key to the site paths of its pages (``subject/<code>/`` for a subject's code,
``record/<item>/<record id>/`` for a document number), keys sorted. A key is :func:`canonical` of the code or number
(NFKC, upper case, no spaces, every bracket as ``(`` or ``)``: ``杭市监罚〔2025〕1号`` and ``杭市监罚(2025)1号`` are one
key); its shard is :func:`shard_name`: the FNV-1a hash (32 bit) of its UTF-8 bytes modulo ``16**d``, as ``d``
lower-case hex digits. ``d`` grows with the number of keys (:data:`KEYS_PER_SHARD`); every shard is written, empty
or not, so the search page never asks for a missing file. ``static/search.js`` computes the same key and shard.

Each shard is written through the build's file index with the SHA-256 of its bytes as fingerprint: a shard whose
keys and pages are those of the previous build is taken over, and only shards with changes are written. A record
no longer public is not in the store, so its number leaves the lookup in the build that withdraws it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from site_builder.outputs.files import FileIndex
from site_builder.outputs.site import Site

FOLDER = "search/lookup/"
INDEX = "index.json"
KEYS_PER_SHARD = 256
"""Keys per shard at most, on average, before the shards are split sixteen ways again."""
_SPACES = re.compile("[ \t\n\r\f\v\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+")
"""Spaces and zero-width characters (the same list in ``static/search.js``)."""
_BRACKETS = str.maketrans({**dict.fromkeys("〔【〖［[（(", "("), **dict.fromkeys("〕】〗］]）)", ")")})
"""Brackets a document number is written with (〔〕, 【】, [], ()), in any width, as ASCII parentheses."""


def canonical(text: str) -> str:
    """The lookup key of a code or document number: NFKC, upper case, no spaces, brackets as ``(`` and ``)``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).upper()).translate(_BRACKETS)


def shard_digits(keys: int) -> int:
    """Hex digits of the shard names for ``keys`` keys: at least one, more while a shard would hold more than
    :data:`KEYS_PER_SHARD` on average."""
    digits = 1
    while keys > KEYS_PER_SHARD * 16 ** digits:
        digits += 1
    return digits


def shard_name(key: str, digits: int) -> str:
    """The shard of ``key``: the FNV-1a hash (32 bit) of its UTF-8 bytes modulo ``16**digits``, in hex."""
    value = 0x811C9DC5
    for byte in key.encode("utf-8", "surrogatepass"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return format(value % 16 ** digits, f"0{digits}x")


def lookup_entries(site: Site) -> dict[str, list[str]]:
    """Every key of the lookup and the site paths of its pages: subjects by code, records by document number."""
    entries: dict[str, set[str]] = {}
    if not site.writes("pages"):
        return {}
    for key in site.store.subject_keys():
        entries.setdefault(canonical(key), set()).add(f"subject/{key}/")
    for item in site.catalogue.items:
        field = item.role("document_no")
        if field is None:
            continue
        for record_id, number in site.store.field_values(item.id, field):
            key = canonical(number)
            if key:
                entries.setdefault(key, set()).add(f"record/{item.id}/{record_id}/")
    return {key: sorted(paths) for key, paths in entries.items()}


def write_lookup(site: Site, files: FileIndex) -> None:
    """Write the lookup's shards and index, each taken over from the previous build when its bytes are unchanged."""
    entries = lookup_entries(site)
    digits = shard_digits(len(entries))
    shards: dict[str, dict[str, list[str]]] = {format(n, f"0{digits}x"): {} for n in range(16 ** digits)}
    for key, paths in entries.items():
        shards[shard_name(key, digits)][key] = paths
    for name, shard in shards.items():
        write_small(files, f"{FOLDER}{name}.json", _json(shard))
    write_small(files, FOLDER + INDEX, _json({"digits": digits}))


def _json(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def write_small(files: FileIndex, path: str, data: bytes) -> None:
    """Write a small file of the search output, or take it over from the previous build when its bytes are the same."""
    mark = hashlib.sha256(data).hexdigest()
    if not files.take(path, mark):
        files.write(path, data, mark)
