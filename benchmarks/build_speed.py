"""Build time and memory at several sizes: generated records, one full build each.

    python benchmarks/build_speed.py                       # 300 and 3,000 subjects, search on
    python benchmarks/build_speed.py --subjects 30000 --no-search

Each build runs as its own process (`site-builder build`), so the figures are what a credit
centre's CI sees: wall-clock seconds and the peak resident memory of the build and Pagefind.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(records: Path, folder: Path, search: bool) -> tuple[float, float, dict[str, object]]:
    """Build ``records`` into ``folder``; return (seconds, peak MiB of any child, manifest counts)."""
    command = [sys.executable, "-m", "site_builder", "-q", "build", "--records", str(records),
               "--out", str(folder / "output"), "--audit", str(folder / "audit"), "--as-of", "2026-11-24"]
    if not search:
        command.append("--no-search")
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    manifest = json.loads((folder / "output" / "manifest.json").read_text(encoding="utf-8"))
    return seconds, peak, manifest["counts"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--no-search", action="store_true")
    args = parser.parse_args(argv)
    print(f"{'subjects':>9} {'rows':>9} {'published':>9} {'pages':>8} {'search':>6} {'seconds':>8} {'peak MiB':>9}")
    for subjects in args.subjects:
        with tempfile.TemporaryDirectory() as tmp:
            records = Path(tmp) / "records"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_records.py"), "--out", str(records),
                            "--subjects", str(subjects)], check=True, capture_output=True)
            seconds, peak, counts = run(records, Path(tmp), not args.no_search)
            pages = sum(1 for _ in (Path(tmp) / "output").rglob("*.html"))
            print(f"{subjects:9d} {counts['input_rows']:9d} {counts['published']:9d} {pages:8d} "
                  f"{'no' if args.no_search else 'yes':>6} {seconds:8.1f} {peak:9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
