"""Unsubscribe tokens: the e-mail address itself, encrypted and authenticated with the vault.

Nothing is stored per e-mail: the token decrypts to the address it was sent to (so an old link
still works after ``db rotate-keys`` while the old key is configured), and only the holder of
the link can use it. A purpose prefix inside the ciphertext means no other ciphertext of ours
(an encrypted address from a database dump) can be passed off as an unsubscribe token.
"""

from __future__ import annotations

import re

from storage.crypto import SEALED_PREFIX, SecretKeyError, Vault

PURPOSE = "carevoice-unsubscribe-v1:"
# The shortest: a nonce, the purpose and a 3-character address, and the tag, in base64.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{70,600}")


def make_token(vault: Vault, address: str) -> str:
    # The sealed value without its "cv1:" (a colon has no place in a link) and its padding.
    sealed = vault.encrypt(PURPOSE + address).removeprefix(SEALED_PREFIX)
    return sealed.decode("ascii").rstrip("=")


def read_token(vault: Vault, token: str) -> str | None:
    """The address a token was made for, or None when it is not one of ours."""
    if not _SHAPE.fullmatch(token):
        return None
    padded = (token + "=" * (-len(token) % 4)).encode("ascii")
    try:
        plain = vault.decrypt(SEALED_PREFIX + padded)
    except SecretKeyError:
        try:  # a link in an e-mail sent before values were sealed with AES-GCM: a Fernet token
            plain = vault.decrypt(padded)
        except SecretKeyError:
            return None
    if not plain.startswith(PURPOSE):
        return None
    return plain.removeprefix(PURPOSE)
