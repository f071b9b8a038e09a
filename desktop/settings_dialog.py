"""Settings: text size, theme, model, threads, history, and installing or rolling back guidance."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from app.changes import NEXT_QUESTION  # the window's words too (app/changes.py)
from app.services import AppServices
from app.user_settings import THEMES, locked_settings, save_settings
from knowledge.schema import BUNDLE_SUFFIX
from desktop.workers import InstallWorker, JobList

LOCKED_NOTE = "Set by your IT team"
# What each setting is called, for the eye and for a screen reader.
DESCRIPTIONS = {
    "font_scale": ("Text size", "Make all text larger, up to twice the normal size"),
    "theme": ("Colours", "Light, dark or high contrast"),
    "model_path": ("Model file", "The language model file; leave empty for the embedded model"),
    "model_browse": ("Choose model file", "Pick a GGUF model file"),
    "threads": ("Processor threads", "How many processor cores the model uses; automatic is best"),
    "history_days": ("Keep history for", "Past drafts older than this are deleted"),
}


class SettingsDialog(QDialog):
    settings_changed = Signal(object)  # UserSettings
    install_finished = Signal(bool, str)
    guidance_changed = Signal(str)  # installed or rolled back: what, in words (the window switches to it)

    def __init__(self, services: AppServices, parent=None):
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Settings")
        self.jobs = JobList(self)
        locked = locked_settings(services.policy)
        self.build_fields(services.settings)
        self.describe_fields(locked)
        layout = QVBoxLayout(self)
        layout.addLayout(self.settings_form(locked))
        for w in (*self.guidance_widgets(services.searcher.info), self.dialog_buttons()):
            layout.addWidget(w)
        self.setMinimumWidth(560)

    def build_fields(self, s) -> None:
        """One field per personal setting, showing its value now."""
        self.font_scale = QSpinBox()
        self.font_scale.setRange(100, 200)
        self.font_scale.setSingleStep(25)
        self.font_scale.setSuffix(" %")
        self.font_scale.setValue(s.font_scale)
        self.theme = QComboBox()
        self.theme.addItems([t.replace("-", " ").capitalize() for t in THEMES])
        self.theme.setCurrentIndex(THEMES.index(s.theme))
        self.model_path = QLineEdit(s.model_path)
        self.model_path.setPlaceholderText("Embedded model (SmolLM2-135M)")
        self.model_browse = QPushButton("Choose…")
        self.model_browse.clicked.connect(self.choose_model)
        self.threads = QSpinBox()
        self.threads.setRange(0, 64)
        self.threads.setSpecialValueText("Automatic")
        self.threads.setValue(s.threads)
        self.history_days = QSpinBox()
        self.history_days.setRange(0, 3650)
        self.history_days.setSuffix(" days")
        self.history_days.setValue(s.history_days)

    def describe_fields(self, locked) -> None:
        """Accessible names and descriptions; the ones the policy sets are disabled and say so."""
        for key, (name, description) in DESCRIPTIONS.items():
            widget = getattr(self, key)
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(description)
        for key, widgets in (("model_path", (self.model_path, self.model_browse)), ("threads", (self.threads,)),
                             ("history_days", (self.history_days,))):
            if key in locked:
                for w in widgets:
                    w.setEnabled(False)
                    w.setToolTip(LOCKED_NOTE)
                    w.setAccessibleDescription(LOCKED_NOTE)

    def settings_form(self, locked) -> QFormLayout:
        model_row = QWidget()
        row = QHBoxLayout(model_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.model_path, 1)
        row.addWidget(self.model_browse)
        form = QFormLayout()
        for key, field in (("font_scale", self.font_scale), ("theme", self.theme), ("model_path", model_row),
                           ("threads", self.threads), ("history_days", self.history_days)):
            form.addRow(DESCRIPTIONS[key][0] + (f" ({LOCKED_NOTE})" if key in locked else ""), field)
        return form

    def guidance_widgets(self, info) -> tuple[QWidget, ...]:
        """The guidance in use, and installing or rolling back a bundle, with the result in words."""
        self.bundle_label = QLabel(f"Guidance in use: {info.title}, version {info.version}")
        self.install_button = QPushButton("Install guidance from a file…")
        self.install_button.setAccessibleName("Install guidance bundle")
        self.install_button.setAccessibleDescription("Choose a signed .fdkb file; its signature is checked before it is used")
        self.install_button.clicked.connect(self.choose_bundle)
        self.rollback_button = QPushButton("Go back to the previous guidance")
        self.rollback_button.setAccessibleName("Roll back guidance")
        self.rollback_button.clicked.connect(self.rollback)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Result")
        return self.bundle_label, self.install_button, self.rollback_button, self.result_label

    def dialog_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setAccessibleName("Save settings")
        buttons.button(QDialogButtonBox.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    def current_settings(self):
        return replace(self.services.settings, font_scale=self.font_scale.value(), theme=THEMES[self.theme.currentIndex()],
                       model_path=self.model_path.text().strip(), threads=self.threads.value(),
                       history_days=self.history_days.value()).validated()

    def save(self) -> None:
        settings = self.current_settings()
        save_settings(settings)
        self.settings_changed.emit(settings)
        self.accept()

    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a model file", str(Path.home()), "GGUF models (*.gguf)")
        if path:
            self.model_path.setText(path)

    def choose_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a guidance bundle", str(Path.home()), f"Guidance bundles (*{BUNDLE_SUFFIX})")
        if path:
            self.install_bundle(Path(path))

    def install_bundle(self, path: Path) -> None:
        """Check and install a bundle in the background; the result appears in words (install_finished)."""
        self.result_label.setText(f"Checking {path.name}…")
        self.install_button.setEnabled(False)
        worker = InstallWorker(path, self.services.policy)
        worker.finished.connect(self.on_installed)
        self.jobs.start(worker, (worker.finished,))

    def on_installed(self, ok: bool, message: str) -> None:
        self.install_button.setEnabled(True)
        self.result_label.setText(("✓ " if ok else "✗ ") + message + (f" {NEXT_QUESTION}" if ok else ""))
        self.services.history.log_action("installed_bundle" if ok else "install_refused", None, message)
        if ok:
            self.guidance_changed.emit(message)
        self.install_finished.emit(ok, message)

    def rollback(self) -> None:
        from app.guidance import rollback_guidance
        from knowledge.errors import FrontdeskError

        try:
            info = rollback_guidance()
            message = f"{info.title} version {info.version} is active again."
            self.result_label.setText(f"✓ {message} {NEXT_QUESTION}")
            self.services.history.log_action("rollback", None, f"{info.id} {info.version}")
            self.guidance_changed.emit(message)
        except FrontdeskError as exc:
            self.result_label.setText(f"✗ {exc}")

    def done(self, result: int) -> None:
        self.jobs.wait_all()
        super().done(result)
