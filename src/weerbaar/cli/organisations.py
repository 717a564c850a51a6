"""``weerbaar organisaties``: list the safety regions and municipalities; add the
workspace's own organisations (``weerbaar organisaties toevoegen``)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import default_workspace, print_json, werkruimte_option, workspace_from
from weerbaar.nl import plural
from weerbaar.store.db import workspace_exists

REGIONS = "veiligheidsregio's"

organisaties_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Toon de veiligheidsregio's en gemeenten uit het register (en de werkruimte).",
)
app.add_typer(organisaties_app, name="organisaties")

SOORTEN = ("gemeente", "veiligheidsregio", "overig")


def _check_soort(soort: str | None) -> str | None:
    if soort is not None and soort not in SOORTEN:
        raise typer.BadParameter(f"kies uit {', '.join(SOORTEN)}", param_hint="--soort")
    return soort


@organisaties_app.callback()
def organisaties(
    ctx: typer.Context,
    regio: str | None = typer.Option(
        None, "--regio", "-r", help="Alleen deze veiligheidsregio (code of naam, bv. VR06)."
    ),
    soort: str | None = typer.Option(
        None, "--soort", "-s", help="Alleen deze soort: gemeente, veiligheidsregio of overig."
    ),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Toon de organisaties als tabel of als JSON."""
    if ctx.invoked_subcommand is not None:
        return
    from weerbaar.store.organisations import list_organisations

    _check_soort(soort)
    path = werkruimte or default_workspace()
    # Read the workspace's own organisations only when the workspace exists already.
    ws = workspace_from(path, create=False) if workspace_exists(path) else None
    try:
        orgs = list_organisations(ws, region_code=regio, type=soort)
    finally:
        if ws is not None:
            ws.close()
    if as_json:
        print_json([o.to_json() for o in orgs])
        return
    table = Table(title="Organisaties")
    table.add_column("Code", no_wrap=True)
    table.add_column("Naam")
    table.add_column("Soort")
    table.add_column("Regio", no_wrap=True)
    table.add_column("Fictief", justify="center")
    for o in orgs:
        table.add_row(
            o.code,
            o.name,
            o.type,
            o.region_code or "",
            "ja" if o.fictional else "",
        )
    console.print(table)
    regions = sum(1 for o in orgs if o.type == "veiligheidsregio")
    munis = sum(1 for o in orgs if o.type == "gemeente")
    console.print(
        f"{plural(regions, 'veiligheidsregio', REGIONS)} en "
        f"{plural(munis, 'gemeente', 'gemeenten')} getoond."
    )


@organisaties_app.command("toevoegen")
def toevoegen(
    code: str = typer.Argument(..., help="Code, bv. GM9901 of VR99."),
    naam: str = typer.Argument(..., help="Naam van de organisatie."),
    soort: str = typer.Option(..., "--soort", "-s", help="gemeente, veiligheidsregio of overig."),
    regio: str | None = typer.Option(
        None, "--regio", "-r", help="Veiligheidsregio waartoe de organisatie hoort."
    ),
    fictief: bool = typer.Option(False, "--fictief", help="Een verzonnen organisatie (demo)."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Voeg een organisatie toe aan de werkruimte (bijvoorbeeld een fictieve demoregio)."""
    from weerbaar.store.organisations import add_organisation

    _check_soort(soort)
    ws = workspace_from(werkruimte)
    try:
        org = add_organisation(ws, code, naam, soort, region_code=regio, fictional=fictief)
    finally:
        ws.close()
    regio_tekst = f" in {org.region_code}" if org.region_code else ""
    console.print(f"Organisatie {org.code} ({org.name}, {org.type}{regio_tekst}) opgeslagen.")
