"""Extra terms for the search index, where Pagefind's Chinese segmentation alone falls short.

Pagefind's extended build segments Chinese into words, but a query for part of a company name
(the trade name 恒远 of 杭州恒远科技有限公司) only matches if the page was split the same way.
Overlapping character bigrams of the name (as Lucene's CJK analyzer indexes) make every
two-character fragment of a name a whole indexed word.
"""

from __future__ import annotations

import re

from site_builder.regions import PROVINCES

_HAN = re.compile(r"[\u3400-\u9fff]+")



def name_terms(name: str) -> str:
    """Space-separated overlapping bigrams of the Chinese characters of ``name``."""
    grams: list[str] = []
    for run in _HAN.findall(name):
        grams += [run[i:i + 2] for i in range(len(run) - 1)]
    return " ".join(dict.fromkeys(grams))


def region_name(code: str) -> str:
    """Province-level name of a six-digit region code (``330106`` → ``浙江省``), or the code itself."""
    return PROVINCES.get(code[:2], code)
