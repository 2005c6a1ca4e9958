"""Export benchmark: every excerpt of a generated corpus, to each format.

    .venv/bin/python bench/export.py [--codings 101000] [--docs 5000]
                                     [--formats csv,excel-csv,jsonl,xlsx,md,docx]
                                     [--backend sqlite|postgres] [--pg-url URL]
                                     [--keep DIR] [--reuse DIR] [--force]

The corpus is bench/retrieval_corpus.py's (1% of codings removed, so 101,000 codings give
about 100,000 excerpts), loaded once. Each format then runs in a fresh interpreter
(`--child`), through `app.exports.service.write` to a file, exactly as `fieldbench export`
does; it prints the seconds taken, the excerpts written, the file's size, and the memory
the export added: the process's peak resident size (ru_maxrss) less its resident size
just before the export began (after imports and a warm-up on one excerpt).

Targets (issue #7): CSV and JSON Lines under 3 s, XLSX under 30 s, memory growth under
100 MB for any format. A Word report is refused above DOCX_LIMIT excerpts (it is built in
memory); the bench measures it at that size, with --docx-codings.

WARNING: PostgreSQL's schema `public` in --pg-url is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import postgres_problem, prepare_database  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/export_bench"
TARGETS = {"csv": 3, "excel-csv": 3, "jsonl": 3, "xlsx": 30}
MEMORY_TARGET_MB = 100


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codings", type=int, default=101_000)
    parser.add_argument("--docs", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="csv,excel-csv,jsonl,xlsx,xlsx-by-code,md,docx")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--keep", help="keep the SQLite database in this directory")
    parser.add_argument("--reuse", help="measure the SQLite database kept in this directory")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--docx-docs", type=int, default=1, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def rss_mb() -> float:
    """The current resident set size (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(args) -> dict:
    """One format, in this fresh interpreter: seconds, rows, bytes, memory growth."""
    from app.db import transaction
    from app.exports import service
    from app.projects.models import Project
    from sqlalchemy import select

    name = args.child
    fmt = name.split("-by-")[0].replace("excel-csv", "csv")
    options = {"excel": name == "excel-csv",
               "group_by": name.split("-by-")[1] if "-by-" in name else ""}
    out = Path(args.data_dir) / f"export.{name}"
    with transaction() as s:                  # warm-up: imports, one excerpt, one file
        project = s.scalar(select(Project))
        job = service.prepare(s, project=project, format=fmt, **options,
                              query_params={"document": ["1"]})
        with open(out, "wb") as f:
            service.write(s, job, f)
    before = rss_mb()
    started = time.perf_counter()
    with transaction() as s:
        project = s.scalar(select(Project))
        scope = ({"document": [str(i) for i in range(1, args.docx_docs + 1)]}
                 if fmt == "docx" else {})  # a Word report: near the most it accepts
        job = service.prepare(s, project=project, format=fmt, **options, query_params=scope)
        with open(out, "wb") as f:
            rows = service.write(s, job, f)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"format": name, "seconds": seconds, "rows": rows, "mb": out.stat().st_size / 2**20,
            "growth_mb": peak - before, "rss_before_mb": before}


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        os.environ.setdefault("FIELDBENCH_ARGON2_PROFILE", "CHEAPEST")
        print(json.dumps(child(args)))
        return
    os.environ["FIELDBENCH_ARGON2_PROFILE"] = "CHEAPEST"
    holder = None if (args.keep or args.reuse) else tempfile.TemporaryDirectory(
        prefix="fieldbench-export-")
    data_dir = args.reuse or args.keep or holder.name
    os.makedirs(data_dir, exist_ok=True)
    try:
        env = build(args, data_dir)
        docx_docs = docs_for_docx(args)
        print(f"{args.backend}: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"({os.cpu_count()} CPUs)")
        for name in args.formats.split(","):
            command = [sys.executable, __file__, "--child", name, "--data-dir", data_dir,
                       "--docx-docs", str(docx_docs)]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode:
                print(f"  {name:14} FAILED\n{done.stderr[-3000:]}")
                continue
            report(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if holder:
            holder.cleanup()


def build(args, data_dir: str) -> dict:
    """The corpus (made, or reused with --reuse); the environment for the children."""
    from app.db import reset_engine
    from bench.retrieval_corpus import derive_and_analyze, generate, seed_project

    url = args.pg_url if args.backend == "postgres" else f"sqlite:///{data_dir}/bench.db"
    if args.reuse:
        os.environ.update(DATABASE_URL=url, FIELDBENCH_DATA_DIR=data_dir)
    else:
        if args.backend == "postgres" and (problem := postgres_problem(url, args.force)):
            sys.exit(problem)
        if args.backend == "sqlite" and os.path.exists(f"{data_dir}/bench.db"):
            os.remove(f"{data_dir}/bench.db")
        prepare_database(argparse.Namespace(backend=args.backend, pg_url=args.pg_url,
                                            force=args.force), data_dir)
        started = time.perf_counter()
        ids = seed_project()
        counts = generate(argparse.Namespace(codings=args.codings, docs=args.docs,
                                             seed=args.seed), ids)
        derive_and_analyze(ids)
        print(f"{args.backend}: generated {counts} in {time.perf_counter() - started:.0f} s")
    reset_engine()
    return dict(os.environ)


def docs_for_docx(args) -> int:
    """How many of the first documents hold just under the Word report's limit."""
    from app.exports.service import DOCX_LIMIT

    per_doc = max(1, args.codings // args.docs)
    return max(1, int(DOCX_LIMIT * 0.95) // per_doc)


def report(r: dict) -> None:
    target = TARGETS.get(r["format"].split("-by-")[0])
    time_ok = "" if target is None else (
        f"target {target} s {'ok' if r['seconds'] <= target else 'MISSED by %.1f s' % (r['seconds'] - target)}")
    memory_ok = ("ok" if r["growth_mb"] <= MEMORY_TARGET_MB
                 else f"MISSED by {r['growth_mb'] - MEMORY_TARGET_MB:.0f} MB")
    print(f"  {r['format']:14} {r['rows']:>7} excerpts {r['seconds']:7.2f} s "
          f"{r['mb']:7.1f} MB file  memory +{r['growth_mb']:5.1f} MB "
          f"(target {MEMORY_TARGET_MB} MB {memory_ok})  {time_ok}")


if __name__ == "__main__":
    main()
