"""Background tasks people can see: a large import queued, run by the worker with progress, its report and
file; the same job asked twice runs once; a job whose worker died is seen and can be run again."""

import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.jobs.test_worker_import import good_rows, xlsx
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.jobs.services import job_execute, job_outputs_discard, job_retry
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


@pytest.fixture
def large(settings):
    settings.IMPORT_INLINE_ROWS = 1  # more than one row goes to the background worker


def upload(client, rows, name="workers.xlsx", mode="all"):
    data = io.BytesIO(rows) if isinstance(rows, bytes) else xlsx(rows)
    data.name = name
    return client.post("/imports/workers/", {"file": data, "mode": mode})


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay")


def test_a_large_import_is_queued_run_by_the_worker_and_reported(tree, officer, login, large):
    client = login(officer)
    rows = good_rows(tree, 3)
    rows[2][2] = "12345"
    response = upload(client, rows)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{job.pk}/"
    assert job.state == JobState.QUEUED and job.total == 3 and Worker.objects.count() == 0
    page = client.get(f"/tasks/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page

    run_worker()

    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == 3 and job.errors == 1 and job.attempts == 1
    assert job.result["written"] is False and Worker.objects.count() == 0  # all or nothing
    page = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "every 1s" not in page and "手机号" in page and f"/tasks/{job.pk}/download/" in page
    download = client.get(f"/tasks/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert "workers" in client.get("/tasks/").content.decode()


def test_the_valid_rows_mode_in_the_background_imports_the_good_ones(tree, officer, login, large):
    rows = good_rows(tree, 3)
    rows[0][4] = "宇航员"
    upload(login(officer), rows, mode="valid")
    run_worker()
    job = Job.objects.get()
    assert job.result["created"] == 2 and Worker.objects.count() == 2


def test_a_small_import_is_done_in_the_request(tree, officer, login):
    response = upload(login(officer), good_rows(tree, 2))
    job = Job.objects.get()
    assert response["Location"] == f"/tasks/{job.pk}/" and job.state == JobState.DONE
    assert Worker.objects.count() == 2


def test_the_same_file_twice_while_queued_is_one_job(tree, officer, login, large):
    client = login(officer)
    rows = xlsx(good_rows(tree, 2)).getvalue()  # the same bytes twice
    upload(client, rows)
    upload(client, rows)
    assert Job.objects.count() == 1
    upload(client, rows, mode="valid")  # another choice: another job
    assert Job.objects.count() == 2


def test_others_cannot_see_a_task_but_the_union_administrator_can(tree, officer, login, large):
    upload(login(officer), good_rows(tree, 2))
    job = Job.objects.get()
    stranger = login(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert stranger.get(f"/tasks/{job.pk}/").status_code == 404
    assert stranger.get(f"/tasks/{job.pk}/download/").status_code == 404
    assert stranger.post(f"/tasks/{job.pk}/rerun/").status_code == 404
    admin = login(tree.staff(Role.CITY_ADMIN, tree.city))
    assert admin.get(f"/tasks/{job.pk}/").status_code == 200
    assert job.label in admin.get("/tasks/").content.decode()


def test_a_job_whose_worker_died_is_seen_and_run_again(tree, officer, login, large):
    client = login(officer)
    upload(client, good_rows(tree, 2))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1,
                                         lease_until=timezone.now() - datetime.timedelta(seconds=5))
    job.refresh_from_db()
    assert job.stalled and job.may_retry
    page = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "every 1s" not in page and f"/tasks/{job.pk}/rerun/" in page
    assert f"重新运行任务“{job.label}”？" in page  # asks first (static/yuanmeng/confirm.js)
    assert client.post(f"/tasks/{job.pk}/rerun/").status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2 and Worker.objects.count() == 2


def test_a_running_job_is_claimed_once_and_cannot_be_rerun(tree, officer, login, large):
    upload(login(officer), good_rows(tree, 2))
    job = Job.objects.get()
    assert job_execute(job.pk).state == JobState.DONE
    assert job_execute(job.pk) is None  # a second worker finds nothing to do
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, lease_until=timezone.now()
                                         + datetime.timedelta(minutes=1))
    with pytest.raises(Exception, match="failed task|失败的任务"):
        job_retry(by=officer, job=job)


def test_a_file_that_cannot_be_read_is_refused_at_once(tree, officer, login, large):
    client = login(officer)
    bad = io.BytesIO(b"%PDF-1.4 not a sheet\n" * 10)
    bad.name = "scan.pdf"
    response = client.post("/imports/workers/", {"file": bad, "mode": "all"})
    assert response.status_code == 200 and "xlsx、xls、ods 或 csv" in response.content.decode()
    assert not Job.objects.exists()


def test_a_job_that_fails_while_running_shows_the_reason(tree, officer, login, large):
    client = login(officer)
    upload(client, good_rows(tree, 2))
    job = Job.objects.get()
    (settings.MEDIA_ROOT / job.input_file).write_bytes(b"%PDF-1.4")  # the kept file is damaged meanwhile
    run_worker()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "xlsx" in job.error
    assert job.error in client.get(f"/tasks/{job.pk}/").content.decode()


def test_the_command_line_import_shows_progress_and_records_the_task(tree, officer, tmp_path, capsys):
    path = tmp_path / "workers.xlsx"
    path.write_bytes(xlsx(good_rows(tree, 3)).getvalue())
    call_command("import", "workers", str(path), "--as", officer.username)
    out = capsys.readouterr()
    assert "3 created" in out.out and "rows" in out.err
    assert Worker.objects.count() == 3 and Job.objects.get().state == JobState.DONE


def test_the_template_has_the_chinese_headers_and_an_example(officer, login):
    import openpyxl

    response = login(officer).get("/imports/workers/template/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(1, 1).value == "姓名" and sheet.cell(2, 2).value == "44010619900307001X"


def test_the_api_imports_a_file_and_follows_its_task(tree, officer, login, large):
    client = login(officer)
    data = xlsx(good_rows(tree, 2))
    data.name = "workers.xlsx"
    queued = client.post("/api/imports/workers", {"file": data, "mode": "valid"})
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    run_worker()
    task = client.get(f"/api/tasks/{queued.json()['id']}").json()
    assert task["state"] == "done" and task["result"]["created"] == 2 and task["file_url"] is None
    assert [t["id"] for t in client.get("/api/tasks").json()["items"]] == [task["id"]]
    bad = io.BytesIO(b"\x89PNG\r\n")
    bad.name = "photo.png"
    refused = client.post("/api/imports/workers", {"file": bad})
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
    assert client.post("/api/imports/nonsense", {"file": bad}).status_code == 404
    stranger = login(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert stranger.get(f"/api/tasks/{task['id']}").status_code == 404


def test_a_file_over_the_size_limit_is_refused(tree, officer, login, settings):
    settings.MAX_IMPORT_BYTES = 100
    data = xlsx(good_rows(tree, 2))
    data.name = "workers.xlsx"
    response = login(officer).post("/imports/workers/", {"file": data, "mode": "all"})
    assert response.status_code == 200 and "split it" in response.content.decode() or "拆分" in \
        response.content.decode()
    assert not Job.objects.exists()


def test_only_the_owner_reruns_a_task(tree, officer, login, large):
    upload(login(officer), good_rows(tree, 2))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state=JobState.FAILED)
    admin = login(tree.staff(Role.CITY_ADMIN, tree.city))  # follows it, but it would run with the owner's roles
    assert f"/tasks/{job.pk}/rerun/" not in admin.get(f"/tasks/{job.pk}/").content.decode()
    admin.post(f"/tasks/{job.pk}/rerun/")
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED


def test_a_workbook_that_does_not_say_its_size_goes_to_the_worker(tree, officer, settings):
    import openpyxl

    from yuanmeng.jobs.import_job import import_submit

    settings.IMPORT_INLINE_ROWS = 10
    book = openpyxl.Workbook(write_only=True)  # writes no <dimension>
    sheet = book.create_sheet()
    sheet.append(["姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别"])
    for row in good_rows(tree, 50):
        sheet.append(row[:5])
    data = io.BytesIO()
    book.save(data)
    job = import_submit(by=officer, kind="workers", source=data, file_name="w.xlsx", all_or_nothing=True)
    assert job.state == JobState.QUEUED and job.total >= 50


def test_the_command_line_says_when_the_same_import_is_already_running(tree, officer, tmp_path, large):
    from django.core.management.base import CommandError

    from yuanmeng.jobs.import_job import import_submit

    path = tmp_path / "workers.xlsx"
    path.write_bytes(xlsx(good_rows(tree, 3)).getvalue())
    with open(path, "rb") as source:
        job = import_submit(by=officer, kind="workers", source=source, file_name="workers.xlsx",
                            all_or_nothing=True)
    call_command("import", "workers", str(path), "--as", officer.username)  # queued, not running: it runs here
    assert Job.objects.get(pk=job.pk).state == JobState.DONE and Worker.objects.count() == 3
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, lease_until=timezone.now()
                                         + datetime.timedelta(minutes=1))
    Worker.objects.all().delete()
    with pytest.raises(CommandError, match=f"task {job.pk}"):
        call_command("import", "workers", str(path), "--as", officer.username)


@pytest.mark.skipif("sqlite" in os.environ.get("DATABASE_URL", "sqlite"),
                    reason="SQLite has one writer at a time: the lease cannot be renewed during a write there")
def test_the_lease_is_renewed_while_the_task_writes(tree, officer, settings, monkeypatch):
    import time

    from yuanmeng.jobs.import_job import import_submit
    from yuanmeng.people.imports import WORKERS

    settings.JOB_LEASE_SECONDS = 1
    write, seen = type(WORKERS).write, {}

    def slow_write(self, context):
        time.sleep(1.5)  # a long INSERT … SELECT or a lock wait: no progress reported meanwhile
        seen["stalled"] = Job.objects.get(pk=context.params["job"]).stalled
        return write(self, context)

    monkeypatch.setattr(type(WORKERS), "write", slow_write)
    job = import_submit(by=officer, kind="workers", source=xlsx(good_rows(tree, 3)), file_name="w.xlsx",
                        all_or_nothing=True)
    assert seen == {"stalled": False} and job.state == JobState.DONE


def test_a_long_file_name_is_no_trouble(tree, officer, login):
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    response = upload(login(officer), rows, name="职" * 195 + ".xlsx", mode="valid")
    job = Job.objects.get()
    assert response.status_code == 302 and job.state == JobState.DONE and len(job.output_name) <= 200


def test_old_tasks_files_are_pruned_and_the_tasks_kept(tree, officer, login, capsys):
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    upload(login(officer), rows)
    job = Job.objects.get()
    kept = [settings.MEDIA_ROOT / job.input_file, settings.MEDIA_ROOT / job.output_file]
    assert all(path.is_file() for path in kept)
    call_command("tasks", "prune", "--days", "30")
    assert all(path.is_file() for path in kept)  # too recent
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=31))
    call_command("tasks", "prune", "--days", "30")
    assert "2 files of 1 tasks" in capsys.readouterr().out
    job.refresh_from_db()
    assert not any(path.exists() for path in kept) and job.input_file == job.output_file == ""
    assert login(officer).get(f"/tasks/{job.pk}/download/").status_code == 404


def test_a_tasks_output_is_discarded_by_jobs_and_nothing_outside_the_uploads(tree, officer, login, tmp_path):
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    upload(login(officer), rows)
    job = Job.objects.get()
    output = settings.MEDIA_ROOT / job.output_file
    outside = tmp_path / "not-a-task-file"
    outside.write_text("kept")
    other = Job.objects.create(kind=job.kind, label="x", owner=job.owner, dedupe_key="other",
                               output_file=os.path.relpath(outside, settings.MEDIA_ROOT))
    assert job_outputs_discard(job_ids=[job.pk, other.pk]) == 2
    assert not output.exists() and outside.read_text() == "kept"
    assert list(Job.objects.filter(pk__in=[job.pk, other.pk]).values_list("output_file", flat=True)) == ["", ""]
    assert (settings.MEDIA_ROOT / job.input_file).is_file()  # only the outputs named go


def test_a_task_belongs_to_the_union_where_its_owner_did_that_work(tree, login, large):
    from yuanmeng.orgs.services import membership_grant

    both = tree.staff(Role.AUDITOR, tree.city, username="auditor_and_officer")  # a role in the city …
    membership_grant(by=tree.root_user, user=both, organisation=tree.tianhe, role=Role.DISTRICT_REVIEWER)
    upload(login(both), good_rows(tree, 2))  # … but registers workers as 天河's reviewer
    assert Job.objects.get().organisation == tree.tianhe
