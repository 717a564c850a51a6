"""Expected errors. Every message is Dutch (it reaches the user); the CLI and the web
app turn these into a clear message without a traceback."""

from __future__ import annotations


class WeerbaarError(Exception):
    """Base class of every expected error in weerbaar."""


class CatalogError(WeerbaarError):
    """The measure catalogue (or a version of it) is missing or invalid."""


class UnknownMeasure(CatalogError):
    """A measure id that the catalogue does not contain."""

    def __init__(self, measure_id: str) -> None:
        super().__init__(f"Onbekende maatregel: {measure_id!r}")
        self.measure_id = measure_id


class UnknownOrganisation(WeerbaarError):
    """A name or code that matches no organisation in the register."""

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        msg = f"Onbekende organisatie: {query!r}"
        if suggestions:
            msg += f" (bedoelt u: {', '.join(suggestions)}?)"
        super().__init__(msg)
        self.query = query
        self.suggestions = suggestions or []


class NotTheGuidance(WeerbaarError):
    """A file given to the catalogue importer is not the guidance."""


class WorkspaceError(WeerbaarError):
    """The workspace folder or its database cannot be used."""


class IngestError(WeerbaarError):
    """A document could not be read; carries a status code and a Dutch reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class IncompatibleModelError(WeerbaarError):
    """A saved model or index has a format version this code cannot read."""


class AccessDenied(WeerbaarError):
    """A user asked for something outside their role or organisations."""
