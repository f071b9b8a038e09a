"""Configuration in one place: where files live (platformdirs) and the admin policy IT sets (Qt-free).

Environment overrides exist for tests, portable builds and the self-test with an empty HOME:
FRONTDESK_DATA_DIR, FRONTDESK_CONFIG_DIR, FRONTDESK_CACHE_DIR, FRONTDESK_LOG_DIR and
FRONTDESK_POLICY (path of the policy file).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from knowledge.errors import FrontdeskError

APP_NAME = "Frontdesk"


class PolicyError(FrontdeskError):
    """An admin policy file that is malformed; the app refuses to start rather than ignore it."""


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Every location Frontdesk reads or writes on a user's machine."""

    data: Path  # bundles/, active pointer, history.db
    config: Path  # settings.toml (personal)
    cache: Path  # sample bundle built from packaged content
    logs: Path
    policy: Path  # policy.toml set by IT

    @property
    def bundles(self) -> Path:
        return self.data / "bundles"

    @property
    def history_db(self) -> Path:
        return self.data / "history.db"

    @property
    def models(self) -> Path:
        return self.cache / "models"  # catalogue models assembled on first use (gemma-3-270m)

    @property
    def model_hashes(self) -> Path:
        return self.cache / "model-hashes.json"

    @property
    def model_verdicts(self) -> Path:
        return self.data / "model-verdicts.json"

    @property
    def cpu_verdicts(self) -> Path:
        return self.cache / "cpu-variants.json"  # which llama.cpp CPU variant works here (models/cpu_verdicts.py)


def app_paths() -> AppPaths:
    """Return the locations for this user, honouring the FRONTDESK_* overrides."""
    env = os.environ.get
    return AppPaths(
        data=Path(env("FRONTDESK_DATA_DIR") or platformdirs.user_data_dir(APP_NAME, False)),
        config=Path(env("FRONTDESK_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, False)),
        cache=Path(env("FRONTDESK_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME, False)),
        logs=Path(env("FRONTDESK_LOG_DIR") or platformdirs.user_log_dir(APP_NAME, False)),
        policy=Path(env("FRONTDESK_POLICY") or Path(platformdirs.site_config_dir(APP_NAME, False)) / "policy.toml"),
    )


def place_model_files(paths: AppPaths | None = None) -> None:
    """Tell the models layer where the app keeps what it remembers between starts (models/ knows no app folder).

    Before the first model loads: the CPU-variant verdicts, so only a machine's first start pays for a probe.
    """
    from models.backends import remember_verdicts_in

    remember_verdicts_in((paths or app_paths()).cpu_verdicts)


@dataclass(frozen=True, slots=True)
class Policy:
    """The admin policy (build/policy.example.toml documents every key)."""

    model_path: Path | None = None
    model_sha256: str | None = None
    allow_model_change: bool = True
    threads: int | None = None  # None: physical cores
    trusted_keys: tuple[str, ...] = ()  # public keys: paths to .pub files or base64 text
    allow_downgrade: bool = False
    history_enabled: bool = True
    history_days: int = 90
    history_keep_personal_data: bool = False  # keep questions and drafts as typed, personal data included
    endpoint_url: str | None = None
    endpoint_model: str | None = None
    update_source: str | None = None  # folder on a shared drive, or an https:// URL
    update_interval_minutes: int = 60
    source: Path | None = None  # the file this came from, None for defaults
    locked: frozenset[str] = field(default_factory=frozenset)  # keys the file sets

    def expected_sha256(self, model: Path | None) -> str | None:
        """The policy's model_sha256, if it applies to `model`: only the file the policy names is held to it."""
        if self.model_path and model is not None and Path(self.model_path) == Path(model):
            return self.model_sha256
        return None


_FIELDS = {
    "model_path": (str, lambda v: Path(v).expanduser()),
    "model_sha256": (str, lambda v: v.lower()),
    "allow_model_change": (bool, bool),
    "threads": (int, int),
    "trusted_keys": (list, lambda v: tuple(str(x) for x in v)),
    "allow_downgrade": (bool, bool),
    "history_enabled": (bool, bool),
    "history_days": (int, int),
    "history_keep_personal_data": (bool, bool),
    "endpoint_url": (str, str),
    "endpoint_model": (str, str),
    "update_source": (str, str),
    "update_interval_minutes": (int, int),
}


def load_policy(path: Path | None = None) -> Policy:
    """Read the admin policy; no file means defaults, a malformed file raises PolicyError naming the line."""
    path = path or app_paths().policy
    if not path.exists():
        return Policy()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML ({exc}). Fix the line named, or remove the file to use defaults.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read ({exc}). Check the file's permissions and that it is UTF-8 text.") from exc
    values = {}
    for key, value in raw.items():
        if key not in _FIELDS:
            known = ", ".join(sorted(_FIELDS))
            raise PolicyError(f"{path}: unknown setting {key!r}. Known settings: {known}.")
        kind, convert = _FIELDS[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise PolicyError(f"{path}: setting {key!r} should be {kind.__name__}, not {type(value).__name__} ({value!r}).")
        values[key] = convert(value)
    if values.get("threads") is not None and values["threads"] < 1:
        raise PolicyError(f"{path}: setting 'threads' must be 1 or more.")
    if values.get("history_days", 1) < 0:
        raise PolicyError(f"{path}: setting 'history_days' must be 0 or more.")
    return Policy(**values, source=path, locked=frozenset(values))
