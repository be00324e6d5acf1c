"""Payout rounds, their batches and payment lines, approvals and bank results.

A committed round freezes what it was computed from: each payment line keeps its own copy of the
payee's name, the encrypted and masked account, the bank, the amounts per funding level and the
priority group, so that later edits to a worker never change a batch. A line is "live" while pending
or paid; a partial unique index allows one live line per application — nothing is ever paid twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.core.crypto import EncryptedTextField


class RoundStatus(models.TextChoices):
    COMMITTED = "committed", _("Committed")
    IN_NOTICE = "in_notice", _("In public notice")
    RELEASED = "released", _("Released for payment")
    CLOSED = "closed", _("Closed")


class Round(models.Model):
    SCOPE_PATH = "policy__organisation__path"

    policy = models.ForeignKey("policies.Policy", verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="rounds")
    code = models.CharField(_("code"), max_length=40, unique=True)
    budget = models.ForeignKey("funds.Budget", verbose_name=_("budget"), on_delete=models.PROTECT,
                               related_name="rounds")
    limit_fen = models.BigIntegerField(_("money for this round (fen)"))
    quota = models.PositiveIntegerField(_("head-count quota"), null=True, blank=True)
    lottery_seed = models.CharField(_("lottery seed"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices,
                              default=RoundStatus.COMMITTED)
    max_lines_per_batch = models.PositiveIntegerField(_("lines per batch"), default=2200)
    funded_count = models.PositiveIntegerField(_("workers funded"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    committed_at = models.DateTimeField(_("committed"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payout round")
        verbose_name_plural = _("payout rounds")
        ordering = ["-committed_at"]

    def __str__(self) -> str:
        return self.code


class BatchStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RESULTS_IMPORTED = "reconciled", _("Bank results imported")


class Batch(models.Model):
    SCOPE_PATH = "round__policy__organisation__path"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="batches")
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices,
                              default=BatchStatus.AWAITING_APPROVAL)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    file_issued_at = models.DateTimeField(_("payment file issued"), null=True, blank=True)
    file_issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="batch_number_in_round")]

    def __str__(self) -> str:
        return f"{self.round.code}-{self.number}"


class BatchApproval(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "user"], name="approve_once")]

    def __str__(self) -> str:
        return f"{self.batch} ✓ {self.user}"


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Taken out (objection)")


LIVE_LINE = Q(status__in=(LineStatus.PENDING, LineStatus.PAID))


class PaymentLine(models.Model):
    SCOPE_PATH = ("round__policy__organisation__path", "application__organisation__path")

    # Lines are written a million at a time, by one INSERT … SELECT from rows that exist: no index that another
    # covers, and no per-row foreign-key trigger, not even to the application paid (decision 0012: its check
    # locked every application row again at the commit's end; applications are never deleted).
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="lines", db_index=False,
                              db_constraint=False)
    batch_number = models.PositiveSmallIntegerField()
    batch = models.ForeignKey(Batch, null=True, on_delete=models.PROTECT, related_name="lines", db_index=False,
                              db_constraint=False)
    rank = models.PositiveIntegerField(_("rank"))
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="payment_lines", db_constraint=False)
    reference = models.CharField(_("reference"), max_length=32)  # unique: see Meta (no pattern index)
    payee_name = models.CharField(_("payee"), max_length=50)
    account = EncryptedTextField(_("account number"))
    account_masked = models.CharField(_("account"), max_length=30)
    bank_name = models.CharField(_("bank"), max_length=60)
    priority_group = models.CharField(_("priority group"), max_length=24, blank=True)
    level = models.CharField(_("level"), max_length=10)
    area = models.ForeignKey("orgs.Organisation", null=True, on_delete=models.PROTECT, related_name="+",
                             db_index=False, db_constraint=False)
    city_fen = models.BigIntegerField(_("city amount (fen)"))
    district_fen = models.BigIntegerField(_("district matching (fen)"), default=0)
    enterprise_fen = models.BigIntegerField(_("enterprise matching (fen)"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    city_budget = models.ForeignKey("funds.Budget", on_delete=models.PROTECT, related_name="+", db_index=False,
                                    db_constraint=False)
    district_budget = models.ForeignKey("funds.Budget", null=True, on_delete=models.PROTECT, related_name="+",
                                        db_index=False, db_constraint=False)
    enterprise_budget = models.ForeignKey("funds.Budget", null=True, on_delete=models.PROTECT, related_name="+",
                                          db_index=False, db_constraint=False)
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING)
    failure_reason = models.CharField(_("reason"), max_length=200, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=LIVE_LINE, name="never_paid_twice"),
            # A constraint, not unique=True: that would add a second, LIKE-pattern index on PostgreSQL which no
            # query uses (references are looked up whole) and every line written would fill.
            models.UniqueConstraint(fields=["reference"], name="payment_line_reference"),
        ]
        indexes = [models.Index(fields=["batch", "status"]), models.Index(fields=["round", "batch_number"])]

    def __str__(self) -> str:
        return self.reference


class ResultImport(models.Model):
    """One bank result file applied to a batch; the same file (by hash) is applied once."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="result_imports")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    paid = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "sha256"], name="result_file_once")]

    def __str__(self) -> str:
        return f"{self.batch} · {self.file_name}"


class Objection(models.Model):
    """An objection raised during a round's public notice: the line is taken out, the application reviewed again."""

    line = models.OneToOneField(PaymentLine, on_delete=models.PROTECT, related_name="objection")
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.line}: {self.reason[:40]}"


class LotteryDraw(models.Model):
    """A lottery round before and after its draw (RFC 3797's method, adapted; see payouts/lottery.py).

    Announced with its terms and the public draw its seed will come from; then its candidate list is frozen;
    after that draw's date one officer enters the values and a second confirms them; then it is drawn, which
    commits the round (``round``). Each step is a service in payouts/services.py and leaves an audit entry.
    """

    SCOPE_PATH = "policy__organisation__path"

    policy = models.ForeignKey("policies.Policy", verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="lottery_draws")
    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("The code of the round it draws."))
    budget = models.ForeignKey("funds.Budget", verbose_name=_("budget"), on_delete=models.PROTECT, related_name="+")
    limit_fen = models.BigIntegerField(_("money for this round (fen)"))
    quota = models.PositiveIntegerField(_("head-count quota"), null=True, blank=True)
    max_lines_per_batch = models.PositiveIntegerField(_("lines per batch"), default=2200)
    seed_source = models.CharField(_("seed source"), max_length=200)
    seed_date = models.DateField(_("date of the public draw"))
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    announced_at = models.DateTimeField(_("announced"))
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField(_("list frozen"), null=True)
    candidate_count = models.PositiveIntegerField(_("candidates"), default=0)
    list_sha256 = models.CharField(_("SHA-256 of the list"), max_length=64, blank=True)
    seed_values = models.CharField(_("values as entered"), max_length=300, blank=True)
    seed = models.CharField(_("seed"), max_length=200, blank=True)
    seed_entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                        related_name="+")
    seed_entered_at = models.DateTimeField(null=True)
    seed_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                          related_name="+")
    seed_confirmed_at = models.DateTimeField(null=True)
    round = models.OneToOneField(Round, null=True, on_delete=models.PROTECT, related_name="lottery_draw")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")
        ordering = ["-announced_at"]
        constraints = [models.UniqueConstraint(fields=["policy"], condition=Q(round=None),
                                               name="one_open_draw_per_policy")]

    def __str__(self) -> str:
        return self.code


class LotteryEntry(models.Model):
    """One candidate of a frozen list, as published: never changed afterwards, except its place once drawn."""

    draw = models.ForeignKey(LotteryDraw, on_delete=models.PROTECT, related_name="entries", db_index=False)
    position = models.PositiveIntegerField(_("position"))
    reference = models.CharField(_("reference"), max_length=20)
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+",
                                    db_index=False, db_constraint=False)
    level = models.CharField(_("level"), max_length=10)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    name_masked = models.CharField(_("name"), max_length=50)
    id_masked = models.CharField(_("identity number"), max_length=30)
    place = models.PositiveIntegerField(_("place drawn"), null=True, help_text=_("Winners only."))

    class Meta:
        verbose_name = _("lottery entry")
        verbose_name_plural = _("lottery entries")
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"], name="lottery_entry_position"),
                       # the reference is the application's number: one entry per application, found by it
                       models.UniqueConstraint(fields=["draw", "application"], name="lottery_entry_application")]
        indexes = [models.Index(fields=["draw", "place"], name="lottery_entry_place")]

    def __str__(self) -> str:
        return f"{self.draw} #{self.position} {self.reference}"
