"""Issue 14 in a real browser (Debian's chromium via Playwright): "volgende open passage"
by keyboard only across two organisations while the organisation page's score changes;
a coordinator's double-review sample, a disagreement, the curator's final decision and
all three in the audit log; the stage suggestion not pre-selected; a report citation
opening the same passage; axe-core on the new pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from browser_support import BROWSER_MARKS, axe_violations, chromium, log_in, serve
from web_sample import MEASURE, PASSWORD, Sample, build
from weerbaar.review import list_decisions, record_decision
from weerbaar.store import open_workspace
from weerbaar.web.accounts import create_user

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Sample]]:
    from weerbaar.web.app import create_app

    ws = open_workspace(tmp_path_factory.mktemp("teambrowser") / "werkruimte")
    sample = build(ws, n_a=5)
    create_user(ws, "overal", role="beoordelaar", password=PASSWORD)
    app = create_app(ws, rerank=False)
    with serve(app) as base:
        yield base, sample
    ws.close()


@pytest.fixture()
def fresh_server(tmp_path) -> Iterator[tuple[str, Sample]]:
    from weerbaar.web.app import create_app

    ws = open_workspace(tmp_path / "werkruimte")
    sample = build(ws, n_a=5)
    app = create_app(ws, rerank=False)
    with serve(app) as base:
        yield base, sample
    ws.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _page(browser, base: str, name: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    log_in(page, base + "/werklijst", name, PASSWORD)
    return page


def _score(page, base: str, org: str) -> str:
    page.goto(f"{base}/organisaties/{org}")
    row = page.locator(f"#maatregel-{MEASURE.replace('.', '-')} [data-score]")
    return str(row.get_attribute("data-score"))


def _serious(violations: list[dict]) -> list[str]:
    return [v["id"] for v in violations if v.get("impact") in ("serious", "critical")]


def test_web_keyboard_next_open_across_organisations_and_scores(server, browser):
    base, sample = server
    page = _page(browser, base, "overal")
    assert _score(page, base, sample.org_a) == "Nog niet beoordeeld"
    page.goto(base + "/werklijst")
    problems = {"werklijst": _serious(axe_violations(page))}
    page.goto(base + f"/organisaties/{sample.org_a}")
    problems["organisatie"] = _serious(axe_violations(page))

    # keyboard only: v opens the next open passage, j + 3 + Enter saves and moves on
    page.goto(base + "/werklijst")
    with page.expect_navigation():
        page.keyboard.press("v")
    orgs: list[str] = []
    first = True
    while "/passages/" in page.url:
        assert len(orgs) < 30
        org = page.locator(".wb-meta").inner_text()
        orgs.append(sample.org_a if sample.org_a in org else sample.org_b)
        if first:
            problems["passage"] = _serious(axe_violations(page))
            # the suggested stage is shown, but not chosen for the reviewer
            assert "Voorstel van de software" in page.locator("#fase-uitleg").inner_text()
            assert page.locator('input[name="fase"]:checked').count() == 0
            first = False
        page.keyboard.press("j")
        page.keyboard.press("3")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url.endswith("/werklijst?klaar=1")
    assert set(orgs) == {sample.org_a, sample.org_b}
    assert len(orgs) == len(sample.a) + 1 + len(sample.b)  # 2.2 of both organisations
    decided = list_decisions(sample.ws, reviewer="overal")
    assert {d["stage"] for d in decided} == {"uitvoering"}
    # the organisation page shows the new score
    assert _score(page, base, sample.org_a) in ("Hoog", "Midden")
    assert not any(problems.values()), problems


def test_web_double_review_curation_audit_and_citation(fresh_server, browser, tmp_path):
    base, sample = fresh_server
    pids = [p.id for p in sample.a]
    for pid in pids:  # anna judged her queue (as in the earlier work)
        record_decision(
            sample.ws, reviewer="anna", passage_id=pid, measure_id=MEASURE, relevant="ja"
        )
    admin = _page(browser, base, "beheer")
    admin.goto(base + "/team")
    problems = {"team": _serious(axe_violations(admin))}
    admin.get_by_label("Percentage").fill("20")
    for name in ("beheer", "beheerzuid", "zuid"):
        admin.get_by_label(name, exact=True).uncheck()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Steekproef maken").click()
    assert "steekproef-" in admin.url
    assert "Steekproef gemaakt" in admin.content()

    # bram's next open passage is the second review; he says "nee" by keyboard
    bram = _page(browser, base, "bram")
    with bram.expect_navigation():
        bram.keyboard.press("v")
    pid = int(bram.url.split("/passages/")[1].split("?")[0])
    assert pid in pids
    assert "Dubbele beoordeling" in bram.content()
    bram.keyboard.press("n")
    with bram.expect_navigation():
        bram.keyboard.press("Enter")

    # the curator sees the disagreement side by side and settles it
    admin.goto(base + "/overeenstemming")
    problems["overeenstemming"] = _serious(axe_violations(admin))
    with admin.expect_navigation():
        admin.get_by_role("link", name=f"Beslechten passage {pid}").click()
    problems["beslechten"] = _serious(axe_violations(admin))
    side = admin.locator(".wb-side").inner_text()
    assert "anna" in side and "bram" in side
    admin.get_by_label("nee", exact=True).check()
    admin.get_by_label("Toelichting").fill("Gaat over een andere gemeente.")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Eindbeslissing vastleggen").click()
    assert "beslecht=1" in admin.url

    admin.goto(base + f"/logboek?maatregel={MEASURE}")
    rows = [
        [c.strip() for c in row.locator("td").all_inner_texts()]
        for row in admin.locator("tbody tr").all()
    ]
    rows = [r for r in rows if len(r) == 6 and f"passage {pid}" in r[3]]
    who = {(r[1], r[2]) for r in rows}
    assert {("anna", "nieuw"), ("bram", "nieuw"), ("beheer", "beslecht")} <= who
    settled = next(r for r in rows if r[2] == "beslecht")
    assert "Beslecht tussen" in settled[5] and "anna" in settled[5] and "bram" in settled[5]

    # a citation in the report opens the same passage in the app
    from weerbaar.report import write_reports

    files = write_reports(
        sample.ws, tmp_path, scope=f"organisatie:{sample.org_a}", formats=["html"]
    )
    html = next(f for f in files if f.suffix == ".html").read_text(encoding="utf-8")
    cited = re.findall(r'data-passage="(\d+)"', html)
    assert cited
    n = int(cited[0])
    admin.goto(f"{base}/passages/{n}")
    shown = admin.locator("#passage-tekst").inner_text()
    block = re.search(rf'data-passage="{n}"[^>]*>(.*?)</blockquote>', html, re.S).group(1)
    words = re.sub(r"<[^>]+>", " ", block).split()
    assert " ".join(words[:6]) in " ".join(shown.split())
    assert f"Passage {n}" in admin.locator("h1").inner_text()
    admin.goto(f"{base}/regios/VR99")
    problems["regio"] = _serious(axe_violations(admin))
    admin.goto(f"{base}/wachtrij/{sample.org_a}/{MEASURE}?status=beoordeeld&sorteer=score")
    problems["wachtrij"] = _serious(axe_violations(admin))
    assert not any(problems.values()), problems
