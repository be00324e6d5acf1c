"""Reading projects: lists, one project, and the count the targets compare with."""

import datetime

from django.db.models import Count

from yuanmeng.orgs.scoping import within
from yuanmeng.projects.models import Project, ProjectStatus


def count_for_targets(*, organisation, start: datetime.date, end: datetime.date) -> int:
    """Projects led within ``organisation``'s subtree that started in [start, end] and were not cancelled."""
    return (Project.objects.filter(within("lead__path", [organisation.path]), starts_on__range=(start, end))
            .exclude(status=ProjectStatus.CANCELLED).count())


def project_list(*, user, status: str = "", kind: str = "", search: str = ""):
    """The projects the user may see, newest first, with their lead organisation and named participant count."""
    projects = Project.objects.restrict(user).select_related("lead")
    if status:
        projects = projects.filter(status=status)
    if kind:
        projects = projects.filter(kind=kind)
    if search:
        projects = projects.filter(name__icontains=search)
    return projects


def project_detail(*, user, pk) -> Project:
    """One project the user may see (404 outside) with its partners and named participant count."""
    from yuanmeng.core.access import get_for_action
    from yuanmeng.orgs.roles import Capability

    visible = Project.objects.restrict(user).select_related("lead").annotate(named=Count("participants"))
    return get_for_action(visible, pk, user=user, capability=Capability.VIEW)
