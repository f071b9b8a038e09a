"""Starting the desktop app: the Qt application, the theme, the window, the first-run welcome."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from knowledge.errors import FrontdeskError


def run_app(argv: list[str] | None = None, bundle: Path | None = None, model: Path | None = None) -> int:
    """Open the Frontdesk window and run until it closes; returns the exit code."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.logs import log, start_logging
    from app.services import open_services
    from app.user_settings import replace, save_settings
    from desktop.main_window import MainWindow
    from desktop.themes import apply_theme
    from models.embedder import close_shared_embedder

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Frontdesk")
    app.setApplicationDisplayName("Frontdesk")
    try:
        start_logging()
        services = open_services(bundle, model)
        log.info("started: guidance %s v%s", services.searcher.info.id, services.searcher.info.version)
    except FrontdeskError as exc:
        # A malformed policy or unusable guidance: refuse to start rather than run unsafely.
        QMessageBox.critical(None, "Frontdesk cannot start", f"{exc}\n\nAsk your IT team for help.")
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    apply_theme(app, services.settings.theme, services.settings.font_scale)
    window = MainWindow(services)
    window.show()
    if os.environ.get("FRONTDESK_QUIT_AFTER_SHOWN"):
        # For start-up timing (benchmarks/frozen.py) and smoke checks: show the window, then quit.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, window.close)
        QTimer.singleShot(0, app.quit)
    elif not services.settings.welcomed:
        window.open_welcome()
        services.settings = replace(services.settings, welcomed=True)
        save_settings(services.settings)
    code = app.exec()
    window.shutdown()
    services.close()
    close_shared_embedder()
    # Qt objects go before the interpreter starts tearing down, not in its garbage collection.
    window.deleteLater()
    app.processEvents()
    return code
