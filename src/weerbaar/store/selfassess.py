"""Queries for the self-assessment. Every function takes the organisation code: a
self-assessment is private to its organisation, so no query here can read across
organisations by accident (``tests/test_selfassess_*`` check this)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from weerbaar.store.db import row_dict, row_dicts, utcnow
from weerbaar.store.schema import (
    noodsteunpunten,
    role_matrix,
    self_assessment_history,
    self_assessment_settings,
    self_assessments,
)

ENTRY_FIELDS = ("status", "owner", "partners", "phases", "deadline", "evidence", "notes", "origin")


def _entry_dict(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "measure_id": m["measure_id"],
        "catalog_version": m["catalog_version"],
        "status": m["status"],
        "owner": m["owner"],
        "partners": list(m["partners"] or []),
        "phases": list(m["phases"] or []),
        "deadline": m["deadline"],
        "evidence": list(m["evidence"] or []),
        "notes": m["notes"],
        "origin": m["origin"],
        "updated_by": m["updated_by"],
        "updated_at": m["updated_at"],
    }


def get_entries(conn: Connection, organisation: str, catalog_version: str) -> dict[str, dict]:
    """The organisation's entries, keyed by measure id."""
    rows = conn.execute(
        select(self_assessments).where(
            and_(
                self_assessments.c.organisation_code == organisation,
                self_assessments.c.catalog_version == catalog_version,
            )
        )
    )
    return {r.measure_id: _entry_dict(r) for r in rows}


def upsert_entry(
    conn: Connection,
    organisation: str,
    catalog_version: str,
    measure_id: str,
    values: dict[str, Any],
    by: str,
) -> bool:
    """Insert or update one entry and append a history row. Returns False when nothing
    changed (no history row is written then)."""
    where = and_(
        self_assessments.c.organisation_code == organisation,
        self_assessments.c.catalog_version == catalog_version,
        self_assessments.c.measure_id == measure_id,
    )
    row = conn.execute(select(self_assessments).where(where)).first()
    before = _entry_dict(row) if row else None
    new = {k: values.get(k) for k in ENTRY_FIELDS if k in values}
    if before is not None and all(before.get(k) == v for k, v in new.items()):
        return False
    now = utcnow()
    if row is None:
        full = {k: None for k in ENTRY_FIELDS} | {"origin": "handmatig"} | new
        conn.execute(
            insert(self_assessments).values(
                organisation_code=organisation,
                catalog_version=catalog_version,
                measure_id=measure_id,
                updated_by=by,
                updated_at=now,
                **full,
            )
        )
    else:
        conn.execute(
            update(self_assessments).where(where).values(updated_by=by, updated_at=now, **new)
        )
    after = _entry_dict(conn.execute(select(self_assessments).where(where)).one())
    conn.execute(
        insert(self_assessment_history).values(
            organisation_code=organisation,
            measure_id=measure_id,
            before=_strip_meta(before),
            after=_strip_meta(after),
            by=by,
            at=now,
        )
    )
    return True


def _strip_meta(entry: dict | None) -> dict | None:
    if entry is None:
        return None
    return {k: v for k, v in entry.items() if k not in ("updated_at", "updated_by")}


def get_history(conn: Connection, organisation: str, measure_id: str | None = None) -> list[dict]:
    q = select(self_assessment_history).where(
        self_assessment_history.c.organisation_code == organisation
    )
    if measure_id:
        q = q.where(self_assessment_history.c.measure_id == measure_id)
    q = q.order_by(self_assessment_history.c.id)
    return row_dicts(conn.execute(q))


def get_settings(conn: Connection, organisation: str) -> dict[str, Any]:
    row = conn.execute(
        select(self_assessment_settings).where(
            self_assessment_settings.c.organisation_code == organisation
        )
    ).first()
    if row is None:
        return {"organisation_code": organisation, "published": False, "card_text": None}
    return row_dict(row)


def set_settings(conn: Connection, organisation: str, **values: Any) -> None:
    where = self_assessment_settings.c.organisation_code == organisation
    exists = conn.execute(select(self_assessment_settings.c.organisation_code).where(where)).first()
    values["updated_at"] = utcnow()
    if exists:
        conn.execute(update(self_assessment_settings).where(where).values(**values))
    else:
        values.setdefault("published", False)
        conn.execute(
            insert(self_assessment_settings).values(organisation_code=organisation, **values)
        )


# ----------------------------------------------------------------------- noodsteunpunten
def list_points(conn: Connection, organisation: str) -> list[dict]:
    q = (
        select(noodsteunpunten)
        .where(noodsteunpunten.c.organisation_code == organisation)
        .order_by(noodsteunpunten.c.wijk, noodsteunpunten.c.name)
    )
    return [dict(r._mapping) | {"functions": list(r.functions or [])} for r in conn.execute(q)]


def add_point(
    conn: Connection,
    organisation: str,
    *,
    name: str,
    address: str,
    wijk: str,
    functions: list[str],
    notes: str | None = None,
) -> int:
    res = conn.execute(
        insert(noodsteunpunten).values(
            organisation_code=organisation,
            name=name,
            address=address,
            wijk=wijk,
            functions=functions,
            notes=notes,
            updated_at=utcnow(),
        )
    )
    return int(res.inserted_primary_key[0])


def delete_point(conn: Connection, organisation: str, point_id: int) -> bool:
    res = conn.execute(
        delete(noodsteunpunten).where(
            and_(
                noodsteunpunten.c.organisation_code == organisation,
                noodsteunpunten.c.id == point_id,
            )
        )
    )
    return res.rowcount > 0


# ----------------------------------------------------------------------- role matrix
def get_roles(conn: Connection, region_code: str, organisation: str | None = None) -> list[dict]:
    q = select(role_matrix).where(role_matrix.c.region_code == region_code)
    if organisation:
        q = q.where(role_matrix.c.organisation_code == organisation)
    q = q.order_by(role_matrix.c.organisation_code, role_matrix.c.measure_id)
    return row_dicts(conn.execute(q))


def set_role(
    conn: Connection,
    region_code: str,
    organisation: str,
    measure_id: str,
    **values: Any,
) -> None:
    where = and_(
        role_matrix.c.organisation_code == organisation,
        role_matrix.c.measure_id == measure_id,
    )
    values["updated_at"] = utcnow()
    if conn.execute(select(role_matrix.c.id).where(where)).first():
        conn.execute(update(role_matrix).where(where).values(region_code=region_code, **values))
    else:
        values.setdefault("agreed", False)
        conn.execute(
            insert(role_matrix).values(
                region_code=region_code,
                organisation_code=organisation,
                measure_id=measure_id,
                **values,
            )
        )
