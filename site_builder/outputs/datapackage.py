"""The open data downloads (the output ``datapackage``): everything under ``data/``.

For every catalogue item, from the published store:

- ``data/<item>.csv``: the canonical table, exactly the published records in record-id order, the public and
  masked fields under their English names (the schema has the Chinese titles); UTF-8 with a BOM so that Excel
  opens it, CRLF; every text cell that a spreadsheet would run as a formula prefixed with ``'``
  (:func:`safe_cell`, OWASP CSV injection). An item whose CSV passes ``[data] partition_bytes`` is published as
  one CSV per year of its decision date instead, ``data/<item>/<year>.csv``;
- ``data/<item>.xlsx`` (or one per year): the same rows for Excel and WPS (``xlsx_export.py``);
- ``data/<item>.datapackage.json``: its Frictionless data package (v2), and ``data/<item>.zip``, the package
  zipped (the descriptor as ``datapackage.json`` and its CSVs);

and for everything: ``data/datapackage.json`` (every item's CSVs and the statistics) and ``data/datapackage.zip``;
``data/statistics.json`` and ``.csv`` (``statistics.py``); the DCAT-AP catalogue ``data/catalog.jsonld``
(``dcat.py``); and the download page ``data/index.html``, with schema.org ``Dataset`` markup and the charts.

Every descriptor carries name, id (its URL), title, description, version (``<year>.<month>.<day>+<profile>``:
the date of its data and the disclosure profile), created (the date of its data), licences with path and title,
sources (the rules' legal basis and the deciding authorities), contributors (the credit centre) and per resource
its schema, encoding, byte size and ``sha256:`` hash. Files are hashed as written; zips carry fixed dates, so the
same records give the same bytes.

No file under ``data/`` but the download page shows the build's as-of date: the workbooks, descriptors, zips and
the DCAT catalogue are dated by their data (``data_dates.py``: the latest day a record appeared, changed or was
withdrawn), and ``statistics.json`` carries no date. So an incremental build takes over every file that would be
the same (see ``downloads.py`` for the fingerprints), on the same as-of date or the next: an item none of whose
records changed keeps its CSV, workbook, descriptor and zip, without reading its records (its statistics come
from the previous build's ``statistics.json``, checked against that build's hash of it); in an item published by
year, each year whose records are unchanged keeps its CSV and workbook. The Excel workbooks, the costliest files,
are written by worker processes (``parallel.py``), one item each, largest first, while this process writes the
CSVs, packages and zips; the zip of every item copies each item's CSV compressed from the item's zip, so that a CSV is
compressed once (2.5 s of processor time for the large set's 152 MB of CSVs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from concurrent.futures import Future
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from site_builder import __version__, progress
from site_builder.outputs import base, parallel
from site_builder.outputs.data_dates import DataDates, data_dates
from site_builder.outputs.dcat import CATALOG, catalog_jsonld, dataset_jsonld, description
from site_builder.outputs.downloads import DataFile, ItemFiles, Package, licence, put, write_tables, write_zip
from site_builder.outputs.files import FileIndex, Written
from site_builder.outputs.layout import DATA_DESCRIPTOR
from site_builder.outputs.site import Site
from site_builder.outputs.statistics import STATISTICS_SCHEMA, Tally, charts, statistics_csv, statistics_json
from site_builder.outputs.tables import COMMON_COLUMNS, Table, safe_cell, table_schema
from site_builder.outputs.theme import authority_path
from site_builder.outputs.xlsx_export import take_books, write_workbooks
from site_builder.rules.catalogue import CatalogItem

__all__ = ["COMMON_COLUMNS", "DataPackageOutput", "safe_cell", "table_schema", "write_packages"]

PACKAGE_NAME = "public-credit-information"
"""The Frictionless name of the package of every item; an item's is this plus ``-<item id>``."""
PROFILE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
ZIP = "data/datapackage.zip"
STATISTICS_JSON, STATISTICS_CSV = "data/statistics.json", "data/statistics.csv"
RULE_TITLES = {"natural_persons": "自然人信息", "summary_procedure": "简易程序处罚", "objection": "异议处理",
               "repair": "信用修复"}
YEARS, WHOLE = "years", "whole"
"""The option of a workbook shard: ``years`` (the item is published one file per year) or ``whole``, then the date
of the item's data (``years 2026-11-24``)."""


class DataPackageOutput(base.Output):
    """Everything under ``data/``: per item a CSV (or one per year), an Excel workbook, a data package and its zip;
    the package of every item and its zip; statistics; the DCAT catalogue; the download page."""

    name = "datapackage"
    title = "Open data: CSV, Excel, Frictionless packages and zips, statistics, DCAT catalogue, download page"
    media_types = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json",
                   "application/zip", "application/ld+json", "text/html")
    order = base.DATA

    def write(self, site: Site, out: Path) -> base.Paths:
        """Write the download folder into ``out/data`` and its page ``data/index.html``; return the files."""
        from site_builder.outputs.render import Renderer

        files = site.index(out)
        packages, tallies, statistics = write_packages(site, files)
        catalog = put(files, CATALOG, _json(catalog_jsonld(site, packages)))
        page = Renderer(site, out)
        page.write("data/", "data.html", packages=packages, statistics=statistics, catalog=catalog,
                   charts={t.item.id: charts(t) for t in tallies}, version=packages[-1].version,
                   jsonld=dataset_jsonld(site, packages))
        written = {f.path for p in packages for f in (*p.csv, *p.xlsx, p.descriptor, p.zip)} | {f.path for f in statistics}
        return [*(f"{out}/{path}" for path in sorted(written | {catalog.path})), *page.written]


def version(site: Site, day: date) -> str:
    """A package's version: the date of its data and the profile, as a SemVer (``2026.11.24+national``)."""
    return f"{day.year}.{day.month}.{day.day}+{re.sub(r'[^0-9A-Za-z-]', '-', site.policy.id)}"


def write_packages(site: Site, files: FileIndex) -> tuple[list[Package], list[Tally], tuple[DataFile, DataFile]]:
    """Write every item's files and package, the statistics and the package of everything.

    Return the packages (the items' in catalogue order, then everything's), each item's tally and the two
    statistics files. The items' tables are written largest first; the workbooks that cannot be taken over go to
    worker processes as soon as there are enough of them to be worth a pool (:class:`_Workbooks`), while this
    process goes on with the tables, the statistics, the packages and the zips.
    """
    count = site.store.count()
    progress.expect(2 * count)
    items = site.catalogue.items
    known = _previous_tallies(site, files)
    dates = data_dates(site)
    made: dict[str, ItemFiles] = {}
    with _Workbooks(site, files) as books:
        for item in sorted(items, key=lambda i: -site.store.count(i.id)):
            table = Table(item, site.marks_objections, site.extends_while_listed(item.id))
            entry = made[item.id] = write_tables(site, files, table, known.get(item.id), dates.of(item.id))
            entry.xlsx = take_books(files, entry.books)
            if entry.xlsx is not None:
                progress.advance(entry.tally.records)
            else:
                books.add(entry)
        ordered = [made[item.id] for item in items]
        tallies = [entry.tally for entry in ordered]
        statistics = (put(files, STATISTICS_JSON, statistics_json(tallies, site.policy.id).encode()),
                      put(files, STATISTICS_CSV, statistics_csv(tallies).encode("utf-8")))
        packages = []
        for entry in ordered:
            item, tally = entry.table.item, entry.tally
            name = f"{PACKAGE_NAME}-{item.id.replace('_', '-')}"
            packages.append(_package(site, files, dates, name, f"{item.title}（{site.config.site.title}）", item,
                                     tally.records, entry.csv, _sources(site, [item], [tally]), _years([tally])))
        every = tuple(f for entry in ordered for f in entry.csv) + (statistics[1],)
        total = sum(t.records for t in tallies)
        deflated = {table.path: package.zip.path for package in packages for table in package.csv}
        whole = _package(site, files, dates, PACKAGE_NAME, f"全部公共信用信息（{site.config.site.title}）", None, total,
                         every, _sources(site, list(items), tallies), _years(tallies), deflated)
    packages = [dataclasses.replace(p, xlsx=entry.xlsx or ()) for p, entry in zip(packages, ordered, strict=True)]
    return [*packages, whole], tallies, statistics


# --- The workbooks --------------------------------------------------------------------------------------


class _Workbooks:
    """The items' workbooks still to write: handed to worker processes (``parallel.py``, one shard per item) once
    their records are enough to be worth a pool (``parallel.MIN_FILES``, on a machine with more than one core), else
    written in this process when the block ends (and waited for there)."""

    def __init__(self, site: Site, files: FileIndex) -> None:
        self.site, self.files = site, files
        self.stack = ExitStack()
        self.pool: parallel.Workers | None = None
        self.tried = False
        self.waiting: list[ItemFiles] = []
        self.sent: list[tuple[ItemFiles, Future[list[Written]]]] = []

    def __enter__(self) -> _Workbooks:
        return self

    def add(self, entry: ItemFiles) -> None:
        """Write ``entry``'s workbooks (set its ``xlsx`` when done)."""
        self.waiting.append(entry)
        rows = sum(waiting.tally.records for waiting in self.waiting)
        if self.pool is None and not self.tried and rows >= parallel.MIN_FILES:
            self.tried = True
            self.pool = self.stack.enter_context(parallel.workers(self.site, self.files.out, rows))
        if self.pool is not None:
            for waiting in self.waiting:
                option = f"{YEARS if waiting.split else WHOLE} {waiting.updated.isoformat()}"
                shard = parallel.Shard(workbook_shard, waiting.table.item.id, option)
                self.sent.append((waiting, self.pool.submit([shard])[0]))
            self.waiting = []

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if kind is not None:
            self.stack.__exit__(kind, error, trace)
            return
        with self.stack:
            if self.pool is not None:
                mark = len(self.files.written)
                self.pool.collect([future for _entry, future in self.sent])
                fresh = {w.path: w for w in self.files.written[mark:]}
                for entry, _future in self.sent:
                    entry.xlsx = _written_books(fresh, entry)
                    progress.advance(entry.tally.records)
        for entry in self.waiting:
            entry.xlsx = write_workbooks(self.site, self.files, entry.table, entry.split, entry.updated)


def workbook_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the Excel workbooks of one item; the files written or taken over."""
    files = site.index(out)
    how, day = shard.option.split(" ")
    write_workbooks(site, files, Table(site.catalogue[str(shard.item)], site.marks_objections,
                                          site.extends_while_listed(str(shard.item))), how == YEARS, date.fromisoformat(day))
    return files.drain()


def _written_books(written: dict[str, Written], entry: ItemFiles) -> tuple[DataFile, ...]:
    """The workbooks a worker wrote or took over for the item, one per CSV (with its rows), from what it wrote."""
    paths = {t.path.removesuffix(".csv") + ".xlsx": t for t in entry.csv}
    return tuple(DataFile(path, written[path].size, written[path].sha256, t.rows, t.part) for path, t in paths.items())


# --- The packages ---------------------------------------------------------------------------------------


def _package(site: Site, files: FileIndex, dates: DataDates, name: str, title: str, item: CatalogItem | None,
             records: int, tables: tuple[DataFile, ...], sources: list[dict[str, str]],
             years: tuple[str, str] | None, deflated: dict[str, str] | None = None) -> Package:
    """Write a package's descriptor and its zip (or take them over from the previous build), both dated by the
    package's data; return the package (its workbooks still to add). ``title``: the package's title on the download
    page and in the catalogues. ``deflated``: the zip that holds each table compressed already (the zip of every item
    copies the items' CSVs from their zips, see ``downloads.write_zip``)."""
    settings = site.config.site
    path = f"data/{item.id}.datapackage.json" if item else DATA_DESCRIPTOR
    url, licence_title = licence(settings.licence)
    resources = [_resource(site, table) for table in tables]
    keywords = ["公共信用信息", "信用中国", *([item.title] if item else [i.title for i in site.catalogue.items])]
    day = dates.of(item.id if item else None)
    descriptor: dict[str, Any] = {
        "$schema": PROFILE_V2, "name": name, "id": site.canonical(path),
        "title": f"{settings.title}：{item.title}" if item else settings.title,
        "description": description(site, item, records, day), "version": version(site, day),
        "created": f"{day.isoformat()}T00:00:00+08:00", "homepage": site.canonical("data/"),
        "licenses": [{"name": settings.licence, "path": url, "title": licence_title}],
        "sources": sources, "contributors": [{"title": settings.centre, "path": settings.base_url, "roles": ["publisher"]}],
        "keywords": keywords, "resources": resources,
        "sb:profile": site.policy.id, "sb:software": f"site_builder {__version__}",
    }
    if years:
        descriptor["sb:years"] = list(years)
    written = put(files, path, _json(descriptor))
    members = [("datapackage.json", written), *((t.name, t) for t in tables)]
    archive = write_zip(files, f"data/{item.id}.zip" if item else ZIP, members, day, deflated)
    return Package(name, title, item, records, tables, (), written, archive, day, descriptor["version"], years,
                   dates.first(item.id if item else None))


def _resource(site: Site, table: DataFile) -> dict[str, Any]:
    """A CSV as a resource of a descriptor in ``data/``."""
    if table.path == STATISTICS_CSV:
        name, title, schema = "statistics", "统计：按年份、地区、机关和类别的记录数", STATISTICS_SCHEMA
    else:
        item = site.catalogue[table.name.split("/")[0].removesuffix(".csv")]
        name = item.id.replace("_", "-") + (f"-{table.part}" if table.part else "")
        title = item.title + (f"（{table.part} 年）" if table.part else "")
        schema = table_schema(item, site.marks_objections, site.extends_while_listed(item.id))
    return {"name": name, "title": title, "path": table.name, "type": "table", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig", "bytes": table.bytes, "hash": "sha256:" + table.sha256, "schema": schema}


def _sources(site: Site, items: list[CatalogItem], tallies: list[Tally]) -> list[dict[str, str]]:
    """The package's sources: the legal basis of each item's disclosure period and of the profile's rules, then the
    deciding authorities (most records first), each with its page when the site has pages."""
    sources: list[dict[str, str]] = []
    for item in items:
        rule = site.policy.period(item.id, item.period, site.as_of)
        sources.append({"title": f"{item.title}公示期限：{rule.basis}", **({"version": rule.version} if rule.version else {})})
    sources += [{"title": f"{site.policy.title}·{RULE_TITLES.get(key, key)}：{basis}"} for key, basis in site.policy.basis.items()]
    counts: dict[str, int] = {}
    for tally in tallies:
        for name, n in tally.counts["authority"].items():
            counts[name] = counts.get(name, 0) + n
    pages = site.writes("pages")
    for name, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if name:
            sources.append({"title": name, **({"path": site.canonical(authority_path(name))} if pages else {})})
    return list({json.dumps(s, sort_keys=True): s for s in sources}.values())


def _years(tallies: list[Tally]) -> tuple[str, str] | None:
    years = sorted(year for tally in tallies for year in tally.counts["year"])
    return (years[0], years[-1]) if years else None


def _previous_tallies(site: Site, files: FileIndex) -> dict[str, Tally]:
    """Each item's tally in the previous build's ``statistics.json``, if that file is still the one that build
    wrote (its fingerprint is its SHA-256); none otherwise."""
    previous = files.previous
    mark = dict(files.previous_files(STATISTICS_JSON)).get(STATISTICS_JSON) if previous is not None else None
    if previous is None or not mark:
        return {}
    try:
        data = (previous.site / STATISTICS_JSON).read_bytes()
    except OSError:
        return {}
    if hashlib.sha256(data).hexdigest() != mark:
        return {}
    items = {item.id: item for item in site.catalogue.items}
    try:
        return {entry["item"]: Tally.from_json(items[entry["item"]], entry) for entry in json.loads(data)["items"]
                if entry.get("item") in items}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
