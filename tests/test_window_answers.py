"""The real window (offscreen, pytest-qt) with real history files: approved answers, "not helpful" reasons,
the Report view, and a day's drafting with personal data that leaves none in history.db."""

import csv
import sqlite3

import pytest
from click.testing import CliRunner
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from desktop.cli import cli
from desktop.history import HistoryStore
from desktop.main_window import MainWindow
from desktop.services import AppServices, open_services
from desktop.user_settings import UserSettings
from knowledge.config import Policy, app_paths
from knowledge.search import Searcher
from models.loading import choose_model


@pytest.fixture
def no_thread_left(qtbot):
    yield
    app = QApplication.instance()
    running = [t for w in [app, *app.topLevelWidgets()] for t in w.findChildren(QThread) if t.isRunning()]
    assert not running, f"threads still running: {running}"


@pytest.fixture
def window(qtbot, sample_bundle, tmp_path, no_thread_left):
    """The window over the sample bundle and a fresh history file; the model is not loaded (approved and extractive drafts need none)."""
    services = AppServices(Policy(), UserSettings(welcomed=True), Searcher(sample_bundle), choose_model(None, Policy()),
                           HistoryStore(tmp_path / "history.db"))
    w = MainWindow(services, load_model=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()
    services.close()


def draft(qtbot, w, question):
    w.question_edit.setPlainText(question)
    with qtbot.waitSignal(w.draft_finished, timeout=30000) as done:
        assert w.start_draft()
    return done.args[0]


def test_an_approved_answer_is_drafted_first_with_its_label_and_sources(qtbot, window):
    result = draft(qtbot, window, "how much savings can you have on universal credit")
    assert result.mode == "approved"
    assert window.mode_label.text().startswith("Approved answer · Universal Credit content team · 1 Oct 2025")
    assert "Universal Credit: savings and capital" in window.sources_view.toPlainText()
    assert "£16,000" in window.editor.toPlainText()
    window.copy_draft()
    assert "As at Sample guidance v1 (1 January 2026). Pages cited: [1] Universal Credit: savings and capital (updated 15 September 2025)." \
        in QApplication.clipboard().text()
    stored = sqlite3.connect(window.services.history.path).execute("SELECT mode, answer_id, out_action FROM drafts").fetchall()
    assert stored == [("approved", "savings-limit", "copied")]


def test_a_stale_approved_answer_is_flagged_and_a_near_miss_offers_the_closest(qtbot, window):
    draft(qtbot, window, "can I work and still get universal credit")
    assert "Check: the guidance changed after approval" in window.notice_label.text()
    draft(qtbot, window, "how do I claim child benefit")
    assert "Draft (from the guidance's own sentences" in window.mode_label.text()
    assert "Closest approved answer (Approved answer · Family benefits content team · 1 Oct 2025)" in window.notice_label.text()
    assert window.approved_button.isVisible()
    with qtbot.waitSignal(window.draft_finished, timeout=30000) as done:
        window.approved_button.click()
    assert done.args[0].mode == "approved" and done.args[0].approved_answer.id == "child-benefit-amount"
    assert "You chose this approved answer: it was written for another question" in window.notice_label.text()
    assert not window.approved_button.isVisible()


def test_not_helpful_asks_why_in_one_click(qtbot, window):
    draft(qtbot, window, "how do I claim child benefit")
    assert window.reason_banner.isHidden()
    window.helpful_no.click()
    assert window.reason_banner.isVisible() and [b.text() for b in window.reason_buttons][:2] == ["Wrong page", "Factually wrong"]
    window.reason_comment.setText("Needed the rate, call me on 07700 900123")
    window.reason_buttons[2].click()  # one click: needs more detail
    assert window.reason_banner.isHidden() and "Thank you" in window.notice_label.text()
    rows = sqlite3.connect(window.services.history.path).execute("SELECT rating, reason, comment FROM feedback").fetchall()
    assert rows == [("not_helpful", "needs_more_detail", "Needed the rate, call me on [phone number]")]


def test_the_report_view_builds_off_the_ui_thread_and_shows_the_figures(qtbot, window):
    for question in ("how much is child benefit", "how do I claim child benefit", "who won the football last night"):
        draft(qtbot, window, question)
        window.editor.setPlainText(window.editor.toPlainText() + " Edited.")
        window.copy_draft()
    window.give_feedback("helpful")
    window.open_report()
    dialog = window.report_dialog
    with qtbot.waitSignal(dialog.report_shown, timeout=30000) as shown:
        pass
    report = shown.args[0]
    assert report.overall.drafts == 3 and report.overall.no_guidance == 1 and report.overall.mode_count("approved") == 1
    assert report.overall.left == 3 and 0 < report.overall.changed_median < 0.2
    text = dialog.view.toPlainText()
    assert "3 drafts: 2 answered, 1 'No guidance found'" in text and "History keeps drafts for 90 days" in dialog.status.text()
    assert not dialog.view.document().resource(3, "chart:drafts").isNull()  # 3: QTextDocument.ImageResource, the chart drawn
    html = dialog.save_html(window.services.history.path.parent / "report.html").read_text()
    assert "<svg" in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from a network
    dialog.close()


PERSONAL = [
    ("QQ 12 34 56 C", "National Insurance number"), ("AB123456D", "National Insurance number"),
    ("07700 900123", "phone number"), ("020 7946 0018", "phone number"), ("jo.bloggs@example.com", "email address"),
    ("sam_k@example.org", "email address"), ("SW1A 1AA", "postcode"), ("M1 1AE", "postcode"),
]
QUESTIONS = [
    "how much is child benefit", "can I work and still get universal credit", "how do I claim child benefit",
    "how much is a budgeting loan", "how do I challenge a benefit decision", "I have no money for food today",
    "how long does new style jsa last", "how do I renew my passport", "what is the savings limit for universal credit",
    "do I need a fit note from my doctor",
]


def test_a_days_drafting_with_personal_data_leaves_none_in_the_history_file(qtbot, tmp_path, sample_bundle, no_thread_left, monkeypatch):
    """Forty questions carrying NI numbers, phone numbers, emails and postcodes, through the real services and window,
    edited, copied, rated and autosaved; then the bytes of history.db (and its WAL) hold none of them."""
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "data"))
    services = open_services(bundle=sample_bundle)  # the real policy (none: defaults) and the real history location
    w = MainWindow(services, load_model=False)
    qtbot.addWidget(w)
    w.show()
    assert "with personal data (NI numbers, phone numbers, emails, postcodes) removed" in w.history_note.text()
    for n in range(40):
        secret, kind = PERSONAL[n % len(PERSONAL)]
        question = f"Hi, my details are {secret}. {QUESTIONS[n % len(QUESTIONS)]}? Thanks"
        w.question_edit.setPlainText(question)
        assert "History keeps the question with it removed" in w.pii_label.text()
        with qtbot.waitSignal(w.draft_finished, timeout=30000):
            w.start_draft()
        w.editor.setPlainText(f"{w.editor.toPlainText()} Reply to {secret}.")
        w.autosave()  # the editor's text as the timer would keep it
        w.copy_draft()
        if n % 5 == 0:
            w.helpful_no.click()
            w.reason_comment.setText(f"citizen {secret} says it is wrong")
            w.reason_buttons[1].click()
    w.shutdown()
    services.close()
    history = app_paths().history_db
    assert history.parent == tmp_path / "data"
    data = b"".join(p.read_bytes() for p in history.parent.glob("history.db*"))
    for secret, _ in PERSONAL:
        for form in {secret, secret.replace(" ", ""), secret.lower()}:
            assert form.encode() not in data, f"{form} found in history.db"
    rows = sqlite3.connect(history).execute("SELECT count(*), sum(question LIKE '%[%]%') FROM drafts").fetchone()
    assert rows == (40, 40)
    # The report and the exports never hold it either.
    out = tmp_path / "out"
    out.mkdir()
    assert CliRunner().invoke(cli, ["report", "-o", str(out / "r.html"), "--csv", str(out / "r.csv")]).exit_code == 0
    assert CliRunner().invoke(cli, ["feedback", "export", "-o", str(out / "f.csv")]).exit_code == 0
    exported = "".join(p.read_text() for p in out.iterdir())
    assert not [s for s, _ in PERSONAL if s in exported or s.replace(" ", "") in exported]
    assert list(csv.DictReader((out / "f.csv").open()))[0]["reason"] == "factually_wrong"


def test_the_policy_can_keep_the_full_text(tmp_path, sample_bundle):
    (tmp_path / "policy.toml").write_text("history_keep_personal_data = true\n")
    from knowledge.config import load_policy

    policy = load_policy(tmp_path / "policy.toml")
    assert policy.history_keep_personal_data is True and Policy().history_keep_personal_data is False
    store = HistoryStore(tmp_path / "history.db", keep_personal_data=policy.history_keep_personal_data)
    with Searcher(sample_bundle) as searcher:
        from models.drafting import draft_answer

        draft_id = store.record_draft(draft_answer("call me on 07700 900123: how much is child benefit", searcher))
    assert "07700 900123" in store.get_entry(draft_id).question
    store.close()
    # Turned off again, the next start redacts what was kept.
    store = HistoryStore(tmp_path / "history.db")
    assert "07700 900123" not in store.get_entry(draft_id).question and "[phone number]" in store.get_entry(draft_id).question
    store.close()
    assert b"07700 900123" not in b"".join(p.read_bytes() for p in tmp_path.glob("history.db*"))
