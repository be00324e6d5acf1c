"""Which priority groups a worker belongs to, and so where they rank under a policy."""

import datetime

from yuanmeng.people.models import HonourLevel, JobCategory, Worker
from yuanmeng.policies.models import PriorityGroup

NEW_GENERATION_MAX_AGE = 35
INDUSTRIAL_JOBS = (JobCategory.FRONT_LINE_PRODUCTION, JobCategory.MANUFACTURING)
MODEL_WORKER_LEVELS = (HonourLevel.CITY, HonourLevel.PROVINCE, HonourLevel.NATIONAL)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def worker_groups(worker: Worker, on: datetime.date) -> set[str]:
    groups = set()
    if worker.model_worker_level in MODEL_WORKER_LEVELS:
        groups.add(PriorityGroup.MODEL_WORKER)
    if worker.labour_medal_level:
        groups.add(PriorityGroup.LABOUR_MEDAL)
    if worker.job_category in INDUSTRIAL_JOBS:
        groups.add(PriorityGroup.FRONT_LINE)
        if age_on(worker.birth_date, on) <= NEW_GENERATION_MAX_AGE:
            groups.add(PriorityGroup.NEW_GENERATION)
    if worker.is_new_employment_form:
        groups.add(PriorityGroup.NEW_EMPLOYMENT_FORM)
    if worker.is_migrant_worker:
        groups.add(PriorityGroup.MIGRANT)
    return groups


def priority_of(worker: Worker, order: list[str], on: datetime.date) -> tuple[str, int]:
    """The worker's first group in the policy's order, and its rank (0 is first; no group ranks last)."""
    groups = worker_groups(worker, on)
    for rank, group in enumerate(order):
        if group in groups:
            return group, rank
    return "", len(order)
