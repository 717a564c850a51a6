"""P9: the web app and a batch writer share one SQLite file without "database is
locked": concurrent reads and reviewer POSTs over loopback while another thread writes
documents; no 5xx, and every POST persisted."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx
import pytest

from browser_support import serve
from web_sample import MEASURE, PASSWORD, build
from weerbaar.review import list_decisions
from weerbaar.review.sample import add_document
from weerbaar.store import open_workspace
from weerbaar.web.app import create_app


def _login(base: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": name, "wachtwoord": PASSWORD}
    )
    assert r.status_code == 303
    html = client.get("/").text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.slow
def test_web_concurrent_reviewers_and_batch_writer(tmp_path: Path):
    ws = open_workspace(tmp_path / "w")
    sample = build(ws, n_a=24)
    app = create_app(ws, rerank=False, stage_model=False)
    with serve(app) as base:  # the server stops when the block ends
        statuses: list[int] = []
        errors: list[BaseException] = []
        posted: list[tuple[str, int]] = []
        lock = threading.Lock()
        stop = threading.Event()

        def writer() -> None:
            i = 0
            while not stop.is_set():
                add_document(
                    ws,
                    organisation_code="GM9902",
                    title=f"Batch {i}",
                    pages=[[f"Batchtekst {i}.{k} over noodsteunpunten." for k in range(40)]],
                )
                i += 1
                stop.wait(0.02)  # a real batch parses between its commits

        def reviewer(name: str, passages: list[int]) -> None:
            try:
                client, token = _login(base, name)
                for pid in passages:
                    r = client.post(
                        f"/passage/{pid}/beslissing",
                        data={
                            "csrf_token": token,
                            "maatregel": MEASURE,
                            "relevant": "ja",
                            "fase": "plan",
                            "context": "ja",
                        },
                    )
                    with lock:
                        statuses.append(r.status_code)
                        if r.status_code == 303:
                            posted.append((name, pid))
            except BaseException as exc:  # reported below
                errors.append(exc)

        def reader(name: str) -> None:
            try:
                client, _ = _login(base, name)
                urls = ["/", f"/wachtrij/{sample.org_a}/{MEASURE}", "/logboek", "/overeenstemming"]
                for k in range(4):
                    r = client.get(urls[k % len(urls)] if k % 5 else f"/passage/{sample.a[k].id}")
                    with lock:
                        statuses.append(r.status_code)
            except BaseException as exc:
                errors.append(exc)

        ids = [p.id for p in sample.a]
        workers = [threading.Thread(target=writer)]
        names = ["anna", "bram", "beheer"]
        for i in range(6):  # 6 reviewer threads, each its own slice of the queue
            workers.append(threading.Thread(target=reviewer, args=(names[i % 3], ids[i::6])))
        for i in range(14):
            workers.append(threading.Thread(target=reader, args=(names[i % 3],)))
        for w in workers:
            w.start()
        for w in workers[1:]:
            w.join(240)
        stop.set()
        workers[0].join(60)

    assert not errors, errors
    assert statuses and all(s < 500 for s in statuses), sorted(set(statuses))
    assert len(posted) == len(ids)
    saved = {(d["reviewer"], d["passage_id"]) for d in list_decisions(ws)}
    assert set(posted) <= saved
    ws.close()
