"""Authentication hardening (issue 17, point 10): password policy with a list of common
passwords, user names of a safe alphabet unique without case, throttling per client and
per account without locking the account for everyone, and a Host allow-list."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_sample import PASSWORD, build
from weerbaar.store import open_workspace
from weerbaar.web.accounts import (
    MAX_FAILED_PER_CLIENT,
    AccountError,
    create_user,
    login,
    set_password,
)
from weerbaar.web.app import create_app
from weerbaar.web.security import HostCheckMiddleware


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    w = open_workspace(tmp_path_factory.mktemp("auth") / "werkruimte")
    build(w, n_a=3)
    yield w
    w.close()


@pytest.mark.parametrize(
    "weak",
    [
        "wachtwoord",  # too short and common
        "1234567890",
        " " * 11,
        " " * 20,  # long enough, only spaces
        "Wachtwoord2024!",  # a common word with a number and a sign stuck on
        "welkomwelkom",
        "qwertyuiop12",
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "12345678901234",
        "veiligheidsregio",
        "noordwaarde-nieuw-anna",  # contains the user name
    ],
)
def test_weak_passwords_are_refused(ws, weak: str) -> None:
    with pytest.raises(AccountError) as err:
        create_user(ws, "nieuw", role="lezer", password=weak)
    assert err.value.args[0]  # a Dutch reason
    with pytest.raises(AccountError):
        set_password(ws, "anna", weak.replace("nieuw", "anna"))


def test_good_password_and_safe_unique_names(ws) -> None:
    create_user(ws, "Nieuwe.Collega", role="lezer", password="paarse-fiets-onder-de-brug")
    # stored in lower case; logging in is without regard to case
    assert login(ws, "NIEUWE.collega", "paarse-fiets-onder-de-brug").user.name == "nieuwe.collega"
    for clash in ("nieuwe.collega", "NIEUWE.COLLEGA", "Anna"):
        with pytest.raises(AccountError, match="bestaat al"):
            create_user(ws, clash, role="lezer", password="paarse-fiets-onder-de-brug")
    for bad in ("<script>", "a b", "ëlla", "-begin", "x" * 65, "anna\u202e", ""):
        with pytest.raises(AccountError, match="gebruikersnaam"):
            create_user(ws, bad, role="lezer", password="paarse-fiets-onder-de-brug")


def _attempt(app, client_ip: str, name: str, password: str) -> int:
    client = TestClient(app, client=(client_ip, 40000), follow_redirects=False)
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/inloggen").text)
    data = {"login_token": token.group(1), "gebruiker": name, "wachtwoord": password}
    return client.post("/inloggen", data=data).status_code


def test_guessing_from_one_client_does_not_lock_out_the_owner(ws) -> None:
    app = create_app(ws, rerank=False, stage_model=False)
    attacker, owner = "203.0.113.7", "198.51.100.20"
    assert [_attempt(app, attacker, "lies", "geraden-wachtwoord") for _ in range(5)] == [401] * 5
    assert _attempt(app, attacker, "lies", PASSWORD) == 429  # this client waits
    assert _attempt(app, owner, "lies", PASSWORD) == 303  # the owner is not locked out


@pytest.mark.slow
def test_one_client_guessing_many_accounts_is_throttled(ws) -> None:
    app = create_app(ws, rerank=False, stage_model=False)
    names = [f"verzonnen{i}" for i in range(MAX_FAILED_PER_CLIENT)]
    assert {_attempt(app, "203.0.113.8", n, "geraden-wachtwoord") for n in names} == {401}
    assert _attempt(app, "203.0.113.8", "anna", PASSWORD) == 429
    assert _attempt(app, "198.51.100.21", "anna", PASSWORD) == 303


def test_host_allow_list(ws) -> None:
    app = HostCheckMiddleware(create_app(ws, rerank=False, stage_model=False), {"127.0.0.1"})
    ok = TestClient(app, base_url="http://127.0.0.1:8000")
    assert ok.get("/inloggen").status_code == 200
    rebound = TestClient(app, base_url="http://aanvaller.example:8000")
    r = rebound.get("/inloggen")
    assert r.status_code == 400 and "hostnaam" in r.text
    assert TestClient(app, base_url="http://[::1]:8000").get("/inloggen").status_code == 400
