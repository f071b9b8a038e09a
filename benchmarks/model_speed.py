"""Model speed on this computer, per catalogue model and thread count: load, prompt and generation tokens/s.

    python benchmarks/model_speed.py [--tokens 64] [--repeat 3] [--threads 1 2]

Each configuration loads the model afresh and runs `models.speed.measure_speed` (a cold ~400-token
grounded prompt, then a second question sharing the instructions, then generation); the best of
--repeat runs is printed, since other work on the machine only ever slows a run down. Generation is
set against the memory-bandwidth bound (copy bandwidth / model size).
"""

from __future__ import annotations

import argparse

from _common import ROOT  # noqa: F401  (puts the project on sys.path, isolates the user folders)
from drafting import copy_bandwidth_gb_s

from app.config import app_paths
from models.catalogue import CATALOGUE, resolve_model_path
from models.errors import ModelError
from models.runtime import physical_cores
from models.speed import measure_speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="*", default=sorted({1, physical_cores()}))
    args = parser.parse_args()
    bandwidth = copy_bandwidth_gb_s()
    print(f"memory copy bandwidth {bandwidth:.1f} GB/s; {physical_cores()} physical cores")
    print(f"{'model':24} {'threads':>7} {'load ms':>8} {'prompt t/s':>11} {'2nd q. ms':>10} {'gen t/s':>8} {'bound t/s':>10} {'of bound':>9}")
    for entry in CATALOGUE:
        try:
            path = resolve_model_path(entry.name, None, models=app_paths().models)
        except ModelError as exc:
            print(f"{entry.name:24} not installed: {exc}")
            continue
        bound = bandwidth * 1e9 / path.stat().st_size
        for threads in args.threads:
            runs = []
            for _ in range(args.repeat):
                speed, runtime = measure_speed(path, threads=threads, max_tokens=args.tokens)
                runtime.close()
                runs.append(speed)
            gen = max((s.generation_tokens_per_s or 0) for s in runs)
            print(f"{entry.name:24} {threads:>7} {min(s.load_ms for s in runs):8.0f} {max(s.prompt_tokens_per_s for s in runs):11.0f} "
                  f"{min(s.cached_prompt_ms for s in runs):10.0f} {gen:8.1f} {bound:10.0f} {gen / bound:9.0%}")
        print(f"{'':24} CPU variant {runs[-1].cpu_variant}, prompt {runs[-1].prompt_tokens} tokens, "
              f"2nd question computes {runs[-1].cached_evaluated_tokens} of {runs[-1].cached_prompt_tokens}")


if __name__ == "__main__":
    main()
