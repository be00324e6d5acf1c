"""On PostgreSQL, the lists people open at national scale read an index in their order, scoped by organisation ids:
these fail if the reviewer's queue, the worker list and its name search or a round's lines go back to a join of every
row before filtering.

A few thousand rows (set-based, as the benchmarks build them) and ANALYZE are enough for the planner to choose as
it does at a million; SQLite has no such plans to check.
"""

import os
from types import SimpleNamespace

import pytest
from bench.bench_pages import spread_states_outside_round
from bench.bench_payouts import PER_WORKER_FEN, insert_applications
from django.http import QueryDict

from yuanmeng.applications.review import queue_for, review_filters
from yuanmeng.applications.selectors import application_list
from yuanmeng.core.sql import execute
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.selectors import line_list
from yuanmeng.payouts.services import round_commit
from yuanmeng.people.selectors import worker_list, workers_named

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL plans"),
]


@pytest.fixture
def rows(tree, policy):
    insert_applications(SimpleNamespace(tree=tree, firms=[tree.tianhe_firm, tree.haizhu_firm]), policy, 6000)
    spread_states_outside_round()  # a fifth in each review state, and ANALYZE
    return tree


def _plan(queryset) -> str:
    return queryset.explain()


def test_the_reviewers_queue_reads_its_order_index_without_the_workers_join(rows):
    reviewer = rows.staff(Role.DISTRICT_REVIEWER, rows.tianhe)
    page = queue_for(reviewer, review_filters(reviewer, QueryDict()))[:25]
    plan = _plan(page)
    assert "application_queue_order" in plan, plan
    assert "Seq Scan on applications_application" not in plan and "Sort Key" not in plan, plan
    assert "user_id" not in plan, plan  # no OR over the worker's login for staff


def test_the_city_admins_queue_uses_its_index_and_its_count_reads_ids_only(rows):
    admin = rows.staff(Role.CITY_ADMIN, rows.city)
    queue = queue_for(admin, review_filters(admin, QueryDict()))
    assert "application_queue_order" in _plan(queue[:25])
    count = _plan(queue.order_by().values("pk")[:10_001])  # what the pager counts: ids, no join of the workers
    assert "people_worker" not in count and "Sort" not in count, count


def test_a_districts_count_of_one_state_reads_its_own_enterprises_entries(rows):
    """The capped count of a reviewer's queue by state (the API's list): not the state's entries of the whole
    country, kept or dropped by their organisation, but those of the scope's enterprises (decision 0022)."""
    reviewer = rows.staff(Role.DISTRICT_REVIEWER, rows.tianhe)
    confirmed = application_list(user=reviewer).filter(state="confirmed")
    count = _plan(confirmed.order_by().values("pk")[:10_001])
    assert "application_in_organisation" in count, count
    assert "application_waiting_order" not in count and "application_queue_order" not in count, count


def test_the_worker_list_reads_workers_newest_first_by_index(rows):
    reviewer = rows.staff(Role.DISTRICT_REVIEWER, rows.tianhe)
    plan = _plan(worker_list(user=reviewer)[:25])
    assert "Index Scan Backward using people_worker_pkey" in plan, plan
    assert "Seq Scan on people_worker" not in plan and "user_id" not in plan, plan


def test_a_name_search_reads_the_name_prefix_index(rows):
    """The search is UPPER("name"::text) LIKE UPPER('x%') (istartswith): the index's expression is that one."""
    admin = rows.staff(Role.CITY_ADMIN, rows.city)
    for term in ("w1234", "王"):  # the ids a search finds (the page then reads those few by id)
        plan = _plan(workers_named(term).values("pk"))
        assert "worker_name_upper_prefix" in plan, plan
    queue = queue_for(admin, review_filters(admin, QueryDict("state=&q=w1234")))[:25]
    plan = _plan(queue)
    assert "worker_name_upper_prefix" in plan and "application_student_number" in plan, plan


def test_a_name_search_finding_few_reads_their_ids_not_the_whole_id_index(rows):
    """One worker found makes the page LIMIT 1, where the planner walked the id index newest first (through
    2,000,000 workers at 3,000,000) hoping to meet the match soon: a few found are read by their ids."""
    admin = rows.staff(Role.CITY_ADMIN, rows.city)
    page = worker_list(user=admin, search="w1234")[:1]
    plan = _plan(page)
    assert "worker_name_upper_prefix" not in plan and "Merge" not in plan, plan
    assert "Index Cond: (people_worker.id" in plan or "Index Cond: (id" in plan, plan


def test_a_rounds_lines_are_read_by_the_round_without_a_scope_per_line(tree, policy):
    insert_applications(SimpleNamespace(tree=tree, firms=[tree.tianhe_firm, tree.haizhu_firm]), policy, 3000)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="bench", amount_fen=PER_WORKER_FEN * 3000)
    round_ = round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=PER_WORKER_FEN * 3000,
                          code="PLAN-R1")
    execute("ANALYZE", [])
    plan = _plan(line_list(round_=round_)[2475:2500])
    assert "SubPlan" not in plan and "path" not in plan, plan  # not (round's union OR application's) per line
