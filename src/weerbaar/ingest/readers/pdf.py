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
import warnings
from collections import Counter
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


_PAGE_NUMBER = re.compile(
    r"^[-–—(\[]?\s*(?:pagina|blz\.?|page|p\.)?\s*\d{1,4}(?:\s*(?:van|/|of)\s*\d{1,4})?\s*[-–—)\]]?$",
    re.I,
)
_LEAD_NUMBER = re.compile(r"^(?:pagina\s*)?\d{1,4}\s*[|·•–—-]\s*")
_TRAIL_NUMBER = re.compile(r"\s*[|·•–—-]?\s*(?:pagina\s*)?\d{1,4}(?:\s*(?:van|/)\s*\d{1,4})?$")


def _edge_key(line: str) -> str:
    """A header/footer line without its page number, for comparing across pages."""
    key = " ".join(line.lower().split())
    return _TRAIL_NUMBER.sub("", _LEAD_NUMBER.sub("", key))


def running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines at the top or bottom of at least half the pages (at least 3): running
    headers and footers."""
    counts: Counter[str] = Counter()
    n = 0
    for lines in pages:
        filled = [ln for ln in lines if ln]
        if not filled:
            continue
        n += 1
        counts.update({_edge_key(ln) for ln in filled[:2] + filled[-2:]})
    if n < 3:
        return set()
    return {k for k, c in counts.items() if k and c >= max(3, n / 2) and len(k) <= 150}


def strip_edges(lines: list[str], running: set[str], numbered: bool) -> tuple[list[str], int]:
    """Remove running headers/footers and bare page numbers at the top and bottom."""
    dropped = 0

    def is_edge(line: str) -> bool:
        return _edge_key(line) in running or (numbered and bool(_PAGE_NUMBER.match(line)))

    for _ in range(3):  # from the top
        i = next((k for k, ln in enumerate(lines) if ln), None)
        if i is None or not is_edge(lines[i]):
            break
        lines = lines[i + 1 :]
        dropped += 1
    for _ in range(3):  # from the bottom
        i = next((k for k in range(len(lines) - 1, -1, -1) if lines[k]), None)
        if i is None or not is_edge(lines[i]):
            break
        lines = lines[:i]
        dropped += 1
    return lines, dropped


def page_lines(raw: str) -> list[str]:
    return [ln.strip() for ln in clean_chars(raw).split("\n")]


def _numeric(line: str) -> bool:
    """Mostly figures, amounts and signs ("€ 7.119 3%", "(x €1.000)", "2025 2026")."""
    chars = [c for c in line if not c.isspace()]
    if not chars:
        return False
    letters = sum(c.isalpha() for c in chars)
    digits = sum(c.isdigit() for c in chars)
    return digits > 0 and letters <= 0.3 * len(chars)


def pdf_blocks(raw: str | list[str]) -> list[Block]:
    """Paragraphs, headings and list items from the text (or cleaned lines) of one page."""
    lines = page_lines(raw) if isinstance(raw, str) else raw
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
        m = _NUMBERED.match(line)
        numbered_title = (
            m is not None and len(words) >= 2 and words[1][:1].isupper() and len(words[0]) <= 6
        )
        # "1.1 Crisisbeheersing" after a full last line that ends a sentence
        prev_done = prev_done or (numbered_title and cur[-1].endswith(_END))
        is_heading = (
            prev_done
            and 1 <= len(words) <= 12
            and len(line) <= 90
            and not line.endswith((*_END, ","))
            and (line[0].isupper() or line[0].isdigit())
            and not _numeric(line)
            # a label above figures is a table cell ("Uitgaven" over "€ 7.119"), not a heading
            and not (nxt and _numeric(nxt))
            # the last line of a page is a heading only when numbered ("1.1 Crisisbeheersing")
            and (nxt != "" or numbered_title)
            and (len(line) < 0.6 * full or full < 40)
        )
        is_heading = is_heading and (m is not None or not _BULLET.match(line))
        if is_heading:
            flush()
            level = m.group(1).count(".") + 1 if m else 9
            blocks.append(Block(line, "kop", level, chars_clean=True))
            continue
        if _numeric(line) and len(words) <= 8 and prev_done:
            # a row of figures stands alone: it must not run into the next paragraph (a
            # line of figures that continues a full line of text stays in its paragraph)
            flush()
            cur = [line]
            flush()
            continue
        if _BULLET.match(line):
            flush()
            cur, kind = [line], "lijst"
            continue
        if cur and (
            ends_paragraph(cur[-1])
            # a label above figures after a finished sentence: the start of a table
            or (cur[-1].endswith(_END) and len(words) <= 4 and nxt and _numeric(nxt))
        ):
            flush()
        cur.append(line)
    flush()
    return blocks


def _has_images(page: pdfium.PdfPage) -> bool:
    try:
        return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))
    except Exception:
        return False


def _die_with_parent() -> None:
    """In the tesseract child: get SIGKILL when the worker is killed (time limit)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


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
            preexec_fn=_die_with_parent,  # the worker is single-threaded
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


def _page_count_pypdf(path: Path) -> int | None:
    """The page count by pypdf (a second opinion when pdfium cannot open a file), None
    when pypdf cannot read it either."""
    import logging

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        import pypdf

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(pypdf.PdfReader(str(path), strict=False).pages)
    except Exception:  # any parser failure means: no second opinion
        return None
    finally:
        log.setLevel(level)


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
        if _page_count_pypdf(path) == 0:  # pdfium refuses a PDF without pages
            raise IngestError(
                Status.empty, f"{REASONS[Status.empty]} (PDF zonder pagina's)"
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
        texts: list[tuple[str, str]] = []  # (raw text, method) per page
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
            texts.append((raw, method))
            chars += len(raw)
            progress(1)
            if chars > settings.max_chars:
                result.truncated = True
                break
    finally:
        pdf.close()
    lines = [page_lines(raw) if method == "text" else [] for raw, method in texts]
    running = running_lines(lines)
    dropped = 0
    for (raw, method), page in zip(texts, lines, strict=True):
        if method == "ocr":
            blocks = text_blocks(raw, markdown=False)
        else:
            page, n = strip_edges(page, running, numbered=len(texts) > 1)
            dropped += n
            blocks = pdf_blocks(page)
        result.pages.append(blocks)
        result.methods.append(method)
    if dropped:
        result.notes["header_footer_lines_dropped"] = dropped
    if no_text:
        result.notes["pages_without_text_layer"] = no_text
        available = settings.ocr and tesseract_path()
        result.notes["ocr"] = "grens bereikt" if available else "niet beschikbaar"
    if ocr_pages:
        result.notes["ocr_pages"] = ocr_pages
    if too_big:
        result.notes["pages_too_large_for_ocr"] = too_big
    return result
