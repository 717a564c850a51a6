"""Statuses of an ingested input: stable short codes with a Dutch reason each."""

from __future__ import annotations

from enum import StrEnum

from weerbaar.store.constants import READ_STATUSES as STORED_READ_STATUSES


class Status(StrEnum):
    """Exactly one of these per input of an ingest run."""

    ok = "ok"
    truncated = "truncated"  # read, but capped at max_pages / max_chars
    no_text_layer = "no_text_layer"  # scanned pages without OCR
    unchanged = "unchanged"  # already in the workspace with this extractor version
    duplicate = "duplicate"  # same content as a stored document under another name
    encrypted = "encrypted"
    corrupt = "corrupt"
    empty = "empty"
    unsupported_type = "unsupported_type"
    too_large = "too_large"
    timeout = "timeout"
    missing = "missing"
    link_not_followed = "link_not_followed"
    outside_folder = "outside_folder"  # a manifest row pointing outside its folder
    organisation_conflict = "organisation_conflict"  # stored under another organisation
    interrupted = "interrupted"  # the parse worker was stopped by a signal; retried


REASONS: dict[Status, str] = {
    Status.ok: "Ingelezen.",
    Status.truncated: "Ingelezen tot de ingestelde grens; de rest van het document is niet gelezen.",
    Status.no_text_layer: "Geen tekstlaag: gescande pagina's, OCR nodig (tesseract niet beschikbaar of uitgeschakeld).",
    Status.unchanged: "Al ingelezen; niets gewijzigd.",
    Status.duplicate: "Zelfde inhoud als een al ingelezen document; alleen de naam is toegevoegd.",
    Status.encrypted: "Het bestand is beveiligd met een wachtwoord. Verwijder de beveiliging en lees het opnieuw in.",
    Status.corrupt: "Het bestand is beschadigd of kan niet worden gelezen.",
    Status.empty: "Het bestand is leeg of bevat geen tekst.",
    Status.unsupported_type: "Bestandstype wordt niet ondersteund (alleen PDF, DOCX, HTML, TXT en Markdown).",
    Status.too_large: "Het bestand is groter dan de ingestelde grens.",
    Status.timeout: "Het lezen duurde langer dan de tijdslimiet en is afgebroken.",
    Status.missing: "Het bestand bestaat niet (meer) of kan niet worden geopend.",
    Status.link_not_followed: "Symbolische koppeling naar een plek buiten de map; niet gevolgd.",
    Status.outside_folder: "Het pad ligt buiten de map van het manifest; niet gelezen.",
    Status.organisation_conflict: "Dit document hoort al bij een andere organisatie; niet verplaatst.",
    Status.interrupted: "Het lezen werd van buitenaf onderbroken; de volgende keer wordt het opnieuw geprobeerd.",
}

# Short Dutch labels for tables (the codes above stay in JSON output).
LABELS: dict[Status, str] = {
    Status.ok: "ingelezen",
    Status.truncated: "deels ingelezen",
    Status.no_text_layer: "geen tekstlaag",
    Status.unchanged: "ongewijzigd",
    Status.duplicate: "dubbel",
    Status.encrypted: "beveiligd met wachtwoord",
    Status.corrupt: "beschadigd",
    Status.empty: "leeg",
    Status.unsupported_type: "bestandstype niet ondersteund",
    Status.too_large: "te groot",
    Status.timeout: "tijdslimiet overschreden",
    Status.missing: "ontbreekt",
    Status.link_not_followed: "koppeling niet gevolgd",
    Status.outside_folder: "buiten de map",
    Status.organisation_conflict: "andere organisatie",
    Status.interrupted: "onderbroken",
}


def label(status: str) -> str:
    """The Dutch label of a status code (the code itself when unknown)."""
    try:
        return LABELS[Status(status)]
    except ValueError:
        return status


# Statuses whose document has text and passages (defined with the documents table).
READ_STATUSES = frozenset(Status(s) for s in STORED_READ_STATUSES)
# Statuses counted as "overgeslagen" (nothing new to read) in the summary.
SKIPPED_STATUSES = frozenset({Status.unchanged, Status.duplicate})
# Statuses that are worth retrying on a later run without --opnieuw (may be transient).
RETRY_STATUSES = frozenset({Status.timeout, Status.missing, Status.interrupted})
