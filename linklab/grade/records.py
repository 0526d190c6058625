"""checks.jsonl: every check a grading run finished, one JSON line each, appended and flushed at once.

A record counts for one *job*: the trainee, the exercise, the scenario, the sha256 of the answer's text, and
what the verdict depends on besides the answer: the exercise (its file, reference solution and registered
mistakes, `exercise_version`) and the grader (linklab's grading code, its version and the scenario
generator, `grader`). A change to any of them grades the check again, and `grade` says how many and why.

Nothing in the file is ever rewritten. A re-grade (`grade --regrade`, or a changed grader or exercise)
appends a newer record for the same check; the newest record of a job wins, and the older ones stay as they
were, for audit, with the time and the run that wrote them (`graded_at`, `run`, `why`). A not-graded check
(its server was lost) is recorded too and never counts as done: the next run grades it.

Why a file and not SQLite: the records belong with the results folder they produce (the instructor archives
or hands over that folder); an appended line is crash-safe, and a line cut short by a crash is ended before
the next one is written, then skipped when read; one grading run writes to a folder at a time (a lock file).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Callable, Iterator

from .. import __version__
from ..exercises.catalogue import Exercise
from ..scenario.generate import generator_digest
from .engine import CaseKey, CheckResult, ScenarioKey
from .status import status_of

# The code a verdict depends on (beside the generator, in generator_digest): a change to any of these
# files may change a verdict, so checks graded before are graded again.
GRADER_FILES = ("grade/guard.py", "grade/allow.py", "grade/engine.py", "grade/evaluate.py", "grade/compare.py",
                "grade/worlds.py", "grade/mutation.py", "grade/diagnosis.py", "grade/scenarios.py",
                "exercises/answers.py", "exercises/catalogue.py", "exercises/mutants.py", "feedback.py",
                "cypher.py", "cases/network.py", "keys.py")
PACKAGE = Path(__file__).resolve().parent.parent


@cache
def grader_digest() -> str:
    h = hashlib.sha256(f"{__version__}\0{generator_digest()}".encode())
    for name in GRADER_FILES:
        h.update(b"\0" + name.encode() + b"\0" + (PACKAGE / name).read_bytes())
    return h.hexdigest()[:16]


def exercise_version(exercise: Exercise) -> str:
    """The exercise file, its reference solution and its registered mistakes (they name the mistake in the
    feedback)."""
    h = hashlib.sha256(exercise.version.encode())
    for mutant in exercise.mutants:
        h.update(f"\0{mutant.name}\0{mutant.diagnosis}\0{mutant.query}".encode())
    return h.hexdigest()[:12]


def answer_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Job:
    trainee: str
    exercise: str
    key: ScenarioKey | CaseKey
    answer_sha256: str = ""
    exercise_version: str = ""
    grader: str = ""

    @property
    def ident(self) -> str:
        """What a finished check is recorded under: a change to any part means grading it again."""
        return (f"{self.trainee}\t{self.exercise}\t{self.key!r}\t{self.answer_sha256}\t{self.exercise_version}"
                f"\t{self.grader}")

    @property
    def answer_ident(self) -> tuple:
        """The same answer on the same scenario, whatever grader and exercise version judged it."""
        return self.trainee, self.exercise, repr(self.key), self.answer_sha256


RECORD_FIELDS = {"job", "answer_sha256", "exercise_version", "linklab_version", "grader", "graded_at", "run",
                 "why", "trainee", "key"}
CHECK_FIELDS = set(CheckResult.__dataclass_fields__)


@dataclass
class Record:
    """A line of checks.jsonl, as read back."""
    job: str
    result: CheckResult
    answer: tuple  # Job.answer_ident
    exercise_version: str
    grader: str


def read_records(log: Path) -> list[Record]:
    """Every readable record, in the order written (a line cut short by a crash, or from an older linklab
    that did not record the grader, is left out: that check runs again)."""
    records = []
    if not log.exists():
        return records
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
            result = CheckResult(**{k: v for k, v in row.items() if k in CHECK_FIELDS} | {
                "status": status_of(row["status"])})
            records.append(Record(row["job"], result, (row["trainee"], row["exercise"], row["key"],
                                                       row["answer_sha256"]),
                                  row["exercise_version"], row["grader"]))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            continue
    return records


def done_checks(records: list[Record]) -> dict[str, CheckResult]:
    """The newest verdict of each job; not-graded checks are not done."""
    done: dict[str, CheckResult] = {}
    for record in records:
        if record.result.status.is_verdict:
            done[record.job] = record.result
        else:
            done.pop(record.job, None)
    return done


def out_of_date(todo: list[Job], records: list[Record]) -> dict[str, int]:
    """Of the jobs to run, those whose answer was graded before under another grader, exercise version or
    set of course scenarios: how many, by reason ("the grader", "exercise ID", "the course's scenarios")."""
    before: dict[tuple, Record] = {}
    answered: set[tuple] = set()  # (trainee, exercise, answer) graded on some scenario
    for record in records:
        before[record.answer] = record
        answered.add((record.answer[0], record.answer[1], record.answer[3]))
    reasons: dict[str, int] = {}
    for job in todo:
        old = before.get(job.answer_ident)
        if old is None:
            why = "the course's scenarios" if (job.trainee, job.exercise, job.answer_sha256) in answered else ""
        elif old.grader != job.grader:
            why = "the grader"
        elif old.exercise_version != job.exercise_version:
            why = f"exercise {job.exercise}"
        else:
            why = ""
        if why:
            reasons[why] = reasons.get(why, 0) + 1
    return reasons


@contextmanager
def results_folder(out: Path, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """One grading run at a time writes to `out` (an flock that dies with its process)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".grading.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notify:
                notify(f"waiting for another grading run that writes to {out}...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class Log:
    """checks.jsonl, open for appending by one run; a line that a crash (or a full disk) cut short is ended
    first, so it is never glued to the next record (it is skipped when read)."""

    def __init__(self, path: Path, why: str = "new"):
        self.path, self.why = path, why
        self.run = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644)
        size = os.fstat(self.fd).st_size
        self.cut = bool(size) and os.pread(self.fd, 1, size - 1) != b"\n"

    def append(self, job: Job, result: CheckResult, why: str | None = None) -> None:
        """One line per finished check, written at once (raises OSError, e.g. on a full disk)."""
        record = {"job": job.ident, "trainee": job.trainee, "key": repr(job.key),
                  "answer_sha256": job.answer_sha256, "exercise_version": job.exercise_version,
                  "grader": job.grader, "linklab_version": __version__,
                  "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "run": self.run, "why": why or self.why,
                  **asdict(result)}
        line = ("\n" if self.cut else "") + json.dumps(record) + "\n"
        self.cut = True  # until the whole line is written
        view = memoryview(line.encode("utf-8"))
        while view:
            view = view[os.write(self.fd, view):]
        self.cut = False

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> "Log":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
