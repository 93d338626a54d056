"""Rows per second read and decided from PostgreSQL against the same rows from CSV, in one run.

    python benchmarks/sources.py [--subjects 3000] [--postgres URL]

The generator writes the same rows as CSV files and into a fresh database on the server (the URL of
``SITE_BUILDER_TEST_POSTGRES`` or ``--postgres``; without either a throw-away cluster is started with
scripts/ci_postgres.sh). Each source is then read, validated and decided by
``site_builder.rules.pipeline.decide_rows`` (no pages written), timed with ``time.perf_counter``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import generate_records  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from site_builder.config import load_config  # noqa: E402
from site_builder.rules.pipeline import decide_rows  # noqa: E402
from site_builder.rules.profiles import load_profile  # noqa: E402
from site_builder.sources.database import select_sources, site_catalogue, with_source  # noqa: E402

AS_OF = date(2026, 11, 24)


def rate(config_url: str | None, records: Path) -> tuple[int, float]:
    """``(rows, seconds)`` to read, validate and decide every row of the source."""
    config = with_source(load_config(ROOT / "site_builder.toml").with_paths(records=records), config_url)
    catalogue = site_catalogue(config)
    policy = load_profile(config.profile_dirs, config.disclosure.profile, catalogue)
    start = time.perf_counter()
    sources, _ = select_sources(config, catalogue)
    rows = sum(1 for _ in decide_rows(catalogue, policy, sources, AS_OF))
    return rows, time.perf_counter() - start


def server(given: str | None) -> tuple[str, str | None]:
    """A superuser URL, and the folder of a cluster started here (to stop), if any."""
    if given or os.environ.get("SITE_BUILDER_TEST_POSTGRES"):
        return given or os.environ["SITE_BUILDER_TEST_POSTGRES"], None
    out = subprocess.run([str(ROOT / "scripts" / "ci_postgres.sh"), "start"], capture_output=True, text=True, check=True).stdout
    values = {k.removeprefix("export "): shlex.split(v)[0] for k, v in (line.split("=", 1) for line in out.splitlines())}
    return values["SITE_BUILDER_TEST_POSTGRES"], values["SITE_BUILDER_PG_DIR"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=3000)
    parser.add_argument("--postgres", help="superuser SQLAlchemy URL of a PostgreSQL server")
    args = parser.parse_args()
    url, cluster = server(args.postgres)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))
        database = make_url(url).set(database=name).render_as_string(hide_password=False)
        with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                generate_records.main(["--out", tmp, "--subjects", str(args.subjects), "--database", database])
            finally:
                sys.stdout = stdout
            csv_rows, csv_time = rate(None, Path(tmp))
            pg_rows, pg_time = rate(database, Path(tmp))
        assert csv_rows == pg_rows, (csv_rows, pg_rows)
        print(f"{csv_rows} rows read, validated and decided: PostgreSQL {pg_rows / pg_time:,.0f} rows/s "
              f"({pg_time:.2f} s), CSV {csv_rows / csv_time:,.0f} rows/s ({csv_time:.2f} s); "
              f"(SQLAlchemy {sa.__version__} + psycopg, PostgreSQL on 127.0.0.1, one run)")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE {name}"))
    finally:
        admin.dispose()
        if cluster:
            subprocess.run([str(ROOT / "scripts" / "ci_postgres.sh"), "stop", cluster], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
