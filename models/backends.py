"""Loading llama.cpp's CPU backend: the best variant for this machine that was seen to work, so one portable build runs at native speed on any x86-64 and never crashes.

llama-cpp-python built with GGML_BACKEND_DL and GGML_CPU_ALL_VARIANTS ships one CPU backend per
CPU generation (libggml-cpu-x64.so, -sse42, -haswell, -zen4, -sapphirerapids, ...) in
site-packages/bin, and loads none of them by itself. Each variant exports ggml_backend_score():
0 when the CPU lacks an instruction set it was built for, else higher for newer sets. A variant
must be loaded through the same libggml that llama.cpp itself uses (the wheel also holds a
second copy in site-packages/lib with a registry of its own); it finds libggml-base already
loaded by its soname, so the variants need not be copied anywhere. An ordinary
llama-cpp-python build has its CPU backend built in: then there is nothing to do.

Scores come from the CPU's flags, and flags can lie (DESIGN.md: an Intel Xeon with AMX in a VM
scored sapphirerapids best, whose AMX code died with SIGILL at the first draft). So the variants
are ranked by score, best first and the baseline (x64) last, and before the first model load on a
machine the best one is tried in a child process (models/cpu_probe.py); a variant whose child
dies by a signal, fails or hangs is rejected and the next tried, down to the baseline, which is
used without a probe. The verdicts are remembered per machine, variant file and llama.cpp
version (models/cpu_verdicts.py), so later starts load the accepted variant straight away. If no
probe can run at all, the baseline is used: slower, never a crash. Only the accepted variant is
registered with ggml (ggml_backend_load), never ggml_backend_load_all, which would pick by score alone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.files import frozen_root
from models.llama_log import install_llama_log

_lock = threading.Lock()
_loaded: "BackendReport | None" = None
_verdicts_file: Path | None = None  # where the probes' verdicts are remembered (remember_verdicts_in)
_PREFIXES = ("libggml-cpu-", "ggml-cpu-")
_SUFFIXES = (".so", ".dll", ".dylib")
BASELINE = "x64"  # runs on any x86-64; on other architectures the lowest-scoring variant plays its part


@dataclass(frozen=True, slots=True)
class CpuVariant:
    """One CPU variant library and ggml's score for it on this CPU (0: not supported)."""

    name: str
    path: Path
    score: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A variant set aside, and why: "killed by SIGILL in the probe"."""

    variant: str
    why: str

    def describe(self) -> str:
        return f"{self.variant}: {self.why}"


@dataclass(frozen=True, slots=True)
class BackendReport:
    """Which CPU backend llama.cpp runs on, how it was chosen, and what was rejected on the way."""

    dynamic: bool  # True: this build chooses a CPU variant at run time
    variant: str  # the one chosen, e.g. "haswell"; "built-in" for an ordinary build
    folder: str  # where the variants were loaded from (or llama_cpp's lib folder)
    available: tuple[str, ...] = field(default=())  # the variants found there
    loaded: bool = True  # False: a dynamic build whose variants were not found (llama.cpp cannot run)
    load_ms: float = 0.0  # the whole choice: ranking, probes, loading
    how: str = ""  # "probed", "remembered from an earlier probe", "baseline: ...", "built in"
    rejected: tuple[Rejection, ...] = field(default=())
    probe_ms: float = 0.0  # time spent in probe children this start (0 when remembered)

    def describe(self) -> str:
        """One line for people: "haswell (probed in 812 ms); rejected: sapphirerapids: killed by SIGILL in the probe"."""
        text = f"{self.variant} ({self.how})" if self.how else self.variant
        if not self.loaded:
            text += ": no CPU backend could be loaded, so the model cannot run"
        if self.rejected:
            text += "; rejected: " + "; ".join(r.describe() for r in self.rejected)
        return text


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


def find_variant_folder(ggml_path: Path | None = None) -> Path | None:
    """The first folder holding CPU variant libraries (beside `ggml_path` first), or None for a build with none."""
    return next((f for f in variant_folders(ggml_path.parent if ggml_path else None) if _variant_files(f)), None)


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


def llama_ggml_path(default_folder: Path) -> Path | None:
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


def _close_library(handle: int) -> None:
    try:
        import _ctypes

        (_ctypes.dlclose if hasattr(_ctypes, "dlclose") else _ctypes.FreeLibrary)(handle)
    except (ImportError, OSError, AttributeError):
        pass


def rank_variants(folder: Path) -> list[CpuVariant]:
    """The variants in `folder` this CPU supports, by ggml's own score, best first and the baseline last.

    Loading a variant library to ask its score runs no instruction it was built for (ggml's own
    choice does the same); running a matrix multiplication is what may not be safe. Needs the
    libggml-base the variants link to already loaded (import llama_cpp first).
    """
    ranked = []
    for path in _variant_files(folder):
        try:
            library = ctypes.CDLL(str(path))  # RTLD_LOCAL: nothing of it leaks into the process's symbols
        except OSError:
            continue  # a file ggml could not load either
        try:
            score_of = library.ggml_backend_score
            score_of.restype = ctypes.c_int
            score = int(score_of())
        except AttributeError:
            score = 0  # no score: ggml's own choice passes it over too
        finally:
            _close_library(library._handle)
        if score > 0:
            ranked.append(CpuVariant(variant_name(path.name), path, score))
    return sorted(ranked, key=lambda v: (v.name == BASELINE, -v.score, v.name))


@dataclass(frozen=True, slots=True)
class VariantChoice:
    """The variant to load, how it was chosen, and the ones rejected on the way."""

    variant: CpuVariant
    how: str
    rejected: tuple[Rejection, ...] = ()
    probe_ms: float = 0.0
    fallback: CpuVariant | None = None  # the baseline, should the chosen one fail to load after all


def choose_variant(folder: Path, llama_version: str, probe_model: Path | None, threads: int,
                   timeout: float | None = None, command: list[str] | None = None,
                   verdicts_file: Path | None = None) -> VariantChoice | None:
    """The best variant in `folder` that works here: remembered, or probed now; None when the CPU supports none.

    Never raises for a variant that fails: a crash, an error or a hang in the probe rejects it,
    and a probe that cannot run at all (no model to probe with, no way to start the child)
    leaves the baseline. Verdicts are read from and added to `verdicts_file` (None: none kept).
    """
    from models.cpu_probe import PROBE_TIMEOUT_S, probe_variant
    from knowledge.bundle import file_sha256
    from models.cpu_verdicts import Verdict, known_verdicts, machine_key, remember_verdicts, worth_retrying

    key = machine_key(llama_version)
    remembered = known_verdicts(key, verdicts_file)
    known = {sha: v for sha, v in remembered.items() if not worth_retrying(v)}
    retry = len(known) < len(remembered)
    files = {variant_name(p.name): p for p in _variant_files(folder)}

    # A later start: the variant accepted before, if its file is unchanged, and nothing else loaded
    # (unless a better variant's old timeout is due to be tried again).
    for verdict in sorted((v for v in known.values() if v.ok and not retry), key=lambda v: -v.at):
        path = files.get(verdict.variant)
        if path is not None and file_sha256(path) == verdict.sha256:
            rejected = tuple(Rejection(v.variant, v.why) for v in known.values() if not v.ok and v.variant in files)
            baseline = files.get(BASELINE)
            return VariantChoice(CpuVariant(verdict.variant, path, 0), "remembered from an earlier probe", rejected,
                                 fallback=CpuVariant(BASELINE, baseline, 1) if baseline and baseline != path else None)

    ranked = rank_variants(folder)
    if not ranked:
        return None
    baseline = ranked[-1]
    rejected: list[Rejection] = []
    new: list[Verdict] = []
    probe_ms, no_probe = 0.0, ""
    chosen = None
    for variant in ranked[:-1]:
        sha = file_sha256(variant.path)
        verdict = known.get(sha)
        if verdict is None:
            if probe_model is None:
                no_probe = "there is no model file to probe with"
                break
            outcome = probe_variant(variant.name, variant.path, probe_model, threads,
                                    timeout=timeout or PROBE_TIMEOUT_S, command=command)
            probe_ms += outcome.elapsed_ms
            if not outcome.ran:
                no_probe = outcome.why
                break
            verdict = Verdict(variant.name, sha, outcome.ok, outcome.why, outcome.timed_out, round(outcome.elapsed_ms, 1),
                              threads, time.time())
            new.append(verdict)
        if verdict.ok:
            chosen = variant
            break
        rejected.append(Rejection(variant.name, verdict.why))
    remember_verdicts(key, new, verdicts_file)
    if chosen is not None:
        how = f"probed in {probe_ms:.0f} ms" if new else "remembered from an earlier probe"
        return VariantChoice(chosen, how, tuple(rejected), probe_ms, fallback=baseline)
    if no_probe:
        how = f"baseline, as no probe could run: {no_probe}"
    elif rejected:
        how = "baseline: every better variant was rejected"
    else:
        how = "baseline: the only variant this CPU supports"
    return VariantChoice(baseline, how, tuple(rejected), probe_ms)


def _register_variant(ggml, path: Path) -> bool:
    """Load one variant into llama.cpp's libggml; True when ggml then has a CPU device."""
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    # ggml logs each load ("load_backend: loaded CPU backend from ..."): through llama.cpp's log callback,
    # which drops it, not by pointing file descriptor 2 at /dev/null, which would silence every thread.
    install_llama_log()
    registered = ggml.ggml_backend_load(os.fsencode(path))
    return bool(registered) and ggml.ggml_backend_dev_count() > 0


def _probe_model() -> Path | None:
    """The embedded SmolLM2 (small, always shipped): what every caller's probe runs."""
    from models.errors import ModelError
    from models.catalogue import embedded_model_path

    try:
        return embedded_model_path()
    except ModelError:
        return None


def remember_verdicts_in(path: Path | None) -> None:
    """Where the CPU-variant verdicts are kept between starts (the app's cache folder; None: nowhere).

    Set once, before the first model loads, by whoever knows the app's folders (app.config.place_model_files):
    ensure_cpu_backends is reached from deep inside the runtime and the embedder, which do not.
    """
    global _verdicts_file
    _verdicts_file = Path(path) if path is not None else None


def remembered_verdicts_file() -> Path | None:
    """The file remember_verdicts_in set, or None (each process then probes afresh)."""
    return _verdicts_file


def ensure_cpu_backends(threads: int | None = None, probe_model: Path | None = None) -> BackendReport:
    """Load the CPU backend that works on this machine, once per process, before the first model; safe to call again.

    The first start on a machine probes the best variant in a child process (about a second);
    later starts load the remembered one. Every argument is optional, so any caller (the chat
    runtime, the embedding model) can make the first call: `threads` is the thread count the
    probe runs with (default: the physical cores, at least 2 so the multi-threaded paths run),
    `probe_model` the model it loads (default: the embedded SmolLM2; if that is missing, the
    baseline is used rather than a variant no one has tried). The verdicts are remembered in the
    file remember_verdicts_in named, if any.
    """
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        started = time.perf_counter()
        from models.threads import physical_cores, prefer_passive_waiting

        prefer_passive_waiting()  # before the first variant, and the OpenMP runtime it links, is loaded
        import llama_cpp  # loads libllama and, through its RUNPATH, the libggml it uses

        # llama_cpp routes ggml's log lines to Python's stderr; until a model sets its own level,
        # that includes a "load_backend: ..." line per variant tried.
        log = logging.getLogger("llama-cpp-python")
        if log.level == logging.NOTSET:
            log.setLevel(logging.ERROR)

        lib_folder = Path(llama_cpp.__file__).parent / "lib"
        ggml_path = llama_ggml_path(lib_folder)
        if ggml_path is None:  # no libggml of its own (a static build): its CPU backend is built in
            _loaded = BackendReport(dynamic=False, variant="built-in", folder=str(lib_folder), how="built in")
            return _loaded
        ggml = ctypes.CDLL(str(ggml_path))  # the same handle libllama holds: same registry
        ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
        ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
        if ggml.ggml_backend_dev_count() > 0:  # an ordinary build: its CPU backend is built in
            _loaded = BackendReport(dynamic=False, variant="built-in", folder=str(lib_folder), how="built in")
            return _loaded
        folder = find_variant_folder(ggml_path)
        if folder is None:
            _loaded = BackendReport(dynamic=True, variant="none found", folder=str(lib_folder), loaded=False)
            return _loaded
        available = tuple(sorted(variant_name(p.name) for p in _variant_files(folder)))
        choice = choose_variant(folder, llama_cpp.__version__, probe_model or _probe_model(),
                                max(2, threads or physical_cores()), verdicts_file=_verdicts_file)
        if choice is None:
            _loaded = BackendReport(dynamic=True, variant="none supported", folder=str(folder), available=available,
                                    loaded=False, how="this CPU supports none of the variants")
            return _loaded
        variant, how = choice.variant, choice.how
        loaded = _register_variant(ggml, variant.path)
        if not loaded and choice.fallback is not None:
            how = f"baseline, as {variant.name} would not load"
            variant, loaded = choice.fallback, _register_variant(ggml, choice.fallback.path)
        _loaded = BackendReport(dynamic=True, variant=variant.name, folder=str(folder), available=available, loaded=loaded,
                                load_ms=round((time.perf_counter() - started) * 1000, 1), how=how,
                                rejected=choice.rejected, probe_ms=round(choice.probe_ms, 1))
        return _loaded
