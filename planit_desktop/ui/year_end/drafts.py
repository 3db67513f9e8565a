"""Saving and discarding the wizard's draft one after another, per open database.

Two saves in flight at once could commit in either order and leave the older choices
stored; so draft work is queued, a newer save replaces one still waiting, and each job
starts when the previous one has finished. The queue outlives the wizard, because the
choices are saved as it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planit_desktop.ui.context import AppContext


@dataclass
class _Job:
    context: AppContext
    work: Callable[[Any], object]
    on_done: Callable[[Any], object] | None
    on_failed: Callable[[BaseException], object] | None
    is_save: bool


class DraftQueue:
    """Draft jobs of one database, run in the order given."""

    def __init__(self) -> None:
        self.jobs: list[_Job] = []
        self.running = False

    def submit(
        self,
        context: AppContext,
        work: Callable[[Any], object],
        *,
        on_done: Callable[[Any], object] | None = None,
        on_failed: Callable[[BaseException], object] | None = None,
        replaces_earlier: bool = False,
    ) -> None:
        """Queue ``work(session)`` as a write; a save (``replaces_earlier``) drops the
        saves still waiting, as it holds newer choices."""
        if replaces_earlier:
            self.jobs = [job for job in self.jobs if not job.is_save]
        self.jobs.append(_Job(context, work, on_done, on_failed, replaces_earlier))
        self._next()

    @property
    def idle(self) -> bool:
        return not self.running and not self.jobs

    def _next(self) -> None:
        if self.running or not self.jobs:
            return
        job = self.jobs.pop(0)
        self.running = True

        def finished(result: Any, error: BaseException | None) -> None:
            self.running = False
            if error is None and job.on_done is not None:
                job.on_done(result)
            elif error is not None and job.on_failed is not None:
                job.on_failed(error)
            self._next()

        job.context.run(
            None,
            lambda session, _progress: job.work(session),
            write=True,
            on_success=lambda result: finished(result, None),
            # A failed save is not shown: the choices are still on screen, saved next time.
            on_failure=lambda error: finished(None, error),
        )


_queues: dict[int, DraftQueue] = {}


def drafts_for(database: object) -> DraftQueue:
    """The draft queue of ``database`` (one per open database)."""
    return _queues.setdefault(id(database), DraftQueue())
