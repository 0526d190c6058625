"""Trainees' names: what a name may be, and when two names are the same name.

A name is kept and shown as typed, after NFKC (full-width and other compatibility forms become plain
letters: "Ｍａｌｌｏｒｙ" is "Mallory") and with runs of spaces collapsed. Two names are the same name when
either of their two keys is equal:

- the *case key*: look-alike letters of other scripts folded to the Latin ones (Cyrillic "а" is "a", Greek
  "Ο" is "O"), then case folded. "mallory" and "Маllory" (a Cyrillic М and а) are the name "Mallory".
- the *shape key*, case kept: the same folding, and the Latin shapes that look alike in common fonts
  (capital I, digit 1 and small l; digit 0 and capital O; "rn" and "m"). "MaIIory" (two capital i) is
  "Mallory" too. Case is kept here so that "Ian" and "Lan" stay two names.

So a classmate cannot join beside someone under a name the grid shows the same. Words kept for the staff and
the system (instructor, admin, ...) are refused in any of these spellings, whole or as a word of a name.

LOOKALIKES is a small table written for linklab from the Unicode character names (each entry is spelled
with its \\N{NAME}; tests check every one exists and is stable under NFKC): the Cyrillic, Greek, Armenian,
Cherokee and small-capital letters that look like a Latin letter in common fonts. It is a subset of
Unicode's confusables.txt (not shipped; built offline, no network): letters only, capitals folded before case
folding so that a capital look-alike meets a capital.
"""
from __future__ import annotations

import re
import unicodedata

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
# Latin shapes that look alike in common sans-serif fonts (the shape key only: case is kept there)
SHAPES = str.maketrans({"I": "l", "1": "l", "0": "O", "\N{RIGHT SINGLE QUOTATION MARK}": "'"})
MAX_LENGTH = 40
MAX_MARKS = 2  # combining marks on one letter (Devanagari, Vietnamese need one or two; more is Zalgo text)
PUNCTUATION = set(" .'-_\N{RIGHT SINGLE QUOTATION MARK}")
# Names that would pass for the staff or the system: as a word of a name ("Admin Bob", "Admin2") ...
RESERVED_WORDS = {"instructor", "teacher", "trainer", "admin", "administrator", "sysadmin", "superuser",
                  "moderator", "linklab"}
# ... or as the whole name
RESERVED_NAMES = {"root", "system", "staff", "console", "server", "neo4j", "everyone", "nobody", "anonymous",
                  "guest", "null", "undefined"}


def display_form(name: str) -> str:
    """The name as stored and shown: NFKC, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).split())


def is_well_formed(name: str) -> bool:
    """1 to 40 characters after display_form: a letter or digit first, then letters (with their combining
    marks), digits, spaces, dots, apostrophes, dashes or underscores."""
    if not 1 <= len(name) <= MAX_LENGTH or unicodedata.category(name[0])[0] not in "LN":
        return False
    marks = 0
    for ch in name:
        kind = unicodedata.category(ch)[0]
        marks = marks + 1 if kind == "M" else 0
        if marks > MAX_MARKS or (kind not in "LNM" and ch not in PUNCTUATION):
            return False
    return True


def case_key(name: str) -> str:
    """Look-alike letters folded, then case folded (twice: case folding can make a letter the table folds,
    as Cherokee small letters fold to the capitals)."""
    key = display_form(name)
    for _ in range(2):
        key = unicodedata.normalize("NFKC", key.translate(FOLD).casefold())
    return key


def shape_key(name: str) -> str:
    """Look-alike letters and look-alike Latin shapes folded, case kept."""
    return display_form(name).translate(FOLD).translate(SHAPES).replace("rn", "m")


def name_keys(name: str) -> tuple[str, str]:
    """(case key, shape key): two names are the same name when either key is equal."""
    return case_key(name), shape_key(name)


def same_name(one: str, other: str) -> bool:
    return any(a == b for a, b in zip(name_keys(one), name_keys(other)))


def reserved_form(word: str) -> str:
    """A word as the reserved list is compared with it: trailing digits dropped ("Admin2"), then every
    look-alike folded and case folded, with i/l/1 as one letter and 0 as o ("lnstructor", "r00t")."""
    word = word.rstrip("0123456789") or word
    return shape_key(word).casefold().replace("i", "l").replace("0", "o")


RESERVED_WORD_FORMS = {reserved_form(word) for word in RESERVED_WORDS}
RESERVED_NAME_FORMS = {reserved_form(name) for name in RESERVED_NAMES}


def is_reserved(name: str) -> bool:
    words = [w for w in re.split(r"[ .'_\N{RIGHT SINGLE QUOTATION MARK}-]+", display_form(name)) if w]
    whole = reserved_form("".join(words))
    return whole in RESERVED_NAME_FORMS or whole in RESERVED_WORD_FORMS or \
        any(reserved_form(word) in RESERVED_WORD_FORMS for word in words)


def sort_key(name: str) -> tuple[str, str, str]:
    """Names in the order people sort them: accents and case ignored ("Émile" beside "emma", "de Vries" beside
    "Dana"), then accents, then the name as typed, so that the order is total and stable."""
    shown = display_form(name)
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", shown) if not unicodedata.combining(ch))
    return bare.casefold(), shown.casefold(), shown
