"""The content team's feedback export: what staff said about drafts, with no personal data (Qt-free)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from app.history import HistoryStore
from knowledge.files import write_file_atomically
from models.personal_data import redact_personal_data

COLUMNS = ("date", "rating", "comment", "question", "bundle_id", "bundle_version", "cited_documents", "model", "mode")


def export_feedback_csv(store: HistoryStore, output: Path, since: str | None = None) -> int:
    """Write every feedback record since `since` (ISO date) to a CSV at `output`; returns the row count."""
    rows = store.feedback_rows(since)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for at, rating, comment, question, bundle_id, bundle_version, citations, model, mode in rows:
        cited = sorted({c["doc_id"] for c in json.loads(citations)})
        # Questions were stored redacted; comments are free text, so they are redacted here too.
        writer.writerow((at[:10], rating, redact_personal_data(comment), redact_personal_data(question), bundle_id,
                         bundle_version, " ".join(cited), model, mode))
    write_file_atomically(Path(output), buffer.getvalue())
    return len(rows)
