"""Reads of training orders, teachers, sessions and the training report, shared by pages, API and exports; always
scoped to the caller (``restrict``): an enterprise union sees its own orders, a district or city union those of
the enterprises below it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.errors import PermissionDenied
from yuanmeng.orgs.models import Organisation, path_ids
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.selectors import child_containing
from yuanmeng.training.models import Place
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders.models import Attendance, Participant, Session, Teacher, TrainingOrder
from yuanmeng.training_orders.services import assignable_teacher_ids, may_put_on
from yuanmeng.training_orders.workflow import State


def order_list(*, user, state: str = "", skill_category: str = ""):
    """Orders in the user's scope, newest first (the ``(organisation, -id)`` index serves a scoped page)."""
    orders = TrainingOrder.objects.restrict(user).select_related("organisation", "school", "taken_by")
    if state:
        orders = orders.filter(state=state)
    if skill_category:
        orders = orders.filter(skill_category=skill_category)
    return orders.order_by("-id")


def order_detail(*, user, order_id: int) -> TrainingOrder | None:
    return order_list(user=user).filter(pk=order_id).first()


def order_sessions(order: TrainingOrder):
    return (order.sessions.select_related("teacher").annotate(present=Count("attendances"))
            .order_by("date", "starts_at", "id"))


def participant_to_remove(*, user, participant_id: int) -> Participant:
    """A participant of an order the user sees (else 404), whom they may take off it (else 403: the enterprise or
    the union that takes its orders)."""
    participant = get_object_or_404(Participant.objects.filter(order__in=order_list(user=user).values("pk"))
                                    .select_related("order__organisation", "worker"), pk=participant_id)
    if not may_put_on(user, participant.order):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    return participant


def order_participants(order: TrainingOrder):
    return order.participants.select_related("worker").annotate(attended=Count("attendances")).order_by("id")


def teacher_list(*, user, skill_category: str = ""):
    teachers = Teacher.objects.restrict(user).select_related("organisation", "school")
    if skill_category:
        # the list's text holds the key in quotes, on both databases (SQLite has no JSON containment)
        teachers = teachers.filter(specialities__icontains=f'"{skill_category}"')
    return teachers.order_by("name", "id")


def teachers_for_order(order: TrainingOrder, school: Organisation | None = None, schools=None):
    """The teachers the union may send on this order: of the libraries of the unions above it and of its school
    (or of ``school``, the one being assigned with them, or of any of ``schools``, those the form offers)."""
    keepers = Q(organisation_id__in=assignable_teacher_ids(order, school))
    if schools is not None:
        keepers |= Q(organisation__in=schools.values("pk"))
    return Teacher.objects.filter(keepers, is_active=True).select_related("school").order_by("name", "id")


def schools_for_keeper(keeper: Organisation):
    """The schools a teacher of ``keeper``'s library may belong to (``services.school_fits``): the keeper itself when
    a school, else the schools and providers under it or under a union above it."""
    return schools_for_keepers([keeper.path])


def schools_for_keepers(paths: list[str] | None):
    """The schools that fit a keeper in one of the subtrees at ``paths`` (a user's roots; None: everywhere)."""
    if paths is None:
        return Organisation.objects.filter(kind__in=("school", "provider"), is_active=True).order_by("name")
    above, within = set(), Q()
    for path in paths:
        above.update(path_ids(path))
        within |= Q(path__startswith=path)
    if not above:
        return Organisation.objects.none()
    return Organisation.objects.filter(Q(parent_id__in=above) | within, kind__in=("school", "provider"),
                                       is_active=True).order_by("name")


def schools_for_order(order: TrainingOrder):
    """Schools and providers of the unions above the enterprise (its city's, its province's)."""
    return Organisation.objects.filter(kind__in=("school", "provider"), parent_id__in=order.organisation.path_ids(),
                                       is_active=True).order_by("name")


def places_for_order(organisation: Organisation, school_id: int | None = None):
    """Open training places of the unions above the enterprise (and of the order's school): where it may train."""
    owners = organisation.path_ids() + ([school_id] if school_id else [])
    return Place.objects.filter(owner_id__in=owners, is_active=True).order_by("name", "id")


def teacher_sessions(teacher: Teacher, *, user, since: datetime.date):
    """The teacher's coming sessions, each with its order's topic where ``user`` may read that order (else None):
    a school's teacher also teaches on orders of unions its staff do not see."""
    readable = TrainingOrder.objects.restrict(user).filter(pk=OuterRef("order_id"))
    return (Session.objects.filter(teacher=teacher, date__gte=since)
            .annotate(topic=Subquery(readable.values("topic")[:1])).order_by("date", "starts_at"))


# ---- the report: sessions held, workers trained, hours -----------------------------------------------------------

GROUPINGS = {
    "enterprise": _("Enterprise"),
    "district": _("District"),
    "skill_category": _("Skill category"),
}


@dataclass(frozen=True)
class ReportRow:
    key: object
    label: str
    sessions: int
    workers: int
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass(frozen=True)
class Report:
    """The report's total, and its rows as a grouped query (most workers first) to read whole (``rows``: the
    export, the API) or a page at a time (``rows_of``: the page; a city's enterprises are many)."""

    organisation: Organisation
    group_by: str
    since: datetime.date
    until: datetime.date
    total: ReportRow
    grouped: QuerySet
    labels: Callable[[list], dict]

    @property
    def rows(self) -> list[ReportRow]:
        return self.rows_of(self.grouped)

    def rows_of(self, grouped) -> list[ReportRow]:
        grouped = list(grouped)
        names = self.labels([r["group"] for r in grouped])
        return [ReportRow(r["group"], names.get(r["group"], str(r["group"])), r["sessions"], r["workers"],
                          r["minutes"] or 0) for r in grouped]


def report_organisation(user, organisation_id: int | None) -> Organisation | None:
    """The union whose subtree the report covers: one the user sees (default: the highest where they hold VIEW)."""
    unions = Organisation.objects.restrict(user).exclude(kind__in=("school", "provider"))
    if organisation_id:
        return unions.filter(pk=organisation_id).first()
    return unions.order_by("depth", "pk").first()


def training_report(*, user, organisation: Organisation, group_by: str, since: datetime.date,
                    until: datetime.date) -> Report:
    """Sessions held (with attendance recorded), workers trained (distinct) and learning hours of the orders in the
    user's scope under ``organisation``, by ``group_by`` (enterprise, district: the organisation's child that holds
    the enterprise, skill category), for the sessions dated ``since``–``until``. Two grouped queries: the rows and
    the total (workers are distinct across groups only in the total)."""
    attended = Attendance.objects.filter(
        session__order__in=TrainingOrder.objects.restrict(user).filter(
            organisation__in=Organisation.objects.filter(path__startswith=organisation.path).values("pk")).values("pk"),
        session__date__gte=since, session__date__lte=until)
    measures = {"sessions": Count("session", distinct=True), "workers": Count("participant__worker", distinct=True),
                "minutes": Sum("session__minutes")}
    total = attended.aggregate(**measures)
    labels, key = _grouping(group_by, organisation)
    grouped = attended.annotate(group=key).values("group").annotate(**measures).order_by("-workers", "group")
    return Report(organisation, group_by, since, until,
                  ReportRow(None, str(_("Total")), total["sessions"], total["workers"], total["minutes"] or 0),
                  grouped, labels)


def _grouping(group_by: str, organisation: Organisation):
    """(the labels of some rows' group keys: {key: label}, the grouping's expression)."""
    if group_by == "skill_category":
        return (lambda keys: {key: str(SkillCategory(key).label) for key in keys if key in SkillCategory.values},
                F("session__order__skill_category"))
    if group_by == "district":
        children = list(organisation.children.order_by("name"))
        names = {child.pk: child.name for child in children}
        return (lambda keys: {key: names.get(key, organisation.name) for key in keys},
                child_containing(children, "session__order__organisation__path"))
    return (lambda keys: dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name")),
            F("session__order__organisation"))


def waiting_orders(*, user):
    """Requested orders a union may take (TAKE_TRAINING_ORDERS), oldest first."""
    return (TrainingOrder.objects.restrict(user, Capability.TAKE_TRAINING_ORDERS).filter(state=State.REQUESTED)
            .select_related("organisation").order_by("id"))


def report_unions(user):
    """Unions the report can be drawn for (the filter's choices): those the user sees, down to districts."""
    return (Organisation.objects.restrict(user).filter(kind__in=("national", "province", "city", "district"))
            .order_by("depth", "name")[:200])
