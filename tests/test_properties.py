"""Property-based tests (Hypothesis) of issue 8: secrets in random written forms, and random CSV damage.

1. ID numbers written in random forms (widths, Chinese digits, separators, labels) inside random free
   text and names: after a real build, no output file holds the digits of any of them in any form.
2. A valid records file damaged at random (stray ASCII or full-width quotes, line breaks, truncation,
   another encoding): the build either refuses the file with a message or accounts for every row,
   publishes nothing of a row that must stay out, and never glues one row's text onto another.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

from conftest import build_site, make_resident_id, row, write_csv
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_build import output_texts

from site_builder.exceptions import InputError
from site_builder.rules.privacy import Secrets, canonical, numbers_in, scrub
from site_builder.rules.regions import PROVINCES

AS_OF = date(2026, 11, 24)
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True,
                    phases=[Phase.explicit, Phase.generate])  # no shrinking: each example is a whole build
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
HANZI = str.maketrans("0123456789", "〇一二三四五六七八九")
SEPARATORS = [" ", "\u00a0", "\u3000", "-", "—", ".", "\n", "\u200b", "\t"]
PROSE = st.text(alphabet=st.sampled_from(list("经查当事人销售过期食品罚款元号，。：（）ABCxyz ")), max_size=12)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """A valid 18-character resident ID number."""
    province = draw(st.sampled_from(sorted(PROVINCES)))
    born = draw(st.dates(date(1930, 1, 1), date(2007, 12, 31)))
    sequence = draw(st.integers(0, 999))
    return make_resident_id(f"{province}0106", born.strftime("%Y%m%d"), f"{sequence:03d}")


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """``number`` as a clerk might type it: mixed widths and digit characters, separators, a label."""
    chars = []
    for char in number:
        style = draw(st.sampled_from(["ascii", "ascii", "wide", "hanzi"]))
        chars.append(char.translate(WIDE) if style == "wide" else char.translate(HANZI) if style == "hanzi" else char)
        if draw(st.integers(0, 5)) == 0:
            chars.append(draw(st.sampled_from(SEPARATORS)))
    label = draw(st.sampled_from(["", "ID", "身份证号", "No.", "证件:"]))
    return label + "".join(chars).rstrip()


@given(data=st.data())
@SETTINGS
def test_no_output_file_holds_an_id_number_in_any_form(data: st.DataObject) -> None:
    numbers = data.draw(st.lists(resident_ids(), min_size=3, max_size=3, unique=True))
    forms = [data.draw(written(n)) for n in numbers]
    prose = [data.draw(PROSE) for _ in range(3)]
    rows = [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", violation_facts=f"{prose[0]}{forms[0]}{prose[1]}"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", remarks=f"{forms[1]}{prose[2]}",
            legal_rep=f"王五{forms[2]}"),
        row("admin_penalty", record_id="AP-3", decision_date="2026-06-01", subject_name=f"杭州{forms[2]}有限公司"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_csv(root / "records" / "admin_penalty.csv", "admin_penalty", rows)
        result = build_site(root, root / "records", AS_OF)
        texts = output_texts(result.output)
        assert "record/admin_penalty/AP-3/index.html" in texts
        for number in numbers:
            assert [name for name, text in texts.items() if number in canonical(text)] == [], (number, forms)


DAMAGE = st.lists(st.tuples(st.sampled_from(['"', "”", "“", "\n", "\r\n", ",", "'"]), st.floats(0, 1)), max_size=4)


@given(damage=DAMAGE, cut=st.one_of(st.none(), st.floats(0.3, 1)), encoding=st.sampled_from(["utf-8-sig", "gb18030", "utf-16"]))
@SETTINGS
def test_damaged_csv_accounts_for_every_row_and_leaks_nothing(damage: list[tuple[str, float]], cut: float | None,
                                                              encoding: str) -> None:
    rows = []
    for n in range(1, 9):
        status = {"publish_status": "待审核"} if n % 3 == 0 else {"disclosure_level": "授权查询"} if n % 3 == 1 else {}
        marker = f"MKOUT{n}X" if status else f"MKPUB{n}X"
        rows.append(row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01", violation_facts=f"事实{marker}",
                        **status))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = write_csv(root / "records" / "admin_penalty.csv", "admin_penalty", rows)
        text = path.read_text(encoding="utf-8-sig")
        heading, _, body = text.partition("\n")
        for char, where in damage:
            at = int(where * len(body))
            body = body[:at] + char + body[at:]
        if cut is not None:
            body = body[: int(cut * len(body))]
        path.write_bytes((heading + "\n" + body).encode(encoding))
        try:
            result = build_site(root, root / "records", AS_OF)
        except InputError as exc:
            assert "admin_penalty.csv" in str(exc)
            return
        counts = json.loads((result.output / "manifest.json").read_text(encoding="utf-8"))["counts"]
        assert counts["input_rows"] == counts["published"] + sum(counts["excluded"].values()) + counts["quarantined"]
        texts = output_texts(result.output)
        everything = "".join(texts.values())
        assert "MKOUT" not in everything
        for name, page in texts.items():
            if name.startswith("record/admin_penalty/"):
                own = name.split("/")[2].removeprefix("AP-")
                assert {m for m in range(1, 9) if f"MKPUB{m}X" in page} <= {int(own)}, name
        shutil.rmtree(root)


# Any personal ID number written with any mix of separators and punctuation between its groups, in any digit
# characters (financial numerals, ×), is masked by redaction and found by the leak scan; dates and amounts are not.

FINANCIAL = str.maketrans("0123456789X", "零壹贰叁肆伍陆柒捌玖×")
TRADITIONAL = str.maketrans("2369", "貳參陸玖")
BETWEEN = [" ", "-", ".", "·", "—", "，", ",", "、", "：", ":", ";", "；", "(", ")", "（", "）", "【", "】", "|", "*", "+",
           "/", "    ", "     ", " , ", "\t\t\t\t", "）（", "“", "”"]
"""What stands between two groups of a number: separators (up to three join groups wherever a number starts) and
other punctuation or longer runs (groups joined so are read as an ID number only whole)."""


@st.composite
def personal_ids(draw: st.DrawFn) -> str:
    """A valid 18-character resident ID, 港澳台居民居住证 or 2023 外国人永久居留身份证 number."""
    born = draw(st.dates(date(1930, 1, 1), date(2007, 12, 31))).strftime("%Y%m%d")
    sequence = f"{draw(st.integers(0, 999)):03d}"
    kind = draw(st.sampled_from(["resident", "permit", "foreigner"]))
    if kind == "resident":
        region = draw(st.sampled_from(sorted(PROVINCES))) + "0106"
    elif kind == "permit":
        region = draw(st.sampled_from(["81", "82", "83"])) + "0000"
    else:
        region = "9" + draw(st.sampled_from(sorted(PROVINCES))) + f"{draw(st.integers(1, 999)):03d}"
    return make_resident_id(region, born, sequence)


@st.composite
def grouped(draw: st.DrawFn, number: str) -> str:
    """``number`` cut into groups at random places, any separators between them, each digit written any way."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=6)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    written = []
    for group in groups:
        style = draw(st.sampled_from(["ascii", "ascii", "wide", "hanzi", "financial", "traditional"]))
        table = {"wide": WIDE, "hanzi": HANZI, "financial": FINANCIAL, "traditional": TRADITIONAL}.get(style)
        written.append(group.translate(table) if table else group)
    return "".join(w + (draw(st.sampled_from(BETWEEN)) if i < len(written) - 1 else "") for i, w in enumerate(written))


@given(number=personal_ids(), data=st.data())
@settings(max_examples=300, deadline=None, derandomize=True)
def test_any_id_number_written_with_any_separators_is_masked_and_found(number: str, data: st.DataObject) -> None:
    written = data.draw(grouped(number))
    label = data.draw(st.sampled_from(["身份证号", "证件号码：", "ID ", "当事人（"]))
    after = data.draw(st.sampled_from(["", "号", "）", "，罚款"]))
    masked = scrub(f"{label}{written}{after}")
    assert number not in canonical(masked), (written, masked)
    assert number[:17] not in canonical(masked), (written, masked)
    assert numbers_in(f"{label}{written}{after}") == [number], written
    found = Secrets()
    found.add(number)
    assert found.find(f"<p>{label}{written}{after}</p>") == [number], written


@given(st.lists(st.dates(date(1950, 1, 1), date(2030, 12, 31)), min_size=2, max_size=8),
       st.lists(st.sampled_from([", ", "，", "、", "; ", "；", " | ", "）（"]), min_size=8, max_size=8),
       st.sampled_from(["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d"]))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_lists_of_dates_are_not_id_numbers(days: list[date], joins: list[str], form: str) -> None:
    """Dates joined by punctuation: each is one group of 8 digits, and whole groups never make 15 or 18 digits."""
    text = "检查日期：" + "".join(d.strftime(form) + joins[i] for i, d in enumerate(days)).rstrip("，、;；|）（ ,")
    assert numbers_in(text) == []
    assert scrub(text) == text


@given(st.lists(st.dates(date(1950, 1, 1), date(2030, 12, 31)), min_size=2, max_size=8),
       st.lists(st.sampled_from(["、", "至", "，", "和", "日至", ""]), min_size=8, max_size=8),
       st.sampled_from(["%Y年%m月%d日", "{year}年{month}月{day}日", "%Y年%m月", "%Y年"]))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_lists_of_dates_in_chinese_are_not_id_numbers(days: list[date], joins: list[str], form: str) -> None:
    """Dates written 2022年11月01日, a few characters apart: an ID number is read across such characters (330102年
    19900307号1230) only from whole pieces of three digits or more, so months and days never make one."""
    def written(day: date) -> str:
        return day.strftime(form) if "%" in form else form.format(year=day.year, month=day.month, day=day.day)

    text = "检查日期：" + "".join(written(d) + joins[i] for i, d in enumerate(days))
    assert numbers_in(text) == []
    assert scrub(text) == text


@given(st.lists(st.integers(1, 999_999_999_999), min_size=1, max_size=6), st.sampled_from(["，", "、", "；", " "]))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_amounts_with_thousands_separators_are_not_phone_or_bank_card_numbers(amounts: list[int], join: str) -> None:
    text = join.join(f"罚款{amount:,}元" for amount in amounts)
    assert [n for n in numbers_in(text) if len(n) != 18] == []  # an 18-digit ID number would have to be whole groups
