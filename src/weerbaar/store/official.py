"""The official wording of the measures, imported from the user's own copy of the
guidance and stored beside our own descriptions (table ``official_texts``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from weerbaar.store.db import Workspace, utcnow
from weerbaar.store.schema import official_texts

if TYPE_CHECKING:
    from weerbaar.catalog.importer import ImportResult


def store_official_texts(
    ws: Workspace,
    texts: dict[str, str],
    *,
    catalog_version: str,
    source_name: str,
    source_sha256: str,
) -> int:
    """Replace the official texts of ``catalog_version`` by ``texts`` (one transaction);
    returns the number of rows written."""
    now = utcnow()
    with ws.write() as conn:
        conn.execute(
            delete(official_texts).where(official_texts.c.catalog_version == catalog_version)
        )
        if texts:
            conn.execute(
                official_texts.insert(),
                [
                    {
                        "catalog_version": catalog_version,
                        "measure_id": measure_id,
                        "text": text,
                        "source_name": source_name,
                        "source_sha256": source_sha256,
                        "imported_at": now,
                    }
                    for measure_id, text in texts.items()
                ],
            )
    return len(texts)


def official_texts_for(ws: Workspace, catalog_version: str | None = None) -> dict[str, str]:
    """Measure id -> official text; of ``catalog_version``, or of the most recent import."""
    with ws.read() as conn:
        if catalog_version is None:
            row = conn.execute(
                select(official_texts.c.catalog_version)
                .order_by(official_texts.c.imported_at.desc())
                .limit(1)
            ).first()
            if row is None:
                return {}
            catalog_version = row.catalog_version
        rows = conn.execute(
            select(official_texts.c.measure_id, official_texts.c.text).where(
                official_texts.c.catalog_version == catalog_version
            )
        ).all()
    return {r.measure_id: r.text for r in rows}


def official_text(ws: Workspace, measure_id: str, catalog_version: str | None = None) -> str | None:
    """The official text of one measure, or None when it was not imported."""
    return official_texts_for(ws, catalog_version).get(measure_id)


def import_official_file(
    ws: Workspace, path: str | Path, *, catalog_version: str | None = None
) -> ImportResult:
    """Read the guidance from ``path`` and store the official text of every measure that
    matches the catalogue. Nothing is stored when the file is not the guidance
    (:class:`~weerbaar.errors.NotTheGuidance`). Returns the
    :class:`~weerbaar.catalog.importer.ImportResult`."""
    from weerbaar.catalog.importer import import_official_text

    result = import_official_text(path, catalog_version=catalog_version)
    store_official_texts(
        ws,
        result.matched,
        catalog_version=result.catalog_version or "onbekend",
        source_name=result.source_name,
        source_sha256=result.source_sha256,
    )
    return result
