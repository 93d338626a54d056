"""The audit history: an append-only, hash-linked chain of build manifests (in the spirit of RFC 6962).

``audit/chain.jsonl`` has one line per build: sequence number, build id, as-of date, the SHA-256
of that build's ``manifest.json`` and the hash of the previous one. ``audit/builds/<build id>/``
keeps the manifest, the per-record decisions and the quarantine report. The published site
carries the latest manifest and the chain of hashes (``chain.json``), so anyone holding an old
head can check that later builds descend from it. Nothing here is ever deleted by site_builder.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from site_builder.exceptions import SiteBuilderError

CHAIN_FILE = "chain.jsonl"
PUBLIC_CHAIN = "chain.json"


@dataclass(frozen=True)
class ChainEntry:
    """One build in the chain."""

    sequence: int
    build_id: str
    as_of: str
    manifest_sha256: str
    previous: str | None


def read_chain(audit_root: Path) -> list[ChainEntry]:
    """The chain recorded in ``audit_root`` (empty if there is none yet)."""
    path = audit_root / CHAIN_FILE
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entries.append(ChainEntry(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise SiteBuilderError(f"{path}, line {number}: not a chain entry: {exc}") from exc
    return entries


def next_entry(chain: list[ChainEntry], as_of: str, manifest_sha256: str) -> ChainEntry:
    """The entry that links a new manifest to the end of ``chain``."""
    sequence = len(chain) + 1
    return ChainEntry(sequence, build_id(sequence, as_of), as_of, manifest_sha256,
                      chain[-1].manifest_sha256 if chain else None)


def build_id(sequence: int, as_of: str) -> str:
    """The id of a build: its sequence number and as-of date, e.g. ``000042-2026-11-24``."""
    return f"{sequence:06d}-{as_of}"


def chain_problems(entries: list[ChainEntry], where: str) -> list[str]:
    """Every break in a chain: numbering, and each entry's link to the one before."""
    problems = []
    for index, entry in enumerate(entries):
        expected_previous = entries[index - 1].manifest_sha256 if index else None
        if entry.sequence != index + 1:
            problems.append(f"{where}: entry {index + 1} has sequence {entry.sequence}")
        if entry.previous != expected_previous:
            problems.append(f"{where}: entry {entry.sequence} ({entry.build_id}) does not link to the entry before it")
    return problems


def public_chain(entries: list[ChainEntry]) -> str:
    """The chain as published in ``chain.json`` (hashes and dates only, no record data)."""
    return json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1) + "\n"


def parse_public_chain(text: str) -> list[ChainEntry]:
    """Read ``chain.json``; raise ``ValueError`` if it is not a chain."""
    return [ChainEntry(**entry) for entry in json.loads(text)]


def append(audit_root: Path, entry: ChainEntry) -> None:
    """Append one entry to the chain file and flush it to disk."""
    with (audit_root / CHAIN_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def gzip_file(path: Path) -> Path:
    """Compress ``path`` to ``path.gz`` reproducibly (``mtime=0``, no file name) and remove it."""
    target = path.with_name(path.name + ".gz")
    with path.open("rb") as src, target.open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0
    ) as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    path.unlink()
    return target
