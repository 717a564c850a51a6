"""Bytes to text: BOM, declared charset (when it is valid and fits), UTF-8, then
charset-normalizer restricted to the encodings Dutch documents use, then Windows-1252
with replacement characters. Never raises."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_CANDIDATES = ["utf_8", "cp1252", "iso8859_15", "latin_1", "utf_16", "mac_roman", "cp850"]


def _valid(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def declared_charset(data: bytes) -> str | None:
    m = _META.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str, str]:
    """(text, encoding used, how it was chosen)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name, "bom"
    if declared:
        name = _valid(declared)
        if name and name not in {"utf-16", "utf-32"}:
            try:
                return data.decode(name), name, "opgegeven"
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8"), "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000], cp_isolation=_CANDIDATES).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace"), best.encoding, "herkend"
    except Exception:  # the detector must never stop a file
        pass
    return data.decode("cp1252", errors="replace"), "cp1252", "terugval"


# C0 and C1 control characters other than the whitespace ones, and the replacement
# character: text has (almost) none of them, binary data decoded as text many.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
BINARY_SHARE = 0.02


def looks_binary(text: str, sample: int = 100_000) -> bool:
    """True when decoded ``text`` is probably binary data: more than ``BINARY_SHARE`` of
    control or replacement characters in the first ``sample`` (and more than a few: a
    stray control character in a short text is cleaned up, not refused)."""
    head = text[:sample]
    bad = len(_NOT_TEXT.findall(head))
    return bad > 8 and bad > BINARY_SHARE * len(head)
