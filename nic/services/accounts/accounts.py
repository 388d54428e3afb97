"""Users, sign-in, password resets and personal API tokens."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from nic import links
from nic.clock import utcnow
from nic.extensions import db
from nic.models import ApiToken, PasswordReset, User
from nic.services.notifications import mail
from nic.services.accounts import passwords
from nic.services.errors import NotFound
from nic.services.accounts.secrets import digest, new_token
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_email, clean_name, clean_password

API_TOKEN_PREFIX = "nic_"


def find_user_by_email(email: str) -> User | None:
    try:
        email = clean_email(email)
    except ValueError:
        return None
    return db.session.scalar(select(User).where(User.email == email))


def new_user(email: str, name: str, password: str) -> User:
    """Validate and add (not commit) a user; the caller commits with what goes with it."""
    errors = FieldErrors()
    email = errors.check("email", clean_email, email)
    name = errors.check("name", clean_name, name)
    password = errors.check("password", clean_password, password)
    if email and find_user_by_email(email) is not None:
        errors.add("email", "already has an account")
    errors.raise_if_any()
    user = User(email=email, name=name, password_hash=passwords.hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        passwords.dummy_verify(password or "")
        return None
    if not passwords.verify_password(user.password_hash, password or ""):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    commit()
    return user


def update_profile(user: User, name: str) -> None:
    errors = FieldErrors()
    user_name = errors.check("name", clean_name, name)
    errors.raise_if_any()
    user.name = user_name
    commit()


def change_password(user: User, current: str, new: str) -> None:
    errors = FieldErrors()
    if not passwords.verify_password(user.password_hash, current or ""):
        errors.add("current_password", "is not your current password")
    new = errors.check("new_password", clean_password, new)
    errors.raise_if_any()
    user.password_hash = passwords.hash_password(new)
    commit()


# --- password reset -------------------------------------------------------------------

def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account. Says nothing either way, so
    the form cannot be used to find out who has an account."""
    user = find_user_by_email(email)
    if user is None:
        return
    token = new_token()
    ttl = timedelta(minutes=current_app.config["RESET_TTL_MINUTES"])
    db.session.add(PasswordReset(user_id=user.id, token_hash=digest(token), expires_at=utcnow() + ttl))
    mail.send_mail(
        user.email, "Reset your nic password", "password_reset",
        user=user, link=links.absolute("auth.reset_password", token=token),
        minutes=current_app.config["RESET_TTL_MINUTES"],
    )
    commit()


def usable_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(token or "")))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(token: str, password: str) -> User:
    reset = usable_reset(token)
    if reset is None:
        raise NotFound("This reset link is invalid, already used or expired. Ask for a new one.")
    errors = FieldErrors()
    password = errors.check("password", clean_password, password)
    errors.raise_if_any()
    # Claim the link in one UPDATE so two submissions cannot both use it.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise NotFound("This reset link has already been used.")
    reset.user.password_hash = passwords.hash_password(password)
    commit()
    return reset.user


# --- API tokens -------------------------------------------------------------------

def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and its secret, which is shown once and never stored."""
    errors = FieldErrors()
    name = errors.check("name", clean_name, name, 100)
    errors.raise_if_any()
    secret = new_token(API_TOKEN_PREFIX)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:12], token_hash=digest(secret))
    db.session.add(token)
    commit()
    return token, secret


def api_tokens_of(user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(stmt))


def revoke_api_token(user: User, token_id) -> ApiToken:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == _int_or_none(token_id), ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        commit()
    return token


def user_for_api_token(secret: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret or "")))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    # Record use at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        commit()
    return token.user


# --- helpers -------------------------------------------------------------------------

def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
