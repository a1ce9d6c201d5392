"""CLI: `govpilot bots create|list|show|delete|analytics` and `govpilot ask BOT ...`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from govpilot.access import CallContext
from govpilot.capabilities.chat.bots import DEFAULT_HANDOVER, Bot, new_bot
from govpilot.capabilities.chat.service import BotService, resolve_collections
from govpilot.cli.common import err_console, get_platform, handled_errors
from govpilot.errors import InputError

bots_app = typer.Typer(help="Bots that answer from a department's collections.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@bots_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Bot name, unique in the department")],
    collection: Annotated[
        list[str], typer.Option("--collection", "-c", help="A collection it may use (repeat)")
    ],
    language: Annotated[
        list[str] | None, typer.Option("--language", help="en, zh-Hant or yue (repeat)")
    ] = None,
    cantonese: Annotated[
        str, typer.Option("--cantonese", help="Answer Cantonese in 'cantonese' or 'written'")
    ] = "written",
    tone: Annotated[str | None, typer.Option("--tone", help="e.g. 'warm and concise'")] = None,
    refuse: Annotated[
        list[str] | None, typer.Option("--refuse", help="A topic it must refuse (repeat)")
    ] = None,
    handover: Annotated[
        str, typer.Option("--handover", help="Where to go for help: '中文 / English'")
    ] = DEFAULT_HANDOVER,
    model: Annotated[str | None, typer.Option("--model", help="A configured model name")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a bot for your department (GOVPILOT_DEPARTMENT)."""
    with handled_errors():
        platform = get_platform()
        department = platform.settings.department
        if model:
            platform.gateway.model(model)
        bot = new_bot(
            name,
            department,
            resolve_collections(platform.knowledge_base().collections, department, collection),
            languages=language or ("en", "zh-Hant"),
            cantonese_reply=cantonese,
            tone=tone,
            refuse=refuse or (),
            handover=handover,
            model=model,
            created_by=platform.settings.cli_user,
        )
        bot = platform.bot_service().create_bot(bot, platform.cli_context("bot"))
        if as_json:
            _echo_json(bot.as_dict())
        else:
            typer.echo(f"created bot {bot.name} ({bot.id}) in {department}")


@bots_app.command("list")
def list_bots(as_json: JsonOption = False) -> None:
    """List your department's bots."""
    with handled_errors():
        platform = get_platform()
        bots = platform.bot_service().bots.list(platform.settings.department)
        if as_json:
            _echo_json([b.as_dict() for b in bots])
            return
        for bot in bots:
            typer.echo(f"{bot.name}\t{','.join(bot.languages)}\t{len(bot.collection_ids)} coll.")


@bots_app.command("show")
def show(name: str, as_json: JsonOption = True) -> None:
    """Show a bot's configuration (JSON)."""
    with handled_errors():
        platform = get_platform()
        _echo_json(platform.bot_service().bots.get(platform.settings.department, name).as_dict())


@bots_app.command("delete")
def delete(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="Really delete")] = False,
) -> None:
    """Delete a bot and its conversation figures."""
    with handled_errors():
        if not yes:
            raise InputError(f"not deleting bot {name!r} without --yes", hint="add --yes")
        platform = get_platform()
        bot = platform.bot_service().delete_bot(name, platform.cli_context("bot"))
        typer.echo(f"deleted bot {bot.name}")


@bots_app.command("analytics")
def analytics(
    name: str,
    days: Annotated[int, typer.Option("--days", min=1, max=366)] = 30,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the daily figures as CSV here")
    ] = None,
    unanswered_csv: Annotated[
        Path | None, typer.Option("--unanswered-csv", help="Write top unanswered questions")
    ] = None,
) -> None:
    """Questions per day, answered vs handed over, top unanswered, ratings, latency."""
    with handled_errors():
        platform = get_platform()
        service = platform.bot_service()
        bot = service.bots.get(platform.settings.department, name)
        figures = service.analytics(bot, platform.cli_context("bot.analytics"), days=days)
        if csv_file is not None:
            csv_file.write_text(figures.daily_csv(), encoding="utf-8")
            err_console.print(f"wrote {csv_file}", highlight=False)
        if unanswered_csv is not None:
            unanswered_csv.write_text(figures.unanswered_csv(), encoding="utf-8")
            err_console.print(f"wrote {unanswered_csv}", highlight=False)
        if csv_file is None and unanswered_csv is None:
            _echo_json(figures.as_dict())


def ask(
    bot: Annotated[str, typer.Argument(help="The bot's name")],
    question: Annotated[str | None, typer.Argument(help="The question")] = None,
    as_json: JsonOption = False,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Continue this conversation id")
    ] = None,
    questions: Annotated[
        Path | None,
        typer.Option("--questions", help='A JSONL file of {"id", "text"}; one JSON line out each'),
    ] = None,
) -> None:
    """Ask a bot a question; with --questions, answer a whole file in one process."""
    with handled_errors():
        if (question is None) == (questions is None):
            raise InputError("give a QUESTION or --questions FILE.jsonl, not both")
        platform = get_platform()
        service = platform.bot_service()
        found = service.bots.get(platform.settings.department, bot)
        caller = platform.cli_context("bot")
        if questions is not None:
            _ask_many(service, found, caller, questions)
            return
        assert question is not None
        result = service.ask(found, question, caller, conversation)
        if as_json:
            _echo_json(result.as_dict())
            return
        typer.echo(result.answer.text)
        for cited in result.answer.citations:
            link = f" {cited.citation.url}" if cited.citation.url else ""
            typer.echo(f"[{cited.n}] {cited.citation.label()}{link}")
        err_console.print(f"conversation: {result.conversation_id}", highlight=False)


def _ask_many(service: BotService, bot: Bot, caller: CallContext, path: Path) -> None:
    source = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = str(item["text"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputError(
                    f"{path}:{number}: not a JSON object with a 'text'",
                    hint='each line: {"id": "q1", "text": "When does the office open?"}',
                ) from None
            # Each question stands alone: no context carried from the line before.
            result = service.ask(bot, text, caller)
            out = {"id": item.get("id"), **result.answer.as_dict()}
            typer.echo(json.dumps(out, ensure_ascii=False))
