"""The world's design (seed/profiles/investigation.toml: the region, its organisations and where they touch) and the
slang lexicons: data files in seed/, validated when read."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import DATA_ROOT
from ..errors import LinklabError

SEED_DIR = DATA_ROOT / "seed"
DESIGN = "investigation"  # the one world every scenario exercise runs on (seed/profiles/investigation.toml)
SIZES = {"tiny": 150, "class": 800, "large": 100_000}
MIN_PERSONS = SIZES["tiny"]  # the organisations alone need about that many people
MAX_PERSONS = 2_000_000
ORG_KINDS = ("hierarchical", "hub-and-spoke", "networked", "darknet")
TOUCH_KINDS = ("supplier", "relative", "burner", "money")


@dataclass(frozen=True)
class CrewSpec:
    name: str
    kind: str  # spoke | mesh
    share: float


@dataclass(frozen=True)
class OrgSpec:
    """One organisation of the world: its kind (what exercises ask about), two crews, its leadership."""
    kind: str  # hierarchical | hub-and-spoke | networked | darknet
    name: str
    locale: str  # most of its members' names come from here
    crews: tuple[CrewSpec, CrewSpec]
    leader: str  # hub | separate | none
    leader_in_prison: bool = False
    influencer: bool = False  # hosts the region's most followed account
    vendors: bool = False  # its mesh crew sells on a darknet market
    wallets: bool = False  # its hub collects buyers' payments


@dataclass(frozen=True)
class Touch:
    kind: str  # supplier | relative | burner | money
    between: tuple[str, str]  # organisation kinds


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
    """A world's design: the region and the organisations in it (seed/profiles/NAME.toml)."""
    name: str
    description: str
    locale: str  # the region's
    population: tuple[tuple[str, float], ...]  # (locale, share) of the background population
    lexicon: Lexicon
    city: str
    city_lat: float
    city_lon: float
    prison: str
    organisations: tuple[OrgSpec, ...]
    touches: tuple[Touch, ...]
    markets: tuple[str, ...]
    market_kinds: tuple[str, ...]
    vendor_words: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # first, second, tag
    venues: tuple[str, ...]  # bars, gyms, cafes of the region, as their signs read

    @property
    def locales(self) -> tuple[str, ...]:
        """Every locale of the world, the region's first."""
        found = [self.locale] + [loc for loc, _ in self.population] + [o.locale for o in self.organisations]
        return tuple(dict.fromkeys(found))

    def organisation(self, kind: str) -> OrgSpec:
        return next(o for o in self.organisations if o.kind == kind)


VENUES_NEEDED = 9  # the venues a full-size world places (8), and the cafe beside the stash house


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


def organisation_spec(data: dict) -> OrgSpec:
    crews = tuple(CrewSpec(c["name"], c["kind"], float(c["share"])) for c in data["crews"])
    return OrgSpec(kind=data["kind"], name=data["name"], locale=data["locale"], crews=crews, leader=data["leader"],
                   leader_in_prison=bool(data.get("leader_in_prison", False)),
                   influencer=bool(data.get("influencer", False)), vendors=bool(data.get("vendors", False)),
                   wallets=bool(data.get("wallets", False)))


def load_profile(name: str) -> Profile:
    path = SEED_DIR / "profiles" / f"{name}.toml"
    if not path.exists():
        raise LinklabError(f"unknown profile {name!r}; choose one of: {', '.join(profile_names())}")
    data = read_toml(path)
    try:
        profile = Profile(
            name=data["name"], description=data["description"], locale=data["locale"],
            population=tuple((p["locale"], float(p["share"])) for p in data["population"]),
            lexicon=load_lexicon(data["lexicon"]), city=data["city"]["name"],
            city_lat=float(data["city"]["lat"]), city_lon=float(data["city"]["lon"]), prison=data["prison"],
            organisations=tuple(organisation_spec(o) for o in data["organisations"]),
            touches=tuple(Touch(t["kind"], tuple(t["between"])) for t in data.get("touches", ())),
            markets=tuple(data["markets"]), market_kinds=tuple(data["market_kinds"]),
            vendor_words=(tuple(data["vendor_first"]), tuple(data["vendor_second"]), tuple(data["vendor_tags"])),
            venues=tuple(data["venues"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LinklabError(f"{path}: missing or malformed field {exc}") from None
    check_profile(path, profile)
    return profile


def check_profile(path: Path, profile: Profile) -> None:
    kinds = [o.kind for o in profile.organisations]
    if sorted(kinds) != sorted(ORG_KINDS):
        raise LinklabError(f"{path}: one organisation of each kind: {', '.join(ORG_KINDS)}")
    for org in profile.organisations:
        if len(org.crews) != 2 or any(c.kind not in ("spoke", "mesh") for c in org.crews):
            raise LinklabError(f"{path}: {org.kind}: exactly two crews, each of kind 'spoke' or 'mesh'")
        if org.leader not in ("hub", "separate", "none"):
            raise LinklabError(f"{path}: {org.kind}: leader must be 'hub', 'separate' or 'none'")
        if org.leader == "hub" and org.crews[0].kind != "spoke":
            raise LinklabError(f"{path}: {org.kind}: leader = 'hub' needs a first crew of kind 'spoke'")
        if (org.wallets or org.influencer) and org.crews[0].kind != "spoke":
            raise LinklabError(f"{path}: {org.kind}: wallets and the influencer need a first crew of kind 'spoke'")
    for flag in ("leader_in_prison", "influencer", "vendors", "wallets"):
        if sum(getattr(o, flag) for o in profile.organisations) != 1:
            raise LinklabError(f"{path}: exactly one organisation has {flag} = true")
    for touch in profile.touches:
        if touch.kind not in TOUCH_KINDS or len(touch.between) != 2 or not set(touch.between) <= set(kinds) \
                or touch.between[0] == touch.between[1]:
            raise LinklabError(f"{path}: a touch is one of {', '.join(TOUCH_KINDS)} between two organisation kinds")
    if len(profile.markets) < 2 or not all(profile.vendor_words[:2]):
        raise LinklabError(f"{path}: two market names at least, and vendor words")
    if len(set(profile.venues)) < VENUES_NEEDED or not all(isinstance(v, str) and v.strip() for v in profile.venues):
        raise LinklabError(f"{path}: venues: {VENUES_NEEDED} different names at least (a world places up to "
                           f"{VENUES_NEEDED})")


def persons_for(size: str | int) -> tuple[str, int]:
    """('class', 800) for a size name, ('custom', n) for a person count."""
    if isinstance(size, int) or str(size).isdigit():
        count = int(size)
        if not MIN_PERSONS <= count <= MAX_PERSONS:
            raise LinklabError(f"person count must be between {MIN_PERSONS} and {MAX_PERSONS:,}, not {count:,}")
        return str(count), count
    if size not in SIZES:
        raise LinklabError(f"unknown size {size!r}; choose {', '.join(SIZES)} or a person count")
    return size, SIZES[size]
