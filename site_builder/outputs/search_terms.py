"""Extra terms for the search index, where Pagefind's Chinese segmentation alone falls short.

Pagefind's extended build segments Chinese into words, but a query for part of a company name
(the trade name 恒远 of 杭州恒远科技有限公司) or a decision number only matches if the query was
split the same way as the page. Overlapping bigrams (as Lucene's CJK analyzer indexes) and single
characters of the name give every way of splitting a query something to match.
"""

from __future__ import annotations

import re

from site_builder.rules.hanzi import simplified
from site_builder.rules.regions import PROVINCES

MASK_WORD = "某"
"""Stands for each ``*`` of a masked name in the index; the search page rewrites queries the same way."""
_HAN = re.compile(r"[\u3400-\u9fff]+")



def name_terms(*texts: str) -> str:
    """Extra index terms for names and numbers: overlapping bigrams, then single characters.

    Pagefind 1.5 may split a query differently from the same text on the page (``海生罚`` is
    indexed as 海生 + 罚 but a query 海生 becomes 海 + 生 and finds nothing). Offering every
    dictionary bigram and every single character of the Chinese text lets each way of splitting a
    query find the page. The ``*`` of masked names (张*丰) are indexed as 某 (张某丰). A name written in traditional
    characters (臺灣積體電路製造) is indexed in simplified ones too (台湾积体电路制造), as most people type it, and a name
    whose Chinese is broken by brackets, spaces or a dot (阿里巴巴（中国）有限公司) as if they were not there too
    (阿里巴巴中国有限公司: 巴中 and 国有), as people type it without them.
    """
    grams: list[str] = []
    chars: list[str] = []
    for text in (t.replace("*", MASK_WORD) for t in texts):
        for form in dict.fromkeys((text, simplified(text))):
            runs = _HAN.findall(form)
            for run in runs if len(runs) < 2 else [*runs, "".join(runs)]:
                grams += [run[i:i + 2] for i in range(len(run) - 1)]
                chars += list(run)
    return " ".join(dict.fromkeys(grams + chars))


def region_name(code: str) -> str:
    """Province-level name of a six-digit region code (``330106`` → ``浙江省``), or the code itself."""
    return PROVINCES.get(code[:2], code)
