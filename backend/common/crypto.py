"""Encryption at rest and blind indexes for personal data (SPEC §8).

Values are sealed with AES-256-GCM under a key derived from BANGFU_DATA_KEY; a keyed HMAC of the normalised
value sits beside each one so uniqueness and exact lookup work without decrypting a column.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1:"


@functools.cache
def _keys(secret: str) -> tuple[AESGCM, bytes]:
    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"bangfu", info=info).derive(secret.encode())

    return AESGCM(derive(b"encrypt")), derive(b"blind-index")


def _aead() -> AESGCM:
    return _keys(settings.BANGFU_DATA_KEY)[0]


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.b64decode(token[len(PREFIX):])
    return _aead().decrypt(raw[:12], raw[12:], None).decode()


def normalise(kind: str, value: str) -> str:
    value = value.strip()
    if kind == "id":
        return value.upper()
    if kind == "phone":
        return "".join(ch for ch in value if ch.isdigit())
    return value


def blind_index(kind: str, value: str) -> str:
    key = _keys(settings.BANGFU_DATA_KEY)[1]
    return hmac.new(key, f"{kind}:{normalise(kind, value)}".encode(), hashlib.sha256).hexdigest()
