"""Draft quality on the sample question set: the model's drafts against the extractive drafts.

    python benchmarks/draft_quality.py [--limit N] [--model FILE.gguf]

Prints key facts present, drafts with a valid citation, sentences flagged unsupported, and
"no guidance found" on out-of-scope questions; and which draft should be shown first for this
model (DESIGN.md, trust rules). The same measurement as `frontdesk model bench --quality`.
"""

from __future__ import annotations

import argparse

from _common import QUESTIONS, sample_bundle

from knowledge.evaluate import read_questions
from knowledge.search import Searcher
from models.catalogue import embedded_model_path
from models.quality import run_quality_bench
from models.runtime import LocalRuntime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model")
    args = parser.parse_args()
    runtime = LocalRuntime(args.model or embedded_model_path())
    runtime.load()
    with Searcher(sample_bundle()) as searcher:
        report = run_quality_bench(runtime, searcher, read_questions(QUESTIONS), limit=args.limit)
    print(report.describe())
    runtime.close()


if __name__ == "__main__":
    main()
