"""The passage page explains the measure: our description, and the official wording when
the user imported their copy of the guidance."""

from __future__ import annotations

from pathlib import Path

from test_web_security import login
from web_sample import MEASURE, build
from weerbaar.catalog import load_catalog
from weerbaar.store import open_workspace
from weerbaar.store.official import import_official_file, official_text
from weerbaar.web.app import create_app


def test_web_passage_page_shows_measure_and_official_text(tmp_path: Path, seeds_dir: Path) -> None:
    ws = open_workspace(tmp_path / "werkruimte")
    sample = build(ws)
    app = create_app(ws, rerank=False, stage_model=False)
    client = login(app, "anna")
    url = f"/passage/{sample.a[0].id}?maatregel={MEASURE}"
    description = load_catalog().measure(MEASURE).description
    page = client.get(url).text
    assert "Wat houdt maatregel" in page and description.split()[0] in page
    assert "Officiële tekst" not in page  # nothing imported yet
    import_official_file(ws, seeds_dir / "001_332136390dc8132e.txt")
    page = client.get(url).text
    assert "Officiële tekst" in page
    import html

    official = official_text(ws, MEASURE)
    assert official and html.escape(" ".join(official.split()[:6])) in " ".join(page.split())
    ws.close()
