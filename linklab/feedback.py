"""Every message a trainee sees about an answer, in one place, in words an analyst understands.

The grader decides with reason codes and numbers (grade.compare, grade.guard); this module turns them into
sentences. A message says what kind of thing is wrong (which column, a number, repeats, the order, how
many results), never the expected values. A "result" is one line of what the query returns; the tests
render every message and check the wording.
"""

from __future__ import annotations

import re

# reason code -> message; {placeholders} come from the comparison's details
MESSAGES = {
    "correct": "Correct.",
    "columns": ("Your answer returns {got} {got_columns}; this exercise asks for {want} {want_columns}. "
                "Check what your RETURN lists."),
    "numbers_differ": ("The names are right, but {wrong_count} of the numbers {wrong_differ}. Check what you "
                       "count: the direction of the relationships, DISTINCT, or a filter."),
    "missing_and_extra": ("Your answer returns {got} {got_results}: {missing} expected {missing_results} "
                          "{missing_are} missing and {extra} of yours should not be there.{repeats}"),
    "missing": "Your answer returns {got} {got_results}, and {missing} expected {missing_results} {missing_are} missing.",
    "extra": ("Your answer has every expected result, and {extra} more that should not be there.{repeats}"),
    "order": "The right results, in the wrong order: sort them as the exercise asks (ORDER BY).",
    "top_count": ("This exercise asks for the {k} highest-ranked {k_results}; your answer returns {got}. "
                  "Sort from the highest (ORDER BY ... DESC) and keep the first {k} (LIMIT {k})."),
    "top_one_count": ("This exercise asks for the single highest-ranked result; your answer returns {got}. "
                      "Sort from the highest (ORDER BY ... DESC) and keep the first (LIMIT 1)."),
    "top_one_wrong": "Your result is not the highest-ranked one: check what you rank by.",
    "top_repeats": "Some results appear more than once: DISTINCT removes repeats.",
    "top_wrong": ("Of your {k} {k_results}, {wrong} {wrong_are} not among the {k} highest-ranked: check what "
                  "you rank by."),
    "top_missing": "One of the highest-ranked results is missing from your answer: check ties and what you rank by.",
    "single": "This exercise asks for one single value; your answer returns {got} {got_results}.",
    "value": "Your value {value} is not the expected one.",
}
REPEATS = " Some of your results appear more than once: DISTINCT removes repeats."

# Why an answer was not run (grade.guard, grade.engine): code -> message
REFUSALS = {
    "size": ("Your answer is {length:,} characters long, over the limit of {limit:,}: write a query that finds "
             "the answer instead of listing data."),
    "empty": "The answer is empty: write one Cypher query.",
    "statements": "One statement per answer: remove the extra statements (after the ';').",
    "load_csv": "LOAD CSV is not allowed in answers: the data is already in the database.",
    "explain": "Leave out EXPLAIN and PROFILE: the grader runs the query itself.",
    "transactions": "CALL {{ }} IN TRANSACTIONS is not allowed in answers.",
    "denied": "Calls to {name}.* are not allowed in answers.",
    "gds_name": "Name your GDS graph $graph: the grader gives each check a graph name of its own.",
    "gds_list": "Listing GDS graphs (gds.graph.list) is not allowed in answers: your graph is $graph.",
    "not_accepted": "Neo4j does not accept the query: {detail}",
    "writes": "Answers must be read-only, and this query {kind}.",
    "operator": "Not allowed in answers: {names}.",
    "procedure": "The procedure {name} is not allowed in answers.",
    "rows": ("The query returns more than {max_rows:,} results: count, group or filter them (no exercise needs "
             "that many)."),
    "time": ("Stopped: the query ran longer than the {seconds:g} s time limit. Look for patterns that match "
             "everything with everything (a comma between unconnected patterns) or paths without an upper bound."),
    "memory": "Stopped: the query needed more memory than answers may use.",
    "write_refused": "Answers must be read-only (the server refused a write).",
    "neo4j_error": "Neo4j could not run the query: {detail}",
    "no_gds": "Graph Data Science is not installed on this Neo4j server.",
    "gds_memory": "GDS estimates more than {mib} MiB for a projection: too large to grade here.",
    "skipped": "Not run: the answer was refused on an earlier scenario.",
    "marker": "Answers may not read linklab's own bookkeeping (the :Scenario marker and its properties): query the network itself.",
    "reflection": "Answers may not use {what}: name the labels and properties you need.",
    "subscript": "Answers may not use n[expression]: use n.property, or a whole number as a list index.",
}


def refusal(code: str, **details) -> str:
    return REFUSALS[code].format(**details)


# Verdict-level messages (grade.engine.summarise)
PASSED = "Right on your scenario and on {hidden} hidden {hidden_scenarios}."
OWN_FAILED = "On your scenario: {feedback}"
OWN_REFUSED = "Not run: {feedback}"
HIDDEN_REFUSED = "Right on your scenario, but on a hidden scenario: {feedback}"
HARD_CODED = ("Right on your scenario, but wrong on a hidden one with other people: does the query hard-code "
              "names, ids or numbers instead of finding them?")
NOT_SUBMITTED = "No answer submitted."
# No verdict: the server's doing, never the answer's (grade.engine.run_fairly). The check is not counted.
NOT_GRADED = {
    "unavailable": ("Not graded: the grading server was not available (it may be restarting). This check does "
                    "not count: check again in a minute."),
    "slow": ("Not graded: the grading server was too slow just now to grade fairly. This check does not count: "
             "check again in a minute."),
    "unwell": ("Not graded: the grading server could not run the exercise's own solution just now. This check "
               "does not count: tell your instructor."),
}
# A file of a submission that the grader does not read (grade.submissions): the trainee sees why.
NOT_A_FILE = ("Not graded: {name} is not a plain file inside your submission ({what}). Hand in the .cypher file "
              "itself.")
UNREADABLE_WHAT = {
    "symlink": "a link to somewhere else",
    "special": "a device, pipe or socket",
    "hardlink": "a file that also exists elsewhere",
    "folder": "a folder",
    "too_large": "over 1 MiB",
}
KNOWN_MISTAKE = "A common mistake gives exactly these results: {mistake}."
HIDDEN_MISTAKE = "There it gives the results of a common mistake: {mistake}."
UNORDERED_LIMIT = ("Your answer uses LIMIT without ORDER BY: which results come first is not defined, so it is "
                   "right only by chance. Sort first (ORDER BY), then keep the first ones.")


def plural(n: int, word: str, many: str | None = None) -> str:
    return word if n == 1 else (many or word + "s")


def render(reason: str, **details) -> str:
    """The message for a comparison's reason code."""
    d = dict(details)
    for key in ("got", "want", "missing", "extra", "k", "wrong"):
        if key in d:
            n = d[key]
            d[f"{key}_results"] = plural(n, "result")
            d[f"{key}_columns"] = plural(n, "column")
            d[f"{key}_are"] = "is" if n == 1 else "are"
    if "wrong" in d:
        d["wrong_count"] = "one" if d["wrong"] == 1 else d["wrong"]
        d["wrong_differ"] = "differs" if d["wrong"] == 1 else "differ"
    d["repeats"] = REPEATS if details.get("repeats") else ""
    return MESSAGES[reason].format(**d)


SYNTAX = re.compile(r"(?P<what>.*?)\s*\(line (?P<line>\d+), column (?P<column>\d+)", re.DOTALL)


def syntax_error(message: str) -> str:
    """Neo4j's parser message, once and short: where, and what it did not expect."""
    found = SYNTAX.search(message)
    if not found:
        return f"Syntax error: {message.strip().splitlines()[0]}"
    what = found.group("what").strip().splitlines()[0]
    what = re.sub(r":\s*expected .*", "", what).rstrip(". ")  # the list of every token it could take is noise
    return (f"Syntax error on line {found.group('line')}, column {found.group('column')}: {what}. "
            "Check brackets, quotes and commas just before that point.")
