"""Vocabulary of the self-assessment: statuses, owners, phases, point functions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an organisation stands on a measure, from its own point of view.

    ``onbekend`` is not a step on the scale: nobody has said yet where the organisation
    stands (a pre-fill without validated evidence leaves it there). Its ``level`` is -1 so
    it never counts as started, in place or exercised."""

    ONBEKEND = "onbekend"
    NIET_GESTART = "niet gestart"
    VERKEND = "verkend"
    IN_VOORBEREIDING = "in voorbereiding"
    INGERICHT = "ingericht"
    GEOEFEND = "geoefend en geëvalueerd"

    @property
    def level(self) -> int:
        """-1 (onbekend), 0 (niet gestart) .. 4 (geoefend en geëvalueerd)."""
        return list(Status).index(self) - 1

    @property
    def known(self) -> bool:
        return self is not Status.ONBEKEND

    @property
    def label(self) -> str:
        """The status as shown to people."""
        return STATUS_UNKNOWN_LABEL if self is Status.ONBEKEND else self.value

    @classmethod
    def parse(cls, value: str) -> Status:
        """Accept the label, the enum name and common variants ("geoefend", "gestart")."""
        v = " ".join(str(value).strip().lower().replace("_", " ").split())
        v = v.replace("—", "-").replace("–", "-")
        for s in cls:
            if v in (s.value, s.name.lower().replace("_", " ")):
                return s
        aliases = {
            "niet begonnen": cls.NIET_GESTART,
            "nog niet gestart": cls.NIET_GESTART,
            "onbekend - nog niet ingevuld": cls.ONBEKEND,
            "nog niet ingevuld": cls.ONBEKEND,
            "verkenning": cls.VERKEND,
            "voorbereiding": cls.IN_VOORBEREIDING,
            "in ontwikkeling": cls.IN_VOORBEREIDING,
            "gereed": cls.INGERICHT,
            "geregeld": cls.INGERICHT,
            "geoefend": cls.GEOEFEND,
            "geëvalueerd": cls.GEOEFEND,
            "geoefend en geevalueerd": cls.GEOEFEND,
        }
        if v in aliases:
            return aliases[v]
        labels = ", ".join(s.value for s in cls)
        raise ValueError(f"onbekende status {value!r}; kies uit: {labels}")


STATUS_UNKNOWN_LABEL = "onbekend — nog niet ingevuld"

# Who a pre-fill from the scan is recorded as, in the history and as ``updated_by``.
SCAN_AUTHOR = "weerbaar (scan)"

# Where an entry's values come from; only "scan" is an unconfirmed proposal.
ORIGIN_LABELS = {
    "scan": "voorstel uit de scan (nog niet bevestigd)",
    "handmatig": "ingevuld",
    "import": "ingelezen uit bestand",
    "leeg": "nog niet ingevuld",
}


# Functions a noodsteunpunt can offer, with the Dutch label shown on the card.
POINT_FUNCTIONS: dict[str, str] = {
    "informatie": "Informatie en nieuws",
    "stroom": "Stroom (telefoon opladen)",
    "water": "Drinkwater",
    "ehbo": "Eerste hulp",
    "warmte": "Warmte",
    "noodhulp": "Hulpdiensten alarmeren (112)",
    "voedsel": "Eten",
    "sanitair": "Toilet",
}

# Default owner roles: a role, not a person's name (privacy and continuity).
DEFAULT_OWNER_BY_PILLAR = {
    1: "gemeentesecretaris",
    2: "adviseur crisisbeheersing (OOV)",
    3: "adviseur crisisbeheersing (OOV)",
    4: "beleidsadviseur sociaal domein",
    5: "adviseur risico- en crisiscommunicatie",
    6: "adviseur crisisbeheersing (OOV)",
}

DEFAULT_CARD_TEXT = (
    "Valt de stroom langer dan een paar uur uit en werkt uw telefoon niet meer? "
    "Blijf rustig en help uw buren waar dat kan. Luister naar de regionale omroep op een "
    "radio met batterijen. Hebt u hulp nodig of wilt u weten wat er aan de hand is, ga "
    "dan naar het noodsteunpunt in uw wijk hieronder. Daar kunt u ook 112 laten bellen "
    "bij nood. Neem uw eigen medicijnen en een noodpakket mee als u langer weg moet."
)
