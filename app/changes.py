"""Changes taking effect while the app runs (Qt-free): what changed, in the same words on every path.

Guidance installed or rolled back in Settings, or updated from the office's share, is searched from
the next question; a new model file or thread count reloads the model, and drafts use the
guidance's own sentences until it is ready. The window applies both between drafts, never under one.
"""

from __future__ import annotations

from pathlib import Path

NEXT_QUESTION = "It is used from your next question."
RELOADING = "The model is reloading; until it is ready, drafts use the guidance's own sentences."


def change_notice(what: str, *, new_guidance: bool = False, reload_model: bool = False) -> str:
    """"✓ Processor threads set to 1. The model is reloading; ...": what changed, then when it takes effect."""
    when = ([NEXT_QUESTION] if new_guidance else []) + ([RELOADING] if reload_model else [])
    return f"✓ {what.strip().rstrip('.')}. {' '.join(when)}".strip()


def settings_change(old, new) -> str:
    """What a Settings save changed that the running model must take up ("" for none: text size, colours...)."""
    changed = []
    if new.model_path != old.model_path:
        changed.append(f"Model file set to {Path(new.model_path).name if new.model_path else 'the embedded model'}")
    if new.threads != old.threads:
        changed.append(f"Processor threads set to {new.threads or 'automatic'}")
    return "; ".join(changed)
