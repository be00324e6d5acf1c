"""Files that hold personal numbers (kept uploads, rows to fix, exports, documents, payment files) are
0600 in 0700 folders, also where the folders were made earlier with wider modes; they are pruned after
YUANMENG_TASK_FILES_KEEP_DAYS."""

import datetime
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.applications.test_rules import roster_file
from tests.jobs.test_jobs import good_rows, upload
from tests.payouts.test_file_jobs import large_batch  # noqa: F401 (a fixture)
from yuanmeng.applications.services import roster_upload
from yuanmeng.core.storage import private_folder
from yuanmeng.jobs.models import Job
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.services import payment_file_request

pytestmark = pytest.mark.django_db(transaction=True)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(relative: str) -> None:
    """The file 0600, and every folder from MEDIA_ROOT down to it 0700."""
    root = Path(settings.MEDIA_ROOT)
    assert mode(root / relative) == 0o600, relative
    for folder in Path(relative).parents:
        assert mode(root / folder) == 0o700, folder


@pytest.fixture
def open_folders():
    """Folders as an earlier version left them: 0755."""
    for folder in ("imports", "import-reports", "exports", "applications", "payment-files"):
        (Path(settings.MEDIA_ROOT) / folder).mkdir(parents=True, mode=0o755)
    Path(settings.MEDIA_ROOT).chmod(0o755)


def test_a_kept_upload_and_its_rows_to_fix_are_private(tree, login, open_folders):
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    upload(login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)), rows, mode="valid")
    job = Job.objects.get()
    assert job.input_file and job.output_file
    assert_private(job.input_file)
    assert_private(job.output_file)


def test_an_export_written_by_the_worker_is_private(tree, login, settings, open_folders):
    settings.EXPORT_INLINE_ROWS = 1
    tree.worker(), tree.worker()
    login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)).get("/exports/workers/")
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert_private(Job.objects.get().output_file)


def test_an_applicants_document_is_private(tree, people, policy, open_folders):
    document = tree.apply(people.worker, policy).documents.get()
    assert_private(document.file.name)


def test_the_payment_files_folder_is_private(open_folders):
    assert mode(private_folder("payment-files")) == 0o700 and mode(Path(settings.MEDIA_ROOT)) == 0o700


def test_task_files_are_pruned_after_the_days_the_setting_says(tree, login, settings, capsys):
    settings.TASK_FILES_KEEP_DAYS = 7
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    upload(login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)), rows, mode="valid")
    job = Job.objects.get()
    kept = [Path(settings.MEDIA_ROOT) / job.input_file, Path(settings.MEDIA_ROOT) / job.output_file]
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=6))
    call_command("tasks", "prune")
    assert all(path.is_file() for path in kept)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=8))
    call_command("tasks", "prune")
    assert "2 files of 1 tasks" in capsys.readouterr().out and not any(path.exists() for path in kept)


def test_the_worker_prunes_when_it_starts(tree, login, settings):
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    upload(login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)), rows, mode="valid")
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=8))
    call_command("worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert job.input_file == job.output_file == ""


def test_a_roster_refused_through_the_api_leaves_no_rows_to_fix_behind(tree, people):
    bad = roster_file([["123", "not a number", "某人", "?", "机电", "yesterday"]])
    with pytest.raises(ValidationError):
        roster_upload(by=people.school, school=tree.school_profile, upload=bad)
    reports = Path(settings.MEDIA_ROOT) / "import-reports"
    assert not reports.exists() or not any(p.is_file() for p in reports.rglob("*"))


def test_a_payment_file_written_by_the_worker_is_private(large_batch, open_folders):  # noqa: F811
    batch, finance = large_batch
    payment_file_request(by=finance, batch=batch, fmt="xlsx")
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert_private(Job.objects.get(kind="payment_file").output_file)
