"""Signed builds: an Ed25519 signature over each build's manifest hash, with the ``cryptography`` library.

The signature lives in the site as ``signing/signature.json``, an envelope naming the manifest's
SHA-256 (which covers every output file, the as-of date, the build id and the previous manifest),
the build time and the key's fingerprint. The public key is published as ``signing/public_key.pem``
for information only: a verifier trusts the key it was given (command line or configuration),
never the copy in the site. Ed25519 signatures are deterministic (RFC 8032), so the same envelope
signed with the same key is the same bytes.

A key change is a statement ``{from, to, public_key}`` signed by the old key and recorded in the
chain, so a verifier holding an old public key can follow every rotation to the current key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from site_builder.exceptions import SigningError

SIGNING_DIR = "signing"
SIGNATURE = f"{SIGNING_DIR}/signature.json"
PUBLIC_KEY = f"{SIGNING_DIR}/public_key.pem"
ENVELOPE_VERSION = 1


def fingerprint(key: Ed25519PublicKey) -> str:
    """``sha256:`` and the hex SHA-256 of the raw 32-byte public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def public_pem(key: Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def generate(private_path: Path, public_path: Path) -> str:
    """Write a new key pair (the private key readable by its owner only); return its fingerprint."""
    for path in (private_path, public_path):
        if path.exists():
            raise SigningError(f"{path} already exists; keygen never overwrites a key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        private_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        public_path.parent.mkdir(parents=True, exist_ok=True)
        public_path.write_text(public_pem(key.public_key()), encoding="ascii")
    except OSError as exc:
        raise SigningError(f"Cannot write the key pair: {exc}") from exc
    return fingerprint(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an Ed25519 private key (PEM, unencrypted PKCS#8)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"Config value 'signing.key': cannot read a private key from {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"Config value 'signing.key': {path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key (PEM)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningError(f"Public key {path} cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"Public key {path} is not an Ed25519 key")
    return key


def build_time() -> str:
    """The build time (UTC, seconds): ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise SigningError(f"SOURCE_DATE_EPOCH={epoch!r} is not a time in seconds: {exc}") from exc
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(key: Ed25519PrivateKey, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the key's fingerprint and an Ed25519 signature over its canonical JSON."""
    signed = {**payload, "key": fingerprint(key.public_key())}
    return {**signed, "signature": base64.b64encode(key.sign(_canonical(signed))).decode("ascii")}


def check(key: Ed25519PublicKey, signed: dict[str, Any]) -> bool:
    """Whether ``signed`` (as made by :func:`sign`) carries a valid signature by ``key``."""
    payload = {k: v for k, v in signed.items() if k != "signature"}
    if payload.get("key") != fingerprint(key):
        return False
    try:
        key.verify(base64.b64decode(str(signed.get("signature", "")), validate=True), _canonical(payload))
    except (InvalidSignature, ValueError):
        return False
    return True


def envelope(key: Ed25519PrivateKey, manifest_sha256: str, build_id: str, as_of: str, built_at: str) -> str:
    """The text of ``signing/signature.json`` for one build."""
    payload = {"envelope_version": ENVELOPE_VERSION, "manifest_sha256": manifest_sha256, "build_id": build_id,
               "as_of": as_of, "built_at": built_at}
    return json.dumps(sign(key, payload), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def key_change(old: Ed25519PrivateKey | None, new: Ed25519PublicKey) -> dict[str, Any]:
    """The chain's record of a new signing key: signed by the old key, or an unsigned first key."""
    statement = {"to": fingerprint(new), "public_key": public_pem(new)}
    if old is None:
        return {**statement, "from": None}
    return sign(old, {**statement, "from": fingerprint(old.public_key())})


def follow_rotations(trusted: Ed25519PublicKey, changes: list[dict[str, Any]]) -> tuple[Ed25519PublicKey, list[str]]:
    """Walk the chain's key changes from ``trusted``: the key each valid change hands over to, and problems.

    A change from the trusted key counts only if the trusted key signed it.
    """
    current, problems = trusted, []
    for change in changes:
        if change.get("from") != fingerprint(current):
            continue
        if not check(current, change):
            problems.append(f"key change to {change.get('to')}: not signed by {fingerprint(current)}")
            continue
        try:
            new = serialization.load_pem_public_key(str(change.get("public_key", "")).encode("ascii"))
        except ValueError:
            problems.append(f"key change to {change.get('to')}: its public key cannot be read")
            continue
        if isinstance(new, Ed25519PublicKey) and fingerprint(new) == change.get("to"):
            current = new
        else:
            problems.append(f"key change to {change.get('to')}: the public key does not match its fingerprint")
    return current, problems
