"""Security middleware: response headers and a request body limit (pure ASGI)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Files served from the workspace (the original documents) never run as part of our site.
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"

SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"cross-origin-resource-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}

MAX_BODY = 256 * 1024  # forms
MAX_UPLOAD = 20 * 1024 * 1024  # decision import files
UPLOAD_PATHS = ("/beslissingen/import",)


class SecurityMiddleware:
    """Adds security headers to every response and refuses bodies above the limit
    (413) from the Content-Length header or while streaming."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_UPLOAD if scope["path"] in UPLOAD_PATHS else MAX_BODY
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = True
            if too_big:
                await _plain(send, 413, "Verzoek is te groot.")
                return

        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out: list[Any] = list(message.get("headers") or [])
                present = {k.lower() for k, _ in out}
                if b"content-security-policy" not in present:
                    out.append((b"content-security-policy", CSP.encode()))
                for k, v in SECURITY_HEADERS.items():
                    if k not in present:
                        out.append((k, v))
                if b"cache-control" not in present:
                    static = scope["path"].startswith("/static/")
                    out.append(
                        (b"cache-control", b"public, max-age=3600" if static else b"no-store")
                    )
                message = {**message, "headers": out}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _plain(send, 413, "Verzoek is te groot.")


class _TooLarge(Exception):
    pass


LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def host_name(value: str) -> str:
    """The host part of a Host header value, lower case, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostCheckMiddleware:
    """Refuses (400) a request whose Host header is not one of the allowed names: a web
    page elsewhere cannot reach the app through a DNS name that it points at this
    machine (DNS rebinding)."""

    def __init__(self, app: ASGIApp, allowed: set[str] | frozenset[str]) -> None:
        self.app = app
        self.allowed = frozenset(host_name(h) for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                await _plain(send, 400, "Onbekende hostnaam; deze app is hier niet bereikbaar.")
                return
        await self.app(scope, receive, send)


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"content-security-policy", CSP.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
