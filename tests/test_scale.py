"""Issue 13, first part: list pages from one ordered stream, the generator's --records, stage lines and quiet builds."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CATALOGUE, PROFILES_DIR, ROOT, make_uscc, row, site_config, write_csv
from dbsupport import generator

from site_builder.cli import main
from site_builder.outputs.render import PAGE_SIZE, Renderer
from site_builder.outputs.site import Site
from site_builder.outputs.theme import authority_path
from site_builder.progress import Stages, advance, expect
from site_builder.rules.profiles import load_profile
from site_builder.rules.redaction import PublicRecord
from site_builder.store.published import _BODY, _VERSION, PublishedStore

AS_OF = date(2026, 11, 24)
AUTHORITIES = ("杭州市市场监督管理局", "杭州市税务局", "杭州市应急管理局")
SUBJECTS = tuple(make_uscc(f"9133010{n}MA27XL0A1") for n in range(3))
STAGES = ("decide", "pages", "subject_data", "datapackage", "changes", "feed", "sitemap", "notices", "manifest", "verify",
          "publish")


# --- List pages: one ordered stream per list ------------------------------------------------------------------------


def penalty(n: int) -> PublicRecord:
    """Penalty ``n``: dates repeat every 37 records, so the order's tie-breaks (item, record id) decide."""
    fields = {f.name: "" for f in CATALOGUE["admin_penalty"].public_fields}
    day = AS_OF - timedelta(days=n % 37)
    authority = AUTHORITIES[n % 3 if n % 10 else 2]
    fields |= {"record_id": f"AP-{n:05d}", "decision_no": f"杭罚〔2026〕{n}号", "authority": authority,
               "decision_date": day.isoformat()}
    return PublicRecord("admin_penalty", f"AP-{n:05d}", SUBJECTS[n % 3], "杭州恒远科技有限公司", "legal_person", authority,
                        day, None, None, fields)


class ListRecorder(Renderer):
    """A renderer that keeps the record ids each page would show instead of rendering it."""

    def __init__(self, site: Site, out: Path) -> None:
        super().__init__(site, out)
        self.lists: dict[str, list[str]] = {}

    def write(self, path: str, template: str, **context: Any) -> None:
        """Keep the record ids of a list page."""
        if template in ("item.html", "authority.html"):
            self.lists[path] = [r.record_id for r in context["records"]]
            assert context["page"] == (int(path.rstrip("/").rsplit("/", 1)[1]) if "/page/" in path else 1)

    def render_to(self, path: str, template: str, mark: str, **context: Any) -> None:
        """Keep the record ids of a list page (a page rendered with its fingerprint)."""
        self.write(path, template, **context)


def store_of(tmp_path: Path, count: int) -> PublishedStore:
    """A store of ``count`` penalties added in shuffled order, and one licence."""
    store = PublishedStore(tmp_path / f"store-{count}.sqlite")
    numbers = list(range(count))
    random.Random(count).shuffle(numbers)
    for n in numbers:
        store.add(penalty(n))
    licence = {f.name: "" for f in CATALOGUE["admin_license"].public_fields} | {"record_id": "XK-1"}
    store.add(PublicRecord("admin_license", "XK-1", SUBJECTS[0], "杭州恒远科技有限公司", "legal_person", AUTHORITIES[0],
                           AS_OF, None, None, licence))
    store.flush()
    return store


def list_pages(tmp_path: Path, count: int) -> tuple[ListRecorder, PublishedStore, list[str]]:
    """Render (record) every page of a store of ``count`` penalties; the SQL statements it ran."""
    store = store_of(tmp_path, count)
    site = Site(site_config(tmp_path, tmp_path / "records"), CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE),
                AS_OF, store)
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    renderer = ListRecorder(site, tmp_path / f"site-{count}")
    renderer.render_pages()
    store.db.set_trace_callback(None)
    return renderer, store, statements


def offset_page(store: PublishedStore, where: str, value: str, order: str, n: int) -> list[str]:
    """Page ``n`` as the old ``LIMIT … OFFSET`` query gave it."""
    query = f"SELECT record_id FROM record WHERE {where} = ? ORDER BY {order} LIMIT ? OFFSET ?"
    return [r for (r,) in store.db.execute(query, (value, PAGE_SIZE, (n - 1) * PAGE_SIZE))]


def test_list_pages_are_the_offset_pages(tmp_path: Path) -> None:
    """Every page of the item list and of each authority's list shows what the old OFFSET query gave, in order."""
    renderer, store, _ = list_pages(tmp_path, 437)
    try:
        pages = -(-437 // PAGE_SIZE)
        item = [renderer.lists["items/admin_penalty/" + (f"page/{n}/" if n > 1 else "")] for n in range(1, pages + 1)]
        assert [len(p) for p in item] == [PAGE_SIZE] * (pages - 1) + [437 % PAGE_SIZE]
        assert item == [offset_page(store, "item", "admin_penalty", "day DESC, record_id", n) for n in range(1, pages + 1)]
        assert f"items/admin_penalty/page/{pages + 1}/" not in renderer.lists
        assert renderer.lists["items/subject/"] == []  # an empty list still has its one page
        for name, total in store.authorities():
            base = authority_path(name)
            shown = [renderer.lists[base + (f"page/{n}/" if n > 1 else "")] for n in range(1, -(-total // PAGE_SIZE) + 1)]
            assert shown == [offset_page(store, "authority", name, "day DESC, item, record_id", n)
                             for n in range(1, len(shown) + 1)]
            assert sum(len(p) for p in shown) == total
    finally:
        store.close()


def test_queries_per_list_do_not_grow_with_its_pages(tmp_path: Path) -> None:
    """One query per list, whatever its length: 2 pages or 11 pages of penalties run the same statements."""
    counts = {}
    for count in (60, 530):
        renderer, store, statements = list_pages(tmp_path, count)
        store.close()
        lists = Counter(s.rsplit(" LIMIT ", 1)[0] for s in statements if "ORDER BY day DESC" in s)  # LIMIT: records listed
        assert lists[f"SELECT item, record_id, {_VERSION}, {_BODY} FROM record WHERE item = 'admin_penalty' "
                     "ORDER BY day DESC, record_id"] == 1
        for name in AUTHORITIES:
            assert lists[f"SELECT item, record_id, {_VERSION}, {_BODY} FROM record WHERE authority = '{name}' "
                         "ORDER BY day DESC, item, record_id"] == 1
        assert not any("OFFSET" in s for s in statements)
        assert len([p for p in renderer.lists if p.startswith("items/admin_penalty/")]) == -(-count // PAGE_SIZE)
        by_id = [s for s in statements if "record_id IN (" in s]  # record pages, read 500 at a time
        assert len(by_id) <= -(-count // 500) + 1
        counts[count] = len(statements) - len(by_id)
    assert counts[60] == counts[530]


def test_subjects_stream_and_shards(tmp_path: Path) -> None:
    """Subjects come from one query in key order, each subject's records newest first; the store opens read-only."""
    store = store_of(tmp_path, 90)
    store.close()
    reader = PublishedStore.open_readonly(tmp_path / "store-90.sqlite")
    try:
        statements: list[str] = []
        reader.db.set_trace_callback(statements.append)
        whole = list(reader.subjects())
        assert len(statements) == 1
        assert [key for key, _ in whole] == sorted(SUBJECTS)
        for _, records in whole:
            assert [(r.date, r.item, r.record_id) for r in records] == sorted(
                ((r.date, r.item, r.record_id) for r in records), key=lambda t: (-t[0].toordinal(), t[1], t[2]))
        with pytest.raises(Exception, match="readonly"):
            reader.db.execute("DELETE FROM record")
    finally:
        reader.close()


# --- The generator -------------------------------------------------------------------------------------------------


def rows_in(folder: Path) -> Counter[str]:
    """Data rows per item in a generated records folder (CSV rows, multi-line cells counted once)."""
    counts: Counter[str] = Counter()
    for path in folder.rglob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            counts[path.parent.name if path.parent != folder else path.stem] += sum(1 for _ in csv.reader(fh)) - 1
    return counts


@pytest.mark.parametrize(("subjects", "records"), [(150, 777), (40, 200), (300, 2000)])
def test_generator_writes_exactly_the_rows_asked_for(tmp_path: Path, subjects: int, records: int) -> None:
    generator().main(["--out", str(tmp_path / "records"), "--subjects", str(subjects), "--records", str(records)])
    counts = rows_in(tmp_path / "records")
    assert sum(counts.values()) == records and counts["subject"] == subjects


def test_generator_spreads_records_over_subjects() -> None:
    module = generator()
    counts = module.record_counts(1000, 9000, 7)
    assert sum(counts) == 9000 and len(counts) == 1000
    assert 0 in counts and max(counts) > 2 * 9  # some subjects have none, a few many: the usual shape, scaled
    assert counts == module.record_counts(1000, 9000, 7)


def test_generator_refuses_fewer_rows_than_subjects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        generator().main(["--out", str(tmp_path / "records"), "--subjects", "100", "--records", "50"])
    assert "fewer than one row per subject" in capsys.readouterr().err


def test_generator_default_is_the_committed_demo(tmp_path: Path) -> None:
    """Without --records the rows are those of data/records, byte for byte (data/demo.sqlite: test_database)."""
    generator().main(["--out", str(tmp_path / "records"), "--encoding-mix"])
    committed = sorted(p.name for p in (ROOT / "data" / "records").iterdir())
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == committed
    for name in committed:
        assert (tmp_path / "records" / name).read_bytes() == (ROOT / "data" / "records" / name).read_bytes(), name


# --- Stage lines, quiet builds, progress bars ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A records folder of a subject and two penalties."""
    folder = tmp_path_factory.mktemp("records")
    write_csv(folder / "subject.csv", "subject", [row("subject", record_id="SJ-1")])
    write_csv(folder / "admin_penalty.csv", "admin_penalty",
              [row("admin_penalty", record_id="AP-1"), row("admin_penalty", record_id="AP-2", decision_no="杭罚〔2025〕2号")])
    return folder


def run_build(records: Path, out: Path, *flags: str, before: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``site-builder [before] build [flags]`` as its own process, stderr a pipe (not a terminal)."""
    command = [sys.executable, "-m", "site_builder", *before, "build", *flags, "--records", str(records), "--out",
               str(out / "output"), "--audit", str(out / "audit"), "--as-of", AS_OF.isoformat(), "--no-search"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)


def test_build_logs_one_line_per_stage(records: Path, tmp_path: Path) -> None:
    stderr = run_build(records, tmp_path).stderr
    lines = [line for line in stderr.splitlines() if " stage=" in line]
    assert [line.split("stage=")[1].split()[0] for line in lines] == list(STAGES)
    assert all(line.startswith("INFO site_builder.build stage=") and " seconds=" in line and " peak_rss_mib=" in line
               for line in lines)
    assert " rows=3 published=" in lines[0]
    assert "\r" not in stderr and "[#" not in stderr and "[-" not in stderr  # no bar without a terminal


@pytest.mark.parametrize("where", ["after", "before"])
def test_quiet_build_logs_only_warnings(records: Path, tmp_path: Path, where: str) -> None:
    """``build -q`` (after the subcommand) is as quiet as ``site-builder -q build``: no INFO line, no stage line."""
    result = run_build(records, tmp_path, *(["-q"] if where == "after" else []), before=("-q",) if where == "before" else ())
    assert "INFO" not in result.stderr and "stage=" not in result.stderr
    assert result.stdout.startswith(f"Built {tmp_path / 'output'}")


def test_no_progress_bar_without_a_terminal(records: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--records", str(records), "--out", str(tmp_path / "output"),
                                       "--audit", str(tmp_path / "audit"), "--as-of", AS_OF.isoformat(), "--no-search"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_stages_draw_bars_only_when_given_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="site_builder.build")
    terminal = Terminal()
    for bar_file in (terminal, None):
        stages = Stages(bar_file)
        with stages.stage("pages") as stage:
            expect(1200)
            for _ in range(1200):
                advance()
            stage.summary["files"] = 1200
        advance()  # outside a stage: nothing
    assert "pages" in terminal.getvalue() and "1200/1200" in terminal.getvalue()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("stage=")]
    assert len(lines) == 2 and all(line.startswith("stage=pages seconds=") and " files=1200 " in line for line in lines)
