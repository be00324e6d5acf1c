"""Applications and schools' rosters from spreadsheets (see ``core.imports`` for the steps every kind takes).

``applications`` — an enterprise union pre-registers workers it has already registered, one row an
application, checked by the pieces of the single-record path (``application_submit``): the enrolment fields
(``clean_enrolment``), who may apply for whom (``may_act_for``), the policies open to the worker's enterprise,
``check_eligibility``, the intake limit, the priority group. Checking is per row (eligibility is a question
about one worker: a few indexed queries each); writing is set-based: the applications, their history rows and
the workers' messages are three INSERT … SELECT from the staged rows (the last two by the lifecycle's writer,
``transitions.move_selected``), the intake counter one conditional UPDATE per policy, and one audit entry
records the import.

Documents: a spreadsheet cannot carry the admission letter or the receipt a policy may ask for. A row for a
policy that requires documents at submission is an error telling the user to apply for that worker on the
application page, where the documents are uploaded. We did not create such applications with their documents
"requested": the workflow has no state that waits for documents, so a submitted application without them
would reach the enterprise and district reviewers looking complete, and returning it at once would rely on
the resubmission, which does not require them either. Policies that ask for nothing at submission — where the
school's enrolment roster is the proof — can be pre-registered in bulk.

Uploading the same file again: a worker who already has a live application for that level under that policy
is counted unchanged (whatever state it has reached); one under another policy is an error, since one live
application per person and level is the rule.

``graduate_roster`` and ``enrolment_roster`` — a school's lists, for the school chosen by the ``school``
param (or the only school the user manages rosters for), checked against MANAGE_ROSTERS. A line already there
(the same certificate number; the same person and level) is updated when it differs, never added twice.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.applications.certificates import certificate_key
from yuanmeng.applications.eligibility import check_eligibility
from yuanmeng.applications.models import Application, Roster, StudyMode
from yuanmeng.applications.rosters import COLUMNS, LEVEL_WORDS, check_enrolments, match_waiting_diplomas
from yuanmeng.applications.services import (
    CHECK_FIELDS,
    area_below,
    clean_enrolment,
    documents_at_submission,
)
from yuanmeng.applications.transitions import may_act_for, move_selected, state_message
from yuanmeng.applications.workflow import APPLICATION_IMPORT, CREATED, ENDED_STATES, FIRST_STATE, Action
from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import blind_index, encrypt
from yuanmeng.core.imports import ERRORS, STAGE, ImportContext, ImportKind, choice_words, register, staged_count
from yuanmeng.core.spreadsheets import header_key, to_date, to_number_text, to_text
from yuanmeng.core.sql import execute, rows, scalar
from yuanmeng.core.validators import validate_id_number
from yuanmeng.orgs.models import School
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import acting_organisation, has_capability
from yuanmeng.people.models import Worker
from yuanmeng.policies.groups import priority_of
from yuanmeng.policies.models import DocumentKind, Level, Policy, PolicyStatus, ProgrammeType
from yuanmeng.policies.selectors import ancestor_paths
from yuanmeng.policies.services import policy_applicants_take

ID_NUMBER = ("身份证号", "身份证号码", "identity number")
PROGRAMME_WORDS = {"开放大学": ProgrammeType.OPEN_UNIVERSITY, "国家开放大学": ProgrammeType.OPEN_UNIVERSITY,
                   "电大": ProgrammeType.OPEN_UNIVERSITY, "成人高考": ProgrammeType.ADULT_HIGHER,
                   "成人高等教育": ProgrammeType.ADULT_HIGHER, "成教": ProgrammeType.ADULT_HIGHER,
                   "自学考试": ProgrammeType.SELF_STUDY, "自考": ProgrammeType.SELF_STUDY,
                   "高等教育自学考试": ProgrammeType.SELF_STUDY, "网络教育": ProgrammeType.ONLINE,
                   "远程教育": ProgrammeType.ONLINE, "网络学历教育": ProgrammeType.ONLINE}
STUDY_MODE_WORDS = {"业余": StudyMode.PART_TIME, "函授": StudyMode.PART_TIME, "非全日制": StudyMode.PART_TIME,
                    "远程": StudyMode.DISTANCE, "网络": StudyMode.DISTANCE, "全日制": StudyMode.FULL_TIME}


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _sql_now(now):
    """A timestamp as the ORM would store it (naive UTC on SQLite), for raw INSERTs."""
    return connection.ops.adapt_datetimefield_value(now)


# ---- applications -----------------------------------------------------------------------------

class ApplicationImport(ImportKind):
    key = "applications"
    label = gettext_lazy("Applications (pre-registration)")
    capability = Capability.CONFIRM_APPLICATIONS
    columns = {"id_number": ID_NUMBER,
               "policy": ("政策", "资助政策", "政策编号", "policy"),
               "level": ("学历层次", "层次", "education level", "level"),
               "programme_type": ("办学类型", "办学形式", "programme type"),
               "school": ("学校", "就读学校", "院校", "school"),
               "major": ("专业", "major"),
               "study_mode": ("学习形式", "study mode"),
               "enrolment_date": ("入学日期", "入学时间", "enrolment date"),
               "student_number": ("学号", "student number")}
    optional = {"name": ("姓名", "name")}
    example = {"id_number": "44010619900307001X", "name": "李明", "policy": "GZ-2026", "level": "专科",
               "programme_type": "开放大学", "school": "广州开放大学", "major": "机电一体化技术",
               "study_mode": "业余", "enrolment_date": "2026-03-01", "student_number": "2026440100123"}
    stage = (("person_level", "TEXT"), ("worker_id", "BIGINT"), ("policy_id", "BIGINT"),
             ("organisation_id", "BIGINT"), ("area_id", "BIGINT"), ("level", "TEXT"), ("programme_type", "TEXT"),
             ("school_id", "BIGINT"), ("major", "TEXT"), ("study_mode", "TEXT"), ("enrolment_date", "DATE"),
             ("student_number", "TEXT"), ("priority_group", "TEXT"), ("priority_rank", "INTEGER"),
             ("existing", "INTEGER"))
    key_column = "person_level"
    key_header = "身份证号、学历层次"

    def allowed(self, by, params: dict) -> bool:
        return has_capability(by, self.capability)

    def prepare(self, context: ImportContext) -> None:
        policies, by_title = {}, {}
        for policy in Policy.objects.filter(status=PolicyStatus.PUBLISHED).select_related("organisation"):
            policies[header_key(policy.code)] = policy
            by_title.setdefault(header_key(policy.title), []).append(policy)
        context.extra["policies"], context.extra["titles"] = policies, by_title
        schools = {}
        for school in School.objects.filter(organisation__is_active=True).select_related("organisation"):
            for name in (school.organisation.name, school.organisation.code, school.school_code):
                if name:
                    schools.setdefault(header_key(name), school)
        context.extra["schools"] = schools
        context.extra["levels"] = {**choice_words(Level), **{header_key(k): v for k, v in LEVEL_WORDS.items()}}
        context.extra["programmes"] = choice_words(ProgrammeType, PROGRAMME_WORDS)
        context.extra["modes"] = choice_words(StudyMode, STUDY_MODE_WORDS)
        context.extra["today"] = timezone.localdate()

    def _policy(self, text: str, context: ImportContext) -> Policy:
        policy = context.extra["policies"].get(header_key(text))
        if policy is None:
            titled = context.extra["titles"].get(header_key(text), [])
            if len(titled) > 1:
                raise ValidationError(_("several policies have this title: write the policy's code."))
            policy = titled[0] if titled else None
        if policy is None:
            raise ValidationError(_("no published policy has this code or title."))
        if policy.is_matching:
            raise ValidationError(_("Apply to the subsidy policy; matching funds are added to it."))
        return policy

    def _worker(self, values: dict, context: ImportContext) -> Worker:
        number = validate_id_number(to_number_text(values["id_number"]))
        worker = Worker.objects.select_related("employer__organisation").filter(
            id_number_index=blind_index(number)).first()
        if worker is None:
            raise ValidationError(_("nobody is registered with this identity number: register the worker first."))
        if not may_act_for(context.by, worker):
            raise ValidationError(_("this worker's enterprise is outside your organisation: their own union "
                                    "applies for them."))
        return worker

    def _fields(self, values: dict, context: ImportContext) -> tuple[Worker | None, Policy | None, dict]:
        """The row's cells as the application service takes them; problems named by their column."""
        headers, problems, fields = self.headers(), [], {}
        worker = policy = None

        def cell(name, convert):
            try:
                return convert(values[name])
            except ValidationError as exc:
                problems.append(f"{headers[name]}: {_message(exc)}")
                return None

        def choice(name, words, labels):
            found = words.get(header_key(to_text(values[name])))
            if found is None:
                problems.append(f"{headers[name]}: {_('choose one of: %(list)s') % {'list': labels}}")
            return found

        worker = cell("id_number", lambda value: self._worker(values, context))
        if worker is not None and "name" in values and to_text(values["name"]) \
                and to_text(values["name"]) != worker.name:
            problems.append(f"{headers['name']}: {_('the person with this identity number is registered as “%(name)s”.') % {'name': worker.name}}")  # noqa: E501
        policy = cell("policy", lambda value: self._policy(to_text(value), context))
        fields["level"] = choice("level", context.extra["levels"], "专科、本科")
        fields["programme_type"] = choice("programme_type", context.extra["programmes"],
                                          "开放大学、成人高等教育、高等教育自学考试、网络教育")
        fields["study_mode"] = choice("study_mode", context.extra["modes"], "业余、远程、全日制")
        fields["school"] = context.extra["schools"].get(header_key(to_text(values["school"])))
        if fields["school"] is None:
            problems.append(f"{headers['school']}: {_('no school has this name or code.')}")
        fields["enrolment_date"] = cell("enrolment_date", to_date)
        fields["major"] = cell("major", to_text)
        fields["student_number"] = cell("student_number", to_text)
        try:
            fields = clean_enrolment(fields)
        except ValidationError as exc:  # a cell that could not be read is reported once, above
            problems += [f"{headers.get(name, name)}: {' '.join(messages)}"
                         for name, messages in exc.message_dict.items() if fields.get(name) is not None]
        return worker, policy, fields, problems

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        """Every problem of the row at once: the checks that need the worker, the policy or the level run
        whenever those cells could be read, whatever else is wrong with the row."""
        worker, policy, fields, problems = self._fields(values, context)
        headers, level = self.headers(), fields["level"]
        live = None
        if worker is not None and level is not None:
            live = Application.objects.filter(worker=worker, level=level).exclude(state__in=ENDED_STATES) \
                .values_list("policy__code", flat=True).first()
        if live is not None and policy is not None and live != policy.code:
            problems.append(f"{headers['level']}: {_('this worker already has a live application for this level, under policy %(code)s (one per person).') % {'code': live}}")  # noqa: E501
        if live is None and worker is not None and policy is not None:
            problems += self._new_problems(worker, policy, fields, context)
        if problems:
            raise ValidationError(problems)
        group, rank = priority_of(worker, policy.priority_groups, context.extra["today"])
        enterprise = worker.employer.organisation
        return (f"{worker.id_number_index}:{level}", worker.pk, policy.pk, enterprise.pk,
                area_below(policy.organisation, enterprise), level, fields["programme_type"], fields["school"].pk,
                fields["major"], fields["study_mode"], fields["enrolment_date"], fields["student_number"], group,
                rank, int(live is not None))

    def _new_problems(self, worker: Worker, policy: Policy, fields: dict, context: ImportContext) -> list[str]:
        """What ``application_submit`` checks before it writes: the policy is open to the worker's enterprise,
        asks for no document a spreadsheet cannot carry, and the worker is eligible (when the policy is open to
        them and the level and programme type could be read)."""
        headers, problems = self.headers(), []
        is_open = policy.organisation.path in ancestor_paths(worker.employer.organisation)
        if not is_open:
            problems.append(f"{headers['policy']}: {_('this policy is not open to the worker’s enterprise.')}")
        documents = documents_at_submission(policy)
        if documents:
            kinds = "、".join(str(DocumentKind(kind).label) for kind in documents)
            problems.append(f"{headers['policy']}: {_('this policy asks for documents (%(list)s) that a spreadsheet cannot carry: apply for this worker on the application page.') % {'list': kinds}}")  # noqa: E501
        if not is_open or fields["level"] is None or fields["programme_type"] is None:
            return problems
        eligibility = check_eligibility(worker=worker, policy=policy, level=fields["level"],
                                        programme_type=fields["programme_type"], on=context.extra["today"])
        # The worker's own conditions (membership, age, job, employer…) are named by the person's column.
        return problems + [f"{headers.get(CHECK_FIELDS.get(f.code, 'id_number'), headers['id_number'])}: "
                           f"{f.message}" for f in eligibility.failures]

    def stage_errors(self, context: ImportContext) -> list[tuple[str, list]]:
        """Beyond a policy's intake limit: the places left go to the rows in file order, the rest are errors."""
        return [(f"""SELECT c.row_no, c.raw, %s FROM (
                       SELECT s.row_no, s.raw, p.max_applicants - p.applicant_count AS places,
                              ROW_NUMBER() OVER (PARTITION BY s.policy_id ORDER BY s.row_no) AS place
                       FROM {STAGE} s JOIN policies_policy p ON p.id = s.policy_id
                       WHERE s.existing = 0 AND p.max_applicants IS NOT NULL
                         AND s.row_no NOT IN (SELECT row_no FROM {ERRORS})) c
                     WHERE c.place > c.places""",
                 [_("政策: the policy's intake limit is reached: no place is left for this row.")])]

    def write(self, context: ImportContext) -> dict[str, int]:
        now, by = timezone.now(), context.by
        unchanged = scalar(f"SELECT COUNT(*) FROM {STAGE} WHERE existing = 1", [])
        counts = rows(f"SELECT policy_id, COUNT(*) AS n FROM {STAGE} WHERE existing = 0 GROUP BY policy_id", [])
        policies = Policy.objects.in_bulk([row["policy_id"] for row in counts])
        for row in counts:
            policy_applicants_take(policies[row["policy_id"]], row["n"])
        last_id = scalar("SELECT MAX(id) FROM applications_application", [])
        created = execute(f"""
            INSERT INTO applications_application (
                worker_id, policy_id, organisation_id, area_id, level, programme_type, school_id, major, study_mode,
                enrolment_date, student_number, priority_group, priority_rank, state, submitted_at, updated_at,
                certificate_number, version, diploma_note, enrolment_note)
            SELECT s.worker_id, s.policy_id, s.organisation_id, s.area_id, s.level, s.programme_type, s.school_id,
                   s.major, s.study_mode, s.enrolment_date, s.student_number, s.priority_group, s.priority_rank,
                   %s, %s, %s, '', 0, '', ''
            FROM {STAGE} s WHERE s.existing = 0 ORDER BY s.row_no""", [FIRST_STATE, _sql_now(now), _sql_now(now)])
        subject, body = state_message(FIRST_STATE)
        move_selected(selection=f"FROM applications_application a WHERE a.id > %s AND EXISTS (SELECT 1 FROM {STAGE} s "
                                "WHERE s.existing = 0 AND s.worker_id = a.worker_id AND s.level = a.level)",
                      params=[last_id], from_state=CREATED, action=Action.SUBMIT, service=APPLICATION_IMPORT, by=by,
                      now=now, subject=subject, body_params=[body])
        check_enrolments(Application.objects.filter(  # the school may have sent its enrolment roster already
            pk__gt=last_id, worker_id__in=RawSQL(f"SELECT worker_id FROM {STAGE} WHERE existing = 0", [])))
        audit_record(actor=by, action="application.import", object_type="import",
                     object_id=context.reference,
                     object_label=_("application import"), organisation=acting_organisation(by, self.capability),
                     after={"created": created, "unchanged": unchanged, "file": context.params.get("file_name", ""),
                            "policies": {policies[row["policy_id"]].code: row["n"] for row in counts}})
        return {"created": created, "unchanged": unchanged}


# ---- schools' rosters -------------------------------------------------------------------------

class _SchoolRoster(ImportKind):
    """A roster for one school: the ``school`` param (an id), or the only school the user manages rosters for."""

    capability = Capability.MANAGE_ROSTERS

    def school(self, by, params: dict) -> School | None:
        schools = School.objects.restrict(by, self.capability).select_related("organisation")
        if params.get("school") not in (None, ""):
            try:
                return schools.filter(pk=int(params["school"])).first()
            except (TypeError, ValueError):
                return None
        only = list(schools[:2])
        return only[0] if len(only) == 1 else None

    def allowed(self, by, params: dict) -> bool:
        if params.get("school") in (None, ""):  # the template, or the school is chosen later
            return has_capability(by, self.capability)
        return self.school(by, params) is not None

    def prepare(self, context: ImportContext) -> None:
        school = self.school(context.by, context.params)
        if school is None:
            raise ValidationError(_("Choose the school the roster is for (on the rosters page)."))
        context.extra["school"] = school
        context.extra["levels"] = {**choice_words(Level), **{header_key(k): v for k, v in LEVEL_WORDS.items()}}

    def _person(self, values: dict, problems: list) -> tuple[str, str, str]:
        headers = self.headers()
        try:
            number = validate_id_number(to_number_text(values["id_number"]))
        except ValidationError as exc:
            problems.append(f"{headers['id_number']}: {_message(exc)}")
            number = ""
        name = to_text(values["name"])[:50]
        if not name:
            problems.append(f"{headers['name']}: {_('missing.')}")
        return number, blind_index(number) if number else "", name

    def _level(self, values: dict, context: ImportContext, problems: list) -> str | None:
        level = context.extra["levels"].get(header_key(to_text(values["level"])))
        if level is None:
            problems.append(f"{self.headers()['level']}: {_('write 本科 or 专科.')}")
        return level

    def _date(self, values: dict, name: str, problems: list):
        try:
            day = to_date(values[name])
        except ValidationError as exc:
            problems.append(f"{self.headers()[name]}: {_message(exc)}")
            return None
        if day > timezone.localdate():
            problems.append(f"{self.headers()[name]}: {_('in the future.')}")
        return day

    def _audit(self, context: ImportContext, action: str, label: str, counts: dict) -> None:
        school = context.extra["school"]
        audit_record(actor=context.by, action=action, object_type="import",
                     object_id=context.reference,
                     object_label=label, organisation=school.organisation,
                     after={**counts, "school": school.pk, "file": context.params.get("file_name", "")})


class GraduateRosterImport(_SchoolRoster):
    """A school's graduates: each line the authority on a diploma certificate number. A number listed again
    with other details is a correction: the newest line replaces the old one. After writing, the diplomas
    waiting at the school that the new or corrected lines concern are matched (verified, or a note written)."""

    key = "graduate_roster"
    label = gettext_lazy("Graduate roster")
    columns = COLUMNS
    example = {"certificate_number": "511617202606000123", "id_number": "44010619900307001X", "name": "李明",
               "level": "专科", "major": "机电一体化技术", "graduation_date": "2026-07-01"}
    stage = (("certificate_number", "TEXT"), ("id_number", "TEXT"), ("id_number_index", "TEXT"), ("name", "TEXT"),
             ("level", "TEXT"), ("major", "TEXT"), ("graduation_date", "DATE"))
    key_column = "certificate_number"
    key_header = "证书编号"

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        problems = []
        try:
            number = certificate_key(to_text(values["certificate_number"]))
        except ValidationError as exc:
            problems.append(f"{self.headers()['certificate_number']}: {_message(exc)}")
            number = ""
        id_number, index, name = self._person(values, problems)
        level = self._level(values, context, problems)
        graduated = self._date(values, "graduation_date", problems)
        if problems:
            raise ValidationError(problems)
        return (number, encrypt(id_number), index, name, level, to_text(values["major"])[:100], graduated)

    def write(self, context: ImportContext) -> dict[str, int]:
        school = context.extra["school"]
        same = ("e.id_number_index = s.id_number_index AND e.name = s.name AND e.level = s.level "
                "AND e.major = s.major AND e.graduation_date = s.graduation_date")
        unchanged = scalar(f"""SELECT COUNT(*) FROM {STAGE} s JOIN applications_rosterentry e
                               ON e.school_id = %s AND e.certificate_number = s.certificate_number AND {same}""",
                           [school.pk])
        roster = Roster.objects.create(school=school, file_name=str(context.params.get("file_name", ""))[:200],
                                       uploaded_by=context.by, rows=staged_count())
        context.params["roster"] = roster.pk  # for ``roster_upload``, which returns it
        updated = execute(f"""
            UPDATE applications_rosterentry SET roster_id = %s, id_number = s.id_number,
                   id_number_index = s.id_number_index, name = s.name, level = s.level, major = s.major,
                   graduation_date = s.graduation_date
            FROM {STAGE} s
            WHERE applications_rosterentry.school_id = %s
              AND applications_rosterentry.certificate_number = s.certificate_number
              AND NOT EXISTS (SELECT 1 FROM applications_rosterentry e WHERE e.id = applications_rosterentry.id
                              AND {same})""", [roster.pk, school.pk])
        created = execute(f"""
            INSERT INTO applications_rosterentry (roster_id, school_id, certificate_number, id_number,
                                                  id_number_index, name, level, major, graduation_date)
            SELECT %s, %s, s.certificate_number, s.id_number, s.id_number_index, s.name, s.level, s.major,
                   s.graduation_date
            FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM applications_rosterentry e
                                             WHERE e.school_id = %s AND e.certificate_number = s.certificate_number)
            ORDER BY s.row_no""", [roster.pk, school.pk, school.pk])
        matched, mismatched = match_waiting_diplomas(roster=roster, by=context.by)
        Roster.objects.filter(pk=roster.pk).update(matched=matched, mismatched=mismatched)
        self._audit(context, "roster.upload", _("graduate roster"), {
            "rows": roster.rows, "created": created, "updated": updated, "unchanged": unchanged,
            "matched": matched, "mismatched": mismatched})
        return {"created": created, "updated": updated, "unchanged": unchanged}


class EnrolmentRosterImport(_SchoolRoster):
    """A school's enrolled students: one line a person and level. The live applications at the school that the
    file's lines concern are then marked confirmed, or given a note naming each difference."""

    key = "enrolment_roster"
    label = gettext_lazy("Enrolment roster")
    columns = {"id_number": ID_NUMBER, "name": ("姓名", "name"), "student_number": ("学号", "student number"),
               "major": ("专业", "major"), "level": ("层次", "学历层次", "level"),
               "enrolment_date": ("入学日期", "入学时间", "enrolment date")}
    example = {"id_number": "44010619900307001X", "name": "李明", "student_number": "2026440100123",
               "major": "机电一体化技术", "level": "专科", "enrolment_date": "2026-03-01"}
    stage = (("person_level", "TEXT"), ("id_number", "TEXT"), ("id_number_index", "TEXT"), ("name", "TEXT"),
             ("student_number", "TEXT"), ("major", "TEXT"), ("level", "TEXT"), ("enrolment_date", "DATE"))
    key_column = "person_level"
    key_header = "身份证号、层次"

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        problems = []
        id_number, index, name = self._person(values, problems)
        student_number = to_text(values["student_number"])
        if not student_number or len(student_number) > 40:
            problems.append(f"{self.headers()['student_number']}: {_('missing or longer than 40 characters.')}")
        level = self._level(values, context, problems)
        enrolled = self._date(values, "enrolment_date", problems)
        if problems:
            raise ValidationError(problems)
        return (f"{index}:{level}", encrypt(id_number), index, name, student_number, to_text(values["major"])[:100],
                level, enrolled)

    def write(self, context: ImportContext) -> dict[str, int]:
        school, now = context.extra["school"], _sql_now(timezone.now())
        same = ("e.name = s.name AND e.student_number = s.student_number AND e.major = s.major "
                "AND e.enrolment_date = s.enrolment_date")
        match = "e.school_id = %s AND e.id_number_index = s.id_number_index AND e.level = s.level"
        unchanged = scalar(f"SELECT COUNT(*) FROM {STAGE} s JOIN applications_enrolmententry e ON {match} AND {same}",
                           [school.pk])
        updated = execute(f"""
            UPDATE applications_enrolmententry SET id_number = s.id_number, name = s.name,
                   student_number = s.student_number, major = s.major, enrolment_date = s.enrolment_date,
                   updated_at = %s
            FROM {STAGE} s
            WHERE applications_enrolmententry.school_id = %s
              AND applications_enrolmententry.id_number_index = s.id_number_index
              AND applications_enrolmententry.level = s.level
              AND NOT EXISTS (SELECT 1 FROM applications_enrolmententry e WHERE e.id = applications_enrolmententry.id
                              AND {same})""", [now, school.pk])
        created = execute(f"""
            INSERT INTO applications_enrolmententry (school_id, id_number, id_number_index, name, student_number,
                                                     major, level, enrolment_date, updated_at)
            SELECT %s, s.id_number, s.id_number_index, s.name, s.student_number, s.major, s.level, s.enrolment_date,
                   %s
            FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM applications_enrolmententry e WHERE {match})
            ORDER BY s.row_no""", [school.pk, now, school.pk])
        confirmed, differing = check_enrolments(Application.objects.filter(
            school=school, worker__id_number_index__in=RawSQL(f"SELECT id_number_index FROM {STAGE}", [])))
        self._audit(context, "roster.enrolment_upload", _("enrolment roster"), {
            "created": created, "updated": updated, "unchanged": unchanged, "confirmed": confirmed,
            "differing": differing})
        return {"created": created, "updated": updated, "unchanged": unchanged}


APPLICATIONS = register(ApplicationImport())
GRADUATE_ROSTER = register(GraduateRosterImport())
ENROLMENT_ROSTER = register(EnrolmentRosterImport())
