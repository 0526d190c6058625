"""Which trainee an LMS user is. The first launch (or the roster from the LMS) makes a trainee under the
user's LMS name, kept from then on by the LMS's stable user id (`sub`): renaming in the LMS changes nothing
here, and the instructor's renames in the console carry the link along (accounts.rename)."""

from __future__ import annotations

import hashlib
from contextlib import closing

from ..classroom import accounts
from ..classroom.accounts import AccountError, Problem as AccountProblem
from . import registry
from .launch import LtiError, Problem

MOST_SUFFIX = 50


def trainee_for(course: str, issuer: str, sub: str, lms_name: str) -> tuple[str, bool]:
    """(the trainee's name, whether they were added now). A name taken by someone else gets a number
    ("Dana Smith 2"); a name linklab cannot take (empty, too long, a staff word) becomes "Learner XXXX"."""
    registry.store().close()  # the LTI tables exist
    with closing(accounts.store()) as db, accounts.writing(db):
        known = registry.trainee_of(db, course, issuer, sub)
        if known and db.execute("SELECT 1 FROM trainees WHERE course = ? AND name = ?", (course, known)).fetchone():
            return known, False
        name = free_name(db, course, base_name(lms_name, sub))
        try:
            accounts.places_left(db, course)
        except AccountError as exc:
            if exc.problem is AccountProblem.CLASS_FULL:
                raise LtiError(Problem.CLASS_FULL) from None
            raise
        accounts.insert_trainee(db, course, name, accounts.new_code())
        registry.link_user(db, course, issuer, sub, name)
    return name, True


def base_name(lms_name: str, sub: str) -> str:
    try:
        return accounts.clean_name(" ".join(str(lms_name).split())[:36])
    except AccountError:
        return f"Learner {hashlib.sha256(sub.encode()).hexdigest()[:6].upper()}"


def free_name(db, course: str, name: str) -> str:
    if not accounts.same_name(db, course, name):
        return name
    for n in range(2, MOST_SUFFIX):
        candidate = f"{name[:36]} {n}"
        if not accounts.same_name(db, course, candidate):
            return candidate
    raise LtiError(Problem.NO_USER)
