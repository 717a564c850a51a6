"""``weerbaar catalogus``: show the measure catalogue (table or JSON).

Other modules add subcommands to ``catalogus_app`` (for example ``importeer``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json
from weerbaar.errors import CatalogError

catalogus_app = typer.Typer(
    invoke_without_command=True,
    help="Toon de catalogus van de 41 maatregelen van de handreiking.",
    no_args_is_help=False,
)
app.add_typer(catalogus_app, name="catalogus")


_PHASE_SHORT = {
    "koude fase": "K",
    "warme fase < 72 uur": "W<72",
    "warme fase > 72 uur": "W>72",
    "nafase": "N",
    "onbekend": "?",
}


def _measure_json(measure: Any, catalog: Any) -> dict[str, Any]:
    data = measure.model_dump(mode="json")
    data["pillar_name"] = catalog.pillar(measure.pillar).name
    data["catalog_version"] = catalog.version
    return data


def _official_texts(werkruimte: Path | None, version: str) -> dict[str, str]:
    """Official wording imported into the workspace (if a workspace is there)."""
    from weerbaar.cli.common import default_workspace
    from weerbaar.store import open_workspace
    from weerbaar.store.db import workspace_exists
    from weerbaar.store.official import official_texts_for

    root = werkruimte or default_workspace()
    if not workspace_exists(root):
        if werkruimte is not None:
            raise CatalogError(f"Geen werkruimte gevonden in {root}.")
        return {}
    ws = open_workspace(root, create=False)
    try:
        return official_texts_for(ws, version)
    finally:
        ws.close()


def _show_measure(measure: Any, catalog: Any, official: str | None = None) -> None:
    """Detail view of one measure: fields, aspects and search terms."""
    pillar = catalog.pillar(measure.pillar)
    lines = [
        f"[bold]{measure.id} {escape(measure.title)}[/]"
        + ("  [yellow]★ meest cruciaal[/]" if measure.crucial else ""),
        f"Pijler {pillar.number}: {pillar.name} (bevoegd gezag: {pillar.authority})",
        "",
        escape(measure.description),
        "",
        f"[bold]Eindverantwoordelijk:[/] {', '.join(measure.responsible)}",
        f"[bold]Samenwerkingspartners:[/] {', '.join(measure.partners) or '-'}",
        f"[bold]Fasen:[/] {', '.join(measure.phases)}",
        f"[bold]Hangt af van:[/] {', '.join(measure.depends_on) or '-'}"
        f"   [bold]Nodig voor:[/] {', '.join(catalog.dependents(measure.id)) or '-'}",
    ]
    if measure.note:
        lines.append(f"[dim]Noot: {escape(measure.note)}[/]")
    console.print(Panel("\n".join(lines), title=f"Catalogus {catalog.version}", expand=False))
    aspects = Table(title="Aspecten (bewijsstukken)")
    aspects.add_column("Nr.", no_wrap=True)
    aspects.add_column("Aspect")
    aspects.add_column("Signaalwoorden")
    for a in measure.aspects:
        aspects.add_row(a.id, escape(a.label), escape(", ".join(a.terms)))
    console.print(aspects)
    console.print(f"[bold]Zoektermen:[/] {escape(', '.join(measure.terms))}")
    if official:
        console.print(
            Panel(escape(official), title="Officiële tekst (uit uw eigen exemplaar)", expand=False)
        )


def _measures_table(measures: list[Any], catalog: Any) -> Table:
    """The measures by pillar as a table (with the dependencies on a wide terminal)."""
    table = Table(
        title=f"Maatregelen handreiking weerbaarheid en veerkracht (versie {catalog.version})",
        caption="Fasen: K = koude fase, W<72 / W>72 = warme fase korter/langer dan 72 uur, "
        "N = nafase, ? = niet te lezen in de bron. ★ = meest cruciaal. Asp. = aantal aspecten.",
    )
    table.add_column("Nr.", no_wrap=True)
    table.add_column("Maatregel", ratio=4, min_width=20)
    table.add_column("★", justify="center", no_wrap=True)
    table.add_column("Eindverantw.", ratio=2)
    table.add_column("Fasen", min_width=4)
    table.add_column("Asp.", justify="right", no_wrap=True)
    wide = console.width >= 100
    if wide:
        table.add_column("Hangt af van", ratio=1, min_width=8)
    current = None
    for m in measures:
        if m.pillar != current:
            current = m.pillar
            pillar = catalog.pillar(m.pillar)
            if table.row_count:
                table.add_section()
            table.add_row(
                "",
                f"[bold]Pijler {pillar.number}: {pillar.name}[/] "
                f"[dim](bevoegd gezag: {pillar.authority})[/]",
            )
        table.add_row(
            m.id,
            escape(m.title),
            "★" if m.crucial else "",
            ", ".join(m.responsible),
            " ".join(_PHASE_SHORT.get(p, p) for p in m.phases),
            str(len(m.aspects)),
            *([", ".join(m.depends_on)] if wide else []),
        )
    return table


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
    maatregel: str | None = typer.Option(
        None, "--maatregel", "-m", help="Toon één maatregel in detail (bijv. 2.2)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
    werkruimte: Path | None = typer.Option(
        None,
        "--werkruimte",
        "-w",
        help="Werkruimte met een geïmporteerde officiële tekst (zie 'catalogus importeer').",
    ),
) -> None:
    """Toon de maatregelen als tabel of als JSON."""
    if ctx.invoked_subcommand is not None:
        return
    from weerbaar.catalog import load_catalog

    catalog = load_catalog(versie)
    if pijler is not None and pijler not in [p.number for p in catalog.pillars]:
        raise CatalogError(f"Pijler {pijler} bestaat niet; kies 1 t/m {len(catalog.pillars)}.")
    if maatregel is not None:
        measure = catalog.measure(maatregel)  # raises UnknownMeasure
        official = _official_texts(werkruimte, catalog.version).get(measure.id)
        if as_json:
            print_json([_measure_json(measure, catalog) | {"official_text": official}])
        else:
            _show_measure(measure, catalog, official)
        return
    measures = catalog.select(pillar=pijler, crucial_only=cruciaal)
    if as_json:
        official_all = _official_texts(werkruimte, catalog.version)
        print_json(
            [
                _measure_json(m, catalog) | {"official_text": official_all.get(m.id)}
                for m in measures
            ]
        )
        return
    console.print(_measures_table(measures, catalog))
    console.print(f"{len(measures)} van {len(catalog.measures)} maatregelen getoond.")
