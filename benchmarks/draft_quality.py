"""Draft quality on the sample question set: the model's drafts against the extractive drafts.

    python benchmarks/draft_quality.py [--limit N] [--model FILE.gguf]
    python benchmarks/draft_quality.py --extractive-only [--questions Q.jsonl] [--sources DIR]
    python benchmarks/draft_quality.py --extractive-only --corpus sample|govuk|realguide --half dev|heldout

--corpus searches as the app does: the corpus built with passage vectors and searched by words and
meaning (the real embedding model), personal data taken out of the question before the search.

Prints key facts present, drafts with a valid citation, sentences flagged unsupported, and
"no guidance found" on out-of-scope questions; and which draft should be shown first for this
model (DESIGN.md, trust rules). The same measurement as `frontdesk model bench --quality`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import CORPORA, QUESTIONS, sample_bundle

from knowledge.build import build_bundle
from knowledge.evaluate import read_questions
from knowledge.search import Searcher
from models.catalogue import embedded_model_path
from models.quality import run_extractive_quality, run_quality_bench
from models.runtime import LocalRuntime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="question set (default: the sample's)")
    parser.add_argument("--sources", type=Path, help="guidance to build a bundle from (default: the sample guidance)")
    parser.add_argument("--extractive-only", action="store_true", help="score the extractive drafts alone: no model, a few seconds")
    parser.add_argument("--corpus", choices=[c.name for c in CORPORA], help="a corpus with vectors, searched by words and meaning")
    parser.add_argument("--half", choices=["dev", "heldout"], default="dev")
    args = parser.parse_args()
    if args.corpus:
        return corpus_extractive(next(c for c in CORPORA if c.name == args.corpus), args.half, args.limit)
    bundle = sample_bundle()
    if args.sources:
        bundle = Path(tempfile.mkdtemp(prefix="frontdesk-quality-")) / "guidance-1.fdkb"
        build_bundle([args.sources], bundle, created="2026-01-01T00:00:00Z")
    questions = read_questions(args.questions)
    if args.extractive_only:
        with Searcher(bundle) as searcher:
            print_extractive(args.questions.name, *run_extractive_quality(searcher, questions[: args.limit]))
        return
    runtime = LocalRuntime(args.model or embedded_model_path())
    runtime.load()
    with Searcher(bundle) as searcher:
        report = run_quality_bench(runtime, searcher, questions, limit=args.limit)
    print(report.describe())
    runtime.close()


def corpus_extractive(corpus, half: str, limit: int | None) -> None:
    from models.embedder import LlamaEmbedder

    embedder = LlamaEmbedder()
    questions = read_questions(corpus.questions(half))[:limit]
    with Searcher(corpus.bundle(embedder), embedder) as searcher:
        print_extractive(f"{corpus.name} {half}, searched by words and meaning", *run_extractive_quality(searcher, questions))
    embedder.close()


def print_extractive(label: str, mode, refused: int, out: float | None) -> None:
    print(f"Extractive drafts, {label}: {mode.drafts} in-scope questions with key facts "
          f"({refused} answered 'no guidance found')")
    print(f"  key facts present {mode.facts_present:.1%}, sentences on an expected page {mode.on_expected_pages:.0%}, "
          f"unsupported {mode.unsupported_sentences:.0%}, mean {mode.mean_ms:.0f} ms")
    if out is not None:
        print(f"  out of scope answered 'no guidance found': {out:.0%}")


if __name__ == "__main__":
    main()
