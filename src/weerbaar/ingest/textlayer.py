"""Is a page's text layer worth reading? Text layers lie: fonts without a Unicode mapping
(Type 3 fonts of some PDF printers) give digit-and-symbol soup that looks like text.

:func:`judge` looks at the raw text of a page (before any clean-up) and, when the reader
can tell, at the share of characters whose glyphs have no Unicode mapping. It returns
None for a usable layer, else a short Dutch reason that is stored with the page."""

from __future__ import annotations

import re

# Frequent Dutch (and a few English) function words: a real Dutch text layer has them.
STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "in",
        "is",
        "op",
        "te",
        "dat",
        "die",
        "voor",
        "met",
        "zijn",
        "niet",
        "aan",
        "er",
        "om",
        "ook",
        "als",
        "bij",
        "door",
        "of",
        "tot",
        "naar",
        "wordt",
        "worden",
        "uit",
        "over",
        "deze",
        "kan",
        "nog",
        "dan",
        "meer",
        "maar",
        "wij",
        "we",
        "ze",
        "zij",
        "hij",
        "u",
        "geen",
        "werd",
        "heeft",
        "hebben",
        "zal",
        "zullen",
        "moet",
        "moeten",
        "onder",
        "tussen",
        "waar",
        "wat",
        "wie",
        "dit",
        "al",
        "na",
        "per",
        "binnen",
        "tegen",
        "vanuit",
        "zoals",
        "daarnaast",
        "the",
        "and",
        "of",
        "to",
        "for",
    ]
)
_TOKEN = re.compile(r"[^\W\d_]{2,}")
_ODD = re.compile(r"[!\"#$&'*/<=>?@\[\\\]^_`{|}~]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff]")
_VOWELS = frozenset("aeiouyáàäâéèëêíìïîóòöôúùüûij")
# frequent function words between spaces: enough of them and the layer is Dutch text
_QUICK = (" de ", " van ", " en ", " het ", " in ")  # most frequent first


def judge(raw: str, map_errors: float | None = None) -> str | None:
    """None when the text layer of a page is usable, else why not (Dutch).

    ``map_errors``: share of sampled characters whose glyph has no Unicode mapping."""
    chars = len(raw) - raw.count(" ") - raw.count("\n") - raw.count("\r") - raw.count("\t")
    if map_errors is not None and map_errors >= 0.5 and chars >= 5:
        return "lettertypen zonder Unicode-koppeling"
    if chars < 20:
        return None  # too little to judge; a near-empty page is handled as such
    if _CONTROL.search(raw) and len(_CONTROL.findall(raw)) > 0.05 * chars:
        return "stuurtekens en onbekende tekens in de tekstlaag"
    if chars < 80:
        return None
    found = 0
    for w in _QUICK:  # plainly running Dutch text (the common case, decided in C)
        found += raw.count(w)
        if found * 50 >= chars:
            return None
    # (the cheap count first: without many odd signs the page is no soup, whatever its
    # letters; the words are then read only up to the first function word)
    if len(_ODD.findall(raw)) > 0.1 * chars and sum(map(len, _TOKEN.findall(raw))) < 0.15 * chars:
        return "tekens zonder woorden (symbolen en cijfers)"
    if chars < 300:
        return None
    plausible = 0
    for m in _TOKEN.finditer(raw):
        t = m.group()
        low = t.lower()
        if low in STOPWORDS:
            return None
        if any(c in _VOWELS for c in low) and (len(t) < 4 or not t[1:].isupper() or t.isupper()):
            plausible += len(t)
    if plausible < 0.1 * chars:
        return "te weinig herkenbare woorden"
    return None
