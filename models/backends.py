"""Loading llama.cpp's CPU backend variants, so one portable build runs at native speed on any x86-64.

llama-cpp-python built with GGML_BACKEND_DL and GGML_CPU_ALL_VARIANTS ships one CPU backend per
CPU generation (libggml-cpu-sse42.so, -haswell, -zen4, ...) in site-packages/bin, and loads none of
them by itself. ggml scores each against the running CPU and keeps the best, but only when asked,
through the same libggml that llama.cpp itself uses (the wheel also holds a second copy with a
registry of its own). An ordinary llama-cpp-python build has its CPU backend built in: then
there is nothing to do.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_lock = threading.Lock()
_loaded: "BackendReport | None" = None


@dataclass(frozen=True, slots=True)
class BackendReport:
    """Which CPU backend llama.cpp runs on, and where it was loaded from."""

    dynamic: bool  # True: a CPU variant was chosen at run time
    variant: str  # e.g. "haswell", or "built-in"
    folder: str


def llama_lib_folder() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).parent / "lib"


def variant_folders() -> list[Path]:
    """Folders that may hold libggml-cpu-*: beside libggml, the wheel's bin/, the frozen app's folder."""
    lib = llama_lib_folder()
    folders = [lib, lib.parent.parent / "bin"]
    if getattr(sys, "frozen", False):
        base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
        folders += [base / "llama_cpp" / "lib", base]
    return [f for f in folders if f.is_dir()]


def _variant_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("libggml-cpu-*.so")) + sorted(folder.glob("ggml-cpu-*.dll")) + sorted(folder.glob("libggml-cpu-*.dylib"))


def loaded_variant() -> str:
    """The CPU variant library this process has mapped (Linux), else "unknown"."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "unknown"
    for line in maps.splitlines():
        name = line.rsplit("/", 1)[-1]
        if name.startswith("libggml-cpu-") and name.endswith(".so"):
            return name[len("libggml-cpu-") : -len(".so")]
    return "unknown"


@contextmanager
def quiet_stderr():
    """Silence what C libraries write to file descriptor 2 for the duration."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def ensure_cpu_backends() -> BackendReport:
    """Load the best CPU backend for this machine once per process; safe to call again."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        lib_folder = llama_lib_folder()
        ggml_path = next((p for p in (lib_folder / "libggml.so.0", lib_folder / "libggml.so", lib_folder / "ggml.dll",
                                      lib_folder / "libggml.dylib") if p.exists()), None)
        folder = next((f for f in variant_folders() if _variant_files(f)), None)
        if ggml_path is None or folder is None:
            _loaded = BackendReport(dynamic=False, variant="built-in", folder=str(lib_folder))
            return _loaded
        import llama_cpp  # noqa: F401  (loads libggml through llama.cpp's own path first)

        ggml = ctypes.CDLL(str(ggml_path))
        ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
        if ggml.ggml_backend_reg_count() == 0:
            ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
            with quiet_stderr():  # ggml prints "load_backend: ..." for each variant it tries
                ggml.ggml_backend_load_all_from_path(os.fsencode(folder))
        _loaded = BackendReport(dynamic=True, variant=loaded_variant(), folder=str(folder))
        return _loaded
