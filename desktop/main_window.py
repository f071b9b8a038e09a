"""The main window: question, sources, draft, and the three ways out (copy, print, save).

Everything slow runs in workers (desktop/workers.py); this class only lays out widgets, starts
workers and shows what they send back. DESIGN.md, "The main window", has the sketch.
"""

from __future__ import annotations

import html
import time
from datetime import date, datetime, timezone
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QFileDialog, QFrame, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMainWindow, QPlainTextEdit,
    QPushButton, QSizePolicy, QSplitter, QStatusBar, QTabWidget, QTextBrowser, QVBoxLayout, QWidget,
)

from app.traceability import as_at_line
from desktop.draft_editor import DraftEditor
from desktop.history import REASONS
from desktop.history_panel import HistoryPanel
from desktop.logs import log
from desktop.printing import save_letter_pdf
from desktop.services import AppServices
from desktop.settings_dialog import NEXT_QUESTION
from desktop.source_viewer import SourceViewer
from desktop.themes import theme_colours
from desktop.window_placement import Rect, fitted_rect, saved_placement
from desktop.workers import DraftWorker, JobList, ModelLoader, UpdateWorker
from knowledge.files import write_file_atomically
from models.draft import Draft
from models.personal_data import describe_personal_data, find_personal_data, redact_personal_data
from models.support import unsupported_reason

AUTOSAVE_MS = 2000
MAX_TOKENS = 200


def online() -> bool:
    """Whether a network interface is up (looked up locally: Frontdesk never contacts anything to find out)."""
    try:
        import psutil

        stats = psutil.net_if_stats()
        return any(s.isup for name, s in stats.items() if name != "lo" and not name.startswith(("docker", "veth")))
    except Exception:
        return False


def age_in_words(created_at: str) -> str:
    try:
        created = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    days = (datetime.now(timezone.utc) - created).days
    return "built today" if days < 1 else f"{days} day{'s' if days != 1 else ''} old"


def button(text: str, name: str, description: str, primary: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.setAccessibleDescription(description)
    b.setToolTip(description)
    if primary:
        b.setObjectName("primary")
    return b


class MainWindow(QMainWindow):
    """Type or paste a question, draft, read the sources, edit, then copy, print or save."""

    sources_shown = Signal(int)  # number of sources, painted
    first_text_painted = Signal()
    draft_finished = Signal(object)  # Draft
    draft_failed = Signal(str)
    model_ready = Signal()
    model_failed = Signal(str)
    update_checked = Signal(object)  # knowledge.updates.UpdateResult
    change_applied = Signal(str)  # the notice take_effect showed

    def __init__(self, services: AppServices, load_model: bool = True):
        super().__init__()
        self.services = services
        self.runtime = None
        self.model_problem = services.model_choice.problem
        self.model_loading = False
        self.draft: Draft | None = None
        self.draft_id: int | None = None
        self.worker: DraftWorker | None = None
        self.worker_thread = None
        self.loader_thread = None
        self.dirty = False
        self.streamed_any = False
        self.jobs = JobList(self)
        self.viewer = SourceViewer(self)
        self.setWindowTitle("Frontdesk")
        self.pending_model = False
        self.model_path_in_use = services.settings.model_path  # the Settings value the loaded model came from
        self.place_on_screen()
        self.build_ui()
        self.build_shortcuts()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.setTimerType(Qt.PreciseTimer)  # a coarse timer may fire 5% (100 ms) late
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.update_status()
        self.offer_restore()
        self.update_thread = None
        self.pending_bundle = None
        self.update_timer = QTimer(self)
        self.update_timer.timeout.connect(self.check_for_update)
        if services.policy.update_source:
            self.update_timer.start(max(1, services.policy.update_interval_minutes) * 60_000)
            QTimer.singleShot(0, self.check_for_update)
        if load_model:
            self.load_model()

    # -- layout ---------------------------------------------------------------------------------
    def build_ui(self) -> None:
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setSpacing(8)
        question_label = QLabel("Question (paste or type)")
        question_label.setObjectName("heading")
        self.question_edit = QPlainTextEdit()
        self.question_edit.setPlaceholderText("Paste the citizen's message, or type their question")
        self.question_edit.setAccessibleName("Question")
        self.question_edit.setAccessibleDescription("The citizen's question or message. Press Control and Enter to draft an answer.")
        self.question_edit.setTabChangesFocus(True)
        self.question_edit.textChanged.connect(self.check_personal_data)
        self.question_edit.textChanged.connect(self.mark_dirty)  # a question typed alone is autosaved too
        question_label.setBuddy(self.question_edit)
        self.question_edit.setMaximumHeight(160)

        self.restore_banner, self.restore_label, restore_buttons = self.banner(
            ("Restore it", "Restore unsaved draft", "Put back the question and draft from last time", self.restore_autosave),
            ("Discard", "Discard unsaved draft", "Forget the unsaved draft from last time", self.discard_autosave),
        )
        self.restore_button, self.discard_button = restore_buttons
        self.pii_banner, self.pii_label, (self.remove_pii_button,) = self.banner(
            ("Remove it", "Remove personal data", "Replace the personal data in the question with a label before drafting", self.remove_personal_data),
        )

        actions = QHBoxLayout()
        self.draft_button = button("Draft answer  (Ctrl+Enter)", "Draft answer", "Find the guidance and draft an answer", primary=True)
        self.draft_button.clicked.connect(lambda: self.start_draft("auto"))
        actions.addStretch(1)
        actions.addWidget(self.draft_button)

        draft_header = QHBoxLayout()
        self.mode_label = QLabel("Draft")
        self.mode_label.setObjectName("heading")
        self.mode_label.setWordWrap(True)  # at 200% text the label wraps rather than being cut
        self.rewrite_button = button("Rewrite in plain English", "Rewrite in plain English",
                                     "Ask the language model to rewrite the answer; the result is checked against the sources")
        self.rewrite_button.clicked.connect(lambda: self.start_draft("generated"))
        self.stop_button = button("Stop  (Esc)", "Stop drafting", "Stop the draft that is being written")
        self.stop_button.clicked.connect(self.stop_draft)
        self.stop_button.setEnabled(False)
        self.approved_button = button("Use the approved answer", "Use the closest approved answer",
                                      "Replace this draft with the approved answer the content team wrote for a similar question")
        self.approved_button.clicked.connect(lambda: self.start_draft("approved"))
        self.approved_button.hide()
        draft_header.addWidget(self.mode_label, 1)
        draft_header.addWidget(self.approved_button)
        draft_header.addWidget(self.rewrite_button)
        draft_header.addWidget(self.stop_button)

        self.editor = DraftEditor()
        self.editor.citation_activated.connect(self.open_source)
        self.editor.textChanged.connect(self.mark_dirty)
        self.notice_label = QLabel("")
        self.notice_label.setWordWrap(True)
        self.notice_label.setAccessibleName("Draft notes")
        self.notice_label.setTextInteractionFlags(Qt.TextSelectableByMouse)

        outs = QHBoxLayout()
        self.copy_button = button("Copy", "Copy draft", "Copy the draft text to paste into your reply (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_draft)
        self.print_button = button("Print / save as PDF", "Print or save as PDF", "Print the answer as a letter, or save it as a PDF (Ctrl+P)")
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button = button("Save", "Save draft", "Save the draft and its sources to a file (Ctrl+S)")
        self.save_button.clicked.connect(self.save_dialog)
        helpful = QLabel("Helpful?")
        self.helpful_yes = button("Yes", "Draft was helpful", "Tell the content team this draft was helpful")
        self.helpful_yes.clicked.connect(lambda: self.give_feedback("helpful"))
        self.helpful_no = button("No", "Draft was not helpful", "Tell the content team this draft was not helpful")
        self.helpful_no.clicked.connect(self.ask_why_not_helpful)
        self.report_button = button("Guidance wrong?", "Report guidance missing or wrong",
                                    "Tell the content team the guidance is missing or wrong, with a comment")
        self.report_button.clicked.connect(self.report_guidance)
        for w in (self.copy_button, self.print_button, self.save_button):
            outs.addWidget(w)
        outs.addStretch(1)
        for w in (helpful, self.helpful_yes, self.helpful_no, self.report_button):
            outs.addWidget(w)

        # "Not helpful" asks why in one click; the comment is optional.
        self.reason_banner, self.reason_label, self.reason_buttons = self.banner(*(
            (label, f"Not helpful: {label.lower()}", f"Tell the content team: {label.lower()}", lambda _=False, key=key: self.give_reason(key))
            for key, label in REASONS))
        self.reason_label.setText("Why was it not helpful? One click:")
        self.reason_comment = QLineEdit()
        self.reason_comment.setPlaceholderText("Comment (optional, no personal details)")
        self.reason_comment.setAccessibleName("Feedback comment")
        self.reason_banner.layout().insertWidget(1, self.reason_comment, 1)

        for w in (question_label, self.question_edit, self.restore_banner, self.pii_banner):
            lv.addWidget(w)
        lv.addLayout(actions)
        lv.addLayout(draft_header)
        lv.addWidget(self.editor, 1)
        lv.addWidget(self.notice_label)
        lv.addLayout(outs)
        lv.addWidget(self.reason_banner)

        self.sources_view = QTextBrowser()
        self.sources_view.setOpenLinks(False)
        self.sources_view.anchorClicked.connect(lambda url: self.open_source(int(url.toString().split(":")[1])))
        self.sources_view.setAccessibleName("Sources")
        self.sources_view.setAccessibleDescription("The guidance passages the draft is built from. Tab to a source and press Enter to read it in full.")
        self.sources_view.setHtml("<p>Sources appear here as soon as you ask a question.</p>")
        self.history_panel = HistoryPanel(self.services.history)
        self.history_note = QLabel(self.history_note_text())
        self.history_note.setWordWrap(True)
        self.history_note.setAccessibleName("What history keeps")
        self.history_panel.layout().insertWidget(0, self.history_note)
        self.history_panel.reopen_requested.connect(self.reopen_history)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.sources_view, "Sources")
        self.tabs.addTab(self.history_panel, "History")
        self.tabs.setAccessibleName("Sources and history")

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)

        status = QStatusBar()
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
            status.addWidget(label, room)
        self.setStatusBar(status)

        menu = self.menuBar().addMenu("&Frontdesk")
        settings = QAction("&Settings…", self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(self.open_settings)
        history = QAction("&History", self)
        history.setShortcut(QKeySequence("Ctrl+H"))
        history.triggered.connect(self.show_history)
        welcome = QAction("&About and checks…", self)
        welcome.triggered.connect(self.open_welcome)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        for a in (settings, history, welcome, quit_action):
            menu.addAction(a)
        help_menu = self.menuBar().addMenu("&Help")
        report = QAction("Pilot &report…", self)
        report.triggered.connect(self.open_report)
        help_menu.addAction(report)
        self.set_outputs_enabled(False)
        self.setTabOrder(self.question_edit, self.draft_button)
        self.setTabOrder(self.draft_button, self.editor)

    def banner(self, *buttons_spec):
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

    def build_shortcuts(self) -> None:
        for keys, slot in (("Ctrl+Return", lambda: self.start_draft("auto")), ("Ctrl+Enter", lambda: self.start_draft("auto")),
                           ("Escape", self.stop_draft), ("Ctrl+Shift+C", self.copy_draft), ("Ctrl+P", self.print_dialog),
                           ("Ctrl+S", self.save_dialog)):
            QShortcut(QKeySequence(keys), self, activated=slot)

    # -- model ----------------------------------------------------------------------------------
    def load_model(self) -> None:
        if self.services.model_choice.path is None:
            self.update_status()
            self.model_failed.emit(self.model_problem)  # no file to load: said at once, as a failed load says it
            return
        self.model_loading = True
        # Kept on self: a worker with no Python reference left would be collected mid-load.
        self.loader = ModelLoader(self.services.model_choice, self.services.policy)
        self.loader.loaded.connect(self.on_model_loaded)
        self.loader.failed.connect(self.on_model_failed)
        self.loader_thread = self.jobs.start(self.loader, (self.loader.loaded, self.loader.failed))
        self.update_status()

    def on_model_loaded(self, runtime) -> None:
        log.info("model ready: %s", runtime.info.name if runtime.info else "?")
        self.runtime, self.model_loading = runtime, False
        self.update_status()
        self.model_ready.emit()
        self.reload_model()  # a change made while it loaded

    def on_model_failed(self, message: str) -> None:
        log.warning("model not available: %s", message)
        self.model_problem, self.model_loading = message, False
        self.update_status()
        self.model_failed.emit(message)
        self.reload_model()

    # -- guidance updates -----------------------------------------------------------------------
    def check_for_update(self) -> None:
        """Look for a newer signed bundle in the background (only when the policy names a source)."""
        if self.update_thread is not None and not self.update_thread.isFinished():
            return
        self.updater = UpdateWorker(self.services.policy)
        self.updater.finished.connect(self.on_update_checked)
        self.update_thread = self.jobs.start(self.updater, (self.updater.finished,))

    def on_update_checked(self, result) -> None:
        log.info("guidance update check: %s: %s", result.status, result.message)
        if result.status == "updated":
            self.take_effect(result.message, bundle=result.bundle.path)
        self.update_checked.emit(result)

    # -- changes while running ------------------------------------------------------------------
    def take_effect(self, what: str, *, bundle: Path | None = None, reload_model: bool = False) -> None:
        """The one way a change reaches the running window, whatever made it.

        Guidance installed or rolled back in Settings, or updated in the field, is used from the
        next question; a new model file or thread count reloads the model on its loader thread,
        the drafts using the guidance's own sentences meanwhile. Nothing needs a restart, and the
        notice line says so in the same words on every path.
        """
        when = []
        if bundle is not None:
            self.pending_bundle = Path(bundle)
            when.append(NEXT_QUESTION)
        if reload_model:
            self.pending_model = True
            when.append("The model is reloading; until it is ready, drafts use the guidance's own sentences.")
        notice = f"✓ {what.strip().rstrip('.')}. {' '.join(when)}".strip()
        log.info("change: %s", notice)
        if self.worker is None:  # else finish_worker applies it, between drafts
            self.switch_bundle()
            self.reload_model()
        self.show_notice(notice)
        self.change_applied.emit(notice)

    def reload_model(self) -> None:
        """Load the model again with the new file or threads, once no draft and no load is running."""
        if not self.pending_model or self.worker is not None or self.model_loading or getattr(self, "_shut_down", False):
            return
        self.pending_model = False
        old, self.runtime = self.runtime, None
        if old is not None:
            old.close()
        settings = self.services.settings
        if settings.model_path != self.model_path_in_use:  # else keep the choice, which may be --model's
            from models.loading import choose_model

            self.services.model_choice = choose_model(settings.model_path or None, self.services.policy)
            self.model_path_in_use = settings.model_path
        self.model_problem = self.services.model_choice.problem
        self.load_model()
        self.update_status()

    # -- window placement -----------------------------------------------------------------------
    def place_on_screen(self) -> None:
        """Last session's size and place (else 1200x780), never larger than the screen's free area."""
        saved, maximised = saved_placement(self.services.settings.window)
        screen = QApplication.primaryScreen()
        if saved is not None:
            screen = QApplication.screenAt(QPoint(saved.x + saved.width // 2, saved.y + saved.height // 2)) or screen
        free = screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)
        self.setGeometry(QRect(*fitted_rect(Rect(free.x(), free.y(), free.width(), free.height()), saved)))
        if maximised:
            self.setWindowState(self.windowState() | Qt.WindowMaximized)

    def save_placement(self) -> None:
        """Keep the window's size and place in the personal settings file, for the next start."""
        from desktop.user_settings import load_settings, replace, save_settings

        if not self.isVisible():
            return
        r = self.normalGeometry() if self.isMaximized() else self.geometry()
        placement = (r.x(), r.y(), r.width(), r.height(), int(self.isMaximized()))
        self.services.settings = replace(self.services.settings, window=placement)
        # Read from disk, not the settings in force: those carry the policy's values, not the person's.
        save_settings(replace(load_settings(), window=placement))

    def switch_bundle(self) -> None:
        """Start using a newly installed bundle, between drafts."""
        if self.pending_bundle is None:
            return
        from knowledge.search import Searcher
        from models.embedder import shared_embedder

        old, self.services.searcher = self.services.searcher, Searcher(self.pending_bundle, shared_embedder(background=True))
        self.pending_bundle = None
        old.close()
        self.update_status()

    # -- status ---------------------------------------------------------------------------------
    def update_status(self) -> None:
        choice = self.services.model_choice
        name = choice.info.name if choice.info else "Model"
        if self.runtime is not None:
            self.model_status.setText(f"Model: {name} ready")
        elif self.model_loading:
            self.model_status.setText(f"Model: {name} loading… (drafts use the guidance's sentences until it is ready)")
        else:
            self.model_status.setText("Model: not available, drafts use the guidance's sentences")
        info = self.services.searcher.info
        label = f"{info.title} (unsigned sample)" if not info.signed and info.id == "frontdesk-sample" else info.title
        self.bundle_status.setText(f"Guidance: {label} v{info.version} ({age_in_words(info.created_at)})")
        self.network_status.setText("Online: nothing is sent" if online() else "Offline")
        for label in (self.model_status, self.bundle_status, self.network_status):
            label.setToolTip(label.text() if label is not self.model_status or not self.model_problem else self.model_problem)

    # -- personal data --------------------------------------------------------------------------
    def check_personal_data(self) -> None:
        found = find_personal_data(self.question_edit.toPlainText())
        message = describe_personal_data(found)
        kept = "" if self.services.history.keep_personal_data else " History keeps the question with it removed."
        self.pii_label.setText(f"⚠ {message} It is not needed to find the guidance.{kept}" if message else "")
        self.pii_banner.setVisible(bool(found))
        self.pii_banner.setAccessibleDescription(self.pii_label.text())

    def remove_personal_data(self) -> None:
        self.question_edit.setPlainText(redact_personal_data(self.question_edit.toPlainText()))

    # -- drafting -------------------------------------------------------------------------------
    def start_draft(self, mode: str = "auto") -> bool:
        """Start a draft in a worker; False if one is running or there is no question."""
        if self.worker is not None:
            return False
        question = self.question_edit.toPlainText()
        if not question.strip():
            self.show_notice("Type or paste a question first.")
            self.question_edit.setFocus()
            return False
        unavailable = self.model_problem or ("The model is still loading." if self.model_loading else "")
        self.worker = DraftWorker(question, self.services.searcher, self.runtime, mode, MAX_TOKENS, unavailable)
        self.worker.sources.connect(self.on_sources)
        self.worker.tokens.connect(self.on_tokens)
        self.worker.restarted.connect(self.editor.clear)
        self.worker.done.connect(self.on_done)
        self.worker.failed.connect(self.on_failed)
        self.streamed_any = False
        self.draft_started_at = time.perf_counter()
        if mode == "generated":
            self.editor.clear()
            self.mode_label.setText("Draft (model writing…)")
        self.show_notice("Finding guidance…")
        self.draft_button.setEnabled(False)
        self.rewrite_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.worker_thread = self.jobs.start(self.worker, (self.worker.done, self.worker.failed))
        return True

    def stop_draft(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()

    def on_sources(self, event) -> None:
        self.current_sources = event.sources
        self.sources_view.setHtml(self.sources_html(event.sources, event.covered))
        self.tabs.setCurrentWidget(self.sources_view)
        self.show_notice("Drafting…" if event.covered else "")
        self.sources_shown.emit(len(event.sources))

    def on_tokens(self, text: str) -> None:
        if not self.streamed_any:
            self.editor.clear()
            self.streamed_any = True
            self.first_text_painted.emit()
        self.editor.append_stream(text)

    def on_done(self, draft: Draft) -> None:
        self.draft = draft
        reasons = {s: unsupported_reason(s, draft.sources) for s in draft.unsupported}
        colours = theme_colours(self.services.settings.theme)
        self.editor.link_colour, self.editor.flagged_colour = QColor(colours["accent"]), QColor(colours["flagged"])
        self.editor.blockSignals(True)
        self.editor.show_draft(draft.text, reasons)
        self.editor.blockSignals(False)
        if draft.no_guidance:
            self.mode_label.setText("No guidance found")
        elif draft.mode == "approved" and draft.approved_answer is not None:
            self.mode_label.setText(f"{draft.approved_answer.label} (edit freely)")
        elif draft.mode == "extractive":
            self.mode_label.setText("Draft (from the guidance's own sentences · edit freely)")
        else:
            self.mode_label.setText("Draft (written by the model, checked · edit freely)")
        notes = [draft.notice] if draft.notice else []
        if draft.unsupported:
            notes.append(f"⚠ {len(draft.unsupported)} sentence(s) not found in the sources they cite are marked in red. Check them.")
        if draft.alternative and draft.mode == "extractive":
            notes.append(f"Unchecked model text: {draft.alternative}")
        self.approved_button.setVisible(draft.closest_answer is not None and draft.mode != "approved")
        if draft.closest_answer is not None:
            notes.append(f"Closest approved answer ({draft.closest_answer.label}), for \"{draft.closest_answer.question}\": "
                         f"{draft.closest_answer.text}")
        self.show_notice("\n".join(notes))
        self.editor.setAccessibleDescription(
            "The draft answer. " + (f"{len(draft.unsupported)} sentences are flagged as not found in their sources: "
                                    + " ".join(draft.unsupported) if draft.unsupported else "No sentences are flagged."))
        t = draft.timings
        took = f"{t.total_ms:.0f} ms" if t.total_ms < 1000 else f"{t.total_ms / 1000:.1f} s"
        speed = f"Last draft: {took}"
        if t.tokens_per_s:
            speed += f", {t.tokens_per_s:.0f} tokens/s"
        self.speed_status.setText(speed)
        # The question is never logged: only what the draft was and how long it took.
        log.info("draft: mode=%s no_guidance=%s sources=%d citations=%d unsupported=%d total_ms=%.0f first_token_ms=%s",
                 draft.mode, draft.no_guidance, len(draft.sources), len(draft.citations), len(draft.unsupported),
                 t.total_ms, f"{t.first_token_ms:.0f}" if t.first_token_ms else "-")
        self.draft_id = self.services.history.record_draft(draft)
        self.history_panel.refresh()
        self.finish_worker()
        self.set_outputs_enabled(True)
        self.dirty = True
        self.draft_finished.emit(draft)

    def on_failed(self, message: str) -> None:
        log.warning("draft failed: %s", message)
        self.show_notice(message)
        self.finish_worker()
        self.draft_failed.emit(message)

    def finish_worker(self) -> None:
        self.worker = None
        self.switch_bundle()
        self.reload_model()
        self.draft_button.setEnabled(True)
        self.rewrite_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)
        self.notice_label.setAccessibleDescription(text)

    def sources_html(self, sources, covered: bool) -> str:
        colours = theme_colours(self.services.settings.theme)
        parts = [] if covered else ["<p><b>No guidance found for this question.</b> The closest sources are below, "
                                    "but they do not answer it. Check with a colleague.</p>"]
        today = date.today()
        for n, r in enumerate(sources, 1):
            p = r.passage
            snippet = html.escape(p.text[:320] + ("…" if len(p.text) > 320 else ""))
            for term in sorted(set(w for t in r.matched_terms for w in t.split()), key=len, reverse=True):
                if len(term) > 2:
                    snippet = _bold(snippet, term)
            where = html.escape(p.title) + (f" &gt; {html.escape(p.heading)}" if p.heading else "")
            dates = f"updated {p.updated:%d %b %Y}" if p.updated else ""
            warn = ""
            if p.review_due and p.review_due < today:
                warn = f" <span style='background:{colours['warning']}'>⚠ review date passed ({p.review_due:%d %b %Y})</span>"
            parts.append(f"<p><a href='source:{n}' style='color:{colours['accent']}'><b>[{n}] {where}</b></a><br/>{snippet}"
                         f"<br/><i>{dates}</i>{warn}</p>")
        if not sources:
            parts.append("<p>No passages matched. Try other words, or check with a colleague.</p>")
        return "".join(parts)

    # -- sources --------------------------------------------------------------------------------
    def open_source(self, number: int) -> None:
        sources = self.draft.sources if self.draft else getattr(self, "current_sources", ())
        if not 1 <= number <= len(sources):
            return
        passage = sources[number - 1].passage
        document = self.services.searcher.document(passage.doc_id)
        self.viewer.show_passage(document, passage.id, number, theme_colours(self.services.settings.theme)["warning"])

    # -- ways out -------------------------------------------------------------------------------
    def set_outputs_enabled(self, enabled: bool) -> None:
        for w in (self.copy_button, self.print_button, self.save_button, self.helpful_yes, self.helpful_no, self.report_button):
            w.setEnabled(enabled)

    def final_text(self) -> str:
        return self.editor.toPlainText().strip()

    def as_at(self) -> str:
        """The "as at" line for what leaves: guidance title, version and date, and the pages the text cites."""
        info = self.services.searcher.info if self.draft is None or self.draft.bundle is None else self.draft.bundle
        if self.draft is not None:
            pages = [(r.passage.title, r.passage.updated) for r in self.draft.sources]
        else:  # reopened from history: the sources as recorded
            entry = self.services.history.get_entry(self.draft_id) if self.draft_id is not None else None
            pages = [(s["title"], None) for s in entry.sources] if entry else []
        return as_at_line(self.final_text(), info.title, info.version, info.created_at, pages)

    def copy_draft(self) -> None:
        if not self.final_text():
            return
        QApplication.clipboard().setText(f"{self.final_text()}\n\n{self.as_at()}")
        self.record_final("copied")
        self.show_notice("Copied. Paste it into your reply and check it before you send it.")

    def print_dialog(self) -> None:
        if not self.final_text():
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from desktop.printing import print_letter

        printer = QPrinter(QPrinter.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the answer (choose 'Print to file' for a PDF)")
        if dialog.exec():
            print_letter(printer, self.final_text(), self.draft.sources if self.draft else (), self.as_at())
            self.record_final("printed")

    def print_to_pdf(self, path: Path) -> Path:
        """Save the letter layout of the current draft as a PDF at `path`."""
        out = save_letter_pdf(Path(path), self.final_text(), self.draft.sources if self.draft else (), self.as_at())
        self.record_final("saved_pdf", str(path))
        return out

    def save_dialog(self) -> None:
        if not self.final_text():
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the draft", str(Path.home() / "draft.txt"), "Text files (*.txt)")
        if path:
            self.save_draft(Path(path))

    def save_draft(self, path: Path) -> None:
        """Write the draft and its sources to a text file, atomically."""
        sources = self.draft.sources if self.draft else ()
        lines = [self.final_text(), "", self.as_at(), "", "Sources:"] + [f"[{n}] {r.passage.title}: {r.passage.url}" for n, r in enumerate(sources, 1)]
        path = write_file_atomically(Path(path), "\n".join(lines) + "\n")
        self.record_final("saved", str(path))
        self.show_notice(f"Saved to {path}.")

    def record_final(self, action: str, detail: str = "") -> None:
        self.services.history.record_out(self.draft_id, action, self.final_text())
        self.services.history.update_final_text(self.draft_id, self.final_text())
        self.services.history.log_action(action, self.draft_id, detail)
        self.history_panel.refresh()

    # -- feedback -------------------------------------------------------------------------------
    def give_feedback(self, rating: str, comment: str = "", reason: str = "") -> None:
        self.services.history.add_feedback(self.draft_id, rating, comment, reason)
        self.reason_banner.hide()
        self.show_notice("Thank you: your feedback is saved on this computer for the content team.")

    def ask_why_not_helpful(self) -> None:
        self.reason_comment.clear()
        self.reason_banner.show()
        self.reason_buttons[0].setFocus()

    def give_reason(self, reason: str) -> None:
        self.give_feedback("not_helpful", self.reason_comment.text().strip(), reason)

    def history_note_text(self) -> str:
        history = self.services.history
        if not history.keep:
            return "The policy keeps no history on this computer."
        days = self.services.settings.history_days
        what = ("Questions and drafts are kept as typed, personal data included (your organisation's policy)"
                if history.keep_personal_data else
                "Questions and drafts are kept with personal data (NI numbers, phone numbers, emails, postcodes) removed")
        return f"{what}, for {days} days."

    def open_report(self) -> None:
        from desktop.report_view import ReportDialog

        self.report_dialog = ReportDialog(self.services, self.jobs, self)
        self.report_dialog.show()

    def report_guidance(self) -> None:
        comment, ok = QInputDialog.getMultiLineText(self, "Guidance missing or wrong", "What is missing or wrong? (no personal details)")
        if ok:
            self.give_feedback("guidance_wrong", comment)

    # -- history and autosave -------------------------------------------------------------------
    def show_history(self) -> None:
        self.tabs.setCurrentWidget(self.history_panel)
        self.history_panel.search_box.setFocus()

    def reopen_history(self, entry_id: int) -> None:
        entry = self.services.history.get_entry(entry_id)
        if entry is None:
            return
        self.draft, self.draft_id = None, entry.id
        self.question_edit.setPlainText(entry.question)
        self.editor.setPlainText(entry.final_text)
        self.mode_label.setText(f"Draft from {entry.created_at[:16].replace('T', ' ')} (reopened from history)")
        items = "".join(f"<p>[{n}] <b>{html.escape(s['title'])}</b> &gt; {html.escape(s.get('heading', ''))}<br/>{html.escape(s['url'])}</p>"
                        for n, s in enumerate(entry.sources, 1))
        self.sources_view.setHtml(items or "<p>No sources.</p>")
        self.set_outputs_enabled(True)
        self.dirty = False

    def mark_dirty(self) -> None:
        self.dirty = True

    def autosave(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        self.services.history.autosave(self.draft_id, self.question_edit.toPlainText(), self.editor.toPlainText())

    def offer_restore(self) -> None:
        self.pending = self.services.history.pending_restore()
        if self.pending is not None:
            self.restore_label.setText(f"Frontdesk did not close properly last time. Your draft from {self.pending.saved_at[:16].replace('T', ' ')} was kept.")
            self.restore_banner.show()

    def restore_autosave(self) -> None:
        if self.pending is not None:
            self.question_edit.setPlainText(self.pending.question)
            self.editor.setPlainText(self.pending.text)
            self.draft_id = self.pending.draft_id
            self.set_outputs_enabled(bool(self.pending.text.strip()))
        self.restore_banner.hide()

    def discard_autosave(self) -> None:
        self.services.history.clear_autosave()
        self.pending = None
        self.restore_banner.hide()

    # -- dialogs --------------------------------------------------------------------------------
    def open_settings(self) -> None:
        self.settings_dialog().exec()

    def settings_dialog(self):
        """The Settings dialog, connected: what it saves or installs takes effect here."""
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services, self)
        dialog.settings_changed.connect(self.apply_settings)
        dialog.guidance_changed.connect(self.apply_guidance)
        return dialog

    def apply_settings(self, settings) -> None:
        from desktop.themes import apply_theme

        old, self.services.settings = self.services.settings, settings
        apply_theme(QApplication.instance(), settings.theme, settings.font_scale)
        changed = []
        if settings.model_path != old.model_path:
            changed.append(f"Model file set to {Path(settings.model_path).name if settings.model_path else 'the embedded model'}")
        if settings.threads != old.threads:
            changed.append(f"Processor threads set to {settings.threads or 'automatic'}")
        if changed:
            self.take_effect("; ".join(changed), reload_model=True)

    def apply_guidance(self, message: str) -> None:
        """Guidance installed or rolled back in Settings: use the bundle now active, as an update in the field does."""
        from knowledge.install import active_bundle_path

        self.take_effect(message, bundle=active_bundle_path())

    def open_welcome(self) -> None:
        from desktop.welcome import WelcomeDialog

        WelcomeDialog(self.services, self.runtime is not None or self.model_loading, self.model_problem, self).exec()

    # -- closing --------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop workers and wait for their threads; a clean exit leaves nothing to restore."""
        if getattr(self, "_shut_down", False):
            return
        self._shut_down = True
        self.save_placement()
        self.autosave_timer.stop()
        self.update_timer.stop()
        self.stop_draft()
        self.jobs.wait_all()
        if self.final_text() and self.draft_id is not None:
            self.services.history.update_final_text(self.draft_id, self.final_text())
        self.services.history.clear_autosave()
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


def _bold(escaped: str, term: str) -> str:
    import re

    return re.sub(rf"(?<![\w<])({re.escape(html.escape(term))}\w*)", r"<b>\1</b>", escaped, flags=re.IGNORECASE)
