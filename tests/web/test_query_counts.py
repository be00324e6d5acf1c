"""Every list, detail and form page and every API read runs a pinned number of queries.

Each row of the tables below is (url, role, queries): the page is asked for with a few rows, then again after
``World.grow`` has added many more rows to every list and a larger object to every detail, and both times it
must run exactly ``queries`` — so no query per row creeps in, and a query added to a page is a visible one-line
change here. A count differs between SQLite and PostgreSQL only where a row says so, with both figures.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.builders import pdf, workbook
from tests.payouts.scale import verified_applications
from tests.payouts.test_results import approved_batch
from tests.people.test_sign_up import sign_up
from yuanmeng.accounts.services import invitation_renew
from yuanmeng.applications.services import application_submit_diploma, application_transition, roster_upload
from yuanmeng.applications.workflow import Action
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.notify.services import notify_worker
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import membership_grant
from yuanmeng.payouts.services import (
    batch_approve,
    lottery_announce,
    lottery_draw,
    lottery_freeze,
    lottery_seed_confirm,
    lottery_seed_enter,
    round_commit,
)
from yuanmeng.policies.services import policy_supersede
from yuanmeng.stats.services import stats_refresh

pytestmark = pytest.mark.django_db
YUAN = 100
ROSTER_HEADER = ["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"]


class World:
    """The demo's shape in small: the 天河 enterprise's worker with an application, a committed round with an
    approved batch, a drawn lottery, and a few of every listed thing; ``grow`` adds many more."""

    def __init__(self, tree, people, monkeypatch):
        self.tree, self.people, self.monkeypatch = tree, people, monkeypatch
        self.money = approved_batch(tree)
        self.second_officer = tree.staff(Role.CITY_ADMIN, tree.city)
        self.users = {"city": self.money.admin, "finance": self.money.finance, "district": people.district,
                      "enterprise": people.enterprise, "auditor": people.auditor, "school": people.school,
                      "worker": people.applicant, "two_unions": tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe),
                      "viewer": tree.staff(Role.VIEWER, tree.province)}
        membership_grant(by=tree.root_user, user=self.users["two_unions"], organisation=tree.haizhu,
                         role=Role.DISTRICT_REVIEWER)  # the index lists the unions of a user who holds more than one
        self.application = tree.apply(people.worker, self.money.policy)
        self.serial = 1000
        self.candidates(2)
        draw = self.lottery(3)
        self.job = self.jobs(1)
        self.ids = {"worker": people.worker.pk, "org": tree.tianhe.pk, "policy": self.money.policy.pk,
                    "application": self.application.pk, "round": self.money.round.pk, "batch": self.money.batch.pk,
                    "draw": draw.pk, "code": draw.code, "job": self.job.pk, "budget": self.money.city.pk,
                    "draft": tree.policy(publish=False).pk, "lottery_policy": tree.policy(selection="lottery").pk,
                    "year": self.money.policy.year}
        self.ids["notice"] = self.noticed_round(3).code
        invitation_renew(by=people.enterprise, enterprise=tree.tianhe_firm)
        self.add_rows(2)
        stats_refresh()  # the home's area summary reads the rollups: counted, as they are after the first refresh

    def add_rows(self, n: int) -> None:
        """``n`` more workers, enterprises, budgets, policies, messages, rosters and tasks."""
        tree = self.tree
        for k in range(n):
            tree.worker()
            tree.worker(employer=tree.haizhu_firm)
            enterprise = tree.enterprise(tree.tianhe, f"天河第{self.serial + k}厂")
            budget_create(by=self.money.admin, organisation=enterprise.organisation, year=self.money.policy.year,
                          source=FundSource.MATCHING, name="企业配套", amount_fen=1_000 * YUAN)
            tree.policy()
            tree.policy(organisation=tree.tianhe)
            policy_supersede(by=tree.root_user, policy=tree.policy(organisation=tree.tianhe_firm.organisation),
                             code=f"S{self.serial + k}")  # a list joins what supersedes a policy
            notify_worker(worker=self.people.worker, subject="审核进度", body=f"第{k}条消息")
            sign_up(tree)  # one more member to confirm
            self.roster()
        self.jobs(n)
        self.serial += n

    def candidates(self, n: int) -> None:
        """``n`` more verified applications for the round's policy, for the plan's simulation."""
        verified_applications(self.tree, self.money.policy, n, start=self.serial)
        self.serial += n

    def jobs(self, n: int) -> Job:
        """``n`` tasks of the city admin's and as many of a 天河 reviewer's, which the admin follows."""
        for k in range(n):
            for owner, organisation in ((self.money.admin, self.tree.city), (self.people.district, self.tree.tianhe)):
                job = Job.objects.create(kind="import", label=f"导入{self.serial + k}", owner=owner,
                                         organisation=organisation, dedupe_key=f"q{owner.pk}-{self.serial + k}",
                                         state=JobState.DONE)
        return job

    def roster(self) -> None:
        self.serial += 1
        rows = [[f"5116171202406{self.serial:05d}", self.people.worker.id_number, "申请人", "专科", "",
                 "2026-07-01"]]
        upload = SimpleUploadedFile("roster.xlsx", workbook(ROSTER_HEADER, rows).getvalue())
        roster_upload(by=self.people.school, school=self.tree.school_profile, upload=upload)

    def payout_round(self, n: int):
        """A committed round of ``n`` lines in batches of ten, the first batch approved."""
        tree = self.tree
        policy = tree.policy()
        verified_applications(tree, policy, n, start=self.serial)
        self.serial += n
        round_ = round_commit(by=self.money.admin, policy=policy, budget=self.money.city, limit_fen=n * 1_500 * YUAN,
                              code=f"R{self.serial}", max_lines_per_batch=10)
        batch_approve(by=self.money.finance, batch=round_.batches.order_by("pk").first())
        return round_

    def noticed_round(self, n: int):
        """A committed round of ``n`` lines on public notice."""
        policy = self.tree.policy(notice_days=5)
        verified_applications(self.tree, policy, n, start=self.serial)
        self.serial += n
        return round_commit(by=self.money.admin, policy=policy, budget=self.money.city, limit_fen=n * 1_500 * YUAN,
                            code=f"N{self.serial}")

    def lottery(self, n: int):
        """A drawn lottery over ``n`` verified applications, with a quota of one less."""
        tree = self.tree
        policy = tree.policy(selection="lottery")
        verified_applications(tree, policy, n, start=self.serial)
        self.serial += n
        seed_date = timezone.localdate() + datetime.timedelta(days=3)
        draw = lottery_announce(by=self.money.admin, policy=policy, budget=self.money.city, code=f"L{self.serial}",
                                limit_fen=n * 1_500 * YUAN, quota=n - 1, seed_date=seed_date,
                                seed_source="中国福利彩票 双色球 第2026138期 开奖号码")
        draw = lottery_freeze(by=self.money.admin, draw=draw)
        with self.monkeypatch.context() as patch:
            patch.setattr(timezone, "localdate", lambda *args, **kwargs: seed_date)
            lottery_seed_enter(by=self.money.admin, draw=draw, values="03 07 12 19 25 33 + 09")
            lottery_seed_confirm(by=self.second_officer, draw=draw, values="03 07 12 19 25 33 + 09")
            lottery_draw(by=self.money.admin, draw=draw)
        return draw

    def grow(self) -> None:
        """Many more rows in every list; a longer history, a larger round, batch and lottery for every detail."""
        self.add_rows(12)
        self.candidates(20)
        people = self.people
        application = self.application
        for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                             (people.city, Action.APPROVE)):
            application = application_transition(by=user, application=application, action=action)
        application_submit_diploma(by=people.applicant, application=application,
                                   certificate_number="511617120240599999",
                                   graduation_date=datetime.date.today(), scan=pdf("毕业证.pdf"))
        round_ = self.payout_round(30)
        draw = self.lottery(30)
        self.ids.update(round=round_.pk, batch=round_.batches.order_by("pk").first().pk, draw=draw.pk,
                        code=draw.code, notice=self.noticed_round(30).code)


def on_both(*, sqlite: int, postgresql: int) -> int:
    """A count that differs by database, both pinned."""
    return postgresql if connection.vendor == "postgresql" else sqlite


PLAN = "/payouts/plan/?policy={policy}&budget={budget}&limit=50000&quota="

PAGES = [
    # the area summary from the stats rollup: the organisation, its children, the refresh's time, the rows (it
    # grouped the workers and the enterprises, one query each, beside the children)
    ("/", "city", 15),  # with the district: the members-to-confirm and training orders to take cards, a count each
    ("/", "finance", 12),
    ("/", "district", 14),
    ("/", "viewer", 11),  # the summary per city from the rollups: organisation, children, refresh time, three rollups
    ("/payouts/batches/?waiting=approve", "finance", 4),
    ("/", "worker", 8),  # where is my money: the lines, the live application, its top-ups, messages, notice
    ("/me/", "worker", 3),
    ("/me/messages/", "worker", 4),
    ("/account/", "city", 3),
    ("/workers/", "city", 4),
    ("/workers/{worker}/", "city", 4),
    ("/workers/{worker}/edit/", "city", 4),
    ("/workers/new/", "enterprise", 3),
    ("/organisations/", "two_unions", 3),
    ("/organisations/{org}/", "city", 8),
    ("/enterprises/", "city", 4),
    ("/enterprises/new/", "city", 3),
    ("/policies/", "city", 4),
    ("/policies/{policy}/", "city", 4),
    ("/policies/{policy}/", "worker", 5),
    ("/policies/new/", "city", 4),
    ("/policies/{draft}/edit/", "city", 5),
    ("/subsidy/", "worker", 7),
    ("/subsidy/{policy}/apply/", "worker", 7),
    ("/applications/?state=", "district", 5),
    ("/applications/{application}/", "district", 7),
    ("/applications/{application}/", "worker", 6),  # + the top-ups of what it will pay
    ("/rosters/", "school", 7),
    ("/payouts/", "city", 6),
    ("/payouts/plan/", "city", 4),
    # PostgreSQL: SET LOCAL work_mem for the ranking; the matching policies and the budgets (the money left), and
    # one UPDATE per matching policy (the world has one) for its top-up, then one statement for every figure
    (PLAN, "city", on_both(sqlite=16, postgresql=17)),
    ("/payouts/rounds/{round}/", "city", 9),  # the live lines summed: city, matching, total
    ("/payouts/batches/{batch}/", "finance", 8),
    ("/payouts/lottery/new/{lottery_policy}/", "city", 3),
    ("/payouts/lottery/{draw}/", "city", 3),
    ("/lottery/{code}/", None, 3),
    ("/lottery/{code}/?list=winners", None, 3),
    ("/lottery/{code}/data.json", None, 3),
    ("/notices/", None, 2),
    ("/notices/{notice}/", None, 4),
    ("/notices/{notice}/?q=天河&page=2", None, 4),
    ("/imports/workers/", "city", 3),
    ("/imports/applications/", "enterprise", 3),
    ("/tasks/", "city", 4),
    ("/tasks/{job}/", "city", 3),
    ("/audit/", "auditor", 4),
    ("/members/confirm/", "enterprise", 4),
    ("/invitation/", "enterprise", 4),
    ("/signup/", None, 0),
    # the yearly report: the organisation checked, five figures (the organisation, its children, the rows, the
    # refresh's time each), the policies' caps, the targets (organisation, targets, progress, shares)
    ("/stats/report/{org}/?year={year}", "city", 26),
    # the dashboard (tests/stats/test_dashboard.py): per figure the organisation, its children (not the intake's), the
    # rows, the refresh's time; the policies' caps; the organisations above
    ("/stats/{org}/?year_from={year}", "city", 21),
    ("/stats/{org}/?year_from={year}", "district", 17),  # no money section
    # targets (none in this world; with targets, two rollup reads and the shares' sum, whatever their number:
    # tests/stats/test_target_pages.py): the organisation, its ancestors, their targets, the children (count and
    # page), the refresh's time
    ("/stats/targets/{org}/", "district", 9),
]

# A paginated list's count rides on its page's query (core.pages.page_counted_up_to): one query for both.
API = [
    ("/api/me", "city", 2),
    ("/api/workers", "city", 2),
    ("/api/workers/{worker}", "city", 2),
    ("/api/orgs", "city", 2),
    ("/api/orgs/{org}", "city", 2),
    ("/api/orgs/enterprises", "city", 2),
    ("/api/policies", "city", 2),
    ("/api/policies/{policy}", "city", 3),
    ("/api/policies/open?worker_id={worker}", "enterprise", 3),
    ("/api/applications", "city", 2),
    ("/api/applications/{application}", "city", 2),
    ("/api/applications/{application}", "district", 2),
    ("/api/applications/{application}", "worker", 2),  # the applicant: what they may do from their own row
    ("/api/applications/eligibility?policy_id={policy}&level=college", "worker", 4),
    ("/api/tasks", "city", 2),
    ("/api/tasks/{job}", "city", 2),
    ("/api/payouts/budgets", "city", 2),
    ("/api/payouts/rounds", "city", 5),
    ("/api/payouts/rounds/{round}", "city", 5),
    ("/api/payouts/rounds/{round}/lines", "city", 3),
    ("/api/workers/members-to-confirm", "enterprise", 2),
    ("/api/stats/{org}/{year}/money", "city", 5),
    ("/api/stats/{org}/{year}/workers", "city", 5),
    ("/api/stats/{org}/{year}/funnel", "city", 5),
    ("/api/stats/{org}/{year}/durations", "city", 5),
    ("/api/stats/{org}/{year}/intake", "city", 6),
    ("/api/stats/{org}/targets", "district", 5),
]


ROWS = PAGES + API


@pytest.fixture
def world(tree, people, monkeypatch):
    return World(tree, people, monkeypatch)


def _get(client, url: str) -> int:
    """Ask for ``url`` and return the number of queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:  # its queries run as it is sent
            b"".join(response.streaming_content)
    return len(queries)


def _counts(world, clients: list[Client]) -> list[int]:
    """Each row's page asked for twice on its own session (the first request of a session reads what later ones
    keep); the second request's query count."""
    counts = []
    for (url, _role, _queries), client in zip(ROWS, clients, strict=True):
        _get(client, url.format(**world.ids))
        counts.append(_get(client, url.format(**world.ids)))
    return counts


def _client(world, role: str | None) -> Client:
    client = Client()
    if role:
        client.force_login(world.users[role], backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    return client


def test_every_page_runs_its_pinned_queries_with_few_rows_and_with_many(world):
    """All rows in one world, built once and grown once (a world per row took most of the suite's time on
    PostgreSQL); every row whose count differs is named."""
    clients = [_client(world, role) for _url, role, _queries in ROWS]
    few = _counts(world, clients)
    world.grow()
    many = _counts(world, clients)
    wrong = [f"{url} as {role}: pinned {queries}, ran {small} with few rows and {large} with many"
             for (url, role, queries), small, large in zip(ROWS, few, many, strict=True)
             if small != queries or large != queries]
    assert not wrong, "\n".join(wrong)
