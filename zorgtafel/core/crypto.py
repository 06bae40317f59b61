"""Keyed hashing for pseudonyms and AES-GCM envelope encryption for the identity vault.

Envelope: each record gets a fresh 256-bit data key that encrypts the record; the data key
is itself encrypted ("wrapped") under a key-encryption key (KEK) from the environment,
named by a key id. Rotating the KEK re-wraps data keys only; records stay untouched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class KeyConfigError(ValueError):
    pass


def keyed_hash(key: str | bytes, message: str) -> str:
    """HMAC-SHA256 as hex; the key never touches the database."""
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_vault_keys(spec: str) -> dict[str, bytes]:
    """``kid:base64key[,kid:base64key…]`` → ordered {kid: key}; the first one encrypts."""
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in (spec or "").split(",")):
        if not part:
            continue
        kid, sep, material = part.partition(":")
        if not sep or not kid:
            raise KeyConfigError("ZORGTAFEL_VAULT_KEY: verwacht 'sleutelid:base64sleutel'")
        try:
            raw = base64.b64decode(material, validate=True)
        except (ValueError, base64.binascii.Error) as exc:
            raise KeyConfigError(f"ZORGTAFEL_VAULT_KEY: sleutel {kid!r} is geen geldige base64") from exc
        if len(raw) != 32:
            raise KeyConfigError(f"ZORGTAFEL_VAULT_KEY: sleutel {kid!r} moet 32 bytes zijn")
        keys[kid] = raw
    if not keys:
        raise KeyConfigError("ZORGTAFEL_VAULT_KEY ontbreekt")
    return keys


def new_vault_key_spec(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


@dataclass(frozen=True)
class Sealed:
    """What the vault row stores: nothing here is readable without a KEK."""

    kek_id: str
    wrapped_key: bytes  # nonce(12) + AES-GCM(data key)
    nonce: bytes
    ciphertext: bytes


class Envelope:
    def __init__(self, keys: dict[str, bytes]):
        self.keys = keys
        self.current_kid = next(iter(keys))

    @classmethod
    def from_spec(cls, spec: str) -> "Envelope":
        return cls(parse_vault_keys(spec))

    def _kek(self, kid: str) -> AESGCM:
        try:
            return AESGCM(self.keys[kid])
        except KeyError as exc:
            raise KeyConfigError(f"sleutel {kid!r} is niet geconfigureerd") from exc

    def seal(self, plaintext: bytes, *, context: bytes) -> Sealed:
        """Encrypt; ``context`` (e.g. the record id) is bound as associated data so a
        ciphertext cannot be moved to another record."""
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, context)
        return Sealed(self.current_kid, self._wrap(self.current_kid, data_key), nonce, ciphertext)

    def open(self, sealed: Sealed, *, context: bytes) -> bytes:
        data_key = self._unwrap(sealed.kek_id, sealed.wrapped_key)
        return AESGCM(data_key).decrypt(sealed.nonce, sealed.ciphertext, context)

    def rewrap(self, sealed: Sealed) -> Sealed:
        """Move a record's data key to the current KEK without touching the record."""
        if sealed.kek_id == self.current_kid:
            return sealed
        data_key = self._unwrap(sealed.kek_id, sealed.wrapped_key)
        return Sealed(self.current_kid, self._wrap(self.current_kid, data_key), sealed.nonce, sealed.ciphertext)

    def _wrap(self, kid: str, data_key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._kek(kid).encrypt(nonce, data_key, kid.encode())

    def _unwrap(self, kid: str, wrapped: bytes) -> bytes:
        return self._kek(kid).decrypt(wrapped[:12], wrapped[12:], kid.encode())
