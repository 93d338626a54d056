"""Database sources: the demo from CSV, SQLite and PostgreSQL gives the same site; bad data per row; credentials.

PostgreSQL tests use the server of ``SITE_BUILDER_TEST_POSTGRES`` or a throw-away cluster (tests/dbsupport.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import ROOT, site_config
from dbsupport import all_text, decisions, fresh_database, load_demo, postgres_server, quarantine, tree
from sqlalchemy.engine import URL, make_url

from site_builder.build import build
from site_builder.cli import main
from site_builder.config import Config, load_config
from site_builder.exceptions import InputError
from site_builder.sources import database
from site_builder.sources.database import with_source
from site_builder.sources.loading import MAX_CELL

__all__ = ["postgres_server"]  # the session fixture, imported for pytest
AS_OF = date(2026, 11, 24)
DEMO = ROOT / "data" / "demo.sqlite"


@pytest.fixture(scope="module")
def pg_demo(postgres_server: str) -> str:
    """A PostgreSQL database holding the demo rows (written by the generator, as data/demo.sqlite is)."""
    url = fresh_database(postgres_server)
    load_demo(url)
    return url


def _built(tmp_path: Path, url: str | None, search: bool = True) -> tuple[Path, Path]:
    config = with_source(site_config(tmp_path, ROOT / "data" / "records", search=search), url)
    build(config, AS_OF)
    return tmp_path / "output", tmp_path / "audit"


def test_demo_sqlite_is_the_generators_output(tmp_path: Path) -> None:
    """data/demo.sqlite is what the generator makes from the rows of data/records (byte for byte)."""
    from dbsupport import generator

    generator().main(["--sqlite", str(tmp_path / "demo.sqlite")])
    assert (tmp_path / "demo.sqlite").read_bytes() == DEMO.read_bytes()


def test_demo_from_csv_sqlite_and_postgres_is_the_same_site(tmp_path: Path, pg_demo: str) -> None:
    """Byte-identical sites (search index included) and decision lists; the manifests differ only in
    ``inputs.records`` (the source named) and in the hashes of the audit record (whose rows name the file or the
    table), and the chain only by the manifest's hash."""
    built = {name: _built(tmp_path / name, url) for name, url in
             (("csv", None), ("sqlite", f"sqlite:///{DEMO}"), ("postgresql", pg_demo))}
    trees = {name: tree(out, frozenset({"manifest.json", "chain.json"})) for name, (out, _) in built.items()}
    assert any(p.startswith("pagefind/") for p in trees["csv"])
    assert trees["sqlite"] == trees["csv"] and trees["postgresql"] == trees["csv"]
    lists = {name: decisions(audit) for name, (_, audit) in built.items()}
    assert lists["sqlite"] == lists["csv"] == lists["postgresql"] and len(lists["csv"]) > 1000
    manifests = {name: json.loads((out / "manifest.json").read_text(encoding="utf-8")) for name, (out, _) in built.items()}
    records = {name: m["inputs"].pop("records") for name, m in manifests.items()}
    assert {name: set(m.pop("audit")) for name, m in manifests.items()} == dict.fromkeys(built, {
        "decisions.csv", "quarantine.csv", "warnings.csv", "counts.json"})
    assert manifests["sqlite"] == manifests["csv"] == manifests["postgresql"]
    assert [(r["item"], r["rows"]) for r in records["csv"]] == [(r["item"], r["rows"]) for r in records["postgresql"]]
    assert {r["database"] for r in records["sqlite"]} == {"sqlite:///data/demo.sqlite"}  # relative to the site
    pg = make_url(pg_demo)
    # The public manifest names the server's database by backend and name: no driver, host or port.
    assert {r["database"] for r in records["postgresql"]} == {f"postgresql:///{pg.database}"}
    assert [r["table"] for r in records["postgresql"]] == [r["item"] for r in records["csv"]]
    # Same rows in the same key order: the same content hash whichever server held them.
    assert [r["sha256"] for r in records["sqlite"]] == [r["sha256"] for r in records["postgresql"]]
    assert manifests["csv"]["counts"]["input_rows"] == sum(r["rows"] for r in records["postgresql"])


# -- bad data, on SQLite and PostgreSQL ------------------------------------------------------------------

COLUMNS = ["记录编号", "发布状态", "公开属性", "行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号",
           "处罚决定日期", "公示截止期", "处罚机关", "失信程度", "程序类型", "罚款金额（万元）"]
GOOD = ["AP-1", "已审核", "公开", "杭州恒远科技有限公司", "法人及非法人组织", "91330100MA27XL0A1X", "杭市监罚〔2026〕1号",
        "2026-06-01", "", "杭州市市场监督管理局", "一般", "普通程序", "1.5"]


def _bad_table(url: str) -> None:
    """A penalty table with one good row and one row for each kind of bad cell."""
    from conftest import make_uscc

    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    table = sa.Table("xzcf", metadata, sa.Column("序号", sa.Integer, primary_key=True, autoincrement=False),
                     *[sa.Column(c, sa.Text) for c in COLUMNS],
                     sa.Column("违法事实", sa.LargeBinary), sa.Column("处罚内容", sa.Text), sa.Column("备注", sa.Float))
    metadata.create_all(engine)
    good: dict[str, object] = dict(zip(COLUMNS, GOOD, strict=True))
    good |= {"统一社会信用代码": make_uscc(), "违法事实": "当事人经营过期食品".encode(),
                                                   "处罚内容": "罚款", "备注": None}
    rows = [
        good,
        good | {"记录编号": "AP-NULL", "处罚机关": None},                      # NULL in a required column
        good | {"记录编号": "AP-FLOAT", "备注": 5.5},                            # a float where text is expected
        good | {"记录编号": "AP-LONG", "处罚内容": "长" * (MAX_CELL + 1)},       # over-long text
        good | {"记录编号": "AP-BYTES", "违法事实": "过期食品".encode("gbk")},   # not UTF-8
        good | {"记录编号": "AP-DATE", "公示截止期": "明年三月"},                 # a date column holding text
    ]
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"序号": i + 1} | r for i, r in enumerate(rows)])
        if engine.dialect.name == "sqlite":  # SQLite keeps whatever bytes a TEXT column is given
            conn.execute(sa.text("INSERT INTO xzcf (序号, 记录编号, 发布状态, 公开属性, 行政相对人名称, 行政相对人类别, 统一社会信用代码, "
                                 "行政处罚决定书文号, 处罚决定日期, 处罚机关, 失信程度, 程序类型, 处罚内容) SELECT 7, 'AP-TEXT', 发布状态, "
                                 "公开属性, 行政相对人名称, 行政相对人类别, 统一社会信用代码, 行政处罚决定书文号, 处罚决定日期, 处罚机关, "
                                 "失信程度, 程序类型, CAST(x'e8bf87ff' AS TEXT) FROM xzcf WHERE 序号 = 1"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platform.db'}"
    return fresh_database(request.getfixturevalue("postgres_server"))


def _config(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch,
            tables: str = '[sources.admin_penalty]\ntable = "xzcf"\n') -> Config:
    """A site reading ``url`` (given through the environment: the server's URL holds a password)."""
    (tmp_path / "site_builder.toml").write_text(
        f'[paths]\nrecords = "records"\noutput = "output"\naudit = "audit"\n[search]\nenabled = false\n'
        f'[sources]\nurl = "env:TEST_DB_URL"\nyield_per = 2\n{tables}', encoding="utf-8")
    monkeypatch.setenv("TEST_DB_URL", url)
    return load_config(tmp_path / "site_builder.toml")


def test_bad_cells_are_quarantined_per_row_with_table_key_and_column(tmp_path: Path, backend: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _bad_table(backend)
    result = build(_config(tmp_path, backend, monkeypatch), AS_OF)
    report = {r["record_id"]: r for r in quarantine(tmp_path / "audit")}
    expected = {"AP-NULL": ("处罚机关", "null"), "AP-FLOAT": ("备注", "wrong-type"), "AP-LONG": ("处罚内容", "cell-too-long"),
                "AP-BYTES": ("违法事实", "encoding"), "AP-DATE": ("公示截止期", "date")}
    if backend.startswith("sqlite"):
        expected["AP-TEXT"] = ("处罚内容", "encoding")
    assert {k: (r["column"], r["error"]) for k, r in report.items()} == expected
    for row in report.values():
        assert row["file"] == "<xzcf>"
        if row["error"] != "date":  # the validator's own messages name the row by file and row number
            assert f"表 xzcf 主键 序号={row['row']}" in row["message"], row
    assert "AP-1" not in report
    counts = result.counts
    assert sum(s.rows for s in result.sources) == counts.total() == len(expected) + 1
    manifest = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["input_rows"] == len(expected) + 1
    assert manifest["inputs"]["records"][0]["table"] == "xzcf"


@pytest.mark.parametrize(("tables", "named"), [
    ('[sources.admin_penalty]\ntable = "penalties"\n', "'penalties'"),
    ('[sources.admin_penalty]\ntable = "xzcf"\nkey = ["编号"]\n', "'编号'"),
    ('[sources.admin_penalty]\nquery = "SELECT 记录编号, 发布状态 FROM xzcf"\n', "处罚决定日期"),
])
def test_missing_table_or_column_stops_the_build(tmp_path: Path, backend: str, tables: str, named: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _bad_table(backend)
    with pytest.raises(InputError, match=named):
        build(_config(tmp_path, backend, monkeypatch, tables), AS_OF)
    assert not (tmp_path / "output").exists()


def test_item_column_splits_one_table_into_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    _bad_table(url)
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("ALTER TABLE xzcf ADD COLUMN 类别 TEXT"))
        conn.execute(sa.text("UPDATE xzcf SET 类别 = CASE WHEN 序号 = 1 THEN '行政处罚' ELSE '其他' END"))
    tables = '[sources.admin_penalty]\ntable = "xzcf"\nitem_column = "类别"\nitem_values = ["行政处罚"]\n'
    result = build(_config(tmp_path, url, monkeypatch, tables), AS_OF)
    assert [(s.item, s.rows) for s in result.sources] == [("admin_penalty", 1)]
    assert result.counts.total() == 1 and not quarantine(tmp_path / "audit")


def _lose_connection(monkeypatch: pytest.MonkeyPatch, after: int, kill: Callable[[], None]) -> None:
    """Call ``kill`` (really cut the database off) once ``after`` rows have been read, then go on reading."""
    real = database._convert
    seen = [0]

    def convert(*args: Any) -> Any:
        seen[0] += 1
        if seen[0] == after:
            kill()
        return real(*args)

    monkeypatch.setattr(database, "_convert", convert)


def test_lost_connection_stops_the_build_and_keeps_the_old_site(tmp_path: Path, backend: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    is_sqlite = backend.startswith("sqlite")
    if is_sqlite:
        source = tmp_path / "demo.sqlite"
        source.write_bytes(DEMO.read_bytes())
        backend = f"sqlite:///{source}"
    else:
        load_demo(backend)
    config = _config(tmp_path, backend, monkeypatch, tables="")
    build(config, AS_OF)
    before = tree(tmp_path / "output")

    def kill() -> None:
        if is_sqlite:  # the file is cut short under the open connection
            with source.open("r+b") as fh:
                fh.truncate(4096)
        else:
            with sa.create_engine(backend, poolclass=sa.NullPool).connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()"))

    _lose_connection(monkeypatch, 20, kill)
    with pytest.raises(InputError, match=r"reading \w+ failed after \d+ rows") as caught:
        build(config, date(2026, 11, 25))
    assert "Database source " in str(caught.value) and "***" not in str(caught.value)
    assert tree(tmp_path / "output") == before
    assert len(list((tmp_path / "audit" / "builds").iterdir())) == 1


# -- credentials -----------------------------------------------------------------------------------------

MARKER = "Pw-MARKER-q7Zx"


@pytest.fixture
def secret_db(postgres_server: str) -> Iterator[str]:
    """The demo in a database owned by a role whose password holds :data:`MARKER`; its URL without the password."""
    url = fresh_database(postgres_server)
    role = f"builder_{make_url(url).database}"
    admin = sa.create_engine(make_url(postgres_server).set(database=make_url(url).database), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD '{MARKER}-secret'"))
        conn.execute(sa.text(f"GRANT ALL ON SCHEMA public TO {role}"))
    load_demo(make_url(url).set(username=role, password=f"{MARKER}-secret").render_as_string(hide_password=False))
    bare = make_url(url)
    yield URL.create(bare.drivername, username=role, host=bare.host, port=bare.port, database=bare.database).render_as_string()
    admin.dispose()


def test_password_never_leaves_the_environment(tmp_path: Path, secret_db: str, caplog: pytest.LogCaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PASSWORD", f"{MARKER}-secret")
    (tmp_path / "site_builder.toml").write_text(
        f'[paths]\nrecords = "records"\noutput = "output"\naudit = "audit"\n[search]\nenabled = false\n'
        f'[sources]\nurl = "{secret_db}"\npassword_env = "DB_PASSWORD"\n', encoding="utf-8")
    runner = CliRunner()
    caplog.set_level(logging.DEBUG)
    args = ["--config", str(tmp_path / "site_builder.toml")]
    ok = runner.invoke(main, [*args, "build", "--as-of", AS_OF.isoformat()])
    assert ok.exit_code == 0, ok.output
    verified = runner.invoke(main, [*args, "verify", "--no-data"])
    assert verified.exit_code == 0, verified.output
    # Failures: a table that is not there, a wrong password, an unreachable server.
    (tmp_path / "site_builder.toml").write_text((tmp_path / "site_builder.toml").read_text(encoding="utf-8")
                                                + '[sources.admin_penalty]\ntable = "nope"\n', encoding="utf-8")
    failures = [runner.invoke(main, [*args, "build", "--as-of", "2026-11-25"])]
    monkeypatch.setenv("DB_PASSWORD", f"{MARKER}-wrong")
    failures.append(runner.invoke(main, [*args, "build", "--as-of", "2026-11-25"]))
    monkeypatch.setenv("SOME_URL", make_url(secret_db).set(password=f"{MARKER}-x", port=1).render_as_string(hide_password=False))
    failures.append(runner.invoke(main, [*args, "build", "--source", "env:SOME_URL", "--as-of", "2026-11-25"]))
    assert [f.exit_code for f in failures] == [1, 1, 1]
    assert "'nope'" in failures[0].output and "cannot connect" in failures[1].output
    outputs = ok.output + verified.output + "".join(f.output for f in failures) + caplog.text
    assert MARKER not in outputs
    assert MARKER not in all_text(tmp_path / "output", tmp_path / "audit")
    manifest = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert "@" not in manifest["inputs"]["records"][0]["database"]


def test_password_in_the_committed_configuration_is_refused(tmp_path: Path) -> None:
    from site_builder.exceptions import ConfigError

    (tmp_path / "site_builder.toml").write_text(f'[sources]\nurl = "postgresql+psycopg://u:{MARKER}@h/db"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must not hold a password") as caught:
        load_config(tmp_path / "site_builder.toml")
    assert MARKER not in str(caught.value)


def test_rows_are_streamed_and_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows arrive one by one while the read is under way; the hash is set once all are read."""
    source = tmp_path / "demo.sqlite"
    source.write_bytes(DEMO.read_bytes())
    config = _config(tmp_path, f"sqlite:///{source}", monkeypatch, tables="")
    from site_builder.sources.database import select_sources, site_catalogue
    from site_builder.sources.loading import FileReport, read_rows

    catalogue = site_catalogue(config)
    sources, ignored = select_sources(config, catalogue)
    assert ignored == []
    penalty = next(s for s in sources if s.item == "admin_penalty")
    report = FileReport(penalty)
    rows = read_rows(penalty, catalogue["admin_penalty"], report)
    next(rows)
    assert report.rows == 1 and not report.sha256  # one row delivered, the rest not yet read
    assert sum(1 for _ in rows) == 307 and report.sha256 and report.encoding == "database"
