"""Passage embeddings in a bundle: what an embedder must offer, how vectors are stored and read back.

The knowledge layer knows no model (DESIGN.md, "Layers"): whoever builds or searches a bundle hands
in an embedder (models/embedder.py has the real one). Vectors are stored one row per passage as
float16 (half the size of float32; cosines move by under 0.001) and searched by numpy in memory:
this Python's sqlite3 cannot load a vector extension.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

VECTOR_DTYPE = "float16"
VECTORS_DDL = """
CREATE TABLE passage_vectors (
    rowid   INTEGER PRIMARY KEY,        -- the passage's rowid
    vector  BLOB NOT NULL               -- little-endian float16 × dimensions, unit length
);
"""
# Each quotable sentence's vector (knowledge/sentences.py), so a search can tell how near its best
# sentence comes to the question without embedding anything but the question. A passage is long and
# says several things, its mean meaning is diluted; a question the guidance answers has one sentence
# near it. Development halves, each corpus left out in turn, with the page's cosine: out-of-scope
# questions refused 79% -> 86% on average, in-scope ones refused 5% -> 5% (README, "No guidance found").
SENTENCE_VECTORS_DDL = """
CREATE TABLE sentence_vectors (
    passage   INTEGER NOT NULL,         -- the passage's rowid
    position  INTEGER NOT NULL,         -- the sentence's place among passage_sentences(passage text)
    vector    BLOB NOT NULL,            -- as passage_vectors
    PRIMARY KEY (passage, position)
) WITHOUT ROWID;
"""
META_MODEL = "embedding_model"
META_SHA256 = "embedding_sha256"
META_DIMENSIONS = "embedding_dimensions"
META_DTYPE = "embedding_dtype"


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors; the same model at build and at search time."""

    model_id: str
    sha256: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One float32 row of `dimensions` per text, unit length."""
        ...


def embedder_ready(embedder: Embedder | None) -> bool:
    """Whether the embedder can answer now (one still loading in the background says no)."""
    if embedder is None:
        return False
    ready = getattr(embedder, "ready", None)
    return bool(ready()) if callable(ready) else True


def passage_text(title: str, heading: str, text: str) -> str:
    """What is embedded for a passage: its page title and heading path say what the text is about."""
    return "\n".join(part for part in (title, heading.replace(" > ", ", "), text) if part)


def vector_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def vector_meta(embedder: Embedder) -> dict[str, str]:
    return {META_MODEL: embedder.model_id, META_SHA256: embedder.sha256,
            META_DIMENSIONS: str(embedder.dimensions), META_DTYPE: VECTOR_DTYPE}


@dataclass(frozen=True, slots=True)
class VectorStatus:
    """Whether a bundle carries passage vectors, from which model, and whether they fit `embedder`."""

    present: bool
    model_id: str = ""
    sha256: str = ""
    dimensions: int = 0
    count: int = 0
    sentences: int = 0  # sentence vectors (0 in a bundle built before they were stored)

    def matches(self, embedder: Embedder | None) -> bool:
        return (self.present and embedder is not None and embedder.sha256 == self.sha256
                and embedder.dimensions == self.dimensions)


def vector_status(conn: sqlite3.Connection, meta: dict[str, str]) -> VectorStatus:
    """What the bundle says about its vectors (a bundle built before vectors existed has none)."""
    if META_MODEL not in meta:
        return VectorStatus(False)
    try:
        count = conn.execute("SELECT count(*) FROM passage_vectors").fetchone()[0]
        dimensions = int(meta.get(META_DIMENSIONS, "0"))
    except (sqlite3.DatabaseError, ValueError):
        return VectorStatus(False)
    try:
        sentences = conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0]
    except sqlite3.DatabaseError:
        sentences = 0  # built before sentences had vectors: searched with the passages' alone
    return VectorStatus(count > 0, meta[META_MODEL], meta.get(META_SHA256, ""), dimensions, count, sentences)


def unit_rows(blobs: Sequence[bytes], dimensions: int) -> np.ndarray:
    """Stored float16 vectors as a float32 matrix, one row each (a blob of the wrong size reads as zeros)."""
    width = dimensions * 2
    blob = b"".join(b if len(b) == width else bytes(width) for b in blobs)
    return np.frombuffer(blob, dtype="<f2").reshape(len(blobs), dimensions).astype(np.float32)


def read_vectors(conn: sqlite3.Connection, dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    """(rowids, float32 matrix of unit rows) for every stored passage vector, read once."""
    rows = conn.execute("SELECT rowid, vector FROM passage_vectors ORDER BY rowid").fetchall()
    rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return rowids, unit_rows([r[1] for r in rows], dimensions)


def read_sentence_vectors(conn: sqlite3.Connection, passage_ids: Sequence[str], dimensions: int) -> dict[str, np.ndarray]:
    """Each of `passage_ids` with its sentences' vectors, a float32 matrix of unit rows in sentence order."""
    if not passage_ids:
        return {}
    rows = conn.execute("SELECT p.id, s.vector FROM sentence_vectors s JOIN passages p ON p.rowid = s.passage "
                        f"WHERE p.id IN ({','.join('?' * len(passage_ids))}) ORDER BY s.passage, s.position",
                        tuple(passage_ids)).fetchall()
    found: dict[str, list[bytes]] = {}
    for passage_id, blob in rows:
        found.setdefault(passage_id, []).append(blob)
    return {p: unit_rows(blobs, dimensions) for p, blobs in found.items()}
