"""Autosave: the question and draft saved every two seconds while they change, and offered back after a crash."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer

AUTOSAVE_MS = 2000


class Autosave(QObject):
    """Saves `snapshot()` (draft id, question, draft text) into history when marked dirty; a clean exit clears it."""

    def __init__(self, history, snapshot: Callable[[], tuple[int | None, str, str]], parent: QObject | None = None):
        super().__init__(parent)
        self.history, self.snapshot = history, snapshot
        self.dirty = False
        self.pending = history.pending_restore()  # what a crash left, offered once
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.setTimerType(Qt.PreciseTimer)  # a coarse timer may fire 5% (100 ms) late
        self.timer.timeout.connect(self.save)
        self.timer.start()

    def mark_dirty(self) -> None:
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        self.history.autosave(*self.snapshot())

    def take_pending(self):
        """What the last run left unsaved (once), or None."""
        pending, self.pending = self.pending, None
        return pending

    def discard(self) -> None:
        self.history.clear_autosave()
        self.pending = None

    def finish(self) -> None:
        """A clean exit: nothing is left to restore."""
        self.timer.stop()
        self.history.clear_autosave()
