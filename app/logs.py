"""The app's log file in the user log folder, with personal data redacted from every line."""

from __future__ import annotations

import logging
import logging.handlers

from app.config import app_paths
from models.personal_data import redact_personal_data

log = logging.getLogger("frontdesk")


class RedactPersonalData(logging.Filter):
    """Replaces National Insurance numbers, phones, emails and postcodes in a record with labels."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_personal_data(record.getMessage())
        record.args = ()
        return True


def start_logging() -> None:
    """Log to frontdesk.log (1 MB, three old files kept) in the user log folder; idempotent."""
    folder = app_paths().logs
    target = folder / "frontdesk.log"
    for old in [h for h in log.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        if old.baseFilename == str(target.resolve()):
            return
        log.removeHandler(old)  # the log folder moved (tests, a changed FRONTDESK_LOG_DIR)
        old.close()
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(RedactPersonalData())
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def log_draft(draft) -> None:
    """One line per finished draft: what it was and how long it took; the question is never logged."""
    t = draft.timings
    log.info("draft: mode=%s no_guidance=%s sources=%d citations=%d unsupported=%d total_ms=%.0f first_token_ms=%s",
             draft.mode, draft.no_guidance, len(draft.sources), len(draft.citations), len(draft.unsupported),
             t.total_ms, f"{t.first_token_ms:.0f}" if t.first_token_ms else "-")
