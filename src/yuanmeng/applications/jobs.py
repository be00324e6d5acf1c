"""Bulk decisions too large for one web request: a background task that decides them in steps, with progress.

The queue and the API decide up to ``BULK_DECISION_INLINE`` applications at once (set-based, one transaction);
more go to the task, which runs the same service over steps of that size (each step its own transaction) and
reports the applications done and those refused with their reasons.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yuanmeng.applications.services import BulkResult, applications_bulk_transition, bulk_decision_checked
from yuanmeng.applications.workflow import Action
from yuanmeng.core.errors import PermissionDenied, refusal_text
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler, job_submit

BULK_DECISION_JOB = "bulk_decision"
SHOWN_REFUSALS = 100  # the task's report lists the first refusals (the count says how many in all)


def bulk_decision_start(*, by, ids, action: str, reason: str = "",
                        seen_versions: dict[int, int] | None = None) -> BulkResult | Job:
    """Decide now (up to ``BULK_DECISION_INLINE`` applications), or queue the task and return it."""
    ids = list(dict.fromkeys(ids))
    if len(ids) <= settings.BULK_DECISION_INLINE:
        return applications_bulk_transition(by=by, ids=ids, action=action, reason=reason,
                                            seen_versions=seen_versions)
    reason = bulk_decision_checked(by, action, reason)  # refuse a bad request now, not in the task
    label = ngettext("%(action)s: %(n)d application", "%(action)s: %(n)d applications", len(ids)) % {
        "action": Action(action).label, "n": len(ids)}
    return job_submit(by=by, kind=BULK_DECISION_JOB, label=label, total=len(ids), params={
        "action": action, "reason": reason, "ids": ids,
        "versions": {str(pk): version for pk, version in (seen_versions or {}).items()}})


@handler(BULK_DECISION_JOB, may_download=lambda job, user: False)
def run_bulk_decision(job: Job, progress: Progress) -> Outcome:
    """Each step moves its applications together or, if they changed meanwhile, none (all reported refused)."""
    ids, step = job.params["ids"], settings.BULK_DECISION_INLINE
    versions = {int(pk): version for pk, version in job.params.get("versions", {}).items()}
    done, refused = 0, {}
    for start in range(0, len(ids), step):
        chunk = ids[start:start + step]
        try:
            result = applications_bulk_transition(by=job.owner, ids=chunk, action=job.params["action"],
                                                  reason=job.params["reason"], seen_versions=versions)
        except (ValidationError, PermissionDenied) as exc:  # e.g. the owner's role was taken away meanwhile
            refused.update(dict.fromkeys(chunk, refusal_text(exc)))
        else:
            done += len(result.done)
            refused.update(result.failed)
        progress(start + len(chunk), total=len(ids), errors=len(refused), phase=_("Deciding"))
    shown = sorted(refused.items())[:SHOWN_REFUSALS]
    return Outcome(result={"done": done, "refused": len(refused), "first_refusals": shown}, errors=len(refused))
