"""What the window knows of its model (Qt-free): loaded, loading, or why not; and a reload waiting for a quiet moment.

The runtime itself lives on the model thread (desktop/model_thread.py); this holds only what the
window shows and decides: the status bar's words, why a draft goes without the model, and when a
new model file or thread count may be loaded (never under a draft, never over a load).
"""

from __future__ import annotations

from app.model_choice import ModelChoice, choose_model
from app.status import model_status
from models.draft import ModelInfo


class ModelState:
    """The loaded model's ModelInfo, or that it is loading, or the problem; and whether a reload is wanted."""

    def __init__(self, services) -> None:
        self.services = services
        self.info: ModelInfo | None = None
        self.problem = services.model_choice.problem
        self.loading = False
        self.reload_wanted = False
        self.path_in_use = services.settings.model_path  # the Settings value the loaded model came from

    def start_load(self) -> ModelChoice | None:
        """The choice to load now (marked loading), or None when there is no file to load (`problem` says why)."""
        choice = self.services.model_choice
        self.problem = choice.problem
        if choice.path is None:
            return None
        self.loading = True
        return choice

    def loaded(self, info: ModelInfo | None) -> None:
        self.info, self.loading = info, False

    def failed(self, problem: str) -> None:
        self.info, self.problem, self.loading = None, problem, False

    def reload_due(self, drafting: bool) -> ModelChoice | None:
        """The model to load again with the new file or threads, once no draft and no load is running; else None.

        The old model is closed on the model thread before the new one loads (or says why it cannot).
        """
        if not self.reload_wanted or drafting or self.loading:
            return None
        self.reload_wanted, self.info = False, None
        settings = self.services.settings
        if settings.model_path != self.path_in_use:  # else keep the choice, which may be --model's
            self.services.model_choice = choose_model(settings.model_path or None, self.services.policy, settings.threads)
            self.path_in_use = settings.model_path
        self.problem = self.services.model_choice.problem
        self.loading = True  # a choice with no file fails on the model thread, in the same words as a failed load
        return self.services.model_choice

    @property
    def available(self) -> bool:
        """Whether the model is loaded or on its way (Help's checks say so)."""
        return self.info is not None or self.loading

    def status(self) -> str:
        """The status bar's words for the model."""
        choice = self.services.model_choice
        return model_status(choice.info.name if choice.info else "Model", self.info is not None, self.loading)

    def unavailable(self) -> str:
        """Why a draft asked for now goes without the model, in words (the model thread may know better)."""
        return "The model is still loading." if self.loading else self.problem or "No model is available."
