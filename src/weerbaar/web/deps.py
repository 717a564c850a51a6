"""What the routes of the review app share: the app state, the session and CSRF checks,
parsing of path and query values, and rendering. Routes import from here (never from
``weerbaar.web.app``), so the app module can import the routes without a cycle."""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from weerbaar.errors import WeerbaarError
from weerbaar.review.progress import RerankScheduler
from weerbaar.store import Workspace
from weerbaar.web.accounts import Session, load_session

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


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Add the routes of ``router`` to ``app`` one by one, so that ``app.routes`` lists
    every route (the route-matrix security tests are generated from it)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            app.add_api_route(
                route.path,
                route.endpoint,
                methods=sorted(route.methods or ()),
                name=route.name,
                include_in_schema=False,
            )


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


# --------------------------------------------------------------------------- parsing
MEASURE_RE = re.compile(r"^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$")
ORG_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PAGE_SIZE = 50


def measure_key(mid: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in mid.split("."))


def scope(session: Session) -> list[str] | None:
    """The organisations the user may see (None: all)."""
    orgs = session.user.organisations
    return list(orgs) if orgs is not None else None


def visible_org(session: Session, code: str) -> str:
    if not ORG_RE.match(code) or not session.user.may_see(code):
        raise HTTPException(404)
    return code


def valid_measure(measure_id: str | None) -> str:
    """A measure id of the catalogue (any well-formed id when no catalogue loads)."""
    if not measure_id or not MEASURE_RE.match(measure_id):
        raise HTTPException(404)
    cat = catalog()
    if cat is not None:
        try:
            cat.measure(measure_id)
        except WeerbaarError as exc:
            raise HTTPException(404) from exc
    return measure_id


def require_reviewer(session: Session) -> None:
    if not session.user.can_review:
        raise HTTPException(403, "Uw rol (lezer) mag geen beslissingen vastleggen.")


def require_admin(session: Session) -> None:
    if not session.user.is_admin:
        raise HTTPException(403, "Alleen een beheerder mag dit.")


def page_no(request: Request) -> int:
    try:
        return max(1, min(100_000, int(request.query_params.get("pagina", "1"))))
    except ValueError:
        return 1


def parse_id(raw: str) -> int:
    """A database id from a path or query value (404 when it is not one)."""
    if not raw.isdigit() or len(raw) > 12:
        raise HTTPException(404)
    return int(raw)


def safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def content_disposition(kind: str, name: str) -> str:
    """RFC 6266 header value: an ASCII fallback and the UTF-8 name, no control chars."""
    clean = "".join(c for c in name if c.isprintable() and c not in '\\/"\r\n;')
    clean = clean.strip(" .")[:150] or "document"
    ascii_name = "".join(
        c if c.isascii() and (c.isalnum() or c in " ._-()") else "_" for c in clean
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"
