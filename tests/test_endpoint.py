"""The office-server backend against a real OpenAI-compatible server (llama-cpp-python's own), on loopback."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from knowledge.config import Policy
from knowledge.errors import EndpointError
from models.draft import TokenEvent
from models.drafting import stream_draft
from models.endpoint import RESTART, EndpointRuntime, FallbackRuntime
from models.loading import choose_model, load_runtime

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "Write a long story about a dog."}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(embedded_model_path):
    """A real llama_cpp.server on a free loopback port, killed at the end (or by the test)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "models.serve", "--model", str(embedded_model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/models", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("the llama_cpp server exited at start")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the llama_cpp server did not start within 90 s")
    yield process, url
    process.kill()
    process.wait()


def test_endpoint_streams_a_chat_answer(server):
    _, url = server
    endpoint = EndpointRuntime(url, "smollm2")
    endpoint.load()
    text = "".join(endpoint.generate(MESSAGES, max_tokens=16))
    assert text.strip()


def test_unreachable_endpoint_is_a_clear_error():
    endpoint = EndpointRuntime(f"http://127.0.0.1:{free_port()}/v1", timeout=2)
    with pytest.raises(EndpointError, match="not answering"):
        endpoint.load()
    with pytest.raises(EndpointError, match="not answering"):
        list(endpoint.generate(MESSAGES))


def test_server_going_away_mid_stream_falls_back_to_the_local_model(server, runtime):
    process, url = server
    endpoint = EndpointRuntime(url, "smollm2", timeout=5)
    both = FallbackRuntime(endpoint, runtime)
    both.load()
    pieces = []
    for piece in both.generate(MESSAGES, max_tokens=300):
        pieces.append(piece)
        if len(pieces) == 2:
            process.kill()  # the office server dies mid-answer
        if len(pieces) > 40:
            break
    assert RESTART in pieces, "the endpoint's partial answer is voided"
    after = pieces[pieces.index(RESTART) + 1:]
    assert "".join(after).strip(), "the local model carried on"
    assert "stopped in the middle of the answer" in both.notice


def test_policy_endpoint_is_used_and_unreachable_falls_back(sample_bundle, searcher):
    policy = Policy(endpoint_url=f"http://127.0.0.1:{free_port()}", endpoint_model="x")
    runtime = load_runtime(choose_model(None, policy), policy)
    try:
        assert isinstance(runtime, FallbackRuntime) and "not answering" in runtime.notice
        events = list(stream_draft("how much is child benefit", searcher, runtime, mode="generated", max_tokens=12))
        assert any(isinstance(e, TokenEvent) and e.text for e in events)
        assert "not answering" in events[-1].draft.notice
    finally:
        runtime.close()


def test_no_endpoint_means_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network call was made without an endpoint configured")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    policy = Policy()
    runtime = load_runtime(choose_model(None, policy), policy)
    runtime.close()
