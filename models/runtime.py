"""The local model runtime over llama-cpp-python: load once, stream tokens, stop on request.

Threads: one thread owns a LocalRuntime and makes every call on it (the desktop app keeps it on
its model worker thread, the command line on its main thread). The one exception is the
`should_stop` callable given to `generate`, which is also polled from a short-lived watcher
thread so a stop lands even while llama.cpp is busy reading a long prompt or computing a token
on a busy CPU. A lock makes a
second caller wait rather than corrupt the model's context.

Only llama-cpp-python's public API is used (checked against the pinned 0.3.36 by
tests/test_runtime.py, test_the_runtime_uses_only_llama_cpp_pythons_public_api): the context
and model pointers through `Llama.ctx` and `Llama.model`, llama.cpp's own functions through the
`llama_cpp` bindings, and evaluation counted by a subclass overriding the public `Llama.eval`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from models.errors import ModelError
from models.backends import ensure_cpu_backends
from models.catalogue import verify_model
from models.draft import ModelInfo
from models.llama_log import llama_log_lines
from models.threads import CpuLoad, automatic_threads, physical_cores  # noqa: F401  (physical_cores: older callers)

DEFAULT_CONTEXT = 4096  # enough for the fixed instructions, the sources and an answer
MIN_ANSWER_TOKENS = 8  # a prompt leaving less room than this is refused, not answered with a stub
STOP_POLL_S = 0.01  # how often the watcher looks at should_stop while llama.cpp computes
Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


@dataclass(frozen=True, slots=True)
class PromptStats:
    """How the last prompt was evaluated: its tokens, how many llama.cpp actually computed, and how long."""

    prompt_tokens: int
    evaluated_tokens: int  # counted as llama.cpp evaluates them: the rest came from the KV cache
    prompt_ms: float  # time to the first generated token
    max_tokens: int  # after clamping to the room left in the context

    @property
    def reused_tokens(self) -> int:
        return self.prompt_tokens - self.evaluated_tokens


class StopFlag:
    """A one-byte flag llama.cpp checks between the steps of each computation, to stop mid-prompt.

    llama.cpp calls its abort callback from its compute thread before every graph node, hundreds
    of times a token. A Python callback would need the GIL each time (and wait up to 5 ms for it
    while the window's thread runs), so the callback is libc's strlen over this buffer: 0 while
    running, 1 once stop is asked, read in C with no Python involved.
    """

    def __init__(self) -> None:
        self.buffer = ctypes.create_string_buffer(2)
        self.installed = False

    def install(self, llama) -> bool:
        """Attach the flag to a loaded Llama; False (stop between tokens only) where that cannot be done."""
        try:
            import llama_cpp

            libc = ctypes.CDLL(ctypes.util.find_library("msvcrt" if sys.platform == "win32" else "c"))
            strlen = ctypes.cast(libc.strlen, ctypes.c_void_p).value
            self._callback = llama_cpp.ggml_abort_callback(strlen)  # kept: llama.cpp holds the pointer
            llama_cpp.llama_set_abort_callback(llama.ctx, self._callback, ctypes.cast(self.buffer, ctypes.c_void_p))
        except (AttributeError, OSError, TypeError):
            return False
        self.installed = True
        return True

    def set(self) -> None:
        self.buffer[0] = 1

    def clear(self) -> None:
        self.buffer[0] = 0

    def is_set(self) -> bool:
        return self.buffer[0] != b"\x00"


class LocalRuntime:
    """A GGUF chat model on this machine's CPU (a ModelRuntime)."""

    notice = ""  # nothing to say: the model is on this computer

    def __init__(self, path: Path, threads: int | None = None, n_ctx: int | None = None, expected_sha256: str | None = None,
                 hash_cache: Path | None = None):
        self.path = Path(path)
        self.hash_cache = hash_cache  # where verified hashes are remembered (the app's cache), None: hash every load
        # A count from the policy or the person's setting is kept; None is automatic: the free
        # physical cores, looked at again before every draft (models/threads.py).
        self.fixed_threads = threads or None
        self.threads = threads or physical_cores()
        self._cpu_load: CpuLoad | None = None
        self.n_ctx = n_ctx or DEFAULT_CONTEXT
        self.expected_sha256 = expected_sha256
        self.info: ModelInfo | None = None
        self.last_stats: PromptStats | None = None
        self.load_ms: float | None = None
        self._llama = None
        self._formatter = None
        self._evaluated = 0
        self._stop = StopFlag()
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._llama is not None

    def load(self) -> ModelInfo:
        """Verify the file and load it (blocking: under a second for the embedded model)."""
        with self._lock:
            if self._llama is not None:
                return self.info
            started = time.perf_counter()
            info = verify_model(self.path, self.expected_sha256, self.hash_cache)
            ensure_cpu_backends(threads=self.threads)
            Llama = counting_llama_class()

            n_ctx = min(self.n_ctx, info.context_length or self.n_ctx)
            try:
                with llama_log_lines() as said:  # llama.cpp's own lines, to say why a load failed
                    llama = Llama(
                        model_path=str(self.path), n_ctx=n_ctx, n_threads=self.threads, n_threads_batch=self.threads,
                        n_batch=512, verbose=False,
                    )
            except (ValueError, RuntimeError, OSError) as exc:
                why = " ".join(line.strip() for line in "".join(said).splitlines()[-2:] if line.strip()) or str(exc)
                raise ModelError(f"{self.path}: llama.cpp could not load this model ({why}). Is it a GGUF chat model?") from exc
            llama.on_eval, llama.stopped = self._count_evaluation, self._stop.is_set
            self._stop.install(llama)
            self._formatter = chat_formatter(llama)
            self._llama = llama
            if self.fixed_threads is None:
                self._cpu_load = CpuLoad()
            self.info = info
            self.load_ms = (time.perf_counter() - started) * 1000
            return info

    def _count_evaluation(self, evaluated: int) -> None:
        """Called by CountingLlama after each eval with the tokens llama.cpp really computed."""
        self._evaluated += evaluated

    def _fit_threads(self, llama) -> None:
        """Automatic threads: leave other programs the cores they have been busy on since the last draft."""
        if self._cpu_load is None:
            return
        wanted = automatic_threads(self._cpu_load.others_busy_cores())
        if wanted != self.threads:
            import llama_cpp

            llama_cpp.llama_set_n_threads(llama.ctx, wanted, wanted)
            llama.n_threads = llama.n_threads_batch = wanted
            self.threads = wanted

    @property
    def llama_threads(self) -> int | None:
        """The thread count llama.cpp itself holds for this model (what it computes with), or None before loading."""
        if self._llama is None:
            return None
        import llama_cpp

        return llama_cpp.llama_n_threads(self._llama.ctx)

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
            return plain_prompt(messages), ["\nQuestion", "\n\n\n", "\nSources:"]
        response = self._formatter(messages=list(messages))
        stop = response.stop if isinstance(response.stop, list) else ([response.stop] if response.stop else [])
        return response.prompt, stop

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The tokens the model will read for `messages` (template applied)."""
        prompt, _ = self.format_prompt(messages)
        return self._llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)

    # -- generating ----------------------------------------------------------------------------
    def generate(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        should_stop: Callable[[], bool] = lambda: False,
        temperature: float = 0.2,
        stop: Sequence[str] = (),
    ) -> Iterator[str]:
        """Stream the reply to `messages` piece by piece.

        `should_stop` is checked before and after every piece and, while llama.cpp computes, every
        10 ms from a watcher thread: the stream ends within one step of a computation once it is True.
        `max_tokens` is cut to the room the prompt leaves in the context; a prompt that leaves
        none is refused with ModelError (the prompt builder trims sources to avoid that). The reply
        ends before any of `stop`, as before the chat template's own end markers.
        """
        if self._llama is None:
            raise ModelError("The model is not loaded yet. Wait for 'Model ready', or use the extractive draft.")
        with self._lock:
            llama = self._llama
            prompt, template_stop = self.format_prompt(messages)
            tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
            room = llama.n_ctx() - len(tokens)
            if room < MIN_ANSWER_TOKENS:
                raise ModelError(
                    f"The prompt takes {len(tokens)} tokens, more than the model's context of {llama.n_ctx()} "
                    f"leaves room for. Shorten the question or use fewer sources."
                )
            max_tokens = max(1, min(max_tokens, room))
            self._fit_threads(llama)
            self._stop.clear()
            self._evaluated = 0
            self.last_stats = None
            started = time.perf_counter()

            def note_prompt_done() -> None:
                if self.last_stats is None:
                    self.last_stats = PromptStats(len(tokens), self._evaluated, (time.perf_counter() - started) * 1000, max_tokens)

            # create_completion reuses the KV cache for the longest prefix it shares with the
            # previous prompt: the fixed instructions come first in every prompt, so they are
            # evaluated once per session, not once per question.
            stream = llama.create_completion(
                tokens, max_tokens=max_tokens, temperature=temperature, top_p=0.9, repeat_penalty=1.1,
                stop=list(template_stop) + list(stop), stream=True,
            )
            try:
                # The watcher stays for the whole answer: a token takes 10 ms on an idle laptop
                # but can take seconds beside a busy program, and Stop must not wait for it.
                with StopWatcher(should_stop, self._stop.set):
                    for chunk in stream:
                        note_prompt_done()
                        if should_stop():
                            break
                        text = chunk["choices"][0]["text"]
                        if text:
                            yield text
                            if should_stop():  # pressed while the caller had the piece: compute no more
                                break
            except RuntimeError as exc:  # llama_decode failed, or was stopped by the flag
                if not self._stop.is_set():
                    raise ModelError(f"{self.path.name}: llama.cpp stopped with an error ({exc}).") from exc
            finally:
                stream.close()
                self._stop.clear()
                note_prompt_done()


_counting_llama = None


def counting_llama_class():
    """llama_cpp.Llama with `eval` overridden to count the tokens llama.cpp really computes.

    Llama.generate evaluates the prompt's uncached part and then each new token through
    `self.eval` (public); counting there observes the KV-cache reuse rather than assuming it
    (PromptStats.evaluated_tokens). Made on first use: llama_cpp is imported only after
    ensure_cpu_backends has chosen the CPU variant.
    """
    global _counting_llama
    if _counting_llama is None:
        from llama_cpp import Llama

        class CountingLlama(Llama):
            on_eval: Callable[[int], None] | None = None  # told how many tokens each eval computed
            stopped: Callable[[], bool] | None = None  # True: compute no more (between steps, should the abort callback be missing)

            def eval(self, tokens):
                if self.stopped is not None and self.stopped():
                    raise RuntimeError("stopped")
                before = self.n_tokens
                try:
                    return super().eval(tokens)
                finally:  # n_tokens grows only by the batches llama.cpp completed
                    if self.on_eval is not None:
                        self.on_eval(self.n_tokens - before)

        _counting_llama = CountingLlama
    return _counting_llama


class StopWatcher:
    """Polls `should_stop` from a thread of its own while the caller's thread is blocked in C or I/O.

    When it turns True, calls `on_stop` once (raise llama.cpp's abort flag, shut a socket).
    Use as a context manager around the blocking work.
    """

    def __init__(self, should_stop: Callable[[], bool], on_stop: Callable[[], None], interval: float = STOP_POLL_S):
        self.should_stop, self.on_stop, self.interval = should_stop, on_stop, interval
        self.done = threading.Event()
        self.fired = False
        self.thread = threading.Thread(target=self._run, name="frontdesk-stop-watcher", daemon=True)

    def __enter__(self) -> "StopWatcher":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.done.wait(self.interval):
            if self.should_stop():
                self.fired = True
                self.on_stop()
                return


def chat_formatter(llama):
    """A formatter from the model's own chat template, or None for a base model with no template."""
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llama.model)

    def token_text(token_id: int) -> str:
        return llama_cpp.llama_vocab_get_text(vocab, token_id).decode("utf-8") if token_id >= 0 else ""

    bos = token_text(llama.token_bos())
    eos = token_text(llama.token_eos())
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, stop_token_ids=[llama.token_eos()])


def plain_prompt(messages: Sequence[Message]) -> str:
    """A prompt for base models with no chat template: instructions, then the question, then 'Answer:'.

    The system text comes first and never changes, so it stays a cached prefix here too.
    """
    parts = []
    for m in messages:
        if m["role"] == "assistant":
            parts.append(f"Answer: {m['content'].strip()}")
        else:
            parts.append(m["content"].strip())
    return "\n\n".join(parts) + "\n\nAnswer:"
