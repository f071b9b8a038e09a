"""The printed answer: a plain letter a citizen can take away, with the links and where to get help."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtGui import QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from models.support import MARKER

MORE_HELP = (
    "If you have questions about your claim, contact the office that deals with it, or ask at your local jobcentre.",
    "Free, independent advice: Citizens Advice (citizensadvice.org.uk).",
)


def letter_html(answer: str, sources: list[tuple[str, str]], today: date | None = None, as_at: str = "") -> str:
    """The letter: date, the answer (citation numbers kept, so the reader can match the links), sources, help, and the "as at" line."""
    today = today or date.today()
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in answer.strip().split("\n") if p.strip())
    links = "".join(f"<li>[{n}] {html.escape(title)}<br/>{html.escape(url)}</li>" for n, (title, url) in enumerate(sources, 1) if url)
    help_items = "".join(f"<li>{html.escape(h)}</li>" for h in MORE_HELP)
    return (
        "<html><body style='font-family: sans-serif; font-size: 12pt'>"
        f"<p>{today:%d %B %Y}</p><h2>Answer to your question</h2>{paragraphs}"
        + (f"<h3>Where this comes from</h3><ul>{links}</ul>" if links else "")
        + f"<h3>Where to get more help</h3><ul>{help_items}</ul>"
        "<p style='font-size: 9pt'>Prepared by jobcentre staff from official guidance.</p>"
        + (f"<p style='font-size: 9pt'>{html.escape(as_at)}</p>" if as_at else "") + "</body></html>"
    )


def cited_sources(answer: str, sources) -> list[tuple[str, str]]:
    """(title, url) of the sources, in number order; uncited ones stay in so the numbers still match."""
    return [(r.passage.title, r.passage.url) for r in sources] if MARKER.search(answer) else []


def print_letter(printer: QPrinter, answer: str, sources, as_at: str = "") -> None:
    document = QTextDocument()
    document.setHtml(letter_html(answer, cited_sources(answer, sources), as_at=as_at))
    document.print_(printer)


def save_letter_pdf(path: Path, answer: str, sources, as_at: str = "") -> Path:
    """Write the letter to a PDF file at `path`."""
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.A4))
    printer.setOutputFileName(str(path))
    print_letter(printer, answer, sources, as_at)
    return Path(path)
