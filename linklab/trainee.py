"""A trainee's side: who they are, their scenarios, and checking an answer (progress: linklab.progress)."""

from __future__ import annotations

import getpass
import os
from typing import Callable, Iterator

import neo4j

from . import server as srv
from .config import Connection, local_password
from .db import connect
from .exercises.catalogue import Exercise
from .load import warm_up
from .grade.engine import (CaseKey, ExerciseVerdict, ScenarioKey, check_on_scenarios, is_loaded,
                           scenarios_for, summarise)

DEFAULT_COURSE = "linklab-101"


def identity(trainee: str | None = None, course: str | None = None) -> tuple[str, str]:
    return (trainee or os.environ.get("LINKLAB_TRAINEE") or getpass.getuser(),
            course or os.environ.get("LINKLAB_COURSE") or DEFAULT_COURSE)


def grading_instance() -> srv.Instance:
    """The local grading server: as it was last started, or 2g heap and 1g page cache the first time."""
    return srv.instance("grading") if srv.is_saved("grading") else srv.instance("grading", heap="2g", pagecache="1g")


def grading_connection(notify: Callable[[str], None] | None = None) -> Connection:
    """Where hidden seeds are loaded: LINKLAB_GRADING_URI, or a second local server started on demand,
    so that checking never replaces the scenario a trainee is exploring. Its heap and page cache are the
    ones it was last given (`linklab server start --name grading --heap ...`), 2g and 1g the first time."""
    uri = os.environ.get("LINKLAB_GRADING_URI")
    if uri:
        return Connection(uri, os.environ.get("NEO4J_USER", "neo4j"), local_password())
    inst = grading_instance()
    if not srv.running_pid(inst) and notify:
        notify(f"starting the grading server ({inst.uri}) for hidden scenarios...")
    conn = Connection(inst.uri, "neo4j", local_password())
    if not srv.start(inst).already_running:
        with connect(conn) as driver:
            warm_up(driver)  # its first scenario loads as fast as later ones
    return conn


def check(exercise: Exercise, query: str, trainee: str, course: str, case: str | None = None,
          notify: Callable[[str], None] | None = None) -> ExerciseVerdict:
    """Check an answer on the trainee's scenario and the hidden ones: on the trainee's own database where
    that scenario is loaded, else on the grading server (which loads what it needs). `notify` hears, in
    words, about waits and about starting the grading server."""
    keys = scenarios_for(exercise, course, trainee, case=case)
    grading: list[neo4j.Driver] = []

    def drivers_for(key) -> Iterator[tuple[neo4j.Driver, bool]]:
        yield local, False
        if not grading:
            grading.append(connect(grading_connection(notify)))
        yield grading[0], True

    with connect() as local:
        try:
            results = check_on_scenarios(exercise, query, keys, drivers_for, on_wait=notify)
        finally:
            for driver in grading:
                driver.close()
    return summarise(exercise, results)


def exploring(exercise: Exercise, trainee: str, course: str, case: str | None = None) -> ScenarioKey | CaseKey:
    return scenarios_for(exercise, course, trainee, case=case)[0]

