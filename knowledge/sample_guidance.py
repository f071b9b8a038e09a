"""The sample guidance shipped in knowledge/content, and the one recipe that builds it into a bundle.

The app's fallback guidance, the frozen build's signed sample, the tests and the benchmarks all
build it here, so they are the same bundle.

    python -m knowledge.sample_guidance OUTPUT.fdkb
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Callable

from knowledge.build import BuildSummary, build_bundle

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SAMPLE_VECTORS = Path(__file__).resolve().parent / "sample-vectors.npz"
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


def build_sample_bundle(output: Path, on_progress: Callable[[int, int, str], None] | None = None,
                        embedder=None) -> BuildSummary:
    """Build the sample guidance into `output` (version 1, unsigned).

    With no `embedder`, its passage and sentence vectors come from knowledge/sample-vectors.npz (made by
    scripts/sample_vectors.py on the content as committed): embedding the 46 pages on a 2-core
    laptop's first start would hold the window back for half a minute. A passage the file lacks
    (content edited since) leaves the whole sample searched by words only, never with some vectors
    missing. Pass an embedder to embed every passage with it instead.
    """
    def build(vectors=None) -> BuildSummary:
        return build_bundle([CONTENT_DIR], output, bundle_id=SAMPLE_ID, title=SAMPLE_TITLE, version=1,
                            created=SAMPLE_CREATED, on_progress=on_progress, embedder=vectors)

    if embedder is not None:
        return build(embedder)
    shipped = ShippedVectors.load()
    if shipped is None:
        return build()
    try:
        return build(shipped)
    except MissingVector:
        return build()


def sample_vectors_tag() -> str:
    """A short tag for the shipped sample vectors ("" when there are none), so a new file rebuilds the cached sample."""
    shipped = ShippedVectors.load()
    return f"-{shipped.sha256[:8]}" if shipped else ""


class MissingVector(KeyError):
    """A passage the shipped sample vectors do not cover."""


class ShippedVectors:
    """An Embedder that answers from vectors computed beforehand, keyed by the text's sha256."""

    def __init__(self, model_id: str, sha256: str, keys: list[str], matrix) -> None:
        self.model_id, self.sha256 = model_id, sha256
        self.dimensions = int(matrix.shape[1])
        self._rows = {k: i for i, k in enumerate(keys)}
        self._matrix = matrix

    @classmethod
    def load(cls, path: Path = SAMPLE_VECTORS) -> "ShippedVectors | None":
        if not path.is_file():
            return None
        import numpy as np

        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            return cls(meta["model_id"], meta["sha256"], list(data["keys"]), data["vectors"].astype(np.float32))

    def embed(self, texts):
        import numpy as np

        try:
            rows = [self._rows[text_key(t)] for t in texts]
        except KeyError as exc:
            raise MissingVector(str(exc)) from None
        return self._matrix[np.asarray(rows, dtype=np.int64)]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_sample_vectors(embedder, path: Path = SAMPLE_VECTORS) -> int:
    """Embed the sample's passages and their sentences with `embedder` into `path` (run when the sample
    content changes); returns how many texts."""
    import tempfile

    import numpy as np

    from knowledge.bundle import open_bundle
    from knowledge.sentences import passage_sentences
    from knowledge.vectors import passage_text

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sample-1.fdkb"
        build_bundle([CONTENT_DIR], out, created=SAMPLE_CREATED)
        conn = open_bundle(out)
        rows = conn.execute("SELECT d.title, p.heading, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
                            "ORDER BY p.rowid").fetchall()
        conn.close()
    texts = [passage_text(*row) for row in rows]
    texts += list(dict.fromkeys(sentence for _, _, text in rows for sentence, _ in passage_sentences(text)))
    vectors = embedder.embed(texts).astype(np.float16)
    meta = json.dumps({"model_id": embedder.model_id, "sha256": embedder.sha256})
    np.savez_compressed(path, keys=np.asarray([text_key(t) for t in texts]), vectors=vectors, meta=np.asarray(meta))
    return len(texts)


if __name__ == "__main__":
    print(build_sample_bundle(Path(sys.argv[1])).describe())
