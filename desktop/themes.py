"""Light, dark and high-contrast looks, and text scaling: one stylesheet, built from a few colours."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 11

# background, text, panel, accent (links, focus), warning background, flagged-sentence background
THEMES = {
    "light": ("#ffffff", "#0b0c0c", "#f3f2f1", "#1d70b8", "#fff7bf", "#fde0dc"),
    "dark": ("#1e1e1e", "#f0f0f0", "#2b2b2b", "#7fb8ff", "#4a4000", "#5a2a26"),
    "high-contrast": ("#000000", "#ffffff", "#000000", "#ffff00", "#333300", "#550000"),
}


def theme_colours(theme: str) -> dict[str, str]:
    background, text, panel, accent, warning, flagged = THEMES.get(theme, THEMES["light"])
    return {"background": background, "text": text, "panel": panel, "accent": accent, "warning": warning, "flagged": flagged}


def stylesheet(theme: str, scale: int) -> str:
    c = theme_colours(theme)
    border = "2px" if theme == "high-contrast" else "1px"
    return f"""
    QWidget {{ color: {c['text']}; background: {c['background']}; }}
    QPlainTextEdit, QTextEdit, QTextBrowser, QLineEdit, QListWidget, QSpinBox, QComboBox {{
        background: {c['background']}; border: {border} solid {c['text']}; border-radius: 4px; padding: 4px; }}
    QPushButton {{ background: {c['panel']}; border: {border} solid {c['text']}; border-radius: 4px; padding: 6px 14px; }}
    QPushButton#primary {{ background: {c['accent']}; color: {c['background']}; font-weight: bold; }}
    QPushButton:disabled {{ color: #767676; border-color: #b1b4b6; }}
    *:focus {{ outline: 3px solid {c['accent']}; border: 3px solid {c['accent']}; }}
    QFrame#banner {{ background: {c['warning']}; border: {border} solid {c['text']}; border-radius: 4px; }}
    QLabel#heading {{ font-weight: bold; font-size: {round(BASE_POINT_SIZE * scale / 100 * 1.15)}pt; }}
    QStatusBar QLabel {{ padding: 0 8px; }}
    QTabBar::tab {{ padding: 6px 14px; }}
    QTabBar::tab:selected {{ font-weight: bold; border-bottom: 3px solid {c['accent']}; }}
    """


def apply_theme(app: QApplication, theme: str, scale: int) -> None:
    """Set the whole app's font size (scale in percent) and colours."""
    font = QFont(app.font())
    font.setPointSizeF(BASE_POINT_SIZE * scale / 100)
    app.setFont(font)
    c = theme_colours(theme)
    palette = QPalette()
    palette.setColor(QPalette.Window, QColor(c["background"]))
    palette.setColor(QPalette.WindowText, QColor(c["text"]))
    palette.setColor(QPalette.Base, QColor(c["background"]))
    palette.setColor(QPalette.Text, QColor(c["text"]))
    palette.setColor(QPalette.Button, QColor(c["panel"]))
    palette.setColor(QPalette.ButtonText, QColor(c["text"]))
    palette.setColor(QPalette.Link, QColor(c["accent"]))
    palette.setColor(QPalette.Highlight, QColor(c["accent"]))
    palette.setColor(QPalette.HighlightedText, QColor(c["background"]))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet(theme, scale))
