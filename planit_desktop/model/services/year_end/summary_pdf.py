"""The rollover's summary as a PDF for printing: the numbers in plain words, learners per
year group before and after, renames, problems found and the follow-up tasks.

The full record (every learner) is the report workbook; this is the one page or two a
coordinator files or hands to the head. Written whole to a temporary name, then renamed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.entities import GroupRenameBatch, GroupRenameEntry, School, YearEndRun
from planit_desktop.model.errors import InvalidInput, NotFound
from planit_desktop.model.kinds import TabTitle
from planit_desktop.model.services.pdf_text import latin1, unicode_font
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.workbooks import save_atomically
from planit_desktop.model.validation.years import format_year_group

if TYPE_CHECKING:
    from fpdf import FPDF

FOLLOW_UP = (
    f"Reassign supervisors to groups for the new year ({TabTitle.STAFF_ACCESS}).",
    f"Import new learners, including the new intake ({TabTitle.LEARNERS}).",
    f"Record learners who have left over the summer as not at my provider ({TabTitle.LEARNERS}).",
    f"Confirm the subjects offered to Years 9 to 11 ({TabTitle.SUBJECTS}).",
    f"Issue secondary passwords to learners who forgot theirs ({TabTitle.LEARNERS}).",
    f"Rename groups whose name still contains last year's year group ({TabTitle.GROUPS}).",
)


def _run(session: Session, run_id: int | None) -> YearEndRun:
    query = select(YearEndRun).order_by(YearEndRun.id.desc()).limit(1)
    if run_id is not None:
        query = select(YearEndRun).where(YearEndRun.id == run_id)
    run = session.scalars(query).first()
    if run is None:
        raise NotFound("No rollover has been run yet, so there is no summary to print.")
    return run


def summary_lines(session: Session, run: YearEndRun) -> dict[str, Any]:
    """What the PDF says, as plain data (also handy for tests)."""
    summary: dict[str, Any] = json.loads(run.summary or "{}")
    before, after = format_academic_year(run.from_year), format_academic_year(run.to_year)
    top = format_year_group(int(summary.get("completed_year_group", 11)))
    when = run.run_at
    numbers = [
        f"The rollover was done on {when.day} {when:%B %Y at %H:%M} by {run.run_by}.",
        f"{summary.get('moving_up', 0):,} learners moved up one year group.",
        f"{summary.get('completed', 0):,} learners completed {top} and left the pre-16 system.",
        f"{len(summary.get('kept_back', [])):,} learners were kept back in their year group.",
        f"{len(summary.get('left', [])):,} learners were recorded as not at my provider.",
        f"{summary.get('access_ended', 0):,} supervisor group assignments for {before} ended; "
        "administrators keep full access.",
        f"Backup taken first: {summary.get('backup', 'none')}.",
    ]
    if summary.get("joining"):
        numbers.insert(5, f"{summary['joining']:,} learners joining in {after} were put on roll.")
    if run.undone_at is not None:
        numbers.append(
            f"This rollover was undone on {run.undone_at.day} {run.undone_at:%B %Y} "
            f"by {run.undone_by}."
        )
    years_before = {int(k): int(v) for k, v in summary.get("learners_by_year_before", {}).items()}
    years_after = {int(k): int(v) for k, v in summary.get("learners_by_year_after", {}).items()}
    years = [
        (format_year_group(y), years_before.get(y, 0), years_after.get(y, 0))
        for y in sorted(set(years_before) | set(years_after))
    ]
    renames = [
        f"{old} → {new}" + (" (undone since)" if undone else "")
        for old, new, undone in session.execute(
            select(GroupRenameEntry.old_name, GroupRenameEntry.new_name, GroupRenameBatch.undone_at)
            .join(GroupRenameBatch, GroupRenameBatch.id == GroupRenameEntry.batch_id)
            .where(GroupRenameBatch.run_id == run.id)
            .order_by(GroupRenameEntry.old_name)
        )
    ]
    problems = [str(p.get("message", "")) for p in summary.get("problems", [])]
    return {
        "title": f"Plan-it year end: {before} to {after}",
        "numbers": numbers,
        "years": years,
        "renames": renames,
        "problems": problems,
        "before": before,
        "after": after,
    }


#: How the audit log names the summary (recorded by ``personal_files.write_report``).
SUMMARY_WHAT = "rollover summary"


def write_rollover_summary_pdf(
    session: Session, actor: Actor, run_id: int | None, path: Path | str
) -> Path:
    """Write the summary of rollover ``run_id`` (None: the latest) to ``path`` (.pdf).

    Raises NotFound when there is no such rollover, InvalidInput for a name not ending in
    .pdf, Refused when the file cannot be written (nothing is left behind). Write it through
    :func:`~planit_desktop.model.personal_files.write_report`, which records it in the audit
    log (:data:`SUMMARY_WHAT`).
    """
    require_administrator(session, actor, "print the rollover summary")
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        raise InvalidInput(f"The summary is a PDF file: name it …pdf, not “{target.name}”.")
    run = _run(session, run_id)
    school = session.get(School, 1)
    content = summary_lines(session, run)

    def write(temporary: Path) -> None:
        _render(content, school.name if school else "").output(str(temporary))

    return save_atomically(write, target, what="The rollover summary")


def _render(content: dict[str, Any], school_name: str) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(content["title"])
    font = unicode_font()
    family = "Helvetica"
    shown: Callable[[str], str] = lambda value: latin1(value.replace("→", "->"))  # noqa: E731
    if font is not None:
        pdf.add_font("Summary", "", str(font))
        family, shown = "Summary", (lambda value: value)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(words: str, size: float = 13) -> None:
        pdf.set_font(family, size=size)
        pdf.ln(3)
        pdf.multi_cell(width, 7, shown(words), new_x="LMARGIN", new_y="NEXT")

    def line(words: str) -> None:
        pdf.set_font(family, size=10.5)
        pdf.multi_cell(width, 5.5, shown(words), new_x="LMARGIN", new_y="NEXT")

    heading(content["title"], 16)
    if school_name:
        line(school_name)
    heading("What happened")
    for words in content["numbers"]:
        line(words)
    heading("Learners on roll by year group")
    pdf.set_font(family, size=10.5)
    columns = (50.0, 45.0, 45.0)
    for cells in (("Year group", content["before"], content["after"]), *content["years"]):
        for cell_width, value in zip(columns, cells, strict=True):
            words = f"{value:,}" if isinstance(value, int) else str(value)
            pdf.cell(cell_width, 6, shown(words), border=1)
        pdf.ln(6)
    heading("Groups renamed")
    for words in content["renames"] or ["No group was renamed with the rollover."]:
        line(words)
    heading("Problems to look at")
    for words in content["problems"] or ["No problems were found."]:
        line(words)
    heading("Still to do")
    for words in FOLLOW_UP:
        line(f"☐ {words}" if font is not None else f"[ ] {words}")
    return pdf
