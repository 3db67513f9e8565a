"""Unique Pupil Numbers: format, check letter, temporary UPNs, normalisation.

A UPN is 13 characters: a check letter, then 12 digits (permanent), or 11 digits and a
letter (temporary). The check letter is ``LETTERS[sum(position × value) mod 23]`` over
positions 2–13, where a letter at position 13 counts as its index in ``LETTERS``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from planit_desktop.model.validation.names import quoted

# The 23 letters used in UPNs: no I, O or S.
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# ASCII digits only: "\d" would also accept Arabic-Indic and other digits.
_SHAPE = re.compile(rf"^[{LETTERS}][0-9]{{11}}[0-9{LETTERS}]$")
_DIGITS = re.compile(r"^[0-9]+$")
_SPACES = re.compile(r"[\s\u00a0\u200b-\u200d\ufeff-]+")


def normalise_upn(text: object) -> str:
    """Strip spaces (and hyphens) and upper-case: ``" h801 2000 01001 "`` → ``"H801200001001"``.

    Full-width characters (typed with an East Asian keyboard) become their ASCII forms.
    """
    raw = "" if text is None else text if isinstance(text, str) else str(text)
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw)).upper()


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (positions 2–13)."""
    if len(body) != 12:
        raise ValueError("a UPN body has 12 characters")
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else LETTERS.index(char)
        total += position * value
    return LETTERS[total % 23]


@dataclass(frozen=True)
class UpnCheck:
    """The outcome of checking one UPN. ``error`` is None when it is valid."""

    upn: str
    error: str | None
    temporary: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def check_upn(text: object) -> UpnCheck:
    """Check a UPN as typed; the returned ``upn`` is normalised. Messages are for coordinators."""
    upn = normalise_upn(text)
    if not upn:
        return UpnCheck(upn, "The UPN is empty.")
    if len(upn) != 13:
        return UpnCheck(upn, f"A UPN has 13 characters; {quoted(upn)} has {len(upn):,}.")
    if not _SHAPE.match(upn):
        if upn[0] not in LETTERS:
            return UpnCheck(upn, f"A UPN starts with a letter (not I, O or S); “{upn}” does not.")
        if not _DIGITS.match(upn[1:12]):
            return UpnCheck(upn, f"Characters 2 to 12 of a UPN are digits; “{upn}” has others.")
        return UpnCheck(
            upn,
            f"The last character of a UPN is a digit or a letter other than I, O or S: “{upn}”.",
        )
    expected = check_letter(upn[1:])
    temporary = not upn[12].isdigit()
    if upn[0] != expected:
        return UpnCheck(
            upn,
            f"The UPN “{upn}” is not valid: its check letter should be {expected}, not {upn[0]}. "
            "Check it for a mistyped digit.",
            temporary,
        )
    return UpnCheck(upn, None, temporary)


def is_valid_upn(text: object) -> bool:
    """True when ``text`` is a valid permanent or temporary UPN once normalised."""
    return check_upn(text).ok


# The DfE's numbers of the local authorities that allocate UPNs (characters 2–4): England's
# (London, the metropolitan districts, the Isles of Scilly, the shire counties and
# unitaries, with the numbers of authorities since merged, whose UPNs are still in use)
# and Wales's. A number outside these was never any authority's.
_LOCAL_AUTHORITY_RANGES = (
    range(201, 214),  # inner London, with the City
    range(301, 321),  # outer London
    range(330, 337),  # West Midlands
    range(340, 345),  # Merseyside
    range(350, 360),  # Greater Manchester
    range(370, 374),  # South Yorkshire
    range(380, 385),  # West Yorkshire
    range(390, 395),  # Tyne and Wear
    range(420, 421),  # Isles of Scilly
    range(660, 682),  # Wales
)
_LOCAL_AUTHORITIES = frozenset(
    [n for numbers in _LOCAL_AUTHORITY_RANGES for n in numbers]
    + [800, 801, 802, 803, 805, 806, 807, 808, 810, 811, 812, 813, 815, 816]
    + [821, 822, 823, 825, 826, 830, 831, 835, 836, 837, 838, 839, 840, 841, 845, 846]
    + [850, 851, 852, 855, 856, 857, 860, 861, 865, 866, 867, 868, 869, 870, 871, 872]
    + [873, 874, 876, 877, 878, 879, 880, 881, 882, 883, 884, 885, 886, 887, 888, 889]
    + [890, 891, 892, 893, 894, 895, 896, 908, 909, 916, 919, 921, 925, 926, 928, 929]
    + [931, 933, 935, 936, 937, 938, 940, 941, 942, 943]
)


def local_authority_warning(upn: str) -> str | None:
    """A warning when the local-authority part of a valid ``upn`` (characters 2–4) is a
    number no authority has (000, 999…), else None. Not an error: the DfE adds numbers when
    authorities merge, and this list may not have the newest."""
    if len(upn) != 13 or not upn[1:4].isdigit():
        return None
    number = upn[1:4]
    if int(number) in _LOCAL_AUTHORITIES:
        return None
    return (
        f"The UPN “{upn}” has {number} as its local-authority number (characters 2 to 4), "
        "which no local authority has. Check it against the school's records."
    )
