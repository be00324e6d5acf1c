"""Registering workers from a union office's spreadsheet: every row checked by the single-record rules, then
written in bulk. Rows already registered (same identity number) are not imported again, so uploading the
same file twice creates nobody twice.
"""

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.exports import Column, write_xlsx
from yuanmeng.core.spreadsheets import read_table, to_date, to_text
from yuanmeng.core.validators import validate_credit_code
from yuanmeng.orgs.models import Enterprise, Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.people.services import apply_worker_fields, clean_worker_fields

COLUMNS = {"name": ("姓名", "name"), "id_number": ("身份证号", "identity number"), "mobile": ("手机号", "mobile"),
           "credit_code": ("单位统一社会信用代码", "employer credit code"),
           "job_category": ("岗位类别", "job category")}
OPTIONAL = {"union_member_since": ("入会日期", "union member since"),
            "is_migrant_worker": ("农民工", "migrant worker"),
            "is_new_employment_form": ("新就业形态", "new employment form"),
            "bank_name": ("开户银行", "bank"), "bank_account": ("银行账号", "bank account number")}
EXAMPLE = ["李明", "44010619900307001X", "13800138000", "91440106MA59C8K19K", "一线生产", "2021-05-01", "是", "否",
           "工商银行", "6222020200112233445"]
YES, NO = {"是", "y", "yes", "true", "1", "√"}, {"否", "n", "no", "false", "0", ""}
CHUNK = 1000


def _job_values() -> dict[str, str]:
    names = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.update({str(label).lower(): value for value, label in JobCategory.choices})
    return {**names, **{value: value for value in JobCategory.values}}


@dataclass
class RowError:
    row: int
    values: dict
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    already_registered: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    error_file: str = ""  # name of the annotated copy under MEDIA_ROOT/import-reports/


def _yes_no(value) -> bool:
    text = to_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("Write 是 or 否."))


def _row_fields(values: dict, enterprises: dict, jobs: dict) -> dict:
    """The spreadsheet's cells as the worker service takes them; problems named by their column."""
    fields, problems = {}, []
    for name in ("name", "id_number", "mobile", "bank_name", "bank_account"):
        if name in values:
            fields[name] = to_text(values[name])
    try:
        code = validate_credit_code(to_text(values["credit_code"]))
        fields["employer"] = enterprises.get(code)
        if fields["employer"] is None:
            problems.append(f"{COLUMNS['credit_code'][0]}: {_('not an enterprise you may register workers at.')}")
    except ValidationError as exc:
        problems.append(f"{COLUMNS['credit_code'][0]}: {' '.join(exc.messages)}")
    job = jobs.get(to_text(values["job_category"]).lower())
    if job is None:
        choices = "、".join(str(label) for _value, label in JobCategory.choices)
        problems.append(f"{COLUMNS['job_category'][0]}: {_('choose one of: %(list)s') % {'list': choices}}")
    fields["job_category"] = job
    for name, convert in (("union_member_since", to_date), ("is_migrant_worker", _yes_no),
                          ("is_new_employment_form", _yes_no)):
        if name in values and (name != "union_member_since" or to_text(values[name])):
            try:
                fields[name] = convert(values[name])
            except ValidationError as exc:
                problems.append(f"{OPTIONAL[name][0]}: {' '.join(exc.messages)}")
    if problems:
        raise ValidationError(problems)
    return fields


HEADERS = {**{name: names[0] for name, names in COLUMNS.items()},
           **{name: names[0] for name, names in OPTIONAL.items()}, "employer": COLUMNS["credit_code"][0]}


def _check_row(values: dict, enterprises: dict, jobs: dict) -> dict:
    fields = _row_fields(values, enterprises, jobs)
    try:
        cleaned = clean_worker_fields({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        raise ValidationError([f"{HEADERS.get(name, name)}: {' '.join(messages)}"
                               for name, messages in exc.message_dict.items()]) from None
    if not cleaned.get("employer"):
        raise ValidationError([f"{COLUMNS['credit_code'][0]}: {_('This field is required.')}"])
    return cleaned


def _cell(name: str):
    return lambda error: to_text(error.values.get(name, ""))


def _error_file(by, report: ImportReport) -> str:
    """An annotated copy of the bad rows, with an error column, to fix and upload again."""
    folder = Path(settings.MEDIA_ROOT) / "import-reports" / str(by.pk)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.xlsx"
    cells = [Column(names[0], _cell(name), 18) for name, names in {**COLUMNS, **OPTIONAL}.items()]
    columns = [Column(_("Row"), lambda e: e.row, 6), *cells, Column(_("Error"), lambda e: e.message, 60)]
    write_xlsx(folder / name, sheet_name=_("Errors"), columns=columns, rows=report.errors)
    return name


def workers_import(*, by, upload, all_or_nothing: bool = True) -> ImportReport:
    """Check every row, then register the new workers in bulk (all or nothing, or only the valid rows)."""
    try:
        rows = list(read_table(upload, COLUMNS, OPTIONAL))
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    enterprises = {e.credit_code: e for e in Enterprise.objects.restrict(by, Capability.CHANGE_WORKERS)
                   .select_related("organisation")}
    jobs = _job_values()
    report, ready, first_row = ImportReport(rows=len(rows)), [], {}
    for number, values in rows:
        try:
            cleaned = _check_row(values, enterprises, jobs)
        except ValidationError as exc:
            report.errors.append(RowError(number, values, "; ".join(exc.messages)))
            continue
        index = blind_index(cleaned["id_number"])
        if index in first_row:
            report.errors.append(RowError(number, values, _("身份证号: the same person as row %(row)d.")
                                          % {"row": first_row[index]}))
            continue
        first_row[index] = number
        ready.append((index, cleaned))
    registered = set()
    indexes = [index for index, _cleaned in ready]
    for start in range(0, len(indexes), CHUNK):
        registered.update(Worker.objects.filter(id_number_index__in=indexes[start:start + CHUNK])
                          .values_list("id_number_index", flat=True))
    report.already_registered = len(registered)
    if report.errors:
        report.error_file = _error_file(by, report)
    if report.errors and all_or_nothing:
        return report
    _write(by, report, [cleaned for index, cleaned in ready if index not in registered])
    return report


@transaction.atomic
def _write(by, report: ImportReport, new: list[dict]) -> None:
    workers = []
    for cleaned in new:
        worker = Worker()
        apply_worker_fields(worker, cleaned)
        workers.append(worker)
    Worker.objects.bulk_create(workers, batch_size=CHUNK)
    report.created, report.written = len(workers), True
    where = Organisation.objects.filter(pk=grants(by)[0].organisation_id).first() if grants(by) else None
    audit_record(actor=by, action="worker.import", object_type="import", object_id=uuid.uuid4().hex[:12],
                 object_label=_("worker import"), organisation=where,
                 after={"rows": report.rows, "created": report.created, "already_registered":
                        report.already_registered, "errors": len(report.errors)})


def template_columns() -> list[Column]:
    headers = [names[0] for names in COLUMNS.values()] + [names[0] for names in OPTIONAL.values()]
    return [Column(header, lambda row, i=i: row[i], 18) for i, header in enumerate(headers)]
