"""The download folder (``data/``) as the download page and the catalogues describe it, and how its files are written.

A :class:`Package` is one Frictionless data package (an item's, or every item's) with its files: CSV,
Excel, descriptor and zip, each a :class:`DataFile` with its size and SHA-256.

The download folder's files are written once, as new files of the staging folder (never through a file
already there: an incremental build may have put a link to the live site in its place), and their SHA-256
is taken as they are written so that the data packages, the DCAT catalogue and the manifest all reuse it.

A zip archive (a data package's zip, and an Excel workbook, which is a zip) records a date and time per
member; :class:`FixedZip` gives every member the same one, derived from the as-of date, and the same
permissions, so that two builds of the same data give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from site_builder.outputs.files import FileIndex, Written
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
    years: tuple[str, str] | None = None
    """The first and last year of the records' decision dates (``None``: no record)."""

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


def open_new(out: Path, path: str) -> IO[bytes]:
    """Open the site file ``path`` as a new file of the staging folder ``out`` (one already there is unlinked first)."""
    target = out / path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:  # never write through a link to the live site
        target.unlink()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    return os.fdopen(fd, "w+b")


def finish(files: FileIndex, path: str, digest: str, size: int, rows: int | None = None, part: str = "") -> DataFile:
    """Note a file written outside ``files`` as written (the manifest reuses its hash); return it."""
    files.written.append(Written(path, "", digest, size, False))
    return DataFile(path, size, digest, rows, part)


def write_bytes(files: FileIndex, path: str, data: bytes) -> DataFile:
    """Write ``data`` as the new site file ``path`` through ``files``; return it."""
    files.write(path, data)
    return DataFile(path, len(data), hashlib.sha256(data).hexdigest())


def hashed(files: FileIndex, path: str, rows: int | None = None, part: str = "") -> DataFile:
    """A file just written into ``files.out`` (a zip, which is written with seeks), read once for its hash."""
    digest = hashlib.sha256()
    size = 0
    with (files.out / path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return finish(files, path, digest.hexdigest(), size, rows, part)


def zip_time(as_of: date) -> tuple[int, int, int, int, int, int]:
    """The date and time every zip member carries: midnight of the as-of date."""
    return (as_of.year, as_of.month, as_of.day, 0, 0, 0)


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


def write_zip(files: FileIndex, path: str, members: Iterable[tuple[str, Path]], as_of: date) -> DataFile:
    """The new site file ``path``: a zip of ``members`` (name in the archive, file), sorted by name; return it."""
    with open_new(files.out, path) as fh, FixedZip(fh, zip_time(as_of)) as archive:
        for name, source in sorted(members):
            archive.write(source, name)
    return hashed(files, path)
