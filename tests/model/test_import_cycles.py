"""No import cycles in planit_desktop: the modules' imports, read from their source, form no
circle. Every import counts, wherever it is written: at the top, inside a function (a lazy
import still ties the two modules together) and under ``if TYPE_CHECKING:``."""

from __future__ import annotations

import ast
from pathlib import Path

import planit_desktop

ROOT = Path(planit_desktop.__file__).parent


def _modules(package: Path) -> dict[str, Path]:
    """Each module of the package under ``package``, by its dotted name."""
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ``modules`` that ``name`` imports: ``from a import b`` is ``a.b`` when
    that is a module, else ``a``."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    found.add(f"{source}.{alias.name}")
                elif source in modules:
                    found.add(source)
    found.discard(name)
    return found


def import_cycles(package: Path) -> list[list[str]]:
    """The import cycles among the modules of ``package``: each a strongly connected group of
    two or more modules (Tarjan's algorithm), sorted."""
    modules = _modules(package)
    graph = {name: _imported(name, path, modules) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in sorted(graph[name]):
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = []
            while (member := stack.pop()) != name:
                group.append(member)
            if group:
                cycles.append(sorted([*group, name]))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(cycles)


def test_planit_desktop_has_no_import_cycles() -> None:
    assert len(_modules(ROOT)) > 100  # the walk does find the program's modules
    assert import_cycles(ROOT) == []


def test_the_walk_finds_a_cycle_through_a_lazy_or_type_checking_import(tmp_path: Path) -> None:
    package = tmp_path / "school"
    (package / "tabs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "tabs" / "__init__.py").write_text("")
    (package / "tabs" / "learners.py").write_text("from school.tabs import actions\n")
    (package / "tabs" / "actions.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import learners\n"
    )
    (package / "wizard.py").write_text("def run():\n    from school import pages\n")
    (package / "pages.py").write_text("import school.wizard\n")
    (package / "alone.py").write_text("import school.pages\nimport json\n")
    assert import_cycles(package) == [
        ["school.pages", "school.wizard"],
        ["school.tabs.actions", "school.tabs.learners"],
    ]
