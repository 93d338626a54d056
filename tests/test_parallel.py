"""Issue 13, parallel rendering: the same bytes whatever the number of workers, and a worker's error stops the build.

The pool is forced below its threshold (``parallel.MIN_FILES = 0``) and the shards made small, so a site of a
couple of thousand generated rows is cut into many shards per item and over the subjects.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import CATALOGUE, make_uscc, site_config
from dbsupport import generator
from test_golden import SITE, tree
from test_scale import penalty

from site_builder.build import build
from site_builder.config import BuildSettings, Config, DataSettings, load_config
from site_builder.exceptions import BuildError, ConfigError, InputError
from site_builder.outputs import parallel
from site_builder.outputs.render import record_shard
from site_builder.pools import Pool
from site_builder.rules.profiles import Policy
from site_builder.sources.loading import SourceFile
from site_builder.store.published import PublishedStore

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 generated rows over 400 subjects."""
    folder = tmp_path_factory.mktemp("parallel") / "records"
    generator().main(["--out", str(folder), "--subjects", "400", "--records", "2000"])
    return folder


@pytest.fixture
def forced_pool(monkeypatch: pytest.MonkeyPatch) -> list[parallel.Shard]:
    """Use the pool whatever the site's size, with shards of 60 keys; the shards given to workers are kept."""
    monkeypatch.setattr(parallel, "MIN_FILES", 0)
    monkeypatch.setattr(parallel, "SHARD_SIZE", 60)
    given: list[parallel.Shard] = []
    submit = parallel.Workers.submit

    def keep(self: parallel.Workers, work: list[parallel.Shard]) -> object:
        given.extend(work)
        return submit(self, work)

    monkeypatch.setattr(parallel.Workers, "submit", keep)
    return given


def with_workers(config: Config, workers: int) -> Config:
    """``config`` with ``[build] workers`` set."""
    return dataclasses.replace(config, build=BuildSettings(workers=workers))


def test_workers_write_the_same_bytes_as_one_process(records: Path, tmp_path: Path,
                                                     forced_pool: list[parallel.Shard]) -> None:
    one = build(with_workers(site_config(tmp_path / "one", records), 1), AS_OF)
    assert forced_pool == []  # workers = 1: rendered in the build process
    two = build(with_workers(site_config(tmp_path / "two", records), 2), AS_OF)
    jobs = {(shard.job.__module__, shard.job.__name__, shard.item is None) for shard in forced_pool}
    assert jobs == {("site_builder.outputs.render", "record_shard", False), ("site_builder.outputs.render", "subject_shard", True),
                    ("site_builder.outputs.subject_data", "subject_shard", True),
                    ("site_builder.outputs.datapackage", "workbook_shard", False)}
    assert sorted(str(s.item) for s in forced_pool if s.job.__name__ == "workbook_shard") == sorted(
        name.removeprefix("data/").removesuffix(".xlsx") for name in tree(one.output.resolve()) if name.endswith(".xlsx"))
    assert sum(1 for shard in forced_pool if shard.job.__name__ == "record_shard") > len({s.item for s in forced_pool})
    built_one, built_two = tree(one.output.resolve()), tree(two.output.resolve())
    assert len(built_one) > 3000 and "manifest.json" in built_one
    assert sorted(built_one) == sorted(built_two)
    assert [name for name in built_one if built_one[name] != built_two[name]] == []
    assert one.entry.manifest_sha256 == two.entry.manifest_sha256


def test_workbooks_split_by_year_are_the_same_from_workers(records: Path, tmp_path: Path,
                                                           forced_pool: list[parallel.Shard]) -> None:
    """An item published one file per year: its workbooks, written by a worker, are those written in-process."""
    def data(folder: str, workers: int) -> dict[str, bytes]:
        config = dataclasses.replace(with_workers(site_config(tmp_path / folder, records), workers),
                                     data=DataSettings(partition_bytes=1))
        site = build(config, AS_OF, full=True).output.resolve()
        return {name: content for name, content in tree(site).items() if name.startswith("data/")}

    one, two = data("one", 1), data("two", 2)
    books = sorted(name for name in one if name.endswith(".xlsx"))
    assert len(books) > 6 and all("/" in name.removeprefix("data/") for name in books)  # one per item and year
    assert {s.option.split(" ")[0] for s in forced_pool if s.job.__name__ == "workbook_shard"} == {"years"}
    assert one == two


@pytest.mark.parametrize(("template", "first_page"), [("record.html", "record/"), ("subject.html", "subject/")])
def test_a_template_error_in_a_worker_stops_the_build_as_in_process(tmp_path: Path, forced_pool: list[parallel.Shard],
                                                                    template: str, first_page: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    config = load_config(site / "site_builder.toml")
    build(config, AS_OF)
    published = tree(config.paths.output.resolve())
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / template).write_text(f'{{% extends "!{template}" %}}\n{{% block main %}}\n'
                                               "{{ no_such_value.name }}\n{% endblock %}\n", encoding="utf-8")
    config = load_config(site / "site_builder.toml")
    messages = []
    for workers in (1, 2):
        with pytest.raises(BuildError) as raised:
            build(with_workers(config, workers), AS_OF)
        messages.append(str(raised.value))
    assert forced_pool, "the second build used no worker"
    assert messages[0] == messages[1], messages
    message = messages[1]
    assert len(message.splitlines()) == 1 and message.startswith(f"Error building page '{first_page}"), message
    assert f"template '{site / 'templates' / template}' line 3" in message and "no_such_value" in message, message
    assert tree(config.paths.output.resolve()) == published


@pytest.mark.parametrize("size", [1, 7, 10, 100])
def test_key_shards_and_the_reads_of_a_shard_cover_every_key_once(tmp_path: Path, size: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's shard names its keys; reading them gives exactly those subjects and records, in order."""
    monkeypatch.setattr(parallel, "SHARD_SIZE", size)
    store = PublishedStore(tmp_path / "store.sqlite")
    for n in range(70):
        store.add(dataclasses.replace(penalty(n), subject_key=make_uscc(f"91330100MA27X{n % 20:04d}")))
    store.flush()
    reader = PublishedStore.open_readonly(tmp_path / "store.sqlite")
    subjects = [(key, "") for key, _ in reader.subjects()]
    shards = parallel.key_shards(record_shard, None, subjects)
    assert len(shards) == -(-20 // size) and [k for s in shards for k in s.keys] == subjects
    assert [key for s in shards for key, _ in reader.subjects_in([k for k, _ in s.keys])] == [k for k, _ in subjects]
    assert list(reader.subjects_in([k for k, _ in subjects])) == list(reader.subjects())
    ids = [r.record_id for r in reader.by_item("admin_penalty")]
    wanted = ids[::3][::-1] + ["AP-NONE"]
    assert [r.record_id for r in reader.by_ids("admin_penalty", wanted)] == wanted[:-1]  # in the order asked, missing left out
    assert parallel.key_shards(record_shard, "admin_license", []) == []
    reader.close()
    store.close()


def test_negative_workers_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "site_builder.toml"
    path.write_text("[build]\nworkers = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Config value 'build.workers': must be 0 \(one per core\) or more, got -1"):
        load_config(path)
    path.write_text("[build]\nworkers = 3\n", encoding="utf-8")
    assert load_config(path).build.workers == 3
    assert parallel.worker_count(load_config(path)) == 3
    assert parallel.worker_count(with_workers(load_config(path), 0)) >= 1


def test_rows_decided_by_workers_are_those_decided_in_process(records: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes validate, decide and redact the rows of a large item (here: of every item) for the build:
    the decision list, the quarantine report and the site are the same as one process's, with and without the
    decision cache."""
    import gzip

    from site_builder.rules import deciders, pipeline

    def build_in(folder: str, workers: int, as_of: date, full: bool = False) -> tuple[bytes, bytes, dict[str, bytes]]:
        config = with_workers(site_config(tmp_path / folder, records), workers)
        result = build(config, as_of, full=full)
        return (gzip.decompress((result.audit / "decisions.csv.gz").read_bytes()), (result.audit / "quarantine.csv").read_bytes(),
                tree(result.output.resolve()))

    monkeypatch.setattr(pipeline, "MIN_ROWS", 1)
    monkeypatch.setattr(deciders, "BATCH", 37)
    one, two = build_in("one", 1, AS_OF), build_in("two", 2, AS_OF)
    assert one[0].count(b"\n") > 1900 and b"published" in one[0] and one[1].count(b"\n") > 1
    assert one == two
    later = AS_OF + timedelta(days=400)  # most results no longer hold: decided again, by the workers from the cache's side
    assert build_in("one", 1, later, full=True) == build_in("two", 2, later)


@pytest.mark.parametrize("pool", ["rendering", "deciding", "reading", "scanning"])
def test_a_worker_killed_stops_the_build_with_an_error_and_the_site_stays(records: Path, tmp_path: Path, pool: str,
                                                                          forced_pool: list[parallel.Shard],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process that dies (``os._exit``, as the kernel's out-of-memory killer would end it) stops the build
    with one clear error, not a traceback; the live site is untouched and the next build is correct."""
    from site_builder import faults
    from site_builder.rules import pipeline

    config = with_workers(site_config(tmp_path / "site", records), 2)
    first = build(config, AS_OF)
    published = tree(first.output.resolve())
    if pool == "deciding":
        monkeypatch.setattr(pipeline, "MIN_ROWS", 1)
    if pool == "reading":  # the rows read in a reader process (a build from the cache), all else in the build process
        from site_builder.rules import privacy, reader

        monkeypatch.setattr(reader, "MIN_BYTES", 0)
        monkeypatch.setattr(parallel, "MIN_FILES", 10**9)
        monkeypatch.setattr(privacy, "SCAN_PARALLEL", 10**9)
        monkeypatch.setattr(privacy, "SCAN_PARALLEL_BYTES", 10**12)
    if pool == "scanning":  # pages and workbooks written in the build process, the leak scan in workers
        from site_builder.rules import privacy

        monkeypatch.setattr(parallel, "MIN_FILES", 10**9)
        monkeypatch.setattr(privacy, "SCAN_PARALLEL", 1)
    monkeypatch.setenv(faults.ENV, "worker")  # inherited by the worker processes only: the build never passes there
    with pytest.raises(BuildError, match="stopped unexpectedly") as raised:
        build(config, AS_OF + timedelta(days=1), full=pool != "reading")  # else every page rendered, every row decided
    assert len(str(raised.value).splitlines()) == 1 and "nothing was published" in str(raised.value)
    assert pool != "reading" or "the process reading the rows ended with exit code 137" in str(raised.value)
    assert tree(first.output.resolve()) == published
    monkeypatch.delenv(faults.ENV)
    after = build(config, AS_OF + timedelta(days=1))
    control = with_workers(site_config(tmp_path / "control", records), 2)  # the same two days, nothing killed
    build(control, AS_OF)
    expected = build(control, AS_OF + timedelta(days=1))
    ours, theirs = tree(after.output.resolve()), tree(expected.output.resolve())
    assert len(ours) > 3000 and ours == theirs


def test_a_process_that_cannot_be_started_is_a_broken_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython starts a pool's processes as tasks are submitted; once one died, starting the next fails with an
    OSError (seen in CI as "handle is closed"). Every pool of the build reports that as the broken pool it is, which
    the build turns into its one error about a worker that stopped."""
    def closed(self: ProcessPoolExecutor) -> None:
        raise OSError(6, "handle is closed")

    monkeypatch.setattr(ProcessPoolExecutor, "_spawn_process", closed)
    with Pool(2) as pool, pytest.raises(BrokenProcessPool, match="could not be started .*handle is closed"):
        pool.submit(len, "x")
    with Pool(2) as pool, pytest.raises(BrokenProcessPool):
        list(pool.map(len, ["x", "y"]))


@pytest.mark.parametrize(("error", "broken"), [(ValueError("bad value(s) in fds_to_keep"), True),
                                               (ValueError("another value error"), False)])
def test_a_pipe_closed_while_a_process_starts_is_a_broken_pool(monkeypatch: pytest.MonkeyPatch, error: ValueError,
                                                                broken: bool) -> None:
    """The same race seen later in CI: the pipe closed while the new process's descriptors were listed, a
    ValueError from ``fork_exec``. That one is the broken pool; any other ValueError is raised as it is."""
    def closing(self: ProcessPoolExecutor) -> None:
        raise error

    monkeypatch.setattr(ProcessPoolExecutor, "_spawn_process", closing)
    with Pool(2) as pool, pytest.raises(BrokenProcessPool if broken else ValueError, match=re.escape(str(error))):
        pool.submit(len, "x")


def test_an_error_in_the_reader_reaches_the_build_as_raised(tmp_path: Path, national: Policy) -> None:
    """An error raised where the rows are read reaches the build as the same exception, whether they are read in the
    build process or in a reader process (``rules/reader.py``)."""
    from site_builder.rules import reader
    from site_builder.rules.pipeline import Reading, stored_results
    from site_builder.rules.rowcache import CacheFile

    empty = tmp_path / "admin_penalty.csv"
    empty.write_bytes(b"")
    sources = [SourceFile("admin_penalty", empty, "admin_penalty.csv")]
    cache = CacheFile(tmp_path / "rows.sqlite", "k")
    with pytest.raises(InputError) as here:
        list(stored_results(CATALOGUE, national, sources, AS_OF, Reading(), cache, 1, True))
    with pytest.raises(InputError) as there:
        list(reader.read_elsewhere(CATALOGUE, national, sources, AS_OF, Reading(), cache, 2))
    assert "is empty" in str(here.value) and str(there.value) == str(here.value)
