"""/audit and /audit/usage: the log with filters, paging, chain status and CSV export; usage
charts. Auditors read everything and start nothing; officers get the 403 page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from web_support import AUDITOR, OFFICER, browser, page_token, sign_in

from govpilot.audit import AuditEvent
from govpilot.audit.usage import hk_today
from govpilot.platform import Platform
from govpilot.testing import SETUP_CONTEXT
from govpilot.web.charts import Series, bar_chart, line_chart, nice_ceiling

pytestmark = pytest.mark.anyio


@pytest.fixture
async def auditor(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with browser(platform) as client:
        assert (await sign_in(client, AUDITOR)).status_code == 303
        yield client


def model_call(actor: str, department: str, days_ago: int = 0, **changes: object) -> AuditEvent:
    values: dict[str, object] = {
        "actor": actor,
        "department": department,
        "action": "translate",
        "model_name": "fake",
        "tokens_in": 100,
        "tokens_out": 40,
        "latency_ms": 250,
        "channel": "web",
        "occurred_at": datetime.now(UTC) - timedelta(days=days_ago),
    }
    values.update(changes)
    return AuditEvent(**values)  # type: ignore[arg-type]


@pytest.fixture
def calls(platform: Platform) -> None:
    for days_ago in (0, 0, 1, 3):
        platform.audit.record(model_call(OFFICER, "HAD", days_ago))
    platform.audit.record(model_call("wong.sm@ld.gov.hk", "LD", 1, outcome="error"))
    platform.audit.record(model_call("=HYPERLINK(1)", "LD", 0, action="summarise"))


async def test_auditor_reads_the_log_with_filters(
    auditor: httpx.AsyncClient, platform: Platform, calls: None
) -> None:
    page = await auditor.get("/audit")
    assert page.status_code == 200
    assert OFFICER in page.text and "wong.sm@ld.gov.hk" in page.text
    assert 'href="/audit"' in page.text  # the header links to it
    only_ld = await auditor.get("/audit", params={"department": "LD", "outcome": "error"})
    rows = re.findall(r'<tr class="outcome-(\w+)">', only_ld.text)
    assert rows == ["error"]
    by_actor = await auditor.get("/audit", params={"actor": "chan.tm"})
    assert "wong.sm@ld.gov.hk" not in by_actor.text.split("<table", 1)[1]
    today = hk_today().isoformat()
    by_date = await auditor.get(
        "/audit", params={"start": today, "end": today, "action": "summarise"}
    )
    assert len(re.findall(r'<tr class="outcome-', by_date.text)) == 1
    bad = await auditor.get("/audit", params={"start": "yesterday"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text


async def test_paging(auditor: httpx.AsyncClient, platform: Platform) -> None:
    for i in range(60):
        platform.audit.record(model_call(f"user{i}@had.gov.hk", "HAD"))
    first = await auditor.get("/audit", params={"department": "HAD"})
    assert "user59@had.gov.hk" in first.text and "user5@had.gov.hk" not in first.text
    older = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older, "no link to older events"
    second = await auditor.get(older.group(1).replace("&amp;", "&"))
    assert "user5@had.gov.hk" in second.text and "user59@had.gov.hk" not in second.text
    assert 'rel="prev"' in second.text


async def test_chain_status_ok_then_broken(
    auditor: httpx.AsyncClient, platform: Platform, calls: None
) -> None:
    report = platform.audit.verify()
    page = await auditor.get("/audit")
    assert f"all {report.checked} events are intact" in page.text
    assert report.last_hash and report.last_hash in page.text
    with platform.database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'someone@else' WHERE seq = 3"))
    # The page shows the check it made (with its time) until asked for a new one.
    remembered = await auditor.get("/audit")
    assert "events are intact" in remembered.text and "Checked at" in remembered.text
    broken = await auditor.get("/audit", params={"verify": "1"})
    assert "Broken at event 3." in broken.text
    assert re.search(
        r'<div class="alert" role="alert">\s*<p><strong>Broken at event 3', broken.text
    )


async def test_csv_export_of_the_filtered_log(
    auditor: httpx.AsyncClient, platform: Platform, calls: None
) -> None:
    page = await auditor.get("/audit", params={"department": "LD"})
    link = re.search(r'href="(/audit/export\.csv[^"]*)"', page.text)
    assert link
    response = await auditor.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["department"] for r in rows} == {"LD"}
    assert "'=HYPERLINK(1)" in {r["actor"] for r in rows}  # no formula for a spreadsheet


async def test_usage_page_draws_charts_with_tables(
    auditor: httpx.AsyncClient, platform: Platform, calls: None
) -> None:
    page = await auditor.get("/audit/usage")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 4
    assert '<title id="chart-' in page.text and "Model calls per day" in page.text
    assert "Show the figures as a table" in page.text and "<table" in page.text
    totals = page.text.split('id="totals-heading"', 1)[1].split("</table>", 1)[0]
    assert re.search(
        r"<th scope=\"row\">HAD</th><td>4</td><td>400</td><td>160</td><td>1</td>", totals
    )
    one = await auditor.get("/audit/usage", params={"department": "LD"})
    assert "HAD</th>" not in one.text.split('id="totals-heading"', 1)[1]


@pytest.mark.parametrize("path", ["/audit", "/audit/usage", "/audit/export.csv"])
async def test_officers_get_403(officer: httpx.AsyncClient, path: str) -> None:
    response = await officer.get(path)
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


async def test_auditor_cannot_administer_or_start_work(
    auditor: httpx.AsyncClient, platform: Platform
) -> None:
    assert (await auditor.get("/admin")).status_code == 403
    token = await page_token(auditor, "/audit")
    before = len(platform.audit.events(limit=None))
    for path, data in (
        ("/redact", {"text": "Call 9123 4567"}),
        ("/collections", {"name": "secret"}),
        ("/bots", {"name": "bot", "collections": "x"}),
        ("/admin/users", {"department": "HAD", "email": "x@had.gov.hk", "role": "officer"}),
    ):
        response = await auditor.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    assert len(platform.audit.events(limit=None)) == before  # nothing was done


def test_charts_escape_text_and_carry_a_table() -> None:
    chart = str(
        bar_chart(
            "Calls <script>",
            ["03-01", "03-02"],
            [Series("A&B", [3, 0]), Series("C", [1, 2])],
            x_label="Day",
            y_label="Calls",
            table_label="Table",
        )
    )
    assert "<script>" not in chart and "Calls &lt;script&gt;" in chart
    assert 'role="img"' in chart and "<desc" in chart
    assert chart.count('class="chart-bar"') == 3  # a zero draws no bar
    assert '<th scope="row">03-01</th><td>3</td><td>1</td>' in chart
    assert "A&amp;B" in chart and "style=" not in chart  # the pages' CSP allows no inline style
    line = str(line_chart("Users", ["d1"], [Series("HAD", [2])], x_label="Day", y_label="n"))
    assert "<polyline" in line and "Data table" in line
    with pytest.raises(ValueError):
        bar_chart("x", ["a"], [Series("s", [1, 2])], x_label="", y_label="")
    assert [nice_ceiling(v) for v in (0, 3, 7, 12, 48, 101)] == [1, 5, 10, 20, 50, 200]


async def test_pages_in_traditional_chinese(
    auditor: httpx.AsyncClient, platform: Platform, calls: None
) -> None:
    user = platform.accounts.user(SETUP_CONTEXT, AUDITOR)
    platform.accounts.set_language(user.context("web", "web"), "zh-Hant")
    log = await auditor.get("/audit")
    assert '<html lang="zh-Hant-HK">' in log.text
    assert f"已核實：全部 {platform.audit.verify().checked} 項事件完整無缺。" in log.text
    usage = await auditor.get("/audit/usage")
    assert "每日模型調用次數" in usage.text and "日期（香港時間）" in usage.text
