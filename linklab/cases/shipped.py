"""The case networks that ship with linklab (seed/cases/cases.toml): published networks a trainee can choose in
the lab without a terminal, or an instructor can import by name. Pure: reading and checking the catalogue,
and reading one network's file (cases.read); no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..config import DATA_ROOT
from ..errors import LinklabError
from ..scenario.profiles import read_toml
from .network import CaseNetwork, check_name, check_rel_type

SHIPPED_DIR = DATA_ROOT / "seed" / "cases"
CATALOGUE = SHIPPED_DIR / "cases.toml"
FIELDS = ("name", "file", "type", "title", "about", "source")


@dataclass(frozen=True)
class ShippedCase:
    name: str  # the name it is imported under
    path: Path
    rel_type: str
    title: str
    about: str  # what the network is, for a trainee choosing one
    source: str  # the publication it comes from

    def read(self) -> CaseNetwork:
        from .read import read_case

        case, _ = read_case(self.path, self.name, self.rel_type)
        return case


@cache
def shipped() -> tuple[ShippedCase, ...]:
    """Every shipped case, in the catalogue's order."""
    return read_catalogue(CATALOGUE)


def read_catalogue(path: Path) -> tuple[ShippedCase, ...]:
    """A catalogue of cases whose files sit beside it; a damaged one is one clear LinklabError."""
    where = f"seed/cases/{path.name}"
    entries = read_toml(path, where).get("case")
    if not isinstance(entries, list) or not entries:
        raise LinklabError(f"{where}: no [[case]] entries")
    cases, names = [], set()
    for i, entry in enumerate(entries, 1):
        missing = [f for f in FIELDS if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            raise LinklabError(f"{where}: case {i} needs text for {', '.join(missing)}")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise LinklabError(f"{where}: case {i} has unknown field(s) {', '.join(unknown)}")
        try:
            name, rel_type = check_name(entry["name"]), check_rel_type(entry["type"])
        except LinklabError as exc:
            raise LinklabError(f"{where}: case {i}: {exc.message}") from None
        if name in names:
            raise LinklabError(f"{where}: two cases are named {name!r}")
        names.add(name)
        file = path.parent / entry["file"]
        if file.parent != path.parent or not file.is_file():
            raise LinklabError(f"{where}: case {name!r} names a file that is not in seed/cases: {entry['file']!r}")
        cases.append(ShippedCase(name, file, rel_type, entry["title"].strip(),
                                 " ".join(entry["about"].split()), entry["source"].strip()))
    return tuple(cases)


def shipped_case(name: str) -> ShippedCase | None:
    return next((c for c in shipped() if c.name == name), None)
