"""What every model runtime offers, declared: the local model, the office server, and the one falling back
from the other all implement ModelRuntime, and drafting, the window and the command line use only this.

A runtime is used from one thread (its owner: the window's model thread, or the command line's
main thread). `generate` streams text, and a Restart where what was streamed so far is void.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Protocol, Sequence, runtime_checkable

from models.draft import ModelInfo

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


@dataclass(frozen=True, slots=True)
class Restart:
    """Yielded by `generate` instead of text: the text so far is void, and the answer starts again.

    A FallbackRuntime yields one when the office server fails mid-answer and the local model takes over.
    """

    reason: str


@runtime_checkable
class ModelRuntime(Protocol):
    info: ModelInfo | None  # None until loaded
    notice: str  # something the person should know about how drafts were written ("" when nothing)

    @property
    def loaded(self) -> bool: ...

    @property
    def context_length(self) -> int: ...

    def load(self) -> ModelInfo | None:
        """Make the model ready (blocking); ModelError says why it cannot be."""

    def generate(self, messages: Sequence[Message], max_tokens: int = 256, should_stop: Callable[[], bool] = lambda: False,
                 temperature: float = 0.2, stop: Sequence[str] = ()) -> Iterator[str | Restart]:
        """Stream the reply to `messages`, ending within one step once `should_stop()` is True."""

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model (an estimate where the tokenizer is elsewhere)."""

    def close(self) -> None:
        """Free the model; the runtime may be loaded again."""
