"""history.db, feedback export, personal settings and the admin policy: the app's own files."""

import csv
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from cli import cli
from app.history import MIGRATIONS, HistoryStore
from app.user_settings import UserSettings, effective_settings, load_settings, locked_settings, save_settings, settings_path
from app.config import Policy, app_paths, load_policy
from app.config import PolicyError
from knowledge.passage import BundleInfo, Passage, SearchResult
from models.draft import Citation, Draft, ModelInfo

QUESTION = "My NI number is QQ 12 34 56 C, phone 07700 900123, email jo@example.com, I live at SW1A 1AA. Can I get PIP?"


def a_draft(question=QUESTION):
    source = SearchResult(Passage("pip#0", "pip", "PIP", "https://www.gov.uk/pip", "What PIP is", "PIP can help.", date(2025, 1, 1)), 5.0)
    return Draft(question=question, text="PIP can help [1].", mode="extractive", no_guidance=False, sources=(source,),
                 citations=(Citation(1, "pip", "pip#0"),), unsupported=(), model=ModelInfo("SmolLM2", "abc"),
                 bundle=BundleInfo("guide", "Guide", 3, "2026-01-01", app_paths().data / "x.fdkb"))


def test_history_db_is_wal_with_numbered_migrations(tmp_path):
    store = HistoryStore(tmp_path / "history.db")
    store.close()
    conn = sqlite3.connect(tmp_path / "history.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_migration_that_fails_half_way_leaves_nothing_and_the_next_start_succeeds(tmp_path):
    from app.history import connect, migrate, statements

    path = tmp_path / "history.db"
    assert len(statements(MIGRATIONS[0])) == 5  # drafts, edits, feedback, audit, autosave
    conn = connect(path)

    def refuse_the_audit_table(action, name, *rest):  # the fourth of five statements fails
        return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_CREATE_TABLE and name == "audit" else sqlite3.SQLITE_OK

    conn.set_authorizer(refuse_the_audit_table)
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        migrate(conn)
    conn.close()
    check = sqlite3.connect(path)
    assert check.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == []  # drafts was rolled back too
    assert check.execute("PRAGMA user_version").fetchone()[0] == 0
    check.close()

    store = HistoryStore(path)  # the next start: no "table drafts already exists"
    assert store.record_draft(a_draft()) is not None
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_drafts_edits_feedback_and_search(tmp_path):
    store = HistoryStore(tmp_path / "history.db")
    draft_id = store.record_draft(a_draft())
    store.update_final_text(draft_id, "PIP can help you with extra costs [1].")
    store.add_feedback(draft_id, "helpful")
    entry = store.search_history("PIP")[0]
    assert entry.id == draft_id and entry.final_text == "PIP can help you with extra costs [1]." and entry.draft_text == "PIP can help [1]."
    assert entry.bundle_version == 3 and entry.sources[0]["url"] == "https://www.gov.uk/pip"
    with pytest.raises(ValueError):
        store.add_feedback(draft_id, "meh")
    store.close()


def test_history_off_stores_no_drafts(tmp_path):
    store = HistoryStore(tmp_path / "history.db", keep=False)
    assert store.record_draft(a_draft()) is None
    assert store.search_history() == []
    store.close()


def test_purge_keeps_recent_drafts(tmp_path):
    store = HistoryStore(tmp_path / "history.db")
    store.record_draft(a_draft())
    assert store.purge_older_than(30) == 0 and len(store.search_history()) == 1
    assert store.purge_older_than(-1) == 1 and store.search_history() == []
    store.close()


def test_feedback_export_has_no_personal_data(tmp_path):
    store = HistoryStore(app_paths().history_db)
    draft_id = store.record_draft(a_draft())
    store.add_feedback(draft_id, "guidance_wrong", "Citizen on 07700 900123 says the PIP page is out of date")
    store.close()
    out = tmp_path / "feedback.csv"
    result = CliRunner().invoke(cli, ["feedback", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for secret in ("QQ 12 34 56 C", "07700 900123", "jo@example.com", "SW1A 1AA"):
        assert secret not in text
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["section"] == "feedback" and rows[0]["rating"] == "guidance_wrong" and "[phone number]" in rows[0]["comments"]
    assert "[National Insurance number]" in rows[0]["questions"] and rows[0]["document"] == "pip" and rows[0]["count"] == "1"


def test_settings_round_trip_and_damaged_file():
    save_settings(UserSettings(font_scale=175, theme="dark", threads=2))
    assert load_settings() == UserSettings(font_scale=175, theme="dark", threads=2)
    settings_path().write_text("{not json")
    assert load_settings() == UserSettings()
    save_settings(UserSettings(font_scale=900, theme="purple"))
    assert load_settings().font_scale == 200 and load_settings().theme == "light"


def test_policy_locks_settings():
    policy = Policy(threads=3, history_days=7, locked=frozenset({"threads", "history_days"}), allow_model_change=False)
    assert locked_settings(policy) == {"threads", "history_days", "model_path"}
    settings = effective_settings(UserSettings(threads=8, history_days=90), policy)
    assert (settings.threads, settings.history_days) == (3, 7)


@pytest.mark.parametrize("text, message", [
    ("threads = 4\nhistory_days = [oops\n", "line 2"),
    ("favourite_colour = 'blue'\n", "unknown setting 'favourite_colour'"),
    ("threads = 'four'\n", "should be int"),
    ("threads = 0\n", "must be 1 or more"),
])
def test_malformed_policy_names_the_problem(isolated_home, text, message):
    (isolated_home / "policy.toml").write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy()


def test_app_refuses_to_start_on_a_malformed_policy(isolated_home, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.app import run_app

    (isolated_home / "policy.toml").write_text("threads = [\n")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    assert run_app() == 1
    assert "policy.toml" in shown[0] and "IT team" in shown[0]


def test_log_lines_never_hold_personal_data():
    from app.logs import log, start_logging

    start_logging()
    log.warning("staff pasted: %s", QUESTION)
    for handler in log.handlers:
        handler.flush()
    text = (app_paths().logs / "frontdesk.log").read_text()
    assert "[phone number]" in text and "07700 900123" not in text and "QQ 12 34 56 C" not in text


def test_a_stored_draft_loses_the_questions_personal_data_and_keeps_the_guidances_helpline(tmp_path):
    """The draft quotes the guidance's helpline and office postcode: history keeps those, so a reopened draft reads as
    written; what came from the citizen (the question's number, echoed or typed in by staff) is redacted."""
    from dataclasses import replace

    text = "Call the helpline on 0800 99 1234 or write to Office, Leeds LS1 1AA [1]. We will ring you on 07700 900123."
    store = HistoryStore(tmp_path / "history.db")
    draft_id = store.record_draft(replace(a_draft(), text=text))
    entry = store.get_entry(draft_id)
    assert entry.draft_text == text.replace("07700 900123", "[phone number]")
    assert "QQ 12 34 56 C" not in entry.question and "[phone number]" in entry.question
    store.update_final_text(draft_id, entry.draft_text + " Or text 07700900123, or 020 7946 0018, or mail jo@example.com.")
    store.autosave(draft_id, QUESTION, entry.draft_text + " Reply to SW1A 1AA.")
    final = store.get_entry(draft_id).final_text
    assert "0800 99 1234" in final and "LS1 1AA" in final
    assert "07700" not in final and "020 7946" not in final and "jo@example.com" not in final
    assert "SW1A" not in store.pending_restore().text and "0800 99 1234" in store.pending_restore().text
    store.close()
    # Kept in full under an earlier policy, redacted the same way at the next start.
    kept = HistoryStore(tmp_path / "kept.db", keep_personal_data=True)
    kept_id = kept.record_draft(replace(a_draft(), text=text))
    kept.update_final_text(kept_id, text + " Staff: 020 7946 0018.")
    kept.close()
    store = HistoryStore(tmp_path / "kept.db")
    entry = store.get_entry(kept_id)
    assert entry.draft_text == text.replace("07700 900123", "[phone number]") and "[phone number]" in entry.question
    assert "0800 99 1234" in entry.final_text and "020 7946" not in entry.final_text and "07700" not in entry.final_text
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("*.db*"))
    assert b"07700" not in data and b"020 7946" not in data and b"QQ 12" not in data
