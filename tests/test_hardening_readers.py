"""Decoding and HTML hardening (issue 17, points 8 and 11): a stray byte does not turn a
UTF-8 text into Windows-1252, a huge one-paragraph HTML is cut (truncated) rather than
recorded as empty, deeply nested HTML is read in linear time, and control characters
from a title never reach the pages."""

from __future__ import annotations

from pathlib import Path

from weerbaar.ingest import Status, ingest
from weerbaar.ingest.readers.decode import decode_bytes
from weerbaar.settings import load_settings
from weerbaar.store import Workspace
from weerbaar.store.documents import document_text, get_document, list_passages

LINE = "De gemeente richt in elke wijk een noodsteunpunt in; café, één, € en ü blijven goed.\n"


def test_one_bad_byte_keeps_utf8(workspace: Workspace, tmp_path: Path) -> None:
    data = (
        (LINE * 40).encode() + b"Oude regel met een losse byte: \xe9t\xe9.\n" + (LINE * 40).encode()
    )
    text, encoding, how = decode_bytes(data)
    assert encoding == "utf-8" and how == "utf-8 met terugval"
    assert text.count("café") == 80 and "één" in text and "€" in text
    assert "été" in text  # only the stray bytes are read as Windows-1252
    f = tmp_path / "brief.txt"
    f.write_bytes(data)
    item = ingest(workspace, [f], progress=False).items[0]
    assert item.status == Status.ok
    with workspace.read() as conn:
        texts = " ".join(p["text"] for p in list_passages(conn, document_id=item.document_id))
    assert "café" in texts and "Ã" not in texts


def test_mostly_other_encoding_is_still_detected() -> None:
    text, encoding, _ = decode_bytes(("Café en één noodsteunpunt. " * 200).encode("cp1252"))
    assert "Café" in text and encoding != "utf-8"


def test_huge_single_paragraph_html_is_truncated_not_empty(
    workspace: Workspace, tmp_path: Path
) -> None:
    settings = load_settings(max_chars=2_000_000)
    words = "noodstroom aggregaat drinkwater buurthuis " * 80_000  # 3.4 M characters
    f = tmp_path / "een-alinea.html"
    f.write_text(f"<html><body><p>{words}</p></body></html>")
    item = ingest(workspace, [f], progress=False, settings=settings).items[0]
    assert item.status == Status.truncated
    assert item.passages > 0
    with workspace.read() as conn:
        stored = len(document_text(conn, item.document_id))
    assert 1_000_000 < stored <= 2_000_000


def test_deeply_nested_html_is_read_within_the_time_limit(
    workspace: Workspace, tmp_path: Path
) -> None:
    # 3,000 nested tables took minutes (quadratic); the time limit makes that a failure
    settings = load_settings(parse_timeout_s=30)
    depth = 3_000
    html = (
        "<html><body><p>Inleiding over noodsteunpunten in de wijken van de gemeente.</p>"
        + "<table><tr><td>" * depth
        + "Diep in de tabel staat de afspraak over noodstroom."
        + "</td></tr></table>" * depth
        + "<div>" * depth
        + "Diep in de blokken staat de afspraak over drinkwater."
        + "</div>" * depth
        + "</body></html>"
    )
    f = tmp_path / "genest.html"
    f.write_text(html)
    item = ingest(workspace, [f], progress=False, settings=settings).items[0]
    assert item.status == Status.ok, item.reason
    with workspace.read() as conn:
        texts = " ".join(p["text"] for p in list_passages(conn, document_id=item.document_id))
        doc = get_document(conn, item.document_id)
    assert "noodstroom" in texts and "drinkwater" in texts
    assert doc["notes"]["html_nesting_cut_at"] > 0


def test_control_characters_in_html_title_do_not_reach_pages(
    workspace: Workspace, tmp_path: Path
) -> None:
    f = tmp_path / "titel.html"
    f.write_text(
        "<html><head><title>Plan\x1b[31m rood\x07 \x9bx</title></head><body>"
        "<p>De gemeente richt in elke wijk een noodsteunpunt in, met stroom en water.</p>"
        "</body></html>"
    )
    item = ingest(workspace, [f], progress=False).items[0]
    with workspace.read() as conn:
        title = get_document(conn, item.document_id)["title"]
    assert title and not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in title)
    assert "Plan" in title
