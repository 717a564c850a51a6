"""``weerbaar beoordeling``: scores with reasons, kernhiaten, knelpunten and aggregates;
``weerbaar beoordeling overschrijf``: override a score with a required justification."""

from __future__ import annotations

from pathlib import Path

import typer

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from
from weerbaar.errors import WeerbaarError

HELP = (
    "Beoordeling: scores Hoog, Midden of Laag met redenen per organisatie per maatregel; "
    "ook de beslissingen van beoordelaars (export, import, overeenstemming)."
)


def _shared_group() -> typer.Typer:
    """The ``beoordeling`` group: the review module may have registered it already (for
    export/import/agreement); then our callback and commands join that group."""
    for info in app.registered_groups:
        if info.name == "beoordeling" and info.typer_instance is not None:
            info.help = HELP
            return info.typer_instance
    group = typer.Typer(help=HELP)
    app.add_typer(group, name="beoordeling", help=HELP)
    return group


beoordeling_app = _shared_group()


@beoordeling_app.callback(invoke_without_command=True)
def beoordeling(
    ctx: typer.Context,
    werkruimte: Path | None = werkruimte_option(),
    organisatie: str | None = typer.Option(
        None, "--organisatie", "-o", help="Alleen deze organisatie (code of naam), met haar regio."
    ),
    maatregel: str | None = typer.Option(
        None,
        "--maatregel",
        "-m",
        help="Toon voor deze maatregel (bijv. 2.2) de score met redenen per organisatie.",
    ),
    details: bool = typer.Option(
        False, "--details", help="Toon alle maatregelen met redenen, kernhiaten en knelpunten."
    ),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon per organisatie een beknopt overzicht: aantallen per score, de twaalf cruciale
    maatregelen en de belangrijkste hiaten. Meer met --details of --maatregel."""
    if ctx.invoked_subcommand is not None:
        return
    from weerbaar.assess import assess
    from weerbaar.cli import assess_view as view

    ws = workspace_from(werkruimte, create=False)
    try:
        result = assess(ws, organisatie)
    finally:
        ws.close()
    shown = result.organisations
    if organisatie:
        # the organisation asked for; its region was only assessed for the region's part
        munis = [o for o in result.organisations if o.type != "veiligheidsregio"]
        shown = munis or result.organisations
    if maatregel is not None and maatregel.strip() not in result.measure_info:
        raise WeerbaarError(
            f"Onbekende maatregel {maatregel!r}: gebruik een nummer uit de catalogus, "
            "bijvoorbeeld 2.2 (zie weerbaar catalogus)."
        )
    if as_json:
        data = result.to_dict()
        codes = {o.organisation for o in shown}
        data["scores"] = [
            r
            for r in data["scores"]
            if r["organisation"] in codes and (maatregel is None or r["measure"] == maatregel)
        ]
        print_json(data)
        return
    lines: list[str] = []
    if maatregel is not None:
        lines += view.measure_detail(result, shown, maatregel.strip())
    else:
        for org in shown:
            lines += view.org_summary(org, result) if not details else view.org_details(org)
        if not organisatie:
            lines += view.overall_summary(result)
        if not details:
            lines += ["", view.MORE_HINT]
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@beoordeling_app.command("overschrijf")
def overschrijf(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help="Code of naam."),
    maatregel: str = typer.Option(..., "--maatregel", "-m", help="Nummer, bijvoorbeeld 2.2."),
    score: str = typer.Option(..., "--score", help="Hoog, Midden of Laag."),
    toelichting: str = typer.Option(..., "--toelichting", help="Verplichte onderbouwing."),
    beoordelaar: str = typer.Option(..., "--beoordelaar", help="Uw naam."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Pas een berekende score handmatig aan, met verplichte toelichting."""
    from weerbaar.assess import override_score

    ws = workspace_from(werkruimte, create=False)
    try:
        oid = override_score(
            ws,
            organisation=organisatie,
            measure=maatregel,
            score=score,
            justification=toelichting,
            reviewer=beoordelaar,
        )
    finally:
        ws.close()
    console.print(f"Score aangepast (nr. {oid}): {organisatie} {maatregel} → {score}.")
