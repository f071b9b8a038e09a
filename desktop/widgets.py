"""Small widget makers the window's parts share: an accessible button, a banner with buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


def button(text: str, name: str, description: str, primary: bool = False) -> QPushButton:
    """A button with its accessible name and description (the description is its tooltip too)."""
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.setAccessibleDescription(description)
    b.setToolTip(description)
    if primary:
        b.setObjectName("primary")
    return b


def banner(*buttons_spec) -> tuple[QFrame, QLabel, list[QPushButton]]:
    """A hidden strip with a message and buttons, each given as (text, name, description, slot)."""
    frame = QFrame()
    frame.setObjectName("banner")
    layout = QHBoxLayout(frame)
    label = QLabel()
    label.setWordWrap(True)
    layout.addWidget(label, 1)
    made = []
    for text, name, description, slot in buttons_spec:
        b = button(text, name, description)
        b.clicked.connect(slot)
        layout.addWidget(b)
        made.append(b)
    frame.hide()
    return frame, label, made
