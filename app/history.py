"""The history of drafts, edits, feedback and actions, kept in history.db (Qt-free).

One writer: a single connection, used under a lock, does every write, so writes never interleave;
readers open their own read-only connections. WAL mode with synchronous=FULL: a power cut loses
nothing that was acknowledged. Writes are a few milliseconds each (one small transaction), so they
run on the caller's thread: an earlier design with a writer thread crashed inside SQLite, now and
then, when the test suite drove the window hard, and a lock is the simpler owner anyway.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.config import app_paths
from models.draft import Draft
from app.edits import changed_share
from models.personal_data import personal_values, redact_personal_data, redact_personal_data_of

# Numbered migrations: PRAGMA user_version says how many have run. Never edit one that has shipped.
MIGRATIONS = (
    """
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        question TEXT NOT NULL,
        question_redacted TEXT NOT NULL,
        draft_text TEXT NOT NULL,
        final_text TEXT NOT NULL,
        mode TEXT NOT NULL,
        no_guidance INTEGER NOT NULL DEFAULT 0,
        sources TEXT NOT NULL DEFAULT '[]',
        citations TEXT NOT NULL DEFAULT '[]',
        unsupported TEXT NOT NULL DEFAULT '[]',
        model TEXT NOT NULL DEFAULT '',
        model_sha256 TEXT NOT NULL DEFAULT '',
        bundle_id TEXT NOT NULL DEFAULT '',
        bundle_version INTEGER NOT NULL DEFAULT 0,
        timings TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE edits (id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
                        at TEXT NOT NULL, text TEXT NOT NULL);
    CREATE TABLE feedback (id INTEGER PRIMARY KEY, draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
                           at TEXT NOT NULL, rating TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '');
    CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, draft_id INTEGER, detail TEXT NOT NULL DEFAULT '');
    CREATE TABLE autosave (slot INTEGER PRIMARY KEY CHECK (slot = 1), draft_id INTEGER, question TEXT NOT NULL,
                           text TEXT NOT NULL, saved_at TEXT NOT NULL);
    """,
    # 2: what the pilot report needs (issue 11): the approved answer drafted, the first time the text
    # left (copy, print, save), how much of it staff had changed by then, and why a draft did not help.
    """
    ALTER TABLE drafts ADD COLUMN answer_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE drafts ADD COLUMN out_at TEXT;
    ALTER TABLE drafts ADD COLUMN out_action TEXT NOT NULL DEFAULT '';
    ALTER TABLE drafts ADD COLUMN seconds_to_out REAL;
    ALTER TABLE drafts ADD COLUMN changed_share REAL;
    ALTER TABLE feedback ADD COLUMN reason TEXT NOT NULL DEFAULT '';
    CREATE INDEX drafts_created ON drafts(created_at);
    """,
)
RATINGS = ("helpful", "not_helpful", "guidance_wrong")
# Why a draft did not help, asked in one click (the key is stored, the label shown).
REASONS = (
    ("wrong_page", "Wrong page"),
    ("factually_wrong", "Factually wrong"),
    ("needs_more_detail", "Needs more detail"),
    ("out_of_date", "Out of date"),
    ("links_not_right", "Links not right"),
    ("nothing_found", "Nothing found"),
    ("other", "Other"),
)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    created_at: str
    question: str
    final_text: str
    draft_text: str
    mode: str
    sources: tuple[dict, ...]
    bundle_id: str
    bundle_version: int
    model: str


@dataclass(frozen=True, slots=True)
class Autosave:
    draft_id: int | None
    question: str
    text: str
    saved_at: str


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, timeout=10)  # any thread, one at a time (the lock)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA secure_delete=ON")  # text deleted or replaced is overwritten in the file, not left in free pages
    return conn


def statements(script: str) -> list[str]:
    """The SQL statements of a migration script, one by one (a ';' inside a string or a trigger stays put)."""
    found, current = [], ""
    for char in script:
        current += char
        if char == ";" and sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip():
        found.append(current.strip())
    return found


def migrate(conn: sqlite3.Connection) -> None:
    """Run the migrations not yet run, each with its user_version in one transaction.

    Not executescript: it commits before it starts and then runs statement by statement, so a
    failure half way left the first tables created and user_version unchanged, and the next start
    died on "table already exists". SQLite's DDL is transactional, so one BEGIN ... COMMIT around the
    statements and the version makes a migration all or nothing.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


class HistoryStore:
    """Drafts, edits, feedback, actions and the autosave slot; keep=False stores no drafts at all.

    Unless `keep_personal_data` (the policy's history_keep_personal_data, off by default), every
    text is stored with its personal data replaced by labels ("[phone number]"): the question and
    comments in full; the draft, staff's edits and the autosaved editor of the question's personal
    data and of any staff typed in, but not of the guidance's own helplines and offices' postcodes,
    which the draft quotes (a reopened draft must read as it was written).
    """

    def __init__(self, path: Path | None = None, keep: bool = True, keep_personal_data: bool = False):
        self.path = Path(path or app_paths().history_db)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.keep = keep
        self.keep_personal_data = keep_personal_data
        self._lock = threading.Lock()
        self._closed = False
        # The personal data of each draft's question (values only, never written): what its edits must not keep.
        self._question_values: dict[int, frozenset[str]] = {}
        self._conn = connect(self.path)
        migrate(self._conn)
        if not keep_personal_data:
            self._redact_stored()

    def stored(self, text: str) -> str:
        """`text` as history keeps it: with its personal data replaced by labels, unless the policy says otherwise."""
        return text if self.keep_personal_data else redact_personal_data(text)

    def stored_draft(self, text: str, question: str) -> str:
        """A draft's text as history keeps it: without the personal data found in its `question`."""
        return text if self.keep_personal_data else redact_personal_data_of(text, only=personal_values(question))

    def stored_edit(self, text: str, draft_id: int | None, question: str = "") -> str:
        """Staff's text for a draft as history keeps it: every piece of personal data redacted except the guidance's own,
        those the stored draft quotes (and the question's are redacted even if the guidance has the same)."""
        if self.keep_personal_data:
            return text
        rows = self._read("SELECT draft_text FROM drafts WHERE id = ?", (draft_id,)) if draft_id is not None else []
        if not rows:
            return redact_personal_data(text)
        asked = self._question_values.get(draft_id, frozenset()) | personal_values(question)
        return redact_personal_data_of(text, keep=personal_values(rows[0][0]) - asked)

    def _redact_stored(self) -> None:
        """Redact what an older Frontdesk, or a policy since changed, kept in full (once; a no-op after)."""
        rows = self._read("SELECT id, question, draft_text, final_text FROM drafts WHERE question != question_redacted")
        if not rows:
            return
        edits = self._read("SELECT e.id, e.draft_id, e.text FROM edits e JOIN drafts d ON d.id = e.draft_id "
                           "WHERE d.question != d.question_redacted")
        questions = {i: q for i, q, _, _ in rows}
        drafts = {i: self.stored_draft(d, q) for i, q, d, _ in rows}

        def edit(text: str, draft_id: int | None, question: str = "") -> str:
            if draft_id not in drafts:
                return redact_personal_data(text)
            asked = personal_values(questions[draft_id]) | personal_values(question)
            return redact_personal_data_of(text, keep=personal_values(drafts[draft_id]) - asked)

        with self._lock, self._conn:
            self._conn.executemany("UPDATE drafts SET question = ?, draft_text = ?, final_text = ? WHERE id = ?",
                                   [(self.stored(q), drafts[i], edit(f, i), i) for i, q, d, f in rows])
            self._conn.executemany("UPDATE edits SET text = ? WHERE id = ?", [(edit(t, d), i) for i, d, t in edits])
            for slot, draft_id, question, text in self._conn.execute("SELECT slot, draft_id, question, text FROM autosave").fetchall():
                self._conn.execute("UPDATE autosave SET question = ?, text = ? WHERE slot = ?",
                                   (self.stored(question), edit(text, draft_id, question), slot))
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the old pages must not linger in the log either

    def _write(self, sql: str, args: tuple = ()) -> int | None:
        with self._lock:
            if self._closed:  # a late write after close (a window closing after the app) is dropped, not a crash
                return None
            with self._conn:
                return self._conn.execute(sql, args).lastrowid

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    # -- writing --------------------------------------------------------------------------------
    def record_draft(self, draft: Draft) -> int | None:
        """Store a finished draft; returns its id (None when the policy keeps no history)."""
        if not self.keep:
            return None
        sources = [{"passage_id": r.passage.id, "doc_id": r.passage.doc_id, "title": r.passage.title, "url": r.passage.url,
                    "heading": r.passage.heading} for r in draft.sources]
        citations = [{"marker": c.marker, "doc_id": c.doc_id, "passage_id": c.passage_id} for c in draft.citations]
        timings = {"retrieval_ms": draft.timings.retrieval_ms, "first_token_ms": draft.timings.first_token_ms,
                   "total_ms": draft.timings.total_ms, "tokens": draft.timings.tokens}
        text = self.stored_draft(draft.text, draft.question)
        draft_id = self._write(
            "INSERT INTO drafts (created_at, question, question_redacted, draft_text, final_text, mode, no_guidance, sources, "
            "citations, unsupported, model, model_sha256, bundle_id, bundle_version, timings, answer_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (now(), self.stored(draft.question), redact_personal_data(draft.question), text, text, draft.mode, int(draft.no_guidance),
             json.dumps(sources), json.dumps(citations), json.dumps(list(draft.unsupported)),
             draft.model.name if draft.model else "", draft.model.sha256 if draft.model else "",
             draft.bundle.id if draft.bundle else "", draft.bundle.version if draft.bundle else 0, json.dumps(timings),
             draft.approved_answer.id if draft.approved_answer else ""),
        )
        if draft_id is not None:
            self._question_values[draft_id] = personal_values(draft.question)
        return draft_id

    def update_final_text(self, draft_id: int | None, text: str) -> None:
        """Record the person's edited text as the draft's final text (and the edit itself)."""
        if draft_id is None or not self.keep:
            return
        text = self.stored_edit(text, draft_id)
        self._write("UPDATE drafts SET final_text = ? WHERE id = ? AND final_text != ?", (text, draft_id, text))
        self._write("INSERT INTO edits (draft_id, at, text) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM drafts WHERE id = ?)",
                    (draft_id, now(), text, draft_id))

    def record_out(self, draft_id: int | None, action: str, text: str) -> None:
        """The first time a draft leaves (copied, printed, saved): when, how, and how much staff had changed."""
        if draft_id is None or not self.keep:
            return
        rows = self._read("SELECT draft_text, created_at, timings FROM drafts WHERE id = ? AND out_at IS NULL", (draft_id,))
        if not rows:
            return
        draft_text, created_at, timings = rows[0]
        at = datetime.now(timezone.utc)
        # From the question to the text leaving: the draft was recorded when it finished, total_ms after the question.
        total_ms = (json.loads(timings or "{}").get("total_ms") or 0)
        seconds = max(0.0, (at - datetime.fromisoformat(created_at)).total_seconds() + total_ms / 1000)
        self._write("UPDATE drafts SET out_at = ?, out_action = ?, seconds_to_out = ?, changed_share = ? WHERE id = ? AND out_at IS NULL",
                    (at.isoformat(timespec="seconds"), action, round(seconds, 1), round(changed_share(draft_text, self.stored_edit(text, draft_id)), 4),
                     draft_id))

    def add_feedback(self, draft_id: int | None, rating: str, comment: str = "", reason: str = "") -> None:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        if reason and reason not in dict(REASONS):
            raise ValueError(f"reason must be one of {[r for r, _ in REASONS]}")
        if draft_id is None or not self.keep:
            return
        self._write("INSERT INTO feedback (draft_id, at, rating, comment, reason) VALUES (?, ?, ?, ?, ?)",
                    (draft_id, now(), rating, self.stored(comment), reason))

    def log_action(self, action: str, draft_id: int | None = None, detail: str = "") -> None:
        """Record what left the app and when (copied, printed, saved) or changed (bundle installed)."""
        self._write("INSERT INTO audit (at, action, draft_id, detail) VALUES (?, ?, ?, ?)", (now(), action, draft_id, detail))

    def autosave(self, draft_id: int | None, question: str, text: str) -> None:
        """Keep the editor's text in the autosave slot (fsynced by WAL + synchronous=FULL)."""
        self._write("INSERT OR REPLACE INTO autosave (slot, draft_id, question, text, saved_at) VALUES (1, ?, ?, ?, ?)",
                           (draft_id, self.stored(question), self.stored_edit(text, draft_id, question), now()))

    def clear_autosave(self) -> None:
        self._write("DELETE FROM autosave")

    def purge_older_than(self, days: int) -> int:
        """Delete drafts (and their edits and feedback) older than `days` days; returns how many."""
        cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
        count = self._read("SELECT count(*) FROM drafts WHERE created_at < ?", (cutoff,))[0][0]
        self._write("DELETE FROM drafts WHERE created_at < ?", (cutoff,))
        return count

    # -- reading --------------------------------------------------------------------------------
    def pending_restore(self) -> Autosave | None:
        """Text left in the editor when the app last stopped without closing cleanly, if any."""
        rows = self._read("SELECT draft_id, question, text, saved_at FROM autosave WHERE slot = 1")
        if not rows or not (rows[0][2].strip() or rows[0][1].strip()):
            return None
        return Autosave(*rows[0])

    def search_history(self, text: str = "", limit: int = 100) -> list[HistoryEntry]:
        """Past drafts, newest first, whose question or text contains `text`."""
        like = f"%{text.strip()}%"
        rows = self._read(
            "SELECT id, created_at, question, final_text, draft_text, mode, sources, bundle_id, bundle_version, model FROM drafts "
            "WHERE question LIKE ? OR final_text LIKE ? ORDER BY id DESC LIMIT ?", (like, like, limit))
        return [self._entry(r) for r in rows]

    def get_entry(self, entry_id: int) -> HistoryEntry | None:
        rows = self._read("SELECT id, created_at, question, final_text, draft_text, mode, sources, bundle_id, bundle_version, model "
                          "FROM drafts WHERE id = ?", (entry_id,))
        return self._entry(rows[0]) if rows else None

    def feedback_rows(self, since: str | None = None) -> list[tuple]:
        """Feedback joined to its draft, oldest first (the content team's CSV reads history.db itself: app/feedback_export.py)."""
        return self._read(
            "SELECT f.at, f.rating, f.comment, d.question_redacted, d.bundle_id, d.bundle_version, d.citations, d.model, d.mode "
            "FROM feedback f JOIN drafts d ON d.id = f.draft_id WHERE f.at >= ? ORDER BY f.at", (since or "",))

    def audit_rows(self) -> list[tuple]:
        return self._read("SELECT at, action, draft_id, detail FROM audit ORDER BY id")

    @staticmethod
    def _entry(row) -> HistoryEntry:
        return HistoryEntry(row[0], row[1], row[2], row[3], row[4], row[5], tuple(json.loads(row[6])), row[7], row[8], row[9])

    def close(self) -> None:
        """Close the write connection; later writes are dropped."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._conn.close()
