"""A course's hidden worlds: chosen from the course secret, against every mutant, kept out of reach.

For each course and world design (the one investigation world; or imported case) there is a pool of candidate worlds, derived from the course
secret (keys.course_secret), so knowing the course id is not enough to make them: a world as the generator
makes it (a realistic one, so that literal answers fail too) and LINKLAB_CANDIDATES varied ones
(scenario.variation: every habit of the generator that no prompt promises, broken). `prepare` runs every
mutant of every exercise there, the hand-written ones (exercises.mutants, named diagnoses) and the
automatic ones (grade.mutation), through the same step as a check (grade.evaluate):

1. every mutant on the realistic world, which is always one of the hidden worlds;
2. the mutants that survive it on every varied candidate;
3. a few of them, greedily, so that together they fail every mutant any candidate can tell from the
   reference, and give each exercise more than one answer (so that a copied answer fails too): where every
   candidate answers an exercise alike, further varied worlds are looked at (answers only, LINKLAB_SPARE_CANDIDATES);
   a candidate or spare that answers it otherwise is chosen as well, where the chosen worlds would all agree;
4. the mutants no candidate could tell apart are run on LINKLAB_EQUIVALENCE_POOL more varied worlds: those that
   agree with the reference there too are reported as probably equivalent (listed, never hidden).

The choice is stored in SQLite (STATE/worlds.db) with the digests of every mutant's rows on the worlds
where it ran, which the feedback uses to name a mistake only when an answer's rows equal that mistake's on
every world checked (grade.diagnosis). It is valid for one secret, course, set of mutants, answer keys and
generator; anything else prepares it again. Preparing is for ahead of class or the background, never
inside a trainee's check.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import neo4j

from .. import config
from ..config import chosen_exercises, open_sqlite, state_dir
from ..exercises.answer_files import answer_function
from ..exercises.catalogue import Exercise, case_catalogue, catalogue, get
from ..keys import CaseKey, ScenarioKey, course_secret, derive_seed
from ..scenario.generate import generator_digest
from ..variation.vary import variation_digest
from . import mutation, ordering
from .evaluate import Trial, rows_digest, run_batch
from ..errors import LinklabError
from ..exercises.answers import asked_org
from .expected import answer_key, graphs_for, world_key
from .loading import ensure_loaded
from .status import Status

A, B = TypeVar("A"), TypeVar("B")
HIDDEN_SIZE = "tiny"
# How many candidate worlds a preparation tries (config.preparation_candidates, equivalence_pool,
# case_candidates, spare_candidates) and how many batches it runs side by side (config.preparing_sessions) are
# settings, read when used. Spare worlds are looked at (their answers only, computed without the database) when
# every candidate gives an exercise one answer: the hidden worlds must not all share one, or a copied answer
# passes on them.
LEAST_HIDDEN, MOST_HIDDEN = 2, 4  # hidden worlds an answer is checked on (the realistic one included; one more
# where these would all give an exercise one answer: preparing)
CHOICE_RULES = 2  # raised when the way worlds are chosen changes: every stored choice is then made again


@dataclass(frozen=True)
class MutantSpec:
    """One mistake to run: a hand-written one (its file's name) or an automatic one (operator@place)."""
    name: str
    diagnosis: str
    query: str
    written: bool


def exercises_of(world: str) -> tuple[Exercise, ...]:
    """A case's exercises, or for a generated world (one design) every exercise on generated scenarios."""
    if world.startswith("case/"):
        return case_catalogue()
    return catalogue()


def schema_for(world: str, extra: str = "") -> mutation.Schema:
    if world.startswith("case/"):
        from ..cases.network import stored as stored_case

        return mutation.case_schema(stored_case(world[5:]).rel_type)
    return mutation.schema_of_model()


def mutant_specs(exercise: Exercise, schema: mutation.Schema, params: dict) -> tuple[MutantSpec, ...]:
    """The exercise's hand-written mutants, then the automatic ones (none the same query twice)."""
    written = tuple(MutantSpec(m.name, m.diagnosis, m.query, True) for m in exercise.mutants)
    made = made_mutants(exercise.solution, schema, mutation.param_types(params),
                        tuple(m.query for m in exercise.mutants))
    return written + tuple(MutantSpec(m.name, m.diagnosis, m.query, False) for m in made)


@lru_cache(maxsize=256)
def made_mutants(reference: str, schema: mutation.Schema, types: tuple, known: tuple[str, ...]
                 ) -> tuple[mutation.AutoMutant, ...]:
    """mutation.mutants_of, kept in the worlds database: making them parses every mutant with ANTLR's Python
    runtime (most of a minute for the investigation world's exercises), and every process that prepares a
    course (the lab's, a class server's, `linklab import`'s) makes the same ones. Kept per text of the
    reference, schema, parameter types, hand-written mutants and code that makes them (mutation_code)."""
    digest = hashlib.sha256(json.dumps([mutation_code(), reference, repr(schema), types, known]).encode()).hexdigest()
    with connect() as db:
        row = db.execute("SELECT data FROM made_mutants WHERE digest = ?", (digest,)).fetchone()
    if row:
        return tuple(mutation.AutoMutant(*fields) for fields in json.loads(row[0]))
    made = mutation.mutants_of_types(reference, schema, types, known)
    data = json.dumps([[m.name, m.operator, m.diagnosis, m.query] for m in made])
    try:
        with connect() as db:  # two processes making the same ones store one row: both made them alike
            db.execute("INSERT OR IGNORE INTO made_mutants (digest, data) VALUES (?, ?)", (digest, data))
    except sqlite3.OperationalError:
        pass  # a full disk or a busy database loses the shortcut only: the next process makes them again
    return made


@cache
def mutation_code() -> str:
    """A digest of the code that decides which mutants a reference has: the operators, the guard's allowlists
    that vet them and the parser (its grammar too)."""
    h = hashlib.sha256()
    package = Path(mutation.__file__).parent.parent / "cypherlang"
    for path in [Path(mutation.__file__), Path(mutation.__file__).with_name("allow.py"),
                 *sorted(package.glob("*.py")), *sorted((package / "grammar").iterdir())]:
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def candidate_keys(course: str, world: str, extra: str = "", count: int | None = None,
                   start: int = 1) -> list[ScenarioKey | CaseKey]:
    """The candidates of a world: the realistic one first (start=1), then `count` (by default
    config.preparation_candidates(), read when called) varied ones. For a case, hidden variants of it
    (cases.network). Keys carry hidden=-1 (a candidate, never shown)."""
    count = config.preparation_candidates() if count is None else count
    secret = course_secret()
    if world.startswith("case/"):
        return [CaseKey(world[5:], derive_seed(secret, course, "hidden", world, str(k)), extra, -1)
                for k in range(start, start + count)]
    keys = [ScenarioKey(world, HIDDEN_SIZE, derive_seed(secret, course, "hidden", world, "0"), -1)] \
        if start == 1 else []
    return keys + [ScenarioKey(world, HIDDEN_SIZE, derive_seed(secret, course, "hidden", world, str(k)), -1,
                               varied=True) for k in range(start, start + count)]


def content_digest(world: str, extra: str = "") -> str:
    """Changes when a reference, a hand-written mutant, an answer key's code, the mutation operators, the
    generator or the exercises the course offers (config.chosen_exercises) change: then the choice is made
    again."""
    offered = tuple(e.id for e in catalogue()) if chosen_exercises() else ()  # "1,crews" and "crews,01" alike
    return digest_of_content(world, extra, offered, pools_tried())


def pools_tried() -> str:
    """The candidate pools a preparation tries and the rules it chooses by: a choice made with others is made
    again."""
    return (f"{config.preparation_candidates()}/{config.equivalence_pool()}/{config.case_candidates()}/"
            f"{config.spare_candidates()}/rules {CHOICE_RULES}")


@lru_cache(maxsize=64)
def digest_of_content(world: str, extra: str, chosen: tuple[str, ...], pools: str) -> str:
    from ..exercises import answers

    h = hashlib.sha256(f"{generator_digest()}\n{variation_digest()}\n{extra}\n{pools}\n{mutation_code()}\n".encode())
    for module in (answers, ordering):  # what decides a mutant's verdict (which mutants exist: mutation_code)
        h.update(Path(module.__file__).read_bytes())
    for exercise in exercises_of(world):
        h.update(exercise.id.encode() + exercise.solution.encode() + exercise.path.read_bytes()
                 + exercise.answer_path.read_bytes())
        for mutant in exercise.mutants:
            h.update(mutant.name.encode() + mutant.query.encode())
    return h.hexdigest()[:24]


# ---------------------------------------------------------------- the stored choice


def database() -> Path:
    return state_dir() / "worlds.db"


@contextmanager
def connect() -> Iterator[sqlite3.Connection]:
    """The worlds database, in autocommit mode (a writer opens its own transaction), closed afterwards."""
    db = open_sqlite(database())
    try:
        db.executescript(SCHEMA)
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'choices'").fetchone():
            keep_old_choices(db)
        yield db
    finally:
        db.close()


# A course keeps one choice per content and secret (choice_digest): a course that offers a few exercises for a
# while, or whose secret changes and changes back, finds its earlier choices again instead of making them anew.
SCHEMA = """
CREATE TABLE IF NOT EXISTS course_choices (course TEXT NOT NULL, world TEXT NOT NULL, digest TEXT NOT NULL,
    made REAL NOT NULL, data TEXT NOT NULL, PRIMARY KEY (course, world, digest));
CREATE TABLE IF NOT EXISTS mutants (world TEXT NOT NULL, content TEXT NOT NULL, exercise TEXT NOT NULL,
    mutant TEXT NOT NULL, diagnosis TEXT NOT NULL, written INTEGER NOT NULL, query TEXT NOT NULL,
    PRIMARY KEY (world, content, exercise, mutant));
CREATE TABLE IF NOT EXISTS trials (load TEXT NOT NULL, token TEXT NOT NULL, content TEXT NOT NULL,
    exercise TEXT NOT NULL, mutant TEXT NOT NULL, status TEXT NOT NULL, digest TEXT NOT NULL,
    PRIMARY KEY (load, content, exercise, mutant));
CREATE INDEX IF NOT EXISTS trials_by_world ON trials (token, content, exercise);
CREATE TABLE IF NOT EXISTS made_mutants (digest TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS progress (course TEXT NOT NULL, world TEXT NOT NULL, pid INTEGER NOT NULL,
    fraction REAL NOT NULL, message TEXT NOT NULL, eta REAL, updated REAL NOT NULL, PRIMARY KEY (course, world));
"""


def keep_old_choices(db: sqlite3.Connection) -> None:
    """Move the choices of a worlds database from before course_choices (one per course and world) into it."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'choices'").fetchone():  # not moved meanwhile
            db.execute("INSERT OR IGNORE INTO course_choices SELECT course, world, digest, made, data FROM choices")
            db.execute("DROP TABLE choices")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@dataclass
class Choice:
    """A course's hidden worlds for one profile or case, and what is known of the mutants there."""
    keys: list  # (seed, varied) of the chosen worlds, in order
    mutants: int = 0
    written: int = 0
    automatic: int = 0
    killed: int = 0  # failed on at least one chosen world
    killed_first: int = 0  # failed on the realistic world (or, for a case, on the case itself)
    equivalent: list[str] = field(default_factory=list)  # "exercise/mutant": agree with the reference everywhere
    survivors: list[str] = field(default_factory=list)  # told apart by a candidate, not by the chosen worlds
    seconds: float = 0.0
    per_exercise: dict = field(default_factory=dict)  # exercise -> [written, automatic, equivalent, killed]

    def to_json(self) -> str:
        return json.dumps(self.__dict__, separators=(",", ":"))


def choice_digest(world: str, extra: str = "") -> str:
    """What a stored choice must have been made under: the content (content_digest) and the course's secret,
    by a fingerprint. The chosen worlds are seeds derived from the secret: an instructor who changes it gets
    new hidden worlds, never the old secret's."""
    fingerprint = hashlib.sha256(f"linklab hidden-world choice\n{course_secret()}".encode()).hexdigest()[:12]
    return f"{content_digest(world, extra)}/{fingerprint}"


def stored_choice(course: str, world: str, extra: str = "") -> Choice | None:
    with connect() as db:
        row = db.execute("SELECT data FROM course_choices WHERE course = ? AND world = ? AND digest = ?",
                         (course, world, choice_digest(world, extra))).fetchone()
    return None if row is None else Choice(**json.loads(row[0]))


def store(course: str, world: str, extra: str, choice: Choice, specs: dict[str, tuple[MutantSpec, ...]],
          trials: list[tuple]) -> None:
    """The choice, the mutants it was made against, and how they did where they ran ((load, token, exercise,
    mutant, status, digest)): one transaction."""
    content = content_digest(world, extra)
    with connect() as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR REPLACE INTO course_choices VALUES (?, ?, ?, ?, ?)",
                       (course, world, choice_digest(world, extra), time.time(), choice.to_json()))
            db.executemany("INSERT OR REPLACE INTO mutants VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(world, content, exercise, s.name, s.diagnosis, int(s.written), s.query)
                            for exercise, found in specs.items() for s in found])
            db.executemany("INSERT OR REPLACE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(load, token, content, exercise, mutant, status, digest)
                            for load, token, exercise, mutant, status, digest in trials])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def asked_here(key: ScenarioKey | CaseKey, exercise: str) -> str:
    """What a trainee's organisation pick made the exercise ask on this world, as a short digest of its
    parameters ("" without a pick). Mutants' rows are filed by it, not by the pick: in a class the trainees
    asked about the same organisation share them, instead of running every mistake again for each trainee."""
    if not getattr(key, "pick", 0):
        return ""
    params = answer_key(get(exercise), key).params
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]


def trial_token(key: ScenarioKey | CaseKey, exercise: str) -> str:
    """Where mutants' rows are filed: the world's token, and what the exercise asks there (asked_here)."""
    asked = asked_here(key, exercise)
    return key.token() + (f"/asked {asked}" if asked else "")


def trial_load(key: ScenarioKey | CaseKey, load: str, exercise: str) -> str:
    asked = asked_here(key, exercise)
    return load + (f"/asked {asked}" if asked and load else "")


def world_of(key: ScenarioKey | CaseKey) -> tuple[str, str]:
    """(world, extra) of a key: its profile, or its case and the case's digest."""
    return (f"case/{key.case}", key.case_hash) if isinstance(key, CaseKey) else (key.profile, "")


def known_mutants(key: ScenarioKey | CaseKey, exercise: str) -> list[MutantSpec]:
    """The mutants the course's preparation ran for `exercise` in the world of `key` (none if unprepared)."""
    world, extra = world_of(key)
    with connect() as db:
        rows = db.execute("SELECT mutant, diagnosis, query, written FROM mutants WHERE world = ? AND content = ? "
                          "AND exercise = ?", (world, content_digest(world, extra), exercise)).fetchall()
    return [MutantSpec(name, diagnosis, query, bool(written)) for name, diagnosis, query, written in rows]


def trials_on_load(key: ScenarioKey | CaseKey, exercise: str, load: str) -> dict[str, tuple[str, str]]:
    """mutant -> (status, digest) on one load of world `key` (as far as a preparation or a check ran them)."""
    world, extra = world_of(key)
    with connect() as db:
        rows = db.execute("SELECT mutant, status, digest FROM trials WHERE load = ? AND content = ? AND exercise = ?",
                          (trial_load(key, load, exercise), content_digest(world, extra), exercise)).fetchall()
    return {mutant: (status, digest) for mutant, status, digest in rows}


def outcomes_on_world(key: ScenarioKey | CaseKey, exercise: str) -> dict[str, str]:
    """mutant -> passed/failed/refused on world `key`, on any load (a pass does not depend on storage order)."""
    world, extra = world_of(key)
    with connect() as db:
        rows = db.execute("SELECT mutant, status FROM trials WHERE token = ? AND content = ? AND exercise = ?",
                          (trial_token(key, exercise), content_digest(world, extra), exercise)).fetchall()
    return dict(rows)


def digests_on_world(key: ScenarioKey | CaseKey, exercise: str) -> dict[str, set[str]]:
    """mutant -> the digests of its rows on world `key`, on every load it ran on."""
    world, extra = world_of(key)
    with connect() as db:
        rows = db.execute("SELECT mutant, digest FROM trials WHERE token = ? AND content = ? AND exercise = ?",
                          (trial_token(key, exercise), content_digest(world, extra), exercise)).fetchall()
    found: dict[str, set[str]] = {}
    for mutant, digest in rows:
        found.setdefault(mutant, set()).add(digest)
    return found


def remember_trials(key: ScenarioKey | CaseKey, exercise: str, specs: list[MutantSpec], trials: list) -> None:
    """Store what mutants did on a world; a trial that was not graded (stopped by time on a busy server, or
    never run) is left out, to be run again when it is next needed."""
    kept = [(s, t) for s, t in zip(specs, trials) if t.status is not Status.NOT_GRADED]
    world, extra = world_of(key)
    content, token = content_digest(world, extra), trial_token(key, exercise)
    with connect() as db:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT OR REPLACE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(trial_load(key, t.load, exercise), token, content, exercise, s.name, t.status, t.digest)
                        for s, t in kept])
        db.execute("COMMIT")


def hidden_keys(course: str, world: str, extra: str = "") -> list[ScenarioKey | CaseKey]:
    """The chosen hidden worlds, numbered 1, 2... as trainees see them; until the course is prepared, the
    realistic candidate and the first varied one."""
    choice = stored_choice(course, world, extra)
    if world.startswith("case/"):
        seeds = [s for s, _ in choice.keys] if choice else \
            [k.variant for k in candidate_keys(course, world, extra, LEAST_HIDDEN)]
        return [CaseKey(world[5:], seed, extra, n) for n, seed in enumerate(seeds, start=1)]
    pairs = choice.keys if choice else [(k.seed, k.varied) for k in candidate_keys(course, world, extra, 1)]
    return [ScenarioKey(world, HIDDEN_SIZE, seed, n, varied=bool(varied)) for n, (seed, varied) in enumerate(pairs, 1)]


def key_pair(key) -> tuple[int, bool]:
    return (key.variant, False) if isinstance(key, CaseKey) else (key.seed, key.varied)


# ---------------------------------------------------------------- preparing a course, and telling how far it is


class Tracker:
    """A preparation's progress: said to the caller (with the time left, once it can be told) and written to
    the worlds database, so that another process waiting for the same course can say it too."""

    def __init__(self, course: str, world: str, say: Callable[[str], None]):
        self.course, self.world, self.say = course, world, say
        self.began = time.monotonic()

    def step(self, fraction: float, message: str) -> None:
        elapsed = time.monotonic() - self.began
        eta = elapsed / fraction * (1 - fraction) if fraction >= 0.05 else None
        text = message + (f" (about {eta:.0f} s left)" if eta is not None else "")
        self.say(text)
        with connect() as db:
            db.execute("INSERT OR REPLACE INTO progress VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (self.course, self.world, os.getpid(), fraction, text, eta, time.time()))

    def done(self) -> None:
        with connect() as db:
            db.execute("DELETE FROM progress WHERE course = ? AND world = ?", (self.course, self.world))


@dataclass(frozen=True)
class Underway:
    """A preparation another process (or thread) is making: how far it is."""
    fraction: float
    message: str
    eta: float | None
    updated: float


def underway(course: str, world: str) -> Underway | None:
    with connect() as db:
        row = db.execute("SELECT fraction, message, eta, updated FROM progress WHERE course = ? AND world = ?",
                         (course, world)).fetchone()
    return Underway(*row) if row else None


@contextmanager
def claimed(course: str, world: str, wait: bool) -> Iterator[bool]:
    """The right to prepare (course, world) in this process: an advisory lock on a file of the state folder,
    freed when the process ends however it ends. Yields whether it was had (always, when `wait`)."""
    folder = state_dir() / "preparing"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(f"{course}\n{world}".encode()).hexdigest()[:24]
    with open(folder / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)



@dataclass
class Preparation:
    world: str
    choice: Choice

    @property
    def seconds(self) -> float:
        return self.choice.seconds


def greedy(covers: list[set[str]], least: int, most: int, covered: set[str] | None = None,
           richness: list[int] | None = None, also: list[set[str]] | None = None) -> list[int]:
    """Indexes of `least` to `most` candidates that together cover the most items (besides `covered`); a
    candidate beyond `least` only if it covers something new. Items of `also` count only among candidates
    that cover as many of `covers` (mistakes first, then worlds whose answers differ). Ties go to the richer
    candidate (more edge cases: it may catch mistakes nobody listed), then to the earlier one."""
    chosen: list[int] = []
    covered = set(covered or ())
    rich = richness or [0] * len(covers)
    extra = also or [set() for _ in covers]
    while len(chosen) < min(most, len(covers)):
        best = max((i for i in range(len(covers)) if i not in chosen),
                   key=lambda i: (len(covers[i] - covered), len(extra[i] - covered), rich[i], -i))
        if len(chosen) >= least and not (covers[best] | extra[best]) - covered:
            break
        chosen.append(best)
        covered |= covers[best] | extra[best]
    return chosen


def answer_items(answers: list[dict[str, str]]) -> list[set[str]]:
    """For each candidate, "EXERCISE!=ANSWER" for every answer other candidates give and it does not:
    covering them all means the chosen worlds do not all share one answer."""
    seen: dict[str, set[str]] = {}
    for found in answers:
        for exercise, digest in found.items():
            seen.setdefault(exercise, set()).add(digest)
    return [{f"{e}!={h}" for e, digest in found.items() for h in seen[e] if h != digest} for found in answers]


def named(exercise: Exercise, key) -> frozenset[str]:
    """Who (or what) the exercise's answer names here: the texts of its rows (names, handles...)."""
    return frozenset(v for row in answer_key(exercise, key).expected.rows for v in row if isinstance(v, str))


@lru_cache(maxsize=8192)
def named_about(exercise: Exercise, key, org: str | None) -> frozenset[str]:
    """What the exercise's answer function names when it reads the world focused on `org`: what a query
    written for this exercise returns when it is given another exercise's organisation."""
    g = graphs_for(world_key(key))
    try:
        rows = answer_function(exercise)(g.focus(org) if org else g).expected.rows
    except (LookupError, TypeError, ValueError, ZeroDivisionError):
        return frozenset()
    return frozenset(v for row in rows for v in row if isinstance(v, str))


def sibling_items(exercises: list[Exercise], key) -> set[str]:
    """"A~B" for two exercises whose answers name different people (or things) here. A trainee who answers
    the neighbouring question (the message hub for the call hub, the go-between for the top by betweenness)
    is right wherever the two coincide: covering these means the hidden worlds hold one where they do not.
    Two exercises about organisations may ask about different ones in one world; a query written for one is
    run with the other's organisation, so the two are compared on each of the organisations they ask about."""
    if isinstance(key, CaseKey):
        names = {e.id: named(e, key) for e in exercises}
        ids = sorted(e for e in names if names[e])
        return {f"{a}~{b}" for i, a in enumerate(ids) for b in ids[i + 1:] if names[a] != names[b]}
    g = graphs_for(world_key(key))
    about = {e.id: asked_org(e, g, key.pick) for e in exercises}
    by_id = {e.id: e for e in exercises}
    ids = sorted(e for e in by_id if named(by_id[e], key))
    found = set()
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            orgs = {about[a], about[b]}
            if all(named_about(by_id[a], key, org) != named_about(by_id[b], key, org) for org in orgs):
                found.add(f"{a}~{b}")
    return found


def expected_digest(exercise: Exercise, key) -> str:
    from .evaluate import normalised

    return rows_digest(exercise, normalised([list(r) for r in answer_key(exercise, key).expected.rows]))


def prepare(driver: neo4j.Driver, course: str, world: str, extra: str = "", database: str = "neo4j",
            progress: Callable[[str], None] | None = None) -> Preparation:
    """Run every mutant of the world's exercises on its candidates, choose the hidden worlds, store the
    choice (module docstring)."""
    tracker = Tracker(course, world, progress or (lambda _: None))
    try:
        return preparing(driver, course, world, extra, database, tracker)
    finally:
        tracker.done()


def preparing(driver: neo4j.Driver, course: str, world: str, extra: str, database: str,
              tracker: Tracker) -> Preparation:
    began = time.perf_counter()
    exercises = exercises_of(world)
    if world.startswith("case/"):
        first = CaseKey(world[5:], 0, extra)  # every answer is checked on the case itself
        candidates = candidate_keys(course, world, extra, config.case_candidates())
    else:
        first, *candidates = candidate_keys(course, world, extra)
    tracker.step(0.0, f"{world}: making the known and automatic mistakes of {len(exercises)} exercises, "
                      "and running them on the realistic world")
    candidates = [key for key in candidates if can_make(key)]
    spares = [] if world.startswith("case/") else spare_candidates(course, world, extra, exercises, [first] + candidates)
    candidates += spares
    schema = schema_for(world, extra)
    graphs_for(first if isinstance(first, CaseKey) else world_key(first))  # made here, not by two threads at once
    runs: dict[tuple[str, str], dict] = {}  # (exercise, mutant) -> {key: Trial}

    def record(key, exercise: Exercise, chosen_specs, trials) -> None:
        for spec, trial in zip(chosen_specs, trials):
            runs.setdefault((exercise.id, spec.name), {})[key] = trial

    def made_and_run(exercise: Exercise):  # making one exercise's mutants (Python) while another's run (Neo4j)
        made = mutant_specs(exercise, schema, answer_key(exercise, first).params)
        return made, run_batch(driver, exercise, [s.query for s in made], first, database)

    specs: dict[str, tuple[MutantSpec, ...]] = {}
    ensure_loaded(driver, first, database)  # here, so that the batches side by side all find it loaded
    for n, (exercise, (made, trials)) in enumerate(side_by_side(made_and_run, exercises), start=1):
        specs[exercise.id] = made
        record(first, exercise, made, trials)
        tracker.step(0.4 * n / len(exercises), f"{world}: the realistic world, {n} of {len(exercises)} exercises")
    specs = {e.id: specs[e.id] for e in exercises}
    total = sum(map(len, specs.values()))
    alive = {e.id: [s for s in specs[e.id] if not tells(runs[(e.id, s.name)][first])] for e in exercises}
    killed_first = total - sum(map(len, alive.values()))
    covers, answers = [], []
    for n, key in enumerate(candidates, start=1):
        tracker.step(0.4 + 0.5 * (n - 1) / max(1, len(candidates)),
                     f"{world}: varied world {n} of {len(candidates)} ({sum(map(len, alive.values()))} of "
                     f"{total} mutants left to tell apart)")
        left = [e for e in exercises if alive[e.id]]
        if left:
            ensure_loaded(driver, key, database)
        for exercise, trials in side_by_side(
                lambda e, key=key: run_batch(driver, e, [s.query for s in alive[e.id]], key, database), left):
            record(key, exercise, alive[exercise.id], trials)
        covers.append({f"{e.id}/{s.name}" for e in exercises for s in alive[e.id]
                       if tells(runs[(e.id, s.name)][key])})
        answers.append({e.id: expected_digest(e, key) for e in exercises})
    siblings = [sibling_items(exercises, key) for key in [first] + candidates]
    items = [a | s for a, s in zip(answer_items([{e.id: expected_digest(e, first) for e in exercises}] + answers),
                                   siblings)]
    on_case = world.startswith("case/")
    chosen = greedy(covers, LEAST_HIDDEN - (0 if on_case else 1), MOST_HIDDEN - (0 if on_case else 1),
                    covered=set(items[0]), richness=[edge_cases(key) for key in candidates], also=items[1:])
    chosen_keys = ([] if on_case else [first]) + [candidates[i] for i in chosen]
    alike = answered_alike(exercises, chosen_keys)
    for n, key in enumerate(candidates):  # no exercise may have one answer on every chosen world if a candidate
        if alike and n not in chosen and alike - answered_alike(exercises, chosen_keys + [key]):
            chosen.append(n)  # (or a spare) has another: beyond MOST_HIDDEN if need be, a copied answer passes else
            chosen_keys.append(key)
            alike = answered_alike(exercises, chosen_keys)
    told = set().union(*covers) if covers else set()
    caught = set().union(*(covers[i] for i in chosen)) if chosen else set()
    untold = [(e, s) for e in exercises for s in alive[e.id] if f"{e.id}/{s.name}" not in told]
    equivalent, pool_tells = equivalents(driver, course, world, extra, database, untold, tracker)
    for key, names in pool_tells:  # a world of the equivalence pool that told mutants apart: chosen too, if room
        if len(chosen_keys) < MOST_HIDDEN and names - caught:
            chosen_keys.append(key)
            caught |= names
    told |= {name for _, names in pool_tells for name in names}
    choice = Choice(
        keys=[list(key_pair(k)) for k in chosen_keys], mutants=total,
        written=sum(s.written for v in specs.values() for s in v),
        automatic=sum(not s.written for v in specs.values() for s in v),
        killed=killed_first + len(caught), killed_first=killed_first,
        equivalent=sorted(equivalent), survivors=sorted(told - caught),  # told apart, but by no chosen world
        seconds=time.perf_counter() - began,
        per_exercise={e.id: [sum(s.written for s in specs[e.id]), sum(not s.written for s in specs[e.id]),
                             sum(f"{e.id}/{s.name}" in equivalent for s in specs[e.id]),
                             sum(f"{e.id}/{s.name}" in caught or tells(runs[(e.id, s.name)][first])
                                 for s in specs[e.id])] for e in exercises})
    trials = [(t.load, k.token(), e.id, s.name, t.status, t.digest) for e in exercises for s in specs[e.id]
              for k, t in runs[(e.id, s.name)].items()]
    store(course, world, extra, choice, specs, trials)
    if on_case:  # the case as imported is what its database held before (the grading server may be the lab's)
        ensure_loaded(driver, first, database)
    tracker.say(f"{world}: {choice.killed} of {total} mutants fail on the chosen worlds; "
                f"{len(choice.equivalent)} probably equivalent; {time.perf_counter() - began:.0f} s")
    return Preparation(world, choice)


def answered_alike(exercises, keys) -> set[str]:
    """The exercises whose answer is the same on every one of these worlds."""
    return {e.id for e in exercises if len({expected_digest(e, key) for key in keys}) == 1}


def spare_candidates(course: str, world: str, extra: str, exercises, keys: list) -> list[ScenarioKey]:
    """Varied worlds beyond the candidates (and the equivalence pool), each giving a different answer to an
    exercise that every candidate answers alike: a trainee's answer copied as literal values would pass on
    hidden worlds that all share its value. The choice then covers their answers as well (answer_items)."""
    alike = answered_alike(exercises, keys)
    found: list[ScenarioKey] = []
    if not alike:
        return found
    by_id = {e.id: e for e in exercises}
    shared = {e: expected_digest(by_id[e], keys[0]) for e in alike}  # the one answer every candidate gives
    start = config.preparation_candidates() + config.equivalence_pool() + 1
    for key in candidate_keys(course, world, extra, config.spare_candidates(), start=start):
        if not can_make(key):
            continue
        differs = {e for e in alike if expected_digest(by_id[e], key) != shared[e]}
        if differs:
            found.append(key)
            alike -= differs
        if not alike:
            break
    return found


def side_by_side(work: Callable[[A], B], items: list[A]) -> Iterator[tuple[A, B]]:
    """(item, work(item)) for every item, as each finishes, config.preparing_sessions() at a time: Neo4j plans and runs
    each on a core of its own (planning a new query is most of its time on a tiny world), and one batch's
    Python (making mutants, comparing rows) runs while another waits for the server. The first error stops
    the others and is raised."""
    sessions = config.preparing_sessions()
    if sessions <= 1 or len(items) <= 1:
        yield from ((item, work(item)) for item in items)
        return
    pool = ThreadPoolExecutor(sessions, thread_name_prefix="preparing")
    try:
        futures = {pool.submit(work, item): n for n, item in enumerate(items)}
        for future in as_completed(futures):
            yield items[futures[future]], future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def tells(trial: Trial) -> bool:
    """Whether a mutant's trial tells it from the reference: it failed, or was refused (an error, its rows over
    the cap). A trial stopped by the batch's time limit tells nothing (NOT_GRADED: on a busy server a quick
    query can run out of time too): the mutant is tried on the next world as if it had passed."""
    return trial.status in (Status.FAILED, Status.REFUSED)


def edge_cases(key: ScenarioKey | CaseKey) -> int:
    """How many of the variation's transforms shaped a candidate world (none for a case variant)."""
    # the graphs made for can_make hold the varied scenario: varying it again would cost seconds a world
    return len(graphs_for(key).scenario.variation) if isinstance(key, ScenarioKey) and key.varied else 0


def can_make(key: ScenarioKey | CaseKey) -> bool:
    """Whether the candidate world can be made (a seed whose generated world already breaks a prompt's
    promise cannot be varied: it is left out)."""
    try:
        graphs_for(key)
    except LinklabError:
        return False
    return True


def equivalents(driver, course: str, world: str, extra: str, database: str, untold: list,
                tracker: Tracker) -> tuple[list[str], list[tuple[ScenarioKey, set[str]]]]:
    """Of the mutants no candidate told from the reference, those that agree with it on LINKLAB_EQUIVALENCE_POOL
    more varied worlds as well: probably equivalent. Also, in the pool's order, each pool world that told
    some of the others apart, with their names (the preparation chooses it as well when there is room)."""
    if not untold or world.startswith("case/"):
        return [f"{e.id}/{s.name}" for e, s in untold], []
    tells_here: list[tuple[ScenarioKey, set[str]]] = []
    left = list(untold)
    pool = [k for k in candidate_keys(course, world, extra, config.equivalence_pool(),
                                      start=config.preparation_candidates() + 1) if can_make(k)]
    for n, key in enumerate(pool, start=1):
        tracker.step(0.9 + 0.1 * (n - 1) / max(1, len(pool)),
                     f"{world}: {len(left)} mutants agree with the reference so far; one more varied world "
                     f"({n} of {len(pool)})")
        by_exercise: dict[str, list] = {}
        for e, s in left:
            by_exercise.setdefault(e.id, []).append((e, s))
        still = []
        ensure_loaded(driver, key, database)
        for pairs, trials in side_by_side(
                lambda pairs, key=key: run_batch(driver, pairs[0][0], [s.query for _, s in pairs], key, database),
                list(by_exercise.values())):
            still += [pair for pair, trial in zip(pairs, trials) if not tells(trial)]
        if len(still) < len(left):
            tells_here.append((key, {f"{e.id}/{s.name}" for e, s in left if (e, s) not in still}))
        left = still
        if not left:
            break
    return [f"{e.id}/{s.name}" for e, s in left], tells_here


def ensure_prepared(driver: neo4j.Driver, course: str, worlds: set[tuple[str, str]], database: str = "neo4j",
                    progress: Callable[[str], None] | None = None) -> list[Preparation]:
    """Prepare each world that has no valid choice yet (on the grading server `driver`). A world another
    process is preparing is waited for, saying how far it is, instead of being prepared twice."""
    done = []
    for world, extra in sorted(worlds):
        if stored_choice(course, world, extra) is not None:
            continue
        with claimed(course, world, wait=False) as mine:
            if mine and stored_choice(course, world, extra) is None:
                done.append(prepare(driver, course, world, extra, database, progress))
                continue
        wait_for_other(course, world, extra, progress)
        if stored_choice(course, world, extra) is None:  # the other one gave up (killed): prepare it here
            with claimed(course, world, wait=True):
                if stored_choice(course, world, extra) is None:
                    done.append(prepare(driver, course, world, extra, database, progress))
    return done


def wait_for_other(course: str, world: str, extra: str, progress: Callable[[str], None] | None,
                   poll_s: float = 1.0) -> None:
    """Until the process that holds the claim on (course, world) has stored its choice or let go of it."""
    said = ""
    while stored_choice(course, world, extra) is None:
        with claimed(course, world, wait=False) as free:
            if free:
                return
        state = underway(course, world)
        message = f"another process is preparing this course's hidden worlds: {state.message}" if state else \
            "another process is preparing this course's hidden worlds"
        if progress and message != said:
            progress(message)
            said = message
        time.sleep(poll_s)


def prepare_with(open_driver, course: str, worlds: set[tuple[str, str]],
                 progress: Callable[[str], None] | None = None) -> list[Preparation]:
    """ensure_prepared on a driver opened only when some world still needs a choice."""
    missing = {w for w in worlds if stored_choice(course, *w) is None}
    if not missing:
        return []
    with open_driver() as driver:
        return ensure_prepared(driver, course, missing, progress=progress)


def not_separable(course: str, world: str, extra: str = "") -> list[tuple[str, str]]:
    """(exercise/mutant, diagnosis) of the mutants the course's worlds cannot tell from the right answer:
    the probably equivalent ones and those no chosen world fails."""
    choice = stored_choice(course, world, extra)
    if choice is None:
        return []
    diagnosis = {f"{e.id}/{m.name}": m.diagnosis for e in exercises_of(world) for m in e.mutants}
    with connect() as db:  # the automatic ones' too (what each rewrite changes), stored with the mutants
        diagnosis |= {f"{exercise}/{mutant}": said for exercise, mutant, said in db.execute(
            "SELECT exercise, mutant, diagnosis FROM mutants WHERE world = ? AND content = ?",
            (world, content_digest(world, extra))) if said}
    return [(name, diagnosis.get(name, "")) for name in choice.survivors + choice.equivalent]


def written_not_separable(course: str, world: str, extra: str = "") -> list[tuple[str, str]]:
    """not_separable's hand-written (registered) mistakes only, by the flag stored with the mutants: the
    automatic ones it lists include probably equivalent rewrites, which are no mistake."""
    with connect() as db:
        written = {f"{exercise}/{mutant}" for exercise, mutant in db.execute(
            "SELECT exercise, mutant FROM mutants WHERE world = ? AND content = ? AND written = 1",
            (world, content_digest(world, extra)))}
    return [(name, diagnosis) for name, diagnosis in not_separable(course, world, extra) if name in written]
