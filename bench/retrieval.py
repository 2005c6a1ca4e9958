"""Retrieval benchmark: excerpt queries and matrices over a million generated codings.

    .venv/bin/python bench/retrieval.py [--codings 1000000] [--docs 12000] [--runs 30]
                                        [--backend sqlite|postgres|both] [--pg-url URL]
                                        [--force] [--keep DIR] [--reuse DIR]

For each backend: a fresh database (bench/ingest.py ``prepare_database``: a SQLite file, or
PostgreSQL's schema ``public`` dropped and recreated, refused while others are connected
unless ``--force``), a project with 6 sites, 15 speakers with roles, 3 coders and the
institutional-ethnography codebook loaded twice (two versions) through
``app.codebook.service.load``. Then ``--docs`` documents of ~3,000 generated characters
(80% transcripts with speaker turns), ``--codings`` codings on word boundaries (a third of
them on or near an earlier passage, so codes co-occur; codes drawn Zipf-like; 1% removed),
and memos on 0.5% of codings, all inserted in bulk with Core ``insert()`` executemany
(search index and derived tables built afterwards), then ANALYZE. Generation is timed apart.

Each case then runs ``--runs`` times through the service functions (a new session each
run, varying the code, site or word so no two runs ask the same) and the median and p95
latency are printed against the targets. ``--keep DIR`` keeps the SQLite file in DIR;
``--reuse DIR`` measures a kept file again without generating (SQLite only).

WARNING: PostgreSQL defaults to the test suite's database and wipes it (see bench/ingest.py).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import itertools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import PHRASES  # noqa: E402
from bench.ingest import PG_URL, postgres_problem, prepare_database  # noqa: E402

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
TARGETS = {"code": 50, "and": 200, "text": 100, "code_site": 300, "cooccurrence": 500}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=12_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--keep", help="keep the SQLite database in this directory")
    parser.add_argument("--reuse", help="measure the SQLite database kept in this directory")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ generation

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


# ------------------------------------------------------------------ measurement

def cases(ids: dict):
    """(name, target key or None, runs or None, function(session, project, run)) for each
    measured query; cases without a target are the slower paths, measured for the record."""
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.matrix import matrix
    from app.retrieval.service import find_excerpts

    keys, sites = ids["keys"], [f"site-{i}" for i in range(6)]
    # every run another word: common phrase words, and place names from common to rare
    words = ["risk", PLACES[0], "police", PLACES[3], '"safety plan"', PLACES[30], "exploit*",
             PLACES[300], "referral", PLACES[2999], '"the youth worker"', PLACES[10] + "*",
             "chronology", PLACES[100], "thresh*", PLACES[1000]]

    def code(s, p, i):       # every run a different code, popular and rare alike
        return find_excerpts(s, project=p, filter=ExcerptFilter(codes=[keys[i % len(keys)]]),
                             limit=50)

    def and_(s, p, i):
        a, b = keys[i % len(keys)], keys[(i * 7 + 3) % len(keys)]
        return find_excerpts(s, project=p, limit=50, filter=ExcerptFilter(
            expr=f"{a} {'AND' if i % 2 else 'OVERLAPS'} {b}",
            sites=[sites[i % 6], sites[(i + 1) % 6]]))

    def text(s, p, i):
        return find_excerpts(s, project=p, limit=50,
                             filter=ExcerptFilter(text=words[i % len(words)]))

    def grid(rows, cols, **fields):
        def run(s, p, i):
            chosen = {k: v(i) if callable(v) else v for k, v in fields.items()}
            return matrix(s, project=p, rows=rows, cols=cols, filter=ExcerptFilter(**chosen))
        return run

    kind, site = (lambda i: [KINDS[i % len(KINDS)]]), (lambda i: [sites[i % 6]])
    coder = lambda i: [f"coder{i % 3}@example.org"]  # noqa: E731
    return [("one code, first page of 50", "code", None, code),
            ("A AND/OVERLAPS B, two sites, page of 50", "and", None, and_),
            ("full-text search, first page of 50", "text", None, text),
            ("code x site matrix, whole project", "code_site", None, grid("code", "site")),
            ("code x site matrix, one site", "code_site", None,
             grid("code", "site", sites=site)),
            ("co-occurrence, whole project", "cooccurrence", None, grid("code", "code")),
            ("co-occurrence, one site", "cooccurrence", None, grid("code", "code", sites=site)),
            ("code x site, one kind (document tallies)", None, 5,
             grid("code", "site", kinds=kind)),
            ("family x site, whole project", None, 5, grid("family", "site")),
            ("co-occurrence, one kind", None, 5, grid("code", "code", kinds=kind)),
            ("code x site, one coder (live GROUP BY)", None, 3,
             grid("code", "site", coders=coder)),
            ("code x role, one site (live GROUP BY)", None, 3, grid("code", "role", sites=site))]


def measure(ids: dict, runs: int, backend: str) -> list[tuple]:
    from app.db import transaction
    from app.projects.models import Project

    results = []
    for name, target, own_runs, fn in cases(ids):
        times = []
        for run in range((own_runs or runs) + 1):   # run 0 warms code paths, not timed
            with transaction() as s:
                project = s.get(Project, ids["project"])
                started = time.perf_counter()
                fn(s, project, run)
                if run:
                    times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        goal = TARGETS.get(target)
        verdict = (f"target p95 {goal} ms  {'ok' if p95 <= goal else 'MISSED'}" if goal
                   else f"(no target; {len(times)} runs)")
        results.append((backend, name, statistics.median(times), p95, goal))
        print(f"  {backend:8} {name:42} median {results[-1][2]:7.1f} ms  p95 {p95:7.1f} ms  "
              f"{verdict}")
    return results


def run_backend(backend: str, args) -> list[tuple]:
    from app.db import reset_engine

    keep = args.reuse or args.keep
    holder = None if keep else tempfile.TemporaryDirectory(prefix="fieldbench-retrieval-")
    data_dir = keep or holder.name
    os.makedirs(data_dir, exist_ok=True)
    os.environ["FIELDBENCH_ARGON2_PROFILE"] = "CHEAPEST"
    try:
        if args.reuse and backend == "sqlite":
            os.environ.update(DATABASE_URL=f"sqlite:///{data_dir}/bench.db",
                              FIELDBENCH_DATA_DIR=data_dir)
            reset_engine()
            ids = _ids_of_existing()
        else:
            if backend == "sqlite" and os.path.exists(f"{data_dir}/bench.db"):
                os.remove(f"{data_dir}/bench.db")
            prepare_database(argparse.Namespace(backend=backend, pg_url=args.pg_url,
                                                force=args.force), data_dir)
            started = time.perf_counter()
            ids = seed_project()
            counts = generate(args, ids)
            loaded = time.perf_counter() - started
            derive_and_analyze(ids)
            print(f"{backend}: generated {counts} in {loaded:.0f} s; derived tables and "
                  f"ANALYZE {time.perf_counter() - started - loaded:.0f} s")
        print(f"{backend}: load average before measuring {_load_average()}")
        results = measure(ids, args.runs, backend)
        print(f"{backend}: load average after measuring {_load_average()}")
        return results
    finally:
        reset_engine()
        if holder:
            holder.cleanup()


def _load_average() -> str:
    """Other work on the machine inflates the figures; the report says how much there was."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


def _ids_of_existing() -> dict:
    from sqlalchemy import select

    from app.codebook.models import Code
    from app.db import transaction
    from app.projects.models import Project

    with transaction() as s:
        project = s.scalar(select(Project).where(Project.slug == "bench"))
        codable = s.scalars(select(Code).where(Code.project_id == project.id,
                                               Code.is_category.is_(False))).all()
        codable = sorted(codable, key=lambda c: (c.position, c.id))
        return dict(project=project.id, keys=[c.key for c in codable])


def main() -> None:
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and (problem := postgres_problem(args.pg_url, args.force)):
        print(problem)
        backends.remove("postgres")
    print(f"{args.codings} codings over {args.docs} documents, 6 sites; {args.runs} runs "
          f"per case; {os.cpu_count()} CPUs")
    for backend in backends:
        run_backend(backend, args)


if __name__ == "__main__":
    main()
