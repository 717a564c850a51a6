"""Woo redaction codes and e-mail headers out of the text (``weerbaar.ingest.woo``), on
pages made here in the shapes the text layers of printed, redacted mails take (a "To:"
alone on its line with the addresses in the next block, a "From:" that the layer put at
the end of another header line, one redaction code in a short mail)."""

from __future__ import annotations

from weerbaar.ingest.passages import Block
from weerbaar.ingest.woo import clean_pages

BODY = (
    "Beste collega's, de veiligheidsregio heeft de noodverordening aangepast en het "
    "overleg van morgen gaat door zoals gepland."
)


def _texts(pages: list[list[Block]]) -> list[str]:
    return [b.text for page in pages for b in page]


def test_addresses_after_a_lone_to_line_and_one_code_in_a_mail_are_removed() -> None:
    pages = [
        [
            Block("195461"),
            Block("To:"),
            Block("Jansen @voorbeeld.nl]; Pietersen @voorbeeld.nl]"),
            Block("Cc: x."),
            Block("@voorbeeld.nl]"),
            Block("From:"),
            Block("5.1.2¢"),
            Block("Sent:"),
            Block("Subject: FW: Noodverordening regio Voorbeeld"),
            Block(BODY),
        ]
    ]
    notes = clean_pages(pages)
    texts = _texts(pages)
    assert notes["woo_redaction_codes_removed"] == 1
    assert notes["email_parts"] == [{"page": 1, "subject": "Noodverordening regio Voorbeeld"}]
    assert not any("@" in t or "5.1.2" in t for t in texts), texts
    assert texts == ["195461", "Noodverordening regio Voorbeeld", BODY]
    assert pages[0][1].kind == "kop"


def test_a_mail_whose_from_sits_at_the_end_of_the_to_line_is_a_mail() -> None:
    pages = [
        [
            Block("186541"),
            Block("To: (Jansen) From:"),
            Block("Sent: Wed 9/30/2020 12:33:52 PM"),
            Block("Subject: FW: Situatie en maatregelen.docx Received: Wed 9/30/2020 12:33:53 PM"),
            Block(BODY),
        ]
    ]
    notes = clean_pages(pages)
    assert notes["email_header_lines_removed"] == 3
    assert notes["email_parts"][0]["subject"] == "Situatie en maatregelen.docx"
    assert _texts(pages) == ["186541", "Situatie en maatregelen.docx", BODY]


def test_one_code_outside_a_mail_stays_and_a_body_line_ends_the_header() -> None:
    # a report that names one article ("5.1.2a") is no Woo release: nothing changes
    report = [[Block("Zie artikel 5.1.2a van de regeling."), Block(BODY)]]
    assert clean_pages(report) == {}
    assert _texts(report) == ["Zie artikel 5.1.2a van de regeling.", BODY]
    # after the addresses, a line of text ends the header: later lines with an "@" stay
    mail = [
        [
            Block("From: Jansen"),
            Block("To:"),
            Block("info@voorbeeld.nl;"),
            Block("Subject: Overleg"),
            Block(BODY),
            Block("Mail ons op info@voorbeeld.nl voor vragen."),
        ]
    ]
    clean_pages(mail)
    assert _texts(mail) == ["Overleg", BODY, "Mail ons op info@voorbeeld.nl voor vragen."]


def test_recipient_lines_without_their_key_go_text_with_an_address_stays() -> None:
    """OCR lost the "Cc:" of a recipient list: lines of addresses (and what redaction
    left of them) go; a line of running text that names an address stays."""
    pages = [
        [
            Block("From: Jansen\nTo: Pietersen\nSubject: Overleg"),
            Block(BODY),
            Block("@voorbeeld.nl>; EB. CRPLY) @rivm.nl>;\nminvws.n|>;"),
            Block("Vragen kunt u mailen naar info@voorbeeld.nl of bellen."),
        ]
    ]
    notes = clean_pages(pages)
    assert notes["email_address_lines_removed"] == 2
    assert _texts(pages) == [
        "Overleg",
        BODY,
        "Vragen kunt u mailen naar info@voorbeeld.nl of bellen.",
    ]
    # outside a mail nothing of the kind is touched
    report = [[Block("Zie artikel 5.1.2a."), Block("@voorbeeld.nl>; minvws.nl>;")]]
    assert clean_pages(report) == {}
    assert _texts(report) == ["Zie artikel 5.1.2a.", "@voorbeeld.nl>; minvws.nl>;"]
