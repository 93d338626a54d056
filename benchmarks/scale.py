"""Build time and memory per stage at given sizes: a full build, an approval rebuild and a next-day rebuild.

    python benchmarks/scale.py                                    # 3,000 subjects / 10,000 rows and 10,000 / 34,000
    python benchmarks/scale.py --sizes 100000:1000000             # the large set of issue 13
    python benchmarks/scale.py --sizes 1000:3400 3000:10000 --no-search
    python benchmarks/scale.py --sizes 100000:1000000 --subjects-only   # search over subject pages only

For each size ``SUBJECTS:ROWS`` the generator (``scripts/generate_records.py --subjects --records``)
writes a records folder into a temporary folder, then three builds run one after another into the
same output and audit folder, each as its own ``site-builder build`` process (what a CI job runs):

- **full**: the first build, as of 2026-11-24;
- **rebuild**: the same rows and date again (nothing changed: what a build costs that has nothing to do; it also
  leaves the site before it as the spare, as every build after the first finds it);
- **approval**: 1 % of the rows changed (a third edited, a third withdrawn, a third added), same as-of date;
- **next-day**: the same rows as of 2026-11-25 (records whose period ends that day drop out).

The builds after the first are incremental (rows whose result holds are taken from the decision cache, unchanged
files are taken over from the build before, and the spare is changed only where it differs); ``reused`` counts
the files taken over, ``cached`` the rows taken from the cache. ``--subjects-only`` builds with ``[search] index_records = false``
(the search index holds the subject pages, which carry their records' document numbers), the setting
the operator guide gives for a province.

Each build's stage summary lines (``stage=<name> seconds=…``, logged at INFO) give the seconds per
stage; ``peak MiB`` is the build process's peak resident memory at the end of the stage and ``child
MiB`` that of its largest finished child process (Pagefind), both read from the same lines (peaks
so far: a stage that raises the peak shows it first). ``s/100k`` is the stage's seconds per
100,000 input rows; the last table sets those of the first and last size side by side (a ratio near
1 means the stage grows linearly).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.rules.catalogue import load_catalogue  # noqa: E402

AS_OF = date(2026, 11, 24)
CHANGED = 0.01
"""Share of the rows an approval changes."""
STAGE_LINE = re.compile(r"stage=(\S+) seconds=([\d.]+)(.*?) peak_rss_mib=(\d+) children_peak_rss_mib=(\d+)")


@dataclass
class Run:
    """One build: wall seconds, input rows and its stages (name → seconds, peak MiB, child peak MiB)."""

    name: str
    wall: float
    rows: int = 0
    reused: int = 0
    cached: int = 0
    files: int = 0
    """Files the build's manifest lists."""
    stages: dict[str, tuple[float, int, int]] = field(default_factory=dict)


def build(records: Path, folder: Path, as_of: date, search: bool, name: str) -> Run:
    """One ``site-builder build`` process; its stages from the summary lines on stderr."""
    config = folder / "site_builder.toml"
    command = [sys.executable, "-m", "site_builder", *(["--config", str(config)] if config.exists() else []),
               "build", "--records", str(records), "--out", str(folder / "output"),
               "--audit", str(folder / "audit"), "--as-of", as_of.isoformat(), *([] if search else ["--no-search"])]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    run = Run(name, time.perf_counter() - start)
    if result.returncode != 0:
        raise SystemExit(f"{name} build failed:\n{result.stderr[-3000:]}")
    for match in STAGE_LINE.finditer(result.stderr):
        stage, seconds, extra, own, child = match.groups()
        run.stages[stage] = (float(seconds), int(own), int(child))
        if stage == "manifest":
            files = re.search(r"files=(\d+)", extra)
            run.files = int(files.group(1)) if files else 0
        if stage == "decide":
            run.rows = int(re.search(r"rows=(\d+)", extra).group(1))  # type: ignore[union-attr]
            cached = re.search(r"cached=(\d+)", extra)
            run.cached = int(cached.group(1)) if cached else 0
    reused = re.search(r"reused=(\d+)", result.stderr)
    run.reused = int(reused.group(1)) if reused else 0
    return run


def approve(records: Path, seed: int) -> int:
    """Change 1 % of the rows in place: edit a public text field, withdraw, or add a copy under a new id.

    Returns the number of rows touched.
    """
    rng = random.Random(seed)
    catalogue = load_catalogue(ROOT / "site_builder" / "defaults" / "catalogue")
    touched = 0
    for item in catalogue.items:
        titles = {f.name: f.title for f in item.fields}
        record_id, status = titles[item.role("record_id") or "record_id"], titles["publish_status"]
        texts = [f.title for f in item.public_fields if f.type == "string" and not f.role and f.name != "publish_status"]
        for path in sorted(records.glob(f"{item.id}.csv")) + sorted(records.glob(f"{item.id}/*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                header, rows = list(reader.fieldnames or ()), list(reader)
            added: list[dict[str, str]] = []
            for row in rows:
                if rng.random() >= CHANGED:
                    continue
                touched += 1
                kind = rng.randrange(3)
                if kind == 0 and texts:
                    column = rng.choice(texts)
                    row[column] = (row[column] or "") + "（更正）"
                elif kind == 1:
                    row[status] = "已撤回"
                else:
                    added.append(dict(row, **{record_id: f"{row[record_id]}-A{len(added) + 1}"}))
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.DictWriter(fh, header, lineterminator="\r\n")
                writer.writeheader()
                writer.writerows(rows + added)
    return touched


def measure(subjects: int, rows: int, search: bool, subjects_only: bool = False) -> list[Run]:
    """Generate one size and run the three builds; print their tables."""
    with tempfile.TemporaryDirectory(prefix="sb-scale-") as tmp:
        folder, records = Path(tmp), Path(tmp) / "records"
        if subjects_only:
            (folder / "site_builder.toml").write_text("[search]\nindex_records = false\n", encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_records.py"), "--out", str(records),
                        "--subjects", str(subjects), "--records", str(rows)], check=True, capture_output=True)
        print(f"\n== {subjects:,} subjects, {rows:,} rows (generated in {time.perf_counter() - start:.1f} s), "
              f"search {'off' if not search else 'on, subject pages only' if subjects_only else 'on'}")
        runs = [build(records, folder, AS_OF, search, "full"), build(records, folder, AS_OF, search, "rebuild")]
        touched = approve(records, seed=subjects)
        runs.append(build(records, folder, AS_OF, search, f"approval ({touched:,} rows changed)"))
        runs.append(build(records, folder, AS_OF + timedelta(days=1), search, "next-day"))
        print(f"output after the last build: {runs[-1].files:,} files in its manifest")  # walking them cold took minutes
        for run in runs:
            print(f"\n{run.name}: {run.wall:.1f} s wall, {run.rows:,} rows in ({run.cached:,} from the decision cache), "
                  f"{run.reused:,} files taken over")
            print(f"  {'stage':<13}{'seconds':>9}{'s/100k':>9}{'peak MiB':>10}{'child MiB':>10}")
            for stage, (seconds, own, child) in run.stages.items():
                print(f"  {stage:<13}{seconds:9.2f}{per_100k(seconds, run.rows):9.1f}{own:10d}{child:10d}")
        sys.stdout.flush()  # before the temporary folder, two sites of the large set, is removed
    return runs


def per_100k(seconds: float, rows: int) -> float:
    """Seconds per 100,000 rows."""
    return seconds * 100_000 / rows if rows else 0.0


def main(argv: list[str] | None = None) -> int:
    """Measure every size, then compare the first and last size's seconds per 100,000 rows (full builds)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["3000:10000", "10000:34000"], metavar="SUBJECTS:ROWS",
                        help="sizes to measure, e.g. 3000:10000 10000:34000 (rows include the subject rows)")
    parser.add_argument("--no-search", action="store_true", help="build without the Pagefind index")
    parser.add_argument("--subjects-only", action="store_true", help="index the subject pages only ([search] index_records = false)")
    args = parser.parse_args(argv)
    sizes = [tuple(int(n) for n in size.split(":")) for size in args.sizes]
    print(f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}")
    print(f"command: python benchmarks/scale.py --sizes {' '.join(args.sizes)}{' --no-search' if args.no_search else ''}"
          f"{' --subjects-only' if args.subjects_only else ''}")
    results = [(size, measure(size[0], size[1], not args.no_search, args.subjects_only)) for size in sizes]
    if len(results) > 1:
        (small, first), (large, last) = results[0], results[-1]
        print(f"\nfull build, seconds per 100,000 rows: {small[1]:,} rows against {large[1]:,} rows")
        print(f"  {'stage':<13}{'small':>9}{'large':>9}{'ratio':>8}")
        for stage, (seconds, _, _) in last[0].stages.items():
            low = per_100k(first[0].stages.get(stage, (0.0, 0, 0))[0], first[0].rows)
            high = per_100k(seconds, last[0].rows)
            print(f"  {stage:<13}{low:9.1f}{high:9.1f}{high / low if low else 0:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
