"""The history panel: a searchable list of past drafts; choosing one reopens it in the window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.history import HistoryStore


class HistoryPanel(QWidget):
    reopen_requested = Signal(int)

    def __init__(self, store: HistoryStore, note: str = "", parent=None):
        super().__init__(parent)
        self.store = store
        self.note_label = QLabel(note)  # what history keeps, and for how long (app.status.history_note)
        self.note_label.setWordWrap(True)
        self.note_label.setAccessibleName("What history keeps")
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search past drafts")
        self.search_box.setAccessibleName("Search history")
        self.search_box.setAccessibleDescription("Type words from a past question or draft")
        self.search_box.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.setAccessibleName("Past drafts")
        self.list.setAccessibleDescription("Press Enter on a draft to open it again")
        self.list.itemActivated.connect(self.activate)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open selected draft")
        self.open_button.clicked.connect(lambda: self.activate(self.list.currentItem()))
        self.empty_label = QLabel("" if store.keep else "Your IT team has turned history off on this computer.")
        layout = QVBoxLayout(self)
        for w in (self.note_label, self.search_box, self.list, self.open_button, self.empty_label):
            layout.addWidget(w)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for entry in self.store.search_history(self.search_box.text()):
            question = " ".join(entry.question.split())[:80]
            item = QListWidgetItem(f"{entry.created_at[:16].replace('T', ' ')} · {question}")
            item.setData(Qt.UserRole, entry.id)
            item.setToolTip(entry.final_text[:400])
            self.list.addItem(item)

    def activate(self, item) -> None:
        if item is not None:
            self.reopen_requested.emit(int(item.data(Qt.UserRole)))
