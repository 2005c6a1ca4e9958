"""What every router shares: the request's transaction, the signed-in user, CSRF, templates.

A request is authenticated either by a bearer token (the JSON API; no CSRF needed, the
browser never sends it on its own) or by the signed session cookie (the pages). A
cookie-authenticated request that changes state must carry the session's CSRF token, as the
form field `csrf_token` or the `X-CSRF-Token` header that htmx sends from `<body hx-headers>`.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.db import get_session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ROOT = Path(__file__).resolve().parent.parent

templates = Jinja2Templates(directory=str(ROOT / "templates"))

SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class LoginRequired(Exception):
    """A page needs a signed-in user; `app.main` redirects to the sign-in page."""


class CsrfFailed(Exception):
    """A state-changing cookie request came without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request made with a signed-in cookie whose token is missing or wrong.

    Without a signed-in session there is no ambient authority to abuse, and the request
    fails (401 or the sign-in page) on its own.
    """
    if request.method in SAFE_METHODS or _bearer(request) or "user_id" not in request.session:
        return
    await verify_csrf(request)


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong (the sign-in form uses
    this directly, so nobody can sign a victim into an attacker's account)."""
    sent = request.headers.get("x-csrf-token")
    if not sent and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get("csrf_token")
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def optional_user(request: Request, session: SessionDep,
                  _csrf: Annotated[None, Depends(check_csrf)]) -> User | None:
    """The signed-in user (bearer token first, then session cookie), or None."""
    raw = _bearer(request)
    if raw:
        return accounts.user_for_token(session, raw=raw)
    user_id = request.session.get("user_id")
    user = accounts.get(session, user_id=user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        request.session.pop("user_id", None)
        return None
    return user


def required_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[User, Depends(required_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, name: str, status_code: int = 200, **context: Any):
    """A page, or its fragment for htmx requests when the caller passes `partial=`."""
    partial = context.pop("partial", None)
    template = partial if partial and is_htmx(request) else name
    return templates.TemplateResponse(request, template, context, status_code=status_code)


templates.env.globals["csrf_token"] = csrf_token
