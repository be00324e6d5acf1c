"""The public notice (公示) of a payout round: anyone, logged in or not, on a phone or a desk.

A round whose policy has notice days is published from its commit to the notice's last day: the list of
funded workers (names and identity numbers masked, the enterprise, the amounts), the notice period and how
to object. After the last day the page stays, marked ended, without the list (see ``selectors``).
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yuanmeng.core.pages import paginate
from yuanmeng.payouts import selectors
from yuanmeng.payouts.models import Round


@require_GET
def notice_index(request):
    """The rounds under public notice today."""
    return render(request, "payouts/notice_index.html", {"page": paginate(request, selectors.notices_open())})


@require_GET
def notice_public(request, code: str):
    try:
        round_ = selectors.public_notice(code)
    except Round.DoesNotExist:
        raise Http404 from None
    is_open = selectors.notice_is_open(round_)
    search = request.GET.get("q", "").strip()
    return render(request, "payouts/notice_public.html", {
        "round": round_, "policy": round_.policy, "union": round_.policy.organisation, "is_open": is_open,
        "days_left": selectors.notice_days_left(round_), "search": search,
        "draw": getattr(round_, "lottery_draw", None), "amounts": selectors.round_amounts(round_),
        "page": paginate(request, selectors.notice_lines(round_, search=search)) if is_open else None,
    })
