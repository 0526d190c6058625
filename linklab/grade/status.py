"""What became of a check or of an exercise's verdict: one enum, so that code decides on it and never on the
words shown to a trainee. The values are the strings written to checks.jsonl, results.json and the records."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # ran and gave other results
    REFUSED = "refused"  # not run, or stopped by a limit: the answer's own doing
    SKIPPED = "skipped"  # not run: the answer was refused on an earlier scenario
    NOT_GRADED = "not_graded"  # no verdict: the server was unavailable; nothing counts against the trainee
    MISSING = "missing"  # an exercise's verdict when no answer was handed in
    # right on the trainee's own scenario while the course's hidden worlds are still being prepared: no verdict
    # yet, nothing recorded (the lab checks the answer again once they are ready)
    PENDING = "pending"

    @property
    def stops(self) -> bool:
        """After such a check, the answer's other scenarios are not run."""
        return self in (Status.REFUSED, Status.SKIPPED, Status.NOT_GRADED)

    @property
    def is_verdict(self) -> bool:
        """Whether it judges the answer (a not-graded check is tried again later)."""
        return self not in (Status.NOT_GRADED, Status.PENDING)


def status_of(text: str, passed: bool = False) -> Status:
    """A status read back from a record; records written before statuses existed have only `passed`."""
    try:
        return Status(text)
    except ValueError:
        return Status.PASSED if passed else Status.FAILED
