"""Installing bundles into the user data folder, with a rollback, so a crash never leaves no guidance.

Every function takes `data`, the folder that holds the installed guidance (the app passes its user
data folder). Layout: bundles/<bundle-id>/<version>.fdkb (+ .fdkb.sig) and active.json, the pointer to the one in
use. Install copies first (never opening a bundle in place on a USB stick or a share), verifies the
copy, and only then switches the pointer with an atomic rename: until that rename, the old bundle
stays active; after it, the new one is complete and checked.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from knowledge.bundle import check_is_bundle_file, file_sha256, read_bundle_info
from knowledge.errors import BundleError, InstallError
from knowledge.files import fsync_folder, write_file_atomically
from knowledge.passage import BundleInfo
from knowledge.schema import BUNDLE_SUFFIX
from knowledge.signing import signature_path, verify_bundle


@dataclass(frozen=True, slots=True)
class InstalledBundle:
    id: str
    title: str
    version: int
    path: Path
    active: bool
    installed_at: str


def pointer_path(data: Path) -> Path:
    return Path(data) / "active.json"


def read_pointer(data: Path) -> dict:
    try:
        pointer = json.loads(pointer_path(data).read_text())
        return pointer if isinstance(pointer, dict) else {}
    except (OSError, ValueError):
        return {}


def write_pointer(data: Path, pointer: dict) -> None:
    """Replace active.json atomically: temp file, fsync, rename, fsync the folder."""
    path = pointer_path(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file_atomically(path, json.dumps(pointer, indent=2))


def active_bundle_path(data: Path) -> Path | None:
    """The installed bundle in use, or None when none is installed (or its file has gone)."""
    pointer = read_pointer(data)
    if not pointer.get("path"):
        return None
    path = Path(data) / pointer["path"]
    return path if path.exists() else None


def copy_with_fsync(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())


def check_integrity(path: Path) -> None:
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            conn.execute("PRAGMA trusted_schema=OFF")
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InstallError(f"{path.name}: the bundle is damaged ({exc}). Get a fresh copy.") from exc
    if result != ["ok"]:
        raise InstallError(f"{path.name}: the bundle failed its integrity check ({result[0]}). Get a fresh copy.")


def install_bundle(path: Path, *, data: Path, trusted_keys, allow_downgrade: bool = False) -> BundleInfo:
    """Verify and install the signed bundle at `path` into `data`, and make it the active one."""
    data = Path(data)
    source = Path(path)
    check_is_bundle_file(source)
    sig = signature_path(source)
    if not sig.exists():
        raise InstallError(f"{source}: no signature file ({sig.name}) beside it. Only signed bundles can be installed.")
    incoming = data / "bundles" / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex
    copy = incoming / f"{tag}{BUNDLE_SUFFIX}"
    copy_sig = signature_path(copy)
    try:
        # Verify the copy, not the original: a file that changes under us cannot slip through.
        copy_with_fsync(source, copy)
        copy_with_fsync(sig, copy_sig)
        signature = verify_bundle(copy, trusted_keys, sha256=file_sha256(copy))
        info = read_bundle_info(copy)
        active = active_bundle_path(data)
        if active is not None:
            current = read_bundle_info(active)
            if current.id == info.id and info.version == current.version:
                raise InstallError(f"{info.title} version {info.version} is already installed and active.")
            if current.id == info.id and info.version < current.version and not allow_downgrade:
                raise InstallError(
                    f"{source}: version {info.version} is older than the installed version {current.version}. "
                    "Install the newer bundle, or ask IT to allow downgrades in the policy."
                )
        check_integrity(copy)
        folder = data / "bundles" / info.id
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{info.version}{BUNDLE_SUFFIX}"
        os.replace(copy_sig, signature_path(final))
        os.replace(copy, final)
        fsync_folder(folder)
        previous = read_pointer(data)
        history = [h for h in previous.get("history", []) if h != previous.get("path")]
        if previous.get("path"):
            history.append(previous["path"])
        write_pointer(data, {
            "path": final.relative_to(data).as_posix(),
            "bundle_id": info.id,
            "version": info.version,
            "key_id": signature.key_id,
            "installed_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "history": history[-5:],
        })
    finally:
        copy.unlink(missing_ok=True)
        copy_sig.unlink(missing_ok=True)
    return read_bundle_info(final)


def list_installed(data: Path) -> list[InstalledBundle]:
    """Every installed bundle version, newest first, with which one is active."""
    active = active_bundle_path(data)
    found = []
    root = Path(data) / "bundles"
    for file in sorted(root.glob(f"*/*{BUNDLE_SUFFIX}")) if root.exists() else []:
        try:
            info = read_bundle_info(file)
        except BundleError:
            continue
        installed = datetime.fromtimestamp(file.stat().st_mtime, timezone.utc).replace(microsecond=0).isoformat()
        found.append(InstalledBundle(info.id, info.title, info.version, file, active is not None and file == active, installed))
    return sorted(found, key=lambda b: (b.id, -b.version))


def rollback_bundle(data: Path) -> BundleInfo:
    """Make the previously active bundle active again."""
    data = Path(data)
    pointer = read_pointer(data)
    history = [h for h in pointer.get("history", []) if (data / h).exists()]
    if not history:
        raise InstallError("There is no earlier bundle to roll back to.")
    previous = history.pop()
    info = read_bundle_info(data / previous)
    write_pointer(data, {**pointer, "path": previous, "bundle_id": info.id, "version": info.version, "history": history,
                   "rolled_back_from": pointer.get("path")})
    return info
