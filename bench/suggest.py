"""Suggestion benchmark: the codebook's patterns over a large corpus, against bare spaCy.

    .venv/bin/python bench/suggest.py [--words 1000000] [--processes 1 2] [--seed 1]
                                      [--repeat 1]

Generates a seeded corpus of fictional social-care meeting notes (speaker turns and
researcher notes, with the vocabulary the institutional-ethnography patterns look for, and
their everyday senses), then runs four configurations, each in its own subprocess so memory
is measured cleanly, in this order for every process count N:

* bare-N: `nlp.pipe` of the same pipeline (tok2vec, tagger, parser, attribute_ruler,
  lemmatizer) over the same paragraphs, in the same memory zones, without the span rulers,
  the rule matcher or the post-processing;
* suggest-N: `find_suggestions(..., n_process=N)` with the codebook's ranker, the whole
  pass (splitting, matching, ranking,
  unless/requires, snapping, offsets).

Prints words per second (and the CPU seconds of the process tree, steadier than wall time
on a shared machine), the peak memory of the process tree (the sum of the resident set,
RSS, and of the proportional set, PSS, over the process and its worker processes, sampled
every 0.2 s from /proc) and the ratio of suggestion time to bare time (target <= 1.3).
On a shared machine one run can be slowed by a neighbour; with `--repeat N` the two
configurations are run N times in turn and the fastest run of each (wall and CPU separately,
as timeit does) gives the ratio, with the largest memory seen.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import SPEAKERS  # noqa: E402

CODEBOOK = ROOT / "codebooks" / "institutional-ethnography.yaml"
WORDS_PER_DOC = 2000

# Sentences a panel, a steering group or a researcher note might hold: many carry what the
# patterns look for, some the same words in their everyday sense, the rest neither.
SENTENCES = """\
Row {n}, a {age}-year-old male, scored {score} on the screening tool and stays amber.
Any updates from the police on the older boys?
She is not engaging with the mentoring referral, so the plan is to close.
It was decided at the strategic group that every red gets a review within ten days.
The tracker was shared on screen and we went down the list row by row.
He does not meet the threshold for adult services, and he turns 18 in March.
That's a police matter, leave it with the licensing team.
There is a {months}-month waiting list for the counselling service.
We lost two posts in the cuts and there is no budget until next financial year.
Ofsted are due in the spring, so every file has to evidence the voice of the child.
The commissioner asked whether the project was value for money.
Housing sent apologies again and nobody from education joined.
I need those updates in by Friday or the dashboard goes amber.
There is no reflective space for the team, and supervision is mostly caseload numbers.
We have started a monthly reflective group with an external facilitator.
That's one for the director, not for this panel.
We piloted it in one ward and want to roll it out across the county next year.
After the pilot we went back to the drawing board with the young advisers.
The funder's report template has a box for key successes and none for mistakes.
Nobody asked her what she wanted.
The worker said she cried in the car after the meeting.
The youth worker has known him for two years and he trusts her.
She has had four workers in a year and the handover was one email.
The chair moved the discussion on before anyone answered.
The panel agreed the actions and the chair summarised the plan.
The school nurse said attendance has improved since Easter.
Mum said the family felt listened to at the review.
The detached team saw a group of young people in the park after dark.
The social worker will follow up with the school next week.
A peer group assessment is planned for the estate.
The minutes were circulated the next morning.
The mapping exercise showed three locations of concern near the station.
We talked about the five-a-side match, where the score was six four.
Her cousin's engagement party is on Saturday.
The editor said there were too many cuts in the film.
He stood on the threshold of the room before coming in.
My laptop decided it was time for updates.
The fence panel blew down in the storm last week.
The pilot announced that the flight would land early.
We took the dog to the park on Sunday.
The sandwich was good value for money.""".splitlines()
AGES = ("13", "14", "15", "16", "17")


def make_document(rng: random.Random, words: int) -> str:
    """Speaker turns and researcher notes of about `words` words."""
    people = rng.sample(SPEAKERS, 5)
    paragraphs, count = [], 0
    while count < words:
        sentences = [rng.choice(SENTENCES).format(n=rng.randint(1, 30), age=rng.choice(AGES),
                                                  score=rng.randint(5, 40),
                                                  months=rng.randint(3, 14))
                     for _ in range(rng.randint(1, 4))]
        body = " ".join(sentences)
        if rng.random() < 0.15:
            paragraphs.append(f"[RN: {body}]")
        else:
            paragraphs.append(f"{rng.choice(people)}: {body}")
        count += len(body.split())
    return "\n".join(paragraphs)


def make_corpus(total_words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs, count = [], 0
    while count < total_words:
        doc = make_document(rng, min(WORDS_PER_DOC, total_words - count))
        docs.append(doc)
        count += len(doc.split())
    return docs


# ---------------------------------------------------------------- memory of the process tree

def _status(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    out, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            children = []
        for child in map(int, children):
            out.append(child)
            stack.append(child)
    return out


class TreeMemory(threading.Thread):
    """Samples the RSS and PSS summed over this process and its descendants."""

    def __init__(self, every: float = 0.2):
        super().__init__(daemon=True)
        self.every, self.stop = every, threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.workers = 0

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            pids = [me] + _descendants(me)
            self.workers = max(self.workers, len(pids) - 1)
            self.peak_rss = max(self.peak_rss, sum(_status(p, "VmRSS") for p in pids))
            self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
            self.stop.wait(self.every)


# ---------------------------------------------------------------- one configuration

def run_config(kind: str, processes: int, words: int, seed: int, batch_size: int) -> dict:
    from app.codebook.spec import parse_yaml
    from app.nlp import suggest
    from app.nlp.pipeline import RULER_COMPONENTS, compile_ruleset, suggester

    codes = parse_yaml(CODEBOOK.read_text(encoding="utf-8"), CODEBOOK.name).codes
    docs = make_corpus(words, seed)
    n_words = sum(len(d.split()) for d in docs)
    nlp = suggester(compile_ruleset(codes))       # load before timing, as a worker would
    nlp("Warm up the model.")
    from app.nlp.ranker import ranker_for, scorer_for

    ranker = ranker_for("institutional-ethnography")     # the app ranks what patterns find
    if ranker is not None:
        scorer_for(ranker, codes)                          # compiled once, as in a worker
    memory = TreeMemory()
    memory.start()
    found = 0
    before = os.times()
    started = time.perf_counter()
    if kind == "suggest":
        for _doc_id, items in suggest.find_suggestions(enumerate(docs), codes,
                                                       n_process=processes,
                                                       batch_size=batch_size,
                                                       ranker=ranker):
            found += len(items)
    else:
        for group in suggest._groups(enumerate(docs)):
            units = [text[s:e].translate(suggest._SOFT) for _i, text in group
                     for s, e in suggest.split_units(text)]
            workers = max(1, min(processes, -(-len(units) // batch_size)))
            with nlp.select_pipes(disable=[n for n in RULER_COMPONENTS if n in nlp.pipe_names]):
                with nlp.memory_zone():
                    for _doc in nlp.pipe(units, batch_size=batch_size, n_process=workers):
                        pass
    seconds = time.perf_counter() - started
    after = os.times()
    cpu = sum(getattr(after, f) - getattr(before, f)
              for f in ("user", "system", "children_user", "children_system"))
    memory.stop.set()
    memory.join()
    return {"kind": kind, "processes": processes, "words": n_words, "documents": len(docs),
            "seconds": seconds, "cpu": cpu, "found": found, "peak_rss": memory.peak_rss,
            "peak_pss": memory.peak_pss, "workers": memory.workers,
            "self_hwm": _status(os.getpid(), "VmHWM")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of bare and suggest, alternated; the fastest of each counts")
    parser.add_argument("--run", help=argparse.SUPPRESS)   # internal: one configuration
    args = parser.parse_args()
    if args.run:
        kind, processes = args.run.split(":")
        print(json.dumps(run_config(kind, int(processes), args.words, args.seed,
                                    args.batch_size)))
        return
    print(f"suggestion benchmark: {args.words:,} words, seed {args.seed}, "
          f"batch size {args.batch_size}, {os.cpu_count()} CPUs")
    for processes in args.processes:
        best: dict[str, dict] = {}
        for round_ in range(args.repeat):
            for kind in ("bare", "suggest"):
                result = _one_run(kind, processes, args)
                _report(result, f"{kind:>7} n_process={processes}"
                        + (f" (round {round_ + 1})" if args.repeat > 1 else ""))
                kept = best.setdefault(kind, result)
                for key in ("seconds", "cpu"):        # the quietest round of each
                    kept[key] = min(kept[key], result[key])
                for key in ("peak_rss", "peak_pss"):  # the largest memory seen
                    kept[key] = max(kept[key], result[key])
        if args.repeat > 1:
            for kind in ("bare", "suggest"):
                _report(best[kind], f"{kind:>7} n_process={processes} (best of {args.repeat})")
        ratio = best["suggest"]["seconds"] / best["bare"]["seconds"]
        cpu_ratio = best["suggest"]["cpu"] / best["bare"]["cpu"]
        print(f"  ratio suggest/bare at n_process={processes}: {ratio:.2f} by wall time, "
              f"{cpu_ratio:.2f} by CPU time "
              f"({'within' if ratio <= 1.3 else 'OVER'} the 1.3 target)", flush=True)


def _one_run(kind: str, processes: int, args) -> dict:
    command = [sys.executable, __file__, "--run", f"{kind}:{processes}",
               "--words", str(args.words), "--seed", str(args.seed),
               "--batch-size", str(args.batch_size)]
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def _report(result: dict, label: str) -> None:
    print(f"  {label}: {result['seconds']:7.1f} s  "
          f"{result['words'] / result['seconds']:8,.0f} words/s  "
          f"(CPU {result['cpu']:6.1f} s)  "
          f"peak tree RSS {result['peak_rss'] / 2**20:6.0f} MiB  "
          f"PSS {result['peak_pss'] / 2**20:6.0f} MiB  "
          f"({result['workers']} worker processes"
          + (f", {result['found']:,} suggestions" if result["kind"] == "suggest" else "") + ")",
          flush=True)

if __name__ == "__main__":
    main()
