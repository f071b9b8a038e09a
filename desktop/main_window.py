"""The main window: question, sources, draft, and the three ways out (copy, print, save).

It lays out its parts (QuestionBox, DraftBox, the Sources and History tabs, the status bar) and
connects them to the model thread (desktop/model_thread.py), the guidance updates and autosave
controllers, and the Qt-free services in app/ that do the work; how sources and drafts read
comes from app/rendering.py. DESIGN.md, "The main window", has the sketch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from app.logs import log, log_draft
from app.rendering import draft_speed, history_sources_html, sources_html
from app.services import AppServices
from app.traceability import as_at_line
from app.status import guidance_status, model_status, network_status
from desktop.autosave import Autosave
from desktop.draft_box import DraftBox
from desktop.draft_outputs import DraftOutputs
from desktop.guidance_updates import GuidanceUpdates
from desktop.history_panel import HistoryPanel
from desktop.model_thread import DraftRequest, ModelThread
from desktop.question_box import QuestionBox
from desktop.settings_dialog import NEXT_QUESTION
from desktop.source_viewer import SourceViewer
from desktop.status_bar import WindowStatusBar
from desktop.themes import theme_colours
from desktop.window_placement import place_on_screen, save_placement
from desktop.workers import JobList
from models.draft import DRAFT_MAX_TOKENS, Draft

# The parts' widgets the window's users (tests, screenshots, benchmarks) reach for by name.
QUESTION_WIDGETS = ("question_edit", "restore_banner", "restore_label", "pii_banner", "pii_label", "remove_pii_button", "draft_button")
DRAFT_WIDGETS = ("mode_label", "rewrite_button", "stop_button", "editor", "notice_label", "copy_button", "print_button",
                 "save_button", "helpful_yes", "helpful_no", "report_button", "approved_button", "reason_banner", "reason_buttons",
                 "reason_comment")
STATUS_WIDGETS = ("model_status", "bundle_status", "network_status", "speed_status")


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
        self.model_info = None  # the loaded model's ModelInfo: the runtime itself stays on the model thread
        self.model_problem = services.model_choice.problem
        self.model_loading = False
        self.draft: Draft | None = None
        self.draft_id: int | None = None
        self.drafting: DraftRequest | None = None  # the draft being written
        self.current_sources = ()
        self.streamed_any = False
        self.closing = False
        self.jobs = JobList(self)
        self.model = ModelThread(self)
        self.updates = GuidanceUpdates(services, self.jobs, self)
        self.autosaver = Autosave(services.history, self.snapshot, self)
        self.outputs = DraftOutputs(services, self.current_draft, self)
        self.outputs.as_at = self.as_at
        self.viewer = SourceViewer(self)
        self.setWindowTitle("Frontdesk")
        self.pending_model = False
        self.model_path_in_use = services.settings.model_path  # the Settings value the loaded model came from
        place_on_screen(self, services.settings.window)
        self.build_ui()
        self.build_menu()
        self.build_shortcuts()
        self.connect_parts()
        self.update_status()
        self.offer_restore()
        self.updates.start()
        if load_model:
            self.load_model()

    # -- layout ---------------------------------------------------------------------------------
    def build_ui(self) -> None:
        self.question_box, self.draft_box, self.status = QuestionBox(), DraftBox(), WindowStatusBar()
        for part, names in ((self.question_box, QUESTION_WIDGETS), (self.draft_box, DRAFT_WIDGETS), (self.status, STATUS_WIDGETS)):
            for name in names:
                setattr(self, name, getattr(part, name))
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setSpacing(8)
        lv.addWidget(self.question_box)
        lv.addWidget(self.draft_box, 1)
        self.sources_view = QTextBrowser()
        self.sources_view.setOpenLinks(False)
        self.sources_view.setAccessibleName("Sources")
        self.sources_view.setAccessibleDescription("The guidance passages the draft is built from. Tab to a source and press Enter to read it in full.")
        self.sources_view.setHtml("<p>Sources appear here as soon as you ask a question.</p>")
        self.history_panel = HistoryPanel(self.services.history)
        self.history_note = QLabel(history_note(self.services))
        self.history_note.setWordWrap(True)
        self.history_note.setAccessibleName("What history keeps")
        self.history_panel.layout().insertWidget(0, self.history_note)
        self.question_box.keeps_personal_data = self.services.history.keep_personal_data
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
        self.setStatusBar(self.status)
        self.setTabOrder(self.question_edit, self.draft_button)
        self.setTabOrder(self.draft_button, self.editor)

    def build_menu(self) -> None:
        menu = self.menuBar().addMenu("&Frontdesk")
        for text, keys, slot in (("&Settings…", QKeySequence("Ctrl+,"), self.open_settings), ("&History", QKeySequence("Ctrl+H"), self.show_history),
                                 ("&About and checks…", None, self.open_welcome), ("&Quit", QKeySequence.Quit, self.close)):
            action = QAction(text, self)
            if keys is not None:
                action.setShortcut(keys)
            action.triggered.connect(slot)
            menu.addAction(action)
        report = QAction("Pilot &report…", self)
        report.triggered.connect(self.open_report)
        self.menuBar().addMenu("&Help").addAction(report)

    def build_shortcuts(self) -> None:
        for keys, slot in (("Ctrl+Return", lambda: self.start_draft("auto")), ("Ctrl+Enter", lambda: self.start_draft("auto")),
                           ("Escape", self.stop_draft), ("Ctrl+Shift+C", self.outputs.copy), ("Ctrl+P", self.outputs.print_dialog),
                           ("Ctrl+S", self.outputs.save_dialog)):
            QShortcut(QKeySequence(keys), self, activated=slot)

    def connect_parts(self) -> None:
        q, d, out, worker = self.question_box, self.draft_box, self.outputs, self.model.worker
        for signal, slot in ((q.draft_requested, lambda: self.start_draft("auto")), (q.restore_requested, self.restore_autosave),
                             (q.discard_requested, self.discard_autosave), (d.rewrite_requested, lambda: self.start_draft("generated")),
                             (d.stop_requested, self.stop_draft), (d.copy_requested, out.copy), (d.print_requested, out.print_dialog),
                             (d.save_requested, out.save_dialog), (d.feedback_given, out.give_feedback),
                             (d.reason_given, lambda reason, comment: out.give_feedback("not_helpful", comment, reason)),
                             (d.approved_requested, lambda: self.start_draft("approved")),
                             (d.report_requested, out.report_guidance), (out.notice, self.show_notice),
                             (out.recorded, self.history_panel.refresh), (self.editor.citation_activated, self.open_source),
                             (self.editor.textChanged, self.autosaver.mark_dirty),
                             (self.question_edit.textChanged, self.autosaver.mark_dirty),  # a question typed alone is autosaved too
                             (self.history_panel.reopen_requested, self.reopen_history),
                             (self.sources_view.anchorClicked, lambda url: self.open_source(int(url.toString().split(":")[1]))),
                             (self.updates.checked, self.on_update_checked), (self.updates.switched, self.update_status)):
            signal.connect(slot)
        for signal, slot in ((worker.loaded, self.on_model_loaded), (worker.load_failed, self.on_model_failed),
                             (worker.sources, self.on_sources), (worker.tokens, self.on_tokens), (worker.restarted, self.editor.clear),
                             (worker.done, self.on_done), (worker.failed, self.on_failed)):
            signal.connect(slot, Qt.QueuedConnection)

    # -- model ----------------------------------------------------------------------------------
    def load_model(self) -> None:
        if self.services.model_choice.path is not None:
            self.model_loading = True
            self.model.load(self.services.model_choice, self.services.policy)
        self.update_status()
        if self.services.model_choice.path is None:
            self.model_failed.emit(self.model_problem)  # no file to load: said at once, as a failed load says it

    def on_model_loaded(self, info) -> None:
        if self.closing:
            return
        log.info("model ready: %s", info.name if info else "?")
        self.model_info, self.model_loading = info, False
        self.update_status()
        self.model_ready.emit()
        self.reload_model()  # a change made while it loaded

    def on_model_failed(self, message: str) -> None:
        if self.closing:
            return
        log.warning("model not available: %s", message)
        self.model_problem, self.model_loading = message, False
        self.update_status()
        self.model_failed.emit(message)
        self.reload_model()

    # -- guidance updates and status ------------------------------------------------------------
    # -- changes while running ------------------------------------------------------------------
    def take_effect(self, what: str, *, bundle: Path | None = None, reload_model: bool = False) -> None:
        """The one way a change reaches the running window: guidance from the next question, a new model
        file or thread count by reloading the model on its thread (drafts use the guidance's sentences meanwhile)."""
        when = []
        if bundle is not None:
            self.updates.pending = Path(bundle)
            when.append(NEXT_QUESTION)
        if reload_model:
            self.pending_model = True
            when.append("The model is reloading; until it is ready, drafts use the guidance's own sentences.")
        notice = f"✓ {what.strip().rstrip('.')}. {' '.join(when)}".strip()
        log.info("change: %s", notice)
        if self.drafting is None:  # else finish_draft applies it, between drafts
            self.updates.switch_when_idle()
            self.reload_model()
        self.show_notice(notice)
        self.change_applied.emit(notice)

    def reload_model(self) -> None:
        """Load the model again with the new file or threads, once no draft and no load is running."""
        if not self.pending_model or self.drafting is not None or self.model_loading or self.closing:
            return
        self.pending_model = False
        self.model_info = None
        settings = self.services.settings
        if settings.model_path != self.model_path_in_use:  # else keep the choice, which may be --model's
            from app.model_choice import choose_model

            self.services.model_choice = choose_model(settings.model_path or None, self.services.policy, settings.threads)
            self.model_path_in_use = settings.model_path
        self.model_problem = self.services.model_choice.problem
        # On the model thread: the old model is closed first, then the new one loads (or says why it cannot).
        self.model_loading = True
        self.model.load(self.services.model_choice, self.services.policy)
        self.update_status()

    def on_update_checked(self, result) -> None:
        if result.status == "updated":
            self.take_effect(result.message, bundle=result.bundle.path)
        self.update_checked.emit(result)

    def update_status(self) -> None:
        choice = self.services.model_choice
        name = choice.info.name if choice.info else "Model"
        self.status.show_state(model_status(name, self.model_info is not None, self.model_loading), self.model_problem,
                               guidance_status(self.services.searcher.info), network_status())

    # -- drafting -------------------------------------------------------------------------------
    def start_draft(self, mode: str = "auto") -> bool:
        """Ask the model thread for a draft; False if one is running or there is no question."""
        if self.drafting is not None:
            return False
        question = self.question_edit.toPlainText()
        if not question.strip():
            self.show_notice("Type or paste a question first.")
            self.question_edit.setFocus()
            return False
        unavailable = "The model is still loading." if self.model_loading else self.model_problem or "No model is available."
        self.drafting = DraftRequest(question, self.services.searcher, mode, DRAFT_MAX_TOKENS, unavailable,
                                     self.services.model_choice.prefers, use_model=not self.model_loading)
        self.model.draft(self.drafting)
        self.streamed_any = False
        if mode == "generated":
            self.editor.clear()
            self.mode_label.setText("Draft (model writing…)")
        self.show_notice("Finding guidance…")
        self.set_drafting(True)
        return True

    def stop_draft(self) -> None:
        if self.drafting is not None:
            self.drafting.cancel.set()

    def set_drafting(self, drafting: bool) -> None:
        self.draft_button.setEnabled(not drafting)
        self.rewrite_button.setEnabled(not drafting)
        self.stop_button.setEnabled(drafting)

    def on_sources(self, event) -> None:
        if self.closing:
            return
        self.current_sources = event.sources
        self.sources_view.setHtml(sources_html(event.sources, event.covered, theme_colours(self.services.settings.theme)))
        self.tabs.setCurrentWidget(self.sources_view)
        self.show_notice("Drafting…" if event.covered else "")
        self.sources_shown.emit(len(event.sources))

    def on_tokens(self, text: str) -> None:
        if self.closing:
            return
        if not self.streamed_any:
            self.editor.clear()
            self.streamed_any = True
            self.first_text_painted.emit()
        self.editor.append_stream(text)

    def on_done(self, draft: Draft) -> None:
        if self.closing:
            return
        self.draft = draft
        self.draft_box.show_draft(draft, theme_colours(self.services.settings.theme))
        self.speed_status.setText(draft_speed(draft.timings))
        log_draft(draft)
        self.draft_id = self.services.history.record_draft(draft)
        self.history_panel.refresh()
        self.finish_draft()
        self.draft_box.set_outputs_enabled(True)
        self.autosaver.mark_dirty()
        self.draft_finished.emit(draft)

    def on_failed(self, message: str) -> None:
        if self.closing:
            return
        log.warning("draft failed: %s", message)
        self.show_notice(message)
        self.finish_draft()
        self.draft_failed.emit(message)

    def finish_draft(self) -> None:
        self.drafting = None
        self.updates.switch_when_idle()
        self.reload_model()
        self.set_drafting(False)

    def show_notice(self, text: str) -> None:
        self.draft_box.show_notice(text)

    def open_source(self, number: int) -> None:
        sources = self.draft.sources if self.draft else self.current_sources
        if not 1 <= number <= len(sources):
            return
        passage = sources[number - 1].passage
        document = self.services.searcher.document(passage.doc_id)
        self.viewer.show_passage(document, passage.id, number, theme_colours(self.services.settings.theme)["warning"])

    def current_draft(self) -> tuple[int | None, str, tuple]:
        """What the ways out act on: the draft's history id, its text as edited, its sources."""
        return self.draft_id, self.draft_box.final_text(), self.draft.sources if self.draft else ()

    def as_at(self) -> str:
        """The "as at" line for what leaves: guidance title, version and date, and the pages the text cites."""
        info = self.services.searcher.info if self.draft is None or self.draft.bundle is None else self.draft.bundle
        if self.draft is not None:
            pages = [(r.passage.title, r.passage.updated) for r in self.draft.sources]
        else:  # reopened from history: the sources as recorded
            entry = self.services.history.get_entry(self.draft_id) if self.draft_id is not None else None
            pages = [(s["title"], None) for s in entry.sources] if entry else []
        return as_at_line(self.draft_box.final_text(), info.title, info.version, info.created_at, pages)

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
        self.sources_view.setHtml(history_sources_html(entry.sources))
        self.draft_box.set_outputs_enabled(True)
        self.autosaver.dirty = False

    def snapshot(self) -> tuple[int | None, str, str]:
        """What autosave keeps: the draft's id, the question and the draft as they are now."""
        return self.draft_id, self.question_edit.toPlainText(), self.editor.toPlainText()

    def offer_restore(self) -> None:
        if self.autosaver.pending is not None:
            self.question_box.offer_restore(self.autosaver.pending.saved_at)

    def restore_autosave(self) -> None:
        pending = self.autosaver.take_pending()
        if pending is not None:
            self.question_edit.setPlainText(pending.question)
            self.editor.setPlainText(pending.text)
            self.draft_id = pending.draft_id
            self.draft_box.set_outputs_enabled(bool(pending.text.strip()))
        self.restore_banner.hide()

    def discard_autosave(self) -> None:
        self.autosaver.discard()
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
        from app.config import app_paths
        from knowledge.install import active_bundle_path

        self.take_effect(message, bundle=active_bundle_path(app_paths().data))

    def open_report(self) -> None:
        from desktop.report_view import ReportDialog

        self.report_dialog = ReportDialog(self.services, self.jobs, self)
        self.report_dialog.show()

    def open_welcome(self) -> None:
        from desktop.welcome import WelcomeDialog

        WelcomeDialog(self.services, self.model_info is not None or self.model_loading, self.model_problem, self).exec()

    # -- closing --------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the draft, close the model on its thread, end every thread; a clean exit leaves nothing to restore."""
        if self.closing:
            return
        self.closing = True  # from here what the model thread still sends is ignored: the window is going
        save_placement(self, self.services)
        self.updates.stop()
        self.stop_draft()
        self.model.stop()  # the model closes on its own thread once the draft stops (within one token)
        self.jobs.wait_all()
        if self.draft_box.final_text() and self.draft_id is not None:
            self.services.history.update_final_text(self.draft_id, self.draft_box.final_text())
        self.autosaver.finish()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


def history_note(services) -> str:
    """What the History tab says history keeps, and for how long."""
    history = services.history
    if not history.keep:
        return "The policy keeps no history on this computer."
    what = ("Questions and drafts are kept as typed, personal data included (your organisation's policy)"
            if history.keep_personal_data else
            "Questions and drafts are kept with personal data (NI numbers, phone numbers, emails, postcodes) removed")
    return f"{what}, for {services.settings.history_days} days."
