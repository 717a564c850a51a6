"""Generate the demo files (PDF, DOCX, HTML, a scanned page, a broken file) and a
manifest from the sources in ``demo/bronnen/``. Deterministic: the same sources give the
same text (PDF metadata dates are fixed)."""

from __future__ import annotations

import csv
import html
import io
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

from weerbaar.demo.sources import (
    FICTION_NOTE,
    Block,
    DemoOrganisation,
    SourceDocument,
    load_organisations,
    load_sources,
)

MANIFEST_NAME = "manifest.csv"
MANIFEST_FIELDS = ("bestand", "organisatie", "soort", "jaar", "titel", "url")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    path: Path
    source: SourceDocument


@dataclass(frozen=True, slots=True)
class GeneratedCorpus:
    folder: Path
    files: list[GeneratedFile]
    manifest: Path

    def by_name(self, name: str) -> GeneratedFile:
        for f in self.files:
            if f.path.name == name:
                return f
        raise KeyError(name)


def _org_names(orgs: list[DemoOrganisation]) -> dict[str, str]:
    return {o.code: o.name for o in orgs}


# --------------------------------------------------------------------------- PDF
def _pdf_bytes(doc: SourceDocument, org_name: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    cell = styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5)
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=doc.title,
        author=org_name,
        subject="Fictief demodocument",
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2.2 * cm,
        bottomMargin=2.2 * cm,
        invariant=1,
    )

    def footer(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(2.2 * cm, 1.2 * cm, f"{org_name} (fictief)")
        canvas.drawRightString(A4[0] - 2.2 * cm, 1.2 * cm, f"pagina {document.page}")
        canvas.restoreState()

    story: list = [
        Paragraph(html.escape(org_name), styles["Heading2"]),
        Paragraph(html.escape(doc.title), styles["Title"]),
        Paragraph(f"<i>{html.escape(FICTION_NOTE)}</i>", body),
        Spacer(1, 0.6 * cm),
    ]
    for i, page in enumerate(doc.pages()):
        if i:
            story.append(PageBreak())
        for block in page:
            story.extend(_pdf_block(block, styles, body, cell, Paragraph, Table, TableStyle))
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _pdf_block(block: Block, styles, body, cell, Paragraph, Table, TableStyle) -> list:  # type: ignore[no-untyped-def]
    from reportlab.lib import colors

    if block.kind in ("h1", "h2", "h3"):
        style = {"h1": "Heading1", "h2": "Heading2", "h3": "Heading3"}[block.kind]
        return [Paragraph(html.escape(block.text), styles[style])]
    if block.kind == "li":
        return [Paragraph(html.escape(block.text), body, bulletText="•")]
    if block.kind == "table":
        data = [[Paragraph(html.escape(c), cell) for c in row] for row in block.rows]
        table = Table(data, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return [table]
    return [Paragraph(html.escape(block.text), body)]


# --------------------------------------------------------------------------- DOCX
def _write_docx(doc: SourceDocument, org_name: str, path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.core_properties.title = doc.title
    d.core_properties.author = org_name
    d.add_paragraph(org_name)
    d.add_heading(doc.title, level=0)
    d.add_paragraph().add_run(FICTION_NOTE).italic = True
    for i, page in enumerate(doc.pages()):
        if i:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for block in page:
            if block.kind in ("h1", "h2", "h3"):
                d.add_heading(block.text, level=int(block.kind[1]))
            elif block.kind == "li":
                d.add_paragraph(block.text, style="List Bullet")
            elif block.kind == "table":
                ncols = max(len(r) for r in block.rows)
                table = d.add_table(rows=len(block.rows), cols=ncols)
                table.style = "Table Grid"
                for r, row in enumerate(block.rows):
                    for c, value in enumerate(row):
                        table.cell(r, c).text = value
            else:
                d.add_paragraph(block.text)
    d.save(str(path))


# --------------------------------------------------------------------------- HTML
def _html_text(doc: SourceDocument, org_name: str) -> str:
    """A chapter as a municipal 'begrotingsapp' shows it: navigation, breadcrumbs,
    cookie banner and footer around the article."""
    e = html.escape
    parts: list[str] = []
    for page in doc.pages():
        for block in page:
            if block.kind in ("h1", "h2", "h3"):
                level = {"h1": 1, "h2": 2, "h3": 3}[block.kind]
                parts.append(f"<h{level}>{e(block.text)}</h{level}>")
            elif block.kind == "li":
                parts.append(f"<ul><li>{e(block.text)}</li></ul>")
            elif block.kind == "table":
                head, *rows = block.rows
                th = "".join(f"<th scope='col'>{e(c)}</th>" for c in head)
                trs = "".join(
                    "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows
                )
                parts.append(
                    f"<div class='table-wrap'><table><thead><tr>{th}</tr></thead>"
                    f"<tbody>{trs}</tbody></table></div>"
                )
            else:
                parts.append(f"<p>{e(block.text)}</p>")
    article = "\n".join(parts)
    nav = "".join(
        f"<li><a href='#'>{e(x)}</a></li>"
        for x in (
            "Home",
            "Programma 1 Veiligheid",
            "Programma 2 Verkeer en vervoer",
            "Programma 3 Economie",
            "Programma 4 Onderwijs",
            "Programma 5 Sport en cultuur",
            "Programma 6 Sociaal domein",
            "Paragrafen",
            "Financiële begroting",
        )
    )
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{e(doc.title)} | {e(org_name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;margin:0}} nav ul{{list-style:none}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:4px}}</style>
</head>
<body>
<div class="cookie-banner" role="dialog">Deze website gebruikt alleen functionele
cookies. <button>Akkoord</button></div>
<header><a class="logo" href="#">{e(org_name)} begrotingsapp</a>
<nav aria-label="Hoofdmenu"><ul>{nav}</ul></nav></header>
<div class="breadcrumbs"><a href="#">Home</a> &rsaquo; <a href="#">Begroting {doc.year}</a>
&rsaquo; Programma 1 Veiligheid</div>
<main>
<article>
<p class="fictief"><em>{e(FICTION_NOTE)}</em></p>
{article}
</article>
</main>
<footer><p>&copy; {doc.year} {e(org_name)} (fictief) &middot; Privacyverklaring &middot;
Toegankelijkheid &middot; Deze begroting is gemaakt met een begrotingsapp.</p></footer>
</body>
</html>
"""


# --------------------------------------------------------------------------- scan
def _scan_pdf_bytes(doc: SourceDocument, org_name: str) -> bytes:
    """One page rendered to an image and placed in a PDF without any text layer."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width, height = 1240, 1754  # A4 at 150 dpi
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)

    def font(size: int):  # type: ignore[no-untyped-def]
        if DEJAVU.is_file():
            return ImageFont.truetype(str(DEJAVU), size)
        return ImageFont.load_default(size=size)

    y = 120
    draw.text((110, y), org_name, fill=20, font=font(34))
    y += 90
    lines: list[tuple[str, int]] = []
    for block in (b for page in doc.pages() for b in page):
        if block.kind.startswith("h"):
            lines.append((block.text, 30))
            lines.append(("", 22))
        elif block.kind == "table":
            for row in block.rows:
                lines.append(("  ".join(row), 24))
        else:
            for line in textwrap.wrap(block.text, 78):
                lines.append((line, 24))
            lines.append(("", 24))
    for line in textwrap.wrap(FICTION_NOTE, 90):
        lines.append((line, 18))
    for text, size in lines:
        draw.text((110, y), text, fill=25, font=font(size))
        y += int(size * 1.55)
    rng = random.Random(doc.file_name)
    for _ in range(2500):  # scanner speckle
        draw.point((rng.randrange(width), rng.randrange(height)), fill=rng.randrange(120, 200))
    image = image.rotate(0.6, fillcolor=250, resample=Image.Resampling.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(doc.title)
    c.drawImage(ImageReader(png), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()


def _broken_pdf_bytes(doc: SourceDocument, org_name: str) -> bytes:
    """A PDF cut off early, as after an interrupted download: the header and the first
    objects are there, the page tree and cross-reference table are not."""
    data = _pdf_bytes(doc, org_name)
    return data[: max(200, len(data) // 4)]


# --------------------------------------------------------------------------- driver
def generate_corpus(out_dir: Path, base: Path | None = None) -> GeneratedCorpus:
    """Write every demo document to ``out_dir`` (created; files replaced) and a
    ``manifest.csv`` beside them. Returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = _org_names(load_organisations(base))
    files: list[GeneratedFile] = []
    for doc in load_sources(base):
        org_name = names.get(doc.organisation, doc.organisation)
        path = out_dir / doc.file_name
        if doc.format == "pdf":
            path.write_bytes(_pdf_bytes(doc, org_name))
        elif doc.format == "docx":
            _write_docx(doc, org_name, path)
        elif doc.format == "html":
            path.write_text(_html_text(doc, org_name), encoding="utf-8")
        elif doc.format == "scan":
            path.write_bytes(_scan_pdf_bytes(doc, org_name))
        else:  # kapot
            path.write_bytes(_broken_pdf_bytes(doc, org_name))
        files.append(GeneratedFile(path=path, source=doc))
    manifest = out_dir / MANIFEST_NAME
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(MANIFEST_FIELDS)
        for f in files:
            s = f.source
            writer.writerow([f.path.name, s.organisation, s.doc_type, s.year, s.title, ""])
    return GeneratedCorpus(folder=out_dir, files=files, manifest=manifest)
