"""Passwords are delivered or never issued (in one process, on SQLite and PostgreSQL).

The password files of an import, of secondary passwords and of a slip for a learner created
in class are written and synced under a staged name before the transaction that stores the
hashes commits, and put in place after it; a commit that fails removes them; a file that
cannot be written refuses the change; and the note left by a change that died is settled by
the next start: the move finished if the change was committed, the files removed if not.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from planit_desktop.model import stages
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Learner, LearnerCredential
from planit_desktop.model.errors import Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services.credentials import delivery as password_delivery
from planit_desktop.model.services.credentials.delivery import DeliveryState, PasswordDelivery
from planit_desktop.model.services.credentials.hashing import verify_password
from planit_desktop.model.services.credentials.learner_passwords import (
    PreparedPassword,
    deliver_temporary_password,
    prepare_temporary_password,
)
from planit_desktop.model.services.credentials.password_files import PasswordFiles
from planit_desktop.model.services.credentials.secondary import issue_secondary
from planit_desktop.model.services.credentials.unfinished import (
    settle_at_start,
    unfinished_deliveries,
)
from planit_desktop.model.services.importing import (
    CheckResult,
    ImportResult,
    check_rows,
    hash_passwords_parallel,
    import_learners,
    plan_import,
    read_table,
)
from tests.support.import_files import TODAY, learner, write_xlsx

LEARNERS = 4


@pytest.fixture
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def learners(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Learner)) or 0


def checked_file(database: Database, folder: Path, first: int = 1) -> CheckResult:
    path = write_xlsx(folder / "new.xlsx", [learner(i) for i in range(first, first + LEARNERS)])
    with database.read() as session:
        return check_rows(session, read_table(path), today=TODAY)


def run_import(
    database: Database, admin: Actor, delivery: PasswordDelivery, checked: CheckResult
) -> ImportResult:
    pairs = hash_passwords_parallel(plan_import(checked, {}).passwords_needed)
    with delivery, database.begin() as session:
        return import_learners(
            session,
            admin,
            checked,
            password_pairs=pairs,
            source_name="new.xlsx",
            today=TODAY,
            delivery=delivery,
        )


def delivery_for(database: Database, files: PasswordFiles, **extra: object) -> PasswordDelivery:
    return PasswordDelivery(
        files,
        what="import of new learners from new.xlsx",
        database=database.location,
        nothing="Nothing was imported.",
        **extra,  # type: ignore[arg-type]
    )


def assert_every_password_works(database: Database, workbook: Path) -> set[str]:
    """Each row's password verifies against its learner's stored argon2 hash; their logins."""
    rows = list(load_workbook(workbook).active.iter_rows(min_row=2, values_only=True))
    with database.read() as session:
        hashes = dict(
            session.execute(
                select(Learner.login, LearnerCredential.password_hash).join(
                    LearnerCredential, LearnerCredential.learner_id == Learner.id
                )
            ).all()
        )
    for login, *_names, password in rows:
        assert verify_password(hashes[login], password), login
    return {str(row[0]) for row in rows}


def test_an_import_writes_its_files_before_the_commit_and_puts_them_in_place_after(
    demo_database: Database, admin: Actor, out: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, list[str]] = {}

    def look(stage: str) -> None:
        seen[stage] = sorted(p.name for p in out.iterdir())
        if stage == "committing":  # the files are complete and synced, and a note names them
            assert len(list(notes.glob("*.json"))) == 1

    monkeypatch.setattr(stages, "reached", look)
    files = PasswordFiles(out / "passwords.xlsx", out / "slips.pdf")
    delivery = delivery_for(demo_database, files)
    before = learners(demo_database)
    result = run_import(demo_database, admin, delivery, checked_file(demo_database, out.parent))
    token = delivery.token
    assert seen["committing"] == [
        f"passwords (being saved {token}).xlsx",
        f"slips (being saved {token}).pdf",
    ]
    assert seen["committed"] == seen["committing"]
    assert seen["moving"] == ["passwords.xlsx", f"slips (being saved {token}).pdf"]
    assert seen["moved"] == ["passwords.xlsx", "slips.pdf"]
    assert delivery.state is DeliveryState.DELIVERED
    assert delivery.saved == [out / "passwords.xlsx", out / "slips.pdf"]
    assert learners(demo_database) == before + LEARNERS == before + result.imported
    logins = assert_every_password_works(demo_database, out / "passwords.xlsx")
    assert len(logins) == LEARNERS
    assert (out / "slips.pdf").read_bytes().startswith(b"%PDF")
    assert not list(notes.iterdir())
    if os.name == "posix":
        assert stat.S_IMODE((out / "passwords.xlsx").stat().st_mode) == 0o600
    with demo_database.read() as session:
        written = session.execute(
            select(AuditEntry.field, AuditEntry.new_value).where(
                AuditEntry.action == audit.FILE_WRITTEN
            )
        ).all()
        staged = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == password_delivery.STAGED_ACTION)
        ).all()
    assert sorted(written) == [
        ("password list", str(out / "passwords.xlsx")),
        ("password slips", str(out / "slips.pdf")),
    ]
    assert len(staged) == 1 and f"being saved {token}" in staged[0]
    assert str(out / "passwords.xlsx") in staged[0]


def test_a_commit_that_fails_removes_the_files(
    demo_database: Database, admin: Actor, out: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(stage: str) -> None:
        if stage == "committing":
            raise OSError("the disk is full")

    monkeypatch.setattr(stages, "reached", fail)
    before = learners(demo_database)
    delivery = delivery_for(demo_database, PasswordFiles(out / "passwords.xlsx"))
    with pytest.raises(OSError, match="disk is full"):
        run_import(demo_database, admin, delivery, checked_file(demo_database, out.parent))
    assert delivery.state is DeliveryState.DISCARDED
    assert learners(demo_database) == before
    assert list(out.iterdir()) == [] and list(notes.iterdir()) == []


@pytest.mark.parametrize("where", ["missing folder", "a folder by that name", "notes"])
def test_a_file_that_cannot_be_written_imports_nothing(
    demo_database: Database, admin: Actor, out: Path, notes: Path, where: str
) -> None:
    target = out / "passwords.xlsx"
    if where == "missing folder":
        target = out / "gone" / "passwords.xlsx"
    elif where == "a folder by that name":
        target.mkdir()
    else:
        notes.parent.mkdir(exist_ok=True)
        notes.write_text("a file where the notes folder should be")
    before = learners(demo_database)
    checked = checked_file(demo_database, out.parent)
    with pytest.raises(Refused) as refused:
        run_import(
            demo_database, admin, delivery_for(demo_database, PasswordFiles(target)), checked
        )
    assert "Nothing was imported" in refused.value.message
    assert learners(demo_database) == before
    assert [p.name for p in out.iterdir()] == (["passwords.xlsx"] if target.is_dir() else [])
    with demo_database.read() as session:
        assert not session.scalar(
            select(func.count()).where(AuditEntry.action == audit.FILE_WRITTEN)
        )


def test_the_write_failing_half_way_leaves_nothing(
    demo_database: Database, admin: Actor, out: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(stage: str) -> None:
        if stage == "writing":
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(stages, "reached", full)
    before = learners(demo_database)
    delivery = delivery_for(demo_database, PasswordFiles(out / "p.xlsx", out / "s.pdf"))
    with pytest.raises(Refused, match="No space left on device. Nothing was imported."):
        run_import(demo_database, admin, delivery, checked_file(demo_database, out.parent))
    assert learners(demo_database) == before
    assert list(out.iterdir()) == [] and list(notes.iterdir()) == []


def test_the_next_start_puts_in_place_the_files_of_a_change_that_was_saved(
    demo_database: Database, admin: Actor, out: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process died between the COMMIT and the move: the files are still staged."""

    class Died(BaseException):
        pass

    def die(stage: str) -> None:
        if stage == "committed":
            raise Died  # no clean-up runs after a kill, and none may run here

    monkeypatch.setattr(stages, "reached", die)
    files = PasswordFiles(out / "passwords.xlsx", out / "slips.pdf")
    delivery = delivery_for(demo_database, files)
    with pytest.raises(Died):
        run_import(demo_database, admin, delivery, checked_file(demo_database, out.parent))
    assert sorted(p.name for p in out.iterdir()) == [
        f"passwords (being saved {delivery.token}).xlsx",
        f"slips (being saved {delivery.token}).pdf",
    ]
    monkeypatch.undo()
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: notes)
    assert len(unfinished_deliveries(demo_database.location)) == 1
    assert unfinished_deliveries("another database") == []
    messages = settle_at_start(demo_database)
    assert len(messages) == 1 and "was saved, but Plan-it stopped" in messages[0]
    assert f"the password list is complete, at {out / 'passwords.xlsx'}" in messages[0]
    assert f"the password slips are complete, at {out / 'slips.pdf'}" in messages[0]
    assert sorted(p.name for p in out.iterdir()) == ["passwords.xlsx", "slips.pdf"]
    assert len(assert_every_password_works(demo_database, out / "passwords.xlsx")) == LEARNERS
    assert list(notes.iterdir()) == [] and settle_at_start(demo_database) == []


def test_the_next_start_removes_the_files_of_a_change_that_was_not_saved(
    demo_database: Database, admin: Actor, out: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process died just before the COMMIT: the database rolled back."""

    class Died(BaseException):
        pass

    def die(stage: str) -> None:
        if stage == "committing":
            raise Died

    monkeypatch.setattr(stages, "reached", die)
    # As after a kill: the rollback is the database's, the delivery does nothing more.
    monkeypatch.setattr(PasswordDelivery, "__exit__", lambda *_a: None)
    before = learners(demo_database)
    delivery = delivery_for(demo_database, PasswordFiles(out / "passwords.xlsx"))
    with pytest.raises(Died):
        run_import(demo_database, admin, delivery, checked_file(demo_database, out.parent))
    assert [p.name for p in out.iterdir()] == [f"passwords (being saved {delivery.token}).xlsx"]
    monkeypatch.undo()
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: notes)
    (message,) = settle_at_start(demo_database)
    assert message.startswith("Plan-it was stopped during the import of new learners from new.xlsx")
    assert "nothing was changed, and the unfinished password list was deleted" in message
    assert list(out.iterdir()) == [] and list(notes.iterdir()) == []
    assert learners(demo_database) == before


def test_the_next_start_says_where_the_files_are_when_they_were_moved_already(
    demo_database: Database, admin: Actor, out: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[Path] = []

    def keep_note(stage: str) -> None:
        if stage == "moved":  # died after the move, before the note went
            kept.extend(notes.glob("*.json"))
            for note in kept:
                note.rename(note.with_suffix(".keep"))

    monkeypatch.setattr(stages, "reached", keep_note)
    run_import(
        demo_database,
        admin,
        delivery_for(demo_database, PasswordFiles(out / "p.xlsx")),
        checked_file(demo_database, out.parent),
    )
    for note in kept:
        note.with_suffix(".keep").rename(note)
    assert len(kept) == 1
    (message,) = settle_at_start(demo_database)
    assert f"the password list is at {out / 'p.xlsx'}" in message
    assert list(notes.iterdir()) == [] and settle_at_start(demo_database) == []


def test_the_next_start_waits_while_a_change_holds_the_school(
    demo_database: Database, notes: Path, out: Path, backend: str
) -> None:
    """A note whose change may still be running is left alone while the school row is locked."""
    if backend == "sqlite":
        pytest.skip("SQLite waits its busy timeout for the writer: the PostgreSQL half shows it")
    staged = out / "p (being saved 0000aaaa).xlsx"
    staged.write_bytes(b"not yet")
    notes.mkdir()
    (notes / "0000aaaa.json").write_text(
        json.dumps(
            {
                "token": "0000aaaa",
                "database": demo_database.location,
                "what": "import of new learners from new.xlsx",
                "started": "2026-08-01T10:12:00",
                "files": [
                    {"what": "password list", "staged": str(staged), "final": str(out / "p.xlsx")}
                ],
            }
        )
    )
    with demo_database.begin() as holder:
        holder.execute(text("SELECT id FROM school FOR UPDATE"))
        (message,) = settle_at_start(demo_database)
        assert "cannot yet say whether it was saved" in message
        assert staged.exists() and (notes / "0000aaaa.json").exists()
    (message,) = settle_at_start(demo_database)
    assert "nothing was changed" in message and not staged.exists()


def test_a_learner_created_in_class_gets_their_password_with_its_slip(
    demo_database: Database, admin: Actor, out: Path, notes: Path
) -> None:
    with demo_database.read() as session:
        learner_id = session.scalars(select(Learner.id).limit(1)).one()
        prepared = prepare_temporary_password(session, admin, learner_id)
    with demo_database.read() as session:  # prepared only: nothing stored
        credential = session.get(LearnerCredential, learner_id)
        assert credential is None or not verify_password(
            credential.password_hash, prepared.password
        )
    slip = out / "slip.pdf"
    delivery = PasswordDelivery(
        PasswordFiles(slips=slip), what="temporary password slip", database=demo_database.location
    )
    with delivery, demo_database.begin() as session:
        deliver_temporary_password(session, admin, prepared, delivery=delivery)
    assert slip.read_bytes().startswith(b"%PDF") and delivery.saved == [slip]
    with demo_database.read() as session:
        credential = session.get(LearnerCredential, learner_id)
        assert credential is not None and credential.must_change
        assert verify_password(credential.password_hash, prepared.password)
    # A slip that cannot be saved issues nothing: the prepared password still does not work.
    again = prepare_temporary_password_for(demo_database, admin, learner_id)
    bad = PasswordDelivery(
        PasswordFiles(slips=out / "no" / "slip.pdf"),
        what="temporary password slip",
        database=demo_database.location,
    )
    with pytest.raises(Refused, match="No password was issued"), bad:
        with demo_database.begin() as session:
            deliver_temporary_password(session, admin, again, delivery=bad)
    with demo_database.read() as session:
        credential = session.get(LearnerCredential, learner_id)
        assert credential is not None
        assert verify_password(credential.password_hash, prepared.password)
        assert not verify_password(credential.password_hash, again.password)


def prepare_temporary_password_for(
    database: Database, actor: Actor, learner_id: int
) -> PreparedPassword:
    with database.read() as session:
        return prepare_temporary_password(session, actor, learner_id)


def test_secondary_passwords_are_issued_with_their_list(
    demo_database: Database, admin: Actor, out: Path, notes: Path
) -> None:
    with demo_database.read() as session:
        ids = list(session.scalars(select(Learner.id).order_by(Learner.id).limit(3)))
    target = out / "secondary.xlsx"
    delivery = PasswordDelivery(
        PasswordFiles(target), what="issue of secondary passwords", database=demo_database.location,
        secondary=True,
    )  # fmt: skip
    with delivery, demo_database.begin() as session:
        rows = issue_secondary(session, admin, ids, delivery=delivery)
    listed = list(load_workbook(target).active.iter_rows(values_only=True))
    assert listed[0][4] == "Secondary password" and len(listed) == 4
    with demo_database.read() as session:
        hashes = dict(
            session.execute(
                select(Learner.login, LearnerCredential.secondary_hash)
                .join(LearnerCredential, LearnerCredential.learner_id == Learner.id)
                .where(Learner.id.in_(ids))
            ).all()
        )
    assert {r.login for r in rows} == set(hashes)
    for login, *_rest, password in listed[1:]:
        assert verify_password(hashes[login], password)
    # Unwritable: nothing issued, the secondary passwords stay as they were.
    blocked = PasswordDelivery(
        PasswordFiles(out / "missing" / "s.xlsx"), what="issue", database=demo_database.location,
        secondary=True,
    )  # fmt: skip
    with pytest.raises(Refused, match="No password was issued"), blocked:
        with demo_database.begin() as session:
            issue_secondary(session, admin, ids, delivery=blocked)
    with demo_database.read() as session:
        after = dict(
            session.execute(
                select(Learner.login, LearnerCredential.secondary_hash)
                .join(LearnerCredential, LearnerCredential.learner_id == Learner.id)
                .where(Learner.id.in_(ids))
            ).all()
        )
    assert after == hashes
