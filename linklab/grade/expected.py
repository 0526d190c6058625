"""Answer keys: what a right answer returns on a world, computed from the world's data with networkx
(linklab.exercises.answers), never by running the reference query."""

from __future__ import annotations

from functools import lru_cache

from ..cases.network import CaseNetwork
from ..exercises.answers import REGISTRY, Answer
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
    return cached_answer(exercise.answer, key)


@lru_cache(maxsize=4096)
def cached_answer(answer: str, key: ScenarioKey | CaseKey) -> Answer:
    """Answer keys are pure functions of the scenario: compute each once per process."""
    return REGISTRY[answer](graphs_for(key))
