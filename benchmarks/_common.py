"""Helpers every benchmark uses: timing, side-by-side comparison, demo databases, reports.

Benchmarks report; they do not judge. Each prints its figures and PASS or MISS against the
issue's target, and exits 0 either way (``make bench`` stops only if a benchmark crashes).
Run a benchmark as a script: ``python benchmarks/bench_x.py``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Benchmarks run from a checkout: make the package importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def administrator_of(database: Any) -> Any:
    """The Actor of the first active administrator of ``database`` (a demo school's admin1).

    Read from the database rather than signed in, so that no argon2 check and no sign-in
    entry is timed; services trust only a real member of staff.
    """
    from sqlalchemy import select

    from planit_desktop.model.actor import Actor
    from planit_desktop.model.entities import Staff, StaffRole

    with database.read() as session:
        staff = session.scalars(
            select(Staff)
            .where(Staff.role == StaffRole.ADMINISTRATOR, Staff.active.is_(True))
            .order_by(Staff.id)
        ).first()
        if staff is None:
            raise SystemExit("The benchmark's database has no administrator.")
        return Actor(staff.login, staff.name, staff.role, staff.id)


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (the middle one, or the mean of the middle two)."""
    if not values:
        raise ValueError("no values to take the median of")
    return float(statistics.median(values))


def timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn()`` takes, by the wall clock (``time.perf_counter``)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Comparison:
    """Two ways of doing the same thing, timed alternately in one run."""

    a_times: tuple[float, ...]
    b_times: tuple[float, ...]

    @property
    def a_median(self) -> float:
        return median(self.a_times)

    @property
    def b_median(self) -> float:
        return median(self.b_times)

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(a / b for a, b in zip(self.a_times, self.b_times, strict=True))

    @property
    def ratio(self) -> float:
        """The median of the per-pair ratios A/B: robust to one slow moment of the machine."""
        return median(self.ratios)


def side_by_side(
    a: Callable[[], object], b: Callable[[], object], *, runs: int = 5, warmup: int = 1
) -> Comparison:
    """Time ``a`` and ``b`` alternately (A B A B …) so that both meet the same machine load.

    ``warmup`` rounds of each run first and are not counted (caches, imports, page cache).
    """
    for _ in range(warmup):
        a()
        b()
    a_times: list[float] = []
    b_times: list[float] = []
    for _ in range(runs):
        a_times.append(timed(a))
        b_times.append(timed(b))
    return Comparison(tuple(a_times), tuple(b_times))


def time_command(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> float:
    """Seconds a whole process takes, from start to exit. A failing command raises."""
    environment = dict(os.environ if env is None else env)
    start = time.perf_counter()
    completed = subprocess.run(
        list(argv), env=environment, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
        raise RuntimeError(
            f"{' '.join(argv)} exited with {completed.returncode}: " + " | ".join(tail)
        )
    return seconds


def _template_folder() -> Path:
    return Path(tempfile.gettempdir()) / "planit-desktop-bench"


def make_demo_database(
    path: Path | str, learners: int, seed: int = 1, academic_year: int = 2025
) -> Path:
    """A demo school database at ``path``, made by the demo service.

    The first call for a size, seed and year (and schema revision) builds a template file;
    later calls, in this run or another, copy it, which is much faster than building again.
    """
    from planit_desktop.model import migrations

    target = Path(path)
    folder = _template_folder()
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"demo-{migrations.HEAD}-{learners}-{seed}-{academic_year}.db"
    if not template.exists():
        partial = template.with_name(f"{template.name}.{os.getpid()}.part")
        build_demo_database(partial, learners, seed=seed, academic_year=academic_year)
        partial.replace(template)
    copy = target.with_name(target.name + ".part")
    shutil.copyfile(template, copy)
    copy.replace(target)
    return target


def build_demo_database(
    path: Path | str, learners: int, seed: int = 1, academic_year: int = 2025
) -> None:
    """Make a demo school database at ``path`` through the service, without any cache."""
    build_demo_school(f"sqlite:///{Path(path).resolve()}", learners, seed, academic_year)


def build_demo_school(url: str, learners: int, seed: int = 1, academic_year: int = 2025) -> None:
    """Make a demo school in the (new or empty) database at ``url``, SQLite or a server's."""
    from planit_desktop.model.db import open_database
    from planit_desktop.model.services.demo.school import create_demo_school

    database = open_database(url)
    try:
        with database.begin() as session:
            create_demo_school(session, learners=learners, seed=seed, academic_year=academic_year)
    finally:
        database.dispose()


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f} s"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def report(
    name: str,
    figures: Mapping[str, object],
    ratio: float | None = None,
    limit: float | None = None,
) -> bool:
    """Print the figures, and the ratio (or else the median) against ``limit``, in one block.

    Floats are seconds. Returns True for PASS (or when there is no target).
    """
    print(f"== {name}")
    width = max((len(label) for label in figures), default=0)
    for label, value in figures.items():
        print(f"  {label:<{width}}  {_shown(value)}")
    if limit is None:
        if ratio is not None:
            print(f"  ratio {ratio:.2f} (no target)")
        return True
    if ratio is not None:
        judged, shown = ratio, f"ratio {ratio:.2f} (target ≤ {limit:g})"
    else:
        value = figures.get("median", list(figures.values())[-1] if figures else None)
        if not isinstance(value, int | float):
            raise ValueError("report() needs a ratio or a numeric 'median' figure to judge")
        judged, shown = float(value), f"{_shown(float(value))} (target ≤ {limit:g} s)"
    passed = judged <= limit
    print(f"  {shown}: {'PASS' if passed else 'MISS'}")
    return passed
