"""Picking up newer signed bundles in the field: from a folder on a shared drive, or an index on a web server.

The app passes the policy's update_source; checked only when one is set. A failure to reach the
source is "offline", never an error: Frontdesk keeps working on the bundle it has. Whatever is
found goes through install_bundle, so it is verified exactly like a bundle installed by hand.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from knowledge.bundle import read_bundle_info
from knowledge.errors import BundleError
from knowledge.install import active_bundle_path, install_bundle
from knowledge.passage import BundleInfo
from knowledge.schema import BUNDLE_SUFFIX, signature_path

TIMEOUT_S = 10
NAME = re.compile(rf"^(?P<id>.+)-(?P<version>\d+){re.escape(BUNDLE_SUFFIX)}$")


@dataclass(frozen=True, slots=True)
class UpdateResult:
    status: str  # "updated", "up-to-date", "offline", "no-source" or "refused"
    bundle: BundleInfo | None
    message: str


def current(data: Path) -> tuple[str | None, int]:
    active = active_bundle_path(data)
    if active is None:
        return None, 0
    info = read_bundle_info(active)
    return info.id, info.version


def newest_in_folder(folder: Path, bundle_id: str | None, version: int) -> Path | None:
    """The highest-version signed NAME-VERSION.fdkb in `folder` newer than `version` (same id if one is active)."""
    best: tuple[int, Path] | None = None
    for file in folder.glob(f"*{BUNDLE_SUFFIX}"):
        match = NAME.match(file.name)
        if not match or not signature_path(file).exists():
            continue
        if bundle_id and match["id"] != bundle_id:
            continue
        number = int(match["version"])
        if number > version and (best is None or number > best[0]):
            best = (number, file)
    return best[1] if best else None


def download(url: str, target: Path) -> None:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, open(target, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)


def newest_from_index(url: str, bundle_id: str | None, version: int, into: Path) -> Path | None:
    """Download the newest bundle the index lists ({"bundles": [{"id", "version", "url", "sig_url"}]})."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        index = json.load(response)
    entries = [e for e in index.get("bundles", []) if isinstance(e, dict) and int(e.get("version", 0)) > version
               and (not bundle_id or e.get("id") == bundle_id)]
    if not entries:
        return None
    entry = max(entries, key=lambda e: int(e["version"]))
    target = into / f"{entry['id']}-{int(entry['version'])}{BUNDLE_SUFFIX}"
    download(urljoin(url, entry["url"]), target)
    download(urljoin(url, entry.get("sig_url") or entry["url"] + ".sig"), signature_path(target))
    return target


def check_for_update(source: str | None, *, data: Path, trusted_keys) -> UpdateResult:
    """Install into `data` a newer signed bundle from `source` (the policy's update_source), if there is one."""
    if not source:
        return UpdateResult("no-source", None, "No update source is set in the policy.")
    bundle_id, version = current(data)
    with tempfile.TemporaryDirectory(prefix="frontdesk-update-") as tmp:
        try:
            if source.startswith(("http://", "https://")):
                found = newest_from_index(source, bundle_id, version, Path(tmp))
            else:
                folder = Path(source)
                if not folder.is_dir():
                    return UpdateResult("offline", None, f"The update folder {source} cannot be reached.")
                found = newest_in_folder(folder, bundle_id, version)
        except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as exc:
            return UpdateResult("offline", None, f"Could not check {source} for updates ({exc}). Working on the guidance you have.")
        if found is None:
            return UpdateResult("up-to-date", None, "The guidance is up to date.")
        try:
            info = install_bundle(found, data=data, trusted_keys=trusted_keys, allow_downgrade=False)
        except BundleError as exc:
            return UpdateResult("refused", None, f"An update was found but not installed: {exc}")
    return UpdateResult("updated", info, f"The guidance was updated to {info.title} version {info.version}.")
