"""The self-assessment in the web app (TestClient): access per organisation over every
zelfscan route, publishing, read-only roles, CSRF, saving with history, prefill, import
and export, noodsteunpunten and the role split per region."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from selfassess_web_sample import SECRET_A, build_selfassess
from web_sample import PASSWORD, Sample
from weerbaar.catalog import load_catalog
from weerbaar.selfassess import load_entries, save_entry
from weerbaar.selfassess import service as sservice
from weerbaar.store import open_workspace
from weerbaar.store import selfassess as q
from weerbaar.web.app import create_app
from weerbaar.web.routes_selfassess import router as selfassess_router

A, B, REGION = "GM9901", "GM9902", "VR99"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Iterator[Sample]:
    ws = open_workspace(tmp_path_factory.mktemp("zelfscan") / "werkruimte")
    s = build_selfassess(ws)
    save_entry(ws, A, "2.2", {"status": "verkend", "notes": SECRET_A}, by="anna")
    save_entry(ws, A, "2.2", {"status": "ingericht"}, by="bram")
    sservice.add_point(
        ws,
        A,
        name="Buurthuis De Brug",
        address="Kerkstraat 1",
        wijk="Centrum",
        functions=["informatie", "water"],
    )
    yield s
    ws.close()


@pytest.fixture(scope="module")
def app(sample: Sample):
    return create_app(sample.ws, rerank=False)


def login(app, name: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": name, "wachtwoord": PASSWORD}
    )
    assert r.status_code == 303, r.text
    return client


def csrf(client: TestClient, path: str = "/zelfscan") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def my_routes(app) -> list[APIRoute]:
    """The app's routes that come from the zelfscan router (generated, not listed)."""
    paths = {r.path for r in selfassess_router.routes}
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path in paths]
    assert len(routes) == len(paths) >= 15
    return routes


def snapshot(ws, org: str) -> tuple:
    """Everything stored for one organisation's self-assessment."""
    version = load_catalog().version
    with ws.read() as conn:
        return (
            repr(sorted(q.get_entries(conn, org, version).items())),
            len(q.get_history(conn, org)),
            repr(q.list_points(conn, org)),
            repr({k: v for k, v in q.get_settings(conn, org).items() if k != "updated_at"}),
            repr(q.get_roles(conn, REGION)),
        )


def post_form(route: APIRoute, token: str | None, org: str, point_id: int) -> dict:
    data = {
        "organisatie": org,
        "maatregel": "2.2",
        "status": "geoefend en geëvalueerd",
        "notities": "overschreven",
        "publiceren": "ja",
        "naam": "Indringer",
        "adres": "Weg 1",
        "wijk": "Oost",
        "punt": str(point_id),
        "tekst": "andere tekst",
        "regio": REGION,
        "gemeente": org,
        "verantwoordelijk_2.2": "gemeente",
    }
    if token is not None:
        data["csrf_token"] = token
    return data


def fill(path: str, org: str) -> str:
    names = re.findall(r"{(\w+)}", path)
    assert set(names) <= {"organisation"}, path
    return path.format(organisation=org)


def get_path(route: APIRoute, org: str) -> str:
    return fill(route.path, REGION if route.path.startswith("/rolverdeling") else org)


def _point_id(ws, org: str) -> int:
    return sservice.list_points(ws, org)[0]["id"]


def test_web_selfassess_other_organisation_gets_404_everywhere(app, sample: Sample):
    client = login(app, "zuid")  # beoordelaar of GM9902 only
    token = csrf(client)
    before = snapshot(sample.ws, A)
    checked = 0
    for route in my_routes(app):
        for method in sorted(route.methods - {"HEAD"}):
            if method == "GET":
                if route.path.startswith("/rolverdeling"):
                    continue  # the region itself is shared; rows are checked below
                r = client.get(get_path(route, A))
                if "{organisation}" in route.path:
                    assert r.status_code == 404, (route.path, r.status_code)
                else:
                    assert r.status_code == 200, route.path
            else:
                if route.path == "/zelfscan/importeren":
                    r = client.post(
                        route.path,
                        data=post_form(route, token, A, 0),
                        files={"bestand": ("z.csv", "Maatregel;Status\n2.2;verkend\n", "text/csv")},
                    )
                else:
                    r = client.post(
                        route.path, data=post_form(route, token, A, _point_id(sample.ws, A))
                    )
                assert r.status_code == 404, (route.path, r.status_code)
            assert SECRET_A not in r.text and "Noordwaarde" not in r.text, route.path
            checked += 1
    assert checked >= 15
    assert snapshot(sample.ws, A) == before
    # the region page and its exports show only the user's own municipality
    page = client.get(f"/rolverdeling/{REGION}")
    assert page.status_code == 200 and "Zuidhaven" in page.text and "Noordwaarde" not in page.text
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/rolverdeling/{REGION}/rolverdeling.csv").text.lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert {r[1] for r in rows[1:]} == {B} and len(rows) == 1 + 41
    # a municipality code is not a region
    assert client.get(f"/rolverdeling/{B}").status_code == 404


def test_web_selfassess_published_is_read_only_for_others(app, sample: Sample):
    anna = login(app, "anna")
    zuid = login(app, "zuid")
    landelijk = login(app, "landelijk")  # beoordelaar without an organisation limit
    assert landelijk.get(f"/zelfscan/{A}").status_code == 404
    token = csrf(anna, f"/zelfscan/{A}")
    r = anna.post(
        "/zelfscan/publiceren", data={"csrf_token": token, "organisatie": A, "publiceren": "ja"}
    )
    assert r.status_code == 303
    try:
        before = snapshot(sample.ws, A)
        for route in my_routes(app):
            if "GET" not in route.methods or route.path.startswith("/rolverdeling"):
                continue
            r = zuid.get(get_path(route, A))
            assert r.status_code == 200, (route.path, r.status_code)
        page = zuid.get(f"/zelfscan/{A}")
        assert SECRET_A in page.text  # published: the notes are readable
        assert "ingericht" in page.text and "alleen lezen" in page.text
        assert 'action="/zelfscan/opslaan"' not in page.text
        assert "medewerker" in page.text and ">anna<" not in page.text and ">bram<" not in page.text
        assert zuid.get(f"/zelfscan/{A}/actieplan.pdf").content.startswith(b"%PDF")
        assert landelijk.get(f"/zelfscan/{A}").status_code == 200
        assert "Noordwaarde" in zuid.get("/zelfscan").text  # listed as published
        ztoken = csrf(zuid)
        for route in my_routes(app):
            if "POST" not in route.methods or route.path.startswith("/rolverdeling"):
                continue
            r = zuid.post(route.path, data=post_form(route, ztoken, A, _point_id(sample.ws, A)))
            assert r.status_code == 403, (route.path, r.status_code)
        assert snapshot(sample.ws, A) == before
    finally:
        r = anna.post(
            "/zelfscan/publiceren",
            data={"csrf_token": token, "organisatie": A, "publiceren": "nee"},
        )
        assert r.status_code == 303
    assert zuid.get(f"/zelfscan/{A}").status_code == 404
    assert landelijk.get(f"/zelfscan/{A}").status_code == 404


def test_web_selfassess_reader_cannot_post(app, sample: Sample):
    lies = login(app, "lies")  # lezer of GM9901
    page = lies.get(f"/zelfscan/{A}")
    assert page.status_code == 200 and "ingericht" in page.text
    assert 'action="/zelfscan/opslaan"' not in page.text
    assert "Vooraf invullen" not in page.text
    assert 'action="/zelfscan/publiceren"' not in page.text
    assert "alleen lezen" in page.text
    # the beoordelaar of the same organisation does get the forms
    bram = login(app, "bram").get(f"/zelfscan/{A}").text
    assert 'action="/zelfscan/publiceren"' in bram and 'action="/zelfscan/opslaan"' in bram
    token = csrf(lies, f"/zelfscan/{A}")
    before = snapshot(sample.ws, A)
    for route in my_routes(app):
        if "POST" in route.methods:
            r = lies.post(route.path, data=post_form(route, token, A, _point_id(sample.ws, A)))
            assert r.status_code == 403, (route.path, r.status_code)
    assert snapshot(sample.ws, A) == before


def test_web_selfassess_csrf_required(app, sample: Sample):
    anna = login(app, "anna")
    token = csrf(anna)
    before = snapshot(sample.ws, A)
    for route in my_routes(app):
        if "POST" not in route.methods:
            continue
        pid = _point_id(sample.ws, A)
        assert anna.post(route.path, data=post_form(route, None, A, pid)).status_code == 403
        bad = anna.post(route.path, data=post_form(route, "fout", A, pid))
        assert bad.status_code == 403, route.path
        foreign = anna.post(
            route.path,
            data=post_form(route, token, A, pid),
            headers={"Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403, route.path
    assert snapshot(sample.ws, A) == before


def test_web_selfassess_save_validates_and_keeps_history(app, sample: Sample):
    anna = login(app, "anna")
    token = csrf(anna, f"/zelfscan/{A}")
    form = {
        "csrf_token": token,
        "organisatie": A,
        "maatregel": "3.1",
        "status": "in voorbereiding",
        "eigenaar": "adviseur OOV",
        "partners": "netbeheerder; waterschap",
        "fase": ["koude fase", "nafase"],
        "deadline": "2027-03-01",
        "bewijs_document_nieuw": str(sample.pdf_doc_id),
        "bewijs_urls": "https://example.nl/noodstroom\n",
        "notities": "<b>aggregaat</b> besteld",
    }
    r = anna.post("/zelfscan/opslaan", data=form)
    assert r.status_code == 303 and r.headers["location"].endswith("opgeslagen=3.1#m-3-1")
    e = {x.measure_id: x for x in load_entries(sample.ws, A)}["3.1"]
    assert e.status.value == "in voorbereiding" and e.owner == "adviseur OOV"
    assert e.partners == ("netbeheerder", "waterschap") and e.phases == ("koude fase", "nafase")
    assert e.evidence == (
        {"document_id": sample.pdf_doc_id},
        {"url": "https://example.nl/noodstroom"},
    )
    page = anna.get(f"/zelfscan/{A}?opgeslagen=3.1").text
    section = page[page.index('id="m-3-1"') : page.index('id="m-3-2"')]
    assert "open" in section.split(">")[0]
    assert "&lt;b&gt;aggregaat&lt;/b&gt;" in section and "<b>aggregaat" not in section
    assert "status: — → in voorbereiding" in section and ">anna<" in section
    # errors: nothing stored, a message at the measure
    n = len(sservice.history(sample.ws, A, "3.1"))
    for bad in (
        {"deadline": "1 maart"},
        {"status": "half klaar"},
        {"bewijs_urls": "javascript:alert(1)"},
        {"bewijs_document_nieuw": str(sample.b_doc_id)},  # a document of GM9902
        {"fase": ["zomerfase"]},
    ):
        r = anna.post("/zelfscan/opslaan", data={**form, **bad, "notities": "anders"})
        assert r.status_code == 400 and 'role="alert"' in r.text, bad
        assert ">anders</textarea>" in r.text  # what was typed is kept
    assert len(sservice.history(sample.ws, A, "3.1")) == n
    assert anna.post("/zelfscan/opslaan", data={**form, "maatregel": "9.9"}).status_code == 404
    # unchecking a linked document removes it
    r = anna.post("/zelfscan/opslaan", data={**form, "bewijs_document_nieuw": ""})
    e = {x.measure_id: x for x in load_entries(sample.ws, A)}["3.1"]
    assert e.evidence == ({"url": "https://example.nl/noodstroom"},)


def test_web_selfassess_prefill_marks_proposals(tmp_path):
    ws = open_workspace(tmp_path / "w")
    build_selfassess(ws)
    app = create_app(ws, rerank=False)
    anna = login(app, "anna")
    page = anna.get(f"/zelfscan/{A}").text
    assert "Vooraf invullen uit de scan" in page
    token = csrf(anna, f"/zelfscan/{A}")
    r = anna.post("/zelfscan/vooraf-invullen", data={"csrf_token": token, "organisatie": A})
    assert r.status_code == 303
    page = anna.get(r.headers["location"]).text
    assert "Vooraf invullen uit de scan" not in page
    assert page.count("zs-badge--proposal") == 41
    assert "Voorstel bevestigen en opslaan" in page
    entry = {e.measure_id: e for e in load_entries(ws, A)}["1.1"]
    assert entry.origin == "scan"
    r = anna.post(
        "/zelfscan/opslaan",
        data={
            "csrf_token": token,
            "organisatie": A,
            "maatregel": "1.1",
            "status": entry.status.value,
            "eigenaar": entry.owner or "",
            "fase": list(entry.phases),
            "notities": entry.notes or "",
        },
    )
    assert r.status_code == 303
    page = anna.get(f"/zelfscan/{A}").text
    assert page.count("zs-badge--proposal") == 40
    assert "herkomst: voorstel uit de scan (nog niet bevestigd) → ingevuld" in page
    # the pre-fill is recorded as the scan's work, the confirmation as anna's
    history = page[page.index('id="geschiedenis-1-1"') :]
    history = history[: history.index("</table>")]
    assert "weerbaar (scan)" in history and "anna" in history
    # no validated evidence behind 1.1: its status stayed open, the scan's finding beside it
    assert entry.status.value == "onbekend"
    assert "Bevinding van de scan:" in page
    # a second prefill writes nothing over what was filled in
    anna.post("/zelfscan/vooraf-invullen", data={"csrf_token": token, "organisatie": A})
    assert {e.measure_id: e for e in load_entries(ws, A)}["1.1"].origin == "handmatig"
    ws.close()


def test_web_selfassess_export_import_roundtrip(app, sample: Sample, tmp_path):
    anna = login(app, "anna")
    r = anna.get(f"/zelfscan/{A}/zelfscan.xlsx")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    path = tmp_path / "z.xlsx"
    path.write_bytes(r.content)
    token = csrf(anna, f"/zelfscan/{A}/uitwisselen")
    # an unchanged export changes nothing that was filled in
    filled = sum(1 for e in load_entries(sample.ws, A) if e.origin != "leeg")
    r = anna.post(
        "/zelfscan/importeren",
        data={"csrf_token": token, "organisatie": A},
        files={"bestand": ("z.xlsx", path.read_bytes(), "application/octet-stream")},
    )
    assert f"Ingelezen: {41 - filled} gewijzigd, {filled} ongewijzigd" in r.text
    path.write_bytes(anna.get(f"/zelfscan/{A}/zelfscan.xlsx").content)
    wb = load_workbook(path)
    sheet = wb["Zelfscan"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == 41 and rows["2.2"][2].value == "ingericht"
    rows["4.1"][2].value = "verkend"
    rows["4.1"][4].value = "beleidsadviseur zorg"  # after Status and Herkomst
    wb.save(path)
    r = anna.post(
        "/zelfscan/importeren",
        data={"csrf_token": token, "organisatie": A},
        files={"bestand": ("z.xlsx", path.read_bytes(), "application/octet-stream")},
    )
    assert r.status_code == 200, r.text
    assert "Ingelezen: 1 gewijzigd, 40 ongewijzigd" in r.text, re.sub(
        r"\s+", " ", r.text[r.text.find("Inlezen</h2>") :]
    )[:800]
    e = {x.measure_id: x for x in load_entries(sample.ws, A)}["4.1"]
    assert (
        e.status.value == "verkend" and e.owner == "beleidsadviseur zorg" and e.origin == "import"
    )
    text = anna.get(f"/zelfscan/{A}/zelfscan.csv").text.lstrip("\ufeff")
    rows = {r[0]: r for r in csv.reader(io.StringIO(text), delimiter=";")}
    assert [rows["4.1"][i] for i in (2, 3, 4)] == [
        "verkend",
        "ingelezen uit bestand",
        "beleidsadviseur zorg",
    ]
    # a file naming another organisation's document is refused as a whole
    before = snapshot(sample.ws, A)
    bad = f"Maatregel;Status;Bewijs\n4.2;verkend;document:{sample.b_doc_id}\n4.3;verkend;\n"
    r = anna.post(
        "/zelfscan/importeren",
        data={"csrf_token": token, "organisatie": A},
        files={"bestand": ("z.csv", bad.encode(), "text/csv")},
    )
    assert r.status_code == 400 and "niet bij deze organisatie" in r.text
    r = anna.post(
        "/zelfscan/importeren",
        data={"csrf_token": token, "organisatie": A},
        files={"bestand": ("z.exe", b"MZ", "application/octet-stream")},
    )
    assert r.status_code == 400
    assert snapshot(sample.ws, A) == before


def test_web_selfassess_points_and_cards(app, sample: Sample):
    anna = login(app, "anna")
    token = csrf(anna, f"/zelfscan/{A}/noodsteunpunten")
    r = anna.post(
        "/zelfscan/noodsteunpunt/toevoegen",
        data={
            "csrf_token": token,
            "organisatie": A,
            "naam": "Sporthal Noord",
            "adres": "Sportlaan 4",
            "wijk": "Noord",
            "functie": ["stroom", "ehbo"],
        },
    )
    assert r.status_code == 303
    r = anna.post(
        "/zelfscan/noodsteunpunt/toevoegen",
        data={
            "csrf_token": token,
            "organisatie": A,
            "naam": "",
            "adres": "x",
            "wijk": "y",
            "functie": ["teleportatie"],
        },
    )
    assert r.status_code == 400 and "Vul in: naam" in r.text
    points = sservice.list_points(sample.ws, A)
    assert [p["name"] for p in points] == ["Buurthuis De Brug", "Sporthal Noord"]
    r = anna.post(
        "/zelfscan/kaarttekst",
        data={"csrf_token": token, "organisatie": A, "tekst": "Blijf kalm & help elkaar."},
    )
    assert r.status_code == 303 and sservice.card_text(sample.ws, A) == "Blijf kalm & help elkaar."
    from pypdf import PdfReader

    for size, (w_mm, h_mm) in {"a6": (105, 148), "a5": (148, 210)}.items():
        r = anna.get(f"/zelfscan/{A}/meterkastkaarten-{size}.pdf")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(r.content))
        assert len(reader.pages) == 2  # one card per wijk
        box = reader.pages[0].mediabox
        assert abs(float(box.width) / 72 * 25.4 - w_mm) < 1.5
        assert abs(float(box.height) / 72 * 25.4 - h_mm) < 1.5
        text = " ".join(p.extract_text() for p in reader.pages)
        assert "Sporthal Noord" in text and "Blijf kalm & help elkaar." in text
    # deleting another organisation's point id is a 404, own point goes
    zuid_point = sservice.add_point(
        sample.ws, B, name="Stadhuis", address="Markt 1", wijk="Haven", functions=[]
    )
    r = anna.post(
        "/zelfscan/noodsteunpunt/verwijderen",
        data={"csrf_token": token, "organisatie": A, "punt": str(zuid_point)},
    )
    assert r.status_code == 404 and len(sservice.list_points(sample.ws, B)) == 1
    r = anna.post(
        "/zelfscan/noodsteunpunt/verwijderen",
        data={"csrf_token": token, "organisatie": A, "punt": str(points[1]["id"])},
    )
    assert r.status_code == 303 and len(sservice.list_points(sample.ws, A)) == 1
    r = anna.post(
        "/zelfscan/kaarttekst",
        data={"csrf_token": token, "organisatie": A, "tekst": "x", "standaard": "ja"},
    )
    assert sservice.card_text(sample.ws, A).startswith("Valt de stroom")


def test_web_selfassess_roles_per_region(app, sample: Sample):
    anna = login(app, "anna")
    regio = login(app, "regio")
    page = anna.get(f"/rolverdeling/{REGION}").text
    assert "Noordwaarde" in page and "Zuidhaven" not in page
    token = csrf(anna, f"/rolverdeling/{REGION}")
    form = {
        "csrf_token": token,
        "regio": REGION,
        "gemeente": A,
        "verantwoordelijk_2.2": "gemeente",
        "ondersteunt_2.2": "veiligheidsregio",
        "afgesproken_2.2": "ja",
        "datum_2.2": "2026-10-01",
        "verantwoordelijk_3.1": "samen",
    }
    assert anna.post("/rolverdeling/opslaan", data=form).status_code == 303
    # anna may not write Zuidhaven's rows (not visible to her: 404)
    assert anna.post("/rolverdeling/opslaan", data={**form, "gemeente": B}).status_code == 404
    with sample.ws.read() as conn:
        rows = {(r["organisation_code"], r["measure_id"]): r for r in q.get_roles(conn, REGION)}
    assert rows[(A, "2.2")]["agreed"] and rows[(A, "2.2")]["agreed_on"] == "2026-10-01"
    assert rows[(A, "3.1")]["responsible"] == "samen" and (B, "2.2") not in rows
    bad = anna.post("/rolverdeling/opslaan", data={**form, "datum_2.2": "morgen"})
    assert bad.status_code == 400
    # the region's user sees and edits both municipalities
    page = regio.get(f"/rolverdeling/{REGION}").text
    assert "Noordwaarde" in page and "Zuidhaven" in page
    rtoken = csrf(regio, f"/rolverdeling/{REGION}")
    r = regio.post(
        "/rolverdeling/opslaan",
        data={
            "csrf_token": rtoken,
            "regio": REGION,
            "gemeente": B,
            "verantwoordelijk_2.2": "veiligheidsregio",
        },
    )
    assert r.status_code == 303
    # but the region's user cannot read a municipality's private self-assessment
    assert regio.get(f"/zelfscan/{A}").status_code == 404
    x = regio.get(f"/rolverdeling/{REGION}/rolverdeling.xlsx")
    wb = load_workbook(io.BytesIO(x.content))
    data = [[c.value for c in row] for row in wb["Rolverdeling"].iter_rows(min_row=2)]
    assert len(data) == 82
    found = {(r[1], r[2]): r for r in data}
    assert found[(A, "2.2")][4:8] == ["gemeente", "veiligheidsregio", "ja", "2026-10-01"]
    assert found[(B, "2.2")][4] == "veiligheidsregio"
    # a lezer of the municipality reads only
    lies = login(app, "lies")
    assert 'action="/rolverdeling/opslaan"' not in lies.get(f"/rolverdeling/{REGION}").text


def test_web_selfassess_unlimited_accounts(app, sample: Sample):
    beheer = login(app, "beheer")  # beheerder without limit: reads and edits
    assert beheer.get(f"/zelfscan/{A}").status_code == 200
    assert 'action="/zelfscan/opslaan"' in beheer.get(f"/zelfscan/{B}").text
    kijker = login(app, "kijker")  # lezer without limit: published only
    assert kijker.get(f"/zelfscan/{A}").status_code == 404
    assert "Noordwaarde" not in kijker.get("/zelfscan").text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {k for k, _ in attrs}
        if (tag == "script" and "src" not in names) or tag == "style":
            self.bad.append(tag)
        self.bad += [k for k in names if k == "style" or k.startswith("on")]
        self.ids += [v for k, v in attrs if k == "id"]


def test_web_selfassess_pages_have_no_inline_code_and_unique_ids(app, sample: Sample):
    anna = login(app, "anna")
    for path in (
        "/zelfscan",
        f"/zelfscan/{A}",
        f"/zelfscan/{A}/actieplan",
        f"/zelfscan/{A}/noodsteunpunten",
        f"/zelfscan/{A}/uitwisselen",
        f"/rolverdeling/{REGION}",
    ):
        tags = _Tags()
        r = anna.get(path)
        assert r.status_code == 200
        tags.feed(r.text)
        assert tags.bad == [], path
        dupes = {i for i in tags.ids if tags.ids.count(i) > 1}
        assert not dupes, (path, dupes)
