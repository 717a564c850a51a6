"""``weerbaar zelfscan``: the self-assessment on the command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from weerbaar.cli import app, console
from weerbaar.cli.common import print_json, werkruimte_option, workspace_from
from weerbaar.errors import WeerbaarError

zelfscan_app = typer.Typer(
    help="Zelfscan: eigen status per maatregel, actieplan, meterkastkaarten en rolverdeling.",
    no_args_is_help=True,
)
app.add_typer(zelfscan_app, name="zelfscan")

ORG_HELP = "Organisatie (CBS-code, VR-code of naam)."
WOO_NOTE = (
    "Let op: een zelfscan is in weerbaar alleen zichtbaar voor de eigen organisatie, maar kan "
    "als document van de gemeente onder de Woo worden opgevraagd."
)


def _org(ws, query: str):  # type: ignore[no-untyped-def]
    from weerbaar.store.organisations import resolve_organisation

    return resolve_organisation(ws, query)


@zelfscan_app.command("toon")
def show(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json", help="Uitvoer als JSON."),
) -> None:
    """Toon de zelfscan van een organisatie."""
    from weerbaar.catalog import load_catalog
    from weerbaar.selfassess import load_entries

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    catalog = load_catalog()
    entries = load_entries(ws, org.code, catalog)
    if as_json:
        print_json([e.as_dict() | {"organisation": org.code} for e in entries])
        return
    table = Table(title=f"Zelfscan {org.name}", show_lines=False)
    for col in ("Maatregel", "Titel", "Status", "Eigenaar", "Deadline", "Herkomst"):
        table.add_column(col)
    for e in entries:
        table.add_row(
            e.measure_id,
            catalog.measure(e.measure_id).title,
            e.status.value,
            e.owner or "",
            e.deadline or "",
            e.origin,
        )
    console.print(table)
    console.print(WOO_NOTE, style="dim")


@zelfscan_app.command("zet")
def set_entry(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    maatregel: str = typer.Option(..., "--maatregel", "-m", help="Maatregel, bijv. 2.2."),
    status: str | None = typer.Option(
        None,
        "--status",
        help="niet gestart | verkend | in voorbereiding | ingericht | geoefend en geëvalueerd",
    ),
    eigenaar: str | None = typer.Option(
        None, "--eigenaar", help="Eigenaar als rol, niet als naam."
    ),
    partners: str | None = typer.Option(None, "--partners", help="Partners, gescheiden door ;"),
    fasen: str | None = typer.Option(None, "--fasen", help="Fasen, gescheiden door ;"),
    deadline: str | None = typer.Option(None, "--deadline", help="JJJJ-MM-DD"),
    bewijs: str | None = typer.Option(
        None, "--bewijs", help="document:NR of URL, gescheiden door ;"
    ),
    notities: str | None = typer.Option(None, "--notities"),
    door: str = typer.Option("cli", "--door", help="Naam van wie de wijziging doet."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Leg de status en gegevens van één maatregel vast."""
    from weerbaar.selfassess import save_entry

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    values = {
        k: v
        for k, v in {
            "status": status,
            "owner": eigenaar,
            "partners": partners,
            "phases": fasen,
            "deadline": deadline,
            "evidence": bewijs,
            "notes": notities,
        }.items()
        if v is not None
    }
    try:
        changed = save_entry(ws, org.code, maatregel, values, by=door)
    except ValueError as exc:
        raise WeerbaarError(f"Maatregel {maatregel}: {exc}") from exc
    console.print("Opgeslagen." if changed else "Niets gewijzigd.")


@zelfscan_app.command("vooraf-invullen")
def prefill(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Vul de zelfscan vooraf in uit wat de scan in de eigen openbare documenten vond.

    Alleen waar gecontroleerde passages een status ondersteunen wordt die voorgesteld;
    elders blijft de status onbekend. Elk voorstel staat op naam van 'weerbaar (scan)'
    tot iemand het bevestigt."""
    from weerbaar.selfassess import load_entries, prefill_from_scan

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    n = prefill_from_scan(ws, org.code)
    entries = load_entries(ws, org.code)
    with_status = sum(1 for e in entries if e.proposal and e.status.known)
    open_ = sum(1 for e in entries if e.proposal and not e.status.known)
    console.print(
        f"{n} maatregelen vooraf ingevuld voor {org.name}: {with_status} met een voorgestelde "
        f"status (gecontroleerd bewijs), {open_} met status onbekend. Bevestig of corrigeer "
        "ze (maatregelen die u al had ingevuld zijn niet gewijzigd)."
    )


@zelfscan_app.command("exporteer")
def export(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    uit: Path = typer.Option(..., "--uit", help="Bestand .xlsx of .csv."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Exporteer de zelfscan naar XLSX of CSV."""
    from weerbaar.selfassess import load_entries
    from weerbaar.selfassess.files import export_entries

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    path = export_entries(load_entries(ws, org.code), uit, organisation_name=org.name)
    console.print(f"Zelfscan geschreven naar {path}")
    console.print(WOO_NOTE, style="dim")


@zelfscan_app.command("importeer")
def import_(
    bestand: Path = typer.Argument(..., help="Bestand .xlsx of .csv (een bewerkte export)."),
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    door: str = typer.Option(
        "import", "--door", help="Naam waaronder de wijzigingen in de geschiedenis komen."
    ),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Lees een bewerkte zelfscan (XLSX of CSV) in."""
    from weerbaar.selfassess.core import ForeignEvidence
    from weerbaar.selfassess.service import import_entries

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    try:
        s = import_entries(ws, org.code, bestand, by=door)
    except ForeignEvidence as exc:
        raise WeerbaarError(f"{bestand}: {exc} Er is niets ingelezen.") from exc
    console.print(f"{s.changed} gewijzigd, {s.unchanged} ongewijzigd, {len(s.errors)} fouten.")
    for e in s.errors:
        console.print(f"  [red]{e}[/]")
    if s.errors and not s.changed and not s.unchanged:
        raise typer.Exit(1)


@zelfscan_app.command("vergelijk")
def compare(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Vergelijk de zelfscan met het openbare bewijs uit de scan."""
    from weerbaar.selfassess.service import plan_for

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    findings = plan_for(ws, org.code).findings
    if as_json:
        print_json(
            [{"measure": f.measure_id, "kind": f.kind, "message": f.message} for f in findings]
        )
        return
    if not findings:
        console.print("Geen verschillen tussen zelfscan en openbaar bewijs.")
    for f in findings:
        console.print(f"- {f.message}")


@zelfscan_app.command("actieplan")
def plan(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    uit: Path | None = typer.Option(None, "--uit", help="Map voor XLSX en PDF."),
    formaat: str = typer.Option("xlsx,pdf", "--formaat", help="xlsx, pdf en/of html."),
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Toon of schrijf het actieplan met prioriteiten en redenen."""
    from weerbaar.selfassess.service import plan_for, write_action_plan

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    if uit is not None:
        formats = tuple(f.strip().lower() for f in formaat.split(",") if f.strip())
        for p in write_action_plan(ws, org.code, org.name, uit, formats=formats):
            console.print(f"Geschreven: {p}")
        return
    plan = plan_for(ws, org.code)
    if as_json:
        print_json(
            [
                {
                    "position": a.position,
                    "measure": a.measure_id,
                    "title": a.title,
                    "status": a.status.value,
                    "proposal": a.proposal,
                    "crucial": a.crucial,
                    "deadline": a.deadline,
                    "reasons": a.reasons,
                    "examples": a.examples,
                }
                for a in plan.actions
            ]
        )
        return
    table = Table(title=f"Actieplan {org.name}")
    for col in ("#", "Maatregel", "Status", "Waarom hier"):
        table.add_column(col)
    for a in plan.actions:
        table.add_row(
            str(a.position), f"{a.measure_id} {a.title}", a.status_text, "; ".join(a.reasons)
        )
    console.print(table)
    if plan.left_out:
        console.print(f"Niet in de rangorde ({len(plan.left_out)}):")
        for x in plan.left_out:
            console.print(f"  {x.measure_id} {x.title}: {x.reason}")


punt_app = typer.Typer(help="Noodsteunpunten van een organisatie.", no_args_is_help=True)
zelfscan_app.add_typer(punt_app, name="noodsteunpunt")


@punt_app.command("toevoegen")
def add_point(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    naam: str = typer.Option(..., "--naam"),
    adres: str = typer.Option(..., "--adres"),
    wijk: str = typer.Option(..., "--wijk"),
    functies: str = typer.Option(
        "informatie", "--functies", help="Bijv. informatie;water;stroom;ehbo;warmte"
    ),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Leg een noodsteunpunt vast."""
    from weerbaar.selfassess.model import POINT_FUNCTIONS
    from weerbaar.store import selfassess as q

    funcs = [f.strip().lower() for f in functies.replace(",", ";").split(";") if f.strip()]
    unknown = [f for f in funcs if f not in POINT_FUNCTIONS]
    if unknown:
        raise WeerbaarError(
            f"Onbekende functie(s) {unknown}; kies uit: {', '.join(POINT_FUNCTIONS)}"
        )
    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    with ws.write() as conn:
        pid = q.add_point(conn, org.code, name=naam, address=adres, wijk=wijk, functions=funcs)
    console.print(f"Noodsteunpunt {pid} vastgelegd voor {org.name}, wijk {wijk}.")


@punt_app.command("lijst")
def list_points(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    werkruimte: Path | None = werkruimte_option(),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Toon de noodsteunpunten."""
    from weerbaar.store import selfassess as q

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    with ws.read() as conn:
        points = q.list_points(conn, org.code)
    if as_json:
        print_json(points)
        return
    table = Table(title=f"Noodsteunpunten {org.name}")
    for col in ("Nr", "Wijk", "Naam", "Adres", "Functies"):
        table.add_column(col)
    for p in points:
        table.add_row(str(p["id"]), p["wijk"], p["name"], p["address"], ", ".join(p["functions"]))
    console.print(table)


@zelfscan_app.command("kaarten")
def cards(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    uit: Path = typer.Option(..., "--uit", help="Map voor de PDF."),
    formaat: str = typer.Option("A6", "--formaat", help="A6 of A5."),
    tekst: Path | None = typer.Option(
        None, "--tekst", help="Bestand met eigen handelingsperspectief."
    ),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Maak meterkastkaarten (per wijk) als PDF, A6 of A5."""
    from weerbaar.selfassess.service import write_cards
    from weerbaar.store import selfassess as q

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    if tekst is not None:
        text = tekst.read_text(encoding="utf-8").strip()
        if not text:
            raise WeerbaarError(f"{tekst}: het bestand is leeg.")
        with ws.write() as conn:
            q.set_settings(conn, org.code, card_text=text)
    path = write_cards(ws, org.code, org.name, uit, size=formaat.upper())
    console.print(f"Meterkastkaarten geschreven naar {path}")


@zelfscan_app.command("publiceer")
def publish(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    intrekken: bool = typer.Option(False, "--intrekken", help="Maak de zelfscan weer privé."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Maak de zelfscan zichtbaar voor andere gebruikers (of weer privé)."""
    from weerbaar.store import selfassess as q

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    with ws.write() as conn:
        q.set_settings(conn, org.code, published=not intrekken)
    console.print(f"Zelfscan van {org.name} is nu {'privé' if intrekken else 'gepubliceerd'}.")


@zelfscan_app.command("geschiedenis")
def history(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help=ORG_HELP),
    maatregel: str | None = typer.Option(None, "--maatregel", "-m"),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Toon elke wijziging van de zelfscan."""
    from weerbaar.store import selfassess as q

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    with ws.read() as conn:
        rows = q.get_history(conn, org.code, maatregel)
    print_json(rows)


rol_app = typer.Typer(
    help="Rolverdeling gemeente en veiligheidsregio per maatregel.", no_args_is_help=True
)
zelfscan_app.add_typer(rol_app, name="rollen")


@rol_app.command("zet")
def set_role(
    organisatie: str = typer.Option(..., "--organisatie", "-o", help="Gemeente."),
    maatregel: str = typer.Option(..., "--maatregel", "-m"),
    verantwoordelijk: str = typer.Option(
        ..., "--verantwoordelijk", help="gemeente | veiligheidsregio | samen | anders"
    ),
    ondersteunt: str | None = typer.Option(None, "--ondersteunt"),
    afgesproken: bool = typer.Option(False, "--afgesproken"),
    datum: str | None = typer.Option(None, "--datum", help="JJJJ-MM-DD van de afspraak."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Leg voor één gemeente en maatregel vast wie verantwoordelijk is en wie ondersteunt."""
    from weerbaar.selfassess.roles import record_role

    ws = workspace_from(werkruimte)
    org = _org(ws, organisatie)
    record_role(
        ws,
        org,
        maatregel,
        responsible=verantwoordelijk,
        supporting=ondersteunt,
        agreed=afgesproken,
        agreed_on=datum,
    )
    console.print(f"Rolverdeling {org.name} {maatregel} vastgelegd.")


@rol_app.command("exporteer")
def export_roles(
    regio: str = typer.Option(..., "--regio", help="Veiligheidsregio, bijv. VR06."),
    uit: Path = typer.Option(..., "--uit", help="Bestand .xlsx of .csv."),
    werkruimte: Path | None = werkruimte_option(),
) -> None:
    """Exporteer de rolverdeling van een regio met haar gemeenten."""
    from weerbaar.selfassess.roles import write_roles

    ws = workspace_from(werkruimte)
    region = _org(ws, regio)
    path = write_roles(ws, region, uit)
    console.print(f"Rolverdeling geschreven naar {path}")
