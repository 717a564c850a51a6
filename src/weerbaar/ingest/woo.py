"""Woo releases and e-mails: redaction codes and mail headers out of the passage text.

Documents released under the Woo (Wet open overheid) mark every blacked-out span with the
ground for it ("5.1.2e" personal privacy, "5.1.1", "10.2e" under the old Wob), and the
OCR layer of such scans reads those marks, often mangled ("5.1.2¢", "5.1.28", "512e").
E-mail prints add header blocks (From/To/Cc/Sent/Subject, Van/Aan/Onderwerp) full of
redacted addresses, and disclaimers at the bottom.

:func:`clean_pages` changes the blocks of a document before their text is assembled (so
stored offsets stay exact): in a document that shows redaction codes they are removed and
counted; in a document that reads as e-mail the header lines are removed, each subject
becomes a heading (so the passages of a thread name their mail) and the mails are
recorded as parts with their first page; disclaimers are dropped. What was removed is
recorded in the document notes."""

from __future__ import annotations

import re
from typing import Any

from weerbaar.ingest.passages import Block

# canonical codes: 5.1.1 a-e, 5.1.2 a-i, 5.2, 10.1 a-d, 10.2 a-h (Wob), 11.1
# (the look-behind follows the first digit, so the regex engine can skip to a 5 or a 1:
# the same matches as a look-behind in front, five times faster on a budget)
_CANONICAL = re.compile(r"(?:5(?<![\w.]5)\.1\.[12][a-i¢€8]|1(?<![\w.]1)0\.[12][a-h])(?!\w)")
# what OCR makes of them: 5.1.2¢  5.1.28  5.1.20  512e  5.12e  [5.1.2e]
_CODE = re.compile(
    r"\[?(?<![\d@.])(?:5\.?1\.?[12]\.?[a-i¢€08]?|10\.?[12]\.?[a-h]|11\.1)(?![\w@])\]?\s?"
)
_HEADER = re.compile(
    r"^(from|to|cc|bcc|sent|subject|received|date|attachments|van|aan|kopie|verzonden|"
    r"onderwerp|datum|bijlage\(n\)|bijlagen)\s*:\s*(.*)$",
    re.I,
)
_HEADER_KEY = re.compile(
    r"^[ \t]*(from|to|cc|bcc|sent|subject|received|date|attachments|van|aan|kopie|verzonden|"
    r"onderwerp|datum|bijlage\(n\)|bijlagen)[ \t]*:",
    re.I | re.M,
)
_INLINE_KEY = re.compile(r"\s(?:from|to|cc|bcc|sent|received|date|attachments)\s*:", re.I)
_SUBJECT_KEYS = frozenset({"subject", "onderwerp"})
_DATE_KEYS = frozenset({"sent", "date", "verzonden", "datum"})
_FROM_KEYS = frozenset({"from", "van"})
_TO_KEYS = frozenset({"to", "aan", "cc", "bcc", "kopie"})
_REPLY = re.compile(r"^(?:(?:re|fw|fwd|antw|doorst)\s*:\s*)+", re.I)
_DISCLAIMER = re.compile(
    r"(dit (?:e-mail)?bericht kan informatie bevatten|aan dit bericht kunnen geen rechten|"
    r"this (?:e-?mail|message) may contain|is uitsluitend bestemd voor de geadresseerde|"
    r"indien u dit bericht ten onrechte|if you are not the intended recipient)",
    re.I,
)
# a token of an e-mail address or what OCR left of one ("@rivm.nl]", "minvws.n|>;"), and
# a word of running text (lower case, four letters or more)
_ADDRESS_TOKEN = re.compile(r"@|\.(?:nl|n|ni|com|org|eu|net)[\W|]*$", re.I)
_LOWER_WORD = re.compile(r"^[a-zà-ÿ]{4,}[,.;:!?]?$")
# a recipient list that runs on after "To:": addresses, semicolons, redaction noise
_ADDRESS_LINE = re.compile(r"@|;\s*$|^\W*$|^mailto:", re.I)


def clean_pages(pages: list[list[Block]]) -> dict[str, Any]:
    """Clean Woo codes and mail headers in place; returns notes (empty when nothing was
    found)."""
    woo, mail = _kinds("\n".join(b.text for page in pages for b in page))
    if not woo and not mail:
        return {}
    cleaner = _Cleaner(woo, mail)
    for page_no, blocks in enumerate(pages, start=1):
        blocks[:] = cleaner.page(page_no, blocks)
    return cleaner.notes()


def _kinds(big: str) -> tuple[bool, bool]:
    """(shows Woo redaction codes, reads as e-mail) for the whole text of a document."""
    codes_seen = len(_CANONICAL.findall(big)) if ("5.1." in big or "10." in big) else 0
    low = big[:200_000].lower()
    maybe_mail = ("from:" in low or "van:" in low or "sent:" in low) and (
        "to:" in low or "aan:" in low or "subject:" in low or "onderwerp:" in low
    )
    keys = [k.lower() for k in _HEADER_KEY.findall(big)] if maybe_mail else []
    mail = len(keys) >= 3 and (
        (
            any(k in _FROM_KEYS for k in keys)
            and any(k in _SUBJECT_KEYS or k in _TO_KEYS for k in keys)
        )
        # a printed mail whose "From:" the text layer put at the end of another line
        or ("sent" in keys and "subject" in keys)
    )
    # two codes make a Woo release; in a mail one does (the redacted sender of a short
    # mail is often the only one)
    return codes_seen >= 2 or (mail and codes_seen >= 1), mail


class _Cleaner:
    """The clean-up of one document, page by page, with what it removed."""

    def __init__(self, woo: bool, mail: bool) -> None:
        self.woo, self.mail = woo, mail
        self.codes = self.header_lines = self.disclaimers = self.addresses = 0
        self.parts: list[dict[str, Any]] = []
        self.in_header = False

    def page(self, page_no: int, blocks: list[Block]) -> list[Block]:
        out: list[Block] = []
        # the addresses after "To:" or "Cc:" may be blocks of their own ("To:" alone on
        # its line): the header goes on over blocks, until a line that is no address
        self.in_header = False
        for block in blocks:
            kept: list[str] = []
            for line in block.text.split("\n"):
                text = line.strip()
                if self.mail:
                    m = _HEADER.match(text)
                    if m:
                        subject = self._header(m, page_no)
                        if subject:  # the subject heads the mail's passages
                            if kept:
                                out.append(_like(block, "\n".join(kept)))
                                kept = []
                            out.append(Block(subject, "kop", 1, chars_clean=block.chars_clean))
                        continue
                    if self._not_text(text):
                        continue
                if self.woo:
                    text, n = _CODE.subn("", text)
                    self.codes += n
                    text = text.strip()
                    if not text or not any(c.isalnum() for c in text):
                        continue
                kept.append(text)
            if kept:
                out.append(_like(block, "\n".join(kept)))
        return out

    def _header(self, m: re.Match[str], page_no: int) -> str | None:
        """Record a header line; the subject (cleaned) when it is one."""
        key, value = m.group(1).lower(), m.group(2).strip()
        self.header_lines += 1
        self.in_header = key in _TO_KEYS
        parts = self.parts
        if key in _FROM_KEYS or (not parts and key in _SUBJECT_KEYS):
            parts.append({"page": page_no})  # a new mail starts
        if key in _SUBJECT_KEYS and value:
            # (a header the text layer put on the same line ends it)
            value = _INLINE_KEY.split(value, maxsplit=1)[0]
            subject = _REPLY.sub("", _CODE.sub("", value)).strip()
            if parts and "subject" not in parts[-1]:
                parts[-1]["subject"] = subject[:200]
            return subject or None
        if key in _DATE_KEYS and value and parts:
            parts[-1].setdefault("date", value[:60])
        return None

    def _not_text(self, text: str) -> bool:
        """Whether a line of a mail that is no header line goes: the addresses that
        continue a "To:" or "Cc:" line, a disclaimer, a line of addresses without text."""
        if self.in_header and _ADDRESS_LINE.search(text):
            self.header_lines += 1
            return True
        self.in_header = False
        if _DISCLAIMER.search(text):
            self.disclaimers += 1
            return True
        if _address_list(text):
            self.addresses += 1
            return True
        return False

    def notes(self) -> dict[str, Any]:
        notes: dict[str, Any] = {}
        if self.woo:
            notes["woo_redaction_codes_removed"] = self.codes
        if self.mail:
            notes["email_header_lines_removed"] = self.header_lines
            if self.parts:
                notes["email_parts"] = self.parts
        if self.disclaimers:
            notes["email_disclaimer_lines_removed"] = self.disclaimers
        if self.addresses:
            notes["email_address_lines_removed"] = self.addresses
        return notes


def _address_list(text: str) -> bool:
    """A line of e-mail addresses (or what redaction and OCR left of them: "@rivm.ni];
    EE] BEEEZM A.", "minvws.n|>;") without a word of running text: a recipient list
    whose "To:" or "Cc:" was lost."""
    words = text.split()
    return any(_ADDRESS_TOKEN.search(w) for w in words) and not any(
        _LOWER_WORD.match(w) for w in words
    )


def _like(block: Block, text: str) -> Block:
    return Block(text, block.kind, block.level, block.group, block.chars_clean)
