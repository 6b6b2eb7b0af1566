"""The age v1 passphrase format with a chosen scrypt work factor, for tests only.

age (and pyrage) seal with work factor 2**18, about a second of scrypt on the machines we test
on; most passphrase tests check what the folder does with a passphrase, not scrypt's cost. The
reader accepts any work factor up to its limit, so a file sealed here with 2**10 opens with
`pyrage.passphrase.decrypt` in a millisecond. The format follows the age v1 specification
(C2SP age.md): an scrypt stanza, an HMAC over the header, a STREAM of ChaCha20-Poly1305
chunks. `test_cheap_age.py` proves that pyrage opens what this writes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from pyrage import passphrase as pyrage_passphrase

CHEAP_LOG_N = 10
_CHUNK = 64 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def seal_with_passphrase(plaintext: bytes, passphrase: str, log_n: int = CHEAP_LOG_N) -> bytes:
    """`plaintext` sealed to `passphrase` in the age v1 format, scrypt work factor 2**log_n."""
    file_key = os.urandom(16)
    salt = os.urandom(16)
    wrap_key = hashlib.scrypt(
        passphrase.encode(),
        salt=b"age-encryption.org/v1/scrypt" + salt,
        n=2**log_n,
        r=8,
        p=1,
        dklen=32,
    )
    body = ChaCha20Poly1305(wrap_key).encrypt(bytes(12), file_key, None)
    header = f"age-encryption.org/v1\n-> scrypt {_b64(salt)} {log_n}\n{_b64(body)}\n---".encode()
    mac = hmac.new(_hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest()
    nonce = os.urandom(16)
    stream = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    chunks = [plaintext[i : i + _CHUNK] for i in range(0, len(plaintext), _CHUNK)] or [b""]
    payload = b"".join(
        stream.encrypt(index.to_bytes(11, "big") + bytes([index == len(chunks) - 1]), chunk, None)
        for index, chunk in enumerate(chunks)
    )
    return header + f" {_b64(mac)}\n".encode() + nonce + payload


def cheapen_identity(data_home: Path, passphrase: str) -> None:
    """Reseal the folder's passphrase identity at the cheap work factor (one real open)."""
    identity = data_home / "identity.age"
    text = pyrage_passphrase.decrypt(identity.read_bytes(), passphrase)
    identity.write_bytes(seal_with_passphrase(text, passphrase))
