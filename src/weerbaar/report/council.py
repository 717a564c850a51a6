"""The council member's one-pager "Wat heeft mijn gemeente gedaan?": plain Dutch, every
finding with its source, and questions a council member can put to the college."""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.assess.model import Assessment, OrgResult, Score
from weerbaar.nl import plural
from weerbaar.report.build import (
    GLOSSARY,
    PLAIN_SCORE,
    region_title,
    review_counts,
    score_view,
)
from weerbaar.report.context import Citation, ReviewCounts, ScoreView, Term

# What each measure is about, as a noun phrase that reads in "Hoe staat het met ...?"
# (our own wording; the frame needs no verb agreement, so every topic stays grammatical).
TOPICS: dict[str, str] = {
    "1.1": "het in kaart brengen en borgen van de kritieke processen van de gemeente",
    "1.2": "de rangorde van de kritieke processen in het bedrijfscontinuïteitsmanagement",
    "1.3": "een informatievoorziening die ook offline en bij storingen werkt",
    "1.4": "de afspraken met ICT- en cloudleveranciers over de digitale infrastructuur",
    "1.5": "het oefenen van een langdurige crisis met de hele organisatie",
    "1.6": "de afspraken over interne communicatie en gevoelige informatie",
    "1.7": "de continuïteit van het eigen personeel",
    "2.1": "het communicatieplan voor inwoners vóór, tijdens en na een crisis",
    "2.2": "de noodsteunpunten in de wijken",
    "2.3": "de noodcommunicatievoorziening en de crisisnoodlijn, ook op noodstroom",
    "2.4": "de afspraken met de veiligheidsregio over bevolkingszorg, ook na 72 uur",
    "2.5": "de bijdrage van de gemeente aan een actueel beeld van de situatie",
    "2.6": "de alternatieve en analoge communicatiemiddelen van de hulpdiensten",
    "2.7": "de rol van sleutelfiguren in de crisiscommunicatie",
    "2.8": "de plaats van burgerhulpverlening in de crisisplannen",
    "3.1": "noodstroom en andere alternatieven voor de stroomvoorziening",
    "3.2": "het protocol en de noodwaterpunten voor als het drinkwater uitvalt",
    "3.3": "het doorgaan van de afvalinzameling en de afvalverwerking",
    "3.4": "een eigen energievoorziening in corporatiewoningen",
    "3.5": "de voedselvoorziening voor kwetsbare inwoners",
    "3.6": "de sanitaire voorzieningen voor als riolering of waterdruk uitvalt",
    "3.7": "de aanrijroutes en uitvalswegen in de verkeersplannen",
    "3.8": "het versterken van wegen, bruggen en dijken in eigen beheer",
    "3.9": "het doorgaan van het openbaar vervoer",
    "3.10": "de crisisplannen die met vervoersbedrijven zijn gemaakt",
    "4.1": "het in kaart brengen en versterken van de netwerken in de wijken",
    "4.2": "de steun voor bewonersinitiatieven en participatie in de wijken",
    "4.3": "het inzetten van sleutelfiguren, vrijwilligers en netwerken in een crisis",
    "4.4": "de dienstverlening die de bestaanszekerheid van inwoners versterkt",
    "4.5": "een herkenbare wijkagent en sociaal werker in elke wijk",
    "4.6": "het gesprek met inwoners en ondernemers over weerbaarheid",
    "4.7": "de meldpunten en het volgen van spanningen in de samenleving",
    "5.1": "de voorlichting aan inwoners over wat zij zelf kunnen doen",
    "5.2": "het informeren van inwoners en ondernemers over hun noodsteunpunt",
    "5.3": "een brede oefening samen met inwoners, verenigingen en ondernemers",
    "5.4": "de digitale weerbaarheid van inwoners en ondernemers",
    "5.5": "trainingen in eerste hulp en crisisvaardigheden voor inwoners",
    "5.6": "de afspraken met hulporganisaties zoals het Rode Kruis en het Leger des Heils",
    "6.1": "het doorgaan van verkiezingen en raadsvergaderingen bij een verstoring",
    "6.2": "de publieke gezondheidszorg, de zorg en hulp thuis en de jeugdhulp in een crisis",
    "6.3": "de capaciteit van crematoria en mortuaria in een crisis",
}

DEFAULT_QUESTION = "Wanneer wordt de voorbereiding op langdurige uitval geoefend en geëvalueerd?"


def council_question(measure_id: str) -> str:
    """The question a council member can ask about one measure."""
    return (
        f"Hoe staat het met {TOPICS[measure_id]} (maatregel {measure_id}), ook als dat niet "
        "in openbare stukken staat?"
    )


@dataclass(frozen=True, slots=True)
class CrucialRow:
    view: ScoreView
    found: str  # what we found, in plain words
    source: Citation | None  # the passage behind it, when there is one
    basis: str  # what the statement rests on when there is no passage


@dataclass(frozen=True, slots=True)
class Gap:
    text: str
    basis: str


@dataclass(frozen=True, slots=True)
class CouncilPage:
    name: str
    generated_at: str
    reference_year: int
    total: int
    sources: str
    missing: str
    unread: list[str]
    documents: int
    review: ReviewCounts
    counts: dict[str, int]
    crucial: list[CrucialRow]
    gaps: list[Gap]
    region_text: str
    questions: list[str]
    glossary: list[Term]


def _basis(v: ScoreView) -> str:
    if v.score == Score.NOG_NIET:
        n = v.open_candidates
        return (
            f"{plural(n, 'passage wacht', 'passages wachten')} op controle"
            if n
            else "nog niet gecontroleerd"
        )
    if v.score == Score.ONVOLDOENDE:
        return "te weinig stukken verzameld"
    return "niets gevonden in de gelezen stukken"


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an abbreviation (BCM, NCV)."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]


def _region_text(org: OrgResult, a: Assessment, views: list[ScoreView]) -> str:
    region = a.org(org.region) if org.region else None
    if region is None:
        return (
            f"De veiligheidsregio ({org.region or 'onbekend'}) is in dit overzicht niet beoordeeld."
        )
    name = region_title(region.name)
    carried = [v for v in views if v.regional and v.regional.carried_by_region]
    if not carried:
        return f"Voor geen van de maatregelen telt wat {name} doet mee voor {org.name}."
    return (
        f"{name} pakt een deel samen met de gemeenten op. Voor "
        f"{plural(len(carried), 'maatregel', 'maatregelen')} telt wat de regio doet ook voor "
        f"{org.name}: " + ", ".join(f"{v.measure} {v.title}" for v in carried[:6]) + "."
    )


def council_page(
    org: OrgResult, a: Assessment, *, generated_at: str, app_url: str | None = None
) -> CouncilPage:
    """The content of the one-pager for one municipality."""
    views = [score_view(s, org, app_url) for s in org.scores]
    crucial = [
        CrucialRow(
            view=v,
            found=v.plain,
            source=v.quotes[0] if v.quotes else None,
            basis="" if v.quotes else _basis(v),
        )
        for v in views
        if v.crucial
    ]
    gaps = [
        Gap(
            f"{v.measure} {v.title}: geen stukken over {_lower_first(v.missing[0])}.",
            "in de gelezen stukken staat geen gevalideerde passage over deze onderdelen",
        )
        for v in views
        if v.crucial and v.score in (Score.LAAG, Score.MIDDEN) and v.missing
    ]
    weakest = [v for v in views if v.crucial and v.score in (Score.LAAG, Score.ONVOLDOENDE)]
    return CouncilPage(
        name=org.name,
        generated_at=generated_at,
        reference_year=a.reference_year,
        total=len(views),
        sources="; ".join(
            f"{k} {'/'.join(map(str, y))}" if y else k for k, y in org.coverage.doc_types.items()
        ),
        missing="; ".join(org.coverage.missing),
        unread=org.coverage.unread,
        documents=org.coverage.documents,
        review=review_counts([org]),
        counts={k: sum(1 for v in views if v.score == k) for k in PLAIN_SCORE},
        crucial=crucial,
        gaps=gaps[:3],
        region_text=_region_text(org, a, views),
        questions=[council_question(v.measure) for v in weakest[:2]] or [DEFAULT_QUESTION],
        glossary=[
            t
            for t in GLOSSARY
            if t.term != "VNG" and any(t.term in r.view.title.split() for r in crucial)
        ],
    )
