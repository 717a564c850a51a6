"""National-scale benchmark on SQLite and PostgreSQL, side by side.

Builds a synthetic national workspace (the 342 municipalities and 25 safety regions of the
register, synthetic documents and passages, a dense vector per passage, decisions on 5 %
of the passages: 50 k per 1 M) at two sizes, on each store, and measures:

- ingest: ``weerbaar inlezen --werkers N`` on generated PDFs (pages per second, speed-up);
- scan: N ``weerbaar scan`` processes at once on one database (passages per second,
  speed-up, peak memory of a worker, candidates stored exactly once);
- review pages: p95 over HTTP (uvicorn) of the overview, a queue, a passage and an
  organisation page, against a static file over the same stack (the baseline);
- the national report (HTML) and the database size.

It prints the growth between the two sizes and a linear extrapolation to 1 M passages
(say so when growth is worse than linear). PostgreSQL runs on a throwaway cluster started
with ``scripts/pg-cluster.sh`` (skipped with a message when PostgreSQL is not installed).
Embedding is not part of the scan figures (vectors are synthetic); its speed is printed
separately on a sample.

    .venv/bin/python benchmarks/national.py [--groottes 20000,40000] [--werkers 1,2,4]
                                            [--stores sqlite,postgresql] [--rondes 20]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from _synthetic import BASE_WORDS, synthetic_page  # noqa: E402
from browser_support import serve  # noqa: E402
from weerbaar.catalog import load_register  # noqa: E402
from weerbaar.store import open_workspace, utcnow  # noqa: E402
from weerbaar.store.decisions import bulk_insert  # noqa: E402

WORDS = [
    *BASE_WORDS,
    "college",
    "raad",
    "budget",
    "onderhoud",
    "wegen",
    "groen",
    "sport",
    "cultuur",
    "jeugd",
    "armoede",
    "wonen",
]
PASSWORD = "benchmark-wachtwoord-7"
# A scan worker: the CLI, then its own peak resident memory on stderr. VmHWM of the
# process, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking parent
# (this benchmark, which built the workspace) through exec.
# Also its CPU seconds (user + system; they start at 0 in a new process): on a machine
# whose cores other work also uses, CPU time shows what the workers cost apart from
# waiting for a core.
WORKER = (
    "import atexit, os, re, sys\n"
    "atexit.register(lambda: print('PIEK_KB=' + re.search(r'VmHWM:\\s*(\\d+)', "
    "open('/proc/self/status').read()).group(1) + ' CPU_S=%.2f' % sum(os.times()[:2]), "
    "file=sys.stderr))\n"
    "sys.argv[0] = 'weerbaar'\n"
    "from weerbaar.cli import main\n"
    "main()\n"
)
PG_SCRIPT = REPO / "scripts" / "pg-cluster.sh"


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


# ----------------------------------------------------------------------------- building
def build(root: Path, n_passages: int, seed: int = 11) -> dict:
    """A synthetic national workspace; returns what it holds."""
    from weerbaar.search.embed import DEFAULT_MODEL, model_info
    from weerbaar.store.vectors import save_vectors

    rng = random.Random(seed)
    ws = open_workspace(root)
    register = load_register()
    orgs = [o.code for o in register.municipalities()] + [o.code for o in register.regions()]
    per_page, pages_per_doc = 5, 10
    # at least one document per organisation; small sizes get shorter documents
    pages_per_doc = max(1, min(pages_per_doc, n_passages // (len(orgs) * per_page)))
    per_doc = per_page * pages_per_doc
    n_docs = max(len(orgs), n_passages // per_doc)
    now = utcnow()
    t0 = time.perf_counter()
    with ws.write() as conn:
        bulk_insert(
            conn,
            "documents",
            [
                {
                    "id": d + 1,
                    "sha256": hashlib.sha256(f"doc{d}".encode()).hexdigest(),
                    "organisation_code": orgs[d % len(orgs)],
                    "doc_type": "begroting",
                    "year": 2021 + d % 5,
                    "title": f"Synthetisch document {d + 1}",
                    "media_type": "text/plain",
                    "pages": pages_per_doc,
                    "status": "ok",
                    "created_at": now,
                    "updated_at": now,
                }
                for d in range(n_docs)
            ],
        )
    info = model_info(DEFAULT_MODEL)
    pid = 0
    pages_rows: list[dict] = []
    passage_rows: list[dict] = []

    def flush() -> None:
        with ws.write() as conn:
            bulk_insert(conn, "pages", pages_rows)
            bulk_insert(conn, "passages", passage_rows)
            vecs = np.random.default_rng(pid).standard_normal((len(passage_rows), info.dim))
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            save_vectors(conn, info.name, [r["id"] for r in passage_rows], vecs)
        pages_rows.clear()
        passage_rows.clear()

    for d in range(n_docs):
        offset, seq = 0, 0
        for p in range(pages_per_doc):
            page, rows = synthetic_page(
                rng, WORDS, per_page, document_id=d + 1, page_no=p + 1, offset=offset,
                first_passage_id=pid + 1, first_seq=seq,
            )  # fmt: skip
            pages_rows.append(page)
            passage_rows.extend(rows)
            pid += len(rows)
            seq += len(rows)
            offset += len(page["text"]) + 2
        if len(passage_rows) >= 10_000:
            flush()
    flush()
    from weerbaar.web.accounts import create_user

    create_user(ws, "analist", role="beheerder", password=PASSWORD)
    ws.close()
    return {"passages": pid, "documents": n_docs, "organisations": orgs,
            "build_s": time.perf_counter() - t0}  # fmt: skip


def add_decisions(root: Path, n: int, seed: int = 5) -> float:
    """``n`` decisions (bulk) on passages in the review queue; returns seconds."""
    rng = random.Random(seed)
    ws = open_workspace(root)
    t0 = time.perf_counter()
    with ws.read() as conn:
        cands = [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT passage_id, catalog_version, measure_id FROM candidates ORDER BY id"
            )
        ]
    rng.shuffle(cands)
    now = utcnow()
    rows = [
        {
            "passage_id": p,
            "catalog_version": v,
            "measure_id": m,
            "reviewer": f"r{i % 20}",
            "relevant": rng.choice(["ja", "nee", "nee"]),
            "stage": "plan",
            "created_at": now,
            "updated_at": now,
        }
        for i, (p, v, m) in enumerate(cands[:n])
    ]
    with ws.write() as conn:
        for i in range(0, len(rows), 5000):
            bulk_insert(conn, "decisions", rows[i : i + 5000])
    ws.close()
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------- measuring
def run_scans(root: Path, workers: int) -> dict:
    """``workers`` scan processes at once on one workspace (a fresh run each time)."""
    # speed only: the generated text is word salad, so no score floor (queues fill up)
    env = dict(
        os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", WEERBAAR_SCAN_MIN_SCORE="0"
    )
    cmd = [sys.executable, "-c", WORKER, "scan", "-w", str(root), "--json"]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(workers)]  # fmt: skip
    reports: list[dict] = []
    peaks: list[float] = []
    cpu: list[float] = []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(err.decode()[-2000:])
        reports.append(json.loads(out))
        peak_kb, cpu_s = re.findall(r"PIEK_KB=(\d+) CPU_S=([0-9.]+)", err.decode())[-1]
        peaks.append(int(peak_kb) / 1024)
        cpu.append(float(cpu_s))
    seconds = time.perf_counter() - t0
    done = [set(r["organisations_by_worker"]) for r in reports]
    overlap = sum(len(a & b) for i, a in enumerate(done) for b in done[i + 1 :])
    return {
        "seconds": seconds,
        "passages": reports[0]["passages"],
        "runs": len({r["scan_run_id"] for r in reports}),
        "overlap": overlap,
        "candidates": sum(r["candidates"] for r in reports),
        "peak_mb": max(peaks),  # the largest of this run's workers
        "cpu_s": sum(cpu),  # CPU seconds of all workers together
        "embedded": sum(r["index"]["vectoren_nieuw"] for r in reports),
    }


def review_pages(root: Path, orgs: list[str], rounds: int) -> dict[str, float]:
    from weerbaar.web.app import create_app

    ws = open_workspace(root)
    with ws.read() as conn:
        queued = [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT organisation_code, measure_id, passage_id FROM candidates "
                "ORDER BY id LIMIT 50"
            )
        ]
    app = create_app(ws, rerank=False, stage_model=False)
    server = contextlib.ExitStack()  # the server stops when the stack is closed
    base = server.enter_context(serve(app))
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/inloggen", data={"login_token": token, "gebruiker": "analist",
                                       "wachtwoord": PASSWORD})  # fmt: skip
    assert r.status_code == 303, r.status_code
    org, measure, _ = queued[0]
    pages = {
        "basislijn": "/static/app.css",
        "overzicht": "/",
        "wachtrij": f"/wachtrij/{org}/{measure}",
        "passage": None,
        "organisatie": f"/organisaties/{org}",
    }
    times: dict[str, list[float]] = {k: [] for k in pages}
    for i in range(rounds + 2):
        for name, url in pages.items():
            url = url or f"/passages/{queued[i % len(queued)][2]}"
            t = time.perf_counter()
            resp = client.get(url)
            ms = 1000 * (time.perf_counter() - t)
            assert resp.status_code == 200, (url, resp.status_code)
            if i >= 2:
                times[name].append(ms)
    server.close()
    ws.close()
    return {k: p95(v) for k, v in times.items()}


def national_report(root: Path, out: Path) -> float:
    from weerbaar.report import write_reports

    ws = open_workspace(root)
    t0 = time.perf_counter()
    write_reports(ws, out, scope="landelijk", formats="html")
    seconds = time.perf_counter() - t0
    ws.close()
    return seconds


def database_mb(root: Path) -> float:
    ws = open_workspace(root)
    try:
        if ws.is_sqlite:
            return sum(p.stat().st_size for p in root.glob("weerbaar.sqlite*")) / 1e6
        with ws.read() as conn:
            return (
                conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() / 1e6
            )
    finally:
        ws.close()


def ingest_speed(tmp: Path, workers: list[int], n_docs: int = 16, pages: int = 10) -> dict:
    """Pages per second of ``weerbaar inlezen --werkers N`` on generated PDFs."""
    from ingest_helpers import pdf_bytes

    corpus = tmp / "pdfs"
    if not corpus.exists():
        corpus.mkdir(parents=True)
        for i in range(n_docs):
            (corpus / f"stuk{i:02d}.pdf").write_bytes(pdf_bytes(pages, seed=i))
    out = {}
    for w in workers:
        ws_dir = tmp / f"inlezen-{w}-{time.monotonic_ns()}"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "weerbaar", "inlezen", str(corpus), "-w", str(ws_dir),
             "--organisatie", "GM0363", "--werkers", str(w), "--stil"],
            check=True, capture_output=True,
        )  # fmt: skip
        out[w] = n_docs * pages / (time.perf_counter() - t0)
    return out


def embed_speed(n: int = 128) -> float:
    from weerbaar.search.embed import embed

    rng = random.Random(3)
    texts = [" ".join(rng.choice(WORDS) for _ in range(50)) for _ in range(n)]
    embed(texts[:16])
    t0 = time.perf_counter()
    embed(texts)
    return n / (time.perf_counter() - t0)


# ----------------------------------------------------------------------------- main
def bench_store(store: str, sizes: list[int], workers: list[int], rounds: int, tmp: Path) -> dict:
    from weerbaar.search.index import update_index

    results: dict = {"ingest": ingest_speed(tmp / store, workers), "sizes": {}}
    for size in sizes:
        root = tmp / store / f"landelijk-{size}"
        info = build(root, size)
        ws = open_workspace(root)
        t0 = time.perf_counter()
        update_index(ws)  # the lexical index, once (not part of the scan figures)
        index_s = time.perf_counter() - t0
        ws.close()
        scans = {w: run_scans(root, w) for w in workers}
        dec_s = add_decisions(root, max(1, info["passages"] // 20))
        pages = review_pages(root, info["organisations"], rounds)
        report_s = national_report(root, tmp / store / f"rapport-{size}")
        results["sizes"][size] = {
            **info, "index_s": index_s, "scans": scans, "decisions_s": dec_s,
            "pages": pages, "report_s": report_s, "db_mb": database_mb(root),
        }  # fmt: skip
        print(f"  {store}: {info['passages']:,} passages klaar", flush=True)
    return results


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groottes", default="20000,40000")
    ap.add_argument("--werkers", default="1,2,4")
    ap.add_argument("--stores", default="sqlite,postgresql")
    ap.add_argument("--rondes", type=int, default=20)
    ap.add_argument("--uitvoer", type=Path, default=None, help="de cijfers ook als JSON")
    args = ap.parse_args()
    # a kill (SIGTERM, e.g. from timeout) still stops the throwaway PostgreSQL cluster
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(s) for s in args.groottes.split(",")]
    workers = [int(w) for w in args.werkers.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="weerbaar-landelijk-"))
    print(
        f"kernen: {os.cpu_count()}; belasting (1/5/15 min): {_load()}; embedding (e5-small, "
        f"1 proces): {embed_speed():.0f} passages/s; niet in de scancijfers: de vectoren van "
        "de synthetische werkruimte zijn vooraf gemaakt (de scan embedt alleen een begrensde "
        "kortlijst per organisatie, zie docs/zoeken.md)",
        flush=True,
    )
    all_results = {}
    for store in args.stores.split(","):
        cluster = None
        if store == "postgresql":
            started = subprocess.run(["bash", str(PG_SCRIPT), "start"], capture_output=True,
                                     text=True, check=False)  # fmt: skip
            if started.returncode != 0:
                print(f"PostgreSQL overgeslagen: {started.stderr.strip()}")
                continue
            cluster = started.stdout.strip().splitlines()[-1]
            url = subprocess.run(["bash", str(PG_SCRIPT), "url", cluster], capture_output=True,
                                 text=True, check=True).stdout.strip()  # fmt: skip
            os.environ["WEERBAAR_DATABASE_SERVER"] = url
        try:
            all_results[store] = bench_store(store, sizes, workers, args.rondes, tmp)
        finally:
            os.environ.pop("WEERBAAR_DATABASE_SERVER", None)
            if cluster:
                subprocess.run(["bash", str(PG_SCRIPT), "stop", cluster], check=False)
    print_table(all_results, sizes, workers)
    print(f"belasting na afloop (1/5/15 min): {_load()}")
    if args.uitvoer:
        args.uitvoer.write_text(json.dumps(all_results, indent=1, default=str), encoding="utf-8")
    return 0


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def print_table(results: dict, sizes: list[int], workers: list[int]) -> None:
    stores = list(results)
    col = 16
    print()
    print(f"{'':44}" + "".join(f"{s:>{col}}" for s in stores))
    w1 = workers[0]
    for w in workers:
        row = []
        for s in stores:
            ing = results[s]["ingest"]
            row.append(f"{ing[w]:.1f} ({ing[w] / ing[w1]:.2f}x)")
        print(
            f"{f'inlezen pagina/s, {w} werker(s) (versnelling)':44}"
            + "".join(f"{v:>{col}}" for v in row)
        )
    for size in sizes:
        print(f"-- {size:,} passages (gevraagd)")

        def line(label: str, fn, size: int = size) -> None:  # type: ignore[no-untyped-def]
            print(
                f"{label:44}" + "".join(f"{fn(results[s]['sizes'][size]):>{col}}" for s in stores)
            )

        line("passages / organisaties", lambda r: f"{r['passages']:,}/{len(r['organisations'])}")
        line("opbouw (s)", lambda r: f"{r['build_s']:.1f}")
        line("lexicale index (s)", lambda r: f"{r['index_s']:.1f}")
        for w in workers:
            line(f"scan passages/s, {w} werker(s) (versnelling)",
                 lambda r, w=w: f"{r['passages'] / r['scans'][w]['seconds']:.0f} ({r['scans'][w1]['seconds'] / r['scans'][w]['seconds']:.2f}x)")  # fmt: skip
        line("scan: runs / organisaties dubbel", lambda r: " ".join(
            f"{r['scans'][w]['runs']}/{r['scans'][w]['overlap']}" for w in workers))  # fmt: skip
        line(
            "scan CPU-s alle werkers samen (" + "/".join(map(str, workers)) + ")",
            lambda r: "/".join(f"{r['scans'][w]['cpu_s']:.0f}" for w in workers),
        )
        line(
            "piekgeheugen per scanwerker (MB; " + "/".join(map(str, workers)) + ")",
            lambda r: "/".join(f"{r['scans'][w]['peak_mb']:.0f}" for w in workers),
        )
        line(
            "beslissingen (aantal, s)", lambda r: f"{r['passages'] // 20:,}, {r['decisions_s']:.1f}"
        )
        for page in ("overzicht", "wachtrij", "passage", "organisatie"):
            line(f"p95 {page} (ms; x basislijn)",
                 lambda r, page=page: f"{r['pages'][page]:.0f} ({r['pages'][page] / max(r['pages']['basislijn'], 0.1):.0f}x)")  # fmt: skip
        line("landelijk rapport (s)", lambda r: f"{r['report_s']:.1f}")
        line("database (MB)", lambda r: f"{r['db_mb']:.0f}")
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print(
            f"-- groei van {a:,} naar {b:,} passages; doorgetrokken naar 1 M met een rechte lijn "
            "door de twee metingen (vaste kosten + kosten per passage; een negatieve helling "
            "is meetruis en telt als 0)"
        )
        for s in stores:
            ra, rb = results[s]["sizes"][a], results[s]["sizes"][b]
            na, nb = ra["passages"], rb["passages"]
            for label, fa, fb in (
                ("scan 1 werker (s)", ra["scans"][w1]["seconds"], rb["scans"][w1]["seconds"]),
                ("landelijk rapport (s)", ra["report_s"], rb["report_s"]),
                ("p95 overzicht (ms)", ra["pages"]["overzicht"], rb["pages"]["overzicht"]),
                ("database (MB)", ra["db_mb"], rb["db_mb"]),
                ("piekgeheugen scan (MB)", max(x["peak_mb"] for x in ra["scans"].values()),
                 max(x["peak_mb"] for x in rb["scans"].values())),
            ):  # fmt: skip
                slope = max(0.0, (fb - fa) / (nb - na)) if nb != na else 0.0
                at_1m = fb + slope * (1_000_000 - nb)
                growth = fb / fa if fa else float("nan")
                note = "sneller dan lineair" if growth > (nb / na) * 1.15 else "hooguit lineair"
                print(f"  {s:10} {label:26} {fa:9.1f} -> {fb:9.1f} ({growth:.2f}x, {note}); "
                      f"1 M: ~{at_1m:,.0f}")  # fmt: skip
        print_goals(results, a, b, workers)


def _at_1m(na: int, fa: float, nb: int, fb: float) -> float:
    """A straight line through two measurements, at 1 M passages (no negative slope)."""
    slope = max(0.0, (fb - fa) / (nb - na)) if nb != na else 0.0
    return fb + slope * (1_000_000 - nb)


def print_goals(results: dict, a: int, b: int, workers: list[int]) -> None:
    """The goals of the national run, per store: measured at the largest size and drawn
    through to 1 M passages (``ja``/``nee`` on the extrapolation, not a measurement at
    1 M). The scan time at 1 M is the larger of the line through the two sizes and the
    cost per passage at the largest size times 1 M (on a busy machine the line can come
    out flat, which is noise, not a free scan); beside it the CPU seconds per worker, which
    do not depend on how many cores other work leaves free."""
    print(
        f"-- doelen (gemeten bij {b:,}, doorgetrokken naar 1 M passages; {os.cpu_count()} kernen)"
    )
    for s in results:
        ra, rb = results[s]["sizes"][a], results[s]["sizes"][b]
        na, nb = ra["passages"], rb["passages"]
        best = min(workers, key=lambda w: rb["scans"][w]["seconds"])
        scan_1m = max(
            _at_1m(na, ra["scans"][best]["seconds"], nb, rb["scans"][best]["seconds"]),
            rb["scans"][best]["seconds"] * 1_000_000 / nb,
        )
        cpu_1m = rb["scans"][best]["cpu_s"] * 1_000_000 / nb / best  # per worker
        mem_a = max(x["peak_mb"] for x in ra["scans"].values())
        mem_b = max(x["peak_mb"] for x in rb["scans"].values())
        mem_1m = _at_1m(na, mem_a, nb, mem_b)
        worst_page = max((v, k) for k, v in rb["pages"].items() if k != "basislijn")
        report_1m = _at_1m(na, ra["report_s"], nb, rb["report_s"])
        w1, wn = workers[0], workers[-1]
        speedup = rb["scans"][w1]["seconds"] / rb["scans"][wn]["seconds"]
        twice = sum(x["overlap"] for x in rb["scans"].values())
        goals = (
            (f"scan 1 M x 41 maatregelen < 120 s ({best} werker(s))", scan_1m, scan_1m < 120,
             f"{scan_1m:.0f} s; CPU per werker ~{cpu_1m:.0f} s"),
            ("piekgeheugen per scanwerker < 2 GB, vlak", mem_1m, mem_1m < 2048,
             f"{mem_a:.0f} -> {mem_b:.0f} MB, 1 M: ~{mem_1m:.0f} MB"),
            ("elke reviewpagina p95 < 100 ms (bij meting)", worst_page[0], worst_page[0] < 100,
             f"{worst_page[1]} {worst_page[0]:.0f} ms"),
            ("landelijk rapport < 30 s", report_1m, report_1m < 30, f"{report_1m:.1f} s"),
            (f"versnelling {w1} -> {wn} werkers (bijna lineair)", speedup,
             speedup >= 0.8 * min(wn / w1, os.cpu_count() or 1),
             f"{speedup:.2f}x op {os.cpu_count()} gedeelde kernen; CPU-s "
             f"{rb['scans'][w1]['cpu_s']:.0f} -> {rb['scans'][wn]['cpu_s']:.0f}"),
            ("geen organisatie (passage) twee keer gescoord", twice, twice == 0, f"{twice} dubbel"),
        )  # fmt: skip
        for label, _value, ok, shown in goals:
            print(f"  {s:10} {label:52} {'ja ' if ok else 'NEE'} ({shown})")


if __name__ == "__main__":
    sys.exit(main())
