"""Chinese written in traditional characters, read in simplified ones (OpenCC's ``t2s``).

A name may be written 張三豐 in one field and 张三丰 in another; people search in simplified characters. The search
index carries a traditional name's simplified form (``outputs/search_terms.py``), and masking finds a natural
person's name written in traditional characters (``rules/privacy.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def simplified(text: str) -> str:
    """``text`` in simplified characters; itself if GB 2312 holds it, as it holds every text in simplified characters
    only (the test costs a microsecond, the conversion some 25)."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return _t2s()(text)
    return text


@functools.cache
def _t2s() -> Callable[[str], str]:
    import opencc  # opencc-python-reimplemented (no type information)

    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert
