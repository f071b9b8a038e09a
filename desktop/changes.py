"""Changes reaching the running window: guidance installed, rolled back or updated, a new model file or thread count.

The one way in is `take_effect`: the guidance is searched from the next question and the model is
reloaded on its thread, both between drafts, never under one; the notice says so in the same words
on every path (app/changes.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from app.changes import change_notice, settings_change
from app.logs import log
from desktop.guidance_updates import GuidanceUpdates
from desktop.model_control import ModelControl


class RunningChanges(QObject):
    """Applies changes to the guidance (`updates`) and the model (`model`) as soon as `busy()` is False."""

    applied = Signal(str)  # the notice, for the person

    def __init__(self, updates: GuidanceUpdates, model: ModelControl, busy: Callable[[], bool], parent: QObject | None = None):
        super().__init__(parent)
        self.updates, self.model, self.busy = updates, model, busy
        updates.checked.connect(self.on_update_checked)

    def take_effect(self, what: str, *, bundle: Path | None = None, reload_model: bool = False) -> None:
        """Guidance from the next question; a new model file or thread count by reloading the model on its
        thread (drafts use the guidance's sentences meanwhile)."""
        if bundle is not None:
            self.updates.pending = Path(bundle)
        if reload_model:
            self.model.want_reload()
        notice = change_notice(what, new_guidance=bundle is not None, reload_model=reload_model)
        log.info("change: %s", notice)
        if not self.busy():  # else the draft's end applies it (apply_when_idle)
            self.apply_when_idle()
        self.applied.emit(notice)

    def apply_when_idle(self) -> None:
        """Between drafts: switch to newly installed guidance, reload a changed model."""
        self.updates.switch_when_idle()
        self.model.reload_when_idle()

    def on_update_checked(self, result) -> None:
        if result.status == "updated":
            self.take_effect(result.message, bundle=result.bundle.path)

    def settings_saved(self, old, new) -> None:
        """Settings saved: a new model file or thread count reloads the model (text size and colours need nothing here)."""
        changed = settings_change(old, new)
        if changed:
            self.take_effect(changed, reload_model=True)

    def guidance_changed(self, message: str) -> None:
        """Guidance installed or rolled back in Settings: use the bundle now active, as an update in the field does."""
        from app.guidance import active_guidance_path

        self.take_effect(message, bundle=active_guidance_path())
