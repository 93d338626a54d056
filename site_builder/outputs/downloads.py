"""The download folder (``data/``) as the download page and the catalogues describe it, and how its files are written.

A :class:`Package` is one Frictionless data package (an item's, or every item's) with its files: CSV,
Excel, descriptor and zip, each a :class:`DataFile` with its size and SHA-256.

The download folder's files are written once, as new files of the staging folder (never through a file
already there: an incremental build may have put a link to the live site in its place), and their SHA-256
is taken as they are written so that the data packages, the DCAT catalogue and the manifest all reuse it.
An item's tables (its CSV, or one per year) are written here (:func:`write_tables`), its workbooks in
``xlsx_export.py``.

Each file has a fingerprint, so that a build takes it over from the previous one when it would be the same
(``files.py``). A table (CSV) or workbook is fingerprinted by the versions of the records it shows
(:func:`rows_digest`, from the published store, without reading the records) and, if it shows one, the date
it shows (:func:`data_fingerprint`); a file made in memory (a descriptor, the statistics, the DCAT catalogue) by
its own SHA-256 (:func:`put`), and a zip by its members' names and hashes and the date they carry
(:func:`write_zip`). Every fingerprint is compared only under the same site key (software, configuration,
catalogue, profile), which therefore need not be part of it.

No file here shows the build's as-of date (only the download page does): a workbook, a descriptor and a zip are
dated by their data (``data_dates.py``), so that the nightly build for the next as-of date takes over every file
whose records did not change.

A zip archive (a data package's zip, and an Excel workbook, which is a zip) records a date and time per
member; :class:`FixedZip` gives every member the same one, midnight of the date of its data, and the same
permissions, so that two builds of the same data give the same bytes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import shutil
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from site_builder import progress
from site_builder.exceptions import BuildError
from site_builder.outputs.files import FileIndex
from site_builder.outputs.site import Site
from site_builder.outputs.statistics import Tally
from site_builder.outputs.tables import Table
from site_builder.rules.catalogue import CatalogItem


@dataclass(frozen=True)
class DataFile:
    """One file of the download folder: site path, size, SHA-256 and the records it holds (if a table)."""

    path: str
    bytes: int
    sha256: str
    rows: int | None = None
    part: str = ""
    """The year a partition holds (``""``: the whole item)."""

    @property
    def name(self) -> str:
        """The file's path inside ``data/`` (``admin_penalty.csv``, ``admin_penalty/2025.csv``)."""
        return self.path.removeprefix("data/")

    @property
    def size(self) -> str:
        """The size for people: ``812 B``, ``12.3 KB``, ``4.1 MB`` (powers of 1,000, as file managers show)."""
        return human_size(self.bytes)


@dataclass(frozen=True)
class Package:
    """One data package of the download folder: an item's (``item`` set) or every item's."""

    name: str
    """Its Frictionless name (``public-credit-information-admin-penalty``)."""
    title: str
    item: CatalogItem | None
    records: int
    csv: tuple[DataFile, ...]
    """The tables it holds: the item's CSV, or one per year; every item's CSVs and the statistics."""
    xlsx: tuple[DataFile, ...]
    """The same rows as Excel workbooks (an item's package only; they are not part of the package)."""
    descriptor: DataFile
    zip: DataFile
    modified: date
    """The date of its data: the latest day one of its records appeared, changed or was withdrawn
    (``data_dates.py``); its ``version`` and ``created``."""
    version: str
    """Its descriptor's ``version``: :attr:`modified` and the disclosure profile (``2026.11.24+national``)."""
    years: tuple[str, str] | None = None
    """The first and last year of the records' decision dates (``None``: no record)."""
    issued: date | None = None
    """The day its first record appeared on the site (``None``: none ever did)."""

    @property
    def anchor(self) -> str:
        """Its fragment on the download page and in the catalogues: the item id, or ``all``."""
        return self.item.id if self.item else "all"


LICENCES = {
    "CC-BY-4.0": ("https://creativecommons.org/licenses/by/4.0/", "Creative Commons Attribution 4.0 International"),
    "CC-BY-SA-4.0": ("https://creativecommons.org/licenses/by-sa/4.0/", "Creative Commons Attribution Share-Alike 4.0"),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "Creative Commons Zero v1.0 Universal"),
    "ODC-By-1.0": ("https://opendatacommons.org/licenses/by/1-0/", "Open Data Commons Attribution License v1.0"),
    "ODbL-1.0": ("https://opendatacommons.org/licenses/odbl/1-0/", "Open Data Commons Open Database License v1.0"),
    "PDDL-1.0": ("https://opendatacommons.org/licenses/pddl/1-0/", "Open Data Commons Public Domain Dedication and License"),
}
"""Address and title of the open data licences by SPDX identifier; another identifier links to its SPDX page."""


def licence(spdx: str) -> tuple[str, str]:
    """``(url, title)`` of the licence with the SPDX identifier ``spdx``."""
    return LICENCES.get(spdx, (f"https://spdx.org/licenses/{spdx}.html", spdx))


def human_size(n: int) -> str:
    """``n`` bytes for people, in powers of 1,000."""
    if n < 1000:
        return f"{n} B"
    value = n / 1000
    for unit in ("KB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


class RowsDigest:
    """The SHA-256 of a table's rows, added one record at a time: the versions of its records
    (``PublishedStore.record_versions``) in the order written. Two tables with the same digest hold the same rows.

    It also keeps the latest ``last_changed`` of the records added with one (the date of a year's file).
    """

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.rows = 0
        self.latest: date | None = None

    def add(self, version: bytes, changed: date | None = None) -> None:
        """Add the next row's record version (and the day that record last changed, if known)."""
        self._digest.update(len(version).to_bytes(4, "big") + version)
        self.rows += 1
        if changed is not None and (self.latest is None or changed > self.latest):
            self.latest = changed

    def shown(self, fallback: date) -> date:
        """The date a file of these rows shows: the latest day one of them changed, else ``fallback``."""
        return self.latest or fallback

    def hexdigest(self) -> str:
        """The digest of the rows added so far."""
        return self._digest.hexdigest()


def rows_digest(versions: Iterable[bytes]) -> RowsDigest:
    """The :class:`RowsDigest` of a table whose records have these versions, in this order."""
    digest = RowsDigest()
    for version in versions:
        digest.add(version)
    return digest


def data_fingerprint(key: str, path: str, rows: RowsDigest, shown: date | None = None) -> str:
    """The fingerprint of the data file ``path`` made of the rows of ``rows`` (and showing the date ``shown``, if given:
    a workbook does, a CSV does not)."""
    text = "\0".join([key, path, rows.hexdigest(), shown.isoformat() if shown else ""])
    return hashlib.sha256(text.encode()).hexdigest()


def finish(files: FileIndex, path: str, digest: str, size: int, rows: int | None = None, part: str = "",
           fingerprint: str = "") -> DataFile:
    """Note a file written through ``files.open_new`` as written (the manifest reuses its hash); return it."""
    files.noted(path, digest, size, fingerprint)
    return DataFile(path, size, digest, rows, part)


def taken(files: FileIndex, path: str, fingerprint: str, rows: int | None = None, part: str = "") -> DataFile | None:
    """The file ``path`` taken over from the previous build if its fingerprint is unchanged, else ``None``."""
    if not files.take(path, fingerprint):
        return None
    written = files.written[-1]
    return DataFile(path, written.size, written.sha256, rows, part)


def put(files: FileIndex, path: str, data: bytes) -> DataFile:
    """The site file ``path`` holding ``data``, fingerprinted by its SHA-256: taken over from the previous build if it
    holds the same bytes, else written."""
    digest = hashlib.sha256(data).hexdigest()
    if not files.take(path, digest):
        files.write(path, data, digest)
    return DataFile(path, len(data), digest)


def hashed(files: FileIndex, path: str, rows: int | None = None, part: str = "", fingerprint: str = "") -> DataFile:
    """A file just written into ``files.out`` (a zip, which is written with seeks), read once for its hash."""
    digest = hashlib.sha256()
    size = 0
    with (files.out / path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return finish(files, path, digest.hexdigest(), size, rows, part, fingerprint)


ZIP_EARLIEST = date(1980, 1, 1)
"""The first date a zip member can carry (the MS-DOS time of the zip format starts in 1980)."""
ZIP_LATEST = date(2107, 12, 31)
"""The last date a zip member can carry (seven bits of years from 1980)."""


def zip_date_problem(day: date) -> str:
    """Why a site dated ``day`` cannot be built (its zip downloads cannot carry the date), or ``""``."""
    if ZIP_EARLIEST <= day <= ZIP_LATEST:
        return ""
    return (f"{day.isoformat()} is outside {ZIP_EARLIEST.isoformat()}–{ZIP_LATEST.isoformat()}, the dates a zip file "
            "(the site's downloads) can carry; give a date in that range")


def zip_time(day: date) -> tuple[int, int, int, int, int, int]:
    """The date and time every member of a zip dated ``day`` carries: midnight of that day.

    Raises :class:`BuildError` for a day a zip cannot carry (see :func:`zip_date_problem`)."""
    problem = zip_date_problem(day)
    if problem:
        raise BuildError(f"As-of date {problem}")
    return (day.year, day.month, day.day, 0, 0, 0)


class FixedZip(zipfile.ZipFile):
    """A zip archive for writing whose members all carry ``date_time`` and the permissions ``rw-r--r--``.

    ``writestr`` and ``write`` given a member name (as openpyxl calls them) would take the clock or the
    file's modification time; here they take ``date_time``.
    """

    def __init__(self, file: IO[bytes], date_time: tuple[int, int, int, int, int, int]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.date_time = date_time

    def member(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        """A member's header: fixed date, Unix permissions 0644, deflated."""
        info = zipfile.ZipInfo(name, self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: str | bytes,  # type: ignore[override]
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        """Write ``data`` as a member (a name gets the fixed date)."""
        info = zinfo_or_arcname if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else self.member(zinfo_or_arcname)
        super().writestr(info, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        """Copy the file ``filename`` in as the member ``arcname``, streamed, with the fixed date."""
        source = Path(filename)
        info = self.member(str(arcname or source.name), source.stat().st_size)
        with source.open("rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def copy(self, source: Path, name: str, size: int) -> bool:
        """Add the member ``name`` of the zip ``source`` as it is compressed there, with the fixed date; ``False``
        (nothing added) unless ``source`` holds ``name`` deflated, unencrypted, with ``size`` bytes.

        The bytes are those :meth:`write` gives for the same content, the compression aside: the same header (its
        date and permissions, its ZIP64 field decided as ``ZipFile.open`` decides it), then the data as ``source``
        has it, whose CRC-32 and sizes the header and the central directory carry. zipfile has no call for this: the
        header is ``ZipInfo.FileHeader`` and the member is listed as ``ZipFile.open(…, "w")`` lists it on closing.
        """
        try:
            with zipfile.ZipFile(source) as archive:
                old = archive.getinfo(name)
        except (OSError, KeyError, zipfile.BadZipFile):
            return False
        if old.compress_type != zipfile.ZIP_DEFLATED or old.file_size != size or old.flag_bits & ~_UTF8_NAME:
            return False
        out = self.fp
        assert out is not None, "copy into a zip open for writing"
        with source.open("rb") as src:
            src.seek(old.header_offset)
            header = src.read(_LOCAL_HEADER.size)
            if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                return False
            name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
            start = old.header_offset + _LOCAL_HEADER.size + name_length + extra_length
            if os.fstat(src.fileno()).st_size < start + old.compress_size:
                return False
            src.seek(start)
            info = self.member(name, size)
            info.CRC, info.compress_size = old.CRC, old.compress_size
            out.seek(self.start_dir)
            info.header_offset = self.start_dir
            out.write(info.FileHeader(size * 1.05 > zipfile.ZIP64_LIMIT))
            left = old.compress_size
            while left:
                chunk = src.read(min(left, 1 << 20))
                if not chunk:
                    raise OSError(f"{source}: member {name} ends early")
                out.write(chunk)
                left -= len(chunk)
        self.start_dir = out.tell()
        self.filelist.append(info)
        self.NameToInfo[info.filename] = info
        return True


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
"""A zip member's local file header without its name and extra field (APPNOTE 4.3.7), as zipfile reads it."""
_UTF8_NAME = 0x800
"""The flag of a member name in UTF-8, the one flag a copied member may carry."""


def write_zip(files: FileIndex, path: str, members: Iterable[tuple[str, DataFile]], day: date,
              deflated: Mapping[str, str] | None = None) -> DataFile:
    """The site file ``path``: a zip of ``members`` (name in the archive, file of the site), sorted by name, every
    member dated ``day`` (the date of the package's data); return it.

    Its fingerprint is its members' names and hashes and the date they carry (with its path): the zip of the same
    files and date is taken over from the previous build instead of compressed again. ``deflated``: for a member's
    file (site path), the site path of a zip written or taken over in this build that holds it under the same name
    (an item's zip, for the zip of every item): the member is copied from there as it is compressed
    (:meth:`FixedZip.copy`), not compressed a second time. The same bytes, since zlib gives the same stream for the
    same content; the build's verification reads every member back against its hash.
    """
    ordered = sorted(members, key=lambda member: member[0])
    mark = hashlib.sha256("\0".join([path, day.isoformat(), *(f"{name}\0{f.sha256}" for name, f in ordered)]).encode())
    fingerprint = mark.hexdigest()
    kept = taken(files, path, fingerprint)
    if kept is not None:
        return kept
    with files.open_new(path) as fh, FixedZip(fh, zip_time(day)) as archive:
        for name, member in ordered:
            source = (deflated or {}).get(member.path)
            if source is None or not archive.copy(files.out / source, name, member.bytes):
                archive.write(files.out / member.path, name)
    return hashed(files, path, fingerprint=fingerprint)


# --- The tables ---------------------------------------------------------------------------------------


_CHUNK = 1 << 16
"""Characters of CSV text encoded and written at a time."""
Book = tuple[str, str, int, str]
"""A workbook to have: its path, fingerprint, rows and year (``""``: the whole item)."""


@dataclass
class ItemFiles:
    """One item's tables (CSV) as a build has them, with its tally, and its workbooks."""

    table: Table
    csv: tuple[DataFile, ...]
    tally: Tally
    split: bool
    """Published one file per year."""
    updated: date
    """The date of the item's data (``data_dates.py``): what its whole workbook shows, and a year's without dated
    records."""
    books: list[Book]
    """Its workbooks, one per CSV."""
    xlsx: tuple[DataFile, ...] | None = None
    """The workbooks taken over or written (``None`` until then)."""


def table_path(item: CatalogItem, part: str, suffix: str) -> str:
    """The site path of an item's file with ``suffix`` (``.csv``, ``.xlsx``), or of its year ``part``."""
    return f"data/{item.id}/{part}{suffix}" if part else f"data/{item.id}{suffix}"


def write_tables(site: Site, files: FileIndex, table: Table, known: Tally | None, updated: date) -> ItemFiles:
    """The item's CSV (or one per year, past ``[data] partition_bytes``), taken over or written, with its tally.

    The whole CSV is taken over if the item's records are those of the previous build (their versions say so),
    and its tally is then the previous build's (``known``) rather than counted again. An item the previous build
    published by year is written by year again (each unchanged year taken over), unless it shrank below the limit.
    ``updated``: the date of the item's data, which its whole workbook shows (a year's shows its own records').
    """
    item = table.item
    versions = [version for _record_id, version in site.store.record_versions(item.id)]
    rows = rows_digest(versions)
    whole = table_path(item, "", ".csv")
    mark = data_fingerprint(files.key, whole, rows)
    limit = site.config.data.partition_bytes
    progress.advance(len(versions))

    def one(csv_file: DataFile, tally: Tally) -> ItemFiles:
        return ItemFiles(table, (csv_file,), tally, False, updated, [workbook(files.key, whole, rows, "", updated)])

    def by_year(parts: tuple[DataFile, ...], digests: dict[str, RowsDigest], tally: Tally) -> ItemFiles:
        books = [workbook(files.key, t.path, digests[t.part], t.part, digests[t.part].shown(updated)) for t in parts]
        return ItemFiles(table, parts, tally, True, updated, books)

    kept = taken(files, whole, mark, len(versions))
    if kept is not None:
        return one(kept, known or _count(site, table))
    if limit and files.previous_files(f"data/{item.id}/"):
        tally = Tally(item)
        parts, digests = _write_parts(site, files, table, versions, tally)
        if _whole_bytes(table, parts) > limit:
            return by_year(parts, digests, tally)
        files.forget([t.path for t in parts])
    tally = Tally(item)
    written = _write_whole(site, files, table, tally, mark)
    if not limit or written.bytes <= limit or not written.rows:
        return one(written, tally)
    files.forget([whole])
    return by_year(*_write_parts(site, files, table, versions, None), tally)


def workbook(key: str, csv_path: str, rows: RowsDigest, part: str, shown: date) -> Book:
    """The workbook beside the CSV ``csv_path``: its path, fingerprint (its rows and the date ``shown``, that of its
    data), rows and year."""
    path = csv_path.removesuffix(".csv") + ".xlsx"
    return path, data_fingerprint(key, path, rows, shown), rows.rows, part


def _count(site: Site, table: Table) -> Tally:
    """The item's tally, counted from its records (a CSV taken over without the previous build's statistics)."""
    tally = Tally(table.item)
    for record in site.store.by_item(table.item.id):
        tally.add(record)
    return tally


class _CsvFile:
    """One CSV being written: a new file, encoded, hashed and counted in chunks."""

    def __init__(self, files: FileIndex, path: str, header: list[str]) -> None:
        self.path, self.fh = path, files.open_new(path)
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

    def close(self) -> None:
        self._flush()
        self.fh.close()


def _write_whole(site: Site, files: FileIndex, table: Table, tally: Tally, mark: str) -> DataFile:
    """The item's records in record-id order as one CSV, counted into ``tally``."""
    path = table_path(table.item, "", ".csv")
    out = _CsvFile(files, path, table.header)
    for record in site.store.by_item(table.item.id):
        out.add(table.csv_row(table.cells(record)))
        tally.add(record)
    out.close()
    return finish(files, path, out.digest.hexdigest(), out.size, out.rows, "", mark)


def _write_parts(site: Site, files: FileIndex, table: Table, versions: list[bytes],
                 tally: Tally | None) -> tuple[tuple[DataFile, ...], dict[str, RowsDigest]]:
    """The item's records as one CSV per decision year (counted into ``tally`` if given); with each year's rows.

    Each year is written beside its place (``<year>.csv.partial``) and then taken over from the previous build
    if its rows are unchanged, else moved into place.
    """
    item = table.item
    writers: dict[str, _CsvFile] = {}
    digests: dict[str, RowsDigest] = {}
    for record, version in zip(site.store.by_item(item.id), versions, strict=True):
        year = table.year(record)
        out = writers.get(year)
        if out is None:
            out = writers[year] = _CsvFile(files, table_path(item, year, ".csv.partial"), table.header)
            digests[year] = RowsDigest()
        out.add(table.csv_row(table.cells(record)))
        digests[year].add(version, record.last_changed)
        if tally is not None:
            tally.add(record)
    parts = []
    for year, out in sorted(writers.items()):
        out.close()
        path, partial = table_path(item, year, ".csv"), files.out / out.path
        mark = data_fingerprint(files.key, path, digests[year])
        kept = taken(files, path, mark, out.rows, year)
        if kept is not None:
            partial.unlink()
        else:
            os.replace(partial, files.out / path)
            kept = finish(files, path, out.digest.hexdigest(), out.size, out.rows, year, mark)
        parts.append(kept)
    return tuple(parts), digests


def _whole_bytes(table: Table, parts: Iterable[DataFile]) -> int:
    """The size the item's CSV would have as one file: its parts' less all but one BOM and header row."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(table.header)
    head = len(codecs.BOM_UTF8) + len(buffer.getvalue().encode("utf-8"))
    sizes = [part.bytes for part in parts]
    return sum(sizes) - head * (len(sizes) - 1)
