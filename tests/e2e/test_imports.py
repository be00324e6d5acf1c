"""In a real browser on a phone: an officer downloads the template, uploads a file with one bad row, reads the
report, then uploads the corrected rows; a large file goes to the background worker and its page follows."""

import pytest
from django.core.management import call_command

from tests.builders import Tree
from tests.e2e.test_roles import log_in
from tests.jobs.test_worker_import import good_rows, xlsx
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree(transactional_db):
    return Tree()


def upload(phone, base_url, tmp_path, rows, mode="all"):
    path = tmp_path / "职工名册.xlsx"
    path.write_bytes(xlsx(rows).getvalue())
    phone.goto(f"{base_url}/imports/workers/")
    phone.set_input_files("input[type=file]", str(path))
    phone.check(f"input[name=mode][value={mode}]")
    phone.click("form.form button[type=submit].primary")
    phone.wait_for_url(f"{base_url}/tasks/*/")


def test_an_officer_imports_workers_fixes_a_row_and_imports_again(live_server, tree, phone, screenshots, tmp_path):
    tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username="e2e_importer")
    log_in(phone, live_server.url, "e2e_importer")
    rows = good_rows(tree, 3)
    rows[1][1] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")
    upload(phone, live_server.url, tmp_path, rows)
    page = phone.content()
    assert "校验码" in page and "未导入任何数据" in page and Worker.objects.count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(screenshots / "import-report.png"), full_page=True)
    with phone.expect_download() as download:
        phone.click("text=下载需修改的行")
    assert download.value.suggested_filename.endswith(".xlsx")
    upload(phone, live_server.url, tmp_path, good_rows(tree, 3))
    assert "文件已导入" in phone.content() and Worker.objects.count() == 3


def test_a_large_import_shows_its_progress_until_the_worker_is_done(live_server, tree, phone, screenshots,
                                                                    tmp_path, settings):
    settings.IMPORT_INLINE_ROWS = 1
    tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username="e2e_importer")
    log_in(phone, live_server.url, "e2e_importer")
    upload(phone, live_server.url, tmp_path, good_rows(tree, 4), mode="valid")
    assert "排队中" in phone.content()
    phone.screenshot(path=str(screenshots / "import-queued.png"), full_page=True)
    call_command("db_worker", "--batch", "--no-startup-delay")
    phone.wait_for_selector("text=文件已导入", timeout=10_000)  # the page refreshes itself
    assert Worker.objects.count() == 4
    phone.goto(f"{live_server.url}/tasks/")
    assert "职工名册.xlsx" in phone.content()
    phone.screenshot(path=str(screenshots / "tasks.png"), full_page=True)
