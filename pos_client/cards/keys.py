"""The terminal's own Ed25519 signing key, kept as a PEM file readable only by its owner."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_FILE = "terminal_ed25519.pem"


def create_key(keys_dir: Path) -> Ed25519PrivateKey:
    """Make and store a new signing key (refuses to overwrite an existing one)."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only, as the whole data folder
    path = keys_dir / KEY_FILE
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def load_key(keys_dir: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((keys_dir / KEY_FILE).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the terminal key is not an Ed25519 key")
    return key
