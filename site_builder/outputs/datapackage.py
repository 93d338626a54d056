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
the as-of date and the disclosure profile), created, licences with path and title, sources (the rules' legal
basis and the deciding authorities), contributors (the credit centre) and per resource its schema, encoding,
byte size and ``sha256:`` hash. Every file is new in the staging folder and hashed as written; zips carry
fixed dates, so the same records and as-of date give the same bytes.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from site_builder import __version__, progress
from site_builder.outputs import base, parallel
from site_builder.outputs.dcat import CATALOG, catalog_jsonld, dataset_jsonld, description
from site_builder.outputs.downloads import DataFile, Package, finish, hashed, licence, open_new, write_bytes, write_zip
from site_builder.outputs.files import FileIndex, Written
from site_builder.outputs.site import Site
from site_builder.outputs.statistics import STATISTICS_SCHEMA, Tally, charts, statistics_csv, statistics_json
from site_builder.outputs.tables import COMMON_COLUMNS, decision_year, record_cells, safe_cell, table_schema
from site_builder.outputs.theme import authority_path
from site_builder.outputs.xlsx_export import ItemWorkbook
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.redaction import PublicRecord

__all__ = ["COMMON_COLUMNS", "DataPackageOutput", "safe_cell", "table_schema", "write_packages"]

PACKAGE_NAME = "public-credit-information"
"""The Frictionless name of the package of every item; an item's is this plus ``-<item id>``."""
PROFILE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
DESCRIPTOR = "data/datapackage.json"
ZIP = "data/datapackage.zip"
STATISTICS_JSON, STATISTICS_CSV = "data/statistics.json", "data/statistics.csv"
RULE_TITLES = {"natural_persons": "自然人信息", "summary_procedure": "简易程序处罚", "objection": "异议处理",
               "repair": "信用修复"}
_CHUNK = 1 << 16


class DataPackageOutput(base.Output):
    """Everything under ``data/``: per item a CSV (or one per year), an Excel workbook, a data package and its zip;
    the package of every item and its zip; statistics; the DCAT catalogue; the download page."""

    name = "datapackage"
    title = "Open data: CSV, Excel, Frictionless packages and zips, statistics, DCAT catalogue, download page"
    media_types = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json",
                   "application/zip", "application/ld+json", "text/html")
    order = base.DATA

    def write(self, site: Site, out: Path) -> list[Path]:
        """Write the download folder into ``out/data`` and its page ``data/index.html``; return the files."""
        from site_builder.outputs.render import Renderer

        files = site.index(out)
        packages, tallies, statistics = write_packages(site, files)
        catalog = write_bytes(files, CATALOG, _json(catalog_jsonld(site, packages)))
        page = Renderer(site, out)
        page.write("data/", "data.html", packages=packages, statistics=statistics, catalog=catalog,
                   charts={t.item.id: charts(t) for t in tallies}, version=version(site),
                   jsonld=dataset_jsonld(site, packages))
        written = {f.path for p in packages for f in (*p.csv, *p.xlsx, p.descriptor, p.zip)} | {f.path for f in statistics}
        return [*(out / path for path in sorted(written | {catalog.path})), *page.written]


def version(site: Site) -> str:
    """The packages' version: the as-of date and the profile, as a SemVer (``2026.11.24+national``)."""
    day = site.as_of
    return f"{day.year}.{day.month}.{day.day}+{re.sub(r'[^0-9A-Za-z-]', '-', site.policy.id)}"


def write_packages(site: Site, files: FileIndex) -> tuple[list[Package], list[Tally], tuple[DataFile, DataFile]]:
    """Write every item's files and package, the statistics and the package of everything.

    Return the packages (the items' in catalogue order, then everything's), each item's tally and the two
    statistics files. On a large site the Excel workbooks, the slowest part, are written by worker processes
    (``parallel.py``), one item each, while this process writes the CSVs, packages and zips.
    """
    progress.expect(2 * site.store.count())
    items = site.catalogue.items
    tallies = [Tally(item) for item in items]
    tables = [_write_tables(site, files, item, tally) for item, tally in zip(items, tallies, strict=True)]
    with parallel.workers(site, files.out, site.store.count()) as pool:
        shards = [parallel.Shard(workbook_shard, item.id, None, None, YEARS if t[0].part else "")
                  for item, t in zip(items, tables, strict=True)]
        futures = pool.submit(sorted(shards, key=lambda s: -site.store.count(str(s.item)))) if pool else []
        packages = []
        for item, tally, table in zip(items, tallies, tables, strict=True):
            name = f"{PACKAGE_NAME}-{item.id.replace('_', '-')}"
            package = _package(site, files, name, f"{site.config.site.title}：{item.title}", item, tally.records, table,
                               _sources(site, [item], [tally]), _years([tally]))
            packages.append(Package(name, f"{item.title}（{site.config.site.title}）", item, tally.records, table,
                                    (), package[0], package[1], _years([tally])))
        statistics = (write_bytes(files, STATISTICS_JSON, statistics_json(tallies, site.as_of, site.policy.id).encode()),
                      write_bytes(files, STATISTICS_CSV, statistics_csv(tallies).encode("utf-8")))
        every = tuple(f for p in packages for f in p.csv) + (statistics[1],)
        total = sum(t.records for t in tallies)
        descriptor, archive = _package(site, files, PACKAGE_NAME, site.config.site.title, None, total, every,
                                       _sources(site, list(items), tallies), _years(tallies))
        if pool:
            pool.collect(futures)
            progress.advance(site.store.count())
        workbooks = _workbooks(files, tables) if pool else [_write_workbooks(site, files, item, t[0].part != "")
                                                            for item, t in zip(items, tables, strict=True)]
    packages = [dataclasses.replace(p, xlsx=books) for p, books in zip(packages, workbooks, strict=True)]
    packages.append(Package(PACKAGE_NAME, f"全部公共信用信息（{site.config.site.title}）", None, total, every, (),
                            descriptor, archive, _years(tallies)))
    return packages, tallies, statistics


YEARS = "years"
"""The option of a workbook shard whose item is published one file per year."""


def workbook_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the Excel workbooks of one item; the files written."""
    files = site.index(out)
    _write_workbooks(site, files, site.catalogue[str(shard.item)], shard.option == YEARS)
    return files.drain()


def _workbooks(files: FileIndex, tables: list[tuple[DataFile, ...]]) -> list[tuple[DataFile, ...]]:
    """The workbooks the workers wrote, for each item's tables (one per CSV, with its rows), from the file index."""
    written = {w.path: w for w in files.written if w.path.endswith(".xlsx")}
    books = []
    for item_tables in tables:
        paths = [t.path.removesuffix(".csv") + ".xlsx" for t in item_tables]
        books.append(tuple(DataFile(p, written[p].size, written[p].sha256, t.rows, t.part)
                           for p, t in zip(paths, item_tables, strict=True)))
    return books


# --- The tables -----------------------------------------------------------------------------------------


def _write_tables(site: Site, files: FileIndex, item: CatalogItem, tally: Tally) -> tuple[DataFile, ...]:
    """The item's CSV, counting its records into ``tally``; split by year if it passes ``[data] partition_bytes``."""
    whole = _write_csvs(site, files, item, lambda _r: "", tally.add)[0]
    limit = site.config.data.partition_bytes
    if not limit or whole.bytes <= limit or not whole.rows:
        return (whole,)
    (files.out / whole.path).unlink()
    files.written.remove(next(w for w in files.written if w.path == whole.path))
    return tuple(_write_csvs(site, files, item, lambda r: decision_year(item, r), None))


def _table_path(item: CatalogItem, part: str, suffix: str) -> str:
    return f"data/{item.id}/{part}{suffix}" if part else f"data/{item.id}{suffix}"


class _CsvFile:
    """One CSV being written: a new file, encoded, hashed and counted in chunks."""

    def __init__(self, out: Path, path: str, header: list[str]) -> None:
        self.path, self.fh = path, open_new(out, path)
        self.digest, self.size, self.rows = hashlib.sha256(), 0, 0
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self._put(codecs.BOM_UTF8)
        self.writer.writerow(header)

    def _put(self, data: bytes) -> None:
        self.fh.write(data)
        self.digest.update(data)
        self.size += len(data)

    def _flush(self) -> None:
        self._put(self.buffer.getvalue().encode("utf-8"))
        self.buffer.seek(0)
        self.buffer.truncate()

    def add(self, row: list[str]) -> None:
        self.writer.writerow(row)
        self.rows += 1
        if self.buffer.tell() > _CHUNK:
            self._flush()

    def close(self, files: FileIndex, part: str) -> DataFile:
        self._flush()
        self.fh.close()
        return finish(files, self.path, self.digest.hexdigest(), self.size, self.rows, part)


def _write_csvs(site: Site, files: FileIndex, item: CatalogItem, part: Callable[[PublicRecord], str],
                count: Callable[[PublicRecord], None] | None) -> list[DataFile]:
    """The item's records in record-id order, one CSV per ``part`` of a record (``""``: the whole item)."""
    schema = table_schema(item)["fields"]
    text = [f["type"] == "string" for f in schema]  # every text column: open enumerations and codes too
    header = [f["name"] for f in schema]
    writers: dict[str, _CsvFile] = {}
    for record in site.store.by_item(item.id):
        key = part(record)
        if key not in writers:
            writers[key] = _CsvFile(files.out, _table_path(item, key, ".csv"), header)
        writers[key].add([safe_cell(cell) if escape else cell
                          for cell, escape in zip(record_cells(item, record), text, strict=True)])
        if count is not None:
            count(record)
            progress.advance()
    if not writers:
        writers[""] = _CsvFile(files.out, _table_path(item, "", ".csv"), header)
    return [writers[key].close(files, key) for key in sorted(writers)]


def _write_workbooks(site: Site, files: FileIndex, item: CatalogItem, partitioned: bool) -> tuple[DataFile, ...]:
    """One Excel workbook per CSV of the item (one per year if ``partitioned``), with the same rows."""
    settings = site.config.site
    books: dict[str, ItemWorkbook] = {}
    for record in site.store.by_item(item.id):
        part = decision_year(item, record) if partitioned else ""
        if part not in books:
            books[part] = ItemWorkbook(item, settings.centre, settings.licence, site.as_of,
                                       _table_path(item, part, ".csv").removeprefix("data/"))
        books[part].add(record)
        progress.advance()
    if not books:
        books[""] = ItemWorkbook(item, settings.centre, settings.licence, site.as_of, _table_path(item, "", ".csv").removeprefix("data/"))
    written = []
    for part, book in sorted(books.items()):
        path = _table_path(item, part, ".xlsx")
        with open_new(files.out, path) as fh:
            book.save(fh)
        written.append(hashed(files, path, book.rows, part))
    return tuple(written)


# --- The packages ---------------------------------------------------------------------------------------


def _package(site: Site, files: FileIndex, name: str, title: str, item: CatalogItem | None, records: int,
             tables: Iterable[DataFile], sources: list[dict[str, str]], years: tuple[str, str] | None) -> tuple[DataFile, DataFile]:
    """Write a package's descriptor and its zip; return both."""
    settings = site.config.site
    path = f"data/{item.id}.datapackage.json" if item else DESCRIPTOR
    url, licence_title = licence(settings.licence)
    resources = [_resource(site, table) for table in tables]
    keywords = ["公共信用信息", "信用中国", *([item.title] if item else [i.title for i in site.catalogue.items])]
    descriptor: dict[str, Any] = {
        "$schema": PROFILE_V2, "name": name, "id": site.canonical(path), "title": title,
        "description": description(site, item, records), "version": version(site),
        "created": f"{site.as_of.isoformat()}T00:00:00+08:00", "homepage": site.canonical("data/"),
        "licenses": [{"name": settings.licence, "path": url, "title": licence_title}],
        "sources": sources, "contributors": [{"title": settings.centre, "path": settings.base_url, "roles": ["publisher"]}],
        "keywords": keywords, "resources": resources,
        "sb:profile": site.policy.id, "sb:software": f"site_builder {__version__}",
    }
    if years:
        descriptor["sb:years"] = list(years)
    written = write_bytes(files, path, _json(descriptor))
    members = [("datapackage.json", files.out / path), *((t.name, files.out / t.path) for t in tables)]
    archive = write_zip(files, f"data/{item.id}.zip" if item else ZIP, members, site.as_of)
    return written, archive


def _resource(site: Site, table: DataFile) -> dict[str, Any]:
    """A CSV as a resource of a descriptor in ``data/``."""
    if table.path == STATISTICS_CSV:
        name, title, schema = "statistics", "统计：按年份、地区、机关和类别的记录数", STATISTICS_SCHEMA
    else:
        item = site.catalogue[table.name.split("/")[0].removesuffix(".csv")]
        name = item.id.replace("_", "-") + (f"-{table.part}" if table.part else "")
        title = item.title + (f"（{table.part} 年）" if table.part else "")
        schema = table_schema(item)
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


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

