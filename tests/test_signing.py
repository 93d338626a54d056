"""Trust in a published site: signatures (forgery, key rotation), freshness (rollback, stale copies),
no silent downgrade of ``verify --audit``, no silent restart of the chain, no symlinks in a site."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import row, site_config, write_csv

from site_builder.audit import history, signing
from site_builder.audit.layout import AuditFolder
from site_builder.audit.manifest import output_hashes
from site_builder.build import build
from site_builder.cli import main
from site_builder.config import Config
from site_builder.exceptions import AuditError, SigningError

AS_OF = date(2026, 11, 24)


def records_dir(root: Path) -> Path:
    records = root / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1", decision_date="2026-06-01")])
    return records


def keypair(root: Path, name: str) -> tuple[Path, Path]:
    """A new Ed25519 key pair made by ``site-builder keygen``."""
    private, public = root / "keys" / f"{name}.pem", root / "keys" / f"{name}.pub.pem"
    result = CliRunner().invoke(main, ["keygen", "--key", str(private), "--public-key", str(public)])
    assert result.exit_code == 0, result.output
    assert "fingerprint sha256:" in result.output
    return private, public


def config(root: Path, records: Path, key: Path | None = None, previous: Path | None = None) -> Config:
    base = site_config(root, records, search=False)
    return dataclasses.replace(base, signing=dataclasses.replace(base.signing, key=key, previous_key=previous))


def verify(root: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["verify", str(root / "output"), "--records", str(root / "records"), "--no-data", *extra])
    return result.exit_code, result.output


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    private, public = keypair(tmp_path, "a")
    before = private.read_bytes()
    result = CliRunner().invoke(main, ["keygen", "--key", str(private)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert private.read_bytes() == before
    assert private.stat().st_mode & 0o077 == 0


def test_signed_site_verifies_with_the_public_key_and_publishes_it(tmp_path: Path) -> None:
    private, public = keypair(tmp_path, "a")
    build(config(tmp_path, records_dir(tmp_path), private), AS_OF)
    code, output = verify(tmp_path, "--public-key", str(public))
    assert code == 0, output
    fp = signing.fingerprint(signing.load_public_key(public))
    assert f"signature by {fp}" in output
    assert (tmp_path / "output" / signing.PUBLIC_KEY).read_text(encoding="ascii") == public.read_text(encoding="ascii")
    envelope = json.loads((tmp_path / "output" / signing.SIGNATURE).read_text(encoding="utf-8"))
    assert envelope["key"] == fp and envelope["as_of"] == "2026-11-24" and envelope["built_at"].endswith("Z")
    assert history.read_chain(tmp_path / "audit")[0].key == fp


def _forge(out: Path, drop_key: bool = False) -> None:
    """Rewrite a page, the manifest's hash of it and the chain's head consistently (no private key); ``drop_key``: the
    chain's head no longer says it was signed."""
    page = out / "record" / "admin_penalty" / "AP-1" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("杭州恒远科技有限公司", "某某伪造有限公司"), encoding="utf-8")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["outputs"] = output_hashes(out)
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    manifest_path.write_text(text, encoding="utf-8")
    chain = json.loads((out / "chain.json").read_text(encoding="utf-8"))
    chain[-1]["manifest_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if drop_key:
        del chain[-1]["key"], chain[-1]["key_change"]
    (out / "chain.json").write_text(json.dumps(chain), encoding="utf-8")


def test_consistent_forgery_is_caught_by_the_signature(tmp_path: Path) -> None:
    private, public = keypair(tmp_path, "a")
    build(config(tmp_path, records_dir(tmp_path), private), AS_OF)
    _forge(tmp_path / "output")
    code, output = verify(tmp_path)  # the chain says the head was signed: its signature must name the forged manifest
    assert code == 1 and "signs another manifest, build or date than build 000001-2026-11-24" in output, output
    code, output = verify(tmp_path, "--public-key", str(public))
    assert code == 1
    assert "signing/signature.json: signs another manifest than manifest.json" in output


def test_consistent_forgery_that_drops_the_key_from_the_chain_is_caught_by_the_trusted_key(tmp_path: Path) -> None:
    private, public = keypair(tmp_path, "a")
    build(config(tmp_path, records_dir(tmp_path), private), AS_OF)
    _forge(tmp_path / "output", drop_key=True)
    assert verify(tmp_path)[0] == 0  # hashes and a chain that says nothing of a key cannot tell
    code, output = verify(tmp_path, "--public-key", str(public))
    assert code == 1 and "signs another manifest than manifest.json" in output


def test_forger_signing_with_their_own_key_is_caught(tmp_path: Path) -> None:
    private, public = keypair(tmp_path, "a")
    forger, _ = keypair(tmp_path, "forger")
    build(config(tmp_path, records_dir(tmp_path), private), AS_OF)
    out = tmp_path / "output"
    _forge(out)
    chain = history.parse_public_chain((out / "chain.json").read_text(encoding="utf-8"))
    key = signing.load_private_key(forger)
    (out / signing.SIGNATURE).write_text(signing.envelope(key, chain[-1].manifest_sha256, chain[-1].build_id, chain[-1].as_of,
                                                          "2026-11-24T00:00:00Z"), encoding="utf-8")
    code, output = verify(tmp_path, "--public-key", str(public))
    assert code == 1 and "not a valid signature by the trusted key" in output


def test_unsigned_site_fails_verify_with_a_public_key(tmp_path: Path) -> None:
    _, public = keypair(tmp_path, "a")
    build(config(tmp_path, records_dir(tmp_path)), AS_OF)
    assert verify(tmp_path)[0] == 0
    code, output = verify(tmp_path, "--public-key", str(public))
    assert code == 1 and "signing/signature.json: missing or unreadable: the site is not signed" in output


def test_signing_dropped_is_said_by_verify_without_a_public_key(tmp_path: Path) -> None:
    """Bug: a site signed until some build and unsigned since verified "OK" without a word, when checked without the
    public key (a build by someone without the key looks the same)."""
    private, _ = keypair(tmp_path, "a")
    records = records_dir(tmp_path)
    build(config(tmp_path, records, private), date(2026, 11, 23))
    code, output = verify(tmp_path)
    assert code == 0 and "UNSIGNED" not in output
    build(config(tmp_path, records), AS_OF)
    code, output = verify(tmp_path)
    assert code == 0 and "UNSIGNED since the build after 000001-2026-11-23 (signed by sha256:" in output, output


def test_an_unsigned_build_does_not_let_an_unendorsed_key_take_over(tmp_path: Path) -> None:
    """Bug: a build without a key (a warning only), then one signed by a new key, was accepted: the chain recorded a
    key change from no key, and the old key's holder could no longer follow it. The last key that signed must
    endorse the new one."""
    records = records_dir(tmp_path)
    old, _ = keypair(tmp_path, "old")
    new, _ = keypair(tmp_path, "new")
    build(config(tmp_path, records, old), date(2026, 11, 23))
    build(config(tmp_path, records), AS_OF)  # unsigned
    with pytest.raises(SigningError, match="the last key that signed a build"):
        build(config(tmp_path, records, new), date(2026, 11, 25))
    build(config(tmp_path, records, new, previous=old), date(2026, 11, 25))
    change = history.read_chain(tmp_path / "audit")[-1].key_change
    assert change is not None and change["from"] == history.read_chain(tmp_path / "audit")[0].key


def test_key_rotation_is_recorded_signed_by_the_old_key(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    old, old_public = keypair(tmp_path, "old")
    new, new_public = keypair(tmp_path, "new")
    build(config(tmp_path, records, old), date(2026, 11, 23))
    with pytest.raises(SigningError, match="give the old key as signing.previous_key"):
        build(config(tmp_path, records, new), AS_OF)
    build(config(tmp_path, records, new, previous=old), AS_OF)
    build(config(tmp_path, records, new), date(2026, 11, 25))
    for public in (old_public, new_public):  # a verifier holding the old key follows the signed change
        code, output = verify(tmp_path, "--public-key", str(public), "--audit", str(tmp_path / "audit"))
        assert code == 0, output
    chain = history.read_chain(tmp_path / "audit")
    change = chain[1].key_change
    assert change is not None and change["from"] == chain[0].key and change["to"] == chain[1].key
    assert signing.check(signing.load_public_key(old_public), change)
    # A change the old key did not sign is not followed.
    forger, _ = keypair(tmp_path, "forger")
    path = tmp_path / "output" / "chain.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data[1]["key_change"] = {**signing.key_change(signing.load_private_key(forger), signing.load_private_key(new).public_key()),
                             "from": chain[0].key}
    path.write_text(json.dumps(data), encoding="utf-8")
    code, output = verify(tmp_path, "--public-key", str(old_public))
    assert code == 1 and "not signed by" in output


def test_same_inputs_signed_with_source_date_epoch_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ed25519 is deterministic: with SOURCE_DATE_EPOCH fixed, two signed builds are the same bytes."""
    private, _ = keypair(tmp_path, "a")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795795200")
    trees = []
    for name in ("one", "two"):
        build(config(tmp_path / name, records_dir(tmp_path / name), private), AS_OF)
        trees.append({p.relative_to(tmp_path / name / "output").as_posix(): p.read_bytes()
                      for p in sorted((tmp_path / name / "output").rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]
    assert json.loads(trees[0][signing.SIGNATURE])["built_at"] == "2026-11-27T16:00:00Z"


def test_rollback_to_the_previous_build_is_caught(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    private, public = keypair(tmp_path, "a")
    build(config(tmp_path, records, private), date(2026, 11, 23))
    previous = tmp_path / "previous"
    shutil.copytree(tmp_path / "output", previous)
    build(config(tmp_path, records, private), AS_OF)
    link = tmp_path / "output"
    link.unlink()
    shutil.copytree(previous, link)  # the genuine, signed previous build republished
    assert verify(tmp_path, "--public-key", str(public))[0] == 0
    code, output = verify(tmp_path, "--public-key", str(public), "--audit", str(tmp_path / "audit"))
    assert code == 1
    assert ("chain.json: the site's head 000001-2026-11-23 is 1 build(s) behind the audit head 000002-2026-11-24: "
            "a stale or rolled-back copy") in output


def test_verify_audit_on_a_folder_without_a_chain_fails(tmp_path: Path) -> None:
    build(config(tmp_path, records_dir(tmp_path)), AS_OF)
    (tmp_path / "empty").mkdir()
    code, output = verify(tmp_path, "--audit", str(tmp_path / "empty"))
    assert code == 1
    assert "no audit chain here" in output


def test_prepared_but_unrecorded_head_is_not_the_public_head(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    build(config(tmp_path, records), date(2026, 11, 23))
    build(config(tmp_path, records), AS_OF)
    audit = tmp_path / "audit"
    lines = AuditFolder(audit).chain.read_text(encoding="utf-8").splitlines(keepends=True)
    AuditFolder(audit).chain.write_text(lines[0], encoding="utf-8")  # as if killed before the second phase
    AuditFolder(audit).pending.write_text(lines[1], encoding="utf-8")
    code, output = verify(tmp_path, "--audit", str(audit))
    assert code == 1 and "was prepared but its publication is not recorded" in output


def test_deleted_audit_folder_is_refused_without_new_chain(tmp_path: Path) -> None:
    records = records_dir(tmp_path)
    build(config(tmp_path, records), date(2026, 11, 23))
    build(config(tmp_path, records), AS_OF)
    shutil.rmtree(tmp_path / "audit")
    before = (tmp_path / "output" / "manifest.json").read_bytes()
    args = ["-q", "build", "--records", str(records), "--out", str(tmp_path / "output"), "--audit", str(tmp_path / "audit"),
            "--as-of", "2026-11-25", "--no-search"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1
    assert "carries a chain (2 build(s), head 000002-2026-11-24) that the audit folder" in refused.output
    assert "--new-chain" in refused.output
    assert (tmp_path / "output" / "manifest.json").read_bytes() == before
    with pytest.raises(AuditError):
        build(config(tmp_path, records), date(2026, 11, 25))
    result = CliRunner().invoke(main, [*args, "--new-chain"])
    assert result.exit_code == 0, result.output
    chain = history.read_chain(tmp_path / "audit")
    assert [e.sequence for e in chain] == [1]
    assert chain[0].replaces is not None and chain[0].replaces["build_id"] == "000002-2026-11-24"
    assert verify(tmp_path, "--audit", str(tmp_path / "audit"))[0] == 0


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_symlink_inside_the_site_is_reported(tmp_path: Path, kind: str) -> None:
    build(config(tmp_path, records_dir(tmp_path)), AS_OF)
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "decisions.csv").write_text("id\n", encoding="utf-8")
    target = secret if kind == "folder" else secret / "decisions.csv"
    (tmp_path / "output" / "leak").symlink_to(target)
    code, output = verify(tmp_path)
    assert code == 1
    assert f"leak: a symbolic link (to {target}) inside the site" in output


def test_due_when_the_site_is_older_than_its_maximum_age(tmp_path: Path) -> None:
    build(config(tmp_path, records_dir(tmp_path)), AS_OF)
    toml = tmp_path / "site.toml"
    toml.write_text(f'[paths]\noutput = "{tmp_path / "output"}"\n[publish]\nmax_age_days = 2\n', encoding="utf-8")
    fresh = CliRunner().invoke(main, ["--config", str(toml), "due", "--today", "2026-11-25"])
    assert fresh.exit_code == 0, fresh.output
    stale = CliRunner().invoke(main, ["--config", str(toml), "due", "--today", "2026-11-26"])
    assert stale.exit_code == 1 and "2 days old (maximum age 2 days)" in stale.output


def test_each_builds_signature_is_archived_and_checked_by_verify_audit(tmp_path: Path) -> None:
    """Bug: a build's ``signature.json`` was replaced by the next build's and kept nowhere, so an auditor could not check
    years later that an old build was signed. It is kept beside the build's manifest; ``verify --audit`` checks each
    one against the key the chain names for that build (across a key rotation)."""
    records = records_dir(tmp_path)
    old, _ = keypair(tmp_path, "old")
    new, new_public = keypair(tmp_path, "new")
    build(config(tmp_path, records, old), date(2026, 11, 23))
    build(config(tmp_path, records, new, previous=old), AS_OF)
    audit = tmp_path / "audit"
    chain = history.read_chain(audit)
    kept = [AuditFolder(audit).build(entry.build_id).signature for entry in chain]
    assert [json.loads(path.read_text(encoding="utf-8"))["key"] for path in kept] == [chain[0].key, chain[1].key]
    assert kept[1].read_bytes() == (tmp_path / "output" / signing.SIGNATURE).read_bytes()
    code, output = verify(tmp_path, "--public-key", str(new_public), "--audit", str(audit))
    assert code == 0, output
    first = json.loads(kept[0].read_text(encoding="utf-8"))
    kept[0].write_text(json.dumps({**first, "as_of": "2026-11-22"}), encoding="utf-8")  # edited: the signature fails
    code, output = verify(tmp_path, "--public-key", str(new_public), "--audit", str(audit))
    assert code == 1 and f"not a valid signature by {chain[0].key}" in output
    kept[0].write_text((tmp_path / "output" / signing.SIGNATURE).read_text(encoding="utf-8"), encoding="utf-8")
    code, output = verify(tmp_path, "--public-key", str(new_public), "--audit", str(audit))
    assert code == 1 and str(kept[0]) in output  # the next build's signature, by another key, in its place


def test_a_signed_sites_missing_or_replaced_signature_fails_verify_without_a_key(tmp_path: Path) -> None:
    """Bug: without --public-key, verify said OK for a site whose chain says its head was signed but whose
    ``signing/signature.json`` was removed or replaced by an older build's; and an archived signature deleted from
    the audit folder went unnoticed."""
    records = records_dir(tmp_path)
    key, _ = keypair(tmp_path, "a")
    build(config(tmp_path, records, key), date(2026, 11, 23))
    build(config(tmp_path, records, key), AS_OF)
    audit, live = tmp_path / "audit", tmp_path / "output" / signing.SIGNATURE
    assert verify(tmp_path, "--audit", str(audit))[0] == 0
    signed = live.read_bytes()
    chain = history.read_chain(audit)
    older = AuditFolder(audit).build(chain[0].build_id).signature
    live.unlink()  # the site is a symbolic link to its build folder: the file itself goes
    code, output = verify(tmp_path)
    assert code == 1 and "missing or unreadable, though the chain says build 000002-2026-11-24 was signed" in output
    live.write_bytes(older.read_bytes())
    code, output = verify(tmp_path)
    assert code == 1 and "signs another manifest, build or date than build 000002-2026-11-24" in output, output
    live.write_bytes(signed)
    older.unlink()
    code, output = verify(tmp_path, "--audit", str(audit))
    assert code == 1 and f"{older}: missing (build 000001-2026-11-23 was signed by {chain[0].key}" in output, output


def test_a_torn_last_line_of_the_journal_does_not_swallow_the_next(tmp_path: Path) -> None:
    """Bug: after a torn last line (a full disk), the next line was appended to it and could not be read."""
    records = records_dir(tmp_path)
    build(config(tmp_path, records), date(2026, 11, 23))
    journal = AuditFolder(tmp_path / "audit").journal
    journal.write_bytes(journal.read_bytes()[:-20])
    build(config(tmp_path, records), AS_OF)
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["build_id"] for line in lines[-2:]] == ["000002-2026-11-24"] * 2
