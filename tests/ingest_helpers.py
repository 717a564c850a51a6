"""Builders of real test documents for the ingest tests (PDF, DOCX, HTML), in our own
words. Not a test module."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

SUBJECTS = [
    "De gemeente", "Het college", "De veiligheidsregio", "Het team crisisbeheersing",
    "De wijkraad", "De burgemeester", "Het waterschap", "De GGD",
]  # fmt: skip
VERBS = ["oefent", "bespreekt", "actualiseert", "organiseert", "evalueert", "financiert"]
OBJECTS = [
    "het plan voor langdurige stroomuitval", "de noodsteunpunten in elke wijk",
    "de afspraken over drinkwater bij uitval", "de voorraad noodrantsoenen",
    "de risicocommunicatie aan inwoners", "de continuïteit van vitale processen",
    "de samenwerking met zorginstellingen", "de inzet van vrijwilligers",
]  # fmt: skip
TAILS = ["in het voorjaar", "samen met partners", "elk jaar opnieuw", "voor 2026", "in 2025"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def paragraph(rng: random.Random, n: int) -> str:
    return " ".join(sentence(rng) for _ in range(n))


def squash(text: str) -> str:
    """Whitespace-insensitive form for comparing with the source."""
    return re.sub(r"\s+", " ", text.replace("\f", " ")).strip()


def make_pdf(path: Path, pages: list[list[tuple[str, str]]]) -> None:
    """A text PDF: each page a list of (style, text), style 'h1', 'h2' or 'p'."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    names = {"h1": "Heading1", "h2": "Heading2", "p": "Normal"}
    story = []
    for i, page in enumerate(pages):
        if i:
            story.append(PageBreak())
        for style, text in page:
            story.append(Paragraph(text, styles[names[style]]))
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def pdf_bytes(n_pages: int = 3, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    buf = io.BytesIO()
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story = []
    for i in range(n_pages):
        if i:
            story.append(PageBreak())
        story.append(Paragraph(f"{i + 1}. Hoofdstuk {i + 1}", styles["Heading1"]))
        story.append(Paragraph(paragraph(rng, 6), styles["Normal"]))
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def make_docx(path: Path, seed: int = 2) -> dict[str, list[str]]:
    """A DOCX with headings, paragraphs, a list, a table and a page break; returns the
    source texts by kind."""
    import docx

    rng = random.Random(seed)
    d = docx.Document()
    src: dict[str, list[str]] = {"kop": [], "tekst": [], "lijst": [], "tabel": []}
    d.add_heading("Beleidsplan weerbaarheid 2025", level=1)
    src["kop"].append("Beleidsplan weerbaarheid 2025")
    for _ in range(3):
        t = paragraph(rng, 5)
        d.add_paragraph(t)
        src["tekst"].append(t)
    d.add_heading("Noodsteunpunten", level=2)
    src["kop"].append("Noodsteunpunten")
    for _ in range(3):
        t = sentence(rng)
        d.add_paragraph(t, style="List Bullet")
        src["lijst"].append(t)
    d.add_page_break()
    table = d.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"cel {r}{c} {rng.choice(OBJECTS)}"
        src["tabel"].append(" | ".join(table.cell(r, c).text for c in range(3)))
    t = paragraph(rng, 40)  # long: sentence windows with overlap
    d.add_paragraph(t)
    src["tekst"].append(t)
    d.save(str(path))
    return src
