"""The shape of the code, held by tests: the layers of docs/architecture.md (import-linter's contracts in
pyproject.toml), no import cycle between our modules, and the formatter and linter clean.

Import cycles are found on grimp's graph (the one import-linter builds), which includes imports written
inside functions: such an import that dodges a cycle is the sign that code sits in the wrong module.
"""

import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

# The code's shape and lint: nothing here reads the database.
pytestmark = pytest.mark.one_backend

ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGES = ("hotline", "accounts", "incidents")
TOOLS = Path(sys.executable).parent


def import_cycles(graph) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*OUR_PACKAGES, cache_dir=None)


def test_the_cycle_finder_finds_a_cycle_through_an_import_inside_a_function(tmp_path, monkeypatch):
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "actions.py").write_text("def act():\n    from cyclic import subjects\n")
    (package / "subjects.py").write_text("from cyclic import actions\n")
    (package / "leaf.py").write_text("from cyclic import subjects\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles(grimp.build_graph("cyclic", cache_dir=None)) == [["cyclic.actions", "cyclic.subjects"]]


def test_no_two_of_our_modules_import_each_other_even_inside_a_function(graph):
    cycles = import_cycles(graph)
    described = []
    for cycle in cycles:
        edges = [
            f"{importer} -> {imported} (line {detail['line_number']}: {detail['line_contents']})"
            for importer in cycle
            for imported in graph.find_modules_directly_imported_by(importer) & set(cycle)
            for detail in graph.get_import_details(importer=importer, imported=imported)
        ]
        described.append("\n  ".join(edges))
    assert not cycles, "import cycles:\n  " + "\n\n  ".join(described)


def run_tool(*arguments: str) -> subprocess.CompletedProcess:
    executable = TOOLS / arguments[0]
    if not executable.exists():
        executable = shutil.which(arguments[0])
    return subprocess.run([str(executable), *arguments[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300)


def layer_contract() -> dict:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    return next(contract for contract in contracts if contract["id"] == "layers")


def test_every_module_of_the_project_package_has_its_place_in_the_layers():
    """`hotline` holds apps of every layer, so the contract names its children one by one: a new module
    that is in no layer would escape the contract."""
    named = {name.strip() for layer in layer_contract()["layers"] for name in re.split(r"[|:]", layer)}
    children = {f"hotline.{module.name}" for module in pkgutil.iter_modules([str(ROOT / "hotline")])}
    assert children - named == set(), "place these modules in a layer of pyproject.toml's contract"


def test_the_layers_hold_as_import_linter_contracts():
    result = run_tool("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_tree_is_formatted_by_ruff():
    result = run_tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_tree_passes_ruff_check():
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
