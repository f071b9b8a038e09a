"""The frozen build against running from source: start-up to window, self-test time, size.

    python benchmarks/frozen.py      (needs dist/frontdesk from build/build.sh)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, WORK

FROZEN = ROOT / "dist" / "frontdesk" / "frontdesk"
SOURCE = Path(sys.executable).with_name("frontdesk")


def timed(cmd, env) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {result.stderr[-500:]}")
    return time.perf_counter() - started


def main() -> None:
    if not FROZEN.exists():
        raise SystemExit("No frozen build: run build/build.sh first.")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(WORK / "home"), "FRONTDESK_QUIT_AFTER_SHOWN": "1"}
    rows = []
    for label, program in (("frozen", FROZEN), ("source", SOURCE)):
        window = min(timed([str(program)], env) for _ in range(3))
        selftest = min(timed([str(program), "self-test", "--json"], env) for _ in range(2))
        rows.append((label, window, selftest))
    size = sum(p.stat().st_size for p in FROZEN.parent.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"{'':8} {'start to window shown':>22} {'self-test':>10}")
    for label, window, selftest in rows:
        print(f"{label:8} {window * 1000:20.0f}ms {selftest:9.1f}s")
    print(f"frozen folder: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
