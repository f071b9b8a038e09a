"""The first-run welcome: what Frontdesk is and is not, and a check of the model and the guidance."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from app.services import AppServices

TEXT = (
    "<h2>Welcome to Frontdesk</h2>"
    "<p>Frontdesk helps you answer a citizen's question. It finds the official guidance on this computer and "
    "drafts a short answer that shows where each sentence comes from.</p>"
    "<p><b>It drafts. You decide.</b> Always read the sources, change the draft as you need, and only then copy, "
    "print or save it. Frontdesk never sends anything by itself.</p>"
    "<p>It works without the internet. Do not type personal details you do not need: Frontdesk warns you when it sees them.</p>"
)


class WelcomeDialog(QDialog):
    def __init__(self, services: AppServices, model_ok: bool, model_problem: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to Frontdesk")
        intro = QLabel(TEXT)
        intro.setWordWrap(True)
        info = services.searcher.info
        model = services.model_choice.info
        self.model_check = QLabel(f"✓ Model: {model.name}" if model_ok and model else f"✗ Model not available: {model_problem}. "
                                  "Drafts will use the guidance's own sentences.")
        self.bundle_check = QLabel(f"✓ Guidance: {info.title}, version {info.version}")
        for label in (self.model_check, self.bundle_check):
            label.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("Start", QDialogButtonBox.AcceptRole)
        self.start_button.setAccessibleName("Start using Frontdesk")
        self.start_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for w in (intro, self.model_check, self.bundle_check, buttons):
            layout.addWidget(w)
        self.setMinimumWidth(520)
