"""What Pagefind reads of a page: its *compact* form (:func:`compact_page`), cut verbatim out of the written page.

Pagefind keeps every page it parses in memory until it has read them all, body or not, and parses all of a page.
It reads of a page only the ``lang`` of its ``<html>`` tag (the language index), its ``<title>``, and its
``data-pagefind-body`` element; outside that element, the first ``<h1>`` (title fallback), the first ``<img>``
(image fallback) and ``data-pagefind-*`` attributes. A page with none of those outside its body is given to
Pagefind as its ``<html>`` start tag, a charset, its ``<title>`` and its body, which give the same index as the
whole page (``tests/test_search_fragments.py`` checks it byte for byte) at about a tenth of the bytes; any other
page is given whole. A body that cannot be cut cleanly stops the build, naming the page.
"""

from __future__ import annotations

import re

from site_builder.exceptions import BuildError

_ATTRIBUTES = rb"""(?:"[^"]*"|'[^']*'|[^"'<>])*"""
"""A tag's attributes: quoted values may hold ``<`` and ``>``."""
_BODY = re.compile(rb"<[a-zA-Z][a-zA-Z0-9-]*(?=[\s/>])" + _ATTRIBUTES + rb"?\sdata-pagefind-body(?=[\s=/>])", re.I)
"""The start tag of the element Pagefind indexes (the first one marked ``data-pagefind-body``)."""
_TOKEN = re.compile(rb"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)(" + _ATTRIBUTES + rb")>", re.S)
"""A comment, a start tag or an end tag."""
_VOID = frozenset(b"area base br col embed hr img input keygen link meta param source track wbr".split())
_RAW_TEXT = frozenset(b"script style textarea title xmp iframe noembed noframes".split())
"""Elements whose content is text up to their end tag (in HTML, not in SVG or MathML)."""
_FOREIGN = frozenset((b"svg", b"math"))
"""Elements inside which ``<x/>`` closes itself."""
_OUTSIDE = (b"<h1", b"<img", b"data-pagefind-")
"""What Pagefind reads outside the body (lower case): the first ``<h1>`` (title fallback), the first ``<img>``
after a title (image), ``data-pagefind-*`` attributes (filters, meta, sort, ignore, a second body)."""
_HTML = re.compile(rb"<html(?=[\s/>])" + _ATTRIBUTES + rb">", re.I)
_TITLE = re.compile(rb"<title(?=[\s/>])" + _ATTRIBUTES + rb">.*?</title\s*>", re.I | re.S)


def compact_page(page: bytes, name: str) -> bytes | None:
    """The page as Pagefind needs it: its ``<html>`` start tag, a charset, its ``<title>`` and its body, verbatim.

    The body is the first element marked ``data-pagefind-body``, cut after its matching end tag; every
    element inside it must be closed in order (void elements aside), else :class:`BuildError` names the
    page, as it does for a page without a body. None when Pagefind would read more of the page than
    that (see ``_OUTSIDE``): the page is then indexed whole.
    """
    lower = page.lower()
    at = lower.find(b"data-pagefind-body")
    found = _BODY.match(page, page.rfind(b"<", 0, at)) if at > 0 else None
    if found is None or found.end() != at + len(b"data-pagefind-body"):
        found = _BODY.search(page)  # the fast guess missed: a quoted "<" in the tag, or the words in text
    if found is None:
        raise BuildError(f"Search index: {name} has no data-pagefind-body element (the theme must mark the block to index)")
    start = found.start()
    end = _element_end(page, start, name)
    if any(lower.find(word, 0, start) >= 0 or lower.find(word, end) >= 0 for word in _OUTSIDE):
        return None
    html = _HTML.search(page, 0, start)
    title = _TITLE.search(page, 0, start)
    return b"".join((b"<!doctype html>\n", html.group() if html else b"", b'\n<head><meta charset="utf-8">',
                     title.group() if title else b"", b"</head>\n<body>\n", page[start:end], b"\n</body>\n</html>\n"))


def _element_end(page: bytes, start: int, name: str) -> int:
    """The offset just after the end tag of the element whose start tag is at ``start``."""
    stack: list[bytes] = []
    token = _TOKEN.match(page, start)
    while token is not None:
        position, tag = token.end(), (token.group(2) or b"").lower()
        if not tag:  # a comment
            pass
        elif token.group(1):
            if tag != stack[-1]:
                raise BuildError(f"Search index: cannot cut the data-pagefind-body element of {name}: "
                                 f"</{tag.decode()}> closes <{stack[-1].decode()}> at byte {token.start()}")
            stack.pop()
        elif tag in _RAW_TEXT and _FOREIGN.isdisjoint(stack):
            closing = re.compile(rb"</" + tag + rb"(?=[\s/>])" + _ATTRIBUTES + rb">", re.I).search(page, position)
            if closing is None:
                break
            position = closing.end()
        elif tag not in _VOID and not (token.group(3).endswith(b"/") and (tag in _FOREIGN or not _FOREIGN.isdisjoint(stack))):
            stack.append(tag)
        if not stack:
            return position
        token = _TOKEN.search(page, position)
    raise BuildError(f"Search index: cannot cut the data-pagefind-body element of {name}: it has no end tag")
