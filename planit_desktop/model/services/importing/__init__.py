"""Importing new learners: the template, reading files, checking rows, duplicates, committing.

The flow, for the GUI's preview and for the command line alike::

    table = read_table(path, sheet=None)              # UnreadableFile if it cannot be read
    with database.read() as session:
        context = load_context(session)               # once per preview
    result = check_table(table, context)              # pure: re-run after each edit
    decisions = {row_number: Decision.CREATE_NEW, ...}
    plan = plan_import(result, decisions)             # counts, groups to create, passwords
    pairs = hash_passwords_parallel(plan.passwords_needed, progress=..., cancelled=...)
    delivery = PasswordDelivery(PasswordFiles(out), what=..., database=database.location)
    with delivery, database.begin() as session:       # services.password_delivery
        outcome = import_learners(session, actor, result, decisions=decisions,
                                  password_pairs=pairs, source_name=path.name,
                                  delivery=delivery)  # the list written before the COMMIT
    delivery.saved                                    # where the list is now
"""

from __future__ import annotations

from planit_desktop.model.services.importing.cells import LearnerDraft, Message, Severity
from planit_desktop.model.services.importing.checking import (
    CheckContext,
    CheckResult,
    RowCheck,
    RowStatus,
    check_rows,
    check_table,
    load_context,
)
from planit_desktop.model.services.importing.committing import (
    ImportCancelled,
    ImportResult,
    hash_passwords_parallel,
    import_learners,
    login_base,
)
from planit_desktop.model.services.importing.duplicates import (
    Decision,
    Duplicate,
    DuplicateKind,
    Match,
)
from planit_desktop.model.services.importing.planning import ImportPlan, plan_import
from planit_desktop.model.services.importing.reading import (
    SUPPORTED_SUFFIXES,
    list_sheets,
    read_table,
)
from planit_desktop.model.services.importing.rejected import (
    ROWS_TO_FIX_WHAT,
    row_problems,
    write_rejected_rows,
)
from planit_desktop.model.services.importing.table import (
    Field,
    SheetInfo,
    SourceKind,
    SourceRow,
    Table,
    UnreadableFile,
)
from planit_desktop.model.services.importing.template import write_import_template

__all__ = [
    "SUPPORTED_SUFFIXES",
    "CheckContext",
    "CheckResult",
    "Decision",
    "Duplicate",
    "DuplicateKind",
    "Field",
    "ImportCancelled",
    "ImportPlan",
    "ImportResult",
    "LearnerDraft",
    "Match",
    "Message",
    "RowCheck",
    "RowStatus",
    "Severity",
    "SheetInfo",
    "SourceKind",
    "SourceRow",
    "Table",
    "UnreadableFile",
    "check_rows",
    "check_table",
    "hash_passwords_parallel",
    "import_learners",
    "list_sheets",
    "load_context",
    "login_base",
    "plan_import",
    "read_table",
    "row_problems",
    "write_import_template",
    "write_rejected_rows",
    "ROWS_TO_FIX_WHAT",
]
