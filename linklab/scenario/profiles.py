"""Scenario profiles and slang lexicons: data files in seed/, validated when read."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import DATA_ROOT
from ..errors import LinklabError

SEED_DIR = DATA_ROOT / "seed"
SIZES = {"tiny": 30, "class": 800, "large": 100_000}
MAX_PERSONS = 2_000_000


@dataclass(frozen=True)
class CrewSpec:
    name: str
    kind: str  # spoke | mesh
    share: float


@dataclass(frozen=True)
class Lexicon:
    language: str
    terms: tuple[tuple[str, str], ...]  # (term, meaning)
    slang_templates: tuple[str, ...]
    innocent_templates: tuple[str, ...]
    decoy_templates: tuple[str, ...]
    decoy_terms: tuple[str, ...]
    emojis: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    locales: tuple[str, ...]
    lexicon: Lexicon
    city: str
    city_lat: float
    city_lon: float
    prison: str
    organisation: str
    crews: tuple[CrewSpec, CrewSpec]
    leader: str  # hub | separate | none
    leader_in_prison: bool
    darknet: bool
    wallets: bool


def profile_names() -> list[str]:
    return sorted(p.stem for p in (SEED_DIR / "profiles").glob("*.toml"))


def read_toml(path: Path, where: str | None = None) -> dict:
    """A TOML data file (seed/ or exercises/), or one clear error naming it as `where` (default: its path)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise LinklabError(f"{where or path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise LinklabError(f"{where or path}: not UTF-8 text") from None


def load_lexicon(name: str) -> Lexicon:
    path = SEED_DIR / "lexicons" / f"{name}.toml"
    if not path.exists():
        raise LinklabError(f"unknown lexicon {name!r} (no {path})")
    data = read_toml(path)
    try:
        return Lexicon(
            language=data["language"],
            terms=tuple((t["term"], t["meaning"]) for t in data["terms"]),
            slang_templates=tuple(data["slang_templates"]),
            innocent_templates=tuple(data["innocent_templates"]),
            decoy_templates=tuple(data["decoy_templates"]),
            decoy_terms=tuple(data["decoy_terms"]),
            emojis=tuple(data["emojis"]),
        )
    except (KeyError, TypeError) as exc:
        raise LinklabError(f"{path}: missing or malformed field {exc}") from None


def load_profile(name: str) -> Profile:
    path = SEED_DIR / "profiles" / f"{name}.toml"
    if not path.exists():
        raise LinklabError(f"unknown profile {name!r}; choose one of: {', '.join(profile_names())}")
    data = read_toml(path)
    try:
        crews = tuple(CrewSpec(c["name"], c["kind"], float(c["share"])) for c in data["crews"])
        profile = Profile(
            name=data["name"], description=data["description"], locales=tuple(data["locales"]),
            lexicon=load_lexicon(data["lexicon"]), city=data["city"]["name"],
            city_lat=float(data["city"]["lat"]), city_lon=float(data["city"]["lon"]),
            prison=data["prison"], organisation=data["organisation"], crews=crews,
            leader=data["leader"], leader_in_prison=bool(data["leader_in_prison"]),
            darknet=bool(data["darknet"]), wallets=bool(data["wallets"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LinklabError(f"{path}: missing or malformed field {exc}") from None
    if len(crews) != 2 or any(c.kind not in ("spoke", "mesh") for c in crews):
        raise LinklabError(f"{path}: exactly two crews, each of kind 'spoke' or 'mesh'")
    if profile.leader not in ("hub", "separate", "none"):
        raise LinklabError(f"{path}: leader must be 'hub', 'separate' or 'none'")
    if profile.leader == "hub" and crews[0].kind != "spoke":
        raise LinklabError(f"{path}: leader = 'hub' needs a first crew of kind 'spoke'")
    return profile


def persons_for(size: str | int) -> tuple[str, int]:
    """('class', 800) for a size name, ('custom', n) for a person count."""
    if isinstance(size, int) or str(size).isdigit():
        count = int(size)
        if not 30 <= count <= MAX_PERSONS:
            raise LinklabError(f"person count must be between 30 and {MAX_PERSONS:,}, not {count:,}")
        return str(count), count
    if size not in SIZES:
        raise LinklabError(f"unknown size {size!r}; choose {', '.join(SIZES)} or a person count")
    return size, SIZES[size]
