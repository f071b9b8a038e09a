"""The local model runtime over llama-cpp-python: load once, stream tokens, stop on request.

One thread owns a LocalRuntime: the desktop app keeps it on its model worker thread, the command
line on its main thread. A lock makes a second caller wait rather than corrupt the context.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from knowledge.errors import ModelError
from models.backends import ensure_cpu_backends, quiet_stderr
from models.catalogue import verify_model
from models.draft import ModelInfo

DEFAULT_CONTEXT = 4096  # enough for the fixed instructions, five passages and an answer
Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


@dataclass(frozen=True, slots=True)
class PromptStats:
    """How the last prompt was evaluated: tokens in it, and how many came from the KV cache."""

    prompt_tokens: int
    reused_tokens: int
    prompt_ms: float  # time to the first generated token


def physical_cores() -> int:
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:  # pragma: no cover - psutil is a dependency; this keeps odd builds running
        return max(1, (os.cpu_count() or 2) // 2)


class LocalRuntime:
    """A GGUF chat model on this machine's CPU."""

    def __init__(self, path: Path, threads: int | None = None, n_ctx: int | None = None, expected_sha256: str | None = None):
        self.path = Path(path)
        self.threads = threads or physical_cores()
        self.n_ctx = n_ctx or DEFAULT_CONTEXT
        self.expected_sha256 = expected_sha256
        self.info: ModelInfo | None = None
        self.last_stats: PromptStats | None = None
        self._llama = None
        self._formatter = None
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._llama is not None

    def load(self) -> ModelInfo:
        """Verify the file and load it (blocking: a few hundred ms for the embedded model)."""
        with self._lock:
            if self._llama is not None:
                return self.info
            info = verify_model(self.path, self.expected_sha256)
            ensure_cpu_backends()
            from llama_cpp import Llama

            n_ctx = min(self.n_ctx, info.context_length or self.n_ctx)
            try:
                with quiet_stderr():
                    self._llama = Llama(
                        model_path=str(self.path), n_ctx=n_ctx, n_threads=self.threads, n_threads_batch=self.threads,
                        n_batch=512, verbose=False,
                    )
            except (ValueError, RuntimeError, OSError) as exc:
                raise ModelError(f"{self.path}: llama.cpp could not load this model ({exc}). Is it a GGUF chat model?") from exc
            self._formatter = chat_formatter(self._llama)
            self.info = info
            return info

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    @property
    def context_length(self) -> int:
        return self._llama.n_ctx() if self._llama is not None else self.n_ctx

    # -- tokens --------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model (a 4-characters-a-token estimate before loading)."""
        if self._llama is None:
            return max(1, len(text) // 4)
        return len(self._llama.tokenize(text.encode("utf-8", errors="replace"), add_bos=False, special=False))

    def format_prompt(self, messages: Sequence[Message]) -> tuple[str, list[str]]:
        """The model's prompt text for `messages`, and its stop strings."""
        if self._formatter is None:
            return plain_prompt(messages), ["\nQuestion:", "\n\n\n"]
        response = self._formatter(messages=list(messages))
        stop = response.stop if isinstance(response.stop, list) else ([response.stop] if response.stop else [])
        return response.prompt, stop

    # -- generating ----------------------------------------------------------------------------
    def generate(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        should_stop: Callable[[], bool] = lambda: False,
        temperature: float = 0.2,
    ) -> Iterator[str]:
        """Stream the reply to `messages` piece by piece; checks `should_stop` before every token."""
        if self._llama is None:
            raise ModelError("The model is not loaded yet. Wait for 'Model ready', or use the extractive draft.")
        with self._lock:
            llama = self._llama
            prompt, stop = self.format_prompt(messages)
            tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
            room = llama.n_ctx() - len(tokens)
            if room < 8:
                raise ModelError(
                    f"The prompt takes {len(tokens)} tokens, more than the model's context of {llama.n_ctx()}. "
                    "Shorten the question or use fewer sources."
                )
            reused = common_prefix(list(llama._input_ids), tokens)
            started = time.perf_counter()
            first = True
            # create_completion reuses the KV cache for the longest prefix it shares with the
            # previous prompt: the fixed instructions are evaluated once per session, not per question.
            stream = llama.create_completion(
                tokens, max_tokens=min(max_tokens, room), temperature=temperature, top_p=0.9, repeat_penalty=1.1,
                stop=stop, stream=True,
            )
            try:
                for chunk in stream:
                    if should_stop():
                        break
                    text = chunk["choices"][0]["text"]
                    if first:
                        self.last_stats = PromptStats(len(tokens), reused, (time.perf_counter() - started) * 1000)
                        first = False
                    if text:
                        yield text
            finally:
                stream.close()
            if first:
                self.last_stats = PromptStats(len(tokens), reused, (time.perf_counter() - started) * 1000)


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def chat_formatter(llama):
    """A formatter from the model's own chat template, or None for a base model with no template."""
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token_id: int) -> str:
        return llama._model.token_get_text(token_id) if token_id >= 0 else ""

    bos = token_text(llama.token_bos())
    eos = token_text(llama.token_eos())
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, stop_token_ids=[llama.token_eos()])


def plain_prompt(messages: Sequence[Message]) -> str:
    """A prompt for base models with no chat template: instructions, then the question, then 'Answer:'."""
    parts = []
    for m in messages:
        if m["role"] == "system":
            parts.append(m["content"].strip())
        elif m["role"] == "user":
            parts.append(m["content"].strip())
        else:
            parts.append(f"Answer: {m['content'].strip()}")
    return "\n\n".join(parts) + "\n\nAnswer:"
