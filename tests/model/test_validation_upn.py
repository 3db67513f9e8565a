"""UPN validator: every worked example in the UK school data reference, and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planit_desktop.model.validation.upn import (
    LETTERS,
    UpnCheck,
    check_letter,
    check_upn,
    is_valid_upn,
    normalise_upn,
)


@pytest.mark.parametrize(
    "upn",
    ["H801200001001", "B801200005001", "K936123415001", "P207000016049"],
)
def test_valid_permanent_upns_from_the_reference(upn: str) -> None:
    assert check_upn(upn) == UpnCheck(upn, None, temporary=False)
    assert is_valid_upn(upn)


@pytest.mark.parametrize("upn", ["G80120000101A", "L93612341501K"])
def test_valid_temporary_upns_from_the_reference(upn: str) -> None:
    result = check_upn(upn)
    assert result.ok and result.temporary
    assert result.upn == upn


@pytest.mark.parametrize(
    ("upn", "right_letter"),
    [("Z801200001001", "H"), ("A801200005001", "B"), ("Q207000016049", "P")],
)
def test_wrong_check_letters_from_the_reference(upn: str, right_letter: str) -> None:
    result = check_upn(upn)
    assert not result.ok
    assert result.error is not None
    assert f"should be {right_letter}, not {upn[0]}" in result.error
    assert not is_valid_upn(upn)


def test_vendor_example_sum_is_266() -> None:
    # The reference: Q207000016049's weighted sum is 266, 266 mod 23 = 13 → P.
    total = sum(pos * int(c) for pos, c in enumerate("207000016049", start=2))
    assert total == 266
    assert check_letter("207000016049") == "P" == LETTERS[13]


def test_s_is_never_character_13() -> None:
    result = check_upn("G80120000101S")
    assert not result.ok
    assert "I, O or S" in (result.error or "")


@pytest.mark.parametrize(
    "typed",
    [
        " h801200001001 ",
        "h801 2000 01001",
        "H801-2000-01001",
        "H801\u00a0200001001",
        "h801200001001",
    ],
)
def test_case_and_spaces_are_normalised(typed: str) -> None:
    assert normalise_upn(typed) == "H801200001001"
    assert check_upn(typed).ok
    assert check_upn(typed).upn == "H801200001001"


def test_temporary_upn_in_lower_case() -> None:
    result = check_upn("g80120000101a")
    assert result.ok and result.temporary and result.upn == "G80120000101A"


def test_full_width_characters_become_ascii() -> None:
    assert check_upn("Ｈ８０１２００００１００１").upn == "H801200001001"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("H80120000100", "has 12"),
        ("H8012000010011", "has 14"),
        ("I801200001001", "starts with a letter"),
        ("O801200001001", "starts with a letter"),
        ("S801200001001", "starts with a letter"),
        ("1801200001001", "starts with a letter"),
        ("H80120A001001", "Characters 2 to 12"),
        ("H80120000100I", "I, O or S"),
        ("H80120000100O", "I, O or S"),
        # Arabic-Indic digits are digits to Python, but never in a UPN.
        ("H٨01200001001", "Characters 2 to 12"),
    ],
)
def test_bad_shapes_are_refused_with_a_reason(typed: str | None, words: str) -> None:
    result = check_upn(typed)
    assert not result.ok
    assert words in (result.error or "")


def test_a_huge_cell_gives_a_short_message() -> None:
    result = check_upn("H" * 10_000)
    assert result.error is not None
    assert len(result.error) < 120
    assert "10,000" in result.error


def test_check_letter_needs_twelve_characters() -> None:
    with pytest.raises(ValueError):
        check_letter("80120000100")


@given(
    body=st.text(alphabet="0123456789", min_size=11, max_size=11),
    last=st.sampled_from("0123456789" + LETTERS),
)
def test_any_body_with_its_check_letter_is_valid(body: str, last: str) -> None:
    upn = check_letter(body + last) + body + last
    result = check_upn(upn)
    assert result.ok
    assert result.temporary == (last in LETTERS)


@given(
    body=st.text(alphabet="0123456789", min_size=12, max_size=12),
    position=st.integers(min_value=1, max_value=12),
    change=st.integers(min_value=1, max_value=9),
)
def test_a_single_mistyped_digit_is_caught(body: str, position: int, change: int) -> None:
    upn = check_letter(body) + body
    digits = list(upn)
    digits[position] = str((int(digits[position]) + change) % 10)
    # weight × change is never a multiple of 23 (weights 2..13, changes 1..9): always caught.
    assert not is_valid_upn("".join(digits))


@given(st.text(max_size=30))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = check_upn(text)
    assert result.ok == is_valid_upn(text)
