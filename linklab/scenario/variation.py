"""Varied worlds: hidden scenarios that break every regularity of the generator that no prompt promises.

`vary(scenario, seed)` returns the same kind of world with the generator's habits broken (who plays each
planted role and when it was created, ids, names, coinciding hubs, duplicate and two-way links, empty
groups, isolated members, thresholds...), while every guarantee of the exercises on it still holds.
Pure: no database here.
"""

from __future__ import annotations

from .model import Scenario


def vary(scenario: Scenario, seed: int) -> Scenario:
    """For now the scenario as generated (the transforms arrive with issue 18's worlds)."""
    return scenario
