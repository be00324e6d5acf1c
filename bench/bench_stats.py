"""The dashboards' figures at national scale: the rollups' refresh, and every figure read from them at each level
(national, province, city, district) beside the direct count queries it replaces, as a ratio (issue 13).

    .venv/bin/python bench/bench_stats.py --workers 3000000 --applications 1000000 --postgres [--reuse]
    .venv/bin/python bench/bench_stats.py --workers 900 --applications 300          # SQLite

Builds the national data set as ``yuanmeng seed national`` does (``demo.national.build_national``: the union tree of
the 31 provinces, enterprises, N workers with valid identity numbers, their applications in every state of the
workflow with their history; COPY on PostgreSQL), then times one ``stats_refresh`` (what runs every few minutes)
and, as medians of repeats, for a reader at each level (a viewer of the nation and of the province, the
city administrator, the district reviewer): each of the five figures read from the rollups
(``stats.selectors.figure_for``), the same figure counted directly over the subtree's applications, history and
budgets, the stats API's endpoint of the figure (``/api/stats/…``, server time through Django's test client) and,
when the dashboards' pages exist, the dashboard page. ``--reuse`` measures again the data set an earlier run left
in the PostgreSQL database ``$YUANMENG_BENCH_DB`` (it is built if there is none). Asserts nothing.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_foundation import configure, timed  # noqa: E402
from bench.common import figure  # noqa: E402

BENCH = "stats"
# The levels a dashboard is read at, by the code of the union: the nation, Guangdong, Guangzhou, 天河区.
LEVELS = {"national": None, "province": "440000", "city": "440100", "district": "440106"}
# Who reads it there: a viewer above the city, the city administrator, the district reviewer.
READERS = {"national": "VIEWER", "province": "VIEWER", "city": "CITY_ADMIN", "district": "DISTRICT_REVIEWER"}


def build(workers: int, applications: int) -> None:
    from django.db import connection

    from yuanmeng.demo.national import build_national

    result = build_national(workers=workers, applications=applications)
    print(f"database: {connection.vendor}; built {result.workers:,} workers, {result.applications:,} applications, "
          f"{result.events:,} history rows, {result.enterprises:,} enterprises in {result.seconds:.1f} s; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def readers() -> dict[str, tuple]:
    """Who reads the figures at each level (made on the first run, found on a reused data set):
    {level: (organisation, user)}."""
    from django.contrib.auth import get_user_model

    from yuanmeng.accounts.services import staff_user_create
    from yuanmeng.demo.build import NATIONAL_CODE
    from yuanmeng.orgs.models import Organisation
    from yuanmeng.orgs.roles import Role

    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    found = {}
    for level, code in LEVELS.items():
        organisation = Organisation.objects.get(code=code or NATIONAL_CODE)
        username = f"bench-stats-{level}"
        user = (get_user_model().objects.filter(username=username).first()
                or staff_user_create(by=admin, username=username, password="yuanmeng-demo-2026", display_name=username,
                                     organisation=organisation, role=getattr(Role, READERS[level])))
        found[level] = (organisation, user)
    return found


def _subtree(organisation):
    from yuanmeng.orgs.scoping import within

    return lambda lookup: within(lookup, [organisation.path])


def direct_money(organisation, year: int) -> None:
    from django.db.models import Sum

    from yuanmeng.funds.models import Budget

    list(Budget.objects.filter(_subtree(organisation)("organisation__path"), year=year).values("source").annotate(
        Sum("allocated_fen"), Sum("reserved_fen"), Sum("paid_fen")))


def _applications(organisation, year: int):
    from django.db.models import F

    from yuanmeng.applications.models import Application

    return Application.objects.filter(_subtree(organisation)("organisation__path"), policy__year=year).annotate(
        age_at_year=F("policy__year") - F("worker__birth_date__year"))


def _events(organisation, year: int):
    from yuanmeng.applications.models import ApplicationEvent

    return ApplicationEvent.objects.filter(_subtree(organisation)("application__organisation__path"),
                                           application__policy__year=year)


def direct_workers(organisation, year: int) -> None:
    from django.db.models import Count, Q

    from yuanmeng.stats.rollups import APPROVED, DIMENSIONS, GRADUATED

    for value in DIMENSIONS.values():
        list(_applications(organisation, year).values(key=value).annotate(
            Count("id"), approved=Count("id", filter=Q(state__in=APPROVED)),
            graduated=Count("id", filter=Q(state__in=GRADUATED)), paid=Count("id", filter=Q(state="paid"))))


def direct_funnel(organisation, year: int) -> None:
    from django.db.models import Count

    from yuanmeng.stats.rollups import DROP_OUTS, FUNNEL_STEPS

    events = _events(organisation, year)
    list(events.filter(to_state__in=FUNNEL_STEPS).values("to_state").annotate(Count("application_id", distinct=True)))
    list(events.filter(to_state__in=DROP_OUTS).values("to_state", "from_state").annotate(
        Count("application_id", distinct=True)))


def direct_durations(organisation, year: int) -> None:
    """The rollup's two SELECTs (the time between consecutive history rows, the diploma to the money) kept to the
    subtree's applications and the year."""
    from yuanmeng.core.sql import rows
    from yuanmeng.stats.rollups import duration_selects

    for sql, params in duration_selects():
        rows(f"SELECT * FROM ({sql}) d WHERE d.year = %s AND d.organisation_id IN "
             "(SELECT id FROM orgs_organisation WHERE path LIKE %s)", [*params, year, f"{organisation.path}%"])


def direct_intake(organisation, year: int) -> None:
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from yuanmeng.applications.workflow import Action

    list(_applications(organisation, year).values("policy_id", day=TruncDate("submitted_at")).annotate(Count("id")))
    list(_events(organisation, year).filter(action=Action.APPROVE).values(
        "application__policy_id", day=TruncDate("at")).annotate(Count("id")))


DIRECT = {"money": direct_money, "workers": direct_workers, "funnel": direct_funnel, "durations": direct_durations,
          "intake": direct_intake}


def dashboard_url(organisation, year: int) -> str | None:
    """The dashboard page of the organisation, if the dashboards' pages are there."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("dashboard", args=[organisation.pk]) + f"?year_from={year}"
    except NoReverseMatch:
        return None


def measure(level: str, organisation, user, year: int, repeat: int, size: str) -> None:
    from django.test import Client

    from yuanmeng.orgs.scoping import has_capability
    from yuanmeng.stats.selectors import CAPABILITIES, FIGURES, figure_for

    client = Client()
    client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    for name in FIGURES:
        if not has_capability(user, CAPABILITIES[name], organisation.path):  # a district reviewer sees no budgets
            continue
        read_ms = timed(lambda n=name: figure_for(user, figure=n, organisation_id=organisation.pk, year=year), repeat)
        direct_ms = timed(lambda n=name: DIRECT[n](organisation, year), max(1, repeat // 3))
        figure(BENCH, f"{level}: {name} counted directly", direct_ms, "ms",
               reference=read_ms, reference_what="read from the rollups", size=size)
        url = f"/api/stats/{organisation.pk}/{year}/{name}"
        status = client.get(url).status_code  # warm, and the answer the viewer gets
        if status != 200:
            print(f"  {level}: {url} answers {status}")
            continue
        figure(BENCH, f"{level}: GET {url.replace(str(organisation.pk), '{id}', 1)}",
               timed(lambda u=url: client.get(u), repeat), "ms", size=size)
    url = dashboard_url(organisation, year)
    if url and client.get(url).status_code == 200:
        figure(BENCH, f"{level}: the dashboard page", timed(lambda: client.get(url), repeat), "ms", size=size)
    print(f"{level} is {organisation.name}; load {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=300_000)
    parser.add_argument("--applications", type=int, default=None, help="default: a third of the workers")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure again the data set an earlier run built")
    args = parser.parse_args()
    kept = configure(args.postgres, quick_passwords=True, reuse=args.reuse)

    from django.conf import settings
    from django.db import connection

    from yuanmeng.applications.models import Application
    from yuanmeng.people.models import Worker
    from yuanmeng.policies.models import Policy
    from yuanmeng.stats.services import stats_refresh

    settings.ALLOWED_HOSTS = ["*"]
    if kept and Worker.objects.exists():
        print(f"database: {connection.vendor}; reused the data set of an earlier run; load "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    else:
        build(args.workers, args.workers // 3 if args.applications is None else args.applications)
    workers, applications = Worker.objects.count(), Application.objects.count()
    size = f"{workers:,} workers, {applications:,} applications, {connection.vendor}"
    refresh = stats_refresh()
    figure(BENCH, "refresh of every rollup", refresh.seconds, "s", size=size)
    print(f"{refresh.rows:,} rollup rows; load {os.getloadavg()[0]:.1f}", flush=True)
    year = Policy.objects.order_by("-year").values_list("year", flat=True).first()
    for level, (organisation, user) in readers().items():
        measure(level, organisation, user, year, args.repeat, size)


if __name__ == "__main__":
    main()
