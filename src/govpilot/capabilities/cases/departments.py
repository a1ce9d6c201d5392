"""The departments a case can be routed to, each with the duties the public writes about.

The shipped list (`data/case_departments.json`) holds the 22 departments 1823 serves most
and "NONE" (not for a government department: a private dispute, the Consumer Council's
work). A desk replaces it with its own file (`cases.departments_file`), in the same form:
each department has a code, names in both languages, a one-line summary and its duties,
each a `category` with a sentence in English and Chinese and the keywords people type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from govpilot.errors import ConfigError

__all__ = ["NOT_GOVERNMENT", "Department", "DepartmentList", "Duty", "load_departments"]

#: The code of "not for a government department".
NOT_GOVERNMENT = "NONE"


@dataclass(frozen=True)
class Duty:
    """One kind of case a department handles."""

    category: str
    en: str
    zh: str
    keywords: tuple[str, ...]

    def passage(self, department: Department) -> str:
        """What the router compares a case with."""
        return f"{department.name_en} {department.name_zh}: {self.en} {self.zh}"


@dataclass(frozen=True)
class Department:
    """One department of the list."""

    code: str
    name_en: str
    name_zh: str
    summary_en: str
    summary_zh: str
    duties: tuple[Duty, ...]
    #: Other names people write it by (食環署, "Buildings Dept"), besides its names and code.
    aliases: tuple[str, ...] = ()

    def label(self, zh: bool = False) -> str:
        return f"{self.name_zh if zh else self.name_en} ({self.code})"


@dataclass(frozen=True)
class DepartmentList:
    """A desk's departments, in order; looked up by code."""

    departments: tuple[Department, ...]

    def __post_init__(self) -> None:
        if not self.departments:
            raise ConfigError("the list of departments is empty")

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.departments]

    def get(self, code: str) -> Department | None:
        return next((d for d in self.departments if d.code == code), None)

    def categories(self, code: str) -> list[str]:
        department = self.get(code)
        return [d.category for d in department.duties] if department else []

    def name(self, code: str, zh: bool = False) -> str:
        department = self.get(code)
        if department is None:
            return code or ("未分派" if zh else "Not routed")
        return department.name_zh if zh else department.name_en


def _duty(raw: dict[str, Any]) -> Duty:
    return Duty(
        category=str(raw["category"]),
        en=str(raw.get("en", "")),
        zh=str(raw.get("zh", "")),
        keywords=tuple(str(k) for k in raw.get("keywords", []) if str(k).strip()),
    )


def parse_departments(data: dict[str, Any], source: str = "the departments file") -> DepartmentList:
    """The list in `data` (the file's JSON); ConfigError saying what is wrong otherwise."""
    try:
        departments = tuple(
            Department(
                code=str(raw["code"]),
                name_en=str(raw["name_en"]),
                name_zh=str(raw.get("name_zh") or raw["name_en"]),
                summary_en=str(raw.get("summary_en", "")),
                summary_zh=str(raw.get("summary_zh", "")),
                duties=tuple(_duty(d) for d in raw.get("duties", [])),
                aliases=tuple(str(a) for a in raw.get("aliases", [])),
            )
            for raw in data["departments"]
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(
            f"{source} is not a list of departments: missing {exc}",
            hint='each department needs "code", "name_en" and a list of "duties"',
        ) from exc
    codes = [d.code for d in departments]
    if len(set(codes)) != len(codes):
        raise ConfigError(f"{source} names a department code twice")
    return DepartmentList(departments)


@lru_cache(maxsize=4)
def load_departments(path: Path | None = None) -> DepartmentList:
    """The departments of `path`, or the shipped list."""
    if path is None:
        text = resources.files("govpilot.data").joinpath("case_departments.json").read_text("utf-8")
        source = "the shipped departments"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc
        source = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source} is not valid JSON: {exc}") from exc
    return parse_departments(data, source)
