"""The headless self-test IT runs after installing: model, bundle, history location, each checked."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.config import app_paths, load_policy
from knowledge.schema import signature_path
from models.backends import BackendReport

KNOWN_QUESTION = "How do I ask for a mandatory reconsideration of a decision?"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    ok: bool
    checks: tuple[Check, ...]
    cpu: BackendReport | None = None  # the CPU variant chosen, and any rejected with why


def run_check(name: str, action: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail, ok = action(), True
    except Exception as exc:  # a self-test reports every failure rather than stopping at the first
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return Check(name, ok, detail, round((time.perf_counter() - started) * 1000, 1))


def run_self_test(bundle: Path | None = None, model: Path | None = None, max_tokens: int = 24) -> SelfTestReport:
    """Check that the policy reads, the model loads and drafts, the bundle verifies and answers, history is writable."""
    from app.guidance import resolve_bundle
    from app.model_choice import choose_model, load_runtime
    from knowledge.install import active_bundle_path
    from knowledge.search import Searcher
    from models.embedder import shared_embedder
    from models.drafting import draft_answer

    state: dict = {}

    def policy() -> str:
        state["policy"] = load_policy()
        source = state["policy"].source
        return f"read {source}" if source else "no policy file: defaults"

    def model_file() -> str:
        choice = choose_model(model, state.get("policy") or load_policy())
        if choice.path is None:
            raise RuntimeError(choice.problem)
        state["choice"] = choice
        return f"{choice.info.name} {choice.info.quantisation}, {choice.info.size_bytes / 1e6:.0f} MB"

    def cpu_variant() -> str:
        from models.backends import ensure_cpu_backends

        # Before the model loads, so a first start's probe is timed here and not in "model loads".
        report = ensure_cpu_backends()
        state["cpu"] = report
        if not report.loaded:
            raise RuntimeError(report.describe())
        return report.describe()

    def model_loads() -> str:
        runtime = load_runtime(state["choice"], state.get("policy") or load_policy())
        state["runtime"] = runtime
        threads = getattr(runtime, "threads", "?")
        return f"sha256 {runtime.info.sha256[:16]}… verified, {threads} threads, CPU variant {getattr(state.get('cpu'), 'variant', '?')}"

    def bundle_check() -> str:
        path = resolve_bundle(bundle)
        state["searcher"] = Searcher(path, shared_embedder())
        info = state["searcher"].info
        if signature_path(path).exists():
            from knowledge.signing import load_trusted_keys, verify_bundle

            extra = list(path.parent.glob("*.pub"))
            signature = verify_bundle(path, load_trusted_keys((state.get("policy") or load_policy()).trusted_keys, extra))
            how = f"signature verified (key {signature.key_id})"
        elif path == active_bundle_path(app_paths().data):
            raise RuntimeError(f"{path}: the installed bundle has lost its signature file. Reinstall it.")
        else:
            how = "unsigned sample guidance"
        return f"{info.title} version {info.version}: {how}"

    def bundle_answers() -> str:
        draft = draft_answer(KNOWN_QUESTION, state["searcher"], None, mode="extractive")
        if not draft.citations:
            raise RuntimeError("the bundle gave no cited answer to a known question")
        return f"{len(draft.sources)} sources, {len(draft.citations)} citations in {draft.timings.total_ms:.0f} ms"

    def model_drafts() -> str:
        draft = draft_answer(KNOWN_QUESTION, state["searcher"], state["runtime"], mode="generated", max_tokens=max_tokens)
        words = draft.alternative if draft.mode == "extractive" and draft.alternative else draft.text
        if not draft.timings.tokens:
            raise RuntimeError("the model produced no text")
        return f"{draft.timings.tokens} tokens, first after {draft.timings.first_token_ms:.0f} ms: {words[:60]!r}"

    def history_writable() -> str:
        folder = app_paths().data
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".selftest-{uuid.uuid4().hex}"
        with open(probe, "wb") as f:
            f.write(b"ok")
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
        return f"{folder} writable"

    checks = [run_check("policy readable", policy), run_check("model file", model_file), run_check("CPU variant", cpu_variant)]
    checks.append(run_check("model loads", model_loads) if "choice" in state else Check("model loads", False, "no model file", 0.0))
    checks.append(run_check("bundle verifies", bundle_check))
    if "searcher" in state:
        checks.append(run_check("bundle answers", bundle_answers))
        if "runtime" in state:
            checks.append(run_check("model drafts", model_drafts))
    checks.append(run_check("history writable", history_writable))
    if "searcher" in state:
        state["searcher"].close()
    if "runtime" in state:
        state["runtime"].close()
    return SelfTestReport(all(c.ok for c in checks), tuple(checks), state.get("cpu"))
