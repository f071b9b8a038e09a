"""Screenshots of the main states for docs/: run under Xvfb (xvfb-run python scripts/screenshots.py).

Empty window, sources and draft, a draft streaming, no guidance found, an approved answer, the
Report view, settings, and the welcome (`--answers`: only the approved answer and the Report view).
Each is the real window driven as staff would drive it, grabbed with QWidget.grab().
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="frontdesk-shots-"))
for name in ("DATA", "CONFIG", "CACHE", "LOG"):
    os.environ[f"FRONTDESK_{name}_DIR"] = str(WORK / name.lower())
os.environ["FRONTDESK_POLICY"] = str(WORK / "policy.toml")
DOCS = ROOT / "docs"


def answer_and_report_shots(window, services, wait, shot) -> None:
    """An approved answer drafted first (flagged: its page changed after approval), and the Report view
    over a generated history of 2,000 drafts (benchmarks/report.py makes it; no real person's data)."""
    import importlib.util
    from dataclasses import replace

    from app.history import HistoryStore
    from desktop.report_view import ReportDialog

    window.question_edit.setPlainText("can I work and still get universal credit")
    window.start_draft()
    wait(window.draft_finished)
    shot(window, "08-approved-answer.png")
    spec = importlib.util.spec_from_file_location("report_bench", ROOT / "benchmarks" / "report.py")
    bench = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec.loader.exec_module(bench)
    demo = WORK / "demo-history.db"
    bench.fill_history(demo, 2000)
    store = HistoryStore(demo)
    dialog = ReportDialog(replace(services, history=store), window.jobs, window)
    dialog.resize(1100, 900)
    dialog.show()
    wait(dialog.report_shown)
    shot(dialog, "09-report-view.png")
    dialog.view.find("Feedback by reason")  # the feedback chart and table, then the figures by guidance version
    bar = dialog.view.verticalScrollBar()
    bar.setValue(bar.value() + dialog.view.cursorRect().top() - 40)
    shot(dialog, "10-report-tables.png")
    dialog.close()
    store.close()


def main() -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from app.services import open_services
    from desktop.themes import apply_theme

    app = QApplication(sys.argv[:1])
    services = open_services()
    apply_theme(app, "light", 100)
    window = MainWindow(services)
    window.resize(1280, 820)
    window.show()

    def wait(signal=None, ms=60000):
        loop = QEventLoop()
        if signal is not None:
            signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if signal is not None:
            signal.disconnect(loop.quit)

    def shot(widget, name):
        app.processEvents()
        widget.grab().save(str(DOCS / name))
        print(f"docs/{name}")

    if "--answers" in sys.argv:  # only the approved answer and the Report view: no model needed
        window.shutdown()
        window = MainWindow(services, load_model=False)
        window.resize(1280, 820)
        window.show()
        answer_and_report_shots(window, services, wait, shot)
        window.shutdown()
        services.close()
        return
    wait(window.model_ready)
    shot(window, "01-empty.png")
    window.question_edit.setPlainText("Hi, I started a part time job last month. Will my universal credit stop? "
                                      "You can call me on 07700 900123. Thanks, Sam")
    window.start_draft()
    wait(window.draft_finished)
    shot(window, "02-sources-and-draft.png")
    subprocess.run(["import", "-window", "root", str(DOCS / "02-sources-and-draft-xvfb.png")], check=False)
    window.question_edit.setPlainText("how do universal credit advances work and how do I pay one back")
    window.start_draft("generated")
    wait(window.first_text_painted)
    wait(ms=300)
    shot(window, "03-draft-streaming.png")
    wait(window.draft_finished)
    window.question_edit.setPlainText("who won the football last night")
    window.start_draft()
    wait(window.draft_finished)
    shot(window, "04-no-guidance.png")
    answer_and_report_shots(window, services, wait, shot)
    from desktop.settings_dialog import SettingsDialog
    from desktop.welcome import WelcomeDialog

    dialog = SettingsDialog(services, window)
    dialog.show()
    shot(dialog, "05-settings.png")
    dialog.close()
    welcome = WelcomeDialog(services, True, "", window)
    welcome.show()
    shot(welcome, "06-welcome.png")
    welcome.close()
    from dataclasses import replace

    window.apply_settings(replace(services.settings, theme="high-contrast", font_scale=150))
    window.resize(1400, 900)
    window.question_edit.setPlainText("how much is a sure start maternity grant")
    window.start_draft()
    wait(window.draft_finished)
    shot(window, "07-high-contrast-150.png")
    window.shutdown()
    services.close()


if __name__ == "__main__":
    main()
