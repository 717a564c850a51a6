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


@werkruimte_app.command("controleer")
def check(werkruimte: Path | None = werkruimte_option()) -> None:
    """Controleer of het logboek van beoordelingen en gebeurtenissen onveranderd is
    (hashketen); stopt met code 1 bij een gewijzigde, verwijderde of ingevoegde regel.
    Telt ook de beoordelingsrijen opnieuw en herstelt afwijkende aantallen."""
    from weerbaar.store.audit import verify

    ws = workspace_from(werkruimte, create=False)
    labels = {"decision_log": "Logboek beoordelingen", "audit_events": "Logboek gebeurtenissen"}
    broken = False
    with ws.read() as conn:
        reports = verify(conn)
    for rep in reports:
        if rep.broken_at is None:
            console.print(
                f"{labels[rep.table]}: {rep.rows} regels, keten in orde. Laatste hash: {rep.head}"
            )
        else:
            broken = True
            console.print(
                f"[red]{labels[rep.table]}: regel {rep.broken_at} is gewijzigd, verwijderd of "
                "ingevoegd na het vastleggen (de hashketen klopt vanaf daar niet).[/]"
            )
    from weerbaar.store.queue_summary import repair

    with ws.write() as conn:
        wrong = repair(conn)
    if wrong:
        console.print(
            f"[yellow]Aantallen per beoordelingsrij: {wrong} rij(en) weken af van een nieuwe "
            "telling en zijn hersteld.[/]"
        )
    else:
        console.print("Aantallen per beoordelingsrij: in orde.")
    from weerbaar.search.rerank import last_failure

    failure = last_failure(ws)
    if failure:
        console.print(f"[yellow]Herrangschikker: laatste fout {failure}[/]")
    if broken:
        raise typer.Exit(1)
    console.print(
        "Bewaar de laatste hashes buiten de werkruimte: dan valt ook het herschrijven van "
        "het hele logboek op."
    )
