"""Every message a trainee sees about an answer, in one place, in words an analyst understands.

The grader decides with reason codes and numbers (grade.compare, grade.guard); this module turns them into
sentences. A message says what kind of thing is wrong (which column, a number, repeats, the order, how
many results), never the expected values. A "result" is one line of what the query returns; the tests
render every message and check the wording.
"""

from __future__ import annotations

import difflib
import re

# reason code -> message; {placeholders} come from the comparison's details. None carries an expected
# value or count, or code to copy: the trainee's own counts ({got}) and the prompt's ({k}, {want}) only.
MESSAGES = {
    "correct": "Correct.",
    "columns": ("Your answer returns {got} {got_columns}; this exercise asks for {want} {want_columns}. "
                "Check what your RETURN lists."),
    "numbers_differ": ("The names are right, but some of the numbers differ. Check what you count: the direction "
                       "of the relationships, repeats, or a filter."),
    "missing_and_extra": "Some expected results are missing, and some of yours should not be there.{repeats}",
    "missing": "Your answer returns {got} {got_results}, and some expected results are missing.",
    "extra": "Your answer has every expected result, and more that should not be there.{repeats}",
    "order": "The right results, in the wrong order: sort them as the exercise asks.",
    "top_count": ("This exercise asks for the {k} highest-ranked {k_results}; your answer returns {got}. "
                  "Rank them from the highest and keep the first {k}."),
    "top_one_count": ("This exercise asks for the single highest-ranked result; your answer returns {got}. "
                      "Rank them from the highest and keep the first."),
    "top_one_wrong": "Your result is not the highest-ranked one: check what you rank by.",
    "top_repeats": "Some results appear more than once.",
    "top_wrong": "Some of your results are not among the {k} highest-ranked: check what you rank by.",
    "top_missing": "One of the highest-ranked results is missing from your answer: check ties and what you rank by.",
    "single": "This exercise asks for one single value; your answer returns {got} {got_results}.",
    "value": "Your value {value} is not the expected one.",
}
REPEATS = " Some of your results appear more than once."

# What went wrong on a hidden world, in words with no number or value from it.
HIDDEN_REASONS = {
    "columns": "returns other columns",
    "numbers_differ": "a number differs",
    "missing_and_extra": "some results are missing and others should not be there",
    "missing": "some results are missing",
    "extra": "it returns results that should not be there",
    "order": "the order is wrong",
    "top_count": "it returns another number of results",
    "top_one_count": "it returns another number of results",
    "top_one_wrong": "its result is not the highest-ranked",
    "top_repeats": "some results appear more than once",
    "top_wrong": "some results are not among the highest-ranked",
    "top_missing": "a highest-ranked result is missing",
    "single": "it returns more or fewer than one value",
    "value": "its value is not the expected one",
    "unordered_limit": "LIMIT picks results without an ORDER BY",
    "storage_order": "which results come first was left to the database",
}


def hidden_reason(reason: str) -> str:
    """A hidden world's failure, said without anything from that world."""
    return f"On this hidden scenario {HIDDEN_REASONS.get(reason, 'the result differs')}."


# Why an answer was not run (grade.guard, grade.engine): code -> message
REFUSALS = {
    "size": ("Your answer is {length:,} characters long, over the limit of {limit:,}: write a query that finds "
             "the answer instead of listing data."),
    "empty": "The answer is empty: write one Cypher query.",
    "statements": "One statement per answer: remove the extra statements (after the ';').",
    "explain": "Leave out EXPLAIN and PROFILE: the grader runs the query itself.",
    "cypher_version": "Leave out the CYPHER option at the start: answers are written in Neo4j's Cypher 5.",
    "clause": ("{what} is not allowed in answers: an answer is one read-only query of the network "
               "(MATCH, WITH, UNWIND, CALL, RETURN...)."),
    "function": "The function {name} is not allowed in answers.",
    "nested_query": "A Cypher projection's queries must be written out as text, and are checked like answers.",
    "gds_name": "Name your GDS graph $graph: the grader gives each check a graph name of its own.",
    "not_accepted": "Neo4j does not accept the query: {detail}",
    "writes": "Answers must be read-only, and this query {kind}.",
    "operator": "Not allowed in answers: {names}.",
    "procedure": "The procedure {name} is not allowed in answers.",
    "rows": ("The query returns more than {max_rows:,} results: count, group or filter them (no exercise needs "
             "that many)."),
    "time": ("Stopped: the query ran longer than the {seconds:g} s time limit. Look for patterns that match "
             "everything with everything (a comma between unconnected patterns) or paths without an upper bound."),
    "time_busy": ("Stopped after the {seconds:g} s time limit while the server was busy with other queries: yours "
                  "waited for its turn most of that time, which says nothing about it. Try it again in a moment."),
    "memory": "Stopped: the query needed more memory than answers may use.",
    "write_refused": "Answers must be read-only (the server refused a write).",
    "neo4j_error": "Neo4j could not run the query: {detail}",
    "no_gds": "Graph Data Science is not installed on this Neo4j server.",
    "gds_memory": "GDS estimates more than {mib} MiB for a projection: too large to grade here.",
    "skipped": "Not run: the answer was refused on an earlier scenario.",
    "marker": "Answers may not read linklab's own bookkeeping (the :Scenario nodes): query the network itself.",
    "dynamic_property": ("Answers may not read a property by a computed name (n[expression]): write n.property. "
                         "Brackets with a number, or a range such as [1..3], pick from a list."),
}


def refusal(code: str, **details) -> str:
    return REFUSALS[code].format(**details)


# Verdict-level messages (grade.engine.summarise)
PASSED = "Right on your scenario and on {hidden} hidden {hidden_scenarios}."
OWN_FAILED = "On your scenario: {feedback}"
OWN_REFUSED = "Not run: {feedback}"
HIDDEN_REFUSED = "Right on your scenario, but on a hidden scenario: {feedback}"
HARD_CODED = ("Right on your scenario, but wrong on a hidden one with other people: your query hard-codes names "
              "or values from your scenario's data instead of finding them.")
HIDDEN_WRONG = ("Right on your scenario, but not on a hidden one: your query leans on something your scenario "
                "happens to have and the exercise does not promise. {what}")
NOT_SUBMITTED = "No answer submitted."
# Right on the trainee's own scenario while the course's hidden scenarios are still being chosen (service.check)
PENDING = ("Right on your scenario so far. Every answer is also checked on hidden scenarios, and yours are still "
           "being prepared (see the foot of the page): your answer is checked there as soon as they are ready, "
           "and counts then. You can go on meanwhile.")
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
KNOWN_MISTAKE = "It gives exactly the results of a known mistake on every scenario: {mistake}."


def known_mistake(diagnosis: str) -> str:
    """The sentence naming a mistake; a diagnosis is said of "your answer" (written ones start so already)."""
    text = diagnosis if diagnosis.lower().startswith("your answer") else f"your answer {diagnosis}"
    return KNOWN_MISTAKE.format(mistake=text.rstrip("."))
STORAGE_ORDER = ("Your answer is right only in the order the database happened to list things this time: results "
                 "that tie are kept, dropped or placed by chance, and another load of the same data can list them "
                 "otherwise. Say in the query how to order them, settling ties the way the question asks.")

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


KEYWORDS = ("MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "ORDER", "BY", "LIMIT", "SKIP", "UNWIND", "CALL",
            "YIELD", "DISTINCT", "COUNT", "COLLECT", "EXISTS", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR",
            "NOT", "IN", "AS", "DESC", "ASC", "UNION", "CONTAINS", "STARTS", "ENDS", "IS", "NULL")


def parse_error(error) -> str:
    """A syntax error found by linklab's parse (Neo4j's own grammar): where, and in words what went wrong.
    `error` is a cypherlang.parser.CypherSyntaxError: line, column (from 1), found (text there), expected."""
    where = f"Syntax error on line {error.line}, column {error.column}"
    found = error.found or ""
    if not found:
        return f"{where}: the query ends too early; something is missing at its end (a closing bracket, or what follows the last word)."
    if found[:1] in "'\"`" and (len(found) == 1 or found[-1] != found[0]):
        return f"{where}: a quote or backtick ({found[0]}) is opened there and never closed."
    closers = [e for e in error.expected.split(", ") if e.strip("'") in (")", "]", "}")]
    if closers and len(closers) == len(error.expected.split(", ")):
        return f"{where}, at '{found}': a closing {closers[0]} is missing before it."
    close = difflib.get_close_matches(found.upper(), KEYWORDS, n=1, cutoff=0.75)
    if close and close[0] != found.upper():
        return f"{where}, at '{found}': did you mean {close[0]}?"
    return f"{where}: Neo4j does not expect '{found}' there."


PLACE = re.compile(r"\(line (?P<line>\d+), column (?P<column>\d+) \(offset: \d+\)\)")


def neo4j_detail(text: str, shift: int = 0) -> str:
    """Neo4j's own sentence about a query it does not accept ("Variable `m` not defined (line 1, column 26
    (offset: 25))"), with the place in the trainee's answer: line 1's column less the `shift` characters the
    caller put before the answer, and no offset."""
    def place(found: re.Match) -> str:
        line, column = int(found.group("line")), int(found.group("column"))
        column = column - shift if line == 1 and column > shift else column
        return f"(line {line}, column {column})"
    return PLACE.sub(place, text)


# The lab's web walls (web.app, web.classroom, classroom.accounts): signing in, names, places, limits. The
# {placeholders} are filled by the server; none says whether a secret was close, or what another trainee did.
CLASS = {
    # anyone
    "own_page": "Changes come from the lab's own page: reload it and try again.",
    "cross_site": "A request from another site was refused.",
    "too_large": "The request is larger than {kib} KiB: send a shorter answer.",
    "not_text": "The query has characters that are not text: type it again, or paste it as plain text.",
    "not_json": "Send the query as JSON: {{\"query\": \"MATCH ...\"}}.",
    "json_object": "Send the request as a JSON object.",
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


# The lab's own words around a run (service.run, web.app): a stop, a time limit with the likely reason, what
# Run and Check need first. None gives an answer away.
LAB = {
    "stopped": "Stopped after {seconds:.1f} s, as you asked.",
    "time": "Stopped after {seconds:.1f} s: a run may take {limit:g} s at most. {advice}",
    "time_busy": ("Stopped after {seconds:.1f} s: the server was busy with other queries, and yours waited for its "
                  "turn most of that time. Run it again in a moment."),
    "advice_gds": ("Graph algorithms (GDS) project the network first, which takes longer while the machine is "
                   "busy: run it again in a moment, and project only the labels and relationships you need."),
    "advice_cartesian": ("Neo4j's plan pairs everything with everything (a comma between patterns that share no "
                         "variable): connect the patterns, or match the second one from the first."),
    "advice_paths": ("Neo4j's plan follows paths of any length: give variable-length patterns an upper bound, "
                     "such as [*1..4], and start them from a few nodes."),
    "advice_general": ("Narrow it down early: start from fewer nodes (a label and a property), count or filter "
                       "before you collect, and use LIMIT while you explore."),
    "profile": "Run shows Neo4j's plan for EXPLAIN; PROFILE is not available here.",
    "not_loaded": ("Your scenario for this exercise is not in your database yet: use \u201cLoad my scenario\u201d "
                   "above. Nothing was checked or counted."),
    "name_form": "A name is 1 to 40 letters, digits, spaces, dots, apostrophes or dashes, starting with a letter or digit.",
    "no_node": "That node is no longer in your scenario (it was reloaded): run the query again.",
    "no_browser": ("Neo4j Browser is not installed here (`linklab server install` fetches it), or your database "
                   "is not on this machine."),
    "case_name_shipped": ("{name!r} is the name of a network that ships with linklab: give your file another "
                          "name."),
    "case_file_kind": "Choose a network file ending in {kinds}.",
    "case_form": "Choose a case network by its name, or give a name and a file.",
    "needs_case": ("This exercise works on a case network: choose one on the Cases page (networks that ship with "
                   "linklab, or your own file). Nothing was run or counted."),
}


def lab_message(code: str, **details) -> str:
    return LAB[code].format(**details)


# LTI launches from an LMS (lti.launch): what the person who clicked the link in their LMS reads when the
# launch is refused. It names what to fix and who fixes it; it never echoes a token.
LTI = {
    "unknown_platform": ("This LMS is not registered with the linklab class server: the instructor registers it "
                         "first (`linklab lti register`, or the console's LMS section)."),
    "unknown_deployment": ("This LMS course or site is a deployment that linklab does not know: the instructor adds "
                           "its deployment ID to the registration."),
    "state": "This launch has expired or was used already: open the link in your LMS again.",
    "bad_token": "The LMS sent a launch that could not be read: open the link in your LMS again.",
    "bad_signature": "The launch's signature does not match the LMS's keys, so it was refused.",
    "keys_unreachable": "The LMS's public keys could not be read just now: try again in a minute.",
    "wrong_audience": "This launch was meant for another tool, so it was refused.",
    "expired": "This launch has expired: open the link in your LMS again.",
    "replayed": "This launch was used already: open the link in your LMS again.",
    "message": "This kind of LMS request is not one linklab handles: it opens links to its exercises and its console.",
    "no_user": "The LMS did not say who you are: the instructor lets the LMS share the user's ID and name with linklab.",
    "not_instructor": "Only an instructor of the course can choose linklab's exercises for the LMS.",
    "class_full": "This class is full: ask your instructor to make room.",
}


def lti_message(code: str) -> str:
    return LTI[code]


# Exam mode (classroom.exam): what a trainee is shown about an exercise's rules, before they run out, and the
# very same sentence when a check is refused for them.
EXAM = {
    "count_left": "Exam: {attempts} {checks} for this exercise; {left} left.",
    "count_none": "Exam: you have used all {attempts} {checks} of this exercise.",
    "cooldown": "Exam: one check every {minutes} {minutes_word} for this exercise.",
    "cooldown_wait": "Exam: your next check of this exercise opens in {seconds} s.",
    "due": "Checking closes at {due}.",
    "closed": "Checking of this exercise closed at {due}.",
    "withheld": "Exam: results are shown once your instructor releases them.",
    "recorded": "Your answer was recorded. Results are shown once your instructor releases them.",
    "released": "Your instructor released the results.",
}


def exam_message(code: str, **details) -> str:
    d = dict(details)
    if "attempts" in d:
        d["checks"] = plural(d["attempts"], "check")
    if "minutes" in d:
        d["minutes_word"] = plural(d["minutes"], "minute")
    return EXAM[code].format(**d)


# What trainees are told on their page while the class's servers are busy (classroom.notices): a reset the
# instructor started, or a server that stopped and is starting again.
NOTICES = {
    "reset": ("The instructor is loading the {profile} scenario again: queries and checks of its exercises wait "
              "until it is done (usually under a minute)."),
    "restart": ("A database server of the class stopped and is starting again: queries and checks of its "
                "exercises wait until it is back (usually under a minute)."),
    "reset_busy": "The instructor is loading this exercise's scenario again: try again in a moment.",
}


def notice_message(code: str, **details) -> str:
    return NOTICES[code].format(**details)
