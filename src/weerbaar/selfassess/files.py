"""Files of the self-assessment: XLSX/CSV export and import of the entries, the action
plan as XLSX and PDF, the meterkastkaarten as PDF (A6 or A5), the role matrix as XLSX/CSV.

Text typed by users is written to spreadsheets as text, never as a formula."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from weerbaar.catalog import Catalog, load_catalog
from weerbaar.errors import WeerbaarError
from weerbaar.selfassess.core import Entry, Plan
from weerbaar.selfassess.model import ORIGIN_LABELS, POINT_FUNCTIONS

ENTRY_COLUMNS = (
    ("maatregel", "Maatregel"),
    ("titel", "Titel"),
    ("status", "Status"),
    ("herkomst", "Herkomst"),
    ("eigenaar", "Eigenaar (rol)"),
    ("partners", "Partners"),
    ("fasen", "Fasen"),
    ("deadline", "Deadline"),
    ("bewijs", "Bewijs"),
    ("notities", "Notities"),
)
# The Dutch name of each field of an entry: its column in a file, its label in the history.
FIELD_NAMES = {
    "status": "status",
    "owner": "eigenaar",
    "partners": "partners",
    "phases": "fasen",
    "deadline": "deadline",
    "evidence": "bewijs",
    "notes": "notities",
    "origin": "herkomst",
}
# Columns read back on import (column -> field of the entry); the others are for people.
IMPORTED_COLUMNS = {
    FIELD_NAMES[f]: f for f in ("owner", "partners", "phases", "deadline", "evidence", "notes")
}

_env = Environment(
    loader=PackageLoader("weerbaar.selfassess", "templates"),
    autoescape=select_autoescape(["html", "xml", "j2"], default_for_string=True, default=True),
)


class SelfAssessmentFileError(WeerbaarError):
    """A self-assessment file that cannot be read."""


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula is prefixed with an apostrophe
    (shown as text by Excel and LibreOffice)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _unsafe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value


def _evidence_text(items: Iterable[dict]) -> str:
    parts = []
    for e in items:
        parts.append(f"document:{e['document_id']}" if "document_id" in e else e.get("url", ""))
    return "; ".join(parts)


def entry_rows(entries: Sequence[Entry], catalog: Catalog) -> list[dict[str, str]]:
    rows = []
    for e in entries:
        rows.append(
            {
                "maatregel": e.measure_id,
                "titel": catalog.measure(e.measure_id).title,
                "status": e.status.value,
                "herkomst": ORIGIN_LABELS.get(e.origin, e.origin),
                "eigenaar": e.owner or "",
                "partners": "; ".join(e.partners),
                "fasen": "; ".join(e.phases),
                "deadline": e.deadline or "",
                "bewijs": _evidence_text(e.evidence),
                "notities": e.notes or "",
            }
        )
    return rows


def _autosize(ws: Any, widths: dict[int, int] | None = None) -> None:
    for col in range(1, ws.max_column + 1):
        letter = get_column_letter(col)
        longest = max((len(str(c.value or "")) for c in ws[letter]), default=8)
        ws.column_dimensions[letter].width = min(60, max(10, (widths or {}).get(col, longest + 2)))


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    _autosize(ws)
    return ws


def export_entries(
    entries: Sequence[Entry], path: Path, *, organisation_name: str, catalog: Catalog | None = None
) -> Path:
    """Write the self-assessment as .xlsx or .csv (chosen by the file extension)."""
    catalog = catalog or load_catalog()
    rows = entry_rows(entries, catalog)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow([label for _, label in ENTRY_COLUMNS])
            for r in rows:
                w.writerow([safe_cell(r[k]) for k, _ in ENTRY_COLUMNS])
        return path
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "Zelfscan",
        [label for _, label in ENTRY_COLUMNS],
        ([r[k] for k, _ in ENTRY_COLUMNS] for r in rows),
    )
    info = wb.create_sheet("Toelichting")
    info.append(["Organisatie", organisation_name])
    info.append(["Catalogus", catalog.version])
    info.append(
        [
            "Statussen",
            "onbekend (nog niet ingevuld); niet gestart; verkend; in voorbereiding; ingericht; "
            "geoefend en geëvalueerd",
        ]
    )
    info.append(
        [
            "Herkomst",
            "'voorstel uit de scan (nog niet bevestigd)' is een voorstel van weerbaar op grond "
            "van de openbare documenten; het is pas een opgave van de organisatie als iemand "
            "het bevestigt (in de webapp opslaan, of de regel wijzigen en inlezen).",
        ]
    )
    info.append(["Bewijs", "document:NUMMER of een http(s)-adres, gescheiden door ;"])
    info.append(
        [
            "Let op",
            "Een zelfscan is in weerbaar alleen zichtbaar voor de eigen organisatie, maar "
            "kan als document van de gemeente onder de Woo worden opgevraagd.",
        ]
    )
    wb.save(path)
    return path


# Limits of an imported self-assessment file, checked before any parsing work
MAX_IMPORT_ROWS = 1_000
MAX_IMPORT_COLS = 30
MAX_CELL_CHARS = 4_000
MAX_XLSX_UNPACKED = 20 * 1024 * 1024
MAX_XLSX_ENTRIES = 200
MAX_XLSX_RATIO = 100


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than the limits (a zip bomb, or
    hundreds of thousands of empty rows), from the zip directory alone."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(max(1, i.compress_size) for i in infos)
    if (
        len(infos) > MAX_XLSX_ENTRIES
        or total > MAX_XLSX_UNPACKED
        or total > MAX_XLSX_RATIO * packed
    ):
        raise SelfAssessmentFileError(
            f"{path}: het bestand pakt uit tot {total // 1_000_000} MB in {len(infos)} delen; "
            f"dat is meer dan een zelfscan nodig heeft (grens {MAX_XLSX_UNPACKED // 1_000_000} MB)."
        )


def read_entries_file(path: Path) -> list[dict[str, Any]]:
    """Rows of an exported (and edited) self-assessment file, as value dicts per measure."""
    path = Path(path)
    if not path.is_file():
        raise SelfAssessmentFileError(f"{path}: bestand bestaat niet.")
    labels = {label.lower(): key for key, label in ENTRY_COLUMNS} | {k: k for k, _ in ENTRY_COLUMNS}
    try:
        if path.suffix.lower() == ".csv":
            text = path.read_bytes().decode("utf-8-sig", errors="replace")
            sample = text[:2000]
            delim = ";" if sample.count(";") >= sample.count(",") else ","
            raw = list(csv.reader(io.StringIO(text), delimiter=delim))
        elif path.suffix.lower() == ".xlsx":
            _check_xlsx_size(path)  # before openpyxl unpacks anything
            wb = load_workbook(path, read_only=True, data_only=True)
            sheet = wb["Zelfscan"] if "Zelfscan" in wb.sheetnames else wb.worksheets[0]
            raw = [
                ["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(
                    max_row=MAX_IMPORT_ROWS + 1, max_col=MAX_IMPORT_COLS, values_only=True
                )
            ]
        else:
            raise SelfAssessmentFileError(f"{path}: gebruik een .xlsx- of .csv-bestand.")
    except SelfAssessmentFileError:
        raise
    except Exception as exc:  # openpyxl/zip raise many kinds
        raise SelfAssessmentFileError(
            f"{path}: bestand kan niet worden gelezen (geen geldig Excel- of CSV-bestand)."
        ) from exc
    if not raw:
        raise SelfAssessmentFileError(f"{path}: bestand is leeg.")
    if len(raw) > MAX_IMPORT_ROWS:
        raise SelfAssessmentFileError(
            f"{path}: meer dan {MAX_IMPORT_ROWS} regels; een zelfscan heeft er één per maatregel."
        )
    raw = [[cell[:MAX_CELL_CHARS] for cell in row[:MAX_IMPORT_COLS]] for row in raw]
    header = [labels.get(h.strip().lower()) for h in raw[0]]
    if "maatregel" not in header or "status" not in header:
        raise SelfAssessmentFileError(
            f"{path}: kolommen 'Maatregel' en 'Status' ontbreken; gebruik een export van weerbaar."
        )
    out = []
    for line_no, row in enumerate(raw[1:], start=2):
        rec = {h: _unsafe_cell(v).strip() for h, v in zip(header, row, strict=False) if h}
        if not rec.get("maatregel"):
            continue
        values: dict[str, Any] = {"status": rec.get("status", "")}
        values |= {field: rec[col] for col, field in IMPORTED_COLUMNS.items() if col in rec}
        out.append({"line": line_no, "measure_id": rec["maatregel"], "values": values})
    return out


# --------------------------------------------------------------------------- action plan
def export_action_plan_xlsx(plan: Plan, path: Path, *, organisation_name: str) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "Actieplan",
        [
            "Positie",
            "Maatregel",
            "Titel",
            "Status",
            "Status bevestigd",
            "Meest cruciaal",
            "Deadline",
            "Waarom hier",
            "Voorbeelden (Hoog)",
        ],
        (
            [
                a.position,
                a.measure_id,
                a.title,
                a.status.label,
                "nee, voorstel uit de scan" if a.proposal else "ja",
                "ja" if a.crucial else "nee",
                a.deadline or "",
                "; ".join(a.reasons),
                "; ".join(a.examples),
            ]
            for a in plan.actions
        ),
    )
    _sheet(
        wb,
        "Niet in het plan",
        ["Maatregel", "Titel", "Meest cruciaal", "Waarom niet in het plan"],
        ([x.measure_id, x.title, "ja" if x.crucial else "nee", x.reason] for x in plan.left_out),
    )
    _sheet(
        wb,
        "Claims en bewijs",
        ["Maatregel", "Soort", "Bevinding"],
        ([f.measure_id, f.label, f.message] for f in plan.findings),
    )
    wb.properties.title = f"Actieplan weerbaarheid {organisation_name}"
    wb.save(path)
    return path


def render_action_plan_html(plan: Plan, *, organisation_name: str, generated: str) -> str:
    return _env.get_template("actieplan.html.j2").render(
        plan=plan, organisation=organisation_name, generated=generated
    )


def html_to_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    HTML(string=html, base_url=None).write_pdf(path)
    return path


# --------------------------------------------------------------------------- meterkastkaart
def render_cards_html(
    points: Sequence[dict], *, organisation_name: str, card_text: str, size: str = "A6"
) -> str:
    """One card per wijk, listing the wijk's noodsteunpunten and their functions."""
    if size not in ("A6", "A5"):
        raise ValueError("kaartformaat moet A6 of A5 zijn")
    by_wijk: dict[str, list[dict]] = defaultdict(list)
    for p in points:
        by_wijk[p["wijk"]].append(p)
    cards = [
        {
            "wijk": wijk,
            "points": [
                {
                    "name": p["name"],
                    "address": p["address"],
                    "functions": [POINT_FUNCTIONS.get(f, f) for f in p.get("functions") or []],
                }
                for p in pts
            ],
        }
        for wijk, pts in sorted(by_wijk.items())
    ]
    return _env.get_template("meterkastkaart.html.j2").render(
        cards=cards, organisation=organisation_name, text=card_text, size=size
    )


# --------------------------------------------------------------------------- role matrix
ROLE_HEADER = [
    "Gemeente",
    "Code",
    "Maatregel",
    "Titel",
    "Verantwoordelijk",
    "Ondersteunt",
    "Afgesproken",
    "Datum",
    "Notities",
]


def role_rows(rows: Sequence[dict], names: dict[str, str], catalog: Catalog) -> list[list[Any]]:
    out = []
    for r in rows:
        out.append(
            [
                names.get(r["organisation_code"], r["organisation_code"]),
                r["organisation_code"],
                r["measure_id"],
                catalog.measure(r["measure_id"]).title,
                r.get("responsible") or "",
                r.get("supporting") or "",
                "ja" if r.get("agreed") else "nee",
                r.get("agreed_on") or "",
                r.get("notes") or "",
            ]
        )
    return out


def export_roles(rows: list[list[Any]], path: Path, *, region_name: str) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerow(ROLE_HEADER)
            for r in rows:
                w.writerow([safe_cell(v) for v in r])
        return path
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "Rolverdeling", ROLE_HEADER, rows)
    wb.properties.title = f"Rolverdeling gemeenten en {region_name}"
    wb.save(path)
    return path
