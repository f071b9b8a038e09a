"""The real window, offscreen, with the real sample bundle and embedded model: the whole staff journey."""

import sys
import time

import pytest
from PySide6.QtCore import QThread, QTimer, Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.history import HistoryStore
from desktop.main_window import MainWindow
from app.services import AppServices
from app.user_settings import UserSettings
from app.config import Policy
from knowledge.search import Searcher
from app.model_choice import choose_model
from tests.timing import ATTEMPTS, best_of


@pytest.fixture
def services(sample_bundle, tmp_path):
    made = AppServices(Policy(), UserSettings(welcomed=True), Searcher(sample_bundle), choose_model(None, Policy()),
                       HistoryStore(tmp_path / "history.db"))
    yield made
    made.close()


@pytest.fixture
def no_thread_left(qtbot):
    """Fail a test that leaves a QThread running."""
    yield
    app = QApplication.instance()
    running = [t for t in app.findChildren(QThread) if t.isRunning()]
    for w in app.topLevelWidgets():
        running += [t for t in w.findChildren(QThread) if t.isRunning()]
    assert not running, f"threads still running: {running}"


@pytest.fixture
def window(qtbot, services, no_thread_left):
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.model_ready, timeout=60000):
        pass
    yield w
    w.shutdown()


def draft(qtbot, w, question, mode="auto", timeout=60000):
    w.question_edit.setPlainText(question)
    with qtbot.waitSignal(w.draft_finished, timeout=timeout) as done:
        assert w.start_draft(mode)
    return done.args[0]


def test_type_draft_and_see_sources_first(qtbot, window):
    window.question_edit.setPlainText("how do I apply for a sure start maternity grant")  # no approved answer: tests/test_window_answers.py
    with qtbot.waitSignals([window.sources_shown, window.draft_finished], order="strict", timeout=60000):
        window.start_draft()
    assert "[1]" in window.sources_view.toPlainText() and "Sure Start Maternity Grant" in window.sources_view.toPlainText()
    assert "Best Start Grant" in window.editor.toPlainText()
    assert "guidance's own sentences" in window.mode_label.text()
    assert window.copy_button.isEnabled()
    assert "ready" in window.model_status.text() and "Sample guidance" in window.bundle_status.text()
    assert window.speed_status.text().startswith("Last draft")


def test_drafting_all_day_keeps_none_and_true_alive(qtbot, window):
    """A day's drafts must not drain the references to None or True (PySide6 6.12.0 on Python 3.11 did: a crash within hours)."""
    draft(qtbot, window, "how do i claim universal credit", "generated")  # first use fills caches
    none, true = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(3):
        draft(qtbot, window, "how do i claim universal credit", "generated")
    for _ in range(1000):
        window.copy_button.setEnabled(True)
    assert sys.getrefcount(None) - none > -20 and sys.getrefcount(True) - true > -20


def test_ctrl_enter_drafts(qtbot, window):
    window.question_edit.setPlainText("how do I get a food bank voucher")
    window.question_edit.setFocus()
    with qtbot.waitSignal(window.draft_finished, timeout=60000):
        qtbot.keyClick(window.question_edit, Qt.Key_Return, Qt.ControlModifier)
    assert "food bank" in window.editor.toPlainText().lower()


def test_rewrite_streams_then_stop(qtbot, window):
    window.question_edit.setPlainText("explain universal credit advances and how to pay them back")
    with qtbot.waitSignal(window.first_text_painted, timeout=60000):
        window.start_draft("generated")
    with qtbot.waitSignal(window.draft_finished, timeout=60000) as done:
        qtbot.keyClick(window, Qt.Key_Escape)
    assert "Stopped." in done.args[0].notice
    assert window.stop_button.isEnabled() is False and window.draft_button.isEnabled()


def test_closing_the_app_while_a_draft_streams_leaves_no_thread_and_no_crash(qtbot, services, no_thread_left):
    """The model thread stops the draft, closes the model on its own thread and ends; late signals are ignored."""
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.model_ready, timeout=60000):
        pass
    w.question_edit.setPlainText("explain universal credit advances in detail")
    with qtbot.waitSignal(w.first_text_painted, timeout=60000):
        assert w.start_draft("generated")
    assert w.drafting is not None, "the draft is still streaming"
    thread, worker = w.model.qthread, w.model.worker
    w.close()
    assert thread.isFinished() and worker.runtime is None, "the model was closed on its own thread, which ended"
    QApplication.processEvents()  # what the model thread sent before it ended reaches the closed window
    assert w.draft is None and services.history.search_history() == [], "nothing acted on after closing"


def test_citation_opens_the_source_highlighted(qtbot, window):
    result = draft(qtbot, window, "how long do I have to ask for a mandatory reconsideration")
    assert result.citations
    window.open_source(result.citations[0].marker)
    assert window.viewer.isVisible()
    assert result.sources[0].passage.title in window.viewer.windowTitle()
    assert "background-color" in window.viewer.browser.toHtml()


def test_flagged_sentences_are_marked_and_described(qtbot, window):

    from dataclasses import replace

    result = draft(qtbot, window, "how much is child benefit")
    fake = replace(result, text=result.text + " You will get £999 a week from the council [1].",
                   unsupported=("You will get £999 a week from the council [1].",))
    window.on_done(fake)
    assert "1 sentence(s) not found" in window.notice_label.text()
    assert "flagged" in window.editor.accessibleDescription()
    cursor = window.editor.document().find("£999")
    assert cursor.charFormat().toolTip().startswith("Not found in the sources")


def test_edit_copy_print_save(qtbot, window, tmp_path):
    draft(qtbot, window, "how much is the winter fuel payment")
    window.editor.setPlainText("Edited by staff: you may get £300. [1]")
    window.outputs.copy()
    copied = QApplication.clipboard().text()
    assert copied.startswith("Edited by staff: you may get £300. [1]\n\nAs at Sample guidance v1 (1 January 2026). Pages cited: [1] Winter Fuel Payment")
    pdf = window.outputs.print_to_pdf(tmp_path / "letter.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000
    from pypdf import PdfReader

    raw = PdfReader(str(pdf)).pages[0].extract_text()
    text = " ".join(raw.replace("\ufb00", "ff").replace("\ufb03", "ffi").split())  # PDF text comes out with tabs and ligatures
    assert "Edited by staff: you may get £300." in text and "https://www.gov.uk/winter-fuel-payment" in text and "more help" in text
    assert "As at Sample guidance v1 (1 January 2026). Pages cited: [1] Winter Fuel Payment" in text
    window.outputs.save(tmp_path / "draft.txt")
    saved = (tmp_path / "draft.txt").read_text()
    assert saved.startswith("Edited by staff") and "Sources:" in saved and "\nAs at Sample guidance v1 (1 January 2026)." in saved
    entry = window.services.history.get_entry(window.draft_id)
    assert entry.final_text == "Edited by staff: you may get £300. [1]"
    actions = [a[1] for a in window.services.history.audit_rows()]
    assert actions[-3:] == ["copied", "saved_pdf", "saved"]


def test_no_guidance_is_shown_as_such(qtbot, window):
    result = draft(qtbot, window, "who won the football last night")
    assert result.no_guidance
    assert window.mode_label.text() == "No guidance found"
    assert "No guidance found for this question" in window.sources_view.toPlainText()


def test_personal_data_banner_and_removal(qtbot, window):
    window.question_edit.setPlainText("my number is 07700 900123 and my NI is QQ123456C, can I get PIP?")
    assert window.pii_banner.isVisible()
    assert "phone number" in window.pii_label.text() and "National Insurance number" in window.pii_label.text()
    qtbot.mouseClick(window.remove_pii_button, Qt.LeftButton)
    assert "07700" not in window.question_edit.toPlainText() and "[phone number]" in window.question_edit.toPlainText()
    assert not window.pii_banner.isVisible()


def test_empty_question_asks_for_one(qtbot, window):
    window.question_edit.setPlainText("   ")
    assert window.start_draft() is False
    assert window.notice_label.text() == "Type or paste a question first."


def test_feedback_is_stored(qtbot, window):
    draft(qtbot, window, "what is access to work")
    window.outputs.give_feedback("helpful")
    window.outputs.give_feedback("guidance_wrong", "The taxi rules are missing")
    rows = window.services.history.feedback_rows()
    assert [r[1] for r in rows] == ["helpful", "guidance_wrong"]


def test_reopen_from_history(qtbot, window):
    first = draft(qtbot, window, "how much is pension credit for a couple")
    draft(qtbot, window, "what is the household support fund")
    window.history_panel.refresh()
    items = [window.history_panel.list.item(i) for i in range(window.history_panel.list.count())]
    target = next(i for i in items if "pension credit" in i.text())
    with qtbot.waitSignal(window.history_panel.reopen_requested):
        window.history_panel.activate(target)
    assert window.question_edit.toPlainText() == first.question
    assert window.editor.toPlainText() == first.text
    assert "reopened from history" in window.mode_label.text()


def test_restore_after_a_crash(qtbot, services, sample_bundle, tmp_path):
    w = MainWindow(services, load_model=False)
    qtbot.addWidget(w)
    w.question_edit.setPlainText("can I get help with my rent")
    w.editor.setPlainText("Half-written reply the person was typing")
    w.autosaver.save()
    # A crash: no shutdown, no clean close. The next start finds the autosave.
    w.autosaver.timer.stop()
    second = AppServices(services.policy, services.settings, Searcher(sample_bundle), services.model_choice,
                         HistoryStore(services.history.path))
    try:
        restored = MainWindow(second, load_model=False)
        qtbot.addWidget(restored)
        assert restored.restore_banner.isVisibleTo(restored)
        restored.restore_autosave()
        assert restored.editor.toPlainText() == "Half-written reply the person was typing"
        assert restored.question_edit.toPlainText() == "can I get help with my rent"
        restored.shutdown()
        after = HistoryStore(services.history.path)
        assert after.pending_restore() is None, "a clean close leaves nothing to restore"
        after.close()
    finally:
        second.close()
        w.shutdown()


def test_model_file_missing_uses_the_extractive_draft(qtbot, sample_bundle, tmp_path, no_thread_left):
    from app.model_choice import choose_model as choose

    missing = AppServices(Policy(), UserSettings(welcomed=True), Searcher(sample_bundle), choose(tmp_path / "gone.gguf", Policy()),
                          HistoryStore(tmp_path / "h.db"))
    w = MainWindow(missing)
    qtbot.addWidget(w)
    assert "not available" in w.model_status.text() and "no such model file" in w.model_status.toolTip()
    result = draft(qtbot, w, "how much is carers allowance", mode="generated")
    assert result.mode == "extractive" and "no such model file" in result.notice
    w.shutdown()
    missing.close()


def test_usable_while_the_model_loads(qtbot, services, no_thread_left):
    w = MainWindow(services)
    qtbot.addWidget(w)
    assert "loading" in w.model_status.text()
    w.question_edit.setPlainText("how much is statutory sick pay")
    with qtbot.waitSignal(w.draft_finished, timeout=60000) as done:
        w.start_draft("generated")
    assert done.args[0].text
    if done.args[0].mode == "extractive" and done.args[0].timings.tokens == 0:
        assert "loading" in done.args[0].notice
    if w.model_info is None:  # the model thread finishes the load before the draft asked for meanwhile
        with qtbot.waitSignal(w.model_ready, timeout=60000):
            pass
    assert "ready" in w.model_status.text()
    w.shutdown()


def test_ui_never_stalls_over_100ms_during_a_full_draft(qtbot, services, no_thread_left):
    """The model loads and writes on its own thread: the window's event loop keeps turning throughout.

    Measured on the UI thread's event loop itself, as the longest gap between beats of a 10 ms
    QTimer heartbeat (a stall is that loop not turning), from the window's opening through the
    model's load and a generated draft; the best of up to three windows (tests/timing.py), so a
    loaded machine's scheduling delays fail nothing and a real stall, present every time, does.
    """
    def longest_gap() -> float:
        gaps, last = [], [time.perf_counter()]

        def beat():
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        w = MainWindow(services)  # the model loads in the background from here on
        qtbot.addWidget(w)
        timer = QTimer()
        timer.setTimerType(Qt.PreciseTimer)  # a coarse timer may fire 5% late by design
        timer.setInterval(10)
        timer.timeout.connect(beat)
        last[0] = time.perf_counter()
        timer.start()
        with qtbot.waitSignal(w.model_ready, timeout=60000):
            pass
        w.question_edit.setPlainText("how do universal credit advances work")
        with qtbot.waitSignal(w.draft_finished, timeout=60000):
            w.start_draft("generated")
        timer.stop()
        w.shutdown()
        assert len(gaps) > 10, "the heartbeat hardly ran: the draft was too short to measure"
        return max(gaps)

    stall = best_of(longest_gap, 0.1)
    assert stall < 0.1, f"longest UI stall {stall * 1000:.0f} ms in the best of {ATTEMPTS} drafts"


def test_install_a_tampered_bundle_from_settings_is_refused(qtbot, services, tmp_path):
    from desktop.settings_dialog import SettingsDialog
    from knowledge.build import build_bundle
    from knowledge.signing import generate_keypair, sign_bundle
    from conftest import CONTENT_DIR

    pub = generate_keypair(tmp_path / "k.key")
    bundle = tmp_path / "guide-5.fdkb"
    build_bundle([CONTENT_DIR], bundle, created="2026-01-01T00:00:00Z")
    sign_bundle(bundle, tmp_path / "k.key")
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bundle.write_bytes(bytes(data))
    services.policy = Policy(trusted_keys=(str(pub),))
    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.install_finished, timeout=30000) as result:
        dialog.install_bundle(bundle)
    ok, message = result.args
    assert ok is False and "changed since it was signed" in message
    assert dialog.result_label.text().startswith("✗ Not installed.")
    dialog.done(0)


def test_locked_settings_are_shown_but_disabled(qtbot, services):
    from desktop.settings_dialog import SettingsDialog

    services.policy = Policy(threads=2, locked=frozenset({"threads"}), allow_model_change=False)
    dialog = SettingsDialog(services)
    qtbot.addWidget(dialog)
    assert not dialog.threads.isEnabled() and dialog.threads.toolTip() == "Set by your IT team"
    assert not dialog.model_path.isEnabled()
    assert dialog.font_scale.isEnabled()


def test_every_interactive_widget_has_an_accessible_name(qtbot, window):
    from desktop.settings_dialog import SettingsDialog
    from desktop.welcome import WelcomeDialog

    dialogs = [SettingsDialog(window.services, window), WelcomeDialog(window.services, True, "", window)]
    missing = []
    for root in [window, *dialogs]:
        for widget in root.findChildren(QWidget):
            focusable = widget.focusPolicy() != Qt.NoFocus and widget.isEnabled()
            if focusable and widget.metaObject().className() not in ("QWidget", "QTabBar", "QScrollBar", "QSplitterHandle",
                                                                      "QFrame", "QMenuBar", "QStackedWidget", "QLabel") \
                    and not widget.accessibleName() and not widget.objectName().startswith("qt_"):
                if widget.parent() and widget.parent().metaObject().className() in ("QSpinBox", "QComboBox", "QComboBoxPrivateContainer"):
                    continue  # the line edit inside a spin box or combo box is named by its owner
                missing.append(f"{widget.metaObject().className()} {getattr(widget, 'text', lambda: '')()}")
    for d in dialogs:
        d.deleteLater()
    assert not missing, missing


def test_text_scales_to_200_percent_without_clipping(qtbot, services, no_thread_left):
    from desktop.themes import apply_theme

    app = QApplication.instance()
    apply_theme(app, "high-contrast", 200)
    try:
        w = MainWindow(services, load_model=False)
        qtbot.addWidget(w)
        w.resize(1280, 900)
        w.show()
        qtbot.waitExposed(w)
        for b in (w.draft_button, w.copy_button, w.print_button, w.save_button, w.rewrite_button, w.stop_button):
            assert b.width() >= b.sizeHint().width() - 1, f"{b.text()} is clipped"
            assert b.height() >= b.fontMetrics().height()
        w.shutdown()
    finally:
        apply_theme(app, "light", 100)


def test_frontdesk_with_no_command_opens_the_window(isolated_home):
    """The README's first command ends in `frontdesk`: it must open the window (here: shown, then closed)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    program = Path(sys.executable).with_name("frontdesk")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FRONTDESK_QUIT_AFTER_SHOWN": "1"}
    result = subprocess.run([str(program)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    log = (Path(os.environ["FRONTDESK_LOG_DIR"]) / "frontdesk.log").read_text()
    assert "started: guidance frontdesk-sample" in log
