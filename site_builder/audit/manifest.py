"""The build manifest: what went in, where every row went, and the hash of every output file.

``manifest.json`` sits at the root of the published site; it names no excluded record. The
per-record decision lists stay in the audit folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from site_builder import __version__
from site_builder.audit.layout import BuildRecord
from site_builder.audit.ledger import Counts
from site_builder.config import Config
from site_builder.rules.catalogue import Catalogue
from site_builder.rules.privacy import scrub
from site_builder.rules.profiles import Policy
from site_builder.sources.database import TableSource
from site_builder.sources.loading import FileReport

MANIFEST = "manifest.json"
UNHASHED = frozenset({MANIFEST, "chain.json", "signing/signature.json"})
"""Files of the site that name the manifest (and so cannot be listed in it): checked by hash chain and signature."""


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    with path.open("rb") as fh:
        return _stream_sha256(fh.read)


def _stream_sha256(read: Callable[[int], bytes]) -> str:
    """Hex SHA-256 of what ``read`` (a file's, a gzip stream's) gives, a megabyte at a time."""
    digest = hashlib.sha256()
    while chunk := read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def site_files(site_dir: Path) -> list[tuple[str, bool]]:
    """``(path, is a link)`` of every regular file and every symbolic link under ``site_dir`` (links not
    followed), by POSIX path relative to it, sorted.

    One ``scandir`` per folder and no other system call: a provincial site holds a million files.
    """
    found: list[tuple[str, bool]] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    found.append((prefix + entry.name, True))
                elif entry.is_dir():
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    found.append((prefix + entry.name, False))

    walk(os.fspath(site_dir), "")
    return sorted(found)


def output_hashes(site_dir: Path, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """SHA-256 of every file under ``site_dir`` except those in :data:`UNHASHED`, by POSIX relative path, sorted.

    A symbolic link is listed by the hash of its target's text, never followed. ``known``: hashes taken as the
    files were written (by the build's file index), used instead of reading those files again.
    """
    known = known or {}
    hashes = {}
    for name, link in site_files(site_dir):
        if name not in UNHASHED:
            if link:
                hashes[name] = "symlink:" + os.readlink(site_dir / name)
            else:
                hashes[name] = known.get(name) or file_sha256(site_dir / name)
    return hashes


def make_manifest(
    config: Config, catalogue: Catalogue, policy: Policy, as_of: date,
    sources: list[FileReport], ignored: list[str], counts: Counts, outputs: Mapping[str, str],
    audit: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest of a build whose site's files are ``outputs`` (site path → SHA-256, as they were written; the
    files of :data:`UNHASHED` are left out). ``audit``: the SHA-256 of the build's files in the private audit folder
    that say why (its decisions, quarantine, warnings and change set, by name): the hash chain then covers them, and
    ``verify --audit`` finds one edited or lost. Hashes only: nothing of their content is public."""
    input_rows = sum(s.rows for s in sources)
    summary = counts.as_dict(catalogue.ids)
    if input_rows != counts.total():
        raise AssertionError(f"rows do not add up: {input_rows} in, {summary}")
    root = config.root
    return {
        "manifest_version": 1,
        "software": {"name": "site_builder", "version": __version__},
        "as_of": as_of.isoformat(),
        "profile": policy.id,
        "rules": {item.id: version for item in catalogue.items
                  if (version := policy.period(item.id, item.period, as_of).version)},
        "site": asdict(config.site),
        "inputs": {
            "records": [
                {"item": s.item, "file": public_name(s.name), "encoding": s.encoding, "sha256": s.sha256, "rows": s.rows,
                 "warnings": len(s.warnings), "fields": sorted(s.fields),
                 **({"sheets": [{"sheet": public_name(title), "rows": sheet.rows, "fields": list(sheet.fields)}
                                for title, sheet in s.sheets.items()]} if s.sheets else {}),
                 **({"database": s.source.url, "table": s.source.table} if isinstance(s.source, TableSource) else {})}
                for s in sources
            ],
            "catalogue": {_rel(p, root): file_sha256(p) for p in catalogue.files},
            "profile": {_rel(policy.source, root): file_sha256(policy.source)} if policy.source else {},
            "ignored": len(ignored),
        },
        "counts": {"input_rows": input_rows, **summary},
        "next_expiry": counts.next_expiry.isoformat() if counts.next_expiry else None,
        "next_change": counts.next_change.isoformat() if counts.next_change else None,
        "outputs": {path: outputs[path] for path in sorted(outputs) if path not in UNHASHED},
        **({"audit": dict(sorted(audit.items()))} if audit else {}),
    }


def audit_files(record: BuildRecord) -> dict[str, Path]:
    """The files of a build's audit record that a manifest covers (:func:`make_manifest`), by name: the decisions (as
    they are kept, gzipped, which ``explain`` reads; while the build writes them, ``decisions.csv``), the quarantine,
    the warnings, the counts per reason code, the change set."""
    decisions = record.decisions_gz if record.decisions_gz.is_file() else record.decisions
    files = {"decisions.csv": decisions,
             **{path.name: path for path in (record.quarantine, record.warnings, record.counts, record.changes)}}
    return {name: path for name, path in files.items() if path.is_file()}


def audit_hashes(files: Mapping[str, Path]) -> dict[str, str]:
    """SHA-256 of the content of each of the files :func:`audit_files` gives, by name (of a gzipped file, of what it
    holds; ``""`` if it cannot be read as gzip)."""
    return {name: _content_sha256(path) for name, path in files.items()}


def _content_sha256(path: Path) -> str:
    if path.suffix != ".gz":
        return file_sha256(path)
    try:
        with gzip.open(path, "rb") as fh:
            return _stream_sha256(fh.read)
    except (OSError, EOFError, zlib.error):
        return ""


def public_name(name: str) -> str:
    """A records file's name as the public manifest gives it: personal numbers in it masked (an operator may name a
    file after a person's ID number, ``批次_330102199105050510.csv``), as they are in the records' free text."""
    return scrub(name)


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as written: canonical JSON."""
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name
