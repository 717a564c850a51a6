"""Active learning through the web app: after decisions the search stage's re-ranker
re-orders the rest of the queue in the background, and the queue page shows its
estimate of relevant passages left."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from weerbaar.review.sample import add_document
from weerbaar.search import scan
from weerbaar.store import decisions as q
from weerbaar.store import open_workspace
from weerbaar.web.accounts import create_user
from weerbaar.web.app import create_app

PASSWORD = "proef-wachtwoord-123"
# Our own sentences: some on emergency drinking water (measure 3.2), the rest filler.
TEXTS = [
    "Bij uitval van de waterlevering worden zorginstellingen met voorrang bevoorraad met "
    "flessenwater, volgens het draaiboek drinkwateronderbreking.",
    "Met het waterbedrijf zijn noodtappunten en distributieroutes voor nooddrinkwater "
    "vastgelegd, zodat inwoners binnen loopafstand water kunnen halen.",
    "De gemeente oefent jaarlijks met het waterbedrijf het uitdelen van nooddrinkwater "
    "op de aangewezen tappunten.",
    "Het gemeentehuis krijgt een vaste aansluiting voor een mobiel noodstroomaggregaat.",
    "De raad besprak de herinrichting van het marktplein en de nieuwe fietsenstalling.",
    "Het sportpark krijgt nieuwe kleedkamers en een kunstgrasveld.",
    "De begroting sluit met een klein positief saldo; de reserves blijven op peil.",
    "Bij een langdurige storing in de drinkwatervoorziening informeert de gemeente "
    "inwoners over de tappunten via de noodsteunpunten.",
]


def test_web_decisions_trigger_rerank_and_estimate(tmp_path: Path):
    ws = open_workspace(tmp_path / "w")
    add_document(ws, organisation_code="GM9999", title="Begroting", pages=[TEXTS])
    scan(ws, progress=False)
    with ws.read() as conn:
        queue = q.queue(conn, organisation="GM9999", measure_id="3.2", limit=100)
    assert len(queue) >= 3
    create_user(ws, "anna", role="beoordelaar", password=PASSWORD)
    app = create_app(ws)
    client = TestClient(app, follow_redirects=False)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    client.post(
        "/inloggen", data={"login_token": token, "gebruiker": "anna", "wachtwoord": PASSWORD}
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
    by_text = {r["passage_id"]: r["text"] for r in queue}
    for pid, text in list(by_text.items())[:2]:
        relevant = "ja" if "water" in text else "nee"
        r = client.post(
            f"/passage/{pid}/beslissing",
            data={
                "csrf_token": csrf,
                "maatregel": "3.2",
                "relevant": relevant,
                "fase": "plan",
                "context": "ja",
            },
        )
        assert r.status_code == 303
    scheduler = app.state.weerbaar.reranker
    assert scheduler.wait_idle(120)
    summary = scheduler.estimate("GM9999", "3.2")
    assert summary is not None and summary["reranked"] == len(queue)
    assert summary["expected_relevant_remaining"] >= 0
    with ws.read() as conn:
        after = q.queue(conn, organisation="GM9999", measure_id="3.2", limit=100)
    assert {r["passage_id"] for r in after} == set(by_text)
    # decided passages stay on top, the open rest is ordered by the new scores
    decided = set(list(by_text)[:2])
    assert {r["passage_id"] for r in after[:2]} == decided
    open_scores = [r["score"] for r in after[2:]]
    assert open_scores == sorted(open_scores, reverse=True)
    page = client.get("/wachtrij/GM9999/3.2")
    assert "herordening" in page.text
    ws.close()
