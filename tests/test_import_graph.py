"""Imports run one way: no cycle between the project's modules, and no app imports an app above it.

The graph is built from the source with `ast`, function-level and TYPE_CHECKING imports
included. `from package import module` is an edge to that module; `from package import
name` is an edge to the package's `__init__`. Migrations are history and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Each app may import its own modules and those of apps on a lower layer, never one beside
# or above it. The project package is the foundation; operations reads the domain apps only
# through its registry; the simulator is a test double that product code never imports.
LAYERS = {
    "adolf": 0,
    "operations": 1,
    "notifications": 2,
    "integrations": 2,
    "shop": 3,
    "simulator": 4,
}


def module_files(root: Path, packages: list[str]) -> dict[str, Path]:
    """Map each module's dotted name to its file (a package's name to its __init__.py)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> list[str]:
    """Return the project modules one import statement names."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    found = []
    for target in targets:
        while target not in modules and "." in target:
            target = target.rsplit(".", 1)[0]
        if target in modules and target != module:
            found.append(target)
    return found


def import_graph(root: Path, packages: list[str]) -> dict[str, set[str]]:
    """Return {module: the project modules it imports anywhere in its source}."""
    modules = module_files(root, packages)
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[module] = {
            target
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in imported(module, path, node, modules)
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one chain per cycle, as [a, b, …, a], found by depth-first search."""
    found, done, stack = [], set(), []
    on_stack: set[str] = set()

    def visit(module: str) -> None:
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target in on_stack:
                found.append([*stack[stack.index(target) :], target])
            elif target not in done:
                visit(target)
        stack.pop()
        on_stack.discard(module)
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module)
    return found


def upward_imports(graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    """Return "a -> b" for each import of an app beside or above the importer's."""
    wrong = []
    for module, targets in sorted(graph.items()):
        app = module.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != app and layers[other] >= layers[app]:
                wrong.append(f"{module} -> {target}")
    return wrong


def test_the_project_has_no_import_cycle():
    assert [" -> ".join(chain) for chain in cycles(import_graph(ROOT, list(LAYERS)))] == []


def test_no_app_imports_an_app_beside_or_above_it():
    assert upward_imports(import_graph(ROOT, list(LAYERS)), LAYERS) == []


def test_every_app_has_its_place_in_the_layers():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}

    assert apps == set(LAYERS)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_cycle_through_a_function_level_import_is_named_as_a_chain(tmp_path):
    write(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": "from app import b\n",
        "app/b.py": "def f():\n    from app.c import g\n",
        "app/c.py": "import app.a\n",
    })  # fmt: skip

    assert cycles(import_graph(tmp_path, ["app"])) == [["app.a", "app.b", "app.c", "app.a"]]


def test_from_a_package_import_a_module_is_an_edge_to_that_module_not_to_the_package(tmp_path):
    write(tmp_path, {
        "app/__init__.py": "from app.celery import app\n",
        "app/celery.py": "from app import signals\n",
        "app/signals.py": "",
    })  # fmt: skip

    assert cycles(import_graph(tmp_path, ["app"])) == []
    assert import_graph(tmp_path, ["app"])["app.celery"] == {"app.signals"}


def test_an_import_of_a_higher_app_is_named(tmp_path):
    write(tmp_path, {
        "base/__init__.py": "",
        "base/views.py": "from domain.models import Thing\n",
        "domain/__init__.py": "",
        "domain/models.py": "from base import views\n",
    })  # fmt: skip

    graph = import_graph(tmp_path, ["base", "domain"])

    assert upward_imports(graph, {"base": 0, "domain": 1}) == ["base.views -> domain.models"]
