"""Sex (gender) and ethnicity codes of the school census.

Sex: ``M`` and ``F``; common spellings (Male, girl, f…) are normalised; ``U`` (not known) is
accepted with a warning; an empty value is an error, because the template asks for it and
``U`` exists for "not known".

Ethnicity: the DfE main codes, the extended codes that roll up to them (the code as given is
stored, the main code derived), or a main code's description ("White British" → WBRI). An
empty value is accepted as ``NOBT`` ("information not yet obtained"), with no warning:
ethnicity is special-category data that a school may not have or may not send, and NOBT says
exactly that. An unknown four-letter code that starts with a group letter (W, M, A, B, C, O)
is kept with a warning, since the extended list below is not complete; anything else is an
error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planit_desktop.model.validation.names import quoted

#: Sex codes in drop-down order, with how they are read out.
SEX_CODES: dict[str, str] = {"M": "Male", "F": "Female", "U": "Not known"}

_SEX_SPELLINGS = {
    "m": "M",
    "male": "M",
    "boy": "M",
    "f": "F",
    "female": "F",
    "girl": "F",
    "u": "U",
    "unknown": "U",
    "notknown": "U",
}

#: The DfE main ethnicity codes, in the reference's order (drop-down order).
MAIN_ETHNICITY_CODES: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "Irish",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy/Roma",
    "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other Mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "C": "Chinese", "O": "Other"}

#: Extended codes → their main code (the verified ones; the DfE list has more).
EXTENDED_ETHNICITY_CODES: dict[str, str] = {
    **dict.fromkeys(("WCOR", "WENG", "WNIR", "WSCO", "WWEL", "WOWB"), "WBRI"),
    **dict.fromkeys(
        ("WALB", "WBOS", "WCRO", "WGRE", "WITA", "WKOS", "WPOR", "WSER", "WTUR")
        + ("WEUR", "WEEU", "WWEU", "WOTW"),
        "WOTH",
    ),
    **dict.fromkeys(("WROG", "WROR", "WROO"), "WROM"),
    **dict.fromkeys(("MWAP", "MWAI", "MWAO"), "MWAS"),
}

_NOT_LETTERS = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return _NOT_LETTERS.sub("", text).casefold()


def _description_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for code, description in MAIN_ETHNICITY_CODES.items():
        keys[_key(description)] = code
        group = _GROUPS.get(code[0])
        # "White Irish", "Asian Indian", "Mixed White and Asian" …
        if group and code not in {"REFU", "NOBT"}:
            keys.setdefault(_key(f"{group} {description}"), code)
    return keys


_DESCRIPTIONS = _description_keys()
_CODE_AND_LABEL = re.compile(r"^([A-Za-z]{4})\s*[-–—:]?\s+(\S.*)$")


@dataclass(frozen=True)
class CodeCheck:
    """A checked code: ``code`` to store (None on error), and at most a warning or an error."""

    code: str | None
    warning: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class EthnicityCheck:
    """A checked ethnicity: the ``code`` to store as given (upper-cased) and its ``main_code``.

    ``main_code`` is None when the code is unknown (then ``warning`` says so) or on error.
    """

    code: str | None
    main_code: str | None
    warning: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _text(value: object) -> str:
    return "" if value is None else value.strip() if isinstance(value, str) else str(value)


def check_sex(value: object) -> CodeCheck:
    """Read a sex/gender cell: M or F; Male/Boy → M, Female/Girl → F; U with a warning."""
    text = _text(value)
    if not text:
        return CodeCheck(None, error="The gender is missing: write M or F (U if it is not known).")
    code = _SEX_SPELLINGS.get(_key(text))
    if code is None:
        return CodeCheck(
            None,
            error=f"{quoted(text)} is not a gender Plan-it can record: write M or F "
            "(U if it is not known).",
        )
    if code == "U":
        return CodeCheck(
            "U", warning="The gender is recorded as not known (U). Check the school's records."
        )
    return CodeCheck(code)


def ethnicity_main_code(code: str) -> str | None:
    """The main code a main or extended code rolls up to; None if the code is unknown."""
    upper = code.upper()
    if upper in MAIN_ETHNICITY_CODES:
        return upper
    return EXTENDED_ETHNICITY_CODES.get(upper)


def ethnicity_label(code: str) -> str:
    """How a stored code is shown: ``"WBRI – White British"``; an extended code shows its
    main description (``"WENG – White British"``), an unknown one just itself."""
    main = ethnicity_main_code(code)
    return f"{code.upper()} – {MAIN_ETHNICITY_CODES[main]}" if main else code.upper()


def check_ethnicity(value: object) -> EthnicityCheck:
    """Read an ethnicity cell: a code (main or extended), a description, or empty (NOBT)."""
    text = _text(value)
    if not text:
        return EthnicityCheck("NOBT", "NOBT")
    labelled = _CODE_AND_LABEL.match(text)
    if labelled:
        # "WBRI – White British", as the template's drop-down shows it.
        code, label = labelled[1].upper(), _key(labelled[2])
        main = ethnicity_main_code(code)
        if main and _DESCRIPTIONS.get(label) == main:
            return EthnicityCheck(code, main)
    if len(text) == 4 and text.isascii() and text.isalpha():
        code = text.upper()
        main = ethnicity_main_code(code)
        if main:
            return EthnicityCheck(code, main)
        if code[0] in _GROUPS:
            return EthnicityCheck(
                code,
                None,
                warning=f"{quoted(code)} is not an ethnicity code Plan-it knows. It is kept as "
                f"given (it looks like a {_GROUPS[code[0]]} extended code): check it against "
                "the DfE list.",
            )
    by_description = _DESCRIPTIONS.get(_key(text))
    if by_description:
        return EthnicityCheck(by_description, by_description)
    return EthnicityCheck(
        None,
        None,
        error=f"{quoted(text)} is not an ethnicity code. Use a DfE code such as WBRI, or "
        "leave it empty if it is not known.",
    )
