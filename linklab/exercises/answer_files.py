"""Where an exercise's answer function comes from: `answer` in its folder's answer.py (exercises/NN-ID/answer.py),
loaded as a module of its own once per process. A module of its own because the catalogue (which validates every
exercise with it) and linklab.exercises.answers (which calls it) both need it, and neither may import the other."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Callable

from ..config import DATA_ROOT
from ..errors import LinklabError


def answer_function(exercise) -> Callable:
    """The exercise's answer function: `answer` in its folder's answer.py."""
    return load_answer(exercise.answer_path, exercise.kind, exercise.id)


@cache
def load_answer(path: Path, kind: str, exercise_id: str) -> Callable:
    """`answer` of an answer.py, loaded once per process; a missing file, one that fails to load or one without
    an `answer` function is a LinklabError naming the file."""
    where = path.relative_to(DATA_ROOT) if path.is_relative_to(DATA_ROOT) else path
    if not path.is_file():
        raise LinklabError(f"{where}: missing: an exercise's answer function lives beside its exercise.toml")
    spec = importlib.util.spec_from_file_location(f"linklab_exercise_answers.{kind}.{exercise_id}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the file is data: whatever it raises is told as its error, in one line
        raise LinklabError(f"{where}: cannot be loaded ({type(exc).__name__}: {exc})") from None
    found = getattr(module, "answer", None)
    if not callable(found):
        raise LinklabError(f"{where}: defines no function `answer(g)` (the exercise's answer key)")
    return found
