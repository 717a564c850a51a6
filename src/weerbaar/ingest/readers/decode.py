"""Bytes to text: BOM, declared charset (when it is valid and fits), UTF-8, then
charset-normalizer restricted to the encodings Dutch documents use, then Windows-1252
with replacement characters. Never raises.

UTF-8 is judged per byte sequence, not for the file as a whole: a text that is UTF-8
except for a few stray bytes (a pasted line from an old file, one damaged byte) stays
UTF-8, and only those bytes are read as Windows-1252 (``utf-8 met terugval``). When
more than ``UTF8_BAD_SHARE`` of the bytes are not UTF-8, or no multi-byte character
is valid UTF-8 at all, the encoding is guessed for the whole text."""

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
UTF8_BAD_SHARE = 0.01


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode error handler: the offending bytes as Windows-1252 (unmapped ones as
    U+FFFD), then go on with UTF-8."""
    assert isinstance(exc, UnicodeDecodeError)
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("weerbaar-cp1252", _cp1252_fallback)


def _utf8_share(data: bytes) -> tuple[bool, bool]:
    """(at most ``UTF8_BAD_SHARE`` of the bytes are not UTF-8, some multi-byte UTF-8
    character decodes)."""
    valid = data.decode("utf-8", errors="ignore")
    bad = len(data) - len(valid.encode("utf-8"))
    return bad <= UTF8_BAD_SHARE * max(1, len(data)), not valid.isascii()


def _utf8_mostly(data: bytes) -> str | None:
    """UTF-8 with per-sequence Windows-1252 fallback, or None when the text is not
    (mostly) UTF-8: too many bytes do not fit, or every non-ASCII byte fails (then it
    is in another encoding)."""
    if not _utf8_share(data[:200_000])[0]:  # a sample first: no full pass for cp1252 files
        return None
    few_bad, has_utf8 = _utf8_share(data)
    if not (few_bad and has_utf8):
        return None
    return data.decode("utf-8", errors="weerbaar-cp1252")


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
    mostly = _utf8_mostly(data)
    if mostly is not None:
        return mostly, "utf-8", "utf-8 met terugval"
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
