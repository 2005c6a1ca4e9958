"""Coding benchmark: the coding view of a long transcript, and creating one coding.

    .venv/bin/python bench/coding.py [--words 20000] [--codings 1000] [--runs 60]
                                     [--backend sqlite|postgres]

Builds a fresh database (as bench/ingest.py does) holding one transcript of about
``--words`` words with ``--codings`` overlapping codings from the institutional-ethnography
codebook, starts the real server (``fieldbench serve``) in a subprocess, signs in, and
times over HTTP on loopback: GET of the document's coding view (the whole page), and POST
of one coding through the JSON API. Prints median and p95 of each, in milliseconds.
Targets (SQLite): view under 150 ms median, coding under 50 ms median.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import make_meeting, to_txt  # noqa: E402
from bench.ingest import prepare_database, seed_project  # noqa: E402

CODES = ["DA-FRAG", "DA-RITUAL", "PA-RATION", "PA-PERF", "PA-PART", "RR-TEXT", "RR-TEXT-RISK",
         "RR-DISC-RISK", "CT-SPACE-ABSENT", "PT-PERFORM"]
PASSWORD = "bench-password"


def build(words: int, codings: int, seed: int) -> tuple[int, int]:
    """The transcript and its codings; returns the document id and its word count."""
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.projects.models import Project, Site
    from app.accounts.models import User

    user_id, project_id, site_id = seed_project()
    rng = random.Random(seed)
    data = to_txt(make_meeting(rng, words, 1))
    spec = parse_yaml((ROOT / "codebooks" / "institutional-ethnography.yaml").read_text())
    with transaction() as s:
        user, project = s.get(User, user_id), s.get(Project, project_id)
        codebook.load(s, project=project, spec=spec, by=user)
        meta = documents.DocumentMeta(site=s.get(Site, site_id), kind="interview")
        doc, _ = documents.ingest(s, project=project, filename="long.txt", data=data,
                                  meta=meta, by=user, max_bytes=50 * 2**20)
        words_at = [m.start() for m in re.finditer(r"\S+", doc.text)]
        for _ in range(codings):
            first = rng.randrange(len(words_at) - 40)
            start, end = words_at[first], words_at[first + rng.randint(3, 40)] - 1
            coding.create(s, project=project, document=doc, code_key=rng.choice(CODES),
                          start=start, end=end, by=user)
        return doc.id, doc.word_count


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "fieldbench"), "serve",
                               "--port", str(port)], env=os.environ.copy(), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("the server did not start")


def timed(call, runs: int) -> list[float]:
    """Milliseconds of each call, after three warm-up calls."""
    for _ in range(3):
        call()
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        response = call()
        out.append((time.perf_counter() - began) * 1000)
        assert response.status_code in (200, 201), response.text[:200]
    return out


def signed_in(base: str):
    import httpx

    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD,
                                "csrf_token": csrf})
    token = client.post("/api/auth/token", data={"email": "bench@example.org",
                                                 "password": PASSWORD}).json()["access_token"]
    return client, {"Authorization": f"Bearer {token}"}


def report(name: str, times: list[float], target: float) -> None:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    median = statistics.median(times)
    verdict = "meets" if median < target else "MISSES"
    print(f"{name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms   "
          f"({verdict} the {target:.0f} ms median target; {len(times)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--codings", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        prepare_database(args, data_dir)
        document_id, words = build(args.words, args.codings, args.seed)
        port = free_port()
        server = start_server(port)
        try:
            client, bearer = signed_in(f"http://127.0.0.1:{port}")
            view = client.get(f"/p/bench/documents/{document_id}")
            print(f"{args.backend}: one transcript of {words} words with {args.codings} codings;"
                  f" coding view {len(view.content) / 1024:.0f} KiB")
            report("coding view (GET whole page)", timed(
                lambda: client.get(f"/p/bench/documents/{document_id}"), args.runs), 150)
            rng = random.Random(2)
            report("create one coding (POST API)", timed(lambda: client.post(
                f"/api/documents/{document_id}/codings", headers=bearer,
                json={"code": rng.choice(CODES), "start": (at := rng.randrange(1000, 100_000)),
                      "end": at + 30}), args.runs), 50)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
