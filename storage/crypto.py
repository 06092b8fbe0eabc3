"""Encryption of identities at rest, and keyed pseudonyms for finding them.

``CAREVOICE_SECRET_KEY`` holds one or more Fernet keys separated by commas, newest first. The
newest encrypts; every key decrypts (``MultiFernet``), so a key can be rotated in without
downtime and ``carevoice db rotate-keys`` then re-encrypts and re-hashes every stored address.
Lookup hashes are HMAC-SHA256 under a key derived from each Fernet key, so a lookup tries the
hash under every configured key and finds addresses written before and after a rotation.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from functools import cached_property

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretKeyError(ValueError):
    """The configured secret key is missing or malformed."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _hash_key(fernet_key: str) -> bytes:
    # A separate key for hashing, so that the hash never reveals anything about the cipher key.
    return hmac.new(base64.urlsafe_b64decode(fernet_key), b"carevoice-lookup-v1", "sha256").digest()


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
        return tuple(_hash_key(key) for key in self.keys)

    def encrypt(self, plain: str) -> bytes:
        return self._fernet.encrypt(plain.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as error:
            raise SecretKeyError("cannot decrypt: none of the configured keys fits") from error

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(token)

    def lookup_hash(self, channel: str, address: str) -> str:
        """The pseudonym stored and used everywhere instead of the address itself."""
        return self._hashes(channel, address)[0]

    def lookup_hashes(self, channel: str, address: str) -> list[str]:
        """The pseudonym under every configured key, newest first, for lookups."""
        return self._hashes(channel, address)

    def person_keys(self, contact_id: int) -> list[str]:
        """The pseudonym that links one contact's survey waves, under every key, newest first.

        A different message from any address hash, so the two can never be matched up."""
        message = f"person:{contact_id}".encode()
        return [hmac.digest(key, message, "sha256").hex() for key in self._hash_keys]

    def _hashes(self, channel: str, address: str) -> list[str]:
        message = f"{channel}:{address}".encode()
        return [hmac.digest(key, message, "sha256").hex() for key in self._hash_keys]
