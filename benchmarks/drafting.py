"""Drafting speed: our `ask` path against raw llama-cpp-python on the same prompt, alternating in one process.

    python benchmarks/drafting.py [--questions 20] [--max-tokens 64]

For each question: retrieval time, first-token time, total time and tokens per second for ours
(models.drafting.stream_draft in "generated" mode, over models.runtime.LocalRuntime) and for raw
Llama.create_chat_completion with the same model file, messages and settings (greedy, so both
write the same tokens); the ratio ours/raw; how many prompt tokens each had to compute (the rest
came from the KV cache: the fixed instructions are a shared prefix); peak RSS; and generation
speed against the memory-bandwidth bound (copy bandwidth / model size).
Goals (issue 3, this 2-core machine): sources under 50 ms, first token under 1.5 s, overhead
against raw under 5%, second question faster than the first.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import psutil
from _common import QUESTIONS, mean, percentile, sample_bundle

from knowledge.search import Searcher
from models.backends import ensure_cpu_backends
from models.catalogue import embedded_model_path
from models.cpu_probe import quiet_stderr
from models.draft import DoneEvent, SourcesEvent, TokenEvent
from models.drafting import stream_draft
from models.prompting import PROMPT_ECHO, build_prompt
from models.runtime import LocalRuntime


class GreedyRuntime(LocalRuntime):
    """Our runtime with temperature 0, so ours and raw write the same tokens and times compare."""

    def generate(self, messages, max_tokens=256, should_stop=lambda: False, temperature=0.0, stop=()):
        return super().generate(messages, max_tokens=max_tokens, should_stop=should_stop, temperature=0.0, stop=stop)


def copy_bandwidth_gb_s() -> float:
    """Memory copy bandwidth (bytes read + written) with a 256 MB array: the ceiling for token generation."""
    src = np.ones(256 * 1024 * 1024 // 8)
    dst = np.empty_like(src)
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = max(best, 2 * src.nbytes / (time.perf_counter() - t) / 1e9)
    return best


def raw_llama(path, threads, n_ctx):
    """A plain Llama, as a developer would make one, with a counter on the tokens it evaluates."""
    from llama_cpp import Llama

    with quiet_stderr():
        llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, n_batch=512, verbose=False)
    evaluate = llama.eval
    llama.evaluated = 0

    def counted(tokens):
        before = llama.n_tokens
        try:
            return evaluate(tokens)
        finally:
            llama.evaluated += llama.n_tokens - before

    llama.eval = counted
    return llama


def raw_run(llama, messages, max_tokens):
    """Raw llama-cpp-python: (first_token_ms, total_ms, pieces, tokens_per_s, prompt tokens computed, text)."""
    llama.evaluated = 0
    started = time.perf_counter()
    first, n, evaluated, text = None, 0, None, []
    for chunk in llama.create_chat_completion(messages, max_tokens=max_tokens, temperature=0.0, top_p=0.9,
                                              repeat_penalty=1.1, stop=list(PROMPT_ECHO), stream=True):
        piece = chunk["choices"][0]["delta"].get("content")
        if piece:
            if first is None:
                first, evaluated = time.perf_counter(), llama.evaluated
            n += 1
            text.append(piece)
    end = time.perf_counter()
    rate = (n - 1) / (end - first) if first and n > 1 else None
    return (first - started) * 1000 if first else None, (end - started) * 1000, n, rate, evaluated, "".join(text)


def ours_run(question, searcher, runtime, max_tokens):
    """Our ask path: (retrieval_ms, first_token_ms, total_ms, pieces, tokens_per_s, prompt tokens computed, text)."""
    started = time.perf_counter()
    retrieval = first = end = None
    n, text = 0, []
    for event in stream_draft(question, searcher, runtime, mode="generated", max_tokens=max_tokens):
        if isinstance(event, SourcesEvent):
            retrieval = (time.perf_counter() - started) * 1000
        elif isinstance(event, TokenEvent) and event.text:
            n += 1
            first = first or time.perf_counter()
            text.append(event.text)
        elif isinstance(event, DoneEvent):
            end = time.perf_counter()
    rate = (n - 1) / (end - first) if first and n > 1 else None
    stats = runtime.last_stats
    return (retrieval, (first - started) * 1000 if first else None, (end - started) * 1000, n, rate,
            stats.evaluated_tokens if stats else None, "".join(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    questions = [q for q in (json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()) if q["expected"]]
    questions = [q["question"] for q in questions][: args.questions]
    bundle = sample_bundle()
    path = embedded_model_path()
    backend = ensure_cpu_backends()
    process = psutil.Process()
    rss_start = process.memory_info().rss / 1e6
    ours = GreedyRuntime(path)
    ours.load()
    rss_ours = process.memory_info().rss / 1e6
    raw = raw_llama(path, ours.threads, ours.context_length)
    rows = []
    with Searcher(bundle) as searcher:
        for i, q in enumerate(questions):
            plan = build_prompt(q, searcher.search(q).results, ours.count_tokens, ours.context_length, args.max_tokens)
            # Alternate which goes first, so neither always meets a warmer CPU cache.
            if i % 2:
                r = raw_run(raw, list(plan.messages), args.max_tokens)
                o = ours_run(q, searcher, ours, args.max_tokens)
            else:
                o = ours_run(q, searcher, ours, args.max_tokens)
                r = raw_run(raw, list(plan.messages), args.max_tokens)
            rows.append((o, r, ours.last_stats.prompt_tokens))
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bandwidth = copy_bandwidth_gb_s()
    model_gb = path.stat().st_size / 1e9
    bound = bandwidth / model_gb

    o_first = [o[1] for o, _, _ in rows if o[1]]
    r_first = [r[0] for _, r, _ in rows if r[0]]
    o_total = [o[2] for o, _, _ in rows]
    r_total = [r[1] for _, r, _ in rows]
    o_tps = [o[4] for o, _, _ in rows if o[4]]
    r_tps = [r[3] for _, r, _ in rows if r[3]]
    same_text = sum(1 for o, r, _ in rows if o[6].strip() == r[5].strip())
    retrieval = [o[0] for o, _, _ in rows]

    print(f"{len(rows)} questions, max {args.max_tokens} tokens, greedy, {ours.threads} threads, CPU variant {backend.variant}, "
          f"model {ours.info.name} {ours.info.quantisation}, load {ours.load_ms:.0f} ms")
    print(f"{'':26} {'ours':>10} {'raw':>10} {'ours/raw':>9}")
    print(f"{'retrieval (sources), mean':26} {mean(retrieval):8.1f}ms {'-':>10} {'-':>9}   p95 {percentile(retrieval, 95):.1f} ms (goal < 50 ms)")
    print(f"{'first token, mean':26} {mean(o_first):8.0f}ms {mean(r_first):8.0f}ms {mean(o_first) / mean(r_first):9.3f}   (goal < 1500 ms)")
    print(f"{'first token, p95':26} {percentile(o_first, 95):8.0f}ms {percentile(r_first, 95):8.0f}ms")
    print(f"{'total, mean':26} {mean(o_total):8.0f}ms {mean(r_total):8.0f}ms {mean(o_total) / mean(r_total):9.3f}   (goal: overhead < 5%)")
    print(f"{'generation tokens/s, mean':26} {mean(o_tps):10.1f} {mean(r_tps):10.1f} {mean(o_tps) / mean(r_tps):9.3f}")
    print(f"same text from both: {same_text} of {len(rows)} drafts")
    print("cached prefix (prompt tokens computed / prompt tokens; the rest came from the KV cache):")
    for i in range(min(3, len(rows))):
        o, r, prompt = rows[i]
        print(f"  question {i + 1}: ours {o[5]}/{prompt}, first token {o[1]:.0f} ms; raw {r[4]}/{prompt}, first token {r[0]:.0f} ms")
    print(f"  mean over questions 2-{len(rows)}: ours {mean([o[5] for o, _, _ in rows[1:]]):.0f}, "
          f"raw {mean([r[4] for _, r, _ in rows[1:]]):.0f} tokens computed of {mean([p for _, _, p in rows[1:]]):.0f}")
    print(f"RSS: {rss_start:.0f} MB before loading, {rss_ours:.0f} MB with our model loaded; peak {rss_peak:.0f} MB "
          "with raw's second copy too")
    print(f"memory bandwidth {bandwidth:.1f} GB/s (copy, read + write) / model {model_gb * 1000:.0f} MB = bound "
          f"{bound:.0f} tokens/s; generation reaches {mean(o_tps) / bound:.0%} of it (ours), {mean(r_tps) / bound:.0%} (raw)")
    ours.close()


if __name__ == "__main__":
    main()
