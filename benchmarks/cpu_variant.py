"""What choosing llama.cpp's CPU variant costs: a machine's first start (rank, probe in a child, load)
against a later start (the remembered verdict), each in a fresh process as the app starts.

    python benchmarks/cpu_variant.py [--runs 3]

Prints, per kind of start, ensure_cpu_backends()'s time (mean and max), the time spent in probe
children, the variant chosen and how; plus `import llama_cpp` alone, which every start pays anyway.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from _common import ROOT, mean

MEASURE = """
import json, time
started = time.perf_counter()
import llama_cpp
import models.runtime, app.config, psutil  # what the app has imported before its first model load
from models.backends import ensure_cpu_backends
app.config.place_model_files()  # the app's cache folder (FRONTDESK_CACHE_DIR here), as every start does
imported = time.perf_counter()
report = ensure_cpu_backends()
print(json.dumps({"import_ms": (imported - started) * 1000, "choose_ms": (time.perf_counter() - imported) * 1000,
                  "probe_ms": report.probe_ms, "variant": report.variant, "how": report.how}))
"""


def one_start(cache: str) -> dict:
    env = {**os.environ, "FRONTDESK_CACHE_DIR": cache, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", MEASURE], env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    first, later = [], []
    for _ in range(args.runs):
        cache = tempfile.mkdtemp(prefix="frontdesk-cpu-")
        try:
            first.append(one_start(cache))  # an empty cache: this machine's first start
            later.append(one_start(cache))  # the verdict is remembered
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} logical CPUs, load average {load:.1f}; {args.runs} runs of each")
    for name, runs in (("first start", first), ("later start", later)):
        chosen = runs[-1]
        print(f"{name:<12} choosing {mean([r['choose_ms'] for r in runs]):7.0f} ms (max {max(r['choose_ms'] for r in runs):6.0f}), "
              f"in probes {mean([r['probe_ms'] for r in runs]):7.0f} ms; {chosen['variant']} ({chosen['how']})")
    print(f"import llama_cpp and Frontdesk's model modules, paid by every start anyway: "
          f"{mean([r['import_ms'] for r in first + later]):.0f} ms")


if __name__ == "__main__":
    main()
