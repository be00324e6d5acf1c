"""Schools' graduate rosters: the authority that verifies diplomas.

An uploaded roster is checked row by row (all or nothing), stored, and matched against the
applications waiting with a diploma at that school: an exact match verifies the diploma at once;
a difference is written on the application for a reviewer to decide.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yuanmeng.applications.certificates import certificate_key, diploma_format_warning
from yuanmeng.applications.models import Application, Roster, RosterEntry
from yuanmeng.applications.transitions import apply_move
from yuanmeng.applications.workflow import Action, State
from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.spreadsheets import read_table, to_date, to_text
from yuanmeng.core.validators import validate_id_number
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
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


def _entry(school, values: dict) -> RosterEntry:
    errors = []
    try:
        number = certificate_key(to_text(values["certificate_number"]))
    except ValidationError:
        errors.append(_("证书编号 (certificate number) is missing or too long"))
        number = ""
    try:
        id_number = validate_id_number(to_text(values["id_number"]))
    except ValidationError as exc:
        errors.append(_("身份证号 (identity number): %(error)s") % {"error": " ".join(exc.messages)})
        id_number = ""
    level = LEVEL_WORDS.get(to_text(values["level"]).lower())
    if level is None:
        errors.append(_("层次 (level) must be 本科 or 专科"))
    try:
        graduated = to_date(values["graduation_date"])
    except ValidationError as exc:
        errors.append(_("毕业日期 (graduation date): %(error)s") % {"error": " ".join(exc.messages)})
        graduated = None
    name = to_text(values["name"])[:50]
    if not name:
        errors.append(_("姓名 (name) is missing"))
    if errors:
        raise ValidationError("; ".join(str(e) for e in errors))
    return RosterEntry(school=school, certificate_number=number, id_number=id_number,
                       id_number_index=blind_index(id_number), name=name, level=level,
                       major=to_text(values["major"])[:100], graduation_date=graduated)


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


@transaction.atomic
def roster_upload(*, by, school, upload) -> Roster:
    """Load a graduate roster (all rows or none) and verify the diplomas it confirms."""
    if not has_capability(by, Capability.MANAGE_ROSTERS, school.organisation.path):
        raise PermissionDenied(_("You may upload rosters only for your own school."))
    entries, errors = [], []
    try:
        rows = list(read_table(upload, COLUMNS))
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    for row_number, values in rows:
        try:
            entries.append(_entry(school, values))
        except ValidationError as exc:
            errors.append(_("Row %(row)d: %(error)s") % {"row": row_number, "error": " ".join(exc.messages)})
    seen = {}
    for index, entry in enumerate(entries):
        if entry.certificate_number in seen:
            errors.append(_("Certificate number %(number)s appears twice.") % {"number": entry.certificate_number})
        seen[entry.certificate_number] = index
    if errors:
        raise ValidationError({"file": errors[:50]})
    roster = Roster.objects.create(school=school, file_name=to_text(upload.name)[:200], uploaded_by=by,
                                   rows=len(entries))
    # A graduate listed again is a correction: the newest roster's line replaces the old one.
    replaced = RosterEntry.objects.filter(school=school, certificate_number__in=list(seen)).delete()[0]
    for entry in entries:
        entry.roster = roster
    RosterEntry.objects.bulk_create(entries, batch_size=1000)
    matched = mismatched = 0
    waiting = Application.objects.filter(school=school, state=State.DIPLOMA_SUBMITTED).select_related(
        "worker", "organisation", "school")
    for application in waiting:
        outcome = match_against_roster(application, by=by)
        matched += outcome is True
        mismatched += outcome is False
    Roster.objects.filter(pk=roster.pk).update(matched=matched, mismatched=mismatched)
    roster.matched, roster.mismatched = matched, mismatched
    audit_record(actor=by, action="roster.upload", obj=roster, organisation=school.organisation,
                 after={"rows": len(entries), "replaced": replaced, "matched": matched, "mismatched": mismatched})
    return roster
