"""Verification of a built site: hashes, the manifest chain, the data package, and a leak scan.

Each problem is one sentence naming the file it is about. ``verify_site`` returns them all; the
build refuses to publish a staging folder with any, and ``site-builder verify`` exits non-zero.
"""

from __future__ import annotations

import json
from pathlib import Path

from site_builder.history import PUBLIC_CHAIN, ChainEntry, chain_problems, parse_public_chain, read_chain
from site_builder.manifest import MANIFEST, file_sha256, output_hashes
from site_builder.privacy import Secrets, scan_for_leaks


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
