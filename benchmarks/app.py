"""The desktop app's speed as staff feel it, for 10 questions (Qt offscreen, or Xvfb if DISPLAY is set).

    QT_QPA_PLATFORM=offscreen python benchmarks/app.py

Prints: process start to window shown; window shown to first source painted after the click; to
the first draft text painted, against the runtime's own first token; and the longest UI stall.
Goals (issue 4): window under 2 s, sources under 150 ms, first text within 100 ms of the runtime's.
"""

from __future__ import annotations

import time

PROCESS_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt's teardown can end the process before Python flushes a piped stdout: print line by line.
sys.stdout.reconfigure(line_buffering=True)

from _common import QUESTIONS, mean, sample_bundle  # noqa: E402


def main() -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from desktop.main_window import MainWindow
    from app.services import open_services
    from desktop.themes import apply_theme

    services = open_services(bundle=sample_bundle())
    apply_theme(app, "light", 100)
    window = MainWindow(services)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - PROCESS_START

    def wait(signal, timeout_ms=60000):
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

    if window.model_info is None:
        wait(window.model_ready)
    gaps, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    questions = [q["question"] for q in (json.loads(l) for l in QUESTIONS.read_text().splitlines() if l.strip()) if q["expected"]][:10]
    sources_ms, painted_ms, runtime_first_ms = [], [], []
    for q in questions:
        window.question_edit.setPlainText(q)
        marks = {}
        window.sources_shown.connect(lambda _n: marks.setdefault("sources", time.perf_counter()))
        window.first_text_painted.connect(lambda: marks.setdefault("text", time.perf_counter()))
        clicked = time.perf_counter()
        window.start_draft("generated")
        wait(window.draft_finished)
        window.sources_shown.disconnect()
        window.first_text_painted.disconnect()
        sources_ms.append((marks["sources"] - clicked) * 1000)
        if "text" in marks and window.draft and window.draft.timings.first_token_ms:
            painted_ms.append((marks["text"] - clicked) * 1000)
            runtime_first_ms.append(window.draft.timings.first_token_ms)
    timer.stop()
    # History writes run on the window's thread (one small transaction each, synchronous=FULL):
    # measured here so that choice stays a measured one.
    saves = []
    for i in range(50):
        started = time.perf_counter()
        services.history.autosave(None, questions[0], f"draft text {i} " * 40)
        saves.append((time.perf_counter() - started) * 1000)
    window.shutdown()
    services.close()
    lag = [p - r for p, r in zip(painted_ms, runtime_first_ms)]
    print(f"platform {os.environ['QT_QPA_PLATFORM']}, {len(questions)} questions, rewrite (generated) mode")
    print(f"process start to window shown       {shown * 1000:7.0f} ms   (goal < 2000)")
    print(f"click to sources painted, mean/max  {mean(sources_ms):7.1f} / {max(sources_ms):.1f} ms   (goal < 150)")
    # The first click comes the moment the drafting model is ready, often before the embedding model
    # has loaded and embedded the approved questions (about 1.5 s after start): a person typing a
    # question takes longer than that. The rest show the steady state.
    print(f"  first click / the other {len(sources_ms) - 1}, mean      {sources_ms[0]:7.1f} / {mean(sources_ms[1:]):.1f} ms")
    print(f"click to first text painted, mean   {mean(painted_ms):7.0f} ms")
    print(f"  runtime's own first token, mean   {mean(runtime_first_ms):7.0f} ms")
    print(f"  painted after the runtime's, mean {mean(lag):7.1f} ms, max {max(lag):.1f} ms   (goal < 100)")
    print(f"longest UI stall during drafting    {max(gaps) * 1000:7.1f} ms")
    print(f"history autosave (UI thread), mean/max {mean(saves):5.2f} / {max(saves):.2f} ms")


if __name__ == "__main__":
    main()
