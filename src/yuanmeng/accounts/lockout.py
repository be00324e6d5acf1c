"""Log-in limits: django-axes' database handler with a second, higher limit per source address.

``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`` counts failures per account *and* address: five
wrong passwords lock that account from that address only, so nobody can lock a colleague out from elsewhere.
That alone would let one address try one password on every account (password spraying), so this handler
also counts all failures from the address, across accounts, and locks the address at
``LOGIN_ADDRESS_FAILURE_LIMIT`` (higher, because a union office's colleagues share one address).

Axes compares one number with ``AXES_FAILURE_LIMIT``; the address's count is put on that scale by
subtracting the difference of the two limits, so either limit reached means locked. A successful log-in
clears only its own account-and-address count (axes resets by the lock-out parameters), never the address's.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed log-ins from the request's address within the cool-off time, whatever the account."""
    recent = AccessAttempt.objects.filter(ip_address=request.axes_ip_address,
                                          attempt_time__gte=get_cool_off_threshold(request))
    return recent.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        headroom = settings.LOGIN_ADDRESS_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT
        return max(super().get_failures(request, credentials), address_failures(request) - headroom)
