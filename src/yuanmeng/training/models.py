"""The training network (places where workers learn) and the course catalogue, enrolments and learning hours.

Coordinates are WGS84 degrees (what a phone's GPS and the browser's geolocation give); Chinese map services show
GCJ-02, a few hundred metres off, which is well inside the error of a travel-time estimate. A course's search
text is its title and description lower-cased in one column: Chinese has no spaces to split words on, so a search
is a substring match, served on PostgreSQL by a trigram index (``TrigramIndex``), see decision 0014.
"""

import secrets

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet
from yuanmeng.training.skills import SkillCategory


class TrigramIndex(models.Index):
    """A GIN trigram index (``pg_trgm``) on PostgreSQL, which serves ``LIKE '%…%'``; SQLite has none, so there it is
    a plain index on the same columns."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            expressions = [OpClass(models.F(name), name="gin_trgm_ops") for name in self.fields]
            return GinIndex(*expressions, name=self.name).create_sql(model, schema_editor, using=using, **kwargs)
        return models.Index(fields=self.fields, name=self.name).create_sql(model, schema_editor, using=using,
                                                                          **kwargs)


class PlaceType(models.TextChoices):
    TRAINING_CENTRE = "training_centre", _("Training centre")
    LEARNING_CENTRE = "learning_centre", _("Learning centre")
    SERVICE_STATION = "service_station", _("Service station")
    WORKSHOP = "workshop", _("Training workshop")


class Place(models.Model):
    """A place of the training network, owned (and managed) by an organisation of the union tree."""

    SCOPE_PATH = "owner__path"

    owner = models.ForeignKey("orgs.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="training_places")
    name = models.CharField(_("name"), max_length=120)
    place_type = models.CharField(_("type"), max_length=16, choices=PlaceType.choices)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training place")
        verbose_name_plural = _("training places")
        ordering = ["name", "id"]
        indexes = [
            # The nearby search's bounding box: a latitude range, longitude checked in the same index.
            models.Index(fields=["latitude", "longitude"], name="training_place_lat_lon",
                         condition=Q(is_active=True)),
            models.Index(fields=["owner", "name"], name="training_place_owner_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90), name="place_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__gte=-180, longitude__lte=180),
                                   name="place_longitude_range"),
        ]

    def __str__(self) -> str:
        return self.name


class CourseMode(models.TextChoices):
    ONLINE = "online", _("Online micro-course")
    LIVE = "live", _("Live class")
    OFFLINE = "offline", _("Offline course")


class CourseLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CourseStatus(models.TextChoices):
    OPEN = "open", _("Open for enrolment")
    CLOSED = "closed", _("Closed")


class Course(models.Model):
    """A course of a provider (school, learning centre, union). ``district`` and ``city`` are the district and
    city unions its place (or, with no place, its provider) lies in, kept on the row so that the catalogue filters
    by them without a join: a worker's catalogue is one range of the (city, status, -id) index, newest first.
    ``enrolled_count`` only moves by a conditional UPDATE (``services.enrolment_create``)."""

    SCOPE_PATH = "provider__path"

    provider = models.ForeignKey("orgs.Organisation", verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="courses")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("skill category"), max_length=16, choices=SkillCategory.choices)
    mode = models.CharField(_("mode"), max_length=8, choices=CourseMode.choices)
    level = models.CharField(_("level"), max_length=12, choices=CourseLevel.choices, default=CourseLevel.BEGINNER)
    hours = models.DecimalField(_("learning hours"), max_digits=5, decimal_places=1)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="courses")
    district = models.ForeignKey("orgs.Organisation", verbose_name=_("district"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+", editable=False)
    city = models.ForeignKey("orgs.Organisation", verbose_name=_("city"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", editable=False)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    video_url = models.URLField(_("video link (on the provider's own site)"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=CourseStatus.choices, default=CourseStatus.OPEN)
    enrolled_count = models.PositiveIntegerField(_("enrolled"), default=0, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-id"]
        indexes = [
            TrigramIndex(fields=["search_text"], name="training_course_search"),
            models.Index(fields=["city", "status", "-id"], name="training_course_city"),
            models.Index(fields=["status", "category", "-id"], name="training_course_category"),
            models.Index(fields=["provider", "-id"], name="training_course_provider"),
            models.Index(fields=["district", "-id"], name="training_course_district"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity=None) | Q(enrolled_count__lte=models.F("capacity")),
                                   name="course_within_capacity"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.enrolled_count


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ATTENDED = "attended", _("Attending")
    COMPLETED = "completed", _("Completed")


def new_learner_ref() -> str:
    return "L" + secrets.token_hex(8).upper()


class Enrolment(models.Model):
    """A worker on a course. ``learner_ref`` is the opaque reference the course's provider knows the worker by (its
    xAPI statements name it as ``actor.account.name``): no identity or mobile number leaves us."""

    SCOPE_PATH = "course__provider__path"
    SCOPE_OWNER = "worker__user"

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="enrolments")
    worker = models.ForeignKey("people.Worker", verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="enrolments")
    learner_ref = models.CharField(_("learner reference"), max_length=20, unique=True, default=new_learner_ref,
                                   editable=False)
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ENROLLED)
    minutes = models.PositiveIntegerField(_("learning minutes"), default=0, editable=False)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["course", "worker"], name="enrolment_once_per_course")]
        indexes = [models.Index(fields=["worker", "-id"], name="training_enrolment_worker")]

    def __str__(self) -> str:
        return f"{self.worker.name} · {self.course}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


class LearningSource(models.TextChoices):
    STAFF = "staff", _("Recorded by the provider's staff")
    XAPI = "xapi", _("Reported by the provider's platform (xAPI)")


class LearningVerb(models.TextChoices):
    PROGRESSED = "progressed", _("Progressed")
    ATTENDED = "attended", _("Attended")
    COMPLETED = "completed", _("Completed")


class LearningRecord(models.Model):
    """Learning hours of one enrolment: a session attended, progress made, a completion. ``statement_id`` is the
    xAPI statement's id, unique, so that a statement sent twice is recorded once."""

    SCOPE_PATH = "enrolment__course__provider__path"
    SCOPE_OWNER = "enrolment__worker__user"

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="learning_records")
    verb = models.CharField(_("verb"), max_length=12, choices=LearningVerb.choices)
    minutes = models.PositiveIntegerField(_("learning minutes"))
    source = models.CharField(_("source"), max_length=8, choices=LearningSource.choices)
    statement_id = models.UUIDField(_("statement id"), unique=True, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("learning record")
        verbose_name_plural = _("learning records")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.minutes} min"
