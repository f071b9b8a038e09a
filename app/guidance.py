"""The guidance in force: the bundle asked for, else the installed one, else the shipped or sample guidance; installing, rolling back and updating it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from app.config import Policy, app_paths, load_policy
from knowledge.errors import BundleError
from knowledge.files import frozen_root
from knowledge.install import active_bundle_path, install_bundle, rollback_bundle
from knowledge.passage import BundleInfo
from knowledge.sample_guidance import CONTENT_DIR, build_sample_bundle, content_fingerprint, sample_vectors_tag
from knowledge.schema import BUNDLE_SUFFIX
from knowledge.signing import load_trusted_keys, verify_bundle
from knowledge.updates import UpdateResult, check_for_update


def sample_bundle_path(on_progress: Callable[[int, int, str], None] | None = None) -> Path:
    """The sample guidance built into the cache folder (once per content and shipped-vectors version): unsigned, for trying out.

    Its passage and sentence vectors come from knowledge/sample-vectors.npz (see
    knowledge.sample_guidance.build_sample_bundle). The frozen folder leaves that file out: it ships
    the sample built and signed, and a sample built here there (its signature failed) is searched by words.
    """
    if not CONTENT_DIR.is_dir():
        raise BundleError(f"{CONTENT_DIR}: the sample guidance is missing. Install a bundle with `frontdesk kb install`.")
    target = app_paths().cache / f"sample-{content_fingerprint()}{sample_vectors_tag()}{BUNDLE_SUFFIX}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        build_sample_bundle(target, on_progress)
    return target


def shipped_bundle_folder() -> Path | None:
    """The folder of signed bundles inside a frozen build (bundle/), if this is one."""
    root = frozen_root()
    if root is None:
        return None
    folder = root / "bundle"
    return folder if folder.is_dir() else None


def shipped_bundle() -> Path | None:
    """The newest signed bundle shipped with a frozen build, verified against the key shipped beside it."""
    folder = shipped_bundle_folder()
    if folder is None:
        return None
    bundles = sorted(folder.glob(f"*{BUNDLE_SUFFIX}"))
    if not bundles:
        return None
    keys = load_trusted_keys(load_policy().trusted_keys, folder.glob("*.pub"))
    verify_bundle(bundles[-1], keys)
    return bundles[-1]


def resolve_bundle(explicit: Path | str | None = None, on_progress=None) -> Path:
    """The bundle to search: --bundle, else the active installed bundle, else the shipped one, else the sample."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.exists():
            raise BundleError(f"{path}: no such bundle file. Check the path, or leave out --bundle to use the installed guidance.")
        return path
    return active_bundle_path(app_paths().data) or shipped_bundle() or sample_bundle_path(on_progress)


def active_guidance_path() -> Path | None:
    """The installed bundle now active (after an install or a rollback), or None."""
    return active_bundle_path(app_paths().data)


def install_guidance(path: Path, policy: Policy) -> BundleInfo:
    """Verify and install a signed bundle into this user's data folder, trusting the policy's keys."""
    return install_bundle(path, data=app_paths().data, trusted_keys=load_trusted_keys(policy.trusted_keys),
                          allow_downgrade=policy.allow_downgrade)


def rollback_guidance() -> BundleInfo:
    """Make the previously installed bundle active again."""
    return rollback_bundle(app_paths().data)


def update_guidance(policy: Policy) -> UpdateResult:
    """Install a newer signed bundle from the policy's update_source, if it names one and one is there."""
    return check_for_update(policy.update_source, data=app_paths().data,
                            trusted_keys=load_trusted_keys(policy.trusted_keys))
