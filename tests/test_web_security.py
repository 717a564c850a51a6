"""Security of the review web app (TestClient): sessions, CSRF, escaping, headers,
organisation scope over every route, form limits, file serving."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from web_sample import MEASURE, PASSWORD, SENTINEL_B, XSS, Sample, build
from weerbaar.review import list_decisions, record_decision
from weerbaar.store import open_workspace
from weerbaar.web.accounts import deactivate_user
from weerbaar.web.app import SESSION_COOKIE, create_app

SENTINEL_A = "Noordwaarde"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Iterator[Sample]:
    ws = open_workspace(tmp_path_factory.mktemp("web") / "werkruimte")
    s = build(ws)
    # decisions on both sides, so every listing has something that could leak
    record_decision(ws, reviewer="anna", passage_id=s.a[0].id, measure_id=MEASURE, relevant="ja")
    record_decision(ws, reviewer="bram", passage_id=s.a[0].id, measure_id=MEASURE, relevant="nee")
    record_decision(
        ws,
        reviewer="zuid",
        passage_id=s.b[0].id,
        measure_id=MEASURE,
        relevant="ja",
        comment=f"opmerking {SENTINEL_B}",
    )
    record_decision(ws, reviewer="beheer", passage_id=s.b[0].id, measure_id=MEASURE, relevant="nee")
    yield s
    ws.close()


@pytest.fixture(scope="module")
def app(sample: Sample):
    return create_app(sample.ws, rerank=False, stage_model=False)


def login(app, name: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": name, "wachtwoord": PASSWORD}
    )
    assert r.status_code == 303, r.text
    return client


def csrf(client: TestClient, path: str = "/") -> str:
    html = client.get(path).text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_web_login_required_and_wrong_password(app):
    client = TestClient(app, follow_redirects=False)
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    bad = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": "anna", "wachtwoord": "fout"}
    )
    assert bad.status_code == 401 and SESSION_COOKIE not in bad.cookies
    # login form without its token is refused
    no_token = client.post("/inloggen", data={"gebruiker": "anna", "wachtwoord": PASSWORD})
    assert no_token.status_code == 403


def test_web_session_cookie_flags_and_new_id(app):
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, "door-aanvaller-gekozen")
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": "anna", "wachtwoord": PASSWORD}
    )
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie  # plain http on localhost
    value = r.cookies[SESSION_COOKIE]
    assert value != "door-aanvaller-gekozen" and len(value) >= 40
    # a second login gives another session id
    other = login(app, "anna")
    assert other.cookies[SESSION_COOKIE] != value
    # not on localhost: Secure is set
    remote = TestClient(app, base_url="https://weerbaar.example.nl", follow_redirects=False)
    page = remote.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = remote.post(
        "/inloggen", data={"login_token": token, "gebruiker": "anna", "wachtwoord": PASSWORD}
    )
    assert "Secure" in r.headers["set-cookie"]


def test_web_logout_revokes_session(app):
    client = login(app, "anna")
    value = client.cookies[SESSION_COOKIE]
    assert client.get("/").status_code == 200
    token = csrf(client)
    assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 303
    replay = TestClient(app, follow_redirects=False)
    replay.cookies.set(SESSION_COOKIE, value)
    r = replay.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")


def test_web_deactivation_revokes_session(tmp_path: Path):
    ws = open_workspace(tmp_path / "w")
    build(ws, n_a=3)
    app = create_app(ws, rerank=False, stage_model=False)
    client = login(app, "bram")
    assert client.get("/").status_code == 200
    assert deactivate_user(ws, "bram") == 1
    assert client.get("/").status_code == 303
    # and cannot log in again
    fresh = TestClient(app, follow_redirects=False)
    page = fresh.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = fresh.post(
        "/inloggen", data={"login_token": token, "gebruiker": "bram", "wachtwoord": PASSWORD}
    )
    assert r.status_code == 401
    ws.close()


@pytest.mark.parametrize("path", ["/", "/inloggen", "/logboek", "/static/app.css", "/bestaat-niet"])
def test_web_security_headers(app, path):
    client = login(app, "anna")
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.style_tags = 0
        self.bad_attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {k for k, _ in attrs}
        if tag == "script" and "src" not in names:
            self.inline_scripts += 1
        if tag == "style":
            self.style_tags += 1
        self.bad_attrs += [k for k in names if k == "style" or k.startswith("on")]


def test_web_no_inline_script_or_style(app, sample: Sample):
    client = login(app, "anna")
    for path in (
        "/",
        f"/wachtrij/{sample.org_a}/{MEASURE}",
        f"/passage/{sample.a[1].id}?maatregel={MEASURE}",
        f"/passage/{sample.xss.id}?maatregel={MEASURE}",
        "/logboek",
    ):
        tags = _Tags()
        tags.feed(client.get(path).text)
        assert tags.inline_scripts == 0 and tags.style_tags == 0, path
        assert tags.bad_attrs == [], path


def test_web_passage_text_is_escaped(app, sample: Sample):
    client = login(app, "anna")
    r = client.get(f"/passage/{sample.xss.id}?maatregel={MEASURE}")
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in r.text
    assert "{{ 7*7 }}" in r.text and "{% raw %}" in r.text
    assert "Raadsbrief &lt;b&gt;vet&lt;/b&gt;" in r.text
    # and on the source page
    src = client.get(f"/bron/{sample.xss.document_id}/pagina/1?passage={sample.xss.id}")
    assert "<script>alert" not in src.text and "&lt;script&gt;" in src.text
    assert XSS not in src.text


def test_web_csrf_required_on_every_post(app, sample: Sample):
    client = login(app, "anna")
    pid = sample.a[2].id
    url = f"/passage/{pid}/beslissing"
    form = {"maatregel": MEASURE, "relevant": "ja", "fase": "plan", "context": "ja"}

    def count() -> int:
        return len(list_decisions(sample.ws, reviewer="anna", passage_id=pid))

    assert client.post(url, data=form).status_code == 403
    assert client.post(url, data={**form, "csrf_token": "fout"}).status_code == 403
    token = csrf(client)
    foreign = client.post(
        url, data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert count() == 0
    # another session's token is not accepted either
    other = csrf(login(app, "bram"))
    assert client.post(url, data={**form, "csrf_token": other}).status_code == 403
    assert count() == 0
    ok = client.post(
        url, data={**form, "csrf_token": token}, headers={"Origin": "http://testserver"}
    )
    assert ok.status_code == 303 and count() == 1
    # every POST route refuses a missing token
    for route in app.routes:
        if isinstance(route, APIRoute) and "POST" in route.methods and route.path != "/inloggen":
            path = _fill(route.path, sample, other_side_b=False).replace(
                f"/{sample.a[1].id}", f"/{pid}"
            )
            assert client.post(path, data={"x": "y"}).status_code == 403, route.path


def _fill(path: str, s: Sample, *, other_side_b: bool) -> str:
    passage = s.b[1] if other_side_b else s.a[1]
    values = {
        "passage_id": passage.id,
        "document_id": passage.document_id,
        "organisation": s.org_b if other_side_b else s.org_a,
        "measure_id": MEASURE,
        "page_no": 1,
        "fmt": "json",
        "code": s.org_b if other_side_b else s.org_a,
        "assignment_id": 1,
    }
    names = re.findall(r"{(\w+)}", path)
    unknown = set(names) - set(values)
    assert not unknown, f"route {path}: add a value for {unknown} to the route-matrix test"
    return path.format(**{k: values[k] for k in names})


@pytest.mark.parametrize("user,side_b", [("anna", True), ("beheerzuid", False)])
def test_web_route_matrix_refuses_other_organisation(app, sample: Sample, user, side_b):
    """Every route of the app, as a user limited to one organisation, asked for the
    other organisation's objects: 404 for object routes, and no trace of the other
    organisation in any listing, export or import."""
    client = login(app, user)
    token = csrf(client)
    foreign_sentinels = [SENTINEL_B] if side_b else [SENTINEL_A, "Beleidsplan crisisbeheersing"]
    other_org = sample.org_b if side_b else sample.org_a

    def foreign_state() -> set:
        return {
            (r["id"], r["relevant"], r["updated_at"])
            for r in list_decisions(sample.ws, organisation=other_org)
        }

    before = foreign_state()
    assert before
    checked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            if route.path in ("/inloggen", "/uitloggen"):
                continue
            url = _fill(route.path, sample, other_side_b=side_b)
            has_object = "{" in route.path and route.path != "/beslissingen/export.{fmt}"
            if method == "GET":
                r = client.get(url + ("?maatregel=" + MEASURE if "passage" in url else ""))
            elif route.path == "/beslissingen/import":
                foreign = [
                    {
                        "passage_id": (sample.b[2] if side_b else sample.a[2]).id,
                        "measure_id": MEASURE,
                        "reviewer": user,
                        "relevant": "ja",
                        "fase": "plan",
                    }
                ]
                r = client.post(
                    url,
                    data={"csrf_token": token},
                    files={"bestand": ("x.json", json.dumps(foreign), "application/json")},
                )
            else:
                r = client.post(
                    url,
                    data={
                        "csrf_token": token,
                        "maatregel": MEASURE,
                        "relevant": "ja",
                        "fase": "plan",
                    },
                )
            checked += 1
            if has_object:
                assert r.status_code == 404, (method, route.path, r.status_code)
            else:
                assert r.status_code in (200, 303, 400, 403, 404), (
                    method,
                    route.path,
                    r.status_code,
                )
            for word in foreign_sentinels:
                assert word not in r.text, (method, route.path, word)
    assert checked >= 12
    assert foreign_state() == before
    # the queue of the other organisation shows up nowhere in the overview
    assert (sample.org_b if side_b else sample.org_a) not in client.get("/").text


def test_web_reader_cannot_decide(app, sample: Sample):
    client = login(app, "lies")
    token = csrf(client)
    r = client.post(
        f"/passage/{sample.a[3].id}/beslissing",
        data={"csrf_token": token, "maatregel": MEASURE, "relevant": "ja", "fase": "plan"},
    )
    assert r.status_code == 403
    assert list_decisions(sample.ws, reviewer="lies") == []
    assert client.get("/beslissingen").status_code == 403


def test_web_form_limits(app, sample: Sample):
    client = login(app, "anna")
    token = csrf(client)
    url = f"/passage/{sample.a[4].id}/beslissing"
    many = "&".join(f"f{i}=x" for i in range(5000)) + f"&csrf_token={token}"
    r = client.post(
        url, content=many, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 400
    big = "opmerking=" + "A" * (300 * 1024)
    r = client.post(url, content=big, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert list_decisions(sample.ws, passage_id=sample.a[4].id) == []


def test_web_source_file_and_page_image(app, sample: Sample):
    client = login(app, "anna")
    pdf = client.get(f"/bron/{sample.pdf_doc_id}/bestand")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline; filename=")
    img = client.get(f"/bron/{sample.pdf_doc_id}/pagina/2/afbeelding.png")
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
    import struct

    w, h = struct.unpack(">II", img.content[16:24])
    assert w * h <= 4_000_000
    assert client.get(f"/bron/{sample.pdf_doc_id}/pagina/99/afbeelding.png").status_code == 404
    page = client.get(f"/bron/{sample.pdf_doc_id}/pagina/2?passage={sample.a[4].id}")
    assert '<mark class="utrecht-mark" id="passage">' + sample.a[4].text in page.text
    # an HTML original is never served as HTML
    beheer = login(app, "beheer")
    html = beheer.get(f"/bron/{sample.b_doc_id}/bestand")
    assert html.headers["content-type"] == "application/octet-stream"
    assert html.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in html.headers["content-security-policy"]


def test_web_content_disposition_is_safe():
    from weerbaar.web.routes import content_disposition

    value = content_disposition("attachment", 'x";\r\nSet-Cookie: a=b.pdf')
    assert "\r" not in value and "\n" not in value
    assert value.count('"') == 2
    assert "filename*=UTF-8''" in value


def test_web_decision_flow_audit_and_agreement(app, sample: Sample):
    client = login(app, "bram")
    token = csrf(client)
    pid = sample.a[5].id
    r = client.post(
        f"/passage/{pid}/beslissing",
        data={
            "csrf_token": token,
            "maatregel": MEASURE,
            "relevant": "ja",
            "juist": "ja",
            "context": "ja",
            "fase": "uitvoering",
            "aspect": ["2.2.a", "2.2.c"],
            "opmerking": "<b>goed</b>",
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/passages/")
    (d,) = list_decisions(sample.ws, reviewer="bram", passage_id=pid)
    assert d["stage"] == "uitvoering" and d["aspects"] == ["2.2.a", "2.2.c"] and d["source_ok"]
    # undo
    assert client.post("/ongedaan", data={"csrf_token": token}).status_code == 303
    assert list_decisions(sample.ws, reviewer="bram", passage_id=pid) == []
    log = client.get("/logboek?beoordelaar=bram")
    assert "ongedaan" in log.text and "&lt;b&gt;goed&lt;/b&gt;" in log.text
    agree = client.get("/overeenstemming")
    assert "Cohen" in agree.text and f"passage {sample.a[0].id}" in agree.text


def test_web_export_import_for_admin(app, sample: Sample, tmp_path: Path):
    client = login(app, "beheer")
    r = client.get("/beslissingen/export.csv")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    assert "document_sha256" in r.text.splitlines()[0]
    data = client.get("/beslissingen/export.json").json()
    n = len(data["decisions"])
    assert n == len(list_decisions(sample.ws))
    token = csrf(client, "/beslissingen")
    # re-importing the export changes nothing
    r = client.post(
        "/beslissingen/import",
        data={"csrf_token": token},
        files={"bestand": ("b.json", json.dumps(data), "application/json")},
    )
    assert r.status_code == 200 and f"0 vastgelegd, {n} ongewijzigd" in r.text
    r = client.post(
        "/beslissingen/import",
        data={"csrf_token": token},
        files={"bestand": ("b.exe", b"MZ", "application/octet-stream")},
    )
    assert r.status_code == 400


def test_web_login_throttled_after_failures(tmp_path: Path):
    ws = open_workspace(tmp_path / "w")
    build(ws, n_a=3)
    app = create_app(ws, rerank=False, stage_model=False)
    client = TestClient(app, follow_redirects=False)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)

    def attempt(password: str) -> int:
        data = {"login_token": token, "gebruiker": "lies", "wachtwoord": password}
        return client.post("/inloggen", data=data).status_code

    assert [attempt("fout") for _ in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password waits now
    # other accounts are not affected
    other = {"login_token": token, "gebruiker": "bram", "wachtwoord": PASSWORD}
    assert client.post("/inloggen", data=other).status_code == 303
    ws.close()
