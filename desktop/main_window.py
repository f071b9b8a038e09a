"""The main window: question, sources, draft, and the three ways out (copy, print, save).

It lays out its parts (QuestionBox, DraftBox, the Sources and History tabs, the status bar) and
connects them to the model thread (desktop/model_thread.py) and the small controllers that act:
the model's loads and reloads (desktop/model_control.py, deciding by app/model_state.py), changes
taking effect between drafts (desktop/changes.py, in app/changes.py's words), guidance updates,
autosave, and the ways out (desktop/draft_outputs.py, with app/traceability.py's "as at" line).
How sources and drafts read comes from app/rendering.py. DESIGN.md, "The main window", has the sketch.
"""

from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.logs import log, log_draft
from app.rendering import draft_speed
from app.services import AppServices
from app.status import guidance_status, history_note, network_status
from app.traceability import draft_as_at
from desktop.autosave import Autosave
from desktop.changes import RunningChanges
from desktop.draft_box import DraftBox
from desktop.draft_outputs import DraftOutputs
from desktop.guidance_updates import GuidanceUpdates
from desktop.history_panel import HistoryPanel
from desktop.model_control import ModelControl
from desktop.model_thread import DraftRequest, ModelThread
from desktop.question_box import QuestionBox
from desktop.source_viewer import SourcesList, SourceViewer
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
        self.draft: Draft | None = None
        self.draft_id: int | None = None
        self.drafting: DraftRequest | None = None  # the draft being written
        self.current_sources = ()
        self.closing = False
        self.jobs = JobList(self)
        self.model = ModelThread(self)  # the runtime itself stays on the model thread
        self.model_control = ModelControl(services, self.model, lambda: self.drafting is not None, self)
        self.model_state = self.model_control.state
        self.updates = GuidanceUpdates(services, self.jobs, self)
        self.changes = RunningChanges(self.updates, self.model_control, lambda: self.drafting is not None, self)
        self.autosaver = Autosave(services.history, self.snapshot, self)
        self.outputs = DraftOutputs(services, self.current_draft, self)
        self.outputs.as_at = self.as_at
        self.viewer = SourceViewer(self)
        self.setWindowTitle("Frontdesk")
        place_on_screen(self, services.settings.window)
        self.build_ui()
        self.build_menu()
        self.build_shortcuts()
        self.connect_parts()
        self.update_status()
        self.offer_restore()
        self.updates.start()
        if load_model:
            self.model_control.load()

    @property
    def model_info(self):
        """The loaded model's ModelInfo, or None while it loads or when there is none."""
        return self.model_state.info

    # -- layout ---------------------------------------------------------------------------------
    def build_ui(self) -> None:
        self.question_box, self.draft_box, self.status = QuestionBox(), DraftBox(), WindowStatusBar()
        for part, names in ((self.question_box, QUESTION_WIDGETS), (self.draft_box, DRAFT_WIDGETS), (self.status, STATUS_WIDGETS)):
            for name in names:
                setattr(self, name, getattr(part, name))
        self.question_box.keeps_personal_data = self.services.history.keep_personal_data
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setSpacing(8)
        lv.addWidget(self.question_box)
        lv.addWidget(self.draft_box, 1)
        self.sources_view = SourcesList()
        self.history_panel = HistoryPanel(self.services.history, history_note(self.services.history, self.services.settings.history_days))
        self.history_note = self.history_panel.note_label
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
                             (self.sources_view.source_activated, self.open_source),
                             (self.updates.checked, self.update_checked), (self.updates.switched, self.update_status),
                             (self.changes.applied, self.show_notice), (self.changes.applied, self.change_applied),
                             (self.model_control.changed, self.update_status), (self.model_control.ready, self.model_ready),
                             (self.model_control.failed, self.model_failed)):
            signal.connect(slot)
        for signal, slot in ((worker.sources, self.on_sources), (worker.tokens, self.on_tokens), (worker.restarted, self.editor.clear),
                             (worker.done, self.on_done), (worker.failed, self.on_failed)):
            signal.connect(slot, Qt.QueuedConnection)

    # -- status ---------------------------------------------------------------------------------
    def update_status(self) -> None:
        self.status.show_state(self.model_state.status(), self.model_state.problem, guidance_status(self.services.searcher.info),
                               network_status())

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
        self.drafting = DraftRequest(question, self.services.searcher, mode, DRAFT_MAX_TOKENS, self.model_state.unavailable(),
                                     self.services.model_choice.prefers, use_model=not self.model_state.loading)
        self.model.draft(self.drafting)
        self.draft_box.begin_stream(by_model=mode == "generated")
        self.show_notice("Finding guidance…")
        self.set_drafting(True)
        return True

    def stop_draft(self) -> None:
        if self.drafting is not None:
            self.drafting.cancel.set()

    def set_drafting(self, drafting: bool) -> None:
        self.draft_button.setEnabled(not drafting)
        self.draft_box.set_drafting(drafting)

    def on_sources(self, event) -> None:
        if self.closing:
            return
        self.current_sources = event.sources
        self.sources_view.show_sources(event.sources, event.covered, theme_colours(self.services.settings.theme))
        self.tabs.setCurrentWidget(self.sources_view)
        self.show_notice("Drafting…" if event.covered else "")
        self.sources_shown.emit(len(event.sources))

    def on_tokens(self, text: str) -> None:
        if not self.closing and self.draft_box.stream(text):
            self.first_text_painted.emit()

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
        self.changes.apply_when_idle()  # a change made while the draft was written
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
        """The "as at" line for what leaves (app/traceability.py)."""
        return draft_as_at(self.draft_box.final_text(), self.draft, self.draft_id, self.services.searcher.info, self.services.history)

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
        self.draft_box.show_text(entry.final_text, f"Draft from {entry.created_at[:16].replace('T', ' ')} (reopened from history)")
        self.sources_view.show_recorded(entry.sources)
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
            self.draft_box.show_text(pending.text, outputs=bool(pending.text.strip()))
            self.draft_id = pending.draft_id
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
        dialog.guidance_changed.connect(self.changes.guidance_changed)
        return dialog

    def apply_settings(self, settings) -> None:
        from desktop.themes import apply_theme

        old, self.services.settings = self.services.settings, settings
        apply_theme(QApplication.instance(), settings.theme, settings.font_scale)
        self.changes.settings_saved(old, settings)

    def open_report(self) -> None:
        from desktop.report_view import ReportDialog

        self.report_dialog = ReportDialog(self.services, self.jobs, self)
        self.report_dialog.show()

    def open_welcome(self) -> None:
        from desktop.welcome import WelcomeDialog

        WelcomeDialog(self.services, self.model_state.available, self.model_state.problem, self).exec()

    # -- closing --------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the draft, close the model on its thread, end every thread; a clean exit leaves nothing to restore."""
        if self.closing:
            return
        self.closing = self.model_control.closing = True  # from here what the model thread still sends is ignored
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
