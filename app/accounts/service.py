"""Users, passwords (argon2) and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import ApiToken, User
from app.audit import service as audit
from app.errors import Conflict, Invalid, NotFound

from app.settings import get_settings
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


@lru_cache(maxsize=4)
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    """The hasher for a profile of argon2's, and a dummy hash made with it.

    Verifying unknown e-mails against the dummy keeps sign-in timing uniform. Stored hashes
    carry their own parameters, so changing the profile never locks anyone out.
    """
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    return _hasher_for(get_settings().argon2_profile)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get(session: Session, *, user_id: int) -> User | None:
    """The user with this id, if any."""
    return session.get(User, user_id)


def get_by_email(session: Session, *, email: str) -> User | None:
    """The user with this e-mail (case-insensitive), if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_by_email_or_raise(session: Session, *, email: str) -> User:
    user = get_by_email(session, email=email)
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def create(session: Session, *, email: str, password: str, name: str = "") -> User:
    """A new user; the e-mail must be new and the password at least 8 characters."""
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise Invalid(f"'{email}' is not an e-mail address")
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"the password must have at least {MIN_PASSWORD} characters")
    if get_by_email(session, email=email):
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(email=email, name=name.strip() or email.split("@")[0],
                password_hash=_hasher()[0].hash(password))
    session.add(user)
    session.flush()
    audit.record(session, user_id=user.id, action="user.create", obj=user, email=email)
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user whose password this is, or None."""
    user = get_by_email(session, email=email)
    hasher, dummy = _hasher()
    try:
        hasher.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(session: Session, *, user: User, label: str = "") -> str:
    """A new bearer token for the API; only its digest is stored, so show it once."""
    raw = "fb_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(raw), label=label)
    session.add(token)
    session.flush()
    audit.record(session, user_id=user.id, action="token.create", obj=token, label=label)
    return raw


def user_for_token(session: Session, *, raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None:
        return None
    user = session.get(User, token.user_id)
    return user if user and user.is_active else None
