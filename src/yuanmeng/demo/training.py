"""The demo's training network and course catalogue at the scale of Shenzhen's (1 training centre, 20 service
stations, 100 training workshops, 1,264 courses), laid over the demo city: a learning centre in each district,
stations and workshops scattered around the districts' centres (WGS84), workshops owned by the enterprise unions
first — the flagship's at its works in 车陂, so that its worker finds places "near my workplace" —, courses of the
schools, the city's training provider and the district unions in every skill category, online, live and offline.

Written set-based (two bulk inserts, one audit entry for the lot); the demo worker's enrolments and learning hours
go through the services.
"""

import datetime
import random

from django.utils import timezone

from yuanmeng.audit.services import audit_record
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.people.models import Worker
from yuanmeng.training.models import Course, CourseLevel, CourseMode, Place, PlaceType
from yuanmeng.training.services import enrolment_create, learning_record_create
from yuanmeng.training.skills import SkillCategory

STATIONS, WORKSHOPS, COURSES = 20, 100, 1264
CITY_CENTRE = (23.1291, 113.2644)  # 广州 越秀, WGS84
DISTRICT_CENTRES = {  # district union code: (latitude, longitude), WGS84
    "GZ-LW": (23.1259, 113.2442), "GZ-YX": (23.1290, 113.2668), "GZ-HZ": (23.0839, 113.3172),
    "GZ-TH": (23.1247, 113.3612), "GZ-BY": (23.2000, 113.2700), "GZ-HP": (23.1500, 113.4600),
    "GZ-PY": (22.9377, 113.3843), "GZ-HD": (23.4040, 113.2200), "GZ-NS": (22.8016, 113.5252),
    "GZ-CH": (23.5489, 113.5869), "GZ-ZC": (23.2905, 113.8107),
}
FLAGSHIP_WORKS = (23.1283, 113.3985)  # 车陂路黄洲工业区
SUBJECTS = {
    SkillCategory.ELECTRICAL: ("低压电工", "电气控制与PLC", "电工安全操作", "变频器应用"),
    SkillCategory.CNC: ("数控车床编程", "加工中心操作", "CAD/CAM 实训", "数控铣削工艺"),
    SkillCategory.WELDING: ("手工电弧焊", "氩弧焊", "二氧化碳保护焊", "焊接质量检验"),
    SkillCategory.LOGISTICS: ("叉车安全驾驶", "仓储管理", "冷链物流实务", "快递分拣与配送"),
    SkillCategory.MECHANICAL: ("设备点检与维护", "液压与气动", "钳工基础", "机电一体化"),
    SkillCategory.CONSTRUCTION: ("建筑识图", "钢筋工", "砌筑与抹灰", "施工安全"),
    SkillCategory.AUTOMOTIVE: ("汽车维修基础", "新能源汽车检修", "汽车电器", "钣金与喷漆"),
    SkillCategory.DIGITAL: ("办公软件", "工业互联网入门", "Python 数据处理", "短视频制作"),
    SkillCategory.ELDERLY_CARE: ("养老护理员", "育婴员", "失能老人照护", "保育员"),
    SkillCategory.HOUSEKEEPING: ("家政服务员", "收纳整理", "母婴护理", "家庭保洁"),
    SkillCategory.CATERING: ("中式烹调", "粤式点心", "西式面点", "食品安全"),
    SkillCategory.E_COMMERCE: ("直播带货", "网店运营", "电商客服", "跨境电商"),
    SkillCategory.SAFETY: ("安全生产", "消防安全", "应急救护", "职业病防护"),
    SkillCategory.GENERAL: ("学历提升导学", "职场沟通", "劳动法律知识", "心理健康"),
}
LEVEL_WORDS = {CourseLevel.BEGINNER: "入门", CourseLevel.INTERMEDIATE: "进阶", CourseLevel.ADVANCED: "高级"}
MODE_WORDS = {CourseMode.ONLINE: "微课", CourseMode.LIVE: "直播课", CourseMode.OFFLINE: "实训班"}
HOURS = {CourseMode.ONLINE: (1, 2, 4, 6), CourseMode.LIVE: (2, 3, 4), CourseMode.OFFLINE: (8, 16, 24, 40, 72)}
OPENING = ("周一至周五 9:00-18:00", "周一至周六 8:30-20:30", "每天 9:00-21:00", "周二至周日 10:00-19:00")


def _near(rng: random.Random, centre: tuple[float, float], spread: float = 0.03) -> tuple[float, float]:
    return round(centre[0] + rng.gauss(0, spread), 6), round(centre[1] + rng.gauss(0, spread), 6)


def _district_of(organisation: Organisation, districts: dict[str, Organisation]) -> Organisation:
    return next(d for d in districts.values() if organisation.path.startswith(d.path))


def _places(orgs, flagship, rng) -> list[Place]:
    districts = {code: orgs[code] for code in DISTRICT_CENTRES}
    provider = Organisation.objects.get(code="GZ-PX01")
    rows = [Place(owner=provider, name="广州市职工技能培训中心", place_type=PlaceType.TRAINING_CENTRE,
                  address="广州市越秀区解放南路123号", latitude=23.1226, longitude=113.2700,
                  opening_hours=OPENING[2], contact_name="陈老师", contact_phone="020-83330001")]
    for code, district in districts.items():
        rows.append(Place(owner=district, name=f"{district.name.removesuffix('总工会')}职工学习中心",
                          place_type=PlaceType.LEARNING_CENTRE, address=f"广州市{district.name.removesuffix('总工会')}"
                          "职工服务中心二楼", latitude=DISTRICT_CENTRES[code][0], longitude=DISTRICT_CENTRES[code][1],
                          opening_hours=OPENING[1], contact_phone="12351"))
    streets = list(Organisation.objects.filter(kind=OrgKind.STREET, path__startswith=orgs["GZ"].path))
    for n in range(STATIONS):
        owner = streets[n] if n < len(streets) else list(districts.values())[n % len(districts)]
        district = _district_of(owner, districts)
        code = next(c for c, d in districts.items() if d == district)
        area = owner.name.removesuffix("总工会").removeprefix(district.name.removesuffix("总工会"))
        latitude, longitude = _near(rng, DISTRICT_CENTRES[code])
        rows.append(Place(owner=owner, name=f"{area or district.name.removesuffix('总工会')}职工服务站{n + 1:02d}",
                          place_type=PlaceType.SERVICE_STATION, address=f"广州市{district.name.removesuffix('总工会')}"
                          f"{area}（演示地址）", latitude=latitude, longitude=longitude,
                          opening_hours=rng.choice(OPENING), contact_phone="12351"))
    enterprises = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, path__startswith=orgs["GZ"].path)
                       .exclude(pk=flagship.pk).order_by("id"))
    rows.append(Place(owner=flagship, name=f"{flagship.name.removesuffix('工会')}职工培训车间",
                      place_type=PlaceType.WORKSHOP, address="广州市天河区车陂路黄洲工业区8号",
                      latitude=FLAGSHIP_WORKS[0], longitude=FLAGSHIP_WORKS[1], opening_hours=OPENING[0]))
    for n in range(WORKSHOPS - 1):
        owner = enterprises[n] if n < len(enterprises) else list(districts.values())[n % len(districts)]
        code = next((c for c, d in districts.items() if owner.path.startswith(d.path)), None)
        latitude, longitude = _near(rng, DISTRICT_CENTRES.get(code, CITY_CENTRE), 0.05)  # an industry's: the city
        name = (f"{owner.name.removesuffix('工会')}职工培训车间" if owner.kind == OrgKind.ENTERPRISE
                else f"{owner.name.removesuffix('总工会')}共享培训车间{n + 1:03d}")
        rows.append(Place(owner=owner, name=name, place_type=PlaceType.WORKSHOP, address=f"{name}（演示地址）",
                          latitude=latitude, longitude=longitude, opening_hours=OPENING[0]))
    return Place.objects.bulk_create(rows)


def _course(n: int, provider: Organisation, places: list[Place], district, rng) -> Course:
    category = rng.choice(list(SUBJECTS))
    subject = rng.choice(SUBJECTS[category])
    mode = rng.choices(list(MODE_WORDS), weights=(60, 15, 25))[0]
    level = rng.choices(list(LEVEL_WORDS), weights=(50, 35, 15))[0]
    place = rng.choice(places) if mode == CourseMode.OFFLINE else None
    title = f"{subject}{LEVEL_WORDS[level]}{MODE_WORDS[mode]}（第{n // 97 + 1}期）"
    description = (f"面向一线职工的{SkillCategory(category).label}课程：{subject}的{LEVEL_WORDS[level]}内容，"
                   f"理论讲解与案例{'实操' if mode == CourseMode.OFFLINE else '演示'}结合，学完可记入学时。")
    starts = timezone.now() + datetime.timedelta(days=rng.randint(2, 60), hours=rng.randint(0, 10))
    course = Course(provider=provider, title=title, description=description, category=category, mode=mode,
                    level=level, hours=rng.choice(HOURS[mode]), place=place,
                    starts_at=starts if mode == CourseMode.LIVE else None,
                    ends_at=starts + datetime.timedelta(hours=2) if mode == CourseMode.LIVE else None,
                    schedule="每周六 9:00-12:00" if mode == CourseMode.OFFLINE else "",
                    capacity=None if mode == CourseMode.ONLINE else rng.choice((20, 30, 40, 60, 100)),
                    video_url=f"https://video.gzgh-demo.cn/course/{n + 1}" if mode == CourseMode.ONLINE else "")
    course.search_text = f"{title}\n{description}".lower()
    course.district = place.owner if place and place.owner.kind == OrgKind.DISTRICT else district
    course.city_id = provider.path_ids()[2]  # every demo provider lies in the demo city
    return course


def _courses(orgs, places, rng) -> list[Course]:
    districts = {code: orgs[code] for code in DISTRICT_CENTRES}
    providers = [*Organisation.objects.filter(kind__in=(OrgKind.SCHOOL, OrgKind.PROVIDER),
                                              path__startswith=orgs["GZ"].path).order_by("id"),
                 *districts.values()]
    rows = []
    for n in range(COURSES):
        provider = providers[n % len(providers)]
        managed = [p for p in places if p.owner_id == provider.pk] or places
        district = provider if provider.kind == OrgKind.DISTRICT else None
        course = _course(n, provider, managed, district, rng)
        if course.place is not None and district is None:
            course.district = next((d for d in districts.values() if course.place.owner.path.startswith(d.path)),
                                   None)
        rows.append(course)
    return Course.objects.bulk_create(rows)


def build_training(*, orgs, flagship, worker, by) -> None:
    """The network and catalogue, and the demo worker on three courses near their works (one attended, one
    completed). Its own random numbers: what the demo builds after it stays as it was."""
    rng = random.Random(14)
    places = _places(orgs, flagship, rng)
    courses = _courses(orgs, places, rng)
    audit_record(actor=by, action="training.demo_seed", organisation=orgs["GZ"], object_type="training.course",
                 object_id="", object_label=f"{len(places)} places, {len(courses)} courses",
                 after={"places": len(places), "courses": len(courses)})
    worker = Worker.objects.select_related("user", "employer__organisation").get(pk=worker.pk)
    tianhe = orgs["GZ-TH"]
    attended, enrolled = Course.objects.filter(mode=CourseMode.OFFLINE, district=tianhe).order_by("id")[:2]
    completed = Course.objects.filter(mode=CourseMode.ONLINE, provider=tianhe).order_by("id").first()
    learning = {attended: ("attended", 180), completed: ("completed", None)}
    for course in (attended, enrolled, completed):
        enrolment = enrolment_create(by=worker.user, worker=worker, course=course)
        if course in learning:
            verb, minutes = learning[course]
            learning_record_create(by=by, enrolment=enrolment, verb=verb, minutes=minutes)
