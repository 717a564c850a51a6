"""``weerbaar werkruimte``: maintenance of a workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from weerbaar.cli import app, console
from weerbaar.cli.common import werkruimte_option, workspace_from

werkruimte_app = typer.Typer(help="Onderhoud van een werkruimte.", no_args_is_help=True)
app.add_typer(werkruimte_app, name="werkruimte")


@werkruimte_app.command("reservekopie")
def backup(
    naar: Path = typer.Argument(..., help="Nieuw bestand voor de kopie van de database."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Maak een reservekopie van de database, ook terwijl er gewerkt wordt."""
    from weerbaar.store.backup import backup_database

    ws = workspace_from(werkruimte, create=False)
    path = backup_database(ws, naar)
    console.print(f"Reservekopie geschreven naar {path}")
    console.print(
        "De bestanden zelf staan in de map 'bestanden' van de werkruimte; kopieer die map mee."
    )
