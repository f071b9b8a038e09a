"""Building a bundle file from guidance sources: deterministic, and atomic (no half-written bundle)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import sqlite_utils

from knowledge.chunking import split_passages
from knowledge.errors import SourceError
from knowledge.files import fsync_folder
from knowledge.schema import BUNDLE_SUFFIX, DDL, SCHEMA_VERSION
from knowledge.sources import ReadResult, read_sources, slugify
from knowledge.sentences import passage_sentences
from knowledge.vectors import SENTENCE_VECTORS_DDL, VECTORS_DDL, Embedder, passage_text, vector_blob, vector_meta
from knowledge.synonyms import lexicon_fingerprint, merged_synonyms, read_lexicon

BUILDER_VERSION = "frontdesk-kb-4"  # 2: sentence vectors beside passage vectors; 3: a list's short items are one sentence;
# 4: a line under four words holding an email or web address or a phone number is a sentence
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class BuildSummary:
    output: Path
    bundle_id: str
    title: str
    version: int
    documents: int
    passages: int
    synonyms: int
    answers: int
    warnings: tuple[str, ...]
    elapsed_s: float
    vectors: str = ""  # the embedding model's id, "" when built without vectors
    embed_s: float = 0.0
    lexicon_synonyms: int = 0  # of `synonyms`, how many came from the shipped public-service lexicon
    sentence_vectors: int = 0  # sentences given a vector beside their passage's (0 without vectors)

    def describe(self) -> str:
        """The summary a content designer reads after `kb build`."""
        lines = [
            f"Built {self.output} ({self.title}, id {self.bundle_id}, version {self.version}) in {self.elapsed_s:.1f} s:",
            f"  {self.documents} documents, {self.passages} passages, {self.synonyms} synonyms"
            f"{f' ({self.lexicon_synonyms} from the public-service lexicon)' if self.lexicon_synonyms else ''}, "
            f"{self.answers} standard answers",
            f"  vectors for {self.passages} passages and {self.sentence_vectors} sentences: {self.vectors} ({self.embed_s:.1f} s)"
            if self.vectors
            else "  no passage vectors (--no-vectors): searched by words only",
        ]
        if self.warnings:
            lines.append(f"  {len(self.warnings)} warning(s):")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def created_timestamp(created: str | None) -> str:
    """The bundle's created_at: --created, else SOURCE_DATE_EPOCH (reproducible builds), else now."""
    if created:
        try:
            when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError as exc:
            raise SourceError(f"--created {created!r} is not a date and time. Use ISO form, e.g. 2026-01-31T09:00:00Z.") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    elif os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        when = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=timezone.utc)
    else:
        when = datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def default_bundle_id(output: Path) -> str:
    """`jobcentre-guidance` from `jobcentre-guidance-12.fdkb`."""
    return slugify(re.sub(r"-\d+$", "", output.stem)) or "guidance"


def default_version(output: Path) -> int:
    match = re.search(r"-(\d+)$", output.stem)
    return int(match.group(1)) if match else 1


class BuildProgress:
    """One bar for every stage: reading the files, splitting documents, then embedding passages.

    Reports (done, total, item) with a fixed total and `done` never going back, as a bar needs. Without
    vectors reading and splitting are half each; with them embedding takes most of the time, so
    reading and splitting share the first tenth.
    """

    SCALE = 1000

    def __init__(self, report: Progress | None, embedding: bool = False) -> None:
        self.report = report
        self.embedding = embedding
        self.done = 0

    def _send(self, share: float, item: str) -> None:
        done = max(self.done, min(self.SCALE, round(share * self.SCALE)))
        self.done = done
        if self.report:
            self.report(done, self.SCALE, item)

    def reading(self, done: int, total: int, item: str) -> None:
        self._send((0.05 if self.embedding else 0.5) * done / max(total, 1), item)

    def splitting(self, done: int, total: int, item: str) -> None:
        start, width = (0.05, 0.05) if self.embedding else (0.5, 0.5)
        self._send(start + width * done / max(total, 1), item)

    def embedding_passages(self, done: int, total: int, item: str) -> None:
        self._send(0.1 + 0.9 * done / max(total, 1), item)


def build_bundle(
    sources: Sequence[Path],
    output: Path,
    *,
    bundle_id: str | None = None,
    title: str | None = None,
    version: int | None = None,
    created: str | None = None,
    on_progress: Progress | None = None,
    default_synonyms: bool = True,
    embedder: Embedder | None = None,
) -> BuildSummary:
    """Read `sources` and write the bundle `output`; the same sources always give the same bytes.

    `default_synonyms` merges the shipped public-service lexicon into the bundle's synonyms (the
    sources' own synonyms.csv wins on a term both define). With an `embedder`, every passage's
    vector is stored too (models/embedder.py has the real one); without, the bundle is searched by
    words only.
    """
    started = datetime.now().timestamp()
    output = Path(output)
    if output.suffix != BUNDLE_SUFFIX:
        raise SourceError(f"{output}: a bundle file name must end in {BUNDLE_SUFFIX}, for example jobcentre-guidance-12{BUNDLE_SUFFIX}.")
    if not output.parent.exists():
        raise SourceError(f"{output.parent}: the output folder does not exist. Create it first.")
    progress = BuildProgress(on_progress, embedding=embedder is not None)
    read = read_sources([Path(s) for s in sources], progress.reading)
    bundle_id = bundle_id or default_bundle_id(output)
    version = default_version(output) if version is None else int(version)
    if version < 1:
        raise SourceError(f"--version {version}: versions start at 1 and rise with every release.")
    title = title or bundle_id.replace("-", " ").capitalize()
    meta = {
        "bundle_id": bundle_id,
        "title": title,
        "version": str(version),
        "schema_version": str(SCHEMA_VERSION),
        "created_at": created_timestamp(created),
        "builder_version": BUILDER_VERSION,
        "source_count": str(len(read.documents)),
        # Which lexicon went in ("none" when left out): `kb diff` shows a change of lexicon here.
        "lexicon": lexicon_fingerprint() if default_synonyms else "none",
    }
    if embedder is not None:
        meta.update(vector_meta(embedder))
    synonyms = merged_synonyms(read.synonyms, read_lexicon() if default_synonyms else ())
    # A temporary file beside the output: the rename at the end is atomic on one filesystem.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        passages, embed_s, sentences = write_bundle(tmp, read, meta, progress.splitting, synonyms, embedder, progress.embedding_passages)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, output)
        fsync_folder(output.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return BuildSummary(
        output=output,
        bundle_id=bundle_id,
        title=title,
        version=version,
        documents=len(read.documents),
        passages=passages,
        synonyms=len(synonyms),
        answers=len(read.answers),
        warnings=read.warnings,
        elapsed_s=datetime.now().timestamp() - started,
        vectors=embedder.model_id if embedder is not None else "",
        embed_s=embed_s,
        sentence_vectors=sentences if embedder is not None else 0,
        lexicon_synonyms=sum(s.origin == "lexicon" for s in synonyms),
    )


def write_bundle(path: Path, read: ReadResult, meta: dict[str, str], on_progress: Progress | None,
                 synonyms=None, embedder: Embedder | None = None, on_embedding: Progress | None = None) -> tuple[int, float, int]:
    """Write every table into the empty SQLite file at `path`; return the passage count, seconds spent
    embedding and the count of quotable sentences (knowledge/sentences.py).

    `synonyms` are those to store (default: the sources' own, as read).
    """
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=OFF")  # a temp file: the rename is the commit
        conn.execute("PRAGMA synchronous=OFF")
        conn.executescript(DDL)
        db = sqlite_utils.Database(conn)
        db["meta"].insert_all(({"key": k, "value": v} for k, v in sorted(meta.items())))
        documents = sorted(read.documents, key=lambda d: d.id)
        passage_rows, fts_rows, embed_texts, sentence_texts = [], [], [], []
        rowid = 0
        for n, doc in enumerate(documents, start=1):
            for seq, p in enumerate(split_passages(link_text_only(doc.body))):
                rowid += 1
                passage_rows.append({"rowid": rowid, "id": f"{doc.id}#{seq}", "doc_id": doc.id, "seq": seq,
                                     "heading": p.heading, "text": p.text, "tokens": p.tokens})
                fts_rows.append((rowid, doc.title, p.heading, p.text))
                embed_texts.append(passage_text(doc.title, p.heading, p.text))
                sentence_texts.extend((rowid, position, sentence) for position, (sentence, _) in enumerate(passage_sentences(p.text)))
            if on_progress and (n % 50 == 0 or n == len(documents)):
                on_progress(n, len(documents), f"splitting {doc.source}")
        db["documents"].insert_all(
            {
                "id": d.id, "title": d.title, "url": d.url, "summary": d.summary, "body": d.body,
                "updated": d.updated.isoformat() if d.updated else None,
                "review_due": d.review_due.isoformat() if d.review_due else None,
                "owner": d.owner, "tags": json.dumps(list(d.tags)), "source": d.source, "lang": d.lang,
            }
            for d in documents
        )
        db["passages"].insert_all(passage_rows, batch_size=500)
        conn.executemany("INSERT INTO passages_fts(rowid, title, heading, text) VALUES (?, ?, ?, ?)", fts_rows)
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
        conn.executemany("INSERT INTO vocabulary(word, count) VALUES (?, ?)", sorted(vocabulary_counts(fts_rows).items()))
        # Sorted, so the same sources give the same bytes; a term's expansions keep their order of
        # origin (the team's first), which the search reads back by rowid.
        unique_synonyms = sorted({(s.term, s.origin != "team", s.expansion, s.origin) for s in (read.synonyms if synonyms is None else synonyms)})
        conn.executemany("INSERT INTO synonyms(term, expansion, origin) VALUES (?, ?, ?)",
                         [(term, expansion, origin) for term, _, expansion, origin in unique_synonyms])
        db["answers"].insert_all(
            {"id": a.id, "question": a.question, "answer": a.answer, "doc_ids": json.dumps(list(a.doc_ids)),
             "approved": a.approved.isoformat() if a.approved else None, "owner": a.owner,
             "review_due": a.review_due.isoformat() if a.review_due else None}
            for a in sorted(read.answers, key=lambda a: a.id)
        )
        embed_s = write_vectors(conn, embedder, embed_texts, on_embedding, sentence_texts) if embedder is not None else 0.0
        conn.commit()
        conn.execute("VACUUM")
        return len(passage_rows), embed_s, len(sentence_texts)
    finally:
        conn.close()


EMBED_BATCH = 8  # texts per embedder call, so progress stays smooth (the model embeds them one at a time: faster)


def write_vectors(conn: sqlite3.Connection, embedder: Embedder, texts: list[str], on_progress: Progress | None,
                  sentences: Sequence[tuple[int, int, str]] = ()) -> float:
    """Embed every passage (rowids 1..n, in order) into passage_vectors and each (passage rowid, position,
    sentence) into sentence_vectors; return the seconds it took."""
    started = time.perf_counter()
    conn.executescript(VECTORS_DDL + SENTENCE_VECTORS_DDL)
    stages = (("passage", "INSERT INTO passage_vectors(rowid, vector) VALUES (?, ?)",
               [((i + 1,), text) for i, text in enumerate(texts)]),
              ("sentence", "INSERT INTO sentence_vectors(passage, position, vector) VALUES (?, ?, ?)",
               [((passage, position), text) for passage, position, text in sentences]))
    total, done = len(texts) + len(sentences), 0
    for label, insert, rows in stages:
        for start in range(0, len(rows), EMBED_BATCH):
            batch = rows[start : start + EMBED_BATCH]
            vectors = embedder.embed([text for _, text in batch])
            if vectors.shape != (len(batch), embedder.dimensions):
                raise SourceError(f"The embedding model {embedder.model_id} gave vectors of shape {vectors.shape}, "
                                  f"not ({len(batch)}, {embedder.dimensions}). Reinstall Frontdesk, or build with --no-vectors.")
            conn.executemany(insert, [(*key, vector_blob(v)) for (key, _), v in zip(batch, vectors)])
            done += len(batch)
            if on_progress:
                on_progress(done, total, f"embedding {label} {start + len(batch)} of {len(rows)}")
    return time.perf_counter() - started


MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def link_text_only(markdown: str) -> str:
    """Markdown links as their text: a page address would match searches for the page it points to."""
    return MARKDOWN_LINK.sub(r"\1", markdown)


def vocabulary_counts(fts_rows) -> dict[str, int]:
    """How many passages each word appears in, for spelling suggestions at search time."""
    counts: dict[str, int] = {}
    for _, title, heading, text in fts_rows:
        for word in set(re.findall(r"[^\W\d_]{4,}", f"{title} {heading} {text}".lower())):
            counts[word] = counts.get(word, 0) + 1
    return counts
