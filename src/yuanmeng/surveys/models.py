"""Needs surveys: a union's questionnaire, sent to enterprises or to the workers of an area, answered once each.

A survey is built as a draft (questions in order, each single choice, multiple choice, scale or free text,
required or not), then sent: its targets are fixed (the chosen enterprises, answered by their enterprise
officer; or organisations whose workers answer — an enterprise, a district) and it takes answers within its
window. One ``Response`` per respondent (a unique constraint each for workers and enterprises, so two answers
at once cannot both count), one ``Answer`` row per question answered (per option chosen for multiple choice);
``Answer.survey`` repeats the survey so that results are one grouped query on an index.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet


class Audience(models.TextChoices):
    ENTERPRISES = "enterprises", _("Enterprises (answered by their union officer)")
    WORKERS = "workers", _("Workers")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
RECIPIENT_CAP = 10_000  # workers counted when a survey is sent; above, "more than 10,000"


class Survey(models.Model):
    SCOPE_PATH = "organisation__path"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("union"), on_delete=models.PROTECT,
                                     related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("sent to"), max_length=12, choices=Audience.choices)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    response_count = models.PositiveIntegerField(_("responses"), default=0, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="survey_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="survey_window"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def recipients_over_cap(self) -> bool:
        """Whether the workers addressed were more than ``RECIPIENT_CAP`` (counted only so far when sent)."""
        return self.recipient_count > RECIPIENT_CAP

    @property
    def recipients_shown(self) -> str:
        """The recipients as a page says them: "more than 10,000" above the cap."""
        if self.recipients_over_cap:
            return gettext("more than %(n)s") % {"n": f"{RECIPIENT_CAP:,}"}
        return str(self.recipient_count)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.SmallIntegerField(_("scale from"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("scale to"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class Target(models.Model):
    """An organisation a sent survey goes to: an enterprise (audience enterprises), or an organisation whose
    workers answer (audience workers: everyone employed in its subtree)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="targets")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "survey"], name="survey_target_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.organisation_id}"


class Response(models.Model):
    """One respondent's answers: a worker's, or an enterprise's (given by its officer, ``by``)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    worker = models.ForeignKey("people.Worker", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    training_order = models.ForeignKey("training_orders.TrainingOrder", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+",
                                       help_text=_("the training order an enterprise made of these answers"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "worker"], condition=Q(worker__isnull=False),
                                    name="survey_response_once_per_worker"),
            models.UniqueConstraint(fields=["survey", "enterprise"], condition=Q(enterprise__isnull=False),
                                    name="survey_response_once_per_enterprise"),
            models.CheckConstraint(condition=Q(worker__isnull=True) ^ Q(enterprise__isnull=True),
                                   name="survey_response_one_respondent"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.pk}"


class Answer(models.Model):
    """One question's answer (one row per option chosen for multiple choice): ``option``, ``value`` (scale) or
    ``text``."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)  # the tally's
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, null=True, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(null=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The results: counts grouped by question and option or value, read from the index alone.
            models.Index(fields=["survey", "question", "option", "value"], name="survey_answer_tally"),
            # The free-text answers of one question, newest first, a page at a time.
            models.Index(fields=["question", "-id"], condition=~Q(text=""), name="survey_answer_text"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.pk}"
