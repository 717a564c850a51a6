"""The demo corpus: the generator writes real PDF/DOCX/HTML files, a scanned page without
text layer and a broken file; every anchor of the demo decisions occurs in its file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from selectolax.lexbor import LexborHTMLParser

from weerbaar.demo import generate_corpus, load_organisations, load_sources
from weerbaar.demo.generate import GeneratedCorpus
from weerbaar.demo.sources import FICTION_NOTE, demo_dir, parse_body

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCorpus:
    return generate_corpus(tmp_path_factory.mktemp("demo") / "bestanden")


def _norm(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def docx_text(path: Path) -> tuple[str, list[list[list[str]]]]:
    d = docx.Document(str(path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    parts = [p.text for p in d.paragraphs] + [" ".join(r) for t in tables for r in t]
    return _norm(" ".join(parts)), tables


def html_text(path: Path) -> str:
    tree = LexborHTMLParser(path.read_text(encoding="utf-8"))
    return _norm(tree.body.text(separator=" "))


def file_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return _norm(" ".join(pdf_pages(path)))
    if path.suffix == ".docx":
        return docx_text(path)[0]
    return html_text(path)


def test_sources_are_fictional_and_complete() -> None:
    orgs = load_organisations()
    codes = {o.code for o in orgs}
    assert {o.type for o in orgs} == {"veiligheidsregio", "gemeente"}
    docs = load_sources()
    assert 15 <= len(docs) <= 30
    assert {d.organisation for d in docs} == codes
    for d in docs:
        assert "fictief" in d.title, d.file_name
        assert d.blocks and d.blocks[0].kind == "h1", d.file_name
    # each municipality has budgets and annual reports over more than one year
    for org in (o for o in orgs if o.type == "gemeente"):
        years = {(d.doc_type, d.year) for d in docs if d.organisation == org.code}
        assert {y for t, y in years if t == "begroting"} >= {2024, 2025}
        assert any(t == "jaarstukken" for t, _ in years)


def test_fictional_names_do_not_exist(shared_dir: Path) -> None:
    real = set()
    with (shared_dir / "reference" / "gemeenten_veiligheidsregio.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            real.add(row["gemeentenaam"].lower())
            real.add(row["gemeentecode"])
            real.add(row["vr_code"])
    for org in load_organisations():
        assert org.code not in real
        assert org.name.lower().removeprefix("gemeente ") not in real


def test_parse_body_tables_pages_and_headings() -> None:
    blocks = parse_body(
        "# Titel\n\nTekst een\ntwee.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n[pagina]\n## Kop"
    )
    assert [b.kind for b in blocks] == ["h1", "p", "table", "page", "h2"]
    assert blocks[1].text == "Tekst een twee."
    assert blocks[2].rows == (("a", "b"), ("1", "2"))


def test_generator_writes_every_kind(corpus: GeneratedCorpus) -> None:
    formats = {f.source.format for f in corpus.files}
    assert formats == {"pdf", "docx", "html", "scan", "kapot"}
    for f in corpus.files:
        assert f.path.is_file() and f.path.stat().st_size > 0


def test_pdfs_have_real_page_breaks_and_the_fiction_note(corpus: GeneratedCorpus) -> None:
    for f in corpus.files:
        if f.source.format != "pdf":
            continue
        pages = pdf_pages(f.path)
        assert len(pages) == len(f.source.pages()), f.path.name
        assert len(pages) >= 3
        assert _norm(FICTION_NOTE) in _norm(pages[0])
        # the first heading of each source page starts the text of its PDF page
        for page_text, blocks in zip(pages[1:], f.source.pages()[1:], strict=True):
            assert _norm(blocks[0].text or blocks[0].rows[0][0]) in _norm(page_text)


def test_docx_has_a_table(corpus: GeneratedCorpus) -> None:
    docs = [f for f in corpus.files if f.source.format == "docx"]
    assert len(docs) >= 2
    for f in docs:
        text, tables = docx_text(f.path)
        source_tables = [b for b in f.source.blocks if b.kind == "table"]
        assert len(tables) == len(source_tables) >= 1
        assert [list(r) for r in source_tables[0].rows] == tables[0]
        assert _norm(FICTION_NOTE) in text


def test_html_page_is_a_begrotingsapp_chapter(corpus: GeneratedCorpus) -> None:
    (f,) = [f for f in corpus.files if f.source.format == "html"]
    tree = LexborHTMLParser(f.path.read_text(encoding="utf-8"))
    assert tree.css_first("nav") is not None and tree.css_first("footer") is not None
    article = tree.css_first("article")
    assert article is not None and article.css_first("table") is not None
    assert _norm(FICTION_NOTE) in _norm(article.text(separator=" "))


def test_scanned_page_has_no_text_layer(corpus: GeneratedCorpus) -> None:
    (f,) = [f for f in corpus.files if f.source.format == "scan"]
    doc = pdfium.PdfDocument(str(f.path))
    try:
        assert len(doc) == 1
        page = doc[0]
        assert page.get_textpage().get_text_range().strip() == ""
        objects = list(page.get_objects())
        assert any(o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for o in objects)
        image = page.render(scale=1).to_pil().convert("L")
        dark = sum(image.histogram()[:160])
        assert dark > 2000  # the rendered page shows text
    finally:
        doc.close()


def test_broken_file_does_not_open(corpus: GeneratedCorpus) -> None:
    (f,) = [f for f in corpus.files if f.source.format == "kapot"]
    assert f.path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(str(f.path))


def test_manifest_lists_every_file(corpus: GeneratedCorpus) -> None:
    with corpus.manifest.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["bestand"] for r in rows] == [f.path.name for f in corpus.files]
    by_name = {f.path.name: f.source for f in corpus.files}
    for r in rows:
        s = by_name[r["bestand"]]
        assert (r["organisatie"], r["soort"], int(r["jaar"]), r["titel"]) == (
            s.organisation,
            s.doc_type,
            s.year,
            s.title,
        )


def test_generation_is_deterministic(corpus: GeneratedCorpus, tmp_path: Path) -> None:
    again = generate_corpus(tmp_path / "opnieuw")
    for a, b in zip(corpus.files, again.files, strict=True):
        if a.source.format in ("pdf", "scan", "kapot", "html"):
            assert a.path.read_bytes() == b.path.read_bytes(), a.path.name


def test_every_anchor_occurs_in_its_file(corpus: GeneratedCorpus) -> None:
    data = json.loads((demo_dir() / "beoordelingen.json").read_text(encoding="utf-8"))
    assert data["reviewer"] == "demo"
    decisions = data["decisions"]
    assert len(decisions) >= 30
    assert any(d["relevant"] == "nee" for d in decisions)
    texts: dict[str, str] = {}
    for d in decisions:
        name = d["file"]
        if name not in texts:
            texts[name] = file_text(corpus.by_name(name).path)
        assert _norm(d["anchor"]) in texts[name], (name, d["anchor"])
        assert d["relevant"] in ("ja", "nee", "andere")
        if d["relevant"] == "ja":
            assert d["stage"] in ("voornemen", "plan", "uitvoering", "evaluatie")


def test_decisions_use_catalogue_measures_and_aspects() -> None:
    from weerbaar.catalog import load_catalog

    catalog = load_catalog()
    data = json.loads((demo_dir() / "beoordelingen.json").read_text(encoding="utf-8"))
    for d in data["decisions"]:
        measure = catalog.measure(d["measure"])
        known = {a.id for a in measure.aspects}
        assert set(d["aspects"]) <= known, (d["measure"], d["aspects"])


# --------------------------------------------------------------------------- the runner
def test_run_demo_refuses_a_folder_that_is_not_demo_output(tmp_path: Path) -> None:
    from weerbaar.demo import DemoError, run_demo

    (tmp_path / "notities.txt").write_text("van de gebruiker")
    with pytest.raises(DemoError):
        run_demo(tmp_path)
    assert (tmp_path / "notities.txt").read_text() == "van de gebruiker"
    assert not (tmp_path / "werkruimte").exists()


@pytest.mark.slow
def test_run_demo_end_to_end_and_again(tmp_path: Path) -> None:
    from weerbaar.assess import assess
    from weerbaar.demo import format_summary, run_demo
    from weerbaar.review import list_decisions
    from weerbaar.store import open_workspace
    from weerbaar.store.documents import count_rows, list_passages
    from weerbaar.web.accounts import login

    out = tmp_path / "demo-uitvoer"
    lines: list[str] = []
    result = run_demo(out, echo=lines.append)
    assert [s.status for s in result.steps] == ["ok"] * len(result.steps), result.steps
    assert len(lines) == len(result.steps)
    assert result.unresolved == []
    assert result.ok

    # the broken file is reported as skipped, with its reason
    skipped = {name: (status, reason) for name, status, reason in result.skipped_documents}
    status, reason = skipped["oudeberg_jaarstukken_2024.pdf"]
    assert status != "ok" and reason
    summary = (out / "samenvatting.txt").read_text(encoding="utf-8")
    assert "oudeberg_jaarstukken_2024.pdf" in summary and reason in summary
    assert "Klaar in" in summary and "proef-stroomstoring" in summary
    assert format_summary(result).strip() == summary.strip()

    # reports in all three formats under rapporten/
    suffixes = {p.suffix for p in result.report_files}
    assert {".html", ".pdf", ".xlsx"} <= suffixes
    assert all(p.is_file() and p.parent == result.reports_dir for p in result.report_files)
    # the region's HTML report lists the broken file as not read, with its reason
    html = next(p for p in result.report_files if p.name == "rapport-regio-VR99.html")
    page = html.read_text(encoding="utf-8")
    assert "oudeberg_jaarstukken_2024.pdf" in page and "beschadigd" in page
    for level in ("Hoog", "Midden", "Laag"):
        assert f">{level}<" in page
    # Oudeberg's 2.2 is Laag because only intentions were found: the council page says so
    council = (result.reports_dir / "raadslid-GM9903.html").read_text(encoding="utf-8")
    row = council.split("2.2 Noodsteunpunten inrichten</th>", 1)[1].split("</tr>", 1)[0]
    assert "Alleen voornemens gevonden" in row

    ws = open_workspace(result.workspace)
    try:
        decisions = list_decisions(ws)
        assert len(decisions) == result.decisions_recorded >= 30
        assert {d["reviewer"] for d in decisions} == {"demo"}
        # each decision sits on a passage that contains one of its anchors
        data = json.loads((demo_dir() / "beoordelingen.json").read_text(encoding="utf-8"))
        anchors = {(_norm(d["anchor"]).casefold(), d["measure"]) for d in data["decisions"]}
        with ws.read() as conn:
            texts = {p["id"]: _norm(p["text"]).casefold() for p in list_passages(conn)}
            rows_first = count_rows(conn)
        for d in decisions:
            assert any(m == d["measure_id"] and a in texts[d["passage_id"]] for a, m in anchors), d
        # the levels follow from the decisions: far along, planning, little
        assessment = assess(ws)
        by = {(r["organisation"], r["measure"]): r for r in assessment.rows()}
        assert by[("GM9901", "2.2")]["score"] == "Hoog"
        assert by[("GM9902", "2.2")]["score"] == "Midden"
        assert by[("GM9903", "2.2")]["score"] == "Laag"
        assert {r["score"] for r in assessment.rows()} >= {"Hoog", "Midden", "Laag"}
        assert login(ws, "demo", "proef-stroomstoring").user.name == "demo"
        # Dijkhoven's private self-assessment: pre-filled, with its own claims and points
        from weerbaar.selfassess import load_entries
        from weerbaar.store import selfassess as sq

        entries = {e.measure_id: e for e in load_entries(ws, "GM9901")}
        assert all(e.origin != "leeg" for e in entries.values())
        assert entries["3.1"].status.value == "ingericht" and entries["3.1"].origin == "handmatig"
        assert sum(e.origin == "scan" for e in entries.values()) >= 30
        with ws.read() as conn:
            assert len(sq.list_points(conn, "GM9901")) == 3
        assert login(ws, "dijkhoven", "proef-stroomstoring").user.name == "dijkhoven"
        assert {p.name for p in result.self_files} == {
            "actieplan-GM9901.xlsx",
            "actieplan-GM9901.pdf",
            "meterkastkaarten-GM9901-A6.pdf",
        }
    finally:
        ws.close()

    # a second run rebuilds cleanly: same documents, passages and decisions
    again = run_demo(out)
    assert again.ok
    assert again.decisions_recorded == result.decisions_recorded
    ws = open_workspace(again.workspace)
    try:
        with ws.read() as conn:
            assert count_rows(conn) == rows_first
    finally:
        ws.close()


def test_cli_demo_refuses_a_user_folder_in_dutch(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "eigen.txt").write_text("niet weggooien")
    proc = subprocess.run(
        [sys.executable, "-m", "weerbaar", "demo", "--uit", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "geen uitvoermap van de demo" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "eigen.txt").exists()
