"""Checking a bundle before release: format, integrity, required fields, links, lengths, review dates."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from knowledge.bundle import bundle_info_from, open_bundle
from knowledge.errors import BundleError

MIN_PASSAGE_WORDS = 20
MAX_PASSAGE_WORDS = 300
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)[^)]*\)|(https?://[^\s)\]>\"']+)")


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # "error" or "warning"
    code: str
    message: str
    doc_id: str = ""


@dataclass(frozen=True, slots=True)
class ValidationReport:
    bundle: Path
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning")

    def as_json(self) -> dict:
        return {
            "bundle": str(self.bundle), "ok": not self.errors, "errors": len(self.errors), "warnings": len(self.warnings),
            "findings": [{"level": f.level, "code": f.code, "message": f.message, "doc_id": f.doc_id} for f in self.findings],
        }

    def describe(self) -> str:
        lines = [f"{f.level.upper()}: {f.message}" for f in self.findings]
        verdict = "FAILED" if self.errors else "OK"
        lines.append(f"{self.bundle}: {verdict}, {len(self.errors)} error(s), {len(self.warnings)} warning(s).")
        return "\n".join(lines)


def validate_bundle(path: Path, today: date | None = None) -> ValidationReport:
    """Every problem found in the bundle at `path`; a file that is not a bundle at all raises BundleError."""
    path = Path(path)
    today = today or date.today()
    conn = open_bundle(path)
    findings: list[Finding] = []
    add = lambda level, code, message, doc_id="": findings.append(Finding(level, code, message, doc_id))  # noqa: E731
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            add("error", "integrity", f"SQLite integrity check failed: {'; '.join(integrity[:3])}. Rebuild the bundle.")
        try:
            bundle_info_from(conn, path)
        except BundleError as exc:
            add("error", "meta", str(exc))
            return ValidationReport(path, tuple(findings))
        docs = conn.execute("SELECT id, title, url, body, review_due FROM documents ORDER BY id").fetchall()
        passage_counts = dict(conn.execute("SELECT doc_id, count(*) FROM passages GROUP BY doc_id").fetchall())
        known_urls = {urlparse(d[2]).path.rstrip("/") for d in docs if d[2]} | {"/" + d[0] for d in docs}
        hosts = {urlparse(d[2]).netloc for d in docs if d[2]}
        titles: dict[str, str] = {}
        for doc_id, title, url, body, review_due in docs:
            if not title.strip():
                add("error", "missing-title", f"Document {doc_id} has no title.", doc_id)
            if not url:
                add("warning", "missing-url", f"Document {doc_id} has no url: staff cannot send the citizen a link.", doc_id)
            key = title.strip().lower()
            if key in titles:
                add("warning", "duplicate-title", f"Documents {titles[key]} and {doc_id} share the title {title!r}: staff cannot tell them apart.", doc_id)
            titles.setdefault(key, doc_id)
            if not passage_counts.get(doc_id):
                add("error", "no-passages", f"Document {doc_id} ({title}) has no text to search. Add its body or remove it.", doc_id)
            if review_due:
                try:
                    due = date.fromisoformat(review_due)
                except ValueError:
                    add("error", "bad-date", f"Document {doc_id}: review_due {review_due!r} is not a date.", doc_id)
                else:
                    if due < today:
                        add("warning", "review-overdue", f"Document {doc_id} ({title}) was due for review on {due.isoformat()}.", doc_id)
            for link in internal_links(body, hosts):
                if link.rstrip("/") not in known_urls and not any(link.startswith(u + "/") for u in known_urls if u):
                    add("warning", "broken-link", f"Document {doc_id} links to {link}, which is not in this bundle.", doc_id)
        for pid, words in conn.execute("SELECT id, length(text) - length(replace(text, ' ', '')) + 1 FROM passages"):
            if words > MAX_PASSAGE_WORDS:
                add("warning", "passage-too-long", f"Passage {pid} has {words} words (over {MAX_PASSAGE_WORDS}): split the section.", pid.split("#")[0])
            elif words < MIN_PASSAGE_WORDS:
                add("warning", "passage-too-short", f"Passage {pid} has {words} words (under {MIN_PASSAGE_WORDS}): it may not make sense alone.", pid.split("#")[0])
    except sqlite3.DatabaseError as exc:
        add("error", "damaged", f"The bundle cannot be read ({exc}). Rebuild it.")
    finally:
        conn.close()
    return ValidationReport(path, tuple(findings))


def internal_links(body: str, hosts: set[str]) -> list[str]:
    """Paths of links in a Markdown body that point at pages on the bundle's own sites."""
    links = []
    for m in LINK.finditer(body or ""):
        target = m.group(1) or m.group(2)
        parsed = urlparse(target)
        if parsed.scheme in ("mailto", "tel"):
            continue
        if (parsed.netloc and parsed.netloc in hosts) or (not parsed.netloc and target.startswith("/")):
            links.append(parsed.path)
    return links
