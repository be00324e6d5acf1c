"""Imports and background tasks over the API: upload a file of any import kind, then follow its task."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from yuanmeng.core.api import Pages
from yuanmeng.core.api_answers import answers
from yuanmeng.core.imports import IMPORT_KINDS
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import job_retry, jobs_visible, may_download

router = Router(tags=["imports and tasks"])


class TaskOut(Schema):
    id: int
    kind: str
    label: str
    state: str = Field(..., description="queued, running, done or failed")
    stalled: bool = Field(..., description="running, but its worker stopped reporting (lease expired): rerun it")
    total: int = Field(..., description="rows (or lines) to do, as far as known")
    done: int
    errors: int = Field(..., description="rows with errors so far")
    phase: str
    result: dict = Field(..., description="an import's report: rows, created, updated, unchanged, errors "
                                          "(rows), problems (every problem of every row), written, "
                                          "ignored_columns, first_errors [[row, problem], …] (the first 100 "
                                          "problems)")
    error: str = Field(..., description="why a failed task stopped")
    file_url: str | None = Field(None, description="the file it made (an export, or an import's rows to fix)")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_file_url(job: Job, context) -> str | None:
        return f"/tasks/{job.pk}/download/" if may_download(context["request"].user, job) else None


MODES = {"all": True, "valid": False}


@router.post("/imports/{kind}", response=answers({201: TaskOut, 202: TaskOut}, 404, 422),
             summary="Import a spreadsheet (workers, applications, rosters, bank results)",
             description="`multipart/form-data`: `file` (xlsx, xls, ods or csv in UTF-8 or GBK; columns by name as "
                         "in the template at `/imports/{kind}/template/`), `mode` (`all`: nothing is written if a "
                         "row is wrong; `valid`: the valid rows are), and what the kind needs (`school` for a "
                         "roster, `batch` for bank results). A small file is imported at once (201, the report "
                         "in `result`); a large one is queued for the background worker (202): follow "
                         "`/api/tasks/{id}`. A file that cannot be read or lacks a column is a 422.")
def import_file(request, kind: str, file: File[UploadedFile], mode: Form[str] = "all",
                school: Form[int | None] = None, batch: Form[int | None] = None):
    if kind not in IMPORT_KINDS:
        raise Http404
    params = {name: value for name, value in (("school", school), ("batch", batch)) if value is not None}
    job = import_submit(by=request.user, kind=kind, source=file, file_name=file.name or kind,
                        all_or_nothing=MODES.get(mode, True), params=params)
    return Status(202 if job.live else 201, job)


@router.get("/tasks", response=answers(list[TaskOut], 422),
            summary="My background tasks (an administrator's: their union's)")
@paginate(Pages)
def task_list(request):
    return jobs_visible(request.user)


@router.get("/tasks/{task_id}", response=answers(TaskOut, 404, 422), summary="One task: state, progress, report")
def task_detail(request, task_id: int):
    return get_object_or_404(jobs_visible(request.user), pk=task_id)


@router.post("/tasks/{task_id}/rerun", response=answers(TaskOut, 403, 404, 422),
             summary="Run a failed task (or one whose worker died) again: its owner only")
def task_rerun(request, task_id: int):
    return job_retry(by=request.user, job=get_object_or_404(jobs_visible(request.user), pk=task_id))
