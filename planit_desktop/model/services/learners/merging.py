"""Two records of one learner: the administrators' check of learners created in class
(confirmed as right, or merged with the record they duplicate), and merging any two records.

A learner created in class ("Create New User", :mod:`planit_desktop.model.services.learners.
in_class`) is flagged until an administrator confirms or merges them; the "To check" list
(:func:`~planit_desktop.model.services.learners.roll.to_check`) shows who is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
    LearnerCredential,
    SupportRequest,
)
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge kept and moved."""

    kept_id: int
    removed_id: int
    groups_moved: tuple[str, ...]
    details_filled: tuple[str, ...]  # fields of the kept learner filled from the removed one


def confirm_checked(session: Session, actor: Actor, learner_id: int) -> None:
    """An administrator confirms a learner created in class is right; off the "To check" list."""
    require_administrator(session, actor, "confirm learners created in class")
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound("That learner no longer exists. Refresh the list.")
    if not getattr(learner, "needs_check", False):
        raise Refused(f"{learner.first_names} {learner.surname} has been checked already.")
    learner.needs_check = False
    session.flush()
    audit.record(
        session, actor, "learner_checked", entity="learner", entity_id=learner_id,
        field="needs_check", old=True, new=False,
    )  # fmt: skip


def merge_learners(
    session: Session, actor: Actor, keep_id: int, remove_id: int, *, force: bool = False
) -> MergeResult:
    """Merge two records of one learner: keep ``keep_id``, delete ``remove_id`` (administrators).

    The removed learner's group memberships and support requests move to the kept one; the
    kept learner's credentials stay (the removed one's are used only if the kept learner has
    none); a UPN, SIMS number, gender or ethnicity the kept learner lacks is taken from the
    removed one. Refused for a learner and themselves, and for two learners on roll with
    different UPNs (they may be two people) unless ``force``. Both are audited.
    """
    require_administrator(session, actor, "merge learners")
    if keep_id == remove_id:
        raise InvalidInput("A learner cannot be merged with themselves: choose two learners.")
    kept, removed = session.get(Learner, keep_id), session.get(Learner, remove_id)
    if kept is None or removed is None:
        raise NotFound("One of the two learners no longer exists. Refresh the list.")
    # Joining next year counts as on roll here: two current records with two UPNs.
    current = (LearnerStatus.ON_ROLL, LearnerStatus.JOINING)
    both_on_roll = kept.status in current and removed.status in current
    if both_on_roll and kept.upn and removed.upn and kept.upn != removed.upn and not force:
        raise Refused(
            f"{kept.first_names} {kept.surname} (UPN {kept.upn}) and {removed.first_names} "
            f"{removed.surname} (UPN {removed.upn}) have different UPNs, so they may be two "
            "different learners. Nothing was merged."
        )
    kept_groups = set(
        session.scalars(
            select(GroupMembership.group_id).where(GroupMembership.learner_id == keep_id)
        )
    )
    moved = [
        (gid, name)
        for gid, name in session.execute(
            select(Group.id, Group.name)
            .join(GroupMembership, GroupMembership.group_id == Group.id)
            .where(GroupMembership.learner_id == remove_id)
        )
        if gid not in kept_groups
    ]
    if moved:
        session.execute(
            insert(GroupMembership), [{"learner_id": keep_id, "group_id": gid} for gid, _ in moved]
        )
    session.execute(
        update(SupportRequest)
        .where(SupportRequest.learner_id == remove_id)
        .values(learner_id=keep_id)
    )
    has_credential = session.get(LearnerCredential, keep_id) is not None
    if not has_credential:
        session.execute(
            update(LearnerCredential)
            .where(LearnerCredential.learner_id == remove_id)
            .values(learner_id=keep_id)
        )
    filled = {
        field: getattr(removed, field)
        for field in ("upn", "sims_number", "sex", "ethnicity")
        if getattr(kept, field) is None and getattr(removed, field) is not None
    }
    removed_name = f"{removed.first_names} {removed.surname} (login {removed.login})"
    session.execute(delete(LearnerCredential).where(LearnerCredential.learner_id == remove_id))
    session.execute(delete(GroupMembership).where(GroupMembership.learner_id == remove_id))
    session.delete(removed)
    session.flush()  # the removed learner's UPN and SIMS number are free only after this
    for field, value in filled.items():
        setattr(kept, field, value)
    kept.needs_check = False
    flag_modified(kept, "year_group")  # the kept record changed: bump its version
    session.flush()
    group_names = tuple(sorted((name for _, name in moved), key=str.casefold))
    audit.record_many(
        session,
        actor,
        [
            {
                "action": "learner_merged",
                "entity": "learner",
                "entity_id": keep_id,
                "detail": f"kept; merged with learner {remove_id}, {removed_name}"
                + (f"; groups moved: {', '.join(group_names)}" if group_names else ""),
            },
            *(
                {"action": "learner_merged", "entity": "learner", "entity_id": keep_id}
                | {"field": field, "old": None, "new": value}
                for field, value in filled.items()
            ),
            {
                "action": "learner_merged_away",
                "entity": "learner",
                "entity_id": remove_id,
                "detail": f"removed; merged into learner {keep_id}, {kept.first_names} "
                f"{kept.surname} (login {kept.login})",
            },
        ],
    )
    return MergeResult(keep_id, remove_id, group_names, tuple(filled))
