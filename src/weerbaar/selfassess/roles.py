"""The role split between a municipality and its safety region, per measure. The
guidance leaves this split to local agreement; this records it and exports it per region."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from weerbaar.catalog import load_catalog
from weerbaar.errors import WeerbaarError
from weerbaar.selfassess import files
from weerbaar.store import Workspace
from weerbaar.store import selfassess as q

PARTIES = ("gemeente", "veiligheidsregio", "samen", "anders")


def _party(value: str | None, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise WeerbaarError(f"Geef aan wie verantwoordelijk is: {', '.join(PARTIES)}.")
        return None
    v = value.strip().lower()
    if v not in PARTIES:
        raise WeerbaarError(f"Onbekende partij {value!r}; kies uit: {', '.join(PARTIES)}.")
    return v


def record_role(
    ws: Workspace,
    municipality: Any,
    measure_id: str,
    *,
    responsible: str,
    supporting: str | None = None,
    agreed: bool = False,
    agreed_on: str | None = None,
    notes: str | None = None,
) -> None:
    """Record who is responsible and who supports for one municipality and measure."""
    if getattr(municipality, "type", None) != "gemeente" or not municipality.region_code:
        raise WeerbaarError(
            f"{municipality.name}: de rolverdeling wordt per gemeente binnen haar regio vastgelegd."
        )
    load_catalog().measure(measure_id)
    if agreed_on:
        try:
            agreed_on = date.fromisoformat(agreed_on).isoformat()
        except ValueError as exc:
            raise WeerbaarError(f"Ongeldige datum {agreed_on!r}; gebruik JJJJ-MM-DD.") from exc
    with ws.write() as conn:
        q.set_role(
            conn,
            municipality.region_code,
            municipality.code,
            measure_id,
            responsible=_party(responsible, required=True),
            supporting=_party(supporting, required=False),
            agreed=agreed,
            agreed_on=agreed_on,
            notes=notes,
        )


def region_municipalities(ws: Workspace, region_code: str) -> list[Any]:
    """Municipalities of a region: the register's and the workspace's own."""
    from weerbaar.store.organisations import list_organisations

    return sorted(
        (
            o
            for o in list_organisations(ws)
            if o.type == "gemeente" and o.region_code == region_code
        ),
        key=lambda o: o.name,
    )


def role_table(ws: Workspace, region: Any) -> list[list[Any]]:
    """The full matrix for a region: every municipality × every measure, recorded or not."""
    catalog = load_catalog()
    with ws.read() as conn:
        recorded = {
            (r["organisation_code"], r["measure_id"]): r for r in q.get_roles(conn, region.code)
        }
    rows: list[dict] = []
    names = {}
    for m in region_municipalities(ws, region.code):
        names[m.code] = m.name
        for measure in catalog.measures:
            rows.append(
                recorded.get(
                    (m.code, measure.id),
                    {
                        "organisation_code": m.code,
                        "measure_id": measure.id,
                        "notes": "nog niet afgesproken",
                    },
                )
            )
    return files.role_rows(rows, names, catalog)


def write_roles(ws: Workspace, region: Any, path: Path) -> Path:
    if getattr(region, "type", None) != "veiligheidsregio":
        raise WeerbaarError(f"{region.name} is geen veiligheidsregio.")
    return files.export_roles(role_table(ws, region), Path(path), region_name=region.name)
