"""Checking for newer guidance on the policy's schedule, and starting to use it between drafts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.logs import log
from desktop.workers import JobList, UpdateWorker


class GuidanceUpdates(QObject):
    """Checks the policy's update_source at start and every update_interval_minutes (never when none is set).

    A newly installed bundle waits in `pending` until `switch_when_idle` is called with no draft
    running: the guidance never changes under a draft.
    """

    checked = Signal(object)  # knowledge.updates.UpdateResult
    switched = Signal()  # the services now search the new bundle

    def __init__(self, services, jobs: JobList, parent: QObject | None = None):
        super().__init__(parent)
        self.services, self.jobs = services, jobs
        self.pending: Path | None = None
        self.running = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        policy = self.services.policy
        if policy.update_source:
            self.timer.start(max(1, policy.update_interval_minutes) * 60_000)
            QTimer.singleShot(0, self.check)

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        """Look for a newer signed bundle in the background, unless a check is still running."""
        if self.running is not None and not self.running.isFinished():
            return
        worker = UpdateWorker(self.services.policy)
        worker.finished.connect(self.on_checked)
        self.running = self.jobs.start(worker, (worker.finished,))

    def on_checked(self, result) -> None:
        log.info("guidance update check: %s: %s", result.status, result.message)
        if result.status == "updated":
            self.pending = result.bundle.path
        self.checked.emit(result)

    def switch_when_idle(self) -> None:
        """Start using a newly installed bundle (call between drafts)."""
        if self.pending is None:
            return
        self.services.use_bundle(self.pending)
        self.pending = None
        self.switched.emit()
