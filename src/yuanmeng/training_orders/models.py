"""Training orders ("one enterprise, one scheme"): an enterprise union orders training for its workers, the union
above it takes the order, sends a partner school's teachers and schedules sessions; attendance is recorded per
session and the order is completed with each participant's learning hours.

An order belongs to the ordering enterprise's union (its ``organisation``): the enterprise sees its own orders, a
district or city union those of the enterprises below it. A teacher belongs to the union or school that keeps them
in its teacher library.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders.workflow import Action, State


class Teacher(models.Model):
    """An entry of a teacher library, kept by a union or a school (``organisation``)."""

    SCOPE_PATH = "organisation__path"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("kept by"), on_delete=models.PROTECT,
                                     related_name="teachers")
    name = models.CharField(_("name"), max_length=50)
    specialities = models.JSONField(_("specialities"), default=list, blank=True)
    school = models.ForeignKey("orgs.Organisation", verbose_name=_("school"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="school_teachers")
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self) -> str:
        return self.name

    def speciality_labels(self) -> list[str]:
        return [str(SkillCategory(value).label) for value in self.specialities if value in SkillCategory.values]


class TrainingOrder(models.Model):
    SCOPE_PATH = "organisation__path"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("enterprise union"),
                                     on_delete=models.PROTECT, related_name="training_orders")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("topic"), max_length=200)
    skill_category = models.CharField(_("skill category"), max_length=20, choices=SkillCategory.choices)
    head_count = models.PositiveIntegerField(_("head-count"))
    place = models.ForeignKey("training.Place", verbose_name=_("preferred training place"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    preferred_place = models.CharField(_("preferred place"), max_length=200, blank=True)
    preferred_from = models.DateField(_("preferred from"), null=True, blank=True)
    preferred_to = models.DateField(_("preferred until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REQUESTED)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    taken_by = models.ForeignKey("orgs.Organisation", verbose_name=_("taken by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.Organisation", verbose_name=_("partner school"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    teachers = models.ManyToManyField(Teacher, verbose_name=_("teachers"), blank=True, related_name="orders")
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    minutes_total = models.PositiveIntegerField(_("learning minutes"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training order")
        verbose_name_plural = _("training orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "-id"]), models.Index(fields=["state", "-id"])]
        constraints = [
            models.CheckConstraint(condition=Q(head_count__gte=1), name="training_order_head_count"),
            models.CheckConstraint(condition=Q(preferred_to__gte=F("preferred_from")) | Q(preferred_to=None)
                                   | Q(preferred_from=None), name="training_order_preferred_dates"),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def hours_total(self) -> float:
        return round(self.minutes_total / 60, 1)


class OrderEvent(models.Model):
    """One move of an order (the history shown on its page)."""

    order = models.ForeignKey(TrainingOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class Session(models.Model):
    """One scheduled session of an order: a day, a time, a place and a teacher."""

    SCOPE_PATH = "order__organisation__path"

    order = models.ForeignKey(TrainingOrder, on_delete=models.CASCADE, related_name="sessions")
    teacher = models.ForeignKey(Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT,
                                related_name="sessions")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    minutes = models.PositiveSmallIntegerField(editable=False)
    place = models.ForeignKey("training.Place", verbose_name=_("training place"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    venue = models.CharField(_("place"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "starts_at", "id"]
        indexes = [models.Index(fields=["teacher", "date"]), models.Index(fields=["date"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Participant(models.Model):
    """A worker of the ordering enterprise put on the order; ``minutes``: their learning time, set at completion."""

    order = models.ForeignKey(TrainingOrder, on_delete=models.CASCADE, related_name="participants")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="training_participations")
    minutes = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "worker"], name="participant_once_per_order")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.worker_id}"


class Attendance(models.Model):
    """A participant was present at a session. Only participants of the session's order can be present: the
    services check it, and the row names the participant, not any worker."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendances")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "participant"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.participant_id}"
