"""Shared set-up for the benchmark scripts: paths, the sample bundle, percentiles."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONTENT = ROOT / "knowledge" / "content"
QUESTIONS = ROOT / "knowledge" / "eval" / "questions.jsonl"
# Questions about the 138 real GOV.UK pages, written after search was tuned on QUESTIONS: held out.
GOVUK_QUESTIONS = ROOT / "knowledge" / "eval" / "govuk-questions.jsonl"
GOVUK_EXAMPLES = next(p for p in (ROOT.parent / "shared" / "govuk-content-examples", ROOT / "tests" / "data" / "govuk-content-examples")
                      if p.is_dir())
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


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def mean(values) -> float:
    return statistics.fmean(values) if values else float("nan")
