"""The draft editor: plain editable text, with [n] citations as links and flagged sentences marked."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit

CITATION = re.compile(r"\[(\d+)\]")


class DraftEditor(QTextEdit):
    """Editable draft text. Clicking a [n], or pressing F2 on it, opens that source."""

    citation_activated = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)  # Tab moves on, so the editor is not a keyboard trap
        self.setAccessibleName("Draft answer")
        self.setAccessibleDescription("The draft answer. Edit it freely. Numbers in square brackets are sources; press F2 on one to open it.")
        self.flagged_colour = QColor("#fde0dc")
        self.link_colour = QColor("#1d70b8")

    def append_stream(self, text: str) -> None:
        """Add streamed text at the end without moving the person's view."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.End)
        cursor.insertText(text, QTextCharFormat())

    def show_draft(self, text: str, unsupported: dict[str, str]) -> None:
        """Show the finished draft: citations as links, each unsupported sentence marked with its reason."""
        self.setPlainText(text)
        document = self.document()
        for m in CITATION.finditer(text):
            cursor = QTextCursor(document)
            cursor.setPosition(m.start())
            cursor.setPosition(m.end(), QTextCursor.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"cite:{m.group(1)}")
            fmt.setForeground(self.link_colour)
            fmt.setFontUnderline(True)
            fmt.setToolTip(f"Source {m.group(1)}: click, or press F2, to read it")
            cursor.mergeCharFormat(fmt)
        for sentence, reason in unsupported.items():
            cursor = document.find(sentence, 0, QTextDocument.FindFlag(0))
            if cursor.isNull():
                continue
            fmt = QTextCharFormat()
            fmt.setBackground(self.flagged_colour)
            fmt.setUnderlineStyle(QTextCharFormat.WaveUnderline)
            fmt.setUnderlineColor(QColor("#d4351c"))
            fmt.setToolTip(reason)
            cursor.mergeCharFormat(fmt)
        self.moveCursor(QTextCursor.Start)

    def citation_at_cursor(self) -> int | None:
        href = self.textCursor().charFormat().anchorHref()
        return int(href[5:]) if href.startswith("cite:") else None

    def mouseReleaseEvent(self, event):
        href = self.anchorAt(event.position().toPoint())
        super().mouseReleaseEvent(event)
        if href.startswith("cite:") and event.button() == Qt.LeftButton and not self.textCursor().hasSelection():
            self.citation_activated.emit(int(href[5:]))

    def mouseMoveEvent(self, event):
        href = self.anchorAt(event.position().toPoint())
        self.viewport().setCursor(Qt.PointingHandCursor if href.startswith("cite:") else Qt.IBeamCursor)
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_F2:
            n = self.citation_at_cursor()
            if n is not None:
                self.citation_activated.emit(n)
                return
        super().keyPressEvent(event)
