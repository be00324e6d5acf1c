"""A worker's bank account entered by staff, the API or a union's import: the card number's check digit is tested
everywhere it is typed, and a correction of an account the bank refused puts the worker back in the payout queue
however it is made."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from tests.builders import bank_card, workbook
from yuanmeng.core.imports import run_import
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import WORKERS
from yuanmeng.people.models import Worker
from yuanmeng.people.services import bank_accounts_refused, worker_update

pytestmark = pytest.mark.django_db
WRONG_CHECK_DIGIT = "6222020200112233445"  # 62…, 19 digits: a card, whose last digit should be 6
HEADER = ["姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别", "开户银行", "银行账号"]


def refuse(worker):
    Worker.objects.filter(pk=worker.pk).update(bank_account_refused_at=timezone.now())


def import_row(tree, worker, *, bank_name, account):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    cells = [worker.name, worker.id_number, worker.mobile, tree.tianhe_firm.credit_code, "一线生产", bank_name,
             account]
    with translation.override("en"):
        return run_import(WORKERS, by=officer, source=workbook(HEADER, [cells]))


def test_staff_and_registration_refuse_a_card_number_with_a_wrong_check_digit(tree):
    with pytest.raises(ValidationError) as registering:
        tree.worker(bank_account=WRONG_CHECK_DIGIT)
    assert "bank_account" in registering.value.message_dict
    worker = tree.worker()
    with pytest.raises(ValidationError) as updating:
        worker_update(by=tree.root_user, worker=worker, bank_account=WRONG_CHECK_DIGIT)
    assert "bank_account" in updating.value.message_dict
    assert Worker.objects.get(pk=worker.pk).bank_account == worker.bank_account


def test_the_api_answers_422_for_a_wrong_check_digit(tree, client):
    worker = tree.worker()
    client.force_login(tree.root_user)
    answer = client.patch(f"/api/workers/{worker.pk}", {"bank_account": WRONG_CHECK_DIGIT},
                          content_type="application/json")
    assert answer.status_code == 422 and "bank_account" in answer.json()["errors"]


def test_an_import_row_with_a_wrong_check_digit_names_the_column(tree):
    worker = tree.worker()
    report = import_row(tree, worker, bank_name="工商银行", account=WRONG_CHECK_DIGIT)
    assert report.errors == 1 and "银行账号" in report.first_errors[0][1]
    assert Worker.objects.get(pk=worker.pk).bank_account == worker.bank_account


@pytest.mark.parametrize("change", ["account", "bank"])
def test_an_import_correcting_a_refused_account_puts_the_worker_back_in_the_queue(tree, change):
    worker, untouched = tree.worker(), tree.worker(name="未改户")
    refuse(worker), refuse(untouched)
    account = bank_card() if change == "account" else worker.bank_account
    report = import_row(tree, worker, bank_name="建设银行" if change == "bank" else worker.bank_name, account=account)
    assert (report.errors, report.updated) == (0, 1), report.first_errors
    assert Worker.objects.get(pk=worker.pk).bank_account_refused_at is None
    assert Worker.objects.get(pk=untouched.pk).bank_account_refused_at is not None


def test_an_import_leaving_the_account_as_it_was_keeps_the_refusal(tree):
    worker = tree.worker()
    refuse(worker)
    officer_row = import_row(tree, worker, bank_name=worker.bank_name, account=worker.bank_account)
    assert officer_row.updated == 0
    assert Worker.objects.get(pk=worker.pk).bank_account_refused_at is not None


@pytest.mark.django_db(transaction=True)
def test_marking_accounts_refused_needs_the_callers_transaction(tree):
    worker = tree.worker()
    selection, params = "SELECT id FROM people_worker WHERE id = %s", [worker.pk]
    with pytest.raises(RuntimeError):
        bank_accounts_refused(selection=selection, params=params, at=timezone.now())
    with transaction.atomic():
        assert bank_accounts_refused(selection=selection, params=params, at=timezone.now()) == 1
