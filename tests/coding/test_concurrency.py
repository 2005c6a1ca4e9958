"""Ten researchers add and remove codings on one document at once, through the API.

Afterwards every acknowledged coding is present and every acknowledged removal absent.
Run on both databases; the PostgreSQL run is the one that matters for teams.
"""

import random
import threading

import httpx

from tests.conftest import token_for

THREADS, ACTIONS = 10, 12


def worker(base, headers, doc, text, seed, created, removed, errors):
    rng = random.Random(seed)
    mine = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for _ in range(ACTIONS):
            if mine and rng.random() < 0.35:
                coding_id = mine.pop(rng.randrange(len(mine)))
                response = http.delete(f"/api/codings/{coding_id}")
                (removed if response.status_code == 200 else errors).append(
                    coding_id if response.status_code == 200 else response.text)
                continue
            start = rng.randrange(0, len(text) - 12)
            response = http.post(f"/api/documents/{doc}/codings", json={
                "code": rng.choice(["DA-FRAG", "PA-RATION", "RR-TEXT"]),
                "start": start, "end": start + rng.randrange(3, 12)})
            if response.status_code == 201:
                mine.append(response.json()["id"])
                created.append(response.json()["id"])
            elif response.status_code != 422:  # a blank span is a fair refusal
                errors.append(response.text)


def ten_coders(client, coded_study, live_server) -> tuple[list, list]:
    """THREADS coders at once on the study's document; (created, removed) coding ids."""
    doc, text = coded_study["document_id"], coded_study["text"]
    created, removed, errors = [], [], []
    threads = [threading.Thread(target=worker, args=(
        live_server, token_for(client, "coder@example.org"), doc, text, seed, created,
        removed, errors)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    return created, removed


def test_ten_threads_lose_nothing(client, coded_study, live_server):
    doc = coded_study["document_id"]
    created, removed = ten_coders(client, coded_study, live_server)
    headers = token_for(client, "owner@example.org")
    live = {c["id"] for c in client.get(f"/api/documents/{doc}/codings", headers=headers).json()}
    assert len(created) > THREADS * 3
    assert live == set(created) - set(removed)


def test_ten_threads_keep_the_tallies_in_step(client, coded_study, live_server):
    """Concurrent codings on one document leave the matrix tallies as a full recount
    makes them (the tally updates take the site's row lock, so none is lost)."""
    from sqlalchemy import select

    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval import tallies
    from app.retrieval.models import (DocumentCodeTally, DocumentPairTally, SiteCodeTally,
                                      SitePairTally)

    ten_coders(client, coded_study, live_server)

    def snapshot(s):
        return [sorted(tuple(r) for r in s.execute(select(*m.__table__.c)) if any(r[-2:]))
                for m in (DocumentCodeTally, DocumentPairTally, SiteCodeTally, SitePairTally)]

    with transaction() as s:
        kept = snapshot(s)
        assert kept[0], "the codings were counted"
        tallies.rebuild(s, project=projects.get_project_or_raise(s, slug="study"))
        assert snapshot(s) == kept
