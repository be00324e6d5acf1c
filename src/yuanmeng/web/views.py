from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.accounts.forms import LoginForm
from yuanmeng.accounts.models import ApiToken
from yuanmeng.accounts.services import api_token_issue, api_token_revoke, can_use_api_tokens
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.pages import paginate
from yuanmeng.notify.models import Message
from yuanmeng.people.selectors import worker_numbers
from yuanmeng.web.home import home_context


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "web/home.html", home_context(request.user))


@login_required
def my_record(request):
    worker = getattr(request.user, "worker", None)
    if worker is None:
        raise Http404
    return render(request, "people/my_record.html", {"worker": worker,
                                                      "numbers": worker_numbers(worker, request.user)})


@login_required
def my_messages(request):
    """What the union has told this person: every step of their application and payment."""
    return render(request, "web/messages.html", {
        "page": paginate(request, Message.objects.filter(recipient=request.user).order_by("-created_at", "-id")),
    })


@login_required
def account(request):
    if not can_use_api_tokens(request.user):
        raise Http404
    tokens = ApiToken.objects.filter(user=request.user, revoked=False).order_by("-created_at")
    return render(request, "accounts/account.html", {"tokens": tokens,
                                                     "new_secret": request.session.pop("new_token", None)})


@login_required
@require_POST
def token_issue(request):
    try:
        _token, secret = api_token_issue(by=request.user, name=request.POST.get("name", ""))
    except ValidationError:
        messages.error(request, _("Give the token a name (up to 80 characters), such as the system that will use it."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        request.session["new_token"] = secret
    return redirect("account")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(by=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("account")
