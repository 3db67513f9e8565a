"""The small school of the learner-service tests (the ``school`` fixture of
tests/model/conftest.py): Ada (Year 9, 9B), Zoë (Year 7, 7A and Oak), Tom (Year 8, left, 7A);
Sam supervises 7A. Its ids, the day the tests are on, and helpers that read and correct it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner
from planit_desktop.model.services.learners.corrections import correct_learner

TODAY = date(2025, 11, 3)
ADA, ZOE, TOM = 1, 2, 3
GROUP_7A, GROUP_9B, OAK = 1, 2, 3


def learner(database: Database, learner_id: int) -> Learner:
    with database.read() as session:
        found = session.get(Learner, learner_id)
        assert found is not None
        session.expunge(found)
        return found


def version(database: Database, learner_id: int) -> int:
    return learner(database, learner_id).version


def count(database: Database, entity: type[object], *conditions: object) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(entity).where(*conditions)))


def correct(database: Database, actor: Actor, learner_id: int, **changes: object) -> object:
    with database.begin() as session:
        return correct_learner(
            session, actor, learner_id, changes,
            expected_version=version(database, learner_id), today=TODAY,
        )  # fmt: skip
