"""The one django-tasks task: run a recorded job by its id (the job row holds everything else)."""

from django_tasks import task

from yuanmeng.jobs.services import job_execute


@task()
def run_job(job_id: int) -> None:
    job_execute(job_id)
