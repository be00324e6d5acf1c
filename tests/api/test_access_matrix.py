"""The access matrix: every API operation, page and admin page that takes an object's id, asked for an object
inside the caller's subtree and for the same kind of object in a sibling subtree.

The rule (issue 10, item 9): outside the caller's subtree an object does not exist for them — a path id answers
404, an id in a query or body (and on an admin page) answers exactly as an id that exists nowhere, and a write
changes nothing; inside, the answer is the one the role's capabilities give (403 where the caller sees the
object but the action is not theirs). Each cell states one answer.

- OPERATIONS (OpenAPI paths with an id) and PAGES (URL names with an id): every role of the demo, inside and out.
- ID_PARAMETERS: every ``*_id`` in a query or body of the OpenAPI document, asked by a role that may use it.
- PAGE_IDS: every choice of rows in a page's form (its ``ModelChoiceField``s) and every id a page reads from its
  query string (the keys pages read are found in the source; those that name no row are in NOT_IDS), asked
  inside, outside and nowhere; a form's own choice list must offer the inside object and not the outside one.
- ADMIN and ADMIN_PAGES: every model registered in the Django admin, for the staff role.

The world is built once for the module: two cities side by side (广州 holds one login per role, 深圳 is the
outside), each with a district, an enterprise, a school with a roster, workers with a login, a published policy
with applications (one paid into a committed round with its batch and line, one approved, one returned), a draft
policy, a lottery policy with an announced draw, a budget, a finished export task, a document, API tokens, and a
row of each model Django and the installed packages put in the admin (a group, axes' records, a task result).
Every request runs in a savepoint that is rolled back, so a write in one cell never shows in another.

A new route, id parameter, form id field, query key or admin model that the tables do not list fails the
``test_every_*`` tests, naming it (see docs/development.md, "Access matrix").
"""

import datetime
import functools
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Page
from django.db import transaction
from django.forms import BaseForm, ModelChoiceField
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic import RedirectView
from django_tasks_db.models import DBTaskResult

import yuanmeng
from tests.builders import PASSWORD, bank_card, credit_code, id_number, mobile, pdf, superuser, workbook
from yuanmeng.accounts.services import api_token_issue, staff_user_create
from yuanmeng.api import api
from yuanmeng.applications.services import (
    application_submit,
    application_submit_diploma,
    application_transition,
    roster_upload,
)
from yuanmeng.applications.workflow import Action
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.imports import IMPORT_KINDS
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.jobs.services import job_execute, job_submit
from yuanmeng.jobs.tasks import run_job
from yuanmeng.orgs.models import EnterpriseSize, Industry, Membership, OrgKind, SchoolType
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.services import enterprise_register, organisation_create, school_register
from yuanmeng.payouts.models import Round, RoundStatus
from yuanmeng.payouts.services import lottery_announce, round_commit
from yuanmeng.people.models import JobCategory
from yuanmeng.people.services import worker_account_create, worker_register
from yuanmeng.policies.models import DocumentKind, Level, ProgrammeType, Selection
from yuanmeng.policies.services import policy_create, policy_publish
from yuanmeng.projects.models import ProjectKind
from yuanmeng.projects.services import project_create, project_participants_add
from yuanmeng.stats.models import Measure
from yuanmeng.stats.target_services import target_set
from yuanmeng.surveys.models import Audience, QuestionKind
from yuanmeng.surveys.services import question_add, response_submit, survey_create, survey_send
from yuanmeng.training.models import CourseMode, PlaceType
from yuanmeng.training.services import course_create, enrolment_create, place_create
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders.services import (
    order_assign,
    order_request,
    order_transition,
    participants_add,
    session_schedule,
    teacher_create,
)

pytestmark = pytest.mark.django_db

# The roles of the demo (one login each), all held in the inside city; the worker is the inside applicant.
ROLES = ("enterprise_officer", "district_reviewer", "city_admin", "finance_officer", "auditor", "school_staff",
         "viewer", "worker")
WORKER = "worker"
STAFF = "city_admin"  # the one role with the Django admin, as in the demo
SIDES = ("inside", "outside")
_TO_APPROVED = ((Action.CONFIRM, "enterprise_officer"), (Action.REVIEW, "district_reviewer"),
                (Action.APPROVE, "city_admin"))
_TO_VERIFIED = (*_TO_APPROVED, (Action.SUBMIT_DIPLOMA, "enterprise_officer"),
                (Action.VERIFY_DIPLOMA, "district_reviewer"))


# ---- the world ---------------------------------------------------------------------------------------------------

class City:
    """One city union with one object of every kind an id can name, and a login for every role."""

    def __init__(self, root, province, *, code: str, name: str, region: str, district_region: str):
        self.city = organisation_create(by=root, kind=OrgKind.CITY, code=code, name=f"{name}市总工会",
                                        parent=province, region_code=region)
        self.district = organisation_create(by=root, kind=OrgKind.DISTRICT, code=f"{code}-D", name=f"{name}某区总工会",
                                            parent=self.city, region_code=district_region)
        self.enterprise = enterprise_register(
            by=root, parent=self.district, legal_name=f"{name}精密制造有限公司",
            credit_code=credit_code(district_region), industry=Industry.MANUFACTURING, size=EnterpriseSize.MEDIUM)
        self.organisation = self.enterprise.organisation
        self.school = school_register(by=root, parent=self.city, name=f"{name}开放大学", code=f"{code}-OU",
                                      school_type=SchoolType.OPEN_UNIVERSITY, school_code=f"5{region[2:6]}")
        self.school_union = self.school.organisation  # the API names a school by its union's id
        self._people(root, code, district_region)
        self._applications(code)
        self._money(root, code)
        self._training(root)
        self._training_orders()
        self._surveys_and_projects(root)
        self.membership = Membership.objects.get(user=self.users["district_reviewer"])
        self.audit_entry = AuditEntry.objects.filter(organisation=self.city).earliest("pk")
        self.job = job_execute(job_submit(by=self.users["enterprise_officer"], kind="export", label="组织名单",
                                          params={"name": "organisations", "params": {}}, enqueue=False,
                                          capability=Capability.VIEW).pk)  # done, its file ready
        self.tokens = {role: api_token_issue(by=user, name="matrix") for role, user in self.users.items()
                       if role != WORKER}
        self._superusers_rows(code)

    def _people(self, root, code, region):
        places = {"enterprise_officer": self.organisation, "district_reviewer": self.district,
                  "school_staff": self.school_union}
        self.users = {role: staff_user_create(by=root, username=f"{code}-{role}", password=PASSWORD,
                                              display_name=role, role=role, organisation=places.get(role, self.city),
                                              is_staff=role == STAFF)
                      for role in ROLES if role != WORKER}
        member_since = timezone.localdate() - datetime.timedelta(days=400)
        self.worker = worker_register(
            by=root, name="李明", id_number=id_number(region), mobile=mobile(), employer=self.enterprise,
            job_category=JobCategory.FRONT_LINE_PRODUCTION, union_member_since=member_since,
            bank_name="工商银行", bank_account=bank_card(0, prefix=f"6222023602{region}"))
        self.users[WORKER] = worker_account_create(by=root, worker=self.worker, password=PASSWORD)
        self.colleague = worker_register(
            by=root, name="王芳", id_number=id_number(region), mobile=mobile(), employer=self.enterprise,
            job_category=JobCategory.SERVICE, union_member_since=member_since)
        self.draft = policy_create(by=root, organisation=self.district, code=f"{code}-M", title="区配套资助",
                                   year=timezone.localdate().year, amount_college_fen=50_000,
                                   amount_bachelor_fen=50_000)

    def _applications(self, code):
        """The worker's college application to a verified diploma (on the school's roster), their bachelor's one
        approved; the colleague's returned (the colleague is free to apply for a bachelor's level)."""
        self.policy = self._policy(code=f"{code}-P", selection=Selection.RANKING)
        self.application = self._walked(self.worker, Level.COLLEGE, _TO_VERIFIED)
        self.approved = self._walked(self.worker, Level.BACHELOR, _TO_APPROVED)
        self.returned = self._walked(self.colleague, Level.COLLEGE, ((Action.RETURN, "enterprise_officer"),))
        self.document = self.application.documents.first()
        self.roster = roster_upload(by=self.users["school_staff"], school=self.school, upload=SimpleUploadedFile(
            "毕业生名单.xlsx", workbook(["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"], [[
                self.application.certificate_number, self.worker.id_number, self.worker.name, "专科",
                self.application.major, self.application.graduation_date]]).getvalue()))

    def _money(self, root, code):
        """A budget, a round that funds the verified application (its batch and line), a lottery's draw."""
        city_admin = self.users["city_admin"]
        self.budget = budget_create(by=root, organisation=self.city, year=timezone.localdate().year,
                                    source=FundSource.SPECIAL, name="求学圆梦专项资金", amount_fen=100_000_000)
        self.round = round_commit(by=city_admin, policy=self.policy, budget=self.budget, limit_fen=150_000,
                                  code=f"{code}-R1")
        self.batch = self.round.batches.get()
        self.line = self.batch.lines.get()
        self.draw = lottery_announce(
            by=city_admin, policy=self._policy(code=f"{code}-L", selection=Selection.LOTTERY), budget=self.budget,
            code=f"{code}-L1", limit_fen=100_000, seed_source="中国福利彩票 双色球 开奖号码",
            seed_date=timezone.localdate() + datetime.timedelta(days=3))
        self.lottery_policy = self.draw.policy
        self.target = target_set(by=city_admin, organisation=self.city, measure=Measure.APPROVED,
                                 start_year=timezone.localdate().year, end_year=timezone.localdate().year, value=1000)

    def _training(self, root):
        """A learning centre the district runs, an offline course of the district held there, the worker on it."""
        self.training_place = place_create(by=root, owner=self.district, name=f"{self.district.name}职工学习中心",
                                           place_type=PlaceType.LEARNING_CENTRE, address="职工服务中心二楼",
                                           latitude=23.13, longitude=113.32)
        self.course = course_create(by=root, provider=self.district, title="焊工实操班", hours=8,
                                    category=SkillCategory.WELDING, mode=CourseMode.OFFLINE,
                                    place=self.training_place, capacity=30)
        self.enrolment = enrolment_create(by=self.users[WORKER], worker=self.worker, course=self.course)

    def _training_orders(self):
        """The district's teacher; the enterprise's order accepted by the district with the teacher, the worker on
        it and a session today; a second order still requested."""
        officer, reviewer = self.users["enterprise_officer"], self.users["district_reviewer"]
        self.teacher = teacher_create(by=reviewer, organisation=self.district, name="王老师", specialities=["cnc"])
        self.training_order = order_request(by=officer, organisation=self.organisation, topic="数控车床操作",
                                            skill_category="cnc", head_count=5)
        order_transition(by=reviewer, order=self.training_order, action="accept")
        order_assign(by=reviewer, order=self.training_order, school=None, teachers=[self.teacher])
        participants_add(by=officer, order=self.training_order, workers=[self.worker])
        self.training_participant = self.training_order.participants.get()
        self.training_session = session_schedule(
            by=reviewer, order=self.training_order, teacher=self.teacher,
            date=timezone.localdate() + datetime.timedelta(days=1),
            starts_at=datetime.time(9), ends_at=datetime.time(11), venue="职工学习中心")
        self.training_session.date = timezone.localdate()  # held today at 9, whatever the hour: attendance is open
        self.training_session.save(update_fields=["date"])
        self.requested_order = order_request(by=officer, organisation=self.organisation, topic="焊工安全",
                                             skill_category="welding", head_count=2)

    def _surveys_and_projects(self, root):
        """The district's project, the colleague named on it; its survey of the enterprise (sent, one question,
        answered by the enterprise's officer) and a draft survey with a question."""
        self.project = project_create(by=root, lead=self.district, name="数控技能提升项目", kind=ProjectKind.SKILLS,
                                      starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 12, 31))
        project_participants_add(by=root, project=self.project, workers=[self.colleague])
        self.project_participant = self.project.participants.get()
        window = {"opens_at": timezone.now() - datetime.timedelta(days=1),
                  "closes_at": timezone.now() + datetime.timedelta(days=30)}
        self.survey = survey_create(by=root, organisation=self.district, title="培训需求调查",
                                    audience=Audience.ENTERPRISES, **window)
        self.survey_question = question_add(by=root, survey=self.survey, kind=QuestionKind.SINGLE, text="工种",
                                            options=["电工", "焊接"])
        survey_send(by=root, survey=self.survey, targets=[self.organisation])
        self.survey_response = response_submit(
            by=self.users["enterprise_officer"], survey=self.survey,
            answers={self.survey_question.pk: self.survey_question.options.first().pk})
        self.survey_draft = survey_create(by=root, organisation=self.district, title="调查草稿",
                                          audience=Audience.ENTERPRISES, **window)
        self.draft_question = question_add(by=root, survey=self.survey_draft, kind=QuestionKind.TEXT, text="建议")

    def _policy(self, *, code, selection):
        today, city_admin = timezone.localdate(), self.users["city_admin"]
        policy = policy_create(
            by=city_admin, organisation=self.city, code=code, title="职工求学圆梦资助", year=today.year,
            amount_college_fen=150_000, amount_bachelor_fen=150_000, programme_types=list(ProgrammeType.values),
            min_membership_months=6, opens_on=today - datetime.timedelta(days=30),
            closes_on=today + datetime.timedelta(days=60), required_documents=[DocumentKind.ENROLMENT_PROOF],
            annual_budget_fen=660_000_000, selection=selection)
        return policy_publish(by=city_admin, policy=policy)

    def _walked(self, worker, level, moves):
        """An application of ``worker`` walked by the city's own staff through ``moves`` (a diploma before a
        verification)."""
        today, staff = timezone.localdate(), self.users
        application = application_submit(
            by=staff["enterprise_officer"], worker=worker, policy=self.policy, level=level,
            programme_type=ProgrammeType.OPEN_UNIVERSITY, school=self.school, major="机电一体化技术",
            study_mode="part_time", enrolment_date=today - datetime.timedelta(days=800),
            student_number=f"S{worker.pk}{level}", documents={DocumentKind.ENROLMENT_PROOF: pdf()})
        for action, role in moves:
            if action == Action.SUBMIT_DIPLOMA:
                application = application_submit_diploma(
                    by=staff[role], application=application, graduation_date=today - datetime.timedelta(days=60),
                    certificate_number=f"{self.school.school_code}5{today.year}06{worker.pk:06d}",
                    scan=pdf("毕业证书.pdf"))
            else:
                application = application_transition(by=staff[role], application=application, action=action,
                                                     reason="请补充材料" if action == Action.RETURN else "",
                                                     checked_by_hand=action == Action.VERIFY_DIPLOMA)
        return application

    def _superusers_rows(self, code):
        """A row of each model that Django and the installed packages put in the admin (only superusers see them):
        a group, a sign-in's traces in axes, and the background task of the city's export."""
        sign_in = {"user_agent": "matrix", "ip_address": "10.0.0.1", "username": f"{code}-viewer",
                   "http_accept": "*/*", "path_info": "/accounts/login/"}
        self.group = Group.objects.create(name=f"{code}-group")
        self.access_attempt = AccessAttempt.objects.create(**sign_in, get_data="", post_data="",
                                                           failures_since_start=1)
        self.access_log = AccessLog.objects.create(**sign_in)
        self.access_failure_log = AccessFailureLog.objects.create(**sign_in, locked_out=False)
        self.task_result = DBTaskResult.objects.get(pk=run_job.enqueue(self.job.pk).id)

    def object(self, kind: str, role: str):
        """The object of ``kind`` in this city; a token or a user is the role's own (a worker has no token)."""
        if kind == "token":
            return self.tokens[role][0] if role in self.tokens else None
        if kind == "user":
            return self.users[role]
        return getattr(self, kind)


class World:
    def __init__(self):
        root = superuser()
        national = organisation_create(by=root, kind=OrgKind.NATIONAL, code="N", name="全国总工会")
        province = organisation_create(by=root, kind=OrgKind.PROVINCE, code="GD", name="广东省总工会",
                                       parent=national, region_code="440000")
        self.cities = {
            "inside": City(root, province, code="GZ", name="广州", region="440100", district_region="440106"),
            "outside": City(root, province, code="SZ", name="深圳", region="440300", district_region="440304"),
        }
        mine = self.cities["inside"]
        self.api_clients, self.page_clients = {}, {}
        for role, user in mine.users.items():
            self.page_clients[role] = Client(HTTP_ACCEPT_LANGUAGE="en")
            self.page_clients[role].force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
            self.api_clients[role] = (self.page_clients[role] if role == WORKER else
                                      Client(HTTP_AUTHORIZATION=f"Bearer {mine.tokens[role][1]}",
                                             HTTP_ACCEPT_LANGUAGE="en"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once; each test's own transaction (and each request's savepoint) is rolled back inside this one."""
    files = tmp_path_factory.mktemp("access")
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=files / "uploads",
            AUDIT_ANCHOR_FILE=files / "audit-anchors.jsonl"), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _test_settings(world):
    """The world's settings (its uploads, its hasher) hold for the whole module, in place of the per-test ones."""


# ---- the matrix ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One operation or page: the kind of object its id names, and per role (in ROLES' order) the answer for the
    inside object: a status code, ``*`` when the request changed the object or wrote to the audit trail, ``-``
    for a role that has no such object. Outside, every role gets 404 and nothing changes."""

    kind: str
    inside: str
    method: str = "GET"
    body: dict | None = None  # JSON, or (``form``) fields of a multipart form; a callable takes the object's city
    form: bool = False
    params: dict | None = None  # the path's other parameters (a format, an action)

    def answers(self) -> dict[str, str]:
        cells = self.inside.split()
        assert len(cells) == len(ROLES), f"{self}: one answer per role in {ROLES}"
        return dict(zip(ROLES, cells, strict=True))


def post(kind, inside, body=None, **options):
    return Row(kind, inside, "POST", body, **options)


def _upload(name: str):
    return lambda city: {"file": SimpleUploadedFile(name, b"not a workbook")}


def _diploma(city):
    return {"certificate_number": f"{city.school.school_code}5{timezone.localdate().year}05000001",
            "graduation_date": (timezone.localdate() - datetime.timedelta(days=30)).isoformat()}


_THIS_YEAR = {"year": timezone.localdate().year}  # the year of the world's policies and budgets


def _target_fields(city):
    return {"measure": "workers_paid", "start_year": 2024, "end_year": 2030, "value": 100}

#                                                                        ent dis city fin aud sch view wrk
OPERATIONS = {  # OpenAPI operations, by method and path
    "GET /api/orgs/{org_id}": Row("organisation",                       "200 200 200 200 200 404 200 404"),
    "GET /api/workers/{worker_id}": Row("worker",                       "200 200 200 200 200 404 200 200"),
    "PATCH /api/workers/{worker_id}": Row("worker",                     "200* 200* 200* 403 403 404 403 403",
                                          "PATCH", {"bank_name": "建设银行"}),
    "PUT /api/payouts/budgets/{budget_id}/total": Row("budget",         "404 404 200* 403 403 404 403 404",
                                                      "PUT", {"total_fen": 200_000_000, "note": "追加"}),
    "GET /api/payouts/rounds/{round_id}": Row("round",                  "404 404 200 200 200 404 200 404"),
    "POST /api/payouts/rounds/{round_id}/release": post("round",        "404 404 422 403 403 404 403 404"),
    "GET /api/payouts/rounds/{round_id}/lines": Row("round",            "404 404 200 200 200 404 200 404"),
    "GET /api/payouts/rounds/{round_id}/lines/export": Row("round",     "404 404 200 200 200 404 200 404"),
    "POST /api/payouts/lines/{line_id}/objection": post("line",         "404 404 422 403 403 404 403 404",
                                                        {"reason": "姓名有误"}),
    "POST /api/payouts/batches/{batch_id}/approve": post("batch",       "404 404 403 200* 403 404 403 404"),
    "POST /api/payouts/batches/{batch_id}/file/{fmt}": post("batch",    "404 404 403 422 403 404 403 404",
                                                            params={"fmt": "xlsx"}),
    "POST /api/payouts/batches/{batch_id}/results": post("batch",       "404 404 403 422 403 404 403 404",
                                                         _upload("银行回单.xlsx"), form=True),
    # the world's workers were registered by their union: confirmed already (422), the decision is the union's
    "POST /api/workers/{worker_id}/confirm": post("worker",             "422 422 422 403 403 404 403 403", {}),
    "POST /api/workers/{worker_id}/decline": post("worker",             "422 422 422 403 403 404 403 403",
                                                  {"reason": "不是本企业职工"}),
    "GET /api/policies/{policy_id}": Row("policy",                      "404 404 200 200 200 404 200 200"),
    "PATCH /api/policies/{policy_id}": Row("policy",                    "404 404 422 403 403 404 403 403",
                                           "PATCH", {"title": "新标题"}),
    "POST /api/policies/{policy_id}/publish": post("policy",            "404 404 422 403 403 404 403 403"),
    "POST /api/policies/{policy_id}/close": post("policy",              "404 404 200* 403 403 404 403 403"),
    "POST /api/policies/{policy_id}/supersede": post("policy",          "404 404 201* 403 403 404 403 403",
                                                     {"code": "NEW-1"}),
    "GET /api/applications/{application_id}": Row("application",       "200 200 200 200 200 200 200 200"),
    "POST /api/applications/{application_id}/transitions": post("approved", "403 403 200* 403 403 403 403 403",
                                                                {"action": "reject", "reason": "不符合条件"}),
    "POST /api/applications/{application_id}/resubmit": post("returned", "200* 403 403 403 403 403 403 404",
                                                             {}, form=True),
    "POST /api/applications/{application_id}/diploma": post("approved", "200* 403 403 403 403 403 403 200*",
                                                            _diploma, form=True),
    "GET /api/tasks/{task_id}": Row("job",                              "200 404 200 404 404 404 404 404"),
    "POST /api/tasks/{task_id}/rerun": post("job",                      "422 404 403 404 404 404 404 404"),
    # the figures read like the organisation, money like a budget (VIEW_FUNDS: not the enterprise's or district's)
    "GET /api/stats/{organisation_id}/{year}/money": Row("organisation", "404 404 200 200 200 404 200 404",
                                                         params=_THIS_YEAR),
    "GET /api/stats/{organisation_id}/{year}/workers": Row("organisation", "200 200 200 200 200 404 200 404",
                                                           params=_THIS_YEAR),
    "GET /api/stats/{organisation_id}/{year}/funnel": Row("organisation", "200 200 200 200 200 404 200 404",
                                                          params=_THIS_YEAR),
    "GET /api/stats/{organisation_id}/{year}/durations": Row("organisation", "200 200 200 200 200 404 200 404",
                                                             params=_THIS_YEAR),
    "GET /api/stats/{organisation_id}/{year}/intake": Row("organisation", "200 200 200 200 200 404 200 404",
                                                          params=_THIS_YEAR),
    "GET /api/stats/{organisation_id}/registry": Row("organisation",    "200 200 200 200 200 404 200 404"),
    # targets: read like the organisation; set, shared, changed and removed by SET_TARGETS (city admin, viewer)
    "GET /api/stats/{organisation_id}/targets": Row("organisation",     "200 200 200 200 200 404 200 404"),
    "POST /api/stats/{organisation_id}/targets": post("organisation",   "403 403 201* 403 403 404 201* 404",
                                                      _target_fields),
    "POST /api/stats/targets/{target_id}/shares": post("target",        "404 404 200* 403 403 404 200* 404",
                                                       lambda city: {"organisation_id": city.district.pk,
                                                                     "value": 10}),
    "GET /api/stats/targets/{target_id}": Row("target",                 "404 404 200 200 200 404 200 404"),
    "PATCH /api/stats/targets/{target_id}": Row("target",               "404 404 200* 403 403 404 200* 404",
                                                "PATCH", {"value": 2000}),
    "DELETE /api/stats/targets/{target_id}": Row("target",              "404 404 204* 403 403 404 204* 404",
                                                 "DELETE"),
    # the network and the catalogue are read across one's own city; places and courses are managed by the staff
    # with MANAGE_TRAINING over their organisation (the district's: not the school's staff); enrolling oneself: the
    # worker is on the course already, staff have no worker record
    "GET /api/training/places/{place_id}": Row("training_place",      "200 200 200 200 200 200 200 200"),
    "PATCH /api/training/places/{place_id}": Row("training_place",    "403 200* 200* 403 403 403 403 403",
                                                 "PATCH", {"opening_hours": "每天 9:00-21:00"}),
    "GET /api/training/courses/{course_id}": Row("course",            "200 200 200 200 200 200 200 200"),
    "PATCH /api/training/courses/{course_id}": Row("course",          "403 200* 200* 403 403 403 403 403",
                                                   "PATCH", {"schedule": "每周日 9:00-12:00"}),
    "POST /api/training/courses/{course_id}/enrolments": post("course", "422 422 422 422 422 422 422 422", {}),
    "GET /api/training/courses/{course_id}/enrolments": Row("course", "403 200 200 403 403 403 403 403"),
    "POST /api/training/enrolments/{enrolment_id}/learning": post("enrolment", "404 201* 201* 403 403 404 403 403",
                                                                  {"verb": "attended", "minutes": 60}),
    # training orders: read with VIEW over the ordering enterprise; taken (accepted, assigned, scheduled, attendance)
    # with TAKE_TRAINING_ORDERS; workers put on by the enterprise or the union; teachers kept with MANAGE_TRAINING
    "GET /api/training-orders/{order_id}": Row("training_order",          "200 200 200 200 200 404 200 404"),
    "POST /api/training-orders/{order_id}/transitions": post("requested_order", "403 200* 200* 403 403 404 403 404",
                                                             {"action": "accept"}),
    "PUT /api/training-orders/{order_id}/assignment": Row("training_order", "403 200* 200* 403 403 404 403 404", "PUT",
                                                          lambda city: {"teacher_ids": [city.teacher.pk]}),
    "GET /api/training-orders/{order_id}/sessions": Row("training_order", "200 200 200 200 200 404 200 404"),
    "POST /api/training-orders/{order_id}/sessions": post("training_order", "403 201* 201* 403 403 404 403 404",
                                                          lambda city: _session_fields(city)),
    "GET /api/training-orders/{order_id}/participants": Row("training_order", "200 200 200 200 200 404 200 404"),
    "POST /api/training-orders/{order_id}/participants": post(
        "training_order", "200* 200* 200* 403 403 404 403 404", lambda city: {"worker_ids": [city.colleague.pk]}),
    "PUT /api/training-orders/sessions/{session_id}/attendance": Row(
        "training_session", "403 200* 200* 403 403 404 403 404", "PUT", lambda city: {"worker_id": city.worker.pk}),
    "DELETE /api/training-orders/participants/{participant_id}": Row(
        "training_participant", "204* 204* 204* 403 403 404 403 404", "DELETE"),
    "DELETE /api/training-orders/sessions/{session_id}": Row(
        "training_session", "403 204* 204* 403 403 404 403 404", "DELETE"),
    "POST /api/training-orders/sessions/{session_id}/attendance-file": post(
        "training_session", "403 422 422 403 403 404 403 404", _upload("出勤.xlsx"), form=True),
    "PUT /api/training-orders/teachers/{teacher_id}": Row("teacher",      "404 200* 200* 403 403 404 403 404", "PUT",
                                                          {"name": "王老师"}),
    # surveys: the unions holding MANAGE_SURVEYS over the survey's union (the viewer too); an enterprise's officer
    # answers (already answered: refused), no one else is addressed
    "GET /api/surveys/{survey_id}": Row("survey",                        "404 200 200 404 404 404 200 404"),
    "POST /api/surveys/{survey_id}/questions": post("survey_draft",      "404 201* 201* 404 404 404 201* 404",
                                                    {"kind": "text", "text": "其他建议"}),
    "DELETE /api/surveys/questions/{question_id}": Row("draft_question", "404 204* 204* 404 404 404 204* 404",
                                                       "DELETE"),
    "POST /api/surveys/{survey_id}/send": post("survey_draft",           "404 200* 200* 404 404 404 200* 404",
                                               lambda city: {"target_ids": [city.organisation.pk]}),
    "POST /api/surveys/{survey_id}/close": post("survey",                "404 200* 200* 404 404 404 200* 404"),
    "GET /api/surveys/{survey_id}/results": Row("survey",                "404 200 200 404 404 404 200 404"),
    "GET /api/surveys/questions/{question_id}/texts": Row("survey_question", "404 200 200 404 404 404 200 404"),
    "POST /api/surveys/{survey_id}/responses": post("survey",            "422 404 404 404 404 404 404 404",
                                                    {"answers": {}}),
    # projects: read with VIEW over the lead (the district's: not the enterprise's or the school's staff), managed
    # with MANAGE_PROJECTS
    "GET /api/projects/{project_id}": Row("project",                     "404 200 200 200 200 404 200 404"),
    "PATCH /api/projects/{project_id}": Row("project",                   "404 200* 200* 403 403 404 403 404",
                                            "PATCH", {"description": "校企合作"}),
    "POST /api/projects/{project_id}/participants": post("project",      "404 200* 200* 403 403 404 403 404",
                                                         lambda city: {"worker_ids": [city.worker.pk]}),
    "POST /api/projects/{project_id}/{action}": post("project",          "404 200* 200* 403 403 404 403 404",
                                                     params={"action": "start"}),
    "DELETE /api/projects/participants/{participant_id}": Row("project_participant",
                                                              "404 204* 204* 403 403 404 403 404", "DELETE"),
}
PAGES = {  # pages, by URL name
    "token_revoke": post("token",                                       "302* 302* 302* 302* 302* 302* 302* -"),
    "worker_detail": Row("worker",                                      "200 200 200 200 200 404 200 200"),
    "worker_edit": Row("worker",                                        "200 200 200 403 403 404 403 403"),
    "member_confirm": post("worker",                                    "302 302 302 403 403 404 403 403"),
    "member_decline": post("worker",                                    "302 302 302 403 403 404 403 403",
                           {"reason": "不是本企业职工"}),
    "organisation_detail": Row("organisation",                          "200 200 200 200 200 404 200 404"),
    "policy_detail": Row("policy",                                      "404 404 200 200 200 404 200 200"),
    "policy_edit": Row("policy",                                        "404 404 302 403 403 404 403 403"),
    "policy_action": post("policy",                                     "404 404 302* 403 403 404 403 403",
                          params={"action": "close"}),
    "apply": Row("policy",                                              "404 404 404 404 404 404 404 200"),
    "application_detail": Row("application",                            "200 200 200 200 200 200 200 200"),
    "application_act": post("approved",                                 "302 302 302* 302 302 302 302 302",
                            {"action": "reject", "reason": "不符合条件"}),
    "application_resubmit": Row("returned",                             "200 403 403 403 403 403 403 404"),
    "application_diploma": Row("approved",                              "200 403 403 403 403 403 403 200"),
    "document_download": Row("document",                               "200 200 200 200 200 200 200 200"),
    "round_detail": Row("round",                                        "404 404 200 200 200 404 200 404"),
    "round_release": post("round",                                      "404 404 302 403 403 404 403 404"),
    "line_objection": post("line",                                      "404 404 302 403 403 404 403 404",
                           {"reason": "姓名有误"}),
    "batch_detail": Row("batch",                                        "404 404 200 200 200 404 200 404"),
    "batch_approve": post("batch",                                      "404 404 403 302* 403 404 403 404"),
    "batch_results": post("batch",                                      "404 404 403 302 403 404 403 404",
                          _upload("银行回单.xlsx")),
    "batch_file": post("batch",                                         "404 404 403 302 403 404 403 404",
                       params={"fmt": "xlsx"}),
    "lottery_announce": Row("policy",                                   "404 404 200 403 403 404 403 404"),
    "lottery_detail": Row("draw",                                       "404 404 200 200 200 404 200 404"),
    "lottery_action": post("draw",                                      "404 404 302 403 403 404 403 404",
                           params={"action": "freeze"}),
    "job_detail": Row("job",                                            "200 404 200 404 404 404 404 404"),
    # administrators follow others' tasks but do not fetch their files
    "job_download": Row("job",                                          "200 404 404 404 404 404 404 404"),
    "job_rerun": post("job",                                            "302 404 302 404 404 404 404 404"),
    "stats_targets": Row("organisation",                                "200 200 200 200 200 404 200 404"),
    "dashboard": Row("organisation",                                    "200 200 200 200 200 404 200 404"),
    "stats_report": Row("organisation",                                 "200 200 200 200 200 404 200 404"),
    "stats_report_pdf": post("organisation",                            "200* 200* 200* 200* 200* 404 200* 404",
                             lambda city: {"year": timezone.localdate().year}),
    "dashboard_export": Row("organisation",                             "200 200 200 200 200 404 200 404",
                            params={"table": "funnel"}),
    "dashboard_refresh": post("organisation",                           "403 403 302 403 403 404 302 404"),
    "stats_target_new": Row("organisation",                             "403 403 200 403 403 404 200 404"),
    "stats_target": Row("target",                                       "404 404 200 200 200 404 200 404"),
    "stats_target_shares_export": Row("target",                         "404 404 200 200 200 404 200 404"),
    "training_place": Row("training_place",                             "200 200 200 200 200 200 200 200"),
    "training_place_edit": Row("training_place",                        "403 200 200 403 403 403 403 403"),
    # a course's page counts its view (once a session)
    "training_course": Row("course",                                    "200* 200* 200* 200* 200* 200* 200* 200*"),
    "training_course_edit": Row("course",                               "403 200 200 403 403 403 403 403"),
    "training_enrol": post("course",                                    "404 404 404 404 404 404 404 302"),
    "training_order_detail": Row("training_order",                      "200 200 200 200 200 404 200 404"),
    "training_order_assign": post("training_order",                     "403 302* 302* 403 403 404 403 404",
                                  lambda city: {"teachers": [city.teacher.pk]}),
    "training_session_add": post("training_order",                      "403 302* 302* 403 403 404 403 404",
                                 lambda city: _session_form(city)),
    "training_participants_add": post("training_order",                 "302* 302* 302* 403 403 404 403 404",
                                      lambda city: {"workers": [city.colleague.pk]}),
    "training_order_action": post("requested_order",                    "403 302* 302* 403 403 404 403 404",
                                  params={"action": "accept"}),
    "training_session_attendance": Row("training_session",              "200 200 200 200 200 404 200 404"),
    "training_session_cancel": post("training_session",                 "403 302* 302* 403 403 404 403 404"),
    "training_participant_remove": post("training_participant",         "302* 302* 302* 403 403 404 403 404"),
    "teacher_edit": Row("teacher",                                      "404 200 200 403 403 404 403 404"),
    "training_learning": post("enrolment",                              "404 302* 302* 403 403 404 403 403",
                              {"verb": "attended", "minutes": "60"}),
    "survey_detail": Row("survey",                                      "404 200 200 404 404 404 200 404"),
    "survey_edit": Row("survey_draft",                                  "404 200 200 404 404 404 200 404"),
    "survey_question_add": post("survey_draft",                         "404 302* 302* 404 404 404 302* 404",
                                {"kind": "text", "text": "其他建议"}),
    "survey_question_action": post("draft_question",                    "404 302* 302* 404 404 404 302* 404",
                                   params={"action": "remove"}),
    "survey_texts": Row("survey_question",                              "404 200 200 404 404 404 200 404"),
    "survey_send": post("survey_draft",                                 "404 302* 302* 404 404 404 302* 404",
                        lambda city: {"codes": city.organisation.code}),
    "survey_close": post("survey",                                      "404 302* 302* 404 404 404 302* 404"),
    "survey_export": Row("survey",                                      "404 200 200 404 404 404 200 404"),
    # the enterprise has answered: back to its list; its answers become a training order on its officer's page
    "survey_answer": Row("survey",                                      "302 404 404 404 404 404 404 404"),
    "survey_order": Row("survey_response",                              "200 404 404 404 404 404 404 404"),
    "project_detail": Row("project",                                    "404 200 200 200 200 404 200 404"),
    "project_edit": Row("project",                                      "404 200 200 403 403 404 403 404"),
    "project_participants_add": post("project",                         "404 302* 302* 403 403 404 403 404",
                                     lambda city: {"mobiles": city.worker.mobile}),
    "project_action": post("project",                                   "404 302* 302* 403 403 404 403 404",
                           params={"action": "start"}),
    "project_participant_remove": post("project_participant",           "404 302* 302* 403 403 404 403 404"),
}

@dataclass(frozen=True)
class IdParameter:
    """An id in a query or a body: ``role`` (one who may use the operation) names an object of ``kind`` inside,
    then outside, then one that exists nowhere; outside must answer exactly as nowhere does, and change nothing."""

    kind: str
    role: str
    inside: str
    outside: str
    body: object = None  # the rest of a valid request: a dict, or a callable taking the inside city
    path_kind: str = ""  # the (inside) object a path id names
    params: dict | None = None
    nowhere: str = ""  # when an outside object is a right answer (schools are shared), what a missing one gets

    def answers(self) -> dict[str, str]:
        return {"inside": self.inside, "outside": self.outside, "nowhere": self.nowhere or self.outside}


def _worker_fields(city):
    return {"name": "孙丽", "id_number": id_number("440106", "19950505"), "mobile": mobile(), "job_category": "service"}


def _worker_form(city):
    return {**_worker_fields(city), "document_type": "resident_id"}


def _enterprise_fields(city):
    return {"legal_name": "新开物流有限公司", "credit_code": credit_code("440106"), "industry": Industry.TRANSPORT,
            "size": EnterpriseSize.SMALL}


def _budget_fields(city):
    return {"year": timezone.localdate().year, "source": "matching", "name": "区配套资金", "amount_fen": 100_000}


def _session_fields(city):
    return {"teacher_id": city.teacher.pk, "date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "starts_at": "14:00", "ends_at": "15:00", "venue": "职工学习中心"}


def _session_form(city):
    fields = _session_fields(city)
    return {**fields, "teacher": fields.pop("teacher_id")}


def _order_fields(city):
    return {"organisation_id": city.organisation.pk, "topic": "电工安全", "skill_category": "electrical",
            "head_count": 3}


def _order_form(city):
    return {"organisation": city.organisation.pk, "topic": "电工安全", "skill_category": "cnc", "head_count": "3"}


def _survey_fields(city):
    return {"title": "调查", "audience": "workers", "opens_at": "2026-01-01T00:00:00+08:00",
            "closes_at": "2030-01-01T00:00:00+08:00"}


def _project_fields(city):
    return {"name": "新项目", "kind": "skills", "starts_on": "2026-03-01", "ends_on": "2026-12-31",
            "unnamed_participants": 0}


def _policy_fields(city):
    return {"code": "NEW-P", "title": "新资助", "year": timezone.localdate().year, "amount_college_fen": 50_000,
            "amount_bachelor_fen": 50_000}


def _matching_fields(city):
    return {**_policy_fields(city), "organisation_id": city.district.pk}


def _application_fields(city):
    return {"worker_id": city.colleague.pk, "policy_id": city.policy.pk, "school_id": city.school_union.pk,
            "level": "bachelor", "programme_type": "open_university", "major": "物流管理", "study_mode": "part_time",
            "enrolment_date": (timezone.localdate() - datetime.timedelta(days=800)).isoformat(),
            "student_number": "S-NEW", "document_enrolment_proof": pdf()}


def _place_fields(city):
    return {"owner_id": city.district.pk, "name": "员村职工服务站", "place_type": "service_station",
            "address": "员村二横路", "latitude": 23.12, "longitude": 113.36}


def _course_fields(city):
    return {"provider_id": city.district.pk, "title": "叉车安全驾驶", "category": "logistics", "mode": "offline",
            "hours": 8, "place_id": city.training_place.pk}


def _round_fields(city):
    return {"policy_id": city.policy.pk, "budget_id": city.budget.pk, "limit_fen": 150_000, "code": "R-NEW"}


def _sheet(kind: str):
    """A workbook with the import kind's columns and one row of nonsense."""
    headers = [column.header for column in IMPORT_KINDS[kind].template_columns()]
    return lambda city: {"file": SimpleUploadedFile(f"{kind}.xlsx", workbook(headers, [["?"] * len(headers)])
                                                    .getvalue())}


ELIGIBILITY = {"level": "bachelor", "programme_type": "open_university"}
ID_PARAMETERS = {  # (operation, parameter): who asks, and the answers for an object inside, outside (= nowhere);
    # a 422 names the refused fields, a page of a list its number of rows
    ("GET /api/orgs", "parent_id"): IdParameter("district", "city_admin", "200 n=1", "200 n=0"),
    ("GET /api/orgs/export", "parent_id"): IdParameter("district", "city_admin", "200", "200"),
    ("POST /api/orgs/enterprises", "parent_id"): IdParameter("district", "city_admin", "201*", "404",
                                                             _enterprise_fields),
    ("GET /api/workers", "organisation_id"): IdParameter("organisation", "district_reviewer", "200 n=2", "404"),
    ("GET /api/workers/export", "organisation_id"): IdParameter("organisation", "district_reviewer", "200", "404"),
    ("POST /api/workers", "employer_id"): IdParameter("enterprise", "enterprise_officer", "201*", "404",
                                                      _worker_fields),
    ("PATCH /api/workers/{worker_id}", "employer_id"): IdParameter("enterprise", "district_reviewer", "200", "404",
                                                                   path_kind="worker"),
    ("POST /api/payouts/budgets", "organisation_id"): IdParameter("district", "city_admin", "201*", "404",
                                                                  _budget_fields),
    ("POST /api/payouts/simulate", "policy_id"): IdParameter("policy", "city_admin", "200", "404",
                                                             {"limit_fen": 150_000}),
    # nothing left to fund inside: the round is refused after both ids were found
    ("POST /api/payouts/rounds", "policy_id"): IdParameter("policy", "city_admin", "422 __all__", "404",
                                                           _round_fields),
    ("POST /api/payouts/rounds", "budget_id"): IdParameter("budget", "city_admin", "422 __all__", "404",
                                                           _round_fields),
    ("POST /api/policies", "organisation_id"): IdParameter("district", "city_admin", "201*", "422 organisation_id",
                                                           _policy_fields),
    ("POST /api/surveys", "organisation_id"): IdParameter("district", "city_admin", "201*", "422 organisation_id",
                                                          _survey_fields),
    ("POST /api/surveys/{survey_id}/responses", "enterprise_id"): IdParameter(
        "organisation", "enterprise_officer", "422 survey", "422 enterprise_id", path_kind="survey",
        body=lambda city: {"answers": {city.survey_question.pk: city.survey_question.options.first().pk}}),
    ("POST /api/projects", "lead_id"): IdParameter("district", "city_admin", "201*", "422 lead_id", _project_fields),
    ("POST /api/policies", "parent_id"): IdParameter("policy", "city_admin", "201*", "422 parent_id",
                                                     _matching_fields),
    ("PATCH /api/policies/{policy_id}", "parent_id"): IdParameter("policy", "city_admin", "200*", "422 parent_id",
                                                                  path_kind="draft"),
    ("GET /api/policies/open", "worker_id"): IdParameter("worker", "enterprise_officer", "200 n=2", "404"),
    ("GET /api/applications/eligibility", "policy_id"): IdParameter(
        "policy", "enterprise_officer", "200", "422 policy_id",
        lambda city: {**ELIGIBILITY, "worker_id": city.colleague.pk}),
    ("GET /api/applications/eligibility", "worker_id"): IdParameter(
        "colleague", "enterprise_officer", "200", "422 worker_id",
        lambda city: {**ELIGIBILITY, "policy_id": city.policy.pk}),
    ("GET /api/applications", "policy_id"): IdParameter("policy", "district_reviewer", "200 n=3", "200 n=0"),
    ("GET /api/applications", "organisation_id"): IdParameter("organisation", "district_reviewer", "200 n=3",
                                                              "422 organisation_id"),
    ("GET /api/applications", "worker_id"): IdParameter("worker", "district_reviewer", "200 n=2", "200 n=0"),
    ("GET /api/applications/export", "policy_id"): IdParameter("policy", "district_reviewer", "200", "200"),
    ("GET /api/applications/export", "organisation_id"): IdParameter("organisation", "district_reviewer", "200",
                                                                     "422 organisation_id"),
    ("GET /api/applications/export", "worker_id"): IdParameter("worker", "district_reviewer", "200", "200"),
    ("POST /api/applications", "worker_id"): IdParameter("colleague", "enterprise_officer", "201*", "422 worker_id",
                                                         _application_fields),
    ("POST /api/applications", "policy_id"): IdParameter("policy", "enterprise_officer", "201*", "422 policy_id",
                                                         _application_fields),
    # schools are shared: a worker may study in another city, whose school then sees the application
    ("POST /api/applications", "school_id"): IdParameter("school_union", "enterprise_officer", "201*", "201*",
                                                         _application_fields, nowhere="422 school_id"),
    ("POST /api/applications/{application_id}/resubmit", "school_id"): IdParameter(
        "school_union", "enterprise_officer", "200*", "200*", path_kind="returned", nowhere="422 school_id"),
    ("POST /api/rosters", "school_id"): IdParameter("school_union", "school_staff", "422 file", "422 school_id",
                                                    _sheet("graduate_roster")),
    ("POST /api/imports/{kind}", "school"): IdParameter("school", "school_staff", "201", "422 __all__",
                                                        _sheet("graduate_roster"),
                                                        params={"kind": "graduate_roster"}),
    ("POST /api/imports/{kind}", "batch"): IdParameter("batch", "finance_officer", "201", "422 __all__",
                                                       _sheet("bank_results"), params={"kind": "bank_results"}),
    # a share goes to a union directly below the target's: any other answers as one that exists nowhere
    ("POST /api/stats/targets/{target_id}/shares", "organisation_id"): IdParameter(
        "district", "city_admin", "200*", "422 organisation_id", {"value": 10}, path_kind="target"),
    ("POST /api/training/places", "owner_id"): IdParameter("district", "city_admin", "201*", "422 owner_id",
                                                           _place_fields),
    ("POST /api/training/courses", "provider_id"): IdParameter("district", "city_admin", "201*", "422 provider_id",
                                                               _course_fields),
    ("POST /api/training/courses", "place_id"): IdParameter("training_place", "city_admin", "201*", "422 place_id",
                                                            _course_fields),
    ("PATCH /api/training/courses/{course_id}", "place_id"): IdParameter("training_place", "city_admin", "200*",
                                                                         "422 place_id", path_kind="course"),
    ("POST /api/training/courses/{course_id}/enrolments", "worker_id"): IdParameter(
        "colleague", "enterprise_officer", "201*", "404", {}, path_kind="course"),
    ("GET /api/training/courses", "provider_id"): IdParameter("district", "city_admin", "200 n=1", "200 n=0"),
    ("GET /api/training/courses", "district_id"): IdParameter("district", "city_admin", "200 n=1", "200 n=0"),
    ("POST /api/training-orders", "organisation_id"): IdParameter("organisation", "enterprise_officer", "201*",
                                                                  "422 organisation_id", _order_fields),
    ("POST /api/training-orders", "place_id"): IdParameter("training_place", "enterprise_officer", "201*",
                                                           "422 place_id", _order_fields),
    ("GET /api/training-orders/report", "organisation_id"): IdParameter("district", "city_admin", "200", "404"),
    ("POST /api/training-orders/teachers", "organisation_id"): IdParameter("district", "city_admin", "201*",
                                                                           "422 organisation_id", {"name": "李老师"}),
    ("POST /api/training-orders/teachers", "school_id"): IdParameter(
        "school_union", "city_admin", "201*", "422 school_id", lambda city: {"organisation_id": city.city.pk,
                                                                             "name": "李老师"}),
    ("PUT /api/training-orders/teachers/{teacher_id}", "school_id"): IdParameter(
        "school_union", "city_admin", "200*", "422 school_id", {"name": "王老师"}, path_kind="teacher"),
    ("PUT /api/training-orders/{order_id}/assignment", "school_id"): IdParameter(
        "school_union", "district_reviewer", "200*", "422 school_id", lambda city: {"teacher_ids": [city.teacher.pk]},
        path_kind="training_order"),
    ("POST /api/training-orders/{order_id}/sessions", "teacher_id"): IdParameter(
        "teacher", "district_reviewer", "201*", "422 teacher_id", _session_fields, path_kind="training_order"),
    ("POST /api/training-orders/{order_id}/sessions", "place_id"): IdParameter(
        "training_place", "district_reviewer", "201*", "422 place_id", _session_fields, path_kind="training_order"),
    ("PUT /api/training-orders/sessions/{session_id}/attendance", "worker_id"): IdParameter(
        "worker", "district_reviewer", "200*", "422 worker_id", {"present": True}, path_kind="training_session"),
}
@dataclass(frozen=True)
class PageId:
    """An id in a page's form or query string: ``role`` sends the page's request (a GET, or a POST when the key's
    URL name ends in " POST") naming an object of ``kind`` inside, then outside, then one that exists nowhere;
    outside must answer as nowhere does and change nothing. With ``form`` (the form class whose choice field it
    is), the page's own choice list offers the inside object and not the outside one."""

    kind: str
    role: str
    inside: str
    outside: str
    body: object = None  # the rest of the form (a POST) or query (a GET): a dict, or a callable of the inside city
    form: str = ""
    path_kind: str = ""  # the (inside) object the page's path id names
    params: dict | None = None  # the path's other parameters
    nowhere: str = ""  # where an outside object is a right answer (schools are shared): what a missing one gets

    def answers(self) -> dict[str, str]:
        return {"inside": self.inside, "outside": self.outside, "nowhere": self.nowhere or self.outside}


def _yuan_policy_form(city):
    return {"code": "NEW-P", "title": "新资助", "year": timezone.localdate().year, "amount_college": "500",
            "amount_bachelor": "500", "min_membership_months": 0, "selection": "ranking", "notice_days": 0,
            "organisation": city.district.pk}


def _enrolment_form(city):
    return {"level": "bachelor", "programme_type": "open_university", "school": city.school.pk, "major": "物流管理",
            "study_mode": "part_time", "student_number": "S-NEW",
            "enrolment_date": (timezone.localdate() - datetime.timedelta(days=800)).isoformat(),
            "document_enrolment_proof": pdf()}


def _roster_form(city):
    return {"kind": "graduate_roster", "mode": "all", **_sheet("graduate_roster")(city)}


def _place_form(city):
    return {"owner": city.district.pk, "name": "员村职工服务站", "place_type": "service_station", "address": "员村",
            "latitude": "23.12", "longitude": "113.36", "is_active": "on"}


def _course_form(city):
    return {"provider": city.district.pk, "title": "叉车安全驾驶", "category": "logistics", "mode": "offline",
            "level": "beginner", "hours": "8", "status": "open", "place": city.training_place.pk}


PLAN = {"limit": "1500"}
PAGE_IDS = {  # (URL name [+ " POST"], form field or query key): who asks, and the answers inside, outside (= nowhere)
    # a page that shows its form again names the fields it refuses; a list, its number of rows; an export's
    # workbook, its number of rows
    ("policy_add POST", "organisation"): PageId("district", "city_admin", "302*", "200 organisation",
                                                _yuan_policy_form, form="PolicyForm"),
    ("survey_add POST", "organisation"): PageId("district", "city_admin", "302*", "200 organisation",
                                                {"title": "调查", "audience": "workers", "opens_at": "2026-01-01T08:00",
                                                 "closes_at": "2030-01-01T08:00"}, form="SurveyForm"),
    # the draft's page offers its union's children as boxes to tick
    ("survey_send POST", "children"): PageId("organisation", "district_reviewer", "302*", "422",
                                             path_kind="survey_draft", form="SendForm"),
    ("project_add POST", "lead"): PageId("district", "city_admin", "302*", "200 lead", _project_fields,
                                         form="ProjectForm"),
    ("policy_add POST", "parent"): PageId("policy", "city_admin", "302*", "200 parent", _yuan_policy_form,
                                          form="PolicyForm"),
    ("policy_edit POST", "parent"): PageId("policy", "city_admin", "302*", "200 parent", _yuan_policy_form,
                                           form="PolicyForm", path_kind="draft"),
    ("enterprise_add POST", "parent"): PageId("district", "city_admin", "302*", "200 parent", _enterprise_fields,
                                              form="EnterpriseForm"),
    ("worker_add POST", "employer"): PageId("enterprise", "enterprise_officer", "302*", "200 employer",
                                            _worker_form, form="WorkerForm"),
    ("payouts_overview POST", "organisation"): PageId("district", "city_admin", "302*", "200 organisation",
                                                      {"year": 2030, "source": "matching", "amount": "1000"},
                                                      form="BudgetForm"),
    ("payout_plan", "policy"): PageId("policy", "city_admin", "200", "200 policy",
                                      lambda city: {**PLAN, "budget": city.budget.pk}, form="PlanForm"),
    ("payout_plan", "budget"): PageId("budget", "city_admin", "200", "200 budget",
                                      lambda city: {**PLAN, "policy": city.policy.pk}, form="PlanForm"),
    # the commit posts the plan's query string: nothing left to fund inside, refused after both ids were found
    ("payout_plan POST", "budget"): PageId("budget", "city_admin", "200 __all__", "200 budget",
                                           lambda city: {**PLAN, "policy": city.policy.pk}, form="PlanForm"),
    # schools are shared: a worker may study in another city (the worker's levels are taken: refused after the
    # school was found)
    ("apply POST", "school"): PageId("school", WORKER, "200 level", "200 level", _enrolment_form,
                                     form="ApplicationForm", path_kind="lottery_policy", nowhere="200 school"),
    ("application_resubmit POST", "school"): PageId("school", "enterprise_officer", "302*", "302*", _enrolment_form,
                                                    form="ApplicationForm", path_kind="returned",
                                                    nowhere="200 school"),
    ("rosters POST", "school"): PageId("school", "school_staff", "302", "200 school", _roster_form,
                                       form="RosterForm"),
    ("review_queue", "org"): PageId("district", "district_reviewer", "200 n=3", "200 n=0", {"state": ""}),
    # the plan page's link to a policy's applicants without a usable account (with bank=missing)
    ("review_queue", "policy"): PageId("policy", "district_reviewer", "200 n=3", "200 n=0", {"state": ""}),
    ("export", "policy"): PageId("policy", "district_reviewer", "200 n=3", "200 n=0", {"state": ""},
                                 params={"name": "applications"}),
    ("worker_list", "org"): PageId("organisation", "district_reviewer", "200 n=2", "404"),
    ("export", "org"): PageId("district", "district_reviewer", "200 n=3", "200 n=0",
                              {"state": ""}, params={"name": "applications"}),
    ("export", "parent_id"): PageId("district", "city_admin", "200 n=1", "200 n=0",
                                    params={"name": "organisations"}),
    ("export", "round"): PageId("round", "city_admin", "200 n=1", "404", params={"name": "payment-lines"}),
    ("export", "batch"): PageId("batch", "city_admin", "200 n=1", "404", params={"name": "payment-lines"}),
    ("export", "policy_id"): PageId("policy", "district_reviewer", "200 n=3", "200 n=0",
                                    params={"name": "api-applications"}),
    ("export", "organisation_id"): PageId("organisation", "district_reviewer", "200 n=3", "400",
                                          params={"name": "api-applications"}),
    ("export", "worker_id"): PageId("worker", "district_reviewer", "200 n=2", "200 n=0",
                                    params={"name": "api-applications"}),
    ("training_place_add POST", "owner"): PageId("district", "city_admin", "302*", "200 owner", _place_form,
                                                 form="PlaceForm"),
    ("training_course_add POST", "provider"): PageId("district", "city_admin", "302*", "200 provider", _course_form,
                                                     form="CourseForm"),
    ("training_course_add POST", "place"): PageId("training_place", "city_admin", "302*", "200 place",
                                                  _course_form, form="CourseForm"),
    ("training_courses", "provider"): PageId("district", "city_admin", "200 n=1", "200 n=0"),
    ("training_order_new POST", "organisation"): PageId("organisation", "enterprise_officer", "302*",
                                                        "200 organisation", _order_form, form="OrderForm"),
    ("training_order_new POST", "place"): PageId("training_place", "enterprise_officer", "302*", "200 place",
                                                 _order_form, form="OrderForm"),
    ("teacher_list POST", "organisation"): PageId("district", "city_admin", "302*", "200 organisation",
                                                  {"name": "李老师"}, form="TeacherForm"),
    ("teacher_list POST", "school"): PageId("school_union", "city_admin", "302*", "200 school",
                                            lambda city: {"organisation": city.city.pk, "name": "李老师"},
                                            form="TeacherForm"),
    # the order's page posts its forms and comes back to the order, a refusal shown as a message
    ("training_order_assign POST", "school"): PageId("school_union", "district_reviewer", "302*", "302",
                                                     lambda city: {"teachers": [city.teacher.pk]}, form="AssignForm",
                                                     path_kind="training_order"),
    ("training_order_assign POST", "teachers"): PageId("teacher", "district_reviewer", "302*", "302", {},
                                                       form="AssignForm", path_kind="training_order"),
    ("training_session_add POST", "teacher"): PageId("teacher", "district_reviewer", "302*", "302",
                                                     lambda city: _session_form(city), form="SessionForm",
                                                     path_kind="training_order"),
    ("training_session_add POST", "place"): PageId("training_place", "district_reviewer", "302*", "302",
                                                   lambda city: _session_form(city), form="SessionForm",
                                                   path_kind="training_order"),
    ("training_participants_add POST", "workers"): PageId("colleague", "enterprise_officer", "302*", "302", {},
                                                          form="ParticipantsForm", path_kind="training_order"),
    ("training_report", "organisation"): PageId("district", "city_admin", "200 n=0", "404"),
    ("training_courses", "district"): PageId("district", "city_admin", "200 n=1", "200 n=0"),
    ("stats_target POST", "organisation"): PageId("district", "city_admin", "302*", "200 organisation",
                                                  {"action": "share", "value": "10"}, form="ShareForm",
                                                  path_kind="target"),
}
NOT_IDS = {  # the query keys pages read that name no row
    "page", "format", "state", "level", "priority_group", "from", "to", "submitted_from", "submitted_to", "q",
    "action", "industry", "kind", "status", "year", "list", "job_category", "priority",
    "object_type", "person", "object_text", "date_from", "date_to",  # the audit trail's filters
    "waiting",  # a kind of work waiting (the queue's, the batch list's): a key, not a row
    "bank",  # the worker list's and the queue's "missing": those a payment cannot reach
    "membership",  # the members page's "declined" tab
    "category", "mode", "show",  # the course catalogue's filters, the training network's tab
    "on",  # the day targets are measured on
    "skill_category", "group_by", "since", "until"}  # training orders' filters and their report's

PUBLIC = {  # pages anyone may read, without logging in, by the object whose code they take: a lottery's public
    # notice and its data, a round's public notice (公示)
    "lottery_public": "draw", "lottery_download": "draw", "notice_public": "round"}
NOT_AN_OBJECT = {  # routes whose path parameter names no row
    "POST /api/imports/{kind}": "an import kind's name", "import_upload": "an import kind's name",
    "import_template": "an import kind's name", "export": "an export's name",
    "join": "a sign-up link's token: public, it names its enterprise to whoever holds the link, in no scope"}

@dataclass(frozen=True)
class AdminRow:
    """A model in the Django admin: the world's object of it (none for a model only superusers see), and the staff
    role's answers for it inside and for an id that exists nowhere, on each of ADMIN_VIEWS. An outside object
    answers as nowhere does."""

    kind: str
    inside: str
    nowhere: str


ADMIN_VIEWS = ("change", "history", "delete", "change POST")  # URL names after the model's, " POST" for a post
ADMIN = {  # every model registered in the admin, by label; 302 is the admin's "no such object" redirect
    #                                                                   change hist del POST
    "orgs.organisation": AdminRow("organisation",                       "200 200 403 403", "302 302 403 403"),
    "orgs.enterprise": AdminRow("enterprise",                           "200 200 403 403", "302 302 403 403"),
    "orgs.school": AdminRow("school",                                   "200 200 403 403", "302 302 403 403"),
    "orgs.membership": AdminRow("membership",                           "200 200 403 403", "302 302 403 403"),
    "people.worker": AdminRow("worker",                                 "200 200 403 200", "302 302 403 302"),
    "policies.policy": AdminRow("policy",                               "200 200 403 403", "302 302 403 403"),
    "applications.application": AdminRow("application",                 "200 200 403 403", "302 302 403 403"),
    "applications.roster": AdminRow("roster",                           "200 200 403 403", "302 302 403 403"),
    "audit.auditentry": AdminRow("audit_entry",                         "200 200 403 403", "302 302 403 403"),
    # superusers only (accounts, and what Django and the installed packages register): their pages answer any
    # staff member as an id that exists nowhere does
    "accounts.user": AdminRow("user",                                   "403 302 403 403", "403 302 403 403"),
    "auth.group": AdminRow("group",                                     "403 302 403 403", "403 302 403 403"),
    "axes.accessattempt": AdminRow("access_attempt",                    "403 302 403 403", "403 302 403 403"),
    "axes.accesslog": AdminRow("access_log",                            "403 302 403 403", "403 302 403 403"),
    "axes.accessfailurelog": AdminRow("access_failure_log",             "403 302 403 403", "403 302 403 403"),
    "django_tasks_database.dbtaskresult": AdminRow("task_result",       "403 302 403 403", "403 302 403 403"),
}
ADMIN_PAGES = {  # the admin's other pages with an id, by URL name
    "auth_user_password_change": AdminRow("user",                       "403", "403"),
}
SKIPPED_NAMESPACES = {  # URL namespaces with tables of their own
    "api": "the API's routes are read from its OpenAPI document (OPERATIONS, ID_PARAMETERS)",
    "admin": "the Django admin (ADMIN)"}


# ---- asking -------------------------------------------------------------------------------------------------------

NOWHERE = 999_999_999  # an id no row has


def _state(obj) -> tuple:
    """What a refused request must leave alone: the object's row and the audit trail's length."""
    row = type(obj).objects.filter(pk=obj.pk).values().first() if obj is not None else None
    return row, AuditEntry.objects.count()


def _measured(obj, send, *, describe=None) -> str:
    """The status of ``send()``, with ``*`` when it changed ``obj`` or wrote to the audit trail (rolled back),
    then what ``describe(response)`` says of the answer."""
    with transaction.atomic():
        before = _state(obj)
        response = send()
        changed = _state(obj) != before
        detail = describe(response) if describe else ""
        transaction.set_rollback(True)
    return f"{response.status_code}{'*' if changed else ''}{detail}"


def _api_detail(response) -> str:
    """A 422 names the fields it refuses, a page of a list says how many rows it found."""
    if response.status_code == 422:
        return " " + ",".join(sorted(response.json().get("errors", {})))
    if response.get("Content-Type", "").startswith("application/json") and "count" in response.json():
        return f" n={response.json()['count']}"
    return ""


def _page_detail(response) -> str:
    """A page shown again names the fields its forms refuse; a list, its number of rows; a workbook, its rows."""
    if response.status_code != 200:
        return ""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
        return f" n={sheet.max_row - 1}"
    values = [value for context in response.context for value in context.flatten().values()]
    refused = sorted({name for value in values if isinstance(value, BaseForm) for name in value.errors})
    if refused:
        return " " + ",".join(refused)
    pages = [value.paginator.count for value in values if isinstance(value, Page)]
    return f" n={pages[0]}" if pages else ""


def _send(client: Client, method: str, url: str, body: dict, *, where: str):
    """``where``: the body goes in the query (a GET), as JSON, or as a (multipart) form."""
    if method == "GET":
        return client.get(url, body)
    if where == "form":
        return client.post(url, body)
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def _body(body, city) -> dict:
    return dict(body(city) if callable(body) else (body or {}))


def answer(world, key: str, row: Row, role: str, side: str) -> str:
    """The answer to one cell of OPERATIONS or PAGES, in the table's notation."""
    city = world.cities[side]
    obj = city.object(row.kind, role)
    if obj is None:
        return "-"
    url = _url(key, row.params, obj.pk)
    is_api = url.startswith("/api/")
    client = (world.api_clients if is_api else world.page_clients)[role]
    where = "form" if row.form or not is_api else "json"
    return _measured(obj, lambda: _send(client, row.method, url, _body(row.body, city), where=where))


def answer_with_id(world, key: tuple[str, str], row: IdParameter, side: str) -> str:
    """The answer to an operation whose query or body names an object inside, outside or nowhere."""
    operation, name = key
    mine = world.cities["inside"]
    obj = world.cities[side].object(row.kind, row.role) if side != "nowhere" else None
    path_object = mine.object(row.path_kind, row.role) if row.path_kind else None
    url = _url(operation, row.params, getattr(path_object, "pk", None))
    body = {**_body(row.body, mine), name: getattr(obj, "pk", NOWHERE)}
    method = operation.split(" ", 1)[0]
    where = _parameter_places()[key]
    return _measured(obj or path_object, lambda: _send(world.api_clients[row.role], method, url, body, where=where),
                     describe=_api_detail)


def _page_url(page: str, row: PageId, city) -> str:
    name = page.removesuffix(" POST")
    kwargs = dict(row.params or {})
    if row.path_kind:
        pattern = next(p for p in _page_patterns() if p.name == name)
        id_name, = (n for n in pattern.pattern.converters if n.endswith("_id"))
        kwargs[id_name] = city.object(row.path_kind, row.role).pk
    return reverse(name, kwargs=kwargs)


def answer_on_page(world, key: tuple[str, str], row: PageId, side: str) -> str:
    """The answer to a page whose form or query string names an object inside, outside or nowhere. The plan's
    commit posts its fields with the plan's terms in the query string, as its page does."""
    (page, name), mine = key, world.cities["inside"]
    obj = world.cities[side].object(row.kind, row.role) if side != "nowhere" else None
    path_object = mine.object(row.path_kind, row.role) if row.path_kind else None
    url, values = _page_url(page, row, mine), {**_body(row.body, mine), name: getattr(obj, "pk", NOWHERE)}
    client = world.page_clients[row.role]
    if page == "payout_plan POST":
        send = functools.partial(client.post, f"{url}?{urlencode(values)}", {"code": "R-NEW",
                                                                               "max_lines_per_batch": 100})
    else:
        send = functools.partial(client.post if page.endswith(" POST") else client.get, url, values)
    return _measured(obj or path_object, send, describe=_page_detail)


def offered(html: str, name: str) -> set[int]:
    """The ids a page's ``<select name=…>`` offers, or its boxes to tick (``<input type="checkbox" name=…>``)."""
    boxes = re.findall(rf'<input type="checkbox" name="{name}" value="(\d+)"', html)
    if boxes:
        return {int(pk) for pk in boxes}
    select, = re.findall(rf'<select name="{name}".*?</select>', html, re.DOTALL)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}


def _admin_pages(key: str) -> list[str]:
    """The admin URL names (with " POST" for a post) of a model label in ADMIN, or of one page in ADMIN_PAGES."""
    return [f"{key.replace('.', '_')}_{view}" for view in ADMIN_VIEWS] if key in ADMIN else [key]


def admin_answers(world, key: str, side: str) -> str:
    """The staff role's answers on the admin's pages for an object inside, outside or nowhere."""
    row, client = ADMIN.get(key) or ADMIN_PAGES[key], world.page_clients[STAFF]
    obj = world.cities[side].object(row.kind, STAFF) if side != "nowhere" else None
    cells = []
    for page in _admin_pages(key):
        name, _, method = page.partition(" ")
        url = reverse(f"admin:{name}", args=[getattr(obj, "pk", NOWHERE)])
        cells.append(_measured(obj, lambda url=url, method=method: client.post(url, {}) if method else
                               client.get(url)))
    return " ".join(cells)


def _url(key: str, params: dict | None, pk: int | None) -> str:
    params = params or {}
    if key.startswith(("GET /", "POST /", "PUT /", "PATCH /", "DELETE /")):
        path = key.split(" ", 1)[1]
        return re.sub(r"{(\w+)}", lambda m: str(pk if m.group(1).endswith("_id") else params[m.group(1)]), path)
    pattern = next(p for p in _page_patterns() if p.name == key)
    id_name, = (name for name in pattern.pattern.converters if name.endswith("_id"))
    return reverse(key, kwargs={id_name: pk, **params})


# ---- what the matrix must cover -----------------------------------------------------------------------------------

@functools.cache
def _openapi() -> dict:
    return api.get_openapi_schema()


def _api_routes_with_parameters() -> set[str]:
    paths = _openapi()["paths"]
    return {f"{method.upper()} {path}" for path, operations in paths.items() if "{" in path for method in operations}


def _parameter_places() -> dict[tuple[str, str], str]:
    """Every query and body parameter of every operation, and where it goes: query, json or form."""
    schema = _openapi()
    places = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            key = f"{method.upper()} {path}"
            places.update({(key, p["name"]): "query" for p in operation.get("parameters", []) if p["in"] == "query"})
            for content_type, content in operation.get("requestBody", {}).get("content", {}).items():
                body = content["schema"]
                if "$ref" in body:
                    body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                where = "json" if content_type == "application/json" else "form"
                places.update({(key, name): where for name in body.get("properties", {})})
    return places


def _page_patterns(patterns=None, skip=tuple(SKIPPED_NAMESPACES)):
    """Every URL pattern outside the skipped namespaces, walked through every include()."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace not in skip:
                yield from _page_patterns(entry.url_patterns, skip)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_route_with_an_id_is_in_the_matrix():
    pages = {p.name or str(p.pattern) for p in _page_patterns() if p.pattern.converters}
    listed = {*OPERATIONS, *PAGES, *PUBLIC, *NOT_AN_OBJECT}
    missing = sorted((_api_routes_with_parameters() | pages) - listed)
    assert not missing, f"routes with a path parameter that the access matrix does not list: {missing}; " \
                        "add it to the matrix in tests/api/test_access_matrix.py (docs/development.md, 'Access matrix')"
    stale = sorted(listed - _api_routes_with_parameters() - pages)
    assert not stale, f"the access matrix lists routes that no longer exist: {stale}"


def test_every_model_and_page_of_the_admin_is_in_the_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN), f"models in the admin that the access matrix does not list: " \
                                     f"{sorted(registered - set(ADMIN))}; add them to ADMIN in " \
                                     f"tests/api/test_access_matrix.py (no longer there: " \
                                     f"{sorted(set(ADMIN) - registered)})"
    known = {page.partition(" ")[0] for key in [*ADMIN, *ADMIN_PAGES] for page in _admin_pages(key)}
    admin_urls, = (entry for entry in get_resolver().url_patterns if getattr(entry, "namespace", "") == "admin")
    other = sorted(p.name or str(p.pattern) for p in _page_patterns(admin_urls.url_patterns, skip=())
                   if p.pattern.converters and p.name not in known and p.name != "view_on_site"
                   and getattr(p.callback, "view_class", None) is not RedirectView)  # <id>/ is <id>/change/
    assert not other, f"admin pages with a path parameter that the access matrix does not list: {other}; add " \
                      "them to ADMIN_PAGES in tests/api/test_access_matrix.py"


def _page_form_id_fields() -> set[tuple[str, str]]:
    """(form, field) of every choice of rows in the forms our pages load."""
    get_resolver().url_patterns  # noqa: B018 — the pages' modules, and with them their forms, are loaded
    forms = {cls for name, module in list(sys.modules.items()) if name.startswith("yuanmeng.")
             for cls in vars(module).values()
             if isinstance(cls, type) and issubclass(cls, BaseForm) and cls.__module__ == name}
    return {(cls.__name__, name) for cls in forms for name, field in cls.base_fields.items()
            if isinstance(field, ModelChoiceField)}


# What pages read from a query string: request.GET, and the filters they hand it to (``get``, ``params``: the
# review queue's, the worker list's and the exports'); not the API (ninja reads its own parameters, listed in
# ID_PARAMETERS) nor imports (their ``params`` are a task's, set by the page that submits it).
QUERY_READS = re.compile(r'(?:request\.GET|(?<![\w.])get|(?<![\w.])params)\.get\(\s*"(\w+)"'
                         r'|\b(?:param_int|param_choice|_date)\(\s*params,\s*"(\w+)"')


def _page_query_keys() -> set[str]:
    sources = (path for path in Path(yuanmeng.__file__).parent.rglob("*.py")
               if path.name != "api.py" and "import" not in path.name)
    return {a or b for path in sources for a, b in QUERY_READS.findall(path.read_text())}


def test_every_id_in_a_page_form_or_query_is_in_the_matrix():
    listed_fields = {(row.form, name) for (_page, name), row in PAGE_IDS.items() if row.form}
    missing = sorted(_page_form_id_fields() - listed_fields)
    assert not missing, f"id fields of page forms that the access matrix does not list: {missing}; add them to " \
                        "PAGE_IDS in tests/api/test_access_matrix.py (docs/development.md, 'Access matrix')"
    keys = _page_query_keys()
    unlisted = sorted(keys - {name for _page, name in PAGE_IDS} - NOT_IDS)
    assert not unlisted, f"query keys that pages read and the access matrix does not list: {unlisted}; add an id " \
                         "to PAGE_IDS, anything else to NOT_IDS in tests/api/test_access_matrix.py"
    assert not NOT_IDS - keys, f"NOT_IDS lists keys no page reads: {sorted(NOT_IDS - keys)}"


def test_every_id_in_a_query_or_body_is_in_the_matrix():
    places = _parameter_places()
    missing = sorted({key for key in places if key[1].endswith("_id")} - set(ID_PARAMETERS))
    assert not missing, f"ids in a query or body that the access matrix does not list: {missing}; add them to " \
                        "ID_PARAMETERS in tests/api/test_access_matrix.py (docs/development.md, 'Access matrix')"
    stale = sorted(set(ID_PARAMETERS) - set(places))
    assert not stale, f"ID_PARAMETERS lists parameters that no longer exist: {stale}"


@pytest.mark.parametrize("key", [*OPERATIONS, *PAGES])
def test_inside_as_the_role_allows_outside_404(world, key):
    row = OPERATIONS.get(key) or PAGES[key]
    expected = {(role, side): cell if side == "inside" else "404"
                for role, cell in row.answers().items() for side in SIDES}
    expected.update({(role, side): "-" for role, side in expected if world.cities[side].object(row.kind, role) is None})
    got = {(role, side): answer(world, key, row, role, side) for role, side in expected}
    assert got == expected, f"{key}: inside {' '.join(got[r, 'inside'] for r in ROLES)}, " \
                            f"outside {' '.join(got[r, 'outside'] for r in ROLES)}"


@pytest.mark.parametrize("key", ID_PARAMETERS, ids=" ".join)
def test_an_id_in_a_query_or_body_outside_answers_as_one_that_exists_nowhere(world, key):
    row = ID_PARAMETERS[key]
    expected = row.answers()
    got = {side: answer_with_id(world, key, row, side) for side in expected}
    assert got == expected, f"{key}: {got}"


@pytest.mark.parametrize("key", PAGE_IDS, ids=" ".join)
def test_an_id_in_a_page_form_or_query_outside_answers_as_one_that_exists_nowhere(world, key):
    row = PAGE_IDS[key]
    expected = row.answers()
    got = {side: answer_on_page(world, key, row, side) for side in expected}
    assert got == expected, f"{key}: {got}"


@pytest.mark.parametrize("key", [key for key, row in PAGE_IDS.items() if row.form], ids=" ".join)
def test_a_page_form_offers_inside_objects_and_not_outside_ones(world, key):
    """Schools are shared: every form that chooses one offers them all."""
    row, (page, name) = PAGE_IDS[key], key
    mine, other = (world.cities[side].object(row.kind, row.role).pk for side in SIDES)
    html = world.page_clients[row.role].get(_page_url(page, row, world.cities["inside"])).content.decode()
    choices = offered(html, name)
    assert mine in choices and (other in choices) == bool(row.nowhere), f"{key}: {sorted(choices)}"


@pytest.mark.parametrize("key", [*ADMIN, *ADMIN_PAGES])
def test_admin_inside_as_the_role_allows_outside_as_nowhere(world, key):
    row = ADMIN.get(key) or ADMIN_PAGES[key]
    expected = {"inside": row.inside, "outside": row.nowhere, "nowhere": row.nowhere} if row.kind else \
        {"nowhere": row.nowhere}
    got = {side: admin_answers(world, key, side) for side in expected}
    assert got == expected, f"{key}: {got}"


def test_admin_view_on_site_answers_outside_as_nowhere(world):
    """The admin's link to an object's own page looks any row up unscoped: it must not tell outside from nowhere."""
    client, worker = world.page_clients[STAFF], world.cities["outside"].worker
    content_type = ContentType.objects.get_for_model(worker)
    answers = {pk: client.get(reverse("admin:view_on_site", args=[content_type.pk, pk])).status_code
               for pk in (worker.pk, NOWHERE)}
    assert answers == {worker.pk: 404, NOWHERE: 404}


def test_public_pages_need_no_login(world, client):
    city, today = world.cities["outside"], timezone.localdate()
    with transaction.atomic():  # the world's round had no notice: it has one for this test only
        Round.objects.filter(pk=city.round.pk).update(status=RoundStatus.IN_NOTICE, notice_starts_on=today,
                                                      notice_ends_on=today)
        for name, kind in sorted(PUBLIC.items()):
            assert client.get(reverse(name, kwargs={"code": getattr(city, kind).code})).status_code == 200, name
        transaction.set_rollback(True)
