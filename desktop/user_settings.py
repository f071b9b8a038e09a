"""Personal settings (font size, theme, model, threads, history retention), with the policy's locks (Qt-free)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace  # noqa: F401  (replace is used by callers)
from pathlib import Path

from knowledge.config import Policy, app_paths
from knowledge.files import write_file_atomically

THEMES = ("light", "dark", "high-contrast")


@dataclass(frozen=True, slots=True)
class UserSettings:
    font_scale: int = 100  # percent, 100 to 200
    theme: str = "light"
    model_path: str = ""
    threads: int = 0  # 0: physical cores
    history_days: int = 90
    welcomed: bool = False  # the first-run welcome has been seen
    window: tuple[int, ...] = ()  # last session's window: x, y, width, height, maximised (desktop/window_placement.py)

    def validated(self) -> "UserSettings":
        return replace(
            self,
            font_scale=min(200, max(100, int(self.font_scale))),
            theme=self.theme if self.theme in THEMES else "light",
            threads=max(0, int(self.threads)),
            history_days=max(0, int(self.history_days)),
            window=window_values(self.window),
        )


def window_values(values) -> tuple[int, ...]:
    """Five whole numbers (x, y, width, height, maximised), or () for anything else in the file."""
    try:
        numbers = tuple(int(v) for v in values)
    except (TypeError, ValueError):
        return ()
    return numbers if len(numbers) == 5 else ()


# Which personal setting each policy key fixes (shown greyed out: "Set by your IT team").
POLICY_LOCKS = {"model_path": "model_path", "threads": "threads", "history_days": "history_days"}


def settings_path() -> Path:
    return app_paths().config / "settings.json"


def load_settings() -> UserSettings:
    """The saved settings; a missing or damaged file gives the defaults rather than stopping the app."""
    try:
        raw = json.loads(settings_path().read_text())
        known = {k: v for k, v in raw.items() if k in UserSettings.__dataclass_fields__}
        return UserSettings(**known).validated()
    except (OSError, ValueError, TypeError):
        return UserSettings()


def save_settings(settings: UserSettings) -> None:
    """Write the settings atomically (temp file, fsync, rename)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file_atomically(path, json.dumps(asdict(settings.validated()), indent=2))


def locked_settings(policy: Policy) -> set[str]:
    """Personal settings the admin policy fixes, plus the model when the policy forbids changing it."""
    locked = {setting for key, setting in POLICY_LOCKS.items() if key in policy.locked}
    if not policy.allow_model_change:
        locked.add("model_path")
    return locked


def effective_settings(settings: UserSettings, policy: Policy) -> UserSettings:
    """The settings in force: the policy's values win where it sets them."""
    values = {}
    if "model_path" in policy.locked and policy.model_path:
        values["model_path"] = str(policy.model_path)
    if "threads" in policy.locked and policy.threads:
        values["threads"] = policy.threads
    if "history_days" in policy.locked:
        values["history_days"] = policy.history_days
    return replace(settings, **values)
