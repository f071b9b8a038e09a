"""The ways out for the draft in hand (copy, print, save as PDF or text) and feedback on it, each recorded in history.

Nothing leaves the app without a person: these are the only ways out (DESIGN.md, "Trust rules").
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QWidget

from app.rendering import saved_draft_text
from desktop.printing import save_letter_pdf
from knowledge.files import write_file_atomically


class DraftOutputs(QObject):
    """Acts on `current()`: (the draft's history id, its text as edited now, its sources)."""

    notice = Signal(str)  # what happened, in words for the person
    recorded = Signal()  # history changed

    def __init__(self, services, current: Callable[[], tuple[int | None, str, tuple]], parent: QWidget):
        super().__init__(parent)
        self.services, self.current, self.window = services, current, parent
        self.as_at: Callable[[], str] = lambda: ""  # the "as at" line for what leaves (the window sets it)

    def copy(self) -> None:
        draft_id, text, _ = self.current()
        if not text:
            return
        QApplication.clipboard().setText(f"{text}\n\n{self.as_at()}")
        self.record("copied")
        self.notice.emit("Copied. Paste it into your reply and check it before you send it.")

    def print_dialog(self) -> None:
        _, text, sources = self.current()
        if not text:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from desktop.printing import print_letter

        printer = QPrinter(QPrinter.HighResolution)
        dialog = QPrintDialog(printer, self.window)
        dialog.setWindowTitle("Print the answer (choose 'Print to file' for a PDF)")
        if dialog.exec():
            print_letter(printer, text, sources, self.as_at())
            self.record("printed")

    def print_to_pdf(self, path: Path) -> Path:
        """Save the letter layout of the draft as a PDF at `path`."""
        _, text, sources = self.current()
        out = save_letter_pdf(Path(path), text, sources, self.as_at())
        self.record("saved_pdf", str(path))
        return out

    def save_dialog(self) -> None:
        if not self.current()[1]:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the draft", str(Path.home() / "draft.txt"), "Text files (*.txt)")
        if path:
            self.save(Path(path))

    def save(self, path: Path) -> None:
        """Write the draft and its sources to a text file, atomically."""
        _, text, sources = self.current()
        path = write_file_atomically(Path(path), saved_draft_text(text, sources, self.as_at()))
        self.record("saved", str(path))
        self.notice.emit(f"Saved to {path}.")

    def record(self, action: str, detail: str = "") -> None:
        draft_id, text, _ = self.current()
        self.services.history.record_out(draft_id, action, text)
        self.services.history.update_final_text(draft_id, text)
        self.services.history.log_action(action, draft_id, detail)
        self.recorded.emit()

    def give_feedback(self, rating: str, comment: str = "", reason: str = "") -> None:
        self.services.history.add_feedback(self.current()[0], rating, comment, reason)
        self.notice.emit("Thank you: your feedback is saved on this computer for the content team.")

    def report_guidance(self) -> None:
        comment, ok = QInputDialog.getMultiLineText(self.window, "Guidance missing or wrong", "What is missing or wrong? (no personal details)")
        if ok:
            self.give_feedback("guidance_wrong", comment)
