"""Serving the app to a team: ``weerbaar web --host 0.0.0.0`` really listens on every
address, and behind a reverse proxy the forwarded headers of the trusted proxy decide
the scheme, so cookies are ``Secure`` over HTTPS (and only then)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import httpx
import pytest
import uvicorn

from browser_support import free_port
from web_sample import build
from weerbaar.store import open_workspace

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow


@pytest.fixture()
def ws(tmp_path):
    w = open_workspace(tmp_path / "werkruimte")
    build(w, n_a=3)
    yield w
    w.close()


def _serve(app, port: int, proxy: str | None):
    srv = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            proxy_headers=bool(proxy),
            forwarded_allow_ips=proxy or "",
        )
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return srv, thread


def _login_cookie(url: str, headers: dict[str, str]) -> str:
    r = httpx.get(url + "/inloggen", headers=headers)
    assert r.status_code == 200
    return r.headers["set-cookie"]


def test_web_forwarded_proto_from_trusted_proxy_gives_secure_cookies(ws):
    from weerbaar.web.app import create_app

    app = create_app(ws, rerank=False, stage_model=False)
    port = free_port()
    srv, thread = _serve(app, port, proxy="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{port}"
        plain = _login_cookie(url, {})
        assert "secure" not in plain.lower()
        behind = _login_cookie(url, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
        assert "secure" in behind.lower() and "httponly" in behind.lower()
    finally:
        srv.should_exit = True
        thread.join(10)


def test_web_forwarded_headers_ignored_without_trusted_proxy(ws):
    from weerbaar.web.app import create_app

    app = create_app(ws, rerank=False, stage_model=False)
    port = free_port()
    srv, thread = _serve(app, port, proxy=None)
    try:
        cookie = _login_cookie(f"http://127.0.0.1:{port}", {"X-Forwarded-Proto": "https"})
        assert "secure" not in cookie.lower()  # a client cannot claim HTTPS itself
    finally:
        srv.should_exit = True
        thread.join(10)


def test_web_cli_host_all_addresses(ws):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "weerbaar",
            "web",
            "--werkruimte",
            str(ws.root),
            "--host",
            "0.0.0.0",
            "--poort",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/inloggen", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200
        listening = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        if listening:
            assert f"0.0.0.0:{port}" in listening
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "onversleuteld HTTP" in out


def test_web_cli_two_workers_share_sessions(ws):
    """``--werkers 2`` behind a proxy (the README's command): two processes on one
    workspace; a session made by one is valid in the other (sessions live in the
    database), so every request of the logged-in client succeeds whichever process
    answers it; the public name with HTTPS from the proxy gives Secure cookies; another
    Host name is refused."""
    import re

    from web_sample import PASSWORD

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "weerbaar",
            "web",
            "--werkruimte",
            str(ws.root),
            "--poort",
            str(port),
            "--werkers",
            "2",
            "--proxy",
            "127.0.0.1",
            "--hostnaam",
            "weerbaar.example.nl",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(base + "/inloggen", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=20) as client:
            token = re.search(
                r'name="login_token" value="([^"]+)"', client.get("/inloggen").text
            ).group(1)
            r = client.post(
                "/inloggen",
                data={"gebruiker": "anna", "wachtwoord": PASSWORD, "login_token": token},
            )
            assert r.status_code == 303
            statuses = [client.get("/werklijst").status_code for _ in range(12)]
        assert statuses == [200] * 12
        # as behind the README's nginx: the public name and HTTPS from the proxy
        behind = httpx.get(
            base + "/inloggen",
            headers={"Host": "weerbaar.example.nl", "X-Forwarded-Proto": "https"},
        )
        assert behind.status_code == 200 and "secure" in behind.headers["set-cookie"].lower()
        assert httpx.get(base + "/inloggen", headers={"Host": "evil.example"}).status_code == 400
        children = subprocess.run(
            ["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 2  # the worker processes (and uvicorn's helper)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
