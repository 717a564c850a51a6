"""Whole tasks of the self-assessment, called by the CLI and the web app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from weerbaar.assess.model import Score
from weerbaar.catalog import Catalog, load_catalog
from weerbaar.errors import WeerbaarError
from weerbaar.selfassess import files
from weerbaar.selfassess.core import (
    ForeignEvidence,
    Plan,
    PublicEvidence,
    action_plan,
    compare_claims,
    evidence_items,
    foreign_documents,
    left_out,
    load_entries,
    public_evidence,
    save_entry,
    validate_values,
)
from weerbaar.selfassess.model import DEFAULT_CARD_TEXT
from weerbaar.store import Workspace
from weerbaar.store import selfassess as q


@dataclass
class ImportSummary:
    changed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def import_entries(
    ws: Workspace, organisation: str, path: Path, *, by: str, catalog: Catalog | None = None
) -> ImportSummary:
    """Read an edited export (XLSX/CSV) and store every valid row; rows with an error are
    reported by line and skipped, the rest is stored. A row with the same answers as the
    stored entry is left alone (counted unchanged, no history row, origin kept).
    A file that names documents of another organisation as evidence is refused as a
    whole (:class:`ForeignEvidence`): nothing is stored."""
    catalog = catalog or load_catalog()
    summary = ImportSummary()
    records = files.read_entries_file(path)
    named: list[int] = []
    for rec in records:
        try:
            items = evidence_items(rec["values"].get("evidence"))
        except ValueError:
            continue  # reported per line below
        named += [e["document_id"] for e in items if "document_id" in e]
    foreign = foreign_documents(ws, organisation, named)
    if foreign:
        raise ForeignEvidence(foreign)
    with ws.read() as conn:
        stored = q.get_entries(conn, organisation, catalog.version)
    for rec in records:
        values = dict(rec["values"]) | {"origin": "import"}
        try:
            clean = validate_values(values, catalog, rec["measure_id"])
            old = stored.get(rec["measure_id"])
            if old is not None and all(old.get(k) == v for k, v in clean.items() if k != "origin"):
                summary.unchanged += 1  # same answers: the origin stays as it was
                continue
            if save_entry(ws, organisation, rec["measure_id"], values, by=by, catalog=catalog):
                summary.changed += 1
            else:
                summary.unchanged += 1
        except (ValueError, WeerbaarError) as exc:
            summary.errors.append(f"regel {rec['line']} ({rec['measure_id']}): {exc}")
    return summary


def evidence_or_empty(ws: Workspace, organisation: str) -> dict[str, PublicEvidence]:
    """Public evidence from the assessment; empty when no document was assessed yet."""
    try:
        return public_evidence(ws, organisation)
    except WeerbaarError:
        return {}


def examples_hoog(ws: Workspace, exclude: str | None = None) -> dict[str, list[str]]:
    """Per measure, the organisations whose public documents evidence it at Hoog."""
    from weerbaar.assess import assess

    try:
        result = assess(ws)
    except WeerbaarError:
        return {}
    out: dict[str, list[str]] = {}
    for org in result.organisations:
        if org.organisation == exclude:
            continue
        for s in org.scores:
            if str(s.score) == Score.HOOG:
                out.setdefault(s.measure, []).append(org.name)
    return out


def plan_for(
    ws: Workspace, organisation: str, *, catalog: Catalog | None = None, today: date | None = None
) -> Plan:
    catalog = catalog or load_catalog()
    entries = load_entries(ws, organisation, catalog)
    evidence = evidence_or_empty(ws, organisation)
    actions = action_plan(
        entries, catalog=catalog, examples=examples_hoog(ws, exclude=organisation), today=today
    )
    return Plan(
        actions=actions,
        left_out=left_out(entries, catalog),
        findings=compare_claims(entries, evidence, catalog),
        proposals=sum(1 for e in entries if e.proposal and e.status.known),
    )


def write_action_plan(
    ws: Workspace,
    organisation: str,
    organisation_name: str,
    out_dir: Path,
    *,
    formats: tuple[str, ...] = ("xlsx", "pdf"),
) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = plan_for(ws, organisation)
    base = out_dir / f"actieplan-{organisation}"
    written: list[Path] = []
    if "xlsx" in formats:
        written.append(
            files.export_action_plan_xlsx(
                plan, base.with_suffix(".xlsx"), organisation_name=organisation_name
            )
        )
    if "pdf" in formats or "html" in formats:
        html = files.render_action_plan_html(
            plan,
            organisation_name=organisation_name,
            generated=datetime.now(UTC).date().isoformat(),
        )
        if "html" in formats:
            p = base.with_suffix(".html")
            p.write_text(html, encoding="utf-8")
            written.append(p)
        if "pdf" in formats:
            written.append(files.html_to_pdf(html, base.with_suffix(".pdf")))
    return written


def card_text(ws: Workspace, organisation: str) -> str:
    with ws.read() as conn:
        return q.get_settings(conn, organisation).get("card_text") or DEFAULT_CARD_TEXT


def write_cards(
    ws: Workspace, organisation: str, organisation_name: str, out_dir: Path, *, size: str = "A6"
) -> Path:
    """Meterkastkaarten (one per wijk) as a PDF of the chosen size."""
    with ws.read() as conn:
        points = q.list_points(conn, organisation)
    if not points:
        raise WeerbaarError(
            f"Geen noodsteunpunten vastgelegd voor {organisation_name}: voeg ze eerst toe."
        )
    html = files.render_cards_html(
        points,
        organisation_name=organisation_name,
        card_text=card_text(ws, organisation),
        size=size,
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return files.html_to_pdf(html, out_dir / f"meterkastkaarten-{organisation}-{size}.pdf")


# --------------------------------------------------------------------------- settings, points
def is_published(ws: Workspace, organisation: str) -> bool:
    """Whether the organisation has published its self-assessment."""
    with ws.read() as conn:
        return bool(q.get_settings(conn, organisation).get("published"))


def set_published(ws: Workspace, organisation: str, published: bool) -> None:
    with ws.write() as conn:
        q.set_settings(conn, organisation, published=bool(published))


def set_card_text(ws: Workspace, organisation: str, text: str | None) -> None:
    """The organisation's own handelingsperspectief; empty restores the default text."""
    clean = (text or "").strip()
    if len(clean) > 1500:
        raise WeerbaarError("De tekst voor de kaart is te lang (meer dan 1500 tekens).")
    with ws.write() as conn:
        q.set_settings(conn, organisation, card_text=clean or None)


def add_point(
    ws: Workspace,
    organisation: str,
    *,
    name: str,
    address: str,
    wijk: str,
    functions: list[str],
) -> int:
    """Record a noodsteunpunt; every field is required, functions from POINT_FUNCTIONS."""
    from weerbaar.selfassess.model import POINT_FUNCTIONS

    name, address, wijk = (" ".join((v or "").split()) for v in (name, address, wijk))
    missing = [label for label, v in (("naam", name), ("adres", address), ("wijk", wijk)) if not v]
    if missing:
        raise WeerbaarError(f"Vul in: {', '.join(missing)}.")
    if max(len(name), len(address), len(wijk)) > 200:
        raise WeerbaarError("Naam, adres en wijk zijn elk hoogstens 200 tekens.")
    funcs = list(dict.fromkeys(f.strip().lower() for f in functions if f.strip()))
    unknown = [f for f in funcs if f not in POINT_FUNCTIONS]
    if unknown:
        raise WeerbaarError(
            f"Onbekende functie(s) {unknown}; kies uit: {', '.join(POINT_FUNCTIONS)}"
        )
    with ws.write() as conn:
        return q.add_point(
            conn, organisation, name=name, address=address, wijk=wijk, functions=funcs
        )


def delete_point(ws: Workspace, organisation: str, point_id: int) -> bool:
    """Delete one of the organisation's own noodsteunpunten (False when not its own)."""
    with ws.write() as conn:
        return q.delete_point(conn, organisation, point_id)


def list_points(ws: Workspace, organisation: str) -> list[dict]:
    with ws.read() as conn:
        return q.list_points(conn, organisation)


def history(ws: Workspace, organisation: str, measure_id: str | None = None) -> list[dict]:
    """History rows with the fields that changed: {"by", "at", "measure_id", "changes":
    [(field, before, after)]}, oldest first."""
    with ws.read() as conn:
        rows = q.get_history(conn, organisation, measure_id)
    out = []
    for r in rows:
        before = r["before"] or {}
        after = r["after"] or {}
        changes = [
            (k, before.get(k), after.get(k))
            for k in q.ENTRY_FIELDS
            if before.get(k) != after.get(k) and not (k == "origin" and not before)
        ]
        out.append(
            {"measure_id": r["measure_id"], "by": r["by"], "at": r["at"], "changes": changes}
        )
    return out
