"""Hardening of reviewing (issue 17): decision imports cannot forge identities or
invent measures, malformed files get a Dutch 400, and reviewers posting while another
process holds the database's write lock lose no decision and do not stall the server."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from browser_support import serve
from web_sample import MEASURE, PASSWORD, Sample, build
from weerbaar.review import list_decisions
from weerbaar.store import open_workspace
from weerbaar.store.audit import list_events
from weerbaar.store.decisions import list_log
from weerbaar.web.accounts import create_user
from weerbaar.web.app import create_app

N_REVIEWERS = 20


@pytest.fixture
def sample(tmp_path) -> Iterator[Sample]:
    ws = open_workspace(tmp_path / "werkruimte")
    yield build(ws)
    ws.close()


def _login(client, name: str) -> str:
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": name, "wachtwoord": PASSWORD}
    )
    assert r.status_code == 303, r.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


def _import(client, token: str, body: bytes | str, name: str = "b.json"):
    return client.post(
        "/beslissingen/import",
        data={"csrf_token": token},
        files={"bestand": (name, body, "application/json")},
    )


# --------------------------------------------------------------------------- 7: forging
def test_import_cannot_forge_reviewers_measures_or_aspects(sample: Sample) -> None:
    app = create_app(sample.ws, rerank=False, stage_model=False)
    client = TestClient(app, follow_redirects=False)
    token = _login(client, "beheerzuid")  # administrator of GM9902 only
    pid = sample.b[1].id
    rows = [
        {"passage_id": pid, "measure_id": MEASURE, "reviewer": "anna", "relevant": "ja"},
        {"passage_id": pid, "measure_id": MEASURE, "reviewer": "niemand", "relevant": "ja"},
        {"passage_id": pid, "measure_id": MEASURE, "reviewer": "<script>", "relevant": "ja"},
        {"passage_id": pid, "measure_id": MEASURE, "reviewer": "lies", "relevant": "ja"},
        {"passage_id": pid, "measure_id": "99.99", "reviewer": "zuid", "relevant": "ja"},
        {
            "passage_id": pid,
            "measure_id": MEASURE,
            "reviewer": "zuid",
            "relevant": "ja",
            "aspects": ["2.2.zz"],
        },
        {"passage_id": pid, "measure_id": MEASURE, "reviewer": {"x": [1]}, "relevant": "ja"},
        ["geen", "object"],
        {"passage_id": pid, "measure_id": MEASURE, "reviewer": "zuid", "relevant": "ja"},
    ]
    r = _import(client, token, json.dumps(rows))
    assert r.status_code == 200, r.text
    assert "1 vastgelegd" in r.text
    assert "<script>" not in r.text
    decisions = list_decisions(sample.ws)
    assert [(d["reviewer"], d["measure_id"], d["aspects"]) for d in decisions] == [
        ("zuid", MEASURE, [])
    ]
    with sample.ws.read() as conn:
        log = list_log(conn)
        events = list_events(conn, "beslissingen_import")
    assert [(row["reviewer"], row["actor"]) for row in log] == [("zuid", "beheerzuid")]
    assert events[-1]["actor"] == "beheerzuid"
    assert events[-1]["details"]["overgeslagen"] == len(rows) - 1


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        (b'{"decisions": [', "geen geldige JSON"),
        (b"[" * 200_000 + b"]" * 200_000, "te diep genest"),
        (b"\xff\xfe\x00garbage", "geen UTF-8"),
        (b'{"decisions": "nee"}', "geen lijst"),
    ],
)
def test_malformed_import_is_a_dutch_400(sample: Sample, body: bytes, expect: str) -> None:
    app = create_app(sample.ws, rerank=False, stage_model=False)
    client = TestClient(app, follow_redirects=False)
    token = _login(client, "beheer")
    r = _import(client, token, body)
    assert r.status_code == 400
    assert expect in r.text
    assert list_decisions(sample.ws) == []


def test_decision_with_invented_aspect_is_refused(sample: Sample) -> None:
    app = create_app(sample.ws, rerank=False, stage_model=False)
    client = TestClient(app, follow_redirects=False)
    token = _login(client, "anna")
    r = client.post(
        f"/passage/{sample.a[0].id}/beslissing",
        data={
            "csrf_token": token,
            "maatregel": MEASURE,
            "relevant": "ja",
            "fase": "plan",
            "aspect": "2.2.zz",
        },
    )
    assert r.status_code == 400 and "Onbekende aspecten" in r.text
    assert list_decisions(sample.ws) == []


# --------------------------------------------------------------------------- 5: write lock
@pytest.mark.slow
def test_reviewers_posting_while_write_lock_is_held_lose_nothing(sample: Sample) -> None:
    ws = sample.ws
    names = [f"rev{i:02d}" for i in range(N_REVIEWERS)]
    for name in names:
        create_user(ws, name, role="beoordelaar", password=PASSWORD, organisations=["GM9901"])
    app = create_app(ws, rerank=False, stage_model=False)
    with serve(app) as base:
        clients = []
        for name in names:
            c = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
            clients.append((c, _login(c, name)))
        # another process takes the write lock (as a long ingest transaction would)
        holder = sqlite3.connect(ws.root / "weerbaar.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        released = threading.Event()
        statuses: list[int] = []
        lock = threading.Lock()

        def post(i: int) -> None:
            c, token = clients[i]
            r = c.post(
                f"/passage/{sample.a[i % len(sample.a)].id}/beslissing",
                data={"csrf_token": token, "maatregel": MEASURE, "relevant": "ja", "fase": "plan"},
            )
            with lock:
                statuses.append(r.status_code)

        threads = [threading.Thread(target=post, args=(i,)) for i in range(N_REVIEWERS)]
        for t in threads:
            t.start()
        try:
            # while the lock is held and 20 posts wait on it, the server still answers
            with httpx.Client(base_url=base, timeout=20) as probe:
                for _ in range(3):
                    assert probe.get("/inloggen").status_code == 200
            assert not released.is_set() and len(statuses) == 0  # all still waiting
            threading.Event().wait(2)
        finally:
            holder.execute("COMMIT")
            released.set()
            holder.close()
        for t in threads:
            t.join(60)
        for c, _ in clients:
            c.close()
    assert sorted(set(statuses)) == [303], statuses
    saved = {d["reviewer"] for d in list_decisions(ws)}
    assert saved == set(names)


@pytest.mark.slow
def test_lock_held_longer_than_the_busy_timeout_gives_a_dutch_503(sample: Sample) -> None:
    """Past SQLite's 30 s busy timeout the reviewer is told nothing was saved (503,
    Dutch), instead of a 500; after the lock is released the same post is stored."""
    app = create_app(sample.ws, rerank=False, stage_model=False)
    client = TestClient(app, follow_redirects=False)
    token = _login(client, "anna")
    holder = sqlite3.connect(sample.ws.root / "weerbaar.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    form = {"csrf_token": token, "maatregel": MEASURE, "relevant": "ja", "fase": "plan"}
    try:
        r = client.post(f"/passage/{sample.a[0].id}/beslissing", data=form)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503
    assert "niets opgeslagen" in r.text
    assert list_decisions(sample.ws) == []
    r = client.post(f"/passage/{sample.a[0].id}/beslissing", data=form)
    assert r.status_code == 303
    assert [d["reviewer"] for d in list_decisions(sample.ws)] == ["anna"]
