"""``weerbaar gebruiker`` and ``weerbaar beoordeling`` through the real Typer app, and
the app's theme option."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from web_sample import MEASURE, build
from weerbaar.cli import _load_commands, app
from weerbaar.review import list_decisions, record_decision
from weerbaar.store import open_workspace
from weerbaar.web.accounts import load_session, login
from weerbaar.web.app import create_app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _load_commands()
    return CliRunner()


def test_web_cli_user_create_scope_and_deactivate(runner: CliRunner, tmp_path: Path):
    ws_dir = tmp_path / "w"
    ws = open_workspace(ws_dir)
    build(ws, n_a=3)
    args = ["gebruiker", "maak", "karin", "--rol", "beoordelaar", "--organisatie", "GM9901"]
    r = runner.invoke(
        app, [*args, "--wachtwoord-stdin", "-w", str(ws_dir)], input="lang-genoeg-ww\n"
    )
    assert r.exit_code == 0, r.output
    assert "karin" in r.output and "GM9901" in r.output
    session = login(ws, "karin", "lang-genoeg-ww")
    assert session.user.organisations == ("GM9901",) and session.user.can_review
    # a second account with the same name, a bad role or a short password is refused
    again = runner.invoke(
        app, [*args, "--wachtwoord-stdin", "-w", str(ws_dir)], input="lang-genoeg-ww\n"
    )
    assert again.exit_code != 0
    bad_role = runner.invoke(
        app,
        ["gebruiker", "maak", "x", "--rol", "baas", "--wachtwoord-stdin", "-w", str(ws_dir)],
        input="lang-genoeg-ww\n",
    )
    assert bad_role.exit_code != 0
    short = runner.invoke(
        app,
        ["gebruiker", "maak", "y", "--rol", "lezer", "--wachtwoord-stdin", "-w", str(ws_dir)],
        input="kort\n",
    )
    assert short.exit_code != 0
    listed = runner.invoke(app, ["gebruiker", "lijst", "--json", "-w", str(ws_dir)])
    users = {u["naam"]: u for u in json.loads(listed.stdout)}
    assert users["karin"]["organisaties"] == ["GM9901"] and "x" not in users
    r = runner.invoke(app, ["gebruiker", "deactiveer", "karin", "-w", str(ws_dir)])
    assert r.exit_code == 0, r.output
    assert load_session(ws, session.token) is None
    ws.close()


def test_web_cli_export_import_agreement(runner: CliRunner, tmp_path: Path):
    ws_dir = tmp_path / "w"
    ws = open_workspace(ws_dir)
    s = build(ws, n_a=4)
    for p, x, y in zip(s.a, ["ja", "nee", "ja", "ja"], ["ja", "nee", "nee", "ja"], strict=True):
        record_decision(ws, reviewer="anna", passage_id=p.id, measure_id=MEASURE, relevant=x)
        record_decision(ws, reviewer="bram", passage_id=p.id, measure_id=MEASURE, relevant=y)
    out = tmp_path / "b.csv"
    r = runner.invoke(app, ["beoordeling", "exporteer", str(out), "-w", str(ws_dir)])
    assert r.exit_code == 0, r.output
    assert "8 beslissing" in r.output
    r = runner.invoke(
        app,
        [
            "beoordeling",
            "importeer",
            str(out),
            "--beoordelaar",
            "derde",
            "--json",
            "-w",
            str(ws_dir),
        ],
    )
    assert r.exit_code == 0, r.output
    # under one name, anna's and bram's rows meet: bram's differs on one passage only
    result = json.loads(r.stdout)
    assert (result["vastgelegd"], result["ongewijzigd"]) == (5, 3)
    assert len(list_decisions(ws, reviewer="derde")) == 4
    r = runner.invoke(app, ["beoordeling", "overeenstemming", "--json", "-w", str(ws_dir)])
    data = json.loads(r.stdout)
    (row,) = data["per_maatregel"]
    assert row["maatregel"] == MEASURE and row["paren"] == 12
    assert row["alpha"] is not None and {r["beoordelaar"] for r in data["per_beoordelaar"]} >= {
        "anna",
        "bram",
    }
    ws.close()


def test_web_theme_css_is_served_and_linked(tmp_path: Path):
    ws = open_workspace(tmp_path / "w")
    build(ws, n_a=3)
    css = tmp_path / "thema.css"
    css.write_text(".mijn-thema { --basis-color-accent-1-color-document: #003366; }")
    client = TestClient(create_app(ws, theme_css=css, theme_class="mijn-thema", rerank=False))
    page = client.get("/inloggen")
    assert '<link rel="stylesheet" href="/thema.css">' in page.text
    assert re.search(r'<html lang="nl" class="mijn-thema">', page.text)
    r = client.get("/thema.css")
    assert (
        r.status_code == 200
        and "#003366" in r.text
        and r.headers["content-type"].startswith("text/css")
    )
    plain = TestClient(create_app(ws, rerank=False))
    assert plain.get("/thema.css").status_code == 404
    ws.close()
