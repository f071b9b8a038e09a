"""How many threads llama.cpp computes with: decided in one place, and kind to a busy laptop.

The count comes from the IT policy when it sets `threads`, else from the person's setting
("Processor threads", 0 meaning automatic), else it is automatic: before every draft the
runtime looks at how much CPU other programs used since its last look, and leaves them the
cores they are using while at least half stay free (one thread fewer than the physical cores
when one core's worth is busy on a 4-core laptop). llama.cpp's threads meet at a barrier after
every step of a computation; by default OpenMP's waiting threads spin there, burning a core
another program needs (on a machine with both cores busy, one `ask` spun for more than 4
minutes, and the CPU-variant probe took 15 to 30 s instead of 3 to 4). The passive OpenMP wait
policy (below) makes them sleep instead.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

WAIT_POLICY = "PASSIVE"
STALE_LOOK_S = 60.0  # an older look says little about now: sample afresh
FRESH_SAMPLE_S = 0.05  # that sample's length: a few scheduler ticks on every core
MIN_WINDOW_S = 0.2  # shorter windows are too coarse (the kernel counts CPU time in 10 ms ticks)


def physical_cores() -> int:
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:  # pragma: no cover - psutil is a dependency; this keeps odd builds running
        return max(1, (os.cpu_count() or 2) // 2)


def prefer_passive_waiting() -> None:
    """Ask the OpenMP runtime llama.cpp's CPU variants link (libgomp) to let idle threads sleep, not spin.

    Read once, when the OpenMP library loads, so this must run before the first variant is
    loaded; a value the person or IT set in the environment is kept.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)


@dataclass(frozen=True, slots=True)
class ThreadChoice:
    """The thread count to run with, or None for automatic, and who decided."""

    count: int | None
    source: str  # "policy", "setting" or "automatic"

    def describe(self) -> str:
        if self.count is None:
            return "automatic (the free physical cores, decided before each draft)"
        return f"{self.count} (set by {'your IT team' if self.source == 'policy' else 'you in Settings'})"


def choose_threads(policy_threads: int | None, setting_threads: int = 0) -> ThreadChoice:
    """The one place the thread count is decided: the IT policy, else the person's setting, else automatic."""
    if policy_threads:
        return ThreadChoice(max(1, int(policy_threads)), "policy")
    if setting_threads and int(setting_threads) > 0:
        return ThreadChoice(int(setting_threads), "setting")
    return ThreadChoice(None, "automatic")


def automatic_threads(others_busy_cores: float | None, cores: int | None = None) -> int:
    """The physical cores other programs leave free, when that is at least half of them; else every core.

    llama.cpp's threads wait for the slowest at every step. A thread on a core another program is
    busy on runs at about half speed and holds the rest back, so leaving the busy cores alone pays
    while the free ones are at least half. When other programs keep most cores busy, every
    thread is slowed alike and the most threads get the biggest share (measured with a hog on
    both cores of the build machine: 1 thread took longer than 2, benchmarks/busy_cpu.py).
    """
    cores = cores or physical_cores()
    if not others_busy_cores:
        return cores
    free = cores - round(others_busy_cores)
    return free if free >= 1 and free >= cores / 2 else cores


class CpuLoad:
    """How many cores' worth of CPU other programs used since the last look (this process's own time left out).

    Read from the system's CPU counters (psutil): busy time is everything but idle and I/O wait,
    so a hypervisor's steal time counts as busy, as it should in a VM.
    """

    def __init__(self) -> None:
        self._last = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            import psutil

            total = psutil.cpu_times()
            # As psutil's own cpu_percent: guest time is already inside user time.
            busy = (sum(total) - getattr(total, "guest", 0.0) - getattr(total, "guest_nice", 0.0)
                    - total.idle - getattr(total, "iowait", 0.0))
            own = psutil.Process().cpu_times()
            logical = psutil.cpu_count() or 1
            physical = psutil.cpu_count(logical=False) or logical
        except Exception:  # noqa: BLE001 - no counters (a locked-down machine): then the cores are all ours
            return None
        # Busy time is counted per logical CPU; threads are physical cores.
        return time.monotonic(), busy * physical / logical, (own.user + own.system) * physical / logical

    def others_busy_cores(self) -> float | None:
        """Cores' worth others used since the last look, or None when that cannot be told."""
        now = self._sample()
        first = self._last
        if now is None or first is None:
            self._last = now
            return None
        if not MIN_WINDOW_S <= now[0] - first[0] <= STALE_LOOK_S:
            # Too short to count, or too old to say anything about now: a short fresh sample.
            first = now
            time.sleep(FRESH_SAMPLE_S)
            now = self._sample()
        self._last = now
        return self._window(first, now)

    @staticmethod
    def _window(first, second) -> float | None:
        if first is None or second is None or second[0] <= first[0]:
            return None
        busy = (second[1] - first[1]) - (second[2] - first[2])
        return max(0.0, busy / (second[0] - first[0]))
