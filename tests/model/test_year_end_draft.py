"""The year-end wizard's draft: saved, replaced, loaded elsewhere, discarded; administrators
only; a damaged draft never stops the year end; a draft an older program saved is read."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, update

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import AuditEntry, Group, YearEndDraft
from planit_desktop.model.errors import InvalidInput, PermissionDenied
from planit_desktop.model.services.year_end import LeavingDetails
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.draft import discard_draft, load_draft, save_draft

# Group 1 ticked to become 8A; "Leavers 2026" typed for group 2, left unticked.
CHOICES = YearEndChoices(
    kept_back=frozenset({3, 5}),
    leaving={7: LeavingDetails(date(2026, 7, 18), "Moved to Wales"), 9: LeavingDetails()},
    renames={1: "8A"},
    names_not_chosen={2: "Leavers 2026"},
)


def test_choices_survive_json_both_ways() -> None:
    again = YearEndChoices.from_json(CHOICES.to_json())
    assert again == CHOICES
    assert YearEndChoices().is_empty and not CHOICES.is_empty
    for bad in (None, [], {"format": 99}, {"format": 1, "leaving": {"x": {}}}):
        with pytest.raises(InvalidInput):
            YearEndChoices.from_json(bad)


def test_only_keeps_choices_for_learners_and_groups_that_remain() -> None:
    kept = CHOICES.only(learner_ids={3, 7}, group_ids={2})
    assert kept.kept_back == {3} and set(kept.leaving) == {7}
    assert kept.names_not_chosen == {2: "Leavers 2026"} and kept.renames == {}


def test_a_draft_in_the_older_format_is_read(demo_database: Database, admin: Actor) -> None:
    """Format 1 kept the names typed (ticked or not) and the ids ticked: a ticked group
    without a typed name takes the name the wizard suggests for it."""
    with demo_database.read() as session:
        groups = dict(session.execute(select(Group.name, Group.id)).all())
    ten_a, blue, oak = groups["10A"], groups["Year 10 Blue"], groups["Oak"]
    older = {
        "format": 1,
        "kept_back": [3],
        "leaving": {"7": {"left_on": "2026-07-18", "reason": "Moved to Wales"}},
        "renames": {str(blue): "Year 11 Sky", str(oak): "Oak Tree"},
        "accepted": [ten_a, blue],
    }
    with demo_database.begin() as session:
        save_draft(session, admin, 2025, CHOICES)
        session.execute(update(YearEndDraft).values(choices=json.dumps(older)))
    with demo_database.read() as session:
        loaded = load_draft(session, admin, 2025)
    assert loaded is not None
    assert loaded.choices == YearEndChoices(
        kept_back=frozenset({3}),
        leaving={7: LeavingDetails(date(2026, 7, 18), "Moved to Wales")},
        renames={ten_a: "11A", blue: "Year 11 Sky"},
        names_not_chosen={oak: "Oak Tree"},
    )


def test_save_replace_load_and_discard(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        assert load_draft(session, admin, 2025) is None
        save_draft(session, admin, 2025, YearEndChoices(kept_back=frozenset({1})))
        saved = save_draft(session, admin, 2025, CHOICES)
    assert saved.describe().startswith(f"saved by {admin.login} on ")
    with demo_database.read() as session:
        loaded = load_draft(session, admin, 2025)
        assert len(session.scalars(select(YearEndDraft)).all()) == 1
        assert load_draft(session, admin, 2026) is None
    assert loaded is not None and loaded.choices == CHOICES and loaded.saved_by == admin.login
    with demo_database.begin() as session:
        assert discard_draft(session, admin, 2025) is True
        assert discard_draft(session, admin, 2025) is False
    with demo_database.read() as session:
        assert load_draft(session, admin, 2025) is None
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("year_end_draft_saved") == 2
    assert actions.count("year_end_draft_discarded") == 1


def test_another_computer_sharing_the_database_finds_the_draft(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        save_draft(session, admin, 2025, CHOICES)
    other = open_database(demo_database.url)
    try:
        with other.read() as session:
            loaded = load_draft(session, admin, 2025)
    finally:
        other.dispose()
    assert loaded is not None and loaded.choices == CHOICES


def test_damaged_draft_is_treated_as_none(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        save_draft(session, admin, 2025, CHOICES)
        session.execute(update(YearEndDraft).values(choices="{not json"))
    with demo_database.read() as session:
        assert load_draft(session, admin, 2025) is None


def test_supervisors_and_long_reasons_refused(
    demo_database: Database, admin: Actor, supervisor_actor: Actor
) -> None:
    for action in (
        lambda s: save_draft(s, supervisor_actor, 2025, CHOICES),
        lambda s: load_draft(s, supervisor_actor, 2025),
        lambda s: discard_draft(s, supervisor_actor, 2025),
    ):
        with pytest.raises(PermissionDenied), demo_database.begin() as session:
            action(session)
    long = YearEndChoices(leaving={1: LeavingDetails(None, "x" * 501)})
    with pytest.raises(InvalidInput), demo_database.begin() as session:
        save_draft(session, admin, 2025, long)
    with demo_database.read() as session:
        assert session.scalars(select(YearEndDraft)).all() == []
