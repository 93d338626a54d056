"""Search recall on the demo site: a fixed set of queries, each with the page it must find.

    python benchmarks/search_recall.py                # build the demo site, run the queries
    python benchmarks/search_recall.py --site output  # run them on a built site
    python benchmarks/search_recall.py --regenerate   # rewrite the query set from the demo data
    python benchmarks/search_recall.py --province     # the demo built as a province ([search] index_records = false)

Queries are what people type: a company's full name, its trade name (字号), its 统一社会信用代码,
a penalty's decision number, a natural person's masked name. Reports recall@1 and recall@5 per
kind and overall; Pagefind runs in headless Chromium exactly as on the site.

``--compare A B`` sets two built sites of the same pages side by side (the large set with five and with twenty
bundles, say): for random subjects with a page on both (``--subjects``, 250 by default, the same ones every run), the
subject's full name, its code and the first four characters of its name, and a few common words; each site's recall
@1 and @5 of the subject's own page per kind, and how many queries give both sites the same top ten::

    python benchmarks/search_recall.py --compare five/output twenty/output --subjects 250

``--province`` builds the demo with search over subject pages only, as a province does: records are not in the
Pagefind index, so the masked names of natural persons (who have record pages only) are left out, and a decision
number is found through the exact lookup (``search/lookup/``); the run adds each decision number written with
other brackets (``[2025]``, ``（2025）``), which the lookup reads as the same number.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import html
import json
import random
import re
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser import chromium, search_urls, served  # noqa: E402

from site_builder.build import build  # noqa: E402
from site_builder.config import load_config  # noqa: E402

QUERIES = ROOT / "benchmarks" / "search_queries.json"
AS_OF = date(2026, 11, 24)
CITIES = ("杭州", "宁波", "温州", "大连", "北京", "上海", "深圳", "海口")


def build_demo(folder: Path, index_records: bool = True) -> Path:
    """Build the bundled demo records (as of 2026-11-24, search on) into ``folder/output`` (with ``index_records``
    false: search over subject pages only, as a province)."""
    config = load_config(ROOT / "site_builder.toml").with_paths(output=folder / "output", audit=folder / "audit")
    config = dataclasses.replace(config, search=dataclasses.replace(config.search, index_records=index_records))
    build(config, AS_OF)
    return folder / "output"


PROVINCE_KINDS = ("name", "trade_name", "code", "decision_no")
"""What a province's search finds (natural persons have record pages only, which it does not index)."""


def province_queries(queries: list[dict[str, str]]) -> list[dict[str, str]]:
    """The queries a province's search answers, and each decision number again with other brackets."""
    kept = [q for q in queries if q["kind"] in PROVINCE_KINDS]
    other = str.maketrans("〔〕", "[]")
    wide = str.maketrans("〔〕", "（）")
    return kept + [q | {"kind": "decision_no_brackets", "query": q["query"].translate(other if n % 2 else wide)}
                   for n, q in enumerate(q for q in kept if q["kind"] == "decision_no")]


def _rows(site: Path, item: str) -> list[dict[str, str]]:
    with (site / "data" / f"{item}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def regenerate(site: Path, per_kind: int = 25) -> list[dict[str, str]]:
    """Make the query set from a built demo site's open data: unique names, fragments, codes, numbers."""
    subjects = [r for r in _rows(site, "subject") if (site / "subject" / r["uscc"]).exists()]
    names = Counter(r["subject_name"] for r in subjects)
    queries: list[dict[str, str]] = []
    for r in subjects[:per_kind]:
        queries.append({"kind": "name", "query": r["subject_name"], "expected": f"/subject/{r['uscc']}/"})
    for r in subjects[per_kind:]:
        name = r["subject_name"]
        city = next((c for c in CITIES if name.startswith(c)), "")
        trade = name[len(city):len(city) + 2].lstrip("市")
        if r["subject_type"] == "企业" and sum(trade in n for n in names) == 1:
            queries.append({"kind": "trade_name", "query": trade, "expected": f"/subject/{r['uscc']}/"})
        if sum(q["kind"] == "trade_name" for q in queries) == per_kind:
            break
    for r in subjects[-per_kind:]:
        queries.append({"kind": "code", "query": r["uscc"], "expected": f"/subject/{r['uscc']}/"})
    penalties = _rows(site, "admin_penalty")
    numbers = Counter(r["decision_no"] for r in penalties)
    for r in [r for r in penalties if numbers[r["decision_no"]] == 1][:per_kind]:
        queries.append({"kind": "decision_no", "query": r["decision_no"], "expected": f"/record/admin_penalty/{r['record_id']}/"})
    people = [r | {"item": item} for item in ("admin_penalty", "admin_license", "judgment")
              for r in _rows(site, item) if r["subject_category"] == "自然人"]
    masked = Counter(r["subject_name"] for r in people)
    for r in [r for r in people if masked[r["subject_name"]] == 1][:per_kind]:
        queries.append({"kind": "person", "query": r["subject_name"], "expected": f"/record/{r['item']}/{r['record_id']}/"})
    return queries


def measure(site: Path, queries: list[dict[str, str]]) -> dict[str, tuple[int, int, int]]:
    """``kind -> (queries, hits at 1, hits in top 5)``, plus ``all``; prints every miss."""
    with served(site) as base, chromium() as browser:
        results = search_urls(browser, base, [q["query"] for q in queries], limit=5)
    figures: dict[str, list[int]] = {}
    for q, urls in zip(queries, results, strict=True):
        for kind in (q["kind"], "all"):
            row = figures.setdefault(kind, [0, 0, 0])
            row[0] += 1
            row[1] += urls[:1] == [q["expected"]]
            row[2] += q["expected"] in urls
        if urls[:1] != [q["expected"]]:
            print(f"  miss@1 {q['kind']:12} {q['query']!r}: expected {q['expected']}, got {urls[:3]}")
    return {k: (v[0], v[1], v[2]) for k, v in figures.items()}


COMMON_WORDS = ("科技", "医院", "浙江", "有限公司")
"""Queries many pages answer, in a comparison: their top tens show how the two sites rank."""
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def compare_queries(sites: list[Path], subjects: int, seed: int = 7) -> list[dict[str, str]]:
    """For ``subjects`` random subjects with a page on every site: name, code and the name's first four characters
    (each expecting the subject's page), then :data:`COMMON_WORDS` (expecting nothing in particular)."""
    keys = sorted(p.name for p in (sites[0] / "subject").iterdir() if all((s / "subject" / p.name).is_dir() for s in sites))
    queries: list[dict[str, str]] = []
    for key in random.Random(seed).sample(keys, min(subjects, len(keys))):
        heading = _HEADING.search((sites[0] / "subject" / key / "index.html").read_text(encoding="utf-8"))
        name = html.unescape(heading.group(1)).strip() if heading else ""
        expected = f"/subject/{key}/"
        queries += [{"kind": "name", "query": name, "expected": expected}, {"kind": "code", "query": key, "expected": expected},
                    {"kind": "name_prefix", "query": name[:4], "expected": expected}]
    return queries + [{"kind": "common_word", "query": word, "expected": ""} for word in COMMON_WORDS]


def compare(sites: list[Path], subjects: int) -> None:
    """Print recall@1 and @5 per kind on each site, and the queries whose top ten all sites share."""
    queries = compare_queries(sites, subjects)
    results = []
    with chromium() as browser:
        for site in sites:
            with served(site) as base:
                results.append(search_urls(browser, base, [q["query"] for q in queries], limit=10))
    print(f"{'kind':14} {'queries':>7}" + "".join(f" {'@1':>7} {'@5':>7}" for _ in sites) + "   (" +
          ", ".join(f"site {n + 1}: {site}" for n, site in enumerate(sites)) + ")")
    for kind in ("name", "code", "name_prefix"):
        asked = [(n, q) for n, q in enumerate(queries) if q["kind"] == kind]
        row = f"{kind:14} {len(asked):7d}"
        for urls in results:
            at1 = sum(urls[n][:1] == [q["expected"]] for n, q in asked)
            at5 = sum(q["expected"] in urls[n][:5] for n, q in asked)
            row += f" {at1 / len(asked):7.1%} {at5 / len(asked):7.1%}"
        print(row)
    same = sum(all(urls[n] == results[0][n] for urls in results) for n in range(len(queries)))
    print(f"the same top ten on every site: {same} of {len(queries)} queries")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built demo site (default: build one in a temporary folder)")
    parser.add_argument("--regenerate", action="store_true", help=f"rewrite {QUERIES.name} from the demo data")
    parser.add_argument("--province", action="store_true", help="build the demo with search over subject pages only")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("A", "B"),
                        help="compare two built sites of the same pages (see above)")
    parser.add_argument("--subjects", type=int, default=250, help="subjects asked for with --compare (default 250)")
    args = parser.parse_args(argv)
    if args.compare:
        compare(list(args.compare), args.subjects)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_demo(Path(tmp), index_records=not args.province)
        if args.regenerate:
            QUERIES.write_text(json.dumps(regenerate(site), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        queries = json.loads(QUERIES.read_text(encoding="utf-8"))
        figures = measure(site, province_queries(queries) if args.province else queries)
    print(f"{'kind':20} {'queries':>7} {'recall@1':>9} {'recall@5':>9}")
    for kind, (n, at1, at5) in figures.items():
        print(f"{kind:20} {n:7d} {at1 / n:9.1%} {at5 / n:9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
