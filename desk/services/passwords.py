"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both failures take the same time.
# A fixed hash with the hasher's parameters: hashing it at import would cost a whole
# argon2 run (0.3 s or more) on the first sign-in.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$IwUxbZL2Lg4pbvySqmDtHw$"
    "WQirhlgkjR0rdIDGYfkRESnVvFFOOK9TkoZh0Drngxs"
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
