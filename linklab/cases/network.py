"""An imported case network as plain data: people, contacts, where it came from. Pure: no database.

A case is stored in canonical JSON under `.linklab/cases/NAME.json` when it is imported, so answer keys
and grading can read it again later. Grading also uses hidden *variants* of the case: the same kind of
network with names and ids shuffled among the people, a tenth of the contacts left out and a tie planted
where a ranking cuts (seeded), so an answer that hard-codes a name, an id or a number, or breaks a tie
another way than the prompt says, is caught as it is on generated scenarios.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import networkx as nx

from ..config import state_dir, write_files_atomically, write_json_atomically
from ..errors import LinklabError, NotFound

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
TYPE_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
VARIANT_DROP = 0.10  # share of contacts a hidden variant leaves out
TIE_RANKS = 5  # a hidden variant plants a tie at one of the top TIE_RANKS + 1 places (the case exercises rank up to 5)

encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    props: tuple[tuple[str, str | int | float | bool], ...] = ()  # other attributes from the file

    def row(self) -> dict:
        return {**dict(self.props), "id": self.id, "name": self.name}


@dataclass(frozen=True)
class Contact:
    source: str
    target: str
    weight: float


@dataclass(frozen=True)
class CaseNetwork:
    name: str  # the case's name (`--name`)
    rel_type: str  # relationship type in Neo4j (`--type`)
    people: tuple[Person, ...]  # sorted by id
    contacts: tuple[Contact, ...]  # one per pair of people, in file order
    source: dict = field(default_factory=dict, compare=False)  # file, format, sha256, what was cleaned
    variant: int = 0  # 0: as imported; otherwise the seed of a hidden variant
    base: "CaseNetwork | None" = field(default=None, compare=False, repr=False)  # a variant's original

    def canonical(self) -> str:
        """The network without its provenance, as one JSON text: its sha256 is the case hash."""
        return encode({"name": self.name, "type": self.rel_type, "variant": self.variant,
                       "people": [p.row() for p in self.people],
                       "contacts": [[c.source, c.target, c.weight] for c in self.contacts]})

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    @cached_property
    def graph(self) -> nx.Graph:
        """Undirected, one edge per contact, nodes are person ids (attribute `name`)."""
        graph = nx.Graph()
        for person in self.people:
            graph.add_node(person.id, name=person.name)
        graph.add_edges_from((c.source, c.target, {"weight": c.weight}) for c in self.contacts)
        return graph

    def name_of(self, person_id: str) -> str:
        return self.graph.nodes[person_id]["name"]

    @property
    def weighted(self) -> bool:
        return bool(self.source.get("weighted"))

    def info(self) -> dict:
        """What the `:Scenario` node records about the case."""
        return {"kind": "case", "case": self.name, "rel_type": self.rel_type, "variant": self.variant,
                "case_hash": self.source.get("case_hash", self.digest), "persons": len(self.people),
                "contacts": len(self.contacts), **{k: v for k, v in self.source.items() if k != "case_hash"}}

    def hidden_variant(self, seed: int) -> "CaseNetwork":
        """The same kind of network with other answers (seeded): names and other attributes shuffled among
        the people, ids shuffled apart from them (an id says nothing about a name), VARIANT_DROP of the
        contacts left out, weights shuffled among the links, and a tie planted at a ranking boundary (two
        people with as many contacts, either side of a top-k cut, the name that sorts first stored last), so
        that an answer breaking ties by id or storage order instead of the name the prompts ask for fails."""
        rng = random.Random(f"{self.digest}/{seed}")
        ids = [p.id for p in self.people]
        identities = [(p.name, p.props) for p in self.people]
        new_ids, new_identities = ids[:], identities[:]
        rng.shuffle(new_ids)
        rng.shuffle(new_identities)
        new_id = dict(zip(ids, new_ids))
        identity = dict(zip(new_ids, new_identities))
        count = len(self.contacts)
        drop = set(rng.sample(range(count), int(count * VARIANT_DROP)))
        kept = [c for i, c in enumerate(self.contacts) if i not in drop]
        weights = [c.weight for c in kept]
        rng.shuffle(weights)
        pairs = [(new_id[c.source], new_id[c.target]) for c in kept]
        pairs += tie_at_boundary(pairs, new_ids, identity, rng.randint(1, TIE_RANKS), rng)
        weights += [rng.choice(weights or [1.0]) for _ in range(len(pairs) - len(weights))]
        contacts = tuple(Contact(s, t, w) for (s, t), w in zip(pairs, weights))
        people = tuple(sorted((Person(i, *identity[i]) for i in new_ids), key=lambda p: p.id))
        source = {**self.source, "case_hash": self.digest}
        return replace(self, people=people, contacts=contacts, source=source, variant=seed, base=self)


def tie_at_boundary(pairs: list[tuple[str, str]], ids: list[str], identity: dict, rank: int,
                    rng: random.Random) -> list[tuple[str, str]]:
    """New contacts that give the person ranked `rank` + 1 by contacts (ties by name) as many contacts as
    the one ranked `rank`, each to someone of the fewest contacts; then the two swap names if needed so that
    the name that sorts first belongs to the one stored last (people are stored in id order). Edits
    `identity` in place; returns the new contacts (none when the network is too small)."""
    neighbours: dict[str, set[str]] = {i: set() for i in ids}
    for s, t in pairs:
        neighbours[s].add(t)
        neighbours[t].add(s)
    order = sorted(ids, key=lambda i: (-len(neighbours[i]), identity[i][0]))
    if len(order) < rank + 3:
        return []
    upper, lower = order[rank - 1], order[rank]
    added = []
    while len(neighbours[lower]) < len(neighbours[upper]):
        strangers = [i for i in order[rank + 1:] if i not in neighbours[lower]]  # `lower` is order[rank]
        if not strangers:
            return added
        fewest = min(len(neighbours[i]) for i in strangers)
        other = rng.choice([i for i in strangers if len(neighbours[i]) == fewest])
        neighbours[lower].add(other)
        neighbours[other].add(lower)
        added.append((lower, other))
    first, last = sorted((upper, lower))  # by id: storage order
    if identity[first][0] < identity[last][0]:
        identity[first], identity[last] = identity[last], identity[first]
    return added


# ---------------------------------------------------------------- stored cases


def cases_dir() -> Path:
    """Imported cases: `.linklab/cases/`, or LINKLAB_CASES (tests keep theirs apart)."""
    return Path(os.environ.get("LINKLAB_CASES") or state_dir() / "cases")


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name or ""):
        raise LinklabError(f"case name {name!r}: use 1 to 40 letters, digits, '-' or '_' (it names a file)")
    return name


def check_rel_type(rel_type: str) -> str:
    if not TYPE_PATTERN.fullmatch(rel_type or ""):
        raise LinklabError(f"relationship type {rel_type!r}: use letters, digits and '_' "
                           "(not starting with a digit), e.g. KNOWS")
    return rel_type


def save(case: CaseNetwork) -> Path:
    """Write `.linklab/cases/NAME.json` atomically and remember it as the current case."""
    folder = cases_dir()
    path = folder / f"{case.name}.json"
    write_json_atomically(path, {"source": case.source, "network": json.loads(case.canonical())},
                          ensure_ascii=False, indent=1)
    make_current(case.name)
    return path


def make_current(name: str) -> None:
    """The case that case exercises use from now on (an imported one: `stored(name)` must find it)."""
    write_files_atomically({cases_dir() / "current": (check_name(name) + "\n").encode()})


def current_name() -> str | None:
    pointer = cases_dir() / "current"
    return (pointer.read_text().strip() or None) if pointer.exists() else None


def imported() -> list[str]:
    """The names of the cases imported here, sorted."""
    folder = cases_dir()
    return sorted(p.stem for p in folder.glob("*.json")) if folder.exists() else []


def stored(name: str | None = None) -> CaseNetwork:
    """A case imported earlier: by name, or the last one imported."""
    folder = cases_dir()
    if name is None:
        name = current_name()
        if name is None:
            raise LinklabError("no case network is imported: run `linklab import FILE --name NAME` first")
    path = folder / f"{check_name(name)}.json"
    if not path.exists():
        known = imported()
        raise NotFound(f"no case named {name!r} is imported" + (f" (imported: {', '.join(known)})" if known
                           else ": run `linklab import FILE --name NAME`"))
    stat = path.stat()
    return read_stored(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def read_stored(path: Path, mtime_ns: int, size: int) -> CaseNetwork:
    """Parsed once per version of the file: grading asks for the same case for every trainee."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        net = data["network"]
        return CaseNetwork(
            name=net["name"], rel_type=net["type"], variant=net["variant"], source=data["source"],
            people=tuple(Person(r.pop("id"), r.pop("name"), tuple(sorted(r.items()))) for r in net["people"]),
            contacts=tuple(Contact(s, t, w) for s, t, w in net["contacts"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LinklabError(f"{path} is damaged: import the case again") from None
