"""Parsed records files, kept by their content: a warm build does not parse a file it parsed before (issue 13).

A build after the first takes most rows' results from the decision cache (``rowcache.py``), but to find them it
still reads every row: decode and parse each records file, map its headings, digest each row's cells (12.9 s of
processor time for the large set's million rows, in one process), and the nightly build reads the same files as the
build before it. Read back from what was kept, the same rows take 2.3 s; keeping them costs the build that parses
4 s more. So a warm build that parses a file keeps what reading it gave, in one file of the private audit folder
(``AuditFolder.parsed_rows``), named by the decision key (software, catalogue, profile), the item, the file's name
and the SHA-256 of its bytes. The next build that finds a records file with the same name and bytes takes its rows
from there: for every row its place, the digest its result is cached under and its record id, and only for the rows
it must decide again (a result that no longer holds that day, or was never cached) the cells, read back in chunks of
:data:`CHUNK` rows. What it reads is what parsing the file again would give, report and rows alike (tested): a
changed byte changes the SHA-256, and another file is parsed afresh.

A kept file is written whole under a temporary name and then renamed; each part carries a CRC-32, and a kept file
that does not read back exactly is ignored (the records file is parsed again). The build removes, once it has
read every file, the kept files of records files it did not read (:meth:`ParsedFiles.prune`; only files it wrote: a
user's file in the folder stays). Like the decision
cache, they hold the records' cells: they are as private as the records, and removing them only makes the next
build parse again.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from site_builder.audit.manifest import file_sha256
from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.rowcache import row_digest
from site_builder.rules.validation import id_key
from site_builder.sources.loading import FileReport, RawRow, SheetReport, SourceFile, read_rows

log = logging.getLogger(__name__)

_FORMAT = 3
"""The kept files' layout: 2 keeps each worksheet's fields and rows (``FileReport.sheets``), 3 the worksheets left unread
(``FileReport.unread_sheets``)."""
CHUNK = 1000
"""Rows whose cells are stored (and read back) together."""
_HEAD = 8
"""Bytes of the length of a kept file's header (which its CRC-32 follows, then the header, then the chunks)."""

Row = tuple[str, int, str, bool, bytes, "RawRow | Cells"]
"""One row as :meth:`ParsedFiles.read` gives it: its label (file, or ``file!sheet``), its line or row number, its
record id (:func:`~site_builder.rules.validation.id_key`), whether the reader's defects quarantine it
(:attr:`~site_builder.sources.loading.RawRow.quarantined`), its
:func:`~site_builder.rules.rowcache.row_digest`, and the row itself (or what makes it, :class:`Cells`)."""


class Cells:
    """A row of a kept file whose cells are read only if asked for (:meth:`raw`)."""

    __slots__ = ("kept", "number")

    def __init__(self, kept: _Kept, number: int) -> None:
        self.kept = kept
        self.number = number

    def raw(self) -> RawRow:
        """The row as reading the file gives it."""
        return self.kept.raw(self.number)


class _Kept:
    """A kept file being read: where its rows and chunks are, and the chunk of cells read last."""

    def __init__(self, path: Path, item: str, labels: tuple[tuple[str, tuple[str, ...]], ...],
                 places: list[tuple[int, int]], chunks: list[tuple[int, int, int]]) -> None:
        self.path, self.item, self.labels, self.places, self.chunks = path, item, labels, places, chunks
        self.last: tuple[int, list[tuple[tuple[str, ...], int, tuple[tuple[str, str, str], ...]]]] = (-1, [])

    def raw(self, number: int) -> RawRow:
        index, chunk = self.last
        try:
            if index != number // CHUNK:  # rows are asked for in order: one chunk is held at a time
                start, length, check = self.chunks[number // CHUNK]
                with self.path.open("rb") as fh:
                    fh.seek(start)
                    data = fh.read(length)
                if len(data) != length or zlib.crc32(data) != check:
                    raise Damaged(self.path)
                chunk = marshal.loads(data)
                self.last = (number // CHUNK, chunk)
            label, row = self.places[number]
            name, names = self.labels[label]
            values, extra, defects = chunk[number % CHUNK]
            return RawRow(self.item, name, row, dict(zip(names, values, strict=True)), extra, defects)
        except (OSError, EOFError, IndexError, ValueError, TypeError) as exc:  # removed or changed since it was checked
            raise Damaged(self.path) from exc


class Damaged(Exception):
    """A kept file that does not read back exactly (its records file is parsed again)."""


class ParsedFiles:
    """The kept parsed records files in ``folder``, made under the decision key ``key``."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key

    def path(self, item: str, name: str, sha256: str) -> Path:
        """Where the rows of the file ``name`` of ``item`` with these bytes are kept."""
        digest = hashlib.sha256("\0".join((self.key, item, name, sha256)).encode("utf-8", "surrogatepass"))
        return self.folder / f"{digest.hexdigest()[:40]}.rows"

    def read(self, source: SourceFile, item: CatalogItem, report: FileReport, id_field: str) -> Iterator[Row]:
        """Every row of ``source`` (``report`` filled as reading gives it): from its kept file if there is one for
        these bytes, else read (and kept for the next build)."""
        if type(source) is SourceFile:
            try:
                sha256 = file_sha256(source.path)
            except OSError:  # parsing it says why it cannot be read
                sha256 = ""
            kept = self._load(source, item, report, sha256) if sha256 else None
            if kept is not None:
                yield from kept
                return
        yield from self._parse(source, item, report, id_field)

    def _load(self, source: SourceFile, item: CatalogItem, report: FileReport, sha256: str) -> list[Row] | None:
        """The rows of the kept file for these bytes (``None``: none, or it does not read back exactly)."""
        path = self.path(item.id, source.name, sha256)
        try:
            with path.open("rb") as fh:
                length, check = int.from_bytes(fh.read(_HEAD), "little"), int.from_bytes(fh.read(4), "little")
                data = fh.read(length)
                if len(data) != length or zlib.crc32(data) != check:
                    return None
                (form, key, item_id, name, digest, encoding, columns, sheets, unread, warnings, count, labels, rows,
                 sizes) = marshal.loads(data)
                if (form, key, item_id, name, digest) != (_FORMAT, self.key, item.id, source.name, sha256):
                    return None
                chunks, start = [], _HEAD + 4 + length
                for size, crc in sizes:  # every chunk read back before any row is used
                    if zlib.crc32(fh.read(size)) != crc:
                        return None
                    chunks.append((start, size, crc))
                    start += size
            kept = _Kept(path, item.id, labels, [(label, number) for label, number, *_ in rows], chunks)
            found: list[Row] = [(labels[label][0], number, key_, defects, row_digest_, Cells(kept, index))
                                for index, (label, number, key_, defects, row_digest_) in enumerate(rows)]
            columns, warnings = dict(columns), list(warnings)
            sheets = {title: SheetReport(tuple(fields), n) for title, fields, n in sheets}
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            return None
        report.encoding, report.sha256, report.columns, report.warnings, report.rows = encoding, digest, columns, warnings, count
        report.sheets, report.unread_sheets = sheets, list(unread)
        return found

    def _parse(self, source: SourceFile, item: CatalogItem, report: FileReport, id_field: str) -> Iterator[Row]:
        """Every row of ``source`` read from the file, then kept (if it is a records file, read to its end)."""
        labels: dict[tuple[str, tuple[str, ...]], int] = {}
        rows: list[tuple[int, int, str, bool, bytes]] = []
        chunks: list[bytes] = []
        cells: list[tuple[tuple[str, ...], int, tuple[tuple[str, str, str], ...]]] = []
        file, label = None, -1
        for raw in read_rows(source, item, report):
            digest = row_digest(raw)
            key = id_key(raw.values.get(id_field, ""))
            if raw.file is not file:  # the rows of one worksheet share their field names (loading.py)
                file, label = raw.file, labels.setdefault((raw.file, tuple(raw.values)), len(labels))
            rows.append((label, raw.row, key, raw.quarantined, digest))
            cells.append((tuple(raw.values.values()), raw.extra_cells, raw.defects))
            if len(cells) == CHUNK:
                chunks.append(marshal.dumps(cells))
                cells = []
            yield raw.file, raw.row, key, raw.quarantined, digest, raw
        if cells:
            chunks.append(marshal.dumps(cells))
        if type(source) is SourceFile and report.sha256:
            self._keep(source, report, tuple(labels), rows, chunks)

    def _keep(self, source: SourceFile, report: FileReport, labels: tuple[tuple[str, tuple[str, ...]], ...],
              rows: list[tuple[int, int, str, bool, bytes]], chunks: list[bytes]) -> None:
        """Write the kept file of ``source`` (under a temporary name, then renamed); a failure only loses it."""
        sizes = [(len(chunk), zlib.crc32(chunk)) for chunk in chunks]
        header = marshal.dumps((_FORMAT, self.key, source.item, source.name, report.sha256, report.encoding,
                                tuple(report.columns.items()),
                                tuple((title, sheet.fields, sheet.rows) for title, sheet in report.sheets.items()),
                                tuple(report.unread_sheets), tuple(report.warnings), report.rows, labels, rows, sizes))
        path = self.path(source.item, source.name, report.sha256)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as fh:
                fh.write(len(header).to_bytes(_HEAD, "little") + zlib.crc32(header).to_bytes(4, "little"))
                fh.write(header)
                for chunk in chunks:
                    fh.write(chunk)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def prune(self, reports: Iterable[FileReport]) -> int:
        """Remove the kept files but those of the records files of ``reports`` (and any left half written); the
        number removed.

        Only what a build wrote goes (:func:`_own`): a file named as a kept file is (or a temporary one of a killed
        build) whose header reads back as one. Anything else in the folder, a user's file or folder, stays, and a
        warning names it: nothing the user owns is ever deleted."""
        keep = {self.path(r.item, r.name, r.sha256).name for r in reports if r.sha256}
        removed = 0
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return 0
        for name in names:
            if name in keep:
                continue
            path = self.folder / name
            if not _own(path):
                log.warning("not_removed path=%s reason=not a parsed records file a build kept: left in place", path)
                continue
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
        return removed


_KEPT_NAME = re.compile(r"[0-9a-f]{40}\.rows")
_TEMPORARY_NAME = re.compile(r"\.([0-9a-f]{40}\.rows)\.\d+")


def _own(path: Path) -> bool:
    """Whether ``path`` is a kept file a build wrote (:meth:`ParsedFiles._keep`): named as one (or as its temporary,
    left by a killed build: which may be cut anywhere, so its name is all there is to go by), a plain file, and, a kept
    file, with a header that reads back (length, CRC-32, and the format and decision key it begins with)."""
    if path.is_symlink() or not path.is_file():
        return False
    if _TEMPORARY_NAME.fullmatch(path.name):
        return True
    if not _KEPT_NAME.fullmatch(path.name):
        return False
    try:
        with path.open("rb") as fh:
            length, check = int.from_bytes(fh.read(_HEAD), "little"), int.from_bytes(fh.read(4), "little")
            if length > path.stat().st_size:  # not a header's length: never read a user's file whole to find out
                return False
            data = fh.read(length)
        if len(data) != length or zlib.crc32(data) != check:
            return False
        header = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError, OverflowError, MemoryError):
        return False
    return isinstance(header, tuple) and len(header) > 1 and isinstance(header[0], int) and isinstance(header[1], str)


class Copies:
    """The rows of one item as read, kept in memory to be read again (a cold build's rows whose record id turns out to
    be repeated: ``pipeline.py``): their cells marshalled :data:`CHUNK` rows at a time, as a kept file holds them, about
    a third of the memory of the rows themselves."""

    def __init__(self, item: str) -> None:
        self.item = item
        self.labels: dict[tuple[str, tuple[str, ...]], int] = {}
        self.names: list[tuple[str, tuple[str, ...]]] = []
        """Each label's file (``name!sheet`` for a later worksheet) and field names."""
        self.places: list[tuple[int, int]] = []
        self.chunks: list[bytes] = []
        self.cells: list[tuple[tuple[str, ...], int, tuple[tuple[str, str, str], ...]]] = []
        self._file: str | None = None
        self._label = -1
        self._last: tuple[int, list[tuple[tuple[str, ...], int, tuple[tuple[str, str, str], ...]]]] = (-1, [])

    def add(self, raw: RawRow) -> None:
        """Keep a copy of ``raw`` (the next row)."""
        if raw.file is not self._file:  # the rows of one worksheet share their field names (loading.py)
            names = (raw.file, tuple(raw.values))
            self._file, self._label = raw.file, self.labels.setdefault(names, len(self.labels))
            if self._label == len(self.names):
                self.names.append(names)
        self.places.append((self._label, raw.row))
        self.cells.append((tuple(raw.values.values()), raw.extra_cells, raw.defects))
        if len(self.cells) == CHUNK:
            self.chunks.append(marshal.dumps(self.cells))
            self.cells = []

    def raw(self, number: int) -> RawRow:
        """The row kept ``number``-th (from 0), as it was read."""
        index = number // CHUNK
        if index == len(self.chunks):
            chunk = self.cells
        elif index == self._last[0]:  # rows are asked for in order: one chunk is held at a time
            chunk = self._last[1]
        else:
            chunk = marshal.loads(self.chunks[index])
            self._last = (index, chunk)
        label, row = self.places[number]
        name, names = self.names[label]
        values, extra, defects = chunk[number % CHUNK]
        return RawRow(self.item, name, row, dict(zip(names, values, strict=True)), extra, defects)


def materialise(row: RawRow | Cells) -> RawRow:
    """The row itself (its cells read from its kept file if need be)."""
    return row if isinstance(row, RawRow) else row.raw()
