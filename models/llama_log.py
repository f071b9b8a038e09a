"""llama.cpp's log lines, through llama.cpp's own log callback (llama_log_set) rather than file descriptor 2.

Swapping sys.stderr or redirecting fd 2 around a load on a worker thread silences the whole
process meanwhile (what the window's thread prints is lost); a log callback touches nothing else.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from typing import Iterator

_log_lock = threading.Lock()
_log_callback = None  # kept alive: llama.cpp holds the pointer for the life of the process
_log_capture = threading.local()


def install_llama_log() -> None:
    """Route llama.cpp's (and ggml's) log lines through its own callback, once per process, instead of fd 2.

    llama.cpp has one log sink for the process, set with llama_log_set. Its lines are collected
    for the thread that asked (llama_log_lines: a failed load says why) and otherwise dropped:
    errors reach Python as exceptions, and its progress chatter (or the line it writes when a stop
    interrupts a computation) would only clutter a terminal. Nothing here touches sys.stderr, file
    descriptor 2 or a logger, so what other threads print is never lost.
    """
    global _log_callback
    with _log_lock:
        if _log_callback is not None:
            return
        import llama_cpp

        @llama_cpp.llama_log_callback
        def on_log(level: int, text: bytes, user_data) -> None:
            lines = getattr(_log_capture, "lines", None)
            if lines is not None:
                lines.append(text.decode("utf-8", errors="replace"))

        llama_cpp.llama_log_set(on_log, ctypes.c_void_p(0))
        _log_callback = on_log
        # llama-cpp-python, given verbose=False, also points file descriptors 1 and 2 at /dev/null while a
        # model loads: on a loading thread that swallowed what every other thread printed meanwhile (the
        # window's test saw its own output vanish while the embedding model loaded). The callback above
        # already keeps llama.cpp quiet, so its loads leave the descriptors alone.
        import llama_cpp._internals
        import llama_cpp.llama

        for module in (llama_cpp.llama, llama_cpp._internals):
            if hasattr(module, "suppress_stdout_stderr"):
                module.suppress_stdout_stderr = _LeaveDescriptorsAlone


class _LeaveDescriptorsAlone:
    """Stands in for llama_cpp's suppress_stdout_stderr(disable=...): redirects nothing."""

    def __init__(self, disable: bool = True):
        self.disable = disable

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


@contextlib.contextmanager
def llama_log_lines() -> Iterator[list[str]]:
    """Collect what llama.cpp logs on this thread while the block runs."""
    install_llama_log()
    _log_capture.lines = lines = []
    try:
        yield lines
    finally:
        _log_capture.lines = None
