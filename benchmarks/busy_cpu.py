"""Drafting on a busy laptop: generated drafts beside a CPU hog on every core, against an idle run.

    python benchmarks/busy_cpu.py [--drafts 3] [--max-tokens 48] [--configs idle,hog-auto,...]

Each configuration runs in a fresh process (the OpenMP wait policy is read once, when llama.cpp's
CPU variant loads), through the app's own path: the sample bundle, models.drafting.stream_draft in
"generated" mode, LocalRuntime. It prints, per configuration: the threads llama.cpp computed with,
first-token and total time per draft, Stop latency (Stop pressed after the third token, and Stop
pressed 150 ms into reading a prompt), and every draft that ran over 60 s. A draft is stopped at
60 s (reported, never waited on), and a configuration's process is killed after 10 minutes.

The hog is one spinning process per logical CPU at normal priority (as Teams, a browser or an
antivirus scan would be), started before the configuration's process and killed after it, and
each hog process also ends by itself after --hog-seconds.

Configurations:
  idle            nothing else running; automatic threads (the default)
  hog-auto        the default: passive OpenMP waiting, automatic threads (one per free core)
  hog-all-passive every physical core, passive OpenMP waiting
  hog-all-spin    every physical core, OpenMP's default waiting (what Frontdesk did before)
  hog-fewer-spin  one thread fewer than the cores, OpenMP's default waiting
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import QUESTIONS, ROOT, mean, sample_bundle

DRAFT_LIMIT_S = 60.0
CONFIG_LIMIT_S = 600.0
CONFIGS = {
    # name: (hog, wait policy or None for OpenMP's default, threads: "auto", "all" or "fewer")
    "idle": (False, "PASSIVE", "auto"),
    "hog-auto": (True, "PASSIVE", "auto"),
    "hog-all-passive": (True, "PASSIVE", "all"),
    "hog-all-spin": (True, None, "all"),
    "hog-fewer-spin": (True, None, "fewer"),
}
SPIN = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"


# -- the hog -------------------------------------------------------------------------------------

def start_hog(seconds: float) -> list[subprocess.Popen]:
    """One spinning process per logical CPU, each ending by itself after `seconds`."""
    return [subprocess.Popen([sys.executable, "-c", SPIN, str(seconds)]) for _ in range(os.cpu_count() or 1)]


def stop_hog(hog: list[subprocess.Popen]) -> None:
    for process in hog:
        if process.poll() is None:
            process.kill()
    for process in hog:
        process.wait()


# -- one configuration, in its own process --------------------------------------------------------

def questions(n: int) -> list[str]:
    with open(QUESTIONS) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["question"] for r in rows if r.get("expected")][:n]


def run_draft(searcher, runtime, question: str, max_tokens: int, stop_after_tokens: int | None = None,
              stop_after_s: float | None = None) -> dict:
    """One generated draft; a watchdog stops it at DRAFT_LIMIT_S. Times in ms."""
    from models.draft import DoneEvent, TokenEvent
    from models.drafting import stream_draft

    cancel = threading.Event()
    asked: list[float] = []

    def press_stop() -> None:
        asked.append(time.perf_counter())
        cancel.set()

    watchdog = threading.Timer(DRAFT_LIMIT_S, press_stop)
    watchdog.start()
    early = threading.Timer(stop_after_s, press_stop) if stop_after_s is not None else None
    started = time.perf_counter()
    if early:
        early.start()
    first, tokens = None, 0
    try:
        for event in stream_draft(question, searcher, runtime, mode="generated", max_tokens=max_tokens, cancel=cancel):
            if isinstance(event, TokenEvent):  # (a local model never restarts: no RestartEvent here)
                tokens += 1
                first = first or time.perf_counter()
                if stop_after_tokens is not None and tokens == stop_after_tokens and not cancel.is_set():
                    press_stop()
            elif isinstance(event, DoneEvent):
                pass
    finally:
        ended = time.perf_counter()
        watchdog.cancel()
        if early:
            early.cancel()
    over_limit = bool(asked) and asked[0] - started >= DRAFT_LIMIT_S - 0.01
    return {
        "question": question, "tokens": tokens, "first_token_ms": (first - started) * 1000 if first else None,
        "total_ms": (ended - started) * 1000, "over_60s": over_limit,
        "stop_latency_ms": (ended - asked[0]) * 1000 if asked and not over_limit else None,
    }


def worker(config: str, drafts: int, max_tokens: int, bundle: str) -> dict:
    from knowledge.search import Searcher
    from models.backends import ensure_cpu_backends
    from models.catalogue import embedded_model_path
    from models.runtime import LocalRuntime
    from models.threads import physical_cores

    _, policy, threads = CONFIGS[config]
    if policy is None:  # OpenMP's own default: undo Frontdesk's passive waiting before llama.cpp loads
        import models.threads

        os.environ.pop("OMP_WAIT_POLICY", None)
        models.threads.prefer_passive_waiting = lambda: None
    fixed = {"auto": None, "all": physical_cores(), "fewer": max(1, physical_cores() - 1)}[threads]
    runtime = LocalRuntime(embedded_model_path(), threads=fixed)
    runtime.load()
    cpu = ensure_cpu_backends()
    results, stops = [], []
    with Searcher(Path(bundle)) as searcher:
        for question in questions(drafts):
            results.append(run_draft(searcher, runtime, question, max_tokens) | {"threads": runtime.llama_threads})
        stops.append(run_draft(searcher, runtime, questions(1)[0], 400, stop_after_tokens=3) | {"kind": "between tokens"})
        long_question = " ".join(questions(8))  # a fresh, long prompt: Stop lands while llama.cpp reads it
        stops.append(run_draft(searcher, runtime, long_question, 64, stop_after_s=0.15) | {"kind": "reading the prompt"})
    runtime.close()
    return {"config": config, "variant": cpu.variant, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"),
            "drafts": results, "stops": stops}


def run_config(config: str, drafts: int, max_tokens: int, hog_seconds: float, bundle: Path) -> dict:
    hog_on = CONFIGS[config][0]
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    hog = start_hog(hog_seconds) if hog_on else []
    try:
        done = subprocess.run([sys.executable, __file__, "--worker", config, "--drafts", str(drafts),
                               "--max-tokens", str(max_tokens), "--bundle", str(bundle)], env=env, capture_output=True, text=True,
                              timeout=CONFIG_LIMIT_S)
    except subprocess.TimeoutExpired:  # a hang inside llama.cpp that Stop could not end: reported, not waited on
        return {"config": config, "error": f"HUNG: killed after {CONFIG_LIMIT_S:.0f} s"}
    finally:
        stop_hog(hog)
    if done.returncode != 0:
        return {"config": config, "error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"load_before": load_before}


def describe(result: dict) -> str:
    if "error" in result:
        return f"{result['config']:<16} FAILED: {result['error']}"
    drafts = result["drafts"]
    firsts = [d["first_token_ms"] for d in drafts if d["first_token_ms"]]
    totals = [d["total_ms"] for d in drafts]
    over = [d for d in drafts + result["stops"] if d["over_60s"]]
    stops = {s["kind"]: s["stop_latency_ms"] for s in result["stops"]}
    threads = sorted({d["threads"] for d in drafts})
    line = (f"{result['config']:<16} load {result['load_before']:4.1f}  threads {','.join(map(str, threads)):<4} first token {mean(firsts):7.0f} ms "
            f"(max {max(firsts, default=float('nan')):6.0f})  total {mean(totals):7.0f} ms (max {max(totals):6.0f})  "
            f"Stop: between tokens {fmt(stops.get('between tokens'))}, reading a prompt {fmt(stops.get('reading the prompt'))}")
    for d in over:
        line += f"\n    OVER 60 s, stopped: {d['question'][:60]!r}"
    return line


def fmt(ms) -> str:
    return "n/a" if ms is None else f"{ms:.0f} ms"


def main() -> None:
    # A benchmark stopped with kill still runs its finally blocks: the hog never outlives it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drafts", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--configs", default="idle,hog-auto,hog-all-passive,hog-all-spin,hog-fewer-spin")
    parser.add_argument("--hog-seconds", type=float, default=CONFIG_LIMIT_S + 30,
                        help="each hog process ends by itself after this (by default it outlasts any configuration)")
    parser.add_argument("--bundle", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.drafts, args.max_tokens, args.bundle)))
        return
    bundle = sample_bundle()  # built once, before any hog, and passed to every worker
    print(f"{os.cpu_count()} logical CPUs; {args.drafts} generated drafts of up to {args.max_tokens} tokens per configuration")
    results = []
    for config in args.configs.split(","):
        result = run_config(config, args.drafts, args.max_tokens, args.hog_seconds, bundle)
        results.append(result)
        print(describe(result), flush=True)
    over = sum(d["over_60s"] for r in results if "error" not in r for d in r["drafts"] + r["stops"])
    hung = [r["config"] for r in results if "error" in r]
    print(f"drafts over 60 s (stopped by the watchdog): {over}; configurations that failed or hung: {', '.join(hung) or 'none'}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
