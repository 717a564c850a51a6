"""Sample data for the web app tests: two fictional municipalities in a fictional
region, documents (one a real PDF) with passages, a review queue, and accounts."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from weerbaar.review.sample import SamplePassage, add_candidates, add_document
from weerbaar.store import Workspace
from weerbaar.store.organisations import add_organisation
from weerbaar.web.accounts import create_user

PASSWORD = "proef-wachtwoord-123"
XSS = "<script>alert('xss')</script> <img src=x onerror=alert(1)> {{ 7*7 }} {% raw %}"
SENTINEL_B = "GEHEIM-VAN-ZUIDHAVEN"
MEASURE = "2.2"

TOPICS = [
    "De gemeente richt vijf noodsteunpunten in, verspreid over de wijken en kernen.",
    "In de buurthuizen komen noodstroom, drinkwater en een EHBO-post bij langdurige uitval.",
    "Inwoners krijgen een folder met de adressen van de noodsteunpunten in hun wijk.",
    "Met de veiligheidsregio is afgesproken wie een noodsteunpunt opent en bemenst.",
    "In het najaar oefenen vrijwilligers het openen van een noodsteunpunt bij stroomuitval.",
    "De raad heeft budget vrijgemaakt voor aggregaten op de aangewezen locaties.",
    "Het college verkent samen met woningcorporaties geschikte ruimtes in elke kern.",
    "Kerken en sportclubs hebben toegezegd hun gebouw open te stellen bij een ramp.",
    "De evaluatie van de oefening noemt verbeterpunten voor de informatievoorziening.",
    "De gemeente neemt deel aan de landelijke pilot met noodsteunpunten.",
    "Het beleidsplan beschrijft ook de opvang van evacués in sporthallen.",
    "Er is een lijst van vitale partners met hun contactpersonen opgesteld.",
]


@dataclass
class Sample:
    ws: Workspace
    org_a: str
    org_b: str
    a: list[SamplePassage]
    b: list[SamplePassage]
    xss: SamplePassage
    pdf_doc_id: int
    b_doc_id: int


def make_pdf(pages: list[list[str]]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for paras in pages:
        y = 780
        for para in paras:
            c.drawString(60, y, para[:95])
            y -= 24
        c.showPage()
    c.save()
    return buf.getvalue()


def _store(ws: Workspace, data: bytes, suffix: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    rel = Path("bestanden") / f"{digest}{suffix}"
    (ws.root / rel).write_bytes(data)
    return str(rel)


def build(ws: Workspace, *, n_a: int = 12) -> Sample:
    add_organisation(ws, "VR99", "Veiligheidsregio Proefland", "veiligheidsregio", fictional=True)
    add_organisation(ws, "GM9901", "Gemeente Noordwaarde", "gemeente", "VR99", fictional=True)
    add_organisation(ws, "GM9902", "Gemeente Zuidhaven", "gemeente", "VR99", fictional=True)

    paras = [TOPICS[i % len(TOPICS)] + f" (punt {i + 1})" for i in range(n_a)]
    pages = [paras[i : i + 3] for i in range(0, len(paras), 3)]
    pdf = make_pdf(pages)
    a = add_document(
        ws,
        organisation_code="GM9901",
        title="Beleidsplan crisisbeheersing Noordwaarde",
        pages=pages,
        year=2025,
        stored_path=_store(ws, pdf, ".pdf"),
        media_type="application/pdf",
        headings=[f"Hoofdstuk {i // 3 + 1} > Noodsteunpunten" for i in range(n_a)],
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    xss = add_document(
        ws,
        organisation_code="GM9901",
        title="Raadsbrief <b>vet</b> {{ 7*7 }}",
        pages=[["Inleiding van de brief over noodsteunpunten.", XSS, "Slot van de brief."]],
        year=2024,
    )
    b_text = [
        f"{SENTINEL_B}: Zuidhaven wijst het stadhuis aan als noodsteunpunt ({i})." for i in range(4)
    ]
    html = ("<html><body>" + "".join(f"<p>{t}</p>" for t in b_text) + "</body></html>").encode()
    b = add_document(
        ws,
        organisation_code="GM9902",
        title=f"Begroting Zuidhaven {SENTINEL_B}",
        pages=[b_text],
        year=2025,
        stored_path=_store(ws, html, ".html"),
        media_type="text/html",
    )
    add_candidates(
        ws,
        organisation_code="GM9901",
        measure_id=MEASURE,
        passage_ids=[p.id for p in a] + [xss[1].id],
    )
    add_candidates(
        ws, organisation_code="GM9902", measure_id=MEASURE, passage_ids=[p.id for p in b]
    )
    create_user(ws, "beheer", role="beheerder", password=PASSWORD)
    create_user(ws, "anna", role="beoordelaar", password=PASSWORD, organisations=["GM9901"])
    create_user(ws, "bram", role="beoordelaar", password=PASSWORD, organisations=["GM9901"])
    create_user(ws, "lies", role="lezer", password=PASSWORD, organisations=["GM9901"])
    create_user(ws, "zuid", role="beoordelaar", password=PASSWORD, organisations=["GM9902"])
    create_user(ws, "beheerzuid", role="beheerder", password=PASSWORD, organisations=["GM9902"])
    return Sample(
        ws=ws,
        org_a="GM9901",
        org_b="GM9902",
        a=a,
        b=b,
        xss=xss[1],
        pdf_doc_id=a[0].document_id,
        b_doc_id=b[0].document_id,
    )
