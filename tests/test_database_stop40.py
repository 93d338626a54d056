"""Database sources, on a tester's findings: typed state columns (a ``boolean`` is_deleted), 14-digit integer dates,
table names in another case, a ``SQL_ASCII`` database, a view whose columns cannot be ordered.
"""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from conftest import make_uscc
from dbsupport import decisions, fresh_database, postgres_server, quarantine
from test_database import AS_OF, _config, backend
from test_database_dirty import _Declared, _read, _row, _table

from site_builder.build import build
from site_builder.exceptions import InputError
from site_builder.rules.catalogue import FieldSpec
from site_builder.sources.dbcells import cell_text, state_text

__all__ = ["backend", "postgres_server"]  # fixtures, imported for pytest

LIST = {"记录编号": "SX-1", "发布状态": "已审核", "公开属性": "公开", "行政相对人名称": "大连市梁记安丰五金店",
        "行政相对人类别": "个体工商户", "名单类型": "失信被执行人", "列入原因": "有履行能力而拒不履行生效法律文书确定的义务",
        "列入依据": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", "列入日期": "2026-04-07",
        "列入机关": "大连市市场监督管理局"}


def _list_table(url: str, rows: list[dict[str, object]], types: dict[str, Any]) -> None:
    """A 严重失信主体名单 table ``dishonest_list`` (序号 the key), text columns but for ``types``."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    columns = [*LIST, "统一社会信用代码", *types]
    table = sa.Table("dishonest_list", metadata, sa.Column("序号", sa.Integer, primary_key=True, autoincrement=False),
                     *[sa.Column(c, types.get(c, sa.Text)) for c in columns])
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"序号": n, **LIST, "统一社会信用代码": make_uscc(), **dict.fromkeys(types), **row}
                                      for n, row in enumerate(rows, 1)])
    engine.dispose()


# -- state columns of any type -----------------------------------------------------------------------------


def test_typed_state_columns_are_read_as_their_words(tmp_path: Path, postgres_server: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: a ``boolean`` is_deleted (or 是否有效) and a ``timestamptz`` deleted_at were read as empty text for the
    state check, so a deleted list entry was published; the CSV export (``t``, a timestamp) withholds it."""
    url = fresh_database(postgres_server)
    deleted = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    rows: list[dict[str, object]] = [
        {"记录编号": "SX-1"}, {"记录编号": "SX-DELETED", "is_deleted": True}, {"记录编号": "SX-INVALID", "是否有效": False},
        {"记录编号": "SX-KEPT", "is_deleted": False, "是否有效": True}, {"记录编号": "SX-AT", "deleted_at": deleted}]
    _list_table(url, rows, {"is_deleted": sa.Boolean, "是否有效": sa.Boolean, "deleted_at": sa.DateTime(timezone=True)})
    build(_config(tmp_path, url, monkeypatch, tables=""), AS_OF)
    found = {r["record_id"]: (r["column"], r["error"]) for r in quarantine(tmp_path / "audit")}
    assert found == {"SX-DELETED": ("is_deleted", "unmapped-column"), "SX-INVALID": ("是否有效", "unmapped-column"),
                     "SX-AT": ("deleted_at", "unmapped-column")}
    assert {r[1] for r in decisions(tmp_path / "audit") if r[2] == "published"} == {"SX-1", "SX-KEPT"}


def test_a_state_cell_that_is_not_utf8_withholds_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A state column's bytes that are not UTF-8 cannot say whether the entry was removed: the row is quarantined,
    naming table, key and column (they were read as nothing)."""
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    _list_table(url, [{"记录编号": "SX-1", "是否已移出": "否".encode()}, {"记录编号": "SX-2", "是否已移出": "是".encode("gbk")}],
                {"是否已移出": sa.LargeBinary})
    build(_config(tmp_path, url, monkeypatch, tables=""), AS_OF)
    [row] = quarantine(tmp_path / "audit")
    assert (row["record_id"], row["column"], row["error"]) == ("SX-2", "是否已移出", "encoding")
    assert "表 dishonest_list 主键 序号=2，列“是否已移出”" in row["message"]


@pytest.mark.parametrize(("value", "text"), [
    (True, "是"), (False, "否"), (Decimal("1.50"), "1.5"), (1.0, "1"), (7, "7"), (date(2026, 5, 1), "2026-05-01"),
    (datetime(2026, 5, 1, 8, 30, tzinfo=UTC), "2026-05-01T08:30:00+00:00"), ("已移出".encode(), "已移出"),
    ({"状态": "已删除"}, '{"状态": "已删除"}'), (["a", 1], '["a", 1]'),
    (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"), ("infinity", "infinity")])
def test_a_state_cell_of_any_type_is_its_text(value: object, text: str) -> None:
    assert state_text(value) == (text, None)


def test_a_boolean_in_a_text_field_is_its_answer_and_json_is_refused() -> None:
    """JSON in a text field is refused (a harm tester's: a 处罚类别 {"code": "01", "name": "警告"} read as its JSON text
    was no warning, and the 轻微 penalty was published)."""
    spec = FieldSpec(name="remarks", title="备注", type="string", required=False, disclosure="public")
    assert cell_text(True, spec) == ("是", None) and cell_text(False, spec) == ("否", None)
    assert cell_text({"附件": "a.pdf"}, spec)[1][0] == "wrong-type"  # type: ignore[index]
    assert cell_text(["警告"], spec)[1][0] == "wrong-type"  # type: ignore[index]
    assert cell_text(True, FieldSpec(name="d", title="日期", type="date", required=False, disclosure="public"))[1]


# -- YYYYMMDDhhmmss integers -------------------------------------------------------------------------------


def test_fourteen_digit_integer_dates_are_read_as_the_csv_reads_them(tmp_path: Path, backend: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: SQLite's DATETIME affinity stores '20260612000000' as an integer, and platforms keep such stamps in a
    bigint: only eight digits were read as a date, the rest quarantined (and 99991231235959, "no end", too)."""
    sqlite = backend.startswith("sqlite")
    kind = _Declared("DATETIME") if sqlite else sa.BigInteger
    rows = [_row("AP-1", 处罚决定日期=20260601000000), _row("AP-2", 处罚决定日期=20260601083000, 公示截止期=20261125000000),
            _row("AP-3", 处罚决定日期=20260601, 公示截止期=99991231235959), _row("AP-4", 处罚决定日期=20261345000000),
            _row("AP-5", 处罚决定日期=12345)]
    _table(backend, rows, types={"处罚决定日期": kind, "公示截止期": kind})
    build(_config(tmp_path, backend, monkeypatch), AS_OF)
    decided = {r[1]: (r[2], r[3], r[4]) for r in decisions(tmp_path / "audit")}
    assert decided["AP-1"] == decided["AP-3"] == ("published", "2026-06-01", "2027-06-01")
    assert decided["AP-2"] == ("published", "2026-06-01", "2026-11-25")
    found = {r["record_id"]: r for r in quarantine(tmp_path / "audit")}
    assert {k: (r["column"], r["error"]) for k, r in found.items()} == {
        "AP-4": ("处罚决定日期", "wrong-type"), "AP-5": ("处罚决定日期", "wrong-type")}
    assert "“20261345000000”" in found["AP-4"]["message"] and "YYYYMMDDhhmmss" in found["AP-4"]["message"]
    assert "SQLite 会把声明为 DATE、DATETIME 的列" in found["AP-5"]["message"]


# -- table names in any case -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["XZCF", "Admin_Penalty", "行政处罚"])
def test_a_table_is_matched_whatever_its_case(tmp_path: Path, backend: str, name: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: XZCF or Admin_Penalty was "not the records of any catalogue item", the item read as empty (the file
    XZCF.csv is read)."""
    _table(backend, [_row("AP-1"), _row("AP-2")], name=name)
    _, reports, ignored = _read(_config(tmp_path, backend, monkeypatch, tables=""))
    assert [(r.name, r.rows) for r in reports] == [(f"<{name}>", 2)] and ignored == []


def test_an_exact_name_wins_and_two_cases_of_one_name_are_refused(tmp_path: Path, postgres_server: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url = fresh_database(postgres_server)
    _table(url, [_row("AP-1")], name="admin_penalty")
    _table(url, [_row("AP-2")], name="XZCF")
    _, reports, ignored = _read(_config(tmp_path, url, monkeypatch, tables=""))
    assert [r.name for r in reports] == ["<admin_penalty>"] and ignored == ["<XZCF>"]  # as before: not read unreviewed
    other = fresh_database(postgres_server)  # a harm tester's: an upper-case copy beside the exact name
    _table(other, [_row("AP-1")], name="XZCF")
    _table(other, [_row("AP-2")], name="xzcf")
    _, reports, _ = _read(_config(tmp_path, other, monkeypatch, tables=""))
    assert [r.name for r in reports] == ["<xzcf>"]
    twins = fresh_database(postgres_server)
    _table(twins, [_row("AP-1")], name="XZCF")
    _table(twins, [_row("AP-2")], name="Xzcf")
    with pytest.raises(InputError, match=r"the tables 'XZCF' and 'Xzcf' both match the name 'xzcf' of catalogue item "
                                         r"admin_penalty.*\[sources\.admin_penalty\] table"):
        _read(_config(tmp_path, twins, monkeypatch, tables=""))


# -- a SQL_ASCII database ----------------------------------------------------------------------------------


def _ascii_database(server: str) -> str:
    """A ``SQL_ASCII`` database holding a UTF-8 penalty (AP-1) and one whose 处罚内容 is GBK (AP-2)."""
    url = fresh_database(server, encoding="SQL_ASCII")
    _table(url + "?client_encoding=utf8", [_row("AP-1"), _row("AP-2")])
    plain = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True, client_encoding="sql_ascii") as conn:
        conn.execute(b"UPDATE xzcf SET \"\xe5\xa4\x84\xe7\xbd\x9a\xe6\x9c\xba\xe5\x85\xb3\" = '\xb4\xf3\xc1\xac' "
                     b"WHERE \"\xe5\xba\x8f\xe5\x8f\xb7\" = 2")  # 处罚机关 = 大连 in GBK, 序号 = 2
    return url


def test_a_sql_ascii_database_is_read_as_utf8_and_a_bad_cell_quarantines_its_row(
        tmp_path: Path, postgres_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: the build died with a traceback inside SQLAlchemy's first connect (the driver handed over the server's
    text as bytes); the connection now asks for UTF-8, and a cell that is not UTF-8 quarantines its row."""
    url = _ascii_database(postgres_server)
    build(_config(tmp_path, url, monkeypatch), AS_OF)
    [row] = quarantine(tmp_path / "audit")
    assert (row["record_id"], row["column"], row["error"]) == ("AP-2", "处罚机关", "encoding")
    assert "表 xzcf 主键 序号=2，列“处罚机关”" in row["message"]
    assert [r[1] for r in decisions(tmp_path / "audit") if r[2] == "published"] == ["AP-1"]
    with pytest.raises(InputError, match=r"cannot connect: the server's answers are not text.*client_encoding=utf8"):
        build(_config(tmp_path, url + "?client_encoding=sql_ascii", monkeypatch), AS_OF)


# -- a view whose columns cannot be ordered ----------------------------------------------------------------


def test_a_view_with_json_and_xml_columns_is_read_in_a_fixed_order(tmp_path: Path, postgres_server: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: a view has no key, so its rows are ordered by every column read, and json or xml has no ordering
    operator: the build stopped. Those columns are now ordered by their text; SQLAlchemy's warning about the xml type
    it does not know is a log line, not a warning on stderr."""
    url = fresh_database(postgres_server)
    _table(url, [_row("AP-2"), _row("AP-1")], name="raw", extra=["附件", "说明"])
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE raw SET 附件 = '{\"附件\": \"a.pdf\"}', 说明 = '<a>x</a>' WHERE 序号 = 1"))
        conn.execute(sa.text("CREATE VIEW xzcf AS SELECT *, 附件::json AS 备注, 说明::xml AS 违法事实 FROM raw"))
    engine.dispose()
    config = _config(tmp_path, url, monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", sa.exc.SAWarning)
        read, _, _ = _read(config)
        build(config, AS_OF)
    assert [(r.values["record_id"], r.values.get("violation_facts", "")) for r in read] == [("AP-1", ""), ("AP-2", "<a>x</a>")]
    # JSON in a text field is refused (a 处罚类别 {"name": "警告"} is no warning an export writes)
    assert [(q["record_id"], q["column"], q["error"]) for q in quarantine(tmp_path / "audit")] == [("AP-2", "备注", "wrong-type")]

