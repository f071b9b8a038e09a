"""The window on the most common office laptop screen, 1366x768: docs/08-1366x768.png.

Run under Xvfb with that screen size:
    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_1366x768.py
The window opens at its default size (capped to the screen), drafts an answer, and the whole screen
is captured with ImageMagick's `import`, so what is cut off by the screen's edge shows as cut off.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="frontdesk-1366-"))
for name in ("DATA", "CONFIG", "CACHE", "LOG"):
    os.environ[f"FRONTDESK_{name}_DIR"] = str(WORK / name.lower())
os.environ["FRONTDESK_POLICY"] = str(WORK / "policy.toml")
OUT = ROOT / "docs" / "08-1366x768.png"


def main() -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from desktop.services import open_services
    from desktop.themes import apply_theme

    app = QApplication(sys.argv[:1])
    services = open_services()
    apply_theme(app, "light", 100)
    window = MainWindow(services)
    window.show()

    def wait(signal, ms=120000):
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    wait(window.model_ready)
    window.question_edit.setPlainText("how long do I have to ask for a mandatory reconsideration")
    window.start_draft()
    wait(window.draft_finished)
    for _ in range(20):
        app.processEvents()
    screen = app.primaryScreen().availableGeometry()
    frame, status = window.frameGeometry(), window.statusBar()
    status_bottom = window.mapToGlobal(status.geometry().bottomLeft()).y()
    print(f"screen {screen.width()}x{screen.height()}, window {frame.x()},{frame.y()} {frame.width()}x{frame.height()}, "
          f"status bar bottom at y={status_bottom}: {'inside' if status_bottom < screen.bottom() + 1 else 'CUT OFF'}")
    subprocess.run(["import", "-window", "root", str(OUT)], check=True)
    print(OUT.relative_to(ROOT))
    window.shutdown()
    services.close()


if __name__ == "__main__":
    main()
