"""The automatic "juist" check and the review page on passages made by the real ingest
(a generated two-page PDF and a text file), not by the sample helper."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from weerbaar.ingest import ingest
from weerbaar.review import source_matches
from weerbaar.review.sample import add_candidates
from weerbaar.store import documents as dstore
from weerbaar.web.accounts import create_user
from weerbaar.web.app import create_app

SENTENCES = [
    "De gemeente heeft in het najaar vijf noodsteunpunten aangewezen in de wijken.",
    "Elk noodsteunpunt krijgt een aggregaat, drinkwater en een verbandkoffer.",
    "Vrijwilligers van de buurtverenigingen openen de punten bij een langdurige stroomuitval.",
    "In het voorjaar volgt een oefening samen met de veiligheidsregio en het waterbedrijf.",
]


def _pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(2):
        y = 780
        for s in SENTENCES:
            c.drawString(50, y, f"{s} (pagina {page + 1})")
            y -= 20
        c.showPage()
    c.save()


def test_review_source_check_on_ingested_passages(workspace, tmp_path: Path):
    pdf = tmp_path / "plan.pdf"
    _pdf(pdf)
    txt = tmp_path / "brief.txt"
    txt.write_text("\n\n".join(SENTENCES * 3), encoding="utf-8")
    ingest(workspace, [pdf, txt], organisation="GM0363", year=2025, progress=False)
    with workspace.read() as conn:
        rows = dstore.list_passages(conn)
    ids = [r["id"] if isinstance(r, dict) else r.id for r in rows]
    assert len(ids) >= 2
    assert all(source_matches(workspace, pid) is True for pid in ids)

    add_candidates(workspace, organisation_code="GM0363", measure_id="2.2", passage_ids=ids)
    create_user(workspace, "anna", role="beoordelaar", password="proef-wachtwoord-123")
    client = TestClient(create_app(workspace, rerank=False, stage_model=False))
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    client.post(
        "/inloggen",
        data={"login_token": token, "gebruiker": "anna", "wachtwoord": "proef-wachtwoord-123"},
    )
    html = client.get(f"/passage/{ids[0]}?maatregel=2.2").text
    assert "de tekst komt exact overeen met het document op deze plek" in html
    assert "Amsterdam" in html  # organisation name from the register
    # the stored original of the ingested PDF: page image and the file itself
    pdf_doc = next(
        p["document_id"]
        for p in (_passage(workspace, pid) for pid in ids)
        if p["media_type"] == "application/pdf"
    )
    img = client.get(f"/bron/{pdf_doc}/pagina/2/afbeelding.png")
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
    original = client.get(f"/bron/{pdf_doc}/bestand")
    assert original.content == pdf.read_bytes()


def _passage(ws, pid: int) -> dict:
    from weerbaar.store import decisions as q

    with ws.read() as conn:
        return q.get_passage(conn, pid)
