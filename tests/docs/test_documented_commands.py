"""Every `govpilot ...` command shown in README.md and docs/ exists in the CLI.

A command is read from fenced code blocks and inline code: a line, or the part of one after
`|`, `||`, `&&`, `;`, `$` or `$(`, that starts with `govpilot` (or a path ending in
`/govpilot`, such as `.venv/bin/govpilot`). Its command path is the words after `govpilot`
that name sub-commands in the CLI's command tree (`govpilot collections create`, `govpilot
privacy access`); the first option, placeholder or word under a command that takes no
sub-command ends it. Each distinct path then runs with `--help`, in-process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from govpilot.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(r"^\s*(```|~~~)")
# Inline code does not cross a blank line; a span may wrap (`govpilot\ningest`).
_INLINE_CODE = re.compile(r"(`+)((?:(?!\n[ \t]*\n).)+?)\1", re.DOTALL)
_SHELL_SEPARATOR = re.compile(r"\|\|?|&&|;|\$\(?")
_SHELL_COMMENT = re.compile(r"(?:^|\s)#.*$")
_PROGRAM = re.compile(r"^(?:\S*/)?govpilot(?:\s+|$)")
_COMMAND_WORD = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Mention:
    """One `govpilot ...` command as written in a document."""

    where: str  # README.md:52
    text: str  # the command as written, from `govpilot` on
    words: tuple[str, ...]  # the words after `govpilot` that may name sub-commands


def _commands_in(snippet: str) -> list[tuple[str, tuple[str, ...]]]:
    """The `govpilot` commands in one line of shell: (the command as written, its words)."""
    found = []
    for part in _SHELL_SEPARATOR.split(_SHELL_COMMENT.sub("", snippet)):
        part = part.strip()
        program = _PROGRAM.match(part)
        if program is None:
            continue
        words: list[str] = []
        for token in part[program.end() :].split():
            if not _COMMAND_WORD.match(token):
                break
            words.append(token)
        found.append((part, tuple(words)))
    return found


def _mentions_in(path: Path) -> list[Mention]:
    """The commands in fenced code blocks and inline code of one Markdown file."""
    name = path.relative_to(ROOT).as_posix()
    prose: list[str] = []  # the file with fenced blocks blanked, so line numbers hold
    mentions: list[Mention] = []
    in_fence = False
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            prose.append("")
        elif in_fence:
            prose.append("")
            for text, words in _commands_in(line):
                mentions.append(Mention(f"{name}:{number}", text, words))
        else:
            prose.append(line)
    text = "\n".join(prose)
    for code in _INLINE_CODE.finditer(text):
        number = text.count("\n", 0, code.start(2)) + 1
        for command, words in _commands_in(" ".join(code.group(2).split())):
            mentions.append(Mention(f"{name}:{number}", command, words))
    return mentions


def _resolve(words: tuple[str, ...], root: Any) -> tuple[tuple[str, ...], str | None]:
    """The command path the words name in the tree under `root`, and why they name none."""
    command = root
    path: list[str] = []
    for word in words:
        subcommands = getattr(command, "commands", None)  # a group; a command has none
        if subcommands is None:
            break
        if word not in subcommands:
            where = " ".join(["govpilot", *path])
            return tuple(path), (
                f"`{where}` has no command {word!r} (it has: {', '.join(sorted(subcommands))})"
            )
        command = subcommands[word]
        path.append(word)
    return tuple(path), None


MENTIONS = [m for doc in DOC_FILES for m in _mentions_in(doc)]
_TREE = typer.main.get_command(app)
RESOLVED = [(mention, *_resolve(mention.words, _TREE)) for mention in MENTIONS]
#: Where each existing command path is shown: one `--help` run per path.
SHOWN_AT: dict[tuple[str, ...], list[str]] = {}
for _mention, _path, _error in RESOLVED:
    if _error is None:
        SHOWN_AT.setdefault(_path, []).append(_mention.where)


def test_commands_are_read_after_shell_separators() -> None:
    line = (
        'echo "x" | govpilot redact - --json && .venv/bin/govpilot audit verify; ls  # govpilot no'
    )
    assert _commands_in(line) == [
        ("govpilot redact - --json", ("redact",)),
        (".venv/bin/govpilot audit verify", ("audit", "verify")),
    ]
    assert _commands_in("$ govpilot users list [--json]") == [
        ("govpilot users list [--json]", ("users", "list"))
    ]
    assert _commands_in("pip install govpilot") == []


def test_the_docs_show_commands() -> None:
    """The reader finds the commands of README.md at all (a broken parser finds none)."""
    readme = {m.words[:2] for m in MENTIONS if m.where.startswith("README.md:")}
    assert {("collections", "create"), ("privacy", "access"), ("audit", "verify")} <= readme
    assert len(SHOWN_AT) >= 20


def test_every_documented_command_exists() -> None:
    problems = [
        f"{mention.where}: `{mention.text}`: {error}"
        for mention, _, error in RESOLVED
        if error is not None
    ]
    assert not problems, "documented commands that do not exist:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(SHOWN_AT), ids=lambda path: " ".join(["govpilot", *path]))
def test_documented_command_shows_its_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    where = ", ".join(SHOWN_AT[path])
    assert result.exit_code == 0, f"`govpilot {' '.join(path)} --help` failed ({where})"
    assert " ".join(["Usage: govpilot", *path]) in " ".join(result.output.split())
