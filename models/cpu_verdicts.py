"""The remembered verdicts on llama.cpp's CPU variants, per machine, so only the first start pays for a probe.

A verdict is keyed by the machine (CPU model and flags: what ggml scores the variants on), the
llama-cpp-python version, and the sha256 of the variant file it was reached on: a new CPU, a new
llama.cpp or a changed library file is probed afresh. The file is the caller's: the app keeps it in
its cache folder (app.config.AppPaths.cpu_verdicts) and says so through
models.backends.remember_verdicts_in; this layer knows no app folder. Deleting the file only costs
one probe at the next start; with no file, nothing is remembered (a probe in every process).
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.files import write_file_atomically

SCHEMA = 1
RETRY_TIMEOUT_AFTER_S = 7 * 24 * 3600  # a probe that timed out may only have met a busy machine: try again a week later


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the probe found for one variant file on this machine."""

    variant: str
    sha256: str
    ok: bool
    why: str = ""  # for a rejection: "killed by SIGILL in the probe", "no answer within 30 s", ...
    timed_out: bool = False
    probe_ms: float = 0.0
    threads: int = 0
    at: float = 0.0  # time.time() when probed


def machine_description() -> str:
    """The CPU's model name and flags (Linux: /proc/cpuinfo), else what the platform module knows."""
    model, flags = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model name" and not model:
                model = value.strip()
            elif key in ("flags", "Features") and not flags:
                flags = " ".join(sorted(value.split()))
            if model and flags:
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()} | {model or platform.processor()} | {flags}"


def machine_key(llama_version: str) -> str:
    """A short key for this machine and llama.cpp version."""
    return hashlib.sha256(f"{machine_description()} | llama-cpp-python {llama_version}".encode()).hexdigest()[:20]


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}  # missing or damaged: probing again is the cure
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def known_verdicts(key: str, path: Path | None) -> dict[str, Verdict]:
    """This machine's verdicts in the file at `path` (None: none), by variant file sha256, in the order they were reached."""
    if path is None:
        return {}
    entries = _read(path).get("machines", {}).get(key, {}).get("verdicts", {})
    found = {}
    for sha, raw in entries.items():
        try:
            found[sha] = Verdict(**{k: raw[k] for k in raw if k in Verdict.__dataclass_fields__})
        except TypeError:
            continue
    return found


def worth_retrying(verdict: Verdict, now: float | None = None) -> bool:
    """A timeout from long enough ago: the machine may only have been busy then."""
    return verdict.timed_out and (now or time.time()) - verdict.at > RETRY_TIMEOUT_AFTER_S


def remember_verdicts(key: str, verdicts: list[Verdict], path: Path | None) -> None:
    """Add these verdicts to the file at `path` (atomically: a crash leaves the old file or the new one); None: forget them."""
    if not verdicts or path is None:
        return
    data = _read(path) or {"schema": SCHEMA, "machines": {}}
    machine = data.setdefault("machines", {}).setdefault(key, {"cpu": machine_description(), "verdicts": {}})
    for verdict in verdicts:
        machine.setdefault("verdicts", {})[verdict.sha256] = asdict(verdict)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(path, json.dumps(data, indent=2))
    except OSError:
        pass  # a read-only cache costs a probe at every start, never the start itself
