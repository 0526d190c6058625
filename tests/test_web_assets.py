"""The vendored browser bundles (linklab/web/static) are what web/package-lock.json and web/src build: names carry
the pinned versions, the manifest's input hashes match the committed sources (so a source edit without
`make assets` fails here), every bundled package is listed with its licence, and sizes stay sane."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from linklab.web import assets

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
LOCK = json.loads((WEB / "package-lock.json").read_text())
PACKAGE = json.loads((WEB / "package.json").read_text())
MANIFEST = assets.manifest()
SOURCES = {"graph-view": "src/graph-view.js", "cypher-editor": "src/cypher-editor.js"}
LOCAL_NAMES = {"graph-view": "buildGraph", "cypher-editor": "cleanSchema"}  # renamed by the minifier
MAX_BYTES = {"graph-view": 400_000, "cypher-editor": 1_500_000}  # minified; the Cypher grammar is most of the editor


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locked(name: str) -> str:
    return LOCK["packages"][f"node_modules/{name}"]["version"]


def test_package_json_pins_exactly_what_the_lockfile_holds():
    wanted = {**PACKAGE["dependencies"], **PACKAGE["devDependencies"]}
    assert wanted and all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in wanted.values()), wanted
    assert {name: locked(name) for name in wanted} == wanted
    assert LOCK["packages"][""]["dependencies"] == PACKAGE["dependencies"]
    assert all("integrity" in p for key, p in LOCK["packages"].items() if key)  # npm ci verifies every tarball


def test_manifest_was_built_from_these_inputs():
    assert MANIFEST["lockfile_sha256"] == sha256(WEB / "package-lock.json")
    assert MANIFEST["build_sha256"] == sha256(WEB / "build.mjs")
    assert set(MANIFEST["bundles"]) == set(SOURCES)
    for name, source in SOURCES.items():
        assert MANIFEST["bundles"][name]["source_sha256"] == sha256(WEB / source), f"{source} changed: make assets"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_bundle_names_and_contents_match_the_pinned_versions(name):
    entry = MANIFEST["bundles"][name]
    bundle = assets.bundle(name)
    assert entry["version"] == locked(entry["main"])
    assert bundle.js.name == f"{name}-{locked(entry['main'])}.js" and bundle.js.is_file()
    assert bundle.packages == {p: locked(p) for p in bundle.packages}
    assert entry["main"] in bundle.packages
    for file, size in entry["bytes"].items():
        assert (assets.STATIC / file).stat().st_size == size, f"{file} differs from what the build wrote"
    assert bundle.js.stat().st_size < MAX_BYTES[name]
    banner, code = bundle.js.read_text(encoding="utf-8").split("\n", 1)
    assert banner.startswith(f"/* {bundle.js.name}: ") and "THIRD-PARTY.txt" in banner
    assert LOCAL_NAMES[name] in (WEB / SOURCES[name]).read_text() and LOCAL_NAMES[name] not in code  # minified


def test_static_holds_the_current_bundles_only():
    expected = {"manifest.json", "THIRD-PARTY.txt"}
    for entry in MANIFEST["bundles"].values():
        expected |= set(entry["bytes"])
    assert {p.name for p in assets.STATIC.iterdir()} == expected
    assert assets.bundle("cypher-editor").css is not None and assets.bundle("cypher-editor").css.is_file()


def test_every_bundled_package_is_listed_with_its_licence():
    notice = (assets.STATIC / "THIRD-PARTY.txt").read_text(encoding="utf-8")
    for entry in MANIFEST["bundles"].values():
        for package, version in entry["packages"].items():
            meta = LOCK["packages"][f"node_modules/{package}"]
            assert f"\n{package} {version}  {meta['license']}\n" in notice, package
    assert notice.count("Apache License") >= 1 and notice.count("MIT") >= 5


def test_inline_script_cannot_end_its_script_element():
    text = assets.inline_script("graph-view")
    assert "</script" not in text.lower() and len(text) > 100_000
