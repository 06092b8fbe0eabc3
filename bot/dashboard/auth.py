"""Passwords (Argon2id through argon2-cffi, its default parameters) and checking who is who.

A sign-in for an unknown or inactive email still verifies a password against a dummy hash, so
the time taken does not reveal which emails have accounts.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from storage.models import User

MIN_PASSWORD_LENGTH = 12


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a real password, used to even out timing")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None (NCSC: length over complexity rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    query = select(User).where(func.lower(User.email) == normalise_email(email))
    return session.exec(query).first()


def authenticate(engine: Engine, email: str, password: str) -> User | None:
    """The active user with this email and password, or None; rehashes outdated hashes."""
    with Session(engine, expire_on_commit=False) as session:
        user = find_user(session, email)
        if user is None or not user.active:
            verify_password(_dummy_hash(), password)
            return None
        if not verify_password(user.password_hash, password):
            return None
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            session.add(user)
            session.commit()
        return user
