"""The retrieval bench's corpus: a million generated codings, inserted in bulk.

A project with 6 sites, 15 speakers with roles, 3 coders and the institutional-ethnography
codebook loaded twice (two versions) through ``app.codebook.service.load``; documents of
~3,000 generated characters (80% transcripts with speaker turns; a Zipf-like sprinkling of
3,000 invented place names, so searches range from common to rare words); codings on word
boundaries (a third on or near an earlier passage, so codes co-occur; codes drawn
Zipf-like; 1% removed); memos on 0.5% of codings. Rows go in with Core ``insert()``
executemany on SQLite and COPY on PostgreSQL, the codings' secondary indexes and search
index built afterwards; then the tallies (``tallies.rebuild``) and ANALYZE.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
import re
from pathlib import Path

from bench.corpus import PHRASES

ROOT = Path(__file__).resolve().parents[1]
IE_YAML = ROOT / "codebooks" / "institutional-ethnography.yaml"
SPEAKERS = [("Chair", "Chair", "Children's Services"), ("DS Patel", "Police", "Police"),
            ("Inspector Grant", "Police", "Police"), ("SW Amira", "Social Worker", "Council"),
            ("Siobhan", "Social Worker", "Council"), ("Nurse Bev", "Health", "NHS"),
            ("Dan", "Youth Justice Worker", "Youth Offending Team"),
            ("Kez", "Youth Worker", "Youth Trust"), ("Marion", "Manager", "Youth Trust"),
            ("Sam", "Manager", "Riverbank Project"), ("Ruth", "Facilitator", "Independent"),
            ("YP", "Young Person", ""), ("Mum", "Parent", ""), ("Lee", "Community Safety",
                                                                 "Council"),
            ("Teacher Jo", "Education", "School")]
KINDS = ["observation", "interview", "clarification_discussion", "case_file",
         "policy_guidance", "reflective_group", "journey_mapping"]
NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# 3,000 invented place names, used Zipf-like in the text, so searches range from common
# words to words found in a handful of excerpts
PLACES = [a + b + c for a in ("Ard", "Bel", "Cor", "Dun", "Esk", "Fal", "Gar", "Hol", "Inch",
                               "Kel", "Lan", "Mor", "Nor", "Pen", "Ros")
          for b in ("a", "e", "i", "o", "u", "ay", "ey", "ow", "in", "ar")
          for c in ("brook", "by", "cot", "dale", "don", "field", "ford", "gate", "ham",
                    "holm", "ley", "mere", "mouth", "ness", "port", "ridge", "stead",
                    "stow", "thorpe", "ton")]
PLACE_WEIGHTS = list(itertools.accumulate(1 / rank for rank in range(1, len(PLACES) + 1)))


def seed_project() -> dict:
    """Users, project, sites, speakers and the codebook (two versions), through services."""
    from app.accounts import service as accounts
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.db import transaction
    from app.documents.models import Speaker
    from app.projects import service as projects

    with transaction() as s:
        users = [accounts.create(s, email=f"coder{i}@example.org", password="bench-password")
                 for i in range(3)]
        project = projects.create(s, slug="bench", name="Bench", owner=users[0])
        for user in users[1:]:
            projects.add_member(s, project=project, user=user, role="coder", by=users[0])
        sites = [projects.add_site(s, project=project, slug=f"site-{i}", name=f"Site {i}",
                                   by=users[0], strand=("Contextual Safeguarding",
                                                        "Transitions")[i % 2],
                                   governance=("statutory", "voluntary")[i % 3 == 2],
                                   country="England") for i in range(6)]
        spec = parse_yaml(IE_YAML.read_text())
        v1, _ = codebook.load(s, project=project, spec=spec, by=users[0])
        v2, _ = codebook.load(s, project=project, spec=spec, by=users[0], note="second")
        speakers = [Speaker(project_id=project.id, name=n, role=r, agency=a)
                    for n, r, a in SPEAKERS]
        s.add_all(speakers)
        s.flush()
        codable = [c for c in codebook.list_codes(s, project=project) if not c.is_category]
        return dict(project=project.id, users=[u.id for u in users],
                    sites=[x.id for x in sites], versions=[v1.id, v2.id],
                    speakers=[x.id for x in speakers], codes=[c.id for c in codable],
                    keys=[c.key for c in codable])


def make_text(rng: random.Random, index: int, speakers: list[int]) -> tuple[str, list]:
    """About 3,000 characters: speaker turns ("Name: ...") or, for a fifth, plain notes."""
    def sentence() -> str:
        words = " ".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.4:
            place = bisect.bisect(PLACE_WEIGHTS, rng.random() * PLACE_WEIGHTS[-1])
            words += " in " + PLACES[place]
        return words[0].upper() + words[1:] + rng.choice(".....?!")
    lines, turns, at = [f"Document {index}", ""], [], len(f"Document {index}") + 2
    talk = rng.random() < 0.8
    people = rng.sample(range(len(SPEAKERS)), rng.randint(3, 6))
    while at < 3000:
        body = " ".join(sentence() for _ in range(rng.randint(1, 4)))
        if talk:
            who = rng.choice(people)
            label = SPEAKERS[who][0] + ": "
            turns.append((speakers[who], at + len(label), at + len(label) + len(body)))
            body = label + body
        lines.append(body)
        at += len(body) + 1
    return "\n".join(lines), turns


def make_codings(rng, text: str, count: int, cumulative: list[float]) -> list[tuple]:
    """(code index, start, end) on word boundaries; a third on or near an earlier passage."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    out, passages = [], []
    for _ in range(count):
        if passages and rng.random() < 0.35:
            w0, w1 = rng.choice(passages)
            w0 = max(0, w0 + rng.randint(-3, 3))
            w1 = min(len(words) - 1, max(w0, w1 + rng.randint(-3, 3)))
        else:
            w0 = rng.randrange(2, len(words) - 5)
            w1 = min(len(words) - 1, w0 + rng.randint(3, 50))
            passages.append((w0, w1))
        code = bisect.bisect(cumulative, rng.random() * cumulative[-1])
        out.append((min(code, len(cumulative) - 1), words[w0][0], words[w1][1]))
    return out


def generate(args, ids: dict) -> dict:
    """Documents, turns, codings and memos in bulk; returns counts."""
    from sqlalchemy import text as sql

    from app.coding.models import Coding
    from app.db import get_engine
    from app.documents.models import Document, Turn
    from app.memos.models import Memo

    rng = random.Random(args.seed)
    engine = get_engine()
    codes = ids["codes"][:]
    rng.shuffle(codes)
    cumulative, total = [], 0.0
    for rank in range(len(codes)):
        total += 1 / (rank + 1) ** 0.9
        cumulative.append(total)
    counts = dict(documents=0, turns=0, codings=0, memos=0)
    indexes = _drop_indexes(engine)
    coding_id = 0
    per_doc, extra = divmod(args.codings, args.docs)
    for first in range(0, args.docs, 500):
        docs, turns, codings, memos = [], [], [], []
        for i in range(first + 1, min(args.docs, first + 500) + 1):
            body, doc_turns = make_text(rng, i, ids["speakers"])
            day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1095))
            kind = rng.choice(KINDS)
            docs.append(dict(id=i, project_id=ids["project"], site_id=rng.choice(ids["sites"]),
                             kind=kind, title=f"{kind} {i:05d}", date=day,
                             researcher="R1", fieldwork_period=f"wave {day.year - 2020}",
                             original_filename=f"doc{i:05d}.txt", format="txt",
                             original_bytes=body.encode(),
                             content_hash=hashlib.sha256(body.encode()).hexdigest(),
                             text=body, word_count=len(body.split()), created_at=NOW,
                             created_by_id=ids["users"][0]))
            turns += [dict(document_id=i, speaker_id=sp, start=a, end=b, time_start_ms=None,
                           time_end_ms=None) for sp, a, b in doc_turns]
            for code, start, end in make_codings(rng, body, per_doc + (i <= extra), cumulative):
                coding_id += 1
                gone = rng.random() < 0.01
                codings.append(dict(
                    id=coding_id, project_id=ids["project"], document_id=i,
                    code_id=codes[code], codebook_version_id=rng.choice(ids["versions"]),
                    start=start, end=end, quote=body[start:end],
                    coder_id=rng.choice(ids["users"]),
                    origin=rng.choices(("manual", "suggested", "imported"), (85, 10, 5))[0],
                    rule="", created_at=NOW, updated_at=NOW, deleted_at=NOW if gone else None,
                    deleted_by_id=ids["users"][0] if gone else None))
                if rng.random() < 0.005:
                    memos.append(dict(project_id=ids["project"], coding_id=coding_id,
                                      kind="analytic", title="", body="A memo on this.",
                                      author_id=ids["users"][0], created_at=NOW,
                                      updated_at=NOW))
        with engine.begin() as conn:
            for table, rows in ((Document, docs), (Turn, turns), (Coding, codings),
                                (Memo, memos)):
                _load(conn, table.__table__, rows)
        for key, rows in zip(("documents", "turns", "codings", "memos"),
                             (docs, turns, codings, memos)):
            counts[key] += len(rows)
    _run(engine, indexes)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("documents", "turns", "codings", "memos"):
                conn.execute(sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    return counts


def _load(conn, table, rows: list[dict]) -> None:
    """Core insert() executemany on SQLite; COPY on PostgreSQL (psycopg)."""
    from sqlalchemy import insert

    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    quoted = ", ".join(f'"{n}"' for n in names)
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])


def _drop_indexes(engine) -> list[str]:
    """Drop the codings' secondary indexes and the search index's insert trigger (SQLite)
    for the bulk load (building them afterwards is far quicker); returns the SQL that
    makes them again."""
    from sqlalchemy import text as sql

    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.execute(sql(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'codings' AND "
                "((type = 'index' AND name LIKE 'ix_%') OR name = 'codings_fts_insert')")).all()
            for name, _ in found:
                kind = "TRIGGER" if name == "codings_fts_insert" else "INDEX"
                conn.execute(sql(f"DROP {kind} {name}"))
            return [made for _, made in found] + [
                "INSERT INTO codings_fts(codings_fts) VALUES ('rebuild')"]
        found = conn.execute(sql("SELECT indexname, indexdef FROM pg_indexes WHERE "
                                 "tablename = 'codings' AND indexname LIKE 'ix_%'")).all()
        for name, _ in found:
            conn.execute(sql(f"DROP INDEX {name}"))
        return [made for _, made in found]


def _run(engine, statements: list[str]) -> None:
    from sqlalchemy import text as sql

    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sql(statement))


def derive_and_analyze(ids: dict) -> None:
    """Count the tallies the matrices read (tallies.rebuild), then VACUUM/ANALYZE."""
    from sqlalchemy import text as sql

    from app.db import get_engine, transaction
    from app.projects.models import Project
    from app.retrieval import tallies

    with transaction() as s:
        tallies.rebuild(s, project=s.get(Project, ids["project"]))
    engine = get_engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
