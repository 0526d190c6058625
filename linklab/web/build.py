"""Rebuild the vendored bundles: `python -m linklab.web.build` (or `make assets`). Installs exactly what
web/package-lock.json pins (`npm ci`), then bundles with esbuild (web/build.mjs) into static/. Needs Node 18+
and the npm registry; nothing else in linklab does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def main() -> int:
    if not (WEB / "package-lock.json").is_file():
        print(f"no {WEB / 'package-lock.json'}: rebuild the bundles from a linklab checkout", file=sys.stderr)
        return 1
    if shutil.which("npm") is None or shutil.which("node") is None:
        print("linklab.web.build needs node and npm (Node 18 or newer)", file=sys.stderr)
        return 1
    # --ignore-scripts: no package runs code at install time; esbuild's binary comes as an optional dependency.
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    subprocess.run(["node", "build.mjs"], cwd=WEB, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
