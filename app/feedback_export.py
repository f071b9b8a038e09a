"""The content team's feedback export: what staff said, grouped by page and guidance version, and what found no guidance.

One CSV with a `section` column. "feedback" rows count each rating and reason per cited document and
bundle version (a draft citing two pages counts for both), with the comments, personal data
removed, and the questions asked (redacted). "no_guidance" rows group the questions that found no guidance by the words they share,
most frequent first, each question redacted. Read from history.db with a read-only connection.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import FrontdeskError
from knowledge.files import write_file_atomically
from knowledge.query import STOP_WORDS, tokenize
from models.personal_data import redact_personal_data, without_personal_data

COLUMNS = ("section", "document", "title", "bundle_id", "bundle_version", "rating", "reason", "count", "comments", "questions")
NO_DOCUMENT = "(no page cited)"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    feedback_groups: int
    feedback_records: int
    no_guidance_groups: int
    no_guidance_questions: int

    def describe(self, output: Path) -> str:
        return (f"Wrote {self.feedback_records} feedback record(s) in {self.feedback_groups} group(s), and "
                f"{self.no_guidance_questions} question(s) that found no guidance in {self.no_guidance_groups} group(s), to {output}. "
                "Questions and comments have personal data removed.")


def _read(history_db: Path, sql: str, args: tuple) -> list[tuple]:
    history_db = Path(history_db)
    if not history_db.exists():
        raise FrontdeskError(f"{history_db}: no history yet, so no feedback to export.")
    conn = sqlite3.connect(f"{history_db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.DatabaseError as exc:
        raise FrontdeskError(f"{history_db}: not a Frontdesk history file, or written by an older Frontdesk ({exc}). "
                             "Open the app once to update it.") from exc
    finally:
        conn.close()


def question_words(question: str) -> list[str]:
    """The words of a question that say what it is about (no stop words, no personal data, no labels)."""
    return [w for w in tokenize(without_personal_data(question).lower()) if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()]


def group_questions(questions: list[str]) -> list[tuple[str, list[str]]]:
    """Questions grouped by the words they share, biggest group first: each question joins the group of its two
    words most frequent across all the questions ("council tax" for "help with council tax arrears")."""
    frequency = Counter(w for q in questions for w in set(question_words(q)))
    groups: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        words = sorted(set(question_words(q)), key=lambda w: (-frequency[w], w))[:2]
        groups[" ".join(sorted(words)) or "(no words)"].append(q)
    return sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))


def export_feedback_csv(history_db: Path, output: Path, since: str | None = None) -> ExportSummary:
    """Write the grouped feedback and the no-guidance questions since `since` (ISO date) to a CSV at `output`."""
    rows = _read(history_db,
                 "SELECT f.rating, f.reason, f.comment, d.bundle_id, d.bundle_version, d.citations, d.sources, d.question_redacted FROM feedback f "
                 "JOIN drafts d ON d.id = f.draft_id WHERE f.at >= ? ORDER BY f.at", (since or "",))
    counts: Counter = Counter()
    comments: dict[tuple, list[str]] = defaultdict(list)
    asked: dict[tuple, list[str]] = defaultdict(list)
    titles: dict[str, str] = {}
    for rating, reason, comment, bundle_id, version, citations, sources, question in rows:
        for s in json.loads(sources or "[]"):
            titles.setdefault(s.get("doc_id", ""), s.get("title", ""))
        cited = sorted({c["doc_id"] for c in json.loads(citations or "[]")}) or [NO_DOCUMENT]
        for doc in cited:
            key = (doc, bundle_id, version, rating, reason)
            counts[key] += 1
            asked[key].append(redact_personal_data(question))
            if comment.strip():
                # Comments are free text: redacted again here, whatever the history's policy.
                comments[key].append(redact_personal_data(comment.strip()))
    questions = [redact_personal_data(q) for (q,) in _read(
        history_db, "SELECT question_redacted FROM drafts WHERE no_guidance = 1 AND created_at >= ? ORDER BY id", (since or "",))]
    grouped = group_questions(questions)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for key in sorted(counts, key=lambda k: (k[0], k[1], k[2], -counts[k], k[3], k[4])):
        doc, bundle_id, version, rating, reason = key
        writer.writerow(("feedback", doc, titles.get(doc, ""), bundle_id, version, rating, reason, counts[key], " | ".join(comments[key]),
                         " | ".join(dict.fromkeys(asked[key]))))
    for words, members in grouped:
        writer.writerow(("no_guidance", words, "", "", "", "", "", len(members), "", " | ".join(dict.fromkeys(members))))
    write_file_atomically(Path(output), buffer.getvalue())
    return ExportSummary(len(counts), len(rows), len(grouped), len(questions))
