"""Ingest benchmark: pages per second and peak memory of our ingest on a generated corpus
(50 PDFs of 100 pages of Dutch text, cached in benchmarks/.cache/ingest/), beside the raw
text extraction of the chosen library (pypdfium2) and of pypdf on the same files, and
the page/offset fidelity of both libraries against the known source text.

Every measurement runs in a fresh process, so its peak memory (ru_maxrss) is its own.
Usage: python benchmarks/ingest.py [--docs 50]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache" / "ingest"
PAGES = 100
FORMAT = 2  # bump when the generated corpus changes

SUBJECTS = ["De gemeente", "Het college", "De veiligheidsregio", "Het crisisteam", "De raad",
            "Het waterschap", "De netbeheerder", "De GGD", "Het wijkteam", "De burgemeester"]  # fmt: skip
VERBS = ["oefent", "bespreekt", "actualiseert", "organiseert", "evalueert", "financiert",
         "plant", "versterkt", "beschrijft", "toetst"]  # fmt: skip
OBJECTS = ["het draaiboek voor langdurige stroomuitval", "de noodsteunpunten in de wijken",
           "de levering van drinkwater bij een storing", "de continuïteit van de zorg",
           "de risicocommunicatie naar inwoners", "de inzet van vrijwilligers",
           "de afspraken met vitale partners", "de voorraad noodaggregaten",
           "de evacuatie van kwetsbare bewoners", "het netwerk van buurtcontactpersonen"]  # fmt: skip
TAILS = ["in het eerste kwartaal", "samen met de partners", "ieder jaar opnieuw",
         "voor de komende vier jaar", "binnen het bestaande budget", "met extra aandacht"]  # fmt: skip


def _page_text(rng: random.Random, doc: int, page: int) -> list[str]:
    """Lines of one page: a heading, paragraphs, sometimes a bulleted list."""
    lines = [f"{page}. Onderdeel {page} van document {doc}", ""]
    while len(lines) < 46:
        if rng.random() < 0.15:
            for _ in range(3):
                lines.append(f"• {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}.")
        else:
            para = " ".join(
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."
                for _ in range(rng.randint(2, 5))
            )
            lines.extend(textwrap.wrap(para, 95))
        lines.append("")
    return lines[:48]


def build_corpus(n_docs: int) -> list[Path]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    CACHE.mkdir(parents=True, exist_ok=True)
    out = []
    for d in range(n_docs):
        path = CACHE / f"begroting-{d:02d}-v{FORMAT}.pdf"
        out.append(path)
        if path.exists() and path.with_suffix(".json").exists():
            continue
        rng = random.Random(1000 + d)
        c = canvas.Canvas(str(path), pagesize=A4)
        c.setTitle(f"Programmabegroting {2020 + d % 6} document {d}")
        source = []
        for p in range(1, PAGES + 1):
            lines = _page_text(rng, d, p)
            source.append(lines)
            t = c.beginText(50, 800)
            t.setFont("Helvetica", 9)
            for line in lines:
                t.textLine(line)
            c.drawText(t)
            c.showPage()
        c.save()
        path.with_suffix(".json").write_text(json.dumps(source, ensure_ascii=False))
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the parse worker)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


# --------------------------------------------------------------------------- child modes
def raw_pdfium(files: list[Path]) -> dict:
    import pypdfium2 as pdfium

    start, cpu = time.perf_counter(), _cpu_s()
    pages = chars = 0
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            chars += len(tp.get_text_range())
            tp.close()
            page.close()
            pages += 1
        pdf.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu_s() - cpu,
        "pages": pages,
        "chars": chars,
        "rss_mb": _maxrss_mb(),
    }


def raw_pypdf(files: list[Path]) -> dict:
    import pypdf

    start = time.perf_counter()
    pages = chars = 0
    for f in files:
        for page in pypdf.PdfReader(str(f)).pages:
            chars += len(page.extract_text() or "")
            pages += 1
    return {
        "seconds": time.perf_counter() - start,
        "pages": pages,
        "chars": chars,
        "rss_mb": _maxrss_mb(),
    }


def fidelity(files: list[Path]) -> dict:
    """Per library: share of pages whose extracted text equals the source text (whitespace
    aside), and whether the page count is right."""
    import pypdf
    import pypdfium2 as pdfium

    res = {"pypdfium2": [0, 0, 0], "pypdf": [0, 0, 0]}  # exact pages, pages, docs w/ right count
    for f in files:
        source = json.loads(f.with_suffix(".json").read_text())
        want = [squash(" ".join(lines)) for lines in source]
        pdf = pdfium.PdfDocument(str(f))
        got = []
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            got.append(squash(tp.get_text_range()))
        res["pypdfium2"][2] += len(got) == len(want)
        for a, b in zip(got, want, strict=False):
            res["pypdfium2"][0] += a == b
            res["pypdfium2"][1] += 1
        got = [squash(p.extract_text() or "") for p in pypdf.PdfReader(str(f)).pages]
        res["pypdf"][2] += len(got) == len(want)
        for a, b in zip(got, want, strict=False):
            res["pypdf"][0] += a == b
            res["pypdf"][1] += 1
    return res


def ours(files: list[Path]) -> dict:
    from weerbaar.ingest import ingest
    from weerbaar.store import open_workspace
    from weerbaar.store.documents import count_rows, document_text, list_passages

    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as tmp:
        ws = open_workspace(Path(tmp) / "ws")
        start, cpu = time.perf_counter(), _cpu_s()
        report = ingest(ws, files, progress=False)
        seconds = time.perf_counter() - start
        cpu = _cpu_s() - cpu
        with ws.read() as conn:
            counts = count_rows(conn)
            # spot check: offsets exact on the first document
            text = document_text(conn, 1)
            bad = sum(
                text[p["start"] : p["end"]] != p["text"] for p in list_passages(conn, document_id=1)
            )
        ws.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "pages": report.pages_parsed,
        "passages": counts["passages"],
        "documents": counts["documents"],
        "offset_errors_doc1": bad,
        "rss_mb": _maxrss_mb(),
        "worker_rss_mb": report.worker_peak_rss_kb / 1024,
    }


MODES = {"raw-pdfium": raw_pdfium, "raw-pypdf": raw_pypdf, "fidelity": fidelity, "ours": ours}


def run_child(mode: str, files: list[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        mode, *files = args.child
        print(json.dumps(MODES[mode]([Path(f) for f in files])))
        return
    t0 = time.perf_counter()
    files = build_corpus(args.docs)
    print(
        f"corpus: {len(files)} PDF's van {PAGES} pagina's ({time.perf_counter() - t0:.1f} s, cache {CACHE})"
    )

    fid = run_child("fidelity", files[:5])
    for lib, (exact, total, right_count) in fid.items():
        print(f"getrouwheid {lib:9s}: {exact}/{total} pagina's exact gelijk aan de bron, "
              f"paginatelling juist in {right_count}/5 documenten")  # fmt: skip

    raw = run_child("raw-pdfium", files)
    raw_pps = raw["pages"] / raw["seconds"]
    raw_cpu = raw["pages"] / raw["cpu"]
    print(f"ruw pypdfium2 ({len(files)} docs): {raw['pages']} pagina's in {raw['seconds']:.1f} s = "
          f"{raw_pps:.0f} pagina's/s ({raw_cpu:.0f} per CPU-seconde), piekgeheugen "
          f"{raw['rss_mb']:.0f} MB")  # fmt: skip
    sub = files[:10]
    rp = run_child("raw-pypdf", sub)
    print(f"ruw pypdf ({len(sub)} docs): {rp['pages'] / rp['seconds']:.0f} pagina's/s, "
          f"piekgeheugen {rp['rss_mb']:.0f} MB")  # fmt: skip

    print("eigen ingest (verse werkruimte per meting; hoofdproces + leesproces):")
    last = None
    for n in (10, 25, args.docs):
        if n > len(files):
            continue
        r = run_child("ours", files[:n])
        pps = r["pages"] / r["seconds"]
        cps = r["pages"] / r["cpu"]
        print(f"  {n:3d} docs: {r['pages']} pagina's, {r['passages']} passages in {r['seconds']:.1f} s = "
              f"{pps:.0f} pagina's/s ({cps:.0f} per CPU-seconde); piek hoofdproces {r['rss_mb']:.0f} MB, leesproces "
              f"{r['worker_rss_mb']:.0f} MB; offsetfouten doc 1: {r['offset_errors_doc1']}")  # fmt: skip
        last = (n, pps, cps)
    if last:
        print(f"verhouding ruwe extractie / eigen ingest bij {last[0]} docs: "
              f"{raw_pps / last[1]:.2f}x in tijd, {raw_cpu / last[2]:.2f}x in CPU-tijd "
              f"(doel: hoogstens 2x; de machine wordt gedeeld, kijk ook naar de CPU-tijd)")  # fmt: skip


if __name__ == "__main__":
    main()
