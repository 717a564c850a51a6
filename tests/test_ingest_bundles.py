"""A PDF that bundles several memos or letters: each part found where its page starts
with a date and a subject, traceable to its pages, its passages named by its subject."""

from __future__ import annotations

from pathlib import Path

from weerbaar.ingest.worker import parse_file
from weerbaar.settings import load_settings

BODY = [
    "De gemeente oefent het draaiboek voor langdurige stroomuitval met de partners.",
    "Het college bespreekt de noodsteunpunten in de wijken en de voorraad brandstof.",
    "De veiligheidsregio toetst de afspraken met de netbeheerder over het herstel.",
]


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        t = c.beginText(60, 780)
        t.setFont("Helvetica", 10)
        for line in lines:
            t.textLine(line)
        c.drawText(t)
        c.showPage()
    c.save()
    return path


def _body(n: int) -> list[str]:
    return ["", *[BODY[i % len(BODY)] for i in range(n)]]


def _parse(path: Path) -> dict:
    return parse_file(str(path), "application/pdf", load_settings(ocr=False), lambda n: None)


def test_bundle_of_a_memo_and_a_letter(tmp_path: Path) -> None:
    pdf = _pdf(
        tmp_path / "bundel.pdf",
        [
            [
                "Memo",
                "Datum: 3 maart 2025",
                "Onderwerp: Noodstroom voor het gemeentehuis",
                *_body(8),
            ],
            _body(12),  # the memo goes on
            [
                "Gemeente Wassenaar",
                "Datum 12 maart 2025",
                "Betreft Oefening stroomuitval",
                *_body(9),
            ],
        ],
    )
    result = _parse(pdf)
    assert result["notes"]["document_parts"] == [
        {"page": 1, "subject": "Noodstroom voor het gemeentehuis", "date": "3 maart 2025"},
        {"page": 3, "subject": "Oefening stroomuitval", "date": "12 maart 2025"},
    ]
    by_page: dict[int, list[str]] = {}
    for p in result["passages"]:
        by_page.setdefault(p["page_start"], []).append(p["heading"] or "")
    assert by_page[2] and all(h.startswith("Onderwerp: Noodstroom") for h in by_page[2])
    assert by_page[3] and all(h.startswith("Betreft Oefening stroomuitval") for h in by_page[3])
    # the page text keeps every line: the subject lines are headings, not removed
    page3 = result["pages"][2]["text"]
    assert "Betreft Oefening stroomuitval" in page3 and "Datum 12 maart 2025" in page3


def test_one_letter_and_subjects_in_running_text_are_no_bundle(tmp_path: Path) -> None:
    pdf = _pdf(
        tmp_path / "brief.pdf",
        [
            ["Datum: 3 maart 2025", "Onderwerp: Noodstroom voor het gemeentehuis", *_body(10)],
            ["Datum: 3 maart 2025", "Kenmerk 2025-117", *_body(10)],  # a repeated sidebar
            [*_body(20), "Onderwerp: dit staat onderaan de pagina", "Datum: 4 maart 2025"],
        ],
    )
    result = _parse(pdf)
    assert "document_parts" not in result["notes"]


def test_real_decision_note_with_its_letter(realpdfs: Path) -> None:
    """The decision note carries the letter it proposes as its second page; the other
    real files hold no bundle of this kind."""
    note = _parse(realpdfs / "016_vws_beslisnota_2020.pdf")
    parts = note["notes"]["document_parts"]
    assert [p["page"] for p in parts] == [1, 2]
    assert parts[1]["subject"].startswith("Aanvullende aanwijzing")
    page2 = [p["heading"] for p in note["passages"] if p["page_start"] == 2]
    assert page2 and any(h and h.startswith("Betreft Aanvullende") for h in page2)
    for name in ("017_vws_brief-aan-veiligheidsregios_2020.pdf", "033_venj_kamerbrief_2011.pdf",
                 "008_wassenaar_besluitenlijst-bw_2025.pdf", "015_vws_aanbieding-acc19_2020.pdf"):  # fmt: skip
        assert "document_parts" not in _parse(realpdfs / name)["notes"], name
