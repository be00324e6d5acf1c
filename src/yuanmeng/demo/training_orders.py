"""The demo's training orders ("one enterprise, one scheme") at the scale unions report (Sanming: 137 sessions,
7,400 workers trained in a year): teacher libraries of the city union, a district and the schools; the past
year's completed orders with their sessions, participants and attendance; and the orders live today — the flagship
enterprise's order waiting for the 天河 reviewer, one accepted with its sessions ahead, one declined.

The live orders go through the services. The completed ones lie in the past, which the services refuse to
schedule (a session is for today or later), so they are written set-based: sessions in bulk, participants and
attendance with one INSERT … SELECT each, the orders' totals with one UPDATE; one audit entry records the lot.
Workers trained are the enterprises' registered workers: ``seed demo --workers 7400`` gives the Sanming figure.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from yuanmeng.audit.services import audit_record
from yuanmeng.core.sql import execute
from yuanmeng.orgs.models import Organisation
from yuanmeng.people.models import Worker
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import services
from yuanmeng.training_orders.models import Attendance, OrderEvent, Participant, Session, Teacher, TrainingOrder
from yuanmeng.training_orders.workflow import Action, State

SESSIONS_HELD = 137
COMPLETED_ORDERS = 34
HISTORY_DAYS = 300  # the completed orders' sessions lie in the 300 days before last week
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯"
GIVEN = ("建国", "志强", "丽华", "海燕", "伟明", "秀英", "国庆", "晓东", "红梅", "文斌", "春燕", "永军")
TOPICS = {
    SkillCategory.ELECTRICAL: ("低压电工安全操作", "电气设备维护保养"),
    SkillCategory.CNC: ("数控车床编程与操作", "加工中心实操"),
    SkillCategory.WELDING: ("焊工安全与工艺", "氩弧焊技能提升"),
    SkillCategory.LOGISTICS: ("叉车安全驾驶", "仓储管理实务"),
    SkillCategory.SAFETY: ("安全生产与应急处置", "消防安全培训"),
    SkillCategory.DIGITAL: ("办公软件与数字技能", "工业互联网入门"),
    SkillCategory.CATERING: ("中式烹调技能", "食品安全规范"),
    SkillCategory.ELDERLY_CARE: ("养老护理员技能", "母婴护理基础"),
    SkillCategory.E_COMMERCE: ("电商直播带货", "网店运营"),
}
VENUES = ("企业培训室", "车间实训区", "职工之家", "市职工技能培训中心实训楼")
TIMES = ((datetime.time(9), datetime.time(12)), (datetime.time(14), datetime.time(17)),
         (datetime.time(19), datetime.time(21)))


def build_training_orders(*, orgs: dict[str, Organisation], flagship: Organisation, rng: random.Random) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=("city_admin", "tianhe_reviewer", "enterprise_officer"))}
    teachers = _teachers(users["city_admin"], users["tianhe_reviewer"], orgs, rng)
    _history(users["city_admin"], orgs["GZ"], teachers, flagship, rng)
    _live(users, orgs, flagship, teachers)


def _teachers(city_admin, reviewer, orgs, rng: random.Random) -> list[Teacher]:
    schools = [orgs[code] for code in ("GZ-GDGM", "GZ-PX01", "GZ-OU")]
    categories = list(TOPICS)
    teachers = []
    for n in range(24):
        name = f"{SURNAMES[n % len(SURNAMES)]}{GIVEN[(n * 5) % len(GIVEN)]}"
        teachers.append(services.teacher_create(
            by=city_admin, organisation=orgs["GZ"], name=name, title=rng.choice(("高级技师", "讲师", "副教授", "技师")),
            specialities=rng.sample(categories, 2), school=schools[n % len(schools)]))
    for n in range(4):
        teachers.append(services.teacher_create(
            by=reviewer, organisation=orgs["GZ-TH"], name=f"{SURNAMES[-1 - n]}{GIVEN[n]}", title="技师",
            specialities=[categories[n]]))
    return teachers


def _history(city_admin, city, teachers: list[Teacher], flagship: Organisation, rng: random.Random) -> None:
    """This year's completed orders, from January to last week: set-based, as the module's docstring says."""
    today = timezone.localdate()
    enterprises = list(Organisation.objects.filter(enterprise__workers__isnull=False).annotate(
        staff=Count("enterprise__workers")).order_by("-staff", "pk")[:COMPLETED_ORDERS])
    if not enterprises:
        return
    first_day = today - datetime.timedelta(days=HISTORY_DAYS + 7)  # the last session a week ago at the latest
    orders, sessions = [], []
    per_order = _spread(SESSIONS_HELD, len(enterprises))
    for enterprise, count in zip(enterprises, per_order, strict=True):
        skill = rng.choice(list(TOPICS))
        start = first_day + datetime.timedelta(days=rng.randint(0, HISTORY_DAYS - 7 * count))
        teacher = rng.choice(teachers)
        order = TrainingOrder(organisation=enterprise, requested_by=city_admin, topic=rng.choice(TOPICS[skill]),
                              skill_category=skill, head_count=enterprise.staff, state=State.COMPLETED,
                              taken_by=city, school=teacher.school, preferred_place=rng.choice(VENUES),
                              completed_at=timezone.now())
        orders.append((order, [(teacher, start + datetime.timedelta(days=7 * k), rng.choice(TIMES))
                               for k in range(count)]))
    TrainingOrder.objects.bulk_create([order for order, _plan in orders])
    for order, plan in orders:
        order.teachers.add(*{teacher for teacher, _day, _time in plan})
        sessions += [Session(order=order, teacher=teacher, date=day, starts_at=start, ends_at=end,
                             minutes=services.session_minutes(start, end), venue=order.preferred_place)
                     for teacher, day, (start, end) in plan]
    Session.objects.bulk_create(sessions)
    OrderEvent.objects.bulk_create([OrderEvent(order=order, action=action, to_state=state, by=city_admin)
                                    for order, _plan in orders for action, state in (
                                        (Action.REQUEST, State.REQUESTED), (Action.ACCEPT, State.ACCEPTED),
                                        (Action.COMPLETE, State.COMPLETED))])
    ids = [order.pk for order, _plan in orders]
    _participants_and_attendance(ids)
    audit_record(actor=None, action="demo.training_orders", object_type="demo", object_id="training_orders",
                 object_label="training orders", organisation=city,
                 after={"orders": len(ids), "sessions": len(sessions)})


def _participants_and_attendance(order_ids: list[int]) -> None:
    """Every worker of the ordering enterprise on its order; nine in ten present at each session; then each
    participant's minutes and the orders' totals."""
    marks = ", ".join(["%s"] * len(order_ids))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    execute(f"""
        INSERT INTO training_orders_participant (order_id, worker_id, minutes, added_at)
        SELECT o.id, w.id, 0, %s FROM training_orders_trainingorder o
        JOIN orgs_enterprise e ON e.organisation_id = o.organisation_id
        JOIN people_worker w ON w.employer_id = e.id
        WHERE o.id IN ({marks})""", [now, *order_ids])
    execute(f"""
        INSERT INTO training_orders_attendance (session_id, participant_id, recorded_at)
        SELECT s.id, p.id, %s FROM training_orders_session s
        JOIN training_orders_participant p ON p.order_id = s.order_id
        WHERE s.order_id IN ({marks})
          AND ((p.id * 7 + s.id * 13) %% 10 <> 0
               OR p.id = (SELECT MIN(q.id) FROM training_orders_participant q WHERE q.order_id = s.order_id))""",
            [now, *order_ids])
    attended = (Attendance.objects.filter(participant=OuterRef("pk")).values("participant")
                .annotate(total=Sum("session__minutes")).values("total"))
    Participant.objects.filter(order_id__in=order_ids).update(minutes=Coalesce(Subquery(attended), 0))
    trained = (Participant.objects.filter(order=OuterRef("pk"), minutes__gt=0).values("order")
               .annotate(n=Count("id")).values("n"))
    minutes = (Participant.objects.filter(order=OuterRef("pk")).values("order")
               .annotate(total=Sum("minutes")).values("total"))
    TrainingOrder.objects.filter(pk__in=order_ids).update(participant_count=Coalesce(Subquery(trained), 0),
                                                          minutes_total=Coalesce(Subquery(minutes), 0))


def _live(users, orgs, flagship: Organisation, teachers: list[Teacher]) -> None:
    """Orders of today, through the services: the flagship's order waiting for the 天河 reviewer, an accepted one
    with sessions next week and its workers on it, and a declined one."""
    officer, reviewer = users["enterprise_officer"], users["tianhe_reviewer"]
    today = timezone.localdate()
    services.order_request(by=officer, organisation=flagship, topic="工业机器人运维入门",
                           skill_category=SkillCategory.DIGITAL, head_count=30, preferred_place="厂区二楼培训室",
                           notes="夜班职工较多，希望安排在下午。",
                           preferred_from=today + datetime.timedelta(days=14),
                           preferred_to=today + datetime.timedelta(days=60))
    accepted = services.order_request(by=officer, organisation=flagship, topic="低压电工安全操作",
                                      skill_category=SkillCategory.ELECTRICAL, head_count=20,
                                      preferred_place="厂区二楼培训室")
    services.order_transition(by=reviewer, order=accepted, action=Action.ACCEPT)
    electricians = [t for t in teachers if SkillCategory.ELECTRICAL in t.specialities][:2] or teachers[:1]
    services.order_assign(by=reviewer, order=accepted, school=electricians[0].school, teachers=electricians)
    workers = Worker.objects.filter(employer__organisation=flagship).order_by("id")[:20]
    services.participants_add(by=officer, order=accepted, workers=workers)
    for week in (1, 2):
        services.session_schedule(by=reviewer, order=accepted, teacher=electricians[0],
                                  date=today + datetime.timedelta(days=7 * week), starts_at=datetime.time(14),
                                  ends_at=datetime.time(17), venue="厂区二楼培训室")
    declined = services.order_request(by=officer, organisation=flagship, topic="电商直播带货",
                                      skill_category=SkillCategory.E_COMMERCE, head_count=5)
    services.order_transition(by=reviewer, order=declined, action=Action.DECLINE,
                              reason="本季度电商师资已排满，请于下季度再报，或参加市职工技能培训中心的公开班。")


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]
