"""The model runtime on the real embedded GGUF: streaming, stopping, cache reuse, context limits, bad files."""

import json
import shutil
import threading
import time

import pytest
from click.testing import CliRunner

from conftest import gguf_bytes
from app.config import app_paths
from cli import cli
from models.backends import ensure_cpu_backends
from models.catalogue import SMOLLM2, gemma_model_path
from models.errors import ModelError
from models.prompting import SYSTEM_PROMPT
from models.runtime import LocalRuntime, physical_cores
from tests.timing import best_of

QUESTION = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "What is Universal Credit?"}]
LONG_PROMPT = [{"role": "system", "content": SYSTEM_PROMPT},
               {"role": "user", "content": "Universal Credit is paid monthly into a bank account. " * 120 + "When is it paid?"}]


def test_cpu_backend_is_loaded_once_for_this_machine():
    report = ensure_cpu_backends()
    assert report.variant not in ("unknown", "")
    assert ensure_cpu_backends() is report
    if report.dynamic:  # a portable build: the variant libraries were found and one was chosen
        assert report.loaded and report.variant in report.available


def test_threads_default_to_automatic_within_the_physical_cores(runtime):
    """Automatic: the physical cores other programs leave free (tests/test_threads.py checks it follows them)."""
    assert runtime.fixed_threads is None
    assert 1 <= runtime.threads == runtime.llama_threads <= physical_cores()


def test_streams_text(runtime):
    pieces = list(runtime.generate(QUESTION, max_tokens=16))
    assert len(pieces) >= 2 and "".join(pieces).strip()
    assert runtime.last_stats.prompt_tokens > runtime.count_tokens(SYSTEM_PROMPT)


def test_stops_within_100ms_of_cancel_between_tokens(runtime):
    def stop_latency() -> float:
        stop = threading.Event()
        pieces, stopped_at = 0, None
        for _ in runtime.generate([{"role": "user", "content": "Write a long story about a cat."}], max_tokens=400,
                                  should_stop=stop.is_set):
            pieces += 1
            if pieces == 3:
                stop.set()
                stopped_at = time.perf_counter()
        ended = time.perf_counter()
        assert pieces == 3, "no token after the stop"
        return ended - stopped_at

    # The best of up to three (tests/timing.py): a loaded machine can delay one measurement, not Frontdesk.
    assert best_of(stop_latency, 0.1) < 0.1


def test_stops_within_100ms_of_cancel_while_reading_a_long_prompt(runtime):
    """A stop from another thread lands while llama.cpp is still evaluating the prompt, not after it."""
    def stop_latency() -> float:
        list(runtime.generate([{"role": "user", "content": "Hello"}], max_tokens=1))  # nothing of LONG_PROMPT cached
        stop = threading.Event()
        stopped_at = []
        threading.Timer(0.2, lambda: (stopped_at.append(time.perf_counter()), stop.set())).start()
        pieces = list(runtime.generate(LONG_PROMPT, max_tokens=50, should_stop=stop.is_set))
        ended = time.perf_counter()
        assert stopped_at, "the prompt was read in under 0.2 s: make LONG_PROMPT longer"
        assert pieces == [] and runtime.last_stats.evaluated_tokens < runtime.last_stats.prompt_tokens
        return ended - stopped_at[0]

    assert best_of(stop_latency, 0.1) < 0.1
    # The model is still usable afterwards, and picks up where the stopped prompt left off.
    assert "".join(runtime.generate(QUESTION, max_tokens=8)).strip()


def test_second_question_reuses_the_cached_instructions(runtime):
    """Observed, not assumed: llama.cpp evaluates only the tokens after the shared system prompt."""
    list(runtime.generate(QUESTION, max_tokens=4))
    second = [QUESTION[0], {"role": "user", "content": "How do I claim Pension Credit?"}]
    list(runtime.generate(second, max_tokens=4))
    stats = runtime.last_stats
    system_tokens = runtime.count_tokens(SYSTEM_PROMPT)
    assert stats.reused_tokens >= system_tokens
    assert stats.evaluated_tokens <= stats.prompt_tokens - system_tokens
    assert stats.evaluated_tokens >= runtime.count_tokens("How do I claim Pension Credit?")


def test_the_runtime_uses_only_llama_cpp_pythons_public_api(runtime):
    """No reaching into llama-cpp-python's privates (`_ctx`, `_model`, `_lib`) or replacing a Llama's methods,
    and the public names the runtime relies on are there in the pinned version: a new pin that drops or
    moves one fails here, not in a draft."""
    import re
    from pathlib import Path

    import llama_cpp

    import models.runtime

    source = Path(models.runtime.__file__).read_text()
    assert not re.search(r"\._(ctx|model|lib|batch|sampler)\b|llama_cpp\.llama_cpp\.|\.eval\s*=", source)
    assert isinstance(llama_cpp.Llama.ctx, property) and isinstance(llama_cpp.Llama.model, property)
    for name in ("llama_set_abort_callback", "ggml_abort_callback", "llama_set_n_threads", "llama_n_threads",
                 "llama_model_get_vocab", "llama_vocab_get_text"):
        assert callable(getattr(llama_cpp, name, None)), f"llama_cpp.{name} is gone: see models/runtime.py"
    llama = runtime._llama
    assert runtime._stop.installed, "the abort callback could not be attached through llama_set_abort_callback"
    assert type(llama).eval is not llama_cpp.Llama.eval and "eval" not in vars(llama)  # overridden in the subclass only
    runtime._evaluated, before, tokens = 0, llama.n_tokens, llama.tokenize(b"Hello there")
    llama.eval(tokens)  # the public method Llama.generate calls for every step: counted by the subclass
    assert runtime._evaluated == len(tokens) == llama.n_tokens - before > 0


def test_max_tokens_is_clamped_to_the_room_left(embedded_model_path):
    small = LocalRuntime(embedded_model_path, n_ctx=256)
    small.load()
    try:
        with pytest.raises(ModelError, match="more than the model's context of 256 leaves room for"):
            list(small.generate([{"role": "user", "content": "word " * 400}], max_tokens=8))
        list(small.generate([{"role": "user", "content": "word " * 200}], max_tokens=500))
        stats = small.last_stats
        assert stats.max_tokens == 256 - stats.prompt_tokens < 500
    finally:
        small.close()


def test_generate_before_load_is_a_clear_error(embedded_model_path):
    with pytest.raises(ModelError, match="not loaded yet"):
        list(LocalRuntime(embedded_model_path).generate(QUESTION))


def test_gemma_base_model_loads_and_produces_text():
    gemma = LocalRuntime(gemma_model_path(app_paths().models), n_ctx=1024)
    info = gemma.load()
    try:
        assert info.chat_format == "plain (no chat template)" and info.quantisation == "Q4_K_M"
        prompt, _ = gemma.format_prompt(QUESTION)
        assert prompt.startswith(SYSTEM_PROMPT.split("\n")[0]) and prompt.endswith("Answer:")
        assert "".join(gemma.generate(QUESTION, max_tokens=12)).strip()
    finally:
        gemma.close()


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="no such model file"):
        LocalRuntime(tmp_path / "missing.gguf").load()


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"this is not a model" * 100)
    with pytest.raises(ModelError, match="not a GGUF model file"):
        LocalRuntime(bad).load()


def test_truncated_model_file(tmp_path, embedded_model_path):
    cut = tmp_path / "cut.gguf"
    with open(embedded_model_path, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(20_000_000))
    with pytest.raises(ModelError, match="truncated"):
        LocalRuntime(cut).load()


def test_wrong_hash_is_refused_before_loading(tmp_path, embedded_model_path):
    copy = tmp_path / SMOLLM2.filename
    shutil.copy(embedded_model_path, copy)
    with open(copy, "r+b") as f:
        f.seek(-10, 2)
        f.write(b"\xff" * 10)
    with pytest.raises(ModelError, match="expected sha256"):
        LocalRuntime(copy).load()
    with pytest.raises(ModelError, match="expected sha256"):
        LocalRuntime(embedded_model_path, expected_sha256="0" * 64).load()


def test_gguf_llama_cpp_cannot_load_says_why(tmp_path):
    odd = tmp_path / "odd.gguf"
    odd.write_bytes(gguf_bytes({"general.architecture": "no-such-architecture", "general.name": "Odd"}))
    with pytest.raises(ModelError, match=r"odd.gguf: llama.cpp could not load this model \(.*\)\. Is it a GGUF chat model\?"):
        LocalRuntime(odd).load()


def test_model_bench_command():
    bench = CliRunner().invoke(cli, ["model", "bench", "--json", "--tokens", "16"])
    assert bench.exit_code == 0, bench.output
    speed = json.loads(bench.output)["speed"]
    assert speed["prompt_tokens_per_s"] > 0 and speed["load_ms"] > 0 and speed["cpu_variant"]
    assert speed["cached_evaluated_tokens"] < speed["cached_prompt_tokens"]


def test_generation_stops_where_a_stop_string_starts(runtime):
    free = "".join(runtime.generate(QUESTION, max_tokens=24, temperature=0.0))
    word = free.split()[3]
    cut = "".join(runtime.generate(QUESTION, max_tokens=24, temperature=0.0, stop=(word,)))
    assert word not in cut and free.startswith(cut)
