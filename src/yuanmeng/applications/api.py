"""Applications over the API: check, submit, track, move through review, diplomas, rosters.

Submitting sends everything in one ``multipart/form-data`` request — the form fields and one file part
per document, named ``document_<kind>`` — because the policy's required documents are checked at
submission and an application without them is refused. Every HTTP client can send such a form
(``requests.post(url, data={...}, files={"document_enrolment_proof": f})``, ``curl -F``).

Personal numbers: an application shows the worker's name and masked identity number, never the full one.
"""

import datetime
import functools
from contextlib import contextmanager
from typing import Annotated

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.db.models import Case, CharField, F, Value, When
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from pydantic import StringConstraints

from yuanmeng.applications import selectors, services
from yuanmeng.applications.documents import request_limit_bytes, request_too_large
from yuanmeng.applications.eligibility import check_eligibility
from yuanmeng.applications.jobs import bulk_decision_start
from yuanmeng.applications.models import Application, ApplicationEvent, Document, StudyMode
from yuanmeng.applications.transitions import allowed_actions
from yuanmeng.applications.workflow import PersonAction, State
from yuanmeng.core.api import (
    EXPORT,
    JSON_ROW,
    Pages,
    TaskQueued,
    Values,
    answer_json,
    export_answer,
    paged,
    task_answer,
    written,
)
from yuanmeng.core.api_answers import answers
from yuanmeng.core.sql import json_moment, json_rows, rows_of_page
from yuanmeng.jobs.services import job_queued
from yuanmeng.orgs.models import School
from yuanmeng.orgs.scoping import CompiledInScope, CompiledScopedList
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import LEVEL_AMOUNTS, DocumentKind, Level, Policy, PriorityGroup, ProgrammeType
from yuanmeng.policies.selectors import policies_for_worker, top_ups_json, top_ups_read

# A row id: bounded, so a 20-digit number is a 422 rather than an integer overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

router = Router(tags=["applications"])
rosters_router = Router(tags=["rosters"])

DOCUMENT_URL = "/applications/documents/{id}/"
SCHOOL_ID = "the school's organisation id (as in /api/orgs?kind=school)"
# Service error keys → the names the API uses for the same input.
API_NAMES = {"policy": "policy_id", "school": "school_id", "worker": "worker_id"}


class Message(Schema):
    detail: str


# ---- errors and guards ---------------------------------------------------------------------------

@contextmanager
def errors_named(default: str | None = None):
    """Give a service's errors the API's field names; errors about no field go under ``default``."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = {}
            for name, messages in exc.message_dict.items():
                key = default if name == NON_FIELD_ERRORS and default else API_NAMES.get(name, name)
                errors.setdefault(key, []).extend(messages)
        elif default:
            errors = {default: exc.messages}
        else:
            raise
        raise ValidationError(errors) from None


def refuse_oversized(run):
    """Answer 413 from the declared length, before authentication or parsing reads a byte of the body."""

    @functools.wraps(run)
    def guarded(request, *args, **kwargs):
        if request_too_large(request):
            mb = 1024 * 1024
            message = _("The request is too large: at most %(total)d MB in one request, %(each)d MB a file.") % {
                "total": request_limit_bytes() // mb, "each": settings.MAX_UPLOAD_BYTES // mb}
            return JsonResponse({"detail": message}, status=413)
        return run(request, *args, **kwargs)

    return guarded


def _worker(request, worker_id: int | None) -> Worker:
    workers = Worker.objects.select_related("employer__organisation")
    if worker_id is None:
        worker = workers.filter(user=request.user).first()
        if worker is None:
            raise ValidationError({"worker_id": [_("You have no worker record: give the worker_id.")]})
        return worker
    worker = workers.restrict(request.user).filter(pk=worker_id).first()
    if worker is None:
        raise ValidationError({"worker_id": [_("No such worker in your scope.")]})
    return worker


def _policy(request, worker: Worker, policy_id: int) -> Policy:
    policy = policies_for_worker(user=request.user, worker=worker).filter(pk=policy_id).first()
    if policy is None:
        raise ValidationError({"policy_id": [_("No such policy open to this worker.")]})
    return policy


def _school(school_id: int) -> School:
    school = selectors.school_by_organisation(school_id)
    if school is None:
        raise ValidationError({"school_id": [_("No such school.")]})
    return school


def _by_key(user, application_id: int, **read):
    """The application ``application_id`` if the caller may see it, with ``read`` annotated: at most one row."""
    return selectors.application_list(user=user).filter(pk=application_id).annotate(**read).order_by("pk")[:1]


# The application a step acts on (a review, a resubmission, a diploma), compiled once per shape of the caller's scope:
# building and compiling the list's query through the ORM took half of a review step's time.
_APPLICATION = CompiledInScope(_by_key, Application, by_key=True, application_id=int)


def _application(request, application_id: int) -> Application:
    """The application if the caller may see it; 404 otherwise, whatever the method (never a 403 that leaks it)."""
    found = _APPLICATION(request.user, application_id=application_id)
    if not found:
        raise Http404
    return found[0]


# ApplicationOut's fields as values the database reads (``application_values``): an answer builds no model per row,
# and no field is looked up by a dotted name (a page of 50 built 300 models and resolved 1,400 names).
APPLICATION_COLUMNS = ("id", "version", "state", "policy_id", "worker_id", "organisation_id", "level",
                       "programme_type", "major", "study_mode", "enrolment_date", "student_number", "priority_group",
                       "priority_rank", "submitted_at", "updated_at", "certificate_number", "graduation_date",
                       "diploma_note")
EVENT_COLUMNS = ("action", "from_state", "to_state", "actor_label", "role", "reason", "at")
DOCUMENT_COLUMNS = ("id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at")


# The names an answer shows beside an application, by the path from it (the detail follows them on its model row).
APPLICATION_NAMES = {
    "policy_code": "policy__code", "policy_title": "policy__title", "worker_name": "worker__name",
    "worker_id_number": "worker__id_number_masked", "organisation_name": "organisation__name",
    "school_organisation_id": "school__organisation_id", "school_name": "school__organisation__name",
}


def _names() -> dict:
    """``APPLICATION_NAMES`` and the policy's amount for the application's level, as expressions on a page of
    applications (``rows_of_page``): read by joins made for the page's rows alone, after its LIMIT.

    Joined to the list's whole query, the policy, worker, union, school and school's organisation cost PostgreSQL
    4.6–13 ms to plan (it weighs every join order against the application table's indexes: decisions 0020, 0026); read
    by a subquery a row, each of the page's 50 rows looked each name up by a plan of its own, on small tables by a
    scan of the table. Joined to the page, PostgreSQL chooses: a district reviewer's page of 50 costs it 0.64–0.66 ms
    against 1.00–1.02 on the API benchmark's city (65 organisations), about the same either way on the national data
    set (decision 0028)."""
    return {name: F(path) for name, path in APPLICATION_NAMES.items()} | {"amount_fen": Case(
        *(When(level=level, then=F(f"policy__{column}")) for level, column in LEVEL_AMOUNTS.items()))}


def application_values(page):
    """A page of applications (a sliced query) as ApplicationOut's values, the policy's amount for the level among
    them (the lists that Python writes: SQLite's, and a search's on PostgreSQL)."""
    return rows_of_page(page).values(*APPLICATION_COLUMNS, **_names())


@functools.cache
def application_json(language: str):
    """The shape of a page whose rows PostgreSQL writes as ApplicationOut's JSON in ``language`` (``answer_json``):
    the queue's 50 rows and 30 fields come as 50 texts, neither read into Python values nor checked and written
    again."""
    state_label = Case(*(When(state=state, then=Value(label)) for state, label in _state_labels(language).items()),
                       output_field=CharField())
    sources = {name: F(name) for name in APPLICATION_COLUMNS} | {"state_label": state_label} | _names()

    def shape(page):
        return rows_of_page(page).values(**{JSON_ROW: answer_json(ApplicationOut, sources)})

    return shape


# What the detail reads of the application and the rows it shows (``_detail``): its answer's columns and names, the
# policy's amounts (its pay), the worker's user (who may do what) and the enterprise union's path (who may do what,
# and which top-ups it gets). Reading the list's every column of six tables, 134 values, its query took 0.82 ms of
# Python against 0.58 ms, and its statement of 5,400 characters was parsed by psycopg anew on every run (it keeps a
# statement parsed up to 4,096 characters and 50 values).
_DETAIL_READS = (*APPLICATION_COLUMNS, *APPLICATION_NAMES.values(),
                 *(f"policy__{column}" for column in LEVEL_AMOUNTS.values()), "worker__user_id", "organisation__path")

_APPLICATION_READ = CompiledInScope(
    lambda user, application_id: _by_key(
        user, application_id,
        events_read=json_rows(ApplicationEvent.objects.all(), "application", id="id",
                              **{name: name for name in EVENT_COLUMNS}),
        documents_read=json_rows(Document.objects.all(), "application", **{name: name for name in DOCUMENT_COLUMNS}),
        top_ups_read=top_ups_json("policy_id")).only(*_DETAIL_READS),
    Application, by_key=True, application_id=int)


# The API's list of applications by the filters that are plain values (most calls: a reviewer's queue by state).
_APPLICATION_PAGES = CompiledScopedList(selectors.application_list, Application)


def _detail(request, application_id: int) -> dict:
    """``ApplicationDetailOut``'s values: the application's, what the caller may do on it and why not
    (``allowed_actions``, worked out once for the two fields that show it), its pay by part, history and documents
    (the policy's top-ups, history and documents read as JSON in the application's own query: one round trip instead
    of four), compiled once per shape of the caller's scope (``orgs.scoping.CompiledInScope``)."""
    found = _APPLICATION_READ(request.user, application_id=application_id)
    if not found:
        raise Http404
    application = found[0]
    row = {name: getattr(application, name) for name in APPLICATION_COLUMNS}
    row.update({name: _follow(application, path) for name, path in APPLICATION_NAMES.items()})
    pay = selectors.application_pay(application, matchings=top_ups_read(application.top_ups_read))
    return {**row, "amount_fen": application.policy.amount_fen(application.level),
            "checks": allowed_actions(request.user, application), "pay": {**pay._asdict(), "total_fen": pay.total_fen},
            "events": _oldest_first(application.events_read, "at"),
            "documents": _oldest_first(application.documents_read, "uploaded_at")}


def _oldest_first(rows: list[dict] | None, moment: str) -> list[dict]:
    """Rows read as JSON (None: there are none), their ``moment`` a datetime again, oldest first, then by id."""
    for row in rows or []:
        row[moment] = json_moment(row[moment])
    return sorted(rows or [], key=lambda row: (row[moment], row["id"]))


def _follow(obj, path: str):
    for name in path.split("__"):
        obj = getattr(obj, name)
    return obj


def _documents(**uploads) -> dict:
    return {name.removeprefix("document_"): upload for name, upload in uploads.items() if upload is not None}


# ---- schemas -------------------------------------------------------------------------------------

class CheckOut(Schema):
    code: str
    passed: bool
    message: str


class EligibilityOut(Schema):
    ok: bool
    checks: list[CheckOut] = Field(..., description="every rule of the policy, passed or not, with its reason")


class EventOut(Values):
    action: str
    from_state: str
    to_state: str
    by: str = Field(..., alias="actor_label")  # the value's name (``EVENT_COLUMNS``); answered as ``by``
    role: str
    reason: str
    at: datetime.datetime


class DocumentOut(Values):
    id: int
    kind: DocumentKind
    original_name: str
    content_type: str
    size: int = Field(..., description="bytes")
    sha256: str
    uploaded_at: datetime.datetime
    url: str = Field("", description="download page (for those in scope)")

    @staticmethod
    def resolve_url(row: dict) -> str:
        return DOCUMENT_URL.format(id=row["id"])


@functools.cache
def _state_labels(language: str) -> dict[str, str]:
    """Each state's label in ``language``: a page of 50 rows looks them up rather than translating each."""
    with translation.override(language):
        return {state.value: str(state.label) for state in State}


class ApplicationOut(Values):
    id: int
    version: int = Field(..., description="send it back with a transition so that it applies to what you saw")
    state: State
    state_label: str = ""
    policy_id: int
    policy_code: str
    policy_title: str
    amount_fen: int | None = Field(None, description="the policy's amount for this level, integer fen (分)")
    worker_id: int
    worker_name: str
    worker_id_number: str = Field(..., description="masked, always")
    organisation_id: int = Field(..., description="the worker's enterprise union")
    organisation_name: str
    level: Level
    programme_type: ProgrammeType
    # read from ``school_organisation_id`` (``school_id`` is the application's own column: the School row)
    school_id: int = Field(..., alias="school_organisation_id", description=SCHOOL_ID)
    school_name: str
    major: str
    study_mode: StudyMode
    enrolment_date: datetime.date
    student_number: str
    priority_group: str = Field(..., description="the first of the policy's priority groups the worker is in")
    priority_rank: int
    submitted_at: datetime.datetime
    updated_at: datetime.datetime
    certificate_number: str | None
    graduation_date: datetime.date | None
    diploma_note: str = Field(..., description="notes from the diploma number check and the roster match")

    @staticmethod
    def resolve_state_label(row: dict, context: dict | None) -> str:
        """In the request's language (``LocaleMiddleware`` chose it), looked up once a row rather than asked for."""
        request = (context or {}).get("request")
        return _state_labels(getattr(request, "LANGUAGE_CODE", None) or get_language())[row["state"]]


class RefusedActionOut(Schema):
    action: PersonAction
    reason: str = Field(..., description="why you may not, in the user's language")


class PayOut(Values):
    city_fen: int = Field(..., description="the city's subsidy, integer fen")
    district_fen: int = Field(..., description="a district (or street) union's matching, integer fen")
    enterprise_fen: int = Field(..., description="the enterprise union's matching, integer fen")
    total_fen: int


class ApplicationDetailOut(ApplicationOut):
    allowed_actions: list[PersonAction] = Field([], description="what you may do now; `resubmit` and `submit_diploma` "
                                          "have their own endpoints, the rest go to /transitions")
    refused_actions: list[RefusedActionOut] = Field([], description="the other moves a person may make from this "
                                                    "state, each with the reason it is not yours now")
    pay: PayOut = Field(..., description="what the application will pay the worker at most, by part: the "
                        "policy's amount and the matching top-ups the round's commit adds while their unions' "
                        "budgets last (so `total_fen` is an upper bound; a round's payment line holds what it "
                        "reserved)")
    events: list[EventOut] = Field([], description="the history, oldest first")
    documents: list[DocumentOut] = Field([], description="metadata only; download from `url`")

    @staticmethod
    def resolve_allowed_actions(row: dict) -> list[str]:
        return [action for action, (allowed, _reason) in row["checks"].items() if allowed]

    @staticmethod
    def resolve_refused_actions(row: dict) -> list[dict]:
        return [{"action": action, "reason": reason} for action, (allowed, reason) in row["checks"].items()
                if not allowed]


class ApplicationIn(Schema):
    worker_id: Id | None = Field(None, description="whom for; leave out to apply for yourself")
    policy_id: Id
    level: Level
    programme_type: ProgrammeType
    school_id: Id = Field(..., description=SCHOOL_ID)
    major: str = Field(..., max_length=100)
    study_mode: StudyMode
    enrolment_date: datetime.date
    student_number: str = Field(..., max_length=40)


class CorrectionIn(Schema):
    level: Level | None = None
    programme_type: ProgrammeType | None = None
    school_id: Id | None = Field(None, description=SCHOOL_ID)
    major: str | None = Field(None, max_length=100)
    study_mode: StudyMode | None = None
    enrolment_date: datetime.date | None = None
    student_number: str | None = Field(None, max_length=40)


class DiplomaIn(Schema):
    certificate_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] = Field(
        ..., description="as printed; spaces are ignored")
    graduation_date: datetime.date


class TransitionIn(Schema):
    action: PersonAction
    reason: str = Field("", max_length=500, description="required to return or reject: the worker reads it")
    checked_by_hand: bool = Field(False, description="`verify_diploma` only: the school's roster has not verified "
                                  "the diploma (not listed, or it differs: see `diploma_note`); true says you checked "
                                  "it yourself, recorded in the history and the audit trail. Without it, a 422 names "
                                  "the differences")
    version: int | None = Field(None, ge=0, le=2**31, description="the `version` you decided on; if the application "
                                "changed since, the move is refused (422) instead of applied to what you did not see")


BULK_ACTIONS = ", ".join(f"`{a}`" for a in PersonAction.values if a not in services.BULK_EXCLUDED)


class BulkTransitionIn(Schema):
    action: PersonAction = Field(..., description=f"a review decision: {BULK_ACTIONS} (any other is a 422: "
                                 "`verify_diploma` is taken one application at a time, after its roster check)")
    ids: list[Id] = Field(..., min_length=1, max_length=services.BULK_DECISION_MAX,
                          description="the applications to decide")
    reason: str = Field("", max_length=500, description="required to return or reject: the workers read it")
    versions: dict[int, int] = Field({}, description="`{id: version}` as you saw them; an application changed "
                                     "since is refused instead of decided on what you did not see")


class RefusalOut(Schema):
    id: int
    reason: str = Field(..., description="why this application was not changed, in the user's language")


class BulkTransitionOut(Schema):
    done: list[int] = Field(..., description="the applications decided")
    refused: list[RefusalOut] = Field(..., description="the others, each with its reason; an id outside your "
                                      "scope is refused as one that does not exist")


class RosterOut(Schema):
    id: int
    school_id: int = Field(..., alias="school.organisation_id", description=SCHOOL_ID)
    file_name: str
    rows: int
    matched: int = Field(..., description="diplomas verified by this roster")
    mismatched: int = Field(..., description="diplomas whose details differ (noted on the application)")
    uploaded_at: datetime.datetime


def _enrolment(data: dict) -> dict:
    """Form values as service keyword arguments: a school object, enum members as plain strings."""
    if "school_id" in data:
        school_id = data.pop("school_id")
        data["school"] = _school(school_id) if school_id is not None else None
    return {name: str(value) if isinstance(value, str) else value for name, value in data.items()}


def _file(what: str):
    return File[UploadedFile, {"description": f"{what}: PDF, JPEG or PNG (checked by content), "
                                              f"at most {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB"}]


EnrolmentProof, IdCard, FeeReceipt, Other, Diploma = (_file(what) for what in (
    "proof of enrolment (admission letter or student record)", "identity card", "tuition receipt", "other proof",
    "scan of the diploma"))
UPLOAD_ERRORS = {413: Message}


# ---- endpoints -----------------------------------------------------------------------------------

@router.get("/eligibility", response=answers(EligibilityOut, 404, 422),
            summary="Can this worker apply? Every rule, with its reason",
            description="The same checks that run on submission. Leave out `worker_id` to check yourself.")
def eligibility(request, policy_id: Id, level: Level, worker_id: Id | None = None,
                programme_type: ProgrammeType | None = None):
    worker = _worker(request, worker_id)
    policy = _policy(request, worker, policy_id)
    return check_eligibility(worker=worker, policy=policy, level=str(level),
                             programme_type=str(programme_type) if programme_type else None)


@router.get("", response=answers(list[ApplicationOut], 422), summary="Applications in my scope",
            description="Newest first. Dates are local days, both included. `organisation_id`: an enterprise "
                        "union or any union above it (its whole subtree). A queue (no `organisation_id`, no dates) "
                        "found to hold more than the count's cap is not counted again for 10 seconds: its full "
                        "pages say `more` meanwhile.")
@written(paged(ApplicationOut))
@paginate(Pages, shape=application_values)
def list_applications(request, state: State | None = None, level: Level | None = None, policy_id: Id | None = None,
                      organisation_id: Id | None = None, worker_id: Id | None = None,
                      priority_group: PriorityGroup | None = None, submitted_from: datetime.date | None = None,
                      submitted_to: datetime.date | None = None):
    if organisation_id is None and submitted_from is None and submitted_to is None:  # a queue: pages compiled once
        plain = {"state": state, "level": level, "policy_id": policy_id, "worker_id": worker_id,
                 "priority_group": priority_group}
        rows = application_json(request.LANGUAGE_CODE) if connection.vendor == "postgresql" else None
        return _APPLICATION_PAGES.for_caller(request.user, shape=rows,
                                             **{name: value for name, value in plain.items() if value})
    return selectors.application_search(
        user=request.user, state=state or "", level=level or "", policy_id=policy_id, organisation_id=organisation_id,
        worker_id=worker_id, priority_group=priority_group or "", submitted_from=submitted_from,
        submitted_to=submitted_to)


@router.get("/export", summary="Applications in my scope, as an Excel workbook", **EXPORT)
def export_applications(request, state: State | None = None, level: Level | None = None, policy_id: Id | None = None,
                        organisation_id: Id | None = None, worker_id: Id | None = None,
                        priority_group: PriorityGroup | None = None, submitted_from: datetime.date | None = None,
                        submitted_to: datetime.date | None = None):
    return export_answer(request, "api-applications", state=state, level=level, policy_id=policy_id,
                         organisation_id=organisation_id, worker_id=worker_id, priority_group=priority_group,
                         submitted_from=submitted_from, submitted_to=submitted_to)


@router.post("", response=answers({201: ApplicationDetailOut, **UPLOAD_ERRORS}, 403, 404, 422),
             summary="Submit an application",
             description="`multipart/form-data`: the fields below, and one file part per document, named "
                         "`document_<kind>` (`document_enrolment_proof`, `document_id_card`, `document_fee_receipt`, "
                         "`document_other`). The policy's required documents must be there. Files are checked by "
                         "their content (PDF, JPEG or PNG), whatever their name. A worker applies for themself; "
                         "an enterprise union officer may apply for a worker of the enterprise (`worker_id`).")
@decorate_view(refuse_oversized)
def submit_application(request, payload: Form[ApplicationIn], document_enrolment_proof: EnrolmentProof = None,
                       document_id_card: IdCard = None, document_fee_receipt: FeeReceipt = None,
                       document_other: Other = None):
    worker = _worker(request, payload.worker_id)
    policy = _policy(request, worker, payload.policy_id)
    fields = _enrolment(payload.dict(exclude={"worker_id", "policy_id"}))
    documents = _documents(document_enrolment_proof=document_enrolment_proof, document_id_card=document_id_card,
                           document_fee_receipt=document_fee_receipt, document_other=document_other)
    with errors_named():
        application = services.application_submit(by=request.user, worker=worker, policy=policy,
                                                  documents=documents, **fields)
    return Status(201, _detail(request, application.pk))


@router.post("/bulk-transitions", response=answers({200: BulkTransitionOut, 202: TaskQueued}, 403, 422),
             summary="Take one review decision on many applications",
             description="Set-based: the checks of a single step on every application, then one statement per "
                         "outcome. Up to BULK_DECISION_INLINE applications (2,000 by default) are decided at once "
                         "(200: which were done, which refused and why); more run as a background task (202: "
                         "follow its progress at `/api/tasks/{job}`, its result lists the refusals). A role that "
                         "takes this decision nowhere is a 403; a bad action or a missing reason a 422.")
def bulk_transition(request, payload: BulkTransitionIn):
    with errors_named(default="action"):
        outcome = bulk_decision_start(by=request.user, ids=payload.ids, action=str(payload.action),
                                      reason=payload.reason, seen_versions=payload.versions)
    if isinstance(outcome, services.BulkResult):
        return {"done": outcome.done,
                "refused": [{"id": pk, "reason": reason} for pk, reason in sorted(outcome.failed.items())]}
    return task_answer(job_queued(outcome))


@router.get("/{application_id}", response=answers(ApplicationDetailOut, 404, 422),
            summary="One application, its history and documents")
@written(ApplicationDetailOut)
def get_application(request, application_id: int):
    return _detail(request, application_id)


@router.post("/{application_id}/transitions", response=answers(ApplicationDetailOut, 403, 404, 422),
             summary="Take a review step",
             description="`confirm`, `review`, `approve`, `return`, `reject`, `withdraw`, `verify_diploma`, "
                         "`return_diploma` — whichever `allowed_actions` lists for you. `return`, `reject` and "
                         "`return_diploma` need a `reason`. A step not possible now is a 422 naming `action`; "
                         "a step your role may not take is a 403.")
def transition(request, application_id: int, payload: TransitionIn):
    application = _application(request, application_id)
    with errors_named(default="action"):
        services.application_transition(by=request.user, application=application, action=str(payload.action),
                                        reason=payload.reason, seen_version=payload.version,
                                        checked_by_hand=payload.checked_by_hand)
    return _detail(request, application_id)


@router.post("/{application_id}/resubmit",
             response=answers({200: ApplicationDetailOut, **UPLOAD_ERRORS}, 403, 404, 422),
             summary="Resubmit a returned application with corrections",
             description="`multipart/form-data`: only the fields that change, and any replacement documents "
                         "(`document_<kind>` file parts). Checked again, then back to the enterprise union.")
@decorate_view(refuse_oversized)
def resubmit(request, application_id: int, payload: Form[CorrectionIn],
             document_enrolment_proof: EnrolmentProof = None, document_id_card: IdCard = None,
             document_fee_receipt: FeeReceipt = None, document_other: Other = None):
    application = _application(request, application_id)
    fields = _enrolment(payload.dict(exclude_unset=True, exclude_none=True))
    documents = _documents(document_enrolment_proof=document_enrolment_proof, document_id_card=document_id_card,
                           document_fee_receipt=document_fee_receipt, document_other=document_other)
    with errors_named():
        services.application_resubmit(by=request.user, application=application, documents=documents, **fields)
    return _detail(request, application_id)


@router.post("/{application_id}/diploma", response=answers({200: ApplicationDetailOut, **UPLOAD_ERRORS}, 403, 404, 422),
             summary="Submit the diploma",
             description="`multipart/form-data`: `certificate_number`, `graduation_date`, and the scan as "
                         "`document_diploma`. A certificate number is accepted once ever; if the school's graduate "
                         "roster already lists it, the diploma is verified at once.")
@decorate_view(refuse_oversized)
def submit_diploma(request, application_id: int, payload: Form[DiplomaIn], document_diploma: Diploma = None):
    application = _application(request, application_id)
    with errors_named():
        services.application_submit_diploma(by=request.user, application=application,
                                            certificate_number=payload.certificate_number,
                                            graduation_date=payload.graduation_date, scan=document_diploma)
    return _detail(request, application_id)


@rosters_router.post("", response=answers({201: RosterOut, **UPLOAD_ERRORS}, 403, 404, 422),
                     summary="Upload a school's graduate roster",
                     description="`multipart/form-data`: `school_id` and `file` (xlsx, xls, ods or csv in UTF-8 or "
                                 "GBK; columns 证书编号, 身份证号, 姓名, 层次, 专业, 毕业日期). All rows or none; "
                                 "diplomas waiting at that school are matched at once.")
@decorate_view(refuse_oversized)
def upload_roster(request, school_id: Form[Id], file: File[UploadedFile]):
    school = selectors.school_by_organisation(school_id, user=request.user)
    if school is None:
        raise ValidationError({"school_id": [_("No such school in your scope.")]})
    with errors_named(default="file"):
        roster = services.roster_upload(by=request.user, school=school, upload=file)
    return Status(201, roster)
