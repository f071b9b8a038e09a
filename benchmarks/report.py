"""The pilot report over a large history: 50,000 drafts in a real history.db, reported (figures and HTML page) in under 2 s.

Also timed: the anonymous per-draft CSV (one row per draft, so it grows with the history), and the
Report view over the same file (how long until it is shown, and the longest stall of the window's
thread meanwhile, from a 5 ms timer).

The history is made by HistoryStore (the app's own schema and migrations) and filled in one
transaction with drafts spread over 26 weeks and three guidance versions: modes, "No guidance
found", copies, prints and saves with their changed share and time, and feedback with reasons.

    python benchmarks/report.py [--drafts 50000]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import datetime, timedelta, timezone

from _common import WORK


def fill_history(path, drafts: int, seed: int = 11) -> None:
    from desktop.history import REASONS, HistoryStore

    store = HistoryStore(path)
    store.close()
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    rows, feedback = [], []
    for n in range(1, drafts + 1):
        at = start + timedelta(minutes=n * 26 * 7 * 24 * 60 / drafts)
        no_guidance = rng.random() < 0.08
        mode = "extractive" if no_guidance else rng.choices(("approved", "extractive", "generated"), (0.25, 0.6, 0.15))[0]
        left = not no_guidance and rng.random() < 0.8
        version = 10 + min(2, (at - start).days // 60)
        rows.append((at.isoformat(timespec="seconds"), "[redacted question]", "[redacted question]", "draft", "draft", mode, int(no_guidance),
                     "[]", "[]", "[]", "SmolLM2-135M-Instruct", "", "jobcentre-guidance", version, json.dumps({"total_ms": 5.0}),
                     rng.choice(("", "first-payment-wait")) if mode == "approved" else "",
                     (at + timedelta(seconds=60)).isoformat(timespec="seconds") if left else None,
                     rng.choice(("copied", "printed", "saved")) if left else "",
                     rng.lognormvariate(4.5, 0.6) if left else None, min(1.0, rng.expovariate(8)) if left else None))
        if rng.random() < 0.15:
            rating = rng.choice(("helpful", "not_helpful", "guidance_wrong"))
            feedback.append((n, at.isoformat(timespec="seconds"), rating, "", rng.choice(REASONS)[0] if rating == "not_helpful" else ""))
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO drafts (created_at, question, question_redacted, draft_text, final_text, mode, no_guidance, sources, citations, "
            "unsupported, model, model_sha256, bundle_id, bundle_version, timings, answer_id, out_at, out_action, seconds_to_out, "
            "changed_share) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO feedback (draft_id, at, rating, comment, reason) VALUES (?,?,?,?,?)", feedback)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=50_000)
    args = parser.parse_args()
    from app.report import build_report, read_records, report_csv
    from app.report_html import report_html

    path = WORK / "history.db"
    started = time.perf_counter()
    fill_history(path, args.drafts)
    print(f"history of {args.drafts:,} drafts written in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        report = build_report(path, retention_days=183)
        built = time.perf_counter()
        page = report_html(report)
        rendered = time.perf_counter()
        table = report_csv(read_records(path))
        done = time.perf_counter()
        timings.append((built - started, rendered - built, done - rendered, done - started))
    best = min(timings, key=lambda t: t[3])
    print(f"report over {report.overall.drafts:,} drafts, {len(report.by_week)} weeks, {len(report.by_bundle)} guidance versions: "
          f"read and figures {best[0] * 1000:.0f} ms, HTML with charts {best[1] * 1000:.0f} ms ({len(page) / 1e3:.0f} kB), "
          f"report {(best[0] + best[1]) * 1000:.0f} ms (best of 3; worst {max(t[0] + t[1] for t in timings) * 1000:.0f} ms; goal < 2,000 ms); "
          f"the anonymous per-draft CSV besides {best[2] * 1000:.0f} ms")
    print(f"CSV: {table.count(chr(10)) - 1:,} rows")
    window_stall(path)


def window_stall(path) -> None:
    """The Report view over the same history: the longest gap between ticks of a 5 ms timer on the UI thread while it is built."""
    import os
    import time
    from types import SimpleNamespace

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from desktop.report_view import ReportDialog
    from desktop.workers import JobList
    from knowledge.config import Policy

    app = QApplication.instance() or QApplication([])
    parent = QWidget()
    services = SimpleNamespace(history=SimpleNamespace(path=path), policy=Policy(), settings=SimpleNamespace(history_days=183))
    jobs = JobList(parent)
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    timer.start()
    started = time.perf_counter()
    dialog = ReportDialog(services, jobs, parent)  # starts the worker
    dialog.report_shown.connect(loop.quit)
    dialog.report_failed.connect(loop.quit)
    dialog.show()
    loop.exec()
    shown = time.perf_counter()
    timer.stop()
    jobs.wait_all()
    gaps = [b - a for a, b in zip([started] + ticks, ticks + [shown])]
    print(f"Report view: shown {1000 * (shown - started):.0f} ms after opening; longest UI-thread stall while it was built "
          f"{1000 * max(gaps):.1f} ms ({len(ticks)} timer ticks)")


if __name__ == "__main__":
    main()
