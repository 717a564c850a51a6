"""``weerbaar beoordeling``: export, import and agreement of reviewer decisions."""

from __future__ import annotations

from pathlib import Path

import typer

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from

beoordeling_app = typer.Typer(
    help="Beslissingen van beoordelaars: export, import, overeenstemming."
)
app.add_typer(beoordeling_app, name="beoordeling")


@beoordeling_app.command("exporteer")
def exporteer(
    bestand: Path = typer.Argument(..., help="Doelbestand (.json of .csv)."),
    formaat: str | None = typer.Option(
        None, "--formaat", help="json of csv (standaard: extensie)."
    ),
    organisatie: str | None = typer.Option(None, "--organisatie", help="Alleen deze organisatie."),
    maatregel: str | None = typer.Option(None, "--maatregel", help="Alleen deze maatregel."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Schrijf de beslissingen naar een JSON- of CSV-bestand."""
    from weerbaar.review import export_decisions

    n = export_decisions(
        workspace_from(werkruimte, create=False),
        bestand,
        formaat,
        organisation=organisatie,
        measure_id=maatregel,
    )
    console.print(f"{n} beslissing(en) geschreven naar {bestand}.")


@beoordeling_app.command("importeer")
def importeer(
    bestand: Path = typer.Argument(..., help="Bestand uit een export (.json of .csv)."),
    formaat: str | None = typer.Option(
        None, "--formaat", help="json of csv (standaard: extensie)."
    ),
    beoordelaar: str | None = typer.Option(
        None,
        "--beoordelaar",
        help="Leg alles vast onder deze naam in plaats van die in het bestand.",
    ),
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Lees beslissingen in (elk met een regel in het logboek)."""
    from weerbaar.review import import_decisions

    report = import_decisions(
        workspace_from(werkruimte, create=False), bestand, formaat, reviewer=beoordelaar
    )
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"{report.recorded} vastgelegd, {report.unchanged} ongewijzigd, "
        f"{len(report.skipped)} overgeslagen."
    )
    for s in report.skipped[:20]:
        console.print(f"  regel {s['regel']}: {s['reden']}")


@beoordeling_app.command("overeenstemming")
def overeenstemming(
    maatregel: str | None = typer.Option(None, "--maatregel", help="Alleen deze maatregel."),
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon Cohen's kappa en Krippendorff's alpha per maatregel en per beoordelaar."""
    from weerbaar.review import agreement

    result = agreement(workspace_from(werkruimte, create=False), measure_id=maatregel)
    figures = result.to_dict()
    if as_json:
        print_json(
            {
                "per_maatregel": [
                    {
                        "maatregel": m.measure_id,
                        "paren": m.pairs,
                        "eens": m.agreed,
                        "kappa": m.kappa,
                        "alpha": m.alpha,
                    }
                    for m in result.measures
                ],
                "per_beoordelaar": [
                    {
                        "beoordelaar": r.reviewer,
                        "paren": r.pairs,
                        "eens": r.agreed,
                        "kappa": r.kappa,
                        "alpha": r.alpha,
                    }
                    for r in result.reviewers
                ],
                "kappa": result.overall_kappa,
                "alpha": result.overall_alpha,
                "verschillen": result.disagreements,
            }
        )
        return
    if not result.measures:
        console.print("Nog geen passages met meer dan één beoordelaar.")

    def num(x: float | None) -> str:
        return "niet te bepalen" if x is None else f"{x:.2f}".replace(".", ",")

    for m in result.measures:
        console.print(
            f"{m.measure_id}: {m.agreed}/{m.pairs} eens, kappa {num(m.kappa)}, alpha {num(m.alpha)}"
        )
    for r in result.reviewers:
        console.print(
            f"{r.reviewer}: {r.agreed}/{r.pairs} eens met anderen, kappa {num(r.kappa)}, "
            f"alpha {num(r.alpha)}"
        )
    settled = figures["settled"]
    console.print(
        f"{len(result.disagreements)} passage(s) met verschillen, waarvan {settled} beslecht."
    )
