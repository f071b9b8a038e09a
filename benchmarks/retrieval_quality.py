"""Retrieval quality per corpus, development and held-out halves, against plain BM25 over whole documents.

    python benchmarks/retrieval_quality.py [--corpus NAME ...] [--json] [--misses] [--eval-dir DIR]

For each corpus in _common.CORPORA (the sample guidance, the 138 GOV.UK content items, the Pension
Wise and Money Advice guidance) and each half of its question set (knowledge/eval/NAME-dev.jsonl and
NAME-heldout.jsonl): recall@1, recall@5 and MRR of the right page; the share of in-scope questions
answered (not "No guidance found"); the share of out-of-scope questions refused; key facts in the top
5 passages; key facts in the extractive draft, and drafts citing a page the question expects.
BM25 (rank-bm25 over each document's title and body) never refuses and drafts nothing, so those rows
are blank for it. A corpus whose sources or questions are not there yet is skipped, saying so.

The held-out half is for reporting only: tune on the development half (--misses lists its misses).
Goal (issue 9), on every held-out half: recall@5 >= 0.90, in-scope answered >= 0.90, out-of-scope
refused >= 0.85, key facts in extractive drafts >= 0.60.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from _common import CORPORA, EVAL, HALVES

from knowledge.errors import FrontdeskError
from knowledge.evaluate import Question, evaluate_retrieval, fact_found, rank_of, read_questions
from knowledge.search import Searcher
from models.drafting import draft_answer
from models.quality import on_expected_page
from models.support import split_sentences

K = 5
HALF_NAMES = {"dev": "development", "heldout": "held-out"}
GOALS = {"recall_at_k": 0.90, "answered": 0.90, "refused": 0.85, "facts_in_drafts": 0.60}


@dataclass(frozen=True, slots=True)
class Figures:
    """One ranking method on one half of one corpus's questions; None where the method has no such figure."""

    recall_at_1: float
    recall_at_k: float
    mrr: float
    facts_at_k: float | None
    answered: float | None  # in-scope questions not answered "No guidance found"
    refused: float | None  # out-of-scope questions answered "No guidance found"
    facts_in_drafts: float | None  # key facts in the extractive draft
    drafts_on_page: float | None  # drafts with a sentence citing a page the question expects


@dataclass(frozen=True, slots=True)
class HalfResult:
    questions: int
    in_scope: int
    out_of_scope: int
    facts: int
    search: Figures
    bm25: Figures
    misses: tuple[str, ...] = ()
    seconds: float = 0.0


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def bm25_figures(bundle: Path, questions: list[Question]) -> Figures:
    """Plain BM25 over whole documents: the baseline any search must beat."""
    from rank_bm25 import BM25Okapi

    conn = sqlite3.connect(f"file:{bundle}?mode=ro", uri=True)
    docs = conn.execute("SELECT id, url, title || ' ' || body FROM documents ORDER BY id").fetchall()
    conn.close()
    bm25 = BM25Okapi([tokens(text) for _, _, text in docs])
    in_scope = [q for q in questions if q.expected]
    hits1 = hitsk = facts_total = facts_hit = 0
    rr = 0.0
    for q in in_scope:
        scores = bm25.get_scores(tokens(q.question))
        best = sorted(range(len(docs)), key=lambda i: -scores[i])[:K]
        rank = rank_of(q, [(docs[i][0], docs[i][1]) for i in best])
        hits1 += rank == 1
        hitsk += rank is not None
        rr += 1 / rank if rank else 0.0
        texts = [docs[i][2].lower() for i in best]
        facts_total += len(q.facts)
        facts_hit += sum(fact_found(f, texts) for f in q.facts)
    n = max(1, len(in_scope))
    return Figures(hits1 / n, hitsk / n, rr / n, facts_hit / facts_total if facts_total else None, None, None, None, None)


def search_figures(searcher: Searcher, questions: list[Question]) -> tuple[Figures, tuple[str, ...]]:
    """knowledge.search as `kb eval` measures it, and the extractive drafts models.drafting makes from it."""
    report = evaluate_retrieval(searcher, questions, K)
    facts_total = facts_hit = on_page = drafted = 0
    for q in questions:
        if not q.expected:
            continue
        draft = draft_answer(q.question, searcher, None, mode="extractive", k=K)
        drafted += 1
        on_page += any(on_expected_page(s, q, draft.sources) for s in split_sentences(draft.text))
        facts_total += len(q.facts)
        facts_hit += sum(fact_found(f, [draft.text.lower()]) for f in q.facts)
    figures = Figures(report.recall_at_1, report.recall_at_k, report.mrr, report.facts_at_k, report.in_scope_covered,
                      report.out_of_scope_correct, facts_hit / facts_total if facts_total else None,
                      on_page / drafted if drafted else None)
    misses = tuple(f"{m.question[:90]!r}: expected {', '.join(m.expected)}; got {', '.join(m.got[:3]) or 'nothing'}"
                   for m in report.misses)
    misses += tuple(f"{q[:90]!r}: out of scope, answered anyway" for q in report.answered_out_of_scope)
    return figures, misses


def measure_half(bundle: Path, path: Path, embedder=None) -> HalfResult:
    started = time.perf_counter()
    questions = read_questions(path)
    with Searcher(bundle, embedder) as searcher:
        search, misses = search_figures(searcher, questions)
    in_scope = [q for q in questions if q.expected]
    return HalfResult(len(questions), len(in_scope), len(questions) - len(in_scope), sum(len(q.facts) for q in in_scope),
                      search, bm25_figures(bundle, questions), misses, time.perf_counter() - started)


ROWS = (
    ("recall@1", "recall_at_1"), (f"recall@{K}", "recall_at_k"), ("MRR", "mrr"),
    ("in-scope answered", "answered"), ("out-of-scope refused", "refused"),
    (f"key facts in top {K}", "facts_at_k"), ("key facts in extractive draft", "facts_in_drafts"),
    ("drafts citing an expected page", "drafts_on_page"),
)


def rounded(value):
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return round(value, 4) if isinstance(value, float) else value


def cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def describe(name: str, title: str, halves: dict[str, HalfResult]) -> str:
    lines = [f"{name}: {title}"]
    for half, result in halves.items():
        lines.append(f"  {HALF_NAMES[half]}: {result.questions} questions ({result.in_scope} in scope with {result.facts} key facts, "
                     f"{result.out_of_scope} out of scope), {result.seconds:.1f} s")
    lines.append(f"  {'':32}" + "".join(f"{HALF_NAMES[h]:>22}" for h in halves))
    lines.append(f"  {'':32}" + "".join(f"{'search':>11}{'BM25':>11}" for _ in halves))
    for label, attr in ROWS:
        row = "".join(f"{cell(getattr(r.search, attr)):>11}{cell(getattr(r.bm25, attr)):>11}" for r in halves.values())
        lines.append(f"  {label:32}{row}")
    if "heldout" in halves:
        held = halves["heldout"].search
        unmet = [label for label, attr in ROWS if attr in GOALS and (getattr(held, attr) or 0.0) < GOALS[attr]]
        lines.append("  goals on the held-out half: " + ("met" if not unmet else "NOT met: " + ", ".join(unmet)))
    lines.append(f"  (BM25: key facts in the top {K} whole documents; it neither refuses nor drafts)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", choices=[c.name for c in CORPORA], help="only this corpus (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    parser.add_argument("--misses", action="store_true", help="list the development half's misses (never the held-out's)")
    parser.add_argument("--eval-dir", type=Path, default=EVAL, help="where NAME-dev.jsonl and NAME-heldout.jsonl are")
    parser.add_argument("--no-vectors", action="store_true", help="search by words only (bundles built without passage vectors)")
    args = parser.parse_args()
    embedder = None
    if not args.no_vectors:
        from models.embedder import LlamaEmbedder

        embedder = LlamaEmbedder()
    out: dict = {"k": K, "goals_heldout": GOALS, "corpora": {}}
    for corpus in CORPORA:
        if args.corpus and corpus.name not in args.corpus:
            continue
        why = corpus.missing(args.eval_dir)
        if why:
            out["corpora"][corpus.name] = {"title": corpus.title, "skipped": why}
            if not args.json:
                print(f"{corpus.name}: skipped, {why}\n")
            continue
        try:
            bundle = corpus.bundle(embedder)
        except FrontdeskError as exc:  # a corpus today's build cannot read is reported, not a crash
            out["corpora"][corpus.name] = {"title": corpus.title, "skipped": f"does not build: {exc}"}
            if not args.json:
                print(f"{corpus.name}: skipped, does not build: {exc}\n")
            continue
        halves = {half: measure_half(bundle, corpus.questions(half, args.eval_dir), embedder) for half in HALVES}
        out["corpora"][corpus.name] = {"title": corpus.title, **{
            half: rounded({k: v for k, v in asdict(r).items() if k not in ("misses", "seconds")}) for half, r in halves.items()}}
        if not args.json:
            print(describe(corpus.name, corpus.title, halves))
            if args.misses and halves["dev"].misses:
                print(f"  development misses ({len(halves['dev'].misses)}):")
                print("\n".join(f"    - {m}" for m in halves["dev"].misses))
            print()
    if args.json:
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
