"""Whether a change to the search left its answers exactly as they were: every question of
knowledge/eval/*.jsonl searched over each bundle, and what the search returns written down
(the top 5 passage ids in order, their scores and matched terms, `covered`, the confidence and
every SearchSignals field, the language), to compare before and after a speed-up.

    python benchmarks/search_same.py --write before.json BUNDLE...    # with the code before the change
    python benchmarks/search_same.py --against before.json BUNDLE...  # with the code after it

Words only by default; --hybrid searches by words and meaning too, each question embedded once by
the real embedding model and the same vector given to both runs (--vectors FILE keeps them), so
that only the search code differs. Floats are compared exactly (their repr). Exit status 1 and
the first differences printed when anything differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _common import EVAL

from knowledge.search import Searcher

EXTRA = ("", "   ", "univeral credit", "uc", "the the the", "universal credit", "faint yw pensiwn y wladwriaeth",
         '"quoted" AND (brackets) * NEAR', "£10,000 savings 10 grand", "x" * 5000)


def questions() -> list[str]:
    found = list(EXTRA)
    for path in sorted(EVAL.glob("*.jsonl")):
        found += [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return list(dict.fromkeys(found))


class FixedVectors:
    """The real embedder's vector of each question, made once and kept, so two runs embed alike."""

    def __init__(self, path: Path | None) -> None:
        from models.embedder import LlamaEmbedder

        self.embedder = LlamaEmbedder()
        self.model_id, self.sha256, self.dimensions = self.embedder.model_id, self.embedder.sha256, self.embedder.dimensions
        self.path = path
        self.cache: dict[str, list[float]] = json.loads(path.read_text()) if path and path.exists() else {}

    def ready(self) -> bool:
        return True

    def embed(self, texts):
        import numpy as np

        for text in texts:
            if text not in self.cache:
                self.cache[text] = [float(x) for x in self.embedder.embed([text])[0]]
        return np.array([self.cache[t] for t in texts], dtype=np.float32)

    def save(self) -> None:
        if self.path:
            self.path.write_text(json.dumps(self.cache))


def answers(bundle: Path, embedder, asked: list[str]) -> dict[str, dict]:
    with Searcher(bundle, embedder) as searcher:
        found = {}
        for q in asked:
            r = searcher.search(q)
            found[q] = {
                "results": [[x.passage.id, repr(x.score), list(x.matched_terms), repr(x.lexical_score), x.lexical_rank,
                             x.dense_rank, repr(x.cosine), x.passage.lang] for x in r.results],
                "covered": r.covered,
                "confidence": repr(r.confidence),
                "signals": repr(r.signals),
                "lang": r.lang,
            }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundles", nargs="+", type=Path)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--against", type=Path)
    parser.add_argument("--hybrid", action="store_true", help="search by meaning too (the real embedding model)")
    parser.add_argument("--vectors", type=Path, help="a file keeping each question's vector between runs")
    args = parser.parse_args()
    asked = questions()
    embedder = FixedVectors(args.vectors) if args.hybrid else None
    found = {str(b): answers(b, embedder, asked) for b in args.bundles}
    if embedder:
        embedder.save()
    if args.write:
        args.write.write_text(json.dumps(found, indent=0, ensure_ascii=False))
        print(f"{sum(len(v) for v in found.values())} searches over {len(found)} bundles written to {args.write}")
        return
    before = json.loads(args.against.read_text())
    differences = [(b, q) for b in found for q in found[b] if before.get(b, {}).get(q) != found[b][q]]
    print(f"{sum(len(v) for v in found.values())} searches over {len(found)} bundles: {len(differences)} differ")
    for b, q in differences[:5]:
        print(f"  {Path(b).name}: {q[:80]!r}\n    before {before.get(b, {}).get(q)}\n    after  {found[b][q]}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
