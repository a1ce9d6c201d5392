"""docs/architecture.md, the import-linter layers contract and src/govpilot agree.

* the `layers` contract in pyproject.toml names every top-level package and module of
  src/govpilot exactly once, and docs/architecture.md lists the same layers in order;
* the import graph of the top-level packages (every import, inside functions too, but not
  those under `if TYPE_CHECKING:`) has no cycle;
* no module is over 500 lines.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "govpilot"
MAX_LINES = 500


def _layers_contract() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    assert layers["containers"] == ["govpilot"]
    return [str(layer) for layer in layers["layers"]]


def _top_level_names() -> set[str]:
    names = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    names |= {p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    return names


def test_the_layers_contract_names_every_top_level_package_once() -> None:
    named = [name.strip() for layer in _layers_contract() for name in layer.split("|")]
    assert len(named) == len(set(named)), "a package is in two layers"
    assert set(named) == _top_level_names()


def test_the_architecture_page_lists_the_contract_layers() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers:.*?-->\s*```text\n(.*?)```", page, re.S)
    assert block, "docs/architecture.md has no layers block"
    listed = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert listed == _layers_contract()


def _imports(tree: ast.Module) -> Iterator[str]:
    """Modules imported anywhere in `tree` except under `if TYPE_CHECKING:`."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _top_level_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0].removesuffix(".py")


def test_the_top_level_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue
        source = _top_level_of(path)
        for module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] == "govpilot" and len(parts) > 1 and parts[1] != source:
                graph[source].add(parts[1])
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        if node in path:
            cycle = " -> ".join((*path[path.index(node) :], node))
            raise AssertionError(f"import cycle: {cycle}")
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, (*path, node))
        done.add(node)

    for start in sorted(graph):
        visit(start, ())


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
