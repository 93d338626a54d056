"""Loading: find each catalogue item's records files and stream their rows.

A records directory holds, per catalogue item, ``<item>.csv`` (or ``.xlsx``, every worksheet) or
a folder ``<item>/`` of such files (subfolders included, in path order); the Chinese item title
or another name the catalogue lists may stand for the id (``行政处罚.csv``, ``xzcf.csv``).
CSV files may be UTF-8, UTF-8 with BOM, GB18030 (GBK) or UTF-16 with BOM, with ``,``, tab, ``;``
or ``|`` between cells. Column headings may be the Chinese title, the English name or a known
alias of a field, with full-width or ASCII parentheses. Row numbers count the heading as row 1.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from site_builder.catalogue import CatalogItem, Catalogue, normalise_title
from site_builder.exceptions import InputError

log = logging.getLogger(__name__)

ENCODINGS = ("utf-8", "gb18030")
SUFFIXES = (".csv", ".xlsx")
UNSUPPORTED = (".xls", ".et", ".ods", ".txt", ".json", ".xml", ".dbf")
"""Formats an export may come in that are not read: refused with a message, never skipped silently."""
MAX_CELL = 16 * 1024 * 1024
"""Longest cell read (the csv module's default of 128 KiB is less than some 违法事实 texts)."""
HEADER_SEARCH = 10
"""Rows searched for the heading row (exports sometimes put a title line above it)."""
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawRow:
    """One data row as read: cell text by field name, with where it came from."""

    item: str
    file: str
    row: int
    values: dict[str, str]
    extra_cells: int = 0


@dataclass
class SourceFile:
    """A records file: its path relative to the records directory, encoding, hash and headings."""

    item: str
    path: Path
    name: str
    encoding: str = ""
    sha256: str = ""
    columns: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0


def find_sources(records: Path, catalogue: Catalogue) -> list[SourceFile]:
    """List the records files of every catalogue item, in catalogue then name order.

    Raises :class:`InputError` if ``records`` is not a directory, or if an item's file is in a
    format that is not read (``.xls`` …). Other files are left alone: see :func:`unclaimed_paths`.
    """
    if not records.is_dir():
        raise InputError(f"Records directory '{records}' does not exist or is not a directory")
    sources: list[SourceFile] = []
    claimed: set[Path] = set()
    for item in catalogue.items:
        for stem in (item.id, item.title, *item.files):
            for path in _files_for(records, stem):
                if path not in claimed:
                    claimed.add(path)
                    sources.append(SourceFile(item.id, path, path.relative_to(records).as_posix()))
    return sources


def unclaimed_paths(records: Path, sources: list[SourceFile]) -> list[str]:
    """Files and folders in the records directory that belong to no catalogue item (reported, not read)."""
    claimed = {s.path for s in sources}
    return [
        path.name for path in sorted(records.iterdir())
        if not path.name.startswith(".") and not any(c == path or c.is_relative_to(path) for c in claimed)
    ]


def _files_for(records: Path, stem: str) -> list[Path]:
    """The records files of one item name: ``<stem>.csv|.xlsx`` and ``<stem>/*.csv|.xlsx``."""
    candidates = [p for p in sorted(records.iterdir()) if p.stem == stem and p.suffix.lower() in SUFFIXES + UNSUPPORTED]
    folder = records / stem
    if folder.is_dir():
        candidates += sorted(p for p in folder.rglob("*") if not any(part.startswith(".") for part in p.relative_to(folder).parts))
    files = []
    for path in candidates:
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        if path.suffix.lower() in UNSUPPORTED:
            raise InputError(f"Records file '{path}': {path.suffix} files are not read; save it as .csv or .xlsx")
        if path.suffix.lower() in SUFFIXES:
            files.append(path)
    return files


def read_rows(source: SourceFile, item: CatalogItem) -> Iterator[RawRow]:
    """Stream the data rows of one file (every worksheet of a workbook), mapping headings to fields.

    Sets ``source.encoding``, ``source.sha256``, ``source.columns`` and ``source.warnings``.
    Raises :class:`InputError` if the file cannot be read or decoded at all, or if its first
    (or only) sheet has no heading row. A later worksheet without a heading row (``填报说明``) is
    not read, with a warning that counts its rows.
    """
    parts = _xlsx_sheets(source) if source.path.suffix.lower() == ".xlsx" else [("", _csv_rows(source, item))]
    for number, (sheet, rows) in enumerate(parts):
        label = f"{source.name}!{sheet}" if number else source.name
        try:
            header, first, pending = _find_header(rows, item, source)
        except InputError:
            if not number:
                raise
            unread = sum(1 for cells in rows if any(c.strip() for c in cells))
            source.warnings.append(f"工作表“{sheet}”没有可识别的表头，未读取（其后还有{unread}行）")
            continue
        if header is None:
            source.warnings.append("文件为空，没有表头" if not number else f"工作表“{sheet}”为空")
            continue
        columns = _map_header(source, item, header)
        source.columns = source.columns or columns
        width = len(header)
        for row_number, cells in enumerate(itertools.chain(pending, rows), start=first + 1):
            if not any(c.strip() for c in cells):
                continue
            source.rows += 1
            values = {name: cells[i] if i < len(cells) else "" for i, name in columns.items()}
            extra = sum(1 for c in cells[width:] if c.strip())
            yield RawRow(item.id, label, row_number, values, extra)


def _find_header(
    rows: Iterator[list[str]], item: CatalogItem, source: SourceFile
) -> tuple[list[str] | None, int, list[list[str]]]:
    """The heading row, its row number, and rows read past it that are still to be processed.

    The heading is the first of the first rows that names two or more fields; rows above it (a
    title such as ``行政处罚信息公示表``) are skipped with a warning. If no row qualifies the file
    cannot be read (a data row must never be taken for a heading): :class:`InputError`.
    """
    index = item.header_index()
    seen: list[list[str]] = []
    for number, cells in enumerate(rows, start=1):
        if sum(1 for cell in cells if normalise_title(cell) in index) >= 2:
            if number > 1:
                source.warnings.append(f"表头在第{number}行，前{number - 1}行已跳过")
            return cells, number, []
        seen.append(cells)
        if number == HEADER_SEARCH:
            break
    if not seen:
        return None, 1, []
    raise InputError(
        f"Records file '{source.path}': no heading row naming at least two columns of '{item.id}' in its first "
        f"{HEADER_SEARCH} rows; add the heading row (Chinese titles or English names, see the README)"
    )


def _map_header(source: SourceFile, item: CatalogItem, header: list[str]) -> dict[int, str]:
    """Column position -> field name; unknown, repeated and missing columns become warnings."""
    index = item.header_index()
    columns: dict[int, str] = {}
    for position, heading in enumerate(header):
        name = index.get(normalise_title(heading))
        if name is None:
            if heading.strip():
                source.warnings.append(f"未知列“{heading.strip()}”（第{position + 1}列）已忽略")
        elif name in columns.values():
            source.warnings.append(f"列“{heading.strip()}”重复对应字段 {name}，仅使用第一列")
        else:
            columns[position] = name
    for f in item.fields:
        if f.required and f.name not in columns.values():
            source.warnings.append(f"缺少必填列“{f.title}”（{f.name}）：本文件各行均将隔离")
    return columns


def detect_encoding(path: Path) -> tuple[str, str]:
    """Return ``(encoding, sha256)`` of a CSV file, reading it once in chunks.

    A BOM decides (UTF-8 or UTF-16); otherwise the first of UTF-8 and GB18030 that decodes
    the whole file. Raises :class:`InputError` if none does.
    """
    digest = hashlib.sha256()
    decoders = {enc: codecs.getincrementaldecoder(enc)() for enc in ENCODINGS}
    first = b""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                first = first or chunk[:4]
                digest.update(chunk)
                for enc, decoder in list(decoders.items()):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        del decoders[enc]
        for enc, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[enc]
    except OSError as exc:
        raise InputError(f"Records file '{path}' cannot be read: {exc}") from exc
    if first.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif decoders:
        encoding = next(iter(decoders))
    else:
        raise InputError(f"Records file '{path}' is neither UTF-8 nor GB18030 text")
    return encoding, digest.hexdigest()


def _delimiter(lines: list[str], item: CatalogItem) -> str:
    """The delimiter under which some early line names the most columns of ``item`` (``,`` on a tie)."""
    index = item.header_index()

    def named(delimiter: str) -> int:
        rows = csv.reader(lines, delimiter=delimiter, strict=False)
        return max((sum(normalise_title(cell) in index for cell in cells) for cells in rows), default=0)

    return max(",\t;|", key=named)


def _csv_rows(source: SourceFile, item: CatalogItem) -> Iterator[list[str]]:
    source.encoding, source.sha256 = detect_encoding(source.path)
    try:
        with source.path.open(encoding=source.encoding, newline="") as fh:
            delimiter = _delimiter(fh.read(64 * 1024).splitlines()[:HEADER_SEARCH], item)
            fh.seek(0)
            csv.field_size_limit(MAX_CELL)
            yield from csv.reader(fh, delimiter=delimiter, strict=False)
    except (OSError, UnicodeError, csv.Error) as exc:
        raise InputError(f"Records file '{source.path}' cannot be read: {exc}") from exc


def _xlsx_sheets(source: SourceFile) -> list[tuple[str, Iterator[list[str]]]]:
    """Every worksheet of a workbook as ``(title, rows of cell text)``."""
    import openpyxl

    source.encoding = "xlsx"
    data = source.path.read_bytes()
    source.sha256 = hashlib.sha256(data).hexdigest()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise InputError(f"Records file '{source.path}' is not a readable .xlsx workbook: {exc}") from exc
    return [(sheet.title, ([_cell_text(v) for v in values] for values in sheet.iter_rows(values_only=True)))
            for sheet in book.worksheets]


def _cell_text(value: object) -> str:
    """Spreadsheet cell as text: dates as ISO dates, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
