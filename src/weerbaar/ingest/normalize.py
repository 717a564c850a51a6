"""Text clean-up applied BEFORE text is stored, so stored offsets stay exact.

Every reader produces blocks (paragraphs, headings, list items, table rows); each block's
text goes through :func:`clean_block` (NFC, control and invisible format characters
removed, lone surrogates replaced, words broken at a line end re-joined, whitespace
collapsed to single spaces). Page text is built from the cleaned blocks only.
"""

from __future__ import annotations

import re
import unicodedata

# Lone surrogates (from undecodable input) cannot be stored as UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0/C1 control characters except tab and newline; DEL.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible format characters: zero-width, bidi overrides and isolates, BOM, soft hyphen,
# word joiner. They can disguise text (U+202E) and break matching.
_FORMAT = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Both at once, except the soft hyphen (kept until words are re-joined): one pass.
_DROP = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# only what needs changing: two or more spaces, or any other kind of space
_SPACES_TO_FIX = re.compile(
    r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000][ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]*"
    r"|  +[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]*"
)
# where a match of _SPACES_TO_FIX must start, besides two spaces (a quick test first)
_ODD_SPACE = re.compile("[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# any character that the steps of clean_chars drop, replace or turn into a space
_SPECIAL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufffe\t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)
# "veilig-\nheid" -> "veiligheid" (lower-case continuation only; "Noord-\nHolland" keeps
# its hyphen and loses the line break).
_HYPHEN_LOWER = re.compile(r"(?<=[^\W\d_])[-\u2010\u00ad]\s*\n\s*(?=[a-zà-ÿ])")
_HYPHEN_OTHER = re.compile(r"(?<=[^\W\d_])([-\u2010])\s*\n\s*(?=\w)")
# what both need: a hyphen at a line end (a search the regex engine can start at a hyphen)
_HYPHEN_AT_END = re.compile(r"[-\u2010\u00ad]\s*\n")


def clean_chars(text: str) -> str:
    """NFC, line ends unified, surrogates, control and invisible characters removed.
    Keeps line breaks (readers use them to find paragraphs)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    # pdfium marks a hyphen it found at a line end with U+0002: keep it as a soft hyphen
    if "\x02" in text:
        text = text.replace("\x02", "\u00ad")
    if text.isascii():
        text = _CONTROL.sub("", text)
        # (the spaces to fix in ASCII: a tab or two spaces; a page seldom has them)
        return _SPACES_TO_FIX.sub(" ", text) if "\t" in text or "  " in text else text
    if _SPECIAL.search(text) is None and unicodedata.is_normalized("NFC", text):
        # nothing to drop, replace or normalise (most pages): one scan instead of four
        return _SPACES_TO_FIX.sub(" ", text) if "  " in text else text
    text = _DROP.sub("", text)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        text = _DROP.sub("", text)
    # U+FFFE is used the same way by some producers.
    if "\ufffe" in text:
        text = text.replace("\ufffe", "\u00ad")
    if "  " in text or _ODD_SPACE.search(text):
        return _SPACES_TO_FIX.sub(" ", text)
    return text


def dehyphenate(text: str) -> str:
    """Re-join words broken over a line end."""
    if "\n" not in text:
        return text.replace("\u00ad", "") if "\u00ad" in text else text
    if "-" not in text and "\u2010" not in text and "\u00ad" not in text:
        return text
    if not _HYPHEN_AT_END.search(text):  # hyphens, none at a line end (tables, ranges)
        return text.replace("\u00ad", "") if "\u00ad" in text else text
    text = _HYPHEN_LOWER.sub("", text)
    text = _HYPHEN_OTHER.sub(r"\1", text)
    return text.replace("\u00ad", "")


def clean_block(text: str, *, chars_clean: bool = False) -> str:
    """One block of text as it will be stored: a single line, clean, NFC.
    ``chars_clean``: :func:`clean_chars` was already applied (to the whole page)."""
    if not chars_clean:
        text = clean_chars(text)
        return " ".join(dehyphenate(text).split())
    text = dehyphenate(text)
    if "  " in text or "\u2028" in text or "\u2029" in text or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    # clean lines (stripped, single spaces) joined by newlines: the newlines become spaces
    return text.replace("\n", " ")
