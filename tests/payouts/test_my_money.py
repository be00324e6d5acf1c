"""Where is my money: the worker's total by part (city, district, enterprise) on the home page, the application
page and the API; messages that name and link the application, in the reader's language; the bank account the
worker enters or corrects, and the list of those a payment cannot reach."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.builders import PASSWORD
from tests.payouts.test_results import approved_batch, result_file, row
from yuanmeng.applications.models import Application
from yuanmeng.applications.selectors import application_pay
from yuanmeng.applications.workflow import State
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.my_money import worker_money
from yuanmeng.payouts.services import result_import
from yuanmeng.people.models import Worker
from yuanmeng.people.services import bank_account_change, worker_account_create, worker_update
from yuanmeng.policies.selectors import top_ups as policy_top_ups
from yuanmeng.policies.selectors import top_ups_json, top_ups_read
from yuanmeng.policies.services import policy_create, policy_publish

pytestmark = pytest.mark.django_db
YUAN = 100


def top_ups(tree, policy, district=500, enterprise=300):
    for org, code, amount in ((tree.tianhe, "TH-M", district), (tree.tianhe_firm.organisation, "FIRM-M", enterprise)):
        matching = policy_create(by=tree.root_user, organisation=org, code=code, year=policy.year, title=code,
                                 parent=policy, amount_college_fen=amount * YUAN, amount_bachelor_fen=amount * YUAN)
        policy_publish(by=tree.root_user, policy=matching)


def login(client, worker):
    client.force_login(worker.user)
    return client


def test_a_city_only_application_pays_the_city_amount(tree):
    worker = tree.member()
    application = tree.apply(worker, tree.policy())
    parts = application_pay(application)
    assert (parts.city_fen, parts.district_fen, parts.enterprise_fen, parts.total_fen) == (150_000, 0, 0, 150_000)
    money = worker_money(worker)
    assert money.application == application and money.parts == parts and money.paid_fen == 0
    assert not money.at_most  # the city's amount alone is what a funded round pays
    assert money.who == application.organisation.name  # the enterprise union confirms next


def test_city_district_and_enterprise_parts_are_added_on_the_home_page_the_detail_and_the_api(tree, client):
    policy = tree.policy()
    top_ups(tree, policy)
    worker = tree.member()
    application = tree.apply(worker, policy)
    assert tuple(application_pay(application)) == (150_000, 50_000, 30_000)
    login(client, worker)
    with translation.override("en"):
        home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2,300.00" in home and "1,500.00" in home and "500.00" in home and "300.00" in home
    # a round pays the matching only while each union's budget lasts: the total is the most, and says so
    assert "Total, at most" in home and "Total you will receive" not in home
    with translation.override("en"):
        detail = client.get(reverse("application_detail", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "up to 2,300.00" in detail.content.decode()
    answer = client.get(f"/api/applications/{application.pk}").json()
    assert answer["pay"] == {"city_fen": 150_000, "district_fen": 50_000, "enterprise_fen": 30_000,
                             "total_fen": 230_000}


def test_a_worker_elsewhere_gets_only_the_matching_of_unions_above_them(tree, client):
    policy = tree.policy()
    top_ups(tree, policy)
    worker = tree.member(employer=tree.haizhu_firm)
    application = tree.apply(worker, policy)
    assert tuple(application_pay(application)) == (150_000, 0, 0)
    login(client, worker)
    assert client.get(f"/api/applications/{application.pk}").json()["pay"]["total_fen"] == 150_000


def test_top_ups_read_with_the_application_are_those_asked_for_apart(tree):
    """The API's read takes the policy's top-ups as JSON in its own query (``top_ups_json``): the same policies, in
    the same order, with what ``pay_by_part`` reads of them."""
    policy = tree.policy()
    top_ups(tree, policy)
    application = Application.objects.annotate(read=top_ups_json("policy_id")).get(
        pk=tree.apply(tree.member(), policy).pk)

    def shown(policies):
        return [(p.pk, p.organisation.kind, p.organisation.path, p.organisation.depth, p.amount_college_fen,
                 p.amount_bachelor_fen) for p in policies]

    assert len(application.read) == 2
    assert shown(top_ups_read(application.read)) == shown(policy_top_ups(policy))
    assert top_ups_read(None) == []


def test_after_a_payment_the_line_is_the_fact_and_paid_so_far_counts_it(tree):
    setup = approved_batch(tree)
    one, two, three, *_rest = setup.lines
    worker = Application.objects.get(pk=three.application_id).worker  # the district's matching had run out
    before = worker_money(worker)
    assert tuple(before.parts) == (150_000, 0, 30_000) and before.paid_fen == 0
    assert not before.at_most  # the line holds what the round reserved: the fact, not a promise
    result_import(by=setup.finance, batch=setup.batch, upload=result_file([row(one), row(two), row(three)]))
    after = worker_money(worker)
    assert after.application.state == State.PAID and after.paid_fen == 180_000


def test_messages_name_and_link_the_application_and_read_in_the_readers_language(tree, client):
    worker, policy = tree.member(), tree.policy()
    first = tree.apply(worker, policy)
    Application.objects.filter(pk=first.pk).update(state=State.WITHDRAWN)
    second = tree.apply(worker, policy)
    login(client, worker)
    page = client.get(reverse("my_messages")).content.decode()
    for application in (first, second):
        assert reverse("application_detail", args=[application.pk]) in page
    message = Message.objects.filter(worker=worker).latest("id")
    assert (message.about_kind, message.about_id, message.about_label) == ("application", second.pk, policy.title)
    with translation.override("en"):
        assert message.shown_subject() == "Study subsidy: Submitted"
        assert message.shown_body() == "Your application has been received and waits for your enterprise union."
    assert message.shown_body() == message.body  # Chinese, as sent
    client.cookies["django_language"] = "en"
    english = client.get(reverse("my_messages"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "waits for your enterprise union" in english


def test_a_bank_refusal_reads_in_english_with_the_banks_words(tree):
    setup = approved_batch(tree)
    one, two, *_rest = setup.lines
    result_import(by=setup.finance, batch=setup.batch, upload=result_file([row(two, "失败", "账户不存在")]))
    message = Message.objects.filter(worker__applications=two.application_id).latest("id")
    assert message.about_id == two.application_id
    with translation.override("en"):
        assert "The bank said: 账户不存在." in message.shown_body()
        assert "once they are corrected" in message.shown_body()


@pytest.mark.parametrize(("number", "problem"), [
    ("6222020200112233445", "last digit"),  # a card number whose check digit is wrong
    ("62220202", "12 to 30 digits"),  # too short
    ("6222 0202 00ab 3344", "12 to 30 digits"),  # letters
])
def test_the_bank_account_form_refuses_bad_numbers(tree, client, number, problem):
    worker = tree.member()
    login(client, worker)
    with translation.override("en"):
        page = client.post(reverse("my_bank_account"), {"bank_name": "工商银行", "bank_account": number},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and problem in page.content.decode()
    assert Worker.objects.get(pk=worker.pk).bank_account_masked == worker.bank_account_masked


def test_a_worker_without_an_account_sees_the_blocking_step_and_enters_it(tree, client):
    worker = tree.member(bank_name="", bank_account="")
    login(client, worker)
    assert 'id="bank-account"' in client.get("/").content.decode()
    corporate = "44050158000800000123"  # 20 digits, no check digit to test: accepted on length
    answer = client.post(reverse("my_bank_account"), {"bank_name": "建设银行", "bank_account": corporate})
    assert answer.status_code == 302
    worker.refresh_from_db()
    assert worker.bank_account == corporate and worker.bank_account_refused_at is None
    assert 'id="bank-account"' not in client.get("/").content.decode()
    assert Message.objects.filter(worker=worker).latest("id").subject_msgid == "Your bank account"


def test_the_no_bank_account_list_and_its_export_are_scoped(tree, client):
    inside = tree.worker(bank_name="", bank_account="", name="无账户甲")
    outside = tree.worker(employer=tree.haizhu_firm, bank_name="", bank_account="", name="无账户乙")
    refused = tree.worker(name="被拒户")
    Worker.objects.filter(pk=refused.pk).update(bank_account_refused_at=timezone.now())
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    client.force_login(officer)
    page = client.get(reverse("worker_list"), {"bank": "missing"}).content.decode()
    assert inside.name in page and refused.name in page and outside.name not in page
    export = client.get("/exports/workers/", {"bank": "missing"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    names = [r[0] for r in book.active.iter_rows(values_only=True)]
    assert inside.name in names and refused.name in names and outside.name not in names


def test_another_worker_cannot_change_an_account(tree):
    worker, other = tree.member(), tree.worker()
    user = worker_account_create(by=tree.root_user, worker=other, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        bank_account_change(by=user, worker=worker, bank_name="工商银行", bank_account="44050158000800000123")


def test_the_union_correcting_the_account_also_puts_the_worker_back_in_the_queue(tree):
    worker = tree.member()
    Worker.objects.filter(pk=worker.pk).update(bank_account_refused_at=timezone.now())
    worker_update(by=tree.root_user, worker=Worker.objects.get(pk=worker.pk), bank_account="44050158000800000123")
    assert Worker.objects.get(pk=worker.pk).bank_account_refused_at is None
