"""Sex (gender) and ethnicity codes of the school census.

Sex: ``M`` and ``F``; common spellings (Male, girl, f…) are normalised; ``U`` (not known) is
accepted with a warning; an empty value is an error, because the template asks for it and
``U`` exists for "not known".

Ethnicity: the DfE main codes, the extended codes that roll up to them (the code as given is
stored, the main code derived), or the description of either ("White British" → WBRI,
"White - Scottish" → WSCO). An
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

#: The DfE's extended codes, each with its main code and its description as the DfE's list
#: writes it (files carry either). From the DfE-approved list of extended ethnicity codes
#: used by the school and alternative provision censuses.
EXTENDED_ETHNICITY: dict[str, tuple[str, str]] = {
    # White British
    "WCOR": ("WBRI", "White - Cornish"),
    "WENG": ("WBRI", "White - English"),
    "WNIR": ("WBRI", "White - Northern Irish"),
    "WSCO": ("WBRI", "White - Scottish"),
    "WWEL": ("WBRI", "White - Welsh"),
    "WOWB": ("WBRI", "Other White British"),
    # Any other White background
    "WALB": ("WOTH", "Albanian"),
    "WBOS": ("WOTH", "Bosnian-Herzegovinian"),
    "WCRO": ("WOTH", "Croatian"),
    "WGRE": ("WOTH", "Greek/Greek Cypriot"),
    "WGRK": ("WOTH", "Greek"),
    "WGRC": ("WOTH", "Greek Cypriot"),
    "WITA": ("WOTH", "Italian"),
    "WKOS": ("WOTH", "Kosovan"),
    "WPOR": ("WOTH", "Portuguese"),
    "WSER": ("WOTH", "Serbian"),
    "WTUR": ("WOTH", "Turkish/Turkish Cypriot"),
    "WTUK": ("WOTH", "Turkish"),
    "WTUC": ("WOTH", "Turkish Cypriot"),
    "WEUR": ("WOTH", "White European"),
    "WEEU": ("WOTH", "White Eastern European"),
    "WWEU": ("WOTH", "White Western European"),
    "WOTW": ("WOTH", "White other"),
    # Gypsy/Roma
    "WROG": ("WROM", "Gypsy"),
    "WROR": ("WROM", "Roma"),
    "WROO": ("WROM", "Other Gypsy/Roma"),
    # White and Asian
    "MWAP": ("MWAS", "White and Pakistani"),
    "MWAI": ("MWAS", "White and Indian"),
    "MWAO": ("MWAS", "White and any other Asian background"),
    # Any other Mixed background
    "MAOE": ("MOTH", "Asian and any other ethnic group"),
    "MABL": ("MOTH", "Asian and Black"),
    "MACH": ("MOTH", "Asian and Chinese"),
    "MBOE": ("MOTH", "Black and any other ethnic group"),
    "MBCH": ("MOTH", "Black and Chinese"),
    "MCOE": ("MOTH", "Chinese and any other ethnic group"),
    "MWOE": ("MOTH", "White and any other ethnic group"),
    "MWCH": ("MOTH", "White and Chinese"),
    "MOTM": ("MOTH", "Other Mixed background"),
    # Pakistani
    "AMPK": ("APKN", "Mirpuri Pakistani"),
    "AKPA": ("APKN", "Kashmiri Pakistani"),
    "AOPK": ("APKN", "Other Pakistani"),
    # Any other Asian background
    "AAFR": ("AOTH", "African Asian"),
    "AKAO": ("AOTH", "Kashmiri other"),
    "ANEP": ("AOTH", "Nepali"),
    "ASNL": ("AOTH", "Sri Lankan Sinhalese"),
    "ASLT": ("AOTH", "Sri Lankan Tamil"),
    "ASRO": ("AOTH", "Sri Lankan other"),
    "AOTA": ("AOTH", "Other Asian"),
    # Black African
    "BANN": ("BAFR", "Angolan"),
    "BCON": ("BAFR", "Congolese"),
    "BGHA": ("BAFR", "Ghanaian"),
    "BNGN": ("BAFR", "Nigerian"),
    "BSLN": ("BAFR", "Sierra Leonean"),
    "BSOM": ("BAFR", "Somali"),
    "BSUD": ("BAFR", "Sudanese"),
    "BAOF": ("BAFR", "Other Black African"),
    # Any other Black background
    "BEUR": ("BOTH", "Black European"),
    "BNAM": ("BOTH", "Black North American"),
    "BOTB": ("BOTH", "Other Black"),
    # Chinese
    "CHKC": ("CHNE", "Hong Kong Chinese"),
    "CMAL": ("CHNE", "Malaysian Chinese"),
    "CSNG": ("CHNE", "Singaporean Chinese"),
    "CTWN": ("CHNE", "Taiwanese"),
    "COCH": ("CHNE", "Other Chinese"),
    # Any other ethnic group
    "OAFG": ("OOTH", "Afghan"),
    "OARA": ("OOTH", "Arab other"),
    "OEGY": ("OOTH", "Egyptian"),
    "OFIL": ("OOTH", "Filipino"),
    "OIRN": ("OOTH", "Iranian"),
    "OIRQ": ("OOTH", "Iraqi"),
    "OJPN": ("OOTH", "Japanese"),
    "OKOR": ("OOTH", "Korean"),
    "OKRD": ("OOTH", "Kurdish"),
    "OLAM": ("OOTH", "Latin/South/Central American"),
    "OLEB": ("OOTH", "Lebanese"),
    "OLIB": ("OOTH", "Libyan"),
    "OMAL": ("OOTH", "Malay"),
    "OMRC": ("OOTH", "Moroccan"),
    "OPOL": ("OOTH", "Polynesian"),
    "OTHA": ("OOTH", "Thai"),
    "OVIE": ("OOTH", "Vietnamese"),
    "OYEM": ("OOTH", "Yemeni"),
    "OOEG": ("OOTH", "Other ethnic group"),
}

#: Extended codes → their main code.
EXTENDED_ETHNICITY_CODES: dict[str, str] = {
    code: main for code, (main, _description) in EXTENDED_ETHNICITY.items()
}

_NOT_LETTERS = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    return _NOT_LETTERS.sub("", text).casefold()


def _description_keys() -> dict[str, str]:
    """Description (as a key) → the code it stands for: main codes' first, so that a main
    description never means an extended code, then the extended codes' own."""
    keys: dict[str, str] = {}
    for code, description in MAIN_ETHNICITY_CODES.items():
        keys[_key(description)] = code
        group = _GROUPS.get(code[0])
        # "White Irish", "Asian Indian", "Mixed White and Asian" …
        if group and code not in {"REFU", "NOBT"}:
            keys.setdefault(_key(f"{group} {description}"), code)
    for code, (_main, description) in EXTENDED_ETHNICITY.items():
        keys.setdefault(_key(description), code)
        group = _GROUPS.get(code[0])
        # "White - Scottish" as written, and "Scottish", "Black - Somali", "Asian Nepali" …
        if group and description.startswith(f"{group} - "):
            keys.setdefault(_key(description.removeprefix(f"{group} - ")), code)
        elif group:
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
        # The label may be the main code's description or the extended code's own.
        if main and _DESCRIPTIONS.get(label) in {main, code}:
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
        return EthnicityCheck(by_description, ethnicity_main_code(by_description))
    return EthnicityCheck(
        None,
        None,
        error=f"{quoted(text)} is not an ethnicity code. Use a DfE code such as WBRI, or "
        "leave it empty if it is not known.",
    )
