"""The public notice (公示) of a payout round: anyone, logged in or not, on a phone or a desk.

A round whose policy has notice days is published from its commit to the notice's last day: the list of
funded workers (names and identity numbers masked, the enterprise, the amounts), the notice period and how
to object. After the last day the page stays, marked ended, without the list (see ``selectors``).
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yuanmeng.accounts.backends import client_address
from yuanmeng.core.limits import within_limit
from yuanmeng.core.pages import paginate
from yuanmeng.payouts import selectors
from yuanmeng.payouts.models import Round


@require_GET
def notice_index(request):
    """The rounds under public notice today."""
    return render(request, "payouts/notice_index.html", {"page": paginate(request, selectors.notices_open())})


def _search_allowed(request, search: str) -> bool:
    """A search scans the round's lines for anyone, logged in or not: limited per address
    (``NOTICE_SEARCH_LIMIT`` in 10 minutes); paging through the list is not counted."""
    return not search or within_limit("notice-search", client_address(request), limit=settings.NOTICE_SEARCH_LIMIT,
                                      seconds=600)


@require_GET
def notice_public(request, code: str):
    try:
        round_ = selectors.public_notice(code)
    except Round.DoesNotExist:
        raise Http404 from None
    is_open = selectors.notice_is_open(round_)
    search = request.GET.get("q", "").strip()
    searched = is_open and _search_allowed(request, search)
    return render(request, "payouts/notice_public.html", {
        "round": round_, "policy": round_.policy, "union": round_.policy.organisation, "is_open": is_open,
        "days_left": selectors.notice_days_left(round_), "search": search,
        "draw": getattr(round_, "lottery_draw", None), "amounts": selectors.round_amounts(round_),
        "page": paginate(request, selectors.notice_lines(round_, search=search)) if searched else None,
    }, status=429 if is_open and not searched else 200)
