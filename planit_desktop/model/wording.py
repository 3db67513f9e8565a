"""Small pieces of the coordinator's language shared by messages, reports and screens."""

from __future__ import annotations


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
