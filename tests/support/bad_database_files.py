"""A table of bad database files, and a way to prove one was left exactly as it was.

Each case makes, in a folder of its own, something given as the school database that must be
refused with one line: unreadable, cut short, empty, not SQLite, another program's SQLite
file, damaged, missing, a folder, and names that a URL would have read as another file
(``copy%20of%20school.db`` beside ``copy of school.db``). ``snapshot`` records every entry of
the folder (names, kinds, bytes), so a test can show that nothing was written to the file and
that no ``-wal``, ``-shm``, ``.part`` or ``backups`` appeared beside it.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Makes the case in ``folder`` from the good school file ``good``; returns the --db path.
Maker = Callable[[Path, Path], Path]


@dataclass(frozen=True)
class BadFile:
    """One row of the table: how to make the file, and words its refusal must contain."""

    name: str
    make: Maker
    says: str
    posix_only: bool = False
    not_as_root: bool = False

    def param(self) -> object:
        marks = []
        if self.posix_only and os.name != "posix":
            marks.append(pytest.mark.skip(reason="needs POSIX (a FIFO, a symbolic link)"))
        if self.not_as_root and not _permissions_bite():
            marks.append(
                pytest.mark.skip(
                    reason="this user reads a file of mode 000 (root); the FIFO and link-loop "
                    "cases cover an unreadable file here"
                )
            )
        return pytest.param(self, id=self.name, marks=marks)


def _permissions_bite() -> bool:
    """False where a file of mode 000 can still be read (root, with its usual capabilities)."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("probe")
        probe.chmod(0)
        try:
            probe.read_text()
        except PermissionError:
            return True
        finally:
            probe.chmod(0o600)
    return False


def _copy(good: Path, folder: Path, name: str = "school.db") -> Path:
    target = folder / name
    shutil.copyfile(good, target)
    return target


def _mode_000(folder: Path, good: Path) -> Path:
    path = _copy(good, folder)
    path.chmod(0)
    return path


def _fifo(folder: Path, _good: Path) -> Path:
    path = folder / "school.db"
    os.mkfifo(path)  # opening it to read would wait for ever for a writer
    return path


def _link_loop(folder: Path, _good: Path) -> Path:
    path = folder / "school.db"
    path.symlink_to("school.db")
    return path


def _under_a_file(folder: Path, _good: Path) -> Path:
    (folder / "school.db").write_text("a file, not a folder\n")
    return folder / "school.db" / "school.db"


def _truncated(*, fraction: float = 1.0, size: int | None = None) -> Maker:
    def make(folder: Path, good: Path) -> Path:
        path = _copy(good, folder)
        with path.open("r+b") as handle:
            handle.truncate(int(path.stat().st_size * fraction) if size is None else size)
        return path

    return make


def _zero_bytes(folder: Path, _good: Path) -> Path:
    path = folder / "school.db"
    path.touch()
    return path


def _text_file(folder: Path, _good: Path) -> Path:
    path = folder / "school.db"
    path.write_text("Shopping list: milk, bread, eggs.\n")
    return path


def _workbook(folder: Path, _good: Path) -> Path:
    from openpyxl import Workbook

    path = folder / "learners.xlsx"
    book = Workbook()
    book.active.append(["Surname", "First names"])  # type: ignore[union-attr]
    book.save(path)
    return path


def _other_program(journal_mode: str) -> Maker:
    def make(folder: Path, _good: Path) -> Path:
        path = folder / "recipes.db"
        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA journal_mode={journal_mode}")
        connection.execute("CREATE TABLE recipe (name TEXT)")
        connection.execute("INSERT INTO recipe VALUES ('apple crumble')")
        connection.commit()
        connection.close()  # the last connection: a WAL file is checkpointed and removed
        return path

    return make


def _corrupt_pages(folder: Path, good: Path) -> Path:
    """Random bytes over the last pages (the learners' indexes): SQLite reads a malformed file."""
    path = _copy(good, folder)
    page_size = 4096
    pages = path.stat().st_size // page_size
    noise = random.Random(11)
    with path.open("r+b") as handle:
        for page in range(pages - 4, pages):
            handle.seek(page * page_size)
            handle.write(bytes(noise.randrange(256) for _ in range(page_size)))
    return path


def _wrong_freelist(folder: Path, good: Path) -> Path:
    """Every page reads, but the header's free-page count is wrong: the checks fail."""
    path = _copy(good, folder)
    with path.open("r+b") as handle:
        handle.seek(36)
        handle.write((5).to_bytes(4, "big"))
    return path


def stale_index(folder: Path, good: Path) -> Path:
    """A learner changed behind one index's back: only the full integrity check sees it."""
    path = _copy(good, folder)
    name = "ix_learner_surname_first_names"
    connection = sqlite3.connect(path, isolation_level=None)
    row = connection.execute(
        "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = ?", (name,)
    ).fetchone()
    connection.execute("PRAGMA writable_schema=ON")
    connection.execute("DELETE FROM sqlite_master WHERE name = ?", (name,))
    connection.close()
    connection = sqlite3.connect(path, isolation_level=None)  # a schema without the index
    connection.execute("UPDATE learner SET surname = surname || 'x' WHERE id = 1")
    connection.close()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA writable_schema=ON")
    connection.execute("INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", row)
    connection.close()
    return path


def _missing(folder: Path, _good: Path) -> Path:
    return folder / "school.db"


def _folder(folder: Path, _good: Path) -> Path:
    path = folder / "school.db"
    path.mkdir()
    (path / "notes.txt").write_text("a folder named like a database\n")
    return path


def _named(name: str, decoy: str) -> Maker:
    """No file called ``name``, and a good school at what a URL would read it as."""

    def make(folder: Path, good: Path) -> Path:
        _copy(good, folder, decoy)
        return folder / name

    return make


BAD_FILES = [
    BadFile("mode-000", _mode_000, "cannot be read", posix_only=True, not_as_root=True),
    BadFile("fifo", _fifo, "not a file", posix_only=True),
    BadFile("link-loop", _link_loop, "cannot be read", posix_only=True),
    BadFile("under-a-file", _under_a_file, "part of that path is a file"),
    BadFile("truncated-to-half", _truncated(fraction=0.5), "cut short"),
    BadFile("truncated-to-header", _truncated(size=100), "cut short"),
    BadFile("truncated-within-header", _truncated(size=60), "cut short"),
    BadFile("zero-bytes", _zero_bytes, "empty (0 bytes)"),
    BadFile("text-file", _text_file, "not a Plan-it database"),
    BadFile("xlsx", _workbook, "not a Plan-it database"),
    BadFile("other-program-sqlite", _other_program("DELETE"), "not a Plan-it database"),
    BadFile("other-program-sqlite-wal", _other_program("WAL"), "not a Plan-it database"),
    BadFile("corrupt-pages", _corrupt_pages, "damaged"),
    BadFile("fails-quick-check", _wrong_freelist, "damaged"),
    BadFile("missing", _missing, "There is no database at"),
    BadFile("folder", _folder, "is a folder"),
    BadFile("percent-20", _named("copy%20of%20school.db", "copy of school.db"), "copy%20of%20"),
    BadFile("percent-41", _named("x%41y.db", "xAy.db"), "x%41y.db"),
    BadFile("question-mark", _named("a?b.db", "a"), "a?b.db"),
    BadFile("hash", _named("a#b.db", "a"), "a#b.db"),
]


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under ``folder``: its kind and, for a file, its bytes (links not followed)."""
    entries: dict[str, object] = {}
    for root, directories, files in os.walk(folder):
        for name in [*directories, *files]:
            path = Path(root) / name
            info = path.lstat()
            key = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                entries[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                try:
                    entries[key] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
                except PermissionError:  # mode 000 as an ordinary user
                    entries[key] = ("unreadable", info.st_size, info.st_mtime_ns)
            elif stat.S_ISDIR(info.st_mode):
                entries[key] = ("folder",)
            else:
                entries[key] = ("other", stat.S_IFMT(info.st_mode))
    return entries
