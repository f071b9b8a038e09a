"""Loading llama.cpp's CPU backend variants, so one portable build runs at native speed on any x86-64.

llama-cpp-python built with GGML_BACKEND_DL and GGML_CPU_ALL_VARIANTS ships one CPU backend per
CPU generation (libggml-cpu-sse42.so, -haswell, -zen4, ...) in site-packages/bin, and loads none of
them by itself. ggml scores each against the running CPU and keeps the best, but only when asked,
through the same libggml that llama.cpp itself uses (the wheel also holds a second copy in
site-packages/lib with a registry of its own). An ordinary llama-cpp-python build has its CPU
backend built in: then there is nothing to do.

The variants need not be copied beside libggml: ggml_backend_load_all_from_path takes the folder
they are in, and each variant finds libggml-base already loaded by its soname (measured: same
variant, same speed as copies placed in llama_cpp/lib).
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.files import frozen_root

_lock = threading.Lock()
_loaded: "BackendReport | None" = None
_PREFIXES = ("libggml-cpu-", "ggml-cpu-")
_SUFFIXES = (".so", ".dll", ".dylib")


@dataclass(frozen=True, slots=True)
class BackendReport:
    """Which CPU backend llama.cpp runs on, and where it was loaded from."""

    dynamic: bool  # True: this build chooses a CPU variant at run time
    variant: str  # the one chosen, e.g. "haswell"; "built-in" for an ordinary build
    folder: str  # where the variants were loaded from (or llama_cpp's lib folder)
    available: tuple[str, ...] = field(default=())  # the variants found there
    loaded: bool = True  # False: a dynamic build whose variants were not found (llama.cpp cannot run)
    load_ms: float = 0.0


def llama_lib_folder() -> Path:
    """llama_cpp's own lib folder (found without importing llama_cpp)."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.origin:
        return Path()
    return Path(spec.origin).parent / "lib"


def variant_folders(ggml_folder: Path | None = None) -> list[Path]:
    """Folders that may hold libggml-cpu-*: beside libggml, the wheel's bin/, the frozen app's folder."""
    lib = llama_lib_folder()
    folders = ([ggml_folder] if ggml_folder else []) + [lib, lib.parent.parent / "bin"]
    base = frozen_root()
    if base is not None:
        folders += [base / "llama_cpp" / "lib", base / "bin", base]
    return [f for f in folders if f.is_dir()]


def variant_name(filename: str) -> str | None:
    """"haswell" for libggml-cpu-haswell.so; None for anything else."""
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            if filename.startswith(prefix) and filename.endswith(suffix):
                return filename[len(prefix) : -len(suffix)]
    return None


def _variant_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if variant_name(p.name))


def _mapped_libraries() -> list[str]:
    """Paths of the shared libraries this process has loaded (Linux); empty elsewhere."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    return [line.split(None, 5)[5] for line in maps.splitlines() if line.count(" ") >= 5 and "/" in line]


def loaded_variant() -> str:
    """The CPU variant library this process has mapped (Linux), else "unknown"."""
    for path in _mapped_libraries():
        name = variant_name(path.rsplit("/", 1)[-1])
        if name:
            return name
    return "unknown"


def _llama_ggml_path(default_folder: Path) -> Path | None:
    """The libggml that libllama actually loaded (the one whose registry llama.cpp asks for devices).

    It sits beside the libllama this process mapped, which is llama_cpp/lib unless
    LLAMA_CPP_LIB_PATH pointed llama-cpp-python elsewhere.
    """
    mapped = _mapped_libraries()
    llama = next((Path(p) for p in mapped if Path(p).name.startswith(("libllama.so", "libllama.dylib", "llama.dll"))), None)
    folder = llama.parent if llama is not None else Path(os.environ.get("LLAMA_CPP_LIB_PATH") or default_folder)
    for path in mapped:
        if Path(path).parent == folder and Path(path).name.startswith("libggml.so"):
            return Path(path)
    for name in ("libggml.so.0", "libggml.so", "ggml.dll", "libggml.dylib", "libggml.0.dylib"):
        if (folder / name).exists():
            return folder / name
    return None


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
    """Load the best CPU backend for this machine once per process (before the first model); safe to call again."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        started = time.perf_counter()
        import llama_cpp  # loads libllama and, through its RUNPATH, the libggml it uses

        # llama_cpp routes ggml's log lines to Python's stderr; until a model sets its own level,
        # that includes a "load_backend: ..." line per variant tried.
        log = logging.getLogger("llama-cpp-python")
        if log.level == logging.NOTSET:
            log.setLevel(logging.ERROR)

        lib_folder = Path(llama_cpp.__file__).parent / "lib"
        ggml_path = _llama_ggml_path(lib_folder)
        if ggml_path is None:  # no libggml of its own (a static build): its CPU backend is built in
            _loaded = BackendReport(dynamic=False, variant="built-in", folder=str(lib_folder))
            return _loaded
        ggml = ctypes.CDLL(str(ggml_path))  # the same handle libllama holds: same registry
        ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
        ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
        if ggml.ggml_backend_dev_count() > 0:  # an ordinary build: its CPU backend is built in
            _loaded = BackendReport(dynamic=False, variant="built-in", folder=str(lib_folder))
            return _loaded
        folder = next((f for f in variant_folders(ggml_path.parent) if _variant_files(f)), None)
        if folder is None:
            _loaded = BackendReport(dynamic=True, variant="none found", folder=str(lib_folder), loaded=False)
            return _loaded
        ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
        ggml.ggml_backend_load_all_from_path.restype = None
        with quiet_stderr():  # ggml prints "load_backend: ..." for each variant it tries
            ggml.ggml_backend_load_all_from_path(os.fsencode(folder))
        available = tuple(sorted(variant_name(p.name) for p in _variant_files(folder)))
        _loaded = BackendReport(dynamic=True, variant=loaded_variant(), folder=str(folder), available=available,
                                loaded=ggml.ggml_backend_dev_count() > 0, load_ms=(time.perf_counter() - started) * 1000)
        return _loaded
