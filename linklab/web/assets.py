"""The vendored browser bundles in static/, found through the manifest that web/build.mjs writes, so that pages
never spell out a version: `bundle("graph-view")` is the sigma.js graph view, `bundle("cypher-editor")` the
CodeMirror Cypher editor. A fresh clone needs no Node: the bundles are committed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Bundle:
    name: str
    js: Path
    css: Path | None
    global_name: str  # the window object the script defines, e.g. LinklabGraph
    version: str  # of its main library
    packages: dict[str, str]


@cache
def manifest() -> dict:
    return json.loads((STATIC / "manifest.json").read_text(encoding="utf-8"))


def bundle(name: str) -> Bundle:
    entry = manifest()["bundles"][name]
    return Bundle(name, STATIC / entry["js"], STATIC / entry["css"] if entry["css"] else None, entry["global"],
                  entry["version"], dict(entry["packages"]))


def inline_script(name: str) -> str:
    """The bundle as the body of an inline <script>, safe inside HTML: no "</script" can end it early (in JS,
    "<\\/" inside a string, regular expression or comment means the same as "</")."""
    return re.sub("</(script)", r"<\\/\1", bundle(name).js.read_text(encoding="utf-8"), flags=re.IGNORECASE)
