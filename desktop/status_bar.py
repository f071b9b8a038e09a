"""The window's status bar: the model, the guidance in force, the network, the last draft's speed."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar


class WindowStatusBar(QStatusBar):
    def __init__(self) -> None:
        super().__init__()
        self.model_status = QLabel()
        self.bundle_status = QLabel()
        self.network_status = QLabel()
        self.speed_status = QLabel()
        # The short labels keep their width; the model and the guidance share the rest, the guidance's
        # title, version and age (the longest) taking more.
        for label, name, room in ((self.model_status, "Model status", 2), (self.bundle_status, "Guidance status", 3),
                                  (self.network_status, "Network status", 0), (self.speed_status, "Last draft speed", 0)):
            label.setAccessibleName(name)
            if room:
                # Long texts may be cut on a narrow screen rather than widen the window; the tooltip has it all.
                label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
                label.setMinimumWidth(60)
            self.addWidget(label, room)

    def show_state(self, model: str, model_problem: str, guidance: str, network: str) -> None:
        """Each label's text, with its whole text (or why there is no model) as its tooltip."""
        for label, text in ((self.model_status, model), (self.bundle_status, guidance), (self.network_status, network)):
            label.setText(text)
            label.setToolTip(text)
        if model_problem:
            self.model_status.setToolTip(model_problem)
