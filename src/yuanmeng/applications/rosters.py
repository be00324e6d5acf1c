"""Schools' rosters: the graduate roster verifies diplomas, the enrolment roster confirms enrolments.

Both are loaded by the import engine (``applications.imports``, or ``services.roster_upload`` within the
request: checked row by row, all or nothing or the valid rows, an annotated file of the rows to fix). A graduate
roster's lines are then matched against the applications waiting with a diploma at that school: an exact match
verifies the diploma at once; a difference is written on the application for a reviewer to decide. An enrolment
roster's lines are matched against the live applications at that school: ``enrolment_confirmed`` and
``enrolment_note`` tell the reviewer whether the school confirms the enrolment the application claims.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from yuanmeng.applications.certificates import diploma_format_warning
from yuanmeng.applications.models import Application, EnrolmentEntry, Roster, RosterEntry
from yuanmeng.applications.transitions import apply_move
from yuanmeng.applications.workflow import ENDED_STATES, Action, State
from yuanmeng.audit.services import audit_record
from yuanmeng.policies.models import Level

ROSTER = "roster"  # the role recorded when a roster verifies a diploma
COLUMNS = {
    "certificate_number": ("证书编号", "毕业证书编号", "certificate number"),
    "id_number": ("身份证号", "身份证号码", "identity number"),
    "name": ("姓名", "name"),
    "level": ("层次", "学历层次", "level"),
    "major": ("专业", "major"),
    "graduation_date": ("毕业日期", "graduation date"),
}
LEVEL_WORDS = {"本科": Level.BACHELOR, "专升本": Level.BACHELOR, "bachelor": Level.BACHELOR,
               "专科": Level.COLLEGE, "大专": Level.COLLEGE, "高职": Level.COLLEGE, "college": Level.COLLEGE}


def differences(application: Application, entry: RosterEntry) -> list[str]:
    found = []
    if entry.id_number_index != application.worker.id_number_index:
        found.append(_("identity number differs from the roster"))
    if entry.name != application.worker.name:
        found.append(_("name: roster “%(roster)s”, application “%(app)s”") % {
            "roster": entry.name, "app": application.worker.name})
    if entry.level != application.level:
        found.append(_("level: roster %(roster)s, application %(app)s") % {
            "roster": Level(entry.level).label, "app": Level(application.level).label})
    if entry.graduation_date != application.graduation_date:
        found.append(_("graduation date: roster %(roster)s, application %(app)s") % {
            "roster": entry.graduation_date, "app": application.graduation_date})
    return found


def _note(application: Application, by, note: str) -> None:
    """Write a roster finding beside the format warning, for the reviewer, with an audit entry."""
    warning = diploma_format_warning(application.certificate_number, level=application.level,
                                     school=application.school)
    application.diploma_note = " ".join(part for part in (warning, note) if part)
    Application.objects.filter(pk=application.pk).update(diploma_note=application.diploma_note)
    audit_record(actor=by, action="application.roster_check", obj=application,
                 organisation=application.organisation, after={"note": note})


def match_against_roster(application: Application, *, by) -> bool | None:
    """Verify a waiting diploma from the roster. True: verified; False: differences noted; None: not on a roster."""
    if application.state != State.DIPLOMA_SUBMITTED:
        return None
    entry = RosterEntry.objects.filter(school=application.school,
                                       certificate_number=application.certificate_number).first()
    if entry is None:
        listed = RosterEntry.objects.filter(school=application.school, level=application.level,
                                            id_number_index=application.worker.id_number_index).first()
        if listed is None:
            return None
        _note(application, by, _("Roster check: the roster lists this graduate with certificate number "
                                 "%(number)s.") % {"number": listed.certificate_number})
        return False
    found = differences(application, entry)
    if found:
        _note(application, by, _("Roster check: %(list)s.") % {"list": "; ".join(str(f) for f in found)})
        return False
    apply_move(application, by=by, action=Action.VERIFY_DIPLOMA, role=ROSTER,
               reason=_("Matches the school's graduate roster."))
    return True


def match_waiting_diplomas(*, roster: Roster, by) -> tuple[int, int]:
    """Match the diplomas waiting at the roster's school that its (new or corrected) lines concern; the
    verified and the noted. Diplomas submitted later are matched as they come (``application_submit_diploma``)."""
    lines = RosterEntry.objects.filter(roster=roster)
    waiting = Application.objects.filter(school_id=roster.school_id, state=State.DIPLOMA_SUBMITTED).filter(
        Q(certificate_number__in=lines.values("certificate_number"))
        | Q(worker__id_number_index__in=lines.values("id_number_index"))).select_related(
        "worker", "organisation", "school")
    matched = mismatched = 0
    for application in waiting.iterator(chunk_size=500):
        outcome = match_against_roster(application, by=by)
        matched += outcome is True
        mismatched += outcome is False
    return matched, mismatched


# ---- enrolment rosters ---------------------------------------------------------------------------

def enrolment_differences(application: Application, entry: EnrolmentEntry) -> list[str]:
    found = []
    if entry.name != application.worker.name:
        found.append(_("name: roster “%(roster)s”, application “%(app)s”") % {
            "roster": entry.name, "app": application.worker.name})
    if entry.student_number != application.student_number:
        found.append(_("student number: roster %(roster)s, application %(app)s") % {
            "roster": entry.student_number, "app": application.student_number})
    if entry.enrolment_date != application.enrolment_date:
        found.append(_("enrolment date: roster %(roster)s, application %(app)s") % {
            "roster": entry.enrolment_date, "app": application.enrolment_date})
    if entry.major and entry.major != application.major:
        found.append(_("major: roster “%(roster)s”, application “%(app)s”") % {
            "roster": entry.major, "app": application.major})
    return found


def check_enrolments(applications) -> tuple[int, int]:
    """Write on each live application (a queryset) what its school's enrolment roster says; the confirmed and
    the differing. Applications whose school has not listed the person are left as they are. Only rows whose
    verdict changes are written; the confirmed ones in one UPDATE."""
    live = applications.exclude(state__in=ENDED_STATES).select_related("worker").only(
        "id", "school_id", "level", "student_number", "enrolment_date", "major", "enrolment_confirmed",
        "enrolment_note", "worker__name", "worker__id_number_index")
    confirmed, differing, confirm_ids = 0, 0, []
    batch: list[Application] = []

    def settle(batch: list[Application]) -> None:
        nonlocal confirmed, differing
        keys = {(a.worker.id_number_index, a.level) for a in batch}
        entries = {(e.school_id, e.id_number_index, e.level): e for e in EnrolmentEntry.objects.filter(
            school_id__in={a.school_id for a in batch}, id_number_index__in={k[0] for k in keys})}
        for application in batch:
            entry = entries.get((application.school_id, application.worker.id_number_index, application.level))
            if entry is None:
                continue
            found = enrolment_differences(application, entry)
            if not found:
                confirmed += 1
                if application.enrolment_confirmed is not True or application.enrolment_note:
                    confirm_ids.append(application.pk)
                continue
            differing += 1
            note = _("Enrolment roster: %(list)s.") % {"list": "; ".join(str(f) for f in found)}
            if application.enrolment_confirmed is not False or application.enrolment_note != note:
                Application.objects.filter(pk=application.pk).update(enrolment_confirmed=False, enrolment_note=note)

    for application in live.iterator(chunk_size=1000):
        batch.append(application)
        if len(batch) == 1000:
            settle(batch)
            batch = []
    if batch:
        settle(batch)
    for start in range(0, len(confirm_ids), 1000):
        Application.objects.filter(pk__in=confirm_ids[start:start + 1000]).update(enrolment_confirmed=True,
                                                                                 enrolment_note="")
    return confirmed, differing
