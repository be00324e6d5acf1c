"""The password hasher: Argon2id at the OWASP Password Storage Cheat Sheet's parameters.

Django's own ``Argon2PasswordHasher`` uses 100 MiB and 8 lanes for one check: on a 2-core server a morning
rush of log-ins would hold 100 MiB per concurrent log-in and gain nothing from 8 lanes. OWASP's minimum
(m = 19 MiB, t = 2, p = 1) costs tens of milliseconds of one core, where PBKDF2 at Django's 1,000,000
iterations cost 0.84 s (docs/decisions/0011-argon2id.md). The algorithm name stays ``argon2``, so hashes made
with other parameters still verify, and Django rewrites them with these at the next log-in (``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 passes, 1 lane (OWASP's first recommended configuration)."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
