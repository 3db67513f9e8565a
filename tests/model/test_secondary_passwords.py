"""Secondary passwords: find learners as a request describes them, issue, print, see unused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.errors import InvalidInput, PermissionDenied
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.credentials.outputs import (
    write_password_list,
    write_password_slips,
)
from planit_desktop.model.services.credentials.secondary import (
    issue_secondary,
    tutor_groups,
    unused_secondary,
)
from planit_desktop.model.services.learners.roll import find_learners
from tests.support.corrections import ADA, TOM, ZOE


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"first_names": "zoe", "surname": "OBRIEN"}, [ZOE]),
        ({"surname": "o’brien"}, [ZOE]),
        ({"first_names": "a"}, [ADA]),  # part of a name is enough
        ({"date_of_birth": "15/01/2012"}, [ADA]),
        ({"date_of_birth": date(2014, 3, 3), "year_group": "Y7"}, [ZOE]),
        ({"year_group": 8}, []),  # Tom left: not found unless asked for
        ({"surname": "smith", "first_names": ""}, []),
    ],
)
def test_find_learners_ignores_case_and_accents(
    school: Database, admin: Actor, criteria: dict[str, object], expected: list[int]
) -> None:
    with school.read() as session:
        assert [r.id for r in find_learners(session, admin, **criteria)] == expected  # type: ignore[arg-type]


def test_find_learners_left_bad_input_and_supervisors(
    school: Database, admin: Actor, sam: Actor
) -> None:
    with school.read() as session:
        assert [
            r.id for r in find_learners(session, admin, surname="smith", include_left=True)
        ] == [TOM]
        assert [r.id for r in find_learners(session, sam)] == [ZOE]  # only 7A's learners
        with pytest.raises(InvalidInput, match="not a date"):
            find_learners(session, admin, date_of_birth="31/31/2012")
        with pytest.raises(InvalidInput, match="not a year group"):
            find_learners(session, admin, year_group="Year Z")


def test_issue_print_and_see_unused_secondary_passwords(
    school: Database, admin: Actor, tmp_path: Path
) -> None:
    with school.begin() as session:
        rows = issue_secondary(session, admin, [ZOE, ADA])
    by_login = {row.login: row for row in rows}
    assert set(by_login) == {"learner1", "learner2"}
    assert by_login["learner2"].tutor_group == "7A"  # named after her year, before "Oak"
    with school.read() as session:
        assert [r.id for r in unused_secondary(session, admin)] == [ADA, ZOE]
    listed = write_password_list(tmp_path / "list.xlsx", rows, secondary=True)
    sheet = openpyxl.load_workbook(listed).active
    assert sheet is not None
    assert sheet.title == "Secondary passwords" and sheet["E1"].value == "Secondary password"
    assert {sheet.cell(row=n, column=5).value for n in (2, 3)} == {r.password for r in rows}
    slips = write_password_slips(tmp_path / "slips.pdf", rows, secondary=True)
    assert slips.read_bytes().startswith(b"%PDF")
    with school.begin() as session:
        outcome = learner_sign_in(session, "learner2", by_login["learner2"].password)
    assert outcome.signed_in and outcome.used_secondary
    with school.read() as session:
        assert [r.id for r in unused_secondary(session, admin)] == [ADA, ZOE]  # until changed


def test_supervisors_may_not_issue_secondary_passwords(school: Database, sam: Actor) -> None:
    with pytest.raises(PermissionDenied), school.begin() as session:
        issue_secondary(session, sam, [ZOE])
    with school.read() as session:
        assert unused_secondary(session, sam) == []


def test_tutor_groups_for_slips(school: Database) -> None:
    with school.read() as session:
        assert tutor_groups(session, [ADA, ZOE, TOM, 99]) == {
            ADA: "9B", ZOE: "7A", TOM: "7A", 99: None,
        }  # fmt: skip
