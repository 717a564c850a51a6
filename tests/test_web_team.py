"""Issue 14 through the real app (TestClient, SQLite): the organisation page follows each
decision, "volgende open passage" crosses queues and organisations, /passages/{id} is the
one passage number, why a passage was suggested, no stage for "nee", the double review ->
disagreement -> curation flow with the audit log, agreement figures, filters, throttling
in the database."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from web_sample import MEASURE, PASSWORD, Sample, build
from weerbaar.review import agreement, list_decisions, record_decision
from weerbaar.review.agreement import krippendorff_alpha
from weerbaar.review.sample import add_candidates
from weerbaar.store import open_workspace
from weerbaar.web.accounts import create_user


@pytest.fixture()
def sample(tmp_path) -> Sample:
    ws = open_workspace(tmp_path / "werkruimte")
    s = build(ws, n_a=6)
    # a second queue (crucial measure 1.1 is not needed: 2.2 and 3.1 both exist)
    add_candidates(ws, organisation_code=s.org_b, measure_id="3.1", passage_ids=[s.b[3].id])
    create_user(ws, "overal", role="beoordelaar", password=PASSWORD)
    yield s
    ws.close()


@pytest.fixture()
def app(sample: Sample):
    from weerbaar.web.app import create_app

    return create_app(sample.ws, rerank=False, stage_model=False)


def login(app, name: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen",
        data={"gebruiker": name, "wachtwoord": PASSWORD, "login_token": token, "volgende": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/werklijst").text).group(1)


def decide(client: TestClient, pid: int, measure: str, **extra: str) -> str:
    data = {
        "csrf_token": csrf(client),
        "maatregel": measure,
        "relevant": "ja",
        "fase": "plan",
        **extra,
    }
    r = client.post(f"/passage/{pid}/beslissing", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def score_of(html: str, measure: str) -> str:
    row = re.search(
        rf'id="maatregel-{measure.replace(".", "-")}".*?data-score="([^"]+)"', html, re.S
    )
    assert row, measure
    return row.group(1)


def test_web_organisation_page_follows_decisions(app, sample: Sample):
    client = login(app, "anna")
    before = client.get(f"/organisaties/{sample.org_a}")
    assert before.status_code == 200
    assert score_of(before.text, MEASURE) == "Nog niet beoordeeld"
    for p in sample.a[:6]:
        decide(client, p.id, MEASURE, fase="uitvoering", juist="ja", context="ja")
    record_decision(
        sample.ws, reviewer="anna", passage_id=sample.xss.id, measure_id=MEASURE, relevant="nee"
    )
    after = client.get(f"/organisaties/{sample.org_a}")
    assert score_of(after.text, MEASURE) != "Nog niet beoordeeld"
    assert f"/passages/{sample.a[0].id}?maatregel={MEASURE}" in after.text  # evidence link
    # the other organisation stays invisible to anna
    assert client.get(f"/organisaties/{sample.org_b}").status_code == 404


def test_web_next_open_passage_crosses_organisations(app, sample: Sample):
    client = login(app, "overal")
    seen: list[tuple[int, str]] = []
    r = client.get("/volgende", follow_redirects=False)
    while r.headers["location"].startswith("/passages/"):
        loc = r.headers["location"]
        pid = int(loc.split("/passages/")[1].split("?")[0])
        measure = re.search(r"maatregel=([0-9.]+)", loc).group(1)
        assert "vervolg=werk" in loc
        seen.append((pid, measure))
        assert len(seen) < 50
        page = client.get(loc)
        assert page.status_code == 200
        data = {
            "csrf_token": csrf(client),
            "maatregel": measure,
            "relevant": "nee",
            "vervolg": "werk",
        }
        r = client.post(f"/passage/{pid}/beslissing", data=data, follow_redirects=False)
    assert r.headers["location"] == "/werklijst?klaar=1"
    orgs = {sample.ws and p for p, _ in seen}
    a_ids = {p.id for p in sample.a} | {sample.xss.id}
    b_ids = {p.id for p in sample.b}
    assert orgs & a_ids and orgs & b_ids  # both organisations
    assert len(seen) == len(a_ids) + len(b_ids) + 1  # 2.2 in both, plus 3.1 in Zuidhaven
    # organisations with the least evidence first: nobody had evidence, so the order
    # follows the catalogue order of measures; 2.2 comes before 3.1
    assert [m for _, m in seen].index("3.1") > 0
    # no stage and no aspects stored for "nee"
    assert all(d["stage"] is None for d in list_decisions(sample.ws, reviewer="overal"))


def test_web_passage_number_and_why(app, sample: Sample):
    client = login(app, "anna")
    pid = sample.a[0].id
    page = client.get(f"/passages/{pid}")  # a report citation: no measure given
    assert page.status_code == 200
    assert f"Passage {pid}" in page.text
    assert "Waarom voorgesteld?" in page.text and "Score van de zoekstap" in page.text
    assert '<mark class="wb-mark"' in page.text  # "noodsteunpunt" is a term of 2.2
    # the stage suggestion is not pre-selected
    assert not re.search(r'name="fase" value="[a-z]+"[^>]*checked', page.text)
    assert (
        client.get(f"/passages?id={pid}", follow_redirects=False).headers["location"]
        == f"/passages/{pid}"
    )
    assert client.get(f"/passages/{sample.b[0].id}").status_code == 404


def test_web_relevant_needs_a_chosen_stage(app, sample: Sample):
    """ "ja" without a stage is refused with a Dutch message and stores nothing; "nee"
    needs none and stores none."""
    client = login(app, "anna")
    pid = sample.a[1].id
    data = {"csrf_token": csrf(client), "maatregel": MEASURE, "relevant": "ja"}
    r = client.post(f"/passage/{pid}/beslissing", data=data, follow_redirects=False)
    assert r.status_code == 400 and "de fase die de passage laat zien" in r.text
    assert not [d for d in list_decisions(sample.ws) if d["passage_id"] == pid]
    decide(client, pid, MEASURE, relevant="nee", fase="")
    (d,) = [d for d in list_decisions(sample.ws) if d["passage_id"] == pid]
    assert (d["relevant"], d["stage"]) == ("nee", None)


def test_web_server_start_stores_planner_statistics(app, sample: Sample):
    """SQLite plans the score pages from statistics: the server's start stores them
    (PostgreSQL keeps its own)."""
    from sqlalchemy import text

    from weerbaar.store.statistics import refresh_statistics

    if not sample.ws.is_sqlite:
        assert refresh_statistics(sample.ws) is False
        return

    def stats() -> int:
        with sample.ws.read() as conn:
            has = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            ).scalar()
            return int(
                conn.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar() if has else 0
            )

    assert stats() == 0
    with TestClient(app) as client:  # runs the app's lifespan, as uvicorn does
        assert client.get("/inloggen").status_code == 200
    assert stats() > 0


def test_web_region_page_side_by_side(app, sample: Sample):
    from weerbaar.catalog import load_catalog

    client = login(app, "beheer")
    decide(client, sample.a[0].id, MEASURE, fase="uitvoering")
    page = client.get("/regios/VR99")
    assert page.status_code == 200
    heads = re.findall(r'scope="col"><a [^>]*href="/organisaties/([A-Z0-9]+)"', page.text)
    assert heads == ["VR99", sample.org_a, sample.org_b]  # the region first
    cells = re.findall(r'class="wb-score wb-score--([a-z]+)">([^<]+)<', page.text)
    assert len(cells) == len(load_catalog().measures) * len(heads)
    row = re.search(rf"<th[^>]*>{re.escape(MEASURE)} .*?</tr>", page.text, re.S).group(0)
    scores = re.findall(r'wb-score--[a-z]+">([^<]+)<', row)
    assert scores[1] == score_of(client.get(f"/organisaties/{sample.org_a}").text, MEASURE)


def test_web_queue_filters(app, sample: Sample):
    client = login(app, "anna")
    decide(client, sample.a[0].id, MEASURE)
    url = f"/wachtrij/{sample.org_a}/{MEASURE}"

    def rows(query: str) -> set[int]:
        html = client.get(url + query).text
        return {
            int(x)
            for x in re.findall(
                r'wb-num">(\d+)</td>\s*<td class="utrecht-table__cell wb-num">[0-9]+,[0-9]{2}</td>',
                html,
            )
        }

    a0, a1, letter = sample.a[0].id, sample.a[1].id, sample.xss.id
    assert {a0, a1, letter} <= rows("")
    assert a0 not in rows("?status=open") and a1 in rows("?status=open")
    assert rows("?status=mijn&sorteer=score") == {a0}
    assert rows("?jaar=2024") == {letter}  # only the letter is from 2024


def test_web_double_review_disagreement_and_curation(app, sample: Sample):
    anna, bram, admin = login(app, "anna"), login(app, "bram"), login(app, "beheer")
    for p in sample.a[:4]:
        decide(anna, p.id, MEASURE, fase="plan")
    token = csrf(admin)
    r = admin.post(
        "/team/steekproef",
        data={"csrf_token": token, "procent": "50", "beoordelaars": ["anna", "bram"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/team?melding=steekproef-2"
    # bram's next open passage is a second review; he disagrees
    loc = bram.get("/volgende", follow_redirects=False).headers["location"]
    pid = int(loc.split("/passages/")[1].split("?")[0])
    assert pid in {p.id for p in sample.a[:4]}
    assert "Dubbele beoordeling" in bram.get(loc).text
    data = {"csrf_token": csrf(bram), "maatregel": MEASURE, "relevant": "nee", "vervolg": "werk"}
    bram.post(f"/passage/{pid}/beslissing", data=data, follow_redirects=False)
    result = agreement(sample.ws)
    assert [d["passage_id"] for d in result.disagreements] == [pid]
    page = admin.get("/overeenstemming")
    assert f"/beslechten/{pid}?maatregel={MEASURE}" in page.text
    assert "Krippendorff" in page.text
    side = admin.get(f"/beslechten/{pid}?maatregel={MEASURE}")
    assert side.status_code == 200 and "anna" in side.text and "bram" in side.text
    # a reviewer may not settle
    r = anna.post(
        f"/beslechten/{pid}",
        data={"csrf_token": csrf(anna), "maatregel": MEASURE, "relevant": "nee"},
    )
    assert r.status_code == 403
    r = admin.post(
        f"/beslechten/{pid}",
        data={"csrf_token": token, "maatregel": MEASURE, "relevant": "nee", "opmerking": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with sample.ws.read() as conn:
        from weerbaar.store import decisions as q

        log = [r for r in q.list_log(conn, limit=1000) if r["passage_id"] == pid]
    actions = {(r["reviewer"], r["action"]) for r in log}
    assert {("anna", "insert"), ("bram", "insert"), ("beheer", "curate")} <= actions
    curate_row = next(r for r in log if r["action"] == "curate")
    assert {o["reviewer"] for o in curate_row["after"]["originals"]} == {"anna", "bram"}
    assert {o["relevant"] for o in curate_row["after"]["originals"]} == {"ja", "nee"}
    # originals are kept; the final decision wins in the assessment
    assert {d["reviewer"] for d in list_decisions(sample.ws, passage_id=pid)} == {
        "anna",
        "bram",
        "beheer",
    }
    from weerbaar.assess import assess

    score = assess(sample.ws, sample.org_a).org(sample.org_a).score_of(MEASURE)
    assert pid not in score.evidence
    assert agreement(sample.ws).disagreements[0]["curator"] == "beheer"
    # the export carries the agreement figures
    export = admin.get("/beslissingen/export.json")
    assert "krippendorff_alpha" in json.loads(export.content)["agreement"]


def test_review_krippendorff_alpha_known_values():
    # perfect agreement, and the textbook case where agreement is at chance level
    assert krippendorff_alpha([["ja", "ja"], ["nee", "nee"], ["ja", "ja"]]) == 1.0
    alpha = krippendorff_alpha([["ja", "nee"], ["nee", "ja"], ["ja", "ja"], ["nee", "nee"]])
    assert alpha == pytest.approx(0.125)  # 1 - (4/8) / (32/56)
    # three reviewers with one unit disagreeing: between 0 and 1
    three = krippendorff_alpha([["ja", "ja", "nee"], ["nee", "nee", "nee"], ["ja", "ja", "ja"]])
    assert three is not None and 0 < three < 1
    assert krippendorff_alpha([["ja"]]) is None


def test_web_login_throttle_shared_by_workers(sample: Sample):
    """Two apps on the same workspace (as two worker processes would be) share the
    count of failed logins."""
    from weerbaar.web.app import create_app

    first = create_app(sample.ws, rerank=False, stage_model=False)
    second = create_app(open_workspace(sample.ws.root), rerank=False, stage_model=False)

    def attempt(app, password: str) -> int:
        client = TestClient(app, base_url="http://testserver")
        token = re.search(
            r'name="login_token" value="([^"]+)"', client.get("/inloggen").text
        ).group(1)
        return client.post(
            "/inloggen",
            data={"gebruiker": "anna", "wachtwoord": password, "login_token": token},
            follow_redirects=False,
        ).status_code

    for i in range(5):
        assert attempt(first if i % 2 else second, "fout-wachtwoord-1") == 401
    assert attempt(first, PASSWORD) == 429
    assert attempt(second, PASSWORD) == 429


def test_web_passage_judged_outside_a_queue_opens(app, sample: Sample):
    """A cited passage that is not (or no longer) in a queue opens at the measure it was
    judged for; a passage nobody queued or judged is not found."""
    lone = sample.xss.id - 1  # the letter's first paragraph: in no queue
    client = login(app, "anna")
    assert client.get(f"/passages/{lone}").status_code == 404
    record_decision(sample.ws, reviewer="bram", passage_id=lone, measure_id="3.1", relevant="ja")
    page = client.get(f"/passages/{lone}")
    assert page.status_code == 200 and "maatregel 3.1" in page.text
