"""The Report view (Help > Pilot report): the pilot report built off the UI thread, shown with its charts and tables.

app/report.py makes the figures and app/report_html.py the page; this only runs them in a worker,
turns the SVG charts into images a QTextBrowser can show, and offers the HTML and CSV files.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QUrl, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPainter, QTextDocument
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout,
)

from knowledge.errors import FrontdeskError

PERIODS = (("All of the history kept", None), ("The last 7 days", 7), ("The last 28 days", 28))


def svg_image(svg: str, scale: float = 1.0) -> QImage:
    """An SVG chart drawn into an image (QImage, unlike QPixmap, may be painted off the UI thread)."""
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize() * scale
    image = QImage(size, QImage.Format_ARGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


class ReportWorker(QObject):
    """Builds the report, its page and its chart images in a worker thread."""

    finished = Signal(object)  # (PilotReport, html, {name: QImage})
    failed = Signal(str)

    def __init__(self, history_db: Path, since: date | None, retention_days: int | None):
        super().__init__()
        self.history_db, self.since, self.retention_days = history_db, since, retention_days

    @Slot()
    def run(self) -> None:
        from app.report import build_report
        from app.report_html import chart_svgs, report_html

        try:
            report = build_report(self.history_db, self.since, self.retention_days)
            page = report_html(report, image=lambda name: f"chart:{name}")
            images = {name: svg_image(svg) for name, svg in chart_svgs(report).items()}
            self.finished.emit((report, page, images))
        except FrontdeskError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a report problem must never take the window down
            self.failed.emit(f"The report could not be made ({type(exc).__name__}: {exc}).")


class ReportDialog(QDialog):
    """The pilot report for this computer: choose a period, read the charts and tables, save HTML or CSV."""

    report_shown = Signal(object)  # PilotReport
    report_failed = Signal(str)

    def __init__(self, services, jobs, parent=None):
        super().__init__(parent)
        self.services, self.jobs = services, jobs
        self.report = None
        self.worker = None
        self.setWindowTitle("Frontdesk pilot report")
        self.resize(1000, 760)
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setAccessibleName("Period")
        self.period.currentIndexChanged.connect(self.refresh)
        self.status = QLabel("")
        self.status.setAccessibleName("Report status")
        self.view = QTextBrowser()
        self.view.setAccessibleName("Pilot report")
        self.save_html_button = QPushButton("Save as HTML…")
        self.save_html_button.setAccessibleDescription("Save the report with its charts as a web page that opens offline")
        self.save_html_button.clicked.connect(self.save_html_dialog)
        self.save_csv_button = QPushButton("Export anonymous CSV…")
        self.save_csv_button.setAccessibleDescription("One row per draft with no question or text, for an evaluator to combine computers")
        self.save_csv_button.clicked.connect(self.save_csv_dialog)
        top = QHBoxLayout()
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.period)
        top.addWidget(self.status, 1)
        top.addWidget(self.save_html_button)
        top.addWidget(self.save_csv_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        """Build the report for the chosen period in a worker; the window stays responsive meanwhile."""
        if self.worker is not None:
            return
        days = self.period.currentData()
        since = date.today() - timedelta(days=days) if days else None
        policy = self.services.policy
        self.worker = ReportWorker(self.services.history.path, since, self.services.settings.history_days if policy.history_enabled else None)
        self.worker.finished.connect(self.on_report)
        self.worker.failed.connect(self.on_failed)
        self.status.setText("Counting…")
        self.set_saving_enabled(False)
        self.jobs.start(self.worker, (self.worker.finished, self.worker.failed))

    def on_report(self, made) -> None:
        self.worker = None
        self.report, page, images = made
        document = self.view.document()
        for name, image in images.items():
            document.addResource(QTextDocument.ImageResource, QUrl(f"chart:{name}"), image)
        self.view.setHtml(page)
        self.status.setText(self.report.period())
        self.status.setWordWrap(True)
        self.set_saving_enabled(True)
        self.report_shown.emit(self.report)

    def on_failed(self, message: str) -> None:
        self.worker = None
        self.status.setText(message)
        self.view.setHtml(f"<p>{message}</p>")
        self.report_failed.emit(message)

    def set_saving_enabled(self, enabled: bool) -> None:
        self.save_html_button.setEnabled(enabled)
        self.save_csv_button.setEnabled(enabled)

    def save_html(self, path: Path) -> Path:
        from app.report_html import write_report_html

        return write_report_html(self.report, path)

    def save_csv(self, path: Path) -> Path:
        from app.report import write_report_csv

        return write_report_csv(self.services.history.path, path, self.report.since)[0]

    def save_html_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the report", str(Path.home() / "frontdesk-report.html"), "Web pages (*.html)")
        if path:
            self.status.setText(f"Saved to {self.save_html(Path(path))}.")

    def save_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export anonymous CSV", str(Path.home() / "frontdesk-report.csv"), "CSV files (*.csv)")
        if path:
            self.status.setText(f"Saved to {self.save_csv(Path(path))}.")
