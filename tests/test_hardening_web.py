"""Hardening of the web app against hostile documents and requests (issue 17).

The web server runs as a real process (``weerbaar web``) so its own memory can be read
from /proc while a decompression-bomb PDF page is requested."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from browser_support import free_port
from web_sample import PASSWORD, make_pdf
from weerbaar.review.sample import add_document
from weerbaar.store import open_workspace
from weerbaar.store.organisations import add_organisation
from weerbaar.web.accounts import create_user

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow

BOMB_MB = 768  # what the page's content stream inflates to
SERVER_BOUND_MB = 400  # the web server's peak resident memory must stay below this


def bomb_pdf(mb: int) -> bytes:
    """A one-page PDF (a few KB) whose content stream is compressed twice and inflates to
    ``mb`` MB when the page is loaded."""
    co = zlib.compressobj(9)
    chunk = b"\0" * (8 << 20)
    inner = b"".join(co.compress(chunk) for _ in range(mb // 8)) + co.flush()
    data = zlib.compress(inner, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(data)
        + data
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _store(root: Path, data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    rel = Path("bestanden") / f"{digest}.pdf"
    (root / rel).write_bytes(data)
    return str(rel), digest


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("bom") / "werkruimte"
    ws = open_workspace(root)
    add_organisation(ws, "VR98", "Veiligheidsregio Bomland", "veiligheidsregio", fictional=True)
    add_organisation(ws, "GM9801", "Gemeente Bomstad", "gemeente", "VR98", fictional=True)
    docs = {}
    bomb = bomb_pdf(BOMB_MB)
    assert len(bomb) < 20_000
    good = make_pdf([["Noodsteunpunten in elke wijk."]])
    # the bomb is stored as readable (the worst case: it slipped through ingest); the
    # same bytes recorded as corrupt must not be opened at all
    for key, data in (("good", good), ("bomb", bomb), ("corrupt", bomb + b"x")):
        rel, digest = _store(root, data)
        passage = add_document(
            ws,
            organisation_code="GM9801",
            title=f"Document {key}",
            pages=[["Tekst over noodsteunpunten."]],
            year=2025,
            stored_path=rel,
            media_type="application/pdf",
            sha256=digest,
        )[0]
        docs[key] = passage.document_id
    with ws.write() as conn:
        from sqlalchemy import text

        conn.execute(
            text("UPDATE documents SET status='corrupt' WHERE id=:i"), {"i": docs["corrupt"]}
        )
    create_user(ws, "lezer1", role="lezer", password=PASSWORD, organisations=["GM9801"])
    ws.close()
    port = free_port()
    env = dict(os.environ, WEERBAAR_RENDER_MEMORY_MB="384", WEERBAAR_RENDER_TIMEOUT_S="20")
    proc = subprocess.Popen(
        [sys.executable, "-m", "weerbaar", "web", "--werkruimte", str(root), "--poort", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/inloggen", timeout=2)
            break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/inloggen")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/inloggen", data={"login_token": token, "gebruiker": "lezer1", "wachtwoord": PASSWORD}
    )
    assert r.status_code == 303, r.text
    try:
        yield {"client": client, "pid": proc.pid, "docs": docs}
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_bomb_page_image_keeps_server_memory_bounded(server) -> None:
    client, pid, docs = server["client"], server["pid"], server["docs"]
    ok = client.get(f"/bron/{docs['good']}/pagina/1/afbeelding.png")
    assert ok.status_code == 200 and ok.content.startswith(b"\x89PNG")
    before = _peak_rss_mb(pid)
    r = client.get(f"/bron/{docs['bomb']}/pagina/1/afbeelding.png")
    after = _peak_rss_mb(pid)
    print("server peak MB", before, after)
    assert r.status_code == 422
    assert "geheugen" in r.text  # a Dutch reason, no library text
    assert after < SERVER_BOUND_MB, (before, after)
    assert after - before < 100, (before, after)
    # the server still answers, and the good page still renders
    assert client.get(f"/bron/{docs['good']}/pagina/1/afbeelding.png").status_code == 200


def test_page_image_only_for_documents_that_were_read(server) -> None:
    client, pid, docs = server["client"], server["pid"], server["docs"]
    before = _peak_rss_mb(pid)
    r = client.get(f"/bron/{docs['corrupt']}/pagina/1/afbeelding.png")
    assert r.status_code == 404
    assert _peak_rss_mb(pid) - before < 50
    # pages beyond the document's page count are not drawn either
    assert client.get(f"/bron/{docs['good']}/pagina/9/afbeelding.png").status_code == 404


def test_server_refuses_unknown_host_names(server) -> None:
    client = server["client"]
    r = client.get("/inloggen", headers={"Host": "aanvaller.example"})
    assert r.status_code == 400 and "hostnaam" in r.text
    assert client.get("/inloggen", headers={"Host": "localhost:1"}).status_code == 200
