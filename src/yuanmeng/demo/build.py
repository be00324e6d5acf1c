"""The demo Guangzhou behind ``yuanmeng seed demo``: the union tree from the national federation down to
street unions, about fifty enterprises, three schools, a training provider, a few hundred workers and
one login per role. Everything is written through the services, so the demo has a full audit trail.

A fixed random seed makes every run produce the same people; membership dates count back from today.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum import luhn
from stdnum.cn import ric, uscc

from yuanmeng.accounts.services import staff_user_create, superuser_create
from yuanmeng.core.validators import DocumentType, validate_credit_code
from yuanmeng.demo.learning_needs import build_learning_needs
from yuanmeng.demo.payouts import build_lottery, build_payouts
from yuanmeng.demo.signup import build_sign_ups, sign_up_rng
from yuanmeng.demo.subsidy import SubsidyDemo
from yuanmeng.demo.targets import build_targets
from yuanmeng.demo.training import build_training
from yuanmeng.demo.training_orders import SESSIONS_HELD, build_training_orders
from yuanmeng.orgs.models import Enterprise, EnterpriseSize, Industry, Organisation, OrgKind, SchoolType
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import enterprise_register, organisation_create, school_register
from yuanmeng.people.models import HonourLevel, JobCategory, Worker
from yuanmeng.people.services import worker_account_create, worker_register

PASSWORD = "yuanmeng-demo-2026"
SEED = 2026
NATIONAL_CODE = "ACFTU"
SUPERUSER = "admin"
LOGIN_WORKER_MOBILE = "13800138000"

TREE = (  # code, name, kind, parent code, region code
    (NATIONAL_CODE, "中华全国总工会", OrgKind.NATIONAL, None, ""),
    ("GD", "广东省总工会", OrgKind.PROVINCE, NATIONAL_CODE, "440000"),
    ("GZ", "广州市总工会", OrgKind.CITY, "GD", "440100"),
)
CONTACTS = {  # code: phone, address — where the public notice of the city's rounds sends objections
    "GZ": ("12351", "广州市越秀区东风中路（演示地址）")}
DISTRICTS = (  # abbreviation, name, region code
    ("LW", "荔湾区", "440103"), ("YX", "越秀区", "440104"), ("HZ", "海珠区", "440105"),
    ("TH", "天河区", "440106"), ("BY", "白云区", "440111"), ("HP", "黄埔区", "440112"),
    ("PY", "番禺区", "440113"), ("HD", "花都区", "440114"), ("NS", "南沙区", "440115"),
    ("CH", "从化区", "440117"), ("ZC", "增城区", "440118"),
)
STREETS = (  # abbreviation, district, name
    ("SP", "TH", "石牌街道"), ("LD", "TH", "猎德街道"), ("XC", "TH", "冼村街道"),
    ("CG", "HZ", "赤岗街道"), ("NZ", "HZ", "南洲街道"), ("JX", "BY", "京溪街道"),
)
LOGISTICS = "GZ-WLKD"
INDUSTRY_UNIONS = ((LOGISTICS, "广州市物流快递行业工会"),)
SCHOOLS = (  # code, name, type, national school code, address
    ("GZ-OU", "广州开放大学", SchoolType.OPEN_UNIVERSITY, None, ""),
    ("GZ-GZHU", "广州大学", SchoolType.UNIVERSITY, "11078", "广州市番禺区大学城外环西路230号"),
    ("GZ-GDGM", "广东工贸职业技术学院", SchoolType.VOCATIONAL_COLLEGE, "10880", ""),
)
PROVIDERS = (("GZ-PX01", "广州市职工技能培训中心", "广州市越秀区解放南路123号"),)
DISTRICT_REGIONS = {abbr: region for abbr, _name, region in DISTRICTS}


def district_code(abbr: str) -> str:
    return f"GZ-{abbr}"


def street_code(district: str, abbr: str) -> str:
    return f"GZ-{district}-{abbr}"


MFG, BUILD, TRANSPORT = Industry.MANUFACTURING, Industry.CONSTRUCTION, Industry.TRANSPORT
RETAIL, HOTEL, HEALTH = Industry.TRADE, Industry.HOSPITALITY, Industry.HEALTH
LARGE, MEDIUM, SMALL, MICRO = EnterpriseSize.LARGE, EnterpriseSize.MEDIUM, EnterpriseSize.SMALL, EnterpriseSize.MICRO


@dataclass(frozen=True)
class Firm:
    name: str
    district: str
    industry: str
    size: str
    address: str
    parent: str = ""  # a street or industry union code; the district union when empty
    gig: bool = False  # couriers, riders, drivers: mostly new-employment-form workers
    weight: int = 0  # share of the demo's workers; by size when 0


FIRMS = (
    # The first is the enterprise of the enterprise_officer login and of the demo worker.
    Firm("广州天穗电子科技有限公司", "TH", MFG, LARGE, "广州市天河区车陂路黄洲工业区8号", weight=30),
    Firm("广州明辉精密模具有限公司", "TH", MFG, MEDIUM, "广州市天河区珠吉路58号"),
    Firm("广州恒基建筑劳务有限公司", "TH", BUILD, MEDIUM, "广州市天河区石牌东路112号", "GZ-TH-SP"),
    Firm("广州石牌惠民超市有限公司", "TH", RETAIL, SMALL, "广州市天河区石牌西路37号", "GZ-TH-SP"),
    Firm("广州华康医院有限公司", "TH", HEALTH, MEDIUM, "广州市天河区石牌东路59号", "GZ-TH-SP"),
    Firm("广州珠江新城酒店管理有限公司", "TH", HOTEL, LARGE, "广州市天河区猎德大道68号", "GZ-TH-LD"),
    Firm("广州粤味轩餐饮管理有限公司", "TH", HOTEL, SMALL, "广州市天河区冼村路12号", "GZ-TH-XC"),
    Firm("广州冼村街坊便利店有限公司", "TH", RETAIL, MICRO, "广州市天河区冼村路43号", "GZ-TH-XC"),
    Firm("广州洁城环境服务有限公司", "TH", Industry.ENVIRONMENT, MEDIUM, "广州市天河区中山大道西89号"),
    Firm("广州速蜂即时配送服务有限公司", "TH", TRANSPORT, LARGE, "广州市天河区猎德路186号", LOGISTICS, gig=True),
    Firm("广州飞鸿速递有限公司", "TH", TRANSPORT, MEDIUM, "广州市天河区员村二横路9号", LOGISTICS, gig=True),
    Firm("广州康乐服饰有限公司", "HZ", MFG, SMALL, "广州市海珠区新港中路康乐村工业区3栋"),
    Firm("广州赤岗印刷包装有限公司", "HZ", MFG, SMALL, "广州市海珠区赤岗北路118号", "GZ-HZ-CG"),
    Firm("广州仁济口腔医院有限公司", "HZ", HEALTH, SMALL, "广州市海珠区艺苑路96号", "GZ-HZ-CG"),
    Firm("广州惠万家连锁超市有限公司", "HZ", RETAIL, MEDIUM, "广州市海珠区南洲路188号", "GZ-HZ-NZ"),
    Firm("广州羊城约车出行服务有限公司", "HZ", TRANSPORT, SMALL, "广州市海珠区工业大道中303号", LOGISTICS,
         gig=True),
    Firm("广州雅姿服装有限公司", "BY", MFG, MEDIUM, "广州市白云区石井街石沙路1228号"),
    Firm("广州美研化妆品有限公司", "BY", MFG, MEDIUM, "广州市白云区钟落潭镇良田工业区5号"),
    Firm("广州智联电子有限公司", "BY", MFG, SMALL, "广州市白云区太和镇广从五路1022号"),
    Firm("广州京溪物业服务有限公司", "BY", Industry.REAL_ESTATE, SMALL, "广州市白云区京溪路31号", "GZ-BY-JX"),
    Firm("广州迅邦同城配送服务有限公司", "BY", TRANSPORT, SMALL, "广州市白云区沙太南路1033号", "GZ-BY-JX",
         gig=True),
    Firm("广州顺捷快递服务有限公司", "BY", TRANSPORT, LARGE, "广州市白云区太和镇大源北路8号", LOGISTICS, gig=True),
    Firm("广州穗通供应链管理有限公司", "BY", TRANSPORT, LARGE, "广州市白云区人和镇鹤龙七路20号", LOGISTICS),
    Firm("广州精锐汽车零部件有限公司", "HP", MFG, LARGE, "广州市黄埔区开创大道2288号"),
    Firm("广州科讯电子有限公司", "HP", MFG, LARGE, "广州市黄埔区科丰路31号"),
    Firm("广州云创光电科技有限公司", "HP", MFG, MEDIUM, "广州市黄埔区香雪大道中85号"),
    Firm("广州港湾建设工程有限公司", "HP", BUILD, MEDIUM, "广州市黄埔区港湾路368号"),
    Firm("广州粤鹏汽车零部件有限公司", "PY", MFG, MEDIUM, "广州市番禺区化龙镇金湖工业城C区6号"),
    Firm("广州美迅电器有限公司", "PY", MFG, MEDIUM, "广州市番禺区石碁镇市莲路石碁段108号"),
    Firm("广州步履鞋业有限公司", "PY", MFG, SMALL, "广州市番禺区大石街105国道大石段520号"),
    Firm("广州宏建市政工程有限公司", "PY", BUILD, MEDIUM, "广州市番禺区市桥街西丽南路33号"),
    Firm("广州康宁医院有限公司", "PY", HEALTH, MEDIUM, "广州市番禺区南村镇兴南大道368号"),
    Firm("广州鑫驰汽车零部件有限公司", "HD", MFG, LARGE, "广州市花都区秀全街风神大道18号"),
    Firm("广州穗宏汽车座椅有限公司", "HD", MFG, MEDIUM, "广州市花都区新雅街镜湖大道63号"),
    Firm("广州金狮皮具有限公司", "HD", MFG, MEDIUM, "广州市花都区狮岭镇金狮大道东12号"),
    Firm("广州空港商旅酒店有限公司", "HD", HOTEL, MEDIUM, "广州市花都区花东镇空港大道9号"),
    Firm("广州联捷汽车配件有限公司", "NS", MFG, MEDIUM, "广州市南沙区黄阁镇黄阁大道中212号"),
    Firm("广州海港重工机械有限公司", "NS", MFG, LARGE, "广州市南沙区龙穴街港前大道南162号"),
    Firm("广州港联物流有限公司", "NS", TRANSPORT, MEDIUM, "广州市南沙区南沙街港前大道68号", LOGISTICS),
    Firm("广州山珍源食品有限公司", "CH", MFG, MEDIUM, "广州市从化区太平镇明珠工业园福宁路6号"),
    Firm("广州流溪温泉度假酒店有限公司", "CH", HOTEL, MEDIUM, "广州市从化区温泉镇温泉东路88号"),
    Firm("广州锦绣牛仔服装有限公司", "ZC", MFG, LARGE, "广州市增城区新塘镇港口大道228号"),
    Firm("广州增力汽车部件有限公司", "ZC", MFG, SMALL, "广州市增城区石滩镇三江工业园8号"),
    Firm("广州荔乡农业发展有限公司", "ZC", Industry.AGRICULTURE, SMALL, "广州市增城区正果镇荔乡路16号"),
    Firm("广州珠江五金制品有限公司", "LW", MFG, SMALL, "广州市荔湾区东沙街环翠南路18号"),
    Firm("广州上下九商贸有限公司", "LW", RETAIL, MEDIUM, "广州市荔湾区上下九路92号"),
    Firm("广州西关茶楼餐饮有限公司", "LW", HOTEL, SMALL, "广州市荔湾区龙津西路136号"),
    Firm("广州穗安建筑工程有限公司", "YX", BUILD, LARGE, "广州市越秀区环市东路456号"),
    Firm("广州天成百货有限公司", "YX", RETAIL, MEDIUM, "广州市越秀区北京路238号"),
    Firm("广州越华酒店管理有限公司", "YX", HOTEL, MEDIUM, "广州市越秀区东风中路438号"),
    Firm("广州穗好家政服务有限公司", "YX", Industry.RESIDENT_SERVICES, MICRO, "广州市越秀区农林下路23号"),
)
SIZE_WEIGHTS = {LARGE: 20, MEDIUM: 8, SMALL: 4, MICRO: 2}

STAFF_LOGINS = (  # username, display name, role, organisation code (FLAGSHIP: the first firm), Django admin
    ("city_admin", "黄伟明", Role.CITY_ADMIN, "GZ", True),
    ("tianhe_reviewer", "林晓燕", Role.DISTRICT_REVIEWER, district_code("TH"), False),
    ("enterprise_officer", "张国强", Role.ENTERPRISE_OFFICER, "FLAGSHIP", False),
    ("finance", "梁淑仪", Role.FINANCE_OFFICER, "GZ", False),
    ("auditor", "何振华", Role.AUDITOR, "GZ", False),
    ("school_staff", "周丽萍", Role.SCHOOL_STAFF, "GZ-OU", False),
    ("province_viewer", "刘志刚", Role.VIEWER, "GD", False),
    ("national_viewer", "王海燕", Role.VIEWER, NATIONAL_CODE, False),
)
DEMO_LOGINS = (SUPERUSER, *(login[0] for login in STAFF_LOGINS), LOGIN_WORKER_MOBILE)
DEMO_USERNAMES = (*DEMO_LOGINS[:-1], f"w{LOGIN_WORKER_MOBILE}")

# A number carries the code of the office that issued it: most people carry their district's present code,
# also those born before it existed (天河 440106 since 1985; 增城 440118 and 从化 440117 issue to every age since
# 2014); some older people still carry the code their county had when they were first given a number (the
# first one valid in the birth year, by python-stdnum's region table).
LOCAL_REGIONS = {
    "LW": ("440103", "440120"), "YX": ("440104", "440120"), "HZ": ("440105", "440120"),
    "TH": ("440106", "440111", "440120"), "BY": ("440111", "440120"), "HP": ("440112", "440120"),
    "PY": ("440113", "440181", "440126"), "HD": ("440114", "440182", "440121"),
    "NS": ("440115", "440113", "440181", "440126"), "CH": ("440117", "440184", "440122"),
    "ZC": ("440118", "440183", "440125"),
}
# Home counties in Hunan, Jiangxi, Guangxi, Sichuan, Hubei, Henan, Guizhou, Chongqing and east/west Guangdong.
MIGRANT_REGIONS = (
    "430124", "430521", "431021", "430923", "360121", "360732", "362430", "450321", "450881", "452501",
    "510122", "510921", "420117", "421125", "420981", "412723", "411323", "522422", "500235", "441581",
    "445281", "440882",
)
OLDER_CODE_SHARE = 0.25
# A few workers hold the other documents numbered alike: residence permits of Hong Kong, Macao and Taiwan
# residents, and one foreign permanent resident ID card (9, Guangdong's 44, nationality 410: Korea).
OTHER_DOCUMENTS = (
    (DocumentType.HMT_PERMIT, "810000"), (DocumentType.HMT_PERMIT, "810000"), (DocumentType.HMT_PERMIT, "820000"),
    (DocumentType.HMT_PERMIT, "830000"), (DocumentType.FOREIGN_PR, "944410"),
)
MIGRANT_SHARE = {MFG: 0.4, BUILD: 0.55, TRANSPORT: 0.4, HOTEL: 0.25, HEALTH: 0.05}
MALE_SHARE = {MFG: 0.6, BUILD: 0.9, TRANSPORT: 0.85, HOTEL: 0.4, HEALTH: 0.25, RETAIL: 0.35}
JOBS = {
    MFG: ((JobCategory.FRONT_LINE_PRODUCTION, 55), (JobCategory.MANUFACTURING, 35), (JobCategory.OTHER, 10)),
    BUILD: ((JobCategory.FRONT_LINE_PRODUCTION, 80), (JobCategory.OTHER, 20)),
    Industry.AGRICULTURE: ((JobCategory.FRONT_LINE_PRODUCTION, 85), (JobCategory.OTHER, 15)),
}
SERVICE_JOBS = ((JobCategory.SERVICE, 80), (JobCategory.OTHER, 20))
HONOURS = (
    ("model_worker_level", HonourLevel.CITY), ("model_worker_level", HonourLevel.CITY),
    ("model_worker_level", HonourLevel.CITY), ("model_worker_level", HonourLevel.PROVINCE),
    ("model_worker_level", HonourLevel.PROVINCE), ("labour_medal_level", HonourLevel.CITY),
    ("labour_medal_level", HonourLevel.CITY), ("labour_medal_level", HonourLevel.PROVINCE),
)

SURNAMES = (
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
     "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤麦区",
    "欧阳", "司徒",
)
SURNAME_WEIGHTS = tuple(1 / (rank + 8) for rank in range(len(SURNAMES)))
MALE_GIVEN = "伟强军杰涛明超勇磊斌浩鹏俊辉华建文志国平海波宇晨豪凯锦荣健峰亮成林东振德永龙坤鑫"
FEMALE_GIVEN = "芳娟敏静丽艳霞燕玲婷雪慧红琳洁萍莉倩颖欣怡佳梅秀兰晓诗雨思嘉丹凤月蓉媛薇"
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "199",
)
BANKS = (  # name, card prefix, card length
    ("工商银行", "622202", 19), ("农业银行", "622848", 19), ("建设银行", "621700", 19),
    ("中国银行", "621661", 19), ("广州农商银行", "621058", 16), ("邮储银行", "621799", 19),
)
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class Login:
    username: str
    role: str
    organisation: str


@dataclass
class Result:
    logins: list[Login]
    organisations: int
    enterprises: int
    workers: int
    applications: int


def already_seeded() -> bool:
    return Organisation.objects.filter(code=NATIONAL_CODE).exists()


def build(*, workers: int = 300, progress=lambda step: None) -> Result:
    rng = random.Random(SEED)
    with transaction.atomic():
        progress("union tree, enterprises, schools")
        admin = superuser_create(username=SUPERUSER, password=PASSWORD, display_name="系统管理员")
        orgs = _build_tree(admin)
        enterprises = [_register_firm(admin, orgs, firm, rng) for firm in FIRMS]
        _register_schools(admin, orgs)
        logins = [Login(SUPERUSER, "superuser", "—")]
        logins += _create_staff(admin, orgs | {"FLAGSHIP": enterprises[0].organisation})
        progress(f"{workers} workers")
        people = _register_workers(admin, enterprises, workers, rng)
        logins.append(_create_worker_login(admin, people[0]))
        progress("policies, officers and reviewers, applications in every state, graduate rosters, "
                 "budgets, a payout round paid through the bank")
        applications = _build_subsidy(admin, orgs, enterprises[0].organisation, people, rng)
        progress("targets: the national 2030 targets shared down to the city, the city's yearly ones")
        build_targets(orgs, NATIONAL_CODE)
        progress(f"training orders: teacher libraries, {SESSIONS_HELD} sessions held, orders live today")
        build_training_orders(orgs=orgs, flagship=enterprises[0].organisation, rng=rng)
        progress("training network (a centre, 20 stations, 100 workshops) and 1,264 courses")
        build_training(orgs=orgs, flagship=enterprises[0].organisation, worker=people[0], by=admin)
        progress("needs surveys of 40 enterprises with their answers, a district's survey of its workers, projects")
        build_learning_needs(orgs=orgs, rng=rng)
        progress("an invitation link and two workers waiting for their union's confirmation")
        build_sign_ups(officer=get_user_model().objects.get(username="enterprise_officer"),
                       enterprise=enterprises[0], maker=PersonMaker(sign_up_rng()), firm=FIRMS[0],
                       password=PASSWORD)
    return Result(logins, Organisation.objects.count(), Enterprise.objects.count(), Worker.objects.count(),
                  applications)


def _build_subsidy(admin, orgs, flagship, people, rng) -> int:
    staff = {user.username: user for user in get_user_model().objects.filter(
        username__in=("city_admin", "enterprise_officer", "tianhe_reviewer", "school_staff"))}
    subsidy = SubsidyDemo(admin=admin, orgs=orgs, rng=rng, password=PASSWORD, school_staff=staff["school_staff"])
    subsidy.create_reviewers_and_officers(staff["city_admin"], staff["enterprise_officer"], staff["tianhe_reviewer"])
    policy = subsidy.policies(flagship)
    applications = subsidy.applications(policy, people, people[0])
    finance = get_user_model().objects.get(username="finance")
    build_payouts(admin=admin, city_admin=staff["city_admin"], finance=finance, policy=policy,
                  district=orgs["GZ-TH"], enterprise=flagship)
    build_lottery(subsidy=subsidy, city_admin=staff["city_admin"], workers=people)
    return applications


def _build_tree(by) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}

    def add(code, name, kind, parent, region, address=""):
        phone, address = CONTACTS.get(code, ("", address))
        orgs[code] = organisation_create(by=by, kind=kind, code=code, name=name, parent=orgs.get(parent),
                                         region_code=region, address=address, contact_phone=phone)

    for code, name, kind, parent, region in TREE:
        add(code, name, kind, parent, region)
    for abbr, name, region in DISTRICTS:
        add(district_code(abbr), f"{name}总工会", OrgKind.DISTRICT, "GZ", region)
    district_names = {abbr: name for abbr, name, _region in DISTRICTS}
    for abbr, district, name in STREETS:
        add(street_code(district, abbr), f"{district_names[district]}{name}总工会", OrgKind.STREET,
            district_code(district), DISTRICT_REGIONS[district])
    for code, name in INDUSTRY_UNIONS:
        add(code, name, OrgKind.INDUSTRY, "GZ", "440100")
    for code, name, address in PROVIDERS:
        add(code, name, OrgKind.PROVIDER, "GZ", "440100", address)
    return orgs


def _register_firm(by, orgs, firm: Firm, rng: random.Random) -> Enterprise:
    return enterprise_register(
        by=by, parent=orgs[firm.parent or district_code(firm.district)], legal_name=firm.name,
        credit_code=credit_code(rng, DISTRICT_REGIONS[firm.district]), industry=firm.industry, size=firm.size,
        address=firm.address, union_name=f"{firm.name}工会",
    )


def credit_code(rng: random.Random, region: str) -> str:
    """A company's unified social credit code: "91", the region, an organisation code, the check character.

    Companies registered since 2015 have organisation codes starting "MA"; older ones, nine digits.
    """
    if rng.random() < 0.5:
        organisation = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(7))
    else:
        organisation = "".join(rng.choice("0123456789") for _ in range(9))
    body = "91" + region + organisation
    return validate_credit_code(body + uscc.calc_check_digit(body))


def _register_schools(by, orgs) -> None:
    for code, name, school_type, school_code, address in SCHOOLS:
        orgs[code] = school_register(by=by, parent=orgs["GZ"], name=name, code=code, school_type=school_type,
                                     school_code=school_code, address=address).organisation


def _create_staff(by, orgs) -> list[Login]:
    logins = []
    for username, display_name, role, org_code, is_staff in STAFF_LOGINS:
        organisation = orgs[org_code]
        staff_user_create(by=by, username=username, password=PASSWORD, display_name=display_name,
                          organisation=organisation, role=role, is_staff=is_staff)
        logins.append(Login(username, role, organisation.name))
    return logins


def _create_worker_login(by, worker: Worker) -> Login:
    worker_account_create(by=by, worker=worker, password=PASSWORD)
    return Login(worker.mobile, "worker", worker.employer.organisation.name)


def _register_workers(by, enterprises: list[Enterprise], count: int, rng: random.Random) -> list[Worker]:
    """The first worker, at the first firm, gets the demo worker's mobile number; the rest are spread by weight."""
    weights = [firm.weight or SIZE_WEIGHTS[firm.size] for firm in FIRMS]
    employers = [0] + [i for i, n in enumerate(allocate(count - 1, weights)) for _ in range(n)]
    honours = dict(zip(rng.sample(range(count), min(count, len(HONOURS))), HONOURS, strict=False))
    maker = PersonMaker(rng)
    documents = dict(zip(maker.codes.sample(range(1, count), min(count - 1, len(OTHER_DOCUMENTS))),
                         OTHER_DOCUMENTS, strict=False))
    people = []
    for number, i in enumerate(employers):
        fields = maker.fields(FIRMS[i], enterprises[i], LOGIN_WORKER_MOBILE if number == 0 else None,
                              document=documents.get(number))
        if number in honours:
            fields[honours[number][0]] = honours[number][1]
        people.append(worker_register(by=by, **fields))
    return people


def region_existed(region: str, year: int) -> bool:
    """Was this county code in use in that year (python-stdnum's region table, which knows when)?"""
    probe = f"{region}{year}0101001"
    try:
        ric.get_birth_place(probe + ric.calc_check_digit(probe + "0"))
    except (stdnum_errors.InvalidComponent, KeyError, ValueError):  # its region table raises KeyError too
        return False
    return True


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, largest remainders first."""
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class PersonMaker:
    """Believable, unique people drawn from one random stream; which number's code and which document each holds
    come from a second one, so that the people (and all the demo built on them) stay those of the first."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.codes = random.Random(SEED + 1)
        self.today = timezone.localdate()
        self.id_numbers: set[str] = set()
        self.mobiles: set[str] = {LOGIN_WORKER_MOBILE}

    def fields(self, firm: Firm, enterprise: Enterprise, mobile: str | None = None,
               document: tuple[str, str] | None = None) -> dict:
        """A worker's fields; ``document`` is (type, the number's first six digits) for one who holds a document
        other than the resident identity card."""
        rng = self.rng
        male = rng.random() < MALE_SHARE.get(firm.industry, 0.5)
        birth = datetime.date(rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28))
        migrant = rng.random() < MIGRANT_SHARE.get(firm.industry, 0.2)
        region = self.region(firm.district, migrant, birth.year)  # drawn for everyone: the stream stays the same
        document_type, head = document or (DocumentType.RESIDENT_ID, region)
        fields = {
            "name": self.name(male),
            "document_type": document_type,
            "id_number": self.id_number(head, birth, male),
            "mobile": mobile or self.mobile(),
            "employer": enterprise,
            "union_member_since": self.member_since(birth),
            "job_category": self.job(firm),
            "is_migrant_worker": migrant and document is None,
            "is_new_employment_form": firm.gig and rng.random() < 0.9,
        }
        if rng.random() < 0.8:
            fields["bank_name"], fields["bank_account"] = self.bank_card()
        return fields

    def name(self, male: bool) -> str:
        surname = self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        given = self.rng.sample(MALE_GIVEN if male else FEMALE_GIVEN, self.rng.choice((1, 2, 2)))
        return surname + "".join(given)

    def region(self, district: str, migrant: bool, year: int) -> str:
        if migrant:
            return self.rng.choice([r for r in MIGRANT_REGIONS if region_existed(r, year)])
        present, *older = LOCAL_REGIONS[district]
        if self.codes.random() < OLDER_CODE_SHARE:
            return next((code for code in older if region_existed(code, year)), present)
        return present

    def id_number(self, region: str, birth: datetime.date, male: bool) -> str:
        while True:
            serial = self.rng.randrange(1 if male else 2, 1000, 2)  # odd for men, even for women
            first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def member_since(self, birth: datetime.date) -> datetime.date:
        recent = self.rng.random() < 0.15
        days = self.rng.randint(30, 364) if recent else self.rng.randint(365, 8 * 365)
        since = self.today - datetime.timedelta(days=days)
        adult = birth.replace(year=birth.year + 18)
        if since < adult:
            since = min(self.today, adult + datetime.timedelta(days=self.rng.randint(30, 365)))
        return since

    def job(self, firm: Firm) -> str:
        jobs = JOBS.get(firm.industry, SERVICE_JOBS)
        return self.rng.choices([job for job, _ in jobs], weights=[w for _, w in jobs])[0]

    def bank_card(self) -> tuple[str, str]:
        name, prefix, length = self.rng.choice(BANKS)
        body = prefix + "".join(self.rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
        return name, body + luhn.calc_check_digit(body)
