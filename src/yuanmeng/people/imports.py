"""Registering and updating workers from a union office's spreadsheet (see ``core.imports`` for the steps).

Every row is checked by the single-record rules (``clean_worker_fields``), at an enterprise the importer may
register workers at. A person already registered (same identity number) is updated with the row's values
when the importer may change their record, so uploading the same file twice creates nobody twice.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import encrypt
from yuanmeng.core.imports import STAGE, ImportContext, ImportKind, choice_words, register
from yuanmeng.core.spreadsheets import header_key, to_date, to_number_text, to_text
from yuanmeng.core.sql import execute, scalar
from yuanmeng.core.validators import DocumentType, validate_credit_code
from yuanmeng.orgs.models import Enterprise
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import acting_organisation, has_capability
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.people.services import clean_worker_fields, derived_worker_fields

YES, NO = {"是", "y", "yes", "true", "1", "√"}, {"否", "n", "no", "false", "0", ""}
# Columns written from the file: always, and per optional column when the file has it.
ALWAYS = ("name", "document_type", "mobile", "employer_id", "job_category")
# Read as the exact text of a long number: a cell that shows the number lost digits is refused.
LONG_NUMBERS = ("id_number", "bank_account")
# How a cell may name a document beside its labels (a blank cell is the resident identity card).
DOCUMENT_WORDS = {
    "身份证": DocumentType.RESIDENT_ID, "ID card": DocumentType.RESIDENT_ID,
    "居住证": DocumentType.HMT_PERMIT, "港澳台居住证": DocumentType.HMT_PERMIT,
    "港澳居民居住证": DocumentType.HMT_PERMIT, "台湾居民居住证": DocumentType.HMT_PERMIT,
    "residence permit": DocumentType.HMT_PERMIT,
    "永居证": DocumentType.FOREIGN_PR, "外国人永居证": DocumentType.FOREIGN_PR,
    "外国人永久居留证": DocumentType.FOREIGN_PR, "permanent resident card": DocumentType.FOREIGN_PR,
}
OPTIONAL_WRITES = {
    "union_member_since": ("union_member_since",),
    "is_migrant_worker": ("is_migrant_worker",),
    "is_new_employment_form": ("is_new_employment_form",),
    "bank_name": ("bank_name",),
    "bank_account": ("bank_account", "bank_account_index", "bank_account_masked"),
}
# A bank account has changed when its blind index has (the ciphertext differs at every encryption).
NOT_COMPARED = ("bank_account", "bank_account_masked")
# An optional column the row leaves blank: staged as NULL, which keeps a registered worker's value and gives a
# new worker the model's default (``DEFAULTS``).
UNSET = dict.fromkeys(("union_member_since", "is_migrant_worker", "is_new_employment_form", "bank_name",
                       "bank_account", "bank_account_index", "bank_account_masked"))
DEFAULTS = {"union_member_since": "NULL", "is_migrant_worker": "%s", "is_new_employment_form": "%s",
            "bank_name": "''", "bank_account": "''", "bank_account_index": "''", "bank_account_masked": "''"}


def _yes_no(value) -> bool:
    text = to_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("Write 是 or 否."))


class WorkerImport(ImportKind):
    key = "workers"
    label = gettext_lazy("Workers")
    capability = Capability.CHANGE_WORKERS
    columns = {"name": ("姓名", "name"), "id_number": ("身份证号", "身份证号码", "identity number"),
               "mobile": ("手机号", "手机号码", "mobile"),
               "credit_code": ("单位统一社会信用代码", "统一社会信用代码", "employer credit code"),
               "job_category": ("岗位类别", "job category")}
    optional = {"document_type": ("证件类型", "document type"),
                "union_member_since": ("入会日期", "union member since"),
                "is_migrant_worker": ("农民工", "migrant worker"),
                "is_new_employment_form": ("新就业形态", "new employment form"),
                "bank_name": ("开户银行", "bank"), "bank_account": ("银行账号", "bank account number")}
    example = {"name": "李明", "document_type": "居民身份证", "id_number": "44010619900307001X",
               "mobile": "13800138000", "credit_code": "91440106MA59C8K19K", "job_category": "一线生产",
               "union_member_since": "2021-05-01", "is_migrant_worker": "是", "is_new_employment_form": "否",
               "bank_name": "工商银行", "bank_account": "6222020200112233446"}
    stage = (("name", "TEXT"), ("document_type", "TEXT"), ("id_number", "TEXT"), ("id_number_index", "TEXT"),
             ("id_number_masked", "TEXT"), ("birth_date", "DATE"), ("sex", "TEXT"), ("mobile", "TEXT"),
             ("employer_id", "BIGINT"), ("job_category", "TEXT"), ("union_member_since", "DATE"),
             ("is_migrant_worker", "BOOLEAN"), ("is_new_employment_form", "BOOLEAN"), ("bank_name", "TEXT"),
             ("bank_account", "TEXT"), ("bank_account_index", "TEXT"), ("bank_account_masked", "TEXT"))
    key_column = "id_number_index"
    key_header = "身份证号"
    checks_without_database = True  # ``prepare`` looks everything up once

    def allowed(self, by, params: dict) -> bool:
        return has_capability(by, self.capability)

    def prepare(self, context: ImportContext) -> None:
        enterprises = Enterprise.objects.restrict(context.by, self.capability)
        context.extra["enterprises"] = dict(enterprises.values_list("credit_code", "pk"))
        context.extra["job_category"] = choice_words(JobCategory)
        context.extra["document_type"] = choice_words(DocumentType, DOCUMENT_WORDS)
        context.extra["employers"] = {}

    def _fields(self, values: dict, context: ImportContext) -> tuple[dict, list[str]]:
        """The row's cells as the worker service takes them (those that could be read), and the problems of the
        others, named by their column."""
        fields, problems = {}, []
        for name in ("name", "id_number", "mobile", "bank_name", "bank_account"):
            try:
                text = (to_number_text if name in LONG_NUMBERS else to_text)(values.get(name))
            except ValidationError as exc:
                problems.append(f"{self.headers()[name]}: {' '.join(exc.messages)}")
                continue
            if text or name in self.columns:  # a blank optional cell leaves the worker's value as it is
                fields[name] = text
        employer = self._employer(to_text(values["credit_code"]), context)
        if isinstance(employer, str):
            problems.append(f"{self.headers()['credit_code']}: {employer}")
        else:
            fields["employer_id"] = employer
        document = to_text(values.get("document_type")) or DocumentType.RESIDENT_ID
        for name, text, choices in (("job_category", to_text(values["job_category"]), JobCategory),
                                    ("document_type", document, DocumentType)):
            fields[name] = context.extra[name].get(header_key(text))
            if fields[name] is None:
                labels = "、".join(str(label) for _value, label in choices.choices)
                problems.append(f"{self.headers()[name]}: {_('choose one of: %(list)s') % {'list': labels}}")
        for name, convert in (("union_member_since", to_date), ("is_migrant_worker", _yes_no),
                              ("is_new_employment_form", _yes_no)):
            if to_text(values.get(name)):
                try:
                    fields[name] = convert(values[name])
                except ValidationError as exc:
                    problems.append(f"{self.headers()[name]}: {' '.join(exc.messages)}")
        return fields, problems

    @staticmethod
    def _employer(code: str, context: ImportContext) -> int | str:
        """The enterprise's id, or what is wrong with the code; worked out once per code (a file has few)."""
        known = context.extra["employers"]
        if code in known:
            return known[code]
        try:
            employer = context.extra["enterprises"].get(validate_credit_code(code)) or \
                _("not an enterprise you may register workers at.")
        except ValidationError as exc:
            employer = " ".join(exc.messages)
        if len(known) < 10_000:  # a file of made-up codes must not make memory grow
            known[code] = employer
        return employer

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        fields, problems = self._fields(values, context)
        employer_id = fields.pop("employer_id", None)
        readable = {name: value for name, value in fields.items() if value is not None}
        if "document_type" not in readable:  # the number is checked as a number of its document type
            readable.pop("id_number", None)
        try:  # also when a cell could not be read, so that every problem of the row is reported at once
            cleaned = clean_worker_fields(readable)
        except ValidationError as exc:
            problems += [f"{self.headers().get(name, name)}: {' '.join(messages)}"
                         for name, messages in exc.message_dict.items()]
        if problems:
            raise ValidationError(problems)
        worker = {**UNSET, **derived_worker_fields(cleaned), "employer_id": employer_id}
        worker["id_number"] = encrypt(worker["id_number"])
        if worker["bank_account"]:
            worker["bank_account"] = encrypt(worker["bank_account"])
        return tuple(worker[name] for name, _type in self.stage)

    def stage_errors(self, context: ImportContext) -> list[tuple[str, list]]:
        """A person registered at an enterprise the importer may not change is not theirs to update."""
        mine, params = self._mine(context)
        return [(f"""SELECT s.row_no, s.raw, %s FROM {STAGE} s
                     JOIN people_worker w ON w.id_number_index = s.id_number_index
                     WHERE w.id NOT IN ({mine})""",
                 [_("身份证号: this person is registered at an enterprise outside your organisation; their union "
                    "must change the record."), *params])]

    def _written(self, context: ImportContext) -> list[str]:
        columns = list(ALWAYS)
        for name in context.present & set(OPTIONAL_WRITES):
            columns += OPTIONAL_WRITES[name]
        return columns

    def write(self, context: ImportContext) -> dict[str, int]:
        now = timezone.now()
        existing = scalar(f"SELECT COUNT(*) FROM {STAGE} s JOIN people_worker w "
                          "ON w.id_number_index = s.id_number_index", [])
        updated = self._update(context, now)
        created = self._insert(now)
        audit_record(actor=context.by, action="worker.import", object_type="import",
                     object_id=context.reference,
                     object_label=_("worker import"), organisation=acting_organisation(context.by, self.capability),
                     after={"created": created, "updated": updated, "unchanged": existing - updated,
                            "file": context.params.get("file_name", "")})
        return {"created": created, "updated": updated, "unchanged": existing - updated}

    def _update(self, context: ImportContext, now) -> int:
        written = self._written(context)
        compared = [column for column in written if column not in NOT_COMPARED]
        assignments = ", ".join(f"{column} = COALESCE(s.{column}, people_worker.{column})" for column in written)
        differs = " OR ".join(f"(s.{column} IS NOT NULL AND people_worker.{column} IS DISTINCT FROM s.{column})"
                              for column in compared)
        # Only the importer's own workers, checked again here: someone may have registered the person elsewhere
        # since the rows were checked.
        mine, params = self._mine(context)
        assignments += self._account_corrected(written)
        return execute(f"""UPDATE people_worker SET {assignments}, updated_at = %s FROM {STAGE} s
                           WHERE people_worker.id_number_index = s.id_number_index AND ({differs})
                             AND people_worker.id IN ({mine})""", [now, *params])

    @staticmethod
    def _account_corrected(written: list[str]) -> str:
        """A row that changes the bank or the account number corrects an account the bank refused: as in
        ``worker_update``, the worker is back in the payout queue (``bank_account_refused_at`` cleared)."""
        changed = [f"(s.{column} IS NOT NULL AND people_worker.{column} IS DISTINCT FROM s.{column})"
                   for column in ("bank_name", "bank_account_index") if column in written]
        if not changed:
            return ""
        return (f", bank_account_refused_at = CASE WHEN {' OR '.join(changed)} THEN NULL "
                "ELSE people_worker.bank_account_refused_at END")

    def _mine(self, context: ImportContext) -> tuple[str, tuple]:
        """The workers the importer may change, as SQL for ``IN (…)``."""
        return Worker.objects.restrict(context.by, self.capability).order_by().values("pk").query.sql_with_params()

    def _insert(self, now) -> int:
        columns = [name for name, _type in self.stage]
        values = [f"COALESCE(s.{c}, {DEFAULTS[c]})" if c in DEFAULTS else f"s.{c}" for c in columns]
        return execute(f"""
            INSERT INTO people_worker ({", ".join(columns)}, model_worker_level, labour_medal_level, created_at,
                                       updated_at)
            SELECT {", ".join(values)}, '', '', %s, %s FROM {STAGE} s
            WHERE NOT EXISTS (SELECT 1 FROM people_worker w WHERE w.id_number_index = s.id_number_index)""",
                       [False, False, now, now])


WORKERS = register(WorkerImport())
