"""``weerbaar beoordeling``: scores with reasons, kernhiaten, knelpunten and aggregates;
``weerbaar beoordeling overschrijf``: override a score with a required justification."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from

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
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de scores, redenen, kernhiaten, knelpunten en totalen."""
    if ctx.invoked_subcommand is not None:
        return
    from weerbaar.assess import assess

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
    if as_json:
        data = result.to_dict()
        codes = {o.organisation for o in shown}
        data["scores"] = [r for r in data["scores"] if r["organisation"] in codes]
        print_json(data)
        return
    for org in shown:
        cov = org.coverage
        console.print(
            f"\n[bold]{org.name}[/] ({org.organisation}, {org.type}) — bronnen: "
            + (
                ", ".join(f"{k} {'/'.join(map(str, v))}" for k, v in cov.doc_types.items())
                or "geen"
            )
            + ("" if cov.sufficient else f" — [yellow]ontbreekt: {', '.join(cov.missing)}[/]")
            + (f" — [yellow]niet te lezen: {'; '.join(cov.unread)}[/]" if cov.unread else "")
            + (
                f" — passages uit de scan gecontroleerd: {org.queue_reviewed} van {org.queue_total}"
                if org.queue_total
                else ""
            )
        )
        table = Table(show_lines=False)
        table.add_column("Nr.", no_wrap=True)
        table.add_column("Maatregel")
        table.add_column("Score", no_wrap=True)
        table.add_column("Redenen")
        table.add_column("Kernhiaten")
        table.add_column("Knelpunten")
        for s in org.scores:
            score = (
                s.score
                if s.score == s.computed_score
                else f"{s.score} (berekend {s.computed_score})"
            )
            if s.regional and s.regional.carried_by_region and s.regional.combined_score != s.score:
                score += f"\nmet regio: {s.regional.combined_score}"
            table.add_row(
                s.measure,
                s.measure_title,
                score,
                " ".join(s.reasons + s.dependency_flags),
                "; ".join(s.missing_aspect_labels),
                "; ".join(sig.label for sig in s.signals),
            )
        console.print(table)
    if not organisatie:
        table = Table(title=f"Per maatregel over {len(result.organisations)} organisaties")
        for col in (
            "Nr.", "Hoog", "Midden", "Laag", "Onv. bronnen", "Nog niet beoord.", "Beeld",
            "Spreiding",
        ):  # fmt: skip
            table.add_column(col)
        for m in result.measures:
            c = m.counts
            table.add_row(
                m.measure,
                str(c["Hoog"]),
                str(c["Midden"]),
                str(c["Laag"]),
                str(c["Onvoldoende bronnen"]),
                str(c["Nog niet beoordeeld"]),
                m.national_class,
                m.spread,
            )
        console.print(table)
    for f in result.dependency_flags:
        console.print(f"[yellow]Afhankelijkheid[/] {f.organisation}: {f.message}")


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
