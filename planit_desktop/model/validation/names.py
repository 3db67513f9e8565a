"""Learners' names: cleaned for storage, and keyed for finding duplicates.

``normalise_name`` is what is stored: Unicode NFC, trimmed, inner spaces collapsed, control
and zero-width characters removed; apostrophes, hyphens and accents are kept (typographic
apostrophes and dashes become ``'`` and ``-`` so that the same name is always spelt the same).
``name_key`` is only for matching: ``Smith-Jones``, ``Smith Jones`` and ``SMITHJONES`` share
one key, as do ``O'Brien``/``OBrien`` and ``Zoë``/``Zoe``.
"""

from __future__ import annotations

import re
import unicodedata

from planit_desktop.model.errors import InvalidInput

#: The longest name kept (the database columns hold 100 characters).
MAX_NAME_LENGTH = 100

# Apostrophe look-alikes typed by phones, Word and MIS exports.
_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u0060\u00b4\u2032\u201b\uff07"), "'")
# Dash look-alikes: hyphen, non-breaking hyphen, figure dash, en and em dash, minus sign.
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")
_TYPOGRAPHY = _APOSTROPHES | _HYPHENS

# Control (Cc), format (Cf: zero-width space and joiners, BOM, direction marks, soft hyphen)
# and lone surrogates (Cs, from a badly decoded file) are never part of a name.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})

_SPACES = re.compile(r" +")
_SPACED_HYPHEN = re.compile(r" ?- ?")

# Letters that keep no accent mark under NFKD but are still "the same letter" when matching.
_FOLDED_LETTERS = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ł": "l",
        "ŀ": "l",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


def _clean(text: str) -> str:
    """Whitespace of every kind → one space; controls and zero-width characters removed."""
    kept: list[str] = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) not in _REMOVED_CATEGORIES:
            kept.append(char)
    return _SPACES.sub(" ", "".join(kept)).strip()


def quoted(value: object, *, limit: int = 40) -> str:
    """How a value the coordinator typed is shown inside a message: “in quotes”.

    Control characters are dropped and long text is cut (a 10,000-character cell must not
    flood a message box).
    """
    text = "" if value is None else value if isinstance(value, str) else str(value)
    shown = _clean(text)
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return f"“{shown}”"


def normalise_name(text: object, *, field: str = "first name") -> str:
    """The name as it will be stored, or InvalidInput naming ``field`` (e.g. "surname").

    Refuses an empty name, a name with no letter at all (a date or number in the wrong
    column) and a name over ``MAX_NAME_LENGTH`` characters.
    """
    raw = "" if text is None else text if isinstance(text, str) else str(text)
    # NFC before and after cleaning: removing a zero-width joiner can let a letter and its
    # combining accent meet.
    name = _clean(unicodedata.normalize("NFC", raw).translate(_TYPOGRAPHY))
    name = unicodedata.normalize("NFC", _SPACED_HYPHEN.sub("-", name))
    if not name:
        raise InvalidInput(f"The {field} is empty.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"The {field} is absurdly long ({len(name):,} characters): "
            f"a name may have at most {MAX_NAME_LENGTH}. Check the column."
        )
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise InvalidInput(f"The {field} {quoted(name)} has no letters in it.")
    return name


#: What a program writes where it could not encode a letter: "?" (Excel saving a CSV in
#: a code page without the letter) or U+FFFD, the replacement character (a file read in
#: the wrong encoding).
LOST_LETTER_MARKS = ("?", "\ufffd")


def lost_letter_warning(name: str, *, field: str = "first name") -> str | None:
    """A warning when ``name`` holds "?" or U+FFFD where a letter was probably lost (no
    name has either), else None. The name is kept: only the school's records can say
    which letter it was."""
    if not any(mark in name for mark in LOST_LETTER_MARKS):
        return None
    return (
        f"The {field} {quoted(name)} has a “?” or “\ufffd” where a letter was probably lost "
        "when the file was saved (Excel does this to letters such as ł, ğ or ş in a CSV). "
        "Correct it from the school's records, or save the file as .xlsx or UTF-8 CSV."
    )


# ASCII needs no decomposing or folding: its key is its letters and digits, lower-cased.
_DROPPED_FROM_ASCII_KEY = re.compile(r"[^a-z0-9]+")


def name_key(text: str) -> str:
    """A key for duplicate matching: case, accents, spaces, hyphens and apostrophes ignored."""
    if text.isascii():
        # The same key as below, five times sooner (most names, and every UPN and login):
        # ASCII is unchanged by NFKD and has no combining marks, casefold() is lower() on it,
        # and its only alphanumeric characters are a-z, A-Z and 0-9.
        return _DROPPED_FROM_ASCII_KEY.sub("", text.lower())
    return _unicode_name_key(text)


def _unicode_name_key(text: str) -> str:
    """:func:`name_key` for any text (the general path)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    # Casefold again: stripping marks can expose characters that fold further.
    letters = letters.casefold().translate(_FOLDED_LETTERS)
    return "".join(c for c in letters if c.isalnum())
