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


# --------------------------------------------------------------------------- hostile parsers
# Parse targets for ParsePool (run inside the worker process): they stand in for a native
# parser bug that aborts, hangs or leaks, on files whose name says so.
def misbehaving_parser(path: str, media_type: str, settings, progress):  # type: ignore[no-untyped-def]
    import os
    import time

    from weerbaar.ingest.worker import parse_file

    name = Path(path).name
    original = Path(path).read_bytes()
    if b"ABORT" in original:
        os.abort()
    if b"HANG" in original:
        time.sleep(3600)
    if b"HOG" in original:
        hog = bytearray(4 << 30)  # 4 GB: above the address-space limit
        return {"status": "ok", "reason": str(len(hog))}
    return parse_file(path, media_type, settings, progress) | {"name": name}


def bomb_pdf(unpacked_mb: int = 512) -> bytes:
    """A one-page PDF whose content stream inflates to ``unpacked_mb`` MB of zero bytes."""
    import zlib

    data = zlib.compress(b"\0" * (unpacked_mb << 20), 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def scanned_pdf(path: Path, lines: list[str], page_size: tuple[float, float] = (595, 842)) -> None:
    """A PDF whose only page is an image of ``lines`` (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    except OSError:
        font = ImageFont.load_default(size=40)
    img = Image.new("L", (1700, 100 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((60, 50 + 80 * i), line, fill=0, font=font)
    c = canvas.Canvas(str(path), pagesize=page_size)
    w = 555
    c.drawImage(
        ImageReader(img), 20, page_size[1] - 340, width=w, height=w * img.height / img.width
    )
    c.showPage()
    c.save()


def docx_with_part(path: Path, source: Path, part: str, data: bytes) -> None:
    """Copy the DOCX ``source`` to ``path`` with one part replaced."""
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, data if item.filename == part else zin.read(item))


def steady_parser(path: str, media_type: str, settings, progress):  # type: ignore[no-untyped-def]
    """Slow but steady work, as OCR is: asks the pool for more time before each step of
    1.5 s (when the file says STEADY), then reads the file as usual."""
    import time

    from weerbaar.ingest.worker import parse_file

    if b"STEADY" in Path(path).read_bytes():
        for _ in range(7):
            progress.extend(3)
            time.sleep(1.5)
    return parse_file(path, media_type, settings, progress)
