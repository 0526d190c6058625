"""run_cli_here, the way most command tests run `linklab`: in the test's own process, as the console script
would, and leaving the process as it found it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from linklab import __version__

from .conftest import ROOT, run_cli_here

CONSOLE_SCRIPT = Path(sys.executable).parent / "linklab"  # what `pip install` put beside this Python


def test_a_command_here_exits_and_prints_as_the_console_script_does(tmp_path):
    env = {**os.environ, "LINKLAB_HOME": str(tmp_path)}
    for args in (["--version"], ["show", "no-such-exercise"], ["show", "crews", "--unknown-option"]):
        here = run_cli_here(*args, env=env)
        there = subprocess.run([str(CONSOLE_SCRIPT), *args], capture_output=True, text=True, env=env, cwd=ROOT)
        assert (here.returncode, here.stdout, here.stderr) == (there.returncode, there.stdout, there.stderr), args
    assert __version__ in run_cli_here("--version").stdout


def test_a_command_here_leaves_the_environment_and_the_folder_as_they_were(tmp_path):
    before = (dict(os.environ), os.getcwd())
    os.chdir(tmp_path)
    try:
        # `lab --exercises` sets LINKLAB_EXERCISES for every part of the lab before it finds 'nope' unknown
        done = run_cli_here("lab", "--exercises", "1,nope", "--stop",
                            env={**os.environ, "LINKLAB_HOME": str(tmp_path)})
        assert done.returncode != 0 and "'nope'" in done.stderr and done.stderr.count("\n") == 1
        assert (dict(os.environ), os.getcwd()) == (before[0], str(tmp_path))
    finally:
        os.chdir(before[1])


def test_a_setting_given_for_one_command_is_the_one_it_uses(tmp_path):
    """Every setting is read when it is used (linklab.config), so the environment a command is given here is
    the one it works with, as in a process of its own; a setting that is no number is one line."""
    env = {**os.environ, "LINKLAB_HOME": str(tmp_path), "LINKLAB_CANDIDATES": "lots"}
    done = run_cli_here("prepare", env=env)
    assert done.returncode == 1 and done.stderr == "error: LINKLAB_CANDIDATES must be a whole number, not 'lots'\n"
