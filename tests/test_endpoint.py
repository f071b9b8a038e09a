"""The office-server backend against a real OpenAI-compatible server (llama-cpp-python's own), on loopback."""

import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from app.config import Policy
from models.errors import EndpointError
from models.draft import TokenEvent
from models.drafting import stream_draft
from models.endpoint import EndpointRuntime, FallbackRuntime
from models.runtime_protocol import ModelRuntime, Restart
from app.model_choice import choose_model, load_runtime
from tests.timing import best_of

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


def test_every_runtime_implements_the_declared_protocol(runtime):
    """Local, endpoint and fallback runtimes all offer load, generate, count tokens, info, close, notice."""
    endpoint = EndpointRuntime(f"http://127.0.0.1:{free_port()}", "x", timeout=1)
    for made in (runtime, endpoint, FallbackRuntime(endpoint, runtime), FallbackRuntime(endpoint, None)):
        assert isinstance(made, ModelRuntime), type(made).__name__
        assert isinstance(made.notice, str) and made.count_tokens("a few words") >= 1
    assert not isinstance(object(), ModelRuntime)


def test_a_fallback_before_any_text_is_no_restart(runtime):
    """An endpoint that never answered leaves nothing to void: the local model's text comes with no Restart."""
    both = FallbackRuntime(EndpointRuntime(f"http://127.0.0.1:{free_port()}", "x", timeout=1), runtime)
    both.load()
    pieces = list(both.generate(MESSAGES, max_tokens=8))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "not answering" in both.notice


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
    # A generous timeout: on a busy 2-core machine the server's first token can take seconds, and
    # this test is about the server dying mid-answer, not about it being slow to start.
    endpoint = EndpointRuntime(url, "smollm2", timeout=60)
    both = FallbackRuntime(endpoint, runtime)
    both.load()
    pieces = []
    for piece in both.generate(MESSAGES, max_tokens=300):
        pieces.append(piece)
        if len(pieces) == 2:
            process.kill()  # the office server dies mid-answer
        if len(pieces) > 40:
            break
    restarts = [i for i, piece in enumerate(pieces) if isinstance(piece, Restart)]
    assert len(restarts) == 1, "the endpoint's partial answer is voided, once"
    assert "stopped in the middle of the answer" in pieces[restarts[0]].reason
    after = pieces[restarts[0] + 1:]
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


class FakeServer(http.server.ThreadingHTTPServer):
    """A loopback HTTP server answering /v1/chat/completions with whatever a test gives it."""

    daemon_threads = True

    def __init__(self, respond):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                respond(self)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def fake_server():
    servers = []

    def start(respond):
        servers.append(FakeServer(respond))
        return servers[-1].url

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def reply(status: int, content_type: str, body: bytes):
    def respond(handler):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def test_http_error_names_the_status_and_the_servers_message(fake_server):
    url = fake_server(reply(404, "application/json", b'{"error": {"message": "model \'x\' not found"}}'))
    with pytest.raises(EndpointError, match=r"refused the request \(HTTP 404 Not Found: model 'x' not found\)"):
        list(EndpointRuntime(url, "x").generate(MESSAGES))


def test_a_page_that_is_not_a_chat_stream(fake_server):
    url = fake_server(reply(200, "text/html", b"<html><body>Proxy login</body></html>\n"))
    with pytest.raises(EndpointError, match=r"did not send a chat stream \(text/html\)"):
        list(EndpointRuntime(url).generate(MESSAGES))


def test_malformed_stream_lines(fake_server):
    url = fake_server(reply(200, "text/event-stream", b'data: {"choices": [{"delta": {"content": "Hi"}}]}\n\ndata: {not json\n\n'))
    pieces = []
    with pytest.raises(EndpointError, match="not a chat answer: '{not json'"):
        for piece in EndpointRuntime(url).generate(MESSAGES):
            pieces.append(piece)
    assert pieces == ["Hi"]


def test_error_event_in_the_stream(fake_server):
    url = fake_server(reply(200, "text/event-stream", b'data: {"error": {"message": "context length exceeded"}}\n\n'))
    with pytest.raises(EndpointError, match="reported an error: context length exceeded"):
        list(EndpointRuntime(url).generate(MESSAGES))


def test_a_server_that_never_answers_times_out(fake_server):
    url = fake_server(lambda handler: time.sleep(3))
    started = time.perf_counter()
    with pytest.raises(EndpointError, match="not answering .*timed out"):
        list(EndpointRuntime(url, timeout=0.5).generate(MESSAGES))
    assert time.perf_counter() - started < 2.5


def test_stop_lands_while_waiting_for_the_server(fake_server):
    def slow_stream(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        handler.wfile.write(b'data: {"choices": [{"delta": {"content": "One"}}]}\n\n')
        handler.wfile.flush()
        time.sleep(3)  # the server is slow to send the next piece

    url = fake_server(slow_stream)

    def stop_latency() -> float:
        stop = threading.Event()
        stopped_at = []
        pieces = []
        for piece in EndpointRuntime(url, timeout=10).generate(MESSAGES, should_stop=stop.is_set):
            pieces.append(piece)
            threading.Timer(0.2, lambda: (stopped_at.append(time.perf_counter()), stop.set())).start()
        ended = time.perf_counter()
        assert pieces == ["One"]
        return ended - stopped_at[0]

    # The best of up to three (tests/timing.py): a loaded machine can delay one measurement, not Frontdesk.
    assert best_of(stop_latency, 0.1) < 0.1


def test_the_server_stops_where_a_stop_string_starts(server):
    _, url = server
    endpoint = EndpointRuntime(url, "smollm2")
    endpoint.load()
    free = "".join(endpoint.generate(MESSAGES, max_tokens=24, temperature=0.0))
    word = free.split()[3]
    cut = "".join(endpoint.generate(MESSAGES, max_tokens=24, temperature=0.0, stop=(word,)))
    assert word not in cut and free.startswith(cut)
