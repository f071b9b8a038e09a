"""The model's own thread: one long-lived QThread whose worker loads the model, writes every draft with
it and closes it (the pattern of GPT4All's chat). Nothing else ever touches the runtime.

The window talks to the worker only through queued signals (ModelThread's load/draft/close
requests) and hears back the same way; the one thing shared across threads is a draft's cancel
flag (a threading.Event), which the worker's drafting loop checks before every token. Requests
run in the order they were made: a draft asked for while the model loads runs once the load
ends, without the model (the guidance's own sentences, as the status bar promises).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from desktop.workers import TOKEN_BATCH_SECONDS, reported_failures
from models.draft import DoneEvent, RestartEvent, SourcesEvent, TokenEvent


@dataclass(frozen=True)
class DraftRequest:
    """One draft to write: the question, the guidance to search, and how."""

    question: str
    searcher: object  # knowledge.search.Searcher (opened for reading from any thread)
    mode: str
    max_tokens: int
    unavailable: str = ""  # why there is no model, in words, if the window knows
    prefers: str | None = None  # the draft "auto" shows first (app.model_choice.ModelChoice.prefers)
    use_model: bool = True  # False when asked for while the model was loading: the guidance's sentences, at once
    cancel: threading.Event = field(default_factory=threading.Event)


class ModelWorker(QObject):
    """Lives on the model thread and owns the runtime: load, draft, close, each a queued slot."""

    loaded = Signal(object)  # ModelInfo: the model is ready
    load_failed = Signal(str)  # why, in words
    sources = Signal(object)  # SourcesEvent
    tokens = Signal(str)  # a batch of text to append
    restarted = Signal()  # the text so far is void: the office server failed and the local model starts again
    done = Signal(object)  # Draft
    failed = Signal(str)
    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.runtime = None  # a models.runtime_protocol.ModelRuntime, once loaded
        self.problem = ""  # why the load failed, in words

    @Slot(object, object)
    def load(self, choice, policy) -> None:
        from app.model_choice import load_runtime

        if self.runtime is not None:  # a reload (a new model file or thread count): the old one goes first
            self.runtime.close()
            self.runtime = None
        self.problem = ""
        with reported_failures(self.failed_to_load, "The model could not be loaded"):
            self.runtime = load_runtime(choice, policy)
            self.loaded.emit(self.runtime.info)

    def failed_to_load(self, problem: str) -> None:
        self.problem = problem
        self.load_failed.emit(problem)

    @Slot(object)
    def draft(self, request: DraftRequest) -> None:
        from models.drafting import stream_draft

        runtime = self.runtime if request.use_model else None
        unavailable = (self.problem or request.unavailable) if runtime is None else ""
        pending: list[str] = []
        last_flush = time.monotonic()
        with reported_failures(self.failed.emit, "Something went wrong while drafting. Try again, or use the guidance directly"):
            for event in stream_draft(request.question, request.searcher, runtime, mode=request.mode,
                                      max_tokens=request.max_tokens, cancel=request.cancel, unavailable=unavailable,
                                      prefers=request.prefers):
                if isinstance(event, SourcesEvent):
                    self.sources.emit(event)
                elif isinstance(event, RestartEvent):
                    pending.clear()
                    self.restarted.emit()
                elif isinstance(event, TokenEvent):
                    # Batched: a fast model would otherwise flood the window's thread with repaints.
                    pending.append(event.text)
                    if time.monotonic() - last_flush >= TOKEN_BATCH_SECONDS:
                        self.tokens.emit("".join(pending))
                        pending.clear()
                        last_flush = time.monotonic()
                elif isinstance(event, DoneEvent):
                    if pending:
                        self.tokens.emit("".join(pending))
                    self.done.emit(event.draft)

    @Slot()
    def close(self) -> None:
        try:
            if self.runtime is not None:
                self.runtime.close()
                self.runtime = None
        finally:
            self.closed.emit()


class ModelThread(QObject):
    """The window's handle on the model thread: requests go out as queued signals, results come back on `worker`."""

    load_requested = Signal(object, object)  # ModelChoice, Policy
    draft_requested = Signal(object)  # DraftRequest
    close_requested = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.qthread = QThread(self)
        self.qthread.setObjectName("frontdesk-model")
        self.worker = ModelWorker()
        self.worker.moveToThread(self.qthread)
        self.load_requested.connect(self.worker.load, Qt.QueuedConnection)
        self.draft_requested.connect(self.worker.draft, Qt.QueuedConnection)
        self.close_requested.connect(self.worker.close, Qt.QueuedConnection)
        # Direct: quit is thread-safe, and the window's thread is blocked in stop() meanwhile.
        self.worker.closed.connect(self.qthread.quit, Qt.DirectConnection)
        self.qthread.start()

    def load(self, choice, policy) -> None:
        self.load_requested.emit(choice, policy)

    def draft(self, request: DraftRequest) -> None:
        self.draft_requested.emit(request)

    def stop(self, timeout_ms: int = 30_000) -> bool:
        """Close the model on its own thread, after whatever it is doing, and end the thread; True if it ended."""
        if not self.qthread.isRunning():
            return True
        self.close_requested.emit()
        return self.qthread.wait(timeout_ms)
