"""How linklab is layered, asserted over its import graph: no import cycle, no import that runs up a layer,
every module placed in a layer, and a generator that never reaches the database.

The graph is read from the source with `ast` (nothing is imported, so these are unit tests: no Java, no
Neo4j). Every import counts, at module level or inside a function, relative or absolute; `from .x import y`
counts as importing the module x.y when y is a module, else as importing x. docs/contributing.md shows the
same table ("How the code is layered")."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "linklab"


@dataclass(frozen=True)
class Layer:
    name: str
    holds: str
    # Modules as paths inside linklab/ without ".py"; "folder/" is every module in that folder that is not
    # named in some layer by itself. A module may import modules of its own layer and of the layers below.
    modules: tuple[str, ...]


LAYERS = (  # from the bottom up
    Layer("foundations", "settings, the error type, every trainee-visible message, the Cypher parser",
          ("__init__", "errors", "config", "feedback", "cypherlang/")),
    Layer("generator", "plain data from a seed or a file: generated scenarios, imported case networks (pure)",
          ("scenario/", "cases/")),
    Layer("exercises", "the catalogue: prompts, answer functions, mutants, guarantees (pure)",
          ("exercises/",)),
    Layer("worlds", "hidden worlds varied per exercise, and the keys that say which world a database holds (pure)",
          ("variation/", "keys")),
    Layer("processes", "local Neo4j servers: install, start, stop, replace a store and recover one cut short",
          ("server", "store")),
    Layer("database", "everything that speaks Cypher to a database: queries, driver, leases, the two load routes",
          ("cypher", "db", "lease", "load", "bulk")),
    Layer("grading", "checking answers: guard, comparison, hidden worlds, verdicts, grading runs and their files",
          ("grade/",)),
    Layer("records", "what is kept in the SQLite record store (one schema, versioned): progress, accounts, sessions, "
                     "notices, exam rules, LMS platforms",
          ("recordstore", "progress", "classroom/__init__", "classroom/names", "classroom/sessions", "classroom/state",
           "classroom/exam", "classroom/accounts", "lti/registry")),
    Layer("lms", "LTI 1.3 with a learning platform: the tool's key, launches, rosters, scores sent back",
          ("lti/",)),
    Layer("outputs", "what instructors take away: reports, exports, pictures, answer keys, the console's views "
                     "(and the vendored browser bundles that pictures and pages both embed)",
          ("report", "export", "picture", "answer_keys", "classroom/console", "web/assets")),
    Layer("service", "the library face the shells call: the trainee's lab (lab, over service), the instructor's course "
                     "(course), the set-up check, a class's servers, re-grading",
          ("service", "lab", "course", "doctor", "classroom/servers", "classroom/regrade")),
    Layer("shells", "the command line and the web servers (the lab, the class server, LTI's pages)",
          ("cli", "__main__", "web/", "classroom/address")),
)

# Imports that run up a layer and are accepted for now: (importer, imported) -> why. Each must still exist.
UPWARD_EXCEPTIONS: dict[tuple[str, str], str] = {}

# The generator's folders: pure, they reach neither the driver nor a module of the layers that hold it.
GENERATOR = ("scenario/", "variation/")
DATABASE_LAYERS = ("processes", "database")
DRIVER = "neo4j"


def module_key(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").as_posix()


@cache
def modules() -> dict[str, Path]:
    """Every module of linklab, by key (its path inside linklab/ without .py)."""
    return {module_key(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def dotted(key: str) -> str:
    parts = ["linklab", *key.split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def by_dotted_name() -> dict[str, str]:
    return {dotted(key): key for key in modules()}


def resolve(name: str) -> str:
    """The module that importing the dotted `name` runs: the longest prefix of it that is a module."""
    known = by_dotted_name()
    while name not in known:
        name = name.rpartition(".")[0]
    return known[name]


@dataclass(frozen=True)
class Imports:
    internal: frozenset[str]  # keys of linklab modules
    external: frozenset[str]  # top-level names of other packages


@cache
def imports_of(key: str) -> Imports:
    path = modules()[key]
    package = dotted(key) if path.name == "__init__.py" else dotted(key).rpartition(".")[0]
    internal, external = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module
            if node.level:  # relative: one level is the package itself, each further one goes up
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            # `from x import y`: the module x.y when there is one, else x itself
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in by_dotted_name() else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "linklab":
                internal.add(resolve(target))
            else:
                external.add(target.split(".")[0])
    internal.discard(key)
    return Imports(frozenset(internal), frozenset(external))


@cache
def graph() -> dict[str, frozenset[str]]:
    return {key: imports_of(key).internal for key in modules()}


@cache
def placements() -> dict[str, list[str]]:
    """Which layers each module is placed in: by its own name, else by its folder (the deepest that is listed)."""
    named = {entry: layer.name for layer in LAYERS for entry in layer.modules if not entry.endswith("/")}
    folders = {entry: layer.name for layer in LAYERS for entry in layer.modules if entry.endswith("/")}
    placed = {}
    for key in modules():
        if key in named:
            placed[key] = [layer.name for layer in LAYERS if key in layer.modules]
            continue
        containing = [folder for folder in folders if key.startswith(folder)]
        deepest = max(containing, key=len, default=None)
        placed[key] = [layer.name for layer in LAYERS if deepest in layer.modules] if deepest else []
    return placed


def layer_of(key: str) -> int:
    placed = placements()[key]
    assert len(placed) == 1, f"{key} is placed in {placed or 'no layer'}: place it in exactly one (LAYERS)"
    return [layer.name for layer in LAYERS].index(placed[0])


def reachable(start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for imported in graph()[todo.pop()]:
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return seen


def test_the_graph_is_read_as_python_imports_it():
    """The reader itself: relative, absolute and function-level imports, `from . import module`, and a
    name imported from a module (not a module itself) counting as that module."""
    assert "server" in graph()["store"]  # from . import server as srv
    assert "scenario/admin_csv" in graph()["server"]  # from .scenario.admin_csv import write_marker_nodes
    assert "__init__" in graph()["grade/records"]  # from .. import __version__
    assert "web/assets" in graph()["picture"]  # inside a function: from .web.assets import inline_script
    assert "cli" in graph()["__main__"]
    assert {"lease", "server", "store", "cypher", "load"} <= graph()["bulk"]  # from . import cypher, load, ...
    assert DRIVER in imports_of("db").external and DRIVER not in imports_of("scenario/generate").external


def test_every_module_is_placed_in_exactly_one_layer():
    placed = placements()
    unplaced = sorted(key for key, layers in placed.items() if not layers)
    assert not unplaced, f"place these modules in a layer (tests/test_layers.py, LAYERS): {unplaced}"
    twice = {key: layers for key, layers in placed.items() if len(layers) > 1}
    assert not twice, f"modules placed in more than one layer: {twice}"
    listed = [entry for layer in LAYERS for entry in layer.modules]
    stale = [entry for entry in listed
             if not any(key == entry or entry.endswith("/") and key.startswith(entry) for key in modules())]
    assert not stale, f"LAYERS names modules or folders that do not exist: {stale}"
    assert len(listed) == len(set(listed)), "an entry is listed twice in LAYERS"


def test_no_import_cycle():
    try:
        TopologicalSorter(graph()).prepare()
    except CycleError as error:
        cycle = error.args[1]
        raise AssertionError("import cycle: " + " -> ".join(cycle)) from None


def test_no_import_runs_up_a_layer():
    upward = sorted(
        f"{importer} ({LAYERS[layer_of(importer)].name}) imports {imported} ({LAYERS[layer_of(imported)].name})"
        for importer, imported_set in graph().items() for imported in imported_set
        if layer_of(imported) > layer_of(importer) and (importer, imported) not in UPWARD_EXCEPTIONS)
    assert not upward, "imports that run up a layer (move the code down, or the import out):\n" + "\n".join(upward)
    stale = [pair for pair in UPWARD_EXCEPTIONS if pair[1] not in graph().get(pair[0], ())]
    assert not stale, f"UPWARD_EXCEPTIONS lists imports that are gone: remove them: {stale}"


def test_the_generator_reaches_neither_the_driver_nor_the_database():
    """The generator is pure (seed in, plain data out): nothing it imports, directly or through other
    modules, imports the Neo4j driver or a module of the layers that run or query a database."""
    database = {key for key in modules() if LAYERS[layer_of(key)].name in DATABASE_LAYERS}
    assert database, "no module is placed in the database layers"
    for key in modules():
        if not key.startswith(GENERATOR):
            continue
        reached = reachable(key)
        assert not reached & database, f"{key} reaches {sorted(reached & database)}"
        drivers = sorted(module for module in reached if DRIVER in imports_of(module).external)
        assert not drivers, f"{key} reaches {drivers}, which import {DRIVER}"


def test_the_contributing_guide_shows_these_layers():
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    section = text.split("### How the code is layered", 1)[1].split("\n#", 1)[0]
    shown = re.findall(r"^\| *\d+ *\| *(\w+) *\|", section, flags=re.MULTILINE)
    assert shown == [layer.name for layer in LAYERS]
