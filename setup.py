"""Only one thing pyproject.toml cannot say: the wheel carries the top-level data folders (exercises,
profiles, lexicons, queries, the Neo4j pom), copied under linklab/_data, where linklab.config finds them
when it is not running from a checkout. The folders themselves stay the source."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = ("exercises", "queries", "seed", "neo4j/pom.xml")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "linklab" / "_data"
        shutil.rmtree(target, ignore_errors=True)  # a file removed from the folders never lingers in a build
        for name in DATA:
            source, copy = here / name, target / name
            if source.is_dir():
                shutil.copytree(source, copy, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)


setup(cmdclass={"build_py": BuildWithData})
