"""Pages and lists at national scale: every list page and search, as a district reviewer, a city administrator and
a province viewer, with server time measured through Django's test client.

    .venv/bin/python bench/bench_pages.py --applications 1000000 --workers 3000000 --postgres
    .venv/bin/python bench/bench_pages.py --applications 100000          # SQLite

Builds a fresh database with set-based SQL (bench_payouts.insert_applications: N workers and their verified
applications over 50 enterprises in 11 districts; workers without an application are copies of those rows up to
--workers), commits a payout round over a share of the applications (--round-share), spreads the rest over the
review states (as bench_home does), refreshes the stats rollups (the home page reads them), then times each page
(median of --repeat requests, in-process: the time the server spends, template included) and prints each figure
with ``bench.common.figure``. On PostgreSQL it prints the EXPLAIN ANALYZE of the reviewer's and the city
administrator's queue, the worker list and the round's lines.
``--reuse`` measures again the data set an earlier run left in the PostgreSQL database ``$YUANMENG_BENCH_DB`` (it is
built if there is none); --applications and --workers then only name the size. Asserts nothing.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure, timed  # noqa: E402
from bench.bench_home import STATES  # noqa: E402
from bench.bench_payouts import PER_WORKER_FEN, insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402

BENCH = "pages"


def add_workers(count: int) -> None:
    """``count`` more workers without an application: copies of the first workers (one INSERT … SELECT), each
    with its own blind index."""
    if count <= 0:
        return
    from django.db import connection

    columns = ("document_type, id_number, id_number_masked, birth_date, sex, mobile, employer_id, job_category, "
               "is_migrant_worker, is_new_employment_form, model_worker_level, labour_medal_level, bank_name, "
               "bank_account, bank_account_index, bank_account_masked, membership, membership_decline_reason, "
               "created_at, updated_at")
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM people_worker")
        first, last = cursor.fetchone()
        done = 0
        while done < count:  # copy at most the rows there are, doubling
            take = min(count - done, last - first + 1)
            cursor.execute(f"""
                INSERT INTO people_worker (name, id_number_index, {columns})
                SELECT 'x' || (id + %s), 'extra-' || (id + %s), {columns}
                FROM people_worker WHERE id < %s""", [done, done, first + take])
            done += take
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def build(args):
    """The data set and the three people who look at it (``people``)."""
    from django.db import connection

    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.payouts.services import round_commit
    from yuanmeng.stats.services import stats_refresh

    city = City()
    tree = city.tree
    policy = tree.policy(notice_days=7)  # the round stays in public notice: /notices/<code>/ lists it
    started = time.perf_counter()
    insert_applications(city, policy, args.applications)
    add_workers(args.workers - args.applications)
    print(f"database: {connection.vendor}; {args.applications:,} applications, {max(args.workers, args.applications):,}"
          f" workers in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    funded = int(args.applications * args.round_share)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="bench", amount_fen=PER_WORKER_FEN * args.applications)
    round_ = round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=PER_WORKER_FEN * funded,
                          code="BENCH-R1")
    spread_states_outside_round()
    print(f"round of {round_.funded_count:,} lines committed, states spread in {time.perf_counter() - started:.1f} s",
          flush=True)
    refresh = stats_refresh()  # the home's area summary reads the rollups, as it does after the first refresh
    print(f"stats refresh in {refresh.seconds:.1f} s", flush=True)
    return tree, round_, people(tree, tree.staff)


def people(tree, staff) -> dict:
    from yuanmeng.orgs.roles import Role

    return {"district reviewer": staff(Role.DISTRICT_REVIEWER, tree.tianhe),
            "city admin": staff(Role.CITY_ADMIN, tree.city),
            "province viewer": staff(Role.VIEWER, tree.province)}


def found():
    """The data set an earlier run built (``--reuse``), its rollups counted again by this code, and three new
    people who look at it."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    from tests.builders import PASSWORD
    from yuanmeng.accounts.services import staff_user_create
    from yuanmeng.orgs.models import Enterprise, Organisation
    from yuanmeng.payouts.models import Round
    from yuanmeng.stats.services import stats_refresh

    orgs = {org.code: org for org in Organisation.objects.filter(code__in=["GD", "GZ", "GZ-TH"])}
    tree = SimpleNamespace(province=orgs["GD"], city=orgs["GZ"], tianhe=orgs["GZ-TH"],
                           tianhe_firm=Enterprise.objects.get(organisation__parent=orgs["GZ-TH"],
                                                              legal_name="天河精密制造有限公司"))
    print(f"stats refresh in {stats_refresh().seconds:.1f} s", flush=True)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()

    def staff(role, organisation):
        return staff_user_create(by=admin, username=f"{role}-{time.time_ns()}", password=PASSWORD,
                                 display_name=role, organisation=organisation, role=role)

    return tree, Round.objects.get(code="BENCH-R1"), people(tree, staff)


def spread_states_outside_round() -> None:
    """The applications the round did not take, a fifth in each review state (as bench_home's spread_states), and
    every application submitted a second apart (one INSERT gave them all the same moment)."""
    from django.db import connection

    case = "CASE " + " ".join(f"WHEN id % 5 = {k} THEN '{state}'" for k, state in enumerate(STATES)) + " END"
    earlier = ("submitted_at - id * INTERVAL '1 second'" if connection.vendor == "postgresql"
               else "datetime(submitted_at, '-' || id || ' seconds')")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE applications_application SET submitted_at = {earlier}, "
                       f"state = CASE WHEN state = 'diploma_verified' THEN {case} ELSE state END")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")  # as autovacuum leaves it


def pages(tree, round_, probe) -> dict[str, str]:
    """What each person opens: every list page, its filters and searches, and a detail page of each kind."""
    from yuanmeng.payouts.models import Batch

    batch = Batch.objects.filter(round=round_).order_by("number").first()
    lists = {
        "review queue": "/applications/",
        "review queue, page 50": "/applications/?page=50",
        "queue, all states": "/applications/?state=",
        "queue, waiting=review": "/applications/?waiting=review",
        "queue, policy + verified + bank=missing":
            f"/applications/?policy={round_.policy_id}&state=diploma_verified&bank=missing",
        "queue, in an enterprise": f"/applications/?state=&org={tree.tianhe_firm.organisation_id}",
        "worker list": "/workers/",
        "worker list, page 200": "/workers/?page=200",
        "worker list, bank=missing": "/workers/?bank=missing",
        "payouts (rounds)": "/payouts/",
        "round page (its lines)": f"/payouts/rounds/{round_.pk}/",
        "round page, page 100": f"/payouts/rounds/{round_.pk}/?page=100",
        "batches": "/payouts/batches/",
        "batch page": f"/payouts/batches/{batch.pk}/" if batch else None,
        "public notice": f"/notices/{round_.code}/",
        "audit trail": "/audit/",
        "tasks": "/tasks/",
        "enterprises": "/enterprises/",
        "policies": "/policies/",
        "organisation (district)": f"/organisations/{tree.tianhe.pk}/",
        "application page": f"/applications/{probe['application']}/",
        "worker page": f"/workers/{probe['worker']}/",
        "home": "/",
    }
    searches = {
        "queue search: full name": f"/applications/?state=&q={probe['name']}",
        "queue search: name prefix": f"/applications/?state=&q={probe['name'][:4]}",
        "queue search: student number": f"/applications/?state=&q={probe['student_number']}",
        "worker search: full name": f"/workers/?q={probe['name']}",
        "worker search: identity number": f"/workers/?q={probe['id_number']}",
        "worker search: mobile prefix": "/workers/?q=1390000",
        "public notice search: enterprise": f"/notices/{round_.code}/?q=天河",
    }
    return {**{k: v for k, v in lists.items() if v}, **searches}


def probe_rows(tree) -> dict:
    """An application and a worker of 天河 (every person below sees them), to open and search for."""
    from yuanmeng.applications.models import Application

    application = (Application.objects.filter(organisation__path__startswith=tree.tianhe.path, state="confirmed")
                   .select_related("worker").order_by("-id").first())
    worker = application.worker
    return {"application": application.pk, "worker": worker.pk, "name": worker.name,
            "student_number": application.student_number, "id_number": "440106199001010000"}


def measure(tree, round_, people, repeat: int, size: str, only: list[str]) -> None:
    from django.test import Client

    probe = probe_rows(tree)
    for label, user in people.items():
        client = Client()
        client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
        for what, url in pages(tree, round_, probe).items():
            if only and not any(part in what for part in only):
                continue
            status = client.get(url).status_code  # warm, and the answer each gets
            if status != 200:
                print(f"  {label}: {what} answers {status}")
                continue
            figure(BENCH, f"{label}: {what}", timed(lambda c=client, u=url: c.get(u), repeat=repeat), "ms",
                   size=size)


def head_shapes(tree, round_, people, probe) -> dict:
    """The lists as they were queried before this work (HEAD at ee4fa65), kept here as the reference: the scope a LIKE
    on the joined path ORed with the worker's own login, an exact COUNT(*), the name searched anywhere in it."""
    from django.db.models import Q

    from yuanmeng.applications.models import Application
    from yuanmeng.orgs.scoping import grants
    from yuanmeng.payouts.models import PaymentLine
    from yuanmeng.people.models import Worker

    def scope(user, path_lookup, owner):
        condition = Q(**{owner: user})
        for grant in grants(user):
            condition |= Q(**{f"{path_lookup}__startswith": grant.path})
        return condition

    reviewer, admin = people["district reviewer"], people["city admin"]
    queue = (Application.objects.select_related("worker", "policy", "organisation__parent", "school__organisation")
             .defer("worker__id_number", "worker__bank_account"))
    q, order = probe["name"], ("priority_rank", "submitted_at", "id")
    return {
        "district reviewer: review queue": queue.filter(scope(reviewer, "organisation__path", "worker__user"),
                                                       state="confirmed").order_by(*order),
        "city admin: review queue": queue.filter(scope(admin, "organisation__path", "worker__user"),
                                                 state="reviewed").order_by(*order),
        "city admin: queue search: full name": queue.filter(
            scope(admin, "organisation__path", "worker__user"),
            Q(worker__name__icontains=q) | Q(student_number=q) | Q(certificate_number=q.upper()),
        ).order_by(*order),
        "district reviewer: worker list": Worker.objects.select_related(
            "employer__organisation__parent").filter(scope(reviewer, "employer__organisation__path", "user")),
        "city admin: round page (its lines)": PaymentLine.objects.select_related("area", "application").defer(
            "account").filter(round=round_).order_by("rank"),
    }


def compare_with_head(tree, round_, people, repeat: int, size: str) -> None:
    """Each list's SQL as a page runs it (its count and its first 25 rows), now and in HEAD's shape."""
    from django.http import QueryDict

    from yuanmeng.applications.review import queue_for, review_filters
    from yuanmeng.payouts.selectors import line_list
    from yuanmeng.people.selectors import worker_list

    reviewer, admin = people["district reviewer"], people["city admin"]
    probe = probe_rows(tree)
    now = {
        "district reviewer: review queue": queue_for(reviewer, review_filters(reviewer, QueryDict())),
        "city admin: review queue": queue_for(admin, review_filters(admin, QueryDict())),
        "city admin: queue search: full name": queue_for(admin, review_filters(admin, QueryDict(
            f"state=&q={probe['name']}"))),
        "district reviewer: worker list": worker_list(user=reviewer),
        "city admin: round page (its lines)": line_list(round_=round_),
    }
    for what, before in head_shapes(tree, round_, people, probe).items():
        after = now[what]
        figure(BENCH, f"{what}: count and page SQL",
               timed(lambda qs=after: (qs.order_by().values("pk")[:10_001].count(), list(qs[:25])), repeat), "ms",
               reference=timed(lambda qs=before: (qs.count(), list(qs[:25])), repeat),
               reference_what="HEAD's query shape (exact count, LIKE on the joined path OR the worker's login)",
               size=size)


def explain(tree, round_, people) -> None:
    """The plans of the lists the issue names, as PostgreSQL ran them (EXPLAIN ANALYZE)."""
    from django.http import QueryDict

    from yuanmeng.applications.review import queue_for, review_filters
    from yuanmeng.payouts.selectors import line_list
    from yuanmeng.people.selectors import worker_list

    reviewer, admin = people["district reviewer"], people["city admin"]
    plans = {
        "district reviewer's queue (page 1)": queue_for(reviewer, review_filters(reviewer, QueryDict()))[:25],
        "city admin's queue (page 1)": queue_for(admin, review_filters(admin, QueryDict()))[:25],
        "district reviewer's queue: the capped count":
            queue_for(reviewer, review_filters(reviewer, QueryDict())).order_by().values("pk")[:10_001],
        "district reviewer's worker list (page 1)": worker_list(user=reviewer)[:25],
        "city admin's round page: its lines (page 100)": line_list(round_=round_)[2475:2500],
    }
    for what, queryset in plans.items():
        print(f"\n-- EXPLAIN ANALYZE: {what}\n{queryset.explain(analyze=True)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=0, help="all workers (default: one per application)")
    parser.add_argument("--round-share", type=float, default=0.4, help="share of applications the round pays")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated parts of the names of the pages to time")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure again the data set an earlier run built")
    args = parser.parse_args()
    kept = configure(args.postgres, quick_passwords=True, reuse=args.reuse)

    from django.conf import settings
    from django.db import connection

    from yuanmeng.payouts.models import Round

    settings.ALLOWED_HOSTS = ["*"]
    if kept and Round.objects.filter(code="BENCH-R1").exists():
        print(f"database: {connection.vendor}; reused the data set of an earlier run", flush=True)
        tree, round_, staff = found()
    else:
        tree, round_, staff = build(args)
    size = f"{args.applications:,} applications, {max(args.workers, args.applications):,} workers, {connection.vendor}"
    measure(tree, round_, staff, args.repeat, size, [part for part in args.only.split(",") if part])
    compare_with_head(tree, round_, staff, args.repeat, size)
    if connection.vendor == "postgresql":
        explain(tree, round_, staff)


if __name__ == "__main__":
    main()
