"""Pseudonyms must never change for an address already stored: lookups would stop finding it."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet

from storage.crypto import SEALED_PREFIX, SecretKeyError, Vault

OLD_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
NEW_KEY = base64.urlsafe_b64encode(bytes(range(32, 64))).decode()


def _expected(key: str, message: bytes) -> str:
    # The derivation as the module's docstring states it, written out independently.
    derived = hmac.new(base64.urlsafe_b64decode(key), b"carevoice-lookup-v1", "sha256").digest()
    return hmac.new(derived, message, hashlib.sha256).hexdigest()


def test_lookup_hashes_are_hmac_sha256_under_a_key_derived_from_each_key_newest_first() -> None:
    vault = Vault.from_setting(f"{NEW_KEY},{OLD_KEY}")
    hashes = vault.lookup_hashes("sms", "+447700900123")
    assert hashes == [
        _expected(NEW_KEY, b"sms:+447700900123"),
        _expected(OLD_KEY, b"sms:+447700900123"),
    ]
    assert vault.lookup_hash("sms", "+447700900123") == hashes[0]
    # A fixed value: the stored pseudonyms of every database depend on it.
    assert Vault.from_setting(OLD_KEY).lookup_hash("sms", "+447700900123") == (
        "a3184776f67254e7f4f816b82cf29800c27224c80b557c7d0e851722e966795b"
    )


def test_person_keys_differ_from_address_hashes_and_follow_the_keys() -> None:
    vault = Vault.from_setting(f"{NEW_KEY},{OLD_KEY}")
    assert vault.person_keys(7) == [
        _expected(NEW_KEY, b"person:7"),
        _expected(OLD_KEY, b"person:7"),
    ]
    assert set(vault.person_keys(7)).isdisjoint(vault.lookup_hashes("sms", "7"))


def test_values_are_sealed_with_aes_gcm_and_read_back_under_any_configured_key() -> None:
    old = Vault.from_setting(OLD_KEY)
    token = old.encrypt("Mum's carer, Jo, was late — 07700 900123")
    assert token.startswith(SEALED_PREFIX)
    assert token.isascii()
    assert b"Jo" not in token
    assert old.encrypt("same") != old.encrypt("same")
    both = Vault.from_setting(f"{NEW_KEY},{OLD_KEY}")
    assert both.decrypt(token) == "Mum's carer, Jo, was late — 07700 900123"
    with pytest.raises(SecretKeyError, match="none of the configured keys"):
        Vault.from_setting(NEW_KEY).decrypt(token)


def test_a_changed_or_cut_token_is_refused_not_misread() -> None:
    vault = Vault.from_setting(OLD_KEY)
    token = vault.encrypt("no one")
    raw = bytearray(base64.urlsafe_b64decode(token[len(SEALED_PREFIX) :]))
    raw[len(raw) // 2] ^= 1
    flipped = SEALED_PREFIX + base64.urlsafe_b64encode(bytes(raw))
    for damaged in (flipped, token[:10], SEALED_PREFIX + b"!!!", SEALED_PREFIX):
        with pytest.raises(SecretKeyError):
            vault.decrypt(damaged)


def test_fernet_tokens_written_before_are_read_and_rotation_rewrites_them() -> None:
    earlier = Fernet(OLD_KEY).encrypt(b"written by an earlier version")
    both = Vault.from_setting(f"{NEW_KEY},{OLD_KEY}")
    assert both.decrypt(earlier) == "written by an earlier version"
    rotated = both.rotate(earlier)
    assert rotated.startswith(SEALED_PREFIX)
    assert Vault.from_setting(NEW_KEY).decrypt(rotated) == "written by an earlier version"
    with pytest.raises(SecretKeyError):
        Vault.from_setting(NEW_KEY).decrypt(earlier)
