"""CLI: `govpilot departments ...`, `govpilot users ...` and `govpilot keys ...`.

The CLI acts as platform administrator (whoever runs it can open the database). Passwords
are read from standard input (or typed, hidden, at a terminal), never from a flag, so they
stay out of shell history and process lists; API keys are printed once, on stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from govpilot.accounts.models import ApiKey, User
from govpilot.cli.common import err_console, get_platform, handled_errors, read_stdin_text
from govpilot.errors import EmptyDocument, InputError
from govpilot.platform import Platform

departments_app = typer.Typer(help="Departments: the tenants users and data belong to.")
users_app = typer.Typer(help="User accounts: roles, passwords, access.")
keys_app = typer.Typer(help="API keys: for scripts and other systems calling the API.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
EmailArgument = Annotated[str, typer.Argument(help="The user's e-mail address (or id)")]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _read_password(platform: Platform) -> str:
    """A password typed at the terminal (hidden, twice) or the first line of stdin."""
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        text = read_stdin_text(platform.settings).rstrip("\r\n")
    except EmptyDocument:
        raise InputError(
            "no password on standard input",
            hint="pipe it in, e.g. `printf '%s' \"$PASSWORD\" | govpilot users ...`; "
            "for single sign-on only, `users create --no-password`",
        ) from None
    if "\n" in text:
        raise InputError(
            "the password must be one line of standard input",
            hint="e.g. `printf '%s' \"$PASSWORD\" | govpilot users password EMAIL`",
        )
    return text


def _user_line(user: User) -> str:
    flags = [f for f, on in (("disabled", user.disabled), ("sso", user.sso)) if on]
    if user.locked_until is not None:
        flags.append("locked")
    return "\t".join([user.email, user.department, user.role.value, ",".join(flags) or "-"])


def _key_line(key: ApiKey) -> str:
    state = "revoked" if key.revoked_at else f"expires {key.expires_at:%Y-%m-%d}"
    return "\t".join([key.id, f"{key.prefix}...", key.name, state])


# -- departments ---------------------------------------------------------------------------


@departments_app.command("create")
def create_department(
    name: Annotated[str, typer.Argument(help="Short name, e.g. HAD or OGCIO")],
    title_en: Annotated[str, typer.Option("--title-en", help="English title")] = "",
    title_zh: Annotated[str, typer.Option("--title-zh", help="Chinese title")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create a department."""
    with handled_errors():
        platform = get_platform()
        department = platform.accounts.create_department(
            platform.cli_context("accounts"), name, title_en=title_en, title_zh=title_zh
        )
        if as_json:
            _echo_json(department.as_dict())
        else:
            typer.echo(f"created department {department.name} ({department.title_en})")


@departments_app.command("list")
def list_departments(as_json: JsonOption = False) -> None:
    """List the departments."""
    with handled_errors():
        platform = get_platform()
        departments = platform.accounts.departments(platform.cli_context("accounts"))
        if as_json:
            _echo_json([d.as_dict() for d in departments])
            return
        for d in departments:
            typer.echo(f"{d.name}\t{d.title_en}\t{d.title_zh}")


# -- users ---------------------------------------------------------------------------------


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Argument(help="The user's e-mail address")],
    department: Annotated[str, typer.Option("--department", help="Their department")],
    role: Annotated[
        str, typer.Option("--role", help="platform_admin, department_admin, officer or auditor")
    ],
    name: Annotated[str, typer.Option("--name", help="Display name")] = "",
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: signs in by single sign-on only")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a user; the password is read from standard input."""
    with handled_errors():
        platform = get_platform()
        password = None if no_password else _read_password(platform)
        user = platform.accounts.create_user(
            platform.cli_context("accounts"),
            email,
            department=department,
            role=role,
            password=password,
            display_name=name,
        )
        if as_json:
            _echo_json(user.as_dict())
        else:
            typer.echo(f"created user {_user_line(user)}\t{user.id}")


@users_app.command("list")
def list_users(
    department: Annotated[
        str | None, typer.Option("--department", help="Default: GOVPILOT_DEPARTMENT")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List a department's users."""
    with handled_errors():
        platform = get_platform()
        users = platform.accounts.users(
            platform.cli_context("accounts"), department or platform.settings.department
        )
        if as_json:
            _echo_json([u.as_dict() for u in users])
            return
        for user in users:
            typer.echo(_user_line(user))


@users_app.command("set-role")
def set_role(
    email: EmailArgument,
    role: Annotated[str, typer.Argument(help="platform_admin, department_admin, officer, auditor")],
) -> None:
    """Change a user's role."""
    with handled_errors():
        platform = get_platform()
        user = platform.accounts.update_user(platform.cli_context("accounts"), email, role=role)
        typer.echo(f"{user.email} is now {user.role.value}")


@users_app.command("disable")
def disable(email: EmailArgument) -> None:
    """Stop a user signing in (their sessions end at once; their keys stop working)."""
    with handled_errors():
        platform = get_platform()
        user = platform.accounts.update_user(platform.cli_context("accounts"), email, disabled=True)
        platform.signin.end_sessions_of(user.id)
        typer.echo(f"disabled {user.email}")


@users_app.command("enable")
def enable(email: EmailArgument) -> None:
    """Let a disabled user sign in again."""
    with handled_errors():
        platform = get_platform()
        user = platform.accounts.update_user(
            platform.cli_context("accounts"), email, disabled=False
        )
        typer.echo(f"enabled {user.email}")


@users_app.command("unlock")
def unlock(email: EmailArgument) -> None:
    """Lift a lockout after too many failed logins."""
    with handled_errors():
        platform = get_platform()
        user = platform.accounts.update_user(platform.cli_context("accounts"), email, unlock=True)
        typer.echo(f"unlocked {user.email}")


@users_app.command("password")
def password(email: EmailArgument) -> None:
    """Set a user's password from standard input (signs them out everywhere)."""
    with handled_errors():
        platform = get_platform()
        ctx = platform.cli_context("accounts")
        user = platform.accounts.user(ctx, email)
        platform.accounts.set_password(ctx, user.id, _read_password(platform))
        platform.signin.end_sessions_of(user.id)
        typer.echo(f"password set for {user.email}")


# -- API keys ------------------------------------------------------------------------------


@keys_app.command("create")
def create_key(
    user: Annotated[str, typer.Option("--user", help="The owner's e-mail address")],
    name: Annotated[str, typer.Option("--name", help="What the key is for")] = "",
    days: Annotated[
        int | None, typer.Option("--days", help="Days until it expires (default: settings)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key; its token is printed once, on stdout."""
    with handled_errors():
        platform = get_platform()
        created = platform.accounts.create_key(
            platform.cli_context("accounts"), user, name=name, days=days
        )
        if as_json:
            _echo_json({**created.key.as_dict(), "token": created.token})
        else:
            typer.echo(created.token)
        err_console.print(
            f"[yellow]Store this key now: it is shown only once.[/] Key {created.key.id} "
            f"for {user}, expires {created.key.expires_at:%Y-%m-%d}.",
            highlight=False,
        )


@keys_app.command("list")
def list_keys(
    user: Annotated[str, typer.Option("--user", help="The owner's e-mail address")],
    as_json: JsonOption = False,
) -> None:
    """List a user's API keys, newest first (never their tokens)."""
    with handled_errors():
        platform = get_platform()
        keys = platform.accounts.keys(platform.cli_context("accounts"), user)
        if as_json:
            _echo_json([k.as_dict() for k in keys])
            return
        for key in keys:
            typer.echo(_key_line(key))


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key's id (`keys list`)")]) -> None:
    """Revoke an API key at once."""
    with handled_errors():
        platform = get_platform()
        key = platform.accounts.revoke_key(platform.cli_context("accounts"), key_id)
        typer.echo(f"revoked key {key.id} ({key.prefix}...)")
