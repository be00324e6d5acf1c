"""The national data set behind ``yuanmeng seed national``: the union tree of all 31 province-level divisions
with their cities and districts (GB/T 2260 codes and names, read from python-stdnum's region table), street
unions, enterprises with valid credit codes, schools, millions of workers with valid identity numbers, and
applications in every state of the workflow with their history, a policy and a budget per city with enterprises.

Millions of rows through the services would take hours, so the bulk is written set-based: COPY on PostgreSQL,
executemany on SQLite, straight into the tables of the apps below (the demo app sits on the top floor), with
every invariant the services keep — an application's union is its worker's employer's union and its area the
district above it, its history is the path the workflow table allows to its state, every identity and bank
number is encrypted (each value for real: Fernet takes about 10 µs) with its blind index and masked copy, each
policy counts its applicants and approvals. The few rows that carry rules (policies, budgets, staff logins, one
round committed, approved and paid in Guangzhou for the states ``in_batch`` and ``paid``) go through the
services. A fixed seed makes every run the same.
"""

import datetime
import random
import re
import time
from array import array
from collections import deque
from dataclasses import dataclass, field
from functools import cache

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn, numdb
from stdnum.cn import ric

from yuanmeng.accounts.services import staff_user_create, superuser_create
from yuanmeng.applications.models import Application, ApplicationEvent, CertificateClaim, StudyMode
from yuanmeng.applications.workflow import (
    APPLICANT,
    CITY,
    CREATED,
    DISTRICT,
    ENTERPRISE,
    NEEDS_REASON,
    TRANSITIONS,
    State,
)
from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import blind_index, encrypt
from yuanmeng.core.masking import mask_number
from yuanmeng.core.sql import copy_rows
from yuanmeng.core.validators import HMT_PERMIT_CODES, DocumentType
from yuanmeng.demo.build import (
    BANKS,
    FEMALE_GIVEN,
    MALE_GIVEN,
    MOBILE_PREFIXES,
    NATIONAL_CODE,
    PASSWORD,
    SIZE_WEIGHTS,
    SUPERUSER,
    SURNAME_WEIGHTS,
    SURNAMES,
    credit_code,
)
from yuanmeng.demo.payouts import bank_answer
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.models import Enterprise, EnterpriseSize, Industry, Organisation, OrgKind, School, SchoolType
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.services import batch_approve, result_import, round_commit
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.policies.models import Level, ProgrammeType
from yuanmeng.policies.services import policy_applicants_take, policy_approval_take, policy_create, policy_publish

SEED = 12
CHUNK = 50_000
AMOUNT_FEN = 150_000
MAX_LINES_PER_BATCH = 2200
MUNICIPALITIES = ("11", "12", "31", "50")
NOT_A_PLACE = ("市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位")
STREETS_PER_DISTRICT = 2
STREET_NAMES = ("城关", "新华", "人民", "解放", "东风", "建设", "中山", "胜利", "和平", "文化", "向阳", "长安")
WORKERS_PER_ENTERPRISE = 100
# How many applications end in each state; in_batch and paid come from the Guangzhou round the services commit.
STATE_WEIGHTS = {State.SUBMITTED: 12, State.CONFIRMED: 10, State.REVIEWED: 10, State.APPROVED: 14,
                 State.RETURNED: 4, State.DIPLOMA_SUBMITTED: 8, State.DIPLOMA_RETURNED: 3,
                 State.DIPLOMA_VERIFIED: 30, State.REJECTED: 4, State.WITHDRAWN: 3}
APPROVED_OR_LATER = frozenset({State.APPROVED, State.DIPLOMA_SUBMITTED, State.DIPLOMA_RETURNED,
                               State.DIPLOMA_VERIFIED, State.IN_BATCH, State.PAID})
REASONS = ("材料不全，请补充在职证明", "入学证明与本人信息不符", "学历证书照片不清晰，请重新上传")
ENTERPRISE_SIZES = ((EnterpriseSize.LARGE, 5), (EnterpriseSize.MEDIUM, 15), (EnterpriseSize.SMALL, 40),
                    (EnterpriseSize.MICRO, 40))
TRADES = {  # industry: what its companies call themselves, the jobs of their workers
    Industry.MANUFACTURING: (("电子科技", "精密机械", "汽车零部件", "服饰", "食品"), JobCategory.FRONT_LINE_PRODUCTION),
    Industry.CONSTRUCTION: (("建筑工程", "建设工程", "市政工程"), JobCategory.FRONT_LINE_PRODUCTION),
    Industry.TRANSPORT: (("物流", "快递服务", "即时配送"), JobCategory.SERVICE),
    Industry.TRADE: (("商贸", "超市", "百货"), JobCategory.SERVICE),
    Industry.HOSPITALITY: (("餐饮管理", "酒店管理"), JobCategory.SERVICE),
    Industry.HEALTH: (("医院", "口腔医院"), JobCategory.SERVICE),
}
INDUSTRY_WEIGHTS = {Industry.MANUFACTURING: 40, Industry.CONSTRUCTION: 15, Industry.TRANSPORT: 15,
                    Industry.TRADE: 15, Industry.HOSPITALITY: 10, Industry.HEALTH: 5}
BRANDS = ("华兴", "宏达", "鑫源", "恒通", "永安", "金泰", "盛世", "远航", "新科", "东方", "瑞丰", "嘉禾", "天成",
          "汇通", "长城", "万利", "利民", "正大", "安泰", "兴业")
# Other documents numbered alike, per ten thousand workers: residence permits of Hong Kong, Macao and Taiwan
# residents; foreign permanent resident ID cards (9, the province, an ISO 3166 nationality: Korea, Japan, the
# USA, Viet Nam, Russia).
HMT_PER_10K, FOREIGN_PER_10K = 40, 10
NATIONALITIES = ("410", "392", "840", "704", "643")
MIGRANT_SHARE = 0.25  # workers born in another province
OLDER_CODE_SHARE = 0.3  # numbers carrying the code their county had when first issued
FIRST_ID_CARDS = 1985
NATIONAL_LOGINS = {  # username: role, where (a region code, the national code, or the first enterprise)
    "national_viewer": (Role.VIEWER, NATIONAL_CODE), "province_viewer": (Role.VIEWER, "440000"),
    "city_admin": (Role.CITY_ADMIN, "440100"), "finance": (Role.FINANCE_OFFICER, "440100"),
    "tianhe_reviewer": (Role.DISTRICT_REVIEWER, "440106"), "haizhu_reviewer": (Role.DISTRICT_REVIEWER, "440105"),
    "enterprise_officer": (Role.ENTERPRISE_OFFICER, "firm"),
}


# -- the regions, from python-stdnum's table of GB/T 2260 codes ----------------------------------------------

@dataclass
class City:
    code: str
    name: str
    districts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Province:
    code: str  # two digits
    name: str
    cities: list[City] = field(default_factory=list)


def _periods(raw: str) -> list[tuple[int, int, str]]:
    """'[-1991]东郊区,[1992-]东丽区' → [(0, 1991, '东郊区'), (1992, 9999, '东丽区')]."""
    periods = []
    for part in raw.split(","):
        found = re.fullmatch(r"(?:\[(\d*)-(\d*)\])?(.+)", part)
        start, end, name = found.groups()
        periods.append((int(start or 0), int(end or 9999), name))
    return periods


def _current_name(raw: str) -> str | None:
    start, end, name = _periods(raw)[-1]
    return name if end == 9999 else None


@cache
def provinces() -> tuple[Province, ...]:
    """The 31 province-level divisions of the mainland with their present cities and county-level districts;
    a municipality is its own one city, a city without districts (东莞市) gets one union for its whole area."""
    found = []
    for _length, code, _end, info, children in numdb.get("cn/loc").prefixes:
        if code >= "70" or _current_name(info["province"]) is None:
            continue
        province = Province(code, _current_name(info["province"]))
        entries = [(code + sub, _current_name(sub_info["county"])) for _l, sub, _e, sub_info, _c in children]
        entries = [(region, name) for region, name in entries if name and name not in NOT_A_PLACE]
        if code in MUNICIPALITIES:
            province.cities = [City(code + "0100", province.name, [e for e in entries if e[0][2:] != "0000"])]
        else:
            cities = {region[:4]: City(region, name) for region, name in entries if region.endswith("00")
                      and region[2:4] != "00" and region[2:4] < "90"}
            for region, name in entries:
                if not region.endswith("00") and region[:4] in cities:
                    cities[region[:4]].districts.append((region, name))
            province.cities = list(cities.values())
        for city in province.cities:
            city.districts = city.districts or [(city.code, f"{city.name}城区")]
        found.append(province)
    return tuple(found)


@cache
def _county_periods(province: str) -> tuple[tuple[str, tuple], ...]:
    """Each county-level code of a province with its names' periods (a prefecture's own line left out: no office
    issues numbers under it)."""
    for _length, code, _end, _info, children in numdb.get("cn/loc").prefixes:
        if code == province:
            return tuple((code + sub, tuple(_periods(info["county"]))) for _l, sub, _e, info, _c in children
                         if not sub.endswith("00"))
    return ()


@cache
def county_codes(province: str, year: int) -> tuple[str, ...]:
    """The county-level codes of a province in use in ``year`` (abolished ones too, in their years)."""
    return tuple(code for code, periods in _county_periods(province)
                 if any(start <= year <= end and name not in NOT_A_PLACE for start, end, name in periods))


def short_name(name: str) -> str:
    """广东省 → 广东, 广西壮族自治区 → 广西, 广州市 → 广州."""
    return re.sub(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|省|市|地区|盟)$", "", name) or name


# -- the workflow paths -----------------------------------------------------------------------------------

def history_paths() -> dict[str, list[tuple[str, str, str, str]]]:
    """For each state a person's moves can reach, the shortest path to it in the workflow table: (action, from,
    to, role) steps, the role the applicant's where they may act, else the lowest union's."""
    preference = (APPLICANT, ENTERPRISE, DISTRICT, CITY)
    paths = {CREATED: []}
    queue = deque([CREATED])
    while queue:
        state = queue.popleft()
        for (from_state, action), (actors, to_state) in TRANSITIONS.items():
            people = [who for who in preference if who in actors]
            if from_state == state and people and to_state not in paths:
                paths[to_state] = [*paths[state], (action, from_state, to_state, str(people[0]))]
                queue.append(to_state)
    del paths[CREATED]
    return paths


# -- writing ------------------------------------------------------------------------------------------------

class Writer:
    """COPY (or executemany) in chunks of CHUNK rows, with explicit ids handed out from each table's next one."""

    def __init__(self, progress):
        self.progress = progress

    @staticmethod
    def next_id(model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def write(self, model, columns: list[str], rows, label: str) -> int:
        started, written, chunk = time.monotonic(), 0, []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                copy_rows(model._meta.db_table, columns, chunk)
                written += len(chunk)
                chunk = []
                self.report(label, written, started, done=False)
        copy_rows(model._meta.db_table, columns, chunk)
        written += len(chunk)
        self.report(label, written, started, done=True)
        return written

    def report(self, label: str, written: int, started: float, *, done: bool) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        self.progress(f"{label}: {written:,} rows{'' if done else ' …'} ({written / elapsed:,.0f} rows/s)")


ORG_COLUMNS = ["id", "code", "name", "kind", "path", "depth", "region_code", "address", "contact_phone",
               "is_active", "created_at", "parent_id"]


@dataclass
class Org:
    id: int
    path: str
    depth: int


class TreeBuilder:
    """Organisation rows with their materialised paths, numbered as they are made."""

    def __init__(self, first_id: int, now: datetime.datetime):
        self.next_id, self.now, self.rows = first_id, now, []

    def add(self, parent: Org | None, code: str, name: str, kind: str, region: str = "", address: str = "") -> Org:
        org_id = self.next_id
        self.next_id += 1
        path = f"{parent.path if parent else '/'}{org_id}/"
        depth = parent.depth + 1 if parent else 0
        self.rows.append((org_id, code, name, str(kind), path, depth, region, address, "", True, self.now,
                          parent.id if parent else None))
        return Org(org_id, path, depth)


@dataclass
class Firm:
    org: Org
    province: int  # index in provinces()
    city: int  # index in NationalSet.cities
    district: Org
    jobs: str
    weight: int


@dataclass
class NationalSet:
    """What later steps need of the tree: ids, not model instances (a few thousand of them)."""

    national: Org = None
    province_orgs: list[Org] = field(default_factory=list)
    cities: list[tuple[int, City, Org]] = field(default_factory=list)  # (province index, city, its union)
    districts: dict[str, Org] = field(default_factory=dict)  # region code → union
    firms: list[Firm] = field(default_factory=list)
    open_universities: list[int] = field(default_factory=list)  # school id per province
    colleges: dict[int, int] = field(default_factory=dict)  # province index → its capital's college's school id


@dataclass
class Result:
    organisations: int
    enterprises: int
    workers: int
    applications: int
    events: int
    seconds: float


def build_national(*, workers: int, applications: int | None = None, progress=lambda step: None) -> Result:
    """The whole set in one transaction: nothing is left half-written if a step fails."""
    started = time.monotonic()
    applications = workers // 3 if applications is None else applications
    if applications > workers:
        raise ValueError("--applications cannot exceed --workers: a worker applies once here.")
    rng = random.Random(SEED)
    writer = Writer(progress)
    with transaction.atomic():
        admin = superuser_create(username=SUPERUSER, password=PASSWORD, display_name="系统管理员")
        tree = _build_tree(writer, rng, enterprises=max(2, workers // WORKERS_PER_ENTERPRISE))
        workers_made = _build_workers(writer, rng, tree, workers)
        staff = _create_staff(admin, tree)
        policies = _create_policies(admin, tree)
        events = _build_applications(writer, rng, tree, workers_made, policies, applications)
        _pay_a_round(staff, policies[_guangzhou(tree)])
        _reset_sequences()
        audit_record(actor=admin, action="demo.seed_national", object_type="dataset", object_id="national",
                     after={"workers": workers, "applications": applications})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Result(organisations=Organisation.objects.count(), enterprises=len(tree.firms), workers=workers,
                  applications=applications, events=events, seconds=time.monotonic() - started)


def _build_tree(writer: Writer, rng: random.Random, *, enterprises: int) -> NationalSet:
    now = timezone.now()
    builder = TreeBuilder(writer.next_id(Organisation), now)
    tree = NationalSet(national=builder.add(None, NATIONAL_CODE, "中华全国总工会", OrgKind.NATIONAL))
    schools = []  # (organisation id, school type)
    for p, province in enumerate(provinces()):
        region = province.code + "0000"
        porg = builder.add(tree.national, region, f"{province.name}总工会", OrgKind.PROVINCE, region)
        tree.province_orgs.append(porg)
        school = builder.add(porg, f"{region}-OU", f"{short_name(province.name)}开放大学", OrgKind.SCHOOL, region)
        schools.append((school.id, SchoolType.OPEN_UNIVERSITY, p))
        for c, city in enumerate(province.cities):
            corg = builder.add(porg, city.code, f"{city.name}总工会", OrgKind.CITY, city.code)
            tree.cities.append((p, city, corg))
            if c == 0:  # the capital (the first code of a province) has a vocational college
                college = builder.add(corg, f"{city.code}-VC", f"{short_name(city.name)}职业技术学院",
                                      OrgKind.SCHOOL, city.code)
                schools.append((college.id, SchoolType.VOCATIONAL_COLLEGE, p))
            for region_code, name in city.districts:
                dorg = builder.add(corg, region_code if region_code != city.code else f"{city.code}-D",
                                   f"{name}总工会", OrgKind.DISTRICT, region_code)
                tree.districts[region_code] = dorg
    streets = {code: [builder.add(dorg, f"{code}-S{s}", f"{STREET_NAMES[(int(code) + s) % len(STREET_NAMES)]}"
                                  f"街道总工会", OrgKind.STREET, code) for s in range(STREETS_PER_DISTRICT)]
               for code, dorg in tree.districts.items()}
    enterprise_rows = _add_firms(builder, rng, tree, streets, enterprises)
    writer.write(Organisation, ORG_COLUMNS, builder.rows, "organisations")
    writer.write(Enterprise, ["legal_name", "credit_code", "industry", "size", "organisation_id"], enterprise_rows,
                 "enterprises")
    first_school = writer.next_id(School)
    school_rows = [(first_school + i, None, str(kind), org_id) for i, (org_id, kind, _p) in enumerate(schools)]
    writer.write(School, ["id", "school_code", "school_type", "organisation_id"], school_rows, "schools")
    for i, (_org, kind, p) in enumerate(schools):
        if kind == SchoolType.OPEN_UNIVERSITY:
            tree.open_universities.append(first_school + i)
        else:
            tree.colleges[p] = first_school + i
    return tree


def _add_firms(builder: TreeBuilder, rng: random.Random, tree: NationalSet, streets: dict, count: int) -> list:
    """Enterprises spread over the districts, four times as many in each provincial capital; the first two in
    天河区 and 海珠区 of Guangzhou, where the demo logins work."""
    districts = [(p, c, code) for c, (p, city, _org) in enumerate(tree.cities) for code, _name in city.districts]
    weights = [4 if tree.cities[c][1] is provinces()[p].cities[0] else 1 for p, c, _code in districts]
    picks = [next(d for d in districts if d[2] == code) for code in ("440106", "440105")]
    picks += rng.choices(districts, weights=weights, k=count - 2)
    industries, industry_weights = list(INDUSTRY_WEIGHTS), list(INDUSTRY_WEIGHTS.values())
    sizes, size_weights = [s for s, _w in ENTERPRISE_SIZES], [w for _s, w in ENTERPRISE_SIZES]
    rows = []
    for p, c, code in picks:
        industry = rng.choices(industries, weights=industry_weights)[0]
        size = rng.choices(sizes, weights=size_weights)[0]
        words, jobs = TRADES[industry]
        name = f"{short_name(tree.cities[c][1].name)}{rng.choice(BRANDS)}{rng.choice(words)}有限公司"
        uscc = credit_code(rng, code)
        parent = rng.choice([tree.districts[code], *streets[code]])
        org = builder.add(parent, f"E{uscc}", f"{name}工会", OrgKind.ENTERPRISE, code)
        rows.append((name, uscc, industry.value, size.value, org.id))
        tree.firms.append(Firm(org, p, c, tree.districts[code], jobs, SIZE_WEIGHTS[size]))
    return rows


WORKER_COLUMNS = ["id", "name", "document_type", "id_number", "id_number_index", "id_number_masked", "birth_date",
                  "sex", "mobile", "union_member_since", "job_category", "is_migrant_worker", "is_new_employment_form",
                  "model_worker_level", "labour_medal_level", "bank_name", "bank_account", "bank_account_index",
                  "bank_account_masked", "created_at", "updated_at", "employer_id", "membership",
                  "membership_decline_reason"]


class People:
    """Believable, unique identity numbers: 18 digits, of every birth year from 1960 to 2005 and every region the
    table knows, also codes abolished since (a number keeps the code of the office that first issued it)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[int] = set()
        self.today = timezone.localdate()
        self.first_day = datetime.date(1960, 1, 1).toordinal()
        self.days = datetime.date(2005, 12, 31).toordinal() - self.first_day
        self.province_codes = [p.code for p in provinces()]

    def identity(self, n: int, province: str) -> tuple[str, str, datetime.date, str]:
        """(document type, number, birth date, sex) of worker ``n``, employed in ``province``: the first of every
        ten thousand hold the other documents (so that even a tiny set has them; employers are drawn at random)."""
        rng = self.rng
        birth = datetime.date.fromordinal(self.first_day + rng.randrange(self.days))
        male = rng.random() < 0.55
        draw = n % 10_000
        if draw < HMT_PER_10K:
            document, head = DocumentType.HMT_PERMIT, rng.choice(HMT_PERMIT_CODES)
        elif draw < HMT_PER_10K + FOREIGN_PER_10K:
            document, head = DocumentType.FOREIGN_PR, f"9{province}{rng.choice(NATIONALITIES)}"
        else:
            document, head = DocumentType.RESIDENT_ID, self.region(province, birth.year)
        serial = rng.randrange(1 if male else 2, 1000, 2)  # odd for men, even for women
        while int(body := f"{head}{birth:%Y%m%d}{serial:03d}") in self.taken:
            serial = (serial + 2) % 1000 or (1 if male else 2)
        self.taken.add(int(body))
        return document, body + ric.calc_check_digit(body + "0"), birth, "M" if male else "F"

    def region(self, province: str, born: int) -> str:
        """Most carry a county of the province they work in, a quarter one of anywhere; some the code their county
        had when they got their first card, the rest one in use today."""
        home = self.rng.choice(self.province_codes) if self.rng.random() < MIGRANT_SHARE else province
        year = max(born + 16, FIRST_ID_CARDS) if self.rng.random() < OLDER_CODE_SHARE else self.today.year
        return self.rng.choice(county_codes(home, year) or county_codes(home, self.today.year))

    def name(self, male: bool) -> str:
        surname = self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        given = self.rng.sample(MALE_GIVEN if male else FEMALE_GIVEN, self.rng.choice((1, 2, 2)))
        return surname + "".join(given)

    def bank_card(self) -> tuple[str, str]:
        name, prefix, length = self.rng.choice(BANKS)
        body = prefix + f"{self.rng.randrange(10 ** (length - len(prefix) - 1)):0{length - len(prefix) - 1}d}"
        return name, body + luhn.calc_check_digit(body)


def _build_workers(writer: Writer, rng: random.Random, tree: NationalSet, count: int) -> tuple[int, array]:
    """Workers spread over the enterprises by size; returns the first worker's id and each worker's enterprise
    (index in tree.firms), the worker of id ``first + i`` at place i."""
    firm_ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True))
    employers = array("i", rng.choices(range(len(tree.firms)), weights=[f.weight for f in tree.firms], k=count))
    people, now = People(rng), timezone.now()
    first = writer.next_id(Worker)

    def rows():
        for i, f in enumerate(employers):
            firm = tree.firms[f]
            document, number, birth, sex = people.identity(i, provinces()[firm.province].code)
            bank, account = people.bank_card() if rng.random() < 0.85 else ("", "")
            since = people.today - datetime.timedelta(days=rng.randint(30, 8 * 365))
            yield (first + i, people.name(sex == "M"), document.value, encrypt(number), blind_index(number),
                   mask_number(number), birth, sex, rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}",
                   max(since, birth.replace(year=birth.year + 18, day=min(birth.day, 28))), firm.jobs.value,
                   document == DocumentType.RESIDENT_ID and number[:2] != provinces()[firm.province].code,
                   firm.jobs == JobCategory.SERVICE and rng.random() < 0.3, "", "", bank,
                   encrypt(account) if account else "", blind_index(account) if account else "",
                   mask_number(account) if account else "", now, now, firm_ids[f], "confirmed", "")

    writer.write(Worker, WORKER_COLUMNS, rows(), "workers")
    return first, employers


def _create_staff(admin, tree: NationalSet) -> dict:
    """The demo's logins, at the same places: Guangzhou, 天河区 and 海珠区, the first enterprise."""
    by_region = {org.code: org for org in Organisation.objects.filter(
        code__in=[NATIONAL_CODE, "440000", "440100", "440106", "440105"])}
    by_region["firm"] = Organisation.objects.get(pk=tree.firms[0].org.id)
    return {username: staff_user_create(by=admin, username=username, password=PASSWORD, display_name=username,
                                        organisation=by_region[where], role=role)
            for username, (role, where) in NATIONAL_LOGINS.items()}


def _create_policies(admin, tree: NationalSet) -> dict[int, object]:
    """This year's published policy and special budget of every city with enterprises, by the city's index."""
    today = timezone.localdate()
    year = today.year
    cities = Organisation.objects.in_bulk([org.id for _p, _city, org in tree.cities])
    policies = {}
    for c in sorted({firm.city for firm in tree.firms}):
        _p, city, org = tree.cities[c]
        policy = policy_create(
            by=admin, organisation=cities[org.id], code=f"{city.code}-{year}", year=year,
            title=f"{city.name}{year}年职工求学圆梦行动资助", amount_college_fen=AMOUNT_FEN,
            amount_bachelor_fen=AMOUNT_FEN, annual_budget_fen=AMOUNT_FEN * 10_000,
            programme_types=list(ProgrammeType.values), opens_on=today - datetime.timedelta(days=200),
            closes_on=today + datetime.timedelta(days=60))
        policies[c] = policy_publish(by=admin, policy=policy)
        budget_create(by=admin, organisation=cities[org.id], year=year, source=FundSource.SPECIAL,
                      name=f"{year}年{city.name}求学圆梦专项资金", amount_fen=AMOUNT_FEN * 10_000)
    return policies


APPLICATION_COLUMNS = ["id", "worker_id", "policy_id", "organisation_id", "area_id", "level", "programme_type",
                       "school_id", "major", "study_mode", "enrolment_date", "student_number", "state",
                       "priority_group", "priority_rank", "submitted_at", "certificate_number", "graduation_date",
                       "diploma_note", "enrolment_confirmed", "enrolment_note", "version", "updated_at"]
EVENT_COLUMNS = ["application_id", "action", "from_state", "to_state", "actor_id", "actor_label", "role", "reason",
                 "at"]
MAJORS = ("机械设计制造及其自动化", "电子信息工程", "工商管理", "会计学", "土木工程", "物流管理", "护理学",
          "计算机科学与技术", "酒店管理", "市场营销")
OPEN_UNIVERSITY, ADULT_HIGHER = ProgrammeType.OPEN_UNIVERSITY.value, ProgrammeType.ADULT_HIGHER.value
DIPLOMA_STATES = frozenset({State.DIPLOMA_SUBMITTED, State.DIPLOMA_RETURNED, State.DIPLOMA_VERIFIED})  # claimed


def _build_applications(writer: Writer, rng: random.Random, tree: NationalSet, workers: tuple[int, array],
                        policies: dict, count: int) -> int:
    """Worker i applies as application i, to the policy of their employer's city, in a state drawn by weight with
    the history of the workflow's path to it; written a chunk at a time (history and claims beside their
    applications) so that memory stays flat. Returns the number of history rows."""
    first_worker, employers = workers
    paths = {state: [tuple(str(part) for part in step) for step in steps] for state, steps in history_paths().items()}
    states, weights = [str(s) for s in STATE_WEIGHTS], list(STATE_WEIGHTS.values())
    diploma_states = {str(s) for s in DIPLOMA_STATES}
    approved_or_later = {str(s) for s in APPROVED_OR_LATER}
    levels, modes = (Level.COLLEGE.value, Level.BACHELOR.value), (StudyMode.PART_TIME.value, StudyMode.DISTANCE.value)
    first = writer.next_id(Application)
    now = timezone.now()
    applicants, approvals = dict.fromkeys(policies, 0), dict.fromkeys(policies, 0)
    started, events = time.monotonic(), 0
    for chunk_start in range(0, count, CHUNK):
        applications, history, claims = [], [], []
        for i in range(chunk_start, min(chunk_start + CHUNK, count)):
            firm, state = tree.firms[employers[i]], rng.choices(states, weights=weights)[0]
            applicants[firm.city] += 1
            approvals[firm.city] += state in approved_or_later
            at = now - datetime.timedelta(days=rng.randint(30, 190), seconds=rng.randrange(86_400))
            submitted = last = at
            for action, from_state, to_state, role in paths[state]:
                last = at
                history.append((first + i, action, from_state, to_state, None, "seed", role,
                                rng.choice(REASONS) if action in NEEDS_REASON else "", at))
                at += datetime.timedelta(days=rng.randint(1, 3), seconds=rng.randrange(86_400))
            open_university, certificate = rng.random() < 0.6, ""
            if state in diploma_states:
                certificate = f"{first + i:018d}"
                claims.append((certificate, last, first + i, first_worker + i))
            applications.append((
                first + i, first_worker + i, policies[firm.city].pk, firm.org.id, firm.district.id,
                rng.choice(levels), OPEN_UNIVERSITY if open_university else ADULT_HIGHER,
                tree.open_universities[firm.province] if open_university else tree.colleges[firm.province],
                rng.choice(MAJORS), rng.choice(modes), datetime.date(now.year - rng.randint(2, 3), 3, 1),
                f"S{now.year}{first + i:010d}", state, "", 0, submitted, certificate,
                datetime.date(now.year, 1, 15) if certificate else None, "", None, "", len(paths[state]) - 1, last))
        copy_rows(Application._meta.db_table, APPLICATION_COLUMNS, applications)
        copy_rows(ApplicationEvent._meta.db_table, EVENT_COLUMNS, history)
        copy_rows(CertificateClaim._meta.db_table, ["number", "at", "application_id", "worker_id"], claims)
        events += len(history)
        writer.report("applications (with their history)", chunk_start + len(applications), started,
                      done=chunk_start + CHUNK >= count)
    for c, policy in policies.items():
        if applicants[c]:
            policy_applicants_take(policy, applicants[c])
        if approvals[c]:
            policy_approval_take(policy, approvals[c])
    return events


def _guangzhou(tree: NationalSet) -> int:
    return next(c for c, (_p, city, _org) in enumerate(tree.cities) if city.code == "440100")


def _pay_a_round(staff: dict, policy) -> None:
    """Guangzhou's first round funds half of its verified applications (one batch at most); the finance officer
    approves its batch and the bank pays all but two lines. A second round funds half of the rest and waits for
    the finance officer: in_batch and paid, through the services."""
    verified = Application.objects.filter(policy=policy, state=State.DIPLOMA_VERIFIED).count()
    if verified < 4:
        return
    budget = Budget.objects.get(organisation=policy.organisation, year=policy.year, source=FundSource.SPECIAL)
    first = min(verified // 2, MAX_LINES_PER_BATCH)
    round_ = round_commit(by=staff["city_admin"], policy=policy, budget=budget, code=f"{policy.code}-R1",
                          limit_fen=AMOUNT_FEN * first, max_lines_per_batch=MAX_LINES_PER_BATCH)
    batch = round_.batches.get()
    batch_approve(by=staff["finance"], batch=batch)
    result_import(by=staff["finance"], batch=batch, upload=bank_answer(batch))
    round_commit(by=staff["city_admin"], policy=policy, budget=budget, code=f"{policy.code}-R2",
                 limit_fen=AMOUNT_FEN * ((verified - first) // 2))


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the rows (SQLite follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Organisation, Enterprise, School, Worker,
                                                                Application, ApplicationEvent, CertificateClaim])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
