"""Shared set-up for the benchmark scripts: paths, the sample bundle, percentiles."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONTENT = ROOT / "knowledge" / "content"
QUESTIONS = ROOT / "knowledge" / "eval" / "questions.jsonl"
# Questions about the 138 real GOV.UK pages, written after search was tuned on QUESTIONS: held out.
GOVUK_QUESTIONS = ROOT / "knowledge" / "eval" / "govuk-questions.jsonl"
GOVUK_EXAMPLES = next(p for p in (ROOT.parent / "shared" / "govuk-content-examples", ROOT / "tests" / "data" / "govuk-content-examples")
                      if p.is_dir())
EVAL = ROOT / "knowledge" / "eval"
REAL_GUIDANCE = next((p for p in (ROOT.parent / "shared" / "real-guidance", ROOT / "tests" / "data" / "real-guidance") if p.is_dir()),
                     ROOT.parent / "shared" / "real-guidance")
WORK = Path(tempfile.mkdtemp(prefix="frontdesk-bench-"))
# Benchmarks never touch the real user's folders.
for name in ("DATA", "CONFIG", "CACHE", "LOG"):
    os.environ.setdefault(f"FRONTDESK_{name}_DIR", str(WORK / name.lower()))
os.environ.setdefault("FRONTDESK_POLICY", str(WORK / "policy.toml"))


def sample_bundle() -> Path:
    from knowledge.sample_guidance import build_sample_bundle

    out = WORK / "sample-1.fdkb"
    if not out.exists():
        build_sample_bundle(out)
    return out


def govuk_bundle() -> Path:
    from knowledge.build import build_bundle

    out = WORK / "govuk-1.fdkb"
    if not out.exists():
        build_bundle([GOVUK_EXAMPLES], out, created="2026-01-01T00:00:00Z")
    return out


@dataclass(frozen=True, slots=True)
class Corpus:
    """A body of guidance and the questions written about it, split once into a development and a held-out half."""

    name: str
    title: str
    sources: tuple[Path, ...]
    build_options: tuple[tuple[str, object], ...] = ()

    def questions(self, half: str, eval_dir: Path = EVAL) -> Path:
        return eval_dir / f"{self.name}-{half}.jsonl"

    def missing(self, eval_dir: Path = EVAL) -> str:
        """Why this corpus cannot be measured yet, or "" when it can."""
        needed = [*self.sources, *(self.questions(half, eval_dir) for half in HALVES)]
        absent = [str(p) for p in needed if not p.exists()]
        return f"not there yet: {', '.join(absent)}" if absent else ""

    def bundle(self, embedder=None) -> Path:
        """The corpus built once into a real bundle in the benchmark's scratch folder (with passage vectors
        from `embedder`; FRONTDESK_BENCH_BUNDLES names a folder that keeps them between runs)."""
        from knowledge.build import BUILDER_VERSION, build_bundle

        # One folder per builder version: a bundle kept from an older builder lacks what the search now reads.
        folder = Path(os.environ.get("FRONTDESK_BENCH_BUNDLES") or WORK) / BUILDER_VERSION
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{self.name}{'-v' if embedder else ''}-1.fdkb"
        if not out.exists():
            build_bundle(list(self.sources), out, created="2026-01-01T00:00:00Z", embedder=embedder, **dict(self.build_options))
        return out


HALVES = ("dev", "heldout")
CORPORA = (
    Corpus("sample", "Sample guidance (knowledge/content)", (CONTENT,), 
           (("bundle_id", "frontdesk-sample"), ("title", "Sample guidance"), ("version", 1))),
    Corpus("govuk", "138 GOV.UK content items", (GOVUK_EXAMPLES,)),
    Corpus("realguide", "Pension Wise and Money Advice guidance", (REAL_GUIDANCE,)),
)


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def mean(values) -> float:
    return statistics.fmean(values) if values else float("nan")
