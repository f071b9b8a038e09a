"""Opening a bundle file safely, read-only, and reading what it is."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from knowledge.errors import BundleError
from knowledge.passage import BundleInfo
from knowledge.schema import BUNDLE_SUFFIX, REQUIRED_META, SCHEMA_VERSION, signature_path

SQLITE_MAGIC = b"SQLite format 3\x00"


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_is_bundle_file(path: Path) -> None:
    """Raise BundleError unless `path` is an existing SQLite file."""
    path = Path(path)
    if not path.exists():
        raise BundleError(f"{path}: no such bundle file. Check the path, or run `frontdesk kb list` to see installed bundles.")
    if path.is_dir():
        raise BundleError(f"{path}: is a folder. Give the path of a {BUNDLE_SUFFIX} bundle file.")
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise BundleError(f"{path}: not a Frontdesk bundle (not an SQLite file). Build one with `frontdesk kb build`.")


def open_bundle(path: Path) -> sqlite3.Connection:
    """Open a bundle read-only: no writes, no triggers or views from the file run with trust."""
    check_is_bundle_file(path)
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA trusted_schema=OFF")
        conn.execute("PRAGMA query_only=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BundleError(f"{path}: the bundle is damaged ({exc}). Copy it again, or rebuild it with `frontdesk kb build`.") from exc
    return conn


def read_meta(conn: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise BundleError(f"{path}: not a Frontdesk bundle or damaged ({exc}). Rebuild it with `frontdesk kb build`.") from exc
    missing = [k for k in REQUIRED_META if k not in meta]
    if missing:
        raise BundleError(f"{path}: the bundle's meta table lacks {', '.join(missing)}. Rebuild it with `frontdesk kb build`.")
    if meta["schema_version"] != str(SCHEMA_VERSION):
        raise BundleError(
            f"{path}: bundle schema version {meta['schema_version']}, this Frontdesk reads version {SCHEMA_VERSION}. "
            "Rebuild the bundle with this version of `frontdesk kb build`, or update Frontdesk."
        )
    return meta


def bundle_info_from(conn: sqlite3.Connection, path: Path) -> BundleInfo:
    meta = read_meta(conn, path)
    try:
        version = int(meta["version"])
    except ValueError as exc:
        raise BundleError(f"{path}: version {meta['version']!r} is not a whole number. Rebuild with --version N.") from exc
    return BundleInfo(
        id=meta["bundle_id"],
        title=meta["title"],
        version=version,
        created_at=meta["created_at"],
        path=Path(path),
        schema_version=int(meta["schema_version"]),
        signed=Path(path).name.endswith(BUNDLE_SUFFIX) and signature_path(path).exists(),
    )


def read_bundle_info(path: Path) -> BundleInfo:
    """Id, title, version and dates of a bundle, with a clear BundleError if it is not one."""
    conn = open_bundle(path)
    try:
        return bundle_info_from(conn, path)
    finally:
        conn.close()
