"""Organisations of a workspace: the built-in register plus the workspace's own ones
(for example the fictional demo region, or a GHOR or water company)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from weerbaar.catalog.organisations import (
    MUNICIPALITY,
    REGION,
    Organisation,
    load_register,
    normalise_code,
    normalise_name,
)
from weerbaar.errors import UnknownOrganisation, WeerbaarError
from weerbaar.store.db import Workspace, utcnow
from weerbaar.store.schema import organisations

TYPES = (MUNICIPALITY, REGION, "overig")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


class OrganisationError(WeerbaarError):
    """An organisation cannot be added to the workspace."""


def _row_to_org(row: object) -> Organisation:
    return Organisation(
        code=row.code,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        type=row.type,  # type: ignore[attr-defined]
        region_code=row.region_code,  # type: ignore[attr-defined]
        fictional=bool(row.fictional),  # type: ignore[attr-defined]
    )


def workspace_organisations(ws: Workspace) -> list[Organisation]:
    """Only the organisations added to this workspace, by code."""
    with ws.read() as conn:
        rows = conn.execute(select(organisations).order_by(organisations.c.code)).all()
    return [_row_to_org(r) for r in rows]


def add_organisation(
    ws: Workspace,
    code: str,
    name: str,
    type: str,
    region_code: str | None = None,
    fictional: bool = False,
) -> Organisation:
    """Add (or update) an organisation of this workspace and return it.

    A code of the built-in register is refused; ``region_code`` must name a region of the register or of the workspace."""
    code = code.strip().upper()
    name = " ".join(name.split())
    if not _CODE.match(code):
        raise OrganisationError(
            f"Ongeldige code {code!r}: gebruik letters en cijfers, zoals GM9901 of VR99."
        )
    if not name:
        raise OrganisationError("Geef een naam voor de organisatie.")
    if type not in TYPES:
        raise OrganisationError(f"Onbekende soort {type!r}: kies uit {', '.join(TYPES)}.")
    register = load_register()
    if code in register:
        raise OrganisationError(
            f"Code {code} hoort al bij {register.get(code).name} in het register."
        )
    if region_code is not None:
        region_code = region_code.strip()
        region = resolve_organisation(ws, region_code)
        if region.type != REGION:
            raise OrganisationError(f"{region.name} ({region.code}) is geen veiligheidsregio.")
        region_code = region.code
    if type == REGION:
        region_code = None
    values = {
        "name": name,
        "type": type,
        "region_code": region_code,
        "fictional": fictional,
    }
    with ws.write() as conn:
        exists = conn.execute(
            select(organisations.c.code).where(organisations.c.code == code)
        ).first()
        if exists:
            conn.execute(organisations.update().where(organisations.c.code == code).values(values))
        else:
            conn.execute(organisations.insert().values(code=code, created_at=utcnow(), **values))
    return Organisation(
        code=code, name=name, type=type, region_code=region_code, fictional=fictional
    )


def list_organisations(
    ws: Workspace | None,
    *,
    region_code: str | None = None,
    type: str | None = None,
) -> list[Organisation]:
    """Every organisation: regions (register, then workspace), then municipalities and
    others, optionally only of one region and/or one type."""
    register = load_register()
    own = workspace_organisations(ws) if ws is not None else []
    regions = register.regions() + [o for o in own if o.type == REGION]
    others = register.municipalities() + [o for o in own if o.type != REGION]
    found = regions + sorted(others, key=lambda o: (o.type != MUNICIPALITY, normalise_name(o.name)))
    if region_code is not None:
        region = resolve_organisation(ws, region_code) if ws else register.lookup(region_code)
        if region.type != REGION:
            raise UnknownOrganisation(region_code)
        found = [o for o in found if o.code == region.code or o.region_code == region.code]
    if type is not None:
        found = [o for o in found if o.type == type]
    return found


def _keys(name: str) -> set[str]:
    key = normalise_name(name)
    keys = {key}
    for prefix in ("gemeente ", "veiligheidsregio "):
        if key.startswith(prefix) and len(key) > len(prefix):
            keys.add(key[len(prefix) :])
    return keys


def resolve_organisation(
    ws: Workspace | None, query: str, on_date: date | None = None
) -> Organisation:
    """Find an organisation by code or name: the workspace's own first, then the register."""
    own = workspace_organisations(ws) if ws is not None else []
    if own:
        code = normalise_code(query) or query.strip().upper()
        for org in own:
            if org.code == code:
                return org
        wanted = _keys(query)
        matches = [o for o in own if _keys(o.name) & wanted]
        if len(matches) == 1:
            return matches[0]
    try:
        return load_register().lookup(query, on_date=on_date)
    except UnknownOrganisation as exc:
        if not own:
            raise
        from rapidfuzz import fuzz, process

        extra = [
            name
            for _norm, score, name in process.extract(
                normalise_name(query),
                {o.name: normalise_name(o.name) for o in own},
                scorer=fuzz.WRatio,
                limit=3,
            )
            if score >= 70
        ]
        raise UnknownOrganisation(query, (extra + exc.suggestions)[:3]) from None


__all__ = [
    "OrganisationError",
    "add_organisation",
    "list_organisations",
    "resolve_organisation",
    "workspace_organisations",
]
