"""How fast a model runs on this computer: load time, prompt and generation tokens a second."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from models.backends import ensure_cpu_backends
from models.draft import ModelInfo
from models.prompting import SYSTEM_PROMPT
from models.runtime import LocalRuntime

# About 300 tokens of guidance-like text, so the prompt is the size a real draft reads.
SOURCES = "Sources:\n\n" + "\n\n".join(
    f"[{n}] Universal Credit > How and when you're paid\nUniversal Credit is paid once a month, usually into your bank, "
    "building society or credit union account. Your first payment will usually be paid 5 weeks after you apply. "
    "You can ask for an advance if you need money while you wait. If you live in Scotland you can choose to be "
    "paid twice a month." for n in (1, 2, 3)
)


@dataclass(frozen=True, slots=True)
class SpeedReport:
    """Speed figures for one model on this computer."""

    model: ModelInfo
    threads: int
    cpu_variant: str
    load_ms: float
    prompt_tokens: int
    prompt_ms: float  # a cold prompt: nothing cached yet
    prompt_tokens_per_s: float
    cached_prompt_tokens: int  # the next question, same instructions
    cached_evaluated_tokens: int  # of which llama.cpp had to compute only these
    cached_prompt_ms: float
    generated_tokens: int
    generation_tokens_per_s: float | None

    def describe(self) -> str:
        gen = f"{self.generation_tokens_per_s:.1f} tokens/s ({self.generated_tokens} tokens)" if self.generation_tokens_per_s else "too few tokens to measure"
        return "\n".join([
            f"{self.model.name} {self.model.quantisation} on {self.threads} threads, llama.cpp CPU variant {self.cpu_variant}",
            f"  load                 {self.load_ms:,.0f} ms (hash check included)",
            f"  prompt               {self.prompt_tokens_per_s:.0f} tokens/s ({self.prompt_tokens} tokens in {self.prompt_ms:,.0f} ms)",
            f"  next question        first word after {self.cached_prompt_ms:,.0f} ms: {self.cached_evaluated_tokens} of "
            f"{self.cached_prompt_tokens} prompt tokens computed, the rest reused from the cache",
            f"  generation           {gen}",
        ])


def measure_speed(path: Path, threads: int | None = None, expected_sha256: str | None = None,
                  max_tokens: int = 64, hash_cache: Path | None = None) -> tuple[SpeedReport, LocalRuntime]:
    """Load the model and time a cold prompt, a second question and generation; returns the loaded runtime too."""
    runtime = LocalRuntime(path, threads=threads, expected_sha256=expected_sha256, hash_cache=hash_cache)
    runtime.load()
    backend = ensure_cpu_backends()
    try:
        cold = [{"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": SOURCES + "\n\nQuestion: When is Universal Credit paid?"}]
        for _ in runtime.generate(cold, max_tokens=1, temperature=0.0):
            pass
        first = runtime.last_stats
        # Same instructions, another question, asked to write at length: measures the cached
        # prefix and the generation speed in one go.
        again = [cold[0], {"role": "user", "content": SOURCES + "\n\nQuestion: Explain in detail, step by step, "
                           "how Universal Credit payments work, with an example for a family."}]
        first_piece, pieces = None, 0
        for _ in runtime.generate(again, max_tokens=max_tokens, temperature=0.0):
            pieces += 1
            first_piece = first_piece or time.perf_counter()
        ended = time.perf_counter()
        second = runtime.last_stats
    except BaseException:
        runtime.close()
        raise
    report = SpeedReport(
        model=runtime.info, threads=runtime.llama_threads or runtime.threads, cpu_variant=backend.variant, load_ms=runtime.load_ms,
        prompt_tokens=first.prompt_tokens, prompt_ms=first.prompt_ms,
        prompt_tokens_per_s=first.evaluated_tokens / (first.prompt_ms / 1000),
        cached_prompt_tokens=second.prompt_tokens, cached_evaluated_tokens=second.evaluated_tokens,
        cached_prompt_ms=second.prompt_ms, generated_tokens=pieces,
        generation_tokens_per_s=(pieces - 1) / (ended - first_piece) if first_piece and pieces > 4 else None,
    )
    return report, runtime
