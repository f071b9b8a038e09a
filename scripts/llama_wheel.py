"""Build (once) the llama-cpp-python wheel Frontdesk runs on, with only the CPU variants laptops use.

Usage: python scripts/llama_wheel.py [WHEEL_DIR]   (prints the wheel's path)

llama.cpp's portable build (GGML_BACKEND_DL with GGML_CPU_ALL_VARIANTS) compiles its CPU code
fourteen times on x86-64, one library per CPU family, and picks the best one at run time. Half of
those families are server chips (Skylake-X, Cascade Lake, Cooper Lake, Sapphire Rapids...); the
Sapphire Rapids one (AMX) is also the one that crashes in a VM that advertises AMX. This script
downloads the sdist, keeps only the variants in FRONTDESK_CPU_VARIANTS (the laptop families by
default) and builds the wheel into a cache folder keyed by version and variants, so a second
install, or a new venv, reuses it. llama.cpp's `common` library, which llama-cpp-python builds but
never loads, is left out too. Each kept variant is still chosen at run time, so the wheel
and the frozen folder stay portable to any x86-64 machine: x64 is the baseline every one runs.

FRONTDESK_CPU_VARIANTS=all keeps llama.cpp's own list. The build takes the whole machine: set
CMAKE_BUILD_PARALLEL_LEVEL to limit it.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "0.3.36"
# Laptop CPU families, newest first: Zen 4/5; Ice Lake and Tiger Lake (AVX-512); Alder Lake and
# later (AVX-VNNI); Haswell to Comet Lake and Zen 1-3 (AVX2); Sandy/Ivy Bridge (AVX); then the
# baseline that runs on any x86-64. A server CPU gets the nearest of these.
LAPTOP_VARIANTS = ("zen4", "icelake", "alderlake", "haswell", "sandybridge", "x64")
CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DLLAVA_BUILD=OFF"
VARIANT_LINE = re.compile(r"^(\s*)ggml_add_cpu_backend_variant\((\w+)\b.*$", re.MULTILINE)


def chosen_variants() -> tuple[str, ...] | None:
    """The variants to build, from FRONTDESK_CPU_VARIANTS; None keeps llama.cpp's full list."""
    value = os.environ.get("FRONTDESK_CPU_VARIANTS", "").replace(",", " ").split()
    if value == ["all"]:
        return None
    return tuple(value) or LAPTOP_VARIANTS


def trimmed_cmake(text: str, keep: tuple[str, ...]) -> str:
    """ggml/src/CMakeLists.txt with every x86 CPU variant not in `keep` commented out."""
    start = text.index('if (GGML_SYSTEM_ARCH STREQUAL "x86")', text.index("if (GGML_CPU_ALL_VARIANTS)"))
    end = text.index("elseif(GGML_SYSTEM_ARCH STREQUAL \"ARM\")", start)
    block = text[start:end]
    found = {m.group(2) for m in VARIANT_LINE.finditer(block)}
    missing = set(keep) - found
    if missing:
        raise SystemExit(
            f"FRONTDESK_CPU_VARIANTS names {', '.join(sorted(missing))}, which llama-cpp-python {VERSION} "
            f"does not build; choose from: {', '.join(sorted(found))}"
        )

    def drop(match: re.Match) -> str:
        return match.group(0) if match.group(2) in keep else f"{match.group(1)}# (not built) {match.group(0).strip()}"

    return text[:start] + VARIANT_LINE.sub(drop, block) + text[end:]


COMMON_ON = 'set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)'


def without_common(text: str) -> str:
    """llama-cpp-python's CMakeLists.txt without llama.cpp's `common` library (and the HTTP client it brings).

    llama-cpp-python forces it on, yet its Python code never loads it: only the command-line tools
    and the multimodal library (LLAVA_BUILD, off here) use it.
    """
    if COMMON_ON not in text:
        raise SystemExit(f"llama-cpp-python {VERSION}'s CMakeLists.txt no longer forces LLAMA_BUILD_COMMON: check scripts/llama_wheel.py")
    return text.replace(COMMON_ON, COMMON_ON.replace(" ON ", " OFF "))


def wheel_dir(keep: tuple[str, ...] | None) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = hashlib.sha256(f"{CMAKE_ARGS} {keep}".encode()).hexdigest()[:12]
    return cache / "frontdesk" / "wheels" / f"llama-cpp-python-{VERSION}-{tag}"


def built_wheel(out: Path, keep: tuple[str, ...] | None) -> Path:
    """The wheel in `out`, building it first if it is not there."""
    existing = sorted(out.glob("llama_cpp_python-*.whl"))
    if existing:
        return existing[0]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="frontdesk-llama-") as tmp:
        tmp = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "-d", str(tmp), f"llama-cpp-python=={VERSION}"],
            check=True,
        )
        with tarfile.open(next(tmp.glob("llama_cpp_python-*.tar.gz"))) as sdist:
            sdist.extractall(tmp, filter="data")
        source = tmp / f"llama_cpp_python-{VERSION}"
        if keep is not None:
            cmake = source / "vendor" / "llama.cpp" / "ggml" / "src" / "CMakeLists.txt"
            cmake.write_text(trimmed_cmake(cmake.read_text(), keep))
        top = source / "CMakeLists.txt"
        top.write_text(without_common(top.read_text()))
        env = dict(os.environ, CMAKE_ARGS=CMAKE_ARGS)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-cache-dir", "--no-deps", "-w", str(out), str(source)],
            check=True, env=env,
        )
    return next(out.glob("llama_cpp_python-*.whl"))


def main() -> None:
    keep = chosen_variants()
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else wheel_dir(keep)
    print(built_wheel(out, keep))


if __name__ == "__main__":
    main()
