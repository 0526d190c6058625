"""Varied worlds: the generated scenarios with every habit of the generator that no prompt promises broken
(vary.py), by transforms (transforms.py) on an editable copy of a small world (world.py). Above the
generator and the exercises (it keeps every exercise's guarantees), below the grader, which checks answers
on varied hidden worlds."""
