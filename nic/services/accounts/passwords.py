"""Password hashing with argon2id, the memory-hard scheme OWASP recommends first."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def _current_hasher() -> PasswordHasher:
    return _hasher(current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"])


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _current_hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _current_hasher().check_needs_rehash(password_hash)


# A real hash to check against when the email is unknown, so a wrong email takes as
# long as a wrong password and sign-in does not reveal who has an account.
def dummy_verify(password: str) -> None:
    verify_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("nic_dummy_hash", {})
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"])
    if key not in cache:
        cache[key] = hash_password("not-a-real-password")
    return cache[key]
