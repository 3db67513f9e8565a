"""``planit-desktop reconcile``: the demo school's MIS export (and its CTF) compared on the
command line with exactly its differences in the JSON, each --apply-… option changing exactly
its learners (audited, with support requests for corrections), the new learners imported as
one batch with their passwords saved; files that are not the whole roll refused (exit 1)
with nothing changed; unusable arguments exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from planit_desktop.cli import main
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Learner, SupportRequest
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.year_end.draft import load_draft
from tests.support.reconcile import (
    EXPECTED,
    audited,
    changed_between,
    mis_export,
    snapshot,
    write_rows,
)
from tests.support.sign_in import CommandLineSignIn

COUNTS = {category.value: count for category, count in EXPECTED.items()}
LISTS = ("new_learners", "not_in_mis", "year_group_differs", "groups_differ", "details_differ",
         "reinstate", "ambiguous")  # fmt: skip


@pytest.fixture(autouse=True)
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The notes of unfinished password files go in the test's folder, not the user's."""
    from planit_desktop.model.services.credentials import delivery as password_delivery

    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    status = main(["reconcile", *args, "--json"])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out.strip().startswith("{") else {}), err


def count(database: Database, entity: Any) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


@pytest.mark.parametrize("kind", ["xlsx", "ctf"])
def test_a_dry_run_lists_exactly_the_differences_and_changes_nothing(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
    kind: str,
) -> None:
    made = mis_export(demo_database, tmp_path, kind=kind)
    before = snapshot(demo_database)
    status, out, err = run(capsys, str(made.path), "--db", str(db_path), "--dry-run")
    assert status == 0, err
    assert out["counts"] == COUNTS
    assert all(len(out[name]) == COUNTS[name] for name in LISTS)
    assert [r["row"] for r in out["new_learners"]] == made.new_rows
    assert all(r["learner_id"] is None and r["planit"] is None for r in out["new_learners"])
    assert [r["learner_id"] for r in out["not_in_mis"]] == made.missing
    assert all(r["row"] is None and r["mis"] is None for r in out["not_in_mis"])
    assert {
        r["learner_id"]: r["differs"]["year_group"]["mis"] for r in out["year_group_differs"]
    } == made.year_groups
    assert {
        r["learner_id"]: r["differs"]["groups"]["mis"] for r in out["groups_differ"]
    } == made.groups
    assert {
        r["learner_id"]: r["differs"]["surname"]["mis"] for r in out["details_differ"]
    } == made.surnames
    assert [r["learner_id"] for r in out["reinstate"]] == [made.returning]
    for name in ("year_group_differs", "groups_differ", "details_differ", "reinstate"):
        for row in out[name]:
            assert row["matched_on"] == "UPN"
            assert row["row"] == made.row_of[row["learner_id"]]
            assert row["planit"]["upn"] == row["mis"]["upn"]
    assert snapshot(demo_database) == before
    # The comparison is recorded for the checklist's hints.
    with demo_database.read() as session:
        entry = session.scalars(
            select(AuditEntry.new_value).where(AuditEntry.action == "mis_checked")
        ).one()
    assert json.loads(entry or "")["found"] == COUNTS

    status, _out, _err = run(capsys, str(made.path), "--db", str(db_path))
    assert status == 2  # nothing said to apply


def test_each_apply_option_changes_exactly_its_learners(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    made = mis_export(demo_database, tmp_path)
    options: list[tuple[tuple[str, ...], str, set[int]]] = [
        (("--apply-leavers", "--left-on", "20/07/2026"), "not_in_mis", set(made.missing)),
        (("--apply-groups",), "groups_differ", set(made.groups)),
        (("--apply-corrections",), "details_differ", set(made.surnames)),
        (("--apply-reinstate",), "reinstate", {made.returning}),
        (
            ("--apply-year-groups", "--correct-year-groups"),
            "year_group_differs",
            set(made.year_groups),
        ),
    ]
    for flags, category, learners in options:
        before = snapshot(demo_database)
        requests = count(demo_database, SupportRequest)
        status, out, err = run(capsys, str(made.path), "--db", str(db_path), *flags)
        assert status == 0, err
        assert out["applied"] == {category: COUNTS[category]}
        assert changed_between(before, snapshot(demo_database)) == learners, category
        corrects = category in ("details_differ", "year_group_differs")
        added = count(demo_database, SupportRequest) - requests
        assert added == (len(learners) if corrects else 0), category
        status, out, _ = run(capsys, str(made.path), "--db", str(db_path), "--dry-run")
        assert out["counts"][category] == 0
    state = snapshot(demo_database)
    assert all(state[i][6] is LearnerStatus.LEFT for i in made.missing)
    assert all(state[i][1] == surname for i, surname in made.surnames.items())
    assert all(state[i][3] == year for i, year in made.year_groups.items())
    assert sorted(audited(demo_database, "learner_left")) == sorted(made.missing)
    assert audited(demo_database, "learner_reinstated") == [made.returning]
    with demo_database.read() as session:
        left_on = {learner.left_on for learner in session.scalars(
            select(Learner).where(Learner.id.in_(made.missing))
        )}  # fmt: skip
        actors = set(session.scalars(select(AuditEntry.actor).where(
            AuditEntry.action.in_(["learner_left", "learner_corrected", "learner_reinstated"])
        )))  # fmt: skip
        fields = sorted(session.execute(select(SupportRequest.learner_id, SupportRequest.field)))
    assert [d.isoformat() for d in left_on] == ["2026-07-20"]
    assert actors == {cli_signed_in.login}
    assert fields == sorted(
        [(i, "surname") for i in made.surnames] + [(i, "year_group") for i in made.year_groups]
    )


def test_year_groups_are_kept_back_before_the_year_end(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    made = mis_export(demo_database, tmp_path)
    before = snapshot(demo_database)
    status, out, err = run(capsys, str(made.path), "--db", str(db_path), "--apply-year-groups")
    assert status == 0, err
    # The demo school's year end (out of 2025/26) is open: kept back is the default action.
    assert {r["action"] for r in out["year_group_differs"]} == {"keep_back"}
    assert snapshot(demo_database) == before
    with demo_database.read() as session:
        draft = load_draft(session, _admin(demo_database), 2025)
    assert draft is not None and draft.choices.kept_back == set(made.year_groups)


def _admin(database: Database) -> Any:
    from tests.support.sign_in import DEMO_ADMINISTRATOR, staff_actor

    return staff_actor(database, DEMO_ADMINISTRATOR[0])


def test_new_learners_are_imported_as_one_batch_with_their_passwords(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    made = mis_export(demo_database, tmp_path)
    before = count(demo_database, Learner)
    status, _out, err = run(capsys, str(made.path), "--db", str(db_path), "--import-new")
    assert status == 2 and "--passwords-out" in err
    passwords = tmp_path / "passwords.xlsx"
    status, out, err = run(
        capsys, str(made.path), "--db", str(db_path), "--import-new",
        "--passwords-out", str(passwords),
    )  # fmt: skip
    assert status == 0, err
    assert out["applied"] == {"new_learners": 5} and out["outputs"] == [str(passwords)]
    assert passwords.exists()
    assert count(demo_database, Learner) == before + 5
    with demo_database.read() as session:
        created = session.scalars(
            select(Learner.surname).where(Learner.surname.like("Quennell%"))
        ).all()
    assert len(created) == 5
    _, out, _ = run(capsys, str(made.path), "--db", str(db_path), "--dry-run")
    assert out["counts"]["new_learners"] == 0


def test_files_that_are_not_the_schools_whole_roll_change_nothing(
    demo_database: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_signed_in: CommandLineSignIn,
) -> None:
    from tests.support.reconcile import HEADINGS

    made = mis_export(demo_database, tmp_path)
    before = snapshot(demo_database)
    partial = write_rows(tmp_path / "year 7.xlsx", [r for r in made.rows if r["year"] == 7],
                     HEADINGS)  # fmt: skip
    status, out, _ = run(capsys, str(partial), "--db", str(db_path), "--apply-leavers")
    assert status == 1 and "not the school's whole roll" in out["problems"][0]

    # Surnames, year and tutor groups only: nothing says who each learner is.
    nobody = tmp_path / "nobody.xlsx"
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Legal Surname", "Year", "Reg Group"])
    for row in made.rows:
        workbook.active.append([row["surname"], row["year"], row["tutor"]])
    workbook.save(nobody)
    status, out, err = run(capsys, str(nobody), "--db", str(db_path), "--apply-leavers")
    assert status == 1 and "nothing that identifies" in " ".join(out.get("problems", [err]))

    from planit_desktop.model.validation.upn import check_letter

    elsewhere = []  # another local authority's school: other UPNs, numbers and first names
    for number, row in enumerate(made.rows):
        body = f"8231234{number % 100:02d}{number:03d}"
        elsewhere.append(dict(row, upn=check_letter(body) + body, sims=f"7{number:05d}",
                              first=f"Other{number}"))  # fmt: skip
    other = write_rows(tmp_path / "other school.xlsx", elsewhere, HEADINGS)
    status, out, _ = run(capsys, str(other), "--db", str(db_path), "--apply-leavers")
    assert status == 1 and "another school's file" in out["problems"][0]

    status, _, err = run(capsys, str(tmp_path / "missing.xlsx"), "--db", str(db_path), "--dry-run")
    assert status == 2
    assert snapshot(demo_database) == before
    assert count(demo_database, SupportRequest) == 0
