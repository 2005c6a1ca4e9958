"""The FastAPI application: middleware, routers and the mapping of errors to responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from app.accounts.routes import router as accounts_router
from app.codebook.pages import router as codebook_pages_router
from app.codebook.routes import router as codebook_router
from app.coding.pages import router as coding_pages_router
from app.coding.routes import router as coding_router
from app.documents.routes import router as documents_router
from app.errors import FieldbenchError
from app.exchange.routes import router as exchange_router
from app.exports.pages import router as exports_pages_router
from app.exports.routes import router as exports_router
from app.jobs.routes import router as jobs_router
from app.jobs.worker import lifespan as jobs_lifespan
from app.memos.pages import router as memos_pages_router
from app.memos.routes import router as memos_router
from app.projects.routes import router as projects_router
from app.pseudonyms.pages import router as pseudonyms_pages_router
from app.pseudonyms.routes import router as pseudonyms_router
from app.retrieval.pages import router as retrieval_pages_router
from app.retrieval.routes import router as retrieval_router
from app.settings import get_settings
from app.suggestions.pages import router as suggestions_pages_router
from app.suggestions.routes import router as suggestions_router
from app.web import ROOT, CsrfFailed, LoginRequired, render

ROUTERS = [accounts_router, projects_router, documents_router, codebook_router,
           codebook_pages_router, coding_router, coding_pages_router,
           memos_router, memos_pages_router,
           suggestions_router, suggestions_pages_router, jobs_router,
           pseudonyms_router, pseudonyms_pages_router, retrieval_router,
           retrieval_pages_router, exchange_router, exports_router,
           exports_pages_router]
SESSION_DAYS = 14


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "bearer" in request.headers.get(
        "authorization", "").lower()


def _error(request: Request, status: int, message: str):
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status_code=status, message=message, status=status,
                  user=None)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FieldbenchError)
    async def fieldbench_error(request: Request, err: FieldbenchError):
        return _error(request, err.status_code, err.message)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _err: LoginRequired):
        if _wants_json(request):
            return JSONResponse({"detail": "sign in, or send a bearer token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = request.url_for("login_page").include_query_params(next=target)
        if request.headers.get("hx-request"):
            return JSONResponse({}, status_code=401, headers={"HX-Redirect": str(login)})
        return RedirectResponse(login, status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _err: CsrfFailed):
        return _error(request, 403, "the form has expired or did not come from Fieldbench: "
                                    "reload the page and try again")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException):
        return _error(request, err.status_code, str(err.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, err: RequestValidationError):
        if _wants_json(request):
            return JSONResponse({"detail": _describe(err)}, status_code=422)
        return _error(request, 422, _describe(err))


def _describe(err: RequestValidationError) -> str:
    parts = []
    for item in err.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where}: {item.get('msg', 'invalid')}" if where else item.get("msg", ""))
    return "; ".join(parts) or "invalid request"


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering, unlike @app.middleware("http"))."""

    HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"same-origin")]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.HEADERS
            await send(message)
        await self.app(scope, receive, send_with_headers)


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="Fieldbench", version="0.1.0", lifespan=jobs_lifespan,
                  description="Ethnographic qualitative coding for research teams. "
                              "Offsets are code-point (Python str) indices into document text.")
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key,
                       session_cookie="fieldbench_session", max_age=SESSION_DAYS * 86400,
                       same_site="lax", https_only=settings.secure_cookies)
    app.mount("/static", StaticFiles(directory=ROOT / "app" / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True}

    app.add_middleware(SecurityHeaders)
    return app
