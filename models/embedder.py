"""The sentence-embedding model: all-MiniLM-L6-v2 as a Q8_0 GGUF, run by llama.cpp with embedding=True.

It embeds every passage at `kb build` and only the question at search time (knowledge/vectors.py
says what the knowledge layer expects of it). The file ships in models/embedding/ (see PROVENANCE.md
there: where the weights came from and how they were converted) and is pinned by its sha256.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from models.errors import ModelError

EMBEDDING_MODEL_ID = "all-MiniLM-L6-v2-Q8_0"
EMBEDDING_FILE = "all-MiniLM-L6-v2.Q8_0.gguf"
EMBEDDING_SHA256 = "bf1d74689ea4b1d2db7bc1ee52ed8f4618984437d05ba47d7513d24a8c5f18ed"
EMBEDDING_DIMENSIONS = 384
EMBEDDING_LICENCE = "Apache-2.0"
# The model was trained on at most 256 word pieces (sentence-transformers' max_seq_length); longer
# text is cut there, as the reference implementation does.
MAX_TOKENS = 256


def embedding_model_path() -> Path:
    """The embedding GGUF: beside this module in a source tree, or in the frozen folder's models/embedding/."""
    here = Path(__file__).resolve().parent / "embedding" / EMBEDDING_FILE
    candidates = [here]
    if getattr(sys, "frozen", False):
        base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
        candidates.insert(0, base / "models" / "embedding" / EMBEDDING_FILE)
    for path in candidates:
        if path.is_file():
            return path
    raise ModelError(f"{here}: the embedding model is missing. Reinstall Frontdesk (the file ships in models/embedding/).")


class LlamaEmbedder:
    """all-MiniLM-L6-v2 through llama-cpp-python: `embed(texts)` gives unit-length float32 rows.

    Loads on first use, or in the background after `start_loading()`: until then `ready()` is False
    when `wait` is False, so a search made meanwhile runs lexically instead of waiting. Calls are
    serialised (one llama.cpp context is not safe to share between threads).
    """

    model_id = EMBEDDING_MODEL_ID
    sha256 = EMBEDDING_SHA256
    dimensions = EMBEDDING_DIMENSIONS

    def __init__(self, path: Path | None = None, *, threads: int | None = None, wait: bool = True,
                 check_sha256: bool = False) -> None:
        self.path = Path(path) if path else None
        # One thread by default: a question is a few dozen word pieces, and llama.cpp's threads spin
        # while they wait for each other: on a busy 2-core machine two threads took 5.5 s a question
        # where one took 45 ms (measured beside other work; DESIGN.md, "busy laptop").
        self.threads = threads or 1
        self.wait = wait
        self.check_sha256 = check_sha256
        self._llama = None
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        # Callbacks waiting for the model, under a lock of their own: `_lock` is held for the whole load.
        self._on_ready: list = []
        self._ready_lock = threading.Lock()
        self._loaded = False
        self.error: ModelError | None = None

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        """Load the model now (idempotent); ModelError if the file is missing or damaged."""
        with self._lock:
            self._load_locked()
        with self._ready_lock:
            waiting, self._on_ready, self._loaded = self._on_ready, [], True
        for callback in waiting:
            run_quietly(callback)

    def when_ready(self, callback) -> threading.Thread | None:
        """Run `callback` once the model has loaded, never on the caller's thread: on the loading thread
        when it is still to load (None is returned), else on a short-lived thread of its own (returned)."""
        with self._ready_lock:
            if self.error is not None:
                return None  # no model: searches and matches stay by words
            if not self._loaded:
                self._on_ready.append(callback)
                return None
        thread = threading.Thread(target=run_quietly, args=(callback,), name="embedder-ready", daemon=True)
        thread.start()
        return thread

    def _load_locked(self) -> None:
        if self._llama is not None:
            return
        if self.error is not None:
            raise self.error
        try:
            path = self.path or embedding_model_path()
            if self.check_sha256:
                from knowledge.bundle import file_sha256

                digest = file_sha256(path)
                if digest != EMBEDDING_SHA256:
                    raise ModelError(f"{path}: sha256 {digest[:12]}... is not the pinned embedding model's "
                                     f"({EMBEDDING_SHA256[:12]}...). Reinstall Frontdesk.")
            from models.backends import ensure_cpu_backends
            from models.llama_log import llama_log_lines

            ensure_cpu_backends()
            import llama_cpp

            # Through llama.cpp's log callback, not by silencing file descriptor 2: this load runs on a
            # background thread, and the window's thread goes on printing and logging meanwhile.
            with llama_log_lines():
                self._llama = llama_cpp.Llama(
                    model_path=str(path), embedding=True, n_ctx=512, n_batch=512, n_ubatch=512,
                    n_threads=self.threads, n_threads_batch=self.threads,
                    pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN, verbose=False,
                )
        except ModelError as exc:
            self.error = exc
            raise
        except (OSError, ValueError, RuntimeError) as exc:
            self.error = ModelError(f"{self.path or EMBEDDING_FILE}: the embedding model did not load ({exc}). Reinstall Frontdesk.")
            raise self.error from exc

    def start_loading(self) -> None:
        """Load in a background thread (the window opens at once; searches are lexical until it is ready)."""
        if self._loading is None and self._llama is None:
            self._loading = threading.Thread(target=self._load_quietly, name="embedder-load", daemon=True)
            self._loading.start()

    def _load_quietly(self) -> None:
        try:
            self.load()
        except ModelError:
            pass  # kept in self.error; searches stay lexical

    def ready(self) -> bool:
        """Whether `embed` can be called now without waiting for the model to load."""
        if self.error is not None:
            return False
        return self.wait or self._llama is not None

    def close(self, final: bool = False) -> None:
        """Free the model (waiting for a background load); `final`: never load it again, so a thread
        still holding it (warming approved answers) gets ModelError instead of a fresh load."""
        if final:
            self.error = ModelError(f"{EMBEDDING_FILE}: the embedding model was closed as Frontdesk exited.")
        if self._loading is not None:
            self._loading.join()
        with self._ready_lock:
            self._loaded = False
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    # -- embedding -----------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text (mean pooling, as the model was trained)."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            self._load_locked()
            llama = self._llama
            # One text a call: llama.cpp attends over a whole batch of sequences at once (masked), so
            # eight sentences in one batch took 50 ms each against 31 ms one at a time, and eight
            # passages 230-260 ms each against 194 ms (2 cores, beside other work).
            rows = [llama.embed([self._truncated(llama, t)], normalize=False)[0] for t in texts]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimensions)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    @staticmethod
    def _truncated(llama, text: str) -> str:
        """`text` cut to MAX_TOKENS word pieces ([CLS] and [SEP] included), as the model was trained."""
        text = text.strip() or "."
        tokens = llama.tokenize(text.encode("utf-8"))
        if len(tokens) <= MAX_TOKENS:
            return text
        # Drop [CLS] and keep what fits before the [SEP] tokenize adds again.
        return llama.detokenize(tokens[1 : MAX_TOKENS - 1]).decode("utf-8", errors="ignore")


_shared: LlamaEmbedder | None = None
_shared_lock = threading.Lock()


def run_quietly(callback) -> None:
    try:
        callback()
    except Exception:  # noqa: BLE001 - a warm-up that fails leaves the work to the first question
        pass


def shared_embedder(*, background: bool = False) -> LlamaEmbedder:
    """The process's one embedding model (+75 MB once, however many bundles are open).

    `background=True` (the window) starts loading it at once and lets searches run by words until it
    is ready; otherwise (the command line) the first search waits for it.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LlamaEmbedder(wait=not background)
    if background:
        _shared.start_loading()
    return _shared


def close_shared_embedder() -> None:
    """Let the process's embedding model finish loading (and warming what waits on it), then free it.

    The window calls this as it exits: a daemon thread still inside llama.cpp while the interpreter
    tears down can crash the process on its way out (seen once, closing at once after opening)."""
    global _shared
    with _shared_lock:
        shared, _shared = _shared, None
    if shared is not None:
        shared.close(final=True)
