"""Test data built through the real services, so tests see what users would."""

import datetime
import io
import itertools
import threading
import zipfile

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook
from stdnum import luhn
from stdnum.cn import ric, uscc

from yuanmeng.accounts.services import staff_user_create
from yuanmeng.applications.services import application_submit
from yuanmeng.orgs.models import EnterpriseSize, Industry, OrgKind, SchoolType
from yuanmeng.orgs.services import enterprise_register, organisation_create, school_register
from yuanmeng.people.models import JobCategory
from yuanmeng.people.services import worker_account_create, worker_register
from yuanmeng.policies.models import DocumentKind, Level, PriorityGroup, ProgrammeType
from yuanmeng.policies.services import policy_create, policy_publish

PASSWORD = "test-password-2026"
_serial = itertools.count(1)
_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_number(region: str = "440106", birth: str = "19900307", serial: int | None = None) -> str:
    body = f"{region}{birth}{(serial or next(_serial)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(region: str = "440106", serial: int | None = None, prefix: str = "91") -> str:
    n = serial or next(_serial)
    org_code = "".join(_USCC_BODY[(n // 31**i) % 31] for i in range(9))
    body = f"{prefix}{region}{org_code}"
    return body + uscc.calc_check_digit(body)


def bank_card(serial: int | None = None, prefix: str = "62220236") -> str:
    """A 19-digit UnionPay card number with its Luhn check digit, as the services require of a 62… card."""
    body = f"{prefix}{(serial if serial is not None else next(_serial)) % 10**(18 - len(prefix)):0{18 - len(prefix)}d}"
    return body + luhn.calc_check_digit(body)


def mobile(serial: int | None = None) -> str:
    return f"139{(serial or next(_serial)):08d}"


def pdf(name: str = "录取通知书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf")


def superuser():
    return get_user_model().objects.create_superuser(username=f"root{next(_serial)}", password=PASSWORD)


class Tree:
    """national → province → city → two districts, each with one enterprise; a school under the city."""

    def __init__(self):
        self.root_user = superuser()
        by = self.root_user
        self.national = organisation_create(by=by, kind=OrgKind.NATIONAL, code="N", name="全国总工会")
        self.province = organisation_create(by=by, kind=OrgKind.PROVINCE, code="GD", name="广东省总工会",
                                            parent=self.national, region_code="440000")
        self.city = organisation_create(by=by, kind=OrgKind.CITY, code="GZ", name="广州市总工会",
                                        parent=self.province, region_code="440100")
        self.tianhe = organisation_create(by=by, kind=OrgKind.DISTRICT, code="GZ-TH", name="天河区总工会",
                                          parent=self.city, region_code="440106")
        self.haizhu = organisation_create(by=by, kind=OrgKind.DISTRICT, code="GZ-HZ", name="海珠区总工会",
                                          parent=self.city, region_code="440105")
        self.tianhe_firm = self.enterprise(self.tianhe, "天河精密制造有限公司")
        self.haizhu_firm = self.enterprise(self.haizhu, "海珠物流有限公司", region="440105")
        self.school_profile = school_register(by=by, parent=self.city, name="广州开放大学", code="GZOU",
                                              school_type=SchoolType.OPEN_UNIVERSITY, school_code="51161")
        self.school = self.school_profile.organisation

    def enterprise(self, parent, name, region="440106"):
        return enterprise_register(by=self.root_user, parent=parent, legal_name=name,
                                   credit_code=credit_code(region), industry=Industry.MANUFACTURING,
                                   size=EnterpriseSize.MEDIUM)

    def staff(self, role: str, organisation, username: str | None = None):
        return staff_user_create(by=self.root_user, username=username or f"{role}{next(_serial)}",
                                 password=PASSWORD, display_name=role, organisation=organisation, role=role)

    def worker(self, employer=None, **fields):
        values = {
            "name": "李明", "id_number": id_number(), "mobile": mobile(),
            "employer": employer or self.tianhe_firm, "job_category": JobCategory.FRONT_LINE_PRODUCTION,
            "bank_name": "工商银行", "bank_account": bank_card(),
        }
        values.update(fields)
        return worker_register(by=self.root_user, **values)

    def worker_login(self, worker):
        return worker_account_create(by=self.root_user, worker=worker, password=PASSWORD)

    def policy(self, organisation=None, publish=True, **fields):
        today = datetime.date.today()
        values = {
            "code": f"P{next(_serial)}", "title": "广州市职工求学圆梦资助", "year": today.year,
            "amount_college_fen": 150_000, "amount_bachelor_fen": 150_000,
            "programme_types": list(ProgrammeType.values), "min_membership_months": 6,
            "opens_on": today - datetime.timedelta(days=30), "closes_on": today + datetime.timedelta(days=60),
            "required_documents": [DocumentKind.ENROLMENT_PROOF],
            "priority_groups": [PriorityGroup.MODEL_WORKER, PriorityGroup.LABOUR_MEDAL, PriorityGroup.FRONT_LINE],
            "annual_budget_fen": 660_000_000,
        }
        values.update(fields)
        policy = policy_create(by=self.root_user, organisation=organisation or self.city, **values)
        return policy_publish(by=self.root_user, policy=policy) if publish else policy

    def member(self, employer=None, **fields):
        """A worker who can apply: a union member for a year, with a login."""
        fields.setdefault("union_member_since", datetime.date.today() - datetime.timedelta(days=400))
        worker = self.worker(employer=employer, **fields)
        self.worker_login(worker)
        return worker

    def apply(self, worker, policy, by=None, **fields):
        values = {"level": Level.COLLEGE, "programme_type": ProgrammeType.OPEN_UNIVERSITY,
                  "school": self.school_profile, "major": "机电一体化技术", "study_mode": "part_time",
                  "enrolment_date": datetime.date.today() - datetime.timedelta(days=800),
                  "student_number": f"S{next(_serial)}",
                  "documents": {DocumentKind.ENROLMENT_PROOF: pdf()}}
        values.update(fields)
        return application_submit(by=by or worker.user, worker=worker, policy=policy, **values)


def workbook(header, rows, *, title=None, empty_first_row=False, merge=None) -> io.BytesIO:
    """An xlsx in memory: an optional title or empty first row, the header (None for none), the rows."""
    book = Workbook()
    sheet = book.active
    for first in ([[]] if empty_first_row else []) + ([[title]] if title else []):
        sheet.append(first)
    for row in ([header] if header is not None else []) + list(rows):
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def rewrite_sheet(book: io.BytesIO, edit) -> io.BytesIO:
    """A copy of an xlsx with its first sheet's XML passed through ``edit(bytes) -> bytes``: cells no writer
    library would make (number cells holding long numbers, cells beyond the last column)."""
    from yuanmeng.core.xlsx_rows import first_sheet_path

    source, out = zipfile.ZipFile(book), io.BytesIO()
    sheet = first_sheet_path(source)
    with zipfile.ZipFile(out, "w") as copy:
        for item in source.infolist():
            body = source.read(item.filename)
            copy.writestr(item, edit(body) if item.filename == sheet else body)
    out.seek(0)
    return out


def in_parallel(calls) -> list:
    """Run each call in its own thread and connection, released at once (PostgreSQL races); their refusals."""
    barrier, refusals = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
        except ValidationError as exc:
            refusals.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refusals
