"""Subject data files (the output ``subject_data``): ``subject/<code>/data.json`` and ``data.csv``.

Each subject's published records, beside its page, for journalists and for machines: JSON with every
public field, CSV with one row per record (every text cell through :func:`safe_cell`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from site_builder import progress
from site_builder.outputs import base, parallel
from site_builder.outputs.datapackage import safe_cell
from site_builder.outputs.files import FileIndex, Written, page_mark
from site_builder.outputs.jsontext import Plain, indented_json
from site_builder.outputs.site import Site, record_path
from site_builder.outputs.theme import heading
from site_builder.rules.redaction import PublicRecord

COLUMNS = ("item", "item_title", "record_id", "heading", "date", "until", "authority", "url")
"""Columns of ``data.csv``; where the profile marks records under objection, ``objection_date`` follows ``until``."""
MARKED_COLUMNS = (*COLUMNS[:6], "objection_date", *COLUMNS[6:])


class SubjectDataOutput(base.Output):
    """``subject/<code>/data.json`` and ``data.csv`` for every subject."""

    name = "subject_data"
    title = "Subject data files (JSON, CSV)"
    media_types = ("application/json", "text/csv")
    order = base.PAGES + 10

    def write(self, site: Site, out: Path) -> list[str]:
        """Write both files of every subject (in worker processes on a large site); return them.

        A subject whose records are unchanged since the previous build keeps its files (taken over).
        """
        progress.expect(site.store.subject_count())
        files = site.index(out)
        written: list[str] = []
        pending: list[tuple[str, str]] = []
        for key, versions in site.store.subject_versions():
            folder = f"subject/{key}/"
            mark = page_mark(files.key, folder + "data", "subject_data", versions)
            if files.take_all([folder + "data.json", folder + "data.csv"], mark):
                written += [f"{out}/{folder}data.json", f"{out}/{folder}data.csv"]
                progress.advance()
            else:
                pending.append((key, mark))
        with parallel.workers(site, out, len(pending)) as pool:  # a subject's two small files weigh about one page
            if pool:
                return written + pool.collect(pool.submit(parallel.key_shards(subject_shard, None, pending)), files_per_unit=2)
            return written + write_subjects(site, out, pending)


def write_subjects(site: Site, out: Path, keys: Sequence[tuple[str, str]]) -> list[str]:
    """Both files of the subjects of the given ``(subject key, fingerprint)`` pairs; return them (``f"{out}/{name}"``)."""
    written: list[str] = []
    files = site.index(out)
    marks = dict(keys)
    for key, records in site.store.subjects_in(list(marks)):
        progress.advance()
        identity = next((r for r in records if r.item == "subject"), None)
        name = identity.subject_name if identity else records[0].subject_name
        written += write_subject_data(site, files, key, name, records, marks[key])
    return written


def subject_shard(site: Site, out: Path, shard: parallel.Shard) -> list[Written]:
    """In a worker: the data files of the shard's subjects; the files written."""
    write_subjects(site, out, shard.keys)
    return site.index(out).drain()


def write_subject_data(site: Site, files: FileIndex, key: str, name: str, records: list[PublicRecord], mark: str) -> list[str]:
    """``subject/<key>/data.json`` and ``data.csv`` of one subject, with the fingerprint ``mark``; return both paths.

    Neither names the as-of date (the manifest and the data package do), so a subject whose records did not
    change keeps the same bytes from day to day.
    """
    folder = f"subject/{key}/"
    paths = [f"{files.out}/{folder}data.json", f"{files.out}/{folder}data.csv"]
    columns = MARKED_COLUMNS if site.marks_objections else COLUMNS
    rows: list[dict[str, str | None | dict[str, str]]] = []
    for r in records:
        row: dict[str, str | None | dict[str, str]] = {"item": r.item, "item_title": site.catalogue[r.item].title, "record_id": r.record_id,
               "heading": heading(site, r), "date": r.date.isoformat(), "until": r.until.isoformat() if r.until else None,
               "objection_date": r.objection_date.isoformat() if r.objection_date else None, "authority": r.authority,
               "url": site.canonical(record_path(r)), "fields": r.fields}
        rows.append({name: row[name] for name in (*columns, "fields")})
    data: dict[str, Plain] = {"uscc": key, "name": name, "records": rows}
    files.save(folder + "data.json", indented_json(data), mark)  # json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:  # every text cell through the one CSV escaping; dates are ISO dates
        writer.writerow(["" if row[c] is None else str(row[c]) if c in ("date", "until", "objection_date") else safe_cell(str(row[c]))
                         for c in columns])
    files.save_text(folder + "data.csv", buffer.getvalue(), mark, encoding="utf-8-sig")
    return paths
