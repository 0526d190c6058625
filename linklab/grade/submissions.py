"""Reading a folder of submissions, and nothing outside it.

    SUBMISSIONS/
      alice/hub-messages.cypher      (or 03-hub-messages.cypher)
      alice/progress.json            (optional: the hints, from `linklab progress --export`)
      bob/...

The grader runs as the instructor, who can read the course secret and the server's password; a trainee
writes the folder. So only plain files directly inside a trainee's own folder are read: a symbolic link (to
a file or a folder, also a trainee folder that is a link), a device, pipe or socket, a file with other
names elsewhere (a hard link), a folder named like an answer, or a file over MAX_FILE_BYTES is refused by
name, in one line each, and never opened for reading. Every open goes through the folder's own descriptor
with O_NOFOLLOW, so a link swapped in between the look and the open is refused too. The submission folder
itself is the instructor's choice and may be reached through links.
"""

from __future__ import annotations

import difflib
import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LinklabError
from ..exercises.catalogue import Exercise

ANSWER_SUFFIXES = (".cypher", ".cql", ".txt", ".cyp")
MAX_FILE_BYTES = 1 << 20  # far above the longest answer the guard accepts (20,000 characters)
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@dataclass
class Submissions:
    answers: dict[str, dict[str, str]]  # trainee -> exercise id -> query text
    warnings: list[str] = field(default_factory=list)  # files not read or not graded, one line each
    unreadable: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)  # trainee -> exercise ->
    # (why: a feedback.UNREADABLE_WHAT key, the file's name): graded as refused, with that reason
    hints: dict[str, dict[str, int]] = field(default_factory=dict)  # from each trainee's progress.json
    other_kind: list[str] = field(default_factory=list)  # files named after exercises of the other catalogue

    def graded(self) -> int:
        """How many answers there are to grade (refused files count: the trainee is told why)."""
        return sum(len(a) for a in self.answers.values()) + sum(len(u) for u in self.unreadable.values())


class Unreadable(Exception):
    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def check_trainee_name(name: str) -> str:
    """A trainee name given on the command line (--single) names a folder of the results: no path in it."""
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise LinklabError(f"--single {name!r}: a trainee name cannot be a path (no '/', '\\' or '..')")
    return name


def answer_names(exercises: tuple[Exercise, ...]) -> dict[str, str]:
    """File stem -> exercise id: the id itself, or with the catalogue number (03-hub-messages)."""
    return {e.id: e.id for e in exercises} | {f"{e.number:02d}-{e.id}": e.id for e in exercises}


def read_submissions(folder: Path, exercises: tuple[Exercise, ...], single: str | None = None,
                     others: tuple[Exercise, ...] = ()) -> Submissions:
    """Every trainee's answers. With `single`, FOLDER holds one trainee's files. A file whose name is
    close to an exercise's but not it (a typo, other capitals, .txt) is not graded, and a warning names
    the id it should have. `others`: the exercises of the catalogue not being graded (case exercises when
    grading generated scenarios, and the reverse), so that their files can be pointed out."""
    try:
        root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        raise LinklabError(f"{folder} is not a folder of submissions (one sub-folder per trainee)") from None
    found = Submissions({})
    by_name, other_names = answer_names(exercises), answer_names(others)
    try:
        if single:
            read_trainee(found, check_trainee_name(single), folder, os.dup(root), by_name, other_names)
        else:
            for entry in sorted(os.scandir(root), key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    found.warnings.append(f"{folder / entry.name}: not read: a link to a folder elsewhere; "
                                          "a trainee's folder must be a folder of their own")
                elif entry.is_dir(follow_symlinks=False):
                    try:
                        handle = os.open(entry.name, DIR_FLAGS, dir_fd=root)
                    except OSError as exc:
                        found.warnings.append(f"{folder / entry.name}: not read: {exc.strerror}")
                        continue
                    read_trainee(found, entry.name, folder / entry.name, handle, by_name, other_names)
    finally:
        os.close(root)
    if not single and not found.answers and not found.unreadable:
        if any(name.endswith(ANSWER_SUFFIXES) for name in os.listdir(folder)):
            raise LinklabError(f"nothing to grade: {folder} holds answer files, not trainee folders: grade one "
                               "trainee's folder with --single NAME")
        raise LinklabError(f"{folder} has no trainee folders")
    return found


def read_trainee(found: Submissions, trainee: str, path: Path, handle: int, by_name: dict[str, str],
                 other_names: dict[str, str]) -> None:
    """One trainee's folder, read through its descriptor (closed here)."""
    answers: dict[str, str] = {}
    refused: dict[str, tuple[str, str]] = {}
    try:
        for entry in sorted(os.scandir(handle), key=lambda e: e.name):
            stem, suffix = os.path.splitext(entry.name)
            if entry.name == "progress.json":
                found.hints[trainee] = hints_from(read_file(handle, entry, path, found.warnings))
            elif suffix == ".cypher" and stem in by_name:
                try:
                    data = open_plain(handle, entry)
                except Unreadable as exc:
                    refused[by_name[stem]] = (exc.why, entry.name)
                    found.warnings.append(f"{path / entry.name}: not read: {WHY[exc.why]}")
                    continue
                try:
                    answers[by_name[stem]] = data.decode("utf-8")
                except UnicodeDecodeError:
                    answers[by_name[stem]] = ""  # graded as an empty answer: refused with a reason
            elif suffix == ".cypher" and stem in other_names:
                found.other_kind.append(str(path / entry.name))
            elif suffix.lower() in ANSWER_SUFFIXES:
                guess = closest_id(stem, by_name)
                if guess:
                    found.warnings.append(f"{path / entry.name}: not graded; name it {guess}.cypher to grade it "
                                          f"as exercise {guess}")
    finally:
        os.close(handle)
    for exercise in refused:
        answers.pop(exercise, None)  # two files for one exercise, one of them a link: the link decides
    found.answers[trainee] = answers
    if refused:
        found.unreadable[trainee] = refused


WHY = {
    "symlink": "a symbolic link (hand in the file itself)",
    "special": "not a plain file (a device, pipe or socket)",
    "hardlink": "a hard link to a file that also exists elsewhere (hand in a copy)",
    "folder": "a folder, not a file",
    "too_large": f"larger than {MAX_FILE_BYTES >> 20} MiB",
}


def open_plain(folder: int, entry: os.DirEntry) -> bytes:
    """The bytes of a plain file directly in `folder` (a descriptor), or Unreadable: never follows a link,
    never opens a device, pipe or socket (judged from the entry first, then again on what was opened)."""
    if entry.is_symlink():
        raise Unreadable("symlink")
    if entry.is_dir(follow_symlinks=False):
        raise Unreadable("folder")
    if not entry.is_file(follow_symlinks=False):
        raise Unreadable("special")
    try:
        handle = os.open(entry.name, OPEN_FLAGS, dir_fd=folder)
    except OSError as exc:  # replaced since it was listed
        raise Unreadable({errno.ELOOP: "symlink", errno.EISDIR: "folder"}.get(exc.errno, "special")) from None
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("folder")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("special")
        if info.st_nlink > 1:
            raise Unreadable("hardlink")
        if info.st_size > MAX_FILE_BYTES:
            raise Unreadable("too_large")
        data = os.read(handle, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise Unreadable("too_large")
        return data
    finally:
        os.close(handle)


def read_file(folder: int, entry: os.DirEntry, path: Path, warnings: list[str]) -> bytes:
    try:
        return open_plain(folder, entry)
    except Unreadable as exc:
        warnings.append(f"{path / entry.name}: not read: {WHY[exc.why]}")
        return b""


def require_answers(found: Submissions, folder: Path, single: str | None, on_case: bool) -> None:
    """A grade that would check nothing is an error that says why, not a class of zeros."""
    if found.graded():
        return
    if found.other_kind:
        fix = "leave out --case to grade them" if on_case else "grade them with --case NAME"
        kind = "exercises on generated scenarios" if on_case else "case exercises"
        raise LinklabError(f"nothing to grade: {found.other_kind[0]} and the like are answers to {kind}: {fix}")
    if single and any(entry.is_dir() for entry in os.scandir(folder) if not entry.name.startswith(".")):
        raise LinklabError(f"nothing to grade: --single reads one trainee's .cypher files directly in {folder}, "
                           "and it holds folders: leave out --single to grade a folder of trainee folders")
    if found.warnings:
        raise LinklabError(f"nothing to grade: no file in {folder} could be graded (see the warnings above)")
    raise LinklabError(f"nothing to grade: no file in {folder} is named after an exercise (such as "
                       "hub-messages.cypher or 03-hub-messages.cypher)")


def hints_from(data: bytes) -> dict[str, int]:
    """Hints used, from the progress.json a trainee hands in (optional; `linklab progress --export`)."""
    try:
        entries = json.loads(data.decode("utf-8")).get("exercises", {})
        return {ex: int(e.get("hints", 0)) for ex, e in entries.items() if e.get("hints")}
    except (ValueError, AttributeError, TypeError):
        return {}


def closest_id(stem: str, by_name: dict[str, str]) -> str | None:
    """The exercise id a misnamed file most likely means (other capitals, a typo, a missing number)."""
    lowered = {name.lower(): ex for name, ex in by_name.items()}
    if stem.lower() in lowered:
        return lowered[stem.lower()]
    close = difflib.get_close_matches(stem.lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[close[0]] if close else None
