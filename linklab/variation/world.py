"""A small scenario as one mutable chunk, with the look-ups and value makers that the variation transforms
(scenario.transforms) need. Written against the data model (labels, relationship types, properties), never
against one organisation's wiring or the generator's ids.

Nothing here iterates a set without sorting it first: one seed must give one world, byte for byte, in every
process (string hashing differs between processes).
"""

from __future__ import annotations

import math
import pickle
import random
from datetime import timedelta

from ..exercises.answers import asked
from ..exercises.catalogue import any_exercise as exercise
from ..scenario.builder import EPOCH, SPAN_DAYS, distance_m, handle_stem
from ..scenario.decoys import offset
from ..scenario.graphs import ScenarioGraphs
from ..scenario.model import NODE_LABELS, Chunk, Scenario, ScenarioInfo, GroundTruth

# Ids of a varied world: one shape per label (prefix + seven random digits), so that no id tells a role
# (the generator's H1, V1, WX1, L2 and low person numbers do).
PREFIX = {"Organization": "O", "Person": "P", "Account": "A", "Phone": "T", "Email": "E", "Location": "L",
          "Post": "S", "Market": "M", "Wallet": "W", "Term": "K"}
assert set(PREFIX) == set(NODE_LABELS)


# Words for organisation names that say nothing of an organisation's kind, and endings that may say the
# wrong one: a name is a label intelligence gave, not a type.
ORG_WORDS = ("North", "South", "East", "West", "Harbour", "River", "Market", "Station", "Canal", "Hill", "Park",
             "Bridge", "Tower", "Dock", "Mill", "Yard", "Quarter", "Gate", "Field", "Valley", "Stone", "Iron",
             "Silver", "Black", "Red", "Blue", "Old", "New", "Upper", "Lower", "Saint", "Crown", "Anchor")
ORG_ENDINGS = ("Crew", "Organisation", "Cartel", "Network", "Family", "Boys", "Ring", "Company", "Syndicate",
               "Group", "Clan", "Firm", "Union", "Club")


def org_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        words = rng.sample(ORG_WORDS, rng.choice((1, 2)))
        ending = [rng.choice(ORG_ENDINGS)] if rng.random() < 0.6 else []
        name = " ".join(words + ending)
        if name not in taken:
            taken.add(name)
            return name


def when(rng: random.Random) -> str:
    """A moment in the scenario's year, as the generator writes them."""
    return (EPOCH + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))).isoformat()


def copied(value):
    """A deep copy of a chunk's plain data (dicts and lists of strings and numbers), as copy.deepcopy makes it
    (a dict or list in two places stays shared in the copy) but some times faster, through pickle: the
    variation transforms copy the whole world for every edit they try (focus.plant)."""
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def copied_chunk(chunk: Chunk) -> Chunk:
    nodes, rels = copied((chunk.nodes, chunk.rels))
    return Chunk(nodes, rels)


class World:
    """One scenario's data in one chunk. Transforms change it in place through these methods (or edit rows and
    call `touch`), so that the graphs they read are never stale."""

    def __init__(self, chunk: Chunk, info: ScenarioInfo, truth: GroundTruth):
        self.chunk, self.info, self.truth = chunk, info, truth
        self._graphs: ScenarioGraphs | None = None
        self._index: dict[str, dict[str, dict]] | None = None

    @classmethod
    def materialise(cls, scenario: Scenario) -> World:
        """Every chunk of `scenario` in one (copied: the scenario's own chunks are never changed)."""
        whole = Chunk()
        for chunk in scenario.chunks():
            for label, rows in chunk.nodes.items():
                whole.nodes[label].extend(copied(rows))
            for key, rows in chunk.rels.items():
                whole.rels[key].extend(copied(rows))
        return cls(whole, scenario.info, scenario.truth)

    def copy(self) -> World:
        return World(copied_chunk(self.chunk), self.info, self.truth)

    def scenario(self) -> Scenario:
        """This world as a Scenario whose chunks are fresh copies on every call (no reader can change it)."""
        frozen = copied_chunk(self.chunk)
        return Scenario(self.info, self.truth, lambda: iter([copied_chunk(frozen)]))

    # -- reading
    def touch(self) -> None:
        """Rows were edited directly: what was derived from them is stale."""
        self._graphs, self._index = None, None

    def graphs(self) -> ScenarioGraphs:
        """The networkx view of the world as it is now (rebuilt after a change)."""
        if self._graphs is None:
            chunk = self.chunk  # not self: graphs that pointed back at their world would make a cycle
            self._graphs = ScenarioGraphs(Scenario(self.info, self.truth, lambda: iter([chunk])))
        return self._graphs

    def asked(self, exercise_id: str) -> ScenarioGraphs:
        """The world as that exercise reads it in this world: focused on the organisation it asks about (the
        transforms that plant an edge case for one exercise plant it where that exercise looks)."""
        return asked(exercise(exercise_id), self.graphs())

    def rows(self, label: str) -> list[dict]:
        return self.chunk.nodes[label]

    def row(self, label: str, node_id: str) -> dict:
        if self._index is None:
            self._index = {lab: {r["id"]: r for r in rows} for lab, rows in self.chunk.nodes.items()}
        return self._index[label][node_id]

    def rels(self, rel_type: str, start: str, end: str) -> list[dict]:
        return self.chunk.rels[(rel_type, start, end)]

    def ids(self, label: str) -> list[str]:
        return [r["id"] for r in self.chunk.nodes[label]]

    def crews(self) -> list[str]:
        return sorted(r["id"] for r in self.rows("Organization") if r.get("kind") == "crew")

    def members(self, org: str) -> list[str]:
        return sorted({r["s"] for r in self.rels("MEMBER_OF", "Person", "Organization") if r["e"] == org})

    def known_members(self) -> set[str]:
        return {r["s"] for r in self.rels("MEMBER_OF", "Person", "Organization")}

    def crew_of(self) -> dict[str, list[str]]:
        """Person -> the crews they are a known member of (sorted)."""
        crews = set(self.crews())
        out: dict[str, list[str]] = {}
        for r in self.rels("MEMBER_OF", "Person", "Organization"):
            if r["e"] in crews:
                out.setdefault(r["s"], []).append(r["e"])
        return {p: sorted(c) for p, c in out.items()}

    def accounts_of(self, person: str) -> list[str]:
        return [r["e"] for r in self.rels("USES", "Person", "Account") if r["s"] == person]

    def phones_of(self, person: str) -> list[str]:
        return [r["e"] for r in self.rels("HAS_PHONE", "Person", "Phone") if r["s"] == person]

    def attributed(self) -> set[str]:
        return {r["e"] for r in self.rels("USES", "Person", "Account")}

    def platforms(self) -> list[str]:
        """The platforms that people's attributed accounts are on (not darknet markets)."""
        attributed = self.attributed()
        return sorted({r["platform"] for r in self.rows("Account") if r["id"] in attributed})

    def slang_terms(self) -> list[str]:
        return sorted(r["term"] for r in self.rows("Term"))

    def is_slang(self, text: str) -> bool:
        lowered = text.lower()
        return any(t.lower() in lowered for t in self.slang_terms())

    # -- writing: new things go to a random place in their list, so creation order tells nothing
    def new_id(self, label: str, rng: random.Random) -> str:
        taken = set(self.ids(label))
        while True:
            candidate = f"{PREFIX[label]}{rng.randrange(1_000_000, 10_000_000)}"
            if candidate not in taken:
                return candidate

    def add(self, label: str, rng: random.Random, **props) -> str:
        node_id = self.new_id(label, rng)
        rows = self.chunk.nodes[label]
        rows.insert(rng.randrange(len(rows) + 1), {"id": node_id, **props})
        self.touch()
        return node_id

    def link(self, rel_type: str, start_label: str, start: str, end_label: str, end: str,
             rng: random.Random, **props) -> None:
        rows = self.chunk.rels[(rel_type, start_label, end_label)]
        rows.insert(rng.randrange(len(rows) + 1), {"s": start, "e": end, "p": props})
        self.touch()

    def unlink(self, rel_type: str, start_label: str, end_label: str, drop) -> int:
        """Remove the relationships for which drop(row) is true; how many went."""
        rows = self.chunk.rels[(rel_type, start_label, end_label)]
        kept = [r for r in rows if not drop(r)]
        self.chunk.rels[(rel_type, start_label, end_label)] = kept
        self.touch()
        return len(rows) - len(kept)

    # -- values that look like the generator's
    def person_name(self, rng: random.Random) -> str:
        """A first name and a last name seen in this world, in a combination nobody has."""
        names = sorted({r["name"] for r in self.rows("Person")})
        firsts = sorted({n.split()[0] for n in names})
        lasts = sorted({n.split()[-1] for n in names})
        taken = set(names)
        for _ in range(1000):
            name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
            if name not in taken:
                return name
        return f"{rng.choice(firsts)} {chr(65 + rng.randrange(26))}. {rng.choice(lasts)} {rng.randrange(2, 1000)}"

    def handle(self, base: str, rng: random.Random) -> str:
        stem = handle_stem(base)
        taken = {r["handle"] for r in self.rows("Account")}
        handle = stem if len(stem) >= 5 else f"{stem}{rng.randrange(10, 10_000)}"
        while handle in taken:
            handle = f"{stem}{rng.choice(('_', '.', ''))}{rng.randrange(10, 10_000)}"
        return handle

    def phone_number(self, rng: random.Random) -> str:
        numbers = sorted(r["number"] for r in self.rows("Phone"))
        prefix = numbers[0].rsplit(" ", 1)[0] if numbers else "+1 555"
        taken = set(numbers)
        while True:
            number = f"{prefix} {rng.randrange(1_000_000, 10_000_000)}"
            if number not in taken:
                return number

    def new_person(self, rng: random.Random, name: str | None = None) -> str:
        born = sorted({r["born"] for r in self.rows("Person")}) or [1980]
        nationality = self.rows("Person")[0]["nationality"] if self.rows("Person") else "US"
        person = self.add("Person", rng, name=name or self.person_name(rng), born=rng.choice(born),
                          nationality=nationality)
        addresses = sorted(r["id"] for r in self.rows("Location") if r["type"] == "address")
        if addresses:
            self.link("LIVES_AT", "Person", person, "Location", rng.choice(addresses), rng)
        return person

    def new_account(self, rng: random.Random, person: str | None, platform: str | None = None,
                    base: str | None = None) -> str:
        """An account (attributed to `person` through USES when given) on `platform` or a random one."""
        base = base or (self.row("Person", person)["name"].split()[-1] if person else "user")
        account = self.add("Account", rng, handle=self.handle(base, rng),
                           platform=platform or rng.choice(self.platforms() or ["Telegram"]), created=when(rng))
        if person:
            self.link("USES", "Person", person, "Account", account, rng)
        return account

    def new_phone(self, rng: random.Random, person: str | None) -> str:
        phone = self.add("Phone", rng, number=self.phone_number(rng))
        if person:
            self.link("HAS_PHONE", "Person", person, "Phone", phone, rng)
        return phone

    def contact(self, rel_type: str, label: str, a: str, b: str, rng: random.Random) -> None:
        """A MESSAGED (accounts) or CALLED (phones) relationship from a to b, with the generator's properties."""
        first, last = sorted((when(rng), when(rng)))
        self.link(rel_type, label, a, label, b, rng, count=1 + rng.randrange(20), first=first, last=last)

    def post(self, rng: random.Random, account: str, text: str, at: tuple[float, float] | None = None) -> str:
        props = {"text": text, "time": when(rng)}
        if at:
            props["latitude"], props["longitude"] = at
        post = self.add("Post", rng, **props)
        self.link("POSTED", "Account", account, "Post", post, rng)
        return post

    def slang_text(self, rng: random.Random) -> str:
        """The text of a slang post seen in this world (a dealer repeats himself), else a term alone."""
        seen = sorted({r["text"] for r in self.rows("Post") if self.is_slang(r["text"])})
        return rng.choice(seen) if seen else f"{rng.choice(self.slang_terms())} tonight"

    def innocent_text(self, rng: random.Random) -> str:
        seen = sorted({r["text"] for r in self.rows("Post") if not self.is_slang(r["text"])})
        return rng.choice(seen) if seen else "see you all tomorrow"


def point_at(lat: float, lon: float, low: float, high: float, rng: random.Random) -> tuple[float, float]:
    """A point (rounded as the generator rounds) whose distance from (lat, lon) lies in [low, high] metres,
    measured as Neo4j measures it (keep the band at least a metre wide and away from thresholds)."""
    for _ in range(1000):
        at = offset(lat, lon, rng.uniform(low, high), rng.random() * 2 * math.pi)
        if low <= distance_m(lat, lon, *at) <= high:
            return at
    raise ValueError(f"no point between {low} and {high} m")  # a band narrower than the rounding
