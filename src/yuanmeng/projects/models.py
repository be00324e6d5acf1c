"""Education and skills projects (项目库) that unions, schools and enterprises run together.

A project is led by one organisation (whose subtree sees and manages it), has partner organisations and
participants — named workers, and a count of those not named (a lecture hall of 200 is not a list) —, a
period and a status. The status moves by ``workflow.TRANSITIONS``; projects not cancelled count towards the
project target (300 by 2030) of every union above their lead.
"""

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.people.models import PatternIndex


class ProjectKind(models.TextChoices):
    DIPLOMA = "diploma", _("Diploma education")
    SKILLS = "skills", _("Skills training")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    STUDIO = "studio", _("Innovation studio of model workers and craftsmen")
    COMPETITION = "competition", _("Skills competition")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class Project(models.Model):
    SCOPE_PATH = "lead__path"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ProjectKind.choices)
    lead = models.ForeignKey("orgs.Organisation", verbose_name=_("lead organisation"), on_delete=models.PROTECT,
                             related_name="led_projects")
    partners = models.ManyToManyField("orgs.Organisation", verbose_name=_("partners"), blank=True,
                                      related_name="partner_projects")
    workers = models.ManyToManyField("people.Worker", verbose_name=_("named participants"), blank=True,
                                     through="ProjectParticipant", related_name="projects")
    unnamed_participants = models.PositiveIntegerField(_("participants not named"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["lead", "starts_on"], name="project_lead_start"),
                   PatternIndex(OpClass(Upper("name"), name="varchar_pattern_ops"), name="project_name_upper_prefix")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="project_period"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectParticipant(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "worker"], name="project_participant_once")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.worker_id}"
