"""Learner rows as the services list them, made by hand for the table models' tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.learners.roll import LearnerRow


def learner_row(n: int, first: str, surname: str, year: int, **kw: Any) -> LearnerRow:
    from planit_desktop.model.services.learners.roll import learner_search_key

    values: dict[str, Any] = {
        "id": n,
        "first_names": first,
        "surname": surname,
        "date_of_birth": date(2014 - (year - 7), 1 + n % 12, 1),
        "year_group": year,
        "groups": (),
        "upn": None,
        "sims_number": None,
        "status": LearnerStatus.ON_ROLL,
        "login": f"l{n}",
    }
    values.update(kw)
    values["search_key"] = learner_search_key(
        values["first_names"],
        values["surname"],
        values["upn"],
        values["sims_number"],
        values["login"],
        date_of_birth=values["date_of_birth"],
        groups=values["groups"],
    )
    return LearnerRow(**values)


LEARNERS = [
    learner_row(1, "Zoë", "O'Brien", 7, groups=("7A", "Oak")),
    learner_row(2, "ada", "lovelace", 10, groups=("10B",)),
    learner_row(3, "Tom", "Smith-Jones", 7, status=LearnerStatus.LEFT, groups=("7A",)),
    learner_row(4, "Ann", "Lovelace", 9, upn="H801200001001"),
]
