"""Extra terms for the search index, where Pagefind's Chinese segmentation alone falls short.

Pagefind's extended build segments Chinese into words, but a query for part of a company name
(the trade name 恒远 of 杭州恒远科技有限公司) only matches if the page was split the same way.
Overlapping character bigrams of the name (as Lucene's CJK analyzer indexes) make every
two-character fragment of a name a whole indexed word.
"""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u9fff]+")

# GB/T 2260 province-level codes: the first two digits of a region code.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}


def name_terms(name: str) -> str:
    """Space-separated overlapping bigrams of the Chinese characters of ``name``."""
    grams: list[str] = []
    for run in _HAN.findall(name):
        grams += [run[i:i + 2] for i in range(len(run) - 1)]
    return " ".join(dict.fromkeys(grams))


def region_name(code: str) -> str:
    """Province-level name of a six-digit region code (``330106`` → ``浙江省``), or the code itself."""
    return PROVINCES.get(code[:2], code)
