"""Search speed at scale: build a 5,000-document bundle, then time 1,000 queries from the question set.

    python benchmarks/search.py [--docs 5000] [--queries 1000] [--no-vectors] [--embed-passages 200]

Goals (issue 2, on this 2-core machine): build at least 100 documents a second; p95 under 20 ms
searching by words. With passage vectors (issue 9): p95 at most 50 ms including embedding the
question; the build's embedding cost per passage and the bundle's size per 1,000 passages.

The 5,000 documents are the sample's pages repeated with varied titles and wording, so most of
their passages differ from another only by an office's name: embedding all 10,000 would take a
quarter of an hour and measure nothing new. The bundle's vectors are the real model's vectors of
each passage with the office name taken out (each distinct text embedded once), and the build
cost is measured apart, by embedding --embed-passages distinct passages.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time

from _common import CONTENT, QUESTIONS, WORK, mean, percentile

from knowledge.build import build_bundle
from knowledge.search import Searcher

OFFICE = re.compile(r" in (?:Leeds|Bristol|Cardiff|Glasgow|Belfast|Norwich|Derby|Hull|Luton|Bath)\b| \(\w+ office \d+\)")


class OncePerText:
    """The real embedder, asked once per distinct text once office names are taken out."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.model_id, self.sha256, self.dimensions = embedder.model_id, embedder.sha256, embedder.dimensions
        self.cache: dict[str, object] = {}

    def embed(self, texts):
        import numpy as np

        keys = [OFFICE.sub("", t) for t in texts]
        new = sorted({k for k in keys if k not in self.cache})
        if new:
            self.cache.update(zip(new, self.embedder.embed(new)))
        return np.stack([self.cache[k] for k in keys])


def embedding_cost(embedder, count: int) -> tuple[float, float, int]:
    """Seconds a passage and seconds a sentence, embedding `count` distinct sample passages and their
    quotable sentences as `kb build` does (calls of 8); and how many sentences those passages have."""
    from knowledge.build import EMBED_BATCH
    from knowledge.sentences import passage_sentences
    from knowledge.vectors import passage_text
    import sqlite3

    conn = sqlite3.connect(WORK / "bulk-1.fdkb")
    rows = conn.execute("SELECT d.title, p.heading, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
                        f"ORDER BY p.rowid LIMIT {count}").fetchall()
    conn.close()
    texts = [passage_text(*r) for r in rows]
    sentences = [s for r in rows for s, _ in passage_sentences(r[2])]
    seconds = []
    for batch in (texts, sentences):
        started = time.perf_counter()
        for i in range(0, len(batch), EMBED_BATCH):
            embedder.embed(batch[i : i + EMBED_BATCH])
        seconds.append((time.perf_counter() - started) / max(1, len(batch)))
    return seconds[0], seconds[1], len(sentences)


def varied_copies(target: int) -> None:
    """Write `target` Markdown documents: the sample guidance repeated with varied titles, ids and wording."""
    import frontmatter

    rng = random.Random(7)
    originals = [frontmatter.load(p) for p in sorted(CONTENT.rglob("*.md"))]
    out = WORK / "bulk"
    out.mkdir()
    places = ["Leeds", "Bristol", "Cardiff", "Glasgow", "Belfast", "Norwich", "Derby", "Hull", "Luton", "Bath"]
    for n in range(target):
        post = originals[n % len(originals)]
        paragraphs = post.content.split("\n\n")
        rng.shuffle(paragraphs[1:])
        body = "\n\n".join(paragraphs)
        body = re.sub(r"\bjobcentre\b", f"jobcentre in {rng.choice(places)}", body)
        title = f"{post['title']} ({places[n % len(places)]} office {n})"
        text = frontmatter.dumps(frontmatter.Post(body, **{**post.metadata, "id": f"{post['id']}-{n}", "title": title}))
        (out / f"doc-{n:05d}.md").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--no-vectors", action="store_true", help="measure the word search only")
    parser.add_argument("--embed-passages", type=int, default=200, help="distinct passages embedded to time the build")
    args = parser.parse_args()
    varied_copies(args.docs)
    started = time.perf_counter()
    summary = build_bundle([WORK / "bulk"], WORK / "bulk-1.fdkb", created="2026-01-01T00:00:00Z")
    build_s = time.perf_counter() - started
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    queries = [questions[i % len(questions)] for i in range(args.queries)]
    size_mb = (WORK / "bulk-1.fdkb").stat().st_size / 1e6
    print(f"bundle: {summary.documents} documents, {summary.passages} passages, {size_mb:.1f} MB "
          f"({size_mb * 1000 / summary.passages:.2f} MB per 1,000 passages) without vectors")
    print(f"build:  {build_s:.1f} s, {summary.documents / build_s:.0f} documents/s without vectors (goal >= 100)")
    time_searches(WORK / "bulk-1.fdkb", None, queries, "by words")
    if args.no_vectors:
        return
    from models.embedder import LlamaEmbedder

    embedder = LlamaEmbedder()  # one thread, as shipped (models/embedder.py says why)
    embedder.load()
    per_passage, per_sentence, sentences = embedding_cost(embedder, args.embed_passages)
    # The same share of sentences a passage as the passages timed.
    per_passage_all = per_passage + per_sentence * sentences / max(1, args.embed_passages)
    print(f"build, embedding on 1 thread: {per_passage * 1000:.0f} ms a passage, {per_sentence * 1000:.0f} ms a sentence "
          f"({sentences / max(1, args.embed_passages):.1f} sentences a passage): {per_passage_all * 1000:.0f} ms a passage "
          f"with its sentences ({1 / per_passage_all:.1f} passages/s); {summary.passages} passages would take "
          f"{summary.passages * per_passage_all / 60:.1f} min, {summary.documents / (build_s + summary.passages * per_passage_all):.1f} documents/s")
    vectors = build_bundle([WORK / "bulk"], WORK / "bulk-v-1.fdkb", created="2026-01-01T00:00:00Z", embedder=OncePerText(embedder))
    size_v = (WORK / "bulk-v-1.fdkb").stat().st_size / 1e6
    print(f"bundle with vectors: {size_v:.1f} MB ({size_v * 1000 / vectors.passages:.2f} MB per 1,000 passages; "
          f"vectors {(size_v - size_mb) * 1000 / vectors.passages:.2f} MB per 1,000, for {vectors.sentence_vectors} sentences)")
    time_searches(WORK / "bulk-v-1.fdkb", embedder, queries, "by words and meaning, the question embedded each time")
    embedder.close()


def time_searches(bundle, embedder, queries, label: str) -> None:
    with Searcher(bundle, embedder) as searcher:
        searcher.search("warm up")  # loads the vectors (once per Searcher)
        times = []
        for q in queries:
            t = time.perf_counter()
            searcher.search(q)
            times.append((time.perf_counter() - t) * 1000)
    goal = "at most 50" if embedder else "< 20"
    print(f"search {label}: {len(times)} queries, mean {mean(times):.1f} ms, p50 {percentile(times, 50):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms (goal {goal}), max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
