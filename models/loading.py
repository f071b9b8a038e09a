"""Choosing and loading the model the policy and the person asked for, or saying why there is none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.config import Policy
from knowledge.errors import ModelError
from models.catalogue import describe_model, preferred_mode, resolve_model_path
from models.draft import ModelInfo
from models.runtime import LocalRuntime


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The model to use, or the reason there is none (the draft then comes from the guidance's sentences)."""

    path: Path | None
    info: ModelInfo | None
    problem: str = ""

    @property
    def prefers(self) -> str:
        return preferred_mode(self.info)


def choose_model(explicit: Path | str | None, policy: Policy) -> ModelChoice:
    """Resolve --model / policy / embedded, and read the file's header; never raises for a bad file."""
    if explicit and policy.model_path and not policy.allow_model_change:
        return ModelChoice(None, None, "Your IT team has fixed the model; --model is not allowed by the policy.")
    try:
        path = resolve_model_path(explicit, policy)
        return ModelChoice(path, describe_model(path))
    except ModelError as exc:
        return ModelChoice(None, None, str(exc))


def load_runtime(choice: ModelChoice, policy: Policy) -> LocalRuntime:
    """Verify and load the chosen model (blocking); ModelError says why it could not be."""
    if choice.path is None:
        raise ModelError(choice.problem)
    expected = policy.model_sha256 if policy.model_path and Path(policy.model_path) == choice.path else None
    runtime = LocalRuntime(choice.path, threads=policy.threads, expected_sha256=expected)
    runtime.load()
    return runtime
