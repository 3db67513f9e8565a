"""The tasks of the year end, one per task in the coordinators' guide, and the tab where
each is done (its title, for the "Go there" buttons)."""

from __future__ import annotations

from dataclasses import dataclass

from planit_desktop.model.kinds import TabTitle

LEARNERS, GROUPS = TabTitle.LEARNERS, TabTitle.GROUPS
STAFF, SUBJECTS = TabTitle.STAFF_ACCESS, TabTitle.SUBJECTS


@dataclass(frozen=True)
class Task:
    """A task of the year end, as the coordinators' guide describes it."""

    key: str
    title: str
    explanation: str
    tab: TabTitle


TASKS: tuple[Task, ...] = (
    Task(
        "year_groups",
        "Year groups confirmed",
        "Every learner moved up one year group. Check that no learner was wrongly moved up "
        "(kept back a year); correct any who were.",
        LEARNERS,
    ),
    Task(
        "learner_groups",
        "Learners in the right groups",
        "Learners stay in the same groups for the new year. Check they are still in the "
        "right ones, and put learners in no group into one.",
        GROUPS,
    ),
    Task(
        "group_names",
        "Group names updated",
        "Group names are not changed by the year end: a group called “10A” still says "
        "Year 10. Rename groups whose name contains a year.",
        GROUPS,
    ),
    Task(
        "supervisor_access",
        "Supervisor access reassigned",
        "Supervisors lose their groups at the year end and see no learner until they are "
        "given groups for the new year. Administrators keep full access.",
        STAFF,
    ),
    Task(
        "leavers",
        "Leavers recorded",
        "Record learners who have left the school over the summer as “Not at my provider”.",
        LEARNERS,
    ),
    Task(
        "new_learners",
        "New learners imported",
        "Import the learners who joined the school (the new intake and any others), with "
        "the template spreadsheet.",
        LEARNERS,
    ),
    Task(
        "staff",
        "New and departed staff recorded",
        "Add staff who joined and deactivate those who left, so only current staff can see "
        "learners' work.",
        STAFF,
    ),
    Task(
        "learner_details",
        "Learner details corrected",
        "Correct wrong names, dates of birth, year groups, UPNs or SIMS numbers, send the "
        "support requests to the School Support Team, and check learners created in class.",
        LEARNERS,
    ),
    Task(
        "subjects",
        "Subjects for Years 9–11 confirmed",
        "Subject offers stay with their year group. Confirm the subjects offered to Years "
        "9 to 11 are right for the new year.",
        SUBJECTS,
    ),
    Task(
        "secondary_passwords",
        "Secondary passwords issued where needed",
        "Learners who forgot their password over the summer can be given a secondary "
        "password, in addition to their existing one.",
        LEARNERS,
    ),
)
