"""CLI: `govpilot ai-apps list|show|register`, `govpilot assess NAME --answers FILE.json`,
`govpilot sign-off ID`, `govpilot assessment-report ID --out FILE.docx`, and
`govpilot review list|show|decide|released`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govpilot.cli.common import get_platform, handled_errors
from govpilot.documents.writers import write_document
from govpilot.errors import InputError
from govpilot.governance.assessment_report import assessment_document
from govpilot.governance.assessments import application_status
from govpilot.governance.questionnaire import load_questionnaire
from govpilot.governance.register import check_choice

ai_apps_app = typer.Typer(help="The department's AI application register.")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
CAPABILITY = "governance"
#: Tables and plain lines on stdout (wide enough for a register line in a log or a pipe).
console = Console(soft_wrap=True, width=200)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@ai_apps_app.command("list")
def list_apps(as_json: JsonOption = False) -> None:
    """Every AI application of your department (every department's, for platform admins)."""
    with handled_errors():
        platform = get_platform()
        apps = platform.register.list(platform.cli_context(CAPABILITY))
        if as_json:
            _echo_json([a.as_dict() for a in apps])
            return
        table = Table("Department", "Name", "名稱", "Kind", "Oversight", "Risk", "Stage", "Id")
        for a in apps:
            table.add_row(
                a.department,
                a.name_en,
                a.name_zh,
                a.kind,
                a.oversight,
                a.risk_tier,
                a.stage,
                a.id,
            )
        console.print(table)
        if not apps:
            console.print(
                "No AI applications yet: they appear at a bot's creation and at a "
                "copilot capability's first use."
            )


@ai_apps_app.command("show")
def show_app(
    name: Annotated[str, typer.Argument(help="The application's id or name")],
    as_json: JsonOption = False,
) -> None:
    """One application: its entry, model cards and assessments."""
    with handled_errors():
        platform = get_platform()
        ctx = platform.cli_context(CAPABILITY)
        app = platform.register.get(ctx, name)
        history = platform.assessments.history(ctx, app.id)
        cards = [platform.model_cards[m].as_dict() for m in app.models if m in platform.model_cards]
        data = {
            **app.as_dict(),
            "model_cards": cards,
            "assessments": [
                {k: a.as_dict()[k] for k in ("id", "version", "status", "risk_level", "stage")}
                for a in history
            ],
            **application_status(platform.assessments, ctx, app),
        }
        if as_json:
            _echo_json(data)
            return
        for key in (
            "name_en",
            "name_zh",
            "department",
            "kind",
            "purpose",
            "owner",
            "contact",
            "affected",
            "oversight",
            "risk_tier",
            "stage",
            "next_review",
            "id",
        ):
            console.print(f"[bold]{key}[/bold]: {data[key]}")
        for card in cards:
            console.print(
                f"[bold]model[/bold] {card['name']}: {card['model']} "
                f"({card['runs_at']}; licence {card['licence'] or 'not recorded'})"
            )
        for a in history:
            console.print(f"assessment v{a.version}: {a.status}, risk {a.risk_level} ({a.id})")
        evidence = data["evidence"]
        console.print(
            f"[bold]evidence[/bold] (8 weeks): {evidence['calls']} model calls, refusal rate "
            f"{evidence['refusal_rate']:.0%}, hand-over rate {evidence['handover_rate']:.0%}, "
            f"review rejection rate {evidence['review_rejection_rate']:.0%}, "
            f"{evidence['open_incidents']} open incidents"
        )
        for due in data["reassessment_due"]:
            console.print(f"[bold red]reassessment due[/bold red]: {due['en']}")


@ai_apps_app.command("register")
def register_app(
    name_en: Annotated[str, typer.Argument(help="English name")],
    name_zh: Annotated[str, typer.Option("--zh", help="Chinese name")] = "",
    purpose: Annotated[str, typer.Option("--purpose")] = "",
    affected: Annotated[str, typer.Option("--affected", help="officers, public or both")] = (
        "officers"
    ),
    model: Annotated[list[str] | None, typer.Option("--model", help="A model it uses")] = None,
    as_json: JsonOption = False,
) -> None:
    """Register an AI system that runs elsewhere."""
    with handled_errors():
        platform = get_platform()
        app = platform.register.register_external(
            platform.cli_context(CAPABILITY),
            {
                "name_en": name_en,
                "name_zh": name_zh,
                "purpose": purpose,
                "affected": affected,
                "models": model or [],
            },
        )
        if as_json:
            _echo_json(app.as_dict())
        else:
            console.print(f"Registered {app.name_en} ({app.id})")


def _read_answers(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no answers file {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not JSON: {exc}", hint="give a JSON object") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold a JSON object of question id: answer")
    return data


def assess(
    name: Annotated[str, typer.Argument(help="The application's id or name")],
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="JSON: {question id: answer} or "
            '{"answers": {...}, "mitigations": [...], "thresholds": {...}}',
        ),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Save half-done")] = False,
    prefill: Annotated[
        bool, typer.Option("--prefill/--no-prefill", help="Start from what the system knows")
    ] = True,
    questions: Annotated[bool, typer.Option("--questions", help="Print the questions")] = False,
    as_json: JsonOption = False,
) -> None:
    """File an AI Application Impact Assessment; prints the risk level and the scores."""
    with handled_errors():
        if questions:
            _echo_json(load_questionnaire().as_dict())
            return
        platform = get_platform()
        ctx = platform.cli_context(CAPABILITY)
        app = platform.register.get(ctx, name)
        given = _read_answers(answers) if answers else {}
        body = given.get("answers", given) if isinstance(given.get("answers"), dict) else given
        body = {k: v for k, v in body.items() if k not in ("mitigations", "thresholds")}
        draft_open = platform.assessments.open_draft(ctx, app.id)
        merged = {
            **(platform.assessments.prefill(app) if prefill else {}),
            **(draft_open.answers if draft_open else {}),  # resume a half-done one
            **body,
        }
        saved = platform.assessments.save(
            ctx,
            app.id,
            merged,
            mitigations=list(
                given.get("mitigations", draft_open.mitigations if draft_open else [])
            ),
            thresholds=dict(given.get("thresholds", {})),
            submit=not draft,
        )
        score = load_questionnaire(saved.questionnaire).score(saved.answers)
        if as_json:
            _echo_json(
                {
                    "assessment": saved.id,
                    "version": saved.version,
                    "status": saved.status,
                    **score.as_dict(),
                }
            )
            return
        console.print(f"{app.name_en}: assessment v{saved.version} {saved.status} ({saved.id})")
        console.print(
            f"Risk level: [bold]{score.level}[/bold]  raw score {score.raw:g}/"
            f"{score.raw_max:g}, mitigation {score.mitigation:g}/"
            f"{score.mitigation_max:g}, adjusted {score.adjusted:.1f}"
        )
        if score.unanswered:
            console.print(f"Unanswered: {', '.join(score.unanswered)}")


def sign_off(
    assessment: Annotated[str, typer.Argument(help="The assessment's id")],
    as_json: JsonOption = False,
) -> None:
    """Sign a submitted assessment off as yourself (GOVPILOT_CLI_USER)."""
    with handled_errors():
        platform = get_platform()
        signed = platform.assessments.sign_off(platform.cli_context(CAPABILITY), assessment)
        if as_json:
            _echo_json(signed.as_dict())
        else:
            console.print(
                f"Signed off v{signed.version} by {signed.signed_off_by}: risk {signed.risk_level}"
            )


def assessment_report(
    assessment: Annotated[str, typer.Argument(help="The assessment's id")],
    out: Annotated[Path, typer.Option("--out", help="The .docx file to write")],
    lang: Annotated[str, typer.Option("--lang", help="en or zh-Hant")] = "en",
) -> None:
    """Write an assessment as a Word report (application, scores, answers, mitigations)."""
    with handled_errors():
        check_choice("lang", lang, ("en", "zh-Hant"))
        platform = get_platform()
        ctx = platform.cli_context(CAPABILITY)
        found = platform.assessments.get(ctx, assessment)
        app = platform.register.get(ctx, found.application_id)
        write_document(assessment_document(found, app, lang=lang), out, fmt="docx")
        console.print(f"Wrote {out} (assessment v{found.version} of {app.name_en})")


review_app = typer.Typer(help="Human review queues of AI outputs.")


@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option("--status", help="pending, approved, rejected ...")] = (
        "pending"
    ),
    as_json: JsonOption = False,
) -> None:
    """Items waiting for a verdict (or given one), oldest first."""
    with handled_errors():
        platform = get_platform()
        items = platform.reviews.queue(platform.cli_context(CAPABILITY), status=status)
        if as_json:
            _echo_json([i.as_dict() for i in items])
            return
        table = Table("Id", "Application", "Reason", "Status", "Queued")
        for i in items:
            table.add_row(
                i.id, i.application_id, i.reason, i.status, f"{i.created_at:%Y-%m-%d %H:%M}"
            )
        console.print(table)


@review_app.command("show")
def review_show(
    item: Annotated[str, typer.Argument(help="The review item's id")],
    as_json: JsonOption = False,
) -> None:
    """One item: the question (or instructions), the answer (or draft), its citations."""
    with handled_errors():
        platform = get_platform()
        found = platform.reviews.item(platform.cli_context(CAPABILITY), item)
        if as_json:
            _echo_json(found.as_dict())
            return
        console.print(f"{found.id}: {found.reason}, {found.status}", markup=False)
        console.print(f"Question: {found.question or '-'}", markup=False)
        console.print(f"Answer: {found.answer or '-'}", markup=False)
        for citation in found.citations:
            console.print(f"  [{citation.get('n', '')}] {citation.get('label', '')}", markup=False)
        if found.correction:
            console.print(f"Corrected: {found.correction}", markup=False)


@review_app.command("released")
def review_released(
    item: Annotated[str, typer.Argument(help="The review item of a held draft")],
) -> None:
    """Print the text an approval released (as approved or corrected); refused while the
    draft waits for approval or when it was rejected."""
    with handled_errors():
        platform = get_platform()
        typer.echo(platform.approvals.released(platform.cli_context(CAPABILITY), item))


@review_app.command("decide")
def review_decide(
    item: Annotated[str, typer.Argument(help="The review item's id")],
    approve: Annotated[bool, typer.Option("--approve", help="The output was right")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="The output was wrong")] = False,
    correction: Annotated[
        str, typer.Option("--correct", help="The right answer (records it as corrected)")
    ] = "",
    note: Annotated[str, typer.Option("--note", help="Why")] = "",
    as_json: JsonOption = False,
) -> None:
    """Give the verdict on one item: --approve, --reject or --correct TEXT."""
    with handled_errors():
        chosen = [
            v
            for v, on in (
                ("approved", approve),
                ("rejected", reject),
                ("corrected", bool(correction)),
            )
            if on
        ]
        if len(chosen) != 1:
            raise InputError("give one of --approve, --reject or --correct TEXT")
        platform = get_platform()
        decided = platform.reviews.decide(
            platform.cli_context(CAPABILITY), item, chosen[0], note=note, correction=correction
        )
        if as_json:
            _echo_json(decided.as_dict())
        else:
            console.print(f"{decided.id}: {decided.status} by {decided.reviewer}")
