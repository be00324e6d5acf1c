"""Budgets and their append-only ledger.

Every movement of money is a ledger entry: allocate (the budget grows or shrinks), reserve (a payout
round sets money aside), release (a reservation is given back), pay (reserved money left the bank),
reverse (a payment came back). A budget row also carries the running totals — allocated, reserved,
paid — updated with one conditional UPDATE in the same transaction as its entry, which is what keeps
"available never below zero" true when many requests race for the last yuan. ``funds_verify``
re-derives the totals from the ledger and compares.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet


class FundSource(models.TextChoices):
    SPECIAL = "special", _("Special fund")
    MATCHING = "matching", _("Matching fund")


class Budget(models.Model):
    SCOPE_PATH = "organisation__path"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("union"), on_delete=models.PROTECT,
                                     related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("fund source"), max_length=10, choices=FundSource.choices)
    name = models.CharField(_("name"), max_length=120)
    allocated_fen = models.BigIntegerField(_("allocated (fen)"), default=0)
    reserved_fen = models.BigIntegerField(_("reserved (fen)"), default=0)
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "organisation__path", "source"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "source"], name="one_budget_per_source_year"),
            models.CheckConstraint(condition=Q(reserved_fen__gte=0) & Q(paid_fen__gte=0),
                                   name="budget_totals_not_negative"),
            models.CheckConstraint(condition=Q(allocated_fen__gte=F("reserved_fen") + F("paid_fen")),
                                   name="budget_never_overspent"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.get_source_display()}"

    @property
    def available_fen(self) -> int:
        return self.allocated_fen - self.reserved_fen - self.paid_fen


class EntryKind(models.TextChoices):
    ALLOCATE = "allocate", _("Allocate")
    RESERVE = "reserve", _("Reserve")
    RELEASE = "release", _("Release")
    PAY = "pay", _("Pay")
    REVERSE = "reverse", _("Reverse")


class LedgerEntry(models.Model):
    """One movement; ``amount_fen`` is positive except for an allocation that shrinks a budget."""

    SCOPE_PATH = "budget__organisation__path"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reference = models.CharField(_("reference"), max_length=80, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_fen} ({self.reference})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("ledger entries are append-only")
