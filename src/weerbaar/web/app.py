"""The review web app: FastAPI + Jinja2, served by uvicorn on localhost.

``create_app(workspace)`` builds the app; ``serve(workspace, port)`` runs it. Routes are
in :mod:`weerbaar.web.routes`. Every page needs a live server-side session; every POST
needs the session's CSRF token in the form (and a same-origin ``Origin`` when sent);
everything outside the user's organisations answers 404.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from weerbaar.errors import WeerbaarError
from weerbaar.review.progress import RerankScheduler
from weerbaar.store import Workspace, open_workspace
from weerbaar.web.accounts import Session, load_session
from weerbaar.web.security import SecurityMiddleware

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "weerbaar_sessie"
LOGIN_COOKIE = "weerbaar_inlog"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "testserver"}


class NotLoggedIn(Exception):
    """Raised by :func:`require_session`; answered with a redirect to the login page."""


@dataclass
class AppState:
    ws: Workspace
    templates: Jinja2Templates
    theme_css: Path | None
    theme_class: str
    reranker: RerankScheduler
    stage_model: bool = True
    org_names: dict[str, str] = field(default_factory=dict)
    failed_logins: dict[str, list[float]] = field(default_factory=dict)  # name -> times


def templates_env() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,  # every variable is escaped; document text is never marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nl_num"] = lambda v: f"{v:,}".replace(",", ".") if isinstance(v, int) else v
    env.filters["ja_nee"] = lambda v: "—" if v is None else ("ja" if v else "nee")
    return Jinja2Templates(env=env)


def state(request: Request) -> AppState:
    return request.app.state.weerbaar  # type: ignore[no-any-return]


def require_session(request: Request) -> Session:
    session = load_session(state(request).ws, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotLoggedIn
    request.state.session = session
    return session


def is_local(request: Request) -> bool:
    return (request.url.hostname or "") in LOCAL_HOSTS and request.url.scheme == "http"


def check_origin(request: Request) -> None:
    """Refuse a POST whose Origin (or, without it, Referer) is another site."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None:
        if origin != own:
            raise HTTPException(403, "Verzoek van een andere herkomst geweigerd.")
        return
    referer = request.headers.get("referer")
    if referer is not None and not (referer == own or referer.startswith(own + "/")):
        raise HTTPException(403, "Verzoek van een andere herkomst geweigerd.")


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """Parse a form with tight limits (fields, files, part size)."""
    try:
        return await request.form(max_fields=200, max_files=max_files, max_part_size=64 * 1024)
    except StarletteHTTPException:
        raise
    except Exception as exc:  # malformed multipart / too many fields
        raise HTTPException(400, "Het formulier kan niet worden gelezen.") from exc


async def checked_form(request: Request, session: Session, *, max_files: int = 0) -> FormData:
    """The form of a POST after the Origin and CSRF checks (403 on failure)."""
    check_origin(request)
    form = await read_form(request, max_files=max_files)
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(
        token.encode(), session.csrf_token.encode()
    ):
        raise HTTPException(403, "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw.")
    return form


@lru_cache(maxsize=4)
def _catalog_cached(_key: str) -> Any:
    try:
        from weerbaar.catalog import load_catalog

        return load_catalog()
    except Exception as exc:  # no catalogue data: the app still works with measure ids
        log.warning("catalogue not available: %s", exc)
        return None


def catalog() -> Any:
    return _catalog_cached("default")


def measure_title(measure_id: str) -> str:
    cat = catalog()
    if cat is not None:
        try:
            return str(cat.measure(measure_id).title)
        except Exception:
            pass
    return ""


def org_name(request: Request, code: str | None) -> str:
    """The organisation's name (workspace organisations, then the register), cached."""
    if not code:
        return "onbekend"
    st = state(request)
    if code not in st.org_names:
        try:
            from weerbaar.store.organisations import resolve_organisation

            st.org_names[code] = str(resolve_organisation(st.ws, code).name)
        except Exception:
            st.org_names[code] = code
    return st.org_names[code]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    session: Session | None = getattr(request.state, "session", None)
    st = state(request)
    base = {
        "request": request,
        "session": session,
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else "",
        "theme_class": st.theme_class,
        "has_theme_css": st.theme_css is not None,
        "org_name": lambda code: org_name(request, code),
        "measure_title": measure_title,
    }
    base.update(context)
    return st.templates.TemplateResponse(request, template, base, status_code=status_code)


def create_app(
    workspace: Workspace | str | Path,
    *,
    theme_css: str | Path | None = None,
    theme_class: str | None = None,
    rerank: bool = True,
    stage_model: bool = True,
) -> FastAPI:
    """The app for one workspace. ``theme_css`` is an organisation's own design-token CSS
    file (NL Design System tokens) served after the built-in one, with ``theme_class`` the
    class that activates it (default: ``voorbeeld-theme``). Both can also be set with
    ``WEERBAAR_WEB_THEMA_CSS`` and ``WEERBAAR_WEB_THEMA_KLASSE``. ``rerank`` turns the
    background re-ranking of a queue after each decision on or off; ``stage_model`` the
    (background-trained) stage classifier for suggested stages, else cue words only."""
    import os

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    css = theme_css or os.environ.get("WEERBAAR_WEB_THEMA_CSS")
    css_path = Path(css).expanduser().resolve() if css else None
    if css_path is not None and not css_path.is_file():
        raise WeerbaarError(f"Themabestand {css_path} bestaat niet.")
    app = FastAPI(title="weerbaar beoordelen", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.weerbaar = AppState(
        ws=ws,
        templates=templates_env(),
        theme_css=css_path,
        theme_class=theme_class or os.environ.get("WEERBAAR_WEB_THEMA_KLASSE") or "voorbeeld-theme",
        reranker=RerankScheduler(ws, enabled=rerank),
        stage_model=stage_model,
    )
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
        if request.method != "GET":
            return HTMLResponse("Niet ingelogd.", status_code=401)
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        from urllib.parse import quote

        return RedirectResponse(f"/inloggen?volgende={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            400: "Het verzoek is ongeldig.",
            403: "U heeft geen toegang tot deze actie.",
            404: "Deze pagina bestaat niet of valt buiten uw organisaties.",
            405: "Deze actie is hier niet toegestaan.",
        }
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        message = detail or messages.get(exc.status_code, "Er ging iets mis.")
        if exc.status_code == 405:
            message = messages[405]
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            message=message,
            status=exc.status_code,
        )

    @app.exception_handler(WeerbaarError)
    async def _expected_error(request: Request, exc: WeerbaarError) -> Response:
        return render(request, "error.html", status_code=400, message=str(exc), status=400)

    @app.exception_handler(Exception)
    async def _unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return render(
            request,
            "error.html",
            status_code=500,
            message="Er ging iets mis in de app. Probeer het opnieuw of meld het de beheerder.",
            status=500,
        )

    from fastapi.routing import APIRoute

    from weerbaar.web.routes import router

    # Add the routes one by one, so ``app.routes`` lists every route (the route-matrix
    # security test is generated from it).
    for route in router.routes:
        if isinstance(route, APIRoute):
            app.add_api_route(
                route.path,
                route.endpoint,
                methods=sorted(route.methods),
                name=route.name,
                include_in_schema=False,
            )
    from weerbaar.web.routes_selfassess import register as register_selfassess  # zelfscan

    register_selfassess(app)
    return app


def serve(workspace: str | Path, *, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    app = create_app(workspace)
    uvicorn.run(
        app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False
    )
