"""Refresh knowledge/sample-vectors.npz, the sample guidance's passage and sentence vectors, after its content changes.

    PYTHONPATH=. .venv/bin/python scripts/sample_vectors.py

The app's first start builds the sample bundle from these instead of embedding every passage
(about 30 s on a 2-core laptop); tests/test_embedding.py fails when they no longer cover the content.
"""

from knowledge.sample_guidance import SAMPLE_VECTORS, write_sample_vectors
from models.embedder import LlamaEmbedder

if __name__ == "__main__":
    embedder = LlamaEmbedder()
    print(f"{write_sample_vectors(embedder)} passages and sentences embedded into {SAMPLE_VECTORS}")
    embedder.close()
