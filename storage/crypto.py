"""Encryption of identities at rest, and keyed pseudonyms for finding them.

``CAREVOICE_SECRET_KEY`` holds one or more Fernet keys separated by commas, newest first. The
newest encrypts; every key decrypts, so a key can be rotated in without downtime and
``carevoice db rotate-keys`` then re-encrypts and re-hashes every stored address.
Lookup hashes are HMAC-SHA256 under a key derived from each Fernet key, so a lookup tries the
hash under every configured key and finds addresses written before and after a rotation.

Values are sealed with AES-256-GCM (authenticated, a random 96-bit nonce each time) under a
second key derived from each Fernet key: ``cv1:`` and the nonce, ciphertext and tag in URL-safe
base64, ASCII so that text columns stay text. Fernet, which earlier versions wrote, costs ~35 µs
a value in Python against ~3 µs, and the hot path seals four values a message; Fernet tokens
already stored are still read, and ``rotate`` (``db rotate-keys``) rewrites them as ``cv1:``.
"""

from __future__ import annotations

import base64
import hmac
import os
from dataclasses import dataclass
from functools import cached_property

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED_PREFIX = b"cv1:"
_NONCE = 12


class SecretKeyError(ValueError):
    """The configured secret key is missing or malformed."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


# A key of its own for each use, derived under its own label: the sealing key, the hashing key
# and Fernet's own two halves never coincide, and a hash reveals nothing about a cipher key.
SEAL_LABEL = b"carevoice-seal-v1"
HASH_LABEL = b"carevoice-lookup-v1"


def _derived_key(fernet_key: str, label: bytes) -> bytes:
    return hmac.digest(base64.urlsafe_b64decode(fernet_key), label, "sha256")


@dataclass(frozen=True)
class Vault:
    keys: tuple[str, ...]

    @classmethod
    def from_setting(cls, setting: str) -> Vault:
        keys = tuple(k.strip() for k in setting.split(",") if k.strip())
        if not keys:
            raise SecretKeyError("CAREVOICE_SECRET_KEY is empty")
        for key in keys:
            try:
                Fernet(key)
            except (ValueError, TypeError) as error:
                raise SecretKeyError(
                    "CAREVOICE_SECRET_KEY must be Fernet keys separated by commas "
                    "(make one with: carevoice db new-key)"
                ) from error
        return cls(keys)

    @cached_property
    def _fernet(self) -> MultiFernet:  # built once: the hot path encrypts with it
        return MultiFernet([Fernet(key) for key in self.keys])

    @cached_property
    def _hash_keys(self) -> tuple[bytes, ...]:
        # Derived once: every message hashes its sender's address two or three times.
        return tuple(_derived_key(key, HASH_LABEL) for key in self.keys)

    @cached_property
    def _ciphers(self) -> tuple[AESGCM, ...]:  # newest first, as the keys
        return tuple(AESGCM(_derived_key(key, SEAL_LABEL)) for key in self.keys)

    def encrypt(self, plain: str) -> bytes:
        nonce = os.urandom(_NONCE)
        sealed = self._ciphers[0].encrypt(nonce, plain.encode("utf-8"), SEALED_PREFIX)
        return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed)

    def decrypt(self, token: bytes) -> str:
        if not token.startswith(SEALED_PREFIX):
            return self._decrypt_fernet(token)
        try:
            raw = base64.urlsafe_b64decode(token[len(SEALED_PREFIX) :])
        except ValueError as error:
            raise SecretKeyError("cannot decrypt: the stored value is damaged") from error
        nonce, sealed = raw[:_NONCE], raw[_NONCE:]
        for cipher in self._ciphers:
            try:
                return cipher.decrypt(nonce, sealed, SEALED_PREFIX).decode("utf-8")
            except (InvalidTag, ValueError):  # another key's, or cut short
                continue
        raise SecretKeyError("cannot decrypt: none of the configured keys fits")

    def _decrypt_fernet(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as error:
            raise SecretKeyError("cannot decrypt: none of the configured keys fits") from error

    def rotate(self, token: bytes) -> bytes:
        """The same value sealed again under the newest key (and in the current format)."""
        return self.encrypt(self.decrypt(token))

    def lookup_hash(self, channel: str, address: str) -> str:
        """The pseudonym stored and used everywhere instead of the address itself."""
        return self._hashes(channel, address)[0]

    def lookup_hashes(self, channel: str, address: str) -> list[str]:
        """The pseudonym under every configured key, newest first, for lookups."""
        return self._hashes(channel, address)

    def person_keys(self, contact_id: int) -> list[str]:
        """The pseudonym that links one contact's survey waves, under every key, newest first.

        A different message from any address hash, so the two can never be matched up."""
        return self._keyed(f"person:{contact_id}")

    def _hashes(self, channel: str, address: str) -> list[str]:
        return self._keyed(f"{channel}:{address}")

    def _keyed(self, message: str) -> list[str]:
        encoded = message.encode()
        return [hmac.digest(key, encoded, "sha256").hex() for key in self._hash_keys]
