"""Issue 14 in a real browser (Debian's chromium via Playwright): a reviewer works through
the top of a queue that the real scan filled to the cut (with the re-ranker on,
as in the app), the workspace is scanned again, and the queue page still holds at most
the cut with every reviewed passage kept. Also: "ja" without a stage is not
saved (the form asks for the stage)."""

from __future__ import annotations

import re

import pytest

from browser_support import BROWSER_MARKS, chromium, log_in, serve
from web_sample import MEASURE, PASSWORD, build
from weerbaar.review import list_decisions
from weerbaar.search import queue_listing, scan
from weerbaar.settings import load_settings
from weerbaar.store import open_workspace

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]


def _queue_rows(page) -> list[int]:
    """Passage numbers in the queue table (column "Nr.")."""
    cells = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    return [int(c.strip()) for c in cells]


def test_web_rescan_after_reviews_keeps_the_cut(tmp_path, monkeypatch):
    from weerbaar.web.app import create_app

    # a cut that the sample's passages certainly fill (the default has a score floor too)
    monkeypatch.setenv("WEERBAAR_SCAN_TOP_K", "15")
    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0")
    cut = load_settings().scan_top_k
    assert cut == 15
    ws = open_workspace(tmp_path / "werkruimte")
    sample = build(ws, n_a=3 * cut)  # more passages on the measure than the cut
    scan(ws, progress=False)
    first = queue_listing(ws, organisation=sample.org_a, measure=MEASURE)
    assert len(first) == cut  # the scan filled the queue to the cut: the test can fail
    app = create_app(ws, rerank=True)
    try:
        with serve(app) as base, chromium() as browser:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            log_in(page, f"{base}/wachtrij/{sample.org_a}/{MEASURE}", "anna", PASSWORD)
            assert _queue_rows(page) == [r["passage_id"] for r in first]
            with page.expect_navigation():
                page.locator("tbody tr a").first.click()
            # "ja" without a stage is not saved: the form asks for the stage first
            url = page.url
            page.keyboard.press("j")
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
            assert page.url == url and not list_decisions(ws, reviewer="anna")
            for k in range(6):  # keyboard: three "ja" with a stage, three "nee"
                if k < 3:
                    page.keyboard.press("j")
                    page.keyboard.press("3")
                else:
                    page.keyboard.press("n")
                with page.expect_navigation():
                    page.keyboard.press("Enter")
            assert app.state.weerbaar.reranker.wait_idle(120)
            decided = {d["passage_id"] for d in list_decisions(ws, reviewer="anna")}
            assert len(decided) == 6

            scan(ws, progress=False)  # the rescan after the reviews
            page.goto(f"{base}/wachtrij/{sample.org_a}/{MEASURE}")
            rows = _queue_rows(page)
            assert len(rows) <= cut, (len(rows), cut)
            assert decided <= set(rows)
            caption = page.locator("caption").inner_text()
            assert re.search(rf"van {len(rows)}\b", caption), caption
            context.close()
    finally:
        ws.close()
