"""What the bundle takes from the package, found by walking the package's folders.

The PyInstaller spec uses it (and a test checks it), so that files may move between folders
inside the package without the spec naming any of them:

- every module of the package is a hidden import, because the sub-commands are found at run
  time with pkgutil, which static analysis cannot follow;
- every file that is not Python source is bundled as data at its place in the package (help
  pages, icons, templates);
- a folder holding an Alembic environment (``env.py`` beside ``script.py.mako``) is bundled
  with its Python files as they are, because Alembic loads ``env.py`` and the revisions from
  files, and what those files import becomes hidden imports too.

Standard library only: it runs inside PyInstaller, before anything of the package is imported.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = frozenset({".py", ".pyc", ".pyo", ".pyd"})
ALEMBIC_MARKERS = ("env.py", "script.py.mako")


@dataclass(frozen=True)
class Contents:
    """What was found in the package:

    - ``modules``: the dotted name of every module;
    - ``datas``: (source path, folder inside the bundle) of every data file;
    - ``alembic_folders``: the folders holding an Alembic environment;
    - ``alembic_imports``: what the files in those folders import (some names are not
      modules, see :func:`imports_of`);
    - ``imports``: the same, for every Python file of the package.
    """

    modules: tuple[str, ...]
    datas: tuple[tuple[str, str], ...]
    alembic_folders: tuple[Path, ...]
    alembic_imports: tuple[str, ...]
    imports: tuple[str, ...]

    def qt_modules(self, binding: str = "PySide6") -> set[str]:
        """The Qt modules the package imports (``QtCore``, ``QtWidgets``…)."""
        prefix = binding + "."
        return {
            name[len(prefix) :].split(".")[0] for name in self.imports if name.startswith(prefix)
        }


def package_folders(package_dir: Path) -> list[Path]:
    """``package_dir`` and every folder below it, without caches or hidden folders."""
    folders = []
    for folder, subfolders, _files in os.walk(package_dir):
        subfolders[:] = sorted(s for s in subfolders if s != "__pycache__" and s[:1] != ".")
        folders.append(Path(folder))
    return folders


def is_alembic_environment(folder: Path) -> bool:
    return all((folder / marker).is_file() for marker in ALEMBIC_MARKERS)


def module_name(path: Path, root: Path) -> str | None:
    """The dotted name of the module at ``path`` (relative to ``root``, the folder holding the
    package), or None when it cannot be imported by name: a part is not an identifier, as in
    Alembic's revisions (``versions/0001_school_database.py``). Folders without ``__init__.py``
    are namespace packages, importable all the same."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The absolute imports written in the Python file at ``path``: each module, and for
    ``from a import b`` also ``a.b``, which may be a module (``from alembic import op``) or
    not; the spec keeps the names that are modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def is_module(name: str) -> bool:
    """True if ``name`` can be imported here (its parent packages are imported to find out)."""
    from importlib.util import find_spec

    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def package_contents(package_dir: Path) -> Contents:
    """Everything the bundle needs from the package at ``package_dir``."""
    root = package_dir.parent
    folders = package_folders(package_dir)
    alembic = [folder for folder in folders if is_alembic_environment(folder)]
    modules: set[str] = set()
    imports: set[str] = set()
    alembic_imports: set[str] = set()
    datas: list[tuple[str, str]] = []
    for folder in folders:
        inside_alembic = any(folder == top or top in folder.parents for top in alembic)
        target = folder.relative_to(root).as_posix()
        for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name[:1] != "."):
            if path.suffix not in SOURCE_SUFFIXES:
                datas.append((str(path), target))
                continue
            if path.suffix != ".py":
                continue
            name = module_name(path, root)
            if name is not None:
                modules.add(name)
            written = imports_of(path)
            imports.update(written)
            if inside_alembic:
                datas.append((str(path), target))
                alembic_imports.update(written)
    return Contents(
        modules=tuple(sorted(modules)),
        datas=tuple(datas),
        alembic_folders=tuple(alembic),
        alembic_imports=tuple(sorted(alembic_imports)),
        imports=tuple(sorted(imports)),
    )
