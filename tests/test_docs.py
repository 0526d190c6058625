"""The documentation: a short README with the two fresh-machine commands, pages by reader under docs/, reference
pages generated from the code and kept current, and a site that builds with no warning (broken links fail)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from linklab.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
sys.path.insert(0, str(ROOT / "docs"))
import generate  # noqa: E402  (docs/generate.py)


def test_every_command_has_help_text():
    for path in generate.command_paths(cli):
        command: click.Command = cli
        for name in path:
            command = command.commands[name]
        assert command.help, path


def test_the_reference_pages_are_what_the_code_says_now():
    for path, text in generate.pages().items():
        assert path.exists() and path.read_text() == text, f"{path.name} is out of date: run python docs/generate.py"
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text()
    missing = [p for p in generate.command_paths(cli) if f"## linklab {' '.join(p)}\n" not in reference]
    assert not missing


def test_readme_is_short_and_gives_exactly_two_fresh_machine_commands():
    assert len(README.splitlines()) <= 100
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", README, re.S)
    assert block, "a Quick start section with a code block"
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["make up", "make test"]


def test_the_readme_links_every_page_and_every_link_resolves():
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    assert all((ROOT / link).exists() for link in links), [l for l in links if not (ROOT / l).exists()]
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages <= set(links), f"pages the README does not link: {sorted(pages - set(links))}"


def test_the_site_builds_with_no_warning(tmp_path):
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0 and "WARNING" not in built.stderr, built.stderr
    page = (tmp_path / "site" / "trainee" / "index.html").read_text()
    assert "The lab in your browser" in page
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)  # nothing from a CDN
