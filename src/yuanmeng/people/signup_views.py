"""Pages of the sign-up: the worker's (sign up, join by invitation, password reset: no log-in) and the enterprise
union's (members to confirm, the invitation link and its QR code). Thin: the services decide."""

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.accounts.backends import client_address
from yuanmeng.accounts.selectors import enterprise_invited, invitation_of
from yuanmeng.accounts.services import invitation_renew
from yuanmeng.core.access import get_for_action
from yuanmeng.core.errors import refusal_text
from yuanmeng.core.pages import add_service_errors, paginate, run_with_message
from yuanmeng.orgs.models import Enterprise
from yuanmeng.orgs.roles import Capability, Role
from yuanmeng.orgs.scoping import grants
from yuanmeng.people import selectors, services
from yuanmeng.people.models import MembershipState
from yuanmeng.people.permissions import may_confirm_members
from yuanmeng.people.signup_forms import DeclineForm, ResetForm, ResetRequestForm, SignUpForm

BACKEND = "yuanmeng.accounts.backends.UsernameOrMobileBackend"
RESET_SESSION_KEY = "password_reset_identifier"


def sign_up(request, token: str = ""):
    """One form: "Send code" sends the SMS to the mobile typed (whatever else is filled in yet) and shows the form
    again as it was, without judging the other fields; "Sign up" registers."""
    if request.user.is_authenticated:
        return redirect("home")
    enterprise = enterprise_invited(token) if token else None
    sending = request.method == "POST" and "send_code" in request.POST
    form = SignUpForm(initial=request.POST.dict()) if sending else SignUpForm(request.POST or None)
    if enterprise is not None:
        del form.fields["credit_code"]  # the link names the enterprise
    if sending:
        _send_sign_up_code(request, request.POST.get("mobile", ""))
    elif request.method == "POST" and form.is_valid():
        answer = _register(request, form, token if enterprise is not None else "")
        if answer is not None:
            return answer
    return render(request, "people/sign_up.html", {"form": form, "enterprise": enterprise, "token": token,
                                                   "stale_token": bool(token) and enterprise is None})


def _send_sign_up_code(request, mobile: str) -> None:
    """A refusal (a malformed number, too many codes) is shown as a message: the form stays unjudged."""
    try:
        services.sign_up_code_send(mobile=mobile, address=client_address(request))
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return
    messages.success(request, _("A code is on its way to your mobile. It is valid for 10 minutes."))


def _register(request, form, token: str):
    """``token`` only when it named an enterprise: on a stale link the worker types the credit code instead."""
    data = form.cleaned_data
    try:
        worker = services.worker_sign_up(
            name=data["name"], document_type=data["document_type"], id_number=data["id_number"],
            mobile=data["mobile"], code=data["code"], password=data["password"], job_category=data["job_category"],
            credit_code=data.get("credit_code", ""), invitation=token)
    except services.AlreadyRegistered as exc:
        return render(request, "people/already_registered.html", {"has_account": exc.has_account})
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    login(request, worker.user, backend=BACKEND)
    messages.success(request, _("You have signed up. Your union will confirm your membership; until then you can "
                                "look at the policies but not apply."))
    return redirect("home")


def password_reset(request):
    """Step 1: the mobile or identity number. The answer is the same whether an account matches or not."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            services.password_reset_code_send(identifier=identifier, address=client_address(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[RESET_SESSION_KEY] = identifier
            messages.info(request, _("If an account matches this number, a code is on its way to its mobile."))
            return redirect("password_reset_code")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_code(request):
    """Step 2: the code and the new password, for the number given in step 1 (kept in the session)."""
    identifier = request.session.get(RESET_SESSION_KEY)
    if not identifier:
        return redirect("password_reset")
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(identifier=identifier, code=form.cleaned_data["code"],
                                             password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            del request.session[RESET_SESSION_KEY]
            messages.success(request, _("Your password is changed. Log in with it."))
            return redirect("login")
    return render(request, "accounts/password_reset_code.html", {"form": form})


def _confirming_officer(request) -> None:
    """The members pages are for those who change workers' records; for anyone else they do not exist."""
    if not may_confirm_members(request.user):
        raise Http404


@login_required
def members_to_confirm(request):
    """The waiting workers, or with ``?membership=declined`` those declined (a wrong decline put right)."""
    _confirming_officer(request)
    declined = request.GET.get("membership") == MembershipState.DECLINED
    membership = MembershipState.DECLINED if declined else MembershipState.PENDING
    return render(request, "people/members_to_confirm.html", {
        "page": paginate(request, selectors.members_to_confirm(request.user, membership)),
        "decline_form": DeclineForm(), "declined": declined,
    })


def _member(request, worker_id: int):
    """404 outside the caller's scope, 403 for a role that sees the worker but may not decide (an auditor)."""
    return get_for_action(selectors.worker_list(user=request.user), worker_id, user=request.user,
                          capability=Capability.CHANGE_WORKERS)


@login_required
@require_POST
def member_confirm(request, worker_id: int):
    worker = _member(request, worker_id)
    if run_with_message(request, lambda: services.member_confirm(by=request.user, worker=worker)):
        messages.success(request, _("%(name)s is confirmed as a member.") % {"name": worker.name})
    return redirect("members_to_confirm")


@login_required
@require_POST
def member_decline(request, worker_id: int):
    worker = _member(request, worker_id)
    reason = request.POST.get("reason", "")
    if run_with_message(request, lambda: services.member_decline(by=request.user, worker=worker, reason=reason)):
        messages.success(request, _("%(name)s is declined; they are told why.") % {"name": worker.name})
    return redirect("members_to_confirm")


def _officer_enterprise(request) -> Enterprise:
    """The enterprise whose union the caller is an officer of; the invitation page is theirs alone."""
    org_ids = [g.organisation_id for g in grants(request.user) if g.role == Role.ENTERPRISE_OFFICER]
    enterprise = Enterprise.objects.select_related("organisation").filter(organisation_id__in=org_ids).first()
    if enterprise is None:
        raise Http404
    return enterprise


def _join_url(request, invitation) -> str:
    return request.build_absolute_uri(reverse("join", args=[invitation.token])) if invitation else ""


@login_required
def invitation(request):
    """The sign-up link and its QR code (SVG made here: no network); POST renews it, voiding the old one."""
    enterprise = _officer_enterprise(request)
    if request.method == "POST":
        if run_with_message(request, lambda: invitation_renew(by=request.user, enterprise=enterprise)):
            messages.success(request, _("A new sign-up link is ready. The old link no longer works."))
        return redirect("invitation")
    current = invitation_of(enterprise)
    url = _join_url(request, current)
    qr = segno.make(url, error="m").svg_inline(scale=5, title=enterprise.legal_name) if url else ""
    return render(request, "people/invitation.html", {"enterprise": enterprise, "invitation": current,
                                                      "url": url, "qr": qr})
