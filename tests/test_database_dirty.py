"""Database sources with dirty data: dates no calendar holds, typed numbers, shared and repeated tables, rows
committed while a build reads, what the public manifest says. On SQLite and PostgreSQL where both can hold it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_uscc
from dbsupport import decisions, fresh_database, postgres_server, quarantine
from test_database import AS_OF, COLUMNS, GOOD, _config, backend

from site_builder.build import build
from site_builder.config import Config
from site_builder.exceptions import ConfigError, InputError
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.validation import Record, Validator
from site_builder.sources import database
from site_builder.sources.database import select_sources, site_catalogue
from site_builder.sources.loading import FileReport, RawRow, read_rows
from site_builder.sources.mapping import TableSpec

__all__ = ["backend", "postgres_server"]  # fixtures, imported for pytest


def _row(record_id: object, **cells: object) -> dict[str, object]:
    """A good penalty row (a valid 统一社会信用代码), with ``cells`` changed (by column title)."""
    row: dict[str, object] = {**dict(zip(COLUMNS, GOOD, strict=True)), "统一社会信用代码": make_uscc(), "记录编号": record_id}
    return row | cells


class _Declared(sa.types.UserDefinedType[Any]):
    """A column type declared by name only (``DATE`` in SQLite: the affinity, without SQLAlchemy's conversions)."""

    cache_ok = True

    def __init__(self, name: str) -> None:
        self.name = name

    def get_col_spec(self, **kw: Any) -> str:
        return self.name


def _table(url: str, rows: Sequence[dict[str, object]], name: str = "xzcf", keys: Sequence[int] | None = None,
           types: dict[str, Any] | None = None, extra: Sequence[str] = ()) -> None:
    """A penalty table ``name`` (序号 the key, ``keys`` or 1, 2, …; text columns unless ``types`` says otherwise)."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    columns = [*COLUMNS, *extra]
    table = sa.Table(name, metadata, sa.Column("序号", sa.Integer, primary_key=True, autoincrement=False),
                     *[sa.Column(c, (types or {}).get(c, sa.Text)) for c in columns])
    metadata.create_all(engine)
    numbers = keys or range(1, len(rows) + 1)
    values = [{"序号": n} | {c: None if r.get(c) == "" else r.get(c) for c in columns} for n, r in zip(numbers, rows, strict=True)]
    with engine.begin() as conn:
        conn.execute(table.insert(), values)
    engine.dispose()


def _read(config: Config, item: str = "admin_penalty") -> tuple[list[RawRow], list[FileReport], list[str]]:
    """Every row of ``item``'s tables read once, their reports, and what the build would leave unread."""
    catalogue: Catalogue = site_catalogue(config)
    sources, ignored = select_sources(config, catalogue)
    rows: list[RawRow] = []
    reports = []
    for source in (s for s in sources if s.item == item):
        reports.append(FileReport(source))
        rows += read_rows(source, catalogue[item], reports[-1])
    return rows, reports, ignored


# -- dates Python cannot hold ------------------------------------------------------------------------------


def test_infinite_and_bc_dates_are_read_per_row(tmp_path: Path, postgres_server: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """psycopg refuses ``infinity``, ``-infinity``, a date BC and the year 10000 (DataError): one such cell once
    stopped the build. Now ``infinity`` ends nothing in an optional column, as 9999-12-31 does, and any of them
    quarantines its row in a required one, naming table, key and column."""
    url = fresh_database(postgres_server)
    rows = [_row("AP-SENT", 公示截止期="9999-12-31"), _row("AP-INF", 公示截止期="infinity"),
            _row("AP-10K", 公示截止期="10000-01-01"), _row("AP-BC", 公示截止期="0044-03-15 BC"),
            _row("AP-DEC-INF", 处罚决定日期="infinity"), _row("AP-DEC-NEG", 处罚决定日期="-infinity"),
            _row("AP-DEC-BC", 处罚决定日期="0044-03-15 00:00:00+00 BC")]
    _table(url, rows, types={"公示截止期": sa.Date, "处罚决定日期": sa.DateTime(timezone=True)})
    build(_config(tmp_path, url, monkeypatch), AS_OF)
    found = {r["record_id"]: r for r in quarantine(tmp_path / "audit")}
    assert {k: (r["column"], r["error"]) for k, r in found.items()} == {
        "AP-BC": ("公示截止期", "date"), "AP-DEC-INF": ("处罚决定日期", "date"), "AP-DEC-NEG": ("处罚决定日期", "date"),
        "AP-DEC-BC": ("处罚决定日期", "date")}
    assert all(f"表 xzcf 主键 序号={r['row']}，列“{r['column']}”" in r["message"] for r in found.values())
    assert "“infinity”" in found["AP-DEC-INF"]["message"]
    decided = {record_id: (outcome, start, until) for _, record_id, outcome, start, until in decisions(tmp_path / "audit")}
    assert decided["AP-INF"] == decided["AP-10K"] == decided["AP-SENT"]


def test_the_servers_date_style_and_time_zone_change_nothing(tmp_path: Path, postgres_server: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Bugs: a database whose DateStyle is not ISO (``SQL, DMY``, set by its administrator) stopped the build with a
    traceback (psycopg reads ISO dates only); and the same rows read with another session time zone (``PGTZ`` on the
    build host) gave the input another hash in the public manifest, as if it had changed."""
    url = fresh_database(postgres_server)
    _table(url, [_row("AP-1", 处罚决定日期="2026-06-01 01:30:00+08")], types={"处罚决定日期": sa.DateTime(timezone=True)})
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"ALTER DATABASE {sa.engine.make_url(url).database} SET DateStyle = 'SQL, DMY'"))
    engine.dispose()
    digests = set()
    for zone in ("UTC", "America/Los_Angeles"):
        monkeypatch.setenv("PGTZ", zone)
        read, reports, _ = _read(_config(tmp_path, url, monkeypatch))
        assert [(r.values["decision_date"], r.defects) for r in read] == [("2026-06-01", ())]  # its date in China
        digests.add(reports[0].sha256)
    assert len(digests) == 1
    assert build(_config(tmp_path, url, monkeypatch), AS_OF).counts.published["admin_penalty"] == 1


# -- a table several items share ---------------------------------------------------------------------------

SHARED = ('[sources.admin_penalty]\ntable = "all_records"\nitem_column = "类别"\nitem_values = ["行政处罚", "xzcf"]\n'
          '[sources.admin_license]\ntable = "all_records"\nitem_column = "类别"\nitem_values = ["行政许可"]\n'
          '[columns.admin_license]\n"行政处罚决定书文号" = "license_doc_no"\n"处罚决定日期" = "decision_date"\n'
          '"处罚机关" = "authority"\n')


def test_shared_table_compares_item_values_as_headings_and_reports_the_rest(tmp_path: Path, backend: str,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """``'行政处罚 '`` (a trailing space), ``行政处罚　`` (a full-width one) and ``XZCF`` are 行政处罚's; rows of no item
    (another code, NULL) are not read, and counted once, in a warning per value."""
    kinds = ["行政处罚", "行政处罚 ", "行政处罚\u3000", "XZCF", "行政许可", None, "其他", "其他"]
    _table(backend, [_row(f"R-{i}", 类别=kind) for i, kind in enumerate(kinds)], name="all_records", extra=["类别"])
    result = build(_config(tmp_path, backend, monkeypatch, SHARED), AS_OF)
    assert sorted((s.item, s.rows) for s in result.sources) == [("admin_license", 1), ("admin_penalty", 4)]
    assert not quarantine(tmp_path / "audit")
    unread = [w for s in result.sources for w in s.warnings if "不属于任何目录项" in w]
    assert unread == ["表 all_records 中 类别为 NULL 的 1 行不属于任何目录项，未读取",
                      "表 all_records 中 类别=“其他” 的 2 行不属于任何目录项，未读取"]


def test_an_item_value_two_items_claim_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("R-1", 类别="行政处罚")], name="all_records", extra=["类别"])
    clash = SHARED.replace('["行政许可"]', '["行政许可", "行政处罚 "]')
    refused = r"'sources\.admin_penalty\.item_values': '行政处罚' is also an item value of sources\.admin_license"
    with pytest.raises(ConfigError, match=refused):
        build(_config(tmp_path, url, monkeypatch, clash), AS_OF)


# -- several tables of one item ----------------------------------------------------------------------------


def test_every_table_of_an_item_is_read_as_its_files_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``admin_penalty``, ``行政处罚`` and ``xzcf`` all name the item: all three are read (a record id two of them
    use is quarantined in both, as across two records files), none is reported as belonging to no item."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("AP-1")], name="admin_penalty")
    _table(url, [_row("AP-2"), _row("AP-3")], name="行政处罚")
    _table(url, [_row("AP-1")], name="xzcf")
    config = _config(tmp_path, url, monkeypatch, tables="")
    _, reports, ignored = _read(config)
    assert [(r.name, r.rows) for r in reports] == [("<admin_penalty>", 1), ("<行政处罚>", 2), ("<xzcf>", 1)]
    assert ignored == []
    build(config, AS_OF)
    assert {(r["record_id"], r["file"], r["error"]) for r in quarantine(tmp_path / "audit")} == {
        ("AP-1", "<admin_penalty>", "duplicate-id"), ("AP-1", "<xzcf>", "duplicate-id")}


# -- one snapshot, read-only -------------------------------------------------------------------------------


def test_every_read_of_a_build_sees_the_same_rows(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row committed while the build reads (here: a second AP-1 after the first pass read AP-1 once) is not seen
    by any read of that build; it would have been by the second, which then published one of the two AP-1 rows."""
    _table(backend, [_row("AP-1"), _row("AP-2"), _row("AP-3")])
    writer = sa.create_engine(backend)
    if backend.startswith("sqlite"):
        with writer.begin() as conn:  # readers and a writer side by side (in rollback-journal mode the writer waits)
            conn.execute(sa.text("PRAGMA journal_mode=WAL"))
    real = database._convert
    inserted: list[bool] = []

    def convert(*args: Any) -> Any:
        if not inserted:
            inserted.append(True)
            with writer.begin() as conn:
                conn.execute(sa.text("INSERT INTO xzcf (序号, 记录编号) SELECT 9, 记录编号 FROM xzcf WHERE 序号 = 1"))
        return real(*args)

    monkeypatch.setattr(database, "_convert", convert)
    result = build(_config(tmp_path, backend, monkeypatch), AS_OF)
    writer.dispose()
    assert inserted and [s.rows for s in result.sources] == [3]
    assert not quarantine(tmp_path / "audit") and result.counts.total() == 3


def test_the_transaction_is_read_only(tmp_path: Path, postgres_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configured query cannot change the database (PostgreSQL: a READ ONLY transaction; SQLite opens the file
    read-only)."""
    url = fresh_database(postgres_server)
    _table(url, [_row("AP-1")])
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("CREATE SEQUENCE reads"))
    tables = '[sources.admin_penalty]\nquery = "SELECT *, nextval(\'reads\') AS n FROM xzcf"\nkey = ["序号"]\n'
    with pytest.raises(InputError, match="read-only transaction"):
        build(_config(tmp_path, url, monkeypatch, tables), AS_OF)


# -- rows named by their key -------------------------------------------------------------------------------


def test_quarantine_names_a_row_by_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Problems found after reading (here a bad 统一社会信用代码, a repeated record id) name the row by 序号, not by its
    place in the read."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("AP-1"), _row("AP-2", 统一社会信用代码="91330100MA27XL0A1Z"), _row("AP-1")], keys=[100, 282, 314])
    build(_config(tmp_path, url, monkeypatch), AS_OF)
    found = sorted((r["record_id"], r["row"], r["error"]) for r in quarantine(tmp_path / "audit"))
    assert found == [("AP-1", "100", "duplicate-id"), ("AP-1", "314", "duplicate-id"), ("AP-2", "282", "uscc")]


def test_a_column_like_a_missing_deciding_field_withholds_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As for a file: read as an unknown column, 异议审核情况 (处理中) would let a record under objection be published. The
    table's rows are quarantined until the column is mapped, with a warning naming it and the field it looks like."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("AP-1", 异议审核情况="处理中"), _row("AP-2")], extra=["异议审核情况"])
    rows, reports, _ = _read(_config(tmp_path, url, monkeypatch))
    assert [(r.values["record_id"], [d[1] for d in r.defects]) for r in rows] == [
        ("AP-1", ["unmapped-column"]), ("AP-2", ["unmapped-column"])]
    assert any("异议审核情况" in w and "异议状态" in w for w in reports[0].warnings), reports[0].warnings


def test_a_column_that_may_state_the_record_state_withholds_the_rows_saying_revoked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As for a file: a table without 当前状态 whose 案件状态 says 撤销 would publish a revoked penalty; its other values
    (a platform's own states) withhold nothing."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("AP-1", 案件状态="已撤销"), _row("AP-2", 案件状态="已推送"), _row("AP-3", 案件状态=None)], extra=["案件状态"])
    rows, reports, _ = _read(_config(tmp_path, url, monkeypatch))
    assert [(r.values["record_id"], [d[1] for d in r.defects]) for r in rows] == [
        ("AP-1", ["unmapped-column"]), ("AP-2", []), ("AP-3", [])]
    assert any("案件状态" in w and "当前状态" in w for w in reports[0].warnings), reports[0].warnings


def test_penalty_kinds_in_two_columns_are_read_together(tmp_path: Path, backend: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a file (the 2016 layout): 处罚类别1 警告 beside 处罚类别2 罚款 is a fine, published, not a warning alone
    withheld as slight; it had been quarantined as two different values of one field."""
    rows = [_row("AP-1", 处罚类别1="警告", 处罚类别2="罚款"), _row("AP-2", 处罚类别1="警告", 处罚类别2="", **{"罚款金额（万元）": ""}),
            _row("AP-3", 处罚类别1="", 处罚类别2="罚款"), _row("AP-4", 处罚类别1="罚款", 处罚类别2="罚款")]
    _table(backend, rows, extra=["处罚类别1", "处罚类别2"])
    config = _config(tmp_path, backend, monkeypatch)
    read, reports, _ = _read(config)
    assert [(r.values["penalty_type"], r.defects) for r in read] == [
        ("警告；罚款", ()), ("警告", ()), ("罚款", ()), ("罚款", ())]
    assert not any("duplicate" in w for w in reports[0].warnings), reports[0].warnings
    result = build(config, AS_OF)
    assert result.counts.published["admin_penalty"] == 3
    assert sum(result.counts.excluded["admin_penalty"].values()) == 1
    assert not quarantine(tmp_path / "audit")


def test_an_amount_column_named_in_yuan_is_read_in_yuan(tmp_path: Path, backend: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """罚款金额（元） in a table is read in 元 and converted, as in a file (8000 is 0.8 万元; it had quarantined every row);
    a foreign currency quarantines the rows."""
    rows = [_row("AP-1", **{"罚款金额（万元）": "", "罚款金额（元）": "8000"}),
            _row("AP-2", **{"罚款金额（万元）": "", "罚款金额（元）": "1.2万"}),
            _row("AP-3", **{"罚款金额（万元）": "1.23", "罚款金额（元）": "12345"})]
    _table(backend, rows, extra=["罚款金额（元）"])
    config = _config(tmp_path, backend, monkeypatch)
    read, reports, _ = _read(config)
    validator = Validator(site_catalogue(config)["admin_penalty"])
    checked = [validator.validate(r) for r in read]
    assert [r.values["fine_amount"] if isinstance(r, Record) else r for r in checked] == [
        Decimal("0.8"), Decimal("1.2"), Decimal("1.2345")]
    assert any("罚款金额（元）" in w and "（元）读取" in w for w in reports[0].warnings), reports[0].warnings
    build(config, AS_OF)
    assert not quarantine(tmp_path / "audit")


def test_an_amount_column_in_a_foreign_currency_quarantines_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("AP-1", **{"罚款金额（万元）": "", "罚款金额（美元）": 500})], extra=["罚款金额（美元）"])
    config = _config(tmp_path, url, monkeypatch,
                     '[sources.admin_penalty]\ntable = "xzcf"\n[columns.admin_penalty]\n"罚款金额（美元）" = "fine_amount"\n')
    read, reports, _ = _read(config)
    assert [d[1] for d in read[0].defects] == ["amount-unit"]
    assert any("外币" in w and "本表各行均将隔离" in w for w in reports[0].warnings), reports[0].warnings


# -- a query's columns -------------------------------------------------------------------------------------


def test_a_querys_columns_are_learnt_without_running_it(tmp_path: Path, backend: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The query's columns come from the query under ``LIMIT 0``: no row of it is computed (here any row would fail),
    where psycopg used to fetch all of it just for the names."""
    _table(backend, [_row("AP-1"), _row("AP-2")])
    boom = "abs(-9223372036854775807 - 序号)" if backend.startswith("sqlite") else "1 / (序号 - 序号)"
    spec = TableSpec("admin_penalty", query=f"SELECT 记录编号, {boom} AS boom FROM xzcf")
    config = _config(tmp_path, backend, monkeypatch)
    db = database.Database(config.sources, config.root)
    assert database._columns(db.connect(), db, spec) == ["记录编号", "boom"]
    db.close()


# -- typed numbers and integer dates -----------------------------------------------------------------------


def test_typed_numbers_read_as_an_export_writes_them(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A double to its 15 significant digits (0.1 + 0.2 is 0.3), no exponent, no trailing zeros of numeric(14,4)."""
    confiscated = "没收违法所得、没收非法财物的金额（万元）"
    rows = [_row("AP-1", **{"罚款金额（万元）": 0.1 + 0.2}), _row("AP-2", **{"罚款金额（万元）": 1e14}),
            _row("AP-3", **{"罚款金额（万元）": 1e-7}), _row("AP-4", **{"罚款金额（万元）": 1.5, confiscated: 17.2})]
    _table(backend, rows, types={"罚款金额（万元）": sa.Float(precision=53), confiscated: sa.Numeric(14, 4)},
           extra=[confiscated])
    read, _, _ = _read(_config(tmp_path, backend, monkeypatch))
    assert [(r.values["fine_amount"], r.values["confiscated_amount"]) for r in read] == [
        ("0.3", ""), ("100000000000000", ""), ("0.0000001", ""), ("1.5", "17.2")]
    assert not any(r.defects for r in read)


def test_integer_dates_are_read_as_yyyymmdd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's DATE affinity stores '20251220' as the integer 20251220: a date, as the same text in a CSV is; another
    integer in a date column is refused with a message about dates."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _table(url, [_row("AP-1", 处罚决定日期="20251220"), _row("AP-2", 处罚决定日期="46174")], types={"处罚决定日期": _Declared("DATE")})
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT typeof(处罚决定日期) FROM xzcf")).scalars().all() == ["integer", "integer"]
    read, _, _ = _read(_config(tmp_path, url, monkeypatch))
    assert read[0].values["decision_date"] == "20251220" and not read[0].defects
    assert [(d[1], "应为日期" in d[2]) for d in read[1].defects] == [("wrong-type", True)]


# -- the public manifest -----------------------------------------------------------------------------------


def test_manifest_names_the_database_without_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQLite file outside the site folder is named by its file name only (its folder is the server's business)."""
    outside = tmp_path / "private" / "platform.db"
    outside.parent.mkdir()
    url = f"sqlite:///{outside}"
    _table(url, [_row("AP-1")])
    (tmp_path / "site").mkdir()
    build(_config(tmp_path / "site", url, monkeypatch), AS_OF)
    text = (tmp_path / "site" / "output" / "manifest.json").read_text(encoding="utf-8")
    assert [r["database"] for r in json.loads(text)["inputs"]["records"]] == ["sqlite:///platform.db"]
    assert str(tmp_path / "private") not in text


# -- every kind of relation --------------------------------------------------------------------------------


def test_materialized_views_and_foreign_tables_are_found_and_reported(tmp_path: Path, postgres_server: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform's 行政处罚 as a materialized view and its ``xzcf`` as a foreign table are read as the item's tables
    (SQLAlchemy lists neither among the tables: both items were read as empty); those named for no item are reported
    as ignored with the tables."""
    url = fresh_database(postgres_server)
    _table(url, [_row("AP-1"), _row("AP-2")], name="src")
    server = sa.engine.make_url(postgres_server)
    with sa.create_engine(url).begin() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgres_fdw'")).first():
            pytest.skip("postgres_fdw is not installed with this PostgreSQL")
        conn.execute(sa.text('CREATE MATERIALIZED VIEW "行政处罚" AS SELECT * FROM src WHERE "序号" = 1'))
        conn.execute(sa.text("CREATE MATERIALIZED VIEW mv_other AS SELECT 1 AS x"))
    with sa.create_engine(url).begin() as conn:  # the foreign server reads what is committed
        conn.execute(sa.text("CREATE EXTENSION postgres_fdw"))
        conn.execute(sa.text(f"CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '{server.host}', "
                             f"port '{server.port}', dbname '{sa.engine.make_url(url).database}')"))
        conn.execute(sa.text(f"CREATE USER MAPPING FOR CURRENT_USER SERVER loop OPTIONS (user '{server.username}', "
                             f"password '{server.password}')"))
        conn.execute(sa.text("CREATE SCHEMA staging"))
        conn.execute(sa.text("IMPORT FOREIGN SCHEMA public LIMIT TO (src, mv_other) FROM SERVER loop INTO staging"))
        for remote, name in (("src", "xzcf"), ("mv_other", "ft_other")):  # xzcf: src's rows, through the server
            conn.execute(sa.text(f"ALTER FOREIGN TABLE staging.{remote} RENAME TO {name}"))
            conn.execute(sa.text(f"ALTER FOREIGN TABLE staging.{name} SET SCHEMA public"))
    rows, reports, ignored = _read(_config(tmp_path, url, monkeypatch, tables=""))
    assert [(r.name, r.rows) for r in reports] == [("<行政处罚>", 1), ("<xzcf>", 2)]
    assert [r.values["record_id"] for r in rows] == ["AP-1", "AP-1", "AP-2"] and not any(r.defects for r in rows)
    assert ignored == ["<ft_other>", "<mv_other>", "<src>"]


# -- identifiers stored as integers or UUIDs ---------------------------------------------------------------


def test_integer_identifiers_are_read_as_their_digits(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An integer type (or a numeric without fraction) holds every digit: a 记录编号 or 工商注册号 stored so is its text,
    as in a CSV export (every such row was quarantined as wrong-type). A float, or a numeric with a fractional part,
    may have lost digits and is still refused, the quarantine row carrying the record id."""
    types = {"记录编号": sa.BigInteger, "工商注册号": sa.BigInteger, "税务登记号": sa.Numeric(20, 0),
             "事业单位证书号": sa.Float(precision=53), "社会组织登记证号": sa.Numeric(20, 2)}
    rows = [_row(20250001, 工商注册号=330106000012345, 税务登记号=Decimal("330106000012346")),
            _row(9007199254740993),  # 2**53 + 1: no double holds it
            _row(20250002, 事业单位证书号=12345678901.0),
            _row(20250003, 社会组织登记证号=Decimal("5123.50"))]
    _table(backend, rows, types=types, extra=[c for c in types if c not in COLUMNS])
    config = _config(tmp_path, backend, monkeypatch)
    read, _, _ = _read(config)
    assert [(r.values["record_id"], r.values["business_reg_no"], r.values["tax_reg_no"], bool(r.defects))
            for r in read] == [("20250001", "330106000012345", "330106000012346", False),
                               ("9007199254740993", "", "", False), ("20250002", "", "", True), ("20250003", "", "", True)]
    build(config, AS_OF)
    assert sorted((r["record_id"], r["column"], r["error"]) for r in quarantine(tmp_path / "audit")) == [
        ("20250002", "事业单位证书号", "wrong-type"), ("20250003", "社会组织登记证号", "wrong-type")]
    published = {record_id for _, record_id, outcome, _, _ in decisions(tmp_path / "audit") if outcome == "published"}
    assert published == {"20250001", "9007199254740993"}


def test_uuid_identifiers_are_read_as_text(tmp_path: Path, postgres_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A UUID is text: a 记录编号 of type uuid is its canonical text, in a date column it is still the wrong type."""
    url = fresh_database(postgres_server)
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text('CREATE TABLE "登记信息" ("记录编号" uuid PRIMARY KEY, "发布状态" text, "公开属性" text, '
                             '"主体名称" text, "统一社会信用代码" text, "成立日期" date, "信用修复日期" uuid)'))
        conn.execute(sa.text("INSERT INTO \"登记信息\" VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '已审核', '公开', "
                             "'甲公司', :uscc, '2015-02-03', NULL), ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '已审核', "
                             "'公开', '乙公司', :uscc, '2015-02-03', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12')"),
                     {"uscc": make_uscc()})
    read, _, _ = _read(_config(tmp_path, url, monkeypatch, tables=""), "subject")
    assert [(r.values["record_id"], [(d[0], d[1]) for d in r.defects]) for r in read] == [
        ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", []), ("b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12", [("信用修复日期", "wrong-type")])]


# -- a configured query and schema -------------------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "SELECT * FROM xzcf WHERE 备注 NOT LIKE '%:测试%'",  # a colon in a string is no bind parameter
    "SELECT * FROM xzcf WHERE 备注 NOT LIKE '%测试%' ;\n ;  \n",  # trailing semicolons and spaces
    "SELECT * FROM xzcf WHERE 备注 NOT LIKE '%测试%' -- not the test rows",  # a trailing comment
])
def test_a_query_is_sent_as_written(tmp_path: Path, backend: str, sql: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _table(backend, [_row("AP-1", 备注="来源:省平台"), _row("AP-2", 备注="来源:测试")], extra=["备注"])
    if not backend.startswith("sqlite"):
        sql = sql.replace("WHERE", "WHERE 序号::text <> '0' AND")  # a cast is no bind parameter either
    tables = f'[sources.admin_penalty]\nquery = """{sql}"""\nkey = ["序号"]\n'
    read, _, _ = _read(_config(tmp_path, backend, monkeypatch, tables))
    assert [(r.values["record_id"], r.values["remarks"]) for r in read] == [("AP-1", "来源:省平台")]


def test_a_query_keeps_its_colons_and_backslashes() -> None:
    """What SQLAlchemy sends is the query as written (but for the trailing semicolon): no ``:name`` taken for a
    parameter, no ``\\:`` turned into ``:``."""
    from sqlalchemy.dialects import sqlite

    sql = "SELECT a::text, ':x', 'C\\:y', E'\\\\:z', $$:w$$, x[1:2], x[:n] FROM t WHERE b = :b"
    clause = database.query_clause(sql + ";")
    assert str(clause.compile(dialect=sqlite.dialect())) == sql + "\n" and not clause.compile().params


def test_a_missing_table_is_looked_for_where_it_was_configured(tmp_path: Path, postgres_server: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The message names the schema it looked in and says where a relation of that name is."""
    url = fresh_database(postgres_server)
    _table(url, [_row("AP-1")])
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA credit"))
        conn.execute(sa.text('CREATE TABLE credit."行政处罚" ("序号" int)'))
    cases = [('schema = "credit"\ntable = "xzcf"\n', r"no table or view 'xzcf' in schema 'credit' "
              r"\(sources\.admin_penalty\.schema and \.table\); there is one in schema 'public'$"),
             ('schema = "crdit"\ntable = "xzcf"\n', r"no schema 'crdit', so no table or view 'xzcf' in it .*; there is "
              r"one in schema 'public'$"),
             ('table = "行政处罚"\n', r"no table or view '行政处罚' in schema 'public' .*; there is one in schema 'credit'$")]
    for tables, message in cases:
        with pytest.raises(InputError, match=message) as caught:
            build(_config(tmp_path, url, monkeypatch, f"[sources.admin_penalty]\n{tables}"), AS_OF)
        assert "\n" not in str(caught.value)


def test_a_table_a_query_reads_is_not_reported_as_unread(tmp_path: Path, backend: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A table named by a configured query (unquoted names folded as the database folds them) is read, not "ignored";
    one that is also named for an item is still read for that item too (a query may join it), and a name in a
    string or a comment names nothing."""
    _table(backend, [_row("AP-1"), _row("AP-2")], name="penalty_raw")
    _table(backend, [_row("AP-3")], name="leftover")
    _table(backend, [_row("AP-4")], name="old_rows")
    with sa.create_engine(backend).begin() as conn:
        conn.execute(sa.text('CREATE TABLE "登记信息" ("记录编号" text PRIMARY KEY, "发布状态" text, "公开属性" text, '
                             '"主体名称" text, "统一社会信用代码" text, "成立日期" text)'))
        conn.execute(sa.text("INSERT INTO \"登记信息\" VALUES ('S-1', '已审核', '公开', '甲公司', :uscc, '2015-02-03')"),
                     {"uscc": make_uscc()})
    sql = ('SELECT p.* FROM Penalty_Raw p -- not leftover\nWHERE p.统一社会信用代码 NOT IN (SELECT 统一社会信用代码 '
           'FROM "登记信息" WHERE 主体名称 = \'old_rows\')')
    config = _config(tmp_path, backend, monkeypatch, f'[sources.admin_penalty]\nquery = """{sql}"""\nkey = ["序号"]\n')
    read, _, ignored = _read(config)
    assert [r.values["record_id"] for r in read] == ["AP-1", "AP-2"]
    assert ignored == ["<leftover>", "<old_rows>"]
    assert [r.values["record_id"] for r in _read(config, "subject")[0]] == ["S-1"]
