"""PDF with pypdfium2 (Apache-2.0/BSD; chosen over pypdf for speed and layout fidelity,
see benchmarks/ingest.py; PyMuPDF is AGPL and therefore not used).

Per page: text layer -> lines -> paragraphs, headings and list items by layout heuristics.
Pages without a text layer that carry images are read with tesseract (Dutch) when it is
installed and enabled, rendered under a pixel cap; otherwise they are noted as "geen
tekstlaag"."""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from weerbaar.errors import IngestError
from weerbaar.ingest.normalize import clean_chars
from weerbaar.ingest.passages import Block
from weerbaar.ingest.readers import Progress, ReadResult
from weerbaar.ingest.readers.text import text_blocks
from weerbaar.ingest.status import REASONS, Status
from weerbaar.settings import Settings

_BULLET = re.compile(r"^(?:[•▪◦●○■□➢►\-–*]|\d{1,3}[.)]|[a-z][.)])\s+\S")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\S")
_END = (".", "!", "?", ":", ";")
OCR_DPI = 300
OCR_MIN_DPI = 100


def pdf_blocks(raw: str) -> list[Block]:
    """Paragraphs, headings and list items from the text of one PDF page."""
    # cheap split here; blocks are cleaned fully (NFC, controls, ...) when assembled
    lines = [ln.strip() for ln in clean_chars(raw).split("\n")]
    lengths = [len(ln) for ln in lines if ln]
    if not lengths:
        return []
    full = max(lengths)
    blocks: list[Block] = []
    cur: list[str] = []
    kind = "tekst"

    def flush() -> None:
        nonlocal cur, kind
        if cur:
            blocks.append(Block("\n".join(cur), kind, chars_clean=True))
        cur, kind = [], "tekst"

    def ends_paragraph(line: str) -> bool:
        return line.endswith(_END) and len(line) < 0.8 * full

    for i, line in enumerate(lines):
        if not line:
            flush()
            continue
        prev_done = not cur or ends_paragraph(cur[-1]) or len(cur[-1]) < 0.5 * full
        nxt = next((ln for ln in lines[i + 1 :] if ln), "")
        words = line.split()
        is_heading = (
            prev_done
            and 1 <= len(words) <= 12
            and len(line) <= 90
            and not line.endswith((*_END, ","))
            and (line[0].isupper() or line[0].isdigit())
            and any(c.isalpha() for c in line)
            and nxt != ""
            and (len(line) < 0.6 * full or full < 40)
        )
        m = _NUMBERED.match(line)
        is_heading = is_heading and (m is not None or not _BULLET.match(line))
        if is_heading:
            flush()
            level = m.group(1).count(".") + 1 if m else 9
            blocks.append(Block(line, "kop", level, chars_clean=True))
            continue
        if _BULLET.match(line):
            flush()
            cur, kind = [line], "lijst"
            continue
        if cur and ends_paragraph(cur[-1]):
            flush()
        cur.append(line)
    flush()
    return blocks


def _has_images(page: pdfium.PdfPage) -> bool:
    try:
        return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))
    except Exception:
        return False


def _ocr_page(page: pdfium.PdfPage, settings: Settings, tesseract: str) -> str | None:
    """OCR text of one page, or None when the page is too large to render under the cap."""
    w, h = page.get_size()  # points
    scale = OCR_DPI / 72
    pixels = w * scale * h * scale
    if pixels > settings.ocr_max_pixels:
        scale = math.sqrt(settings.ocr_max_pixels / max(1.0, w * h))
        if scale * 72 < OCR_MIN_DPI:
            return None
    bitmap = page.render(scale=scale, grayscale=True)
    image = bitmap.to_pil()
    with tempfile.TemporaryDirectory(prefix="weerbaar-ocr-") as tmp:
        png = Path(tmp) / "pagina.png"
        image.save(png)
        del image, bitmap
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        proc = subprocess.run(
            [tesseract, str(png), "stdout", "-l", "nld", "--psm", "3"],
            capture_output=True,
            env=env,
            timeout=max(10, settings.parse_timeout_s),
            check=False,
        )
    if proc.returncode != 0:
        return ""
    return proc.stdout.decode("utf-8", errors="replace")


@functools.cache
def tesseract_path() -> str | None:
    """The tesseract binary when it is installed with Dutch, else None."""
    exe = shutil.which("tesseract")
    if not exe:
        return None
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, timeout=20, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if "nld" in out.split() else None


def read_pdf(path: Path, settings: Settings, progress: Progress) -> ReadResult:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise IngestError(Status.encrypted, REASONS[Status.encrypted]) from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise IngestError(
                Status.encrypted, f"{REASONS[Status.encrypted]} (onbekende beveiliging)"
            ) from exc
        raise IngestError(
            Status.corrupt, f"{REASONS[Status.corrupt]} (PDF kan niet worden geopend)"
        ) from exc
    result = ReadResult()
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            result.notes["encrypted_owner_only"] = True
        try:
            title = (pdf.get_metadata_dict().get("Title") or "").strip()
            result.title = clean_chars(title)[:300] or None
        except Exception:
            result.title = None
        total = len(pdf)
        result.pages_total = total
        if total == 0:
            raise IngestError(Status.empty, f"{REASONS[Status.empty]} (PDF zonder pagina's)")
        limit = min(total, settings.max_pages)
        result.truncated = total > limit
        ocr_done = 0
        no_text: list[int] = []
        ocr_pages: list[int] = []
        too_big: list[int] = []
        chars = 0
        for i in range(limit):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                raw = textpage.get_text_range()
                textpage.close()
                method = "text"
                if not raw.strip():
                    method = "none"
                    if _has_images(page):
                        tesseract = tesseract_path() if settings.ocr else None
                        if tesseract and ocr_done < settings.ocr_max_pages:
                            ocr = _ocr_page(page, settings, tesseract)
                            if ocr is None:
                                too_big.append(i + 1)
                                no_text.append(i + 1)
                            else:
                                ocr_done += 1
                                raw = ocr
                                method = "ocr"
                                ocr_pages.append(i + 1)
                        else:
                            no_text.append(i + 1)
            finally:
                page.close()
            blocks = text_blocks(raw, markdown=False) if method == "ocr" else pdf_blocks(raw)
            chars += sum(len(b.text) for b in blocks)
            result.pages.append(blocks)
            result.methods.append(method)
            progress(1)
            if chars > settings.max_chars:
                result.truncated = True
                break
    finally:
        pdf.close()
    if no_text:
        result.notes["pages_without_text_layer"] = no_text
        available = settings.ocr and tesseract_path()
        result.notes["ocr"] = "grens bereikt" if available else "niet beschikbaar"
    if ocr_pages:
        result.notes["ocr_pages"] = ocr_pages
    if too_big:
        result.notes["pages_too_large_for_ocr"] = too_big
    return result
