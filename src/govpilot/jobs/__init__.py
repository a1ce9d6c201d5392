"""Copilot jobs: translate, summarise, draft and redact run in the background with progress."""

from govpilot.jobs.kinds import JobTools
from govpilot.jobs.models import JOB_KINDS, Job, JobResult
from govpilot.jobs.service import JobService

__all__ = ["JOB_KINDS", "Job", "JobResult", "JobService", "JobTools"]
