"""Who acts and in what stance: cheap features that separate evidence from mentions.

A passage evidences a measure when it says what the organisation itself intends, plans,
does or has evaluated. Topic words alone do not tell that: a risk scenario, a national
campaign, a partner's legal duty and a council member's question use the same words. These
features count the cues a careful reader uses: the organisation speaking ("wij", "het
college", "de gemeente"), plans and deeds (future and perfect tense, action nouns),
evaluation, and the opposite cues (risk description, questions, the Rijk or a partner
acting, general legal duties, figures without words). They are computed from the passage
text alone, so they are stored in the lexical index beside the term counts.

The patterns are ours; ``STANCE_VERSION`` changes when they do (indexes and models built
with another version are rebuilt).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

STANCE_VERSION = "stance.v1"

_PATTERNS: dict[str, str] = {
    # the organisation itself speaks or acts
    "wij": r"\b(?:we|wij|ons|onze)\b",
    "bestuur": r"\b(?:het college|college van b(?:&|en )w|burgemeester(?: en wethouders)?|"
    r"gemeenteraad|de raad|algemeen bestuur|dagelijks bestuur)\b",
    "organisatie": r"\b(?:de gemeente|gemeentelijke?|onze gemeente|de veiligheidsregio|"
    r"de regio|ghor|ggd|de organisatie)\b",
    # plans and deeds
    "toekomst": r"\b(?:gaan|zullen|zal|willen|wil|gaat|komend(?:e)? jaar|komende jaren|"
    r"in 20[2-4]\d)\b",
    "gedaan": r"\b(?:is|zijn|hebben|heeft|werd|werden)\b[^.]{0,60}?\b(?:ge\w{3,}(?:d|t|en)|"
    r"opgesteld|vastgesteld|ingericht|aangeschaft|afgerond|uitgevoerd|geëvalueerd)\b",
    "actie": r"\b(?:opstellen|uitwerken|inrichten|organiseren|oefenen|oefening\w*|trainen|"
    r"training\w*|aanschaffen|ontwikkelen|actualiseren|vaststellen|uitvoeren|plan|draaiboek\w*|"
    r"programma|project)\b",
    "evaluatie": r"\b(?:evaluatie\w*|geëvalueerd|evalueren|terugblik|lessen|geleerd)\b",
    # mentions rather than evidence
    "risico": r"\b(?:kan leiden|kunnen leiden|gevolgen|scenario'?s?|waarschijnlijkheid|impact|"
    r"dreiging(?:en)?|kwetsba\w*|ontwrichting|uitval)\b",
    "vraag": r"\?|\b(?:vragen|vraag)\b",
    "rijk": r"\b(?:rijk|kabinet|minister\w*|nationale?|landelijke?|europese?|nctv|"
    r"tweede kamer)\b",
    "partner": r"\b(?:waterbedrij\w*|drinkwaterbedrij\w*|vitens|evides|dunea|pwn|rode kruis|"
    r"netbeheerders?|liander|stedin|enexis|tennet|ziekenhui\w*|zorgaanbieders?|"
    r"woningcorporaties?)\b",
    "inwoner": r"\b(?:u|uw|je|jouw|inwoners)\b",
    "geld": r"€|\bbudget\b|\bkosten\b|\blasten\b|\bbaten\b",
    "wet": r"\b(?:wet\w*|wettelijke?|artikel|taak|taken|verplicht\w*)\b",
}
_COMPILED = [re.compile(p, re.IGNORECASE) for p in _PATTERNS.values()]
_NUMBER = re.compile(r"[-+(]?[\d.,%]+\)?")

#: Feature names in column order.
NAMES: tuple[str, ...] = (
    *_PATTERNS,
    "aandeel_getallen",
    "lengte",
    "aandeel_cijfers",
    "kort",
    "aandeel_hoofdletters",
)
N_STANCE = len(NAMES)


def stance_features(texts: Sequence[str]) -> np.ndarray:
    """One row of :data:`N_STANCE` float32 features per text."""
    out = np.zeros((len(texts), N_STANCE), dtype=np.float32)
    n_pat = len(_COMPILED)
    for i, text in enumerate(texts):
        words = text.split()
        n = max(1, len(words))
        for k, pat in enumerate(_COMPILED):
            out[i, k] = np.log1p(len(pat.findall(text)))
        out[i, n_pat] = sum(1 for w in words if _NUMBER.fullmatch(w)) / n
        out[i, n_pat + 1] = np.log1p(n) / 5.0
        out[i, n_pat + 2] = sum(c.isdigit() for c in text) / max(1, len(text))
        out[i, n_pat + 3] = float(n < 12)
        out[i, n_pat + 4] = sum(1 for w in words if w[:1].isupper()) / n
    return out
