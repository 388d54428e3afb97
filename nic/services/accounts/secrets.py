"""Random tokens for links and API access. Only digests are stored: the tokens are long
and random, so a fast hash is enough (a leaked table gives nothing to try offline)."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
