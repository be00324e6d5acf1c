"""A large batch's payment file is written by the background worker as a task, with its progress on the page."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tests.payouts.scale import verified_applications
from yuanmeng.audit.models import AuditEntry
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.models import Batch, PaymentLine
from yuanmeng.payouts.services import batch_approve, result_import, round_commit

pytestmark = pytest.mark.django_db(transaction=True)
YUAN = 100


@pytest.fixture
def large_batch(tree, settings):
    settings.PAYMENT_FILE_INLINE_LINES = 3  # "large" above three lines, so a test batch is large
    policy = tree.policy()
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=100_000 * YUAN)
    verified_applications(tree, policy, 5)
    round_ = round_commit(by=tree.staff(Role.CITY_ADMIN, tree.city), policy=policy, budget=budget,
                          limit_fen=7_500 * YUAN, code="R-BIG")
    finance = tree.staff(Role.FINANCE_OFFICER, tree.city, username="fin_big")
    return batch_approve(by=finance, batch=round_.batches.get()), finance


def test_the_page_queues_the_file_the_worker_writes_it_with_progress(large_batch, login):
    batch, finance = large_batch
    client = login(finance)
    response = client.post(f"/payouts/batches/{batch.pk}/file/xlsx/")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{job.pk}/"
    assert job.kind == "payment_file" and job.state == JobState.QUEUED and job.total == 5
    client.post(f"/payouts/batches/{batch.pk}/file/xlsx/")  # asked again while queued: the same task
    assert Job.objects.count() == 1
    assert AuditEntry.objects.filter(action="batch.file_request").count() == 1
    page = client.get(f"/tasks/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page

    call_command("db_worker", "--batch", "--no-startup-delay")  # the background worker, once through the queue

    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == 5 and job.result["sha256"]
    assert Batch.objects.get(pk=batch.pk).file_issued_at is not None
    page = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "every 1s" not in page and f"/tasks/{job.pk}/download/" in page
    download = client.get(f"/tasks/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert batch.round.code in download["Content-Disposition"]


def test_others_cannot_follow_or_fetch_the_file(tree, large_batch, login):
    batch, finance = large_batch
    login(finance).post(f"/payouts/batches/{batch.pk}/file/pain001/")
    call_command("db_worker", "--batch", "--no-startup-delay")
    job = Job.objects.get()
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    assert login(reviewer).get(f"/tasks/{job.pk}/").status_code == 404
    assert login(reviewer).get(f"/tasks/{job.pk}/download/").status_code == 404
    admin = login(tree.staff(Role.CITY_ADMIN, tree.city))  # sees the task of their union, not the bank file
    assert admin.get(f"/tasks/{job.pk}/").status_code == 200
    assert admin.get(f"/tasks/{job.pk}/download/").status_code == 404


def test_a_file_the_owner_may_no_longer_release_fails_with_the_reason(large_batch, login):
    batch, finance = large_batch
    login(finance).post(f"/payouts/batches/{batch.pk}/file/xlsx/")
    finance.memberships.all().delete()
    call_command("db_worker", "--batch", "--no-startup-delay")
    job = Job.objects.get()
    assert job.state == JobState.FAILED and job.error and not job.output_file


def test_the_owner_who_lost_the_finance_role_can_no_longer_fetch_the_file(large_batch, login):
    batch, finance = large_batch
    login(finance).post(f"/payouts/batches/{batch.pk}/file/xlsx/")
    call_command("db_worker", "--batch", "--no-startup-delay")
    job = Job.objects.get()
    assert login(finance).get(f"/tasks/{job.pk}/download/").status_code == 200
    finance.memberships.all().delete()
    client = login(finance)
    assert client.get(f"/tasks/{job.pk}/download/").status_code == 404
    assert f"/tasks/{job.pk}/download/" not in client.get(f"/tasks/{job.pk}/").content.decode()


def issue_by_worker(client, batch, fmt="xlsx", **data) -> Job:
    """Ask for the file on the page, let the background worker write it: the task."""
    client.post(f"/payouts/batches/{batch.pk}/file/{fmt}/", data)
    call_command("db_worker", "--batch", "--no-startup-delay")
    job = Job.objects.filter(kind="payment_file").first()  # the newest
    assert job.state == JobState.DONE, job.error
    return job


def stored(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / job.output_file


def download(client, job: Job) -> int:
    return client.get(f"/tasks/{job.pk}/download/").status_code


def test_both_formats_of_one_issue_and_the_stored_files_go_when_the_bank_answers(large_batch, login):
    batch, finance = large_batch
    client = login(finance)
    xlsx = issue_by_worker(client, batch, "xlsx")
    xml = issue_by_worker(client, batch, "pain001")  # the other encoding: the same officer, no second issue
    assert [download(client, job) for job in (xlsx, xml)] == [200, 200]
    files = [stored(xlsx), stored(xml)]
    assert all(path.is_file() for path in files)
    rows = "".join(f"{line.reference},成功\n" for line in PaymentLine.objects.filter(batch=batch))
    result_import(by=finance, batch=batch, upload=SimpleUploadedFile("r.csv", f"业务参考号,状态\n{rows}".encode()))
    assert not any(path.exists() for path in files)
    assert list(Job.objects.filter(kind="payment_file").values_list("output_file", flat=True)) == ["", ""]
    assert [download(client, job) for job in (xlsx, xml)] == [404, 404]


def test_the_stored_file_is_kept_a_short_time_then_pruned(large_batch, login, settings):
    batch, finance = large_batch
    client = login(finance)
    old, fresh = issue_by_worker(client, batch, "xlsx"), issue_by_worker(client, batch, "pain001")
    written = timezone.now() - datetime.timedelta(hours=settings.PAYMENT_FILE_KEEP_HOURS, minutes=1)
    Job.objects.filter(pk=old.pk).update(finished_at=written)
    assert (download(client, old), download(client, fresh)) == (404, 200)
    path = stored(old)
    call_command("tasks", "prune", "--days", "30", stdout=io.StringIO())
    assert not path.exists() and stored(fresh).is_file()
    assert Job.objects.get(pk=old.pk).output_file == "" and download(client, fresh) == 200


def test_a_new_issue_by_a_second_officer_ends_the_first_officers_file(tree, large_batch, login):
    batch, finance = large_batch
    first = issue_by_worker(login(finance), batch)
    second_officer = tree.staff(Role.FINANCE_OFFICER, tree.city, username="fin_second")
    second = issue_by_worker(login(second_officer), batch, reissue="1")
    assert AuditEntry.objects.filter(action="batch.file_reissue").count() == 1
    assert download(login(finance), first) == 404
    assert download(login(second_officer), second) == 200
    call_command("tasks", "prune", "--days", "30", stdout=io.StringIO())
    assert Job.objects.get(pk=first.pk).output_file == "" and stored(second).is_file()


def test_the_api_queues_a_large_batchs_file(large_batch, login):
    batch, finance = large_batch
    answer = login(finance).post(f"/api/payouts/batches/{batch.pk}/file/xlsx")
    job = Job.objects.get()
    assert answer.status_code == 202 and answer.json() == {"job": job.pk, "url": f"/tasks/{job.pk}/"}
