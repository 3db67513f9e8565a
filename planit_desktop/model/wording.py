"""Small pieces of the coordinator's language shared by messages, reports and screens."""

from __future__ import annotations


def count_of(count: int, word: str, plural: str | None = None) -> str:
    """``count_of(1, "learner")`` → "1 learner"; ``count_of(1200, "learner")`` → "1,200 learners".

    ``plural`` for words that do not just add an s ("kinds of problem").
    """
    return f"{count:,} {word if count == 1 else plural or word + 's'}"
