"""Trainees' names: what a name may be, and when two names are the same name.

A name is shown as typed, after NFKC (full-width and other compatibility forms become plain letters) and
with runs of spaces collapsed. Two names are the same when their *keys* are equal: NFKC, letters of other
scripts that look like Latin ones folded to those (Cyrillic "а" is "a", Greek "Ο" is "O"), then casefold.
So "mallory", "Маllory" (a Cyrillic М and а) and "Ｍａｌｌｏｒｙ" are all the name "Mallory": a classmate
cannot join beside someone under a name the grid shows the same. Reserved words (instructor, admin, ...)
are refused in any spelling.

LOOKALIKES is a small table written for linklab from the Unicode character names (each entry is spelled
with its \\N{NAME}; tests check every one exists, is stable under NFKC and is listed once): the Cyrillic,
Greek, Armenian, Cherokee and small-capital letters that look like a Latin letter in common fonts. It is a
subset of Unicode's confusables.txt (not shipped, no network): letters only, capitals folded before
casefold so that a capital look-alike meets a capital. Digits stay digits ("Team 1" and "Team l" are two
names): folding 1/l/I would also make "Ian" and "Lan" one name.
"""

from __future__ import annotations

import re
import unicodedata

NAME_PATTERN = re.compile(r"[\w][\w .'-]{0,39}", re.UNICODE)
LOOKALIKES = {
    "a": "\N{CYRILLIC SMALL LETTER A}\N{GREEK SMALL LETTER ALPHA}\N{LATIN SMALL LETTER ALPHA}",
    "c": "\N{CYRILLIC SMALL LETTER ES}\N{LATIN LETTER SMALL CAPITAL C}",
    "d": "\N{CYRILLIC SMALL LETTER KOMI DE}",
    "e": "\N{CYRILLIC SMALL LETTER IE}",
    "g": "\N{LATIN SMALL LETTER SCRIPT G}\N{ARMENIAN SMALL LETTER CO}",
    "h": "\N{CYRILLIC SMALL LETTER SHHA}\N{ARMENIAN SMALL LETTER HO}",
    "i": "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}\N{GREEK SMALL LETTER IOTA}\N{LATIN SMALL LETTER DOTLESS I}",
    "j": "\N{CYRILLIC SMALL LETTER JE}\N{GREEK LETTER YOT}",
    "k": "\N{GREEK SMALL LETTER KAPPA}\N{CYRILLIC SMALL LETTER KA}",
    "l": "\N{CYRILLIC SMALL LETTER PALOCHKA}\N{LATIN LETTER DENTAL CLICK}",
    "n": "\N{ARMENIAN SMALL LETTER VO}",
    "o": "\N{CYRILLIC SMALL LETTER O}\N{GREEK SMALL LETTER OMICRON}\N{ARMENIAN SMALL LETTER OH}\N{LATIN LETTER SMALL CAPITAL O}",
    "p": "\N{CYRILLIC SMALL LETTER ER}\N{GREEK SMALL LETTER RHO}",
    "q": "\N{CYRILLIC SMALL LETTER QA}\N{ARMENIAN SMALL LETTER ZA}",
    "r": "\N{CYRILLIC SMALL LETTER GHE}",
    "s": "\N{CYRILLIC SMALL LETTER DZE}\N{LATIN LETTER SMALL CAPITAL S}",
    "u": "\N{GREEK SMALL LETTER UPSILON}\N{ARMENIAN SMALL LETTER SEH}",
    "v": "\N{GREEK SMALL LETTER NU}\N{CYRILLIC SMALL LETTER IZHITSA}\N{LATIN LETTER SMALL CAPITAL V}",
    "w": "\N{CYRILLIC SMALL LETTER OMEGA}\N{CYRILLIC SMALL LETTER WE}",
    "x": "\N{CYRILLIC SMALL LETTER HA}\N{GREEK SMALL LETTER CHI}",
    "y": "\N{CYRILLIC SMALL LETTER U}\N{GREEK SMALL LETTER GAMMA}\N{CYRILLIC SMALL LETTER STRAIGHT U}",
    "z": "\N{LATIN LETTER SMALL CAPITAL Z}",
    "A": "\N{CYRILLIC CAPITAL LETTER A}\N{GREEK CAPITAL LETTER ALPHA}\N{CHEROKEE LETTER GO}",
    "B": "\N{CYRILLIC CAPITAL LETTER VE}\N{GREEK CAPITAL LETTER BETA}\N{CHEROKEE LETTER YV}",
    "C": "\N{CYRILLIC CAPITAL LETTER ES}\N{CHEROKEE LETTER TLI}",
    "D": "\N{CHEROKEE LETTER A}",
    "E": "\N{CYRILLIC CAPITAL LETTER IE}\N{GREEK CAPITAL LETTER EPSILON}\N{CHEROKEE LETTER GV}",
    "G": "\N{CHEROKEE LETTER NAH}",
    "H": "\N{CYRILLIC CAPITAL LETTER EN}\N{GREEK CAPITAL LETTER ETA}\N{CHEROKEE LETTER MI}",
    "I": "\N{CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I}\N{GREEK CAPITAL LETTER IOTA}\N{CYRILLIC LETTER PALOCHKA}",
    "J": "\N{CYRILLIC CAPITAL LETTER JE}\N{GREEK CAPITAL LETTER YOT}\N{CHEROKEE LETTER GU}",
    "K": "\N{CYRILLIC CAPITAL LETTER KA}\N{GREEK CAPITAL LETTER KAPPA}\N{CHEROKEE LETTER TSO}",
    "L": "\N{CHEROKEE LETTER TLE}",
    "M": "\N{CYRILLIC CAPITAL LETTER EM}\N{GREEK CAPITAL LETTER MU}\N{CHEROKEE LETTER LU}",
    "N": "\N{GREEK CAPITAL LETTER NU}",
    "O": "\N{CYRILLIC CAPITAL LETTER O}\N{GREEK CAPITAL LETTER OMICRON}\N{ARMENIAN CAPITAL LETTER OH}",
    "P": "\N{CYRILLIC CAPITAL LETTER ER}\N{GREEK CAPITAL LETTER RHO}\N{CHEROKEE LETTER TLV}",
    "S": "\N{CYRILLIC CAPITAL LETTER DZE}\N{ARMENIAN CAPITAL LETTER TIWN}\N{CHEROKEE LETTER DU}",
    "T": "\N{CYRILLIC CAPITAL LETTER TE}\N{GREEK CAPITAL LETTER TAU}\N{CHEROKEE LETTER I}",
    "V": "\N{CHEROKEE LETTER DO}",
    "W": "\N{CHEROKEE LETTER LA}",
    "X": "\N{CYRILLIC CAPITAL LETTER HA}\N{GREEK CAPITAL LETTER CHI}",
    "Y": "\N{GREEK CAPITAL LETTER UPSILON}\N{CYRILLIC CAPITAL LETTER STRAIGHT U}",
    "Z": "\N{GREEK CAPITAL LETTER ZETA}\N{CHEROKEE LETTER NO}",
}
FOLD = str.maketrans({look: latin for latin, looks in LOOKALIKES.items() for look in looks})
# Names that would pass for the staff or the system, whole or as one word of a name
RESERVED_WORDS = {"instructor", "teacher", "trainer", "admin", "administrator", "sysadmin", "superuser",
                  "moderator", "linklab"}
RESERVED_WORD = re.compile("(" + "|".join(sorted(RESERVED_WORDS)) + r")\d*")  # "Admin2" too
RESERVED_NAMES = {"root", "system", "staff", "console", "server", "neo4j", "everyone", "nobody", "anonymous",
                  "guest", "null", "undefined"}


def display_form(name: str) -> str:
    """The name as stored and shown: NFKC, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).split())


def name_key(name: str) -> str:
    """What two names must differ in: look-alike letters folded, case folded."""
    folded = display_form(name).translate(FOLD).casefold()
    return unicodedata.normalize("NFKC", folded)


def is_reserved(name: str) -> bool:
    key = name_key(name)
    return key in RESERVED_NAMES or any(RESERVED_WORD.fullmatch(word) for word in re.split(r"[ .'_-]+", key))
