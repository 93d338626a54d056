"""Verification of a built site: hashes, the manifest chain, the data package, and a leak scan.

Each problem is one sentence naming the file it is about. ``verify_site`` returns them all; the
build refuses to publish a staging folder with any, and ``site-builder verify`` exits non-zero.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.catalogue import CatalogItem
from site_builder.history import PUBLIC_CHAIN, ChainEntry, chain_problems, parse_public_chain, read_chain
from site_builder.loading import RawRow
from site_builder.manifest import MANIFEST, file_sha256, output_hashes

MIN_SECRET = 6
_ALNUM_RUN = re.compile(rf"[0-9A-Za-z]{{{MIN_SECRET},}}")


@dataclass
class Secrets:
    """Values that must never appear in the published site: withheld values and raw ID numbers."""

    codes: set[str] = field(default_factory=set)
    """Alphanumeric secrets (ID numbers and the like), matched inside any run of letters and digits."""
    texts: set[str] = field(default_factory=set)
    """Other secrets, matched as substrings."""
    lengths: set[int] = field(default_factory=set)
    """The lengths of the alphanumeric secrets."""

    def add_row(self, raw: RawRow, item: CatalogItem) -> None:
        """Collect the withheld free values and raw ID numbers of one input row, valid or not."""
        for spec in item.fields:
            if (spec.disclosure == "withheld" and not spec.values and spec.type == "string") or spec.mask == "id_number":
                self.add(raw.values.get(spec.name, ""))

    def add(self, value: str) -> None:
        """Add one secret (normalised as the validator normalises codes); short values are ignored."""
        text = unicodedata.normalize("NFKC", value).strip()
        if len(text) < MIN_SECRET:
            return
        if text.isascii() and text.isalnum():
            self.codes.add(text.upper())
            self.lengths.add(len(text))
        else:
            self.texts.add(text)

    def find(self, text: str) -> list[str]:
        """The secrets that occur in ``text`` (U+200B, which Pagefind puts between words, removed)."""
        text = text.replace("\u200b", "")
        found = {s for s in self.texts if s in text}
        for run in _ALNUM_RUN.findall(text):
            run = run.upper()
            for length in self.lengths:
                for start in range(len(run) - length + 1):
                    if run[start:start + length] in self.codes:
                        found.add(run[start:start + length])
        return sorted(found)


def readable_texts(path: Path) -> Iterator[tuple[str, str]]:
    """``(label, text)`` for a file, looking inside gzip streams and zip members."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield f"{path.name}!{name}", archive.read(name).decode("utf-8", errors="replace")
        return
    yield path.name, data.decode("utf-8", errors="replace")


def scan_for_leaks(site_dir: Path, secrets: Secrets) -> list[str]:
    """One problem per file that contains a secret (the secret itself is not repeated)."""
    problems = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        for label, text in readable_texts(path):
            found = secrets.find(text)
            if found:
                where = path.relative_to(site_dir).as_posix() + (label[len(path.name):] if "!" in label else "")
                problems.append(f"{where}: contains {len(found)} withheld value(s) or raw ID number(s)")
    return problems


def verify_site(site_dir: Path, secrets: Secrets | None = None, audit_root: Path | None = None,
                validate_data: bool = True, check_hashes: bool = True) -> list[str]:
    """Check a built site; return every problem found (an empty list means it verifies).

    ``check_hashes=False`` skips recomputing the output hashes: for the build itself, which has
    just computed them from the same files for the manifest.
    """
    manifest_path = site_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST}: cannot be read: {exc}"]
    problems = _hash_problems(site_dir, manifest) if check_hashes else []
    problems += _chain_problems(site_dir, manifest, file_sha256(manifest_path), audit_root)
    if validate_data:
        problems += _data_problems(site_dir)
    if secrets is not None:
        problems += scan_for_leaks(site_dir, secrets)
    return problems


def _hash_problems(site_dir: Path, manifest: dict[str, object]) -> list[str]:
    listed = manifest.get("outputs")
    if not isinstance(listed, dict):
        return [f"{MANIFEST}: no 'outputs' list of file hashes"]
    actual = output_hashes(site_dir)
    actual.pop(PUBLIC_CHAIN, None)
    problems = [f"{path}: listed in {MANIFEST} but missing" for path in sorted(set(listed) - set(actual))]
    problems += [f"{path}: not listed in {MANIFEST}" for path in sorted(set(actual) - set(listed))]
    problems += [f"{path}: content differs from its hash in {MANIFEST}"
                 for path in sorted(set(actual) & set(listed)) if actual[path] != listed[path]]
    return problems


def _chain_problems(site_dir: Path, manifest: dict[str, object], manifest_sha: str, audit_root: Path | None) -> list[str]:
    try:
        chain = parse_public_chain((site_dir / PUBLIC_CHAIN).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        return [f"{PUBLIC_CHAIN}: cannot be read as a chain of manifests: {exc}"]
    if not chain:
        return [f"{PUBLIC_CHAIN}: empty"]
    problems = chain_problems(chain, PUBLIC_CHAIN)
    head, build = chain[-1], manifest.get("build") or {}
    if head.manifest_sha256 != manifest_sha:
        problems.append(f"{MANIFEST}: its hash is not the head of {PUBLIC_CHAIN}")
    if not isinstance(build, dict) or build.get("id") != head.build_id or build.get("previous_manifest_sha256") != head.previous:
        problems.append(f"{MANIFEST}: its build id or previous-manifest hash does not match the head of {PUBLIC_CHAIN}")
    if audit_root is not None:
        problems += _audit_problems(chain, audit_root)
    return problems


def _audit_problems(public: list[ChainEntry], audit_root: Path) -> list[str]:
    recorded = read_chain(audit_root)
    where = (audit_root / "chain.jsonl").as_posix()
    problems = chain_problems(recorded, where)
    if recorded[: len(public)] != public:
        problems.append(f"{PUBLIC_CHAIN}: differs from the audit history {where}")
    for entry in recorded:
        saved = audit_root / "builds" / entry.build_id / MANIFEST
        if not saved.exists():
            problems.append(f"{saved}: missing (build {entry.build_id} of the chain)")
        elif file_sha256(saved) != entry.manifest_sha256:
            problems.append(f"{saved}: content differs from its hash in {where}")
    return problems


def _data_problems(site_dir: Path) -> list[str]:
    from frictionless import validate

    descriptor = site_dir / "data" / "datapackage.json"
    if not descriptor.exists():
        return ["data/datapackage.json: missing"]
    report = validate(str(descriptor))
    if report.valid:
        return []
    problems = [f"data/{task.place}: {error.message}" for task in report.tasks for error in task.errors[:20]]
    return problems or [f"data/datapackage.json: {error.message}" for error in report.errors]


def collect_secrets(records: Path, catalogue_dir: Path) -> Secrets:
    """The secrets of every row of the records directory (read as the build reads it)."""
    from site_builder.catalogue import load_catalogue
    from site_builder.loading import find_sources, read_rows

    catalogue = load_catalogue(catalogue_dir)
    secrets = Secrets()
    for source in find_sources(records, catalogue):
        item = catalogue[source.item]
        for raw in read_rows(source, item):
            secrets.add_row(raw, item)
    return secrets
