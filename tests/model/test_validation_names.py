"""Names: cleaned for storage (normalise_name) and keyed for duplicates (name_key)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.validation.names import (
    MAX_NAME_LENGTH,
    name_key,
    normalise_name,
    quoted,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Amelia  ", "Amelia"),
        ("Mary   Jane", "Mary Jane"),
        ("Mary\tJane\n", "Mary Jane"),
        ("Mary\u00a0Jane", "Mary Jane"),
        ("O\u2019Brien", "O'Brien"),
        ("O'Brien", "O'Brien"),
        ("Smith-Jones", "Smith-Jones"),
        ("Smith\u2013Jones", "Smith-Jones"),
        ("Smith - Jones", "Smith-Jones"),
        ("Zoë", "Zoë"),
        ("Zoe\u0308", "Zoë"),  # decomposed ë becomes one character (NFC)
        ("Siân", "Siân"),
        ("Zo\u200bë", "Zoë"),
        ("\ufeffOliver", "Oliver"),
        ("Ol\u00adiver", "Oliver"),
        ("Ali\x00ce", "Alice"),
        ("Łukasz", "Łukasz"),
        ("=HYPERLINK(1)", "=HYPERLINK(1)"),  # stored as text; exports guard formulas
        ("SMITH", "SMITH"),  # case is kept as given
    ],
)
def test_names_are_cleaned_but_kept(typed: str, stored: str) -> None:
    assert normalise_name(typed) == stored


def test_nfc_even_after_a_zero_width_character_is_removed() -> None:
    assert normalise_name("Zoe\u200b\u0308") == "Zoë"


@pytest.mark.parametrize("typed", ["", "   ", "\u200b", "\t\n", None])
def test_empty_names_are_refused_naming_the_field(typed: str | None) -> None:
    with pytest.raises(InvalidInput, match="The surname is empty"):
        normalise_name(typed, field="surname")


def test_absurdly_long_names_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_name("A" * 10_000, field="first names")
    message = str(caught.value)
    assert "first names" in message and "absurdly long" in message and "10,000" in message
    assert len(message) < 200


def test_a_name_of_exactly_the_limit_is_kept() -> None:
    assert normalise_name("A" * MAX_NAME_LENGTH) == "A" * MAX_NAME_LENGTH
    with pytest.raises(InvalidInput):
        normalise_name("A" * (MAX_NAME_LENGTH + 1))


@pytest.mark.parametrize("typed", ["12/03/2012", "123", "-", "'", "???"])
def test_names_without_letters_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="no letters"):
        normalise_name(typed)


def test_numbers_from_a_cell_are_read_as_text() -> None:
    with pytest.raises(InvalidInput, match="no letters"):
        normalise_name(42)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Smith-Jones", "Smith Jones"),
        ("Smith-Jones", "SMITHJONES"),
        ("O'Brien", "OBrien"),
        ("O\u2019Brien", "o'brien"),
        ("Zoë", "Zoe"),
        ("Zoe\u0308", "ZOË"),
        ("Łukasz", "Lukasz"),
        ("Søren", "Soren"),
        ("Strauß", "Strauss"),
        ("Anne-Marie", "Anne Marie"),
    ],
)
def test_name_keys_match_spelling_variants(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), [("John", "Jon"), ("Ann", "Anne"), ("Li", "Lu")])
def test_name_keys_keep_different_names_apart(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_quoted_cuts_long_text_and_drops_controls() -> None:
    assert quoted("a\x00b") == "“ab”"
    assert quoted(None) == "“”"
    assert quoted(8.5) == "“8.5”"
    shown = quoted("x" * 1000)
    assert len(shown) == 42 and shown.endswith("…”")


# Names typed anywhere: every Unicode category, with a bias towards the awkward ones.
_AWKWARD = st.sampled_from(
    list(" \t\n\r\x00\x07\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2028'’-–\u0301\u0308")
)
_NAME_TEXT = st.lists(st.one_of(st.characters(), _AWKWARD), max_size=40).map("".join)


def _normalised_or_none(text: str) -> str | None:
    try:
        return normalise_name(text)
    except InvalidInput:
        return None


@given(_NAME_TEXT)
def test_normalise_name_is_idempotent_and_clean(text: str) -> None:
    name = _normalised_or_none(text)
    if name is None:
        return
    assert normalise_name(name) == name
    assert name == name.strip()
    assert "  " not in name
    assert unicodedata.is_normalized("NFC", name)
    for char in name:
        assert unicodedata.category(char) not in {"Cc", "Cf", "Cs"}
        assert not char.isspace() or char == " "
    assert 0 < len(name) <= MAX_NAME_LENGTH


@given(st.text(max_size=200))
def test_normalise_name_only_ever_raises_invalid_input(text: str) -> None:
    _normalised_or_none(text)


_LATIN = "abcdefghijklmnopqrstuvwxyz"
_ACCENTS = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030a", "\u0327", "\u030c"]


@given(
    st.lists(
        st.tuples(st.sampled_from(_LATIN), st.sampled_from(["", *_ACCENTS]), st.booleans()),
        min_size=1,
        max_size=20,
    )
)
def test_name_key_is_stable_under_case_and_accents(letters: list[tuple[str, str, bool]]) -> None:
    plain = "".join(letter for letter, _, _ in letters)
    accented = unicodedata.normalize(
        "NFC",
        "".join((letter.upper() if upper else letter) + mark for letter, mark, upper in letters),
    )
    assert name_key(accented) == name_key(plain) == plain
    assert name_key(accented.upper()) == name_key(accented.lower()) == plain


@given(_NAME_TEXT)
def test_name_key_ignores_case_of_any_text(text: str) -> None:
    assert name_key(text.casefold()) == name_key(text)
    assert name_key(name_key(text)) == name_key(text)
