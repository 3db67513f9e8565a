"""Named moments of a change that issues passwords, where a test can stop the process.

A test that must kill (or interrupt) a real ``planit-desktop`` process at an exact moment
sets :data:`STOP_AT` to one of :data:`STAGES` and :data:`STOP_FILE` to a path: on reaching
that moment the process creates the file (holding its process id) and waits, doing nothing,
until the test deletes it (then it goes on) or kills it. Tests in the same process replace
:func:`reached` instead. Without the variables, :func:`reached` returns at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STOP_AT = "PLANIT_TEST_STOP_AT"
STOP_FILE = "PLANIT_TEST_STOP_FILE"

#: The moments, in the order an import reaches them.
STAGES = (
    "hashing",  # half the temporary passwords are hashed (nothing written yet)
    "writing",  # half of the first password file is written under its staged name
    "committing",  # the files are complete and synced; the COMMIT is about to be sent
    "committed",  # the COMMIT is done; no file is in place yet
    "moving",  # the first file is in place, the second (if any) not yet
    "moved",  # every file is in place; the note for the next start is not yet removed
)


def reached(stage: str) -> None:
    """Called at each moment of :data:`STAGES`; stops the process there when a test asks."""
    if os.environ.get(STOP_AT) != stage or not os.environ.get(STOP_FILE):
        return
    marker = Path(os.environ[STOP_FILE])
    marker.write_text(str(os.getpid()), encoding="ascii")
    while marker.exists():
        time.sleep(0.02)
