"""The class server's walls that need no server: when two names are one name, who a request comes from behind
a proxy, how failed sign-ins slow down, and exports that hold any character. The same walls are tried over
HTTP against a real class server in test_class.py."""

from __future__ import annotations

import csv
import json
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from linklab.classroom import names
from linklab.exercises.catalogue import catalogue
from linklab.grade.batch import ClassResults
from linklab.grade.engine import CheckResult, ExerciseVerdict
from linklab.web import walls

# ---------------------------------------------------------------- names


@pytest.mark.parametrize("spelling", ["mallory", "MALLORY", "Маllory", "Ｍａｌｌｏｒｙ", "MaIIory", "Ma11ory",
                                      "  Mallory ", "rnallory", "Mаllоrу", "ꮇallory"])
def test_a_look_alike_is_the_same_name(spelling):
    assert names.same_name(spelling, "Mallory") or names.same_name(spelling, "mallory"), spelling


@pytest.mark.parametrize("one, other", [("Ian", "Lan"), ("Mallory", "Malory"), ("Ana", "Anna"), ("José", "Jose"),
                                        ("Team 1", "Team 2"), ("Dana Analyst", "Dan Analyst")])
def test_names_that_look_different_stay_two_names(one, other):
    assert not names.same_name(one, other)


@pytest.mark.parametrize("name", ["instructor", "Instructor", "INSTRUCT0R", "lnstructor", "Іnstructor", "admin",
                                  "Admin2", "ADMlN", "Admin Bob", "the teacher", "root", "r00t", "Neo4j",
                                  "ｉｎｓｔｒｕｃｔｏｒ", "linklab"])
def test_names_of_the_staff_are_reserved(name):
    assert names.is_reserved(name), name


@pytest.mark.parametrize("name", ["Badminton", "Rooted", "Dana Analyst", "Ada", "Teach"])
def test_names_that_only_contain_a_reserved_word_are_free(name):
    assert not names.is_reserved(name)


@pytest.mark.parametrize("name, ok", [("Dana Analyst", True), ("O'Brien", True), ("O’Brien", True), ("प्रिया", True),
                                      ("李小龙", True), ("x" * 40, True), ("x" * 41, False), ("", False), (" ", False),
                                      ("-dash", False), ("a\u200bb", False), ("a<b>", False), ("Zalgo" + "\u0301" * 4, False),
                                      ("tab\tname", True)])  # a tab is whitespace: collapsed to one space
def test_what_a_name_may_be(name, ok):
    assert names.is_well_formed(names.display_form(name)) is ok, name


def test_the_look_alike_table_is_sound():
    """Every look-alike is one character, stable under NFKC (else NFKC would change it before the table is
    read), not a Latin letter itself, and listed once."""
    seen = []
    for latin, looks in names.LOOKALIKES.items():
        assert len(latin) == 1 and latin.isascii()
        for look in looks:
            assert unicodedata.normalize("NFKC", look) == look and not look.isascii()
            seen.append(look)
    assert len(seen) == len(set(seen))


# ---------------------------------------------------------------- who asks


PROXY = walls.parse_proxies(["127.0.0.3", "10.0.0.0/8"])


@pytest.mark.parametrize("peer, forwarded, seen", [
    ("127.0.0.1", "203.0.113.9", "127.0.0.1"),  # loopback is not a proxy unless named
    ("192.0.2.5", "203.0.113.9", "192.0.2.5"),
    ("127.0.0.3", "203.0.113.9", "203.0.113.9"),
    ("127.0.0.3", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # what the client wrote left of the proxy proves nothing
    ("127.0.0.3", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # a chain of trusted proxies
    ("127.0.0.3", "not-an-address", "127.0.0.3"),
    ("127.0.0.3", None, "127.0.0.3"),
    ("::ffff:127.0.0.3", "203.0.113.9", "203.0.113.9"),
])
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(peer, forwarded, seen):
    assert walls.client_address(peer, forwarded, PROXY) == seen


def test_a_proxy_that_is_not_an_address_is_refused_by_name():
    with pytest.raises(ValueError, match="'proxy.example'"):
        walls.parse_proxies(["127.0.0.1", "proxy.example"])


def test_failed_sign_ins_slow_down_and_stay_bounded(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(walls.time, "monotonic", lambda: clock[0])
    backoff = walls.Backoff(free=3, first_s=1, most_s=8, window_s=900)
    waits = []
    for _ in range(10):
        waits.append(backoff.wait("a"))
        backoff.failed("a")
    assert waits[:4] == [0, 0, 0, 1]  # three free, then a wait after each failure
    assert backoff.wait("a") == 8 and backoff.wait("b") == 0  # bounded; one key's failures are not another's
    clock[0] += 4
    assert backoff.wait("a") == 4
    clock[0] += 901
    assert backoff.wait("a") == 0  # forgotten after the window


def test_at_most_two_in_flight_per_key():
    running = walls.InFlight(2)
    assert running.enter("ann") and running.enter("ann") and not running.enter("ann")
    assert running.enter("bob")
    running.leave("ann")
    assert running.enter("ann")


# ---------------------------------------------------------------- exports

HOSTILE = "".join(map(chr, range(0x20))) + "\ud800 \udfff ]]> <x/> & \ufffe \uffff \"' \U0001f600 é"


def hostile_results() -> ClassResults:
    exercises = catalogue()[:2]
    verdicts = {}
    for trainee in (f"Eve {HOSTILE}", "../Bob", "Plain"):
        verdicts[trainee] = [
            ExerciseVerdict(exercises[0].id, False, 0, exercises[0].points, f"Syntax error: {HOSTILE}",
                            [CheckResult(exercises[0].id, "your scenario", "failed", HOSTILE, 0.1)], "", HOSTILE),
            ExerciseVerdict(exercises[1].id, True, exercises[1].points, exercises[1].points, "Correct."),
        ]
    return ClassResults(f"course {HOSTILE}", verdicts, 1.0, 0.0, 6, {f"Eve {HOSTILE}": {exercises[0].id: 1}})


def test_every_export_is_valid_whatever_the_answers_contain(tmp_path):
    from linklab.grade.outputs import write_all
    from linklab.report import write_report

    paths = write_all(hostile_results(), tmp_path)
    suites = ET.parse(paths["junit"]).getroot()  # parses: no control character, no lone surrogate
    assert len(suites) == 3 and suites.get("failures") == "3"
    failure = suites[0].find("testcase/failure")
    assert "]]> <x/> &" in failure.get("message") and "\t\n" in failure.text.replace("\r", "")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    text.encode("utf-8")  # strict UTF-8: no lone surrogate, even escaped
    assert "\ud800" not in text and "]]> <x/>" in text and data["trainees"]["Plain"]["score"] > 0
    folders = sorted(p.name for p in paths["gradescope"].iterdir())
    assert len(folders) == 3 and "../Bob" not in folders and all("/" not in f for f in folders)
    for folder in paths["gradescope"].iterdir():
        json.loads((folder / "results.json").read_text(encoding="utf-8"))
    page, book = write_report(paths["json"], tmp_path)
    assert "<x/>" not in page.read_text(encoding="utf-8")  # escaped in the page
    with open(book, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 4 and {len(r) for r in rows} == {len(rows[0])}


# ---------------------------------------------------------------- what a trainee reads


@pytest.mark.parametrize("code", sorted(__import__("linklab.feedback", fromlist=["CLASS"]).CLASS))
def test_each_class_message_reads_as_a_sentence(code):
    from linklab.feedback import class_message

    text = class_message(code, kib=256, name="Mallory", places=30, seconds=4, limit=2, per=30, kind="run", most=1000)
    assert text[0].isupper() and text.endswith(".") and "{" not in text.replace('{"query"', "")


def test_the_web_walls_speak_only_through_the_catalogue():
    """Every refusal of the lab's walls is built from linklab.feedback, never written inline."""
    from pathlib import Path

    from linklab import web

    for path in Path(web.__file__).parent.glob("*.py"):
        for line in path.read_text().splitlines():
            if "Refusal(" in line and "class Refusal" not in line:
                assert "class_message(" in line, f"{path.name}: {line.strip()}"
