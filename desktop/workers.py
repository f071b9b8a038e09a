"""Short background jobs for the window: installing a bundle, checking for updates (the model has
its own long-lived thread: desktop/model_thread.py).

Each worker is a QObject moved to its own QThread and talks back only through signals; the UI
never waits on it. The plain-Python services in app/ do the work; these classes only carry
their results across threads.
"""

from __future__ import annotations

import traceback
from contextlib import contextmanager
from typing import Callable, Iterator

from PySide6.QtCore import QObject, QThread, Signal, Slot

from knowledge.errors import FrontdeskError

TOKEN_BATCH_SECONDS = 1 / 30  # at most about 30 editor updates a second, however fast the model


@contextmanager
def reported_failures(report: Callable[[str], None], unexpected: str) -> Iterator[None]:
    """Turn a job's failure into words for `report`: a FrontdeskError's own message, else `unexpected` and the error.

    Every worker runs its work inside this: an exception escaping a worker thread would take the
    window down, and a bug (not a FrontdeskError) leaves its traceback on stderr for the log.
    """
    try:
        yield
    except FrontdeskError as exc:
        report(str(exc))
    except Exception as exc:  # noqa: BLE001 - a worker reports every failure rather than crash the window
        traceback.print_exc()
        report(f"{unexpected} ({type(exc).__name__}: {exc}).")


class InstallWorker(QObject):
    """Verifies and installs a bundle file chosen in Settings."""

    finished = Signal(bool, str)  # ok, message in words

    def __init__(self, path, policy):
        super().__init__()
        self.path, self.policy = path, policy

    @Slot()
    def run(self) -> None:
        from app.guidance import install_guidance
        from knowledge.signing import read_signature

        with reported_failures(lambda why: self.finished.emit(False, f"Not installed. {why}"), "The bundle could not be installed"):
            info = install_guidance(self.path, self.policy)
            signer = read_signature(info.path).get("key_id", "?")
            self.finished.emit(True, f"Installed {info.title} version {info.version}. The signature checked out (signed by key {signer}).")


class UpdateWorker(QObject):
    """Checks the policy's update source for a newer signed bundle, and installs it."""

    finished = Signal(object)  # knowledge.updates.UpdateResult

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    @Slot()
    def run(self) -> None:
        from app.guidance import update_guidance
        from knowledge.updates import UpdateResult

        # An update problem must never stop the app: it is reported as "offline".
        with reported_failures(lambda why: self.finished.emit(UpdateResult("offline", None, why)), "Update check failed"):
            self.finished.emit(update_guidance(self.policy))


def start_in_thread(worker: QObject, parent: QObject, finished_signals=()) -> QThread:
    """Move `worker` to a new QThread, run its run() there, and end the thread when a finished signal fires.

    The caller keeps a Python reference to `worker` until the thread has finished (JobList does
    this): deleting a worker from the UI thread while its own thread is still running, or having
    deleteLater race the Python wrapper, crashed the app now and then.
    """
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    for signal in finished_signals:
        signal.connect(thread.quit)
    thread.start()
    return thread


class JobList:
    """The window's running and finished (thread, worker) pairs; finished ones are let go on the UI thread."""

    def __init__(self, parent: QObject):
        self.parent = parent
        self.jobs: list[tuple[QThread, QObject]] = []

    def start(self, worker: QObject, finished_signals=()) -> QThread:
        self.prune()
        thread = start_in_thread(worker, self.parent, finished_signals)
        self.jobs.append((thread, worker))
        return thread

    def prune(self) -> None:
        for thread, worker in [j for j in self.jobs if j[0].isFinished()]:
            self.jobs.remove((thread, worker))
            thread.deleteLater()

    def wait_all(self, ms: int = 10000) -> None:
        for thread, _ in self.jobs:
            if thread.isRunning():
                thread.quit()
                thread.wait(ms)
        self.prune()
