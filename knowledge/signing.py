"""Signing bundles and checking their signatures: Ed25519, a detached NAME.fdkb.sig JSON file.

The signature covers the canonical JSON of {"bundle_sha256", "id", "version"} (keys sorted, no
spaces, UTF-8), so a flipped byte in the bundle, or a signature moved to another bundle or version,
fails. Private keys are raw 32-byte Ed25519 seeds in base64; public keys likewise, in KEY.pub.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from knowledge.bundle import file_sha256, read_bundle_info
from knowledge.errors import SignatureError
from knowledge.schema import signature_path  # noqa: F401  (callers import it from here too)


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """A verified signature: which bundle, and which trusted key signed it."""

    bundle_id: str
    version: int
    bundle_sha256: str
    key_id: str


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of the sha256 of the raw public key: short enough to read out on the phone."""
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signed_payload(bundle_sha256: str, bundle_id: str, version: int) -> bytes:
    return json.dumps({"bundle_sha256": bundle_sha256, "id": bundle_id, "version": version}, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def generate_keypair(keyfile: Path) -> Path:
    """Write a new private key to `keyfile` (owner-only) and its public key beside it; return the .pub path."""
    keyfile = Path(keyfile)
    pub = keyfile.with_suffix(".pub")
    if keyfile.exists() or pub.exists():
        raise SignatureError(f"{keyfile}: a key is already there. Choose another name: overwriting a key would lose it.")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    # O_EXCL with mode 0o600: the key is never readable by others, not even for a moment.
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(seed).decode() + "\n")
    pub.write_text(base64.b64encode(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode() + "\n")
    return pub


def load_private_key(keyfile: Path) -> Ed25519PrivateKey:
    keyfile = Path(keyfile)
    try:
        seed = base64.b64decode(keyfile.read_text().strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except FileNotFoundError as exc:
        raise SignatureError(f"{keyfile}: no such key file. Make one with `frontdesk kb keygen {keyfile}`.") from exc
    except (ValueError, binascii.Error) as exc:
        raise SignatureError(f"{keyfile}: not a Frontdesk private key. Use the file `frontdesk kb keygen` wrote.") from exc


def load_public_key(source: str | Path) -> Ed25519PublicKey:
    """A public key from a .pub file path or from its base64 text."""
    text = str(source).strip()
    path = Path(text)
    try:
        if len(text) < 200 and path.exists():
            text = path.read_text().strip()
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error, OSError) as exc:
        raise SignatureError(f"{source}: not a Frontdesk public key (.pub file or its text). Use the .pub file `frontdesk kb keygen` wrote.") from exc


def load_trusted_keys(*sources: Iterable[str | Path]) -> list[Ed25519PublicKey]:
    """The keys whose signatures are trusted: each given .pub path or base64 text (the policy's trusted_keys, --trust)."""
    return [load_public_key(str(s)) for group in sources for s in group]


def sign_bundle(bundle: Path, keyfile: Path) -> Path:
    """Write BUNDLE.sig for `bundle`, signed with the private key in `keyfile`."""
    bundle = Path(bundle)
    info = read_bundle_info(bundle)
    private = load_private_key(keyfile)
    digest = file_sha256(bundle)
    signature = private.sign(signed_payload(digest, info.id, info.version))
    record = {"bundle_sha256": digest, "id": info.id, "version": info.version, "key_id": key_id(private.public_key()),
              "signature": base64.b64encode(signature).decode()}
    out = signature_path(bundle)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, out)
    return out


def read_signature(bundle: Path) -> dict:
    path = signature_path(bundle)
    if not path.exists():
        raise SignatureError(f"{bundle}: no signature file ({path.name}). Ask the content team for the signed bundle, or sign it with `frontdesk kb sign`.")
    try:
        record = json.loads(path.read_text())
        assert isinstance(record, dict) and all(k in record for k in ("bundle_sha256", "id", "version", "key_id", "signature"))
        return record
    except (ValueError, AssertionError, UnicodeDecodeError) as exc:
        raise SignatureError(f"{path}: the signature file is damaged. Copy it again with the bundle.") from exc


def verify_bundle(bundle: Path, trusted_keys: Iterable[Ed25519PublicKey], sha256: str | None = None) -> SignatureInfo:
    """Check `bundle` against its .sig and the trusted keys; SignatureError says exactly what is wrong.

    `sha256` lets an installer pass the hash of the copy it is about to install.
    """
    bundle = Path(bundle)
    record = read_signature(bundle)
    digest = sha256 or file_sha256(bundle)
    if digest != record["bundle_sha256"]:
        raise SignatureError(f"{bundle}: the bundle has changed since it was signed (its checksum differs). Do not use it: get a fresh copy from the content team.")
    info = read_bundle_info(bundle)
    if (info.id, info.version) != (record["id"], record["version"]):
        raise SignatureError(f"{bundle}: the signature is for {record['id']} version {record['version']}, but the bundle is {info.id} version {info.version}.")
    trusted = {key_id(k): k for k in trusted_keys}
    key = trusted.get(record["key_id"])
    if key is None:
        raise SignatureError(
            f"{bundle}: signed by key {record['key_id']}, which is not trusted on this computer. "
            "IT adds trusted keys to the policy (trusted_keys); for testing, pass --trust KEY.pub."
        )
    try:
        key.verify(base64.b64decode(record["signature"]), signed_payload(digest, info.id, info.version))
    except (InvalidSignature, ValueError, binascii.Error) as exc:
        raise SignatureError(f"{bundle}: the signature is not valid for this bundle. Do not use it: get a fresh copy from the content team.") from exc
    return SignatureInfo(info.id, info.version, digest, record["key_id"])
