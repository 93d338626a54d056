"""Statistics of the published records: per item, counts by year, region, authority and class.

Counted while the item's CSV is written (one pass), and published as ``data/statistics.json`` and
``data/statistics.csv`` (a resource of the data package), and as small bar charts on the download page,
rendered at build time to inline SVG by pygal (no script, no external font or style sheet: the page's
Content-Security-Policy holds, and the browser draws the Chinese labels with its own fonts).

The dimensions (every one adds up to the item's published records):

- ``year``: the year of the decision date (许可决定日期, 处罚决定日期, 列入日期 …);
- ``province`` and ``region``: the province (two digits) and the administrative region code (six digits) of
  the subject's 统一社会信用代码, positions 3-8 (GB 32100—2015); records of natural persons, who have no
  code, count under ``""``;
- ``authority``: the deciding body (处罚机关, 许可机关 …);
- ``class``: the item's class field (:func:`class_field`): its first own enumerated field (行政处罚: 失信程度;
  行政许可: 许可类别; 登记信息: 主体类型), else its title field (表彰荣誉: 荣誉名称; 严重失信主体名单: 名单类型;
  涉经济类判决: 案由).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygal
import pygal.etree
from markupsafe import Markup
from pygal.style import Style

from site_builder.outputs.tables import XML_UNSAFE, safe_cell, year_of
from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.identifiers import region_code
from site_builder.rules.redaction import PublicRecord
from site_builder.rules.regions import PROVINCES

_CSS = Path(__file__).with_name("chart.css")
"""The charts' style sheet (a pygal template), inlined into each chart."""
DIMENSIONS = {"year": "决定年份", "province": "省份", "region": "行政区划代码", "authority": "决定机关", "class": "类别"}
"""The dimensions counted, with their Chinese titles."""
CHARTED = ("year", "province", "authority", "class")
"""The dimensions the download page draws."""
NO_CODE = "无统一社会信用代码"
UNFILLED = "（未填写）"
TOP = 8
"""Bars per chart at most; the rest are summed into one bar 其他."""
YEARS = 10
"""Years a chart shows at most: the earlier ones are summed into its first bar."""
STATISTICS_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "item", "title": "数据集", "type": "string", "constraints": {"required": True}},
        {"name": "dimension", "title": "维度", "type": "string", "constraints": {"required": True, "enum": list(DIMENSIONS)}},
        {"name": "key", "title": "取值", "type": "string"},
        {"name": "label", "title": "名称", "type": "string"},
        {"name": "count", "title": "记录数", "type": "integer", "constraints": {"required": True, "minimum": 1}},
    ],
    "primaryKey": ["item", "dimension", "key"],
    "missingValues": [],
}
"""Table Schema of ``statistics.csv``."""


def class_field(item: CatalogItem) -> FieldSpec | None:
    """The field an item's records are classed by: its first public enumeration without a role, else its title field."""
    enumerated = next((f for f in item.public_fields if f.values and f.role is None), None)
    if enumerated is not None:
        return enumerated
    title = item.role("document_title")
    return item.field(title) if title else None


def _province(key: str) -> str:
    if not key:
        return NO_CODE
    return "国家级" if key == "10" else PROVINCES.get(key, f"代码 {key}")


@dataclass
class Tally:
    """The counts of one item, added to record by record."""

    item: CatalogItem
    records: int = 0
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {name: Counter() for name in DIMENSIONS})

    def __post_init__(self) -> None:
        self.klass = class_field(self.item)
        self._decision = self.item.role("decision_date")

    def add(self, record: PublicRecord) -> None:
        """Count one published record."""
        region = region_code(record.subject_key) if len(record.subject_key) == 18 else ""
        self.records += 1
        self.counts["year"][year_of(self._decision, record)] += 1
        self.counts["province"][region[:2]] += 1
        self.counts["region"][region] += 1
        self.counts["authority"][record.authority] += 1
        self.counts["class"][record.fields.get(self.klass.name, "") if self.klass else ""] += 1

    def rows(self, dimension: str) -> list[tuple[str, str, int]]:
        """``(key, label, count)`` of a dimension: years in order, the others most first (then by key)."""
        counter = self.counts[dimension]
        order = sorted(counter.items()) if dimension == "year" else sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(key, self.label(dimension, key), count) for key, count in order]

    def label(self, dimension: str, key: str) -> str:
        """A key as people read it (a province's name, 无统一社会信用代码, （未填写）)."""
        if dimension in ("province", "region"):
            return _province(key[:2]) if key else NO_CODE
        return key or UNFILLED

    @classmethod
    def from_json(cls, item: CatalogItem, entry: dict[str, Any]) -> Tally:
        """The tally of ``item`` that :meth:`to_json` gave ``entry`` (a statistics file's item, read back)."""
        tally = cls(item)
        if entry["item"] != item.id:
            raise ValueError(f"statistics of {entry['item']!r}, not of {item.id!r}")
        tally.records = int(entry["records"])
        for name in DIMENSIONS:
            tally.counts[name].update({str(row["key"]): int(row["count"]) for row in entry["counts"][name]})
        return tally

    def to_json(self) -> dict[str, Any]:
        """The item's statistics as ``statistics.json`` holds them."""
        klass = {"field": self.klass.name, "title": self.klass.title} if self.klass else None
        return {"item": self.item.id, "title": self.item.title, "records": self.records, "class": klass,
                "counts": {name: [{"key": k, "label": label, "count": n} for k, label, n in self.rows(name)]
                           for name in DIMENSIONS}}


def statistics_json(tallies: list[Tally], profile: str) -> str:
    """``data/statistics.json``: every item's counts by every dimension.

    It carries no date, so that it keeps its bytes while the counts do (the date of the data is in the packages'
    ``created`` and the catalogue's ``dct:modified``; the site's as-of date in ``manifest.json``)."""
    data = {"profile": profile, "dimensions": DIMENSIONS, "items": [tally.to_json() for tally in tallies]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def statistics_csv(tallies: list[Tally]) -> str:
    """``data/statistics.csv``: one row per item, dimension and value (UTF-8 with BOM, CRLF, as the data CSVs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f["name"] for f in STATISTICS_SCHEMA["fields"]])
    for tally in tallies:
        for dimension in DIMENSIONS:
            writer.writerows([tally.item.id, dimension, safe_cell(key), safe_cell(label), count]  # an authority's or a
                             for key, label, count in tally.rows(dimension))  # list type's name as typed: no formula
    return "\ufeff" + buffer.getvalue()


@dataclass(frozen=True)
class Chart:
    """One chart of the download page: its title, the inline SVG and a sentence saying what it shows."""

    title: str
    svg: Markup
    summary: str


_STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#333", foreground_strong="#222",
    foreground_subtle="#ccc", colors=("#1f5f8b",), opacity="1", opacity_hover="1", transition="0ms",
    font_family="system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
    label_font_size=11, major_label_font_size=11, value_font_size=10, title_font_size=13, tooltip_font_size=11,
)


def charts(tally: Tally) -> list[Chart]:
    """The item's charts: records by year, and the largest provinces, authorities and classes."""
    if not tally.records:
        return []
    found = []
    for dimension in CHARTED:
        rows = tally.rows(dimension)
        if dimension == "year":  # every year up to YEARS, the earlier ones summed into the first bar
            shown = rows if len(rows) <= YEARS else [
                ("", f"{rows[-YEARS][0]}及以前", sum(n for *_, n in rows[:-YEARS + 1])), *rows[-YEARS + 1:]]
        else:  # the largest TOP - 1, the rest summed into the last bar
            shown = rows if len(rows) <= TOP else [
                *rows[:TOP - 1], ("", f"其他 {len(rows) - TOP + 1} 个", sum(n for *_, n in rows[TOP - 1:]))]
        title = DIMENSIONS[dimension] if dimension != "class" or tally.klass is None else tally.klass.title
        summary = "；".join(f"{XML_UNSAFE.sub('', label)} {n}" for _key, label, n in shown)
        svg = _svg(f"{tally.item.id}-{dimension}", f"{tally.item.title}，按{title}：{summary}", shown, dimension == "year")
        found.append(Chart(title, svg, summary))
    return found


def _svg(chart_id: str, name: str, rows: list[tuple[str, str, int]], vertical: bool) -> Markup:
    """A bar chart as an inline ``<svg>``: pygal, with the standard library's ElementTree (the same bytes whether
    lxml is installed or not), a fixed id instead of pygal's random one, and no comment (pygal's names the day)
    or script."""
    pygal.etree.etree.to_etree()
    if not vertical:
        rows = rows[::-1]  # pygal draws the first bar at the bottom: the largest goes on top
    labels = [_short(label) for _key, label, _n in rows]
    kind = pygal.Bar if vertical else pygal.HorizontalBar
    height = 180 if vertical else 44 + 22 * len(rows)
    # pygal reserves 0.6 em a character for the labels; a Chinese character takes 1 em: reserve the rest
    extra = 0 if vertical else max(_em(label) - 0.6 * len(label) for label in labels) * _STYLE.label_font_size
    chart = kind(style=_STYLE, js=(), css=(f"file://{_CSS}",), width=360, height=height, explicit_size=True,
                 show_legend=False, print_values=True, print_values_position="top", disable_xml_declaration=True,
                 margin=6, margin_left=6 + round(extra), show_y_guides=False, show_x_guides=vertical is False,
                 show_minor_x_labels=True, x_label_rotation=0, truncate_label=-1, min_scale=1, max_scale=4,
                 include_x_axis=True, title=None)
    chart.uuid = chart_id
    chart.x_labels = labels
    chart.y_labels = _whole_ticks(max((n for *_, n in rows), default=0))  # counts: no tick at 0.4 or 0.8
    chart.add("记录数", [n for *_, n in rows])
    chart.add_xml_filter(lambda root: _plain(root, name))
    root = chart.render_tree()
    return Markup(pygal.etree.etree.tostring(root, encoding="unicode"))


def _whole_ticks(largest: int) -> list[int]:
    """Ticks of a count axis covering ``largest``: whole numbers, at most five, the step 1, 2 or 5 times a power of
    ten (0, 1, 2 for a largest count of 2; 0, 500, 1000, 1500 for 1,234)."""
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if -(-largest // step) <= 4:
                return list(range(0, -(-max(largest, 1) // step) * step + 1, step))
        power *= 10


def _plain(root: Any, name: str) -> Any:
    """Keep only the drawing: no comment (pygal's names the day), script, tooltip or per-element title; the
    chart's own title (its accessible name) is ``name``."""
    for parent in [root, *root.iter()]:
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag or tag.endswith(("script", "desc")) or (tag.endswith("title") and parent is not root):
                parent.remove(child)
    for title in (child for child in root if isinstance(child.tag, str) and child.tag.endswith("title")):
        title.text = name
    root.set("role", "img")
    return root


def _em(label: str) -> float:
    """A label's width in em: 1 a Chinese (wide) character, 0.6 any other."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in label)


def _short(label: str) -> str:
    """A label short enough for a bar (12 characters at most), without characters XML cannot hold."""
    label = XML_UNSAFE.sub("", label)
    return label if len(label) <= 12 else label[:11] + "…"
