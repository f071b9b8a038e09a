"""Drafting speed: our `ask` path against raw llama-cpp-python on the same prompt, alternating in one process.

    python benchmarks/drafting.py [--questions 20] [--max-tokens 64]

For each question: retrieval time, first-token time, total time and tokens per second for ours
(models.drafting.stream_draft, generated mode) and for raw Llama.create_chat_completion with the
same model, messages and settings; the ratio ours/raw; peak RSS; whether the second question is
faster than the first (the cached instructions); and generation speed against the memory-bandwidth
bound (copy bandwidth / model size). Goals (issue 3, this 2-core machine): sources under 50 ms,
first token under 1.5 s, overhead against raw under 5%.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
from _common import QUESTIONS, mean, percentile, sample_bundle

from knowledge.search import Searcher
from models.catalogue import embedded_model_path
from models.draft import DoneEvent, SourcesEvent, TokenEvent
from models.drafting import stream_draft
from models.prompting import build_prompt
from models.runtime import LocalRuntime


def copy_bandwidth_gb_s() -> float:
    """Memory copy bandwidth (read + write) with a 256 MB array: the ceiling for token generation."""
    src = np.ones(256 * 1024 * 1024 // 8)
    dst = np.empty_like(src)
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = max(best, 2 * src.nbytes / (time.perf_counter() - t) / 1e9)
    return best


def raw_run(llama, messages, max_tokens):
    """Raw llama-cpp-python, as a developer would call it."""
    started = time.perf_counter()
    first, n = None, 0
    for chunk in llama.create_chat_completion(messages, max_tokens=max_tokens, temperature=0.2, top_p=0.9,
                                              repeat_penalty=1.1, stream=True):
        if chunk["choices"][0]["delta"].get("content"):
            n += 1
            first = first or time.perf_counter()
    end = time.perf_counter()
    return (first - started) * 1000 if first else None, (end - started) * 1000, n, (n - 1) / (end - first) if first and n > 1 else None


def ours_run(question, searcher, runtime, max_tokens):
    started = time.perf_counter()
    retrieval = first = None
    n = 0
    for event in stream_draft(question, searcher, runtime, mode="generated", max_tokens=max_tokens):
        if isinstance(event, SourcesEvent):
            retrieval = (time.perf_counter() - started) * 1000
        elif isinstance(event, TokenEvent) and event.text:
            n += 1
            first = first or time.perf_counter()
        elif isinstance(event, DoneEvent):
            end = time.perf_counter()
    return retrieval, (first - started) * 1000 if first else None, (end - started) * 1000, n, (n - 1) / (end - first) if first and n > 1 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    questions = [q for q in (json.loads(l) for l in QUESTIONS.read_text().splitlines() if l.strip()) if q["expected"]]
    questions = [q["question"] for q in questions][: args.questions]
    bundle = sample_bundle()
    ours_rt = LocalRuntime(embedded_model_path())
    ours_rt.load()
    raw_rt = LocalRuntime(embedded_model_path())  # a second, separate Llama for the raw calls
    raw_rt.load()
    raw = raw_rt._llama
    rows = []
    with Searcher(bundle) as searcher:
        for i, q in enumerate(questions):
            response = searcher.search(q)
            plan = build_prompt(q, response.results, ours_rt.count_tokens, ours_rt.context_length, args.max_tokens)
            # Alternate which goes first, so neither always meets a warmer cache.
            if i % 2:
                r = raw_run(raw, list(plan.messages), args.max_tokens)
                o = ours_run(q, searcher, ours_rt, args.max_tokens)
            else:
                o = ours_run(q, searcher, ours_rt, args.max_tokens)
                r = raw_run(raw, list(plan.messages), args.max_tokens)
            rows.append((o, r, ours_rt.last_stats))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bandwidth = copy_bandwidth_gb_s()
    model_gb = embedded_model_path().stat().st_size / 1e9
    bound = bandwidth / model_gb
    o_first = [o[1] for o, _, _ in rows if o[1]]
    r_first = [r[0] for _, r, _ in rows if r[0]]
    o_total = [o[2] for o, _, _ in rows]
    r_total = [r[1] for _, r, _ in rows]
    o_tps = [o[4] for o, _, _ in rows if o[4]]
    r_tps = [r[3] for _, r, _ in rows if r[3]]
    print(f"{len(rows)} questions, max {args.max_tokens} tokens, {ours_rt.threads} threads, model {ours_rt.info.name} {ours_rt.info.quantisation}")
    print(f"{'':22} {'ours':>10} {'raw':>10} {'ours/raw':>9}")
    print(f"{'retrieval (sources)':22} {mean([o[0] for o, _, _ in rows]):8.1f}ms {'-':>10} {'-':>9}   (goal < 50 ms)")
    print(f"{'first token, mean':22} {mean(o_first):8.0f}ms {mean(r_first):8.0f}ms {mean(o_first) / mean(r_first):9.3f}   (goal < 1500 ms)")
    print(f"{'first token, p95':22} {percentile(o_first, 95):8.0f}ms {percentile(r_first, 95):8.0f}ms")
    print(f"{'total, mean':22} {mean(o_total):8.0f}ms {mean(r_total):8.0f}ms {mean(o_total) / mean(r_total):9.3f}   (goal: overhead < 5%)")
    print(f"{'generation tokens/s':22} {mean(o_tps):10.1f} {mean(r_tps):10.1f} {mean(o_tps) / mean(r_tps):9.3f}")
    print(f"first question first token {rows[0][0][1]:.0f} ms, second {rows[1][0][1]:.0f} ms "
          f"(cached prefix: {rows[1][2].reused_tokens} of {rows[1][2].prompt_tokens} prompt tokens reused)")
    print(f"peak RSS {rss_mb:.0f} MB (two copies of the model loaded: ours and raw)")
    print(f"memory bandwidth {bandwidth:.1f} GB/s / model {model_gb * 1000:.0f} MB = bound {bound:.0f} tokens/s; "
          f"generation reaches {mean(o_tps) / bound:.0%} of it")


if __name__ == "__main__":
    main()
