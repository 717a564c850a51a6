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
# a recipient list that runs on after "To:": addresses, semicolons, redaction noise
_ADDRESS_LINE = re.compile(r"@|;\s*$|^\W*$|^mailto:", re.I)


def clean_pages(pages: list[list[Block]]) -> dict[str, Any]:
    """Clean Woo codes and mail headers in place; returns notes (empty when nothing was
    found)."""
    big = "\n".join(b.text for page in pages for b in page)
    notes: dict[str, Any] = {}
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
    woo = codes_seen >= 2 or (mail and codes_seen >= 1)
    if not woo and not mail:
        return notes
    codes = 0
    header_lines = 0
    disclaimers = 0
    parts: list[dict[str, Any]] = []
    for page_no, blocks in enumerate(pages, start=1):
        out: list[Block] = []
        # the addresses after "To:" or "Cc:" may be blocks of their own ("To:" alone on
        # its line): the header goes on over blocks, until a line that is no address
        in_header = False
        for block in blocks:
            kept: list[str] = []
            for line in block.text.split("\n"):
                text = line.strip()
                if mail:
                    m = _HEADER.match(text)
                    if m:
                        key, value = m.group(1).lower(), m.group(2).strip()
                        header_lines += 1
                        in_header = key in _TO_KEYS
                        if key in _FROM_KEYS or (not parts and key in _SUBJECT_KEYS):
                            parts.append({"page": page_no})  # a new mail starts
                        if key in _SUBJECT_KEYS and value:
                            # (a header the text layer put on the same line ends it)
                            value = _INLINE_KEY.split(value, maxsplit=1)[0]
                            subject = _REPLY.sub("", _CODE.sub("", value)).strip()
                            if parts and "subject" not in parts[-1]:
                                parts[-1]["subject"] = subject[:200]
                            if subject:
                                # the subject heads the mail's passages
                                if kept:
                                    out.append(_like(block, "\n".join(kept)))
                                    kept = []
                                out.append(Block(subject, "kop", 1, chars_clean=block.chars_clean))
                        elif key in _DATE_KEYS and value and parts:
                            parts[-1].setdefault("date", value[:60])
                        continue
                    if in_header and _ADDRESS_LINE.search(text):
                        header_lines += 1
                        continue
                    in_header = False
                    if _DISCLAIMER.search(text):
                        disclaimers += 1
                        continue
                if woo:
                    text, n = _CODE.subn("", text)
                    codes += n
                    text = text.strip()
                    if not text or not any(c.isalnum() for c in text):
                        continue
                kept.append(text)
            if kept:
                out.append(_like(block, "\n".join(kept)))
        blocks[:] = out
    if woo:
        notes["woo_redaction_codes_removed"] = codes
    if mail:
        notes["email_header_lines_removed"] = header_lines
        if parts:
            notes["email_parts"] = parts
    if disclaimers:
        notes["email_disclaimer_lines_removed"] = disclaimers
    return notes


def _like(block: Block, text: str) -> Block:
    return Block(text, block.kind, block.level, block.group, block.chars_clean)
