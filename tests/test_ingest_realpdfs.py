"""Real public PDFs (../shared/realpdfs/, see its INDEX.md): read as a careful person would.

Skips cleanly when the folder is absent. OCR tests read only a few pages (``max_pages``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from weerbaar.ingest import Status, ingest
from weerbaar.ingest.layout import is_row
from weerbaar.ingest.readers.pdf import tesseract_path
from weerbaar.settings import load_settings
from weerbaar.store import Workspace
from weerbaar.store.documents import list_documents, list_passages, page_texts

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FIGURE = re.compile(r"^(?:[-+−–]?\(?[-+−–]?(?:€|EUR)?\s?\d[\d.,]*\)?%?|[-–—]|%|€|x)$", re.I)
_WORD = re.compile(r"[^\W\d_]{3,}")
_CODE = re.compile(r"(?<![\w.])(?:5\.1\.[12][a-i¢]|10\.2[a-h])(?!\w)")


def _bare_numbers(text: str) -> bool:
    """No word of three or more letters once the figures are taken out."""
    return not any(_WORD.search(w) for w in text.split() if not _FIGURE.match(w))


def _docs(ws: Workspace) -> list[dict]:
    with ws.read() as conn:
        return list_documents(conn)


def _passages(ws: Workspace, doc_id: int | None = None) -> list[dict]:
    with ws.read() as conn:
        return list_passages(conn, document_id=doc_id, limit=10**6)


def test_unmapped_fonts_are_read_by_ocr_with_page_notes(
    workspace: Workspace, realpdfs: Path
) -> None:
    """006: Type 3 fonts without a Unicode mapping. Without OCR nothing is "ingelezen";
    with OCR the pages give Dutch text, and each page says how it was read and why."""
    path = realpdfs / "006_wassenaar_jaarstukken_2019.pdf"
    few = {"max_pages": 2}
    report = ingest(workspace, [path], progress=False, settings=load_settings(ocr=False, **few))
    item = report.items[0]
    assert item.status == Status.no_text_layer and item.passages == 0
    assert "onbruikbare tekstlaag" in item.reason and "OCR staat uit" in item.reason
    (doc,) = _docs(workspace)
    assert doc["notes"]["pages_unusable_text_layer"] == [1, 2]
    assert "Unicode" in doc["notes"]["page_notes"]["2"]
    if tesseract_path() is None:
        pytest.skip("tesseract met Nederlands is niet geïnstalleerd")
    report = ingest(workspace, [path], progress=False, force=True, settings=load_settings(**few))
    item = report.items[0]
    # two of 203 pages read on purpose: "deels ingelezen", never plain "ingelezen"
    assert item.status == Status.truncated and item.passages > 0
    (doc,) = _docs(workspace)
    notes = doc["notes"]
    assert 2 in notes["ocr_pages"] and notes["page_notes"]["2"].startswith("OCR")
    assert "Unicode" in notes["page_notes"]["2"]
    with workspace.read() as conn:
        pages = page_texts(conn, doc["id"])
    methods = {p["page_no"]: p["method"] for p in pages}
    assert methods[2] == "ocr" and methods[1] in ("ocr", "none")  # the cover may be empty
    text = " ".join(p["text"] for p in pages).lower()
    words = set(re.findall(r"[a-zë]+", text))
    assert {"gemeente", "wassenaar", "jaarstukken", "uitgave"} <= words, text[:300]
    for p in _passages(workspace):
        assert not _CONTROL.search(p["text"]) and not _bare_numbers(p["text"]), p["text"]


def test_budgets_tables_are_tables(workspace: Workspace, realpdfs: Path) -> None:
    """Budgets: no passage is a bare row of figures, no heading path holds table
    figures, running text holds no table rows, and tables are passages of kind tabel
    with their caption."""
    files = [realpdfs / f for f in ("001_wassenaar_begroting_2026.pdf",)]
    report = ingest(workspace, files, progress=False, settings=load_settings(ocr=False))
    assert all(i.passages > 50 for i in report.items)
    rows = _passages(workspace)
    tables = [r for r in rows if r["kind"] == "tabel"]
    assert len(tables) >= 20
    for r in rows:
        assert not _bare_numbers(r["text"]), r["text"]
        assert not _CONTROL.search(r["text"]), r["text"]
        for part in (r["heading"] or "").split(" > "):
            assert not is_row(part), r["heading"]
    mixed = [
        r for r in rows if r["kind"] != "tabel" and any(is_row(ln) for ln in r["text"].split("\n"))
    ]
    assert len(mixed) <= 0.01 * len(rows), [r["text"][:80] for r in mixed]
    # the budget table of a programme: caption, column headers and labelled rows together
    lasten = [r for r in tables if "Baten" in r["text"] and "Lasten" in r["text"]]
    assert lasten and any("Tabel" in r["text"] or "Tabel" in (r["heading"] or "") for r in lasten)
    assert any(re.search(r"^Lasten -?\d", r["text"], re.M) for r in lasten)
    # a heading comes from the layout: a numbered result heading in bold
    assert any(
        (r["heading"] or "").endswith(
            "1.4 Getroffen voorbereidingen voor invoering eigen bijdrage Wmo"
        )
        for r in rows
    )


@pytest.mark.parametrize(
    "name", ["003_wassenaar_begroting_2024.pdf", "004_wassenaar_begroting_2021.pdf"]
)
def test_other_budgets_no_figure_rows_as_passages_or_headings(
    workspace: Workspace, realpdfs: Path, name: str
) -> None:
    """The budgets of other years (other layouts of the tables): no passage is a bare row
    of figures, no heading path holds a table row, no control characters."""
    report = ingest(workspace, [realpdfs / name], progress=False, settings=load_settings(ocr=False))
    # (with OCR off an image-only page makes it "deels ingelezen")
    item = report.items[0]
    assert item.status in (Status.ok, Status.truncated) and item.passages > 50
    rows = _passages(workspace)
    assert any(r["kind"] == "tabel" for r in rows)
    for r in rows:
        assert not _bare_numbers(r["text"]), r["text"]
        assert not _CONTROL.search(r["text"]), r["text"]
        for part in (r["heading"] or "").split(" > "):
            assert not is_row(part), r["heading"]


def test_decision_list_dated_by_its_meeting(workspace: Workspace, realpdfs: Path) -> None:
    report = ingest(
        workspace, [realpdfs / "008_wassenaar_besluitenlijst-bw_2025.pdf"], progress=False
    )
    assert report.items[0].status == Status.ok
    (doc,) = _docs(workspace)
    assert doc["type"] == "besluitenlijst" and doc["year"] == 2025
    assert doc["inferred"]["date"]["value"] == "2025-11-18"
    assert doc["inferred"]["year"]["how"].startswith("datum")
    assert doc["title"].startswith("Besluitenlijst") and "008" not in doc["title"]


def test_woo_codes_and_mail_headers_out_of_passages(workspace: Workspace, realpdfs: Path) -> None:
    # 020: one code (the redacted sender) and "To:" alone above its addresses; 022: the
    # text layer put "From:" at the end of the "To:" line
    names = [
        "019_vws_email_2020.pdf",
        "020_vws_email_2020.pdf",
        "022_vws_email_2020.pdf",
        "035_vws_email_2020.pdf",
        "036_vws_email_2020.pdf",
    ]
    report = ingest(
        workspace, [realpdfs / n for n in names], progress=False, settings=load_settings(ocr=False)
    )
    assert all(i.status == Status.ok for i in report.items)
    docs = {d["id"]: d for d in _docs(workspace)}
    removed = sum(d["notes"].get("woo_redaction_codes_removed", 0) for d in docs.values())
    assert removed >= 50
    for d in docs.values():
        assert d["notes"]["email_header_lines_removed"] > 0
        assert d["notes"]["email_parts"][0]["page"] == 1
        assert d["title"] == d["notes"]["email_parts"][0]["subject"]
    for r in _passages(workspace):
        assert not _CODE.search(r["text"]), r["text"]
        assert not re.search(r"^(From|To|Cc|Sent|Subject):", r["text"], re.M), r["text"]
        assert not _CONTROL.search(r["text"])
    # recipient lists whose "To:" or "Cc:" OCR lost (036: a page of them) are out too
    assert sum(d["notes"].get("email_address_lines_removed", 0) for d in docs.values()) >= 100
    assert not [r["text"] for r in _passages(workspace) if r["text"].startswith("@")]
    # 020: the addresses after "To:" and "Cc:" went with them (their blocks of their own)
    (mail020,) = [d for d in docs.values() if d["title"].startswith("Noodverordening")]
    for r in _passages(workspace, mail020["id"]):
        assert "@" not in r["text"], r["text"]
    # the subject of a mail heads its passages
    assert any(r["heading"] and "escalatieladder" in r["heading"] for r in _passages(workspace))


def test_ocr_time_budget_keeps_the_pages_read(workspace: Workspace, realpdfs: Path) -> None:
    """When the OCR time budget is spent, the pages read so far are kept and the rest is
    named, with the reason (the time limit itself grows with OCR work: see
    test_ingest_ocr_budget.py)."""
    if tesseract_path() is None:
        pytest.skip("tesseract met Nederlands is niet geïnstalleerd")
    path = realpdfs / "006_wassenaar_jaarstukken_2019.pdf"
    # any OCR of a page takes more than a millisecond: the budget is spent on the first page
    settings = load_settings(max_pages=3, ocr_budget_s=0.001)
    report = ingest(workspace, [path], progress=False, settings=settings)
    item = report.items[0]
    assert item.status != Status.timeout, item.reason
    (doc,) = _docs(workspace)
    notes = doc["notes"]
    assert notes["pages_unusable_text_layer"] == [1, 2, 3]
    # the first page was OCR'd (within the budget); once the budget is spent, no more OCR
    assert "tijdbudget" not in notes["page_notes"]["1"]
    assert notes["pages_not_read"][-2:] == [2, 3]
    assert all("tijdbudget" in notes["page_notes"][p] for p in ("2", "3"))
    assert "niet gelezen" in (item.reason or "") or item.status == Status.no_text_layer
