"""Applications for a subsidy, their history, their documents, and the schools' rosters."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yuanmeng.applications.documents import SUFFIXES
from yuanmeng.applications.workflow import ENDED_STATES, Action, State
from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.core.crypto import EncryptedTextField
from yuanmeng.orgs.roles import Capability
from yuanmeng.policies.models import DocumentKind, Level, ProgrammeType


class StudyMode(models.TextChoices):
    PART_TIME = "part_time", _("Part-time (spare-time)")
    DISTANCE = "distance", _("Distance (online)")
    FULL_TIME = "full_time", _("Full-time")


class Application(models.Model):
    # Seen by the unions above the enterprise, the applicant, and the staff of the school they study at.
    SCOPE_PATH = "organisation__path"
    SCOPE_OWNER = "worker__user"
    SCOPE_ALSO = {"school__organisation__path": Capability.MANAGE_ROSTERS}

    worker = models.ForeignKey("people.Worker", verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="applications")
    # Indexed as the first column of application_payout_order (and state as the first of
    # application_waiting_order): an index of their own would only add to every write of an application.
    policy = models.ForeignKey("policies.Policy", verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="applications", db_index=False)
    organisation = models.ForeignKey("orgs.Organisation", verbose_name=_("enterprise union"),
                                     on_delete=models.PROTECT, related_name="applications", db_index=False)
    level = models.CharField(_("education level"), max_length=10, choices=Level.choices)
    programme_type = models.CharField(_("programme type"), max_length=20, choices=ProgrammeType.choices)
    school = models.ForeignKey("orgs.School", verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="applications")
    major = models.CharField(_("major"), max_length=100)
    study_mode = models.CharField(_("study mode"), max_length=10, choices=StudyMode.choices)
    enrolment_date = models.DateField(_("enrolment date"))
    student_number = models.CharField(_("student number"), max_length=40)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    area = models.ForeignKey("orgs.Organisation", verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             help_text=_("The union directly below the policy's union that the enterprise is in."))
    priority_group = models.CharField(_("priority group"), max_length=24, blank=True)
    priority_rank = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    certificate_number = models.CharField(_("diploma certificate number"), max_length=40, blank=True,
                                          db_index=True)
    # Counts changes, so that a decision taken on an out-of-date page is refused.
    version = models.PositiveIntegerField(default=0)
    graduation_date = models.DateField(_("graduation date"), null=True, blank=True)
    diploma_note = models.TextField(_("diploma check"), blank=True)
    # What the school's enrolment roster says: None, not on one yet; True, it confirms; False, see the note.
    enrolment_confirmed = models.BooleanField(_("enrolment confirmed by the school"), null=True, blank=True)
    enrolment_note = models.TextField(_("enrolment check"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One live application per person and level, anywhere (a person has one worker record).
            models.UniqueConstraint(fields=["worker", "level"], condition=~Q(state__in=ENDED_STATES),
                                    name="one_live_application_per_level"),
        ]
        # The payout ranking reads a policy's verified applications in exactly this order, without sorting; the
        # home pages' work waiting reads a state's oldest first and stops at its cap (core/waiting.py); the review
        # queue reads a page of one state in its order (review.queue_for) without sorting a scope of a million (all
        # states, newest first, read along submitted_at); its search finds a student number by index. Both orders
        # carry the organisation (PostgreSQL), so a scope's bounded count reads the index alone, not the rows; a
        # count of one state in a small scope reads only that scope's entries, enterprise by enterprise
        # (application_in_organisation, which also serves the organisation's foreign key).
        indexes = [models.Index(fields=["policy", "state", "priority_rank", "submitted_at", "id"],
                                name="application_payout_order"),
                   models.Index(fields=["state", "submitted_at", "id"], include=["organisation_id"],
                                name="application_waiting_order"),
                   models.Index(fields=["state", "priority_rank", "submitted_at", "id"], include=["organisation_id"],
                                name="application_queue_order"),
                   models.Index(fields=["organisation", "state"], name="application_in_organisation"),
                   models.Index(fields=["student_number"], name="application_student_number")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.worker.name} · {self.get_level_display()}"


class CertificateClaim(models.Model):
    """A diploma certificate number, claimed once and for ever by one person (append-only)."""

    number = models.CharField(max_length=40, unique=True)
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(models.Model):
    """One step of an application's history: who did what, in which role, and why."""

    # Payout rounds write a million history rows at once from existing applications: no per-row FK trigger.
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events",
                                    db_constraint=False)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                              db_index=False, db_constraint=False)
    actor_label = models.CharField(_("by"), max_length=150)
    role = models.CharField(_("as"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} → {self.to_state}"


def _document_path(document, filename: str) -> str:
    """Named by its content and kind, with the extension of its sniffed type (never the uploader's)."""
    return f"applications/{document.application_id}/{document.sha256[:16]}-{document.kind}" + SUFFIXES.get(
        document.content_type, "")


class Document(models.Model):
    """An uploaded proof, stored outside the web root and served only to those in scope."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_document_path, storage=None)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("file size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"


class Roster(models.Model):
    """A school's list of graduates, as uploaded."""

    SCOPE_PATH = "school__organisation__path"

    school = models.ForeignKey("orgs.School", verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="rosters")
    file_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("graduates"), default=0)
    matched = models.PositiveIntegerField(_("verified"), default=0)
    mismatched = models.PositiveIntegerField(_("differences"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self) -> str:
        return f"{self.school} · {self.file_name}"


class RosterEntry(models.Model):
    """One graduate on a school's roster: the authority on a diploma certificate number."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    certificate_number = models.CharField(max_length=40, db_index=True)
    id_number = EncryptedTextField()
    id_number_index = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=50)
    level = models.CharField(max_length=10, choices=Level.choices)
    major = models.CharField(max_length=100, blank=True)
    graduation_date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "certificate_number"], name="roster_entry_once")]

    def __str__(self) -> str:
        return self.certificate_number


class EnrolmentEntry(models.Model):
    """One student on a school's enrolment roster: the school's word that the person studies there."""

    SCOPE_PATH = "school__organisation__path"

    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    id_number = EncryptedTextField()
    id_number_index = models.CharField(max_length=64)
    name = models.CharField(max_length=50)
    student_number = models.CharField(max_length=40)
    major = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    enrolment_date = models.DateField()
    updated_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "id_number_index", "level"],
                                               name="enrolment_entry_once")]

    def __str__(self) -> str:
        return self.student_number
