"""Answer keys: what a right answer returns on a world, computed from the world's data with networkx
(linklab.exercises.answers), never by running the reference query."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from ..cases.network import CaseNetwork
from ..exercises.answers import Answer, answer_for
from ..exercises.catalogue import Exercise
from ..keys import CaseKey, ScenarioKey
from ..scenario.graphs import ScenarioGraphs


@lru_cache(maxsize=16)
def graphs_for(key: ScenarioKey | CaseKey) -> ScenarioGraphs | CaseNetwork:
    """What answer functions read: a generated scenario's graphs, or a case network."""
    if isinstance(key, CaseKey):
        return key.network()
    return ScenarioGraphs(key.scenario())


def answer_key(exercise: Exercise, key: ScenarioKey | CaseKey) -> Answer:
    return cached_answer(exercise, key)


@lru_cache(maxsize=4096)
def cached_answer(exercise: Exercise, key: ScenarioKey | CaseKey) -> Answer:
    """Answer keys are pure functions of the scenario (and, for an exercise about one organisation, of the
    key's pick): compute each once per process. The graphs are shared by every pick of one world."""
    if isinstance(key, CaseKey):
        return answer_for(exercise, graphs_for(key))
    return answer_for(exercise, graphs_for(world_key(key)), key.pick)


def world_key(key: ScenarioKey) -> ScenarioKey:
    """The key of the world itself, whichever organisation a pick asks about."""
    return replace(key, pick=0) if key.pick else key
