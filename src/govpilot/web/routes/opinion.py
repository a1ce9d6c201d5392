"""/opinion: import a consultation's responses, analyse them, check and correct the themes,
download the report.

The list page takes a spreadsheet (.csv, .xlsx or .jsonl) and goes on to the
consultation's page, which shows what the import found (responses, languages, rows not
used and why, campaigns), starts the analysis and follows it with a progress bar. Once
analysed, each question shows its stances as a bar with the majority view, its themes
by side as bars with their counts and typical quotes in the original language, and the
counts by district, respondent type and month. Each theme can be renamed, merged into
another of its side, split in two or deleted; every form names the version it was made
on, so a change on a stale page is refused with a plain message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from govpilot.access import CallContext, Permission
from govpilot.capabilities.opinion.counts import question_counts
from govpilot.capabilities.opinion.reports import write_report
from govpilot.capabilities.opinion.store import Consultation
from govpilot.errors import InputError, NotFound
from govpilot.http.dependencies import PlatformDep
from govpilot.http.downloads import attachment
from govpilot.platform import Platform
from govpilot.web.charts import Series, bar_chart, line_chart
from govpilot.web.i18n import N_
from govpilot.web.notices import after_change
from govpilot.web.render import NavItem, render, translate
from govpilot.web.routes.governance import FormDep, Notice
from govpilot.web.routes.meetings import form_version
from govpilot.web.session import WebUserDep

router = APIRouter()

NAV_ITEMS = [NavItem("/opinion", N_("Opinions"), Permission.USE_COPILOT, order=16)]
CAPABILITY = "opinion"
STOP_POLLING = 286
ACCEPTED = ".csv,.xlsx,.jsonl,text/csv"
DOWNLOADS = {
    "report.docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "responses.xlsx": (
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}
NOTICES = {
    "imported": N_("The responses are stored, with personal data replaced."),
    "analysing": N_("The analysis has started. This page shows the themes when it is done."),
    "saved": N_("The change is saved and the counts are updated."),
    "deleted": N_("The consultation is deleted, with its responses and file."),
}
STATUS_LABELS = {
    "imported": N_("Not analysed yet"),
    "queued": N_("Waiting to start"),
    "analysing": N_("Analysing"),
    "analysed": N_("Analysed"),
    "failed": N_("Failed"),
}
STANCE_LABELS = {
    "support": N_("Support"),
    "oppose": N_("Oppose"),
    "mixed": N_("Mixed"),
    "unclear": N_("Unclear"),
}
BREAKDOWN_AXES = {
    "district": N_("District"),
    "respondent_type": N_("Respondent type"),
    "month": N_("Month"),
}
BREAKDOWN_LABELS = {
    "district": N_("By district"),
    "respondent_type": N_("By respondent type"),
    "month": N_("By month"),
}


@router.get("/opinion")
def list_page(
    request: Request, platform: PlatformDep, web: WebUserDep, notice: Notice = ""
) -> Response:
    """The department's consultations, and the form to import one."""
    return _list(request, platform, web.context(CAPABILITY), notice=NOTICES.get(notice, ""))


def _list(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    errors: list[str] | None = None,
    code: int = 200,
    notice: str = "",
) -> Response:
    context: dict[str, Any] = {
        "notice": notice,
        "consultations": platform.consultations.list(ctx),
        "accepted": ACCEPTED,
        "errors": errors or [],
        "status_labels": STATUS_LABELS,
        "max_mb": platform.settings.opinion.max_upload_mb,
    }
    return render(request, "opinion/list.html", status_code=code, **context)


@router.post("/opinion")
def import_file(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Store the file's responses (redacted) and go to the consultation's page."""
    ctx = web.context(CAPABILITY)
    if file is None or not file.filename:
        message = translate(request, N_("Choose a file of responses."))
        return _list(request, platform, ctx, [message], 400)
    limit = int(platform.settings.opinion.max_upload_mb * 1024 * 1024)
    try:
        data = file.file.read(limit + 1)
        consultation = platform.consultations.import_file(ctx, data, file.filename, name=name)
    except InputError as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return _list(request, platform, ctx, [message], exc.status_code)
    return RedirectResponse(f"/opinion/{consultation.id}?notice=imported", status_code=303)


@router.get("/opinion/{consultation_id}")
def consultation_page(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    consultation_id: str,
    notice: Notice = "",
) -> Response:
    """The consultation: what was imported, the progress, or the themes and counts."""
    ctx = web.context(CAPABILITY)
    consultation = platform.consultations.get(ctx, consultation_id)
    return _page(request, platform, ctx, consultation, notice=notice)


def _page(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    consultation: Consultation,
    *,
    notice: str = "",
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    if notice == "analysing" and not consultation.working:
        notice = ""  # reloaded after the analysis finished
    store = platform.consultations.store
    questions = []
    if consultation.status == "analysed":
        for question in consultation.summary.get("questions") or [""]:
            responses = store.responses(consultation.id, question)
            themes = store.themes(consultation.id, question)
            counts = question_counts(question, responses, themes)
            counts["quotes"] = _quotes(responses, themes)
            counts["charts"] = _charts(request, counts["by"])
            questions.append(counts)
    context: dict[str, Any] = {
        "consultation": consultation,
        "summary": consultation.summary,
        "questions": questions,
        "percent": _percent(platform, ctx, consultation),
        "notice": NOTICES.get(notice, ""),
        "errors": errors or [],
        "status_labels": STATUS_LABELS,
        "stance_labels": STANCE_LABELS,
        "breakdown_labels": BREAKDOWN_LABELS,
        "working": consultation.working,
        "downloads": list(DOWNLOADS),
    }
    return render(request, "opinion/detail.html", status_code=status_code, **context)


def _charts(request: Request, by: dict[str, dict[str, dict[str, int]]]) -> list[Any]:
    """Voices by stance per district and respondent type (stacked bars) and per month
    (lines), for the breakdowns that have data."""
    charts = []
    for key, table in by.items():
        if not table:
            continue
        labels = list(table)
        series = [
            Series(
                translate(request, STANCE_LABELS[stance]), [table[v].get(stance, 0) for v in labels]
            )
            for stance in STANCE_LABELS
        ]
        draw = line_chart if key == "month" else bar_chart
        charts.append(
            draw(
                translate(request, BREAKDOWN_LABELS[key]),
                labels,
                series,
                x_label=translate(request, BREAKDOWN_AXES[key]),
                y_label=translate(request, N_("Voices")),
                table_label=translate(request, N_("Show the figures as a table")),
            )
        )
    return charts


def _quotes(responses: list[Any], themes: list[Any], per_theme: int = 3) -> dict[str, list[Any]]:
    """Each theme's typical quotes: (response id, quote, language)."""
    by_id = {r.external_id: r for r in responses}
    out: dict[str, list[Any]] = {}
    for theme in themes:
        found = []
        for external_id in theme.typical:
            response = by_id.get(external_id)
            quote = response and next(
                (t["quote"] for t in response.themes if t["theme"] == theme.id), None
            )
            if response and quote:
                found.append((external_id, quote, response.language))
            if len(found) >= per_theme:
                break
        out[theme.id] = found
    return out


def _percent(platform: Platform, ctx: CallContext, consultation: Consultation) -> int:
    if not consultation.working or not consultation.analysis_job_id:
        return 0
    try:
        job = platform.job_service().get(ctx, consultation.analysis_job_id)
    except NotFound:
        return 0
    return int(100 * job.progress_done / job.progress_total) if job.progress_total else 0


@router.get("/opinion/{consultation_id}/progress")
def progress(
    request: Request, platform: PlatformDep, web: WebUserDep, consultation_id: str
) -> Response:
    """The progress bar (polled by the page); the whole page again once it is done."""
    ctx = web.context(CAPABILITY)
    consultation = platform.consultations.get(ctx, consultation_id)
    if not consultation.working:
        return Response(status_code=STOP_POLLING, headers={"HX-Refresh": "true"})
    percent = _percent(platform, ctx, consultation)
    return render(request, "opinion/_progress.html", percent=percent)


def _changed(
    request: Request,
    platform: Platform,
    ctx: CallContext,
    consultation_id: str,
    change: Callable[[], object],
    notice: str = "saved",
) -> Response:
    """Run `change`; back to the page with the notice, or the page with the problem."""

    def problem(message: str, status: int) -> Response:
        consultation = platform.consultations.get(ctx, consultation_id)
        return _page(request, platform, ctx, consultation, errors=[message], status_code=status)

    return after_change(change, f"/opinion/{consultation_id}?notice={notice}", problem)


@router.post("/opinion/{consultation_id}/analyse")
def analyse(
    request: Request, platform: PlatformDep, web: WebUserDep, form: FormDep, consultation_id: str
) -> Response:
    """Queue the analysis (with the number of themes asked for, if any), or go on after
    a failed one."""
    ctx = web.context(CAPABILITY)
    raw = str(form.get("themes", "")).strip()
    resume = str(form.get("action", "")) == "resume"

    def change() -> None:
        if raw and not raw.isdigit():
            raise InputError("the number of themes must be a whole number", hint="e.g. 10")
        themes = int(raw) if raw else None
        platform.consultations.analyse(ctx, consultation_id, themes=themes, resume=resume)

    return _changed(request, platform, ctx, consultation_id, change, notice="analysing")


@router.post("/opinion/{consultation_id}/themes/{theme_id}")
def change_theme(
    request: Request,
    platform: PlatformDep,
    web: WebUserDep,
    form: FormDep,
    consultation_id: str,
    theme_id: str,
) -> Response:
    """Rename, merge (into another theme of its side), split or delete a theme."""
    ctx = web.context(CAPABILITY)
    review = platform.theme_review
    action = str(form.get("action", "rename"))

    def change() -> None:
        version = form_version(form)
        if action == "merge":
            into = str(form.get("into", ""))
            if not into:
                raise InputError("choose the theme to merge it into", hint="pick one of its side")
            review.merge(ctx, consultation_id, into, theme_id, version=version)
        elif action == "split":
            review.split(ctx, consultation_id, theme_id, version=version)
        elif action == "delete":
            review.delete(ctx, consultation_id, theme_id, version=version)
        else:
            review.rename(
                ctx,
                consultation_id,
                theme_id,
                version=version,
                title_en=str(form.get("title_en", "")).strip() or None,
                title_zh=str(form.get("title_zh", "")).strip() or None,
            )

    return _changed(request, platform, ctx, consultation_id, change)


@router.get("/opinion/{consultation_id}/download/{name}")
def download(platform: PlatformDep, web: WebUserDep, consultation_id: str, name: str) -> Response:
    """The report (.docx) or every response with its themes (.xlsx)."""
    if name not in DOWNLOADS:
        raise NotFound(f"no download {name!r}", hint="use " + " or ".join(DOWNLOADS))
    consultation = platform.consultations.get(web.context(CAPABILITY), consultation_id)
    suffix, media_type = DOWNLOADS[name]
    data = write_report(platform.consultations.store, consultation, suffix)
    return attachment(data, f"{consultation.name}-{name}", media_type)


@router.post("/opinion/{consultation_id}/delete")
def delete(platform: PlatformDep, web: WebUserDep, consultation_id: str) -> Response:
    """Delete the consultation with its responses, themes and file."""
    platform.consultations.delete(web.context(CAPABILITY), consultation_id)
    return RedirectResponse("/opinion?notice=deleted", status_code=303)
