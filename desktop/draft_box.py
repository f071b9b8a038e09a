"""The draft side of the window: what the draft is, the editable draft, its notes, and the ways out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.rendering import draft_description, draft_heading, draft_notes
from desktop.draft_editor import DraftEditor
from app.history import REASONS
from desktop.widgets import banner, button
from models.support import unsupported_reason


class DraftBox(QWidget):
    """The draft, edited freely; copy, print and save are the only ways out, and feedback goes to the content team."""

    rewrite_requested = Signal()
    stop_requested = Signal()
    copy_requested = Signal()
    print_requested = Signal()
    save_requested = Signal()
    feedback_given = Signal(str)  # "helpful"
    reason_given = Signal(str, str)  # why a draft was not helpful (history.REASONS), and the optional comment
    report_requested = Signal()
    approved_requested = Signal()  # use the closest approved answer instead

    def __init__(self) -> None:
        super().__init__()
        self.mode_label = QLabel("Draft")
        self.mode_label.setObjectName("heading")
        self.mode_label.setWordWrap(True)  # at 200% text the label wraps rather than being cut
        self.rewrite_button = button("Rewrite in plain English", "Rewrite in plain English",
                                     "Ask the language model to rewrite the answer; the result is checked against the sources")
        self.stop_button = button("Stop  (Esc)", "Stop drafting", "Stop the draft that is being written")
        self.stop_button.setEnabled(False)
        self.editor = DraftEditor()
        self.notice_label = QLabel("")
        self.notice_label.setWordWrap(True)
        self.notice_label.setAccessibleName("Draft notes")
        self.notice_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.copy_button = button("Copy", "Copy draft", "Copy the draft text to paste into your reply (Ctrl+Shift+C)")
        self.print_button = button("Print / save as PDF", "Print or save as PDF", "Print the answer as a letter, or save it as a PDF (Ctrl+P)")
        self.save_button = button("Save", "Save draft", "Save the draft and its sources to a file (Ctrl+S)")
        self.helpful_yes = button("Yes", "Draft was helpful", "Tell the content team this draft was helpful")
        self.helpful_no = button("No", "Draft was not helpful", "Tell the content team this draft was not helpful")
        self.report_button = button("Guidance wrong?", "Report guidance missing or wrong",
                                    "Tell the content team the guidance is missing or wrong, with a comment")
        self.approved_button = button("Use the approved answer", "Use the closest approved answer",
                                      "Replace this draft with the approved answer the content team wrote for a similar question")
        self.approved_button.hide()
        # "Not helpful" asks why in one click; the comment is optional.
        self.reason_banner, self.reason_label, self.reason_buttons = banner(*(
            (label, f"Not helpful: {label.lower()}", f"Tell the content team: {label.lower()}",
             lambda _=False, key=key: self.reason_given.emit(key, self.reason_comment.text().strip()))
            for key, label in REASONS))
        self.reason_label.setText("Why was it not helpful? One click:")
        self.reason_comment = QLineEdit()
        self.reason_comment.setPlaceholderText("Comment (optional, no personal details)")
        self.reason_comment.setAccessibleName("Feedback comment")
        self.reason_banner.layout().insertWidget(1, self.reason_comment, 1)
        self.streamed_any = False  # whether the draft being written has shown any text yet
        self.connect_buttons()
        self.lay_out()
        self.set_outputs_enabled(False)

    def connect_buttons(self) -> None:
        for b, signal in ((self.rewrite_button, self.rewrite_requested), (self.stop_button, self.stop_requested),
                          (self.copy_button, self.copy_requested), (self.print_button, self.print_requested),
                          (self.save_button, self.save_requested), (self.report_button, self.report_requested)):
            b.clicked.connect(signal.emit)
        self.helpful_yes.clicked.connect(lambda: self.feedback_given.emit("helpful"))
        self.helpful_no.clicked.connect(self.ask_why_not_helpful)
        self.approved_button.clicked.connect(self.approved_requested.emit)
        self.reason_given.connect(lambda *_: self.reason_banner.hide())

    def lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.mode_label, 1)
        header.addWidget(self.approved_button)
        header.addWidget(self.rewrite_button)
        header.addWidget(self.stop_button)
        outs = QHBoxLayout()
        for w in (self.copy_button, self.print_button, self.save_button):
            outs.addWidget(w)
        outs.addStretch(1)
        for w in (QLabel("Helpful?"), self.helpful_yes, self.helpful_no, self.report_button):
            outs.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.notice_label)
        layout.addLayout(outs)
        layout.addWidget(self.reason_banner)

    def ask_why_not_helpful(self) -> None:
        self.reason_comment.clear()
        self.reason_banner.show()
        self.reason_buttons[0].setFocus()

    def set_outputs_enabled(self, enabled: bool) -> None:
        for w in (self.copy_button, self.print_button, self.save_button, self.helpful_yes, self.helpful_no, self.report_button):
            w.setEnabled(enabled)

    def set_drafting(self, drafting: bool) -> None:
        self.rewrite_button.setEnabled(not drafting)
        self.stop_button.setEnabled(drafting)

    def begin_stream(self, by_model: bool) -> None:
        """A draft is asked for; a rewrite by the model clears the old text at once and says the model is writing."""
        self.streamed_any = False
        if by_model:
            self.editor.clear()
            self.mode_label.setText("Draft (model writing…)")

    def stream(self, text: str) -> bool:
        """Append the model's text as it comes; True for the draft's first piece (which replaces what was there)."""
        first = not self.streamed_any
        if first:
            self.editor.clear()
            self.streamed_any = True
        self.editor.append_stream(text)
        return first

    def show_text(self, text: str, heading: str = "", outputs: bool = True) -> None:
        """Text put back without a Draft (reopened from history, restored after a crash), to edit and send."""
        self.editor.setPlainText(text)
        if heading:
            self.mode_label.setText(heading)
        self.set_outputs_enabled(outputs)

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self.notice_label.setAccessibleDescription(text)

    def show_draft(self, draft, colours: dict[str, str]) -> None:
        """The finished draft, its unsupported sentences marked with why, and the words around it."""
        reasons = {s: unsupported_reason(s, draft.sources) for s in draft.unsupported}
        self.editor.link_colour, self.editor.flagged_colour = QColor(colours["accent"]), QColor(colours["flagged"])
        self.editor.blockSignals(True)  # showing a draft is not an edit
        self.editor.show_draft(draft.text, reasons)
        self.editor.blockSignals(False)
        self.mode_label.setText(draft_heading(draft))
        self.approved_button.setVisible(draft.closest_answer is not None and draft.mode != "approved")
        self.show_notice(draft_notes(draft))
        self.editor.setAccessibleDescription(draft_description(draft))

    def final_text(self) -> str:
        return self.editor.toPlainText().strip()
