"""Which scenario a database holds: keys for generated scenarios and case networks, and the marker token.

A database records what it holds on its `:Scenario {id: 'current'}` marker. The marker always carries an
opaque `token`: a digest of the course secret and the key, which is what every reader compares. A scenario
loaded for people (`linklab reset`, `up`, `import`, a class's exploration servers) also shows its profile,
size and seed there; a hidden scenario shows nothing else, so an answer that read the marker would learn
nothing it could use (and the guard refuses answers that name it anyway).

The course secret is the instructor's: LINKLAB_COURSE_SECRET, or a random one written on first use to
STATE/course-secret (mode 600, git-ignored). Hidden seeds derive from it as well (grade.hidden).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field

from .cases.network import CaseNetwork, stored as stored_case
from .config import state_dir
from .errors import LinklabError
from .scenario.generate import generate, generator_digest
from .scenario.model import Scenario
from .variation.kept import kept_world
from .variation.vary import variation_digest, vary

SECRET_ENV = "LINKLAB_COURSE_SECRET"


def course_secret() -> str:
    """The instructor's secret: the environment variable, else STATE/course-secret (made on first use)."""
    given = os.environ.get(SECRET_ENV, "").strip()
    if given:
        return given
    path = state_dir() / "course-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip()


def derive_seed(*parts: str) -> int:
    """A stable seed from text: sha256, first 8 hex digits, 1..999,999 (documented in the README)."""
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:8], 16) % 999_999 + 1


def marker_token(description: str) -> str:
    """What the marker records for a key: nobody without the course secret can tell which key it was."""
    return hashlib.sha256(f"{course_secret()}\n{description}".encode()).hexdigest()[:32]


@dataclass(frozen=True, order=True)
class ScenarioKey:
    profile: str
    size: str
    seed: int
    # how trainees see a hidden scenario: 1, 2 ... (-1: a candidate while the course is prepared; 0: not hidden)
    hidden: int = field(default=0, compare=False, repr=False)
    # a world that breaks the generator's habits (scenario.variation): what no prompt promises, varied
    varied: bool = False
    # which of the world's organisations an exercise asks about (exercises.answers.asked_org): a trainee's seed
    # in a class, where the whole class explores one world; 0 lets the world's seed choose. Not part of what a
    # database holds (token): one loaded world serves every pick.
    pick: int = 0

    def __str__(self) -> str:
        if self.hidden > 0:
            return f"hidden scenario {self.hidden}"
        if self.hidden < 0:
            return "a candidate hidden scenario"
        return f"{self.profile}/{self.size}/seed {self.seed}" + (" (varied)" if self.varied else "")

    def token(self) -> str:
        """Changes with the generator too: an older linklab's scenario of the same seed is other data."""
        varied = f"/varied {variation_digest()}" if self.varied else ""
        return marker_token(f"scenario/{self.profile}/{self.size}/{self.seed}{varied}/{generator_digest()}")

    def scenario(self) -> Scenario:
        """The data of this key: the generated scenario, varied (scenario.variation) when the key says so."""
        if not self.varied:
            return generate(self.profile, self.size, self.seed)
        # varied once per version on this machine, not once per process (variation.kept)
        return kept_world(self.token(), lambda: vary(generate(self.profile, self.size, self.seed), self.seed))

    def matches(self, props: dict) -> bool:
        """Whether the `:Scenario` marker's properties say that this scenario is loaded."""
        return props.get("token") == self.token()


@dataclass(frozen=True, order=True)
class CaseKey:
    """An imported case network (variant 0) or one of its hidden variants (variant = seed)."""
    case: str
    variant: int
    case_hash: str  # of the case as imported: a case imported again under the same name is another key
    hidden: int = field(default=0, compare=False, repr=False)  # as ScenarioKey.hidden

    def __str__(self) -> str:
        if self.hidden > 0:
            return f"case {self.case}/hidden scenario {self.hidden}"
        if self.hidden < 0:
            return f"case {self.case}/a candidate hidden variant"
        return f"case {self.case}" + (f"/hidden variant {self.variant}" if self.variant else "")

    def token(self) -> str:
        return marker_token(f"case/{self.case}/{self.variant}/{self.case_hash}")

    def matches(self, props: dict) -> bool:
        return props.get("token") == self.token()

    def network(self) -> CaseNetwork:
        case = stored_case(self.case)
        if case.digest != self.case_hash:
            raise LinklabError(f"case {self.case!r} was imported again since: check again")
        return case.hidden_variant(self.variant) if self.variant else case


def marker_props(key: ScenarioKey | CaseKey, readable: dict) -> dict:
    """The marker's properties for a load of `key`: the token, and what people may read unless it is hidden."""
    if key.hidden:
        return {"token": key.token(), "kind": "hidden"}
    return {**readable, "token": key.token()}
