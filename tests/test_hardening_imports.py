"""Imports are bounded before any work (issue 17, point 5): a small XLSX that declares
hundreds of thousands of rows, or whose parts unpack far beyond a self-assessment, is
refused quickly with a Dutch message, and the web app parses imports off its event loop."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from selfassess_web_sample import build_selfassess
from web_sample import PASSWORD
from weerbaar.selfassess.files import (
    MAX_IMPORT_ROWS,
    SelfAssessmentFileError,
    read_entries_file,
)
from weerbaar.store import open_workspace
from weerbaar.web.app import create_app

A = "GM9901"


def xlsx_with_rows(n_rows: int, *, filler: int = 0, numbered: bool = False) -> bytes:
    """A minimal workbook: a header row and ``n_rows`` rows of one cell each (and
    optionally ``filler`` bytes of spaces inside the sheet, which compress to nothing)."""
    rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Maatregel</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Status</t></is></c></row>'
    ]
    if numbered:
        rows += [f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(2, n_rows + 2)]
    else:  # no row numbers: compresses to almost nothing
        rows += ["<row><c><v>1</v></c></row>"] * n_rows
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + "".join(rows) + "</sheetData>" + " " * filler + "</worksheet>"
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Zelfscan" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_row_flood_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "vloed.xlsx"
    path.write_bytes(xlsx_with_rows(640_000))
    assert path.stat().st_size < 200_000
    with pytest.raises(SelfAssessmentFileError, match="pakt uit tot"):
        read_entries_file(path)


def test_rows_beyond_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "lang.xlsx"
    path.write_bytes(xlsx_with_rows(MAX_IMPORT_ROWS + 500, numbered=True))
    with pytest.raises(SelfAssessmentFileError, match=f"meer dan {MAX_IMPORT_ROWS} regels"):
        read_entries_file(path)
    ok = tmp_path / "grens.xlsx"  # at the limit it is read
    ok.write_bytes(xlsx_with_rows(MAX_IMPORT_ROWS - 1, numbered=True))
    assert len(read_entries_file(ok)) == MAX_IMPORT_ROWS - 1


def test_unpacked_size_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(xlsx_with_rows(5, filler=64 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(SelfAssessmentFileError, match="pakt uit tot"):
        read_entries_file(path)


def test_web_import_of_a_row_flood_is_a_dutch_400(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "werkruimte")
    build_selfassess(ws)
    client = TestClient(create_app(ws, rerank=False), follow_redirects=False)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    client.post(
        "/inloggen", data={"login_token": token, "gebruiker": "anna", "wachtwoord": PASSWORD}
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/zelfscan").text).group(1)
    data = xlsx_with_rows(640_000)
    assert len(data) < 200_000  # under the web app's upload limit for a self-assessment
    r = client.post(
        "/zelfscan/importeren",
        data={"csrf_token": csrf, "organisatie": A},
        files={"bestand": ("z.xlsx", data, "application/octet-stream")},
    )
    assert r.status_code == 400
    assert "pakt uit tot" in r.text
    ws.close()
