"""The duplicate check on a crowded date of birth: blocking keys instead of all pairs.

A date shared by more than ``SEARCH_ALL_UP_TO`` learners (only a file whose dates were filled
in with a placeholder has one) is searched through name keys. These tests pin what that
search still finds, in the file and against the school's learners, by comparing it with the
learner-by-learner search on the same rows; and they count comparisons, so a return to all
pairs fails without any timing.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from planit_desktop.model.services.importing import duplicates
from planit_desktop.model.services.importing.duplicates import (
    KEY_BLOCK,
    MAX_NAME_MATCHES,
    SEARCH_ALL_UP_TO,
    Candidate,
    DuplicateKind,
    ExistingLearners,
    comparable,
    find_duplicates,
    name_keys,
)

BORN = date(2013, 12, 1)
# First names of many Smiths born that day: none starts with J, K or C, so the pairs below
# cannot be found through them by chance.
_FIRST = (
    "Amelia", "Ava", "Bella", "Daisy", "Ella", "Evie", "Freya", "Grace", "Harper", "Isla",
    "Lily", "Mia", "Olivia", "Poppy", "Rosie", "Ruby", "Sophia", "Willow", "Arthur", "Alfie",
    "Archie", "Elliot", "Finley", "Freddie", "George", "Harry", "Henry", "Leo", "Noah",
    "Oliver", "Oscar", "Reuben", "Theo", "Tommy", "William", "Zachary",
)  # fmt: skip
_SURNAMES = (
    "Smith", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright",
    "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
)  # fmt: skip

#: (earlier entry, later entry, what today's rule finds): the cases a blocking search could
#: miss, each of which the learner-by-learner search finds.
PAIRS = [
    (("John", "Smith"), ("Jon", "Smith"), DuplicateKind.SIMILAR_NAME),
    (("Katie", "Smith"), ("Catie", "Smith"), DuplicateKind.SIMILAR_NAME),  # first letter
    (("Adam", "Kowalski"), ("Adam", "Cowalski"), DuplicateKind.SIMILAR_NAME),
    (("Jessica", "Smith"), ("Smith", "Jessica"), DuplicateKind.SIMILAR_NAME),  # swapped
    (("Zoë", "Brontë"), ("Zoe", "Bronte"), DuplicateKind.SAME_NAME),  # accents
    (("Chloé", "Dubois"), ("Chloe", "Duboise"), DuplicateKind.SIMILAR_NAME),  # and a letter
    (("Alexandra Jane", "Wilkinson"), ("Alexandra", "Wilkinson"), DuplicateKind.SIMILAR_NAME),
    (("Keeley", "Smith-Jones"), ("Keeley", "Smith Jones"), DuplicateKind.SAME_NAME),
    (("Keeley", "Smithjones"), ("Keeley", "Smith-Jones"), DuplicateKind.SAME_NAME),
    (("Jonathan", "Smithson"), ("Jonathon", "Smithsen"), DuplicateKind.SIMILAR_NAME),  # both
    (("Jayden", "O'Brian"), ("Jaydan", "O'Brian"), DuplicateKind.SIMILAR_NAME),
]
#: Pairs today's rule does not find (a word's new first letter moves it in the sorted name,
#: or a short name loses too much of its length): nor does the crowded search.
NOT_FOUND_TODAY = [
    (("Kieran", "Kowalski"), ("Kieran", "Cowalski")),
    (("Mary Jane", "Smith"), ("Mary", "Smith")),
    (("Jayden", "O'Brien"), ("Jaydan", "OBrien")),
]


def crowd(count: int, start: int = 1000) -> list[tuple[str, str]]:
    """``count`` distinct names of many common ones, none similar to the pairs above."""
    names = [
        (f"{first} {middle}", surname)
        for middle, first, surname in itertools.product(_FIRST, _FIRST, _SURNAMES)
        if first != middle
    ]
    return names[start : start + count]


def row(number: int, first: str, surname: str) -> Candidate:
    return Candidate(number, first, surname, BORN, None, None)


def kinds_found(found: dict[int, list[duplicates.Duplicate]], number: int) -> set[DuplicateKind]:
    return {d.kind for d in found.get(number, [])}


def learner_by_learner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "SEARCH_ALL_UP_TO", 10**9)


@pytest.mark.parametrize(("earlier", "later", "kind"), PAIRS)
def test_a_crowded_file_still_finds_each_pair(
    earlier: tuple[str, str],
    later: tuple[str, str],
    kind: DuplicateKind,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fillers = crowd(SEARCH_ALL_UP_TO + 300)
    rows = [row(n, *name) for n, name in enumerate(fillers[:250], start=2)]
    rows.append(row(1000, *earlier))
    rows += [row(n, *name) for n, name in enumerate(fillers[250:], start=2000)]
    rows.append(row(5000, *later))
    found = find_duplicates(rows, ExistingLearners())
    assert kind in kinds_found(found, 5000)
    match = next(d.match for d in found[5000] if d.kind is kind)
    assert (match.row, match.first_names, match.surname) == (1000, *earlier)
    # The learner-by-learner search finds the same for this row.
    learner_by_learner(monkeypatch)
    everyone = find_duplicates(rows, ExistingLearners())
    assert [(d.kind, d.match.row) for d in everyone[5000]] == [
        (d.kind, d.match.row) for d in found[5000]
    ]


@pytest.mark.parametrize(("earlier", "later"), NOT_FOUND_TODAY)
def test_what_the_rule_never_found_is_not_found_on_a_crowded_date_either(
    earlier: tuple[str, str], later: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [row(n, *name) for n, name in enumerate(crowd(SEARCH_ALL_UP_TO + 10), start=2)]
    rows += [row(1000, *earlier), row(1001, *later)]
    assert 1001 not in find_duplicates(rows, ExistingLearners())
    learner_by_learner(monkeypatch)
    assert 1001 not in find_duplicates(rows, ExistingLearners())


def school_on(born: date, names: list[tuple[str, str]]) -> ExistingLearners:
    known = [
        (i, first, surname, born, "on_roll", f"l{i}") for i, (first, surname) in enumerate(names, 1)
    ]
    return ExistingLearners(by_birthday={born: known}, count=len(known))


@pytest.mark.parametrize(("earlier", "later", "kind"), PAIRS)
def test_a_crowded_date_in_the_school_still_finds_each_pair(
    earlier: tuple[str, str], later: tuple[str, str], kind: DuplicateKind
) -> None:
    names = crowd(SEARCH_ALL_UP_TO + 300)
    names.insert(180, earlier)  # learner 181
    found = find_duplicates([row(2, *later)], school_on(BORN, names))
    assert kind in kinds_found(found, 2)
    match = next(d.match for d in found[2] if d.kind is kind)
    assert (match.learner_id, match.first_names, match.surname) == (181, *earlier)


def test_the_crowded_search_finds_what_the_full_search_finds_among_smiths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Hundreds of Smiths on one date: "Smith" alone is no key, yet Jon/John is found.
    smiths = [(f"{first} {middle}", "Smith") for first, middle in itertools.permutations(_FIRST, 2)]
    rows = [row(n, *name) for n, name in enumerate(smiths[:600], start=2)]
    rows += [row(700, "John", "Smith"), row(701, "Jon", "Smith"), row(702, "Smith", "John")]
    blocked = find_duplicates(rows, ExistingLearners())
    learner_by_learner(monkeypatch)
    everyone = find_duplicates(rows, ExistingLearners())
    for number in (701, 702):
        assert [(d.kind, d.match.row) for d in blocked[number]] == [
            (d.kind, d.match.row) for d in everyone[number]
        ]
    assert DuplicateKind.SIMILAR_NAME in kinds_found(blocked, 702)


def test_copies_of_one_learner_list_a_few_and_count_the_rest() -> None:
    rows = [row(n, "Ada", "Lovelace") for n in range(2, 14)]  # twelve copies
    existing = school_on(BORN, [("Ada", "Lovelace")] * 3)
    found = find_duplicates(rows, existing)
    last = found[13]
    assert [d.kind for d in last] == [DuplicateKind.SAME_NAME] * MAX_NAME_MATCHES
    assert [d.match.learner_id for d in last[:3]] == [1, 2, 3]  # the school's first
    assert "(9 more with the same name and date of birth not listed.)" in last[-1].message
    assert found[2][-1].message.endswith("skip this row.")  # three: all listed, no note
    assert len(found[2]) == 3


def test_a_crowded_date_is_never_compared_pair_by_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidfuzz import process

    compared = 0
    extract = process.extract

    def counting(query: str, choices: object, **options: object) -> object:
        nonlocal compared
        compared += len(choices)  # type: ignore[arg-type]
        return extract(query, choices, **options)

    monkeypatch.setattr("rapidfuzz.process.extract", counting)
    rows = [row(n, *name) for n, name in enumerate(crowd(3000), start=2)]
    find_duplicates(rows, school_on(BORN, crowd(3000, start=5000)))
    # All pairs would be 4.5 million in the file and 9 million against the school. A row
    # meets at most KEY_BLOCK learners for each of its keys, in each of the two.
    bound = sum(2 * KEY_BLOCK * len(name_keys(comparable(r.first_names, r.surname))) for r in rows)
    print(f"{compared:,} comparisons (bound {bound:,})")
    assert compared <= bound
    assert compared < (3000 * 3000 // 2 + 3000 * 3000) // 10


def test_comparable_names_score_as_token_sort_ratio() -> None:
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    names = [
        *itertools.chain.from_iterable(PAIRS[i][:2] for i in range(len(PAIRS))),
        ("Mary-Jane  Anne", "O'Connor"),
        ("Łukasz", "Nowak-Kowalski"),
        ("Ngọc Anh", "Nguyễn"),
        ("  Zoë ", "d'Souza"),
    ]
    for (a_first, a_surname), (b_first, b_surname) in itertools.product(names, repeat=2):
        plain_a = default_process(f"{a_first} {a_surname}")
        plain_b = default_process(f"{b_first} {b_surname}")
        assert fuzz.ratio(
            comparable(a_first, a_surname), comparable(b_first, b_surname)
        ) == fuzz.token_sort_ratio(plain_a, plain_b)


def test_name_keys_ignore_order_case_and_accents() -> None:
    assert name_keys(comparable("Zoë", "Brontë")) == name_keys(comparable("BRONTE", "zoe"))
    assert name_keys(comparable("Ann", "Lee")) != name_keys(comparable("Ann", "Leigh"))
    assert set(name_keys(comparable("Jon", "Smith"))) & set(name_keys(comparable("John", "Smith")))
