"""Subsidy policies: what a union pays, to whom, when, and in what order of priority.

A policy is drafted, published, then closed. Once published its terms are frozen: a change is a new
policy that supersedes it. A matching policy (配套资助) names a parent policy and adds its own amounts
from its own organisation's budget; eligibility and the application itself are the parent's.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet


class Level(models.TextChoices):
    COLLEGE = "college", _("College (junior college)")
    BACHELOR = "bachelor", _("Bachelor (including college-to-bachelor)")


# The column of each level's amount (``Policy.amount_fen``; lists read it in SQL from the same names).
LEVEL_AMOUNTS = {Level.COLLEGE: "amount_college_fen", Level.BACHELOR: "amount_bachelor_fen"}


class ProgrammeType(models.TextChoices):
    OPEN_UNIVERSITY = "open_university", _("Open university")
    ADULT_HIGHER = "adult_higher", _("Adult higher education")
    SELF_STUDY = "self_study", _("Higher-education self-study exam")
    ONLINE = "online", _("Online education")


class PriorityGroup(models.TextChoices):
    MODEL_WORKER = "model_worker", _("Model workers (city level and above)")
    LABOUR_MEDAL = "labour_medal", _("May Day Labour Medal holders")
    NEW_GENERATION = "new_generation", _("New-generation industrial workers")
    NEW_EMPLOYMENT_FORM = "new_employment_form", _("New-employment-form workers")
    FRONT_LINE = "front_line", _("Front-line manufacturing workers")
    MIGRANT = "migrant", _("Migrant workers")


class DocumentKind(models.TextChoices):
    ENROLMENT_PROOF = "enrolment_proof", _("Proof of enrolment (admission letter or student record)")
    ID_CARD = "id_card", _("Identity card")
    FEE_RECEIPT = "fee_receipt", _("Tuition receipt")
    DIPLOMA = "diploma", _("Diploma scan")
    OTHER = "other", _("Other")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Selection(models.TextChoices):
    RANKING = "ranking", _("Priority groups, then first come first served")
    LOTTERY = "lottery", _("Seeded lottery when applicants exceed places")


class Policy(models.Model):
    SCOPE_PATH = "organisation__path"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("union"), on_delete=models.PROTECT,
                                     related_name="policies")
    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey("self", verbose_name=_("matches policy"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="matching_policies")
    supersedes = models.OneToOneField("self", verbose_name=_("supersedes"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    status = models.CharField(_("status"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    amount_college_fen = models.PositiveBigIntegerField(_("amount for college (fen)"), null=True, blank=True)
    amount_bachelor_fen = models.PositiveBigIntegerField(_("amount for bachelor (fen)"), null=True, blank=True)
    programme_types = models.JSONField(_("programme types"), default=list, blank=True)
    min_membership_months = models.PositiveSmallIntegerField(_("union member for at least (months)"), default=0)
    job_categories = models.JSONField(_("job categories"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    first_diploma_only = models.BooleanField(_("first diploma of that level only"), default=True)
    local_employment_only = models.BooleanField(_("employed in the union's area only"), default=True)
    opens_on = models.DateField(_("applications open"), null=True, blank=True)
    closes_on = models.DateField(_("applications close"), null=True, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    priority_groups = models.JSONField(_("priority groups, in order"), default=list, blank=True)
    annual_budget_fen = models.PositiveBigIntegerField(_("annual budget (fen)"), default=0)
    max_applicants = models.PositiveIntegerField(_("close at this many applicants"), null=True, blank=True)
    max_approvals = models.PositiveIntegerField(_("close at this many approvals"), null=True, blank=True)
    selection = models.CharField(_("selection"), max_length=10, choices=Selection.choices,
                                 default=Selection.RANKING)
    dual_approval_above_fen = models.PositiveBigIntegerField(
        _("two approvers for batches above (fen)"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("days of public notice before paying"), default=0)
    applicant_count = models.PositiveIntegerField(_("applicants so far"), default=0, editable=False)
    approval_count = models.PositiveIntegerField(_("approvals so far"), default=0, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_age__gte=models.F("min_age")) | models.Q(max_age=None)
                                   | models.Q(min_age=None), name="policy_age_band"),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")) | models.Q(closes_on=None)
                                   | models.Q(opens_on=None), name="policy_window"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def amount_fen(self, level: str) -> int | None:
        column = LEVEL_AMOUNTS.get(level)
        return getattr(self, column) if column else None

    @property
    def levels(self) -> list[str]:
        return [level for level in Level.values if self.amount_fen(level)]

    def level_amounts(self) -> dict[str, int]:
        """The amount of each level the policy pays for."""
        return {level: self.amount_fen(level) for level in self.levels}

    @property
    def is_matching(self) -> bool:
        return self.parent_id is not None
