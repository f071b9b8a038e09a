"""The model runtime on the real embedded GGUF: streaming, stopping, cache reuse, context limits, bad files."""

import shutil
import threading
import time

import pytest
from click.testing import CliRunner

from desktop.cli import cli
from knowledge.errors import ModelError
from models.backends import ensure_cpu_backends
from models.catalogue import SMOLLM2, describe_model, gemma_model_path, preferred_mode, verify_model
from models.gguf import read_gguf_header
from models.prompting import SYSTEM_PROMPT
from models.runtime import LocalRuntime

QUESTION = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "What is Universal Credit?"}]


def test_embedded_model_is_found_and_matches_the_catalogue(embedded_model_path):
    assert embedded_model_path.name == SMOLLM2.filename
    info = verify_model(embedded_model_path)
    assert info.sha256 == SMOLLM2.sha256 and info.quantisation == "Q4_1"
    assert info.context_length == 8192 and info.chat_format == "chat template"
    assert preferred_mode(info) == "extractive"


def test_cpu_backend_is_loaded_for_this_machine():
    report = ensure_cpu_backends()
    assert report.variant != "unknown"


def test_streams_text(runtime):
    pieces = list(runtime.generate(QUESTION, max_tokens=16))
    assert len(pieces) >= 2 and "".join(pieces).strip()


def test_stops_within_100ms_of_cancel(runtime):
    stop = threading.Event()
    pieces, stopped_at = 0, None
    for _ in runtime.generate([{"role": "user", "content": "Write a long story about a cat."}], max_tokens=400, should_stop=stop.is_set):
        pieces += 1
        if pieces == 3:
            stop.set()
            stopped_at = time.perf_counter()
    assert (time.perf_counter() - stopped_at) < 0.1
    assert pieces == 3


def test_second_question_reuses_the_cached_instructions(runtime):
    list(runtime.generate(QUESTION, max_tokens=4))
    second = [QUESTION[0], {"role": "user", "content": "How do I claim Pension Credit?"}]
    list(runtime.generate(second, max_tokens=4))
    stats = runtime.last_stats
    assert stats.reused_tokens >= runtime.count_tokens(SYSTEM_PROMPT) - 2
    assert stats.reused_tokens < stats.prompt_tokens


def test_prompt_larger_than_the_context_is_refused_clearly(embedded_model_path):
    small = LocalRuntime(embedded_model_path, n_ctx=256)
    small.load()
    try:
        with pytest.raises(ModelError, match="more than the model's context"):
            list(small.generate([{"role": "user", "content": "word " * 400}], max_tokens=8))
        # A prompt that fits, with more tokens asked for than remain: clamped, not overflowed.
        text = "".join(small.generate([{"role": "user", "content": "word " * 200}], max_tokens=500))
        assert isinstance(text, str)
    finally:
        small.close()


def test_generate_before_load_is_a_clear_error(embedded_model_path):
    with pytest.raises(ModelError, match="not loaded yet"):
        list(LocalRuntime(embedded_model_path).generate(QUESTION))


def test_gemma_base_model_loads_and_produces_text():
    gemma = LocalRuntime(gemma_model_path(), n_ctx=1024)
    info = gemma.load()
    try:
        assert info.chat_format == "plain (no chat template)" and info.quantisation == "Q4_K_M"
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
    header_only = tmp_path / "header.gguf"
    with open(embedded_model_path, "rb") as src, open(header_only, "wb") as dst:
        dst.write(src.read(5000))
    with pytest.raises(ModelError, match="cut short"):
        read_gguf_header(header_only)


def test_wrong_hash_is_refused(tmp_path, embedded_model_path):
    copy = tmp_path / SMOLLM2.filename
    shutil.copy(embedded_model_path, copy)
    with open(copy, "r+b") as f:
        f.seek(-10, 2)
        f.write(b"\xff" * 10)
    with pytest.raises(ModelError, match="expected sha256"):
        verify_model(copy)
    with pytest.raises(ModelError, match="expected sha256"):
        verify_model(embedded_model_path, expected_sha256="0" * 64)


def test_model_commands(embedded_model_path):
    runner = CliRunner()
    listed = runner.invoke(cli, ["model", "list", "--json"])
    assert listed.exit_code == 0 and '"active": true' in listed.output
    verified = runner.invoke(cli, ["model", "verify"])
    assert verified.exit_code == 0 and SMOLLM2.sha256 in verified.output
    bench = runner.invoke(cli, ["model", "bench", "--json"])
    assert bench.exit_code == 0, bench.output
    assert '"generation_tokens_per_s"' in bench.output


def test_describe_reads_the_header_without_loading(embedded_model_path):
    info = describe_model(embedded_model_path)
    assert info.size_bytes == SMOLLM2.size and info.name == SMOLLM2.name


def test_an_unknown_model_earns_the_generated_default_only_by_measurement():
    from models.catalogue import record_verdict
    from models.draft import ModelInfo

    dropped_in = ModelInfo(name="Bigger-1.5B-Instruct", sha256="ab" * 32)
    assert preferred_mode(dropped_in) == "extractive"
    record_verdict(dropped_in.sha256, "generated")
    assert preferred_mode(dropped_in) == "generated"
    assert preferred_mode(ModelInfo(name="SmolLM2-135M-Instruct", sha256=SMOLLM2.sha256)) == "extractive"
