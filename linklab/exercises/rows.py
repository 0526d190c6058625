"""What an answer key expects and how an exercise compares rows with it: plain data (no database types), so
that the catalogue, answer keys, guarantees and varied worlds import no driver."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Expected:
    """The answer key for one scenario. For top-k, `rows` is one right answer and `tied` every row that
    shares the score of its last row (those in `rows` too): any of them may fill those places."""

    rows: list[tuple]
    tied: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class CompareSpec:
    mode: str = "multiset"  # multiset | ordered | topk | scalar
    columns: int = 1  # how many columns the answer has
    fixed_columns: bool = False  # column order matters (the prompt fixes it)
    tolerance: float = 1e-6  # absolute, for floats
    ranked: bool = False  # top-k: the rows must come highest first (ties in any order), as the prompt asks
