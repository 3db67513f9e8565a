"""Committing an import: one transaction, logins, groups, temporary passwords, audit, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    GroupMembership,
    Learner,
    LearnerCredential,
    LearnerStatus,
)
from planit_desktop.model.errors import PermissionDenied, Refused
from planit_desktop.model.services.credentials.hashing import verify_password
from planit_desktop.model.services.importing import (
    CheckResult,
    Decision,
    ImportCancelled,
    check_rows,
    hash_passwords_parallel,
    import_learners,
    login_base,
    read_table,
)
from tests.support.import_files import TODAY, learner, write_xlsx


def checked(database: Database, path: Path) -> CheckResult:
    with database.read() as session:
        return check_rows(session, read_table(path), today=TODAY)


def count(database: Database, what: object) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(what)) or 0  # type: ignore[arg-type]


def test_import_creates_learners_groups_logins_and_passwords(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    rows = [
        learner(1, **{"First Names": "Zoë", "Surnames": "O'Brien"}),
        learner(2, **{"First Names": "Zak", "Surnames": "Obrien", "Tutor Group": "7A"}),
        learner(3),
    ]
    result = checked(demo_database, write_xlsx(tmp_path / "new.xlsx", rows))
    before = count(demo_database, Learner)
    pairs = hash_passwords_parallel(3, workers=2)
    with demo_database.begin() as session:
        outcome = import_learners(
            session, admin, result, password_pairs=pairs, source_name="new.xlsx", today=TODAY
        )
    assert outcome.imported == 3 and outcome.groups_created == ("7Q",)
    assert count(demo_database, Learner) == before + 3
    with demo_database.read() as session:
        made = session.scalars(select(Learner).where(Learner.id.in_(outcome.created))).all()
        logins = sorted(m.login for m in made)
        assert {"zobrien1", "zobrien2"} <= set(logins)  # unique within the file, ASCII
        q = session.scalar(select(Group).where(Group.name == "7Q"))
        assert q is not None
        members = set(
            session.scalars(
                select(GroupMembership.learner_id).where(GroupMembership.group_id == q.id)
            )
        )
        assert members == {outcome.created[0], outcome.created[2]}
        credentials = session.scalars(
            select(LearnerCredential).where(LearnerCredential.learner_id.in_(outcome.created))
        ).all()
        assert all(c.must_change for c in credentials) and len(credentials) == 3
        by_id = {c.learner_id: c.password_hash for c in credentials}
        login_of = {m.login: m.id for m in made}
        for row in outcome.password_rows:
            assert verify_password(by_id[login_of[row.login]], row.password)
        entries = session.scalars(select(AuditEntry)).all()
        imported = [e for e in entries if e.action == "learners imported"]
        assert len(imported) == 1 and "new.xlsx: 3 rows" in (imported[0].detail or "")
        created = [e for e in entries if e.action == "learner created"]
        assert {e.entity_id for e in created} == set(outcome.created)
        # Clear-text passwords never reach the database.
        text = " ".join(f"{e.detail} {e.old_value} {e.new_value}" for e in entries)
        assert all(row.password not in text for row in outcome.password_rows)


def test_login_base() -> None:
    assert login_base("Łukasz Jan", "Żółć-Nowak") == "lzolcnowak"
    assert login_base("李", "王") == "learner"


def test_reinstating_a_learner_who_left(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    with demo_database.read() as session:
        left = session.scalars(
            select(Learner).where(Learner.status == LearnerStatus.LEFT, Learner.upn.is_not(None))
        ).first()
    assert left is not None
    path = write_xlsx(tmp_path / "back.xlsx", [learner(1, UPN=left.upn, **{"Tutor Group": "7Q"})])
    result = checked(demo_database, path)
    with demo_database.begin() as session:
        outcome = import_learners(
            session,
            admin,
            result,
            decisions={2: Decision.REINSTATE},
            password_pairs=hash_passwords_parallel(1),
            source_name="back.xlsx",
            today=TODAY,
        )
    assert outcome.reinstated == (left.id,) and not outcome.created
    with demo_database.read() as session:
        again = session.get(Learner, left.id)
        assert again is not None and again.status is LearnerStatus.ON_ROLL
        assert again.left_on is None and again.year_group == 7
    assert outcome.password_rows[0].login == left.login


def test_errors_mean_nothing_imported(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [learner(1), learner(2, Gender="?")])
    result = checked(demo_database, path)
    before = count(demo_database, Learner)
    with pytest.raises(Refused, match="Nothing was imported"), demo_database.begin() as session:
        import_learners(
            session, admin, result, password_pairs=[], source_name="bad.xlsx", today=TODAY
        )
    assert count(demo_database, Learner) == before
    with demo_database.begin() as session:
        outcome = import_learners(
            session,
            admin,
            result,
            password_pairs=hash_passwords_parallel(1),
            source_name="bad.xlsx",
            skip_invalid=True,
            today=TODAY,
        )
    assert outcome.imported == 1 and outcome.left_out_rows == (3,)


def test_supervisors_may_not_import(
    demo_database: Database, supervisor_actor: Actor, tmp_path: Path
) -> None:
    result = checked(demo_database, write_xlsx(tmp_path / "s.xlsx", [learner(1)]))
    with pytest.raises(PermissionDenied), demo_database.begin() as session:
        import_learners(
            session,
            supervisor_actor,
            result,
            password_pairs=[("x", "y")],
            source_name="s.xlsx",
            today=TODAY,
        )


def test_a_change_since_the_check_is_caught(
    demo_database: Database, admin: Actor, tmp_path: Path
) -> None:
    result = checked(demo_database, write_xlsx(tmp_path / "c.xlsx", [learner(1)]))
    pairs = hash_passwords_parallel(1)
    with demo_database.begin() as session:
        import_learners(session, admin, result, password_pairs=pairs, source_name="c.xlsx")
    before = count(demo_database, Learner)
    with pytest.raises(Refused, match="changed since the file was checked"):
        with demo_database.begin() as session:
            import_learners(session, admin, result, password_pairs=pairs, source_name="c.xlsx")
    assert count(demo_database, Learner) == before


def test_hashing_reports_progress_and_can_be_cancelled() -> None:
    seen: list[tuple[int, int]] = []
    pairs = hash_passwords_parallel(3, workers=2, progress=lambda d, n: seen.append((d, n)))
    assert len(pairs) == 3 and len({p for p, _h in pairs}) == 3
    assert seen[-1] == (3, 3)
    assert all(verify_password(h, p) for p, h in pairs)
    with pytest.raises(ImportCancelled, match="nothing was imported"):
        hash_passwords_parallel(50, workers=1, cancelled=lambda: True)


def test_the_summary_counts_add_up() -> None:
    from planit_desktop.model.services.importing import ImportResult

    def result(created: int, reinstated: int, left_out: int = 0) -> ImportResult:
        return ImportResult(
            source_name="new.xlsx",
            rows=created + reinstated + left_out,
            created=tuple(range(created)),
            reinstated=tuple(range(100, 100 + reinstated)),
            left_out_rows=tuple(range(left_out)),
            groups_created=("7Q",) if created else (),
            password_rows=(),
        )

    # Once "25 learners imported; 1 reinstated" where 24 were new.
    assert result(24, 1).summary() == (
        "24 new learners imported and 1 reinstated from new.xlsx. Tutor groups created: 7Q."
    )
    assert result(1, 0, left_out=1).summary() == (
        "1 new learner imported from new.xlsx. Tutor groups created: 7Q. 1 row left out."
    )
    assert result(0, 2).summary() == "2 learners who had left reinstated from new.xlsx."
