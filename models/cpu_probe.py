"""Trying one llama.cpp CPU variant in a child process, so a variant that dies takes only the child with it.

ggml scores a variant on the CPU's flags, and flags can lie: an Intel Xeon with AMX in a VM
reported AMX, the kernel granted it, and libggml-cpu-sapphirerapids.so died with SIGILL on its
first `tileloadd`. No flag tells that in advance, so the variant is run: the child loads that
one variant (nothing else) into the libggml llama.cpp uses, loads a small model, evaluates a
short prompt with several threads and two single-token steps, and prints one JSON line. The
parent reads a signal, an error or a hang (timeout) as a rejection of that variant.

The child is this module run as a program: `python -m models.cpu_probe` from the source tree
or an installed package, and the frozen `frontdesk` binary itself in the PyInstaller folder
(build/frontdesk_entry.py turns the process into the probe when FRONTDESK_CPU_PROBE is set).
Either way the probe's instructions travel in that environment variable, as JSON.

For tests, FRONTDESK_PROBE_CRASH=name[,name...] makes the child kill itself with SIGILL when it
tries that variant, and FRONTDESK_PROBE_HANG=name[,name...] makes it hang ("*" means every variant).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROBE_ENV = "FRONTDESK_CPU_PROBE"
CRASH_ENV = "FRONTDESK_PROBE_CRASH"
HANG_ENV = "FRONTDESK_PROBE_HANG"
PROBE_TIMEOUT_S = 30.0  # measured: about 1 s idle, a few s beside a CPU hog; a variant that hangs spins forever
EXIT_REJECTED = 2  # the variant loaded but failed: reject it
EXIT_CANNOT_PROBE = 3  # the probe itself could not run (no llama.cpp, no model): says nothing of the variant
PROBE_PROMPT = (
    "Universal Credit is a payment to help with your living costs. You may be able to get it if you are on "
    "a low income, out of work or you cannot work."
)
# Windows reports a crash as an NTSTATUS exit code rather than a signal.
_WINDOWS_CRASHES = {0xC000001D: "illegal instruction", 0xC0000005: "access violation", 0xC0000096: "privileged instruction"}


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    """What became of one probe."""

    ok: bool
    why: str = ""  # for a failure, in words: "killed by SIGILL in the probe"
    ran: bool = True  # False: no probe could run at all (the variant was not tried)
    timed_out: bool = False
    elapsed_ms: float = 0.0


def probe_command() -> list[str]:
    """How to start the probe child: the frozen binary itself, or this Python running this module."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "models.cpu_probe"]


def _child_environment(spec: dict) -> dict[str, str]:
    env = dict(os.environ)
    env[PROBE_ENV] = json.dumps(spec)
    if not getattr(sys, "frozen", False):
        # The child must import this same copy of Frontdesk (a checkout may shadow an installed one).
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("PYTHONFAULTHANDLER", None)  # a traceback dump on SIGILL would only be noise here
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the app runs (models/threads.py); spinning, a busy machine's probe took 15-30 s
    return env


def describe_exit(returncode: int) -> str:
    """ "killed by SIGILL" for a child a signal ended; "exited with code N" otherwise."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    crash = _WINDOWS_CRASHES.get(returncode & 0xFFFFFFFF)
    return f"crashed ({crash})" if crash else f"exited with code {returncode}"


def probe_variant(variant: str, path: Path, model: Path, threads: int, timeout: float = PROBE_TIMEOUT_S,
                  command: list[str] | None = None) -> ProbeOutcome:
    """Run the probe child on one variant library; never raises, never waits longer than `timeout`."""
    spec = {"variant": variant, "path": str(path), "model": str(model), "threads": int(threads)}
    started = time.perf_counter()
    try:
        done = subprocess.run(command or probe_command(), env=_child_environment(spec), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:  # run() has killed the child
        return ProbeOutcome(False, f"no answer within {timeout:g} s in the probe (killed)", timed_out=True,
                            elapsed_ms=(time.perf_counter() - started) * 1000)
    except OSError as exc:
        return ProbeOutcome(False, f"the probe could not start ({exc})", ran=False)
    elapsed = (time.perf_counter() - started) * 1000
    said = _last_json_line(done.stdout)
    if done.returncode == 0 and said.get("ok"):
        return ProbeOutcome(True, elapsed_ms=elapsed)
    if done.returncode == EXIT_CANNOT_PROBE:
        return ProbeOutcome(False, f"the probe could not run ({said.get('why', 'no reason given')})", ran=False, elapsed_ms=elapsed)
    if done.returncode == EXIT_REJECTED and said.get("why"):
        return ProbeOutcome(False, f"{said['why']} in the probe", elapsed_ms=elapsed)
    if done.returncode > 0 and not said:
        # A Python that could not even start the module (a broken install, a frozen build without
        # the probe entry) tells nothing about the variant.
        tail = " ".join(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:])[:200]
        return ProbeOutcome(False, f"the probe could not run ({describe_exit(done.returncode)}: {tail})", ran=False,
                            elapsed_ms=elapsed)
    return ProbeOutcome(False, f"{describe_exit(done.returncode)} in the probe", elapsed_ms=elapsed)


def _last_json_line(output: bytes) -> dict:
    for line in reversed(output.decode("utf-8", "replace").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return {}
    return {}


# -- the child ---------------------------------------------------------------------------------

def _named(env_name: str, variant: str) -> bool:
    names = {n.strip() for n in os.environ.get(env_name, "").split(",") if n.strip()}
    return variant in names or "*" in names


def _say(exit_code: int, **fields) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
    # No interpreter teardown: freeing llama.cpp's objects is slow and proves nothing.
    os._exit(exit_code)


def run_probe(spec: dict) -> None:
    """The child's work (never returns): load one variant, a model, evaluate; report on stdout."""
    variant, path = spec["variant"], Path(spec["path"])
    threads = max(1, int(spec.get("threads") or 1))
    try:
        import ctypes

        import llama_cpp

        from models.backends import llama_ggml_path

        ggml_path = llama_ggml_path(Path(llama_cpp.__file__).parent / "lib")
        if ggml_path is None:
            _say(EXIT_CANNOT_PROBE, ok=False, why="this llama.cpp has its CPU backend built in")
        ggml = ctypes.CDLL(str(ggml_path))
        ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
        ggml.ggml_backend_load.restype = ctypes.c_void_p
        ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
    except Exception as exc:  # noqa: BLE001 - anything here is the probe's problem, not the variant's
        _say(EXIT_CANNOT_PROBE, ok=False, why=f"{type(exc).__name__}: {exc}")
    with quiet_stderr():
        registered = ggml.ggml_backend_load(os.fsencode(path))
    if not registered or ggml.ggml_backend_dev_count() == 0:
        _say(EXIT_REJECTED, ok=False, why="ggml could not load it")
    if _named(CRASH_ENV, variant):  # injected for tests: what the AMX variant did on the Xeon in a VM
        os.kill(os.getpid(), signal.SIGILL)
    if _named(HANG_ENV, variant):  # injected for tests: a variant that never finishes
        while True:
            time.sleep(3600)
    started = time.perf_counter()
    try:
        with quiet_stderr():
            llama = llama_cpp.Llama(model_path=spec["model"], n_ctx=128, n_batch=64, n_threads=threads,
                                    n_threads_batch=threads, verbose=False)
    except Exception as exc:  # noqa: BLE001 - a model that will not load says nothing of the variant
        _say(EXIT_CANNOT_PROBE, ok=False, why=f"the probe model did not load ({exc})")
    loaded = time.perf_counter()
    try:
        tokens = llama.tokenize(PROBE_PROMPT.encode(), add_bos=True)
        llama.eval(tokens)  # a batch: the multi-threaded matrix multiplications a prompt takes
        for token in tokens[1:3]:  # then single-token steps, as while writing an answer
            llama.eval([token])
    except Exception as exc:  # noqa: BLE001
        _say(EXIT_REJECTED, ok=False, why=f"llama.cpp failed ({type(exc).__name__}: {exc})")
    _say(0, ok=True, variant=variant, threads=threads, tokens=len(tokens),
         load_ms=round((loaded - started) * 1000, 1), eval_ms=round((time.perf_counter() - loaded) * 1000, 1))


def main() -> None:
    """Entry point of the probe child (the environment variable carries its instructions)."""
    raw = os.environ.pop(PROBE_ENV, "")
    try:
        spec = json.loads(raw)
        spec["path"], spec["model"], spec["variant"]
    except (ValueError, KeyError, TypeError):
        _say(EXIT_CANNOT_PROBE, ok=False, why=f"{PROBE_ENV} is not a probe's instructions")
    run_probe(spec)


@contextmanager
def quiet_stderr():
    """Silence what C libraries write to file descriptor 2 for the duration: only in the probe's own child
    process, which runs no other thread (in the app's process a load is quieted by llama.cpp's log callback,
    models/llama_log.py, as pointing fd 2 at /dev/null would silence every thread meanwhile)."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


if __name__ == "__main__":
    main()
