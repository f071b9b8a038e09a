"""Checking a bundle before release: format, integrity, required fields, links, lengths, review dates."""

from __future__ import annotations

import json
import posixpath
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

from knowledge.answers import read_answers
from knowledge.bundle import bundle_info_from, open_bundle, read_meta
from knowledge.errors import BundleError
from knowledge.language import document_languages
from knowledge.sentences import passage_sentences
from knowledge.vectors import Embedder, vector_status

MIN_PASSAGE_WORDS = 20
MAX_PASSAGE_WORDS = 300
ATTACHMENTS = {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".csv", ".ppt", ".pptx", ".odp", ".zip",
               ".txt", ".rtf", ".xml", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".mp3", ".mp4"}
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
    # documents per language, {"en": 93, "cy": 93}; None for a bundle built before documents carried one
    languages: dict[str, int] | None = field(default=None)

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
            "languages": self.languages,
        }

    def describe(self) -> str:
        lines = [f"{f.level.upper()}: {f.message}" for f in self.findings]
        if self.languages is None:
            lines.append("Languages: not recorded (built before documents carried a language; rebuild to add them).")
        elif self.languages:
            lines.append("Languages: " + ", ".join(f"{lang or 'unknown'} {n}" for lang, n in sorted(self.languages.items())))
        verdict = "FAILED" if self.errors else "OK"
        lines.append(f"{self.bundle}: {verdict}, {len(self.errors)} error(s), {len(self.warnings)} warning(s).")
        return "\n".join(lines)


def validate_bundle(path: Path, today: date | None = None, embedder: Embedder | None = None) -> ValidationReport:
    """Every problem found in the bundle at `path`; a file that is not a bundle at all raises BundleError.

    `embedder` is the embedding model this Frontdesk searches with: vectors from another are reported.
    """
    path = Path(path)
    today = today or date.today()
    conn = open_bundle(path)
    findings: list[Finding] = []
    languages: dict[str, int] | None = None
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
        languages = language_counts(conn, add)
        docs = conn.execute("SELECT id, title, url, body, review_due, tags, source FROM documents ORDER BY id").fetchall()
        passage_counts = dict(conn.execute("SELECT doc_id, count(*) FROM passages GROUP BY doc_id").fetchall())
        links = LinkTargets([(d[0], d[2], d[6]) for d in docs])
        titles: dict[tuple[str, str], str] = {}
        page_languages = document_languages(conn)
        for doc_id, title, url, body, review_due, tags, source in docs:
            if not title.strip():
                add("error", "missing-title", f"Document {doc_id} has no title. Add `title:` to its source ({source}) and rebuild.", doc_id)
            if not url:
                add("warning", "missing-url", f"Document {doc_id} has no url: staff cannot send the citizen a link. Add `url:` to {source}.", doc_id)
            # A page and its translation may share a title ("Pension Wise"): the language tells them apart.
            key = (page_languages.get(doc_id, ""), title.strip().lower())
            if key in titles:
                add("warning", "duplicate-title", f"Documents {titles[key]} and {doc_id} share the title {title!r}: staff cannot tell them apart.", doc_id)
            titles.setdefault(key, doc_id)
            if not passage_counts.get(doc_id):
                add("error", "no-passages", f"Document {doc_id} ({title}) has no text to search. Add its body or remove it.", doc_id)
            if "withdrawn" in parse_tags(tags):
                add("warning", "withdrawn", f"Document {doc_id} ({title}) has been withdrawn on GOV.UK: remove it, or replace it with the page that supersedes it.", doc_id)
            if review_due:
                try:
                    due = date.fromisoformat(review_due)
                except ValueError:
                    add("error", "bad-date", f"Document {doc_id}: review_due {review_due!r} is not a date. Write it as YYYY-MM-DD in {source}.", doc_id)
                else:
                    if due < today:
                        add("warning", "review-overdue", f"Document {doc_id} ({title}) was due for review on {due.isoformat()}.", doc_id)
            broken = links.broken(body, source)
            if broken:
                shown = ", ".join(broken[:5]) + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
                add("warning", "broken-link", f"Document {doc_id} links to {shown}, not in this bundle: add those pages to the sources, or correct the links.", doc_id)
        findings += answer_findings(read_answers(conn), {d[0] for d in docs}, today)
        for pid, doc_id, text in conn.execute("SELECT id, doc_id, text FROM passages ORDER BY rowid"):
            words = len(text.split())
            if words > MAX_PASSAGE_WORDS:
                add("warning", "passage-too-long", f"Passage {pid} has {words} words (over {MAX_PASSAGE_WORDS}): split the section.", doc_id)
            elif words < MIN_PASSAGE_WORDS:
                add("warning", "passage-too-short", f"Passage {pid} has {words} words (under {MIN_PASSAGE_WORDS}): it may not make sense alone.", doc_id)
        check_vectors(conn, read_meta(conn, path), embedder, add)
    except sqlite3.DatabaseError as exc:
        add("error", "damaged", f"The bundle cannot be read ({exc}). Rebuild it.")
    finally:
        conn.close()
    return ValidationReport(path, tuple(findings), languages)


def language_counts(conn: sqlite3.Connection, add) -> dict[str, int] | None:
    """Documents per language (None in a bundle without the column); a page of no known language is a warning
    in a bundle of several, since a question in either language may then rank it first."""
    if "lang" not in {row[1] for row in conn.execute("PRAGMA table_info(documents)")}:
        return None
    known = document_languages(conn)
    counts: dict[str, int] = {}
    for (doc_id,) in conn.execute("SELECT id FROM documents ORDER BY id"):
        counts[known.get(doc_id, "")] = counts.get(known.get(doc_id, ""), 0) + 1
    if len([lang for lang in counts if lang]) > 1:
        for (doc_id, source) in conn.execute("SELECT id, source FROM documents WHERE lang = '' ORDER BY id"):
            add("warning", "no-language", f"Document {doc_id}: its language is not known. Add `lang: en` (or cy) to {source} and rebuild.", doc_id)
    return counts


def check_vectors(conn: sqlite3.Connection, meta: dict[str, str], embedder: Embedder | None, add) -> None:
    """Whether questions can find this bundle's guidance by meaning, or only by words."""
    status = vector_status(conn, meta)
    if not status.present:
        add("warning", "no-vectors", "The bundle has no passage vectors: it is searched by words only, and misses questions "
            "put in other words. Rebuild it without --no-vectors.")
        return
    passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    if status.count != passages:
        add("error", "vectors-incomplete", f"The bundle has vectors for {status.count} of its {passages} passages. Rebuild it.")
    if not status.sentences:
        add("warning", "no-sentence-vectors", "The bundle has passage vectors but no sentence vectors (it was built by an "
            "earlier Frontdesk): \"No guidance found\" is decided from whole passages, and answers more questions the "
            "guidance does not cover. Rebuild it with this version of `frontdesk kb build`.")
    elif older_sentence_split(conn):
        add("warning", "older-sentence-split", "The bundle's sentence vectors follow an earlier Frontdesk's sentence split "
            f"(built by {meta.get('builder_version', 'an unknown builder')}): drafts weigh its sentences by their words and a "
            "few by meaning, and lines it now quotes (a list's short items, \"£500 for gas\"; a short line with an email "
            "address or phone number) are quoted only from bundles built since. "
            "Rebuild it with this version of `frontdesk kb build`.")
    if embedder is not None and not status.matches(embedder):
        add("warning", "vectors-other-model",
            f"The bundle's passage vectors come from another embedding model ({status.model_id}, sha256 "
            f"{status.sha256[:12]}...), not this Frontdesk's ({embedder.model_id}, {embedder.sha256[:12]}...): it is "
            "searched by words only. Rebuild it with this version of `frontdesk kb build`.")


def older_sentence_split(conn: sqlite3.Connection) -> bool:
    """Whether any passage's stored sentence vectors are not one for each sentence this Frontdesk finds in it."""
    stored = dict(conn.execute("SELECT passage, count(*) FROM sentence_vectors GROUP BY passage"))
    return any(stored.get(rowid, 0) != len(passage_sentences(text))
               for rowid, text in conn.execute("SELECT rowid, text FROM passages"))


def answer_findings(answers, doc_ids: set[str], today: date) -> list[Finding]:
    """Approved answers resting on pages the bundle lacks, past their review date, or never dated."""
    found = []
    for a in answers:
        missing = [d for d in a.doc_ids if d not in doc_ids]
        if missing:
            found.append(Finding("error", "answer-missing-document",
                                 f"Approved answer {a.id} cites {', '.join(missing)}, not in this bundle: add the page, or correct "
                                 "doc_ids in answers.yaml."))
        elif not a.doc_ids:
            found.append(Finding("warning", "answer-no-documents",
                                 f"Approved answer {a.id} cites no documents: staff cannot check it. Add doc_ids in answers.yaml."))
        if a.review_due and a.review_due < today:
            found.append(Finding("warning", "answer-review-overdue",
                                 f"Approved answer {a.id} was due for review on {a.review_due.isoformat()}: review it and set a new review_due."))
        if a.approved is None:
            found.append(Finding("warning", "answer-not-dated",
                                 f"Approved answer {a.id} has no `approved:` date, so changes to its pages since cannot be flagged. "
                                 "Add the date it was approved (YYYY-MM-DD)."))
    return found


def parse_tags(tags: str | None) -> list[str]:
    try:
        value = json.loads(tags or "[]")
    except ValueError:
        return []
    return [str(t) for t in value] if isinstance(value, list) else []


class LinkTargets:
    """What a link inside the bundle may point at: documents' page paths, ids and source files.

    A link is internal when it is relative (`/pip`, `how-to-claim.md`) or goes to a host that the
    bundle's own pages live on; an internal link that matches no document is broken. Links to other
    sites are not checked (Frontdesk runs offline).
    """

    def __init__(self, docs: list[tuple[str, str, str]]) -> None:
        self.hosts = {urlparse(url).netloc.lower() for _, url, _ in docs if urlparse(url).netloc}
        self.paths = {normal_path(urlparse(url).path) for _, url, _ in docs if url}
        self.paths |= {normal_path("/" + doc_id) for doc_id, _, _ in docs}
        self.sources = {posixpath.normpath(source) for _, _, source in docs if source}
        self.sources |= {posixpath.splitext(s)[0] for s in self.sources}

    def broken(self, body: str, source: str) -> list[str]:
        """The internal links in a Markdown body that match no document, each once, in order."""
        found: list[str] = []
        for m in LINK.finditer(body or ""):
            target = m.group(1) or m.group(2).rstrip(".,;:!?")  # a bare address ends before the sentence's stop
            if target not in found and not self.resolves(target, source):
                found.append(target)
        return found

    def resolves(self, target: str, source: str) -> bool:
        parsed = urlparse(target)
        if parsed.scheme and parsed.scheme not in ("http", "https"):
            return True  # mailto:, tel: and the like are not pages
        if parsed.netloc and parsed.netloc.lower() not in self.hosts:
            return True  # another site: not ours to check
        if not parsed.path or parsed.path == "/":
            return True  # an in-page anchor, or a site's home page
        if posixpath.splitext(parsed.path)[1].lower() in ATTACHMENTS:
            return True  # a download (PDF, spreadsheet), not a page a bundle could hold
        if parsed.netloc or parsed.path.startswith("/"):
            path = normal_path(parsed.path)
            return path in self.paths or any(path.startswith(p + "/") for p in self.paths if p != "/")
        # Relative to the linking file, as in `[how to claim](how-to-claim.md)` between source files.
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(source), unquote(parsed.path)))
        return relative in self.sources or posixpath.splitext(relative)[0] in self.sources \
            or normal_path("/" + relative) in self.paths


def normal_path(path: str) -> str:
    return posixpath.normpath(unquote(path)).rstrip("/").lower() or "/"
