"""The `govpilot` command."""

from __future__ import annotations

import typer

from govpilot import __version__
from govpilot.cli import (
    accounts,
    admin,
    bots,
    cases,
    copilot,
    governance,
    knowledge,
    opinion,
    privacy,
    redact,
    speech,
)

app = typer.Typer(
    name="govpilot",
    help="govpilot: a self-hosted AI copilot for Hong Kong public-service teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(copilot.translate)
app.command()(copilot.summarise)
app.command()(copilot.draft)
app.command()(redact.redact)
app.command()(speech.transcribe)
app.command()(speech.minutes)
app.command()(admin.setup)
app.command()(admin.models)
app.command()(admin.templates)
app.command()(admin.serve)
app.command()(admin.worker)
app.add_typer(admin.audit_app, name="audit")
app.add_typer(privacy.privacy_app, name="privacy")
app.add_typer(knowledge.collections_app, name="collections")
app.add_typer(knowledge.documents_app, name="documents")
app.command()(knowledge.ingest)
app.command()(knowledge.search)
app.add_typer(bots.bots_app, name="bots")
app.command()(bots.ask)
app.add_typer(accounts.departments_app, name="departments")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.keys_app, name="keys")
app.add_typer(governance.ai_apps_app, name="ai-apps")
app.add_typer(governance.review_app, name="review")
app.add_typer(opinion.opinion_app, name="opinion")
app.add_typer(cases.cases_app, name="cases")
app.command()(governance.assess)
app.command("sign-off")(governance.sign_off)
app.command("assessment-report")(governance.assessment_report)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
