"""Ingest benchmark: a generated corpus through the service layer into a fresh database.

    .venv/bin/python bench/ingest.py [--docs 200] [--words 3000] [--batch 20]
                                     [--backend sqlite|postgres|both] [--pg-url URL]

Each backend runs in fresh subprocesses (this script with ``--child``) so figures never mix:
Alembic migrates a fresh database (SQLite: a temp file; PostgreSQL: schema ``public``
dropped and recreated, as tests/conftest.py does), a user, project and site are made, the
corpus is generated (bench/corpus.py, timed apart), then ``ingest_batch`` runs inside
``app.db.transaction()``, one transaction per ``--batch`` files, each file in its own
savepoint. Reported: documents/s, words/s (stored ``word_count``), ingest seconds, turns
stored, peak RSS (``ru_maxrss``, whole process) and the tracemalloc peak of the ingest.
tracemalloc slows ingest 2-7 times and inflates RSS, so each backend runs twice: untraced
for timings and RSS, traced for the tracemalloc peak (``--no-tracemalloc``: untraced only).

WARNING: PostgreSQL defaults to the test suite's database and wipes it: do not run the bench
during ``make test-postgres``. It refuses while other sessions are connected to that
database (checked before each wipe) unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MB = 1024 * 1024
COLUMNS = (("backend", "backend", "{}"), ("docs", "docs", "{}"), ("words", "words", "{}"),
           ("turns", "turns", "{}"), ("gen_s", "gen s", "{:.2f}"),
           ("ingest_s", "ingest s", "{:.2f}"), ("docs_per_s", "docs/s", "{:.1f}"),
           ("words_per_s", "words/s", "{:.0f}"), ("rss_before_mb", "RSS before", "{:.0f}"),
           ("rss_peak_mb", "RSS peak", "{:.0f}"), ("tracemalloc_mb", "tm peak", "{}"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``--child`` is internal: one backend, JSON on the last line)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=20, help="files per transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the second, traced run per backend")
    parser.add_argument("--force", action="store_true",
                        help="wipe PostgreSQL even if other sessions are connected")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ------------------------------------------------------------------ child: one backend

def prepare_database(args: argparse.Namespace, data_dir: str) -> None:
    """Point the app at a fresh, migrated database for ``args.backend``."""
    from alembic import command
    from alembic.config import Config

    from app.db import reset_engine

    backend = args.backend
    url = args.pg_url if backend == "postgres" else f"sqlite:///{data_dir}/bench.db"
    os.environ.update(DATABASE_URL=url, FIELDBENCH_DATA_DIR=data_dir,
                      FIELDBENCH_SECRET_KEY=secrets.token_urlsafe(40))
    if backend == "postgres":
        if problem := postgres_problem(url, args.force):  # checked again just before the wipe
            sys.exit(problem)
        reset_postgres(url)
    reset_engine()
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


def reset_postgres(url: str) -> None:
    """Drop and recreate schema ``public`` (everything in it is lost)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed_project() -> tuple[int, int, int]:
    """A user, a project and a site to ingest into: their ids."""
    from app.accounts import service as accounts
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as session:
        user = accounts.create(session, email="bench@example.org", password="bench-password")
        project = projects.create(session, slug="bench", name="Bench", owner=user)
        site = projects.add_site(session, project=project, slug="riverside", name="Riverside",
                                 by=user, governance="statutory", country="England")
        return user.id, project.id, site.id


def ingest_corpus(corpus: list[tuple[str, bytes]], ids: tuple[int, int, int],
                  batch: int) -> tuple[int, int, list[tuple[str, str]]]:
    """Ingest in batches, one transaction each: (documents added, words, refusals)."""
    from app.accounts.models import User
    from app.db import transaction
    from app.documents.service import DocumentMeta, ingest_batch
    from app.projects.models import Project, Site
    from app.settings import get_settings

    added = words = 0
    refused: list[tuple[str, str]] = []
    for first in range(0, len(corpus), batch):
        with transaction() as session:
            user, project, site = (session.get(model, id_) for model, id_
                                   in zip((User, Project, Site), ids))
            meta = DocumentMeta(site=site, kind="observation", researcher="R1")
            items = ((name, data, meta) for name, data in corpus[first:first + batch])
            report = ingest_batch(session, project=project, items=items, by=user,
                                  max_bytes=get_settings().max_upload_bytes)
            added += len(report.added)
            words += sum(document.word_count for document, _ in report.added)
            refused += report.refused
    return added, words, refused


def count_turns() -> int:
    """Turns stored in the whole database."""
    from sqlalchemy import func, select

    from app.db import transaction
    from app.documents.models import Turn

    with transaction() as session:
        return session.scalar(select(func.count()).select_from(Turn))


def peak_rss_mb() -> float:
    """The process's peak resident set (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


def run_backend(args: argparse.Namespace) -> dict:
    """Everything the child measures, as a dict for the parent's table."""
    from bench.corpus import make_corpus

    with tempfile.TemporaryDirectory(prefix="fieldbench-bench-") as data_dir:
        prepare_database(args, data_dir)
        ids = seed_project()
        started = time.perf_counter()
        corpus = make_corpus(args.docs, args.words, args.seed)
        gen_s = time.perf_counter() - started
        gc.collect()
        rss_before = peak_rss_mb()
        if not args.no_tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        added, words, refused = ingest_corpus(corpus, ids, args.batch)
        ingest_s = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[1] / MB if tracemalloc.is_tracing() else None
        tracemalloc.stop()
        for name, reason in refused:
            print(f"REFUSED {name}: {reason}", file=sys.stderr)
        return dict(backend=args.backend, docs=added, words=words, turns=count_turns(),
                    gen_s=gen_s, corpus_mb=sum(len(d) for _, d in corpus) / MB,
                    ingest_s=ingest_s, docs_per_s=added / ingest_s, words_per_s=words / ingest_s,
                    rss_before_mb=rss_before, rss_peak_mb=peak_rss_mb(),
                    tracemalloc_mb="off" if traced is None else f"{traced:.0f}",
                    refused=len(refused))


# ------------------------------------------------------------------ parent: the report

def postgres_problem(url: str, force: bool) -> str | None:
    """Why the PostgreSQL run must be skipped, or None when it can go ahead."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            others = conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))
    except Exception as err:  # any failure to connect means: no PostgreSQL run
        return f"PostgreSQL is not reachable at {url} ({type(err).__name__}): skipped"
    finally:
        engine.dispose()
    if others and not force:
        return (f"PostgreSQL at {url} has {others} other session(s) connected (a test run?): "
                "skipped, as the bench would wipe its schema; use --force to run anyway")
    return None


def run_child(backend: str, args: argparse.Namespace, traced: bool) -> dict | None:
    """Run one backend in a fresh interpreter; its last stdout line is the JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--backend", backend,
               "--docs", str(args.docs), "--words", str(args.words), "--batch",
               str(args.batch), "--seed", str(args.seed), "--pg-url", args.pg_url]
    command += ([] if traced else ["--no-tracemalloc"]) + (["--force"] if args.force else [])
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        print(f"{backend}: the benchmark failed (exit {done.returncode}), see above",
              file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(backend: str, args: argparse.Namespace) -> dict | None:
    """Timings and RSS from an untraced run, the tracemalloc peak from a traced one."""
    result = run_child(backend, args, traced=False)
    traced = None if args.no_tracemalloc or result is None else run_child(backend, args, True)
    if result is not None and traced is not None:
        result.update(tracemalloc_mb=traced["tracemalloc_mb"], traced_s=traced["ingest_s"])
    return result


def print_report(results: list[dict], args: argparse.Namespace) -> None:
    """The machine, the set-up, and one line per backend."""
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python "
          f"{platform.python_version()} ({platform.system()} {platform.release()})")
    print(f"corpus: {args.docs} docs x ~{args.words} words, seed {args.seed}, "
          f"formats in equal shares; one transaction per {args.batch} files")
    for result in results:
        traced = f", traced run {result['traced_s']:.2f} s" if "traced_s" in result else ""
        print(f"  {result['backend']}: corpus {result['corpus_mb']:.1f} MB, "
              f"refused {result['refused']}{traced}")
    rows = [[heading for _, heading, _ in COLUMNS]]
    rows += [[fmt.format(r[key]) for key, _, fmt in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))
    print("(MB; RSS before = peak RSS before ingest; "
          "tm peak = tracemalloc peak of ingest, traced run)")


def main() -> None:
    """Parent: check PostgreSQL, run each backend, print the table. Child: one backend."""
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # keep our lines in order with the children's
    if args.child:
        print(json.dumps(run_backend(args)))
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and (problem := postgres_problem(args.pg_url, args.force)):
        print(problem)
        backends.remove("postgres")
    results = [r for r in map(lambda b: measure(b, args), backends) if r is not None]
    print_report(results, args)
    sys.exit(0 if results and len(results) == len(backends) else 1)


if __name__ == "__main__":
    main()
