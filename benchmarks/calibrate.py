"""Hybrid retrieval and the "no guidance found" rule, measured on three real corpora.

    python benchmarks/calibrate.py [--json FILE]

(FRONTDESK_BENCH_BUNDLES=DIR keeps the built bundles between runs: embedding the three corpora takes
minutes.)

Builds the sample, the 138 GOV.UK pages and the real Pension Wise / Money Advice guidance with
passage vectors (the real embedding model), searches every question of each corpus's development
and held-out halves by words only and by words and meaning, fits the no-guidance rule on the
DEVELOPMENT halves of all three together (and, as `kb eval --calibrate` would, on each corpus's own
development half), and prints per corpus and half: recall@1, recall@5, MRR,
in-scope questions refused, out-of-scope questions refused; plain BM25 over whole documents beside.
The held-out halves are only reported, never fitted on. The fitted rule is printed as JSON: it is
knowledge/calibration.py's DEFAULT_RULE.

Goals on held-out halves of every corpus (issue 9): recall@5 >= 0.90, at most 10% of in-scope
questions refused, at least 85% of out-of-scope questions refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _common import CORPORA as CORPUS_LIST, EVAL

from dataclasses import replace

from knowledge.calibration import DEFAULT_RULE, HYBRID_FEATURES, SENTENCE_FEATURES, NoGuidanceRule, fit_rule
from knowledge.evaluate import matches_expected, read_questions
from knowledge.search import Searcher
from models.personal_data import without_personal_data

CORPORA = {c.name: c for c in CORPUS_LIST}
K = 5


def rank_of(q, results) -> int | None:
    return next((i for i, r in enumerate(results, 1)
                 if any(matches_expected(e, r.passage.doc_id, r.passage.url) for e in q.expected)), None)


def figures(runs, rule: NoGuidanceRule | None) -> dict:
    """recall@1/5, MRR on in-scope; refused shares; `runs` are (question, response) pairs."""
    in_scope = [(q, r) for q, r in runs if q.expected]
    out_scope = [(q, r) for q, r in runs if not q.expected]
    ranks = [rank_of(q, r.results) for q, r in in_scope]
    # A question naming only services the guidance never mentions is refused whatever the rule (knowledge/names.py),
    # as is one asking how much of a page that gives no sum of money (knowledge/figures.py).
    covered = (lambda r: bool(r.signals) and rule.covers(r.signals) and not r.refused_whatever_the_rule) if rule \
        else (lambda r: r.covered)
    n = max(1, len(in_scope))
    return {
        "n": len(in_scope), "out": len(out_scope),
        "r1": sum(1 for x in ranks if x == 1) / n, "r5": sum(1 for x in ranks if x) / n,
        "mrr": sum(1 / x for x in ranks if x) / n,
        "in_refused": sum(1 for _, r in in_scope if not covered(r)) / n,
        "out_refused": sum(1 for _, r in out_scope if not covered(r)) / max(1, len(out_scope)),
    }


def row(label: str, f: dict) -> str:
    return (f"  {label:30} {f['r1']:6.3f} {f['r5']:6.3f} {f['mrr']:6.3f} {f['in_refused']:8.1%} "
            f"{f['out_refused']:8.1%}   ({f['n']} in scope, {f['out']} out)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="write every figure to this file too")
    args = parser.parse_args()
    from models.embedder import LlamaEmbedder

    embedder = LlamaEmbedder()
    runs: dict[tuple[str, str, str], list] = {}
    bundles = {}
    for name, corpus in CORPORA.items():
        bundles[name] = bundle = corpus.bundle(embedder)
        with Searcher(bundle, embedder) as hybrid, Searcher(bundle) as words:
            for half in ("dev", "heldout"):
                questions = read_questions(EVAL / f"{name}-{half}.jsonl")
                # Searched as the app searches: the question without its personal data (models/drafting.py).
                runs[name, half, "hybrid"] = [(q, hybrid.search(without_personal_data(q.question), K)) for q in questions]
                runs[name, half, "words"] = [(q, words.search(without_personal_data(q.question), K)) for q in questions]
    # Fit on the development halves of all three corpora together, never on a held-out half.
    # The threshold refuses at most 8% of each corpus's in-scope questions (groups), not only of all three together.
    hybrid_rule = fit_on(runs, CORPORA, "hybrid")
    words_rule = fit_on(runs, CORPORA, "words")
    rule = NoGuidanceRule(hybrid_rule.hybrid, words_rule.lexical, "sample, govuk and realguide development halves",
                          hybrid_rule.sentences)
    report = {}
    print(f"\n{'':32} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'in ref.':>8} {'out ref.':>8}")
    for name in CORPORA:
        for half in ("dev", "heldout"):
            in_scope = [q for q, _ in runs[name, half, "hybrid"] if q.expected]
            print(f"{name} {half}")
            own_dev = [(q, r) for q, r in runs[name, "dev", "hybrid"] if r.signals]
            own = fit_rule([r.signals for _, r in own_dev], [bool(q.expected) for q, _ in own_dev], fitted_on=f"{name} dev")
            results = {
                "hybrid, fitted rule": figures(runs[name, half, "hybrid"], rule),
                "hybrid, refit on own dev half": figures(runs[name, half, "hybrid"], own),
                "hybrid, shipped rule": figures(runs[name, half, "hybrid"], DEFAULT_RULE),
                "hybrid, no sentence vectors": figures(runs[name, half, "hybrid"], replace(rule, sentences=None)),
                "words only, fitted rule": figures(runs[name, half, "words"], rule),
            }
            from retrieval_quality import bm25_figures

            bm25 = bm25_figures(bundles[name], [q for q, _ in runs[name, half, "words"]])
            results["plain BM25 (documents)"] = {"n": len(in_scope), "out": results["words only, fitted rule"]["out"],
                                                 "r1": bm25.recall_at_1, "r5": bm25.recall_at_k, "mrr": bm25.mrr,
                                                 "in_refused": float("nan"), "out_refused": float("nan")}
            for label, f in results.items():
                print(row(label, f))
            report[f"{name}-{half}"] = results
    leave_one_corpus_out(runs)
    print("\nfitted rule (knowledge/calibration.py DEFAULT_RULE):")
    print(rule.to_meta())
    if args.json:
        from dataclasses import asdict

        searches = [{"corpus": name, "half": half, "method": method, "question": q.question, "in_scope": bool(q.expected),
                     "rank": rank_of(q, r.results) if q.expected else None,
                     "signals": asdict(r.signals) if r.signals else None}
                    for (name, half, method), pairs in runs.items() for q, r in pairs]
        args.json.write_text(json.dumps({"figures": report, "rule": json.loads(rule.to_meta()), "searches": searches}, indent=1))
    embedder.close()


def fit_on(runs, corpora, method: str, features=HYBRID_FEATURES, per_corpus: bool = True,
           sentence_features=SENTENCE_FEATURES) -> NoGuidanceRule:
    """The rule fitted on these corpora's development halves searched by `method`, its threshold set
    for each corpus (or, `per_corpus=False`, over all of them together). `sentence_features=None`:
    a rule with no sentence half, as for a bundle built before sentences had vectors."""
    dev = [(name, q, r) for name in corpora for q, r in runs[name, "dev", method] if r.signals]
    rule = fit_rule([r.signals for _, _, r in dev], [bool(q.expected) for _, q, _ in dev], fitted_on="dev halves",
                    groups=[name for name, _, _ in dev] if per_corpus else None, features=features,
                    sentence_features=sentence_features or SENTENCE_FEATURES)
    return rule if sentence_features else replace(rule, sentences=None)


def leave_one_corpus_out(runs) -> None:
    """Which signals carry over to guidance the rule never saw: fit on two corpora's development halves,
    judge on the third's (held-out halves untouched): the shipped signals (the page and the nearest
    sentence), the page and the peak without sentence vectors (a bundle built before them), and others,
    among them all ten signals (bundle-sized signals did not carry over)."""
    from knowledge.calibration import FEATURES

    print("\nleave one corpus out (development halves only): fitted on the other two, judged on this one")
    choices = {"shipped signals": (SENTENCE_FEATURES, True),
               "page, peak, sentence": (("page_cosine", "cosine_peak", "sentence_cosine"), True),
               "nearest sentence alone": (("sentence_cosine",), True),
               "no sentence vectors": (None, True),
               "page alone": (("page_cosine",), True),
               "all ten signals": (FEATURES, True),
               "shipped, one threshold": (SENTENCE_FEATURES, False)}
    for label, (features, per_corpus) in choices.items():
        cells = []
        for left_out in CORPORA:
            rule = fit_on(runs, [name for name in CORPORA if name != left_out], "hybrid", HYBRID_FEATURES, per_corpus,
                          sentence_features=features)
            f = figures(runs[left_out, "dev", "hybrid"], rule)
            cells.append(f"{left_out} {f['in_refused']:.0%} in / {f['out_refused']:.0%} out refused")
        print(f"  {label:22} " + " | ".join(cells))


if __name__ == "__main__":
    main()
