"""Reading projects: lists, participants, and the count the targets compare with."""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery

from yuanmeng.core.text import clean_search
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.scoping import within
from yuanmeng.projects.models import Project, ProjectParticipant, ProjectStatus


def count_for_targets(*, organisation, start: datetime.date, end: datetime.date) -> int:
    """Projects led within ``organisation``'s subtree that started in [start, end] and were not cancelled."""
    return (Project.objects.filter(within("lead__path", [organisation.path]), starts_on__range=(start, end))
            .exclude(status=ProjectStatus.CANCELLED).count())


def count_for_targets_many(organisations, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """``count_for_targets`` of each organisation at once: {organisation id: count} (one query; a target page's
    unions below)."""
    organisations = list(organisations)
    if not organisations:
        return {}
    counts = (Project.objects.filter(starts_on__range=(start, end)).exclude(status=ProjectStatus.CANCELLED)
              .aggregate(**{f"in_{org.pk}": Count("pk", filter=Q(lead__path__startswith=org.path))
                            for org in organisations}))
    return {org.pk: counts[f"in_{org.pk}"] for org in organisations}


def _named() -> Subquery:
    counted = (ProjectParticipant.objects.filter(project=OuterRef("pk")).order_by().values("project")
               .annotate(n=Count("*")).values("n"))
    return Subquery(counted, output_field=IntegerField())


def project_list(*, user, status: str = "", kind: str = "", search: str = ""):
    """The projects the user may see, newest first, with their lead and ``named`` (participants named); ``search``:
    the start of the name."""
    projects = Project.objects.restrict(user).select_related("lead").annotate(named=_named())
    if status:
        projects = projects.filter(status=status)
    if kind:
        projects = projects.filter(kind=kind)
    if search := clean_search(search):
        projects = projects.filter(name__istartswith=search)  # a prefix: project_name_upper_prefix serves it
    return projects


def partner_candidates(user):
    """The organisations the user may name as a project's partners: any school or training provider (they work
    across areas), and any other organisation within the user's sight."""
    return Organisation.objects.filter(Q(kind__in=(OrgKind.SCHOOL, OrgKind.PROVIDER))
                                       | Q(pk__in=Organisation.objects.restrict(user).values("pk")))


def participants(project: Project):
    """The workers named in a project, as added (their masked numbers only)."""
    return (project.participants.select_related("worker__employer__organisation").order_by("-id")
            .values("id", "worker__name", "worker__id_number_masked", "worker__employer__organisation__name",
                    "added_at"))
