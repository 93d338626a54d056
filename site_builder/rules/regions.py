"""Administrative region codes (GB/T 2260) at province level."""

# GB/T 2260 province-level codes: the first two digits of a region code.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

RESIDENCE_PERMITS = {"81": "香港居民居住证", "82": "澳门居民居住证", "83": "台湾居民居住证"}
"""港澳台居民居住证 (2018): numbered as resident ID numbers (GB 11643) with the address code ``810000``, ``820000`` or
``830000``. 81 and 82 are province-level codes too; 83 is not (Taiwan's code is 71)."""
FOREIGN_PERMANENT_RESIDENCE = "9"
"""The first digit of an 18-digit 外国人永久居留身份证 number (2023 version, issued from 2023-12-01): ``9``, the
issuing province's 2-digit code, a 3-digit nationality code, the birth date (positions 7-14, as in a resident ID
number), a 3-digit sequence and a MOD 11-2 check character. Resident ID numbers start with 1-8."""
