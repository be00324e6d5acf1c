"""Where is my money: what a worker's home shows of their live application — its state, the next step and who
takes it, what it will pay by part (city, district, enterprise), what has been paid — read in a few queries.

A line of a payout round is the fact once the round is committed (its matching parts are what the budgets
allowed); before, the amounts come from ``applications.selectors.application_pay``, the rule the commit applies.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yuanmeng.applications.models import Application
from yuanmeng.applications.selectors import application_pay
from yuanmeng.applications.workflow import ENDED_STATES, State
from yuanmeng.notify.models import Message
from yuanmeng.payouts.models import LIVE_LINE, LineStatus, PaymentLine
from yuanmeng.payouts.selectors import notice_line_for_worker
from yuanmeng.people.forms import BankAccountForm
from yuanmeng.people.services import bank_account_needed
from yuanmeng.policies.selectors import PayParts

HOME_MESSAGES = 5  # the latest messages on the home page; the rest on /me/messages/
YOU, ENTERPRISE, DISTRICT, CITY, SCHOOL = "you", "enterprise", "district", "city", "school"

# The next step of an application in each state, and who takes it.
NEXT_STEPS = {
    State.SUBMITTED: (ENTERPRISE, _("Your enterprise union confirms that you work there and are a member.")),
    State.CONFIRMED: (DISTRICT, _("The district union reviews your application.")),
    State.REVIEWED: (CITY, _("The city union approves your pre-registration.")),
    State.RETURNED: (YOU, _("Correct your application as the union asks and submit it again.")),
    State.APPROVED: (YOU, _("Submit your diploma when you graduate.")),
    State.DIPLOMA_SUBMITTED: (SCHOOL, _("Your diploma is checked against your school's list of graduates, then "
                                        "verified by the union.")),
    State.DIPLOMA_RETURNED: (YOU, _("Correct your diploma as the union asks and submit it again.")),
    State.DIPLOMA_VERIFIED: (CITY, _("The city union pays you in a coming payout round.")),
    State.IN_BATCH: (CITY, _("Your payment is in a payout round: after its public notice the bank pays it.")),
}
BANK_STEP = (YOU, _("Enter your bank account: nothing can be paid until it is on file."))


@dataclass
class MyMoney:
    application: Application | None = None
    step: str = ""
    who: str = ""  # the name of who takes the step: a union, the school, or "you"
    parts: PayParts = PayParts()
    paid_fen: int = 0  # paid so far, over all the worker's applications
    line: PaymentLine | None = None  # the live application's line in a round, pending or paid
    bank_needed: bool = False

    @property
    def at_most(self) -> bool:
        """Before a round holds the application, a matching part is what the rule gives, and a round pays it only
        while its union's matching budget lasts (the commit skips a union without one): the total is the most the
        worker may receive, and the page says so."""
        return self.line is None and self.parts.matching_fen > 0


def _who(who: str, application: Application) -> str:
    names = {ENTERPRISE: application.organisation.name, CITY: application.policy.organisation.name,
             DISTRICT: application.area.name if application.area_id else _("the district union"),
             SCHOOL: application.school.organisation.name, YOU: _("you")}
    return str(names[who])


def live_application(worker) -> Application | None:
    """The worker's application still under way (the latest), else the latest that ended."""
    mine = (Application.objects.filter(worker=worker)
            .select_related("policy__organisation", "organisation", "area", "school__organisation")
            .order_by("-submitted_at", "-id"))
    return mine.exclude(state__in=ENDED_STATES).first() or mine.first()


def worker_money(worker) -> MyMoney:
    """What the worker's home answers to "where is my money?"."""
    money = MyMoney(bank_needed=bank_account_needed(worker))
    lines = list(PaymentLine.objects.filter(LIVE_LINE, application__worker=worker).defer("account").order_by("-id"))
    money.paid_fen = sum(line.total_fen for line in lines if line.status == LineStatus.PAID)
    application = money.application = live_application(worker)
    if application is None:
        return money
    money.line = next((line for line in lines if line.application_id == application.pk), None)
    if money.line is not None:
        line = money.line
        money.parts = PayParts(line.city_fen, line.district_fen, line.enterprise_fen)
    else:
        money.parts = application_pay(application)
    if application.state in ENDED_STATES:
        return money
    who, step = BANK_STEP if money.bank_needed and application.state == State.DIPLOMA_VERIFIED else \
        NEXT_STEPS[application.state]
    money.step, money.who = str(step), _who(who, application)
    return money


def worker_home(worker) -> dict:
    """The worker's part of the home page (``web/home_worker.html``): the money, the latest messages, the bank
    account form when one is needed, and their line on a public notice."""
    messages = Message.objects.filter(worker=worker).order_by("-created_at", "-id")[:HOME_MESSAGES]
    return {"money": worker_money(worker), "bank_form": BankAccountForm(), "worker_messages": list(messages),
            "notice_line": notice_line_for_worker(worker)}
