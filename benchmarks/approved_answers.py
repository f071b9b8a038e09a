"""Measuring the approved-answer thresholds: precision on paraphrased questions, chosen on one half, reported on the other.

knowledge/eval/approved-questions.jsonl holds paraphrases of the sample's approved answers (two per
answer, in other words than the approved question) and near misses (same benefit, another question)
and off-topic questions that should get none. Each threshold is the lowest score whose precision on
the development half is at least 0.95; the figures that count are the held-out halves'. The "fresh"
split was written after the first run had shown its mistakes (questions of another kind about the
same benefit) and before the rule that fixed them (knowledge/answers.py, KINDS): it is the cleanest
held-out figure.

Two matchers are measured: by words (STRONG_MATCH, a bundle or a moment without vectors) and with
the real embedder (models/embedder.py, all-MiniLM-L6-v2 on one thread; STRONG_MATCH_DENSE), whose
score averages the words' score with the cosine of the two questions.

    python benchmarks/approved_answers.py [--words-only]
"""

from __future__ import annotations

import argparse
import json
import time

from _common import ROOT, sample_bundle

SET = ROOT / "knowledge" / "eval" / "approved-questions.jsonl"
SPLITS = ("dev", "held-out", "fresh")


def measure(label: str, matcher, items: list[dict], in_use: float) -> None:
    from knowledge.answers import lowest_threshold, precision_recall, score_questions

    started = time.perf_counter()
    halves = {split: score_questions(matcher, [(i["question"], i["answer"]) for i in items if i["split"] == split])
              for split in SPLITS}
    per_question = (time.perf_counter() - started) * 1000 / len(items)
    chosen = lowest_threshold(halves["dev"], 0.95)
    print(f"\n{label}: {per_question:.1f} ms a question")
    print(f"threshold chosen on the development half (precision >= 0.95): {chosen:.4f}; in knowledge/answers.py: {in_use:.4f}")
    for split, scored in halves.items():
        answerable = sum(s.expected is not None for s in scored)
        for name, t in (("chosen", chosen), ("in use", in_use)):
            p, r, n = precision_recall(scored, t)
            print(f"  {split:8} ({len(scored)}, {answerable} answerable) at {name} {t:.4f}: "
                  f"precision {p:.3f} ({n} drafted), hit rate {r:.3f}")
    print("held-out mistakes at the threshold in use:")
    for s in halves["held-out"] + halves["fresh"]:
        wrong = s.found is not None and s.score >= in_use and s.found != s.expected
        missed = s.expected is not None and not (s.found == s.expected and s.score >= in_use)
        if wrong or missed:
            print(f"  {'WRONG' if wrong else 'missed'} {s.score:.3f} {s.question!r}: expected {s.expected}, found {s.found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words-only", action="store_true", help="measure the matcher by words only (no embedder)")
    args = parser.parse_args()
    from knowledge.answers import STRONG_MATCH, STRONG_MATCH_DENSE, AnswerMatcher
    from knowledge.search import Searcher

    items = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"{sum(i['split'] == 'dev' for i in items)} development, {sum(i['split'] == 'held-out' for i in items)} held-out "
          f"and {sum(i['split'] == 'fresh' for i in items)} fresh held-out questions")
    with Searcher(sample_bundle()) as searcher:
        matcher = AnswerMatcher(searcher)
        print(f"{len(matcher.answers)} approved answers")
        measure("by words", matcher, items, STRONG_MATCH)
    if args.words_only:
        return
    from models.embedder import LlamaEmbedder

    embedder = LlamaEmbedder(threads=1)
    embedder.load()
    try:
        with Searcher(sample_bundle(), embedder) as searcher:
            if searcher.embedder is None:
                raise SystemExit("the sample bundle has no passage vectors from the shipped embedder: rebuild it")
            measure("with the embedder (all-MiniLM-L6-v2, one thread)", AnswerMatcher(searcher, embedder), items, STRONG_MATCH_DENSE)
    finally:
        embedder.close()


if __name__ == "__main__":
    main()
