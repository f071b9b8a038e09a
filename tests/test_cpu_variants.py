"""The CPU-variant choice on the real llama.cpp build here: ranked by ggml's score, tried in a child
process, rejected on a crash (SIGILL, injected), a hang or when no probe can run, remembered per machine.

Each probe is a real child process loading one real variant library and the embedded model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.backends import BASELINE, Rejection, choose_variant, find_variant_folder, llama_ggml_path, rank_variants
from models.cpu_probe import CRASH_ENV, HANG_ENV
from app.config import app_paths
from models.cpu_verdicts import known_verdicts, machine_key

ROOT = Path(__file__).resolve().parent.parent
NO_PROBE = ["/nonexistent/frontdesk-probe"]  # a probe command that cannot start: proves no probe was needed


@pytest.fixture(scope="module")
def variants():
    """The variant folder of this llama.cpp build and its variants ranked for this CPU."""
    import llama_cpp

    folder = find_variant_folder(llama_ggml_path(Path(llama_cpp.__file__).parent / "lib"))
    if folder is None:
        pytest.skip("this llama.cpp has its CPU backend built in: there is no variant to choose")
    ranked = rank_variants(folder)
    if len(ranked) < 3:
        pytest.skip(f"this CPU supports only {[v.name for v in ranked]}: too few variants to test a fallback")
    return folder, ranked, llama_cpp.__version__


def verdicts_path() -> Path:
    """Where the app keeps the verdicts (this test's own cache folder): what it hands the models layer."""
    return app_paths().cpu_verdicts


def choose(variants, embedded_model_path, **kwargs):
    folder, _, version = variants
    kwargs.setdefault("probe_model", embedded_model_path)
    kwargs.setdefault("verdicts_file", verdicts_path())
    return choose_variant(folder, version, threads=2, **kwargs)


def test_variants_are_ranked_by_score_best_first_with_the_baseline_last(variants):
    _, ranked, _ = variants
    assert ranked[-1].name == BASELINE
    scores = [v.score for v in ranked[:-1]]
    assert scores == sorted(scores, reverse=True) and all(s > ranked[-1].score > 0 for s in scores)


def test_the_best_variant_passes_its_probe_and_is_remembered(variants, embedded_model_path):
    _, ranked, version = variants
    first = choose(variants, embedded_model_path)
    assert first.variant.name == ranked[0].name and first.rejected == ()
    assert first.how.startswith("probed in") and first.probe_ms > 0
    again = choose(variants, embedded_model_path, command=NO_PROBE)
    assert again.variant.name == ranked[0].name and again.how == "remembered from an earlier probe"
    (verdict,) = known_verdicts(machine_key(version), verdicts_path()).values()
    assert verdict.ok and verdict.variant == ranked[0].name and verdict.threads == 2


def test_a_variant_killed_by_sigill_is_rejected_and_the_next_one_used(variants, embedded_model_path, monkeypatch):
    _, ranked, _ = variants
    monkeypatch.setenv(CRASH_ENV, ranked[0].name)
    choice = choose(variants, embedded_model_path)
    assert choice.variant.name == ranked[1].name
    assert choice.rejected == (Rejection(ranked[0].name, "killed by SIGILL in the probe"),)
    # The verdict is remembered: the next start neither probes nor uses the variant that crashed.
    monkeypatch.delenv(CRASH_ENV)
    again = choose(variants, embedded_model_path, command=NO_PROBE)
    assert again.variant.name == ranked[1].name and again.how == "remembered from an earlier probe"
    assert again.rejected == choice.rejected


def test_a_variant_that_hangs_is_killed_at_the_timeout_and_rejected(variants, embedded_model_path, monkeypatch):
    _, ranked, version = variants
    monkeypatch.setenv(HANG_ENV, ranked[0].name)
    choice = choose(variants, embedded_model_path, timeout=10)
    assert choice.variant.name == ranked[1].name
    assert choice.rejected == (Rejection(ranked[0].name, "no answer within 10 s in the probe (killed)"),)
    hung = next(v for v in known_verdicts(machine_key(version), verdicts_path()).values() if not v.ok)
    assert hung.timed_out and 10_000 <= hung.probe_ms < 20_000
    # A hang may only have been a busy machine: a week on, the variant is tried again.
    monkeypatch.delenv(HANG_ENV)
    assert choose(variants, embedded_model_path, command=NO_PROBE).variant.name == ranked[1].name  # remembered
    data = json.loads(verdicts_path().read_text())
    for machine in data["machines"].values():
        machine["verdicts"][hung.sha256]["at"] -= 8 * 24 * 3600
    verdicts_path().write_text(json.dumps(data))
    retried = choose(variants, embedded_model_path)
    assert retried.variant.name == ranked[0].name and retried.how.startswith("probed in") and retried.rejected == ()


def test_when_every_variant_crashes_the_baseline_is_used(variants, embedded_model_path, monkeypatch):
    _, ranked, _ = variants
    monkeypatch.setenv(CRASH_ENV, "*")
    choice = choose(variants, embedded_model_path)
    assert choice.variant.name == BASELINE
    assert [r.variant for r in choice.rejected] == [v.name for v in ranked[:-1]]
    assert choice.how == "baseline: every better variant was rejected"


def test_when_no_probe_can_run_the_baseline_is_used_and_nothing_remembered(variants, embedded_model_path):
    cannot_start = choose(variants, embedded_model_path, command=NO_PROBE)
    assert cannot_start.variant.name == BASELINE and cannot_start.rejected == ()
    assert cannot_start.how.startswith("baseline, as no probe could run: the probe could not start")
    no_model = choose(variants, None, probe_model=None)
    assert no_model.variant.name == BASELINE
    assert no_model.how == "baseline, as no probe could run: there is no model file to probe with"
    broken_python = choose(variants, embedded_model_path, command=[sys.executable, "-c", "raise SystemExit(1)"])
    assert broken_python.variant.name == BASELINE and "no probe could run" in broken_python.how
    assert not verdicts_path().exists()  # a fallback is not a verdict: the next start tries again


def test_with_no_verdict_file_nothing_is_remembered(variants, embedded_model_path):
    """The models layer knows no app folder: a caller that names no file gets a probe, and no file is written."""
    _, ranked, _ = variants
    first = choose(variants, embedded_model_path, verdicts_file=None)
    assert first.variant.name == ranked[0].name and first.how.startswith("probed in")
    again = choose(variants, embedded_model_path, verdicts_file=None, command=NO_PROBE)
    assert again.variant.name == BASELINE and "no probe could run" in again.how
    assert not verdicts_path().exists()


def test_a_damaged_verdict_file_means_probing_again(variants, embedded_model_path):
    verdicts_path().parent.mkdir(parents=True, exist_ok=True)
    verdicts_path().write_text("{not json")
    choice = choose(variants, embedded_model_path)
    assert choice.how.startswith("probed in")
    assert json.loads(verdicts_path().read_text())["schema"] == 1


def run_frontdesk(*args, **env_extra) -> subprocess.CompletedProcess:
    """The real command line in a fresh process (the CPU backend is chosen once per process)."""
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_self_test_and_model_list_name_the_variant_and_the_one_that_crashed(variants):
    _, ranked, _ = variants
    done = run_frontdesk("self-test", "--json", **{CRASH_ENV: ranked[0].name})
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["cpu"]["variant"] == ranked[1].name and report["cpu"]["loaded"]
    assert report["cpu"]["rejected"] == [{"variant": ranked[0].name, "why": "killed by SIGILL in the probe"}]
    check = next(c for c in report["checks"] if c["name"] == "CPU variant")
    assert check["ok"] and check["detail"].startswith(f"{ranked[1].name} (probed in")
    assert f"rejected: {ranked[0].name}: killed by SIGILL in the probe" in check["detail"]
    # The app's process loaded the accepted variant, drafted with it, and survived.
    assert next(c for c in report["checks"] if c["name"] == "model drafts")["ok"]

    assert verdicts_path().is_file(), "the command line hands the models layer the app's cache folder"
    listed = run_frontdesk("model", "list", "--json")  # same cache folder: remembered, no probe
    cpu = json.loads(listed.stdout)["cpu"]
    assert cpu["variant"] == ranked[1].name and cpu["how"] == "remembered from an earlier probe" and cpu["probe_ms"] == 0
    assert cpu["rejected"][0]["variant"] == ranked[0].name
    text = run_frontdesk("model", "list").stdout
    assert (f"llama.cpp CPU variant: {ranked[1].name} (remembered from an earlier probe); "
            f"rejected: {ranked[0].name}: killed by SIGILL in the probe") in text


def test_the_app_process_loads_only_the_accepted_variant(variants):
    """ggml_backend_load with the accepted file, not load_all: the crashing variant is never registered."""
    _, ranked, _ = variants
    script = (
        "import ctypes, json\n"
        "from models.backends import ensure_cpu_backends, llama_ggml_path\n"
        "from pathlib import Path\n"
        "report = ensure_cpu_backends()\n"
        "import llama_cpp\n"
        "ggml = ctypes.CDLL(str(llama_ggml_path(Path(llama_cpp.__file__).parent / 'lib')))\n"
        "ggml.ggml_backend_dev_count.restype = ctypes.c_size_t\n"
        "ggml.ggml_backend_reg_count.restype = ctypes.c_size_t\n"
        "print(json.dumps({'variant': report.variant, 'devices': ggml.ggml_backend_dev_count(),\n"
        "                  'registries': ggml.ggml_backend_reg_count()}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, CRASH_ENV: ranked[0].name},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"variant": ranked[1].name, "devices": 1, "registries": 1}


def test_loading_the_variant_leaves_file_descriptor_2_alone(variants):
    """ggml logs each variant it loads; the app's process quiets that through llama.cpp's log callback, never by
    pointing fd 2 at /dev/null, which silenced what every other thread printed meanwhile."""
    script = (
        "import os, sys, json\n"
        "moved = []\n"
        "real_dup2 = os.dup2\n"
        "def dup2(fd, fd2, *args):\n"
        "    moved.append(fd2)\n"
        "    return real_dup2(fd, fd2, *args)\n"
        "os.dup2 = dup2\n"
        "from models.backends import ensure_cpu_backends\n"
        "report = ensure_cpu_backends()\n"
        "print(json.dumps({'loaded': report.loaded, 'variant': report.variant, 'moved': moved}))\n"
    )
    _, ranked, _ = variants
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, CRASH_ENV: ranked[0].name},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] and report["variant"] == ranked[1].name and 2 not in report["moved"]
    assert "load_backend" not in done.stderr
