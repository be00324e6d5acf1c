"""The reviewers' queue, the API's application list and the rosters as spreadsheets.

Identity numbers in an application list are masked for every role, as in the API: the worker list is where a
role that may see them reads them in full.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuanmeng.applications import selectors
from yuanmeng.applications.review import queue_for, review_filters
from yuanmeng.applications.workflow import State
from yuanmeng.core.exports import Column, ListExport, param_choice, param_int, register
from yuanmeng.orgs.roles import Capability
from yuanmeng.policies.models import Level, PriorityGroup


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


APPLICATION_COLUMNS = [
    Column("#", lambda a: a.pk, 8), Column(_("Worker"), lambda a: a.worker.name),
    Column(_("Identity number"), lambda a: a.worker.id_number_masked, 22),  # masked for every role here
    Column(_("Enterprise"), lambda a: a.organisation.name, 30),
    Column(_("Area"), lambda a: a.organisation.parent and a.organisation.parent.name, 20),
    Column(_("Policy"), lambda a: a.policy.code), Column(_("Level"), lambda a: a.get_level_display()),
    Column(_("School"), lambda a: a.school.organisation.name, 24), Column(_("Major"), lambda a: a.major, 20),
    Column(_("Priority group"), lambda a: PriorityGroup(a.priority_group).label if a.priority_group else ""),
    Column(_("Submitted at"), lambda a: _local(a.submitted_at), 18),
    Column(_("State"), lambda a: a.get_state_display(), 18),
    Column(_("diploma certificate number"), lambda a: a.certificate_number, 22),
]


def _date(params, key: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(params.get(key, ""))
    except ValueError:
        return None


def queue_rows(user, params):
    """The review queue's filters (``state``, ``org``, ``level``, ``priority_group``, ``from``, ``to``, ``q``)."""
    return queue_for(user, review_filters(user, params, with_areas=False))


def api_application_rows(user, params):
    """``GET /api/applications``'s parameters, read back from text (the API endpoint has checked them)."""
    return selectors.application_search(
        user=user, state=param_choice(params, "state", State), level=param_choice(params, "level", Level),
        policy_id=param_int(params, "policy_id"), organisation_id=param_int(params, "organisation_id"),
        worker_id=param_int(params, "worker_id"), priority_group=param_choice(params, "priority_group", PriorityGroup),
        submitted_from=_date(params, "submitted_from"), submitted_to=_date(params, "submitted_to"))


register(ListExport(name="applications", title=_("Applications"), filename="applications",
                    columns=lambda user: APPLICATION_COLUMNS, rows=queue_rows, capability=Capability.VIEW))
register(ListExport(name="api-applications", title=_("Applications"), filename="applications",
                    columns=lambda user: APPLICATION_COLUMNS, rows=api_application_rows))

ROSTER_COLUMNS = [
    Column(_("School"), lambda r: r.school.organisation.name, 24), Column(_("File"), lambda r: r.file_name, 30),
    Column(_("Uploaded at"), lambda r: _local(r.uploaded_at), 18), Column(_("Graduates"), lambda r: r.rows),
    Column(_("Verified"), lambda r: r.matched), Column(_("Differences"), lambda r: r.mismatched),
]

register(ListExport(name="rosters", title=_("Graduate rosters"), filename="rosters",
                    columns=lambda user: ROSTER_COLUMNS, rows=lambda user, params: selectors.roster_list(user=user),
                    capability=Capability.MANAGE_ROSTERS))
