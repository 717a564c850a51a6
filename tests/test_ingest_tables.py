"""Tables as tables: PDF (from the layout of figures), DOCX and HTML tables become
passages of kind ``tabel`` with their caption and column headers, apart from running
text, and never headings. Documents are generated here, in our own words."""

from __future__ import annotations

from pathlib import Path

from ingest_helpers import paragraph
from weerbaar.ingest import Status, ingest
from weerbaar.store import Workspace
from weerbaar.store.documents import list_passages

INTRO = (
    "De gemeente investeert de komende jaren in noodstroom voor de gebouwen waar inwoners "
    "bij een langdurige stroomuitval terecht kunnen. Hieronder staan de kosten per post."
)
ROWS = [
    ("Noodstroomvoorziening gemeentehuis", "45.000", "12.000"),
    ("Noodsteunpunten in de wijken", "30.500", "8.250"),
    ("Riolering", "1.548", "1.517"),
]


def _rows(ws: Workspace) -> list[dict]:
    with ws.read() as conn:
        return list_passages(conn)


def test_pdf_budget_table_is_one_table_passage(workspace: Workspace, tmp_path: Path) -> None:
    import random

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "begroting.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(60, 780, "3 Veiligheid en crisisbeheersing")
    c.setFont("Helvetica", 10)
    text = c.beginText(60, 750)
    import textwrap

    for line in textwrap.wrap(INTRO + " " + paragraph(random.Random(3), 3), 95):
        text.textLine(line)
    c.drawText(text)
    y = 640
    c.setFont("Helvetica", 9)
    c.drawString(60, y, "Tabel 3.1 Kosten noodstroom (x € 1)")
    y -= 16
    c.drawString(60, y, "Post")
    c.drawString(330, y, "2026")
    c.drawString(420, y, "2027")
    for label, a, b in ROWS:
        y -= 15
        c.drawString(60, y, label)
        c.drawRightString(360, y, a)
        c.drawRightString(450, y, b)
    c.setFont("Helvetica", 10)
    c.drawString(
        60, y - 40, "De raad besluit over deze kosten bij de behandeling van de begroting."
    )
    c.showPage()
    c.save()
    report = ingest(workspace, [path], progress=False)
    assert report.items[0].status == Status.ok
    rows = _rows(workspace)
    (table,) = [r for r in rows if r["kind"] == "tabel"]
    lines = table["text"].split("\n")
    assert lines[0] == "Tabel 3.1 Kosten noodstroom (x € 1)"
    assert lines[1] == "Post 2026 2027"  # the column headers
    assert lines[2:] == [" ".join(r) for r in ROWS]  # each label with its figures
    for r in rows:
        assert not any(label in (r["heading"] or "") for label, _, _ in ROWS)
        if r["kind"] != "tabel":
            assert "45.000" not in r["text"] and "1.548" not in r["text"]
    assert table["heading"] == "3 Veiligheid en crisisbeheersing"


def test_docx_and_html_tables_with_caption_and_headers(
    workspace: Workspace, tmp_path: Path
) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Noodstroom", level=1)
    d.add_paragraph(INTRO)
    d.add_paragraph("Tabel 2 Kosten per locatie")
    table = d.add_table(rows=len(ROWS) + 1, cols=3)
    for c, head in enumerate(("Locatie", "2026", "2027")):
        table.cell(0, c).text = head
    for r, row in enumerate(ROWS, start=1):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    d.add_paragraph(paragraph(__import__("random").Random(5), 4))
    d.save(str(tmp_path / "plan.docx"))
    html = (
        "<html><body><main><h1>Noodstroom</h1><p>" + INTRO + "</p><table>"
        "<caption>Kosten per locatie</caption><tr><th>Locatie</th><th>2026</th></tr>"
        + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b, _ in ROWS)
        + "</table></main></body></html>"
    )
    (tmp_path / "plan.html").write_text(html, encoding="utf-8")
    report = ingest(workspace, [tmp_path / "plan.docx", tmp_path / "plan.html"], progress=False)
    assert all(i.status == Status.ok for i in report.items)
    by_doc: dict[int, list[dict]] = {}
    for r in _rows(workspace):
        by_doc.setdefault(r["document_id"], []).append(r)
    docx_rows, html_rows = (by_doc[i.document_id] for i in report.items)
    (t1,) = [r for r in docx_rows if r["kind"] == "tabel"]
    assert t1["text"].startswith("Tabel 2 Kosten per locatie\nLocatie | 2026 | 2027\n")
    assert "Noodstroomvoorziening gemeentehuis | 45.000 | 12.000" in t1["text"]
    assert all("45.000" not in r["text"] for r in docx_rows if r["kind"] != "tabel")
    (t2,) = [r for r in html_rows if r["kind"] == "tabel"]
    assert t2["text"].startswith("Kosten per locatie\nLocatie | 2026\n")
    assert t2["heading"] == "Noodstroom"


def test_pdf_bookmarks_make_headings(workspace: Workspace, tmp_path: Path) -> None:
    """A heading set in the body font is still a heading when the PDF's outline names it
    (at the outline's level)."""
    import random
    import textwrap

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    rng = random.Random(9)
    titles = (
        "Stroomuitval en noodstroom voor de gemeentelijke gebouwen en de noodsteunpunten in de wijken",
        "Drinkwater bij uitval van de levering en de afspraken met het waterbedrijf in de regio",
    )  # longer than a heading guessed from the layout would be
    for n, title in enumerate(titles, 1):
        c.bookmarkPage(f"h{n}")
        c.addOutlineEntry(title, f"h{n}", level=0)
        text = c.beginText(60, 780)
        text.setFont("Helvetica", 10)
        text.textLine(title)  # same font as the body: only the outline says it is a heading
        for line in textwrap.wrap(paragraph(rng, 6), 95):
            text.textLine(line)
        c.drawText(text)
        c.showPage()
    c.save()
    report = ingest(workspace, [path], progress=False)
    assert report.items[0].status == Status.ok
    rows = _rows(workspace)
    assert {r["heading"] for r in rows} == set(titles)
    assert not any(r["text"].startswith(("Stroomuitval", "Drinkwater")) for r in rows)


def test_a_bookmark_makes_one_heading_per_page() -> None:
    """A bookmark title is a heading where it first stands on its page; the same words
    again further down, within a sentence that wraps onto them, stay text."""
    from weerbaar.ingest.layout import Line, blocks_from_lines, outline_key

    title = "Noodstroom voor de noodsteunpunten"
    lines = [
        Line(title, 10, y=780),
        Line("De gemeente regelt noodstroom voor elk noodsteunpunt en test die elk", 10, y=768),
        Line("jaar. Zie voor de afspraken met de netbeheerder het hoofdstuk over", 10, y=756),
        Line(title, 10, y=744),
        Line("verderop in dit plan, waar ook de kosten per locatie staan vermeld.", 10, y=732),
    ]
    blocks = blocks_from_lines(lines, None, [(outline_key(title), 2)])
    assert [(b.kind, b.level) for b in blocks] == [("kop", 2), ("tekst", 0)]
    assert blocks[1].text.splitlines()[2] == title
