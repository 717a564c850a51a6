"""``weerbaar catalogus``: show the measure catalogue (table or JSON).

Other modules add subcommands to ``catalogus_app`` (for example ``importeer``)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json

catalogus_app = typer.Typer(
    invoke_without_command=True,
    help="Toon de catalogus van de 41 maatregelen van de handreiking.",
    no_args_is_help=False,
)
app.add_typer(catalogus_app, name="catalogus")


def _measure_json(measure: Any) -> dict[str, Any]:
    return measure.model_dump(mode="json")


@catalogus_app.callback()
def catalogus(
    ctx: typer.Context,
    pijler: int | None = typer.Option(None, "--pijler", "-p", help="Alleen deze pijler (1-6)."),
    cruciaal: bool = typer.Option(
        False, "--cruciaal", help="Alleen de meest cruciale maatregelen."
    ),
    versie: str | None = typer.Option(
        None, "--versie", help="Versie van de catalogus (standaard de nieuwste)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de maatregelen als tabel of als JSON."""
    if ctx.invoked_subcommand is not None:
        return
    from weerbaar.catalog import load_catalog

    catalog = load_catalog(versie)
    measures = catalog.select(pillar=pijler, crucial_only=cruciaal)
    if as_json:
        print_json([_measure_json(m) for m in measures])
        return
    table = Table(
        title=f"Maatregelen handreiking weerbaarheid en veerkracht (versie {catalog.version})",
        show_lines=False,
    )
    table.add_column("Nr.", no_wrap=True)
    table.add_column("Pijler", no_wrap=True)
    table.add_column("Maatregel")
    table.add_column("Cruciaal", justify="center")
    table.add_column("Eindverantwoordelijk")
    table.add_column("Fasen")
    table.add_column("Aspecten", justify="right")
    table.add_column("Hangt af van")
    for m in measures:
        table.add_row(
            m.id,
            str(m.pillar),
            m.title,
            "ja" if m.crucial else "",
            ", ".join(m.responsible),
            ", ".join(m.phases),
            str(len(m.aspects)),
            ", ".join(m.depends_on),
        )
    console.print(table)
    console.print(f"{len(measures)} van {len(catalog.measures)} maatregelen getoond.")
