"""The sample guidance shipped in knowledge/content, and the one recipe that builds it into a bundle.

The app's fallback guidance, the frozen build's signed sample, the tests and the benchmarks all
build it here, so they are the same bundle.

    python -m knowledge.sample_guidance OUTPUT.fdkb
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Callable

from knowledge.build import BuildSummary, build_bundle

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SAMPLE_ID = "frontdesk-sample"
SAMPLE_TITLE = "Sample guidance"
SAMPLE_CREATED = "2026-01-01T00:00:00Z"  # fixed: the same content gives a byte-identical bundle


def content_fingerprint(folder: Path = CONTENT_DIR) -> str:
    """A hash of every file under the sample content, so the built sample is redone only when it changes."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def build_sample_bundle(output: Path, on_progress: Callable[[int, int, str], None] | None = None) -> BuildSummary:
    """Build the sample guidance into `output` (version 1, unsigned)."""
    return build_bundle([CONTENT_DIR], output, bundle_id=SAMPLE_ID, title=SAMPLE_TITLE, version=1,
                        created=SAMPLE_CREATED, on_progress=on_progress)


if __name__ == "__main__":
    print(build_sample_bundle(Path(sys.argv[1])).describe())
