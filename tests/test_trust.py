"""Signing, verifying, installing and rolling back bundles: tampering, untrusted keys, downgrades, crashes."""

import json
import os
import stat

import pytest
from click.testing import CliRunner

from app.config import app_paths
from cli import cli
from conftest import CONTENT_DIR
from knowledge import install
from knowledge.build import build_bundle
from knowledge.errors import InstallError, SignatureError
from knowledge.install import active_bundle_path, install_bundle, list_installed, rollback_bundle
from knowledge.search import Searcher
from knowledge.signing import generate_keypair, load_trusted_keys, sign_bundle, signature_path, verify_bundle


def data_dir():
    """The test's own data folder (conftest points FRONTDESK_DATA_DIR at a tmp folder)."""
    return app_paths().data


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    pub = generate_keypair(folder / "team.key")
    other = generate_keypair(folder / "other.key")
    return {"key": folder / "team.key", "pub": pub, "other_key": folder / "other.key", "other_pub": other}


@pytest.fixture(scope="module")
def signed(tmp_path_factory, keys):
    """Versions 1, 2 and 3 of the sample guidance, signed by the team key."""
    folder = tmp_path_factory.mktemp("signed")
    made = {}
    for version in (1, 2, 3):
        out = folder / f"guide-{version}.fdkb"
        build_bundle([CONTENT_DIR], out, bundle_id="guide", title="Jobcentre guidance", version=version, created="2026-01-01T00:00:00Z")
        sign_bundle(out, keys["key"])
        made[version] = out
    return made


def trusted(keys):
    return load_trusted_keys([keys["pub"]])


def copy_signed(bundle, folder):
    target = folder / bundle.name
    target.write_bytes(bundle.read_bytes())
    signature_path(target).write_bytes(signature_path(bundle).read_bytes())
    return target


def test_private_key_is_owner_only(keys):
    mode = stat.S_IMODE(os.stat(keys["key"]).st_mode)
    assert mode == 0o600
    with pytest.raises(SignatureError, match="already there"):
        generate_keypair(keys["key"])


def test_signed_bundle_verifies(signed, keys):
    info = verify_bundle(signed[1], trusted(keys))
    assert (info.bundle_id, info.version) == ("guide", 1)
    record = json.loads(signature_path(signed[1]).read_text())
    assert set(record) == {"bundle_sha256", "id", "version", "key_id", "signature"}


@pytest.mark.parametrize("where", ["header", "middle", "last"])
def test_one_flipped_byte_anywhere_is_refused(signed, keys, tmp_path, where):
    bundle = copy_signed(signed[1], tmp_path)
    data = bytearray(bundle.read_bytes())
    offset = {"header": 20, "middle": len(data) // 2, "last": len(data) - 1}[where]
    data[offset] ^= 0x01
    bundle.write_bytes(bytes(data))
    with pytest.raises(SignatureError, match="changed since it was signed"):
        verify_bundle(bundle, trusted(keys))
    with pytest.raises(SignatureError, match="changed since it was signed"):
        install_bundle(bundle, data=data_dir(), trusted_keys=trusted(keys))
    assert active_bundle_path(data_dir()) is None


def test_untrusted_key_is_refused(signed, keys, tmp_path):
    bundle = copy_signed(signed[1], tmp_path)
    sign_bundle(bundle, keys["other_key"])
    with pytest.raises(SignatureError, match="not trusted on this computer"):
        install_bundle(bundle, data=data_dir(), trusted_keys=trusted(keys))


def test_missing_and_damaged_signature(signed, keys, tmp_path):
    bundle = tmp_path / "guide-1.fdkb"
    bundle.write_bytes(signed[1].read_bytes())
    with pytest.raises(SignatureError, match="no signature file"):
        verify_bundle(bundle, trusted(keys))
    signature_path(bundle).write_text("{broken")
    with pytest.raises(SignatureError, match="damaged"):
        verify_bundle(bundle, trusted(keys))


def test_signature_moved_to_another_version_is_refused(signed, keys, tmp_path):
    bundle = tmp_path / "guide-2.fdkb"
    bundle.write_bytes(signed[2].read_bytes())
    signature_path(bundle).write_bytes(signature_path(signed[1]).read_bytes())
    with pytest.raises(SignatureError):
        verify_bundle(bundle, trusted(keys))


def test_install_list_and_rollback(signed, keys):
    install_bundle(signed[1], data=data_dir(), trusted_keys=trusted(keys))
    install_bundle(signed[2], data=data_dir(), trusted_keys=trusted(keys))
    installed = list_installed(data_dir())
    assert [(b.version, b.active) for b in installed] == [(2, True), (1, False)]
    assert rollback_bundle(data_dir()).version == 1
    assert Searcher(active_bundle_path(data_dir())).info.version == 1
    with pytest.raises(InstallError, match="no earlier bundle"):
        rollback_bundle(data_dir())


def test_lower_version_is_refused_unless_allowed(signed, keys):
    install_bundle(signed[2], data=data_dir(), trusted_keys=trusted(keys))
    with pytest.raises(InstallError, match="older than the installed version 2"):
        install_bundle(signed[1], data=data_dir(), trusted_keys=trusted(keys))
    with pytest.raises(InstallError, match="already installed"):
        install_bundle(signed[2], data=data_dir(), trusted_keys=trusted(keys))
    assert install_bundle(signed[1], data=data_dir(), trusted_keys=trusted(keys), allow_downgrade=True).version == 1


STEPS = [
    ("copy_with_fsync", "copying"),
    ("verify_bundle", "verifying"),
    ("check_integrity", "integrity check"),
    ("fsync_folder", "making the rename durable"),
    ("write_pointer", "switching the pointer"),
]


@pytest.mark.parametrize("step, _", STEPS, ids=[s for s, _ in STEPS])
def test_a_failure_at_every_step_leaves_the_previous_bundle_active(signed, keys, monkeypatch, step, _):
    install_bundle(signed[1], data=data_dir(), trusted_keys=trusted(keys))
    before = active_bundle_path(data_dir())

    def crash(*args, **kwargs):
        raise OSError(f"simulated crash in {step}")

    with monkeypatch.context() as patched:
        patched.setattr(install, step, crash)
        with pytest.raises(OSError, match="simulated crash"):
            install_bundle(signed[2], data=data_dir(), trusted_keys=trusted(keys))
    assert active_bundle_path(data_dir()) == before
    with Searcher(active_bundle_path(data_dir())) as searcher:
        assert searcher.info.version == 1
        assert searcher.search("mandatory reconsideration").covered
    assert not list((before.parent.parent / ".incoming").glob("*")), "no half-copied files left behind"


def test_a_crash_while_writing_the_pointer_file_keeps_the_old_pointer(signed, keys, monkeypatch):
    install_bundle(signed[1], data=data_dir(), trusted_keys=trusted(keys))
    real_replace = os.replace

    def crash_on_pointer(src, dst):
        if str(dst).endswith("active.json"):
            raise OSError("power cut")
        return real_replace(src, dst)

    with monkeypatch.context() as patched:
        patched.setattr(install.os, "replace", crash_on_pointer)
        with pytest.raises(OSError, match="power cut"):
            install_bundle(signed[2], data=data_dir(), trusted_keys=trusted(keys))
    assert Searcher(active_bundle_path(data_dir())).info.version == 1


def test_cli_keygen_sign_verify_install_list_rollback(tmp_path, signed):
    runner = CliRunner()
    key = tmp_path / "k.key"
    assert runner.invoke(cli, ["kb", "keygen", str(key)]).exit_code == 0
    bundle = tmp_path / "guide-1.fdkb"
    bundle.write_bytes(signed[1].read_bytes())
    assert runner.invoke(cli, ["kb", "sign", str(bundle), "--key", str(key)]).exit_code == 0
    result = runner.invoke(cli, ["kb", "verify", str(bundle), "--trust", str(key.with_suffix(".pub")), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["version"] == 1
    refused = runner.invoke(cli, ["kb", "verify", str(bundle)])
    assert refused.exit_code != 0 and "not trusted" in str(refused.exception)
    result = runner.invoke(cli, ["kb", "install", str(bundle), "--trust", str(key.with_suffix(".pub"))])
    assert result.exit_code == 0 and "Installed Jobcentre guidance version 1" in result.output
    listed = json.loads(runner.invoke(cli, ["kb", "list", "--json"]).output)
    assert listed["bundles"][0]["active"] is True
    assert "no earlier bundle" in str(runner.invoke(cli, ["kb", "rollback"]).exception)


def test_policy_trusted_keys_are_used(signed, keys, isolated_home):
    (isolated_home / "policy.toml").write_text(f'trusted_keys = ["{keys["pub"]}"]\n')
    from app.config import load_policy

    assert install_bundle(signed[1], data=data_dir(), trusted_keys=load_trusted_keys(load_policy().trusted_keys)).version == 1
