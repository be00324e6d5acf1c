"""Six-digit codes sent by SMS, proving that the person at the form holds a mobile (sign-up, password reset).

A code lives ``CODE_LIFETIME``; a new one voids the older ones of its subject; ``MAX_ATTEMPTS`` wrong tries kill
it. Asking is limited per subject (one every ``RESEND_AFTER``, ``PER_SUBJECT_PER_HOUR`` an hour) and per address
(``PER_ADDRESS_PER_HOUR``), counted in one query over the last hour. The code and its subject (the mobile or
identity number it was asked for) are kept only as HMACs and never logged; the SMS itself goes through the
notify outbox, which blanks the text once sent (``secret``); ``codes_prune`` deletes the rows after a day.
Parallel requests cannot beat the limits: a send locks its subject, a try is reserved before the code is compared.
docs/decisions/0010-worker-sign-up.md says why these figures.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from yuanmeng.accounts.models import VerificationCode
from yuanmeng.notify.services import notify_mobile, worker_text

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
PER_SUBJECT_PER_HOUR = 5
PER_ADDRESS_PER_HOUR = 20
KEEP = timedelta(days=1)


def _subject_digest(purpose: str, subject: str) -> str:
    return salted_hmac("yuanmeng.accounts.codes.subject", f"{purpose}:{subject}").hexdigest()


def _code_digest(subject_digest: str, code: str) -> str:
    return salted_hmac("yuanmeng.accounts.codes.code", f"{subject_digest}:{code}").hexdigest()


def _lock_subject(digest: str) -> None:
    """Serialise the sends of one subject until the transaction ends, so that two parallel requests cannot both
    pass ``code_send_refusal``. On PostgreSQL an advisory lock on the digest; SQLite's IMMEDIATE transactions
    (settings.py) already let one writer in at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])


def code_send_refusal(*, purpose: str, subject: str, address: str | None, now) -> str | None:
    """Why a new code may not be sent now, or None: the three limits, read in one query."""
    digest = _subject_digest(purpose, subject)
    mine = Q(purpose=purpose, subject_digest=digest)
    seen = VerificationCode.objects.filter(created_at__gte=now - timedelta(hours=1)).aggregate(
        subject_count=Count("pk", filter=mine), last=Max("created_at", filter=mine),
        address_count=Count("pk", filter=Q(address=address)) if address else Count("pk", filter=Q(pk=None)),
    )
    if seen["last"] is not None and now - seen["last"] < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - seen["last"])).total_seconds()) + 1
        return _("A code was sent a moment ago. You can ask for another in %(n)d seconds.") % {"n": wait}
    if seen["subject_count"] >= PER_SUBJECT_PER_HOUR or seen["address_count"] >= PER_ADDRESS_PER_HOUR:
        return _("Too many codes were asked for. Try again in an hour.")
    return None


@transaction.atomic
def code_send(*, purpose: str, subject: str, mobile: str | None, address: str | None, field: str = "mobile",
              now=None) -> None:
    """Issue a new code for ``subject`` and queue its SMS to ``mobile``. With no ``mobile`` (a reset asked for a
    number with no account) the code is issued and counted all the same but sent nowhere: the answer and the
    limits do not tell whether the number is registered. Refused with ``ValidationError({field: …})``."""
    now = now or timezone.now()
    _lock_subject(_subject_digest(purpose, subject))
    refusal = code_send_refusal(purpose=purpose, subject=subject, address=address, now=now)
    if refusal:
        raise ValidationError({field: [refusal]})
    digest = _subject_digest(purpose, subject)
    code = f"{secrets.randbelow(10**6):06d}"
    VerificationCode.objects.filter(purpose=purpose, subject_digest=digest, used_at=None).update(used_at=now)
    VerificationCode.objects.create(purpose=purpose, subject_digest=digest, code_digest=_code_digest(digest, code),
                                    address=address, created_at=now, expires_at=now + CODE_LIFETIME)
    if mobile:
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        notify_mobile(mobile=mobile, secret=True, subject=worker_text("Verification code"), body=worker_text(
            "Your Yuanmeng verification code is %(code)s. It is valid for %(minutes)d minutes. "
            "Never tell it to anyone, union staff included.", code=code, minutes=minutes))


def code_use(*, purpose: str, subject: str, code: str, field: str = "code", now=None) -> None:
    """Accept ``code`` for ``subject`` once, or raise ``ValidationError({field: …})``. A wrong try is counted in
    its own transaction, committed before the refusal is raised, so that the caller's rollback cannot undo it."""
    refusal = _code_try(purpose=purpose, subject=subject, code=(code or "").strip(), now=now or timezone.now())
    if refusal:
        raise ValidationError({field: [refusal]})


@transaction.atomic
def _code_try(*, purpose: str, subject: str, code: str, now) -> str | None:
    digest = _subject_digest(purpose, subject)
    live = (VerificationCode.objects.filter(purpose=purpose, subject_digest=digest, used_at=None,
                                            expires_at__gt=now).order_by("-id").first())
    if live is None:
        return _("This code has expired or was never sent. Ask for a new one.")
    # The try is reserved before the code is compared: of parallel tries, at most MAX_ATTEMPTS get this far.
    tries = VerificationCode.objects.filter(pk=live.pk, used_at=None, expires_at__gt=now)
    if not tries.filter(attempts__lt=MAX_ATTEMPTS).update(attempts=F("attempts") + 1):
        return _("Too many wrong codes. Ask for a new one.")
    if not constant_time_compare(live.code_digest, _code_digest(digest, code)):
        left = MAX_ATTEMPTS - VerificationCode.objects.values_list("attempts", flat=True).get(pk=live.pk)
        if left <= 0:
            return _("Too many wrong codes. Ask for a new one.")
        return _("This code is wrong. %(n)d tries left.") % {"n": left}
    # Conditional: of two requests with the same code, one wins.
    if not tries.update(used_at=now):
        return _("This code has expired or was never sent. Ask for a new one.")
    return None


def codes_prune(*, now=None) -> int:
    """Delete the codes asked for more than ``KEEP`` ago (all of them long dead): what remains of a request, its
    address and digests, is not kept beyond the hour the limits read. Returns the number deleted."""
    now = now or timezone.now()
    return VerificationCode.objects.filter(created_at__lt=now - KEEP).delete()[0]
