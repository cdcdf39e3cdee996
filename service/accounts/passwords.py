"""Password hashing (argon2id) and the rules a new password must meet. Pure."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.web.i18n import _l

from .common_passwords import COMMON_PASSWORDS

MIN_LENGTH = 8
_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# Checked against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises on a bad or missing hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable (an English msgid), or None."""
    if len(password) < MIN_LENGTH:
        return _l("The password needs at least 8 characters.")
    if password.lower() in COMMON_PASSWORDS:
        return _l("This password is one of the most common ones.")
    if len(set(password)) < 4:
        return _l("The password is too simple.")
    if username and username.lower() in password.lower():
        return _l("The password must not contain the user name.")
    return None


def temporary_password() -> str:
    """A password an admin reads out to a person after a reset: easy to type on a phone."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
