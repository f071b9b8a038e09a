"""The question side of the window: the question, the restore and personal-data banners, Draft answer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from desktop.widgets import banner, button
from models.personal_data import describe_personal_data, find_personal_data, redact_personal_data


class QuestionBox(QWidget):
    """Type or paste a question; personal data in it is pointed out and can be replaced by labels."""

    draft_requested = Signal()
    restore_requested = Signal()
    discard_requested = Signal()

    keeps_personal_data = False  # the history policy: the window sets it, the banner says what history keeps

    def __init__(self) -> None:
        super().__init__()
        label = QLabel("Question (paste or type)")
        label.setObjectName("heading")
        self.question_edit = QPlainTextEdit()
        self.question_edit.setPlaceholderText("Paste the citizen's message, or type their question")
        self.question_edit.setAccessibleName("Question")
        self.question_edit.setAccessibleDescription("The citizen's question or message. Press Control and Enter to draft an answer.")
        self.question_edit.setTabChangesFocus(True)
        self.question_edit.setMaximumHeight(160)
        self.question_edit.textChanged.connect(self.check_personal_data)
        label.setBuddy(self.question_edit)
        self.restore_banner, self.restore_label, _ = banner(
            ("Restore it", "Restore unsaved draft", "Put back the question and draft from last time", self.restore_requested.emit),
            ("Discard", "Discard unsaved draft", "Forget the unsaved draft from last time", self.discard_requested.emit),
        )
        self.pii_banner, self.pii_label, (self.remove_pii_button,) = banner(
            ("Remove it", "Remove personal data", "Replace the personal data in the question with a label before drafting",
             self.remove_personal_data),
        )
        self.draft_button = button("Draft answer  (Ctrl+Enter)", "Draft answer", "Find the guidance and draft an answer", primary=True)
        self.draft_button.clicked.connect(self.draft_requested.emit)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.draft_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (label, self.question_edit, self.restore_banner, self.pii_banner):
            layout.addWidget(w)
        layout.addLayout(actions)

    def check_personal_data(self) -> None:
        found = find_personal_data(self.question_edit.toPlainText())
        message = describe_personal_data(found)
        kept = "" if self.keeps_personal_data else " History keeps the question with it removed."
        self.pii_label.setText(f"⚠ {message} It is not needed to find the guidance.{kept}" if message else "")
        self.pii_banner.setVisible(bool(found))
        self.pii_banner.setAccessibleDescription(self.pii_label.text())

    def remove_personal_data(self) -> None:
        self.question_edit.setPlainText(redact_personal_data(self.question_edit.toPlainText()))

    def offer_restore(self, saved_at: str) -> None:
        self.restore_label.setText(f"Frontdesk did not close properly last time. Your draft from {saved_at[:16].replace('T', ' ')} was kept.")
        self.restore_banner.show()
