"""The PyInstaller folder in dist/ passes its own self-test offline, with no Python on PATH and an empty HOME.

scripts/test builds dist/frontdesk with build/build.sh when it is missing, so CI always runs this;
a developer who set FRONTDESK_SKIP_FROZEN=1 sees it skipped, with the reason.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "dist" / "frontdesk" / "frontdesk"

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.skipif(not PROGRAM.exists(), reason="no frozen build in dist/: run build/build.sh"),
]


def offline_prefix() -> list[str]:
    """`unshare --net` runs the program with no network at all, where this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net"]
    return []


def run_frozen(args, tmp_path, **env_extra):
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir(exist_ok=True)
    env = {"HOME": str(home), "PATH": str(empty_bin), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", **env_extra}
    return subprocess.run(
        offline_prefix() + [str(PROGRAM), *args], env=env, capture_output=True, text=True, timeout=600, cwd=home
    )


def test_frozen_self_test_passes_offline_without_python(tmp_path):
    result = run_frozen(["self-test", "--json"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    names = {c["name"] for c in report["checks"]}
    assert any("model" in n for n in names) and any("bundle" in n for n in names)
    assert all(c["ok"] for c in report["checks"]), report["checks"]


def test_frozen_ask_answers_from_the_shipped_signed_bundle(tmp_path):
    result = run_frozen(["ask", "How do I ask for a mandatory reconsideration?", "--extractive", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["sources"] and answer["citations"]
    assert answer["bundle"]["id"] == "frontdesk-sample"


def test_frozen_folder_holds_no_python_on_path_dependency(tmp_path):
    """The folder carries its own interpreter: no python3 executable is needed (or shipped as a loose binary)."""
    assert not any(p.name.startswith("python") and os.access(p, os.X_OK) and p.is_file() and p.suffix == ""
                   for p in PROGRAM.parent.rglob("python*"))


def test_frozen_folder_survives_a_cpu_variant_that_crashes(tmp_path):
    """In the frozen folder the probe child is the frontdesk program itself; an injected SIGILL is survived and reported."""
    plain = run_frozen(["model", "list", "--json"], tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr
    best = json.loads(plain.stdout)["cpu"]
    if best["variant"] == "x64" or not best["dynamic"]:
        pytest.skip("no variant better than the baseline here: nothing to reject")
    assert best["how"].startswith("probed in") and best["rejected"] == []

    result = run_frozen(["self-test", "--json"], tmp_path / "crash", FRONTDESK_PROBE_CRASH=best["variant"])
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["cpu"]["variant"] != best["variant"] and report["cpu"]["loaded"]
    assert report["cpu"]["rejected"] == [{"variant": best["variant"], "why": "killed by SIGILL in the probe"}]
