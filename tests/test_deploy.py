"""The deployment recipe (``deploy/``, ``docs/installatie-server.md``): the commands of the
systemd units run here as systemd would run them (environment file, ``%i``, ``%%``, ``$$``),
against a workspace on this run's store: reading the inbox, the scan, two instances of the
web app sharing one database (a session made on one works on the other) and the backup."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from weerbaar.store import open_workspace
from weerbaar.store.db import database_url
from weerbaar.web.accounts import create_user

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "deploy" / "systemd"
VENV_BIN = "/opt/weerbaar/.venv/bin/"
PASSWORD = "Lange-zin-voor-de-test-42"

pytestmark = pytest.mark.slow


def exec_lines(unit: str) -> list[str]:
    text = (UNITS / unit).read_text(encoding="utf-8")
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith("ExecStart=")]


def systemd_argv(line: str, env: dict[str, str], instance: str = "") -> list[str]:
    """The argument list systemd makes of an ExecStart line (the parts we use)."""

    def expand(word: str) -> str:
        word = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], word)
        return (
            word.replace("%%", "\0").replace("%i", instance).replace("\0", "%").replace("$$", "$")
        )

    here = str(Path(sys.executable).parent) + "/"  # this checkout's venv for /opt/weerbaar's
    return [expand(w).replace(VENV_BIN, here) for w in shlex.split(line)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    """What /etc/weerbaar/weerbaar.env holds, for a workspace of this run's store."""
    ws_dir = tmp_path / "srv" / "werkruimte"
    ws = open_workspace(ws_dir)
    create_user(ws, "beheer", role="beheerder", password=PASSWORD)
    ws.close()
    inbox = tmp_path / "srv" / "inbox"
    inbox.mkdir()
    (inbox / "raadsbrief-2025.txt").write_text(
        "Raadsinformatiebrief\n\nDe gemeente oefent dit jaar het plan voor langdurige "
        "stroomuitval met de veiligheidsregio en richt in elke wijk een noodsteunpunt in.\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEERBAAR_DATABASE")}
    env.update(
        WEERBAAR_WERKRUIMTE=str(ws_dir),
        WEERBAAR_HOSTNAAM="127.0.0.1",
        WEERBAAR_INBOX=str(inbox),
        WEERBAAR_RESERVEKOPIE=str(tmp_path / "reservekopie"),
        WEERBAAR_ORGANISATIE="GM0363",
    )
    url = database_url(ws_dir)
    if url:
        env["WEERBAAR_DATABASE_URL"] = url
    return env


def test_deploy_env_example_names_every_variable_the_units_use() -> None:
    example = (REPO / "deploy" / "weerbaar.env.example").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(\w+)=", example, re.M))
    used = set()
    for unit in UNITS.iterdir():
        used |= set(re.findall(r"\$\{?\$?(WEERBAAR_\w+)", unit.read_text(encoding="utf-8")))
        if unit.suffix == ".service":
            assert "EnvironmentFile=/etc/weerbaar/weerbaar.env" in unit.read_text()
    assert used and used <= defined


def test_deploy_inlezen_scan_and_backup_units(server_env: dict[str, str], store: str) -> None:
    for unit in ("weerbaar-inlezen.service", "weerbaar-scan.service"):
        for line in exec_lines(unit):
            run = subprocess.run(systemd_argv(line, server_env), env=server_env,
                                 capture_output=True, text=True, timeout=600)  # fmt: skip
            assert run.returncode == 0, (unit, run.stdout[-2000:], run.stderr[-2000:])
    ws = open_workspace(server_env["WEERBAAR_WERKRUIMTE"], create=False)
    assert ws.dialect == store
    with ws.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM documents").scalar() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM scan_runs").scalar() == 1
    ws.close()

    for line in exec_lines("weerbaar-reservekopie.service"):
        run = subprocess.run(systemd_argv(line, server_env), env=server_env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
        assert run.returncode == 0, run.stderr
    backups = Path(server_env["WEERBAAR_RESERVEKOPIE"])
    dumps = list(backups.glob("weerbaar-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 0
    head = dumps[0].read_bytes()[:16]
    assert head.startswith(b"PGDMP" if store == "postgresql" else b"SQLite format 3")
    stored = [p for p in (backups / "werkruimte" / "bestanden").rglob("*") if p.is_file()]
    assert len(stored) == 1


def test_deploy_two_web_instances_share_sessions(server_env: dict[str, str]) -> None:
    ports = [free_port(), free_port()]
    (line,) = exec_lines("weerbaar-web@.service")
    procs = [
        subprocess.Popen(systemd_argv(line, server_env, str(port)), env=server_env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]  # fmt: skip
    try:
        clients = [httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=30) for p in ports]
        deadline = time.monotonic() + 120
        for client in clients:
            while True:
                try:
                    if client.get("/inloggen").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.3)
        # log in on the first instance ...
        page = clients[0].get("/inloggen")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = clients[0].post("/inloggen", data={"login_token": token, "gebruiker": "beheer",
                                               "wachtwoord": PASSWORD})  # fmt: skip
        assert r.status_code == 303, r.text
        assert clients[0].get("/").status_code == 200
        # ... and the second instance knows the session (it lives in the database)
        clients[1].cookies = clients[0].cookies
        assert clients[1].get("/").status_code == 200
        anonymous = httpx.get(f"http://127.0.0.1:{ports[1]}/", timeout=30)
        assert anonymous.status_code in (302, 303)
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
