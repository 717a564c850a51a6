"""DOCX with python-docx: paragraphs in body order, headings from styles (Heading N /
Kop N / Title), list paragraphs, tables row by row ("cel | cel"), pages at Word's rendered
page breaks (or explicit page breaks when the file has none).

Before python-docx sees the file the zip is checked from its directory alone (entry count,
total unpacked size, compression ratio, symlink entries) and every XML part is refused
when it declares a DOCTYPE (entity expansion, external entities)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from weerbaar.errors import IngestError
from weerbaar.ingest.layout import is_caption
from weerbaar.ingest.passages import Block
from weerbaar.ingest.readers.result import Progress, ReadResult
from weerbaar.ingest.status import REASONS, Status
from weerbaar.settings import Settings

_LEVEL = re.compile(r"(\d+)")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(path: Path, settings: Settings) -> None:
    """Refuse zip bombs and hostile parts from the zip directory, before unpacking."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(
            Status.corrupt, f"{REASONS[Status.corrupt]} (geen geldig zip-archief)"
        ) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.max_zip_entries:
            raise IngestError(
                Status.too_large,
                f"Het DOCX-bestand heeft {len(infos)} onderdelen; de grens is {settings.max_zip_entries}.",
            )
        total = sum(i.file_size for i in infos)
        if total > settings.max_unpacked_bytes:
            raise IngestError(
                Status.too_large,
                f"Het DOCX-bestand is uitgepakt {total // 1_000_000} MB; de grens is "
                f"{settings.max_unpacked_bytes // 1_000_000} MB (mogelijk een zip-bom).",
            )
        for i in infos:
            if i.file_size > 1_000_000 and i.file_size > settings.max_zip_ratio * max(
                1, i.compress_size
            ):
                raise IngestError(
                    Status.too_large,
                    f"Onderdeel {i.filename!r} is {i.file_size // max(1, i.compress_size)} keer "
                    f"gecomprimeerd; de grens is {settings.max_zip_ratio} (mogelijk een zip-bom).",
                )
            if (i.external_attr >> 16) & 0o170000 == 0o120000:
                raise IngestError(
                    Status.corrupt,
                    f"{REASONS[Status.corrupt]} (onderdeel is een symbolische koppeling)",
                )
        if "word/document.xml" not in zf.namelist():
            raise IngestError(
                Status.corrupt, f"{REASONS[Status.corrupt]} (geen Word-document in het archief)"
            )
        for i in infos:
            if i.filename.lower().endswith((".xml", ".rels")):
                with zf.open(i) as fh:
                    head = fh.read(65536)
                if b"<!doctype" in head.lower() or b"<!entity" in head.lower():
                    raise IngestError(
                        Status.corrupt,
                        f"{REASONS[Status.corrupt]} (onderdeel {i.filename!r} bevat een DOCTYPE; geweigerd)",
                    )


def _heading_level(style_name: str) -> int | None:
    name = style_name.lower()
    if name in ("title", "titel"):
        return 1
    if name.startswith(("heading", "kop")):
        m = _LEVEL.search(name)
        return int(m.group(1)) if m else 1
    return None


def _body_elements(parent):  # type: ignore[no-untyped-def]
    """Paragraphs and tables in body order, also inside content controls (w:sdt, used
    for cover pages and tables of contents) and inserted/moved revisions."""
    for el in parent.iterchildren():
        if el.tag in (f"{_W}p", f"{_W}tbl"):
            yield el
        elif el.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo"):
            yield from _body_elements(el)


def read_docx(path: Path, settings: Settings, progress: Progress) -> ReadResult:
    check_zip(path, settings)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        raise IngestError(  # Dutch only; the library's text stays in the exception chain
            Status.corrupt, f"{REASONS[Status.corrupt]} (geen leesbaar Word-document)"
        ) from exc
    body = document.element.body
    rendered = bool(body.xpath(".//w:lastRenderedPageBreak"))
    pages: list[list[Block]] = [[]]
    table_no = 0
    chars = 0
    truncated = False
    for el in _body_elements(body):
        if chars > settings.max_chars:
            truncated = True
            break
        if el.tag == f"{_W}p":
            p = Paragraph(el, document)
            if rendered and el.xpath(".//w:lastRenderedPageBreak") and any(pages[-1]):
                pages.append([])
            text = p.text
            style = p.style.name if p.style is not None else ""
            level = _heading_level(style or "")
            if level is not None:
                pages[-1].append(Block(text, "kop", level))
            elif (
                "list" in (style or "").lower()
                or "lijst" in (style or "").lower()
                or el.xpath("./w:pPr/w:numPr")
            ):
                pages[-1].append(Block(text, "lijst"))
            else:
                pages[-1].append(Block(text))
            chars += len(text)
            if not rendered and el.xpath('.//w:br[@w:type="page"]'):
                pages.append([])
        elif el.tag == f"{_W}tbl":
            table_no += 1
            page = pages[-1]
            if page and page[-1].kind in ("tekst", "kop") and is_caption(page[-1].text.strip()):
                # "Tabel 3 Kosten noodstroom" just above: the table's caption
                page[-1] = Block(page[-1].text, "tabel", 1, group=table_no)
            first_row = True
            for row in Table(el, document).rows:
                cells: list[str] = []
                last = None
                for cell in row.cells:
                    if cell._tc is last:  # merged cells repeat
                        continue
                    last = cell._tc
                    t = " ".join(cell.text.split())
                    if t:
                        cells.append(t)
                if cells:
                    line = " | ".join(cells)
                    # the first row heads the columns
                    pages[-1].append(Block(line, "tabel", 2 if first_row else 0, group=table_no))
                    first_row = False
                    chars += len(line)
    if len(pages) > 1 and not pages[-1]:
        pages.pop()
    if len(pages) > settings.max_pages:
        pages = pages[: settings.max_pages]
        truncated = True
    progress(len(pages))
    title = (document.core_properties.title or "").strip() or None
    return ReadResult(
        pages=pages,
        methods=["text"] * len(pages),
        title=title,
        truncated=truncated,
        notes={"page_breaks": "rendered" if rendered else "explicit"},
    )
