"""The dashboards' figures at scale: the rollups' refresh, and the national dashboard read from them beside the
direct count queries it replaces (issue 13).

    .venv/bin/python bench/bench_stats.py [--applications 100000] [--postgres]

Builds a city of 11 districts and 50 enterprises under the national tree, N workers and their applications
(``bench_payouts.insert_applications``: INSERT … SELECT over a number series), spreads them over the workflow's
states, sexes, ages and flags, and writes four history rows each (submitted, confirmed, reviewed, approved, days
apart). Then it times ``stats_refresh`` (once: it is what runs every few minutes) and, as the median of repeats,
the five figures of the national union read from the rollups against the same figures counted directly over the
applications, events and budgets of the national subtree.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_foundation import City, configure, timed  # noqa: E402
from bench.bench_payouts import insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402

STATES = ["submitted", "confirmed", "reviewed", "approved", "diploma_submitted", "diploma_verified", "paid",
          "paid", "withdrawn", "rejected"]  # spread by id


def spread(connection) -> None:
    """States, sexes, ages and flags varied by id; four history rows per application, days apart."""
    state = "CASE " + " ".join(f"WHEN id %% {len(STATES)} = {i} THEN '{s}'" for i, s in enumerate(STATES)) + " END"
    days = ("{at} + ((id %% 9) * {k}) * INTERVAL '1 day'" if connection.vendor == "postgresql" else
            "datetime({at}, '+' || ((id %% 9) * {k}) || ' days')")
    birth = ("DATE '1970-01-01' + (id %% 12000)::int" if connection.vendor == "postgresql" else
             "date('1970-01-01', '+' || (id %% 12000) || ' days')")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE applications_application SET state = {state}, "
                       "level = CASE WHEN id %% 3 = 0 THEN 'bachelor' ELSE 'college' END", [])
        cursor.execute(f"UPDATE people_worker SET sex = CASE WHEN id %% 2 = 0 THEN 'F' ELSE 'M' END, "
                       "is_migrant_worker = (id %% 3 = 0), is_new_employment_form = (id %% 5 = 0), "
                       f"birth_date = {birth}", [])
        for k, (action, from_state, to_state) in enumerate([("submit", "", "submitted"),
                                                            ("confirm", "submitted", "confirmed"),
                                                            ("review", "confirmed", "reviewed"),
                                                            ("approve", "reviewed", "approved")]):
            cursor.execute(f"""
                INSERT INTO applications_applicationevent (application_id, action, from_state, to_state,
                    actor_label, role, reason, at)
                SELECT id, %s, %s, %s, 'bench', '', '', {days.format(at='submitted_at', k=k)}
                FROM applications_application""", [action, from_state, to_state])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def direct_figures(national, year: int) -> None:
    """The five figures of the national union counted over the data: what a dashboard without rollups runs."""
    from django.db.models import Count, F, Q, Sum
    from django.db.models.functions import TruncDate

    from yuanmeng.applications.models import Application, ApplicationEvent
    from yuanmeng.core.sql import rows
    from yuanmeng.funds.models import Budget
    from yuanmeng.orgs.scoping import within
    from yuanmeng.stats.rollups import APPROVED, DIMENSIONS, DROP_OUTS, FUNNEL_STEPS, GRADUATED, duration_selects

    roots = [national.path]
    applications = Application.objects.filter(within("organisation__path", roots), policy__year=year).annotate(
        age_at_year=F("policy__year") - F("worker__birth_date__year"))
    events = ApplicationEvent.objects.filter(within("application__organisation__path", roots),
                                             application__policy__year=year)
    list(Budget.objects.filter(within("organisation__path", roots), year=year).values("source").annotate(
        Sum("allocated_fen"), Sum("reserved_fen"), Sum("paid_fen")))
    for value in DIMENSIONS.values():
        list(applications.values(key=value).annotate(
            Count("id"), approved=Count("id", filter=Q(state__in=APPROVED)),
            graduated=Count("id", filter=Q(state__in=GRADUATED)), paid=Count("id", filter=Q(state="paid"))))
    list(events.filter(to_state__in=FUNNEL_STEPS).values("to_state").annotate(Count("application_id", distinct=True)))
    list(events.filter(to_state__in=DROP_OUTS).values("to_state", "from_state").annotate(
        Count("application_id", distinct=True)))
    for sql, params in duration_selects():  # every organisation's histograms: the national one is their sum
        rows(sql, params)
    list(applications.values("policy_id", day=TruncDate("submitted_at")).annotate(Count("id")))
    list(events.filter(action="approve").values("application__policy_id", day=TruncDate("at")).annotate(Count("id")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.db import connection

    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.stats.selectors import FIGURES, figure_for
    from yuanmeng.stats.services import stats_refresh

    city = City()
    tree, n = city.tree, args.applications
    policy = tree.policy()
    budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                  name="bench", amount_fen=150_000 * n)
    started = time.perf_counter()
    insert_applications(city, policy, n)
    spread(connection)
    print(f"database: {connection.vendor}; built {n:,} workers, applications and {4 * n:,} history rows in "
          f"{time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f}")
    size = f"{n:,} applications, {connection.vendor}"
    refresh = stats_refresh()
    figure("stats", "refresh of every rollup", refresh.seconds, "s", size=size)
    print(f"{refresh.rows:,} rollup rows; load {os.getloadavg()[0]:.1f}")

    def dashboard():
        for name in FIGURES:
            figure_for(tree.root_user, figure=name, organisation_id=tree.national.pk, year=policy.year)

    rollup_ms = timed(dashboard, args.repeat)
    direct_ms = timed(lambda: direct_figures(tree.national, policy.year), max(1, args.repeat // 2))
    figure("stats", "national dashboard, five figures counted directly", direct_ms, "ms", reference=rollup_ms,
           reference_what="read from the rollups", size=size)
    district_ms = timed(lambda: figure_for(tree.root_user, figure="workers", organisation_id=tree.tianhe.pk,
                                           year=policy.year), args.repeat)
    figure("stats", "a district's workers figure from the rollups", district_ms, "ms", size=size)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
