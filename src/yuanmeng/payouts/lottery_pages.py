"""The lottery's pages: the city union's (announce, freeze, enter and confirm the seed, draw) and the public one.

The public page and its download need no log-in: the list, the seed and the winners are a public notice.
Names and identity numbers appear there masked as they were frozen.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.payouts import selectors, services
from yuanmeng.payouts.forms import LotteryAnnounceForm, LotterySeedForm
from yuanmeng.payouts.models import LotteryDraw
from yuanmeng.policies.models import Policy


@login_required
def lottery_announce(request, policy_id: int):
    policy = get_for_action(Policy.objects.restrict(request.user).select_related("organisation"), policy_id,
                            user=request.user, capability=Capability.MANAGE_FUNDS)
    form = LotteryAnnounceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        budget = selectors.special_budget(policy)
        if budget is None:
            form.add_error(None, _("The policy's union has no special fund for %(year)s.") % {"year": policy.year})
        else:
            draw = submit(form, lambda: services.lottery_announce(by=request.user, policy=policy, budget=budget,
                                                                  **form.cleaned_data))
            if draw is not None:
                messages.success(request, _("Announced. Freeze the candidate list before %(day)s.") % {
                    "day": draw.seed_date})
                return redirect("lottery_detail", draw_id=draw.pk)
    return render(request, "payouts/lottery_announce.html", {"form": form, "policy": policy})


@login_required
def lottery_detail(request, draw_id: int):
    draw = get_object_or_404(selectors.draw_list(user=request.user), pk=draw_id)
    return render(request, "payouts/lottery_detail.html", {
        "draw": draw, "seed_form": LotterySeedForm(),
        "can_manage": has_capability(request.user, Capability.MANAGE_FUNDS, draw.policy.organisation.path),
    })


LOTTERY_ACTIONS = {  # action: (service, whether it takes the typed numbers, message when done)
    "freeze": (services.lottery_freeze, False, gettext_lazy("The candidate list is frozen.")),
    "enter": (services.lottery_seed_enter, True, gettext_lazy("The numbers are entered; a second officer confirms "
                                                              "them.")),
    "confirm": (services.lottery_seed_confirm, True, gettext_lazy("The seed is confirmed.")),
    "draw": (services.lottery_draw, False, gettext_lazy("Drawn: the round is committed.")),
}


@login_required
@require_POST
def lottery_action(request, draw_id: int, action: str):
    draw = get_for_action(selectors.draw_list(user=request.user), draw_id, user=request.user,
                          capability=Capability.MANAGE_FUNDS)
    if action not in LOTTERY_ACTIONS:
        raise Http404
    service, typed, done = LOTTERY_ACTIONS[action]
    values = {"values": request.POST.get("values", "")} if typed else {}
    if run_with_message(request, lambda: service(by=request.user, draw=draw, **values)) is not None:
        messages.success(request, done)
    return redirect("lottery_detail", draw_id=draw.pk)


def _public_draw(code: str) -> LotteryDraw:
    try:
        return selectors.public_draw(code)
    except LotteryDraw.DoesNotExist:
        raise Http404 from None


@require_GET
def lottery_public(request, code: str):
    """The public notice of a lottery: anyone, logged in or not, on a phone or a desk."""
    draw = _public_draw(code)
    show_winners = request.GET.get("list") == "winners" and draw.round_id
    return render(request, "payouts/lottery_public.html", {
        "draw": draw, "show_winners": show_winners,
        "page": paginate(request, selectors.draw_entries(draw, winners=bool(show_winners))),
    })


def _draw_json(draw: LotteryDraw):
    """The public data, streamed: the terms, the source, the seed, the frozen list, the winners in drawn order."""
    head = {
        "code": draw.code, "policy": draw.policy.title, "union": draw.policy.organisation.name,
        "limit_fen": draw.limit_fen, "quota": draw.quota, "seed_source": draw.seed_source,
        "seed_date": draw.seed_date.isoformat(), "frozen_at": draw.frozen_at and draw.frozen_at.isoformat(),
        "list_sha256": draw.list_sha256 or None, "seed_values": draw.seed_values if draw.seed_confirmed_at else None,
        "seed": draw.seed if draw.seed_confirmed_at else None,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "entries": ['
    entries = selectors.draw_entries(draw).values_list("reference", "amount_fen").iterator(chunk_size=20_000)
    for n, (reference, amount_fen) in enumerate(entries):
        yield ("," if n else "") + json.dumps([reference, amount_fen])
    yield '], "winners": '
    if not draw.round_id:
        yield "null}\n"
        return
    winners = selectors.draw_entries(draw, winners=True).values_list("reference", flat=True)
    yield json.dumps(list(winners.iterator(chunk_size=20_000))) + "}\n"


@require_GET
def lottery_download(request, code: str):
    draw = _public_draw(code)
    response = StreamingHttpResponse(_draw_json(draw), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lottery-{draw.pk}.json"'
    return response
