"""Unsubscribe tokens: the e-mail address itself, encrypted and authenticated with the vault.

Nothing is stored per e-mail: the token decrypts to the address it was sent to (so an old link
still works after ``db rotate-keys`` while the old key is configured), and only the holder of
the link can use it. A purpose prefix inside the ciphertext means no other ciphertext of ours
(an encrypted address from a database dump) can be passed off as an unsubscribe token.
"""

from __future__ import annotations

import re

from storage.crypto import SecretKeyError, Vault

PURPOSE = "carevoice-unsubscribe-v1:"
_SHAPE = re.compile(r"[A-Za-z0-9_-]{80,600}")


def make_token(vault: Vault, address: str) -> str:
    return vault.encrypt(PURPOSE + address).decode("ascii").rstrip("=")


def read_token(vault: Vault, token: str) -> str | None:
    """The address a token was made for, or None when it is not one of ours."""
    if not _SHAPE.fullmatch(token):
        return None
    padded = token + "=" * (-len(token) % 4)
    try:
        plain = vault.decrypt(padded.encode("ascii"))
    except SecretKeyError:
        return None
    if not plain.startswith(PURPOSE):
        return None
    return plain.removeprefix(PURPOSE)
