"""Readable names for what the audit trail records: action codes, and the fields of a change."""

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.money import fen_to_yuan

ACTION_LABELS = {
    "organisation.create": _("Organisation added"),
    "enterprise.register": _("Enterprise registered"),
    "school.register": _("School registered"),
    "role.grant": _("Role given"),
    "role.revoke": _("Role taken away"),
    "user.create": _("Account created"),
    "user.create_superuser": _("Operator account created"),
    "worker.register": _("Worker registered"),
    "worker.update": _("Worker record changed"),
    "worker.bank_account": _("Bank account entered or corrected"),
    "worker.account_create": _("Worker login created"),
    "worker.import": _("Workers imported"),
    "worker.sign_up": _("Worker signed up"),
    "worker.membership_confirm": _("Membership confirmed"),
    "worker.membership_decline": _("Membership declined"),
    "invitation.renew": _("Sign-up link renewed"),
    "user.password_reset": _("Password reset by mobile code"),
    "api_token.issue": _("API token issued"),
    "demo.seed_national": _("National data set generated"),
    "stats.report": _("Yearly report made (PDF)"),
    # the learning side (training, training_orders, surveys, projects)
    "demo.training_orders": _("Demo training orders generated"),
    "training.demo_seed": _("Demo training network and courses generated"),
    "project.create": _("Project registered"),
    "project.update": _("Project edited"),
    "project.start": _("Project started"),
    "project.finish": _("Project finished"),
    "project.cancel": _("Project cancelled"),
    "project.participants_add": _("Project participants added"),
    "project.participant_remove": _("Project participant removed"),
    "survey.create": _("Needs survey created"),
    "survey.update": _("Needs survey edited"),
    "survey.question_add": _("Survey question added"),
    "survey.question_remove": _("Survey question removed"),
    "survey.question_move": _("Survey question moved"),
    "survey.send": _("Needs survey sent"),
    "survey.close": _("Needs survey closed"),
    "survey.answer": _("Needs survey answered"),
    "survey.order_training": _("Survey answers turned into a training order"),
    "teacher.create": _("Teacher added to the library"),
    "teacher.update": _("Teacher edited"),
    "training.place_create": _("Training place added"),
    "training.place_update": _("Training place edited"),
    "training.course_create": _("Course added"),
    "training.course_update": _("Course edited"),
    "training.enrol": _("Enrolled in a course"),
    "training.learning_progressed": _("Learning progress recorded"),
    "training.learning_attended": _("Attendance of a course recorded"),
    "training.learning_completed": _("Course completed"),
    "training_order.request": _("Training ordered"),
    "training_order.accept": _("Training order accepted"),
    "training_order.decline": _("Training order declined"),
    "training_order.cancel": _("Training order cancelled"),
    "training_order.complete": _("Training order completed"),
    "training_order.assign": _("Partner school and teachers assigned"),
    "training_order.schedule": _("Training session scheduled"),
    "training_order.unschedule": _("Training session cancelled"),
    "training_order.participants_add": _("Workers put on a training order"),
    "training_order.participant_remove": _("Worker taken off a training order"),
    "training_order.attendance": _("Attendance recorded"),
    "training_order.attendance_import": _("Attendance imported from a spreadsheet"),
    "api_token.revoke": _("API token revoked"),
    "keys.rotate": _("Encryption keys rotated"),
    "system.restore": _("Restored from a backup"),
    "budget.create": _("Budget set"),
    "budget.adjust": _("Budget adjusted"),
    "target.set": _("Target set"),
    "target.share_allocate": _("Target share given to a union below"),
    "target.change": _("Target changed"),
    "target.remove": _("Target removed"),
    "policy.create": _("Policy created"),
    "policy.update": _("Policy changed"),
    "policy.publish": _("Policy published"),
    "policy.close": _("Policy closed"),
    "round.commit": _("Payout round committed"),
    "round.objection": _("Objection to a payout line"),
    "round.release": _("Payout round released after notice"),
    "batch.approve": _("Payout batch approved"),
    "batch.file_request": _("Payment file requested"),
    "batch.file": _("Payment file issued"),
    "batch.file_reissue": _("Payment file issued again"),
    "batch.file_copy": _("Payment file copy downloaded"),
    "batch.results": _("Bank results imported"),
    "lottery.announce": _("Lottery announced"),
    "lottery.freeze": _("Lottery list frozen"),
    "lottery.seed_enter": _("Lottery seed entered"),
    "lottery.seed_confirm": _("Lottery seed confirmed"),
    "lottery.draw": _("Lottery drawn"),
    "roster.upload": _("Graduate roster uploaded"),
    "roster.enrolment_upload": _("Enrolment roster uploaded"),
    "application.import": _("Applications imported"),
    "application.roster_check": _("Diploma checked against the roster"),
    # application.<action>: one per workflow Action (applications/workflow.py)
    "application.submit": _("Application submitted"),
    "application.confirm": _("Application confirmed by the enterprise union"),
    "application.review": _("Application passed district review"),
    "application.approve": _("Application approved"),
    "application.return": _("Application returned for correction"),
    "application.reject": _("Application rejected"),
    "application.resubmit": _("Application resubmitted"),
    "application.withdraw": _("Application withdrawn"),
    "application.submit_diploma": _("Diploma submitted"),
    "application.verify_diploma": _("Diploma verified"),
    "application.return_diploma": _("Diploma returned for correction"),
    "application.in_batch": _("Application put in a payout batch"),
    "application.objection": _("Objection during public notice"),
    "application.paid": _("Application paid"),
    "application.payment_failed": _("Payment failed"),
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


FEN_UNIT = re.compile(r"\s*[(（](fen|分)[)）]$")


# Keys a change holds that are no field of its object's model (counts, files, the organisation's fields of an
# enterprise or a school, a lottery's winners, …): named here, so that no key shows as code in Chinese.
KEY_LABELS = {
    "address": _("address"), "application": _("application"), "applications": _("applications"),
    "approvals": _("approvals"), "approved": _("batch approved"), "batches": _("batches"),
    "candidates": _("candidates"), "city_fen": _("city part"), "code": _("code"),
    "confirmed": _("enrolments confirmed"), "count": _("count"), "created": _("created"),
    "differing": _("enrolments differing"), "entered_by": _("entered by"), "entries": _("audit entries"),
    "failed": _("failed"), "file": _("file"), "files": _("uploaded files"), "format": _("file format"),
    "import": _("bank results import"), "job": _("task"), "kind": _("kind"), "lines": _("lines"),
    "matched": _("diplomas matched"), "mismatched": _("diplomas not matched"), "name": _("name"), "note": _("note"),
    "paid": _("paid"), "paid_fen": _("amount paid"), "paid_lines": _("workers funded"), "parent": _("parent"),
    "policies": _("policies"), "reason": _("reason"), "refused": _("refused by the bank"),
    "region_code": _("region code"), "released_fen": _("amount released"), "renewed_at": _("renewed at"),
    "reserved_fen": _("amount reserved"), "revoked": _("revoked"), "round": _("payout round"), "rows": _("rows"),
    "school": _("school"), "seed": _("seed"), "sha256": _("SHA-256 fingerprint"), "state": _("state"),
    "unchanged": _("unchanged"), "updated": _("updated"), "user": _("account"), "username": _("username"),
    "values": _("numbers drawn"), "winners": _("winners"), "workers": _("workers"),
    # the learning side's changes
    "orders": _("training orders"),
    "sessions": _("training sessions"),
    "worker": _("worker"),
    "options": _("options"),
    "order": _("training order"),
    "question": _("question"),
    "recipients": _("recipients"),
    "required": _("required"),
    "respondent": _("respondent"),
    "response": _("answer sheet"),
    "scale": _("scale"),
    "targets": _("sent to"),
    "up": _("moved up"),
    "courses": _("courses"),
    "places": _("training places"),
    "statement": _("xAPI statement"),
    "added": _("added"),
    "date": _("date"),
    "ends_at": _("ends at"),
    "minutes": _("minutes"),
    "participants": _("participants"),
    "present": _("present"),
    "removed": _("removed"),
    "session": _("training session"),
    "starts_at": _("starts at"),
    "teacher": _("teacher"),
    "venue": _("venue"),
    # the yearly report's PDF (stats.report)
    "year": _("year"), "money": _("with the money section"), "as_of": _("figures as of"),
}
# Object types that are no model's label but whose keys are one model's fields.
OBJECT_TYPE_MODELS = {"applications": "applications.application"}


def _field(model, key: str):
    """The model's own field of that name; a reverse relation (``lines`` of a round) has no label of its own."""
    try:
        field = model._meta.get_field(key) if model else None
    except FieldDoesNotExist:
        return None
    return field if field is not None and field.concrete else None


def _field_label(field, key: str) -> str:
    """The field's verbose name (without its "(fen)": the value is shown in yuan), else the key's label, else
    the key in words."""
    verbose_name = getattr(field, "verbose_name", None)
    if verbose_name and verbose_name != field.name.replace("_", " "):  # Django's default is the name, untranslated
        return FEN_UNIT.sub("", str(verbose_name))
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    return key.removesuffix("_fen").replace("_", " ")


def _readable_value(field, key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if key.endswith("_fen") and isinstance(value, int):
        return f"{fen_to_yuan(value)} {gettext('yuan')}"
    if getattr(field, "choices", None) and isinstance(value, str):
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def readable_change(object_type: str, values: dict | None) -> list[tuple[str, str]]:
    """``{"paid_fen": 200000}`` of a ``funds.budget`` → ``[("paid", "2,000.00 yuan")]``: field labels from the
    model when the object type names one, a choice's name for its code, money (``*_fen``) in yuan with two
    decimals."""
    if not values:
        return []
    try:
        object_type = OBJECT_TYPE_MODELS.get(object_type, object_type)
        model = apps.get_model(object_type) if "." in object_type else None
    except LookupError:
        model = None
    fields = {key: _field(model, key) for key in values}
    return [(_field_label(fields[key], key), _readable_value(fields[key], key, value)) for key, value in values.items()]


OTHER_OBJECT_TYPES = {"import": _("file import"), "backup": _("backup"), "encryption": _("encryption keys")}


def object_type_choices() -> list[tuple[str, str]]:
    """(code, name) of every kind of object an entry can be about, for the page's filter."""
    models = [(m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models()
              if m.__module__.startswith("yuanmeng.")]
    others = [(code, str(name)) for code, name in OTHER_OBJECT_TYPES.items()]
    return sorted(models + others, key=lambda choice: choice[1])


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda choice: choice[0])
