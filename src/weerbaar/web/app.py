"""The review web app: FastAPI + Jinja2, served by uvicorn on localhost.

``create_app(workspace)`` builds the app; ``serve(workspace, port)`` runs it. Routes are
in :mod:`weerbaar.web.routes`. Every page needs a live server-side session; every POST
needs the session's CSRF token in the form (and a same-origin ``Origin`` when sent);
everything outside the user's organisations answers 404.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from weerbaar.errors import WeerbaarError
from weerbaar.review.progress import RerankScheduler
from weerbaar.settings import environment
from weerbaar.store import Workspace, open_workspace
from weerbaar.store.statistics import refresh_statistics
from weerbaar.web.deps import (  # noqa: F401  (re-exported for older imports)
    HERE,
    LOCAL_HOSTS,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    AppState,
    NotLoggedIn,
    catalog,
    check_origin,
    checked_form,
    is_local,
    measure_title,
    org_name,
    read_form,
    render,
    require_session,
    state,
    templates_env,
)
from weerbaar.web.security import SecurityMiddleware

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """When the server starts: fresh query planner statistics (SQLite; in a background
    thread, so a scan holding the write lock does not delay the start), and everything
    loaded so far (modules, catalogue, templates) moved out of the garbage collector's
    view, so its full collections stay short and a page view does not pause for them
    (they cost 100-300 ms at 1 M passages)."""
    stats = asyncio.get_running_loop().run_in_executor(
        None, refresh_statistics, app.state.weerbaar.ws
    )
    gc.collect()
    gc.freeze()
    yield
    await stats


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
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    css = theme_css or environment("WEERBAAR_WEB_THEMA_CSS")
    css_path = Path(css).expanduser().resolve() if css else None
    if css_path is not None and not css_path.is_file():
        raise WeerbaarError(f"Themabestand {css_path} bestaat niet.")
    app = FastAPI(
        title="weerbaar beoordelen",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    app.state.weerbaar = AppState(
        ws=ws,
        templates=templates_env(),
        theme_css=css_path,
        theme_class=theme_class or environment("WEERBAAR_WEB_THEMA_KLASSE") or "voorbeeld-theme",
        reranker=RerankScheduler(ws, enabled=rerank),
        stage_model=stage_model,
    )
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _add_error_handlers(app)
    _add_routes(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Dutch error pages; a redirect to the login page when not logged in."""

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

    from sqlalchemy.exc import OperationalError

    @app.exception_handler(OperationalError)
    async def _database_busy(request: Request, exc: OperationalError) -> Response:
        if "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower():
            return await _unexpected_error(request, exc)
        log.warning("database busy on %s: %s", request.url.path, exc.orig)
        return render(
            request,
            "error.html",
            status_code=503,
            message="De database is bezet door een ander proces. Er is niets opgeslagen: "
            "ga terug en verstuur het formulier opnieuw.",
            status=503,
        )

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


def _add_routes(app: FastAPI) -> None:
    from weerbaar.web import routes, routes_review, routes_selfassess, routes_team
    from weerbaar.web.deps import add_routes

    for module in (routes, routes_review, routes_team, routes_selfassess):
        add_routes(app, module.router)


def allowed_hosts(host: str, hostnames: list[str] | None = None) -> set[str]:
    """The Host names the server answers to: this machine's local names, the address it
    listens on (unless all), the names given and those in ``WEERBAAR_WEB_HOSTS``."""
    from weerbaar.web.security import LOCAL_NAMES

    names = set(LOCAL_NAMES) | {h.strip() for h in hostnames or [] if h.strip()}
    extra = environment("WEERBAAR_WEB_HOSTS") or ""
    names |= {h.strip() for h in extra.split(",") if h.strip()}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host)
    return names


def serve_app(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    proxy: str | None = None,
    hostnames: list[str] | None = None,
    workers: int = 1,
) -> None:
    """Run ``app`` with uvicorn (blocking). ``proxy``: the reverse proxy's address(es),
    comma-separated; only from those are ``X-Forwarded-For`` / ``X-Forwarded-Proto``
    honoured (so the app sees the client's address and ``https``, and sets secure
    cookies). Requests for another Host than :func:`allowed_hosts` are refused.
    ``workers`` > 1 runs that many processes on the same workspace (each builds its own
    app with :func:`app_from_environment`; sessions and login throttling live in the
    database, so they hold across processes)."""
    import uvicorn

    from weerbaar.web.security import HostCheckMiddleware

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": bool(proxy),
        "forwarded_allow_ips": proxy or "",
        "server_header": False,
    }
    if workers > 1:
        st: AppState = app.state.weerbaar
        os.environ["WEERBAAR_WERKRUIMTE"] = str(st.ws.root)
        os.environ["WEERBAAR_WEB_HOSTS"] = ",".join(sorted(allowed_hosts(host, hostnames)))
        if st.theme_css is not None:
            os.environ["WEERBAAR_WEB_THEMA_CSS"] = str(st.theme_css)
            os.environ["WEERBAAR_WEB_THEMA_KLASSE"] = st.theme_class
        uvicorn.run(
            "weerbaar.web.app:app_from_environment", factory=True, workers=workers, **options
        )
        return
    uvicorn.run(HostCheckMiddleware(app, allowed_hosts(host, hostnames)), **options)


def app_from_environment() -> Any:
    """The app of one worker process when serving with several: the workspace from
    ``WEERBAAR_WERKRUIMTE``, the Host names from ``WEERBAAR_WEB_HOSTS``."""
    from weerbaar.web.security import HostCheckMiddleware

    root = environment("WEERBAAR_WERKRUIMTE")
    if not root:
        raise WeerbaarError("WEERBAAR_WERKRUIMTE is niet gezet: geen werkruimte voor de webapp.")
    app = create_app(root)
    return HostCheckMiddleware(app, allowed_hosts("127.0.0.1"))


def serve(
    workspace: str | Path, *, port: int = 8000, host: str = "127.0.0.1", proxy: str | None = None
) -> None:
    """Run the app for a workspace with uvicorn (blocking)."""
    serve_app(create_app(workspace), host=host, port=port, proxy=proxy)
