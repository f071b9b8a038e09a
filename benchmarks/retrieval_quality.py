"""Retrieval quality: knowledge.search against a plain BM25 baseline (rank-bm25 over whole documents).

    python benchmarks/retrieval_quality.py

Goal (issue 2): recall@5 of at least 0.9 on the sample set, and ahead of the baseline. The same
comparison runs on questions about the 138 GOV.UK pages that were written after search was tuned
on the sample set, so they say how it does on guidance and questions it has not seen.
"""

from __future__ import annotations

import re
import sqlite3

from _common import GOVUK_QUESTIONS, QUESTIONS, govuk_bundle, sample_bundle

from knowledge.evaluate import matches_expected, read_questions
from knowledge.search import Searcher

K = 5


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def baseline_rankings(bundle, questions):
    from rank_bm25 import BM25Okapi

    conn = sqlite3.connect(bundle)
    docs = conn.execute("SELECT id, url, title || ' ' || body FROM documents ORDER BY id").fetchall()
    bm25 = BM25Okapi([tokens(text) for _, _, text in docs])
    for q in questions:
        scores = bm25.get_scores(tokens(q.question))
        best = sorted(range(len(docs)), key=lambda i: -scores[i])[:K]
        yield [(docs[i][0], docs[i][1]) for i in best]


def ours_rankings(bundle, questions):
    with Searcher(bundle) as searcher:
        for q in questions:
            yield [(r.passage.doc_id, r.passage.url) for r in searcher.search(q.question, K).results]


def score(rankings, questions):
    hits = hits1 = 0
    rr = 0.0
    for ranked, q in zip(rankings, questions):
        rank = next((i for i, (doc, url) in enumerate(ranked, 1) if any(matches_expected(e, doc, url) for e in q.expected)), None)
        if rank:
            hits += 1
            hits1 += rank == 1
            rr += 1 / rank
    n = len(questions)
    return hits1 / n, hits / n, rr / n


def compare(bundle, path) -> bool:
    """Print ours against the baseline on one question set; whether ours meets the goal there."""
    questions = [q for q in read_questions(path) if q.expected]
    ours = score(ours_rankings(bundle, questions), questions)
    base = score(list(baseline_rankings(bundle, questions)), questions)
    print(f"{len(questions)} in-scope questions from {path.name}")
    print(f"{'':28} {'recall@1':>9} {'recall@5':>9} {'MRR':>7}")
    print(f"{'knowledge.search':28} {ours[0]:9.3f} {ours[1]:9.3f} {ours[2]:7.3f}")
    print(f"{'BM25 over whole documents':28} {base[0]:9.3f} {base[1]:9.3f} {base[2]:7.3f}")
    return ours[1] >= 0.9 and ours[1] >= base[1]


def main() -> None:
    for bundle, path in ((sample_bundle(), QUESTIONS), (govuk_bundle(), GOVUK_QUESTIONS)):
        met = compare(bundle, path)
        print(f"goal: recall@5 >= 0.9 and ahead of the baseline: {'met' if met else 'NOT met'}\n")


if __name__ == "__main__":
    main()
