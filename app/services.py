"""What the window works with: policy, settings, the guidance searcher, the model choice, the history (Qt-free)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

from app.config import Policy, load_policy, place_model_files
from app.guidance import resolve_bundle
from app.history import HistoryStore
from app.model_choice import ModelChoice, choose_model
from app.user_settings import UserSettings, effective_settings, load_settings
from knowledge.answers import answers_for
from knowledge.search import Searcher
from models.embedder import shared_embedder


@dataclass
class AppServices:
    policy: Policy
    settings: UserSettings
    searcher: Searcher
    model_choice: ModelChoice
    history: HistoryStore

    def use_bundle(self, path: Path, embedder=None) -> None:
        """Search `path` from now on (a newly installed bundle), closing the bundle it replaces.

        Its questions are embedded with `embedder`, by default the process's shared embedding model
        (loading in the background: searches run by words until it is ready).
        """
        if embedder is None:
            embedder = shared_embedder(background=True)
        old, self.searcher = self.searcher, Searcher(path, embedder)
        old.close()
        warm_approved_answers(self.searcher)

    def close(self) -> None:
        self.history.close()
        self.searcher.close()


def open_services(bundle: Path | None = None, model: Path | None = None) -> AppServices:
    """Read the policy (a malformed one stops here with PolicyError), open the guidance and the history."""
    place_model_files()
    policy = load_policy()
    settings = effective_settings(load_settings(), policy)
    # The embedding model loads in the background: searches run by words until it is ready.
    searcher = Searcher(resolve_bundle(bundle), shared_embedder(background=True))
    warm_approved_answers(searcher)
    choice = choose_model(model or settings.model_path or None, policy, settings.threads)
    history = HistoryStore(keep=policy.history_enabled, keep_personal_data=policy.history_keep_personal_data)
    history.purge_older_than(settings.history_days)
    return AppServices(policy, settings, searcher, choice, history)


def warm_approved_answers(searcher: Searcher):
    """Embed the bundle's approved questions as soon as the embedding model is ready, off the window's
    thread: otherwise the first question waits for them (0.4 s for the sample's 25, measured in
    benchmarks/app.py as the first click's sources). Returns the thread doing it, if it started one."""
    embedder = searcher.embedder
    if embedder is None or not hasattr(embedder, "when_ready"):
        return None
    held = weakref.ref(searcher)  # a bundle switched away from is not kept alive by its warm-up

    def prepare() -> None:
        current = held()
        if current is not None:
            answers_for(current).prepare()

    return embedder.when_ready(prepare)
