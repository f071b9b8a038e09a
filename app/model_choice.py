"""Choosing and loading the model the policy and the person asked for, or saying why there is none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.config import Policy, app_paths
from app.user_settings import effective_settings, load_settings
from models.catalogue import describe_model, measured_verdicts, preferred_mode, resolve_model_path
from models.draft import ModelInfo
from models.errors import ModelError
from models.runtime import LocalRuntime
from models.threads import ThreadChoice, choose_threads


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The model to use, or the reason there is none (the draft then comes from the guidance's sentences)."""

    path: Path | None
    info: ModelInfo | None
    problem: str = ""
    threads: ThreadChoice | None = None  # None: as the policy says (models.threads.choose_threads)

    @property
    def prefers(self) -> str:
        return preferred_mode(self.info, measured_verdicts(app_paths().model_verdicts))


def thread_choice(policy: Policy, threads_setting: int | None = None) -> ThreadChoice:
    """The thread count the window, `frontdesk ask`, `frontdesk model bench` and `self-test` all run with.

    The policy's `threads`, else the person's Settings > Processor threads (`threads_setting`, read
    from their saved settings when None; 0 is automatic), else automatic (models/threads.py).
    """
    if threads_setting is None:
        threads_setting = effective_settings(load_settings(), policy).threads
    return choose_threads(policy.threads, threads_setting)


def choose_model(explicit: Path | str | None, policy: Policy, threads_setting: int | None = None) -> ModelChoice:
    """Resolve --model / policy / embedded, and read the file's header; never raises for a bad file.

    `threads_setting` is the person's "Processor threads" (0: automatic; None: as saved in their
    settings); the policy's `threads` wins over it (thread_choice).
    """
    threads = thread_choice(policy, threads_setting)
    if explicit and policy.model_path and not policy.allow_model_change:
        return ModelChoice(None, None, "Your IT team has fixed the model; --model is not allowed by the policy.", threads)
    try:
        path = resolve_model_path(explicit, policy.model_path, models=app_paths().models)
        return ModelChoice(path, describe_model(path), threads=threads)
    except ModelError as exc:
        return ModelChoice(None, None, str(exc), threads)


def load_runtime(choice: ModelChoice, policy: Policy):
    """Verify and load the chosen model (blocking); ModelError says why it could not be.

    With an endpoint_url in the policy, the office server comes first and the local model is
    the fallback (a FallbackRuntime); without one, no network call is ever made.
    """
    local, problem = None, choice.problem
    if choice.path is not None:
        threads = choice.threads or choose_threads(policy.threads)
        local = LocalRuntime(choice.path, threads=threads.count, expected_sha256=policy.expected_sha256(choice.path),
                             hash_cache=app_paths().model_hashes)
        try:
            local.load()
        except ModelError as exc:
            if not policy.endpoint_url:
                raise
            local, problem = None, str(exc)
    if policy.endpoint_url:
        from models.endpoint import EndpointRuntime, FallbackRuntime

        runtime = FallbackRuntime(EndpointRuntime(policy.endpoint_url, policy.endpoint_model or ""), local)
        runtime.load()
        if not runtime.loaded:
            raise ModelError(f"{runtime.notice} {problem}".strip())
        return runtime
    if local is None:
        raise ModelError(problem)
    return local
