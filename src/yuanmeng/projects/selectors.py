"""Reading projects: lists, participants, and the count the targets compare with."""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery

from yuanmeng.core.text import clean_search
from yuanmeng.orgs.scoping import within
from yuanmeng.projects.models import Project, ProjectParticipant, ProjectStatus


def count_for_targets(*, organisation, start: datetime.date, end: datetime.date) -> int:
    """Projects led within ``organisation``'s subtree that started in [start, end] and were not cancelled."""
    return (Project.objects.filter(within("lead__path", [organisation.path]), starts_on__range=(start, end))
            .exclude(status=ProjectStatus.CANCELLED).count())


def _named() -> Subquery:
    counted = (ProjectParticipant.objects.filter(project=OuterRef("pk")).order_by().values("project")
               .annotate(n=Count("*")).values("n"))
    return Subquery(counted, output_field=IntegerField())


def project_list(*, user, status: str = "", kind: str = "", search: str = ""):
    """The projects the user may see, newest first, with their lead and ``named`` (participants named)."""
    projects = Project.objects.restrict(user).select_related("lead").annotate(named=_named())
    if status:
        projects = projects.filter(status=status)
    if kind:
        projects = projects.filter(kind=kind)
    if search := clean_search(search):
        projects = projects.filter(name__icontains=search)
    return projects


def participants(project: Project):
    """The workers named in a project, as added (their masked numbers only)."""
    return (project.participants.select_related("worker__employer__organisation").order_by("-id")
            .values("worker__name", "worker__id_number_masked", "worker__employer__organisation__name", "added_at"))
