"""A session's attendance from a spreadsheet (see ``core.imports`` for the steps): one row a worker present,
named by identity number (and name, checked against the record). ``params = {"session": <id>}``.

Only the order's participants can be present: they are loaded once (bounded by the order's head-count) by the
blind index of their identity numbers, and a row naming anyone else is an error naming the row and the column.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.imports import STAGE, ImportContext, ImportKind, register, staged_count
from yuanmeng.core.spreadsheets import to_number_text, to_text
from yuanmeng.core.sql import execute
from yuanmeng.core.validators import validate_id_number
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.training_orders import services
from yuanmeng.training_orders.models import Session

ID_NUMBER = ("身份证号", "身份证号码", "identity number")
NAME = ("姓名", "name")


def _session(params: dict) -> Session | None:
    try:
        pk = int(params.get("session") or 0)
    except (TypeError, ValueError):
        return None
    return Session.objects.select_related("order__organisation").filter(pk=pk).first()


class AttendanceImport(ImportKind):
    key = "training_attendance"
    label = gettext_lazy("Training attendance")
    capability = Capability.TAKE_TRAINING_ORDERS
    columns = {"id_number": ID_NUMBER}
    optional = {"name": NAME}
    example = {"id_number": "44010619900307001X", "name": "李明"}
    stage = (("participant_id", "BIGINT"),)
    key_column = "participant_id"
    key_header = ID_NUMBER[0]

    def allowed(self, by, params: dict) -> bool:
        session = _session(params)
        return session is not None and has_capability(by, self.capability, session.order.organisation.path)

    def prepare(self, context: ImportContext) -> None:
        session = _session(context.params)
        if session.date > timezone.localdate():
            raise ValidationError(_("This session has not taken place yet."))
        participants = session.order.participants.values_list("pk", "worker__id_number_index", "worker__name")
        context.extra.update(session=session, participants={index: (pk, name) for pk, index, name in participants})

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        headers = self.headers()
        try:
            number = validate_id_number(to_number_text(values["id_number"]))
        except ValidationError as exc:
            raise ValidationError(f"{headers['id_number']}: {' '.join(exc.messages)}") from None
        found = context.extra["participants"].get(blind_index(number))
        if found is None:
            raise ValidationError(f"{headers['id_number']}: {_('this worker is not on the order.')}")
        participant_id, name = found
        given = to_text(values.get("name", ""))
        if "name" in context.present and given and given != name:
            raise ValidationError(f"{headers['name']}: {_('does not match the worker with this identity number.')}")
        return (participant_id,)

    def write(self, context: ImportContext) -> dict[str, int]:
        session = context.extra["session"]
        services.attendance_lock(by=context.by, session=session)
        now = timezone.now()
        created = execute(f"""
            INSERT INTO training_orders_attendance (session_id, participant_id, recorded_at)
            SELECT %s, s.participant_id, %s FROM {STAGE} s
            WHERE NOT EXISTS (SELECT 1 FROM training_orders_attendance a
                              WHERE a.session_id = %s AND a.participant_id = s.participant_id)""",
                          [session.pk, connection.ops.adapt_datetimefield_value(now), session.pk])
        rows = staged_count()
        audit_record(actor=context.by, action="training_order.attendance_import", obj=session.order,
                     organisation=session.order.organisation,
                     after={"session": session.pk, "rows": rows, "created": created,
                            "file": context.params.get("file_name", "")})
        return {"created": created, "unchanged": rows - created}


ATTENDANCE = register(AttendanceImport())
