"""Read files into a fresh workspace and write what was stored, one row per line, so that
two versions of the ingest can be compared with ``diff`` (a speed change must store the
same documents, metadata, pages and passages).

Usage: python scripts/dump_ingest.py MAP-OF-BESTANDEN... --uit dump.txt [--ocr]
[--max-paginas N]

Each line is the table name and the row as JSON with sorted keys; columns that hold a
moment (created_at, updated_at, first_seen_at), the path given and the OCR seconds are
left out, so two runs of the same code give the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from weerbaar.ingest import ingest
from weerbaar.settings import load_settings
from weerbaar.store import open_workspace
from weerbaar.store.schema import document_names, documents, pages, passages

SKIP = {"created_at", "updated_at", "first_seen_at", "path"}


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in SKIP}
    notes = out.get("notes")
    if isinstance(notes, dict) and "ocr_seconds" in notes:
        out["notes"] = {k: v for k, v in notes.items() if k != "ocr_seconds"}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--uit", type=Path, required=True)
    ap.add_argument("--ocr", action="store_true", help="OCR on (default: off)")
    ap.add_argument("--max-paginas", type=int, default=None)
    args = ap.parse_args()
    files: list[Path] = []
    for p in args.paths:
        files += sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    extra = {"max_pages": args.max_paginas} if args.max_paginas else {}
    settings = load_settings(ocr=args.ocr, **extra)
    with tempfile.TemporaryDirectory(prefix="weerbaar-dump-") as tmp:
        ws = open_workspace(Path(tmp) / "ws")
        ingest(ws, files, progress=False, settings=settings)
        with ws.read() as conn, args.uit.open("w", encoding="utf-8") as out:
            for table in (documents, document_names, pages, passages):
                key = list(table.primary_key.columns)
                for row in conn.execute(select(table).order_by(*key)).mappings():
                    line = json.dumps(_row(dict(row)), ensure_ascii=False, sort_keys=True)
                    out.write(f"{table.name} {line}\n")
        ws.close()
    sys.stderr.write(f"{len(files)} bestanden; geschreven naar {args.uit}\n")


if __name__ == "__main__":
    main()
