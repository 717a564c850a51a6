"""Reports rendered from a real workspace (generated documents, real ingest, decisions
through record_decision) in every format, and their content checked."""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lhtml
from openpyxl import load_workbook
from typer.testing import CliRunner

from assess_workspace import Built, build
from weerbaar.cli import _load_commands, app
from weerbaar.report import write_reports
from weerbaar.report.opendata import EVIDENCE_FIELDS, SCORE_FIELDS
from weerbaar.store.documents import page_texts

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow

STAMP = "2026-01-01 12:00 UTC"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\f", " ")).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = build(tmp_path_factory.mktemp("report"))
    yield b
    b.ws.close()


@pytest.fixture(scope="module")
def org_report(built: Built, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("uit") / "a"
    files = write_reports(
        built.ws, out, scope=f"organisatie:{built.gm_a}", formats="html,pdf,xlsx,md,json",
        generated_at=STAMP,
    )  # fmt: skip
    return {f.name: f for f in files}


def test_report_html_self_contained_and_escaped(built: Built, org_report: dict[str, Path]) -> None:
    page = org_report[f"rapport-organisatie-{built.gm_a}.html"].read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    assert doc.xpath("//script") == []  # document text never becomes a script
    assert "&lt;script&gt;alert(&#39;weerbaar&#39;)&lt;/script&gt;" in page or (
        "&lt;script&gt;alert('weerbaar')&lt;/script&gt;" in page
    )
    assert doc.xpath("//link") == [] and not doc.xpath("//img[starts-with(@src, 'http')]")
    assert "cdn" not in page.lower() and "@import" not in page
    assert doc.get("lang") == "nl"
    heads = [h.text_content() for h in doc.xpath("//h2")]
    for want in ("Belangrijkste bevindingen", "Overzicht", "Per pijler", "Per maatregel",
                 "Knelpunten", "Ontwikkeling over de jaren", "Methode en voorbehoud"):  # fmt: skip
        assert want in heads
    assert len(doc.xpath("//svg")) >= 3 and all(s.get("role") == "img" for s in doc.xpath("//svg"))
    assert all(f.xpath(".//figcaption") for f in doc.xpath("//figure"))
    assert all(t.xpath(".//th") and t.xpath(".//caption") for t in doc.xpath("//table"))
    text = squash(doc.text_content())
    assert "Geen openbaar bewijs betekent niet dat een maatregel ontbreekt" in text
    assert "uit Begroting 2025 toon" in text and "5 van 9 aspecten aangetoond" in text
    assert "Kernhiaten" in text and "Tekort aan capaciteit of personeel" in text
    assert "2.2 scoort Hoog, maar 3.1 waarvan het afhangt scoort Laag." in text


def test_report_every_quote_is_verbatim_at_its_page(
    built: Built, org_report: dict[str, Path]
) -> None:
    page = org_report[f"rapport-organisatie-{built.gm_a}.html"].read_text(encoding="utf-8")
    quotes = lhtml.fromstring(page).xpath("//blockquote[@data-passage]")
    assert len(quotes) >= 4
    out_dir = org_report[f"rapport-organisatie-{built.gm_a}.html"].parent
    with built.ws.read() as conn:
        for q in quotes:
            doc_id = int(q.get("data-document"))
            first, last = int(q.get("data-page-start")), int(q.get("data-page-end"))
            pages = [p["text"] for p in page_texts(conn, doc_id) if first <= p["page_no"] <= last]
            quote = q.xpath(".//p[@class='quote']")[0].text_content()
            assert squash(quote) in squash(" ".join(pages)), quote
            # without the app's address a citation names document, page and passage, and
            # links nowhere: no path of the machine that made the report
            assert q.xpath(".//a/@href") == []
            footer = squash(q.xpath(".//footer")[0].text_content())
            assert f"passage {q.get('data-passage')}" in footer and "p. " in footer
    assert str(out_dir) not in page and "file:" not in page


def test_report_xlsx_parsed_back(built: Built, org_report: dict[str, Path]) -> None:
    wb = load_workbook(org_report[f"rapport-organisatie-{built.gm_a}.xlsx"])
    for name in ("Overzicht", "Scores", "Maatregelen", "Pijlers", "Regio's", "Jaren",
                 "Kernhiaten", "Knelpunten", "Bronnen", "Bewijs"):  # fmt: skip
        assert name in wb.sheetnames
        assert wb[name].auto_filter.ref, name
    scores = wb["Scores"]
    header = [c.value for c in scores[1]]
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in scores.iter_rows(min_row=2)
    ]
    r22 = next(r for r in rows if r["Organisatie"] == built.gm_a and r["Maatregel"] == "2.2")
    assert r22["Score"] == "Hoog"
    assert r22["Passages"] == ", ".join(map(str, sorted(built.passages["nsp"])))
    ev = wb["Bewijs"]
    cells = [c for row in ev.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    inj = [c for c in cells if c.value.startswith("=SUM(1+1)")]
    assert inj and all(c.data_type == "s" for c in inj)  # text, not a formula
    assert any("<script>" in c.value for c in cells)


def test_report_pdf_first_page_not_blank(built: Built, org_report: dict[str, Path]) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) ontbreekt")
    from PIL import Image

    pdf = org_report[f"rapport-organisatie-{built.gm_a}.pdf"]
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(stem)],
                   check=True)  # fmt: skip
    png = next(pdf.parent.glob(f"{stem.name}*.png"))
    im = Image.open(png).convert("L")
    dark = sum(im.histogram()[:128])
    assert dark > 500, dark
    council = org_report[f"raadslid-{built.gm_a}.pdf"]
    info = subprocess.run(["pdfinfo", str(council)], capture_output=True, text=True, check=True)
    assert re.search(r"Pages:\s+1\b", info.stdout)
    text = subprocess.run(["pdftotext", str(council), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "Wat heeft" in text and "veiligheidsregio" in text


def test_report_council_page(built: Built, org_report: dict[str, Path]) -> None:
    page = org_report[f"raadslid-{built.gm_a}.html"].read_text(encoding="utf-8")
    text = squash(lhtml.fromstring(page).text_content())
    assert text.count("Wat heeft") >= 1 and "De rol van de veiligheidsregio" in text
    assert "Voor 1 maatregel telt wat de regio doet ook voor" in text and "2.6" in text
    assert "Niets gevonden betekent niet dat er niets gebeurt" in text


def test_report_markdown_and_open_data(built: Built, org_report: dict[str, Path]) -> None:
    md = org_report[f"rapport-organisatie-{built.gm_a}.md"].read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "## Belangrijkste bevindingen" in md and "**Score: Hoog**" in md
    data = json.loads(org_report[f"rapport-organisatie-{built.gm_a}.json"].read_text("utf-8"))
    assert data["schema"] == "weerbaar.opendata.v3" and data["generated_at"] == STAMP
    row = next(
        r for r in data["scores"] if r["organisation"] == built.gm_a and r["measure"] == "2.2"
    )
    assert row["score"] == "Hoog" and row["evidence"] == sorted(built.passages["nsp"])
    with org_report[f"rapport-organisatie-{built.gm_a}-scores.csv"].open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == SCORE_FIELDS
        assert any(r["measure"] == "2.6" and r["carried_by_region"] == "true" for r in reader)
    with org_report[f"rapport-organisatie-{built.gm_a}-bewijs.csv"].open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == EVIDENCE_FIELDS
        assert any(r["text"].startswith("=SUM(1+1)") for r in reader)
    doc = Path(__file__).resolve().parents[1] / "docs" / "open-data.md"
    documented = doc.read_text(encoding="utf-8")
    for f in SCORE_FIELDS + EVIDENCE_FIELDS:
        assert f"`{f}`" in documented, f


def test_report_reproducible(built: Built, tmp_path: Path) -> None:
    a = write_reports(built.ws, tmp_path / "x", scope="landelijk", formats="html,md,json",
                      generated_at=STAMP)  # fmt: skip
    b = write_reports(built.ws, tmp_path / "y", scope="landelijk", formats="html,md,json",
                      generated_at=STAMP)  # fmt: skip
    assert [p.name for p in a] == [p.name for p in b]
    for p, q in zip(a, b, strict=True):
        assert p.read_bytes() == q.read_bytes(), p.name


def test_report_region_and_national_scopes(built: Built, tmp_path: Path) -> None:
    files = write_reports(built.ws, tmp_path, scope=f"regio:{built.region}",
                          formats="html,xlsx", generated_at=STAMP)  # fmt: skip
    names = {f.name for f in files}
    assert f"raadslid-{built.gm_a}.html" in names and f"raadslid-{built.gm_b}.html" in names
    page = (tmp_path / f"rapport-regio-{built.region}.html").read_text(encoding="utf-8")
    assert "Cruciale maatregelen: beeld en kernhiaten" in page
    wb = load_workbook(tmp_path / f"rapport-regio-{built.region}.xlsx")
    codes = {r[0].value for r in wb["Overzicht"].iter_rows(min_row=2)}
    assert codes == {built.region, built.gm_a, built.gm_b}
    _load_commands()
    res = CliRunner().invoke(
        app, ["rapport", "--werkruimte", str(built.ws.root), "--uit", str(tmp_path / "cli"),
              "--landelijk", "--formaat", "html,md"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = (tmp_path / "cli" / "rapport-landelijk.md").read_text(encoding="utf-8")
    assert "landelijke inventarisatie" in text and "Van de 41 maatregelen" in text


@pytest.mark.browser
def test_report_html_passes_axe(built: Built, org_report: dict[str, Path]) -> None:
    """axe-core (from the installed axe-playwright-python package, no network) in
    Debian's chromium finds no WCAG 2.1 A/AA violations in the report and council page."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("/usr/bin/chromium ontbreekt")
    axe_playwright_python = pytest.importorskip("axe_playwright_python")
    from playwright.sync_api import sync_playwright

    axe_js = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        found = {}
        for name in (f"rapport-organisatie-{built.gm_a}.html", f"raadslid-{built.gm_a}.html"):
            page.goto(org_report[name].resolve().as_uri())
            page.add_script_tag(path=str(axe_js))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
            )
            found[name] = [(v["id"], len(v["nodes"])) for v in result["violations"]]
        browser.close()
    assert found == {name: [] for name in found}


def test_report_reproducible_across_processes(built: Built, tmp_path: Path) -> None:
    """The same report from two processes with different string hashing (set and dict
    order of strings differ between processes): byte for byte the same."""
    code = (
        "import sys\n"
        "from weerbaar.report import write_reports\n"
        "from weerbaar.store import open_workspace\n"
        "ws = open_workspace(sys.argv[1], create=False)\n"
        f"write_reports(ws, sys.argv[2], scope='landelijk', formats='html,md,json', "
        f"generated_at={STAMP!r})\n"
        "ws.close()\n"
    )
    outs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", code, str(built.ws.root), str(out)], check=True, env=env
        )
        outs.append(sorted(out.iterdir()))
    for a, b in itertools.pairwise(outs):
        assert [p.name for p in a] == [p.name for p in b]
        for p, q in zip(a, b, strict=True):
            assert p.read_bytes() == q.read_bytes(), p.name
