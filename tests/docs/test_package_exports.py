"""The `__all__` of every govpilot package that has one is its whole public API, in order.

Packages are found by walking src/govpilot: every `__init__.py` that assigns `__all__` at
its top level is checked, so a new package is covered as soon as it declares one. For each:

* every name in `__all__` can be imported from the package;
* `__all__` has no duplicates and is in ruff's (RUF022) isort-style order: CONSTANTS,
  then Classes, then functions, each in natural order;
* every public name the package binds at its top level is in `__all__`. A public name
  is one not starting with `_` that the `__init__.py` defines (`def`, `class`, an
  assignment) or imports from govpilot (`from govpilot.x import Name`, or a relative
  import): a re-export. Modules are not API names (submodules are reached by their own
  import path), and neither are tools imported from elsewhere (`from typing import Any`,
  `import re`) nor anything under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import importlib
import re
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run when the module is imported, `if TYPE_CHECKING:` blocks left out."""
    for node in body:
        if isinstance(node, ast.If):
            test = node.test
            if ast.unparse(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}:
                yield from _top_level(node.orelse)
                continue
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                yield from _top_level(block)
        else:
            yield node


def _binds_all(tree: ast.Module) -> bool:
    for node in _top_level(tree.body):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
    return False


def _packages_with_all() -> list[str]:
    """Dotted names of the packages under src/govpilot whose `__init__.py` sets `__all__`."""
    found = []
    for init in sorted((SRC / "govpilot").rglob("__init__.py")):
        if _binds_all(ast.parse(init.read_text("utf-8"))):
            found.append(".".join(init.parent.relative_to(SRC).parts))
    return found


def _public_names(package: str) -> set[str]:
    """The names the package's `__init__.py` defines or re-exports from govpilot (see above)."""
    module = importlib.import_module(package)
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    names: set[str] = set()
    for node in _top_level(tree.body):
        if isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] == "govpilot":
                names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return {
        name
        for name in names
        if not name.startswith("_")
        and name != "*"
        and not isinstance(getattr(module, name, None), types.ModuleType)
    }


def _ruff_order(name: str) -> tuple[int, list[int | str]]:
    """RUF022's isort-style key: SCREAMING_CASE, CamelCase, the rest; natural order in each."""
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    return group, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


PACKAGES = _packages_with_all()


def test_packages_are_found() -> None:
    """The walk finds the packages (a broken walk would check nothing and pass)."""
    assert {"govpilot.access", "govpilot.privacy", "govpilot.language"} <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_in_all_imports(package: str) -> None:
    module = importlib.import_module(package)
    missing = []
    for name in module.__all__:
        if hasattr(module, name):
            continue
        try:
            importlib.import_module(f"{package}.{name}")
        except ImportError:
            missing.append(name)
    assert not missing, f"in {package}.__all__ but not importable from {package}: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_without_duplicates(package: str) -> None:
    exported = list(importlib.import_module(package).__all__)
    assert all(isinstance(name, str) for name in exported), f"{package}.__all__: not all str"
    twice = sorted({name for name in exported if exported.count(name) > 1})
    assert not twice, f"{package}.__all__ lists these twice: {twice}"
    assert exported == sorted(exported, key=_ruff_order), (
        f"{package}.__all__ is not in isort-style order (`ruff check --select RUF022 --fix`)"
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_is_in_all(package: str) -> None:
    exported = set(importlib.import_module(package).__all__)
    left_out = sorted(_public_names(package) - exported)
    assert not left_out, (
        f"{package} binds public names that are not in its __all__: {left_out} "
        "(add them, or give them a leading underscore)"
    )
