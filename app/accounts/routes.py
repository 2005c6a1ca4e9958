"""Sign-in and sign-out pages, and API tokens."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import service
from app.accounts.schemas import TokenOut, UserOut
from app.errors import Unauthorised
from app.schemas import errors
from app.web import CurrentUser, MaybeUser, SessionDep, render, verify_csrf

router = APIRouter()


def _safe_next(url: str | None) -> str:
    """Only local paths, so the sign-in page cannot be used to send people elsewhere."""
    return url if url and url.startswith("/") and not url.startswith("//") else "/"


@router.get("/login", name="login_page", include_in_schema=False)
def login_page(request: Request, user: MaybeUser, next: str | None = None):
    if user:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "accounts/login.html", next=_safe_next(next), error=None)


@router.post("/login", name="login", include_in_schema=False,
             dependencies=[Depends(verify_csrf)])
def login(request: Request, session: SessionDep, _user: MaybeUser,
          email: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/"):
    user = service.authenticate(session, email=email, password=password)
    if user is None:
        return render(request, "accounts/login.html", status_code=401, next=_safe_next(next),
                      error="That e-mail and password do not match an account.", email=email)
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", name="logout", include_in_schema=False)
def logout(request: Request, _user: MaybeUser):
    request.session.clear()
    return RedirectResponse(request.url_for("login_page"), status_code=303)


@router.post("/api/auth/token", name="api_token", response_model=TokenOut,
             responses=errors(401), tags=["accounts"])
def issue_token(session: SessionDep, email: Annotated[str, Form()],
                password: Annotated[str, Form()]):
    """Exchange an e-mail and password for a bearer token for the JSON API."""
    user = service.authenticate(session, email=email, password=password)
    if user is None:
        raise Unauthorised("that e-mail and password do not match an account")
    return TokenOut(access_token=service.create_token(session, user=user, label="api"))


@router.get("/api/me", name="api_me", response_model=UserOut, responses=errors(401),
            tags=["accounts"])
def me(user: CurrentUser):
    """The account the request is signed in as."""
    return UserOut(id=user.id, email=user.email, name=user.name)
