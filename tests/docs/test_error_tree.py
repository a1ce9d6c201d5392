"""The exception tree drawn in the docstring of govpilot.errors is the real class hierarchy.

Every line of the drawing names one class, indented four columns per level under its
parent, after `├── ` (a child with siblings below it) or `└── ` (the last child). Every
GovpilotError subclass defined in errors.py is drawn once, under its real base class, and
nothing else is drawn.
"""

from __future__ import annotations

import inspect
import re

import govpilot.errors as errors
from govpilot.errors import GovpilotError

# One line of the drawing: the guides of the levels above, a branch, the name, a description.
_TREE_LINE = re.compile(
    r"^(?P<guides>(?:│   |    )*)(?P<branch>├── |└── )?(?P<name>[A-Z]\w*)(?:\s|$)"
)


def _drawn_tree() -> list[tuple[str, str | None, str | None]]:
    """(class name, parent name or None, branch drawn before it) for each line of the tree."""
    lines = (errors.__doc__ or "").splitlines()
    roots = [i for i, line in enumerate(lines) if re.match(r"GovpilotError\b", line)]
    assert roots, "the docstring draws no tree: none of its lines starts with GovpilotError"
    tree = lines[roots[0] :]  # up to the first blank line
    drawn: list[tuple[str, str | None, str | None]] = []
    parents: list[str] = []  # the chain of names above the current line
    for line in tree:
        if not line.strip():
            break
        match = _TREE_LINE.match(line)
        assert match is not None, f"not a line of the tree: {line!r}"
        depth = len(match["guides"]) // 4 + (1 if match["branch"] else 0)
        assert depth <= len(parents), f"drawn below nothing: {line!r}"
        del parents[depth:]
        drawn.append((match["name"], parents[-1] if parents else None, match["branch"]))
        parents.append(match["name"])
    return drawn


def _real_tree() -> dict[str, str | None]:
    """Each GovpilotError class defined in errors.py, with its base class (None for the root)."""
    tree: dict[str, str | None] = {}
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, GovpilotError) and cls.__module__ == errors.__name__:
            assert len(cls.__bases__) == 1, f"{name} has more than one base; the tree draws one"
            base = cls.__bases__[0]
            tree[name] = None if cls is GovpilotError else base.__name__
    return tree


def test_every_error_class_is_drawn_under_its_base() -> None:
    drawn = _drawn_tree()
    names = [name for name, _, _ in drawn]
    assert len(names) == len(set(names)), (
        f"drawn twice: {sorted({n for n in names if names.count(n) > 1})}"
    )
    shown = {name: parent for name, parent, _ in drawn}
    real = _real_tree()
    problems = [f"{n} is not drawn (its base is {real[n]})" for n in real if n not in shown]
    problems += [
        f"{n} is drawn but is not a GovpilotError class of errors.py"
        for n in shown
        if n not in real
    ]
    problems += [
        f"{n} is drawn under {shown[n]}, its base is {real[n]}"
        for n in real
        if n in shown and shown[n] != real[n]
    ]
    assert not problems, "the tree in errors.py's docstring is wrong:\n" + "\n".join(problems)


def test_the_last_child_is_drawn_with_a_corner() -> None:
    drawn = _drawn_tree()
    for i, (name, parent, branch) in enumerate(drawn):
        if parent is None:
            continue
        later_siblings = [n for n, p, _ in drawn[i + 1 :] if p == parent]
        expected = "├── " if later_siblings else "└── "
        assert branch == expected, f"{name} should be drawn after {expected!r}, not {branch!r}"
