"""What each rollup sums, at the organisation that holds the rows (an application's enterprise union, a budget's
union): one or more SELECTs per rollup, whose columns are, in order, the organisation, the rollup's keys and its
measures. ``services.stats_refresh`` sums them up the tree.

To add a figure: a model in ``models.py`` (organisation, year, keys, measures), a ``Rollup`` here with the SELECTs
of its rows, and its reading in ``selectors.py`` (docs/development.md, "The stats app").
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate

from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.workflow import Action, State
from yuanmeng.funds.models import Budget
from yuanmeng.orgs.models import Enterprise
from yuanmeng.people.models import Worker
from yuanmeng.stats.models import (
    DurationRollup,
    FunnelRollup,
    IntakeRollup,
    MoneyRollup,
    RegistryRollup,
    WorkerRollup,
)

S = State
# An application counts as approved from the city's approval on, as graduated once its diploma is verified, as paid
# once the bank paid it; withdrawn and rejected ones count only as applying (the funnel says where they left).
APPROVED = (S.APPROVED, S.DIPLOMA_SUBMITTED, S.DIPLOMA_RETURNED, S.DIPLOMA_VERIFIED, S.IN_BATCH, S.PAID)
GRADUATED = (S.DIPLOMA_VERIFIED, S.IN_BATCH, S.PAID)
# The funnel's steps, in order, and the drop-outs.
FUNNEL_STEPS = (S.SUBMITTED, S.CONFIRMED, S.REVIEWED, S.APPROVED, S.DIPLOMA_SUBMITTED, S.DIPLOMA_VERIFIED,
                S.IN_BATCH, S.PAID)
DROP_OUTS = (S.WITHDRAWN, S.REJECTED)
# The steps timed: the state an application waits in for a decision, and from the diploma's verification to the
# money ("diploma_to_money").
TIMED_STEPS = (S.SUBMITTED, S.CONFIRMED, S.REVIEWED, S.DIPLOMA_SUBMITTED)
DIPLOMA_TO_MONEY = "diploma_to_money"
DAY = 86_400
YES, NO = "yes", "no"
# Age bands by the age reached in the policy's year: (key, first age of the band); the pages label the keys.
AGE_BANDS = (("under_25", 0), ("25_34", 25), ("35_44", 35), ("45_54", 45), ("55_plus", 55))


@dataclass(frozen=True)
class Rollup:
    model: type
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    selects: Callable[[], list[tuple[str, list]]]


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _flag(lookup: str) -> Case:
    return Case(When(**{lookup: True}, then=_text(YES)), default=_text(NO), output_field=CharField())


AGE_BAND = Case(*[When(age_at_year__gte=start, then=_text(label)) for label, start in reversed(AGE_BANDS)],
                output_field=CharField())
# The workers' dimensions: what an application is counted by (people's attributes through its worker).
DIMENSIONS = {
    "level": F("level"),
    "programme_type": F("programme_type"),
    "priority_group": F("priority_group"),
    "industry": Coalesce(F("organisation__enterprise__industry"), _text("")),
    "migrant": _flag("worker__is_migrant_worker"),
    "new_employment_form": _flag("worker__is_new_employment_form"),
    "sex": F("worker__sex"),
    "age_band": AGE_BAND,
}


def positional(queryset: QuerySet, groups: list, measures: list) -> tuple[str, list]:
    """The SQL of ``queryset`` grouped by ``groups`` with ``measures``, its columns in that order (named c0, c1…
    inside, so that no name clashes with a field of the model)."""
    names = [f"c{i}" for i in range(len(groups) + len(measures))]
    grouped = queryset.order_by().values(**dict(zip(names[:len(groups)], groups, strict=True)))
    aggregated = grouped.annotate(**dict(zip(names[len(groups):], measures, strict=True)))
    sql, params = aggregated.query.sql_with_params()
    return f"SELECT {', '.join(names)} FROM ({sql}) own_rows", list(params)


def money_selects() -> list[tuple[str, list]]:
    return [positional(Budget.objects.all(), [F("organisation_id"), F("year"), F("source"), F("organisation__kind")],
                       [Sum("allocated_fen"), Sum("reserved_fen"), Sum("paid_fen")])]


def worker_selects() -> list[tuple[str, list]]:
    """One scan of the applications, grouped by every dimension at once (a cube far smaller than the data), then
    each dimension summed from the cube: a row per dimension and value."""
    applications = Application.objects.annotate(age_at_year=F("policy__year") - ExtractYear("worker__birth_date"))
    measures = [Count("id"), Count("id", filter=Q(state__in=APPROVED)), Count("id", filter=Q(state__in=GRADUATED)),
                Count("id", filter=Q(state=S.PAID))]
    cube, params = positional(applications, [F("organisation_id"), F("policy__year"), *DIMENSIONS.values()], measures)
    names = list(DIMENSIONS)
    dimension = " UNION ALL ".join(f"SELECT '{name}' AS name" for name in names)
    value = "CASE d.name " + " ".join(f"WHEN '{name}' THEN c{2 + i}" for i, name in enumerate(names)) + " END"
    sums = ", ".join(f"SUM(c{2 + len(names) + i}) AS m{i}" for i in range(len(measures)))
    return [(f"SELECT c0, c1, d.name, {value} AS value, {sums} FROM ({cube}) cube CROSS JOIN ({dimension}) d "
             "GROUP BY 1, 2, 3, 4", params)]


def funnel_selects() -> list[tuple[str, list]]:
    events = ApplicationEvent.objects
    by_application = [F("application__organisation_id"), F("application__policy__year")]
    applications = [Count("application_id", distinct=True)]
    return [positional(events.filter(to_state__in=FUNNEL_STEPS), [*by_application, _text("reached"), F("to_state")],
                       applications),
            positional(events.filter(to_state__in=DROP_OUTS), [*by_application, F("to_state"), F("from_state")],
                       applications)]


def _whole_days(later: str, earlier: str) -> str:
    """Whole days between two times, by whole seconds, alike on both databases."""
    if connection.vendor == "postgresql":
        return f"((FLOOR(EXTRACT(EPOCH FROM {later})) - FLOOR(EXTRACT(EPOCH FROM {earlier})))::bigint / {DAY})"
    return f"((CAST(strftime('%%s', {later}) AS INTEGER) - CAST(strftime('%%s', {earlier}) AS INTEGER)) / {DAY})"


def duration_selects() -> list[tuple[str, list]]:
    """The time at each review step (from the move into a state to the move out of it, whatever the decision),
    and from the diploma's (last) verification to the payment."""
    steps = ", ".join(["%s"] * len(TIMED_STEPS))
    at_steps = f"""
        SELECT a.organisation_id, p.year, e.from_state, {_whole_days("e.at", "e.since")} AS days, COUNT(*)
        FROM (SELECT application_id, from_state, at,
                     LAG(at) OVER (PARTITION BY application_id ORDER BY at, id) AS since
              FROM applications_applicationevent) e
        JOIN applications_application a ON a.id = e.application_id
        JOIN policies_policy p ON p.id = a.policy_id
        WHERE e.since IS NOT NULL AND e.from_state IN ({steps})
        GROUP BY a.organisation_id, p.year, e.from_state, days"""
    to_money = f"""
        SELECT a.organisation_id, p.year, %s, {_whole_days("paid.at", "verified.at")} AS days, COUNT(*)
        FROM applications_applicationevent paid
        JOIN (SELECT application_id, MAX(at) AS at FROM applications_applicationevent WHERE action = %s
              GROUP BY application_id) verified ON verified.application_id = paid.application_id
        JOIN applications_application a ON a.id = paid.application_id
        JOIN policies_policy p ON p.id = a.policy_id
        WHERE paid.to_state = %s
        GROUP BY a.organisation_id, p.year, days"""
    return [(at_steps, list(TIMED_STEPS)), (to_money, [DIPLOMA_TO_MONEY, Action.VERIFY_DIPLOMA, S.PAID])]


def intake_selects() -> list[tuple[str, list]]:
    applied = positional(Application.objects.all(),
                         [F("organisation_id"), F("policy__year"), F("policy_id"), TruncDate("submitted_at")],
                         [Count("id"), Value(0)])
    approvals = ApplicationEvent.objects.filter(action=Action.APPROVE)
    approved = positional(approvals, [F("application__organisation_id"), F("application__policy__year"),
                                      F("application__policy_id"), TruncDate("at")], [Value(0), Count("id")])
    return [applied, approved]


# The registry's worker counts, as the home page's summary names them.
REGISTERED_WORKERS = {
    "workers": Count("id"),
    "migrants": Count("id", filter=Q(is_migrant_worker=True)),
    "new_form": Count("id", filter=Q(is_new_employment_form=True)),
    "honoured": Count("id", filter=~Q(model_worker_level="") | ~Q(labour_medal_level="")),
    "with_bank": Count("id", filter=~Q(bank_account_masked="")),
}


def registry_selects() -> list[tuple[str, list]]:
    """Workers at their employer's union (those without an employer belong to no subtree) and enterprises at their
    own: one scan of each."""
    zeros = [Value(0)] * len(REGISTERED_WORKERS)
    return [positional(Worker.objects.filter(employer__isnull=False), [F("employer__organisation_id")],
                       [*REGISTERED_WORKERS.values(), Value(0)]),
            positional(Enterprise.objects.all(), [F("organisation_id")], [*zeros, Count("id")])]


# Each figure of the dashboards and the rollup it is read from.
ROLLUPS = {
    "money": Rollup(MoneyRollup, ("year", "source", "holder_kind"), ("budgeted_fen", "reserved_fen", "paid_fen"),
                    money_selects),
    "workers": Rollup(WorkerRollup, ("year", "dimension", "value"), ("applying", "approved", "graduated", "paid"),
                      worker_selects),
    "funnel": Rollup(FunnelRollup, ("year", "outcome", "state"), ("applications",), funnel_selects),
    "durations": Rollup(DurationRollup, ("year", "step", "days"), ("applications",), duration_selects),
    "intake": Rollup(IntakeRollup, ("year", "policy_id", "day"), ("applicants", "approvals"), intake_selects),
    "registry": Rollup(RegistryRollup, (), (*REGISTERED_WORKERS, "enterprises"), registry_selects),
}
