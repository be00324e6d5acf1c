"""A stored file that is gone (uploads not restored, or deleted after its time) is a clear 404 page, not a 500."""

import pytest

from yuanmeng.jobs.models import Job, JobState
from yuanmeng.jobs.services import DOWNLOAD_RULES
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db


def test_a_document_whose_file_is_missing_is_a_clear_404(tree, people, policy, login):
    document = tree.apply(people.worker, policy).documents.get()
    document.file.storage.delete(document.file.name)
    response = login(people.district).get(f"/applications/documents/{document.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 404 and "File not found" in page and document.original_name in page
    assert "restore the uploads folder" in page


def test_a_task_file_that_is_gone_is_a_clear_404(tree, login, monkeypatch):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    monkeypatch.setitem(DOWNLOAD_RULES, "export-test", lambda job, user: True)
    job = Job.objects.create(kind="export-test", label="export", owner=officer, state=JobState.DONE,
                             dedupe_key="export-test", output_file="exports/1/gone.xlsx", output_name="工人.xlsx")
    response = login(officer).get(f"/tasks/{job.pk}/download/")
    assert response.status_code == 404 and "工人.xlsx" in response.content.decode()
