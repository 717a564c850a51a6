"""Readers and passages on generated PDF, DOCX, HTML, TXT and Markdown: every passage is
the exact slice of the stored document text and traceable to its source."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from db_helpers import integrity_ok
from ingest_helpers import make_docx, make_pdf, paragraph, squash
from weerbaar.ingest import Status, ingest
from weerbaar.ingest.normalize import clean_block
from weerbaar.ingest.passages import Block, assemble_page, build_passages
from weerbaar.settings import load_settings
from weerbaar.store import Workspace
from weerbaar.store.documents import (
    PAGE_SEPARATOR,
    document_text,
    list_documents,
    list_passages,
    page_texts,
    passage_context,
)


def _check_offsets(ws: Workspace, doc_id: int) -> list[dict]:
    with ws.read() as conn:
        text = document_text(conn, doc_id)
        pages = page_texts(conn, doc_id)
        rows = list_passages(conn, document_id=doc_id)
    assert rows
    for p in pages:
        assert text[p["doc_start"] : p["doc_start"] + len(p["text"])] == p["text"]
        assert PAGE_SEPARATOR not in p["text"]
    for r in rows:
        assert text[r["start"] : r["end"]] == r["text"]
        first = pages[r["page"] - 1]
        last = pages[r["page_end"] - 1]
        assert first["doc_start"] <= r["start"] <= first["doc_start"] + len(first["text"])
        assert last["doc_start"] <= r["end"] <= last["doc_start"] + len(last["text"])
    return rows


def test_ingest_pdf_offsets_pages_and_headings(workspace: Workspace, tmp_path: Path) -> None:
    rng = random.Random(7)
    pages = []
    for i in range(4):
        pages.append(
            [
                ("h1", f"{i + 1}. Paragraaf over thema {i + 1}"),
                ("p", paragraph(rng, 4)),
                ("p", paragraph(rng, 30 if i == 2 else 2)),
            ]
        )
    pdf = tmp_path / "Programmabegroting 2025.pdf"
    make_pdf(pdf, pages)
    report = ingest(workspace, [pdf], progress=False)
    assert [i.status for i in report.items] == [Status.ok]
    doc_id = report.items[0].document_id
    rows = _check_offsets(workspace, doc_id)
    sources = [squash(" ".join(t for _, t in page)) for page in pages]
    for r in rows:
        body = squash(r["text"])
        # the passage comes from its page(s) in the source
        joined = " ".join(sources[r["page"] - 1 : r["page_end"]])
        assert body in joined, body[:80]
        assert r["heading"] and r["heading"].startswith(f"{r['page']}. Paragraaf")
        assert r["words"] <= 200
    # paragraphs are not cut at line ends: each short source paragraph lies in one passage
    for page in pages:
        for style, text in page:
            if style == "p" and len(text.split()) < 120:
                assert any(squash(text) in squash(r["text"]) for r in rows), text[:60]
    # the long paragraph on page 3 is cut into overlapping windows
    page3 = [r for r in rows if r["page"] == 3]
    assert len(page3) >= 2
    assert any(a["end"] > b["start"] for a, b in itertools.pairwise(page3))
    with workspace.read() as conn:
        doc = list_documents(conn)[0]
        ctx = passage_context(conn, rows[1]["id"], chars=100)
    assert doc["type"] == "begroting" and doc["year"] == 2025 and doc["pages"] == 4
    assert doc["inferred"]["doc_type"]["how"].startswith("bestandsnaam")
    assert ctx is not None and ctx["text"] == rows[1]["text"]
    assert 0 < len(ctx["before"]) <= 100 and 0 < len(ctx["after"]) <= 100
    text = document_text(workspace.engine.connect(), doc_id)
    s = rows[1]["start"]
    assert text[:s].endswith(ctx["before"])


def test_ingest_docx_tables_lists_headings(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    src = make_docx(path)
    report = ingest(workspace, [path], progress=False)
    assert report.items[0].status == Status.ok
    doc_id = report.items[0].document_id
    rows = _check_offsets(workspace, doc_id)
    kinds = {r["kind"] for r in rows}
    assert kinds == {"tekst", "lijst", "tabel"}
    tables = [r for r in rows if r["kind"] == "tabel"]
    assert (
        squash(tables[0]["text"]).split(" | ")[0] == "cel 00 " + src["tabel"][0].split(" | ")[0][7:]
    )
    assert all(row in squash(" ".join(t["text"] for t in tables)) for row in src["tabel"])
    assert tables[0]["page"] == 2  # after the page break
    lists = [r for r in rows if r["kind"] == "lijst"]
    assert lists[0]["heading"] == "Beleidsplan weerbaarheid 2025 > Noodsteunpunten"
    everything = squash(" ".join(r["text"] for r in rows))
    for t in src["tekst"] + src["lijst"]:
        assert squash(t)[:60] in everything
    long = [r for r in rows if r["kind"] == "tekst" and r["page"] == 2]
    assert len(long) >= 2 and all(r["words"] <= 200 for r in long)


def test_ingest_html_main_text_and_cp1252(workspace: Workspace, tmp_path: Path) -> None:
    html = (
        "<html><head><title>Raadsinformatiebrief crisisbeheersing</title>"
        "<style>p{color:red}</style><script>var geheim=1;</script></head><body>"
        "<nav><a href='/'>Home</a> menu-item</nav><header>Kopregel site</header>"
        "<main><h1>Crisisbeheersing</h1><p>De gemeente zorgt voor café-overleg en € 5 per "
        "inwoner; ë blijft ë.</p><h2>Noodsteunpunten</h2><ul><li>Buurthuis De Ster</li>"
        "<li>Sporthal Noord</li></ul><table><tr><th>Wijk</th><th>Locatie</th></tr>"
        "<tr><td>Oost</td><td>Bibliotheek</td></tr></table></main>"
        "<footer>Voettekst copyright</footer></body></html>"
    )
    path = tmp_path / "brief.html"
    path.write_bytes(html.encode("cp1252"))
    report = ingest(workspace, [path], progress=False)
    assert report.items[0].status == Status.ok
    rows = _check_offsets(workspace, report.items[0].document_id)
    everything = " ".join(r["text"] for r in rows)
    assert "café-overleg en € 5" in everything and "ë blijft ë" in everything
    for junk in ("geheim", "menu-item", "Voettekst", "color:red", "Kopregel"):
        assert junk not in everything
    assert "Wijk | Locatie\nOost | Bibliotheek" in everything
    assert any(r["heading"] == "Crisisbeheersing > Noodsteunpunten" for r in rows)
    with workspace.read() as conn:
        doc = list_documents(conn)[0]
    assert doc["title"] == "Raadsinformatiebrief crisisbeheersing"
    assert doc["type"] == "raadsinformatiebrief"
    assert doc["notes"]["encoding"] in {"cp1252", "windows-1252", "iso8859-15", "latin_1"}


def test_ingest_html_odd_charsets(workspace: Workspace, tmp_path: Path) -> None:
    files = {
        "fout.html": b'<meta charset="utf-8"><p>caf' + "é".encode("latin-1") + b" en meer</p>",
        "raar.html": b'<meta charset="utf-57"><p>gewone tekst hier</p>',
        "bom.html": "<p>tekst in utf-16 é</p>".encode("utf-16"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    report = ingest(workspace, [tmp_path / n for n in files], progress=False)
    assert [i.status for i in report.items] == [Status.ok] * 3
    with workspace.read() as conn:
        texts = {r["document_id"]: r["text"] for r in list_passages(conn)}
    assert "café en meer" in texts.values()
    assert "gewone tekst hier" in texts.values()
    assert "tekst in utf-16 é" in texts.values()


def test_ingest_text_and_markdown(workspace: Workspace, tmp_path: Path) -> None:
    md = tmp_path / "notitie.md"
    md.write_text(
        "# Risicoprofiel 2024\n\n## Stroom\n\nDe regio heeft een plan voor uit-\nval van stroom."
        "\n\n- eerste punt\n- tweede punt\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        encoding="utf-8",
    )
    txt = tmp_path / "tekst.txt"
    txt.write_bytes("Café\u0301 a\x00b \u202egnp.exe \u200bzero\nregel twee\fpagina twee".encode())
    report = ingest(workspace, [md, txt], progress=False)
    assert [i.status for i in report.items] == [Status.ok, Status.ok]
    rows = _check_offsets(workspace, report.items[0].document_id)
    # dehyphenated; the two-word list items join the paragraph of their section instead of
    # standing alone as passages; the table of bare figures stays out of running text (it is
    # in the page text, but no passage)
    assert rows[0]["text"].startswith("De regio heeft een plan voor uitval van stroom.\n\n")
    assert rows[0]["heading"] == "Risicoprofiel 2024 > Stroom"
    assert len(rows) == 1 and rows[0]["kind"] == "tekst"
    assert "- eerste punt" in rows[0]["text"] and rows[0]["text"].endswith("- tweede punt")
    with workspace.read() as conn:
        assert "a | b\n1 | 2" in document_text(conn, report.items[0].document_id)
    rows = _check_offsets(workspace, report.items[1].document_id)
    text = " ".join(r["text"] for r in rows)
    assert "\x00" not in text and "\u202e" not in text and "\u200b" not in text
    assert "Café" in text and "Cafe\u0301" not in text and "ab" in text
    assert rows[-1]["page_end"] == 2 and PAGE_SEPARATOR in rows[-1]["text"]
    with workspace.read() as conn:
        doc = list_documents(conn)[0]
    assert doc["type"] == "risicoprofiel" and doc["year"] == 2024


def test_passages_merge_short_and_window_long() -> None:
    rng = random.Random(3)
    short = [Block(f"Korte zin nummer {i} over water.") for i in range(12)]
    long = Block(paragraph(rng, 60))
    page = assemble_page([Block("Inleiding", "kop", 1), *short, long])
    text, passages = build_passages([page], min_words=40, max_words=120)
    for p in passages:
        assert text[p.char_start : p.char_end] == p.text
        assert p.words <= 120
        assert p.heading == "Inleiding"
    merged = [p for p in passages if "Korte zin" in p.text]
    assert len(merged) < len(short) and all(p.words >= 40 for p in merged[:-1])
    windows = [p for p in passages if p.char_start >= text.index(clean_block(long.text)[:30])]
    assert len(windows) >= 3
    for a, b in itertools.pairwise(windows):
        assert b.char_start < a.char_end  # overlap
        assert b.char_start > a.char_start  # progress


def test_passages_unbroken_text_is_capped() -> None:
    page = assemble_page([Block("A" * 50_000)])
    text, passages = build_passages([page], min_words=40, max_words=100)
    assert passages and all(len(p.text) <= 3000 for p in passages)
    assert "".join(p.text for p in passages) == text


def test_integrity_after_mixed_batch(workspace: Workspace, tmp_path: Path) -> None:
    make_pdf(tmp_path / "a.pdf", [[("p", "Een korte tekst op de eerste pagina.")]])
    (tmp_path / "b.txt").write_text("Nog een tekst.", encoding="utf-8")
    ingest(workspace, [tmp_path], progress=False, settings=load_settings(ocr=False))
    assert integrity_ok(workspace.root)
    stored = list((workspace.files_dir).rglob("*.*"))
    assert {p.suffix for p in stored} == {".pdf", ".txt"}


def test_pdf_running_headers_and_page_numbers_dropped(workspace: Workspace, tmp_path: Path) -> None:
    import textwrap

    from reportlab.pdfgen import canvas

    rng = random.Random(9)
    path = tmp_path / "koppen.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    bodies = []
    for n in range(1, 7):
        c.setFont("Helvetica", 8)
        c.drawString(50, 810, "Programmabegroting 2025 | Gemeente Testdorp")
        c.setFont("Helvetica", 10)
        y = 770
        c.drawString(50, y, f"{n}. Onderwerp nummer {n}")
        body = paragraph(rng, 5)
        bodies.append(body)
        for line in textwrap.wrap(body, 90):
            y -= 14
            c.drawString(50, y, line)
        c.setFont("Helvetica", 8)
        c.drawString(280, 30, f"Pagina {n} van 6")
        c.showPage()
    c.save()
    report = ingest(workspace, [path], progress=False)
    rows = _check_offsets(workspace, report.items[0].document_id)
    everything = " ".join(r["text"] for r in rows)
    assert "Testdorp" not in everything and "Pagina" not in everything
    for body in bodies:
        assert squash(body) in squash(everything)
    assert {r["heading"] for r in rows} == {f"{n}. Onderwerp nummer {n}" for n in range(1, 7)}
    with workspace.read() as conn:
        assert list_documents(conn)[0]["notes"]["header_footer_lines_dropped"] == 12


def test_docx_content_controls_are_read(workspace: Workspace, tmp_path: Path) -> None:
    import zipfile

    from ingest_helpers import docx_with_part

    base = tmp_path / "basis.docx"
    make_docx(base)
    xml = zipfile.ZipFile(base).read("word/document.xml").decode()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    assert w in xml
    cover = (
        "<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Voorblad met de naam van het plan"
        "</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    xml = xml.replace("<w:body>", "<w:body>" + cover, 1)
    path = tmp_path / "voorblad.docx"
    docx_with_part(path, base, "word/document.xml", xml.encode())
    report = ingest(workspace, [path], progress=False)
    rows = _check_offsets(workspace, report.items[0].document_id)
    assert "Voorblad met de naam van het plan" in rows[0]["text"]
