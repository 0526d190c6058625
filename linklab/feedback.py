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


# The lab's web walls (web.app, web.classroom, classroom.accounts): signing in, names, places, limits. The
# {placeholders} are filled by the server; none says whether a secret was close, or what another trainee did.
CLASS = {
    # anyone
    "own_page": "Changes come from the lab's own page: reload it and try again.",
    "cross_site": "A request from another site was refused.",
    "too_large": "The request is larger than {kib} KiB: send a shorter answer.",
    "not_text": "The query has characters that are not text: type it again, or paste it as plain text.",
    "not_json": "Send the query as JSON: {{\"query\": \"MATCH ...\"}}.",
    "form": "Send the form as JSON text fields.",
    # signing in
    "not_signed_in": "Sign in first: open the lab's address and join the course.",
    "out_of_date": "This page is out of date: reload it.",
    "course_code": "That is not this course's code: ask your instructor for it.",
    "personal_code": "No trainee has that code: check it, or ask your instructor.",
    "other_course": "That code belongs to another course.",
    "wrong_password": "That is not the instructor's password.",
    "wait_address": "Too many failed sign-ins from this address: try again in {seconds} s.",
    "wait_account": ("The instructor's sign-in is slowed after failed attempts: try again in {seconds} s, or sign "
                     "in on the lab's own machine."),
    "name_form": "A name is 1 to 40 letters, digits, spaces, dots, apostrophes or dashes, starting with a letter or digit.",
    "name_reserved": "The name \"{name}\" is kept for the staff: choose your own name.",
    "name_taken": ("The name \"{name}\" is taken in this course, or looks the same as one that is: sign in with "
                   "your personal code, or choose another name."),
    "class_full": "This class is full ({places} places): ask your instructor to make room.",
    # who may see what
    "instructor_only": "Only the instructor may see this.",
    "instructor_first": "Sign in as the instructor first.",
    "trainees_lab": "This is the trainees' lab: the instructor's page is /console.",
    # limits on a trainee's work
    "in_flight": "You already have {limit} queries running: wait for one to finish, then try again.",
    "too_often": "More than {per} {kind}s in a minute: wait a little, then try again.",
    # the instructor's roster
    "no_trainee": "No trainee called \"{name}\" in this course.",
    "name_has_records": ("There are records under the name \"{name}\" already: choose another name, or remove "
                         "that trainee first."),
    "places_form": "The number of places is a whole number from 1 to {most}.",
    "task_running": "The instructor's task '{name}' is still running: wait for it to finish.",
}


def class_message(code: str, **details) -> str:
    return CLASS[code].format(**details)
