"""``weerbaar catalogus importeer FILE``: store the official wording of the measures
from the user's own copy of the guidance beside our own descriptions."""

from __future__ import annotations

from pathlib import Path

import typer

from weerbaar.cli import console
from weerbaar.cli.catalog import catalogus_app
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from


@catalogus_app.command("importeer")
def importeer(
    bestand: Path = typer.Argument(
        ..., help="Uw eigen exemplaar van de handreiking (PDF, DOCX of tekst)."
    ),
    versie: str | None = typer.Option(
        None, "--versie", help="Catalogusversie om mee te vergelijken (standaard de nieuwste)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Lees de officiële tekst van elke maatregel in en bewaar die naast onze eigen
    beschrijving. Meldt wat niet gekoppeld kon worden."""
    from weerbaar.store.official import import_official_file

    ws = workspace_from(werkruimte)
    try:
        result = import_official_file(ws, bestand, catalog_version=versie)
    finally:
        ws.close()
    if as_json:
        print_json(result.to_json())
        return
    total = len(result.matched) + len(result.missing)
    console.print(
        f"{len(result.matched)} van {total} maatregelen gevonden in {result.source_name} "
        f"en opgeslagen (catalogusversie {result.catalog_version})."
    )
    if result.missing:
        console.print("[yellow]Niet gevonden in het bestand:[/] " + ", ".join(result.missing))
    if result.unexpected:
        console.print(
            "[yellow]Gevonden maar niet in de catalogus (niet opgeslagen):[/] "
            + ", ".join(result.unexpected)
        )
    for note in result.notes:
        console.print(f"[yellow]Let op:[/] {note}")
