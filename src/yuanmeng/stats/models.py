"""The rollup tables: every figure of the dashboards, summed over each organisation's subtree, per year (the
registry's, of workers and enterprises as they stand, for no year).

Each row is keyed by the organisation whose whole subtree it sums (the national union's rows sum the country), so a
dashboard at any level reads a few rows of its own organisation, and a drill-down the rows of its children. They are
written only by ``services.stats_refresh``, which replaces them all in one transaction (decision 0013); ``Refresh``
records the time they are exact as of. Organisations and policies are named without a constraint: the rows are a
copy, replaced whole, never the authority.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet


class Refresh(models.Model):
    """One refresh of the rollups: what time its figures are exact as of, and what it cost (kept for a week: how
    long refreshes take, for operations)."""

    as_of = models.DateTimeField(db_index=True)
    seconds = models.FloatField()
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"as of {self.as_of:%Y-%m-%d %H:%M}"


class YearRollup(models.Model):
    """A row of a rollup: a sum over the subtree of ``organisation``, for a policy's or a budget's year."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.DO_NOTHING, db_constraint=False,
                                     related_name="+")
    year = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.model_name} {self.organisation_id} {self.year}"


class MoneyRollup(YearRollup):
    """Budgets of a fund source held by unions of one level (the kind of organisation holding them: city, district,
    enterprise…): allocated, reserved and paid (available is what is left)."""

    source = models.CharField(max_length=10)
    holder_kind = models.CharField(max_length=12, default="")
    budgeted_fen = models.BigIntegerField()
    reserved_fen = models.BigIntegerField()
    paid_fen = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="stats_money_org_year")]


class WorkerRollup(YearRollup):
    """Applications of one value of a dimension (education level, sex, age band…): applying, approved,
    graduated (diploma verified) and paid."""

    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=24)
    applying = models.BigIntegerField()
    approved = models.BigIntegerField()
    graduated = models.BigIntegerField()
    paid = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="stats_workers_org_year")]


class FunnelRollup(YearRollup):
    """The funnel: applications that reached a state (``outcome`` "reached"), or left at a state by being
    withdrawn or rejected (``outcome`` the state they ended in, ``state`` the step they left from)."""

    outcome = models.CharField(max_length=20)
    state = models.CharField(max_length=20)
    applications = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="stats_funnel_org_year")]


class DurationRollup(YearRollup):
    """How many applications took ``days`` whole days at a step: a histogram, so that it sums up the tree and the
    median and 90th percentile of any subtree are exact."""

    step = models.CharField(max_length=20)
    days = models.IntegerField()
    applications = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="stats_durations_org_year")]


class IntakeRollup(YearRollup):
    """Applicants (by the day they applied) and approvals (by the day of the approval) of a policy per day."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+")
    day = models.DateField()
    applicants = models.BigIntegerField()
    approvals = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "year"], name="stats_intake_org_year")]


class RegistryRollup(models.Model):
    """The registry as it stands, not per year (a worker or an enterprise is registered, not registered in a year):
    registered enterprises, and workers with an employer, of whom migrants, in a new employment form, model workers
    or medal holders, and with a bank account. The home page's area summary reads it."""

    organisation = models.OneToOneField("orgs.Organisation", on_delete=models.DO_NOTHING, db_constraint=False,
                                        related_name="+")
    workers = models.BigIntegerField()
    migrants = models.BigIntegerField()
    new_form = models.BigIntegerField()
    honoured = models.BigIntegerField()
    with_bank = models.BigIntegerField()
    enterprises = models.BigIntegerField()

    def __str__(self) -> str:
        return f"registry {self.organisation_id}"


class Measure(models.TextChoices):
    """What a target counts, and where its progress is read (``stats.targets.MEASURES``)."""

    WORKERS_PAID = "workers_paid", _("Workers helped (applications paid)")
    MIGRANTS_PAID = "migrants_paid", _("Migrant workers helped (applications paid)")
    APPROVED = "approved", _("Head-count approved")
    PROJECTS = "projects", _("Education and skills projects")
    BUDGET_PAID = "budget_paid_fen", _("Subsidy money paid out")


class Target(models.Model):
    """What an organisation means to reach for a measure over the years ``start_year``–``end_year`` (both whole:
    the rollups count by year). A share is a target a parent gave one of its children out of its own (``parent``):
    the shares of a target never add up to more than it."""

    SCOPE_PATH = "organisation__path"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("union"), on_delete=models.PROTECT,
                                     related_name="+")
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    value = models.BigIntegerField(_("target"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="shares",
                               verbose_name=_("share of"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["start_year", "end_year", "measure"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "measure", "start_year", "end_year"],
                                    name="stats_target_one_per_period"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="stats_target_value_not_negative"),
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")),
                                   name="stats_target_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_measure_display()} {self.start_year}–{self.end_year}"
