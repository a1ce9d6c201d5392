"""Job fixtures: a test Platform with scripted models, and job services started or idle.

Models: `fake` (the default) answers each capability's prompt; `down` has no reply and
raises ModelUnavailable like a server that is down.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_support import respond

from govpilot.backends.fake import ScriptedModel
from govpilot.jobs import JobService
from govpilot.language import Glossary
from govpilot.platform import Platform
from govpilot.privacy.detector import PiiDetector
from govpilot.testing import fake_settings, make_test_platform

UPLOAD_LIMIT_MB = 0.05  # 52,428 bytes


@pytest.fixture
def platform(
    tmp_path: Path, glossary: Glossary, scripted_detector: PiiDetector
) -> Iterator[Platform]:
    models = {
        "fake": ScriptedModel(name="fake", responder=respond),
        "down": ScriptedModel(name="down"),
    }
    settings = fake_settings(tmp_path, department="HAD", max_upload_mb=UPLOAD_LIMIT_MB)
    platform = make_test_platform(
        settings, models=models, detector=scripted_detector, glossary=glossary
    )
    yield platform
    if platform.jobs is not None:
        platform.jobs.shutdown()
    platform.database.dispose()


@pytest.fixture
def jobs(platform: Platform) -> JobService:
    """The platform's job service with one worker running."""
    platform.jobs = platform.new_job_service(workers=1).start()
    return platform.jobs


@pytest.fixture
def idle_jobs(platform: Platform) -> JobService:
    """The platform's job service with no worker started: submitted jobs stay queued."""
    platform.jobs = platform.new_job_service()
    return platform.jobs


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
