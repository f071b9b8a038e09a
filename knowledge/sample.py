"""Which bundle to use: the one asked for, else the installed one, else the shipped or sample guidance."""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Callable

from knowledge.build import build_bundle
from knowledge.config import app_paths
from knowledge.errors import BundleError

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SAMPLE_VECTORS = Path(__file__).resolve().parent / "sample-vectors.npz"
SAMPLE_ID = "frontdesk-sample"
SAMPLE_TITLE = "Sample guidance"


def content_fingerprint(folder: Path = CONTENT_DIR) -> str:
    """A hash of every file under the sample content, so the built sample is redone only when it changes."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def sample_bundle_path(on_progress: Callable[[int, int, str], None] | None = None) -> Path:
    """The sample guidance built into the cache folder (once per content version): unsigned, for trying out.

    Its passage vectors come from knowledge/sample-vectors.npz, made by `python -m knowledge.sample`
    on the content as committed: embedding the 46 pages on a 2-core laptop's first start would hold
    the window back for half a minute. A passage the file lacks (content edited since) leaves the
    whole sample searched by words only, never with some vectors missing.
    """
    if not CONTENT_DIR.is_dir():
        raise BundleError(f"{CONTENT_DIR}: the sample guidance is missing. Install a bundle with `frontdesk kb install`.")
    shipped = ShippedVectors.load()
    vectors = f"-{shipped.sha256[:8]}" if shipped else ""
    target = app_paths().cache / f"sample-{content_fingerprint()}{vectors}.fdkb"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        build = functools.partial(build_bundle, [CONTENT_DIR], target, bundle_id=SAMPLE_ID, title=SAMPLE_TITLE, version=1,
                                  created="2026-01-01T00:00:00Z", on_progress=on_progress)
        try:
            build(embedder=shipped)
        except MissingVector:
            build()
    return target


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
    """Embed the sample's passages with `embedder` into `path` (run when the sample content changes)."""
    import tempfile

    import numpy as np

    from knowledge.bundle import open_bundle
    from knowledge.vectors import passage_text

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sample-1.fdkb"
        build_bundle([CONTENT_DIR], out, created="2026-01-01T00:00:00Z")
        conn = open_bundle(out)
        rows = conn.execute("SELECT d.title, p.heading, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
                            "ORDER BY p.rowid").fetchall()
        conn.close()
    texts = [passage_text(*row) for row in rows]
    vectors = embedder.embed(texts).astype(np.float16)
    meta = json.dumps({"model_id": embedder.model_id, "sha256": embedder.sha256})
    np.savez_compressed(path, keys=np.asarray([text_key(t) for t in texts]), vectors=vectors, meta=np.asarray(meta))
    return len(texts)


def shipped_bundle_folder() -> Path | None:
    """The folder of signed bundles inside a frozen build (bundle/), if this is one."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "bundle"
    return folder if folder.is_dir() else None


def shipped_bundle() -> Path | None:
    """The newest signed bundle shipped with a frozen build, verified against the key shipped beside it."""
    folder = shipped_bundle_folder()
    if folder is None:
        return None
    from knowledge.config import load_policy
    from knowledge.signing import load_trusted_keys, verify_bundle

    bundles = sorted(folder.glob("*.fdkb"))
    if not bundles:
        return None
    keys = load_trusted_keys(load_policy(), [p for p in folder.glob("*.pub")])
    verify_bundle(bundles[-1], keys)
    return bundles[-1]


def resolve_bundle(explicit: Path | str | None = None, on_progress=None) -> Path:
    """The bundle to search: --bundle, else the active installed bundle, else the shipped one, else the sample."""
    from knowledge.install import active_bundle_path

    if explicit:
        path = Path(explicit).expanduser()
        if not path.exists():
            raise BundleError(f"{path}: no such bundle file. Check the path, or leave out --bundle to use the installed guidance.")
        return path
    return active_bundle_path() or shipped_bundle() or sample_bundle_path(on_progress)

