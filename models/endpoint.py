"""An optional OpenAI-compatible chat endpoint (llama.cpp server, Ollama, vLLM), and falling back from it.

Off unless the policy names an endpoint_url: Frontdesk makes no network call otherwise. Only
urllib is used, so nothing new is bundled for offices that never turn it on.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from typing import Callable, Iterator, Sequence
from urllib.parse import urlparse

from models.draft import ModelInfo
from models.errors import EndpointError, ModelError
from models.runtime import StopWatcher
from models.runtime_protocol import ModelRuntime, Restart


class EndpointRuntime:
    """A model behind an OpenAI-compatible /v1/chat/completions endpoint, streamed with SSE (a ModelRuntime)."""

    notice = ""

    def __init__(self, url: str, model: str = "", timeout: float = 10.0, context_length: int = 4096):
        self.url = url.rstrip("/")
        if not self.url.endswith("/v1"):
            self.url += "/v1"
        self.model = model or "default"
        self.timeout = timeout
        self.n_ctx = context_length
        host = urlparse(self.url).netloc
        self.info = ModelInfo(name=f"{self.model} (office server {host})", sha256="", path=self.url)
        self.loaded = False
        self.last_stats = None

    @property
    def context_length(self) -> int:
        return self.n_ctx

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)  # the server has the tokenizer; an estimate keeps the budget safe

    def load(self) -> ModelInfo:
        """Check the server answers (GET /v1/models); EndpointError if it does not."""
        try:
            with urllib.request.urlopen(f"{self.url}/models", timeout=self.timeout) as response:
                json.load(response)
        except urllib.error.HTTPError as exc:
            raise EndpointError(f"The office model server at {self.url} refused the request ({http_problem(exc)}).") from exc
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            raise EndpointError(f"The office model server at {self.url} is not answering ({reason(exc)}).") from exc
        self.loaded = True
        return self.info

    def close(self) -> None:
        self.loaded = False

    def generate(self, messages: Sequence[dict], max_tokens: int = 256, should_stop: Callable[[], bool] = lambda: False,
                 temperature: float = 0.2, stop: Sequence[str] = ()) -> Iterator[str]:
        """Stream the reply; EndpointError if the server fails before or during the answer.

        `should_stop` is checked before every piece and every 10 ms while waiting for the server:
        a stop shuts the connection, so it lands even while the server is still reading the prompt.
        The reply ends before any of `stop` (the server is sent the first four).
        """
        payload = {"model": self.model, "messages": list(messages), "max_tokens": max_tokens,
                   "temperature": temperature, "stream": True}
        if stop:
            payload["stop"] = list(stop)[:4]  # the OpenAI API takes at most four
        body = json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.url}/chat/completions", data=body,
                                         headers={"Content-Type": "application/json", "Accept": "text/event-stream"})
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise EndpointError(f"The office model server at {self.url} refused the request ({http_problem(exc)}).") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise EndpointError(f"The office model server at {self.url} is not answering ({reason(exc)}).") from exc
        finished = seen_data = False
        try:
            with StopWatcher(should_stop, lambda: shut(response)):
                for raw in response:
                    if should_stop():
                        break
                    line = raw.decode("utf-8", errors="replace").strip()
                    if not line.startswith("data:"):
                        continue
                    seen_data = True
                    data = line[5:].strip()
                    if data == "[DONE]":
                        finished = True
                        break
                    text, done = chat_delta(data)
                    if text:
                        yield text
                    finished = finished or done
        except (OSError, ValueError, urllib.error.URLError, http.client.HTTPException) as exc:
            if should_stop():
                return
            # A server killed mid-answer shows up as a reset, a timeout or an incomplete chunked read.
            raise EndpointError(f"The office model server stopped in the middle of the answer ({reason(exc)}).") from exc
        finally:
            response.close()
        if should_stop() or finished:
            return
        if not seen_data:
            kind = response.headers.get("Content-Type", "no content type")
            raise EndpointError(f"The office model server at {self.url} did not send a chat stream ({kind}). "
                                "Check endpoint_url points at an OpenAI-compatible server.")
        raise EndpointError("The office model server stopped in the middle of the answer (the connection closed).")


def chat_delta(data: str) -> tuple[str, bool]:
    """The text of one streamed chat chunk and whether it is the last; EndpointError if it is not one."""
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise EndpointError(f"The office model server sent something that is not a chat answer: {data[:80]!r}") from exc
    if isinstance(chunk, dict) and chunk.get("error"):
        error = chunk["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise EndpointError(f"The office model server reported an error: {str(message)[:200]}")
    try:
        choice = chunk["choices"][0]
        text = (choice.get("delta") or {}).get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise EndpointError(f"The office model server sent something that is not a chat answer: {data[:80]!r}") from exc
    return str(text), bool(choice.get("finish_reason"))


def shut(response) -> None:
    """End a streaming response from another thread: its blocked read returns at once."""
    try:
        response.fp.raw._sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass


def http_problem(exc: urllib.error.HTTPError) -> str:
    """'HTTP 404: model not found', with the server's own error message where it gave one."""
    detail = ""
    try:
        payload = json.loads(exc.read(4096) or b"{}")
        error = payload.get("error") if isinstance(payload, dict) else None
        detail = (error.get("message") if isinstance(error, dict) else error) or payload.get("detail") or ""
    except (ValueError, OSError, AttributeError):
        pass
    return f"HTTP {exc.code} {exc.reason}" + (f": {str(detail)[:200]}" if detail else "")


def reason(exc: Exception) -> str:
    inner = getattr(exc, "reason", None)
    return str(inner or exc) or type(exc).__name__


class FallbackRuntime:
    """The endpoint first; the local model when the endpoint cannot be reached or stops mid-answer (a ModelRuntime)."""

    def __init__(self, primary: EndpointRuntime, fallback: ModelRuntime | None):
        self.primary, self.fallback = primary, fallback
        self.notice = ""

    @property
    def loaded(self) -> bool:
        return self.primary.loaded or (self.fallback is not None and self.fallback.loaded)

    @property
    def info(self) -> ModelInfo | None:
        return self.primary.info if self.primary.loaded or self.fallback is None else self.fallback.info

    @property
    def context_length(self) -> int:
        return min(self.primary.context_length, self.fallback.context_length) if self.fallback else self.primary.context_length

    def count_tokens(self, text: str) -> int:
        return self.fallback.count_tokens(text) if self.fallback and self.fallback.loaded else self.primary.count_tokens(text)

    def load(self) -> ModelInfo | None:
        try:
            self.primary.load()
        except EndpointError as exc:
            self.notice = f"{exc} Using the model on this computer."
        return self.info

    def close(self) -> None:
        self.primary.close()
        if self.fallback is not None:
            self.fallback.close()

    def generate(self, messages, max_tokens: int = 256, should_stop: Callable[[], bool] = lambda: False,
                 **options) -> Iterator[str | Restart]:
        """Stream from the endpoint; on failure, yield a Restart and stream the local model's answer instead."""
        started = False
        if self.primary.loaded:
            try:
                for piece in self.primary.generate(messages, max_tokens=max_tokens, should_stop=should_stop, **options):
                    started = True
                    yield piece
                return
            except EndpointError as exc:
                self.notice = f"{exc} The model on this computer wrote the draft instead."
                self.primary.loaded = False
        if self.fallback is None or not self.fallback.loaded:
            raise ModelError(self.notice or "Neither the office model server nor a local model is available.")
        if started:
            yield Restart(self.notice)
        yield from self.fallback.generate(messages, max_tokens=max_tokens, should_stop=should_stop, **options)
