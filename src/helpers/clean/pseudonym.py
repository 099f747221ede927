"""Pseudonymous case ids: a keyed hash (HMAC-SHA256) of the case reference."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from .. import config


def load_or_create_key(path: Path | None = None) -> bytes:
    """The key, created on first use in a git-ignored file readable by its owner only; never printed."""
    path = Path(path or config.PSEUDONYM_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def case_ids(case_refs: pd.Series, key: bytes) -> pd.Series:
    """16 hex characters of HMAC-SHA256(key, case_ref): stable for one key, unguessable without it."""
    # A hash per case is unavoidable; the key is prepared once and each case's hash starts from a copy.
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def case_id(ref) -> str:
        digest = keyed.copy()
        digest.update(str(ref).encode("utf-8"))
        return digest.hexdigest()[:16]

    return pd.Series([case_id(ref) for ref in case_refs.tolist()], index=case_refs.index, dtype="string")
