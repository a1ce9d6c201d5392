"""The job runtime: queued work run in the background with progress, within department limits.

What a job does is a capability's (`govpilot.jobs.work.JobWork`); the composition root
hands the service one.
"""

from govpilot.jobs.models import JOB_KINDS, Job, JobResult
from govpilot.jobs.service import JobService
from govpilot.jobs.work import JobOutput, JobWork

__all__ = ["JOB_KINDS", "Job", "JobOutput", "JobResult", "JobService", "JobWork"]
