"""Per-address limits on anonymous requests that cost the database a scan (the public notice's search).

Counted in the ``limits`` cache (settings: files under ``YUANMENG_VAR``, shared by the web server's processes on
one machine, no Redis or cache table to set up), one counter per address and fixed window. Two processes
counting at the same instant may lose one count: the limit is a brake on scripts, not an exact quota.
"""

import time

from django.core.cache import caches


def within_limit(scope: str, address: str, *, limit: int, seconds: int) -> bool:
    """Count one request of ``scope`` from ``address``: False once this window has seen more than ``limit``."""
    key = f"{scope}:{address}:{int(time.time() // seconds)}"
    cache = caches["limits"]
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the counter expired between add and incr: this request opens the next window
        cache.set(key, 1, timeout=seconds)
        return True
