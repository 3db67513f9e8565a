"""Small pieces of the coordinator's language shared by messages, reports and screens."""

from __future__ import annotations

import re


def count_of(count: int, word: str, plural: str | None = None) -> str:
    """``count_of(1, "learner")`` → "1 learner"; ``count_of(1200, "learner")`` → "1,200 learners".

    ``plural`` for words that do not just add an s ("kinds of problem").
    """
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def sort_key(*texts: str | None) -> str:
    """The order names are listed in, everywhere (lists, slips, exports): by their letters.

    Case, accents, spaces, hyphens and apostrophes do not move a name out of its letter:
    "Ó Briain" sorts with the O's (beside "O'Brien"), not after "Zhang"; "de la Cruz" with
    the D's. Several texts (surname, then first names) are compared letters first, all of
    them, and only then as written, so "O'Neil, Ann" comes before "ONeil, Bea".
    """
    from planit_desktop.model.validation.names import name_key

    parts = [text or "" for text in texts]
    # "\x00" sorts before every letter: "Smith" before "Smithson", as a register has it.
    return "\x00".join([*(name_key(part) for part in parts), *(p.casefold() for p in parts)])


def label(text: str) -> str:
    """A field's name as a form label starts: "UPN", "SIMS number", "Date of birth".

    Only the first letter is raised: ``str.capitalize`` lowers the rest ("Upn", "Sims
    number"), where the document writes UPN and SIMS.
    """
    return text[:1].upper() + text[1:]


#: A learner's status in words (the Learners tab, exports, history), by its stored value.
STATUS_WORDS: dict[str, str] = {
    "on_roll": "On roll",
    "left": "Not at my provider",
    "completed": "Completed",
    "joining": "Joining next year",
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII)
_TRUTH = {"true": "Yes", "false": "No", "1": "Yes", "0": "No"}


def recorded_value(field: str | None, value: str | None) -> str:
    """A value as the audit log stored it, as a coordinator reads it.

    Dates day first (``2010-08-10`` → ``10/08/2010``), year groups as ``Year 11``,
    statuses in words (``on_roll`` → ``On roll``), yes/no for ticks; anything else as it is.
    """
    if value is None:
        return ""
    text = value.strip()
    if field == "year_group" and text.lstrip("-").isdigit():
        from planit_desktop.model.validation.years import format_year_group

        return format_year_group(int(text))
    if field == "status" and text in STATUS_WORDS:
        return STATUS_WORDS[text]
    if field == "needs_check" and text.casefold() in _TRUTH:
        return _TRUTH[text.casefold()]
    if _ISO_DATE.fullmatch(text):
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    if _ISO_DATE_TIME.fullmatch(text):
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]} {text[11:16]}"
    return value
