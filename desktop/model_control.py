"""The window's model: loaded on the model thread at start, reloaded there when a change asks, only between drafts.

What to load and when is decided Qt-free (app/model_state.py); this connects that to the model
thread's queued signals (desktop/model_thread.py) and says what happened with signals of its own.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal

from app.logs import log
from app.model_state import ModelState
from desktop.model_thread import ModelThread


class ModelControl(QObject):
    """Loads and reloads the model on `thread`; `busy()` says whether a draft is being written (no reload under it)."""

    ready = Signal()  # the model is loaded
    failed = Signal(str)  # why there is no model, in words
    changed = Signal()  # loading, ready or failed: the status bar has something new to say

    def __init__(self, services, thread: ModelThread, busy: Callable[[], bool], parent: QObject | None = None):
        super().__init__(parent)
        self.services, self.thread, self.busy = services, thread, busy
        self.state = ModelState(services)
        self.closing = False  # the window is going: what the model thread still sends is ignored
        thread.worker.loaded.connect(self.on_loaded, Qt.QueuedConnection)
        thread.worker.load_failed.connect(self.on_failed, Qt.QueuedConnection)

    def load(self) -> None:
        """The first load, at start; with no model file, said at once as a failed load says it."""
        choice = self.state.start_load()
        if choice is not None:
            self.thread.load(choice, self.services.policy)
        self.changed.emit()
        if choice is None:
            self.failed.emit(self.state.problem)

    def want_reload(self) -> None:
        """A new model file or thread count: load it again as soon as no draft and no load is running."""
        self.state.reload_wanted = True

    def reload_when_idle(self) -> None:
        choice = None if self.closing else self.state.reload_due(drafting=self.busy())
        if choice is not None:
            self.thread.load(choice, self.services.policy)  # on the model thread: the old model closes first
            self.changed.emit()

    def on_loaded(self, info) -> None:
        if self.closing:
            return
        log.info("model ready: %s", info.name if info else "?")
        self.state.loaded(info)
        self.changed.emit()
        self.ready.emit()
        self.reload_when_idle()  # a change made while it loaded

    def on_failed(self, message: str) -> None:
        if self.closing:
            return
        log.warning("model not available: %s", message)
        self.state.failed(message)
        self.changed.emit()
        self.failed.emit(message)
        self.reload_when_idle()
