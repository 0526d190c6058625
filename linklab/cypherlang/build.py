"""Fetch Neo4j's Cypher 5 grammar again: `python -m linklab.cypherlang.build`.

The grammar files (`grammar/Cypher5Lexer.interp`, `grammar/Cypher5Parser.interp`: ANTLR's interpreter data,
rule and token names and the serialised ATN) are copied from the sources jar of
`org.neo4j:cypher-v5-antlr-parser`, at the Neo4j version neo4j/pom.xml pins, from Maven Central (Apache-2.0,
see grammar/NOTICE). They are committed, so a clone parses Cypher without Java; run this after changing the
pinned Neo4j version (tests/test_guard.py checks that the manifest names the pinned version). Needs Maven.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from ..config import DATA_ROOT

GRAMMAR = Path(__file__).resolve().parent / "grammar"
ARTIFACT = "org.neo4j:cypher-v5-antlr-parser"
FILES = ("Cypher5Lexer.interp", "Cypher5Parser.interp")
INSIDE = "org/neo4j/cypher/internal/parser/v5/"


def pinned_neo4j() -> str:
    """The Neo4j version neo4j/pom.xml pins (the server's, so the parse is the server's own)."""
    return re.search(r"<neo4j\.version>([^<]+)<", (DATA_ROOT / "neo4j" / "pom.xml").read_text()).group(1)


def main() -> int:
    version = pinned_neo4j()
    if shutil.which("mvn") is None:
        print("linklab.cypherlang.build needs Maven (`mvn`)", file=sys.stderr)
        return 1
    subprocess.run(["mvn", "-q", "-B", "dependency:get", f"-Dartifact={ARTIFACT}:{version}:jar:sources"], check=True)
    group, name = ARTIFACT.split(":")
    jar = Path.home() / ".m2" / "repository" / group.replace(".", "/") / name / version / \
        f"{name}-{version}-sources.jar"
    with zipfile.ZipFile(jar) as archive:
        for file in FILES:
            (GRAMMAR / file).write_bytes(archive.read(INSIDE + file))
        generated = archive.read(INSIDE + "Cypher5Parser.java").decode()
    if "sempred(" in generated or "action(" in generated:  # the interpreter runs no embedded code
        print("this grammar has semantic predicates or actions: the interpreter cannot run it", file=sys.stderr)
        return 1
    manifest = {"artifact": f"{ARTIFACT}:{version}:sources", "files": {
        f: hashlib.sha256((GRAMMAR / f).read_bytes()).hexdigest() for f in FILES}}
    (GRAMMAR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"grammar of Neo4j {version} in {GRAMMAR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
