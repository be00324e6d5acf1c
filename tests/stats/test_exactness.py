"""Every figure of the rollups equals the direct count over the data, after any changes made through the services
(issue 13, "Must show"), on SQLite and PostgreSQL."""

import datetime
import math
from collections import Counter, defaultdict
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.builders import id_number
from tests.payouts.test_results import result_file, row
from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.services import application_resubmit, application_submit_diploma, application_transition
from yuanmeng.applications.workflow import Action, State
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.models import Enterprise, Organisation, OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.models import Batch, BatchStatus, PaymentLine
from yuanmeng.payouts.services import batch_approve, result_import, round_commit
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import Level
from yuanmeng.stats.rollups import APPROVED, DIPLOMA_TO_MONEY, DROP_OUTS, FUNNEL_STEPS, GRADUATED, TIMED_STEPS
from yuanmeng.stats.selectors import FIGURES, REGISTRY_COUNTS, figure_for, percentile, registry_for
from yuanmeng.stats.services import stats_refresh

pytestmark = pytest.mark.django_db
_serial = count(1)
MOVES = [Action.CONFIRM, Action.REVIEW, Action.APPROVE, Action.RETURN, Action.REJECT, Action.WITHDRAW,
         Action.SUBMIT_DIPLOMA, Action.VERIFY_DIPLOMA, Action.RESUBMIT]
BIRTHS = ["19700101", "19850615", "19950301", "20010910"]
STEPS = st.lists(st.one_of(
    st.tuples(st.just("register"), st.integers(0, 1), st.sampled_from(BIRTHS), st.booleans(), st.booleans()),
    st.tuples(st.just("apply"), st.integers(0, 9), st.sampled_from(list(Level.values))),
    st.tuples(st.just("move"), st.integers(0, 9), st.sampled_from(MOVES)),
    st.tuples(st.just("round")),
    st.tuples(st.just("pay"), st.booleans()),
), max_size=30)

# The whole way to the money, a failed payment (its account refused: not drawn again), a return, drop-outs.
FULL_STORY = [
    ("register", 0, BIRTHS[0], True, False), ("register", 1, BIRTHS[2], False, True), ("register", 0, BIRTHS[3],
                                                                                       False, False),
    ("apply", 0, Level.COLLEGE), ("apply", 1, Level.BACHELOR), ("apply", 2, Level.COLLEGE),
    *[("move", i, action) for action in (Action.CONFIRM, Action.REVIEW, Action.APPROVE, Action.SUBMIT_DIPLOMA,
                                         Action.VERIFY_DIPLOMA) for i in (0, 1)],
    ("move", 2, Action.RETURN), ("move", 2, Action.RESUBMIT), ("move", 2, Action.CONFIRM), ("move", 2, Action.REJECT),
    ("round",), ("pay", False), ("round",), ("pay", True), ("apply", 2, Level.COLLEGE), ("move", 3, Action.WITHDRAW),
]


class Scene:
    """The tree's two enterprises, a city policy, a city budget and a district's matching budget, and a user for
    each step of the workflow."""

    def __init__(self, tree):
        self.tree = tree
        self.firms = [tree.tianhe_firm, tree.haizhu_firm]
        self.officers = [tree.staff(Role.ENTERPRISE_OFFICER, firm.organisation) for firm in self.firms]
        self.reviewers = [tree.staff(Role.DISTRICT_REVIEWER, district) for district in (tree.tianhe, tree.haizhu)]
        self.admin = tree.staff(Role.CITY_ADMIN, tree.city)
        self.finance = tree.staff(Role.FINANCE_OFFICER, tree.city)
        self.policy = tree.policy()
        self.budget = budget_create(by=self.admin, organisation=tree.city, year=self.policy.year,
                                    source=FundSource.SPECIAL, name="市总专项", amount_fen=10_000_000)
        budget_create(by=self.admin, organisation=tree.tianhe, year=self.policy.year, source=FundSource.MATCHING,
                      name="天河配套", amount_fen=200_000)
        self.workers = []
        self.applications = []

    def run(self, step) -> None:
        kind, *args = step
        try:
            with transaction.atomic():
                getattr(self, kind)(*args)
        except (ValidationError, PermissionDenied):
            pass  # a refused change leaves nothing behind

    def register(self, firm: int, birth: str, migrant: bool, new_form: bool) -> None:
        self.workers.append(self.tree.member(employer=self.firms[firm], id_number=id_number(birth=birth),
                                             is_migrant_worker=migrant, is_new_employment_form=new_form))

    def apply(self, index: int, level: str) -> None:
        if self.workers:
            worker = self.workers[index % len(self.workers)]
            self.applications.append(self.tree.apply(worker, self.policy, level=level).pk)

    def move(self, index: int, action: str) -> None:
        if not self.applications:
            return
        application = Application.objects.get(pk=self.applications[index % len(self.applications)])
        applicant = application.worker.user
        if action == Action.SUBMIT_DIPLOMA:
            application_submit_diploma(by=applicant, application=application,
                                       certificate_number=f"C{next(_serial):010d}",
                                       graduation_date=datetime.date.today())
            return
        if action == Action.RESUBMIT:
            application_resubmit(by=applicant, application=application)
            return
        for by in (applicant, *self.officers, *self.reviewers, self.admin):
            try:
                with transaction.atomic():
                    application_transition(by=by, application=application, action=action, reason="原因",
                                           checked_by_hand=True)
                return
            except PermissionDenied:
                continue

    def round(self) -> None:
        self.budget.refresh_from_db()
        round_commit(by=self.admin, policy=self.policy, budget=self.budget, limit_fen=self.budget.available_fen,
                     code=f"R{next(_serial)}")

    def pay(self, all_paid: bool) -> None:
        for batch in Batch.objects.filter(status=BatchStatus.AWAITING_APPROVAL):
            batch_approve(by=self.finance, batch=batch)
        for batch in Batch.objects.filter(status=BatchStatus.APPROVED, result_imports__isnull=True):
            lines = PaymentLine.objects.filter(batch=batch).order_by("rank")
            rows = [row(line, "成功" if all_paid or n % 2 else "失败", "" if all_paid or n % 2 else "账户不存在")
                    for n, line in enumerate(lines)]
            result_import(by=self.finance, batch=batch, upload=result_file(rows))


def within(organisation: Organisation, path: str) -> bool:
    return path.startswith(organisation.path)


def direct_money(organisation: Organisation, year: int) -> list[dict]:
    sums = defaultdict(lambda: [0, 0, 0])
    for budget in Budget.objects.filter(year=year).select_related("organisation"):
        if within(organisation, budget.organisation.path):
            totals = sums[budget.source, budget.organisation.kind]
            for i, value in enumerate((budget.allocated_fen, budget.reserved_fen, budget.paid_fen)):
                totals[i] += value
    return [{"source": source, "holder_kind": kind, "budgeted_fen": b, "reserved_fen": r, "paid_fen": p,
             "available_fen": b - r - p}
            for (source, kind), (b, r, p) in sorted(sums.items(), key=lambda item: (
                item[0][0], list(OrgKind.values).index(item[0][1])))]


def _applications(organisation: Organisation, year: int) -> list[Application]:
    return [a for a in Application.objects.filter(policy__year=year).select_related(
        "worker", "organisation__enterprise", "policy") if within(organisation, a.organisation.path)]


def _age_band(age: int) -> str:
    return "under_25" if age < 25 else "25_34" if age < 35 else "35_44" if age < 45 else "45_54" if age < 55 else \
        "55_plus"


def direct_workers(organisation: Organisation, year: int) -> list[dict]:
    counts = defaultdict(lambda: [0, 0, 0, 0])
    for a in _applications(organisation, year):
        yes = {True: "yes", False: "no"}
        values = {"level": a.level, "programme_type": a.programme_type, "priority_group": a.priority_group,
                  "industry": a.organisation.enterprise.industry, "migrant": yes[a.worker.is_migrant_worker],
                  "new_employment_form": yes[a.worker.is_new_employment_form], "sex": a.worker.sex,
                  "age_band": _age_band(a.policy.year - a.worker.birth_date.year)}
        for dimension, value in values.items():
            measures = counts[(dimension, value)]
            for i, holds in enumerate((True, a.state in APPROVED, a.state in GRADUATED, a.state == State.PAID)):
                measures[i] += holds
    return sorted(({"dimension": d, "value": v, "applying": m[0], "approved": m[1], "graduated": m[2],
                    "paid": m[3]} for (d, v), m in counts.items()), key=lambda r: (r["dimension"], r["value"]))


def _events(organisation: Organisation, year: int) -> dict[int, list[ApplicationEvent]]:
    ids = {a.pk for a in _applications(organisation, year)}
    events = defaultdict(list)
    for event in ApplicationEvent.objects.filter(application_id__in=ids).order_by("at", "id"):
        events[event.application_id].append(event)
    return events


def direct_funnel(organisation: Organisation, year: int) -> dict:
    reached, dropped = Counter(), Counter()
    for history in _events(organisation, year).values():
        reached.update({e.to_state for e in history if e.to_state in FUNNEL_STEPS})
        dropped.update({(e.to_state, e.from_state) for e in history if e.to_state in DROP_OUTS})
    return {"steps": [{"state": s, "reached": reached[s]} for s in FUNNEL_STEPS],
            "drop_outs": [{"outcome": o, "state": s, "applications": n} for (o, s), n in sorted(dropped.items())]}


def _days(later: datetime.datetime, earlier: datetime.datetime) -> int:
    return (math.floor(later.timestamp()) - math.floor(earlier.timestamp())) // 86_400


def percentile_cont(values: list[int], fraction: float) -> float | None:
    if not values:
        return None
    ordered, position = sorted(values), fraction * (len(values) - 1)
    lower, upper = ordered[math.floor(position)], ordered[math.ceil(position)]
    return lower + (upper - lower) * (position - math.floor(position))


def direct_durations(organisation: Organisation, year: int) -> list[dict]:
    days = defaultdict(list)
    for history in _events(organisation, year).values():
        for before, event in zip(history, history[1:], strict=False):
            if event.from_state in TIMED_STEPS:
                days[event.from_state].append(_days(event.at, before.at))
        paid = [e for e in history if e.to_state == State.PAID]
        verified = [e for e in history if e.action == Action.VERIFY_DIPLOMA]
        if paid and verified:
            days[DIPLOMA_TO_MONEY].append(_days(paid[0].at, verified[-1].at))
    return [{"step": step, "applications": len(days[step]), "median_days": percentile_cont(days[step], 0.5),
             "p90_days": percentile_cont(days[step], 0.9)} for step in (*TIMED_STEPS, DIPLOMA_TO_MONEY)]


def direct_intake(organisation: Organisation, year: int) -> list[dict]:
    counts = defaultdict(lambda: [0, 0])
    applications = _applications(organisation, year)
    for a in applications:
        counts[(a.policy_id, timezone.localdate(a.submitted_at))][0] += 1
    policy_of = {a.pk: a.policy_id for a in applications}
    for history in _events(organisation, year).values():
        for e in history:
            if e.action == Action.APPROVE:
                counts[(policy_of[e.application_id], timezone.localdate(e.at))][1] += 1
    return [{"policy_id": p, "day": d, "applicants": a, "approvals": b} for (p, d), (a, b) in sorted(counts.items())]


def direct_registry(organisation: Organisation) -> dict[str, int]:
    workers = [w for w in Worker.objects.select_related("employer__organisation")
               if w.employer and within(organisation, w.employer.organisation.path)]
    return {"workers": len(workers), "migrants": sum(w.is_migrant_worker for w in workers),
            "new_form": sum(w.is_new_employment_form for w in workers),
            "honoured": sum(bool(w.model_worker_level or w.labour_medal_level) for w in workers),
            "with_bank": sum(bool(w.bank_account_masked) for w in workers),
            "enterprises": sum(within(organisation, e.organisation.path)
                               for e in Enterprise.objects.select_related("organisation"))}


DIRECT = {"money": direct_money, "workers": direct_workers, "funnel": direct_funnel, "durations": direct_durations,
          "intake": direct_intake}


def read(user, figure: str, organisation: Organisation, year: int):
    total = figure_for(user, figure=figure, organisation_id=organisation.pk, year=year).total
    if figure == "workers":
        return sorted(total, key=lambda r: (r["dimension"], r["value"]))
    return total


@pytest.fixture
def scene(tree):
    return Scene(tree)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=FULL_STORY)
def test_every_figure_equals_the_direct_count_after_any_changes(scene, steps):
    scene.workers, scene.applications = [], []
    with transaction.atomic():
        for step in steps:
            scene.run(step)
        stats_refresh()
        year = scene.policy.year
        if steps == FULL_STORY:
            assert Counter(Application.objects.values_list("state", flat=True)) == {
                State.PAID: 1, State.DIPLOMA_VERIFIED: 1, State.REJECTED: 1, State.WITHDRAWN: 1}
        for organisation in Organisation.objects.all():
            for figure, direct in DIRECT.items():
                assert read(scene.tree.root_user, figure, organisation, year) == direct(organisation, year), \
                    (figure, organisation.code)
            registry = registry_for(scene.tree.root_user, organisation_id=organisation.pk)
            assert registry.total == direct_registry(organisation), organisation.code
        transaction.set_rollback(True)


def test_the_figures_of_a_year_without_data_are_empty(scene):
    stats_refresh()
    figures = figure_for(scene.tree.root_user, figure="workers", organisation_id=scene.tree.national.pk, year=1999)
    assert figures.total == [] and figures.as_of is not None
    assert set(FIGURES) == set(DIRECT)
    assert set(REGISTRY_COUNTS) == set(direct_registry(scene.tree.national))


@given(values=st.lists(st.integers(0, 60), max_size=40), fraction=st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0]))
def test_a_percentile_from_the_histogram_is_that_of_the_values(values, fraction):
    histogram = sorted(Counter(values).items())
    assert percentile(histogram, fraction) == percentile_cont(values, fraction)
