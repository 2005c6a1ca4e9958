"""Retrieval benchmark: excerpt queries and matrices over a million generated codings.

    .venv/bin/python bench/retrieval.py [--codings 1000000] [--docs 12000] [--runs 30]
                                        [--backend sqlite|postgres|both] [--pg-url URL]
                                        [--force] [--keep DIR] [--reuse DIR]

For each backend: a fresh database (bench/ingest.py ``prepare_database``: a SQLite file, or
PostgreSQL's schema ``public`` dropped and recreated, refused while others are connected
unless ``--force``), filled with ``--docs`` documents and ``--codings`` codings as
bench/retrieval_corpus.py describes (bulk inserts; timed apart, not part of the figures).

Each case then runs ``--runs`` times through the service functions (a new session each
run, varying the code, site, kind or word so no two runs ask the same; one untimed warm-up
run first) and the median and p95 latency are printed against the targets, with the load
average, as other work on the machine inflates them, and how many SQL statements a run
sent (the fewest and the most). Cases without a target measure the slower paths
(document tallies, live GROUP BY) for the record, with fewer runs.
``--keep DIR`` keeps the SQLite file in DIR; ``--reuse DIR`` measures it again (with
``--backend postgres``: the database ``--pg-url`` holds from an earlier run). ``--only``
picks cases by target (code,and,text,code_site,cooccurrence).

WARNING: PostgreSQL defaults to the test suite's database and wipes it (see bench/ingest.py);
``--pg-url`` another (empty) database to keep clear of test runs.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import PG_URL, postgres_problem, prepare_database  # noqa: E402
from bench.retrieval_corpus import (KINDS, PLACES, derive_and_analyze, generate,  # noqa: E402
                                    seed_project)

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
    parser.add_argument("--reuse", help="measure again: the SQLite database kept in this "
                        "directory, or (postgres) the one --pg-url already holds")
    parser.add_argument("--only", default="", help="only the cases with these targets, "
                        "comma-separated: code,and,text,code_site,cooccurrence")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ measurement

def cases(ids: dict):
    """(name, target key or None, runs or None, function(session, project, run)) for each
    measured query; cases without a target are the slower paths, measured for the record."""
    from app.retrieval import matrix_counts
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.matrix import matrix
    from app.retrieval.service import find_excerpts

    # The matrices read the tallies, as they will once the coding service keeps them in step
    # (app/retrieval/matrix_counts.py TALLIES_IN_STEP); the "no tallies" cases count live.
    matrix_counts.TALLIES_IN_STEP = True
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

    def live(run):           # the same, counting live codings rather than the tallies
        def counted_live(s, p, i):
            matrix_counts.TALLIES_IN_STEP = False
            try:
                return run(s, p, i)
            finally:
                matrix_counts.TALLIES_IN_STEP = True
        return counted_live

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
            ("code x role, one site (live GROUP BY)", None, 3, grid("code", "role", sites=site)),
            ("one code, page of 50, no tallies (walk)", None, None, live(code)),
            ("code x site, whole project, no tallies", None, 3, live(grid("code", "site"))),
            ("co-occurrence, one site, no tallies", None, 1,
             live(grid("code", "code", sites=site)))]


def measure(ids: dict, runs: int, backend: str, only: str = "") -> list[tuple]:
    from sqlalchemy import event

    from app.db import get_engine, transaction
    from app.projects.models import Project

    statements = [0]

    def counted(*_):
        statements[0] += 1
    event.listen(get_engine(), "before_cursor_execute", counted)
    results = []
    for name, target, own_runs, fn in cases(ids):
        if only and target not in only.split(","):
            continue
        times, counts = [], []
        for run in range((own_runs or runs) + 1):   # run 0 warms code paths, not timed
            with transaction() as s:
                project = s.get(Project, ids["project"])
                statements[0] = 0
                started = time.perf_counter()
                fn(s, project, run)
                if run:
                    times.append((time.perf_counter() - started) * 1000)
                    counts.append(statements[0])
        p95 = (statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1
               else times[0])
        goal = TARGETS.get(target)
        verdict = (f"target p95 {goal} ms  {'ok' if p95 <= goal else 'MISSED'}" if goal
                   else f"(no target; {len(times)} runs)")
        results.append((backend, name, statistics.median(times), p95, goal))
        print(f"  {backend:8} {name:42} median {results[-1][2]:7.1f} ms  p95 {p95:7.1f} ms  "
              f"{verdict}  [{_spread(counts)} statements]")
    event.remove(get_engine(), "before_cursor_execute", counted)
    return results


def _spread(counts: list[int]) -> str:
    """How many statements a run sent: '5', or '3-5' when runs differ."""
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def run_backend(backend: str, args) -> list[tuple]:
    from app.db import reset_engine

    keep = args.reuse or args.keep
    holder = None if keep else tempfile.TemporaryDirectory(prefix="fieldbench-retrieval-")
    data_dir = keep or holder.name
    os.makedirs(data_dir, exist_ok=True)
    os.environ["FIELDBENCH_ARGON2_PROFILE"] = "CHEAPEST"
    try:
        if args.reuse:
            url = f"sqlite:///{data_dir}/bench.db" if backend == "sqlite" else args.pg_url
            os.environ.update(DATABASE_URL=url, FIELDBENCH_DATA_DIR=data_dir)
            os.environ.setdefault("FIELDBENCH_SECRET_KEY", secrets.token_urlsafe(40))
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
        results = measure(ids, args.runs, backend, args.only)
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
