"""Shared pieces of the generator: Faker's name pools, uniqueness of names and numbers, and the Builder
that writes entities into a chunk with cheap Random calls."""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.metadata import version

from faker import Faker

from .model import Chunk
from .profiles import Profile

PLATFORMS = ("Instagram", "Facebook", "TikTok", "X", "Telegram", "Snapchat")
NOT_HANDLE = re.compile(r"[^0-9a-z]")
# letters that Unicode does not decompose into a base letter and a mark (Ángela -> Angela does by itself)
FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
PHONE_PREFIX = {"en_US": "+1 410", "es_MX": "+52 667", "it_IT": "+39 081", "en_GB": "+44 161"}
EPOCH = datetime(2025, 1, 1)
SPAN_DAYS = 365


def faker_version() -> str:
    return version("faker")





def ascii_letters(text: str) -> str:
    """Lower case, accents and ligatures transliterated (Ángela -> angela, Niccolò -> niccolo, Groß -> gross)."""
    text = text.lower()
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text.translate(FOLD)).encode("ascii", "ignore").decode()


def handle_stem(base: str) -> str:
    """What a handle is made from: the base's letters and digits, transliterated, at most 12."""
    return NOT_HANDLE.sub("", ascii_letters(base))[:12] or "user"


@dataclass
class Pools:
    """Vocabularies drawn from Faker once per scenario: names per locale, the region's streets and words."""

    names: dict[str, tuple[list[str], list[str]]]  # locale -> (first names, last names)
    streets: list[str]
    words: list[str]
    email_domains: list[str]
    phone_prefix: str


def make_pools(profile: Profile, seed: int) -> Pools:
    """One Faker per locale, each seeded with the scenario's seed (so one locale's draws never shift another's)."""
    terms = [t for t, _ in profile.lexicon.terms]

    def unique(draw, count):
        seen: dict[str, None] = {}
        for _ in range(count * 4):
            seen.setdefault(draw(), None)
            if len(seen) >= count:
                break
        return sorted(seen)

    region = Faker(profile.locale)
    region.seed_instance(seed)
    words = [w for w in unique(region.word, 200) if w.isalpha() and not any(t in w.lower() for t in terms)]
    return Pools(
        names={locale: name_lists(locale, seed) for locale in profile.locales},
        streets=unique(region.street_name, 400),
        words=words,
        email_domains=unique(region.free_email_domain, 6),
        phone_prefix=PHONE_PREFIX.get(profile.locale, "+1 555"),
    )


def name_lists(locale: str, seed: int, count: int = 600) -> tuple[list[str], list[str]]:
    """Up to `count` first and last names of a locale (600 x 600 names before initials are needed), read from
    Faker's lists (pinned exactly) and chosen by a Random of the seed and the locale's own."""
    provider = next(p for p in Faker(locale).get_providers() if hasattr(p, "first_names"))
    rng = random.Random(f"linklab-names/{locale}/{seed}")

    def some(names) -> list[str]:
        found = sorted(set(names))
        return found if len(found) <= count else sorted(rng.sample(found, count))

    return some(provider.first_names), some(provider.last_names)


@dataclass
class Ids:
    """Unique names, handles and numbers across the whole scenario."""

    names: set = field(default_factory=set)
    handles: set = field(default_factory=set)
    numbers: set = field(default_factory=set)
    addresses: set = field(default_factory=set)


class Builder:
    """Writes one chunk; knows the profile, the pools and a Random for this chunk."""

    def __init__(self, profile: Profile, pools: Pools, ids: Ids, rng: random.Random, chunk: Chunk):
        self.profile, self.pools, self.ids, self.rng, self.chunk = profile, pools, ids, rng, chunk
        self.terms = [t for t, _ in profile.lexicon.terms]
        shares = [share for _, share in profile.population]
        total, running = sum(shares), 0.0
        self.population = []  # (cumulative share, locale)
        for locale, share in profile.population:
            running += share / total
            self.population.append((running, locale))

    # -- values (random() is several times cheaper than randrange/choice: this is the hot path)
    def below(self, n: int) -> int:
        return int(self.rng.random() * n)

    def pick(self, items):
        return items[int(self.rng.random() * len(items))]

    def when(self) -> str:
        return (EPOCH + timedelta(seconds=self.below(SPAN_DAYS * 86400))).isoformat()

    def span(self) -> tuple[str, str]:
        a, b = self.below(SPAN_DAYS * 86400), self.below(SPAN_DAYS * 86400)
        if a > b:
            a, b = b, a
        return (EPOCH + timedelta(seconds=a)).isoformat(), (EPOCH + timedelta(seconds=b)).isoformat()

    def near(self, lat: float, lon: float, metres: float) -> tuple[float, float]:
        """A point within `metres` of (lat, lon)."""
        distance = metres * math.sqrt(self.rng.random())
        angle = self.rng.random() * 2 * math.pi
        dlat = distance * math.cos(angle) / 111_320
        dlon = distance * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
        return round(lat + dlat, 6), round(lon + dlon, 6)

    def resident_locale(self) -> str:
        """The locale of someone who lives in the region, by the population's shares."""
        roll = self.rng.random()
        return next((locale for upto, locale in self.population if roll < upto), self.population[-1][1])

    def person_name(self, locale: str | None = None) -> str:
        rng = self.rng
        firsts, lasts = self.pools.names[locale or self.profile.locale]
        name = f"{self.pick(firsts)} {self.pick(lasts)}"
        while name in self.ids.names:
            name = f"{rng.choice(firsts)} {chr(65 + rng.randrange(26))}. {rng.choice(lasts)}"
            if name in self.ids.names:
                name = f"{name} {rng.randrange(2, 1000)}"
        self.ids.names.add(name)
        return name

    def vendor_name(self) -> str:
        """A darknet vendor's name as the trade writes them: two words and often a tag (FrostyLabsUK)."""
        first, second, tags = self.profile.vendor_words
        name = f"{self.pick(first)}{self.pick(second)}{self.pick(tags)}"
        while name in self.ids.handles:
            name = f"{self.pick(first)}{self.pick(second)}{10 + self.below(990)}"
        self.ids.handles.add(name)
        return name

    def handle(self, base: str) -> str:
        stem = handle_stem(base)
        handle = stem
        while handle in self.ids.handles or len(handle) < 5:
            suffix = str(10 + self.below(9990)) if self.below(3) else self.pick(self.pools.words)[:6].lower()
            handle = f"{stem}{self.pick(('_', '.', ''))}{suffix}"
        self.ids.handles.add(handle)
        return handle

    @staticmethod
    def unused(seen: set, first, again=None) -> str:
        """`first()`, or `again()` until the value is new; remembered in `seen`."""
        value = first()
        while value in seen:
            value = (again or first)()
        seen.add(value)
        return value

    def phone_number(self) -> str:
        return self.unused(self.ids.numbers, lambda: f"{self.pools.phone_prefix} {1_000_000 + self.below(9_000_000)}")

    # -- entities
    def person(self, pid: str, locale: str | None = None) -> dict:
        """A person of `locale` (default: someone who lives in the region, by the population's shares)."""
        locale = locale or self.resident_locale()
        return self.chunk.node("Person", id=pid, name=self.person_name(locale),
                               born=1965 + self.below(41), nationality=locale[-2:])

    def account(self, aid: str, owner_name: str, platform: str | None = None, user: str | None = None) -> str:
        parts = owner_name.split()
        first, last = parts[0], parts[-1]
        base = self.pick((first, last, first + last[:1], self.pick(self.pools.words)))
        self.chunk.node("Account", id=aid, handle=self.handle(base),
                        platform=platform or self.pick(PLATFORMS), created=self.when())
        if user:
            self.chunk.rel("USES", "Person", user, "Account", aid)
        return aid

    def phone(self, pid: str | None, phone_id: str) -> str:
        self.chunk.node("Phone", id=phone_id, number=self.phone_number())
        if pid:
            self.chunk.rel("HAS_PHONE", "Person", pid, "Phone", phone_id)
        return phone_id

    def email(self, pid: str | None, email_id: str, name: str) -> str:
        local = self.handle(name.replace(" ", ""))
        self.chunk.node("Email", id=email_id, address=f"{local}@{self.pick(self.pools.email_domains)}")
        if pid:
            self.chunk.rel("HAS_EMAIL", "Person", pid, "Email", email_id)
        return email_id

    def message(self, a: str, b: str, heavy: bool = False) -> None:
        first, last = self.span()
        count = 8 + self.below(72) if heavy else 1 + self.below(11)
        if self.rng.random() < 0.5:
            a, b = b, a
        self.chunk.rel("MESSAGED", "Account", a, "Account", b, count=count, first=first, last=last)

    def call(self, a: str, b: str) -> None:
        first, last = self.span()
        self.chunk.rel("CALLED", "Phone", a, "Phone", b, count=1 + self.below(39), first=first, last=last)

    def fill(self, template: str, term: str | None = None) -> str:
        rng, lex = self.rng, self.profile.lexicon
        term = term or rng.choice(self.terms)
        text = template
        for _ in range(3):
            text = text.replace("{word}", rng.choice(self.pools.words), 1)
        return (text.replace("{term2}", rng.choice([t for t in self.terms if t != term]))
                .replace("{term}", term).replace("{emoji}", rng.choice(lex.emojis))
                .replace("{city}", self.profile.city))

    def post(self, post_id: str, account: str, text: str, at: tuple[float, float] | None = None,
             tagged: str | None = None) -> str:
        props = {"id": post_id, "text": text, "time": self.when()}
        if at:
            props["latitude"], props["longitude"] = at
        self.chunk.node("Post", **props)
        self.chunk.rel("POSTED", "Account", account, "Post", post_id)
        if tagged:
            self.chunk.rel("TAGGED_AT", "Post", post_id, "Location", tagged)
        return post_id

    def location(self, loc_id: str, name: str, kind: str, at: tuple[float, float]) -> str:
        self.chunk.node("Location", id=loc_id, name=name, type=kind, latitude=at[0], longitude=at[1])
        return loc_id

    def address_name(self) -> str:
        """A street address, unique in the scenario: analysts tell places apart by it."""
        return self.unused(self.ids.addresses, lambda: f"{1 + self.below(399)} {self.pick(self.pools.streets)}",
                           lambda: f"{1 + self.below(9999)} {self.pick(self.pools.streets)}")

    def city_point(self, avoid: list[tuple[float, float, float]]) -> tuple[float, float]:
        """A point in the city at least the given metres away from each (lat, lon, metres)."""
        while True:
            lat, lon = self.near(self.profile.city_lat, self.profile.city_lon, 7_000)
            if all(distance_m(lat, lon, a, b) > m for a, b, m in avoid):
                return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine), as Neo4j's point.distance on WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_378_140 * math.asin(math.sqrt(h))


def pid(n: int) -> str:
    return f"P{n:07d}"


def primary(n_or_pid) -> str:
    """Every person has a primary account, A + the person's number."""
    return "A" + (n_or_pid[1:] if isinstance(n_or_pid, str) else f"{n_or_pid:07d}")
