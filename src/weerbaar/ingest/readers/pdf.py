"""PDF with pypdfium2 (Apache-2.0/BSD; chosen over pypdf for speed and layout fidelity,
see benchmarks/ingest.py; PyMuPDF is AGPL and therefore not used).

Per page: text layer -> lines -> paragraphs, headings and list items by layout heuristics.
Pages without a text layer that carry images are read with tesseract (Dutch) when it is
installed and enabled, rendered under a pixel cap; otherwise they are noted as "geen
tekstlaag"."""

from __future__ import annotations

import ctypes
import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from weerbaar.errors import IngestError
from weerbaar.ingest.layout import Line, blocks_from_lines, doc_style, outline_key
from weerbaar.ingest.normalize import clean_chars
from weerbaar.ingest.passages import Block
from weerbaar.ingest.readers.result import Progress, ReadResult
from weerbaar.ingest.status import REASONS, Status
from weerbaar.ingest.textlayer import judge
from weerbaar.settings import Settings

OCR_DPI = 300  # scanned pages
OCR_DPI_VECTOR = 200  # pages whose text layer is unusable: crisp rendering, less needed
OCR_PAGE_TIMEOUT_S = 120
OCR_MIN_DPI = 100


_PAGE_NUMBER = re.compile(
    r"^[-–—(\[]?\s*(?:pagina|blz\.?|page|p\.)?\s*\d{1,4}(?:\s*(?:van|/|of)\s*\d{1,4})?\s*[-–—)\]]?$",
    re.I,
)
_LEAD_NUMBER = re.compile(r"^(?:pagina\s*)?\d{1,4}\s*[|·•–—-]\s*")
_TRAIL_NUMBER = re.compile(r"\s*[|·•–—-]?\s*(?:pagina\s*)?\d{1,4}(?:\s*(?:van|/)\s*\d{1,4})?$")


@functools.lru_cache(maxsize=4096)  # the same edge lines are keyed for both steps
def _edge_key(line: str) -> str:
    """A header/footer line without its page number, for comparing across pages."""
    key = " ".join(line.lower().split())
    # (the patterns need a leading "p" or digit and a trailing digit: tested first, as
    # a search anchored at the end tries every position of the line)
    if key[:1] == "p" or key[:1].isdecimal():
        key = _LEAD_NUMBER.sub("", key)
    return _TRAIL_NUMBER.sub("", key) if key[-1:].isdecimal() else key


def _first_texts(lines: Iterable[Line], k: int = 2) -> list[str]:
    """The first ``k`` non-empty line texts."""
    out: list[str] = []
    for ln in lines:
        if ln.text:
            out.append(ln.text)
            if len(out) == k:
                break
    return out


def running_lines(pages: list[list[Line]]) -> set[str]:
    """Keys of lines at the top or bottom of at least half the pages (at least 3): running
    headers and footers."""
    counts: Counter[str] = Counter()
    n = 0
    for lines in pages:
        edges = _first_texts(lines) + _first_texts(reversed(lines))
        if not edges:
            continue
        n += 1
        counts.update({_edge_key(ln) for ln in edges})
    if n < 3:
        return set()
    return {k for k, c in counts.items() if k and c >= max(3, n / 2) and len(k) <= 150}


def strip_edges(lines: list[Line], running: set[str], numbered: bool) -> tuple[list[Line], int]:
    """Remove running headers/footers and bare page numbers at the top and bottom."""
    dropped = 0

    def is_edge(line: str) -> bool:
        return _edge_key(line) in running or (numbered and bool(_PAGE_NUMBER.match(line)))

    lo, hi = 0, len(lines)  # (indices: the page is copied once, at the end)
    for _ in range(3):  # from the top
        i = lo
        while i < hi and not lines[i].text:
            i += 1
        if i >= hi or not is_edge(lines[i].text):
            break
        lo = i + 1
        dropped += 1
    for _ in range(3):  # from the bottom
        i = hi - 1
        while i >= lo and not lines[i].text:
            i -= 1
        if i < lo or not is_edge(lines[i].text):
            break
        hi = i
        dropped += 1
    return (lines[lo:hi] if dropped else lines), dropped


def page_lines(raw: str) -> list[str]:
    return [ln.strip() for ln in clean_chars(raw).split("\n")]


def pdf_blocks(raw: str | list[str]) -> list[Block]:
    """Blocks of one page from its text (or cleaned lines), without font information."""
    lines = page_lines(raw) if isinstance(raw, str) else raw
    return blocks_from_lines([Line(t) for t in lines], None)


def _plain(fn: Any, restype: Any) -> Any:
    """The same pdfium function through a prototype without argument types (called with
    ``c_void_p`` handles and ints): fewer checks per call than the typed binding, for
    the calls made on every line. These calls take a microsecond, so they keep the
    interpreter lock (``PYFUNCTYPE``): releasing and taking it back on every call costs
    more, and in the parse worker, where a second thread finishes the previous file, it
    would make the line loop wait for that thread at every call."""
    address = ctypes.cast(fn, ctypes.c_void_p).value
    assert address is not None  # a symbol of the loaded library
    return ctypes.PYFUNCTYPE(restype)(address)


_GET_SIZE = _plain(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_GET_WEIGHT = _plain(pdfium_c.FPDFText_GetFontWeight, ctypes.c_int)
_GET_ORIGIN = _plain(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int)
_MAP_ERROR = _plain(pdfium_c.FPDFText_HasUnicodeMapError, ctypes.c_int)


def layout_lines(textpage: Any, raw: str) -> list[Line]:
    """The cleaned lines of a page with the font size, weight and position of their first
    character (pdfium separates lines with CR LF; character indices follow the text).
    ``textpage``: a ``PdfTextPage`` or its pdfium handle."""
    tp = ctypes.cast(getattr(textpage, "raw", textpage), ctypes.c_void_p)
    x = ctypes.c_double()
    y = ctypes.c_double()
    px, py = ctypes.c_void_p(ctypes.addressof(x)), ctypes.c_void_p(ctypes.addressof(y))
    get_origin, get_size, get_weight = _GET_ORIGIN, _GET_SIZE, _GET_WEIGHT
    out: list[Line] = []
    append = out.append
    pos = 0
    segs = raw.split("\r\n")
    body = "\n".join(segs)
    if "\r" in body or "\f" in body or body.count("\n") != len(segs) - 1:
        cleaned = [clean_chars(seg).replace("\n", " ") for seg in segs]
    else:  # one pass over the page (the common case)
        cleaned = clean_chars(body).split("\n")
    empty = Line("")
    size = 0.0
    k = 0
    for seg, clean in zip(segs, cleaned, strict=True):
        n = len(seg)
        text = clean.strip()
        if text:
            idx = pos + n - len(seg.lstrip())
            get_origin(tp, idx, px, py)
            if len(text) <= 150 or k % 4 == 0 or size <= 0:
                # font size and weight decide headings: short lines always, long lines of
                # running text (never headings) now and then for the body size
                size = get_size(tp, idx)
                bold = get_weight(tp, idx) >= 600
            else:
                bold = False
            k += 1
            append(Line(text, size, bold, x.value, y.value))
        else:
            append(empty)
        pos += n + 2
    return out


def map_error_share(textpage: Any, raw: str, samples: int = 24) -> float:
    """Share of sampled non-space characters whose glyph has no Unicode mapping
    (``textpage``: a ``PdfTextPage`` or its pdfium handle)."""
    n = len(raw)
    if n == 0:
        return 0.0
    step = max(1, n // samples)
    tp = ctypes.cast(getattr(textpage, "raw", textpage), ctypes.c_void_p)
    seen = bad = 0
    for k, ch in enumerate(raw[::step]):  # the characters at 0, step, 2 * step, ...
        if ch.isspace():
            continue
        seen += 1
        bad += bool(_MAP_ERROR(tp, k * step))
    return bad / seen if seen else 0.0


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


def _ocr_page(
    page: pdfium.PdfPage, settings: Settings, tesseract: str, dpi: int = OCR_DPI
) -> str | None:
    """OCR text of one page, or None when the page is too large to render under the cap.
    Raises subprocess.TimeoutExpired when tesseract takes longer than the page limit."""
    w, h = page.get_size()  # points
    scale = dpi / 72
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
            timeout=OCR_PAGE_TIMEOUT_S,
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


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
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


def _outline(pdf: pdfium.PdfDocument) -> dict[int, list[tuple[str, int]]]:
    """The bookmarks by page index: (outline_key(title), level), level 1 at the top."""
    out: dict[int, list[tuple[str, int]]] = {}
    try:
        for mark in pdf.get_toc(max_depth=8):
            dest = mark.get_dest()
            index = dest.get_index() if dest is not None else None
            key = outline_key(clean_chars(mark.get_title() or ""))
            if index is not None and key:
                out.setdefault(index, []).append((key, mark.level + 1))
    except Exception:  # a broken outline is no reason not to read the text
        return {}
    return out


def cover_title(pages: list[list[Line]]) -> str | None:
    """The title on the cover: the lines set in the largest type on the first two pages
    (at least a third larger than the body text)."""
    lines = [ln for page in pages[:2] for ln in page if ln.text and ln.size > 0]
    if not lines:
        return None
    sizes: Counter[int] = Counter()
    for ln in lines:
        sizes[round(ln.size)] += len(ln.text)
    body = sizes.most_common(1)[0][0]
    top = max(ln.size for ln in lines)
    if top < body * 1.3:
        return None
    parts: list[str] = []
    for ln in lines:
        if abs(ln.size - top) < 0.5:
            parts.append(ln.text)
        elif parts:
            break
    title = " ".join(" ".join(parts).split())
    letters = sum(c.isalpha() for c in title)
    return title[:300] if letters >= 4 else None


@dataclass
class _PageLog:
    """How the pages of one PDF were read: the lists that become the result's notes."""

    no_text: list[int] = field(default_factory=list)  # image pages that could not be read
    unusable: list[int] = field(default_factory=list)  # text layer judged unusable
    not_read: list[int] = field(default_factory=list)  # pages with content, not read at all
    ocr_pages: list[int] = field(default_factory=list)
    too_big: list[int] = field(default_factory=list)
    ocr_seconds: float = 0.0
    page_notes: dict[str, str] = field(default_factory=dict)

    def write_notes(self, notes: dict[str, Any], settings: Settings) -> None:
        if self.no_text:
            notes["pages_without_text_layer"] = self.no_text
            available = settings.ocr and tesseract_path()
            notes["ocr"] = "grens bereikt" if available else "niet beschikbaar"
        if self.unusable:
            notes["pages_unusable_text_layer"] = self.unusable
        if self.not_read:
            notes["pages_not_read"] = self.not_read
        if self.ocr_pages:
            notes["ocr_pages"] = self.ocr_pages
            notes["ocr_seconds"] = round(self.ocr_seconds, 1)
        if self.too_big:
            notes["pages_too_large_for_ocr"] = self.too_big
        if self.page_notes:
            notes["page_notes"] = self.page_notes


def read_pdf(path: Path, settings: Settings, progress: Progress) -> ReadResult:
    """Pages of a PDF: the text layer where it is usable, OCR where it is missing or
    unusable (within the page and time limits), and per page how it was read and why."""
    return read_pdf_staged(path, settings, progress)()


def read_pdf_staged(path: Path, settings: Settings, progress: Progress) -> Callable[[], ReadResult]:
    """:func:`read_pdf` in two steps: the work with the PDF library (every call into
    pdfium: pages, text layers, fonts, OCR) now; the layout of the pages (running headers,
    heading style, blocks: plain Python, no pdfium) in the returned function, which the
    parse worker runs beside the PDF library's work on the next file."""
    pdf = _open(path)
    result = ReadResult()
    log = _PageLog()
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            result.notes["encrypted_owner_only"] = True
        try:
            title = (pdf.get_metadata_dict().get("Title") or "").strip()
            result.title = clean_chars(title)[:300] or None
        except Exception:
            result.title = None
        outline = _outline(pdf)
        data = _read_pages(pdf, settings, progress, result, log)
    finally:
        pdf.close()

    def layout() -> ReadResult:
        _layout_pages(data, outline, result)
        log.write_notes(result.notes, settings)
        return result

    return layout


def _read_pages(
    pdf: pdfium.PdfDocument,
    settings: Settings,
    progress: Progress,
    result: ReadResult,
    log: _PageLog,
) -> list[tuple[str, list[Line]]]:
    """(method, lines) of each page within the page and character limits; sets the
    result's page count and whether it was cut short."""
    extend = getattr(progress, "extend", None)
    total = len(pdf)
    result.pages_total = total
    if total == 0:
        raise IngestError(Status.empty, f"{REASONS[Status.empty]} (PDF zonder pagina's)")
    limit = min(total, settings.max_pages)
    result.truncated = total > limit
    chars = 0
    data: list[tuple[str, list[Line]]] = []
    for i in range(limit):
        method, lines, raw = _read_page(pdf, i, settings, log, extend)
        data.append((method, lines))
        chars += len(raw)
        progress(1)
        if chars > settings.max_chars:
            result.truncated = True
            break
    return data


def _read_page(
    pdf: pdfium.PdfDocument,
    index: int,
    settings: Settings,
    log: _PageLog,
    extend: Callable[[float], None] | None,
) -> tuple[str, list[Line], str]:
    """(method, lines, raw text) of one page: ``text`` from a usable text layer, ``ocr``
    where that is missing or unusable, ``none`` when neither gave text."""
    problem, lines, raw = _text_layer(pdf, index)
    if any(ln.text for ln in lines):
        return "text", lines, raw
    page = pdf[index]  # (loaded again for its images or OCR: a page without usable text)
    try:
        return _read_image_page(page, index + 1, problem, raw, settings, log, extend)
    finally:
        page.close()


def _text_layer(pdf: pdfium.PdfDocument, index: int) -> tuple[str | None, list[Line], str]:
    """(problem, lines, raw text) of a page's text layer: ``problem`` is why the layer is
    unusable (None when it is usable or empty), ``lines`` empty unless it is usable.

    The page and its text page are handled by their pdfium handles rather than
    pypdfium2's page objects (whose finalizers and bookkeeping cost about 2 % of the
    parse); the text is read as :meth:`pypdfium2.PdfTextPage.get_text_range` reads it."""
    page = pdfium_c.FPDF_LoadPage(pdf, index)
    if not page:
        raise pdfium.PdfiumError("Failed to load page.")
    try:
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            raise pdfium.PdfiumError("Failed to load text page.")
        try:
            raw = page_text(textpage)
            problem = judge(raw, map_error_share(textpage, raw)) if raw.strip() else None
            lines = layout_lines(textpage, raw) if raw.strip() and problem is None else []
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
    finally:
        pdfium_c.FPDF_ClosePage(page)
    return problem, lines, raw


def page_text(textpage: Any) -> str:
    """All text of a pdfium text page (a ``FPDF_TEXTPAGE`` handle), exactly as
    ``PdfTextPage.get_text_range()`` gives it: characters at either end that have no
    place in the text are left out of the range, UCS-2 decoded ignoring errors."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count == -1:
        raise pdfium.PdfiumError("Failed to get character count.")
    c_start, c_end = 0, count - 1
    index_of = pdfium_c.FPDFText_GetTextIndexFromCharIndex
    while True:
        if c_start > c_end:
            return ""  # no active characters
        t_start = index_of(textpage, c_start)
        if t_start == -1:
            c_start += 1
            continue
        t_end = index_of(textpage, c_end)
        if t_end == -1:
            c_end -= 1
            continue
        break
    in_count = t_end + 2 - t_start  # with the NUL at the end
    buffer = (ctypes.c_ushort * in_count)()
    out_count = pdfium_c.FPDFText_GetText(textpage, c_start, c_end + 1 - c_start, buffer)
    assert in_count >= out_count, f"Buffer too small: {in_count} vs {out_count}"
    n = out_count - 1 if out_count > 0 else in_count - 1  # (the slice [: out_count - 1])
    return ctypes.string_at(buffer, 2 * n).decode("utf-16-le", errors="ignore")


def _read_image_page(
    page: pdfium.PdfPage,
    page_no: int,
    problem: str | None,
    raw: str,
    settings: Settings,
    log: _PageLog,
    extend: Callable[[float], None] | None,
) -> tuple[str, list[Line], str]:
    """A page without a usable text layer: OCR when it has images or an unusable layer."""
    need = problem or ("geen tekstlaag" if _has_images(page) else None)
    if problem:
        log.unusable.append(page_no)
    if need is None:
        return "none", [], raw
    ocr_text, why = _try_ocr(page, settings, need, log.ocr_seconds, len(log.ocr_pages), extend)
    log.ocr_seconds += why[1]
    if ocr_text is not None:
        log.ocr_pages.append(page_no)
        log.page_notes[str(page_no)] = f"OCR ({need})"
        return "ocr", [Line(_leader(t)) for t in page_lines(ocr_text)], ocr_text
    log.not_read.append(page_no)
    log.page_notes[str(page_no)] = f"niet gelezen: {need}; {why[0]}"
    if why[0] == _TOO_BIG:
        log.too_big.append(page_no)
    if not problem:
        log.no_text.append(page_no)
    return "none", [], ""


def _layout_pages(
    data: list[tuple[str, list[Line]]],
    outline: dict[int, list[tuple[str, int]]],
    result: ReadResult,
) -> None:
    """Blocks of every page into ``result``: text-layer pages without running headers and
    footers and with the document's heading style and bookmarks; OCR pages by layout."""
    text_pages = [lines if method == "text" else [] for method, lines in data]
    running = running_lines(text_pages)
    style = doc_style(text_pages)
    result.cover_title = cover_title(text_pages)
    dropped = 0
    numbered = len(data) > 1
    for page_index, (method, lines) in enumerate(data):
        if method == "text":
            lines, n = strip_edges(lines, running, numbered)
            dropped += n
            blocks = blocks_from_lines(lines, style, outline.get(page_index))
        else:
            blocks = blocks_from_lines(lines, None)
        result.pages.append(blocks)
        result.methods.append(method)
    if dropped:
        result.notes["header_footer_lines_dropped"] = dropped


_TOO_BIG = "pagina te groot voor OCR"
# OCR reads the dot leaders of a table of contents as letter soup ("Inleiding …
# nenvenenne enen 12"): keep the title and the page number
_LEADER = re.compile(r"\s*(?:…|\.{3,})[^\d]{25,}?\s(\d{1,4})$")


def _leader(line: str) -> str:
    return _LEADER.sub(r" … \1", line) if ("…" in line or "..." in line) else line


def _try_ocr(
    page: pdfium.PdfPage,
    settings: Settings,
    need: str,
    spent: float,
    done: int,
    extend: Callable[[float], None] | None,
) -> tuple[str | None, tuple[str, float]]:
    """OCR one page within the limits: (text or None, (why not, seconds spent))."""
    if not settings.ocr:
        return None, ("OCR staat uit", 0.0)
    tesseract = tesseract_path()
    if tesseract is None:
        return None, ("OCR niet beschikbaar (tesseract met Nederlands ontbreekt)", 0.0)
    if done >= settings.ocr_max_pages:
        return None, (f"grens van {settings.ocr_max_pages} OCR-pagina's bereikt", 0.0)
    if spent >= settings.ocr_budget_s:
        return None, (f"OCR-tijdbudget van {settings.ocr_budget_s} s op", 0.0)
    if extend is not None:  # the worker's time limit grows with the OCR work
        extend(OCR_PAGE_TIMEOUT_S + 30)
    started = time.monotonic()
    dpi = OCR_DPI if need == "geen tekstlaag" else OCR_DPI_VECTOR
    try:
        text = _ocr_page(page, settings, tesseract, dpi)
    except subprocess.TimeoutExpired:
        return None, (f"OCR duurde langer dan {OCR_PAGE_TIMEOUT_S} s", time.monotonic() - started)
    took = time.monotonic() - started
    if text is None:
        return None, (_TOO_BIG, took)
    if not text.strip():
        return None, ("OCR vond geen tekst", took)
    return text, ("", took)
