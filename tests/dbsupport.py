"""Helpers for the database tests: a PostgreSQL server, fresh databases on it, the demo loaded into one.

The server comes from ``SITE_BUILDER_TEST_POSTGRES`` (a SQLAlchemy URL of a superuser, as
``scripts/ci_postgres.sh start`` exports it); without it a throw-away cluster is started with that
script for the session and stopped at its end. If none can be started the tests that need it are
skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import os
import shlex
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ci_postgres.sh"
ENV = "SITE_BUILDER_TEST_POSTGRES"


def generator() -> ModuleType:
    """``scripts/generate_records.py`` as a module (it writes the demo into any database)."""
    spec = importlib.util.spec_from_file_location("generate_records", ROOT / "scripts" / "generate_records.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_demo(url: str) -> None:
    """Write the demo rows (the same as data/records) into the database at ``url``."""
    generator().main(["--database", url])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A superuser URL of a running PostgreSQL server (see the module docstring)."""
    given = os.environ.get(ENV)
    if given:
        yield given
        return
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        reason = f"no PostgreSQL server: set {ENV} or install postgresql ({started.stderr.strip()[-300:]})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    values = {k: shlex.split(v)[0] for k, v in exports.items()}
    try:
        yield values[ENV]
    finally:
        subprocess.run([str(SCRIPT), "stop", values["SITE_BUILDER_PG_DIR"]], check=False, capture_output=True)


def fresh_database(server: str, encoding: str = "UTF8") -> str:
    """A new, empty database on ``server`` (its URL, same credentials)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} ENCODING '{encoding}' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'"))
    engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def decisions(audit: Path) -> list[tuple[str, ...]]:
    """``(item, record_id, outcome, start, until)`` of every decision of the last build in ``audit``."""
    path = sorted(audit.glob("builds/*/decisions.csv.gz"))[-1]
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return sorted((r["item"], r["record_id"], r["outcome"], r["start"], r["until"]) for r in csv.DictReader(fh))


def quarantine(audit: Path) -> list[dict[str, str]]:
    """The rows of the last build's quarantine report."""
    path = sorted(audit.glob("builds/*/quarantine.csv"))[-1]
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def tree(folder: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path (links followed), except the names in ``leave_out``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() not in leave_out}


def all_text(*folders: Path) -> str:
    """Every file under ``folders`` as text (gzip files opened), for scanning for a secret."""
    parts = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)
