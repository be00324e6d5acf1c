"""The demo's needs surveys and projects: the city union's training-needs survey of 40 enterprises, answered by
most of their union officers (two of them turning the answers into a training order); a district's survey of its
workers, open for the demo worker; a draft; and a dozen education and skills projects of unions and schools with
their partners — each made by the role that makes it."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from yuanmeng.orgs.models import Membership, Organisation, OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker
from yuanmeng.projects.models import ProjectKind
from yuanmeng.projects.services import project_create, project_participants_add, project_transition
from yuanmeng.surveys.models import Audience, QuestionKind
from yuanmeng.surveys.selectors import response_summary, skill_category_of
from yuanmeng.surveys.services import (
    question_add,
    response_order_training,
    response_submit,
    survey_create,
    survey_send,
)

SURVEYED_ENTERPRISES = 40
ANSWERING = 32
ORDERED = 2  # answers turned into training orders by their officers
SKILLS = ["电工", "数控加工", "焊接", "物流管理", "工业机器人运维", "电子商务"]
TIMES = ["工作日晚上", "周末", "线上随时学", "送教进企业（工作时间）"]
WISHES = ["希望增加PLC编程的实操课", "夜班职工多，线上课程最好能回看", "希望课程结束能考职业技能等级证书",
          "送教到厂里最方便", "希望有学历提升和技能培训的衔接", ""]
PROJECTS = [
    ("GZ", "产业工人学历与技能双提升计划", ProjectKind.DIPLOMA, "running", 600),
    ("GZ", "工匠学院数控技能研修班", ProjectKind.SKILLS, "running", 120),
    ("GZ", "劳模和工匠人才创新工作室联盟", ProjectKind.STUDIO, "running", 0),
    ("GZ", "全市职工职业技能大赛（焊工）", ProjectKind.COMPETITION, "finished", 260),
    ("GZ-TH", "天河区新业态劳动者技能提升项目", ProjectKind.SKILLS, "running", 300),
    ("GZ-TH", "天河区电工学徒制培养", ProjectKind.APPRENTICESHIP, "planned", 40),
    ("GZ-HZ", "海珠区物流职工学历提升班", ProjectKind.DIPLOMA, "running", 80),
    ("GZ-HZ", "海珠区电商直播技能培训", ProjectKind.SKILLS, "planned", 0),
    ("GZ", "工业机器人运维订单班", ProjectKind.SKILLS, "planned", 60),
    ("GZ", "农民工学历提升“求学圆梦”专班", ProjectKind.DIPLOMA, "finished", 450),
    ("GZ", "外卖骑手安全与技能培训", ProjectKind.SKILLS, "cancelled", 0),
    ("GZ-TH", "智能制造产教融合实训基地", ProjectKind.OTHER, "running", 150),
]


def build_learning_needs(*, orgs: dict[str, Organisation], rng: random.Random) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=("city_admin", "tianhe_reviewer"))}
    _enterprise_survey(users["city_admin"], orgs["GZ"], rng)
    _worker_survey(users["tianhe_reviewer"], orgs["GZ-TH"])
    _projects(users["city_admin"], orgs, rng)


def _window(days_before: int, days_after: int) -> dict:
    now = timezone.now()
    return {"opens_at": now - datetime.timedelta(days=days_before),
            "closes_at": now + datetime.timedelta(days=days_after)}


def _enterprise_survey(city_admin, city, rng: random.Random) -> None:
    survey = survey_create(by=city_admin, organisation=city, title=f"{timezone.localdate().year}年企业职工培训需求调查",
                           description="请企业工会汇总本单位职工的培训需求，市总工会据此安排送教进企业和订单式培训。",
                           audience=Audience.ENTERPRISES, **_window(10, 20))
    skill = question_add(by=city_admin, survey=survey, kind=QuestionKind.SINGLE, text="本单位最急需的培训工种",
                         options=SKILLS)
    times = question_add(by=city_admin, survey=survey, kind=QuestionKind.MULTIPLE, text="职工方便参加培训的时间",
                         options=TIMES)
    heads = question_add(by=city_admin, survey=survey, kind=QuestionKind.SCALE, text="职工参训意愿（1 很低，5 很高）",
                         scale_min=1, scale_max=5)
    wish = question_add(by=city_admin, survey=survey, kind=QuestionKind.TEXT, text="其他需求和建议", required=False)
    enterprises = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, path__startswith=city.path)
                       .order_by("pk")[:SURVEYED_ENTERPRISES])
    survey_send(by=city_admin, survey=survey, targets=enterprises)
    officers = dict(Membership.objects.filter(role=Role.ENTERPRISE_OFFICER, organisation__in=enterprises[:ANSWERING])
                    .values_list("organisation_id", "user"))
    users = get_user_model().objects.in_bulk(officers.values())
    options = {q.pk: [o.pk for o in q.options.all()] for q in (skill, times)}
    responses = []
    for enterprise in enterprises[:ANSWERING]:
        if enterprise.pk not in officers:
            continue
        answers = {skill.pk: rng.choices(options[skill.pk], weights=[5, 4, 3, 2, 3, 1])[0],
                   times.pk: rng.sample(options[times.pk], rng.randint(1, 3)),
                   heads.pk: rng.choices([2, 3, 4, 5], weights=[1, 3, 5, 3])[0], wish.pk: rng.choice(WISHES)}
        responses.append(response_submit(by=users[officers[enterprise.pk]], survey=survey, answers=answers,
                                         enterprise=enterprise))
    for response in responses[:ORDERED]:
        _order_training(response, rng)


def _order_training(response, rng: random.Random) -> None:
    """The officer turns the enterprise's answers into a training order, as the order page prefills it."""
    summary = response_summary(response)
    response_order_training(by=response.by, response=response, topic=f"{response.enterprise.name}职工技能培训",
                            skill_category=skill_category_of(summary), head_count=rng.randint(20, 60),
                            notes="\n".join(f"{question}：{answer}" for question, answer in summary)[:2000])


def _worker_survey(reviewer, district) -> None:
    survey = survey_create(by=reviewer, organisation=district, title="天河区职工“一小时学习圈”使用意见征集",
                           audience=Audience.WORKERS, **_window(2, 28))
    question_add(by=reviewer, survey=survey, kind=QuestionKind.SINGLE, text="从家或单位到最近的学习点要多久",
                 options=["15分钟以内", "半小时以内", "一小时以内", "一小时以上"])
    question_add(by=reviewer, survey=survey, kind=QuestionKind.MULTIPLE, text="想在学习点参加哪些课程",
                 options=SKILLS, required=False)
    question_add(by=reviewer, survey=survey, kind=QuestionKind.TEXT, text="对学习点的建议", required=False)
    survey_send(by=reviewer, survey=survey, targets=[district])
    draft = survey_create(by=reviewer, organisation=district, title="新就业形态劳动者学习需求（草稿）",
                          audience=Audience.WORKERS, **_window(-3, 30))
    question_add(by=reviewer, survey=draft, kind=QuestionKind.SCALE, text="您对提升学历的兴趣", scale_min=1,
                 scale_max=5)


def _projects(city_admin, orgs: dict[str, Organisation], rng: random.Random) -> None:
    schools = list(Organisation.objects.filter(kind=OrgKind.SCHOOL).order_by("code"))
    enterprises = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE).order_by("pk")[:20])
    workers = list(Worker.objects.order_by("pk")[:60])
    year = timezone.localdate().year
    for number, (lead, name, kind, status, unnamed) in enumerate(PROJECTS):
        starts = datetime.date(year - (1 if status == "finished" else 0), 1 + number % 10, 1)
        project = project_create(
            by=city_admin, lead=orgs[lead], name=name, kind=kind, starts_on=starts,
            ends_on=starts + datetime.timedelta(days=180 + 30 * (number % 6)), unnamed_participants=unnamed,
            partners=[rng.choice(schools), *rng.sample(enterprises, 2)],
            description="市总工会联合院校和企业共同实施，纳入“求学圆梦”项目库。")
        if status != "planned":
            project_transition(by=city_admin, project=project, action="cancel" if status == "cancelled" else "start")
        if status in ("running", "finished"):
            project_participants_add(by=city_admin, project=project, workers=rng.sample(workers, 5))
        if status == "finished":
            project_transition(by=city_admin, project=project, action="finish")
