"""Measuring the approved-answer threshold: precision on paraphrased questions, chosen on one half, reported on the other.

knowledge/eval/approved-questions.jsonl holds paraphrases of the sample's approved answers (two per
answer, in other words than the approved question) and near misses (same benefit, another question)
and off-topic questions that should get none. The threshold is the lowest score whose precision on
the development half is at least 0.95; the figures that count are the held-out half's. The "fresh"
split was written after the first run had shown its mistakes (questions of another kind about the
same benefit) and before the rule that fixed them (knowledge/answers.py, KINDS): it is the cleanest
held-out figure.

    python benchmarks/approved_answers.py
"""

from __future__ import annotations

import json

from _common import ROOT, sample_bundle

SET = ROOT / "knowledge" / "eval" / "approved-questions.jsonl"


def main() -> None:
    from knowledge.answers import STRONG_MATCH, AnswerMatcher, lowest_threshold, precision_recall, score_questions
    from knowledge.search import Searcher

    items = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    with Searcher(sample_bundle()) as searcher:
        matcher = AnswerMatcher(searcher)
        halves = {split: score_questions(matcher, [(i["question"], i["answer"]) for i in items if i["split"] == split])
                  for split in ("dev", "held-out", "fresh")}
    chosen = lowest_threshold(halves["dev"], 0.95)
    print(f"{len(matcher.answers)} approved answers; {len(halves['dev'])} development, {len(halves['held-out'])} held-out "
          f"and {len(halves['fresh'])} fresh held-out questions")
    print(f"threshold chosen on the development half (precision >= 0.95): {chosen:.4f}; in knowledge/answers.py: {STRONG_MATCH:.4f}")
    for split, scored in halves.items():
        for label, t in (("chosen", chosen), ("in use", STRONG_MATCH)):
            p, r, n = precision_recall(scored, t)
            print(f"  {split:8} at {label} {t:.4f}: precision {p:.3f} ({n} drafted), recall {r:.3f}")
    print("held-out mistakes at the threshold in use:")
    for s in halves["held-out"] + halves["fresh"]:
        wrong = s.found is not None and s.score >= STRONG_MATCH and s.found != s.expected
        missed = s.expected is not None and not (s.found == s.expected and s.score >= STRONG_MATCH)
        if wrong or missed:
            print(f"  {'WRONG' if wrong else 'missed'} {s.score:.3f} {s.question!r}: expected {s.expected}, found {s.found}")


if __name__ == "__main__":
    main()
