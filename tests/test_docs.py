"""Every command is documented in the README (as sqlite-utils does), and the README's two commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import click

from linklab.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def command_paths(group: click.Group, prefix: str = "linklab") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_every_command_is_in_the_readme():
    missing = [path for path in command_paths(cli) if path not in README]
    assert not missing, f"undocumented commands: {missing}"


def test_every_command_has_help_text():
    for path in command_paths(cli):
        *groups, name = path.split()[1:]
        group = cli
        for g in groups:
            group = group.commands[g]
        assert group.commands[name].help, path


def test_readme_gives_exactly_two_fresh_machine_commands():
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", README, re.S)
    assert block, "a Quick start section with a code block"
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["make up", "make test"]
