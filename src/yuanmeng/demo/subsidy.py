"""The subsidy side of the demo: Guangzhou's policy with district and enterprise matching, applications
in every state, a school's graduate roster — all through the services, by the people whose job it is.

Every enterprise union gets an officer (``officer01``…) and every district or industry union a reviewer
(``reviewer_th``…), so that each application is confirmed, reviewed and approved by the right role.
"""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from yuanmeng.accounts.services import staff_user_create
from yuanmeng.applications.models import Application
from yuanmeng.applications.services import (
    application_submit,
    application_submit_diploma,
    application_transition,
    roster_upload,
)
from yuanmeng.applications.workflow import Action, State
from yuanmeng.orgs.models import Enterprise, Organisation, OrgKind, School
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker
from yuanmeng.people.services import worker_account_create
from yuanmeng.policies.models import DocumentKind, Level, PriorityGroup, ProgrammeType
from yuanmeng.policies.services import policy_close, policy_create, policy_publish

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# How many applications end in each state (the rest of the workers have not applied).
PLAN = (
    (State.SUBMITTED, 18), (State.CONFIRMED, 14), (State.REVIEWED, 14), (State.APPROVED, 16), (State.RETURNED, 6),
    (State.DIPLOMA_SUBMITTED, 10), (State.DIPLOMA_RETURNED, 4), (State.DIPLOMA_VERIFIED, 36), (State.REJECTED, 5),
    (State.WITHDRAWN, 5),
)
PATH = {  # the moves from submission to each planned state, by who makes them
    State.SUBMITTED: (),
    State.CONFIRMED: ("confirm",),
    State.REVIEWED: ("confirm", "review"),
    State.APPROVED: ("confirm", "review", "approve"),
    State.RETURNED: ("return",),
    State.REJECTED: ("confirm", "reject"),
    State.WITHDRAWN: ("withdraw",),
    State.DIPLOMA_SUBMITTED: ("confirm", "review", "approve", "diploma"),
    State.DIPLOMA_RETURNED: ("confirm", "review", "approve", "diploma", "return_diploma"),
    State.DIPLOMA_VERIFIED: ("confirm", "review", "approve", "diploma"),  # verified by the roster
}
REASONS = {
    "return": "录取通知书照片不清晰，请重新上传并核对学号。",
    "reject": "经核实，申请人已取得同层次学历，不符合“首次学历”条件。",
    "return_diploma": "毕业证书扫描件缺少盖章页，请补充上传。",
}
MAJORS = ("机电一体化技术", "数控技术", "电子信息工程技术", "物流管理", "工商企业管理", "护理", "酒店管理",
          "建筑工程技术", "计算机应用技术", "会计", "机械设计制造及其自动化", "汉语言文学")


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


class SubsidyDemo:
    def __init__(self, *, admin, orgs: dict[str, Organisation], rng: random.Random, password: str, school_staff):
        self.admin, self.orgs, self.rng, self.password = admin, orgs, rng, password
        self.school_staff = school_staff
        self.today = timezone.localdate()
        self.city_admin = None
        self.officers: dict[int, object] = {}
        self.reviewers: dict[int, object] = {}
        self.certificates = iter(range(1, 100_000))

    # -- people who act -------------------------------------------------------------------------

    def create_reviewers_and_officers(self, city_admin, officer, reviewer) -> None:
        """The named demo logins act where they belong; everyone else gets a systematic account."""
        self.city_admin = city_admin
        areas = Organisation.objects.filter(kind__in=(OrgKind.DISTRICT, OrgKind.INDUSTRY)).order_by("code")
        for area in areas:
            self.reviewers[area.pk] = reviewer if area.code == "GZ-TH" else staff_user_create(
                by=self.admin, username=f"reviewer_{area.code.split('-')[-1].lower()}", password=self.password,
                display_name=f"{area.name}审核员", organisation=area, role=Role.DISTRICT_REVIEWER)
        staff_school = self.school_staff.memberships.get().organisation_id
        self.school_accounts = {staff_school: self.school_staff}
        for school in School.objects.select_related("organisation").exclude(organisation_id=staff_school):
            self.school_accounts[school.organisation_id] = staff_user_create(
                by=self.admin, username=f"school_{school.organisation.code.split('-')[-1].lower()}",
                password=self.password, display_name=f"{school.organisation.name}教务员",
                organisation=school.organisation, role=Role.SCHOOL_STAFF)
        flagship = officer.memberships.get().organisation_id
        for number, enterprise in enumerate(Enterprise.objects.select_related("organisation").order_by("pk"), 1):
            org = enterprise.organisation
            self.officers[org.pk] = officer if org.pk == flagship else staff_user_create(
                by=self.admin, username=f"officer{number:02d}", password=self.password,
                display_name=f"{enterprise.legal_name[:20]}经办人", organisation=org, role=Role.ENTERPRISE_OFFICER)

    def reviewer_for(self, application: Application):
        for ancestor in Organisation.objects.filter(pk__in=self._ancestor_ids(application.organisation)):
            if ancestor.pk in self.reviewers:
                return self.reviewers[ancestor.pk]
        raise LookupError(application.organisation)

    @staticmethod
    def _ancestor_ids(org: Organisation) -> list[int]:
        return org.path_ids()

    # -- policies ---------------------------------------------------------------------------------

    def policies(self, flagship: Organisation):
        year = self.today.year
        common = {"programme_types": list(ProgrammeType.values), "min_membership_months": 6,
                  "required_documents": [DocumentKind.ENROLMENT_PROOF, DocumentKind.DIPLOMA],
                  "priority_groups": [PriorityGroup.MODEL_WORKER, PriorityGroup.LABOUR_MEDAL,
                                      PriorityGroup.NEW_GENERATION, PriorityGroup.NEW_EMPLOYMENT_FORM,
                                      PriorityGroup.FRONT_LINE, PriorityGroup.MIGRANT]}
        last_year = policy_create(
            by=self.admin, organisation=self.orgs["GZ"], code=f"GZ-{year - 1}", year=year - 1,
            title=f"广州市{year - 1}年职工求学圆梦行动资助", amount_college_fen=150_000, amount_bachelor_fen=150_000,
            annual_budget_fen=1_500_000_000, opens_on=self.today - datetime.timedelta(days=500),
            closes_on=self.today + datetime.timedelta(days=1), **common)
        policy_publish(by=self.admin, policy=last_year)
        policy_close(by=self.admin, policy=last_year)
        city = policy_create(
            by=self.admin, organisation=self.orgs["GZ"], code=f"GZ-{year}", year=year,
            title=f"广州市{year}年职工求学圆梦行动资助", amount_college_fen=150_000, amount_bachelor_fen=150_000,
            annual_budget_fen=660_000_000, opens_on=self.today - datetime.timedelta(days=200),
            closes_on=self.today + datetime.timedelta(days=60), max_applicants=6000, max_approvals=4126,
            description="资助本市在职职工参加学历提升，取得大专、本科学历后一次性补助1500元，直接发放至本人银行账户。",
            **common)
        policy_publish(by=self.admin, policy=city)
        for org, code, amount, title in (
                (self.orgs["GZ-TH"], f"GZ-TH-{year}", 50_000, f"天河区{year}年求学圆梦配套资助"),
                (flagship, f"TS-{year}", 30_000, f"广州天穗电子科技有限公司{year}年学历提升奖励")):
            matching = policy_create(by=self.admin, organisation=org, code=code, year=year, title=title,
                                     parent=city, amount_college_fen=amount, amount_bachelor_fen=amount,
                                     annual_budget_fen=amount * 200)
            policy_publish(by=self.admin, policy=matching)
        policy_create(by=self.admin, organisation=self.orgs["GZ"], code=f"GZ-{year + 1}", year=year + 1,
                      title=f"广州市{year + 1}年职工求学圆梦行动资助（草案）", amount_college_fen=150_000,
                      amount_bachelor_fen=200_000, annual_budget_fen=800_000_000, **common)
        return city

    # -- applications -----------------------------------------------------------------------------

    def applications(self, policy, workers: list[Worker], login_worker: Worker) -> int:
        schools = list(School.objects.select_related("organisation").order_by("pk"))
        eligible = [w for w in workers if w.union_member_since
                    and w.union_member_since <= self.today - datetime.timedelta(days=200) and w is not login_worker]
        self.rng.shuffle(eligible)
        plan = [state for state, count in PLAN for _ in range(count)]
        roster_rows = []
        for number, (worker, state) in enumerate(zip([login_worker, *eligible], [State.APPROVED, *plan],
                                                     strict=False)):
            with_diploma = "diploma" in PATH[state]
            application = self._apply(worker, policy, self.rng.choice(schools), with_diploma=with_diploma)
            self._walk(application, PATH[state])
            if state == State.DIPLOMA_VERIFIED:
                roster_rows.append((application, False))
            elif state == State.DIPLOMA_SUBMITTED and number % 2:  # the others are not on a roster yet
                roster_rows.append((application, True))
        self._upload_rosters(roster_rows)
        return Application.objects.count()

    def verified_applications(self, policy, workers: list[Worker]) -> list[Application]:
        """Applications of these workers, walked to a diploma verified by the school's roster."""
        schools = list(School.objects.select_related("organisation").order_by("pk"))
        applications = []
        for worker in workers:
            applications.append(self._apply(worker, policy, self.rng.choice(schools), with_diploma=True))
            self._walk(applications[-1], PATH[State.DIPLOMA_VERIFIED])
        self._upload_rosters([(application, False) for application in applications])
        return applications

    def _apply(self, worker: Worker, policy, school: School, *, with_diploma: bool) -> Application:
        level = Level.BACHELOR if self.rng.random() < 0.35 else Level.COLLEGE
        years_ago = 3 if with_diploma else self.rng.choice((0, 1))
        enrolled = self.today.replace(year=self.today.year - years_ago, month=3, day=1)
        programme = ProgrammeType.OPEN_UNIVERSITY if school.school_type == "open_university" else self.rng.choice(
            (ProgrammeType.ADULT_HIGHER, ProgrammeType.SELF_STUDY, ProgrammeType.ONLINE))
        return application_submit(
            by=self.officers[worker.employer.organisation_id], worker=worker, policy=policy, level=level,
            programme_type=programme, school=school, major=self.rng.choice(MAJORS),
            study_mode=self.rng.choice(("part_time", "distance")), enrolment_date=enrolled,
            student_number=f"{enrolled.year}{worker.pk:06d}",
            documents={DocumentKind.ENROLMENT_PROOF: upload("录取通知书.pdf")})

    def _walk(self, application: Application, moves) -> None:
        officer, reviewer = self.officers[application.organisation_id], self.reviewer_for(application)
        actors = {"confirm": officer, "return": officer, "review": reviewer, "reject": reviewer,
                  "approve": self.city_admin, "return_diploma": reviewer}
        for move in moves:
            if move == "diploma":
                self._submit_diploma(application)
            elif move == "withdraw":
                self._withdraw(application)
            else:
                application_transition(by=actors[move], application=application, action=move,
                                       reason=REASONS.get(move, ""))

    def _submit_diploma(self, application: Application) -> None:
        school_code = application.school.school_code or "51161"
        level_code = "05" if application.level == Level.BACHELOR else "06"
        number = f"{school_code}5{self.today.year}{level_code}{next(self.certificates):06d}"
        application_submit_diploma(by=self.officers[application.organisation_id], application=application,
                                   certificate_number=number,
                                   graduation_date=self.today - datetime.timedelta(days=self.rng.randint(30, 150)),
                                   scan=upload("毕业证书.pdf"))

    def _withdraw(self, application: Application) -> None:
        """Only the applicant can withdraw: these workers get a login (as they would to use the app)."""
        user = application.worker.user or worker_account_create(by=self.admin, worker=application.worker,
                                                                password=self.password)
        application_transition(by=user, application=application, action=Action.WITHDRAW)

    def _upload_rosters(self, rows) -> None:
        """Each school sends its graduates; a listed diploma that waits differs from its roster line (a typo)."""
        by_school: dict[int, list] = {}
        for application, differs in rows:
            by_school.setdefault(application.school_id, []).append((application, differs))
        for school in School.objects.filter(pk__in=by_school).select_related("organisation"):
            roster_upload(by=self.school_accounts[school.organisation_id], school=school,
                          upload=self._roster_file(by_school[school.pk]))

    @staticmethod
    def _roster_file(rows) -> SimpleUploadedFile:
        book = Workbook()
        sheet = book.active
        sheet.append(["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"])
        for application, differs in rows:
            application.refresh_from_db()
            name = application.worker.name + ("华" if differs else "")
            sheet.append([application.certificate_number, application.worker.id_number, name,
                          "本科" if application.level == Level.BACHELOR else "专科", application.major,
                          application.graduation_date])
        data = io.BytesIO()
        book.save(data)
        return SimpleUploadedFile("毕业生名册.xlsx", data.getvalue())
