"""The review app in a real browser: Debian's chromium, headless, driven by Playwright.

Log in, review ten passages with the keyboard only, undo, see the audit log; axe-core
(served from the installed axe-playwright-python package, no network) on the main pages.
Screenshots of the main screens go to /tmp/weerbaar_*.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_support import BROWSER_MARKS, axe_violations, chromium, log_in, serve
from web_sample import MEASURE, PASSWORD, Sample, build
from weerbaar.review import list_decisions, record_decision
from weerbaar.store import open_workspace

SHOTS = Path("/tmp")

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Sample]]:
    from weerbaar.web.app import create_app

    ws = open_workspace(tmp_path_factory.mktemp("browser") / "werkruimte")
    sample = build(ws, n_a=14)
    # a colleague judged the first passages already (agreement page has something)
    for p, rel in zip(sample.a[:6], ["ja", "nee", "ja", "ja", "nee", "ja"], strict=True):
        record_decision(ws, reviewer="bram", passage_id=p.id, measure_id=MEASURE, relevant=rel)
    app = create_app(ws)  # with background re-ranking (falls back without search data)
    with serve(app) as base:
        yield base, sample
        app.state.weerbaar.reranker.wait_idle(30)
    ws.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _login(page, base: str, name: str) -> None:
    log_in(page, base + "/", name, PASSWORD)


def _axe(page) -> list[dict]:
    return axe_violations(page)


def test_web_browser_keyboard_review_audit_and_axe(server, browser):
    base, sample = server
    # axe.min.js is injected as an inline script tag, which our CSP rightly blocks: this
    # context bypasses CSP; test_web_browser_csp_enforced checks the pages under CSP.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # login page (before logging in) ------------------------------------------------
    page.goto(base + "/inloggen")
    violations = {"inloggen": _axe(page)}
    page.screenshot(path=str(SHOTS / "weerbaar_inloggen.png"), full_page=True)
    _login(page, base, "anna")

    # overview and queue -----------------------------------------------------------
    page.goto(base + f"/?organisatie={sample.org_a}")
    page.screenshot(path=str(SHOTS / "weerbaar_overzicht.png"), full_page=True)
    violations["overzicht"] = _axe(page)
    page.get_by_role("link", name=f"{MEASURE} ").first.click()
    page.wait_for_url(f"**/wachtrij/{sample.org_a}/{MEASURE}")
    violations["wachtrij"] = _axe(page)
    page.screenshot(path=str(SHOTS / "weerbaar_wachtrij.png"), full_page=True)
    page.get_by_role("link", name="Beoordelen vanaf de eerste open passage").click()
    page.wait_for_url("**/passages/**")
    violations["passage"] = _axe(page)
    page.screenshot(path=str(SHOTS / "weerbaar_passage.png"), full_page=True)

    # ten passages by keyboard: j/n, stage 1-4, Enter ---------------------------------
    seen = []
    for i in range(10):
        pid = int(page.url.split("/passages/")[1].split("?")[0])
        seen.append(pid)
        page.keyboard.press("j" if i % 3 else "n")
        page.keyboard.press(str(i % 4 + 1))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "opgeslagen=1" in page.url or "/wachtrij/" in page.url
    mine = {d["passage_id"]: d for d in list_decisions(sample.ws, reviewer="anna")}
    assert sorted(mine) == sorted(seen) and len(set(seen)) == 10
    expected_order = [p.id for p in sample.a]
    assert seen == expected_order[:10]  # no search data: the queue keeps its rank order
    for i, pid in enumerate(seen):
        assert mine[pid]["relevant"] == ("ja" if i % 3 else "nee")
        stage = ["voornemen", "plan", "uitvoering", "evaluatie"][i % 4]
        assert mine[pid]["stage"] == (stage if i % 3 else None)  # no stage for "nee"
        assert mine[pid]["source_ok"] is True  # the automatic check, confirmed
    page.screenshot(path=str(SHOTS / "weerbaar_na_tien.png"), full_page=True)

    # undo with u, then the audit log shows it -------------------------------------
    with page.expect_navigation():
        page.keyboard.press("u")
    assert "ongedaan=1" in page.url
    assert len(list_decisions(sample.ws, reviewer="anna")) == 9
    page.goto(base + "/logboek?beoordelaar=anna")
    rows = page.locator("tbody tr")
    assert rows.count() == 11  # ten decisions and one undo
    assert "ongedaan" in rows.first.inner_text()
    violations["logboek"] = _axe(page)
    page.screenshot(path=str(SHOTS / "weerbaar_logboek.png"), full_page=True)

    # source page with the page image of the PDF -----------------------------------
    page.goto(base + f"/bron/{sample.pdf_doc_id}/pagina/1?passage={sample.a[0].id}")
    img = page.locator(".wb-source__image img")
    img.wait_for()
    assert page.evaluate("el => el.naturalWidth", img.element_handle()) > 100
    violations["bron"] = _axe(page)
    page.screenshot(path=str(SHOTS / "weerbaar_bron.png"), full_page=True)

    # the escaped passage in the browser: the text is visible, nothing ran ----------
    page.goto(base + f"/passage/{sample.xss.id}?maatregel={MEASURE}")
    assert "<script>alert('xss')</script>" in page.locator("#passage-tekst").inner_text()
    assert page.locator("#passage-tekst img").count() == 0
    page.goto(base + "/overeenstemming")
    assert "Krippendorff" in page.inner_text("main") and page.locator("table").count() == 3
    violations["overeenstemming"] = _axe(page)
    page.screenshot(path=str(SHOTS / "weerbaar_overeenstemming.png"), full_page=True)
    context.close()

    admin = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    apage = admin.new_page()
    _login(apage, base, "beheer")
    apage.goto(base + "/beslissingen")
    violations["beslissingen"] = _axe(apage)
    apage.screenshot(path=str(SHOTS / "weerbaar_beslissingen.png"), full_page=True)
    admin.close()

    report = {
        name: [
            {
                "id": v["id"],
                "impact": v["impact"],
                "nodes": [(n["target"], n.get("failureSummary", "")[:200]) for n in v["nodes"]],
            }
            for v in found
        ]
        for name, found in violations.items()
    }
    (SHOTS / "weerbaar_axe.json").write_text(json.dumps(report, indent=1))
    serious = {
        name: [v for v in found if v["impact"] in ("serious", "critical")]
        for name, found in report.items()
    }
    assert all(not v for v in serious.values()), serious
    assert not errors, errors


def test_web_browser_csp_enforced(server, browser):
    """Under the real CSP the pages load their CSS and JS (shortcuts work) and the
    browser reports no CSP violation."""
    base, sample = server
    page = browser.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    _login(page, base, "bram")
    page.goto(base + f"/passage/{sample.xss.id}?maatregel={MEASURE}")
    page.keyboard.press("n")
    assert page.locator('input[name="relevant"][value="nee"]').is_checked()
    colour = page.evaluate("getComputedStyle(document.querySelector('.wb-header')).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # app.css applied
    assert not [p for p in problems if "Content Security Policy" in p], problems
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__ran") is None  # inline script blocked by CSP
    page.close()


def test_web_browser_focus_visible_and_skip_link(server, browser):
    base, _ = server
    page = browser.new_page()
    _login(page, base, "bram")
    page.goto(base + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Direct naar de inhoud" in focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'inhoud'")
    page.close()
