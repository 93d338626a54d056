"""The build manifest: what went in, where every row went, and the hash of every output file.

``manifest.json`` sits at the root of the published site; it names no excluded record. The
per-record decision lists stay in the audit folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from site_builder import __version__
from site_builder.audit import Counts
from site_builder.catalogue import Catalogue
from site_builder.config import Config
from site_builder.loading import SourceFile
from site_builder.profiles import Policy

MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def output_hashes(site_dir: Path) -> dict[str, str]:
    """SHA-256 of every file under ``site_dir`` except the manifest, by POSIX relative path, sorted."""
    files = sorted(p for p in site_dir.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {p.relative_to(site_dir).as_posix(): file_sha256(p) for p in files}


def make_manifest(
    config: Config, catalogue: Catalogue, policy: Policy, as_of: date,
    sources: list[SourceFile], ignored: list[str], counts: Counts, site_dir: Path,
) -> dict[str, Any]:
    """The manifest of a build whose site is complete in ``site_dir``."""
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
        "site": asdict(config.site),
        "inputs": {
            "records": [
                {"item": s.item, "file": s.name, "encoding": s.encoding, "sha256": s.sha256, "rows": s.rows,
                 "warnings": len(s.warnings)}
                for s in sources
            ],
            "catalogue": {_rel(p, root): file_sha256(p) for p in catalogue.files},
            "profile": {_rel(policy.source, root): file_sha256(policy.source)} if policy.source else {},
            "ignored": ignored,
        },
        "counts": {"input_rows": input_rows, **summary},
        "next_expiry": counts.next_expiry.isoformat() if counts.next_expiry else None,
        "next_change": counts.next_change.isoformat() if counts.next_change else None,
        "outputs": output_hashes(site_dir),
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> str:
    """Write the manifest (canonical JSON) and return its SHA-256."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name
