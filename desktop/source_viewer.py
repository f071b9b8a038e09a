"""The sources beside the draft, and the source viewer: a whole guidance page, with the cited passage highlighted and scrolled to."""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout

from app.rendering import history_sources_html, sources_html
from knowledge.search import Document
from knowledge.sentences import without_emphasis


def document_html(document: Document, passage_id: str, highlight: str) -> str:
    """The page as simple HTML: title, address, dates, passages; the cited one highlighted."""
    parts = [f"<h2>{html.escape(document.title)}</h2>"]
    if document.url:
        parts.append(f"<p><a href='{html.escape(document.url)}'>{html.escape(document.url)}</a></p>")
    dates = []
    if document.updated:
        dates.append(f"Updated {document.updated:%d %B %Y}")
    if document.review_due:
        overdue = document.review_due < date.today()
        dates.append(f"{'Review was due' if overdue else 'Review due'} {document.review_due:%d %B %Y}{' (overdue: check with your team)' if overdue else ''}")
    if dates:
        parts.append(f"<p><i>{' · '.join(dates)}</i></p>")
    last_heading = None
    for p in document.passages:
        if p.heading and p.heading != last_heading:
            parts.append(f"<h3>{html.escape(p.heading)}</h3>")
            last_heading = p.heading
        body = "<br/>".join(without_emphasis(html.escape(line), bold=r"<b>\2</b>") for line in p.text.splitlines())
        if p.id == passage_id:
            parts.append(f"<a name='cited'></a><p style='background-color:{highlight}; padding:6px'>{body}</p>")
        else:
            parts.append(f"<p>{body}</p>")
    return "\n".join(parts)


class SourcesList(QTextBrowser):
    """The Sources tab: the draft's sources, numbered as the draft cites them; activating one asks to read it in full."""

    source_activated = Signal(int)  # the source's number, from 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setAccessibleName("Sources")
        self.setAccessibleDescription("The guidance passages the draft is built from. Tab to a source and press Enter to read it in full.")
        self.setHtml("<p>Sources appear here as soon as you ask a question.</p>")
        self.anchorClicked.connect(self.activated)

    def activated(self, url: QUrl) -> None:
        _, _, number = url.toString().partition(":")  # app.rendering links each source as "source:N"
        if number.isdigit():
            self.source_activated.emit(int(number))

    def show_sources(self, sources, covered: bool, colours: dict[str, str]) -> None:
        self.setHtml(sources_html(sources, covered, colours))

    def show_recorded(self, sources) -> None:
        """A reopened draft's sources, as history recorded them."""
        self.setHtml(history_sources_html(sources))


class SourceViewer(QDialog):
    """Non-modal window that shows one source in full; staff read it beside the draft."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Source")
        self.resize(720, 640)
        self.label = QLabel()
        self.label.setObjectName("heading")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # links open nowhere: staff copy the address for the citizen
        self.browser.setAccessibleName("Source text")
        self.browser.setAccessibleDescription("The whole guidance page. The cited passage is highlighted.")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.Close).setAccessibleName("Close source")
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    def show_passage(self, document: Document, passage_id: str, number: int, highlight: str = "#fff7bf") -> None:
        self.setWindowTitle(f"Source [{number}]: {document.title}")
        self.label.setText(f"Source [{number}] — the cited passage is highlighted")
        self.browser.setHtml(document_html(document, passage_id, highlight))
        self.browser.scrollToAnchor("cited")
        self.show()
        self.raise_()
        self.browser.setFocus(Qt.OtherFocusReason)
