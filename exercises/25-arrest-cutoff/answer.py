"""The answer key of arrest-cutoff: Arrest the hub: who is cut off?

Computed from the data with networkx, never by running a query; the catalogue loads `answer` from this file
(linklab.exercises.answer_files), and linklab.exercises.answers holds what several answer keys share."""

from __future__ import annotations

from linklab.exercises.answers import Answer, arrested_hub, crew_sets, go_between, name, reach_of
from linklab.exercises.rows import Expected
from linklab.scenario.graphs import ScenarioGraphs


def answer(g: ScenarioGraphs) -> Answer:
    """Crew members (other than $hub) who reach the go-between through the organisation's network before
    $hub's arrest and no longer after it; members who never reached it are not cut off by the arrest."""
    org = g.org_network()
    the_hub, the_broker = arrested_hub(g), go_between(g)
    before = reach_of(org, the_broker)
    org.remove_node(the_hub)
    after = reach_of(org, the_broker)
    crew_members = set().union(*(m for _, m in crew_sets(g)))
    cut = [m for m in crew_members if m != the_hub and m in before and m not in after]
    return Answer(Expected([(len(cut),)]), {"hub": name(g, the_hub)})
