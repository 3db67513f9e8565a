"""What the bundle and the wheel carry: found by walking the package, whatever its folders.

The bundle's spec (packaging/planit-desktop.spec) takes its hidden imports and data files
from packaging/bundle_contents.py; these tests check that walk on the real package and on a
made-up one laid out differently. The slow test builds the wheel, installs it with its
dependencies into a new virtual environment and runs the program from there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

import planit_desktop

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "planit_desktop"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bundle_contents = _load("bundle_contents")


def _targets(datas: tuple[tuple[str, str], ...], root: Path) -> set[str]:
    """Each data file as the path it gets inside the bundle."""
    return {f"{target}/{Path(source).name}" for source, target in datas}


def test_the_walk_finds_every_command_migration_and_data_file_of_the_package() -> None:
    contents = bundle_contents.package_contents(PACKAGE)
    commands = {p.stem for p in (PACKAGE / "commands").glob("*.py") if p.stem != "__init__"}
    assert commands and {f"planit_desktop.commands.{c}" for c in commands} <= set(contents.modules)
    assert "planit_desktop.ui.app" in contents.modules
    assert "planit_desktop.model.migrations" in contents.modules
    shipped = _targets(contents.datas, ROOT)
    migrations = PACKAGE / "model" / "migrations"
    assert contents.alembic_folders == (migrations,)
    for script in (migrations / "versions").glob("*.py"):
        assert f"planit_desktop/model/migrations/versions/{script.name}" in shipped
    assert "planit_desktop/model/migrations/env.py" in shipped
    assert "planit_desktop/model/migrations/script.py.mako" in shipped
    assert "planit_desktop/ui/help/year_end_guide.html" in shipped
    assert "planit_desktop/ui/icons/planit-desktop-256.png" in shipped
    assert not [t for t in shipped if t.endswith((".pyc", ".pyo")) or "__pycache__" in t]
    # Only the migrations' Python files travel as files; other modules are compiled in.
    assert "planit_desktop/ui/app.py" not in shipped
    assert {"alembic.op", "sqlalchemy"} <= set(contents.alembic_imports)
    assert {"QtCore", "QtGui", "QtWidgets"} <= contents.qt_modules("PySide6")
    assert "QtWebEngineCore" not in contents.qt_modules("PySide6")


def test_the_walk_follows_files_wherever_they_move(tmp_path: Path) -> None:
    """A re-housed package: migrations, help and icons in other folders, still all found."""
    package = tmp_path / "planit_desktop"
    files = {
        "__init__.py": "",
        "features/__init__.py": "",
        "features/learners/__init__.py": "",
        "features/learners/tab.py": "from PySide6.QtSvg import QSvgRenderer\n",
        "features/learners/help/learners.html": "<p>help</p>",
        "features/learners/icons/learner.png": "png",
        "data/store/__init__.py": "",
        "data/store/schema/__init__.py": "",
        "data/store/schema/env.py": "from alembic import context\n",
        "data/store/schema/script.py.mako": "${up}",
        "data/store/schema/versions/0001_first.py": "from alembic import op\nimport rapidfuzz\n",
        "data/store/schema/versions/__pycache__/0001_first.cpython-311.pyc": "",
        "features/__pycache__/stale.cpython-311.pyc": "",
        ".hidden/notes.txt": "",
        "features/.DS_Store": "",
    }
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    contents = bundle_contents.package_contents(package)
    # data/ has no __init__.py (a namespace package); the revision is not importable by name.
    assert contents.modules == (
        "planit_desktop",
        "planit_desktop.data.store",
        "planit_desktop.data.store.schema",
        "planit_desktop.data.store.schema.env",
        "planit_desktop.features",
        "planit_desktop.features.learners",
        "planit_desktop.features.learners.tab",
    )
    assert contents.alembic_folders == (package / "data" / "store" / "schema",)
    assert _targets(contents.datas, tmp_path) == {
        "planit_desktop/data/store/schema/__init__.py",
        "planit_desktop/data/store/schema/env.py",
        "planit_desktop/data/store/schema/script.py.mako",
        "planit_desktop/data/store/schema/versions/0001_first.py",
        "planit_desktop/features/learners/help/learners.html",
        "planit_desktop/features/learners/icons/learner.png",
    }
    assert {"alembic.context", "alembic.op", "rapidfuzz"} <= set(contents.alembic_imports)
    assert contents.qt_modules("PySide6") == {"QtSvg"}


def test_only_names_that_are_modules_become_hidden_imports() -> None:
    assert bundle_contents.is_module("alembic.op")
    assert not bundle_contents.is_module("sqlalchemy.Column")
    assert not bundle_contents.is_module("no_such_package.anything")


def _extras_installed_by(target_stamp: str) -> set[str]:
    """The extras that the Makefile's rule for ``target_stamp`` installs."""
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(rf"^\$\({target_stamp}\):.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert rule, f"no rule for $({target_stamp}) in the Makefile"
    extras = re.search(r"-e '\.\[([^\]]*)\]'", rule.group(1))
    assert extras, rule.group(1)
    return set(extras.group(1).split(","))


def test_make_run_installs_no_test_tools_and_make_test_adds_them() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = project["optional-dependencies"]

    def names(extras: set[str]) -> set[str]:
        found = set(project["dependencies"])
        for extra in extras:
            found |= set(optional[extra])
        return {re.split(r"[\s<>=!\[;~]", requirement)[0].lower() for requirement in found}

    run = names(_extras_installed_by("RUN_STAMP"))
    assert not run & {"pytest", "pytest-qt", "mypy", "ruff", "hypothesis", "pyinstaller"}
    assert {"pyside6", "sqlalchemy", "alembic", "psycopg"} <= run
    assert {"pytest", "mypy", "ruff"} <= names(_extras_installed_by("TEST_STAMP"))
    assert "pyinstaller" in names(_extras_installed_by("DIST_STAMP"))
    assert all("==" in requirement for requirement in optional["dist"])  # pinned


def test_the_command_line_and_the_window_have_their_own_entry_points() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"planit-desktop": "planit_desktop.cli:main"}
    assert project["gui-scripts"] == {"planit-desktop-gui": "planit_desktop.cli:main"}


def _copy_source(destination: Path) -> Path:
    """The files a wheel is built from, without this checkout's build leftovers."""
    source = destination / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        PACKAGE, source / "planit_desktop", ignore=shutil.ignore_patterns("__pycache__")
    )
    return source


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert completed.returncode == 0, (
        f"{' '.join(command)}: {completed.returncode}\n{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


@pytest.mark.slow
@pytest.mark.runs_long
def test_the_wheel_installs_into_a_fresh_environment_and_runs(tmp_path: Path) -> None:
    source = _copy_source(tmp_path)
    wheels = tmp_path / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        source,
    )
    (wheel,) = wheels.glob("planit_desktop-*.whl")
    assert wheel.name.startswith(f"planit_desktop-{planit_desktop.__version__}-py3-none-any")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(
            f"planit_desktop-{planit_desktop.__version__}.dist-info/entry_points.txt"
        ).decode()
    packaged = {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert packaged <= names, sorted(packaged - names)
    assert "[gui_scripts]\nplanit-desktop-gui = planit_desktop.cli:main" in entry_points

    # A real install, dependencies and all, from the package index, into an environment of
    # its own: as uv does, the environment is made without pip and an installer from outside
    # fills it (pip's --python), which saves seeding a pip; nothing is compiled ahead: the
    # program compiles what it imports when it first runs.
    environment = tmp_path / "fresh"
    _run([sys.executable, "-m", "venv", "--without-pip", str(environment)], tmp_path)
    scripts = environment / ("Scripts" if os.name == "nt" else "bin")
    _run(
        [sys.executable, "-m", "pip", "--python", str(scripts / "python"), "install",
         "--quiet", "--no-compile", str(wheel)],
        tmp_path,
    )  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()
    # As on a school PC: nothing of this checkout's Python set-up; the program writes its
    # byte-code as it first runs, and later runs use it.
    unset = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env.pop("PLANIT_DATABASE_URL", None)
    program = str(scripts / "planit-desktop")
    version = _run([program, "--version"], home, env)
    assert version.strip() == f"planit-desktop {planit_desktop.__version__}"
    school = home / "school.db"
    _run([program, "demo-db", str(school), "--learners", "40"], home, env)
    summary = json.loads(_run([program, "summary", "--json", "--db", str(school)], home, env))
    assert sum(summary["learners_by_year"].values()) == 40
    # The installed copy ran, not this checkout's.
    where = _run(
        [str(scripts / "python"), "-c", "import planit_desktop; print(planit_desktop.__file__)"],
        home,
        env,
    )
    assert Path(where.strip()).is_relative_to(environment)
