"""Page images of stored PDFs, rendered in a limited child process.

A PDF is hostile input: a few kilobytes can inflate to gigabytes when a page is loaded
(a double-compressed content stream or image). So the web process never opens a PDF
itself. :func:`render_page_png` starts ``python -m weerbaar.ingest._render`` with an
address-space limit (``render_memory_mb``), a CPU limit and a wall-clock limit
(``render_timeout_s``); the child writes the PNG to its standard output. A page is drawn
at no more than ``MAX_IMAGE_PIXELS`` pixels whatever its declared size. At most
``MAX_PARALLEL`` renders run at once; more requests wait briefly, then get a refusal.

Only documents whose status says they were read (see :data:`IMAGE_STATUSES`) get page
images: a file recorded as ``corrupt``, ``too_large`` or ``timeout`` is never opened
again outside the parse worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import OrderedDict
from pathlib import Path

from weerbaar.errors import WeerbaarError
from weerbaar.ingest.status import Status
from weerbaar.settings import Settings

MAX_IMAGE_PIXELS = 4_000_000
MAX_PNG_BYTES = 16 * 1024 * 1024
MAX_PARALLEL = 2
WAIT_FOR_SLOT_S = 10.0
# documents whose stored file may be opened to draw a page
IMAGE_STATUSES = frozenset({Status.ok, Status.truncated, Status.no_text_layer})

_EXIT_NO_PAGE = 3
CACHE_BYTES = 48 * 1024 * 1024  # page images kept in the web process, in total
_cache: OrderedDict[tuple[str, float, int], bytes] = OrderedDict()
_cache_lock = threading.Lock()
_slots = threading.BoundedSemaphore(MAX_PARALLEL)


class PageImageError(WeerbaarError):
    """A page image could not be made; ``missing`` means the page does not exist."""

    def __init__(self, message: str, *, missing: bool = False, busy: bool = False) -> None:
        super().__init__(message)
        self.missing = missing
        self.busy = busy


def may_render(status: str | None) -> bool:
    """True when a document with this status may have its pages drawn."""
    return status in {str(s) for s in IMAGE_STATUSES}


def cached_page_png(path: Path, page_index: int, settings: Settings) -> bytes:
    """:func:`render_page_png` with a small cache (by path, modification time and page;
    at most ``CACHE_BYTES`` in total, least recently used first out)."""
    key = (str(path), path.stat().st_mtime, page_index)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    png = render_page_png(path, page_index, settings)
    with _cache_lock:
        _cache[key] = png
        while sum(len(v) for v in _cache.values()) > CACHE_BYTES and len(_cache) > 1:
            _cache.popitem(last=False)
    return png


def render_page_png(path: Path, page_index: int, settings: Settings) -> bytes:
    """PNG bytes of page ``page_index`` (0-based) of the PDF at ``path``, drawn in a
    child process under the memory and time limits of ``settings``."""
    if page_index < 0:
        raise PageImageError("Deze pagina bestaat niet.", missing=True)
    if not _slots.acquire(timeout=WAIT_FOR_SLOT_S):
        raise PageImageError(
            "Er worden nu te veel pagina's tegelijk getekend. Probeer het zo opnieuw.", busy=True
        )
    try:
        return _run_child(path, page_index, settings)
    finally:
        _slots.release()


def _run_child(path: Path, page_index: int, settings: Settings) -> bytes:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "OMP_THREAD_LIMIT": "1",
        "LANG": "C.UTF-8",
    }
    args = [
        sys.executable,
        "-m",
        "weerbaar.ingest._render",
        str(path),
        str(page_index),
        str(MAX_IMAGE_PIXELS),
        str(settings.render_memory_mb),
        str(settings.render_timeout_s),
    ]
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise PageImageError(f"De pagina kan nu niet worden getekend ({exc.strerror}).") from exc
    try:
        out, _ = proc.communicate(timeout=settings.render_timeout_s)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise PageImageError(
            f"Het tekenen van de pagina duurde langer dan {settings.render_timeout_s} s "
            "en is afgebroken."
        ) from None
    if proc.returncode == _EXIT_NO_PAGE:
        raise PageImageError("Deze pagina bestaat niet.", missing=True)
    if proc.returncode != 0 or not out.startswith(b"\x89PNG") or len(out) > MAX_PNG_BYTES:
        raise PageImageError(
            "De pagina kan niet worden getekend: het bestand is beschadigd of vraagt meer "
            f"geheugen dan de grens van {settings.render_memory_mb} MB."
        )
    return out


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def child_main(path: str, page_index: int, max_pixels: int, memory_mb: int, cpu_s: int) -> int:
    """Body of the render child: limits first, then open, draw and write the PNG."""
    import io
    import math

    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    except (ImportError, ValueError, OSError):
        pass
    try:  # die with the web process (Linux)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        if page_index >= len(pdf):
            return _EXIT_NO_PAGE
        page = pdf[page_index]
        width, height = page.get_size()
        scale = min(2.0, math.sqrt(max_pixels / max(1.0, width * height)))
        image = page.render(scale=scale).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=False)
    finally:
        pdf.close()
    sys.stdout.buffer.write(buf.getvalue())
    sys.stdout.buffer.flush()
    return 0
